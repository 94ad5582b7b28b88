"""A wheel installed outside the checkout works from any folder: notebooks, published facts and the
stylesheet ship inside the package (importlib.resources), and no path assumes a source tree."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow

SKIP = shutil.ignore_patterns(".venv", ".git", "data/demo", "reports", "test-artifacts", "build", "*.egg-info",
                              "__pycache__", ".pytest_cache", "demo", "processed")


def test_wheel_runs_demo_and_report_outside_the_checkout(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=SKIP)
    dist = tmp_path / "dist"
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    wheel = next(dist.glob("ucj-*.whl"))

    # A fresh venv with the wheel; its dependencies come from this environment's site-packages
    # (added as a path, so this environment's editable ucj is not visible there).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                          str(wheel)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([str(py), "-c", "import ucj; print(ucj.__file__)"], capture_output=True, text=True,
                           cwd=work, check=True).stdout
    assert str(venv) in where and str(REPO) not in where
    # the explorer's page template and style sheet ship too (`ucj explore` serves them)
    found = subprocess.run([str(py), "-c", "from ucj.runs.explore_server import template_root; from ucj.core.config "
                            "import stylesheet; print(template_root()); print(len(stylesheet('explorer')))"],
                           capture_output=True, text=True, cwd=work, check=True).stdout.split()
    assert Path(found[0], "voila", "templates", "ucj", "index.html.j2").is_file() and int(found[1]) > 1000
    ucj_cmd = str(venv / "bin" / "ucj")
    run = subprocess.run([ucj_cmd, "demo"], capture_output=True, text=True, cwd=work)
    assert run.returncode == 0, run.stderr[-3000:]
    # nbconvert's templates are data files of this environment's packages (a real install has its own)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "JUPYTER_PLATFORM_DIRS": "1",
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    run = subprocess.run([ucj_cmd, "report", "--district", "Boalemo", "--run", "w"], capture_output=True, text=True,
                         cwd=work, env=env)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    folder = work / "reports" / "w" / "7502-kabupaten-boalemo"
    key = json.loads((folder / "key_figures.json").read_text())
    assert key["district_code"] == "75.02" and (folder / "report.html").stat().st_size > 10_000
