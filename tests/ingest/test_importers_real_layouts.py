"""Issue 20 items 1-6: the layouts other publishers give the real BPS and Sakernas files, built from the
raw files in ../shared (tests/ingest/importers_build.py), imported the way a user would: `ucj import
inspect`, then the command or draft it gives, unchanged. Values are checked against the raw cells."""

from __future__ import annotations

import csv
import json
import re
import shlex
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import P0_CSV, POOR_CSV, REPO, TPT_XLSX
from importers_build import (capitals_table, english_export, open_data_table, open_data_table_bps_codes,
                             provincial_export, raw_cells, read_bps_csv, tpt_cells)
from ucj.cli import app
from ucj.data.registry import KABUPATEN, load_registry
from ucj.ingest.inspect import inspect_file

pytestmark = pytest.mark.slow  # seconds a test (whole demo pages, stores, workbooks): make test only

runner = CliRunner()


def ucj(*args: object) -> str:
    """Run the ucj command in-process; return its output, failing the test with it on a non-zero exit."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def import_as_inspect_says(file: Path, out: Path) -> str:
    """`ucj import inspect FILE`, then the command its 'import with:' line gives, as typed."""
    shown = ucj("import", "inspect", file, "--draft", "-")
    command = re.search(r"^import with: (.*)$", shown, re.M).group(1)
    args = shlex.split(command)
    assert args[:2] == ["ucj", "import"] and "NAME" not in args, command
    assert Path(args[3]).name == file.name, command
    return shown + ucj(args[1], args[2], file, *args[4:], "--out", out)


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


# -- 1. --year completes a mapping that has no year ------------------------------------------------------

def _tpt_2021(tmp_path: Path) -> tuple[Path, dict[str, float]]:
    """A cross-section (one year, no year column) from the real Sakernas workbook, and its values by code."""
    cells = {k: v for k, v in tpt_cells(TPT_XLSX).items() if k[2] == 2021}
    path = tmp_path / "tpt_2021.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Provinsi", "Kabupaten/Kota", "Tingkat Pengangguran Terbuka (TPT)"])
        w.writerows([prov, name, f"{v:g}"] for (prov, name, _), v in cells.items())
    reg = load_registry()
    return path, {reg.resolve(n, province=p, bare_kind=KABUPATEN): v for (p, n, _), v in cells.items()}


def _check_2021(out: Path, want: dict[str, float]) -> None:
    got = table(out, "indicators")
    assert set(got["year"]) == {2021} and set(got["indicator"]) == {"tpt"} and set(got["unit"]) == {"%"}
    assert dict(zip(got["district_code"], got["value"])) == pytest.approx(want)


def test_year_option_completes_a_mapping_without_year(raw, tmp_path):
    """A mapping written as the README says, with no year: `--year 2021` is applied before it is checked."""
    path, want = _tpt_2021(tmp_path)
    mapping = {"table": "indicators", "district": "Kabupaten/Kota", "province": "Provinsi",
               "columns": {"Tingkat Pengangguran Terbuka (TPT)": "value"}, "fixed": {"indicator": "tpt", "unit": "%"},
               "bare_kind": "Kabupaten", "source": "Sakernas August 2021 (BPS)"}
    (tmp_path / "m.json").write_text(json.dumps(mapping))
    ucj("import", "mapped", path, "--mapping", tmp_path / "m.json", "--year", 2021, "--out", tmp_path / "out")
    _check_2021(tmp_path / "out", want)
    without = runner.invoke(app, ["import", "mapped", str(path), "--mapping", str(tmp_path / "m.json"),
                                  "--out", str(tmp_path / "out2")])
    assert without.exit_code == 2 and "exactly one of 'year'" in without.output  # no year at all: still refused


def test_inspect_draft_for_a_cross_section_takes_year_from_the_command(raw, tmp_path):
    """inspect's draft for a file without a year column has no year (not a '?'), and `--year` is enough,
    as its note says."""
    path, want = _tpt_2021(tmp_path)
    shown = ucj("import", "inspect", path, "--draft", tmp_path / "draft.json")
    assert "--mapping <the draft> --year YYYY" in shown and "no year column" in shown
    draft = json.loads((tmp_path / "draft.json").read_text())
    assert "year" not in draft and "?" not in json.dumps(draft)
    ucj("import", "mapped", path, "--mapping", tmp_path / "draft.json", "--year", 2021, "--out", tmp_path / "out")
    _check_2021(tmp_path / "out", want)


# -- 2. and 3. a provincial BPS office's export; inspect reads its merged title ----------------------------

@pytest.mark.parametrize("province", ["Jawa Timur", "Gorontalo"])
def test_provincial_export_imports_its_districts_and_says_it_covers_one_province(raw, tmp_path, province):
    path = provincial_export(P0_CSV, province, tmp_path / f"p0_{province}.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws.merged_cells.ranges and isinstance(ws.cell(3, 2).value, str)  # the layout the offices send
    reg = load_registry()
    prov = reg.resolve_province(province)
    n = len(reg.in_province(prov))
    report = inspect_file(path)  # merged title cells: read as bps-table reads them (item 3)
    assert report.indicator == "p0" and (report.names, report.matched) == (n, n)
    shown = import_as_inspect_says(path, tmp_path / "out")
    assert f"the file covers one province, {reg.province_name(prov)}: {n} of its {n} districts" in shown
    assert f"row {n + 3} ({province!r}) is the province total, not imported" in shown
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert any("covers one province" in note for note in manifest["imports"][-1]["notes"])
    got = table(tmp_path / "out", "poverty").set_index(["district_code", "year"])["p0"].dropna()
    want = {k: v for k, v in raw_cells(P0_CSV).items() if k[0].startswith(prov + ".")}
    assert len(want) > 20 * n - 40 and got.to_dict() == pytest.approx(want)


@pytest.mark.parametrize("province", ["Gorontalo", "Jambi"])
def test_provincial_export_in_capitals_keeps_the_district_named_like_the_province(raw, tmp_path, province):
    """GORONTALO, BOALEMO, ..., KOTA GORONTALO, GORONTALO (the total): the first GORONTALO is the kabupaten,
    the last the province; in Jambi, JAMBI (last) is the province and KOTA JAMBI the city."""
    path = provincial_export(P0_CSV, province, tmp_path / "p0_caps.xlsx", capitals=True)
    reg = load_registry()
    prov = reg.resolve_province(province)
    n = len(reg.in_province(prov))
    shown = ucj("import", "bps-table", path, "--out", tmp_path / "out")
    assert f"{n} of its {n} districts; row {n + 3} ({province.upper()!r}) is the province total" in shown
    got = table(tmp_path / "out", "poverty").set_index(["district_code", "year"])["p0"].dropna()
    want = {k: v for k, v in raw_cells(P0_CSV).items() if k[0].startswith(prov + ".")}
    assert got.to_dict() == pytest.approx(want)


def test_inspect_still_refuses_merged_column_names_of_a_long_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["district", "year", "p0", None])
    ws.merge_cells("C1:D1")
    ws.append(["Boalemo", 2024, 17.83, 1])
    wb.save(tmp_path / "long.xlsx")
    out = runner.invoke(app, ["import", "inspect", str(tmp_path / "long.xlsx"), "--draft", "-"])
    assert out.exit_code == 2 and "header cells C1:D1 are merged" in out.output


# -- 4. an older BPS table in capitals ----------------------------------------------------------------------

def test_capitals_table_resolves_by_position_and_keeps_one_row_per_district_and_year(raw, tmp_path):
    path, relisted = capitals_table(P0_CSV, tmp_path / "P0_LAMA.csv")
    reg = load_registry()
    assert len(relisted) == sum(len(reg.in_province(p)) for p in ("65", "93", "94", "95", "96"))
    report = inspect_file(path)
    assert report.matched == report.names == 514 + len(relisted)
    shown = import_as_inspect_says(path, tmp_path / "out")
    got = table(tmp_path / "out", "poverty").set_index(["district_code", "year"])["p0"].dropna()
    assert got.to_dict() == pytest.approx(raw_cells(P0_CSV))  # every district-year once, the raw value
    # a name that is a province and a district: GORONTALO the kabupaten, under GORONTALO the province
    assert sum(line.startswith("GORONTALO,") for line in path.read_text().splitlines()) == 2
    cells = raw_cells(P0_CSV)
    assert got[(reg.resolve("Gorontalo", province="75", bare_kind=KABUPATEN), 2025)] == cells[("75.01", 2025)]
    banggai = reg.resolve("Banggai", province="72", bare_kind=KABUPATEN)
    assert got[(banggai, 2025)] == cells[(banggai, 2025)]
    # which duplicate was dropped, and why
    lines = path.read_text().splitlines()
    rows = [i for i, line in enumerate(lines, 1) if line.startswith("BULUNGAN,")]
    bulungan = reg.resolve("Bulungan", bare_kind=KABUPATEN)
    assert (f"Kabupaten Bulungan [{bulungan}] is listed 2 times, under its old and new province; kept row "
            f"{rows[0]} under KALIMANTAN TIMUR: 2004-2012; row {rows[1]} under KALIMANTAN UTARA: 2013-2025; "
            f"2013 is filled in both: kept row {rows[1]} (KALIMANTAN UTARA, its province in 2013), dropped row "
            f"{rows[0]} (the same value)") in " ".join(shown.split())
    assert " ".join(shown.split()).count("under its old and new province") == len(relisted)


def test_capitals_table_with_conflicting_relisted_values_keeps_the_province_of_that_year(raw, tmp_path):
    """Where the two rows disagree, the value listed under the province the district belonged to in that
    year is kept, and the note says the dropped one differed."""
    path, _ = capitals_table(P0_CSV, tmp_path / "P0_LAMA.csv")
    lines = path.read_text().splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("MALINAU,")]
    old = lines[rows[0]].split(",")  # listed first, under KALIMANTAN TIMUR
    _, years, _ = read_bps_csv(P0_CSV)
    col = years.index(2013) + 1
    old[col] = f"{float(old[col]) + 1:.2f}"  # the old province's row says otherwise for 2013
    lines[rows[0]] = ",".join(old)
    path.write_text("\n".join(lines) + "\n")
    shown = ucj("import", "bps-table", path, "--out", tmp_path / "out")
    got = table(tmp_path / "out", "poverty").set_index(["district_code", "year"])["p0"]
    malinau = load_registry().resolve("Malinau", bare_kind=KABUPATEN)
    assert got[(malinau, 2013)] == raw_cells(P0_CSV)[(malinau, 2013)]
    assert f"its province in 2013), dropped row {rows[0] + 1} (a different value)" in " ".join(shown.split())


# -- 5. English BPS titles ---------------------------------------------------------------------------------

# The titles BPS gives its tables in Indonesian and on bps.go.id/en.
TITLES = [
    ("Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen)",
     "Percentage of Poor Population (P0) by Regency/City (Percent)"),
    ("Persentase Penduduk Miskin Menurut Kabupaten/Kota", "Percentage of Poor Population by Regency/City"),
    ("Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota", "Poverty Depth Index (P1) by Regency/City"),
    ("Indeks Kedalaman Kemiskinan Menurut Kabupaten/Kota", "Poverty Depth Index by Regency/City"),
    ("Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota", "Poverty Severity Index (P2) by Regency/City"),
    ("Indeks Keparahan Kemiskinan Menurut Kabupaten/Kota", "Poverty Severity Index by Regency/City"),
    ("Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota",
     "Number of Poor Population (Thousand People) by Regency/City"),
    ("Jumlah Penduduk Miskin (Jiwa) Menurut Kabupaten/Kota", "Number of Poor Population (People) by Regency/City"),
    ("Garis Kemiskinan (Rupiah/Kapita/Bulan) Menurut Kabupaten/Kota",
     "Poverty Line (Rupiah/Capita/Month) by Regency/City"),
    ("Tingkat Pengangguran Terbuka Menurut Kabupaten/Kota (Persen)", "Open Unemployment Rate by Regency/City (Percent)"),
    ("Tingkat Partisipasi Angkatan Kerja Menurut Kabupaten/Kota (Persen)",
     "Labor Force Participation Rate by Regency/City (Percent)"),
]


def test_the_titles_cover_every_indicator_recognised_in_indonesian():
    from ucj.ingest.bps import KNOWN_VARIABLES, variable_for

    assert {variable_for(i).column for i, _ in TITLES} == {v.column for _, v in KNOWN_VARIABLES}


@pytest.mark.parametrize("indonesian,english", TITLES, ids=[e for _, e in TITLES])
def test_english_title_reads_as_its_indonesian_twin(indonesian, english):
    from ucj.ingest.bps import variable_for

    id_var, en_var = variable_for(indonesian), variable_for(english)
    assert id_var.table != "indicators" or id_var.column in ("tpt", "tpak")  # recognised, not a slug
    assert en_var == id_var


@pytest.mark.parametrize("src,title,column,scale", [
    (POOR_CSV, "Number of Poor Population (Thousand People) by Regency/City", "poor_population", 1000),
    (P0_CSV, "Percentage of Poor Population (P0) by Regency/City (Percent)", "p0", 1),
], ids=["poor-thousands", "p0"])
def test_english_export_imports_as_inspect_says(raw, tmp_path, src, title, column, scale):
    path = english_export(src, title, tmp_path / "english.xlsx")
    shown = import_as_inspect_says(path, tmp_path / "out")
    assert f"indicator: {column}" in shown and "514 of 514" in shown
    got = table(tmp_path / "out", "poverty").set_index(["district_code", "year"])[column].dropna()
    want = {k: v * scale for k, v in raw_cells(src).items()}
    assert got.to_dict() == pytest.approx(want)


# -- 6. open-data portal long tables -----------------------------------------------------------------------

def test_open_data_table_gets_a_complete_draft_that_imports_unchanged(raw, tmp_path):
    path, want = open_data_table(TPT_XLSX, "32", tmp_path / "tpt_kabkota_jabar.csv")
    assert len({code for code, _ in want}) == 27  # every kabupaten/kota of Jawa Barat
    shown = ucj("import", "inspect", path, "--draft", tmp_path / "draft.json")
    draft = json.loads((tmp_path / "draft.json").read_text())
    assert "?" not in json.dumps(draft), shown
    assert {k: draft[k] for k in ("table", "district", "code_scheme", "district_name", "year", "columns", "fixed")} == {
        "table": "indicators", "district": "kode_kabupaten_kota", "code_scheme": "kemendagri",
        "district_name": "nama_kabupaten_kota", "year": "tahun",
        "columns": {"tingkat_pengangguran_terbuka": "value"}, "fixed": {"indicator": "tpt", "unit": "%"}}
    ucj("import", "mapped", path, "--mapping", tmp_path / "draft.json", "--out", tmp_path / "out")
    got = table(tmp_path / "out", "indicators")
    assert set(got["indicator"]) == {"tpt"}
    assert dict(zip(zip(got["district_code"], got["year"]), got["value"])) == pytest.approx(want)


def test_open_data_table_with_bps_numbering_is_drafted_as_bps(raw, tmp_path):
    """Codes in BPS numbering (differing from Kemendagri's for ~200 districts): the names beside them decide."""
    path, want = open_data_table_bps_codes(TPT_XLSX, 2020, tmp_path / "tpt_2020_bps.csv")
    assert len(want) > 500
    ucj("import", "inspect", path, "--draft", tmp_path / "draft.json")
    draft = json.loads((tmp_path / "draft.json").read_text())
    assert draft["code_scheme"] == "bps" and draft["district_name"] == "nama_kabupaten_kota"
    ucj("import", "mapped", path, "--mapping", tmp_path / "draft.json", "--out", tmp_path / "out")
    got = table(tmp_path / "out", "indicators")
    assert dict(zip(got["district_code"], got["value"])) == pytest.approx(want)


def test_open_data_poverty_table_in_thousands_is_scaled_from_its_unit_column(raw, tmp_path):
    """`jumlah_penduduk_miskin` with satuan RIBU JIWA: the poverty table, scaled by 1000 from `satuan`."""
    reg = load_registry()
    cells = {k: v for k, v in raw_cells(POOR_CSV).items() if k[0].startswith("32.") and k[1] >= 2015}
    path = tmp_path / "penduduk_miskin_jabar.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota",
                    "jumlah_penduduk_miskin", "satuan", "tahun"])
        for i, ((code, year), v) in enumerate(sorted(cells.items()), 1):
            w.writerow([i, 32, "JAWA BARAT", code.replace(".", ""), reg.get(code).full_name.upper(), f"{v:g}",
                        "RIBU JIWA", year])
    report = inspect_file(path)
    assert report.draft["table"] == "poverty" and report.draft["columns"] == {"jumlah_penduduk_miskin": "poor_population"}
    assert report.draft["scale"] == {"poor_population": 1000} and "?" not in json.dumps(report.draft)
    (tmp_path / "m.json").write_text(json.dumps(report.draft))
    ucj("import", "mapped", path, "--mapping", tmp_path / "m.json", "--out", tmp_path / "out")
    got = table(tmp_path / "out", "poverty").set_index(["district_code", "year"])["poor_population"]
    assert got.to_dict() == pytest.approx({k: v * 1000 for k, v in cells.items()})


def test_every_mapping_key_is_documented_with_an_example():
    from dataclasses import fields

    from ucj.ingest.mapped import Mapping

    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Mapping keys", 1)[1].split("\n## ", 1)[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|(.*)$", section, re.M)}
    for f in fields(Mapping):
        assert f.name in rows, f"mapping key {f.name} is not documented in data/README.md"
        assert re.search(rf'`"{f.name}": [^`]+`', rows[f.name]), f"no example for {f.name}"


def test_a_fixed_value_for_a_column_the_table_lacks_is_refused():
    from ucj.core.errors import UcjInputError
    from ucj.ingest.mapped import Mapping

    with pytest.raises(UcjInputError, match="'indikator' is not a column of the indicators table"):
        Mapping.from_dict({"table": "indicators", "district": "kab", "year": "tahun",
                           "columns": {"tpt": "value"}, "fixed": {"indikator": "tpt"}})
