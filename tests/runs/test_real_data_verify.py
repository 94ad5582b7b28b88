"""The reviewer's path on real data: real BPS files imported over the demo, a batch on both folders, and
`ucj verify` on the same folders reproduces it; a changed imported file is named, the demo's is not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import P0_CSV, POOR_CSV

pytestmark = pytest.mark.slow
UCJ = str(Path(sys.executable).parent / "ucj")


def ucj(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, *args], capture_output=True, text=True, timeout=600)


def test_a_run_on_demo_plus_imported_data_verifies(demo_dir, tmp_path):
    processed = tmp_path / "processed"
    assert ucj("import", "bps-table", str(P0_CSV), "--out", str(processed)).returncode == 0
    dirs = f"{demo_dir};{processed}"
    made = ucj("reports", "--district", "Boalemo", "--data-dir", dirs, "--out", str(tmp_path / "reports"), "--run", "r")
    assert made.returncode == 0, made.stderr[-2000:]
    run_dir = tmp_path / "reports" / "r"
    manifest = json.loads((run_dir / "data_manifest.json").read_text())
    poverty = manifest["tables"]["poverty"]  # both files that were merged are listed, in folder order
    assert [p["folder"].split("/")[-1] for p in poverty["merged_from"]] == [demo_dir.name, "processed"]
    assert poverty["sha256"] == "+".join(p["sha256"] for p in poverty["merged_from"])
    ok = ucj("verify", "--lang", "en", str(run_dir), "--data-dir", dirs)
    assert ok.returncode == 0, ok.stdout[-2000:] + ok.stderr[-2000:]
    assert "1 of 1 reports reproduced" in ok.stdout + ok.stderr
    # another imported file in the same folder: verify names that file, and stops before any kernel
    assert ucj("import", "bps-table", str(POOR_CSV), "--out", str(processed)).returncode == 0
    changed = ucj("verify", "--lang", "en", str(run_dir), "--data-dir", dirs)
    assert changed.returncode == 2
    assert changed.stderr.count("table poverty differs") == 1  # the imported file only: the demo's is the same
    # the folders in another order are not the data the run read
    swapped = ucj("verify", "--lang", "en", str(run_dir), "--data-dir", f"{processed};{demo_dir}")
    assert swapped.returncode == 2
