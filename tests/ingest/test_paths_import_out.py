"""An import changes only the files it owns in --out (issue 24, item 6), and says in one line when the disk
is full or the folder's manifest is corrupt (item 14). The input is the real BPS P0 table
(../shared/data/raw/bps_visdati)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ucj
from conftest import P0_CSV
from ucj.cli import app

pytestmark = pytest.mark.slow  # seconds a test: make test only

OWNED = {"poverty.parquet", "poverty.csv", "poverty.cells.parquet", "manifest.json"}


def _import(out: Path | str) -> object:
    return CliRunner().invoke(app, ["import", "bps-table", str(P0_CSV), "--out", str(out)])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_a_file_written_into_out_during_an_import_survives(raw, tmp_path, monkeypatch):
    """A log appended to while the import runs keeps every line; a file the import does not own keeps
    its inode (the folder is not swapped) and the import's own files are the ones it wrote."""
    import ucj.ingest.common as common

    out = tmp_path / "out"
    out.mkdir()
    log = out / "session.log"
    log.write_text("line 1\n")
    other = out / "notes.txt"
    other.write_text("mine\n")
    inode = other.stat().st_ino
    real = common._write_into

    def meanwhile(*args: object, **kw: object) -> None:
        with log.open("a") as fh:  # another program writes into the folder while the import runs
            fh.write("line 2\n")
        real(*args, **kw)

    monkeypatch.setattr(common, "_write_into", meanwhile)
    run = _import(out)
    assert run.exit_code == 0, run.output
    assert log.read_text() == "line 1\nline 2\n"
    assert other.stat().st_ino == inode and other.read_text() == "mine\n"
    assert OWNED <= {p.name for p in out.iterdir()}
    assert ucj.load(out).poverty["p0"].notna().sum() > 400
    assert not list(tmp_path.glob(".out.*-*")), "a staged folder was left beside the output"


def test_import_with_out_dot_leaves_the_shell_in_its_folder(raw, tmp_path, monkeypatch):
    here = tmp_path / "work"
    here.mkdir()
    monkeypatch.chdir(here)
    before = os.stat(".").st_ino
    run = _import(".")
    assert run.exit_code == 0, run.output
    # the process still stands in the live folder (same inode as the path names), which holds the table
    assert os.stat(".").st_ino == before == here.stat().st_ino
    assert Path(os.getcwd()) == here and (here / "poverty.parquet").is_file()


def test_a_full_disk_during_an_import_is_one_line_and_changes_nothing(raw, tmp_path, monkeypatch):
    import ucj.ingest.common as common

    out = tmp_path / "out"
    assert _import(out).exit_code == 0
    before = _files(out)

    def full(*args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(common, "write_parquet", full)
    run = _import(out)
    assert run.exit_code == 2, run.output
    assert "no space left on the disk" in run.output and str(out) in run.output
    assert "OSError" not in run.output and "Traceback" not in run.output
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the lock file goes with the run


def test_a_corrupt_manifest_is_named_and_kept(raw, tmp_path):
    out = tmp_path / "out"
    assert _import(out).exit_code == 0
    (out / "manifest.json").write_text('{"imports": [', encoding="utf-8")  # cut short
    before = _files(out)
    run = _import(out)
    assert run.exit_code == 2, run.output
    assert "manifest.json: the manifest is not readable JSON" in run.output and "Error:" not in run.output
    assert _files(out) == before


SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    out, kill_at = Path(sys.argv[1]).resolve(), sys.argv[2]
    real, count = os.replace, [0]

    def replace(src, dst, *a, **kw):
        dst = Path(dst)
        if kill_at == "journal" and dst.name.endswith(".journal.json"):
            os.kill(os.getpid(), signal.SIGKILL)  # before the commit point
        if dst.parent == out:
            count[0] += 1
            if str(count[0]) == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)  # after the commit, before this file is in place
        return real(src, dst, *a, **kw)

    os.replace = replace
    from ucj.cli import app
    app(["import", "bps-table", sys.argv[3], "--out", str(out)])
""")


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["journal", "1", "3", "4"])
def test_kill_9_during_the_commit_leaves_the_old_or_the_new_files(raw, tmp_path, kill_at):
    """kill -9 before the journal is committed: the old files; after it (some files moved, some not):
    the next reader finishes the move and reads the new files. Old: a folder with only an earlier,
    smaller import (three districts); new: the whole table."""
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    small = tmp_path / "small.csv"
    lines = P0_CSV.read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")  # title, years, Aceh and 3 districts
    for folder in (old_dir, new_dir):
        assert CliRunner().invoke(app, ["import", "bps-table", str(small), "--out", str(folder)]).exit_code == 0
    (old_dir / "session.log").write_text("kept\n")
    assert _import(new_dir).exit_code == 0
    before = _files(old_dir)
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(old_dir), kill_at, str(P0_CSV)], capture_output=True,
                          timeout=300)
    assert proc.returncode == -9, proc.stderr.decode()
    loaded = ucj.load(old_dir).poverty  # a reader: finishes a committed move first
    if kill_at == "journal":
        assert _files(old_dir) == before
    else:
        pd.testing.assert_frame_equal(loaded.drop(columns="source"), ucj.load(new_dir).poverty.drop(columns="source"))
        assert {n: b for n, b in _files(old_dir).items() if n.endswith("parquet")} == \
            {n: b for n, b in _files(new_dir).items() if n.endswith("parquet")}
    assert (old_dir / "session.log").read_text() == "kept\n"
    # the next import cleans what the killed one left beside the folder
    assert _import(old_dir).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and "old" in p.name) == []
    assert json.loads((old_dir / "manifest.json").read_text())["tables"]["poverty"]["rows"] == \
        len(ucj.load(new_dir).poverty)


@pytest.mark.parametrize("text", ['{"imports": [', '["a list"]', '{"imports": {}, "tables": []}', '"text"'])
def test_a_manifest_that_is_not_a_ucj_manifest_is_one_line_on_import(raw, tmp_path, text):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(text, encoding="utf-8")
    run = _import(out)
    assert run.exit_code == 2, run.output
    assert "manifest.json: the manifest is not" in run.output and "Error" not in run.output
    assert (out / "manifest.json").read_text(encoding="utf-8") == text


def test_a_manifest_entry_that_is_not_an_object_is_one_line_on_load(raw, tmp_path):
    out = tmp_path / "out"
    assert _import(out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["tables"]["poverty"] = "x"
    (out / "manifest.json").write_text(json.dumps(manifest))
    run = CliRunner().invoke(app, ["summary", "--data-dir", str(out)])
    assert run.exit_code == 2, run.output
    assert "table 'poverty' does not match its manifest" in run.output
