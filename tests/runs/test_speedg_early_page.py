"""A report's page is exported while its kernel still runs the notebook-only save cell (issue 23: the
copy of the notebook handed over once the last cell the page shows has run). The page must be the one
exporting the finished notebook gives: checked here for a cold `ucj report` and for every report of a
warm batch worker (its first and later reports), by exporting each written report.ipynb again the way
pages were exported before (after the whole notebook had run). The timeline proves the early path ran."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ucj.presentation.export import html_exporter, notebook_html

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
EARLY = "report: page exported while the save cell runs"


def _page_from_finished_notebook(folder: Path) -> str:
    """The page exported from the written, finished notebook (as render did before the early export: the key
    figures were added to the notebook's metadata only after the page was made)."""
    nb = nbformat.read(folder / "report.ipynb", as_version=4)
    key = json.loads((folder / "key_figures.json").read_text())
    assert nb.metadata["ucj"].pop("key_figures") == key
    page = (folder / "report.html").read_text()
    title = html.unescape(page.split("<title>", 1)[1].split("</title>", 1)[0])
    return notebook_html(nb, title, html_exporter(), key)


def _run(args: list[str], timeline: Path) -> None:
    done = subprocess.run([str(BIN / "ucj"), *args], capture_output=True, text=True,
                          env=os.environ | {"UCJ_TIMELINE": str(timeline)})
    assert done.returncode == 0, done.stderr


def _early_marks(timeline: Path) -> int:
    return sum(json.loads(line)["step"] == EARLY for line in timeline.read_text().splitlines())


def test_a_cold_reports_page_is_the_finished_notebooks(demo_dir, tmp_path):
    timeline = tmp_path / "steps.jsonl"
    _run(["report", "--district", "Boalemo", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"),
          "--run", "r", "--lang", "en"], timeline)
    assert _early_marks(timeline) == 1
    folder = tmp_path / "out" / "r" / "7502-kabupaten-boalemo"
    page = (folder / "report.html").read_text()
    assert page == _page_from_finished_notebook(folder)
    assert '<html lang="en"' in page or "lang=\"en\"" in page


def test_a_batch_workers_pages_are_the_finished_notebooks(demo_dir, tmp_path):
    timeline = tmp_path / "steps.jsonl"
    districts = ["Boalemo", "Banggai", "Minahasa"]
    args = ["reports", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"), "--run", "b", "--workers", "1",
            "--no-progress", "--lang", "id"]
    for d in districts:
        args += ["--district", d]
    _run(args, timeline)
    assert _early_marks(timeline) == len(districts)
    reports = json.loads((tmp_path / "out" / "b" / "run.json").read_text())["reports"]
    assert sorted(r["kernel_report"] for r in reports) == [1, 2, 3]  # one warm kernel: first and later reports
    for r in reports:
        folder = tmp_path / "out" / "b" / r["html"].split("/")[0]
        page = (folder / "report.html").read_text()
        assert page == _page_from_finished_notebook(folder), r["district_name"]
        assert "lang=\"id\"" in page
