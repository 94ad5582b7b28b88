"""Data folders print relative to the report's own folder (issue 18, item 10): never absolute, never
relative to a kernel's temporary folder, never the host name; several folders each; a folder no relative
path can reach is shown by its name, and the page says so.

Expected paths are worked out by hand from the folder layout each test builds (counting the '..' from
the report's folder up to the common folder), never by calling the function under test."""

from __future__ import annotations

import html as html_lib
import json
import ntpath
import posixpath
import re
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ucj.core.stamp import NAME_ONLY, relative_folder, shown_folder_text
from ucj.presentation.district import parameter_value
from ucj.presentation.i18n import t

BIN = Path(sys.executable).parent


# -- hand-worked paths ------------------------------------------------------------------------------
def test_a_folder_relative_to_the_report_counts_each_level_up():
    # reports/RUN/SLUG -> up three levels to the common folder, then down into data/demo
    assert relative_folder("/srv/ucj/data/demo", "/srv/ucj/reports/demo/7102-kabupaten-minahasa",
                           posixpath) == "../../../data/demo"
    # data inside the report's run folder: one level up
    assert relative_folder("/srv/ucj/reports/r/data", "/srv/ucj/reports/r/7102", posixpath) == "../data"
    # Windows paths on one drive: the same count, written with '/'
    assert relative_folder(r"C:\ucj\data\demo", r"C:\ucj\reports\r\7102", ntpath) == "../../../data/demo"


def test_no_relative_path_across_drives_or_through_the_root_only_the_name_and_it_says_so():
    assert relative_folder(r"D:\data\demo", r"C:\ucj\reports\r\7102", ntpath) is None  # another drive
    assert relative_folder("/data/demo", "/home/planner/reports/r/7102", posixpath) is None  # only "/" shared
    assert shown_folder_text(r"D:\data\demo", r"C:\ucj\reports\r\7102", ntpath) == f"{NAME_ONLY}demo"
    assert shown_folder_text("/data/demo/", "/home/planner/reports/r/7102", posixpath) == f"{NAME_ONLY}demo"
    assert parameter_value("data_dirs", f"{NAME_ONLY}demo", "id") == \
        "demo (nama folder saja: tidak ada jalur relatif dari folder laporan ini)"
    assert parameter_value("data_dirs", f"../../../data/demo; {NAME_ONLY}bps", "en") == \
        "../../../data/demo; bps (folder name only: no relative path from this report's folder)"


def test_the_batch_gives_each_report_its_folders_relative_to_its_own_folder(demo_dir, tmp_path):
    """plan() (the one path of `ucj report`, `ucj reports` and a Dask batch) passes the notebook the folders
    as the report in RUN/SLUG prints them: each of several folders, relative to that folder."""
    from ucj.runs.batch import plan
    from ucj.runs.params import validate_params

    data = tmp_path / "data"
    (data / "bps").mkdir(parents=True)
    params = validate_params("Minahasa", data_dir=f"{demo_dir};{data / 'bps'}")
    job = plan([params], tmp_path / "reports" / "r")[0]
    # demo_dir is a sibling of tmp_path under pytest's base folder: up four levels from reports/r/SLUG
    want_demo = f"../../../../{demo_dir.name}"
    assert job.slug == "7102-kabupaten-minahasa"
    assert job.parameters["data_dir_shown"] == f"{want_demo};../../../data/bps"
    assert dict(job.recorded)["data_dir"] == f"{want_demo};../../../data/bps"  # what the notebook records
    # ucj verify remakes a report elsewhere but prints the folders as the checked report did
    again = plan([params], tmp_path / "elsewhere" / "deeper" / "v", shown={job.slug: "../../../data/demo"})[0]
    assert again.parameters["data_dir_shown"] == "../../../data/demo"


# -- the user's path, end to end ------------------------------------------------------------------------
def _parameters_line(text: str, lang: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"{t('parameters', lang)}:"))


@pytest.mark.slow
def test_ucj_reports_and_ucj_report_print_the_data_folders_relative_to_the_report(tmp_path):
    """`ucj reports --data-dir <tmp>/data/demo;<tmp>/data/bps --out <tmp>/reports --pdf` (one kernel) and
    `ucj report` for the same district: the HTML page, the Excel notes sheet and the PDF's text each read
    "folder data: ../../../data/demo; ../../../data/bps" (the report sits in <tmp>/reports/RUN/SLUG: three
    levels up to <tmp>), never the machine's full path, a temporary folder or its host name."""
    import pdfplumber

    from conftest import P0_CSV
    from ucj.ingest import demo

    demo.write(tmp_path / "data" / "demo")
    res = subprocess.run([str(BIN / "ucj"), "import", "bps-table", str(P0_CSV), "--out", str(tmp_path / "data" / "bps")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    data = f"{tmp_path / 'data' / 'demo'};{tmp_path / 'data' / 'bps'}"
    slug = "7102-kabupaten-minahasa"
    runs = {
        "batch": [str(BIN / "ucj"), "reports", "--district", "Minahasa", "--data-dir", data, "--out",
                  str(tmp_path / "reports"), "--run", "b", "--workers", "1", "--no-progress", "--pdf"],
        "single": [str(BIN / "ucj"), "report", "--district", "Minahasa", "--data-dir", data, "--out",
                   str(tmp_path / "reports"), "--run", "s"],
    }
    want = "folder data: ../../../data/demo; ../../../data/bps"
    lines = {}
    for name, args in runs.items():
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        folder = tmp_path / "reports" / name[0] / slug
        page = (folder / "report.html").read_text(encoding="utf-8")
        visible = html_lib.unescape(re.sub(r"<[^>]+>", "\n", re.sub(r"<style>.*?</style>", " ", page, flags=re.S)))
        lines[name] = _parameters_line(visible, "id")
        assert want in lines[name], lines[name]
        wb = openpyxl.load_workbook(folder / "tables.xlsx")
        notes = {str(r[0].value): str(r[1].value) for r in wb.worksheets[0].iter_rows() if r[0].value}
        assert want in notes[t("parameters", "id")]
        key = json.loads((folder / "key_figures.json").read_text())
        assert key["provenance"]["parameters"]["data_dirs"] == ["../../../data/demo", "../../../data/bps"]
        # the page's own text: an embedded PNG's base64 can hold any two letters (a host named "vm" matched one)
        text_of_page = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page)
        for blob in (text_of_page, notes[t("parameters", "id")], json.dumps(key)):
            assert str(tmp_path) not in blob and "ucj-kernel-" not in blob and "/tmp/" not in blob
            host = socket.gethostname()
            assert not re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", blob), host
    assert lines["batch"] == lines["single"]  # one rule on every path
    with pdfplumber.open(tmp_path / "reports" / "b" / slug / "report.pdf") as pdf:
        text = " ".join((p.extract_text() or "") for p in pdf.pages)
    printed = re.sub(r"/\s+", "/", " ".join(text.split()))  # a path may wrap after a slash on paper
    assert "../../../data/demo;" in printed and "../../../data/bps" in printed
