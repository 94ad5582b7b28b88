"""`ucj import inspect`: what it reports on the real files, and drafts that import as the shipped
mappings do."""

import csv
import json

import pandas as pd

from conftest import LONG_CSV, MAPPINGS, P0_CSV, TPT_XLSX
from ucj.ingest.inspect import inspect_file
from ucj.ingest.mapped import Mapping, import_mapped

KEY = ["district_code", "year"]


def test_a_bps_table_is_recognised(raw):
    r = inspect_file(P0_CSV)
    assert r.layout.startswith("BPS dynamic table, multi-year (2004-2025), 2 header line(s)")
    assert r.indicator == "p0" and (r.names, r.matched) == (514, 514) and r.draft is None
    assert r.command.startswith("ucj import bps-table")


def test_the_draft_for_the_long_table_imports_as_the_shipped_mapping(raw):
    r = inspect_file(LONG_CSV)
    assert r.layout.startswith("long table") and (r.names, r.matched) == (514, 514)
    got = import_mapped(LONG_CSV, Mapping.from_dict(r.draft)).frame.drop(columns="source").set_index(KEY)
    want = import_mapped(LONG_CSV, Mapping.from_file(MAPPINGS / "bps_kemiskinan_long.json")).frame
    pd.testing.assert_frame_equal(got.sort_index(), want.drop(columns="source").set_index(KEY).sort_index())


def test_the_draft_for_the_wide_workbook_imports_as_the_shipped_mapping(raw):
    r = inspect_file(TPT_XLSX)
    assert r.layout.startswith("wide table") and r.indicator == "tpt, tpak" and r.matched == 514
    keys = KEY + ["indicator"]
    got = import_mapped(TPT_XLSX, Mapping.from_dict(r.draft)).frame.set_index(keys)["value"].sort_index()
    want = import_mapped(TPT_XLSX, Mapping.from_file(MAPPINGS / "sakernas_tpt_tpak_wide.json")).frame
    pd.testing.assert_series_equal(got, want.set_index(keys)["value"].sort_index())


def test_unmatched_names_come_with_suggestions(raw, tmp_path):
    rows = list(csv.DictReader(LONG_CSV.open(encoding="utf-8")))[:40]
    path = tmp_path / "names.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["tahun", "kabupaten", "p0"])
        for i, rec in enumerate(rows):
            w.writerow([rec["tahun"], rec["nama_kab"] + ("x" if i == 3 else ""), rec["persen_miskin"]])
    r = inspect_file(path)
    assert (r.names, r.matched) == (40, 39)
    name, near = r.unmatched[0]
    assert name == rows[3]["nama_kab"] + "x" and rows[3]["nama_kab"] in near[0]
    assert "district names matched: 39 of 40 (97.5 %)" in r.render()


def test_cli_writes_a_draft_and_never_overwrites_one(raw, tmp_path, monkeypatch):
    here = tmp_path / "work"  # the draft goes to the current folder, never beside the raw file
    here.mkdir()
    monkeypatch.chdir(here)
    src = tmp_path / "long.csv"
    src.write_bytes(LONG_CSV.read_bytes())
    from typer.testing import CliRunner

    from ucj.cli import app

    cmd = ["import", "inspect", str(src)]
    first = CliRunner().invoke(app, cmd)
    assert first.exit_code == 0, first.output
    assert "district names matched: 514 of 514 (100.0 %)" in first.output
    draft = json.loads((here / "long.mapping.json").read_text())
    assert not (tmp_path / "long.mapping.json").exists()
    assert draft["columns"]["persen_miskin"] == "p0" and draft["scale"] == {"poor_population": 1000}
    again = CliRunner().invoke(app, cmd)
    assert again.exit_code == 2 and "a draft mapping is already there" in again.output
