"""A district made third by one warm worker (after two others: the tick-label cache and the kept Agg
renderer have served them) has the same chart PNGs, byte for byte, and the same Excel
tables, cell for cell, as plain papermill makes from the stored notebook in a fresh kernel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import plain_papermill_report

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cells but the notes sheet (it carries the time the report was made)."""
    wb = load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets[1:]}


def test_third_report_of_a_warm_worker_equals_plain_papermill(demo_dir, tmp_path):
    out = tmp_path / "batch"
    # one worker, so one kernel makes the three reports one after the other
    run = subprocess.run([str(BIN / "ucj"), "reports", "--data-dir", str(demo_dir), "--out", str(out), "--run", "c",
                          "--workers", "1", "--district", "Minahasa", "--district", "Muna Barat", "--district", "Boalemo"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    entries = json.loads((out / "c" / "run.json").read_text())["reports"]
    assert len({e["worker"] for e in entries}) == 1 and all(e["status"] == "ok" for e in entries)
    third = next(e for e in entries if e["kernel_report"] == 3)
    made = out / "c" / third["html"].split("/")[0]
    code = json.loads((made / "key_figures.json").read_text())["district_code"]

    plain = plain_papermill_report(code, demo_dir, tmp_path / "plain")
    for name in ("coverage.png", "claims.png", "poverty.png"):
        assert (made / name).read_bytes() == (plain / name).read_bytes(), name
    assert _sheets(made / "tables.xlsx") == _sheets(plain / "tables.xlsx")
