"""-q on the report commands, in a real process over the demo data: a report made, a batch and a verify that
all reproduce print nothing; without -q they say what they wrote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts kernels

UCJ = str(Path(sys.executable).parent / "ucj")


def _ucj(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, *args], capture_output=True, text=True, timeout=600)


def test_q_report_reports_and_verify_print_nothing_when_all_is_well(demo_dir, tmp_path):
    out = str(tmp_path / "reports")
    loud = _ucj("report", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", out, "--run", "loud")
    assert loud.returncode == 0 and loud.stdout.startswith("wrote "), loud.stderr
    for run in (_ucj("report", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", out, "--run", "q", "-q"),
                _ucj("-q", "reports", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", out, "--run",
                     "batch"),
                _ucj("verify", str(Path(out) / "q"), "--data-dir", str(demo_dir), "-q")):
        assert run.returncode == 0 and run.stdout == "" and run.stderr == "", (run.args, run.stdout, run.stderr)
    assert (Path(out) / "q" / "verify.json").is_file() and (Path(out) / "batch" / "index.html").is_file()
    said = _ucj("verify", str(Path(out) / "q"), "--data-dir", str(demo_dir), "--lang", "en")
    assert said.returncode == 0 and "1 of 1 reports reproduced" in said.stdout
