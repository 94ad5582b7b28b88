"""Run folders (issue 24, items 14 and 17): one rule for run names, refused in one line (exit 2) before
anything is written; a full disk at the start of a run is one line and leaves no folder behind; the run
lock names no host. No kernel starts in these tests: every case stops before the first report."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ucj.cli import app

BAD_NAMES = ["a\nb", "<b>x</b>", "x\" onmouseover=\"alert(1)", "r" * 300, "two words", ".hidden", "../up", "a/b", " ",
             "r\t1", "ä&amp;"]
GOOD_NAMES = ["r", "2025-06", "boalemo_2025.v1", "r" * 100, "Laporan-Gorontalo"]


def _reports(demo_dir: Path, out: Path, run: str) -> object:
    return CliRunner().invoke(app, ["reports", "--district", "Boalemo", "--data-dir", str(demo_dir),
                                    "--out", str(out), "--run", run, "--no-progress"])


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_run_name_outside_the_rule_is_refused_in_one_line(demo_dir, tmp_path, name):
    out = tmp_path / "out"
    said = _reports(demo_dir, out, name)
    assert said.exit_code == 2, said.output
    assert len(said.output.splitlines()) == 1, said.output
    problem = said.output.splitlines()[0]
    assert problem.startswith("error: option '--run': a run name is 1 to 100 letters, digits, '-', '_' or '.'"), said.output
    assert "Traceback" not in said.output and not out.exists()


def test_the_run_name_rule_by_hand():
    from ucj.core.errors import UcjInputError
    from ucj.runs.batch import check_run_name

    for name in GOOD_NAMES:
        assert check_run_name(name) == name
    for name in BAD_NAMES + ["", "-r", "r" * 101, "a..b", "é" * 2 + "<", "x\r", "_x"]:
        with pytest.raises(UcjInputError):
            check_run_name(name)


def test_the_lock_records_no_host_name(tmp_path, monkeypatch):
    from ucj.runs.batch import locked

    monkeypatch.setattr(socket, "gethostname", lambda: "ucjhost-zq9x")
    with locked(tmp_path / "r"):
        text = (tmp_path / "r" / ".lock").read_text()
    info = json.loads(text)
    assert "ucjhost-zq9x" not in text and "host" not in info
    assert info["pid"] == os.getpid() and len(info["token"]) == 16 and info["started"]


def test_the_engine_names_a_worker_without_the_host_name():
    """In a fresh process whose host name is distinctive (not by reloading the engine here: a reloaded module's
    functions no longer pickle, and the batch's process pool pickles its initializer)."""
    import subprocess
    import sys

    code = ("import socket; socket.gethostname = lambda: 'ucjhost-zq9x'; import ucj.runs.engine as e; "
            "print(e.WORKER_ID)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert "ucjhost" not in out and len(out) == 8


def _full_disk_for_locks(monkeypatch):
    """os.write fails with ENOSPC for a run's .lock file (the disk holds the new inode, not its content)."""
    real = os.write

    def write(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith("/.lock"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_a_full_disk_at_the_lock_is_one_line_and_leaves_no_folder(demo_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    _full_disk_for_locks(monkeypatch)
    said = _reports(demo_dir, out, "r")
    assert said.exit_code == 2, said.output
    assert f"cannot write {out / 'r'}: no space left on the disk" in said.output and "OSError" not in said.output
    assert list(out.iterdir()) == []  # no empty run folder with a 0-byte .lock


def test_a_full_disk_at_the_first_index_is_one_line_and_no_report_starts(demo_dir, tmp_path, monkeypatch):
    import ucj.core.files as files
    import ucj.runs.batch as batch

    out = tmp_path / "out"
    real = files.atomic_path

    @contextlib.contextmanager
    def atomic_path(target):  # type: ignore[no-untyped-def]
        if Path(target).parent == out / "r":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        with real(target) as tmp:
            yield tmp

    def no_report(*a: object, **k: object) -> None:
        raise AssertionError("a worker was started on a run folder that cannot be written")

    monkeypatch.setattr(files, "atomic_path", atomic_path)
    monkeypatch.setattr(batch, "LocalExecutor", no_report)
    said = _reports(demo_dir, out, "r")
    assert said.exit_code == 2, said.output
    assert f"cannot write {out / 'r'}: no space left on the disk" in said.output and "OSError" not in said.output
    assert not out.exists()  # neither the run folder nor --out, which the command made


def test_an_existing_run_folder_is_kept_when_the_disk_is_full(demo_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / "r").mkdir(parents=True)
    (out / "r" / "notes.txt").write_text("mine")
    _full_disk_for_locks(monkeypatch)
    said = _reports(demo_dir, out, "r")
    assert said.exit_code == 2 and "no space left on the disk" in said.output
    assert (out / "r" / "notes.txt").read_text() == "mine"


def test_templates_out_naming_a_file_is_one_line(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    said = CliRunner().invoke(app, ["templates", "--out", str(target)])
    assert said.exit_code == 2, said.output
    assert said.output.splitlines() == [said.output.strip()]
    assert said.output.startswith("error: option '--out': names a file; it must be a folder (value: '")
    assert target.read_text() == "x"


def test_templates_on_a_full_disk_is_one_line(tmp_path, monkeypatch):
    import ucj.ingest.mapped as mapped

    def full(*a: object, **k: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(mapped, "write_templates", full)
    said = CliRunner().invoke(app, ["templates", "--out", str(tmp_path / "t")])
    assert said.exit_code == 2 and "no space left on the disk" in said.output and "OSError" not in said.output


def _limited(size: int):  # type: ignore[no-untyped-def]
    """A child process that may write files of at most `size` bytes (RLIMIT_FSIZE: a full disk without root)."""
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.slow
def test_a_real_write_limit_on_a_new_run_and_an_import(demo_dir, raw, tmp_path):
    """The real commands in processes that cannot write more than a few bytes per file: each is one line,
    exit 2, and leaves no run folder, no output folder and no staged files behind."""
    import subprocess
    import sys

    from conftest import P0_CSV

    ucj = str(Path(sys.executable).parent / "ucj")
    run = subprocess.run([ucj, "reports", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out",
                          str(tmp_path / "reports"), "--run", "r", "--no-progress"], capture_output=True, text=True,
                         preexec_fn=_limited(10), timeout=300)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines()[-1].endswith(": a file is larger than this system allows (file size limit)")
    assert "Traceback" not in run.stderr and not (tmp_path / "reports").exists()
    imp = subprocess.run([ucj, "import", "bps-table", str(P0_CSV), "--out", str(tmp_path / "processed")],
                         capture_output=True, text=True, preexec_fn=_limited(4096), timeout=300)
    assert imp.returncode == 2, imp.stderr
    assert imp.stderr.splitlines()[-1].endswith("processed: a file is larger than this system allows (file size limit)")
    assert "Traceback" not in imp.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no folder, nothing staged, no lock left
    from conftest import REPO

    index_lock = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--git-path", "index.lock"], capture_output=True,
                                text=True).stdout.strip()
    assert not index_lock or not (REPO / index_lock).exists(), "a limited run left the checkout's git index locked"
