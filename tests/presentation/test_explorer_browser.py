"""The explorer as planners use it without code: `ucj explore` serves it (Voila) and a real browser
(Debian's chromium, driven by playwright) picks a district, plans a budget, compares districts and
downloads the tables; in Bahasa Indonesia, every tab is checked with axe-core (vendored in
tests/vendor/axe-core), every label and number read as a planner sees it, and the page may not send a
single request off this machine. Screenshots of each tab go to test-artifacts/."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import signal
import subprocess
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO
from test_browser import ARTIFACTS, BIN, _free_port, browser  # noqa: F401 - the shared browser fixture

pytestmark = pytest.mark.slow
SCREENSHOT = ARTIFACTS / "explorer_screenshot.png"  # README image: copied to docs/ by hand, never by a test
AXE = REPO / "tests" / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1, as published
TAB_KEYS = ("coverage", "claims", "poverty", "budget", "compare")


@contextlib.contextmanager
def _explorer(demo_dir: Path, tmp: Path, lang: str):
    """`ucj explore` on a free port of 127.0.0.1, its address (with the token) once it answers; stopped with
    Ctrl-C (SIGINT) after the tests, which must stop it cleanly."""
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp / "rt"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # the server's log beside the screenshots, so that a page that never opens leaves a trace of why
    server = subprocess.Popen([str(BIN / "ucj"), "explore", "--data-dir", str(demo_dir), "--lang", lang,
                               "--port", str(port), "--log", str(ARTIFACTS / f"explorer_server_{lang}.log")],
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        first = server.stdout.readline()  # type: ignore[union-attr]  # printed once the server answers
        assert f"http://127.0.0.1:{port}/" in first, first
        address = re.search(r"http://\S+", first).group(0)  # type: ignore[union-attr]
        assert "?token=" in address  # a page opens only with it
        yield address
    finally:
        server.send_signal(signal.SIGINT)
        try:
            out, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            pytest.fail("ucj explore did not stop on Ctrl-C within 30 s")
        assert server.returncode == 0 and "stopped" in out


def _open(browser, address: str):  # noqa: F811
    """A page on the explorer with every request that would leave this machine refused and recorded.

    Opened a second time, as a planner would reload it, when the first page does not finish within its
    limits: under a full test run's load a Voila page now and then never finishes loading (voila#1446,
    seen about once in a full run, never alone). The stuck attempt leaves a screenshot and a line in
    test-artifacts/explorer_reloads.txt; a page that fails twice fails the test."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in (1, 2):
        page = browser.new_page(viewport={"width": 1300, "height": 1100}, accept_downloads=True)
        page.offsite = []  # type: ignore[attr-defined]

        def guard(route, page=page) -> None:  # type: ignore[no-untyped-def]
            host = urllib.parse.urlsplit(route.request.url).hostname
            if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
                route.continue_()
            else:
                page.offsite.append(route.request.url)  # type: ignore[attr-defined]
                route.abort()

        page.route("**/*", guard)
        try:
            page.goto(address, timeout=120_000)
            page.wait_for_selector(".ucj-coverage-headline", timeout=180_000)
            return page
        except PlaywrightTimeout as stuck:
            if attempt == 2:
                raise
            ARTIFACTS.mkdir(exist_ok=True)
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "explorer_stuck.png"), timeout=30_000)
            with (ARTIFACTS / "explorer_reloads.txt").open("a", encoding="utf-8") as log:
                log.write(f"explorer page opened again after: {str(stuck).splitlines()[0]}\n")
            page.close()
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def app(demo_dir, tmp_path_factory):
    with _explorer(demo_dir, tmp_path_factory.mktemp("voila_en"), "en") as address:
        yield address


@pytest.fixture(scope="module")
def page(browser, app):  # noqa: F811
    return _open(browser, app)


@pytest.fixture(scope="module")
def page_id(browser, demo_dir, tmp_path_factory):  # noqa: F811
    with _explorer(demo_dir, tmp_path_factory.mktemp("voila_id"), "id") as address:
        yield _open(browser, address)


def _dropdown(page, label: str):
    return page.locator(".widget-dropdown", has=page.locator("label", has_text=label)).locator("select")


def _slider_to(page, label: str, value: int) -> None:
    """Move a slider with the keyboard (arrow keys, one step each), as a planner without a mouse would."""
    handle = page.get_by_role("slider", name=label, exact=True)  # the handle is named by its label (the template)
    now = int(float(handle.get_attribute("aria-valuenow")))
    step = {"Additional workers": 500, "Pekerja tambahan": 500}.get(label, 1)
    handle.focus()
    key = "ArrowRight" if value > now else "ArrowLeft"
    for _ in range(abs(value - now) // step):
        handle.press(key)
    page.wait_for_function("([h, v]) => Math.round(parseFloat(h.getAttribute('aria-valuenow'))) === v",
                           arg=[handle.element_handle(), value], timeout=30_000)


def _table(page, name: str) -> pd.DataFrame:
    table = page.locator(f"table.ucj-{name}").first
    head = table.locator("thead th").all_inner_texts()
    rows = [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]
    return pd.DataFrame(rows, columns=head)


def _tab(page, title: str) -> None:
    page.locator(".lm-TabBar-tab", has_text=title).click()


def _axe(page) -> list[tuple[str, str, int]]:
    """axe-core's critical and serious violations on the page as it stands: (rule, impact, nodes)."""
    page.add_script_tag(path=str(AXE))  # inline: no request
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => [v.id, v.impact, v.nodes.length])")
    return [tuple(v) for v in found if v[1] in ("critical", "serious")]


def _cut(page) -> list[str]:
    """Every label, tab title and dropdown value that is drawn narrower than its text (cut or '…')."""
    return page.evaluate("""() => {
        const out = [];
        const canvas = document.createElement('canvas').getContext('2d');
        for (const el of document.querySelectorAll('.ucj-explorer .widget-label, .ucj-explorer .lm-TabBar-tabLabel,'
                                                   + ' .ucj-explorer .widget-toggle-button, .ucj-explorer button')) {
            if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1) { out.push(el.textContent); }
        }
        for (const s of document.querySelectorAll('.ucj-explorer select')) {
            if (s.offsetParent === null || s.selectedIndex < 0) { continue; }
            const st = getComputedStyle(s);
            canvas.font = st.font;
            const text = s.options[s.selectedIndex].text;
            const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 16;  // the arrow
            if (canvas.measureText(text).width > room) { out.push(text); }
        }
        return out;
    }""")


# ------------------------------------------------------------------ in English (the planner's path)


def test_the_app_hides_code_and_shows_five_tabs(page):
    assert page.locator(".lm-TabBar-tab").all_inner_texts() == ["Coverage", "Claims", "Poverty", "Budget planner",
                                                                "Compare"]
    assert "explorer_app(" not in page.content()  # the code cells are not on the page
    assert "Run all cells" not in page.content()  # nor the notebook's instructions for JupyterLab
    assert page.title() == "UCJ explorer" and page.locator("html").get_attribute("lang") == "en"
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


def test_budget_10000_then_5000_workers_for_12_months(page):
    _tab(page, "Budget planner")
    _slider_to(page, "Months", 12)
    _slider_to(page, "Additional workers", 10_000)
    # 10,000 workers x 12 months x Rp 16,800 = Rp 2,016,000,000; 5,000 workers: Rp 1,008,000,000
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp 2,016,000,000')", timeout=30_000)
    assert "10,000" in page.locator(".ucj-readout").first.inner_text()  # the readout grouped like the page
    _slider_to(page, "Additional workers", 5_000)
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp 1,008,000,000')", timeout=30_000)
    assert "Rp 1.01 bn" in page.locator(".ucj-budget-headline").inner_text()
    page.screenshot(path=str(ARTIFACTS / "explorer_budget.png"), full_page=True)
    page.locator(".widget-toggle-button", has_text="Bahasa Indonesia").click()  # the page's language changes
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp1.008.000.000')", timeout=30_000)
    assert "Rp1,01 M" in page.locator(".ucj-budget-headline").inner_text()
    assert page.locator(".lm-TabBar-tab").all_inner_texts()[3] == "Perencana anggaran"
    assert page.locator(".ucj-readout").first.inner_text() == "5.000"
    page.wait_for_function("() => document.title === 'Penjelajah UCJ' && document.documentElement.lang === 'id'",
                           timeout=30_000)  # the browser tab follows the toggle
    page.locator(".widget-toggle-button", has_text="English").click()
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp 1,008,000,000')", timeout=30_000)
    page.wait_for_function("() => document.title === 'UCJ explorer'", timeout=30_000)


def test_compare_two_more_districts_and_download_the_table(page, demo_ds, tmp_path):
    from ucj.analysis.explore import compare_table

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
    expected = compare_table(demo_ds, list(after["Code"]))  # the analysis layer, called here directly
    with page.expect_download() as info:
        page.locator("a.ucj-download-csv").click()
    assert info.value.suggested_filename == "ucj_compare_synthetic-demo.csv"  # demo data says so in its name
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    csv = pd.read_csv(path, dtype={"Code": str, "P0 year": str})
    assert list(csv.columns) == list(after.columns) and list(csv["District"]) == list(after["District"])
    assert csv["Coverage"].tolist() == pytest.approx(expected["coverage_pct"].tolist())  # numbers, not "22.9 %"
    assert csv["Active participants"].tolist() == expected["active"].round().astype(int).tolist()
    with page.expect_download() as info:
        page.locator("a.ucj-download-xlsx").click()
    xlsx = pd.read_excel(io.BytesIO(Path(info.value.path()).read_bytes()), sheet_name="compare")
    assert xlsx["Coverage"].tolist() == pytest.approx(expected["coverage_pct"].tolist())


def test_no_request_left_the_machine(page):
    """Everything the explorer needs is served by `ucj explore` (no CDN for fonts, require.js or MathJax)."""
    assert page.offsite == []  # type: ignore[attr-defined]


# ------------------------------------------------------------------ in Bahasa Indonesia, tab by tab


def test_every_tab_in_bahasa_indonesia_is_readable_and_passes_axe(page_id):
    """Each tab as a planner in Bahasa Indonesia sees it (a screenshot in test-artifacts/): the page's title
    and language, every label in Indonesian and none cut, every chart with alt text, every number by the
    report's rules, and no critical or serious axe-core violation."""
    from ucj.presentation.i18n import t

    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    page = page_id
    assert page.title() == t("explorer_title", "id") and page.locator("html").get_attribute("lang") == "id"
    assert t("explorer_intro", "id") in page.locator(".ucj-intro").inner_text()
    assert "Run all cells" not in page.content() and "Explore /" not in page.content()
    titles = page.locator(".lm-TabBar-tab").all_inner_texts()
    assert titles == [t(f"tab_{k}", "id") for k in TAB_KEYS]
    problems: dict[str, object] = {}
    for key, title in zip(TAB_KEYS, titles):
        _tab(page, title)
        # as long as the page's first paint may take under a full run's load (a CI run saw the coverage table
        # miss 60 s after the headline had come; the server log beside the screenshots says what the server did)
        page.wait_for_selector(f"table.ucj-{key}", timeout=180_000)
        page.wait_for_timeout(500)  # the widgets settle
        page.screenshot(path=str(ARTIFACTS / f"explorer_id_{key}.png"), full_page=True)
        if cut := _cut(page):
            problems[f"{key}: cut"] = cut
        if bad := _axe(page):
            problems[f"{key}: axe"] = bad
        alts = page.locator(".ucj-explorer img").evaluate_all("imgs => imgs.filter(i => i.offsetParent).map(i => i.alt)")
        if key != "budget" and (not alts or any(len(a) < 30 for a in alts)):
            problems[f"{key}: alt"] = alts
        text = page.locator(".ucj-explorer").inner_text()
        if ungrouped := re.findall(r"\b\d{5,}\b", text):  # "10000", where Indonesian writes "10.000"
            problems[f"{key}: ungrouped"] = ungrouped[:5]
        if english := re.findall(r"\S*\d\.\d+ ?%", text):  # "22.9 %", where Indonesian writes "22,9 %"
            problems[f"{key}: decimal point"] = english[:5]
    assert problems == {}
    assert page.offsite == []  # type: ignore[attr-defined]


def test_the_budget_download_read_back_with_openpyxl_gives_the_analysis_numbers(page_id, demo_ds):
    """Issue 21: the budget table as the planner downloads it (XLSX, in Bahasa Indonesia) holds the analysis
    layer's numbers with the report's number formats."""
    from openpyxl import load_workbook

    from ucj.analysis.district import district_figures
    from ucj.analysis.explore import budget_plan
    from ucj.presentation.i18n import XL_FORMATS, t

    page = page_id
    _tab(page, t("tab_budget", "id"))
    page.wait_for_selector("table.ucj-budget", timeout=60_000)
    _slider_to(page, t("months", "id"), 24)
    page.wait_for_selector(".ucj-budget-headline:has-text('Rp2.016.000.000')", timeout=30_000)  # 5.000 x 24 x 16.800
    year = int(page.locator(".ucj-readout").nth(3).inner_text())
    with page.expect_download() as info:
        page.locator("a.ucj-download-xlsx").click()
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert t("synthetic_banner", "id") in [c.value for c in wb.worksheets[0]["B"]]  # the notes sheet says so
    ws = wb["budget"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    plan = budget_plan(district_figures(demo_ds, "75.02", denominator="working_population"), 5_000, 24, 16_800, year)
    for key, number, kind in (("apbd_cost", 2_016_000_000, "rp"), ("months", 24, "count"),
                              ("coverage_after_pct", plan.scenario["coverage_after_pct"], "pct"),
                              ("expected_jkk_claims", plan.expected_jkk_claims_rp, "rp"),
                              ("workers_needed_gross", plan.gross_per_month, "count"),
                              ("cost_per_year_rp", plan.cost_per_year_rp, "rp")):
        cell = rows[t(key, "id")]
        assert isinstance(cell.value, (int, float)) and cell.value == pytest.approx(number), key
        assert cell.number_format == XL_FORMATS[kind], key
    assert plan.scenario["cost_rp"] == 2_016_000_000
    assert page.offsite == []  # type: ignore[attr-defined]
