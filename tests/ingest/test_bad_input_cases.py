"""The bad-input suite: every case is refused (or flagged) with one clear line naming the file and,
where there is one, the row, column or key and the rule; the message of each case is checked. The
importer inputs are cut from the real files in ../shared/data/raw where a real layout matters."""

from __future__ import annotations

import csv
import json
import math
import shutil
import zipfile
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
from typer.testing import CliRunner

import ucj
from conftest import LONG_CSV, P0_CSV, WEBAPI_JSON
from ucj.cli import app
from ucj.core.errors import UcjInputError
from ucj.ingest.bps import import_bps_table, import_bps_webapi
from ucj.ingest.mapped import Mapping, import_mapped, import_template, template_columns


class Ctx:
    """What a case needs: a folder to write into and the session's demo data."""

    def __init__(self, tmp: Path, demo: Path) -> None:
        self.tmp, self.demo = tmp, demo

    def write(self, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
        p = self.tmp / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
        return p


def template(kind: str, *rows: str) -> str:
    return "\n".join([",".join(template_columns(kind)), *rows]) + "\n"


ENROL = "Boalemo,2025-01,BPU,apbd,{},5000,0"


def long_rows(n: int = 6) -> list[dict[str, str]]:
    return list(csv.DictReader(LONG_CSV.open(encoding="utf-8")))[:n]


def long_file(c: Ctx, edit: Callable[[list[dict[str, str]]], None] | None = None) -> Path:
    """A real cut of the BPS long table (muhlis000), with one edit."""
    rows = long_rows()
    if edit:
        edit(rows)
    p = c.tmp / "long.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return p


LONG_MAPPING = {"table": "poverty", "district": "kode_kab", "code_scheme": "kemendagri", "year": "tahun",
                "columns": {"persen_miskin": "p0", "Indeks Kedalaman Kemiskinan (P1)": "p1",
                            "Indeks Keparahan Kemiskinan (P2)": "p2", "jumlah_miskin (000)": "poor_population"},
                "scale": {"poor_population": 1000}, "decimal": "."}


def mapping(**change: object) -> dict[str, object]:
    spec = dict(LONG_MAPPING)
    for k, v in change.items():
        if v is None:
            spec.pop(k, None)
        else:
            spec[k] = v
    return spec


def long_edit(row: int, column: str, value: str) -> Callable[[Ctx], object]:
    """Import the real long cut with one cell changed, through the long-table mapping."""
    return lambda c: import_mapped(long_file(c, lambda r: set_(r[row], column, value)), Mapping.from_dict(mapping()))


def from_spec(c: Ctx, spec: object) -> None:
    Mapping.from_file(c.write("m.json", json.dumps(spec)))


def bps_cut(c: Ctx, edit: Callable[[list[list[str]]], None] | None = None, name: str = "p0.csv") -> Path:
    """Aceh's rows of the real visdati P0 export, years 2023-2025, with one edit."""
    lines = list(csv.reader(P0_CSV.open(encoding="utf-8", newline="")))
    cut = [lines[0][:1] + lines[0][1:2] + ["", ""], [""] + lines[1][-3:]]
    cut += [[r[0]] + r[-3:] for r in lines[2:26]]
    if edit:
        edit(cut)
    p = c.tmp / name
    with p.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(cut)
    return p


def webapi(c: Ctx, edit: Callable[[dict], None] | None = None) -> Path:
    """The real WebAPI poverty-line response, cut to Aceh's first districts, with one edit."""
    doc = json.loads(WEBAPI_JSON.read_text(encoding="utf-8"))
    doc["vervar"] = doc["vervar"][:4]
    keep = {str(v["val"]) for v in doc["vervar"]}
    doc["datacontent"] = {k: v for k, v in doc["datacontent"].items() if k[:4] in keep}
    if edit:
        edit(doc)
    return c.write("gk.json", json.dumps(doc, allow_nan=True))


def first_key(doc: dict) -> str:
    return next(k for k in doc["datacontent"] if not k.startswith("1100"))


def demo_copy(c: Ctx) -> Path:
    d = c.tmp / "data"
    shutil.copytree(c.demo, d)
    return d


def set_(d: dict, key: str, value: object) -> None:
    d[key] = value


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


# (id, action, expected text in the message)
CASES: list[tuple[str, Callable[[Ctx], object], str]] = [
    # -- planners' templates ----------------------------------------------------------------------
    ("extra cell", lambda c: import_template(c.write("e.csv", template("enrolment", ENROL.format(5000) + ",7")),
                                             "enrolment"),
     "e.csv, row 2: row has more cells than the header has columns (7); a delimiter inside a value? (value: '7')"),
    ("missing cell", lambda c: import_template(c.write("e.csv", template("enrolment", "Boalemo,2025-01,BPU,apbd,5")),
                                               "enrolment"), "e.csv, row 2: row has 5 cells, the header 7; a cell is missing"),
    ("20-digit integer", lambda c: import_template(c.write("e.csv", template("enrolment", ENROL.format(
        "12345678901234567890"))), "enrolment"),
     "e.csv, row 2, column 'active': number too large (a count has at most 15 digits; no infinity)"),
    ("1e15 participants", lambda c: import_template(c.write("e.csv", template("enrolment", ENROL.format(
        "1.000.000.000.000.000"))), "enrolment"),
     "column 'active': implausible value: at most 10 million participants (more than any district's residents)"),
    ("ambiguous Bandung", lambda c: import_template(c.write("e.csv", template("enrolment", "Bandung,2025-01,BPU,apbd,1,1,0")),
                                                    "enrolment"),
     "e.csv, row 2, column 'district': ambiguous district; say which: Kabupaten Bandung, Jawa Barat [32.04]; "
     "Kota Bandung, Jawa Barat [32.73]"),
    ("Infinity text", lambda c: import_template(c.write("e.csv", template("enrolment", ENROL.format("Infinity"))),
                                                "enrolment"),
     "e.csv, row 2, column 'active': text in a numeric column (value: 'Infinity')"),
    ("negative count", lambda c: import_template(c.write("e.csv", template("enrolment", ENROL.format(-3))), "enrolment"),
     "e.csv, row 2, column 'active': >= 0 (value: -3)"),
    ("bad month", lambda c: import_template(c.write("e.csv", template("enrolment", "Boalemo,2025/13,BPU,apbd,1,1,0")),
                                            "enrolment"), "e.csv, row 2, column 'month': month must be written YYYY-MM"),
    ("month out of range", lambda c: import_template(c.write("e.csv", template("enrolment", "Boalemo,2099-01,BPU,apbd,1,1,0")),
                                                     "enrolment"), "column 'month': month between 2014-01 and 2035-12"),
    ("unknown segment", lambda c: import_template(c.write("e.csv", template("enrolment", "Boalemo,2025-01,XX,apbd,1,1,0")),
                                                  "enrolment"), "column 'segment': one of PU, BPU, Jakon, PMI"),
    ("unknown funding", lambda c: import_template(c.write("e.csv", template("enrolment", "Boalemo,2025-01,BPU,dana,1,1,0")),
                                                  "enrolment"), "column 'funding': one of self_employer, apbd, apbn, csr"),
    ("duplicate key", lambda c: import_template(c.write("e.csv", template("enrolment", ENROL.format(1), ENROL.format(2))),
                                                "enrolment"), "duplicate key (district_code, month, segment, funding)"),
    ("unknown district", lambda c: import_template(c.write("e.csv", template("enrolment", "Boalemmo,2025-01,BPU,apbd,1,1,0")),
                                                   "enrolment"), "column 'district': unknown district; closest: Kabupaten Boalemo"),
    ("column twice", lambda c: import_template(c.write("e.csv", "district,month,segment,funding,active,active,"
                                                                "new_registrations,lapsed\nBoalemo,2025-01,BPU,apbd,1,2,1,0\n"),
                                               "enrolment"),
     "e.csv, row 1, column 'active': column name appears 2 times in the header (columns 5, 6); keep one"),
    ("missing column", lambda c: import_template(c.write("e.csv", "district,month,segment,funding,active\nBoalemo,2025-01,BPU,apbd,1\n"),
                                                 "enrolment"), "e.csv, row 1, column 'new_registrations': required column is missing"),
    ("unknown template", lambda c: import_template(c.write("e.csv", "x\n1\n"), "members"),
     "unknown template 'members'; one of enrolment, contributions, claims, workforce, targets"),
    ("amount without claim", lambda c: import_template(c.write("c.csv", template(
        "claims", "Boalemo,2025-01,BPU,apbd,JKM,0,42000000")), "claims"), "an amount paid needs at least one claim"),
    ("unknown programme", lambda c: import_template(c.write("c.csv", template(
        "claims", "Boalemo,2025-01,BPU,apbd,JKN,1,42000000")), "claims"), "column 'programme': one of JKK, JKM, JHT, JP, JKP"),
    ("employees above workers", lambda c: import_template(c.write("w.csv", template(
        "workforce", "Minahasa,2024,1000,2000,,")), "workforce"), "employees <= working_population"),
    ("1e15 potensi pekerja", lambda c: import_template(c.write("w.csv", template(
        "workforce", "Minahasa,2024,1000,,,1000000000000000")), "workforce"),
     "column 'potensi_pekerja': implausible value: at most 10 million (no district has that many residents)"),
    ("target above 100", lambda c: import_template(c.write("t.csv", template(
        "targets", "72.01,2030,150,working_population,RPJMD,")), "targets"), "column 'coverage_target_pct': at most 100"),
    ("fractional target year", lambda c: import_template(c.write("t.csv", template(
        "targets", "72.01,\"2030,5\",99,working_population,RPJMD,")), "targets"),
     "column 'target_year': a year must be a whole number like 2030, not a fraction (value: '2030,5')"),
    ("unknown denominator", lambda c: import_template(c.write("t.csv", template(
        "targets", "72.01,2030,99,penduduk,RPJMD,")), "targets"), "column 'denominator': one of working_population"),
    # -- files that are not what their name says ---------------------------------------------------
    ("CSV renamed .xlsx", lambda c: import_template(c.write("e.xlsx", template("enrolment", ENROL.format(1))), "enrolment"),
     "e.xlsx: not an Excel workbook: the file is text or another format (a CSV renamed .xlsx?)"),
    ("zip that is no workbook", lambda c: import_template(_zip(c.tmp / "z.xlsx"), "enrolment"),
     "z.xlsx: not a readable Excel workbook"),
    ("old .xls", lambda c: import_template(c.write("o.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "enrolment"),
     "o.xlsx: an old Excel 97-2003 workbook (.xls)"),
    ("workbook named .csv", lambda c: import_template(c.write("w.csv", _zip(c.tmp / "x.xlsx").read_bytes()), "enrolment"),
     "w.csv: this is a workbook (Excel or OpenDocument), not text"),
    ("UTF-16 without BOM", lambda c: import_template(c.write("u.csv", template("enrolment", ENROL.format(1)), "utf-16-le"),
                                                     "enrolment"),
     "u.csv, row 1: this looks like UTF-16 text without a byte-order mark; save the file as CSV UTF-8"),
    ("UTF-16 cut short", lambda c: import_template(c.write("u.csv", "\ufeffdistrict".encode("utf-16-le") + b"\x00\xd8"),
                                                   "enrolment"), "u.csv: not readable UTF-16 text (cut short or damaged)"),
    ("binary", lambda c: import_template(c.write("b.csv", bytes(range(256)) * 4), "enrolment"),
     "b.csv, row 1: this looks like binary data; save the file as CSV UTF-8"),
    # issue 20 item 8: a Windows-1252 file is read, its 'é' intact, and the name then fails the district check
    ("Latin-1", lambda c: import_template(c.write("l.csv", template("enrolment", "Kabupaten Boalemo é,2025-01,BPU,apbd,1,1,0"),
                                                  "latin-1"), "enrolment"),
     "l.csv, row 2, column 'district': unknown district"),
    ("empty file", lambda c: import_template(c.write("e.csv", ""), "enrolment"), "e.csv: file is empty"),
    ("header only", lambda c: import_template(c.write("e.csv", template("enrolment")), "enrolment"),
     "e.csv, row 1: file has a header but no data rows"),
    ("unsupported type", lambda c: import_template(c.write("e.numbers", "x"), "enrolment"),
     "e.numbers: unsupported file type '.numbers'; use .csv, .xlsx, .xls or .ods"),
    ("text named .ods", lambda c: import_template(c.write("e.ods", "x"), "enrolment"),
     "e.ods: not an OpenDocument spreadsheet"),
    ("file not found", lambda c: import_template(c.tmp / "nowhere.csv", "enrolment"), "nowhere.csv: file not found"),
    ("a folder", lambda c: import_template(c.tmp, "enrolment"), "expected a file, found a folder"),
    # -- mappings ---------------------------------------------------------------------------------
    ("header_row 0", lambda c: from_spec(c, mapping(header_row=0)),
     "m.json, key 'header_row': must be a whole number from 1 (the first line) to 100 (value: 0)"),
    ("header_row text", lambda c: from_spec(c, mapping(header_row="2")),
     "key 'header_row': must be a whole number from 1 (the first line) to 100 (value: '2')"),
    ("header_row past the end", lambda c: import_mapped(long_file(c), Mapping.from_dict(mapping(header_row=50))),
     "long.csv: header_row 50 is beyond the end of the file (7 lines)"),
    ("negative scale", lambda c: from_spec(c, mapping(scale={"poor_population": -1000})),
     "key 'scale': scale of 'poor_population' must be a positive number up to 10^9"),
    ("scale as text", lambda c: from_spec(c, mapping(scale={"poor_population": "1000"})),
     "key 'scale': scale of 'poor_population' must be a positive number"),
    ("bad regex", lambda c: from_spec(c, {"table": "indicators", "district": "kab", "wide": "(?P<indicator>TPT"}),
     "key 'wide': not a valid regular expression: missing ), unterminated subpattern"),
    ("regex without groups", lambda c: from_spec(c, {"table": "indicators", "district": "kab", "wide": "TPT_\\d+"}),
     "key 'wide': the pattern needs the groups (?P<indicator>...) and (?P<year>...)"),
    ("bad decimal", lambda c: from_spec(c, mapping(decimal=";")), "key 'decimal': must be \",\" or \".\" (value: ';')"),
    ("bad code_scheme", lambda c: from_spec(c, mapping(code_scheme="iso")),
     "key 'code_scheme': must be name, kemendagri or bps (value: 'iso')"),
    ("two columns, one field", lambda c: from_spec(c, mapping(columns={"persen_miskin": "p0", "jumlah_miskin (000)": "p0"})),
     "key 'columns': two source columns are mapped to one field 'p0': persen_miskin, jumlah_miskin (000)"),
    ("unknown field", lambda c: from_spec(c, mapping(columns={"persen_miskin": "p9"})),
     "key 'columns': 'p9' is not a column of the poverty table"),
    ("unknown key", lambda c: from_spec(c, mapping(colums={})), "m.json, key 'colums': unknown mapping key"),
    ("no table key", lambda c: from_spec(c, mapping(table=None)), "m.json, key 'table': mapping key is required"),
    ("unknown table", lambda c: from_spec(c, mapping(table="kemiskinan")), "key 'table': unknown table; one of enrolment"),
    ("mapping is a list", lambda c: from_spec(c, [LONG_MAPPING]), "m.json: a mapping is a JSON object"),
    ("mapping not JSON", lambda c: Mapping.from_file(c.write("m.json", "{table: poverty}")),
     "m.json, row 1: mapping is not valid JSON: Expecting property name enclosed in double quotes"),
    ("year and month", lambda c: from_spec(c, mapping(month="bulan")),
     "key 'year': a mapping names exactly one of 'year' (a column or a constant year), 'month' or 'wide'"),
    ("constant year 3000", lambda c: from_spec(c, mapping(year=3000)),
     "key 'year': must be a column name, or a constant year such as 2021 (value: 3000)"),
    ("bad bare_kind", lambda c: from_spec(c, mapping(bare_kind="Kota")), "key 'bare_kind': must be \"Kabupaten\""),
    ("mapping not found", lambda c: Mapping.from_file(c.tmp / "none.json"), "none.json: mapping file not found"),
    ("--year not in the file", lambda c: import_mapped(long_file(c), Mapping.from_dict(mapping()), year=2019),
     "long.csv, column 'tahun': no rows of --year 2019 in the file"),
    ("mapped column missing from the file", lambda c: import_mapped(long_file(c), Mapping.from_dict(mapping(
        columns={"persen_miskn": "p0"}, scale={}))), "long.csv, row 1, column 'persen_miskn': required column is missing"),
    ("a BPS table given to a template", lambda c: import_template(bps_cut(c), "enrolment"),
     "p0.csv, row 1: this file is a BPS dynamic table, multi-year (2023-2025), 2 header line(s), title "
     "'Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen)'; import it with: ucj import bps-table FILE"),
    # -- implausible values -----------------------------------------------------------------------
    ("P1 above P0", long_edit(2, "Indeks Kedalaman Kemiskinan (P1)", "40"),
     "long.csv, row 4, column 'p1': implausible value: P1 (poverty depth) cannot exceed P0 (headcount) (value: 40.0)"),
    ("P2 above P1", long_edit(1, "Indeks Keparahan Kemiskinan (P2)", "9"),
     "long.csv, row 3, column 'p2': implausible value: P2 (poverty severity) cannot exceed P1 (poverty depth)"),
    ("1e15 poor people", long_edit(0, "jumlah_miskin (000)", "1000000000000"),
     "long.csv, row 2, column 'poor_population': implausible value: at most 10 million poor people"),
    ("P0 above 100", long_edit(0, "persen_miskin", "112.5"), "long.csv, row 2, column 'p0': 0 to 100"),
    ("text value in long table", long_edit(0, "persen_miskin", "dua belas"),
     "long.csv, row 2, column 'persen_miskin': text in a numeric column (value: 'dua belas')"),
    ("unknown Kemendagri code", long_edit(0, "kode_kab", "1199"),
     "long.csv, row 2, column 'kode_kab': no district has this code in Kemendagri numbering (11.99)"),
    # -- BPS dynamic tables -----------------------------------------------------------------------
    ("long table to bps-table", lambda c: import_bps_table(long_file(c)),
     "long.csv, row 1: this is a long table (one row per district and year; columns: tahun, kode_kab"),
    ("unknown title", lambda c: import_bps_table(bps_cut(c, lambda g: set_(g[0], 1, "Angka Harapan Hidup"))),
     "p0.csv, row 1: indicator not recognised from the title 'Angka Harapan Hidup'; name it with --indicator"),
    ("no year line", lambda c: import_bps_table(bps_cut(c, lambda g: g.pop(1))),
     "p0.csv, row 1: no line of years in the header (BPS tables put the years on line 2 or 3); for a table of one "
     "year without it, give --year YYYY"),
    ("--year not in the table", lambda c: import_bps_table(bps_cut(c), year=2010),
     "p0.csv, row 2: the table has no column for --year 2010"),
    ("two columns for one year", lambda c: import_bps_table(bps_cut(c, lambda g: set_(g[1], 2, g[1][1]))),
     "p0.csv, row 2: more than one column for year 2023 (e.g. March and September); keep one column per year"),
    ("unknown province row", lambda c: import_bps_table(bps_cut(c, lambda g: set_(g[2], 0, "ATLANTIS"))),
     "p0.csv, row 3, column 'column 1': unknown province; closest:"),
    ("text value in BPS table", lambda c: import_bps_table(bps_cut(c, lambda g: set_(g[4], 1, "n.a.x"))),
     "p0.csv, row 5, column '2023': text in a numeric column (value: 'n.a.x')"),
    ("district under the wrong province", lambda c: import_bps_table(bps_cut(c, lambda g: set_(g[4], 0, "Boalemo"))),
     "p0.csv, row 5, column 'column 1': no such district in Aceh in 2023; found elsewhere: "
     "Kabupaten Boalemo, Gorontalo [75.02]"),
    ("semicolon and comma in the header", lambda c: import_template(c.write("s.csv", "district;month,segment\n"
                                                                                      "a;b,c\nd,e;f\n"), "enrolment"),
     "s.csv, row 1: cannot tell the delimiter"),
    # -- BPS WebAPI -------------------------------------------------------------------------------
    ("WebAPI list", lambda c: import_bps_webapi(c.write("gk.json", "[1, 2]")),
     "gk.json: a BPS WebAPI response is a JSON object; this file holds a list"),
    ("WebAPI missing keys", lambda c: import_bps_webapi(webapi(c, lambda d: d.pop("vervar"))),
     "gk.json, column 'vervar': missing key of a BPS WebAPI response"),
    ("WebAPI vervar not a list", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d, "vervar", {"1101": "x"}))),
     "gk.json, column 'vervar': must be a non-empty list of {val, label}"),
    ("WebAPI entry without label", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d, "tahun", [{"val": 125}]))),
     "gk.json, column 'tahun[0]': each entry must be an object with 'val' and 'label'"),
    ("WebAPI variable id", lambda c: import_bps_webapi(webapi(c, lambda d: d["var"][0].update(val="gk"))),
     "gk.json, column 'var[0].val': the variable id must be a number (value: 'gk')"),
    ("WebAPI year label", lambda c: import_bps_webapi(webapi(c, lambda d: d["tahun"][0].update(label="tahun ini"))),
     "gk.json, column 'tahun[0].label': year label must start with a year like 2025"),
    ("WebAPI value is a list", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d["datacontent"], first_key(d), [1]))),
     "a value must be a number"),
    ("WebAPI Infinity", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d["datacontent"], first_key(d), math.inf))),
     "not a plausible number (infinite, or beyond 10^15) (value: inf)"),
    ("WebAPI 1e300", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d["datacontent"], first_key(d), 1e300))),
     "not a plausible number (infinite, or beyond 10^15) (value: 1e+300)"),
    ("WebAPI poverty line of Rp10", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d["datacontent"], first_key(d), 10))),
     "column 'poverty_line_rp': implausible value: between Rp50,000 and Rp5,000,000 per capita per month"),
    ("WebAPI datacontent not an object", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d, "datacontent", [1]))),
     "gk.json, column 'datacontent': must be an object of {key: value}"),
    ("WebAPI no data", lambda c: import_bps_webapi(webapi(c, lambda d: set_(d, "data-availability", "list-not-available"))),
     "gk.json: the response holds no data"),
    ("WebAPI not JSON", lambda c: import_bps_webapi(c.write("gk.json", "{\"var\": [")), "gk.json, row 1: not valid JSON"),
    # -- data folders -----------------------------------------------------------------------------
    ("corrupt parquet", lambda c: ucj.load(_folder_with(c, "poverty.parquet", b"PAR1 not really")),
     "poverty.parquet: not a readable parquet table (ArrowInvalid); the file is damaged or truncated"),
    ("truncated parquet behind a manifest", lambda c: ucj.load(_truncated_demo(c)),
     "poverty.parquet: table 'poverty' does not match its manifest (sha256 differs: changed or half-written)"),
    ("wrong schema", lambda c: ucj.load(_folder_with_frame(c, pd.DataFrame({"district_code": ["75.02"], "year": [2024],
                                                                               "x": [1.0]}))),
     "poverty.parquet, column 'x': column is not part of the table"),
    ("manifest not JSON", lambda c: ucj.load(_demo_with_manifest(c, "{")),
     "manifest.json: the manifest is not readable JSON"),
    ("table not in the manifest", lambda c: ucj.load(_demo_with_manifest(c, json.dumps({"tables": {}}))),
     "enrolment.parquet: table 'enrolment' is not listed in the folder's manifest"),
    ("data folder missing", lambda c: ucj.load(c.tmp / "nodata"), "nodata: data folder not found"),
]


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return path


def _folder_with(c: Ctx, name: str, data: bytes) -> Path:
    d = c.tmp / "d"
    d.mkdir()
    (d / name).write_bytes(data)
    return d


def _folder_with_frame(c: Ctx, df: pd.DataFrame) -> Path:
    d = c.tmp / "d"
    d.mkdir()
    df.to_parquet(d / "poverty.parquet")
    return d


def _truncated_demo(c: Ctx) -> Path:
    d = demo_copy(c)
    _truncate(d / "poverty.parquet")
    return d


def _demo_with_manifest(c: Ctx, text: str) -> Path:
    d = demo_copy(c)
    (d / "manifest.json").write_text(text)
    return d


@pytest.mark.parametrize("case, action, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line(case, action, expected, tmp_path, demo_dir):
    with pytest.raises(UcjInputError) as err:
        action(Ctx(tmp_path, demo_dir))
    text = str(err.value)
    assert expected in text, text
    assert "Traceback" not in text and str(tmp_path.parent) not in text.replace(str(tmp_path), "")


def test_the_suite_is_large_enough():
    assert len(CASES) >= 60 and len({c[0] for c in CASES}) == len(CASES)


# The same refusals through the command: exit status 2, the line on stderr, no traceback.
CLI_CASES = [
    ("bps-table on a long table", lambda c: ["import", "bps-table", str(long_file(c)), "--out", str(c.tmp / "o")],
     "this is a long table"),
    ("CSV renamed .xlsx", lambda c: ["import", "template", str(c.write("e.xlsx", template("enrolment", ENROL.format(1)))),
                                     "--kind", "enrolment", "--out", str(c.tmp / "o")], "not an Excel workbook"),
    ("bad mapping", lambda c: ["import", "mapped", str(long_file(c)), "--mapping",
                               str(c.write("m.json", json.dumps(mapping(decimal=";")))), "--out", str(c.tmp / "o")],
     "key 'decimal'"),
    ("WebAPI Infinity", lambda c: ["import", "bps-webapi", str(webapi(c, lambda d: set_(d["datacontent"], first_key(d),
                                                                                           math.inf))),
                                   "--out", str(c.tmp / "o")], "not a plausible number"),
    ("out is a file", lambda c: ["import", "mapped", str(long_file(c)), "--mapping",
                                 str(c.write("m.json", json.dumps(mapping()))), "--out", str(c.write("f", "x"))],
     "the output folder is a file"),
    ("year out of range", lambda c: ["import", "bps-table", str(bps_cut(c)), "--year", "99"], "--year"),
    ("damaged data folder", lambda c: ["summary", "--data-dir", str(_truncated_demo(c))], "does not match its manifest"),
]


@pytest.mark.parametrize("case, args, expected", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_the_command_exits_2_with_the_line(case, args, expected, tmp_path, demo_dir):
    result = CliRunner().invoke(app, args(Ctx(tmp_path, demo_dir)))
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, out
    assert expected in out and "Traceback" not in out
    assert not (tmp_path / "o").exists()
