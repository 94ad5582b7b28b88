"""`ucj verify` without kernels: the comparison rules on hand-worked values, what run.json and the data
manifest record (checked against the demo generator's own manifest and hashlib), environment warnings,
and a tampered data table refused before any kernel starts.

tests/runs/test_verify_run.py re-executes real reports."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import ucj

from ucj.cli import app
from ucj.runs import batch, verify
from ucj.runs.params import validate_params

from test_batch import FakeRender  # noqa: E402 - the stand-in worker of the batch tests


# -- comparison rules (hand-worked) -------------------------------------------------------------
def test_integers_exact_floats_relative_text_exact():
    assert verify.same_value(3, 3)
    assert not verify.same_value(10**18, 10**18 + 1)  # as floats these two are equal; integers must not be
    assert verify.same_value(100.0, 100.0 + 5e-8)  # 5e-10 relative
    assert not verify.same_value(100.0, 100.0 + 2e-7)  # 2e-9 relative
    assert verify.same_value(float("nan"), float("nan"))
    assert not verify.same_value(0.0, 1e-300)  # no absolute tolerance: a zero must stay zero
    assert verify.same_value("on_track", "on_track")
    assert not verify.same_value("on_track", "On_track")
    assert not verify.same_value(True, 1)
    assert verify.same_value(None, None)


def test_compare_names_each_differing_figure_with_both_values():
    recorded = {"coverage_pct": 28.5, "projection": {"status": "off_track", "months_remaining": 48},
                "peers": {"rows": [{"code": "75.02", "p0": 15.0}]},
                "provenance": {"generated_at": "2026-01-01T00:00:00", "versions": {"pandas": "3.0.0"}}}
    new = {"coverage_pct": 28.75, "projection": {"status": "off_track", "months_remaining": 47},
           "peers": {"rows": [{"code": "75.02", "p0": 15.0}]},
           "provenance": {"generated_at": "2026-11-22T10:00:00", "versions": {"pandas": "3.1.1"}}}
    count, diffs = verify.compare(recorded, new)
    assert count == 5  # coverage, status, months, code, p0 (timestamp and versions are not figures)
    assert [(d.figure, d.recorded, d.new, d.difference) for d in diffs] == [
        ("coverage_pct", 28.5, 28.75, 0.25), ("projection.months_remaining", 48, 47, -1)]
    count, diffs = verify.compare({"rows": [1, 2]}, {"rows": [1, 2, 3], "extra": "x"})
    assert {d.figure for d in diffs} == {"rows (length)", "extra"}


def test_environment_differences_are_listed():
    then = {"ucj": "0.1.0", "python": "3.11.7", "libraries": {"pandas": "3.0.0", "numpy": "2.4.6", "gone": "1.0"}}
    now = {"ucj": "0.1.0", "python": "3.11.7", "libraries": {"pandas": "3.1.1", "numpy": "2.4.6", "new": "2.0"}}
    assert verify.environment_warnings(then, now) == [
        "gone: the run had 1.0, this machine has none",
        "new: the run had none, this machine has 2.0",
        "pandas: the run had 3.0.0, this machine has 3.1.1"]


# -- what a run records -------------------------------------------------------------------------
def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_json_and_data_manifest_record_the_bundle(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "render", FakeRender())
    run_dir = tmp_path / "reports" / "r1"
    params = [validate_params("Boalemo", data_dir=str(demo_dir))]
    batch.run_many(params, run_dir, workers=1, progress=False, echo=lambda line: None)
    run = json.loads((run_dir / "run.json").read_text())
    env = run["environment"]
    assert env["libraries"]["pandas"] == metadata.version("pandas")
    assert env["python"].count(".") == 2 and env["platform"]
    lock = Path(__file__).resolve().parents[2] / "requirements.lock"
    assert set(env["libraries"]) >= {"pandas", "numpy", "statsmodels", "papermill"}
    assert "pandas==" + env["libraries"]["pandas"] in lock.read_text()
    entry = run["reports"][0]
    assert entry["parameters"]["district"] == "75.02" and entry["parameters"]["lang"] == "id"
    nb = Path(__file__).resolve().parents[2] / "notebooks" / "district_report.ipynb"
    assert entry["notebook_sha256"] == _sha(nb)
    assert entry["files"]["coverage.png"] == _sha(run_dir / entry["slug"] / "coverage.png")
    assert run["started_at"] <= run["finished_at"]  # timings; each report's seconds come from its worker
    # all paths relative: the data folder as seen from the run folder, no machine path anywhere
    text = (run_dir / "run.json").read_text() + (run_dir / "data_manifest.json").read_text()
    assert str(tmp_path) not in text and str(demo_dir) not in text
    # sources as a reader cites them: no seed file or project note names (reader 3, finding 5)
    assert not [bad for bad in ("seed 0", "domain.md", "§") if bad in text]
    assert (run_dir / run["data_dirs"][0]).resolve() == demo_dir.resolve()
    # the data manifest against the demo generator's own record of its tables
    manifest = json.loads((run_dir / "data_manifest.json").read_text())
    generator = json.loads((demo_dir / "manifest.json").read_text())
    loaded = ucj.load(demo_dir)
    from ucj.presentation.tables import source_text
    for name, t in generator["tables"].items():
        assert manifest["tables"][name]["sha256"] == t["sha256"] == _sha(demo_dir / t["file"])
        assert manifest["tables"][name]["rows"] == t["rows"]
        # the file's sources, cited in the run's language as the pages cite them (no internal name: reader 3's
        # finding 5); synthetic as the loader labels the table
        held = pd.read_parquet(demo_dir / t["file"])["source"].unique()
        assert manifest["tables"][name]["sources"] == sorted({source_text(str(x), "id") for x in held})
        assert manifest["tables"][name]["synthetic"] is loaded.info[name].synthetic
    assert "ucj demo" in manifest["how_to_get"][0] and str(generator["seed"]) in manifest["how_to_get"][0]


# -- tampered data: refused before any kernel ---------------------------------------------------
def _hand_made_run(run_dir: Path, demo_dir: Path) -> None:
    """A run folder as the batch writes it, with the table hashes the demo generator recorded."""
    generator = json.loads((demo_dir / "manifest.json").read_text())
    tables = {name: {"file": t["file"], "sha256": t["sha256"], "rows": t["rows"], "synthetic": True}
              for name, t in generator["tables"].items()}
    slug = "7502-kabupaten-boalemo"
    (run_dir / slug).mkdir(parents=True)
    (run_dir / slug / "key_figures.json").write_text(json.dumps({"coverage_pct": 1.0}))
    (run_dir / "run.json").write_text(json.dumps({"reports": [
        {"slug": slug, "district": "75.02", "district_name": "Kabupaten Boalemo", "status": "ok",
         "parameters": {"district": "75.02", "lang": "id"}, "tables": tables}]}))
    (run_dir / "data_manifest.json").write_text(json.dumps({"how_to_get": [
        f"synthetic demo data; `ucj demo --out data/demo --seed {generator['seed']}` rebuilds it byte for byte"]}))


def test_a_changed_data_table_stops_before_any_kernel(demo_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    t = pq.read_table(data / "targets.parquet")
    i = t.schema.get_field_index("coverage_target_pct")
    values = t.column(i).to_pylist()
    values[7] += 0.5
    pq.write_table(t.set_column(i, "coverage_target_pct", pa.array(values)), data / "targets.parquet")
    run_dir = tmp_path / "run"
    _hand_made_run(run_dir, demo_dir)

    def no_kernel(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(batch, "run_many", no_kernel)
    monkeypatch.setattr(batch, "render", no_kernel)
    res = CliRunner().invoke(app, ["verify", str(run_dir), "--data-dir", str(data)])
    assert res.exit_code == 2, res.output
    assert "table targets differs" in res.output
    assert "enrolment" not in res.output and "claims" not in res.output  # only the table that differs
    assert "ucj demo" in res.output and "byte for byte" in res.output
    assert not (run_dir / "verify.json").exists()
    # the same data, unchanged, passes the check (and only then would a kernel start)
    res = CliRunner().invoke(app, ["verify", str(run_dir), "--data-dir", str(demo_dir)])
    assert "a kernel was started" in res.output or isinstance(res.exception, AssertionError)


def test_a_missing_table_is_named(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    (data / "poverty.parquet").unlink()
    run_dir = tmp_path / "run"
    _hand_made_run(run_dir, demo_dir)
    res = CliRunner().invoke(app, ["verify", str(run_dir), "--data-dir", str(data)])
    assert res.exit_code == 2 and "table poverty is missing" in res.output


def test_not_a_run(tmp_path):
    res = CliRunner().invoke(app, ["verify", str(tmp_path / "nothing")])
    assert res.exit_code == 2 and "no such run folder or notebook" in res.output
    (tmp_path / "run.json").write_text("{not json")
    res = CliRunner().invoke(app, ["verify", str(tmp_path)])
    assert res.exit_code == 2 and "run.json" in res.output and "Traceback" not in res.output


def test_choosing_reports_by_district_or_sample():
    def rec(slug, code, name):
        return verify.Recorded(slug, code, name, {}, {}, {}, None)

    reports = [rec("7502-kabupaten-boalemo", "75.02", "Kabupaten Boalemo"),
               rec("7201-kabupaten-banggai", "72.01", "Kabupaten Banggai"),
               rec("7102-kabupaten-minahasa", "71.02", "Kabupaten Minahasa")]
    # by name or code, in the run's order
    assert [r.district for r in verify.choose(reports, ["Kab. Boalemo", "72.01"], None)] == ["75.02", "72.01"]
    picked = verify.choose(reports, [], 2)
    assert len(picked) == 2 == len({r.slug for r in picked}) and picked == verify.choose(reports, [], 2)
    assert verify.choose(reports, [], 10) == sorted(reports, key=lambda r: r.slug)
    with pytest.raises(verify.UcjInputError, match="no report for this district"):
        verify.choose(reports, ["Gorontalo Utara"], None)
    with pytest.raises(verify.UcjInputError, match="at least 1"):
        verify.choose(reports, [], 0)


def test_the_stamp_of_when_a_report_was_made_is_not_a_figure(tmp_path):
    """A rerun is made later: its stamp (JSON and the Excel notes row) differs, its figures do not."""
    from openpyxl import Workbook

    from ucj.presentation.i18n import t

    a = {"coverage_pct": 55.5, "provenance": {"stamp": {"generated_at": "2026-01-01T00:00:00+00:00"}}}
    b = {"coverage_pct": 55.5, "provenance": {"stamp": {"generated_at": "2026-02-01T00:00:00+00:00"}}}
    assert verify.compare(a, b)[1] == []
    assert verify.compare(a, b | {"coverage_pct": 55.6})[1] != []
    wb = Workbook()
    wb.active.append([t("generated_at", "id"), "Dibuat 2026-01-01"])
    wb.active.append(["P0", 16.37])
    wb.save(tmp_path / "t.xlsx")
    assert list(verify.read_tables(tmp_path / "t.xlsx").values()) == [[["P0", 16.37]]]
