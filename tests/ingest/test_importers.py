"""Importers on the real public files in ../shared/data/raw."""

import hashlib
import json

import pandas as pd
import pytest

import ucj
from conftest import LONG_CSV, MAPPINGS, P0_CSV, POOR_CSV, TPT_XLSX, WEBAPI_JSON
from ucj.ingest.bps import import_bps_table, import_bps_webapi
from ucj.ingest.common import write_processed
from ucj.ingest.mapped import Mapping, import_mapped

BOALEMO, MINAHASA = "75.02", "71.02"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def p0(raw):
    return import_bps_table(P0_CSV)


def test_p0_2024_matches_published(p0):
    f = p0.frame.set_index(["district_code", "year"])["p0"]
    assert f.loc[(BOALEMO, 2024)] == 17.83
    assert f.loc[(MINAHASA, 2024)] == 6.53


def test_every_district_of_the_p0_export_is_matched(p0):
    assert p0.unmatched.empty
    assert p0.frame["district_code"].nunique() == 514
    assert len(p0.frame) == 514 * 22  # 2004-2025, missing years kept as empty values
    assert p0.frame["p0"].isna().sum() > 0


def test_number_of_poor_is_converted_from_thousands(raw):
    r = import_bps_table(POOR_CSV)
    f = r.frame.set_index(["district_code", "year"])["poor_population"]
    assert f.loc[(BOALEMO, 2024)] == pytest.approx(31_530)  # 31.53 thousand


def test_webapi_json_resolves_bps_codes(raw):
    r = import_bps_webapi(WEBAPI_JSON)
    assert r.unmatched.empty and r.frame["district_code"].nunique() == 514
    f = r.frame.set_index(["district_code", "year"])["poverty_line_rp"]
    assert f.loc[(BOALEMO, 2025)] == 560_482  # key 750162401250: BPS 7501 = Boalemo


def test_long_table_with_mapping_agrees_with_the_bps_export(raw, p0):
    r = import_mapped(LONG_CSV, Mapping.from_file(MAPPINGS / "bps_kemiskinan_long.json"))
    assert len(r.frame) == 1028 and r.unmatched.empty
    long = r.frame.set_index(["district_code", "year"])["p0"]
    wide = p0.frame.set_index(["district_code", "year"])["p0"]
    both = long.index
    assert (long - wide.reindex(both)).abs().max() < 1e-9
    assert r.frame.set_index(["district_code", "year"]).loc[(BOALEMO, 2024), "p1"] == 3.75


def test_wide_xlsx_with_mapping(raw):
    r = import_mapped(TPT_XLSX, Mapping.from_file(MAPPINGS / "sakernas_tpt_tpak_wide.json"))
    f = r.frame
    assert r.unmatched.empty and f["district_code"].nunique() == 514
    assert set(f["indicator"]) == {"tpt", "tpak"}
    assert f["value"].isna().sum() > 0  # missing cells stay as empty values, not dropped
    assert len(f) == 514 * 7 * 2


def test_imports_write_processed_tables_with_a_manifest_and_leave_raw_files_alone(raw, tmp_path):
    before = {p: _sha(p) for p in (P0_CSV, LONG_CSV)}
    write_processed(import_bps_table(P0_CSV), tmp_path)
    write_processed(import_mapped(LONG_CSV, Mapping.from_file(MAPPINGS / "bps_kemiskinan_long.json")), tmp_path)
    assert {p: _sha(p) for p in before} == before
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [i["inputs"][0]["sha256"] for i in manifest["imports"]] == [before[P0_CSV], before[LONG_CSV]]
    assert manifest["tables"]["poverty"]["sha256"] == _sha(tmp_path / "poverty.parquet")
    # which cells came from where: p0 of 2024-2025 from the long table (it came last), p1 only from it
    cols = manifest["tables"]["poverty"]["columns"]
    assert sum(cols["p1"].values()) == 1028 and len(cols["p1"]) == 1
    filled = int(import_bps_table(P0_CSV).frame["p0"].notna().sum())
    assert sorted(cols["p0"].values()) == [1028, filled - 1028]  # 2024-2025 now from the long table
    assert str(tmp_path) not in (tmp_path / "manifest.json").read_text()
    assert manifest["imports"][0]["importer"].startswith("ucj.ingest.bps.import_bps_table")
    ds = ucj.load(tmp_path)
    pov = ds.poverty.set_index(["district_code", "year"])
    # merged: p0 from both files, p1 only from the long table
    assert pov.loc[(BOALEMO, 2024), "p0"] == 17.83 and pov.loc[(BOALEMO, 2024), "p1"] == 3.75
    assert pd.isna(pov.loc[(BOALEMO, 2015), "p1"])
    assert not ds.info["poverty"].synthetic
    assert (tmp_path / "poverty.csv").exists()


@pytest.mark.slow
def test_real_poverty_replaces_demo_rows_whole(demo_dir, raw, tmp_path):
    """Real and synthetic values never share a row: the real P0 row replaces the demo row's made-up cells,
    while the demo's real BPS cells (P1 2024-25) are kept (issue 20, item 7), and the table is real."""
    write_processed(import_bps_table(P0_CSV), tmp_path)
    ds = ucj.load(demo_dir, tmp_path)
    pov = ds.poverty.set_index(["district_code", "year"])
    # 3.75: Boalemo's P1 for 2024 in the published BPS long table (bps_muhlis000), which the demo carries
    assert pov.loc[(BOALEMO, 2024), "p0"] == 17.83 and pov.loc[(BOALEMO, 2024), "p1"] == 3.75
    assert pd.isna(pov.loc[(BOALEMO, 2024), "poverty_line_rp"])  # the demo's made-up line is dropped
    assert not pov["source"].str.contains("synthetic").any()
    info = ds.info["poverty"]
    assert not info.synthetic and info.synthetic_columns == [] and ds.info["enrolment"].synthetic
    # a real file over a real table merges per cell: P1 from the long table joins P0
    write_processed(import_mapped(LONG_CSV, Mapping.from_file(MAPPINGS / "bps_kemiskinan_long.json")), tmp_path)
    pov = ucj.load(demo_dir, tmp_path).poverty.set_index(["district_code", "year"])
    assert pov.loc[(BOALEMO, 2024), "p1"] == 3.75 and pov.loc[(BOALEMO, 2020), "p0"] == 18.57


def test_reimporting_a_file_names_its_source_once(raw, tmp_path):
    m = Mapping.from_file(MAPPINGS / "bps_kemiskinan_long.json")
    for _ in range(3):
        write_processed(import_mapped(LONG_CSV, m), tmp_path)
    pov = ucj.load(tmp_path).poverty
    assert set(pov["source"]) == {m.source}
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest["imports"]) == 3 and manifest["tables"]["poverty"]["columns"]["p0"] == {m.source: 1028}


def test_a_poverty_line_file_alone_keeps_p0(raw, tmp_path):
    """Importing only the poverty line merges into the table: P0 from the earlier import stays."""
    write_processed(import_bps_table(P0_CSV), tmp_path)
    write_processed(import_bps_webapi(WEBAPI_JSON), tmp_path)
    pov = ucj.load(tmp_path).poverty.set_index(["district_code", "year"])
    assert pov.loc[(BOALEMO, 2025), "p0"] == 16.37 and pov.loc[(BOALEMO, 2025), "poverty_line_rp"] == 560_482
    assert pov.loc[(BOALEMO, 2024), "p0"] == 17.83 and pd.isna(pov.loc[(BOALEMO, 2024), "poverty_line_rp"])


@pytest.mark.slow
def test_a_one_district_template_does_not_break_the_others(demo_dir, tmp_path):
    from ucj.analysis.district import district_figures
    from ucj.ingest.mapped import import_template

    src = tmp_path / "enrolment.csv"
    src.write_text("district,month,segment,funding,active,new_registrations,lapsed\n"
                   "Boalemo,2025-01,BPU,apbd,5000,5000,0\n", encoding="utf-8")
    write_processed(import_template(src, "enrolment"), tmp_path / "processed")
    demo = ucj.load(demo_dir).enrolment
    ds = ucj.load(demo_dir, tmp_path / "processed")
    enr = ds.enrolment
    assert enr["district_code"].nunique() == demo["district_code"].nunique() and len(enr) == len(demo)
    key = (enr["district_code"] == BOALEMO) & (enr["month"] == "2025-01-01") & (enr["segment"] == "BPU") & \
        (enr["funding"] == "apbd")
    assert enr.loc[key, "active"].tolist() == [5000]
    assert enr.loc[key, "source"].tolist() == ["enrolment.csv"]  # the real row, whole
    assert ds.info["enrolment"].synthetic  # every other row is still the demo's
    assert district_figures(ds, MINAHASA) is not None  # another district still reports
    assert district_figures(ds, BOALEMO) is not None


def test_a_targets_workbook_with_years_as_excel_numbers(tmp_path):
    """Excel keeps 2030 as the number 2030.0; the target year must still be a whole year, int64."""
    import openpyxl

    from ucj.ingest.mapped import import_template, template_columns

    wb = openpyxl.Workbook()
    wb.active.append(template_columns("targets"))
    wb.active.append(["Banggai", 2030.0, 99.5, "working_population", "RPJMD Kabupaten Banggai 2025-2030"])
    wb.save(tmp_path / "t.xlsx")
    f = import_template(tmp_path / "t.xlsx", "targets").frame
    assert f["target_year"].dtype == "int64" and f["target_year"].tolist() == [2030]
    assert f["district_code"].tolist() == ["72.01"] and f["coverage_target_pct"].tolist() == [99.5]


def test_a_real_target_supersedes_the_demo_targets_of_its_district(demo_dir, tmp_path):
    """Aceh Selatan has only the demo's (synthetic) default target: a real one imported replaces it.
    (Banggai's demo target is its published RPJMD target, real data, so it would stand beside it.)"""
    from ucj.analysis.projection import district_target
    from ucj.ingest.mapped import import_template, template_columns

    src = tmp_path / "targets.csv"
    src.write_text(",".join(template_columns("targets")) + "\nAceh Selatan,2029,\"90,5\",potensi_pekerja,RPJMD,\n",
                   encoding="utf-8")
    write_processed(import_template(src, "targets"), tmp_path / "p")
    demo = ucj.load(demo_dir)
    # the demo gives it the national RPJMN default (a real figure, cited as such since the provenance change)
    assert (demo.targets.loc[demo.targets["district_code"] == "11.01", "source"].str.startswith("RPJMN")).all()
    ds = ucj.load(demo_dir, tmp_path / "p")
    assert district_target(ds, "11.01") == (90.5, 2029, "potensi_pekerja", "RPJMD")
    assert len(ds.targets) == len(demo.targets) - (demo.targets["district_code"] == "11.01").sum() + 1
    assert district_target(ds, BOALEMO) == district_target(demo, BOALEMO)  # other districts keep theirs
