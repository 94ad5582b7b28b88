"""`kill -9` of a batch at random points, ten times: no worker or kernel outlives it, nothing half-written
is visible, and rerunning the same command completes the run."""

from __future__ import annotations

import json
import hashlib
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
REPORT_FILES = {"report.ipynb", "report.html", "key_figures.json", "tables.xlsx", "coverage.png", "claims.png",
                "poverty.png"}


def marked(mark: str) -> list[int]:
    """Processes (not zombies) whose environment carries the marker: the batch, its workers and kernels."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if mark.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def no_orphans(mark: str, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def check_whole(run_dir: Path) -> None:
    """Every visible report folder holds all its files; run.json and index.html are complete."""
    if not run_dir.exists():
        return
    for folder in run_dir.iterdir():
        if folder.name.startswith("."):
            continue
        if folder.is_dir():
            assert {f.name for f in folder.iterdir()} == REPORT_FILES, folder
            json.loads((folder / "key_figures.json").read_text())
            json.loads((folder / "report.ipynb").read_text())
    if (run_dir / "run.json").exists():
        json.loads((run_dir / "run.json").read_text())
    if (run_dir / "index.html").exists():
        assert (run_dir / "index.html").read_text().rstrip().endswith("</html>")


def test_kill_9_at_random_points_leaves_no_orphans_and_a_rerun_completes(demo_dir, tmp_path):
    mark = f"ucj-crash-test-{uuid.uuid4().hex}"
    env = os.environ | {"UCJ_TEST_MARK": mark}
    run_dir = tmp_path / "k"
    args = [str(BIN / "ucj"), "reports", "--district", "Boalemo", "--district", "Banggai", "--district", "Minahasa",
            "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "k", "--workers", "2", "--no-progress"]
    started = time.monotonic()
    first = subprocess.run(args, env=env, capture_output=True, text=True)
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stderr[-3000:]
    assert no_orphans(mark) == []
    rng = random.Random(20261122)
    for i in range(10):
        batch = subprocess.Popen(args + ["--force"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, min(duration, 12.0)))
        batch.kill()  # SIGKILL: nothing in the batch gets to clean up
        batch.wait()
        assert no_orphans(mark) == [], f"kill {i + 1}: processes outlived the batch"
        check_whole(run_dir)
    final = subprocess.run(args, env=env, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr[-3000:]
    assert no_orphans(mark) == []
    check_whole(run_dir)
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith((".tmp-", ".old-")) or p.name.endswith(".tmp")]
    reports = json.loads((run_dir / "run.json").read_text())["reports"]
    assert [e["status"] for e in reports] == ["ok"] * 3
    for e in reports:
        for name, digest in e["files"].items():
            assert hashlib.sha256((run_dir / e["slug"] / name).read_bytes()).hexdigest() == digest


def _kernel_parents(timeline: Path) -> set[int]:
    """The processes whose child runs a kernel (its boot line marks the timeline with its parent's pid): the workers.
    Workers are the batch's own children when spawned, its fork server's when forked (engine.worker_context); their
    kernels are launched (a command line of their own) or forked from them (the worker's: ucj.runs.kernel_fork)."""
    try:
        steps = [json.loads(line) for line in timeline.read_text().splitlines()]
    except (OSError, ValueError):
        return set()
    return {s["ppid"] for s in steps if s.get("step") == "kernel: booted"}


def test_a_local_worker_killed_mid_batch_does_not_stop_it(demo_dir, tmp_path):
    """kill -9 of one worker process: its report goes to a new worker, and the batch completes."""
    import psutil

    mark = f"ucj-worker-kill-{uuid.uuid4().hex}"
    run_dir = tmp_path / "w"
    args = [str(BIN / "ucj"), "reports", "--district", "Boalemo", "--district", "Banggai", "--district", "Minahasa",
            "--district", "Muna Barat", "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "w",
            "--workers", "2", "--no-progress"]
    timeline = tmp_path / "timeline.jsonl"
    batch = subprocess.Popen(args, env=os.environ | {"UCJ_TEST_MARK": mark, "UCJ_TIMELINE": str(timeline)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 300
    while killed is None and time.monotonic() < deadline and batch.poll() is None:
        try:
            done = json.loads((run_dir / "run.json").read_text())["reports"]
        except (OSError, ValueError, KeyError):
            done = []
        if done:
            parents = _kernel_parents(timeline)
            workers = [c for c in psutil.Process(batch.pid).children(recursive=True) if c.pid in parents]
            if workers:
                killed = workers[0].pid
                workers[0].kill()
        time.sleep(0.2)
    out, err = batch.communicate(timeout=600)
    assert killed is not None, "the batch ended before a worker could be killed"
    assert batch.returncode == 0, err[-3000:]
    reports = json.loads((run_dir / "run.json").read_text())["reports"]
    assert [e["status"] for e in reports] == ["ok"] * 4
    check_whole(run_dir)
    assert no_orphans(mark) == []
