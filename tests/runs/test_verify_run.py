"""`ucj verify` on real reports (kernels): a run reproduces 100 % of its figures, also when copied
elsewhere or given as a single notebook; a changed key figure is caught and named; a different library
version is a warning, not a failure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ucj.cli import app
from ucj.runs.batch import run_many
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow
SLUG = "7502-kabupaten-boalemo"


@pytest.fixture(scope="module")
def made_run(demo_dir, tmp_path_factory) -> Path:
    """One report (Boalemo) made by the batch, as `ucj reports` makes it."""
    run_dir = tmp_path_factory.mktemp("reports") / "r"
    entries = run_many([validate_params("Boalemo", data_dir=str(demo_dir))], run_dir, workers=1, progress=False,
                       echo=lambda line: None)
    assert entries[0]["status"] == "ok", entries[0]
    return run_dir


def _copy(run_dir: Path, where: Path) -> Path:
    target = where / "elsewhere" / "deeper" / "run-copy"
    shutil.copytree(run_dir, target)
    return target


def _verify(target: Path, *args: str):
    return CliRunner().invoke(app, ["verify", str(target), "--no-progress", "--lang", "en", *args])


def test_a_run_reproduces_every_figure(made_run, demo_dir, monkeypatch):
    import os

    monkeypatch.chdir(os.path.commonpath([made_run, demo_dir]))  # the reviewer's tree holds run and data
    res = _verify(made_run)  # the data folder recorded (relative to the run) is found
    assert res.exit_code == 0, res.output
    v = json.loads((made_run / "verify.json").read_text())
    assert v["all_reproduced"] and v["reproduced"] == v["reports_checked"] == 1
    report = v["reports"][0]
    key = json.loads((made_run / SLUG / "key_figures.json").read_text())
    assert report["figures_compared"] > len(key) + 100  # every key figure, nested, and every table cell
    assert report["differences"] == []
    assert (made_run / "verify.html").read_text().count("reproduced") >= 1
    assert "reproduced: Kabupaten Boalemo" in res.output


def test_a_changed_key_figure_is_named_with_both_values(made_run, demo_dir, tmp_path):
    copy = _copy(made_run, tmp_path)
    path = copy / SLUG / "key_figures.json"
    key = json.loads(path.read_text())
    real = key["coverage_pct"]
    key["coverage_pct"] = round(real + 0.5, 6)
    path.write_text(json.dumps(key))
    res = _verify(copy, "--data-dir", str(demo_dir))
    assert res.exit_code == 1, res.output
    line = next(x for x in res.output.splitlines() if "coverage_pct:" in x)
    assert "Kabupaten Boalemo" in line and repr(key["coverage_pct"]) in line and repr(real) in line
    assert "warning: Kabupaten Boalemo: key_figures.json is not the file the run wrote" in res.output
    v = json.loads((copy / "verify.json").read_text())
    (d,) = v["reports"][0]["differences"]
    assert (d["figure"], d["recorded"], d["new"]) == ("coverage_pct", key["coverage_pct"], real)
    page = (copy / "verify.html").read_text()
    assert "NOT reproduced" in page and "coverage_pct" in page


def test_a_copied_run_still_verifies(made_run, demo_dir, tmp_path):
    copy = _copy(made_run, tmp_path)
    res = _verify(copy, "--data-dir", str(demo_dir))
    assert res.exit_code == 0, res.output
    assert json.loads((copy / "verify.json").read_text())["all_reproduced"]
    assert str(tmp_path) not in (copy / "verify.json").read_text()


def test_another_library_version_warns_but_passes(made_run, demo_dir, tmp_path):
    copy = _copy(made_run, tmp_path)
    run = json.loads((copy / "run.json").read_text())
    installed = run["environment"]["libraries"]["pandas"]
    run["environment"]["libraries"]["pandas"] = "2.0.0"
    (copy / "run.json").write_text(json.dumps(run))
    res = _verify(copy, "--data-dir", str(demo_dir))
    assert res.exit_code == 0, res.output
    assert f"warning: pandas: the run had 2.0.0, this machine has {installed}" in res.output
    v = json.loads((copy / "verify.json").read_text())
    assert v["all_reproduced"] and any(w.startswith("pandas:") for w in v["environment_warnings"])


def test_a_single_notebook_verifies(made_run, demo_dir, tmp_path):
    (tmp_path / "alone").mkdir()
    nb = shutil.copy(made_run / SLUG / "report.ipynb", tmp_path / "alone" / "report.ipynb")
    res = _verify(Path(nb), "--data-dir", str(demo_dir))
    assert res.exit_code == 0, res.output
    v = json.loads((tmp_path / "alone" / "verify.json").read_text())
    assert v["all_reproduced"] and v["reports"][0]["figures_compared"] > 100
