"""The Dask path as a user takes it: a scheduler and two workers started as separate processes with the
`dask` command on loopback, then `ucj reports --scheduler tcp://127.0.0.1:PORT`. Every report is made,
a worker killed mid-batch is survived, and an unreachable scheduler is one line before anything runs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
DISTRICTS = ["Boalemo", "Banggai", "Minahasa", "Muna Barat"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def dask_processes(tmp_path):
    """`dask scheduler` and two `dask worker` processes (one thread each), stopped afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler", "w"),
                              start_new_session=True)]
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        for i in range(2):
            procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--memory-limit", "2GB", "--name", f"w{i}"],
                                          stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{i}", "w"),
                                          start_new_session=True))
        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=120)
            pids = c.run(os.getpid)
        yield address, pids
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def test_reports_on_a_scheduler_started_with_the_dask_command(dask_processes, demo_dir, tmp_path):
    address, pids = dask_processes
    run_dir = tmp_path / "reports" / "on-dask"
    victim = sorted(pids.values())[0]
    killed = threading.Event()

    def kill_one_worker_after_the_first_report() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if json.loads((run_dir / "run.json").read_text())["reports"]:
                    os.kill(victim, signal.SIGKILL)
                    killed.set()
                    return
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.2)

    threading.Thread(target=kill_one_worker_after_the_first_report, daemon=True).start()
    args = [str(BIN / "ucj"), "reports", *sum((["--district", d] for d in DISTRICTS), []), "--data-dir",
            str(demo_dir), "--scheduler", address, "--out", str(tmp_path / "reports"), "--run", "on-dask"]
    run = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"{len(DISTRICTS)} reports: {len(DISTRICTS)} made" in run.stderr + run.stdout
    assert killed.is_set(), "the batch ended before a worker could be killed"
    reports = json.loads((run_dir / "run.json").read_text())["reports"]
    assert sorted(e["status"] for e in reports) == ["ok"] * len(DISTRICTS)
    for e in reports:
        assert (run_dir / e["slug"] / "report.html").is_file()


def test_an_unreachable_scheduler_is_one_line_before_anything_runs(demo_dir, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    run = subprocess.run([str(BIN / "ucj"), "reports", "--district", "Boalemo", "--data-dir", str(demo_dir),
                          "--scheduler", address, "--out", str(tmp_path / "r"), "--run", "x"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "cannot reach the Dask scheduler" in run.stderr and address in run.stderr
    assert "reports:" not in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "r" / "x" / "run.json").exists()
