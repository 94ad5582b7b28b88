"""The `ucj` command's error and quiet forms, each in a real process: bad input is one line
`error: FILE, row R, column C: RULE` (several problems: a count, then one a line), exit status 2; a usage error
(an unknown option, a missing argument, a wrong value) is one plain line, exit 2, on every command, with no
rich panel; -q prints nothing but errors. The inputs are the real public files in ../shared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from conftest import LONG_CSV, MAPPINGS, P0_CSV, WEBAPI_JSON
from ucj.cli import app

UCJ = str(Path(sys.executable).parent / "ucj")
BOX = set("╭╮╰╯│─")


def _ucj(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    out = []
    for name, cmd in group.commands.items():
        out += _commands(cmd, (*prefix, name)) if hasattr(cmd, "commands") else [(*prefix, name)]
    return out


COMMANDS = _commands(typer.main.get_command(app))


def test_one_bad_cell_is_one_line_naming_file_row_column_and_rule(tmp_path):
    p = tmp_path / "enrolment.csv"
    p.write_text("district,month,segment,funding,active,new_registrations,lapsed\n"
                 "Boalemo,2025-01,BPU,apbd,5000,5000,0\n"
                 "Boalemo,2025-02,BPU,apbd,lima ribu,10,0\n", encoding="utf-8")
    run = _ucj("import", "template", str(p), "--kind", "enrolment", "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == "error: enrolment.csv, row 3, column 'active': text in a numeric column (value: 'lima ribu')\n"


def test_several_problems_are_a_count_then_one_a_line(tmp_path):
    p = tmp_path / "enrolment.csv"
    p.write_text("district,month,segment,funding,active,new_registrations,lapsed\n"
                 "Boalemo,2025-01,BPU,apbd,x,5000,0\n"
                 "Boalemo,2025-02,BPU,apbd,5000,y,0\n", encoding="utf-8")
    run = _ucj("import", "template", str(p), "--kind", "enrolment", "--out", str(tmp_path / "out"))
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert lines[0] == "error: 2 problems in the input:"
    assert lines[1:] == ["  enrolment.csv, row 2, column 'active': text in a numeric column (value: 'x')",
                         "  enrolment.csv, row 3, column 'new_registrations': text in a numeric column (value: 'y')"]


def test_a_bad_option_value_is_one_line_too(tmp_path):
    run = _ucj("reports", "--district", "Boalemo", "--workers", "0", "--out", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr == ("error: option '--workers': must be a whole number of at least 1 (leave it out for one per "
                          "core) (value: 0)\n")


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_an_unknown_option_is_one_plain_line_on_every_command(command):
    run = _ucj(*command, "--no-such-option")
    assert run.returncode == 2 and run.stdout == ""
    name = " ".join(("ucj", *command))
    assert run.stderr == f"error: {name}: No such option: --no-such-option (see {name} --help)\n", run.stderr


@pytest.mark.parametrize("args, says", [
    (["district"], "error: ucj district: Missing argument 'query'. (see ucj district --help)"),
    (["import", "mapped", "x.csv"], "error: ucj import mapped: Missing option '--mapping'. (see ucj import mapped "
                                    "--help)"),
    (["reports", "--workers", "two"], "error: ucj reports: Invalid value for '--workers':"),
    (["explore", "--max-kernels", "0"], "error: ucj explore: Invalid value for '--max-kernels':"),
    (["no-such-command"], "error: ucj: No such command 'no-such-command'."),
])
def test_usage_errors_are_one_plain_line(args, says):
    run = _ucj(*args)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith(says), run.stderr
    assert not BOX & set(run.stderr) and "Traceback" not in run.stderr


def test_help_is_still_shown_and_exits_0():
    run = _ucj("district", "--help")
    assert run.returncode == 0 and "Resolve a district name or code" in run.stdout


@pytest.mark.parametrize("args", [
    ["import", "bps-table", str(P0_CSV)],
    ["import", "bps-webapi", str(WEBAPI_JSON)],
    ["import", "mapped", str(LONG_CSV), "--mapping", str(MAPPINGS / "bps_kemiskinan_long.json")],
], ids=["bps-table", "bps-webapi", "mapped"])
def test_q_import_prints_nothing_and_imports(raw, tmp_path, args):
    out = tmp_path / "processed"
    loud = _ucj(*args, "--out", str(tmp_path / "loud"))
    assert loud.returncode == 0 and "rows from" in loud.stdout  # without -q: the summary
    run = _ucj("-q", *args, "--out", str(out))
    assert run.returncode == 0 and run.stdout == "" and run.stderr == "", (run.stdout, run.stderr)
    assert (out / "manifest.json").is_file()
    after = _ucj(*args, "--out", str(tmp_path / "after"), "-q")  # -q after the command as well
    assert after.returncode == 0 and after.stdout == "" and after.stderr == ""


def test_q_on_the_other_writing_commands(raw, tmp_path):
    runs = {
        "demo": _ucj("demo", "--out", str(tmp_path / "demo"), "-q"),
        "templates": _ucj("templates", "--out", str(tmp_path / "t"), "-q"),
        "participants template": _ucj("participants", "template", "--out", str(tmp_path / "pt"), "-q"),
        "import template": _ucj("import", "template", str(tmp_path / "t" / "enrolment_example.csv"), "--kind",
                                "enrolment", "--out", str(tmp_path / "p"), "-q"),
        "import inspect": _ucj("import", "inspect", str(LONG_CSV), "--draft", str(tmp_path / "d.json"), "-q"),
    }
    for name, run in runs.items():
        assert run.returncode == 0 and run.stdout == "" and run.stderr == "", (name, run.stdout, run.stderr)
    assert (tmp_path / "demo" / "manifest.json").is_file() and (tmp_path / "d.json").is_file()
    assert (tmp_path / "p" / "enrolment.parquet").is_file()
    bad = _ucj("-q", "import", "template", str(P0_CSV), "--kind", "enrolment", "--out", str(tmp_path / "p"))
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.startswith("error: ")  # errors still shown


def test_every_commands_help_prints_its_percent_signs_once():
    """click prints a help text as written (no %-formatting): a "%%" in an option's help reached the screen
    as "%%" ("coverage target in %%"). Every command's help, in-process through typer's own runner."""
    from typer.testing import CliRunner

    runner = CliRunner()
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 10
    for cmd in commands:
        res = runner.invoke(app, [*cmd, "--help"], terminal_width=200)
        assert res.exit_code == 0, (cmd, res.output)
        assert "%%" not in res.output, (cmd, [ln for ln in res.output.splitlines() if "%%" in ln])
