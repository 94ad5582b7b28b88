"""The `.NAME.lock` file beside --out lives only while a run holds it: gone after a normal end and after an
error, and a lock left by a killed run (kill -9) never blocks the next one, which removes it. The input is the
real BPS P0 table (../shared/data/raw/bps_visdati), imported with the `ucj` command in its own process."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import P0_CSV

UCJ = str(Path(sys.executable).parent / "ucj")


def _import(out: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, "import", "bps-table", str(P0_CSV), "--out", str(out)], capture_output=True,
                          text=True, timeout=300, **kw)  # type: ignore[call-overload]


def _dot_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_no_lock_stays_after_an_import_that_ends_well(raw, tmp_path):
    out = tmp_path / "processed"
    run = _import(out)
    assert run.returncode == 0, run.stderr
    assert (out / "poverty.parquet").is_file()
    assert _dot_files(tmp_path) == []


def test_no_lock_stays_after_an_import_that_fails_writing(raw, tmp_path):
    """A file-size limit of 4 kB (a full disk, without root): the import fails in one line, exit 2, inside
    the folder's transaction, and leaves neither the lock nor a staged folder."""
    out = tmp_path / "processed"
    run = _import(out, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)))
    assert run.returncode == 2, run.stderr
    assert "file size limit" in run.stderr and "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


HOLD = textwrap.dedent("""
    import sys, time
    from ucj.core.files import folder_lock
    with folder_lock(sys.argv[1]):
        print("held", flush=True)
        time.sleep(600)
""")


def test_a_lock_left_by_a_killed_import_does_not_block_and_is_removed(raw, tmp_path):
    out = tmp_path / "processed"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert _dot_files(tmp_path) == [".processed.lock"]
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # no cleanup can run: the file stays, its flock dies
        holder.wait()
    assert _dot_files(tmp_path) == [".processed.lock"]
    started = time.monotonic()
    run = _import(out)
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started < 120  # not blocked waiting for the dead holder
    assert _dot_files(tmp_path) == []


def test_a_second_writer_waits_for_the_first_then_both_locks_are_gone(tmp_path):
    """Two holders one after the other on the same folder: the second waits while the first holds the lock
    (the removal of the file never lets two hold it at once), and no file stays after both."""
    from ucj.core.files import folder_lock

    folder = tmp_path / "data"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waiter = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
            import sys
            from ucj.core.files import folder_lock
            with folder_lock(sys.argv[1]):
                print("got it", flush=True)
        """), str(folder)], stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        assert waiter.poll() is None  # still waiting: the first holds the lock
    finally:
        os.kill(holder.pid, signal.SIGTERM)
        holder.wait()
    out, _ = waiter.communicate(timeout=60)
    assert waiter.returncode == 0 and out.strip() == "got it"
    with folder_lock(folder, shared=True):
        assert _dot_files(tmp_path) == [".data.lock"]
    assert _dot_files(tmp_path) == []
