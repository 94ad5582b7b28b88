"""The explorer as planners use it without code: `ucj explore` serves it (Voila) and a real browser
(Debian's chromium, driven by playwright) picks a district, plans a budget, compares districts and
downloads the table. Screenshots of each tab go to test-artifacts/."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pandas as pd
import pytest

from test_browser import ARTIFACTS, BIN, _free_port, browser  # noqa: F401 - the shared browser fixture

pytestmark = pytest.mark.slow
SCREENSHOT = ARTIFACTS / "explorer_screenshot.png"  # README image: copied to docs/ by hand, never by a test


@pytest.fixture(scope="module")
def app(demo_dir, tmp_path_factory):
    """`ucj explore` on a free port of 127.0.0.1, stopped with Ctrl-C (SIGINT) after the tests."""
    port = _free_port()
    tmp = tmp_path_factory.mktemp("voila")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp / "rt"))
    server = subprocess.Popen([str(BIN / "ucj"), "explore", "--data-dir", str(demo_dir), "--lang", "en",
                               "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env)
    base = f"http://127.0.0.1:{port}/"
    try:
        first = server.stdout.readline()  # type: ignore[union-attr]
        assert base in first, first
        address = re.search(r"http://\S+", first).group(0)  # with its token: a page opens only with it
        assert "?token=" in address
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "api", timeout=2)
                break
            except urllib.error.HTTPError:  # the server answers (Voila has no /api page)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("ucj explore did not answer within 90 s")
        yield address
    finally:
        server.send_signal(signal.SIGINT)
        try:
            out, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            pytest.fail("ucj explore did not stop on Ctrl-C within 30 s")
        assert server.returncode == 0 and "stopped" in out


@pytest.fixture(scope="module")
def page(browser, app):  # noqa: F811
    page = browser.new_page(viewport={"width": 1300, "height": 1100}, accept_downloads=True)
    page.goto(app, timeout=120_000)
    page.wait_for_selector(".ucj-coverage-headline", timeout=180_000)
    return page


def _dropdown(page, label: str):
    return page.locator(".widget-dropdown", has=page.locator("label", has_text=label)).locator("select")


def _slider_to(page, label: str, value: int) -> None:
    readout = page.locator(".widget-slider", has=page.locator("label", has_text=label)).locator(".widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type(str(value))
    readout.press("Enter")


def _table(page, name: str) -> pd.DataFrame:
    table = page.locator(f"table.ucj-{name}").first
    head = table.locator("thead th").all_inner_texts()
    rows = [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]
    return pd.DataFrame(rows, columns=head)


def _tab(page, title: str) -> None:
    page.locator(".lm-TabBar-tab", has_text=title).click()


def test_the_app_hides_code_and_shows_five_tabs(page):
    assert page.locator(".lm-TabBar-tab").all_inner_texts() == ["Coverage", "Claims", "Poverty", "Budget planner",
                                                                "Compare"]
    assert "explorer_app(" not in page.content()  # the code cells are not on the page
    assert "SYNTHETIC DEMO DATA" in page.locator(".ucj-synthetic").inner_text()


def test_pick_minahasa_the_headline_is_the_analysis_figure(page, demo_ds):
    from ucj.analysis.district import district_figures

    fig = district_figures(demo_ds, "71.02", denominator="working_population")
    _dropdown(page, "District").select_option(label="Kabupaten Minahasa (Sulawesi Utara)")
    expected = f"Coverage of Kabupaten Minahasa: {fig.coverage_pct:.1f} % ({fig.coverage_as_of:%Y-%m},"
    page.wait_for_selector(f".ucj-coverage-headline:has-text('{expected}')", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "explorer_coverage.png"), full_page=True)
    page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1300, "height": 1000})
    for title, name in (("Claims", "claims"), ("Poverty", "poverty")):
        _tab(page, title)
        page.wait_for_selector(f"table.ucj-{name}", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / f"explorer_{name}.png"), full_page=True)
    assert "Paid to heirs (JKM)" in page.content()


def test_budget_5000_workers_for_12_months_costs_rp_1008_billion(page):
    _tab(page, "Budget planner")
    _slider_to(page, "Additional workers", 10_000)
    _slider_to(page, "Months", 12)
    # 10,000 workers x 12 months x Rp 16,800 = Rp 2,016,000,000; 5,000 workers: Rp 1,008,000,000
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp 2,016,000,000')", timeout=30_000)
    _slider_to(page, "Additional workers", 5_000)
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp 1,008,000,000')", timeout=30_000)
    assert "Rp 1.008 bn" in page.locator(".ucj-budget-headline").inner_text()
    page.screenshot(path=str(ARTIFACTS / "explorer_budget.png"), full_page=True)
    page.locator(".widget-toggle-button", has_text="Bahasa Indonesia").click()  # the page's language changes
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp1.008.000.000')", timeout=30_000)
    assert "Rp1,008 M" in page.locator(".ucj-budget-headline").inner_text()
    assert page.locator(".lm-TabBar-tab").all_inner_texts()[3] == "Perencana anggaran"
    page.screenshot(path=str(ARTIFACTS / "explorer_budget_id.png"), full_page=True)
    page.locator(".widget-toggle-button", has_text="English").click()
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp 1,008,000,000')", timeout=30_000)


def test_compare_two_more_districts_and_download_the_table(page, tmp_path):
    _tab(page, "Compare")
    page.wait_for_selector("table.ucj-compare", timeout=60_000)
    before = _table(page, "compare")
    for name in ("Kabupaten Boalemo (Gorontalo)", "Kabupaten Banggai (Sulawesi Tengah)"):
        rows = len(_table(page, "compare"))
        _dropdown(page, "Compare with").select_option(label=name)
        page.locator("button", has_text="Add").click()
        page.wait_for_function("n => document.querySelectorAll('table.ucj-compare tbody tr').length === n",
                               arg=rows + 1, timeout=30_000)
    after = _table(page, "compare")
    assert len(after) == len(before) + 2
    assert list(after["District"][-2:]) == ["Kabupaten Boalemo", "Kabupaten Banggai"]
    page.screenshot(path=str(ARTIFACTS / "explorer_compare.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("a.ucj-download-csv").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    csv = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert csv.equals(after)
    with page.expect_download() as info:
        page.locator("a.ucj-download-xlsx").click()
    xlsx = pd.read_excel(io.BytesIO(open(info.value.path(), "rb").read()), dtype=str, keep_default_na=False)
    assert xlsx.equals(after)
