"""The README's plain papermill line, run from the repository root with no data folder named, and
`-p district 11.10` (which papermill hands over as the float 11.1)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from ucj.runs.params import validate_params

BIN = Path(sys.executable).parent


def test_a_float_district_code_is_read_as_the_code(demo_dir):
    p = validate_params(11.1, data_dir=str(demo_dir))
    assert p.district.code == "11.10"
    assert validate_params(75.02, data_dir=str(demo_dir)).district.code == "75.02"
    assert validate_params("11.10", data_dir=str(demo_dir)).district.code == "11.10"


@pytest.mark.slow
def test_plain_papermill_from_the_repository_root(demo_dir, tmp_path):
    """A copy of the checkout's layout (notebooks/ and data/demo/); papermill run in its root finds the
    demo data without -p data_dir, as a planner following the README would run it."""
    root = tmp_path / "repo"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / "district_report.ipynb", root / "notebooks")
    shutil.copytree(demo_dir, root / "data" / "demo")
    run = subprocess.run([str(BIN / "papermill"), "notebooks/district_report.ipynb", "out.ipynb",
                          "-p", "district", "Boalemo"], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    text = (root / "out.ipynb").read_text(encoding="utf-8")
    assert "Boalemo" in text and "75.02" in text
    assert str(root) not in text  # no machine path in the output
