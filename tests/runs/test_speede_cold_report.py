"""A cold `ucj report` runs its notebook's setup cells and its report's cells ahead, while the command
builds its exporter and writes the run's index (issue 23). What it makes is still what plain papermill
makes from the stored notebook; a run it may not write into (held by another batch) refuses in one line
with exit status 2, writes no report and leaves no kernel; a report already up to date is not made again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
from openpyxl import load_workbook

from ucj.core.config import notebook
from ucj.runs.batch import locked

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
SLUG = "7502-kabupaten-boalemo"


def _kernels_left(marker: str) -> list[psutil.Process]:
    """Processes started by the command (its kernel) whose environment carries `marker`, still running."""
    def marked() -> list[psutil.Process]:
        found = []
        for p in psutil.process_iter():
            try:
                if p.environ().get("UCJ_SPEEDE_TEST") == marker and p.status() != psutil.STATUS_ZOMBIE:
                    found.append(p)
            except (psutil.Error, OSError):
                pass
        return found

    left = marked()
    if left:
        time.sleep(0.1)  # one killed just now may still be reaped
        left = marked()
    return left


def _ucj(args: list[str], marker: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ucj"), *args], capture_output=True, text=True,
                          env=os.environ | {"UCJ_SPEEDE_TEST": marker})


def _sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cells but the notes sheet (it carries the time the report was made)."""
    wb = load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets[1:]}


def _outputs(nb_path: Path) -> list[list[str]]:
    """The text and HTML each code cell after the parameters shows (setup cells aside: the engine records
    when they ran), with the lines that carry the time of making removed."""
    nb = json.loads(nb_path.read_text())
    shown = []
    for cell in nb["cells"]:
        tags = cell["metadata"].get("tags", [])
        if cell["cell_type"] != "code" or "setup" in tags or "parameters" in tags or "injected-parameters" in tags:
            continue
        texts = []
        for out in cell.get("outputs", []):
            for key in ("text/plain", "text/html"):
                texts.append("".join(out.get("data", {}).get(key, "")))
            texts.append("".join(out.get("text", "")))
        shown.append(["\n".join(line for line in "".join(texts).splitlines()
                                if "generated" not in line.lower() and "dibuat" not in line.lower())])
    return shown


def test_a_cold_report_equals_plain_papermill(demo_dir, tmp_path):
    marker = uuid.uuid4().hex
    run = _ucj(["report", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"),
                "--run", "r"], marker)
    assert run.returncode == 0, run.stderr
    assert _kernels_left(marker) == []
    made = tmp_path / "out" / "r" / SLUG
    # the report the kernel began ahead is the one written (a report made again would be its second)
    assert json.loads((made / "report.ipynb").read_text())["metadata"]["ucj"]["reports_before_in_this_kernel"] == 0
    plain = tmp_path / "plain"
    plain.mkdir()
    pm = subprocess.run([str(BIN / "papermill"), str(notebook("district_report")), str(plain / "report.ipynb"),
                         "-p", "district", "75.02", "-p", "data_dir", str(demo_dir), "-p", "output_dir", str(plain)],
                        capture_output=True, text=True)
    assert pm.returncode == 0, pm.stderr[-3000:]
    for name in ("coverage.png", "claims.png", "poverty.png"):
        assert (made / name).read_bytes() == (plain / name).read_bytes(), name
    assert _sheets(made / "tables.xlsx") == _sheets(plain / "tables.xlsx")
    ours, theirs = (json.loads((d / "key_figures.json").read_text()) for d in (made, plain))
    ours.pop("provenance"), theirs.pop("provenance")  # when and from which folder: the rest is the same
    assert ours == theirs and ours["district_code"] == "75.02"
    mine, papermills = _outputs(made / "report.ipynb"), _outputs(plain / "report.ipynb")
    assert len(mine) == len(papermills) > 3 and sum(len(x[0]) for x in mine) > 2000  # the page's text is there
    # the data folder is shown relative to each report's own folder; every other output is the same
    differ = [i for i, (a, b) in enumerate(zip(mine, papermills)) if a != b]
    assert len(differ) <= 1, differ


def test_a_report_into_a_held_run_is_refused_and_leaves_no_kernel(demo_dir, tmp_path):
    marker = uuid.uuid4().hex
    run_dir = tmp_path / "out" / "held"
    with locked(run_dir):  # another batch is writing this run
        run = _ucj(["report", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"),
                    "--run", "held"], marker)
        left = _kernels_left(marker)
        inside = sorted(p.name for p in run_dir.iterdir())
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "this run is in progress" in lines[0], run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert left == [], "the kernel (and the report it began ahead) was left running"
    assert inside == [".lock"]  # no report folder, no index: only the other batch's lock


def test_an_up_to_date_report_is_not_made_again(demo_dir, tmp_path):
    args = ["report", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"),
            "--run", "again"]
    first = _ucj(args, uuid.uuid4().hex)
    assert first.returncode == 0, first.stderr
    page = tmp_path / "out" / "again" / SLUG / "report.html"
    before = page.stat().st_mtime_ns, page.read_bytes()
    marker = uuid.uuid4().hex
    second = _ucj(args, marker)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"up to date {page}"
    assert (page.stat().st_mtime_ns, page.read_bytes()) == before  # the report made ahead was dropped
    assert _kernels_left(marker) == []
