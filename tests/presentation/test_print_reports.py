"""The four seed reports printed, in both languages, as a report office would: `ucj reports --pdf`
(WeasyPrint), and the same pages printed by a browser (Debian's chromium through playwright, as a
reader pressing Ctrl-P). Every page of every PDF is read back with pdfplumber's word and box positions:
the synthetic banner covers no text (it sits once on page 1, and its short notice in the footer), no
table cell or word leaves the text column, the summary reads as the page's, figures print at 200 dpi or
more, and the PDF carries title, language and author and is tagged. The same pages, the index and a
province overview with its map then open in chromium with every request that would leave the machine
blocked and recorded (none may be made) and pass axe-core with no critical or serious violation.

Without chromium the browser tests skip, except under CI (CI=true), where they fail."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RAW, REPO

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BIN = Path(sys.executable).parent
ARTIFACTS = REPO / "test-artifacts"
SEEDS = ["Minahasa", "Banggai", "Boalemo", "Muna Barat"]
BOUNDARIES = RAW / "geo_ghapsara" / "kabkot-simplifed-topo.json"
A4 = (595.28, 841.89)  # points
SIDE_MARGIN = 12 / 25.4 * 72  # page.css: 12 mm left and right
BANNER_FILL = (1.0, 0.953, 0.804)  # #fff3cd, report.css .ucj-synthetic
KPI_FILL = (0.965, 0.976, 0.988)  # #f6f9fc, report.css .ucj-kpi
LANGS = ("id", "en")


def _ucj(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ucj"), *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def runs(demo_dir, tmp_path_factory):
    """The four seed reports with their PDFs in both languages (`ucj reports --pdf`, as `make run` does),
    and, in the Indonesian run, the Gorontalo overview with its map (`ucj report --province --boundaries`)."""
    out = tmp_path_factory.mktemp("print")
    for lang in LANGS:
        run = _ucj("reports", *[a for d in SEEDS for a in ("--district", d)], "--lang", lang, "--data-dir",
                   str(demo_dir), "--out", str(out), "--run", lang, "--workers", "2", "--no-progress", "--pdf")
        assert run.returncode == 0, run.stderr[-3000:]
    run = _ucj("report", "--province", "Gorontalo", "--boundaries", str(BOUNDARIES), "--lang", "id", "--pdf",
               "--data-dir", str(demo_dir), "--out", str(out), "--run", "id")
    assert run.returncode == 0, run.stderr[-3000:]
    return {lang: out / lang for lang in LANGS}


def _entries(run_dir: Path, part: str = "reports") -> list[dict]:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))[part]


def _reports(runs, lang: str) -> list[Path]:
    """The report folders of a run: the four districts (and, in Indonesian, the overview)."""
    folders = [runs[lang] / e["slug"] for e in _entries(runs[lang])]
    folders += [runs[lang] / e["slug"] for e in _entries(runs[lang], "overviews")]
    assert len(folders) == (5 if lang == "id" else 4)
    return folders


def _banner(folder: Path, lang: str) -> str:
    """The synthetic banner the report in `folder` shows: a district's follows the status of its coverage
    denominator (reader 9, R1: Minahasa's real potensi list), recorded in its key_figures.json."""
    from ucj.presentation.district import banner_text

    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    return banner_text(list(key.get("synthetic_tables") or []), key, lang)  # type: ignore[arg-type]


def _close(a: tuple, b: tuple, tol: float = 0.01) -> bool:
    return a is not None and len(a) == len(b) and all(abs(float(x) - y) <= tol for x, y in zip(a, b))


def _overlaps(a: dict, b: dict, tol: float = 0.5) -> bool:
    return a["x0"] < b["x1"] - tol and b["x0"] < a["x1"] - tol and a["top"] < b["bottom"] - tol \
        and b["top"] < a["bottom"] - tol


def _inside(inner: dict, outer: dict, tol: float = 0.5) -> bool:
    return inner["x0"] >= outer["x0"] - tol and inner["x1"] <= outer["x1"] + tol \
        and inner["top"] >= outer["top"] - tol and inner["bottom"] <= outer["bottom"] + tol


def _squash(text: str) -> str:
    """Text without its spaces and line ends (a PDF breaks lines where the page does)."""
    return "".join(text.split())


def banner_problems(pdf_path: Path, banner: str, footer: str) -> list[str]:
    """Where the synthetic banner covers text: on each page, every box of the banner's colour must hold
    the banner's words only, and the footer's notice must share its line with nothing; the banner box
    appears once, on page 1, and the notice on every page."""
    import pdfplumber

    problems = []
    with pdfplumber.open(pdf_path) as pdf:
        boxes_per_page = []
        for number, page in enumerate(pdf.pages, 1):
            words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
            boxes = [r for r in page.rects if _close(r.get("non_stroking_color"), BANNER_FILL)]
            boxes_per_page.append(len(boxes))
            for box in boxes:
                inside = [w for w in words if _inside(w, box)]
                if _squash(" ".join(w["text"] for w in inside)) != _squash(banner):
                    problems.append(f"page {number}: the banner box holds {' '.join(w['text'] for w in inside)!r}")
                for w in words:
                    if w not in inside and _overlaps(w, box):
                        problems.append(f"page {number}: the banner box covers the word {w['text']!r}")
            # the footer notice: the words of the notice on one line near the bottom of the page
            lines: dict[int, list[dict]] = {}
            for w in words:
                if w["top"] > page.height * 0.9:
                    lines.setdefault(round(w["top"]), []).append(w)
            found = [ws for ws in lines.values() if _squash(footer) in _squash(" ".join(x["text"] for x in ws))]
            if not found:
                problems.append(f"page {number}: no synthetic notice in the footer")
                continue
            notice = sorted(found[0], key=lambda w: w["x0"])
            start = next(i for i in range(len(notice)) if _squash(" ".join(x["text"] for x in notice[i:]))
                         .startswith(_squash(footer)))
            taken, text = [], ""
            for w in notice[start:]:
                if len(_squash(text)) >= len(_squash(footer)):
                    break
                taken.append(w)
                text += w["text"]
            box = {"x0": min(w["x0"] for w in taken), "x1": max(w["x1"] for w in taken),
                   "top": min(w["top"] for w in taken), "bottom": max(w["bottom"] for w in taken)}
            for w in words:
                if w not in taken and _overlaps(w, box, tol=0.0):
                    problems.append(f"page {number}: the footer notice overlaps {w['text']!r}")
        if boxes_per_page[:1] != [1] or any(boxes_per_page[1:]):
            problems.append(f"banner boxes per page: {boxes_per_page} (once, on page 1, is right)")
    return problems


def bounds_problems(pdf_path: Path) -> list[str]:
    """Words, table cells (their filled boxes) and rules that leave the text column or the page."""
    import pdfplumber

    problems = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            assert abs(page.width - A4[0]) < 1 and abs(page.height - A4[1]) < 1, (page.width, page.height)
            left, right = SIDE_MARGIN - 1.5, page.width - SIDE_MARGIN + 1.5  # (a browser rounds to its pixels)
            for kind, objects in (("text", page.chars), ("cell", page.rects), ("rule", page.lines)):
                for o in objects:
                    if o["x0"] < left or o["x1"] > right or o["top"] < -0.5 or o["bottom"] > page.height + 0.5:
                        what = o.get("text", "") if kind == "text" else f"{o['x1'] - o['x0']:.0f} pt wide"
                        problems.append(f"page {number}: {kind} {what!r} at x {o['x0']:.0f}-{o['x1']:.0f}")
    return problems


def html_summary(page_html: str) -> list[str]:
    """The key figures of a page, label and value, in order (as a reader sees them)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    return [_squash(k.get_text(" ")) for k in soup.select(".ucj-summary .ucj-kpi")]


def pdf_summary(pdf_path: Path) -> list[str]:
    """The key figures as the PDF prints them: the text inside each key-figure box, in reading order."""
    import pdfplumber

    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages[:3]:  # the summary may run onto a third page (an overview with more rows)
            boxes = [r for r in page.rects if _close(r.get("non_stroking_color"), KPI_FILL)]
            for box in sorted(boxes, key=lambda b: (round(b["top"]), b["x0"])):
                text = page.crop((box["x0"], box["top"], box["x1"], box["bottom"])).extract_text()
                out.append(_squash(text))
    return out


def _title(page_html: str) -> str:
    import html

    return html.unescape(re.search(r"<title>(.*?)</title>", page_html, re.S).group(1).strip())


# -- the PDFs `ucj reports --pdf` writes ----------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_metadata_pages_header_and_numbers(runs, lang):
    import pdfplumber

    from ucj.presentation.i18n import t

    for folder in _reports(runs, lang):
        key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
        page_html = (folder / "report.html").read_text(encoding="utf-8")
        with pdfplumber.open(folder / "report.pdf") as pdf:
            meta, catalog = pdf.metadata, pdf.doc.catalog
            assert meta["Title"] == _title(page_html) and meta["Title"].strip()
            assert meta["Author"] == t("report_author", lang)
            assert catalog["Lang"] == lang.encode()
            assert catalog["MarkInfo"]["Marked"] is True and "StructTreeRoot" in catalog  # tagged
            n = len(pdf.pages)
            area = key.get("district_name") or key["province"]
            for i, page in enumerate(pdf.pages, 1):
                assert (round(page.width), round(page.height)) == (595, 842)
                text = page.extract_text()
                head, foot = text.splitlines()[0], text.splitlines()[-1]
                assert area in head and str(key["last_period"]) in head, head
                number = f"Halaman {i} dari {n}" if lang == "id" else f"Page {i} of {n}"
                assert foot.endswith(number), foot


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_banner_covers_no_text(runs, lang):
    from ucj.presentation.i18n import t

    for folder in _reports(runs, lang):
        problems = banner_problems(folder / "report.pdf", _banner(folder, lang), t("print_synthetic_footer", lang))
        assert problems == [], f"{folder.name}: {problems[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_tables_stay_on_the_page(runs, lang):
    for folder in _reports(runs, lang):
        problems = bounds_problems(folder / "report.pdf")
        assert problems == [], f"{folder.name}: {problems[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_summary_reads_as_the_page(runs, lang):
    for folder in _reports(runs, lang):
        shown = html_summary((folder / "report.html").read_text(encoding="utf-8"))
        assert len(shown) >= 7
        assert pdf_summary(folder / "report.pdf") == shown, folder.name


def test_pdf_figures_print_at_200_dpi_or_more(runs):
    import pdfplumber

    for lang in LANGS:
        for folder in _reports(runs, lang):
            pngs = sorted(p.name for p in folder.glob("*.png"))
            with pdfplumber.open(folder / "report.pdf") as pdf:
                images = [im for page in pdf.pages for im in page.images]
            assert len(images) == len(pngs) >= 1, (folder.name, pngs)
            for im in images:
                dpi = im["srcsize"][0] / ((im["x1"] - im["x0"]) / 72)
                assert dpi >= 200, (folder.name, im["srcsize"], round(dpi))


def test_make_run_passes_pdf():
    """`make run` writes a PDF beside each seed report (the target this file's fixture follows)."""
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    target = text[text.index("\nrun:"):].split("\n\n")[0]
    assert "ucj reports $(SEEDS)" in target and "--pdf" in target


# -- in a browser --------------------------------------------------------------------------------
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


def _offline_page(browser, url: str):  # type: ignore[no-untyped-def]
    """A page opened with every request that is not a local file or inline data blocked and recorded."""
    context = browser.new_context(viewport={"width": 1200, "height": 1600})
    left: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            left.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, left, failed


@pytest.mark.parametrize("lang", LANGS)
def test_browser_print_keeps_banner_and_tables_on_the_page(browser, runs, lang, tmp_path):
    """A reader printing the page from the browser (A4 from the print stylesheet) gets the same clean pages."""
    from ucj.presentation.i18n import t

    for folder in _reports(runs, lang):
        page = browser.new_page()
        page.goto((folder / "report.html").as_uri())
        target = tmp_path / f"{folder.name}.pdf"
        page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
        page.close()
        problems = banner_problems(target, _banner(folder, lang), t("print_synthetic_footer", lang))
        problems += bounds_problems(target)
        assert problems == [], f"{folder.name}: {problems[:5]}"


def test_reports_and_index_open_offline(browser, runs):
    """Nothing a page needs leaves the machine: opened with all other requests blocked, each report, the
    overview and the index make no such request, and show everything (title, every figure loaded)."""
    pages = [folder / "report.html" for lang in LANGS for folder in _reports(runs, lang)]
    pages += [runs[lang] / "index.html" for lang in LANGS]
    for path in pages:
        context, page, left, failed = _offline_page(browser, path.as_uri())
        try:
            assert left == [] and failed == [], (path, left, failed)
            assert page.locator("h1").first.inner_text().strip()
            images = page.locator("img")
            loaded = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
            assert all(loaded), (path, loaded)
            if path.name == "report.html":
                assert images.count() >= 2
        finally:
            context.close()


def test_reports_and_index_pass_axe(browser, runs):
    from print_axe import serious_violations

    pages = [folder / "report.html" for lang in LANGS for folder in _reports(runs, lang)]
    pages += [runs[lang] / "index.html" for lang in LANGS]
    found = {}
    for path in pages:
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        page.goto(path.as_uri())
        bad = serious_violations(page)
        if bad:
            found[str(path.relative_to(path.parents[1]))] = bad
        page.close()
    assert found == {}


# -- the overview's map ----------------------------------------------------------------------------
def test_overview_draws_the_map_from_boundaries_without_machine_paths(runs):
    from ucj.presentation.i18n import t

    run_dir = runs["id"]
    entry = _entries(run_dir, "overviews")[0]
    folder = run_dir / entry["slug"]
    page_html = (folder / "report.html").read_text(encoding="utf-8")
    # the map of the demo's (synthetic) coverage carries the stamp: its alt text says so too (reader 15, R15-12)
    from ucj.presentation.i18n import tf

    alt = tf("alt_synthetic", "id", alt=t("chart_map_alt", "id").rstrip(". "))
    assert "sintetis" in alt and f'alt="{alt}"' in page_html.replace("&#x27;", "'")
    assert (folder / "map.png").is_file() and (folder / "scatter.png").is_file()
    assert "kabkot-simplifed-topo.json (sha256 " in page_html  # the map's source, named in the methods
    # the executed notebook shows the file relative to the report, and it leads to the file given
    nb = json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
    shown = nb["metadata"]["papermill"]["parameters"]["boundaries"]
    assert not Path(shown).is_absolute()
    if os.path.commonpath([BOUNDARIES.resolve(), folder.resolve()]) == "/":
        assert shown == BOUNDARIES.name  # sharing only the root: the name alone, never a '..' chain to /
    else:
        assert (folder / shown).resolve() == BOUNDARIES.resolve()
    assert entry["parameters"]["boundaries"] == shown
    # no absolute path (a relative one may climb to the root and down again: "../../work/shared/...")
    absolute = re.compile(rf"(?<![\w.])({re.escape(str(RAW))}|{re.escape(str(run_dir))})")
    for name in ("report.html", "report.ipynb", "key_figures.json"):
        text = (folder / name).read_text(encoding="utf-8")
        assert not absolute.search(text), (name, absolute.search(text))
    assert str(RAW) not in page_html
    assert not absolute.search((run_dir / "run.json").read_text(encoding="utf-8"))
