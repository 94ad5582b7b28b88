"""A real browser (Debian's chromium, driven by playwright without downloading one) opens an HTML
report and JupyterLab. Screenshots go to test-artifacts/. Without chromium these tests skip, except
under CI (CI=true), where a missing browser is a failure."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium before the tests")
        pytest.skip("no chromium on this machine (install Debian's chromium to run the browser tests)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_html_report_in_a_browser(browser, demo_dir, tmp_path):
    run = subprocess.run([str(BIN / "ucj"), "report", "--district", "Muna Barat", "--lang", "en",
                          "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "b"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    page_file = next((tmp_path / "b").glob("*/report.html"))
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    page.goto(page_file.as_uri())
    assert "Universal Coverage Jamsostek report: Kabupaten Muna Barat" in page.locator("h1.ucj-title").inner_text()
    kpis = page.locator(".ucj-kpi").all_inner_texts()
    assert len(kpis) == 11 and any("Active participants" in k for k in kpis)
    # Muna Barat's 2026 plan (10,000 APBD workers, not yet budgeted) is a dated scenario line of its own
    # 44.6 %: 44.2 % before the December seasonal (+0.4 pp, reader 13 R13-5) was added back
    assert any("44.6 %" in k and "with the plan of 10,000 APBD-funded workers from 2026" in k for k in kpis)
    assert any("80 % prediction interval" in k for k in kpis) and any("Gross registrations" in k for k in kpis)
    headings = page.locator("h2.ucj-h").all_inner_texts()
    assert headings.count("Published and computed figures") == 1  # the published facts appear once
    assert headings.index("Published and computed figures") < headings.index("Methods and sources")
    assert "SYNTHETIC DEMO DATA" in page.locator(".ucj-synthetic").inner_text()
    images = page.locator("img")
    assert images.count() >= 3
    assert images.first.evaluate("img => img.naturalWidth") > 300  # the figure really loaded
    assert page.locator("pre, .jp-InputArea").count() == 0  # no code
    page.screenshot(path=str(ARTIFACTS / "report_muna_barat.png"), full_page=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_an_idle_kernel(base: str, token: str) -> None:
    """Until the notebook's kernel has started and answers (on a loaded machine this takes a while)."""
    import json

    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as r:
                sessions = json.load(r)
            if sessions and all(s["kernel"]["execution_state"] == "idle" for s in sessions):
                return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail("the notebook's kernel did not become idle within 180 s")


def test_jupyterlab_runs_the_explore_notebook(browser, demo_dir, tmp_path):
    """Open the notebook in JupyterLab, run all cells and find the rendered explorer (its tabs and headline)."""
    port, token = _free_port(), secrets.token_hex(16)
    root = tmp_path / "lab"  # a copy: JupyterLab saves the notebook it runs, and the repo's copy stays output-free
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / "explore.ipynb", root / "notebooks" / "explore.ipynb")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               UCJ_DATA_DIR=str(demo_dir), UCJ_LANG="en")
    server = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/lab/tree/notebooks/explore.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_selector("text=explorer_app(data_dir, lang, district)", timeout=30_000)
        assert page.locator(".jp-Notebook .jp-Cell").count() >= 3
        _wait_for_an_idle_kernel(base, token)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.get_by_text("Run All Cells", exact=True).click()
        # the headline, or an error output (then the test fails with its text, not after a silent wait)
        page.wait_for_selector(".jp-OutputArea .ucj-coverage-headline, .jp-OutputArea-output[data-mime-type="
                               "'application/vnd.jupyter.stderr'], .jp-RenderedText[data-mime-type="
                               "'application/vnd.jupyter.error']", timeout=300_000)
        errors = page.locator("[data-mime-type='application/vnd.jupyter.error']").all_inner_texts()
        assert not errors, errors[0][-2000:]
        page.wait_for_selector(".jp-OutputArea .ucj-coverage-headline", timeout=120_000)
        tabs = page.locator(".jp-OutputArea .ucj-explorer .lm-TabBar-tab").all_inner_texts()
        assert tabs == ["Coverage", "Claims", "Poverty", "Budget planner", "Compare"]
        assert "Coverage of Kabupaten Boalemo" in page.locator(".ucj-coverage-headline").inner_text()
        page.locator(".jp-OutputArea .lm-TabBar-tab", has_text="Budget planner").click()
        page.wait_for_selector(".jp-OutputArea .ucj-budget-headline:has-text('Rp 1,008,000,000')", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "jupyterlab_explore.png"))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def muna_barat_reports(demo_dir, tmp_path_factory):
    """The Muna Barat report in both languages, made by the CLI."""
    out = tmp_path_factory.mktemp("reports")
    pages = {}
    for lang in ("id", "en"):
        run = subprocess.run([str(BIN / "ucj"), "report", "--district", "Muna Barat", "--lang", lang,
                              "--data-dir", str(demo_dir), "--out", str(out), "--run", lang],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        pages[lang] = next((out / lang).glob("*/report.html"))
    return pages


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_methods_stamp_and_published_table_in_a_browser(browser, muna_barat_reports, lang):
    from ucj.presentation.i18n import t

    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    page.goto(muna_barat_reports[lang].as_uri())
    headings = page.locator("h2.ucj-h").all_inner_texts()
    assert t("methods", lang) in headings and t("data_notes", lang) in headings
    body = page.locator("body").inner_text()
    assert "SP2020" in body and "Susenas" in body and "Sakernas" in body
    published = t("published_vs_computed", lang)
    assert headings.count(published) == 1 and headings.index(published) < headings.index(t("methods", lang))
    assert page.locator("th", has_text=t("difference", lang)).count() == 1  # one table of published facts
    stamp = page.locator(".ucj-stamp").inner_text()
    assert "ucj " in stamp and ("Dibuat" if lang == "id" else "Made") in stamp
    alts = page.locator("img").evaluate_all("imgs => imgs.map(i => i.alt)")
    assert len(alts) >= 3 and all(len(a) > 20 for a in alts)
    page.screenshot(path=str(ARTIFACTS / f"report_muna_barat_methods_{lang}.png"), full_page=True)


def test_index_sorts_by_coverage_in_a_browser(browser, demo_dir, tmp_path):
    """The index `ucj reports` writes, sorted by coverage in the browser: the order of the districts'
    key_figures.json, both ways."""
    import json

    from ucj.presentation.i18n import t

    districts = ["Boalemo", "Kota Gorontalo", "Kabupaten Gorontalo", "Pohuwato"]
    run = subprocess.run([str(BIN / "ucj"), "reports", *[a for d in districts for a in ("--district", d)],
                          "--lang", "en", "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "i",
                          "--workers", "2", "--no-progress"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    folder = tmp_path / "i"
    records = json.loads((folder / "run.json").read_text())["reports"]
    coverage = {e["district_name"]: json.loads((folder / e["slug"] / "key_figures.json").read_text())["coverage_pct"]
                for e in records}
    ascending = sorted(coverage, key=coverage.get)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto((folder / "index.html").as_uri())
    table = page.locator("#ucj-districts")
    header = table.locator("th", has_text=t("coverage_pct", "en")).first

    def names() -> list[str]:
        return table.locator("tbody tr td:first-child").all_inner_texts()

    header.click()
    assert names() == ascending
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert names() == ascending[::-1]
    assert page.locator("a", has_text="summary.csv").get_attribute("href") == "summary.csv"
    page.screenshot(path=str(ARTIFACTS / "index_sorted.png"), full_page=True)
