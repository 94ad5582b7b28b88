"""A batch's start and end (issue 23, prefork): Ctrl-C while the fork server imports prints no traceback and
leaves the server running; a kernel that died is said at once by the worker's housekeeping calls, where they waited
up to CELL_TIMEOUT_S; a worker that ends kills its kernel instead of waiting for ipykernel's own shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ucj.runs import engine

pytestmark = pytest.mark.slow  # a fork server's imports, kernels


def _steps(timeline: Path) -> list[str]:
    if not timeline.exists():
        return []
    return [json.loads(line)["step"] for line in timeline.read_text().splitlines() if line.strip()]


def test_ctrl_c_while_the_server_imports_prints_no_traceback(tmp_path):
    timeline = tmp_path / "timeline.jsonl"
    code = ("import signal, ucj.runs.worker_preload, ucj.cli\n"  # as the server imports them (worker_context)
            "print('preloaded', signal.getsignal(signal.SIGINT) is signal.SIG_IGN)\n")
    env = dict(os.environ, UCJ_TIMELINE=str(timeline))
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while "server: preload started" not in _steps(timeline) and proc.poll() is None:
            assert time.monotonic() < deadline, "the preload never started"
            time.sleep(0.01)
        sent = 0
        while proc.poll() is None:  # Ctrl-C, again and again, until its imports are done
            proc.send_signal(signal.SIGINT)
            sent += 1
            time.sleep(0.02)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert sent >= 10, "the preload ended before the test could press Ctrl-C: nothing was checked"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]
    assert proc.returncode == 0
    # still ignored (the fork server's workers start so, and ignore it at once anyway: init_local_worker)
    assert out.split() == ["preloaded", "True"]
    assert "server: kernel's modules imported" in _steps(timeline)


def test_a_kernel_that_died_is_said_at_once_by_a_housekeeping_call(monkeypatch):
    monkeypatch.setattr(engine, "CELL_TIMEOUT_S", 40)  # without the liveness check the call below waits this long
    try:
        engine.prestart(launched=True)  # this thread's kernel, as a worker starts it
        kernel = engine._LOCAL.kernel
        kernel._started.result(timeout=120)  # noqa: SLF001 - booted, answering
        kernel._call(kernel._hidden("_prefork_probe = 1"))  # noqa: SLF001 - a live kernel answers
        os.kill(kernel.pid, signal.SIGKILL)  # dies between two reports
        outcome: list[BaseException | None] = []

        def call() -> None:
            try:
                kernel._call(kernel._hidden("_prefork_probe = 2"))  # noqa: SLF001 - the reset after a report
                outcome.append(None)
            except BaseException as err:  # noqa: BLE001 - what the worker sees
                outcome.append(err)

        started = time.monotonic()
        waiter = threading.Thread(target=call, daemon=True)
        waiter.start()
        waiter.join(30)
        took = time.monotonic() - started
        assert outcome, "the housekeeping call still waits for a dead kernel after 30 s"
        assert isinstance(outcome[0], RuntimeError) and "kernel died" in str(outcome[0]), outcome
        assert took < 5, took  # checked every HIDDEN_ALIVE_EVERY_S
        assert not kernel.alive()
    finally:
        engine.close_kernels()


def test_a_worker_that_ends_kills_its_kernel_at_once():
    try:
        engine.prestart(launched=True)
        kernel = engine._LOCAL.kernel
        kernel._started.result(timeout=120)  # noqa: SLF001
        process = kernel.km.provisioner.process
        started = time.monotonic()
        engine.stop_kernels()  # what a batch's worker runs as it ends (init_local_worker's finaliser)
        took = time.monotonic() - started
    finally:
        engine.close_kernels()
    # killed (SIGKILL's status), not shut down by message (ipykernel's shutdown ends with status 0)
    assert process.returncode == -signal.SIGKILL, process.returncode
    assert kernel.closed and not kernel.scratch.exists()
    assert took < 2, took
