"""The warm-kernel engine for real: one kernel runs report after report without state leaking, its
reports equal those of plain papermill (a fresh kernel per report), its executed notebooks rerun with
plain papermill, and a successful `ucj reports` prints no kernel noise."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ucj.core.config import notebook
from ucj.runs.batch import data_spec, plan
from ucj.runs.engine import Setup, close_kernels, kernel_for, render
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
THREE = {"Muna Barat": "7413-kabupaten-muna-barat", "Minahasa": "7102-kabupaten-minahasa",
         "Boalemo": "7502-kabupaten-boalemo"}


def _comparable(key: dict) -> dict:
    """Key figures without what legitimately differs between two runs: the time and the data folder's path."""
    key = json.loads(json.dumps(key))
    key["provenance"].pop("generated_at")
    key["provenance"].get("stamp", {}).pop("generated_at", None)
    key["provenance"]["parameters"].pop("data_dirs")
    return key


def _untimed(page: bytes | str) -> str:
    """A report page without the time it was made (its stamp)."""
    text = page.decode() if isinstance(page, bytes) else page
    return re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)?", "<time>", text)


def test_state_does_not_leak_between_reports_in_one_kernel(demo_dir):
    """Boalemo first, then five other districts (other provinces, a target of 99.5 %, English), then
    Boalemo again in the same kernel: the same key figures and the same HTML page."""
    others = ["Banggai", "Minahasa", "Muna Barat", "Kota Kupang", "Kabupaten Aceh Selatan"]
    params = [validate_params("Boalemo", data_dir=str(demo_dir))]
    params += [validate_params(d, data_dir=str(demo_dir), lang="en" if i % 2 else "id") for i, d in enumerate(others)]
    params += [validate_params("Boalemo", data_dir=str(demo_dir))]
    jobs = plan(params)
    try:
        results = [render(job) for job in jobs]
        kernel = kernel_for(jobs[0].setup)
        assert kernel.reports == 7  # one kernel made them all
    finally:
        close_kernels()
    assert all(r.entry["status"] == "ok" for r in results), [r.entry.get("error") for r in results]
    first, last = results[0], results[-1]
    assert first.entry["kernel_report"] == 1 and last.entry["kernel_report"] == 7
    assert _comparable(json.loads(first.files["key_figures.json"])) == \
        _comparable(json.loads(last.files["key_figures.json"]))
    assert _untimed(first.files["report.html"]) == _untimed(last.files["report.html"])
    assert first.files["coverage.png"] == last.files["coverage.png"]
    codes = {json.loads(r.files["key_figures.json"])["district_code"] for r in results}
    assert len(codes) == 6


@pytest.fixture(scope="module")
def batch_cli(demo_dir, tmp_path_factory):
    """`ucj reports` for three districts on two workers, as a user runs it (stderr captured)."""
    out = tmp_path_factory.mktemp("batch")
    args = [str(BIN / "ucj"), "reports", "--data-dir", str(demo_dir), "--out", str(out), "--run", "b",
            "--workers", "2"]
    for d in THREE:
        args += ["--district", d]
    run = subprocess.run(args, capture_output=True, text=True)
    return run, out / "b"


@pytest.fixture(scope="module")
def plain_papermill(demo_dir, tmp_path_factory):
    """The same three reports with plain papermill: a fresh kernel each, the stored notebook as it is."""
    out = tmp_path_factory.mktemp("pm")
    keys = {}
    for d, slug in THREE.items():
        folder = out / slug
        folder.mkdir()
        run = subprocess.run([str(BIN / "papermill"), str(notebook("district_report")), str(folder / "report.ipynb"),
                              "-p", "district", d, "-p", "data_dir", str(demo_dir), "-p", "output_dir", str(folder)],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-3000:]
        keys[slug] = json.loads((folder / "key_figures.json").read_text())
    return keys


def test_a_successful_batch_prints_no_kernel_noise(batch_cli):
    run, run_dir = batch_cli
    assert run.returncode == 0, run.stderr[-3000:]
    assert "KeyboardInterrupt" not in run.stderr and "[IPKernelApp]" not in run.stderr
    assert "Traceback" not in run.stderr and "ERROR" not in run.stderr
    assert "3 reports: 3 made, 0 skipped (unchanged), 0 failed" in run.stderr
    assert "done 3, skipped 0, failed 0" in run.stderr  # the bar's counts
    entries = json.loads((run_dir / "run.json").read_text())["reports"]
    assert len({e["worker"] for e in entries}) <= 2 and all(e["status"] == "ok" for e in entries)


def test_batch_key_figures_equal_plain_papermill(batch_cli, plain_papermill):
    run, run_dir = batch_cli
    assert run.returncode == 0, run.stderr[-3000:]
    for slug, expected in plain_papermill.items():
        got = json.loads((run_dir / slug / "key_figures.json").read_text())
        assert _comparable(got) == _comparable(expected)


def test_executed_notebooks_are_papermills_and_rerun_with_plain_papermill(batch_cli, demo_dir):
    import nbformat

    run, run_dir = batch_cli
    assert run.returncode == 0, run.stderr[-3000:]
    slug = THREE["Boalemo"]
    nb = nbformat.read(run_dir / slug / "report.ipynb", as_version=4)
    pm = nb.metadata["papermill"]
    assert pm["parameters"]["district"] == "75.02" and pm["exception"] is None and pm["version"]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "district = \"75.02\"" in injected[0].source
    assert all(c.metadata["papermill"]["status"] == "completed" for c in nb.cells)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    # its data folder is given relative to the report's folder, not by this machine's full path
    assert pm["parameters"]["data_dir"] == os.path.relpath(Path(demo_dir).resolve(), (run_dir / slug).resolve())
    assert str(demo_dir) not in injected[0].source and str(run_dir) not in nbformat.writes(nb)
    # a reviewer reruns the executed notebook with plain papermill, as it is, from a folder of their own
    # beside the report's (the data folder is where the notebook says, relative to it)
    rerun = run_dir / "rerun"
    rerun.mkdir()
    done = subprocess.run([str(BIN / "papermill"), str(run_dir / slug / "report.ipynb"), str(rerun / "again.ipynb"),
                           "--cwd", str(rerun)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    again = json.loads((rerun / "key_figures.json").read_text())
    made = json.loads((run_dir / slug / "key_figures.json").read_text())
    assert _comparable(again) == _comparable(made)
    # the page printed the data folder relative to its own folder, and the rerun prints the same
    assert made["provenance"]["parameters"]["data_dirs"] == [pm["parameters"]["data_dir"]] == \
        [pm["parameters"]["data_dir_shown"]] == again["provenance"]["parameters"]["data_dirs"]


def test_a_kernel_restarts_for_other_data(demo_dir, tmp_path):
    """A worker given a job with other data starts a fresh kernel instead of reusing the warm one."""
    text = notebook("district_report").read_text()
    other = tmp_path / "copy"
    other.mkdir()
    for f in demo_dir.glob("*.parquet"):
        (other / f.name).write_bytes(f.read_bytes())
    try:
        a = kernel_for(Setup(text, data_spec((str(demo_dir),))))
        b = kernel_for(Setup(text, data_spec((str(other),))))
        assert a is not b and not a.alive() and b.alive()
        assert kernel_for(Setup(text, data_spec((str(other),)))) is b
    finally:
        close_kernels()
