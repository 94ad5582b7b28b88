"""Issue 24 items 14 and 15 on the mapped path and inspect: a year written 2030.0, a province column that
points at the wrong column, a `fixed` value that is a list, JSON nested 100,000 deep, a header with a name
written twice or left blank. Each ends in one line naming file, row or key, and the rule, with exit status 2.
Inputs are cut from the real long table in ../shared/data/raw (bps_muhlis000) or the real WebAPI response."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import LONG_CSV, WEBAPI_JSON
from ucj.cli import app
from ucj.core.errors import UcjInputError
from ucj.ingest.mapped import Mapping, import_mapped, import_template, template_columns

LONG = {"table": "poverty", "district": "nama_kab", "province": "nama_prov", "year": "tahun",
        "columns": {"persen_miskin": "p0"}, "bare_kind": "Kabupaten"}


def long_rows(n: int = 8) -> list[dict[str, str]]:
    return list(csv.DictReader(LONG_CSV.open(encoding="utf-8")))[:n]


def write_rows(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header or list(rows[0]))
        w.writerows([list(r.values()) for r in rows])
    return path


def cli(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, [line.strip() for line in result.output.splitlines() if line.strip()]


def problems_of(lines: list[str]) -> list[str]:
    """The problems the command listed: one line `error: PROBLEM`, or a count line and one problem a line."""
    return [line.removeprefix("error: ") for line in lines if not re.fullmatch(r"error: \d+ problems in the input:", line)]


def test_a_province_column_that_holds_no_province_is_blamed(tmp_path):
    f = write_rows(tmp_path / "long.csv", long_rows())
    m = tmp_path / "m.json"
    m.write_text(json.dumps(dict(LONG, province="kode_kab")), encoding="utf-8")  # the code column, not the province
    code, out = cli("import", "mapped", str(f), "--mapping", str(m), "--out", str(tmp_path / "out"))
    assert code == 2
    lines = problems_of(out)
    first = long_rows(1)[0]
    assert len(lines) == 1, out
    assert lines[0].startswith("long.csv, row 2, column 'kode_kab': no cell of this column is a province")
    assert f"(e.g. '{first['kode_kab']}')" in lines[0] and "nama_kab" not in lines[0]


def test_one_wrong_province_is_blamed_on_the_province_column(tmp_path):
    rows = long_rows()
    rows[2]["nama_prov"] = "Atjeh Raya"
    f = write_rows(tmp_path / "long.csv", rows)
    with pytest.raises(UcjInputError) as err:
        import_mapped(f, Mapping.from_dict(LONG))
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(4, "nama_prov", "Atjeh Raya")]
    assert err.value.problems[0].rule == "unknown province"


def test_the_right_province_column_imports(tmp_path):
    rows = long_rows()
    got = import_mapped(write_rows(tmp_path / "long.csv", rows), Mapping.from_dict(LONG)).frame
    assert sorted(got["p0"]) == sorted(float(r["persen_miskin"]) for r in rows)


def targets_file(tmp_path: Path, year: str) -> Path:
    """The targets template filled with Banggai's RPJMD target (99.5 % by 2030, seed 001), the year as a CSV
    export of an Excel number cell prints it."""
    f = tmp_path / "targets.csv"
    f.write_text(",".join(template_columns("targets")) + f'\n72.01,{year},"99,5",working_population,'
                 "RPJMD Kabupaten Banggai 2025-2030,\n", encoding="utf-8")  # target_year_assumed left empty
    return f


def test_a_year_written_2030_0_is_the_year_2030(tmp_path):
    frame = import_template(targets_file(tmp_path, "2030.0"), "targets").frame
    assert frame["target_year"].tolist() == [2030] and frame["coverage_target_pct"].tolist() == [99.5]


def test_a_year_with_a_fraction_is_refused_naming_the_cell(tmp_path):
    code, out = cli("import", "template", str(targets_file(tmp_path, "2030.5")), "--kind", "targets",
                    "--out", str(tmp_path / "out"))
    assert code == 2
    assert problems_of(out) == ["targets.csv, row 2, column 'target_year': a year must be a whole number like 2030, "
                                "not a fraction (value: '2030.5')"]


def test_a_year_column_from_indonesian_excel_imports(tmp_path):
    """Indonesian Excel writes decimals with a comma: a year cell kept as a number prints "2024,0"."""
    rows = long_rows()
    for r in rows:
        r["tahun"] = r["tahun"] + ",0"
        r["persen_miskin"] = r["persen_miskin"].replace(".", ",")
    frame = import_mapped(write_rows(tmp_path / "long.csv", rows), Mapping.from_dict(dict(LONG, decimal=","))).frame
    assert set(frame["year"]) == {2024}
    assert sorted(frame["p0"]) == sorted(float(r["persen_miskin"]) for r in long_rows())


def test_a_fixed_value_that_is_a_list_is_one_line(tmp_path):
    m = tmp_path / "m.json"
    m.write_text(json.dumps(dict(LONG, fixed={"extreme_poverty_basis": ["BPS", "Bappeda"]})), encoding="utf-8")
    code, out = cli("import", "mapped", str(LONG_CSV), "--mapping", str(m), "--out", str(tmp_path / "out"))
    assert code == 2
    assert problems_of(out) == ["m.json, key 'fixed': the value of 'extreme_poverty_basis' must be one text or number, "
                                "the same on every row (found a list)"]


def test_a_fixed_column_not_in_the_table_is_one_line():
    with pytest.raises(UcjInputError) as err:
        Mapping.from_dict(dict(LONG, fixed={"provinsi": "Aceh"}))
    assert len(err.value.problems) == 1 and "'provinsi' is not a column of the poverty table" in str(err.value)


def deep(path: Path, depth: int = 100_000) -> Path:
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    return path


def test_a_mapping_nested_100000_deep_is_one_line(tmp_path):
    code, out = cli("import", "mapped", str(LONG_CSV), "--mapping", str(deep(tmp_path / "m.json")),
                    "--out", str(tmp_path / "out"))
    assert code == 2
    assert problems_of(out) == ["m.json, row 1: mapping JSON nested too deeply (100,000 levels; a mapping has 2)"]


def test_a_webapi_response_nested_100000_deep_is_one_line(tmp_path):
    real = WEBAPI_JSON.read_text(encoding="utf-8")  # the real response with its datacontent buried deep
    f = tmp_path / "webapi.json"
    f.write_text(real.replace('"datacontent":', '"datacontent":' + "[" * 100_000, 1)[:-1] + "]" * 100_000 + "}",
                 encoding="utf-8")
    code, out = cli("import", "bps-webapi", str(f), "--out", str(tmp_path / "out"))
    assert code == 2
    assert len(problems_of(out)) == 1 and "webapi.json, row 1: JSON nested too deeply" in out[-1], out


def test_inspect_on_a_header_with_a_name_written_twice(tmp_path):
    rows = long_rows()
    header = list(rows[0])
    header[3] = "nama_kab"  # nama_prov renamed as the column before it
    f = write_rows(tmp_path / "dup.csv", rows, header)
    code, out = cli("import", "inspect", str(f), "--draft", "-")
    assert code == 2
    assert problems_of(out) == ["dup.csv, row 1, column 'nama_kab': the column name appears 2 times in the header "
                                "(columns C and D); rename or remove all but one"]


def test_inspect_on_a_header_with_a_blank_name(tmp_path):
    rows = long_rows()
    header = list(rows[0])
    header[3] = ""
    f = write_rows(tmp_path / "blank.csv", rows, header)
    code, out = cli("import", "inspect", str(f), "--draft", "-")
    assert code == 2
    assert problems_of(out) == [f"blank.csv, row 1, column 'D': the header cell is blank but the column holds data "
                                f"(e.g. '{rows[0]['nama_prov']}' in row 2); give the column a name"]


def test_inspect_with_two_blank_names_over_empty_columns_still_works(tmp_path):
    """Trailing blank columns (what Excel leaves after a deleted column) are not names written twice."""
    rows = [dict(r, x="", y="") for r in long_rows()]
    f = write_rows(tmp_path / "trailing.csv", rows, list(long_rows(1)[0]) + ["", ""])
    code, out = cli("import", "inspect", str(f), "--draft", "-")
    assert code == 0, out
    assert any(line.startswith("district names matched: 8 of 8") for line in out), out
