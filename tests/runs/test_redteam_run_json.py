"""A damaged run.json is one line naming run.json and the key, exit 2 (red team: `{"reports": 5}` gave
`error: TypeError` with exit 1, and a slug of '../../../tmp/x' read key figures outside the run)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ucj.cli import app


@pytest.mark.parametrize("record, rule", [
    ({"reports": 5}, "'reports' must be a list of entries (found int)"),
    ({"reports": [], "overviews": 3}, "'overviews' must be a list of entries (found int)"),
    ({"reports": [7]}, "'reports' entry 1 must be an object (found int)"),
    ({"reports": [{"status": "ok"}]}, "'reports' entry 1: 'slug' must name a folder inside the run"),
    ({"reports": [{"status": "ok", "slug": "../../../tmp/x"}]}, "'slug' must name a folder inside the run"),
    ({"reports": [{"status": "ok", "slug": "7502-kabupaten-boalemo", "parameters": 5}]},
     "'reports' entry 1: 'parameters' must be an object"),
    ([1, 2], "the run record (run.json) is not a JSON object"),
])
def test_a_damaged_run_json_is_one_line(tmp_path, record, rule):
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps(record), encoding="utf-8")
    said = CliRunner().invoke(app, ["verify", str(run), "--data-dir", str(tmp_path), "--no-progress"])
    assert said.exit_code == 2, said.output
    assert rule in said.output and "run.json" in said.output
    assert "Traceback" not in said.output and "TypeError" not in said.output and "KeyError" not in said.output
