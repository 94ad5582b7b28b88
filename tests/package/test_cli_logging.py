"""-v / -q on every command, over the standard logging module (ucj.core.logs), in place of UCJ_DEBUG:
without -v an unexpected error is one line, with -v its traceback; -q keeps the batch's lines and the
progress bar quiet; a log line holds no absolute path and no host name."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import REPO
from ucj.cli import app
from ucj.core import logs

BIN = Path(sys.executable).parent


def _commands(group, prefix: tuple[str, ...] = ()) -> list:  # type: ignore[no-untyped-def]
    out = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):  # a group (typer's own click types)
            out += _commands(cmd, (*prefix, name))
        else:
            out.append(((*prefix, name), cmd))
    return out


def test_every_command_takes_v_and_q():
    root = typer.main.get_command(app)
    commands = _commands(root)
    assert len(commands) >= 16 and (("import", "bps-table") in dict(commands)), [p for p, _ in commands]
    for path, cmd in [((), root), *commands]:
        flags = {o for p in cmd.params for o in p.opts}
        assert {"-v", "--verbose", "-q", "--quiet"} <= flags, path


def test_v_and_q_before_or_after_the_command_in_a_real_process():
    ucj = str(BIN / "ucj")
    for args in (["-q", "district", "Boalemo"], ["district", "Boalemo", "-v"], ["district", "-q", "Boalemo"]):
        run = subprocess.run([ucj, *args], capture_output=True, text=True)
        assert run.returncode == 0 and run.stdout == "75.02  Kabupaten Boalemo, Gorontalo\n", (args, run.stderr)
    loud = subprocess.run([ucj, "-v", "district", "Boalemo"], capture_output=True, text=True)
    assert loud.stderr.startswith("debug: ucj ") and "command district" in loud.stderr
    assert subprocess.run([ucj, "district", "Boalemo"], capture_output=True, text=True).stderr == ""
    both = subprocess.run([ucj, "district", "Boalemo", "-v", "-q"], capture_output=True, text=True)
    assert both.returncode == 2 and both.stderr.count("\n") == 1 and "give -v or -q, not both" in both.stderr


def _boom(*_a, **_k):
    raise RuntimeError("the registry broke")


def test_an_unexpected_error_is_one_line_and_its_traceback_with_v(monkeypatch):
    import ucj.data.registry

    monkeypatch.setattr(ucj.data.registry, "load_registry", _boom)
    plain = CliRunner().invoke(app, ["district", "Boalemo"])
    assert plain.exit_code == 1
    assert plain.stderr == "error: RuntimeError: the registry broke (-v for details)\n"
    for args in (["-v", "district", "Boalemo"], ["district", "Boalemo", "-v"]):
        loud = CliRunner().invoke(app, args)
        assert loud.exit_code == 1, args
        assert "Traceback (most recent call last)" in loud.stderr and "in _boom" in loud.stderr, args
        assert loud.stderr.rstrip().endswith("error: RuntimeError: the registry broke"), args


def test_ucj_debug_is_gone():
    hits = [p for p in [*(REPO / "ucj").rglob("*.py"), REPO / "README.md", *(REPO / "docs").glob("*.md")]
            if "UCJ_DEBUG" in p.read_text(encoding="utf-8")]
    assert hits == []


@pytest.fixture
def fake_batch(monkeypatch, demo_dir):
    """run_many replaced by one that says what a batch says as it goes, and records whether a bar was asked for."""
    import ucj.runs.batch

    seen: dict[str, object] = {}

    def run_many(params, run_dir, *, progress=True, echo=None, **kw):
        seen["progress"] = progress
        echo(f"1 reports: 1 made, 0 skipped (unchanged), 0 failed in 1.0 s; written to {run_dir.resolve()}")
        echo("warning: the run had another pandas")
        return []

    monkeypatch.setattr(ucj.runs.batch, "run_many", run_many)
    return seen


def test_q_keeps_the_batch_quiet_and_its_progress_bar_off(fake_batch, demo_dir, tmp_path):
    base = ["reports", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "r"]
    said = CliRunner().invoke(app, base)
    assert said.exit_code == 0, said.output
    assert fake_batch["progress"] is True
    assert "1 reports: 1 made" in said.stderr and "warning: the run had another pandas" in said.stderr
    quiet = CliRunner().invoke(app, [*base, "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert fake_batch["progress"] is False
    assert "1 reports: 1 made" not in quiet.stderr and "warning: the run had another pandas" in quiet.stderr
    assert CliRunner().invoke(app, ["-q", *base]).exit_code == 0 and fake_batch["progress"] is False


def test_a_log_line_holds_no_absolute_path_and_no_host_name(fake_batch, demo_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    said = CliRunner().invoke(app, ["reports", "--district", "Boalemo", "--data-dir", str(demo_dir),
                                    "--out", str(tmp_path / "out"), "--run", "r"])
    assert said.exit_code == 0, said.output
    line = next(x for x in said.stderr.splitlines() if x.startswith("1 reports"))
    assert line.endswith("written to out/r") and str(tmp_path) not in said.stderr

    import io

    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    logs.setup(logs.VERBOSE)
    host = socket.gethostname()
    logging.getLogger("ucj.runs").debug("kernel on %s wrote %s and /etc/x; see http://127.0.0.1:8866/ and a/b",
                                        host, tmp_path / "out" / "r" / "index.html")
    assert stream.getvalue() == "debug: kernel on <host> wrote out/r/index.html and x; see http://127.0.0.1:8866/ and a/b\n"
    logs.setup(logs.NORMAL)
