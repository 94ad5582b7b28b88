"""Issue 24 (Tests, first real path; items 1 and 7): real BPS files imported over the demo, a batch with
`ucj reports` on both folders, and `ucj verify` exits 0; then each tampering of the run is caught and named.

Every case is made on a fresh copy of the run; each file changed has its sha256 updated in run.json where
the case says so (the forger's best effort), so the check that catches it is the regeneration, not the hash."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import P0_CSV, POOR_CSV

pytestmark = pytest.mark.slow
UCJ = str(Path(sys.executable).parent / "ucj")
SLUG = "7502-kabupaten-boalemo"


def ucj(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, *args], capture_output=True, text=True, timeout=900, cwd=cwd)


@pytest.fixture(scope="module")
def real_run(demo_dir, tmp_path_factory):
    """data/demo (the demo) + data/processed (the real BPS P0 and poor files), and one report on both."""
    tree = tmp_path_factory.mktemp("tree")
    shutil.copytree(demo_dir, tree / "data" / "demo")
    for raw in (P0_CSV, POOR_CSV):
        done = ucj("import", "bps-table", str(raw), "--out", "data/processed", cwd=tree)
        assert done.returncode == 0, done.stderr[-2000:]
    made = ucj("reports", "--district", "Boalemo", "--data-dir", "data/demo;data/processed", "--out", "reports",
               "--run", "r", "--no-progress", cwd=tree)
    assert made.returncode == 0, made.stderr[-2000:]
    return tree


def _copy(tree: Path, name: str) -> Path:
    target = tree / "reports" / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(tree / "reports" / "r", target, ignore=shutil.ignore_patterns(".lock", "verify.*"))
    return target


def _rehash(run: Path, name: str) -> None:
    doc = json.loads((run / "run.json").read_text())
    doc["reports"][0]["files"][name] = hashlib.sha256((run / SLUG / name).read_bytes()).hexdigest()
    (run / "run.json").write_text(json.dumps(doc))


def _verify(tree: Path, run: Path) -> subprocess.CompletedProcess[str]:
    return ucj("verify", "--lang", "en", str(run.relative_to(tree)), "--data-dir", "data/demo;data/processed",
               "--no-progress",
               cwd=tree)


def test_a_real_data_run_verifies_and_records_every_merged_file(real_run):
    ok = _verify(real_run, real_run / "reports" / "r")
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-3000:]
    assert "1 of 1 reports reproduced" in ok.stdout
    assert "not recorded in run.json" not in ok.stderr  # every file of a run as made is known
    run = json.loads((real_run / "reports" / "r" / "run.json").read_text())
    poverty = run["reports"][0]["tables"]["poverty"]
    demo = hashlib.sha256((real_run / "data" / "demo" / "poverty.parquet").read_bytes()).hexdigest()
    real = hashlib.sha256((real_run / "data" / "processed" / "poverty.parquet").read_bytes()).hexdigest()
    assert poverty["sha256"] == f"{demo}+{real}"  # both files that took part, in folder order


def _page_figure_changed(run: Path, rehash: bool) -> None:
    page = run / SLUG / "report.html"
    text = page.read_text()
    assert "Boalemo" in text
    page.write_text(text.replace("Boalemo", "Bolemo", 1))
    if rehash:
        _rehash(run, "report.html")


def _png_replaced(run: Path) -> None:
    shutil.copyfile(run / SLUG / "claims.png", run / SLUG / "coverage.png")
    _rehash(run, "coverage.png")


def _code_injected(run: Path) -> None:
    path = run / SLUG / "report.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].insert(3, {"cell_type": "code", "execution_count": None, "id": "evil", "metadata": {},
                           "outputs": [], "source": "import os; os.system('echo pwned')"})
    path.write_text(json.dumps(nb))
    _rehash(run, "report.ipynb")


def _notebook_hash_zeroed(run: Path) -> None:
    doc = json.loads((run / "run.json").read_text())
    doc["reports"][0]["notebook_sha256"] = "0" * 64
    (run / "run.json").write_text(json.dumps(doc))


@pytest.mark.parametrize(("case", "named"), [
    (lambda run: _page_figure_changed(run, rehash=True), "report.html (text)"),
    (lambda run: _page_figure_changed(run, rehash=False), "report.html is not the file the run wrote"),
    (_png_replaced, "coverage.png (pixels)"),
    (_code_injected, "report.ipynb differs from the notebook"),
    (_notebook_hash_zeroed, "notebook_sha256 is not that of the notebook"),
], ids=["page-rehashed", "page", "png", "code", "notebook-hash"])
def test_each_tampering_is_caught_and_named(real_run, case, named):
    run = _copy(real_run, "t")
    case(run)
    res = _verify(real_run, run)
    assert res.returncode == 1, res.stdout[-3000:] + res.stderr[-3000:]
    assert named in res.stdout, res.stdout[-3000:]
    assert "NOT reproduced: Kabupaten Boalemo" in res.stdout and "0 of 1 reports reproduced" in res.stdout


def test_an_unlisted_report_folder_is_named(real_run):
    run = _copy(real_run, "extra")
    shutil.copytree(run / SLUG, run / "7501-kabupaten-extra")
    res = _verify(real_run, run)
    assert "7501-kabupaten-extra/report.html is not recorded in run.json" in res.stderr + res.stdout
