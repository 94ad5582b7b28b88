"""A cold `ucj report` (issue 23): its kernel launches before the parameters are checked, so a refused
parameter must still be one line, exit status 2, no traceback or kernel noise, nothing written, and no
kernel left running (and a refused batch leaves no worker or kernel); a report it makes ends with its
kernel stopped. The timeline (UCJ_TIMELINE) the
benchmark reads names steps only."""

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

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _marked(marker: str) -> list[psutil.Process]:
    """Processes (the CLI's kernels) whose environment carries `marker`."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("UCJ_SPEEDC_TEST") == marker and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except (psutil.Error, OSError):
            pass
    return found


def _left(marker: str) -> list[psutil.Process]:
    """The CLI's kernels still there as it exits (checked at once: a kernel left behind would also die
    of ipykernel's parent poller a second or so later, which is not what is tested)."""
    left = _marked(marker)
    if left:
        time.sleep(0.1)  # a kernel killed just now may still be reaped
        left = _marked(marker)
    return left


@pytest.mark.parametrize("args, message", [
    (["report", "--district", "Boalemmo"], "closest: Kabupaten Boalemo"),
    (["report", "--district", "Boalemo", "--last-period", "2031-01"], "period outside the data"),
    # a batch refuses its districts before its workers start
    (["reports", "--district", "Boalemo", "--district", "Boalemmo", "--workers", "2"], "closest: Kabupaten Boalemo"),
    (["reports", "--province", "Atlantis", "--workers", "2"], "unknown province"),
])
def test_a_refused_report_stops_its_kernel_quietly(demo_dir, tmp_path, args, message):
    marker = uuid.uuid4().hex
    run = subprocess.run([str(BIN / "ucj"), *args, "--data-dir", str(demo_dir), "--out", str(tmp_path)],
                         capture_output=True, text=True, env=os.environ | {"UCJ_SPEEDC_TEST": marker})
    assert run.returncode == 2, run.stderr
    assert message in run.stderr
    for noise in ("Traceback", "Event loop is closed", "KeyboardInterrupt", "Exception"):
        assert noise not in run.stderr, run.stderr
    assert run.stdout == "" and not any(tmp_path.iterdir())
    assert _left(marker) == [], "a kernel or worker was left running"


def test_a_cold_report_writes_its_page_and_leaves_no_kernel(demo_dir, tmp_path):
    marker = uuid.uuid4().hex
    timeline = tmp_path / "timeline.jsonl"
    run = subprocess.run([str(BIN / "ucj"), "report", "--district", "Boalemo", "--data-dir", str(demo_dir),
                          "--out", str(tmp_path / "out"), "--run", "r"], capture_output=True, text=True,
                         env=os.environ | {"UCJ_SPEEDC_TEST": marker, "UCJ_TIMELINE": str(timeline)})
    assert run.returncode == 0, run.stderr
    page = tmp_path / "out" / "r" / "7502-kabupaten-boalemo" / "report.html"
    assert run.stdout.strip() == f"wrote {page}" and page.stat().st_size > 0
    assert run.stderr == ""
    assert _left(marker) == [], "a kernel was left running"
    steps = [json.loads(line) for line in timeline.read_text().splitlines()]
    names = [s["step"] for s in steps]
    # the kernel's process exists before the parameters are checked, and stops after the report's cells ran
    assert names.index("kernel: process launched") < names.index("cli: parameters checked")
    assert names.index("report: cells run") < names.index("cli: kernel stopped")
    assert {"kernel: data loaded", "report: exported", "report: files written"} <= set(names)
    # process ids, step names, times and each process's CPU seconds so far only
    assert all(set(s) == {"t", "cpu", "pid", "ppid", "step"} for s in steps)
    # the CPU seconds a process has used only grow (each line is its own process's count, not a copy of another's)
    by_pid: dict[int, list[float]] = {}
    for s in steps:
        by_pid.setdefault(s["pid"], []).append(s["cpu"])
    assert all(c == sorted(c) and c[0] >= 0 for c in by_pid.values())
    assert str(tmp_path) not in timeline.read_text() and str(demo_dir) not in timeline.read_text()
