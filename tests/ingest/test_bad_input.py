"""Bad input gets one clear line per problem naming file, row, column and rule."""

import subprocess
import sys

import openpyxl
import pytest

from conftest import P0_CSV
from ucj.core.errors import UcjInputError
from ucj.ingest.bps import import_bps_table, import_bps_webapi
from ucj.ingest.mapped import Mapping, import_mapped, import_template, template_columns

HEADER = ",".join(template_columns("enrolment"))
GOOD = "Boalemo,2025-01,BPU,apbd,5000,5000,0"


def _write(tmp_path, text, name="enrolment.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def _problems(func, *args, **kw):
    with pytest.raises(UcjInputError) as err:
        func(*args, **kw)
    return err.value.problems


def _one(problems, **expected):
    assert problems, "expected at least one problem"
    p = problems[0]
    for key, value in expected.items():
        got = getattr(p, key)
        if key == "rule":
            assert value in got, (got, value)
        else:
            assert got == value, (key, got, value)
    return p


def test_good_template_imports(tmp_path):
    r = import_template(_write(tmp_path, f"{HEADER}\n{GOOD}\n"), "enrolment")
    assert r.frame.iloc[0]["district_code"] == "75.02" and r.frame.iloc[0]["active"] == 5000


def test_missing_column(tmp_path):
    p = _write(tmp_path, "district,month,segment,funding,active,new_registrations\nBoalemo,2025-01,BPU,apbd,1,1\n")
    _one(_problems(import_template, p, "enrolment"), file=str(p), row=1, column="lapsed", rule="required column is missing")


def test_duplicate_key(tmp_path):
    p = _write(tmp_path, f"{HEADER}\n{GOOD}\nKab. Boalemo,2025-01,BPU,apbd,5000,5000,0\n")
    problems = _problems(import_template, p, "enrolment")
    assert {q.row for q in problems} == {2, 3}
    _one(problems, rule="duplicate key (district_code, month, segment, funding)")


def test_negative_count(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemo,2025-01,BPU,apbd,-5,0,5\n")
    _one(_problems(import_template, p, "enrolment"), row=2, column="active", rule=">= 0")


def test_text_in_numeric_column(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemo,2025-01,BPU,apbd,lima ribu,0,0\n")
    _one(_problems(import_template, p, "enrolment"), row=2, column="active", rule="text in a numeric column",
         value="lima ribu")


def test_fractional_count(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemo,2025-01,BPU,apbd,\"12,5\",0,0\n")
    _one(_problems(import_template, p, "enrolment"), row=2, column="active", rule="must be a whole number")


def test_unknown_district_lists_candidates(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemmo,2025-01,BPU,apbd,1,1,0\n")
    q = _one(_problems(import_template, p, "enrolment"), row=2, column="district", rule="unknown district")
    assert "Kabupaten Boalemo" in q.rule


def test_ambiguous_district(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBandung,2025-01,BPU,apbd,1,1,0\n")
    # a planner's template says which Bandung, as `ucj district Bandung` asks
    _one(_problems(import_template, p, "enrolment"), row=2, column="district",
         rule="ambiguous district; say which: Kabupaten Bandung, Jawa Barat [32.04]; Kota Bandung, Jawa Barat [32.73]")
    # a mapping for a file that follows the BPS convention (cities written "Kota X") says so
    p = _write(tmp_path, "district,year,tpt\nKupang,2024,3.1\n", name="x.csv")
    m = Mapping(table="indicators", district="district", year="year", columns={"tpt": "value"},
                fixed={"indicator": "tpt", "unit": "%"}, bare_kind="Kabupaten")
    assert import_mapped(p, m).frame.iloc[0]["district_code"] == "53.01"


def test_period_out_of_range(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemo,2099-01,BPU,apbd,1,1,0\n")
    _one(_problems(import_template, p, "enrolment"), row=2, column="month", rule="month between 2014-01 and 2035-12")


def test_month_not_readable(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemo,Januari 2025,BPU,apbd,1,1,0\n")
    _one(_problems(import_template, p, "enrolment"), row=2, column="month", rule="month must be written YYYY-MM")


def test_unknown_segment(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemo,2025-01,Informal,apbd,1,1,0\n")
    _one(_problems(import_template, p, "enrolment"), row=2, column="segment", rule="one of PU, BPU, Jakon, PMI")


def test_empty_file(tmp_path):
    p = _write(tmp_path, "")
    _one(_problems(import_template, p, "enrolment"), file=str(p), rule="file is empty")


def test_header_only(tmp_path):
    p = _write(tmp_path, f"{HEADER}\n")
    _one(_problems(import_template, p, "enrolment"), rule="no data rows")


def test_bom_is_accepted(tmp_path):
    p = _write(tmp_path, ("\ufeff" + f"{HEADER}\n{GOOD}\n").encode("utf-8"))
    assert len(import_template(p, "enrolment").frame) == 1


def test_non_utf8_encoding(tmp_path):
    """A Latin-1 (Windows-1252) file is read (issue 20, item 8): the 'é' reaches the district check intact."""
    p = _write(tmp_path, f"{HEADER}\nBoalemo,2025-01,BPU,apbd,1,1,0\nKab. Tojo Una-Una é,2025-01,BPU,apbd,1,1,0\n",
               encoding="latin-1")
    _one(_problems(import_template, p, "enrolment"), row=3, column="district", value="Kab. Tojo Una-Una é",
         rule="unknown district")


def test_semicolon_csv_from_indonesian_excel(tmp_path):
    text = HEADER.replace(",", ";") + "\nBoalemo;2025-01;BPU;apbd;5.000;5.000;0\n"
    r = import_template(_write(tmp_path, text), "enrolment")
    assert r.frame.iloc[0]["active"] == 5000


def test_excel_header_over_merged_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["district", "month", "peserta", None, None, None, None])
    ws.append(["Boalemo", "2025-01", "BPU", "apbd", 1, 1, 0])
    ws.merge_cells("C1:G1")
    p = tmp_path / "merged.xlsx"
    wb.save(p)
    _one(_problems(import_template, p, "enrolment"), row=1, column="C", rule="header cells C1:G1 are merged")


def test_excel_template_imports(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(template_columns("claims"))
    ws.append(["Muna Barat", "2024-03", "BPU", "apbd", "JKM", 2, "Rp84 jt"])
    p = tmp_path / "claims.xlsx"
    wb.save(p)
    r = import_template(p, "claims")
    assert r.frame.iloc[0]["claim_amount_rp"] == 84_000_000


def test_missing_sheet(tmp_path):
    wb = openpyxl.Workbook()
    p = tmp_path / "x.xlsx"
    wb.save(p)
    m = Mapping(table="indicators", district="d", year="y", columns={"v": "value"}, sheet="Populasi")
    _one(_problems(import_mapped, p, m), rule="no sheet 'Populasi'")


def test_file_not_found(tmp_path):
    _one(_problems(import_template, tmp_path / "nope.csv", "enrolment"), rule="file not found")


def test_unsupported_file_type(tmp_path):
    p = _write(tmp_path, "x", name="data.pdf")
    _one(_problems(import_template, p, "enrolment"), rule="unsupported file type '.pdf'")


def test_claim_amount_without_a_claim(tmp_path):
    header = ",".join(template_columns("claims"))
    p = _write(tmp_path, f"{header}\nMuna Barat,2024-03,BPU,apbd,JKM,0,42000000\n", name="claims.csv")
    _one(_problems(import_template, p, "claims"), row=2, rule="an amount paid needs at least one claim")


def test_bps_table_with_text_value_and_unknown_district(tmp_path):
    lines = P0_CSV.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("34.26", "n.a.x", 1)  # Simeulue 2004
    lines[4] = "Atlantis Raya" + lines[4][lines[4].index(","):]
    p = _write(tmp_path, "\n".join(lines) + "\n", name="p0.csv")
    problems = _problems(import_bps_table, p)
    assert any(q.row == 4 and q.column == "2004" and "text in a numeric column" in q.rule for q in problems)
    assert any(q.row == 5 and q.column == "column 1" and "unknown district" in q.rule for q in problems)


def test_bps_table_unmatched_can_be_allowed_and_is_reported(tmp_path):
    lines = P0_CSV.read_text(encoding="utf-8").splitlines()
    lines[4] = "Atlantis Raya" + lines[4][lines[4].index(","):]
    p = _write(tmp_path, "\n".join(lines) + "\n", name="p0.csv")
    r = import_bps_table(p, allow_unmatched=True)
    assert r.unmatched[["row", "name"]].values.tolist() == [[5, "Atlantis Raya"]]
    assert r.frame["district_code"].nunique() == 513
    assert "Atlantis Raya" in r.summary()


def test_bps_table_p0_out_of_range(tmp_path):
    lines = P0_CSV.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("34.26", "134.26", 1)
    p = _write(tmp_path, "\n".join(lines) + "\n", name="p0.csv")
    _one(_problems(import_bps_table, p), row=4, column="p0", rule="0 to 100")


def test_bps_table_bad_year_header(tmp_path):
    p = _write(tmp_path, "Wilayah,Judul\n,tahun lalu\nACEH,1\nSimeulue,2\n", name="p0.csv")
    _one(_problems(import_bps_table, p), row=1, rule="no line of years in the header")


def test_webapi_not_json(tmp_path):
    p = _write(tmp_path, "{not json", name="x.json")
    _one(_problems(import_bps_webapi, p), row=1, rule="not valid JSON")


def test_webapi_missing_keys(tmp_path):
    p = _write(tmp_path, '{"var": []}', name="x.json")
    assert {q.column for q in _problems(import_bps_webapi, p)} >= {"vervar", "datacontent"}


def test_many_problems_are_capped(tmp_path):
    rows = "\n".join(f"Boalemo,2025-{m:02d},BPU,apbd,-1,0,1" for m in range(1, 13))
    rows += "\n" + "\n".join(f"Boalemo,2024-{m:02d},BPU,apbd,x,0,1" for m in range(1, 13))
    p = _write(tmp_path, f"{HEADER}\n{rows}\n")
    with pytest.raises(UcjInputError) as err:
        import_template(p, "enrolment")
    text = str(err.value)
    assert len(err.value.problems) == 24
    assert text.splitlines()[-1] == "... and 4 more problems" and len(text.splitlines()) == 21


def test_cli_prints_problems_without_traceback(tmp_path):
    p = _write(tmp_path, f"{HEADER}\nBoalemo,2025-01,BPU,apbd,-5,0,5\n")
    run = subprocess.run([sys.executable, "-m", "ucj.cli", "import", "template", str(p), "--kind", "enrolment",
                          "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    assert "enrolment.csv, row 2, column 'active': >= 0 (value: -5)" in run.stderr
    assert not (tmp_path / "out").exists()  # nothing written when the input is bad
