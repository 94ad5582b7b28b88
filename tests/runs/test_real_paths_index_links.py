"""Issue 24 item 16 (first half): a resumed run whose run.json was edited never carries that text into
index.html as a link to another scheme or outside the run folder, nor as markup."""

from __future__ import annotations

import json
import re

import pytest

from test_batch import DISTRICTS, FakeRender  # noqa: F401  (the stand-in worker of the batch tests)
from ucj.runs import batch
from ucj.runs.index_page import safe_relative
from ucj.runs.params import validate_params


@pytest.mark.parametrize("value", ["javascript:alert(1)", "JaVaScRiPt:alert(1)//report.html",
                                   "javascript:alert(1)//x.html", "data:text/html,x.html", "http://evil.example/report.html",
                                   "//evil.example/report.html", "/etc/report.html", "../other/report.html",
                                   "a/../../report.html", " javascript:x.html", "a\\..\\report.html", "", None])
def test_only_plain_relative_paths_are_links(value):
    assert safe_relative(value, ".html") is None


def test_a_report_page_path_is_a_link():
    assert safe_relative("7502-kabupaten-boalemo/report.html", ".html") == "7502-kabupaten-boalemo/report.html"


def test_a_resumed_run_with_an_edited_run_json_links_only_to_its_report_folders(demo_dir, tmp_path, monkeypatch):
    fake = FakeRender()
    monkeypatch.setattr(batch, "render", fake)
    params = [validate_params(d, data_dir=str(demo_dir)) for d in DISTRICTS]
    run = tmp_path / "run"
    batch.run_many(params, run, workers=1, progress=False, echo=lambda line: None)
    doc = json.loads((run / "run.json").read_text())
    doc["reports"][0]["html"] = "javascript:alert(document.cookie)//report.html"
    doc["reports"][0]["district_name"] = '<img src=x onerror="alert(1)">'
    doc["reports"][1]["html"] = "https://evil.example/report.html"
    doc["reports"][2]["key_figures"] = "../../../etc/passwd.json"
    (run / "run.json").write_text(json.dumps(doc))
    fake.calls.clear()
    batch.run_many(params, run, workers=1, progress=False, echo=lambda line: None)  # resume: nothing to redo
    page = (run / "index.html").read_text()
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(not re.match(r"[a-z]+:|/|\.\.", h, re.I) for h in hrefs), hrefs
    assert "javascript:" not in page.lower() and "evil.example" not in page
    assert "<img" not in page and "&lt;img" in page  # the edited name is shown as text, not markup
