"""A cold `ucj report` kills its kernel once the report's cells have run, instead of asking it to shut down and
waiting for it (issue 23): the kernel must still be gone, reaped, by the time the command has ended, and the
report written whole. Watched from outside: the kernel processes the command started (found by a marker in
their environment while the command runs) no longer exist the moment it exits, not even as zombies, with no
grace period."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
SLUG = "7502-kabupaten-boalemo"


def _marked(marker: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("UCJ_SPEEDG_TEST") == marker:
                found.append(p)
        except (psutil.Error, OSError):
            pass
    return found


def test_a_cold_report_leaves_no_kernel_and_writes_its_files_whole(demo_dir, tmp_path):
    marker = uuid.uuid4().hex
    out = tmp_path / "out"
    cli = subprocess.Popen([str(BIN / "ucj"), "report", "--district", "Boalemo", "--data-dir", str(demo_dir),
                            "--out", str(out), "--run", "r"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=os.environ | {"UCJ_SPEEDG_TEST": marker})
    kernels: dict[int, float] = {}  # pid -> creation time of each kernel seen while the command ran
    while cli.poll() is None:
        for p in _marked(marker):
            try:
                if p.pid != cli.pid and "ipykernel_launcher" in " ".join(p.cmdline()):
                    kernels[p.pid] = p.create_time()
            except psutil.Error:
                pass
        time.sleep(0.05)
    stdout, stderr = cli.communicate()
    assert cli.returncode == 0, stderr
    # checked at once: a kernel only signalled (not reaped) by the command, or left to die with it, would
    # still show here as a running or zombie process
    left = [p for p in _marked(marker) if p.pid != cli.pid]
    assert kernels, "no kernel was seen while the command ran: the check below would prove nothing"
    assert left == [], [(p.pid, p.status()) for p in left]
    for pid, created in kernels.items():
        try:
            gone = psutil.Process(pid).create_time() != created  # the pid reused by an unrelated process
        except psutil.NoSuchProcess:
            gone = True
        assert gone, f"kernel {pid} is still there after the command ended"
    made = out / "r" / SLUG
    assert "wrote" in stdout and str(made / "report.html") in stdout
    html = (made / "report.html").read_text()
    assert html.rstrip().endswith("</html>") and "data:image/png;base64," in html
    key = json.loads((made / "key_figures.json").read_text())
    assert key["district_code"] == "75.02"
    nb = json.loads((made / "report.ipynb").read_text())
    assert not any(c["metadata"].get("papermill", {}).get("exception") for c in nb["cells"])
    # nothing half-written is left beside the report (atomic writes go through temporary names)
    assert sorted(p.name for p in (out / "r").iterdir() if p.name.startswith(".")) in ([], [".lock"])
