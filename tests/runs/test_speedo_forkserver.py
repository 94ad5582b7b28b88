"""A batch's local workers forked from one fork server that has imported the notebook tools once
(ucj.runs.engine.worker_context): where it applies and where workers are spawned as before, and a real
`ucj reports --workers 2` on that path, whose reports equal the spawned path's and plain papermill's (apart
from the time they were made), whose workers die with it and which leaves no process behind."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import plain_papermill_report
from ucj.runs import engine

BIN = Path(sys.executable).parent
THREE = ["Boalemo", "Minahasa", "Muna Barat"]
PNGS = ("coverage.png", "claims.png", "poverty.png")


def _marked(mark: str) -> list[int]:
    """Live processes (not zombies) whose environment carries `mark`: the batch, its server, workers, kernels."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if mark.encode() in Path(f"/proc/{pid}/environ").read_bytes() and \
                    Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z":
                found.append(int(pid))
        except (OSError, IndexError):
            continue
    return found


def _left(mark: str, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cells but the notes sheet (it carries the time the report was made)."""
    wb = load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets[1:]}


def _untimed(page: str) -> str:
    return re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)?", "<time>", page)


# -- where the fork server applies -------------------------------------------------------------
def test_workers_are_forked_from_a_server_on_linux_and_spawned_where_asked_or_unavailable(monkeypatch):
    monkeypatch.delenv(engine.FORKSERVER_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    ctx = engine.worker_context()
    assert ctx.get_start_method() == "forkserver"
    from multiprocessing import forkserver

    assert "ucj.runs.worker_preload" in forkserver._forkserver._preload_modules
    monkeypatch.setenv(engine.FORKSERVER_ENV, "off")
    assert engine.worker_context().get_start_method() == "spawn"
    monkeypatch.delenv(engine.FORKSERVER_ENV)
    monkeypatch.setattr(mp, "get_all_start_methods", lambda: ["spawn"])  # Windows: no fork at all
    assert engine.worker_context().get_start_method() == "spawn"
    monkeypatch.undo()
    monkeypatch.setattr(sys, "platform", "darwin")  # no /proc, no PR_SET_PDEATHSIG: spawned as before
    assert engine.worker_context().get_start_method() == "spawn"


def test_the_server_preloads_the_tools_and_is_stopped_with_its_pool(monkeypatch):
    """A pool on worker_context's server: its worker has the HTML exporter already built (nbconvert imported
    before the worker ran anything), its parent is the server, a child of this process; stop_worker_server
    then ends the server."""
    import concurrent.futures as cf

    monkeypatch.delenv(engine.FORKSERVER_ENV, raising=False)
    ctx = engine.worker_context()
    if ctx.get_start_method() != "forkserver":
        pytest.skip("workers are spawned on this platform")
    from multiprocessing import forkserver

    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        seen = pool.submit(_what_a_worker_has).result(timeout=120)
    server = forkserver._forkserver._forkserver_pid
    assert seen == {"exporter built": True, "parent": server, "grandparent": os.getpid()}
    engine.stop_worker_server()
    assert forkserver._forkserver._forkserver_pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(server, os.WNOHANG)  # reaped: no server left behind


def _what_a_worker_has() -> dict[str, object]:
    parent = os.getppid()
    grandparent = int(Path(f"/proc/{parent}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])
    return {"exporter built": "exporter" in engine._TOOLS, "parent": parent, "grandparent": grandparent}


# -- the real path -----------------------------------------------------------------------------
def _batch(demo_dir: Path, out: Path, run: str, mark: str, forkserver: str) -> tuple[subprocess.CompletedProcess, Path]:
    timeline = out / f"{run}-timeline.jsonl"
    args = [str(BIN / "ucj"), "reports", "--data-dir", str(demo_dir), "--out", str(out), "--run", run,
            "--workers", "2", "--no-progress"]
    for d in THREE:
        args += ["--district", d]
    env = os.environ | {"UCJ_TEST_MARK": mark, "UCJ_TIMELINE": str(timeline), engine.FORKSERVER_ENV: forkserver}
    return subprocess.run(args, capture_output=True, text=True, env=env), timeline


@pytest.fixture(scope="module")
def both_paths(demo_dir, tmp_path_factory):
    """The same three reports by `ucj reports --workers 2` with forked workers, and with spawned ones."""
    out = tmp_path_factory.mktemp("speedo")
    mark = f"ucj-speedo-{uuid.uuid4().hex}"
    forked = _batch(demo_dir, out, "forked", mark, "on")
    left = _left(mark)
    spawned = _batch(demo_dir, out, "spawned", mark + "-spawn", "off")
    return out, forked, spawned, left


@pytest.mark.slow
def test_a_batch_forks_its_workers_from_its_server_and_leaves_nothing_running(both_paths):
    out, (run, timeline), _, left = both_paths
    assert run.returncode == 0, run.stderr[-3000:]
    assert "3 reports: 3 made, 0 skipped (unchanged), 0 failed" in run.stderr
    assert left == []  # server, workers and kernels all gone once the command has ended
    steps = [json.loads(line) for line in timeline.read_text().splitlines()]
    command = next(s["pid"] for s in steps if s["step"] == "cli: parameters checked")
    workers = {s["pid"]: s["ppid"] for s in steps if s["step"] == "worker: started"}
    assert len(workers) == 2
    servers = set(workers.values())
    assert len(servers) == 1 and command not in servers  # forked by one server, not spawned by the command
    # the server is the command's child: it imported ucj.cli as it started (a step of its own, its parent the command)
    assert any(s["pid"] in servers and s["ppid"] == command and s["step"] == "cli: imported" for s in steps)
    kernels = {s["ppid"] for s in steps if s["step"] == "kernel: booted"}
    assert kernels == set(workers)  # each worker's kernel is its own child (it dies with it)
    # run.json names each worker by an id of its own (drawn after the fork) and its process id
    made_by = {e["worker"] for e in json.loads((out / "forked" / "run.json").read_text())["reports"]}
    assert {int(w.split(":")[1]) for w in made_by} <= set(workers)
    assert len({w.split(":")[0] for w in made_by}) == len(made_by)


@pytest.mark.slow
def test_forked_workers_make_the_same_reports_as_spawned_ones_and_as_plain_papermill(both_paths, demo_dir):
    out, (forked, _), (spawned, _), _ = both_paths
    assert forked.returncode == 0, forked.stderr[-3000:]
    assert spawned.returncode == 0, spawned.stderr[-3000:]
    made = json.loads((out / "forked" / "run.json").read_text())["reports"]
    assert [e["status"] for e in made] == ["ok"] * 3
    for e in made:
        a, b = out / "forked" / e["slug"], out / "spawned" / e["slug"]
        for name in PNGS:
            assert (a / name).read_bytes() == (b / name).read_bytes(), (e["slug"], name)
        assert _sheets(a / "tables.xlsx") == _sheets(b / "tables.xlsx"), e["slug"]
        assert _untimed((a / "report.html").read_text()) == _untimed((b / "report.html").read_text()), e["slug"]
    # and against plain papermill, a fresh kernel from the stored notebook, for one of them
    entry = next(e for e in made if e["slug"].endswith("boalemo"))
    code = json.loads((out / "forked" / entry["slug"] / "key_figures.json").read_text())["district_code"]
    plain = plain_papermill_report(code, demo_dir, out / "plain")
    for name in PNGS:
        assert (out / "forked" / entry["slug"] / name).read_bytes() == (plain / name).read_bytes(), name
    assert _sheets(out / "forked" / entry["slug"] / "tables.xlsx") == _sheets(plain / "tables.xlsx")


@pytest.mark.slow
def test_kill_9_of_a_forked_batch_takes_its_server_workers_and_kernels_with_it(demo_dir, tmp_path):
    """The server outlives nothing: once the command is killed its "alive" pipe closes (the workers closed
    their copies), the server ends, and the workers and kernels die with their parents (PR_SET_PDEATHSIG)."""
    mark = f"ucj-speedo-kill-{uuid.uuid4().hex}"
    timeline = tmp_path / "timeline.jsonl"
    args = [str(BIN / "ucj"), "reports", "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "k",
            "--workers", "2", "--no-progress", *[a for d in THREE for a in ("--district", d)]]
    batch = subprocess.Popen(args, env=os.environ | {"UCJ_TEST_MARK": mark, "UCJ_TIMELINE": str(timeline)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and batch.poll() is None:  # until both kernels have booted
        steps = timeline.read_text().splitlines() if timeline.exists() else []
        if sum('"kernel: booted"' in s for s in steps) >= 2:
            break
        time.sleep(0.1)
    assert batch.poll() is None, "the batch ended before its kernels had booted"
    assert len(_marked(mark)) >= 6  # the command, its resource tracker and server, two workers, two kernels
    batch.kill()
    batch.wait()
    assert _left(mark) == []
