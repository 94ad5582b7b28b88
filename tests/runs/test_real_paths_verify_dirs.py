"""Issue 24 item 7 (last case): verify never reads data from folders a received run.json names when they
are absolute or outside the reviewer's current folder (`/etc`, `../../..`); the reviewer names the data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from test_batch import DISTRICTS, FakeRender  # noqa: F401  (the stand-in worker of the batch tests)
from ucj.cli import app
from ucj.runs import batch
from ucj.runs.params import validate_params


@pytest.fixture
def fake_run(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "render", FakeRender())
    run = tmp_path / "tree" / "reports" / "r"
    batch.run_many([validate_params(DISTRICTS[0], data_dir=str(demo_dir))], run, workers=1, progress=False,
                   echo=lambda line: None)
    return run


@pytest.mark.parametrize("named", ["/etc", "../../../../../../../../etc", "../../..", "..\\..\\etc"])
def test_verify_refuses_data_folders_run_json_names_outside_the_tree(fake_run, monkeypatch, named):
    doc = json.loads((fake_run / "run.json").read_text())
    doc["data_dirs"] = [named]
    (fake_run / "run.json").write_text(json.dumps(doc))
    monkeypatch.chdir(fake_run.parent.parent)  # the reviewer works in the tree that holds the run
    read: list[str] = []
    real = batch.sha256_file
    import ucj.runs.verify as verify

    monkeypatch.setattr(verify, "sha256_file", lambda p: read.append(str(p)) or real(p))
    res = CliRunner().invoke(app, ["verify", str(fake_run), "--no-progress"])
    assert res.exit_code == 2, res.output
    assert "absolute or outside the current folder" in res.output and repr(named) in res.output
    assert "--data-dir" in res.output and "Traceback" not in res.output
    assert not [p for p in read if "etc" in p or not p.startswith(str(fake_run.parent.parent))]


def test_verify_still_reads_a_relative_data_folder_inside_the_tree(fake_run, demo_dir, monkeypatch, tmp_path):
    """The run's own relative folder, inside the reviewer's tree, is still found (no --data-dir needed)."""
    import shutil

    data = tmp_path / "tree" / "data"
    shutil.copytree(demo_dir, data)
    doc = json.loads((fake_run / "run.json").read_text())
    doc["data_dirs"] = ["../../data"]
    (fake_run / "run.json").write_text(json.dumps(doc))
    monkeypatch.chdir(tmp_path / "tree")
    res = CliRunner().invoke(app, ["verify", str(fake_run), "--no-progress"])
    assert "absolute or outside" not in res.output, res.output
    assert "the data is not the data the run read" not in res.output, res.output  # found and matched
