"""A cold report's start and end (issue 23, docs/speedi.md): `ucj report --district` launches its kernel before
it imports anything else, and a kernel it never adopts is stopped and reaped when it exits; a kernel imports
what a first report's cells would import (KERNEL_WARM_IMPORTS) in a thread of its own, leaving nothing in the
notebook's namespace; a batch writes its index and summary once after its last report."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from ucj.runs import engine

BIN = Path(sys.executable).parent


def test_warm_in_kernel_imports_in_a_thread_and_passes_over_a_missing_module():
    sys.modules.pop("pyclbr", None)
    thread = engine.warm_in_kernel(("ucj_speedi_no_such_module", "pyclbr"))
    assert thread.daemon and thread.name == "ucj-kernel-warm"
    thread.join(30)
    assert not thread.is_alive()
    assert "pyclbr" in sys.modules  # imported after the module that does not exist


def _user_names_and_warm_modules(arguments: list[str]) -> dict:
    async def go() -> dict:
        from jupyter_client.manager import AsyncKernelManager

        km = AsyncKernelManager(kernel_name=engine.KERNEL)
        await km.start_kernel(extra_arguments=arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        said: list[str] = []
        try:
            await kc.wait_for_ready(timeout=120)
            code = ("import json as _j, sys as _s, threading as _t\n"
                    "[_x.join(60) for _x in _t.enumerate() if _x.name == 'ucj-kernel-warm']\n"
                    "print(_j.dumps({'names': sorted(n for n in globals() if not n.startswith('_')),"
                    f" 'warm': [m for m in {engine.KERNEL_WARM_IMPORTS!r} if m in _s.modules]}}))")
            reply = await kc.execute_interactive(code, timeout=120, store_history=False,
                                                 output_hook=lambda msg: said.append(msg["content"].get("text", "")))
            assert reply["content"]["status"] == "ok", reply["content"]
            return json.loads("".join(said))
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    return asyncio.run(go())


@pytest.mark.slow
def test_a_kernel_imports_its_first_reports_modules_at_boot_and_leaves_no_name():
    seen = _user_names_and_warm_modules(engine.KERNEL_LAUNCH_ARGS)
    plain = _user_names_and_warm_modules(engine.KERNEL_ARGS)  # the same kernel without ucj's boot lines
    assert seen["warm"] == list(engine.KERNEL_WARM_IMPORTS)
    assert plain["warm"] == []  # nothing else imports them: the boot's thread did
    # against the namespace of a kernel booted without those lines: only the packages the boot's import line
    # names (`import ucj.presentation.district, ucj.runs.params, scipy.special`), nothing of the warm-up
    assert "In" in plain["names"] and set(seen["names"]) - set(plain["names"]) == {"ucj", "scipy"}


@pytest.mark.slow
def test_an_early_kernel_never_taken_is_killed_reaped_and_its_folder_removed(tmp_path):
    code = ("import json\nfrom ucj.runs import kernel_launch as k\n"
            "print(json.dumps(k.launch_early() and [k._EARLY[0][1].pid, str(k._EARLY[0][3])]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=os.environ | {"TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    launched = json.loads(done.stdout)
    if not launched:
        pytest.skip("this Python has no kernel spec of its own in its prefix (the regular start runs)")
    pid, folder = launched
    assert Path(folder).parent == tmp_path
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() != psutil.STATUS_ZOMBIE and \
        "ipykernel_launcher" not in " ".join(psutil.Process(pid).cmdline())
    assert not Path(folder).exists()


@pytest.mark.slow
def test_take_early_hands_over_the_kernel_of_that_name_only(tmp_path, monkeypatch):
    from ucj.runs import kernel_launch

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(kernel_launch.tempfile, "tempdir", None)  # TMPDIR read again
    try:
        if not kernel_launch.launch_early():
            pytest.skip("this Python has no kernel spec of its own in its prefix (the regular start runs)")
        process = kernel_launch._EARLY[0][1]  # noqa: SLF001
        assert kernel_launch.take_early("another-kernel") is None  # not that kernel's: stopped
        assert process.poll() is not None and not kernel_launch._EARLY  # noqa: SLF001
        assert list(tmp_path.iterdir()) == []
        assert kernel_launch.launch_early()
        taken = kernel_launch.take_early(engine.KERNEL)
        assert taken is not None and taken[0].poll() is None and taken[2].parent == tmp_path
        assert kernel_launch.take_early(engine.KERNEL) is None  # handed over once
        kernel_launch._stop(taken[0], taken[2])  # noqa: SLF001
    finally:
        kernel_launch._drop_early()  # noqa: SLF001
        monkeypatch.undo()
        kernel_launch.tempfile.tempdir = None


def _kernels_under(folder: Path) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if str(folder) in " ".join(p.cmdline()) and "ipykernel_launcher" in " ".join(p.cmdline()):
                found.append(p)
        except (psutil.Error, OSError):
            pass
    return found


@pytest.mark.slow
@pytest.mark.parametrize("extra", [["--boundaries", "x.json"], ["--bogus-option"]])
def test_a_refused_report_stops_the_kernel_it_launched_first(demo_dir, tmp_path, extra):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    timeline = tmp_path / "steps.jsonl"
    started = time.time()
    done = subprocess.run([str(BIN / "ucj"), "report", "--district", "Boalemo", *extra, "--data-dir", str(demo_dir),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300,
                          env=os.environ | {"TMPDIR": str(tmp), "UCJ_TIMELINE": str(timeline)})
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    steps = [json.loads(line)["step"] for line in timeline.read_text().splitlines()]
    assert steps[0] == "kernel: process launched", steps  # launched before the command imported anything else
    assert _kernels_under(tmp) == []  # checked at once: none left running or as a zombie
    assert [p.name for p in tmp.iterdir() if p.name.startswith("ucj-kernel-")] == []
    assert time.time() - started < 120


@pytest.mark.slow
def test_a_runs_index_and_summary_are_written_once_after_its_last_report(demo_dir, tmp_path, monkeypatch):
    from ucj.runs import batch, index_page
    from ucj.runs.params import validate_params

    written: list[list[str]] = []
    real = index_page.write_summary

    def counted(run_dir, entries, lang=None):  # type: ignore[no-untyped-def]
        written.append([str(e.get("district")) for e in entries])
        return real(run_dir, entries, lang)

    monkeypatch.setattr(index_page, "write_summary", counted)
    params = validate_params("Boalemo", data_dir=str(demo_dir))
    entries = batch.run_many([params], tmp_path / "run", workers=1, progress=False, echo=lambda line: None)
    assert entries[0]["status"] == "ok", entries[0]
    assert written == [["75.02"]]  # once, with the report (it was written twice: in the loop, then at the end)
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert [r["district"] for r in run["reports"]] == ["75.02"] and run["finished_at"]
    summary = (tmp_path / "run" / "summary.csv").read_text().splitlines()
    assert len(summary) == 2 and "75.02" in summary[1]


def test_data_months_reads_a_file_again_once_it_changes(demo_dir, tmp_path):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ucj.runs.params import data_months

    folder = tmp_path / "data"
    folder.mkdir()
    months = pq.read_table(demo_dir / "enrolment.parquet", columns=["month"]).column("month").to_pandas()
    pq.write_table(pa.table({"month": months}), folder / "enrolment.parquet")
    assert data_months((str(folder),)) == (pd.Timestamp(months.min()), pd.Timestamp(months.max()))
    assert data_months((str(folder),)) == (pd.Timestamp(months.min()), pd.Timestamp(months.max()))  # kept
    shorter = months[months < months.max()]  # the last month dropped: a different file, a different span
    pq.write_table(pa.table({"month": shorter}), folder / "enrolment.parquet")
    assert data_months((str(folder),)) == (pd.Timestamp(months.min()), pd.Timestamp(shorter.max()))
    assert shorter.max() < months.max()


def _processes_with(marker: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("UCJ_SPEEDI_TEST") == marker:
                found.append(p)
        except (psutil.Error, OSError):
            pass
    return found


@pytest.mark.slow
@pytest.mark.parametrize("forkserver", ["on", "off"])
def test_a_batchs_workers_start_before_its_parameters_are_checked(demo_dir, tmp_path, forkserver):
    """The workers are asked for before the parameters are checked. Spawned (UCJ_FORKSERVER=off), they start at
    once; forked, they start when the fork server has imported its tools, while the command checks its parameters
    meanwhile (engine.start_local_workers asks from a thread: tests/runs/test_lead29_start_workers.py)."""
    timeline = tmp_path / "steps.jsonl"
    done = subprocess.run([str(BIN / "ucj"), "reports", "--district", "Boalemo", "--district", "11.01", "--workers", "2",
                           "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"), "--run", "r", "--no-progress"],
                          capture_output=True, text=True, timeout=600,
                          env=os.environ | {"UCJ_TIMELINE": str(timeline), "UCJ_FORKSERVER": forkserver})
    assert done.returncode == 0, done.stderr
    marks = [json.loads(line) for line in timeline.read_text().splitlines()]
    checked = next(m["t"] for m in marks if m["step"] == "cli: parameters checked")
    asked = next(m["t"] for m in marks if m["step"] == "batch: workers asked for")
    workers = {m["pid"]: m["t"] for m in marks if m["step"] == "worker: started"}
    assert len(workers) == 2 and asked < checked, (workers, asked, checked)
    if forkserver == "off":
        assert all(t < checked for t in workers.values()), (workers, checked)
    run = json.loads((tmp_path / "out" / "r" / "run.json").read_text())
    assert sorted(r["district"] for r in run["reports"] if r["status"] == "ok") == ["11.01", "75.02"]
    made_by = {int(str(r["worker"]).split(":")[1]) for r in run["reports"]}
    assert made_by <= set(workers)  # the reports were made by the workers started first


@pytest.mark.slow
def test_a_refused_batch_stops_the_workers_it_started(demo_dir, tmp_path):
    marker = uuid.uuid4().hex
    done = subprocess.run([str(BIN / "ucj"), "reports", "--district", "Boalemo", "--district", "Nowhere at all",
                           "--workers", "2", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300,
                          env=os.environ | {"UCJ_SPEEDI_TEST": marker, "UCJ_TIMELINE": str(tmp_path / "steps.jsonl")})
    assert done.returncode == 2, done.stderr
    assert "Nowhere at all" in done.stderr and "Traceback" not in done.stderr
    steps = [json.loads(line)["step"] for line in (tmp_path / "steps.jsonl").read_text().splitlines()]
    assert "worker: started" in steps  # workers had started: the check below proves something
    assert _processes_with(marker) == []  # no worker and no kernel left, at once
