"""Reader 17, R17-4 and R17-8: the national and province overviews carry their published figures and targets.

`ucj reports --province Gorontalo --national` is walked end to end in both languages. The national overview's page
cites each published national coverage figure with outlet, title and date; its workbook's key figures sheet holds
the computed coverage, the published coverage, the target, the RPJMN/RKP path and the projection's summary (value,
80 % interval, verdict, probability) with period, basis and source; key_figures.json gives them as typed figures.
The province overview's workbook holds its own target and projection. The run's index names the nation's target as
the national page does.

Oracles: the published figures are parsed here from the publications' own words stored in
data/published/national_figures.csv, and their outlets, titles and dates are read from citations.csv, both with plain
pandas; numbers and dates are written out by hand (not with the workbook's formatters); the page (report.html) and
the workbook (tables.xlsx) of the same run are compared cell by cell."""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import REPO

BIN = Path(sys.executable).parent
LANGS = ("id", "en")
MONTHS = {"id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                 "November", "Desember"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"]}
COVERAGE = ("ucj_coverage_2025_04_pct", "ucj_coverage_2025_10_pct")
PATH = ("rpjmn_target_2025_pct", "rkp_target_2026_pct", "rpjmn_target_2029_pct")
# the words each language uses, written out here (not read from the catalogue)
WORDS = {"id": {"sheet": "Angka utama", "notes": "Catatan", "published": "Cakupan UCJ nasional yang dipublikasikan",
                "target": "Target", "above": "di atas", "national_target": "target nasional RPJMN 2025–2029",
                "default": "target bawaan nasional"},
         "en": {"sheet": "Key figures", "notes": "Notes", "published": "National UCJ coverage as published",
                "target": "Target", "above": "above", "national_target": "the national RPJMN 2025–2029 target",
                "default": "national default target"}}


def _stated(wording: str) -> float:
    """The percentage an Indonesian sentence states ("… 37,01 persen" -> 37.01), parsed by hand."""
    return float(re.findall(r"(\d+,\d+) persen", wording)[-1].replace(",", "."))


def _pct(value: float, lang: str, decimals: int) -> str:
    text = f"{value:.{decimals}f} %"
    return text.replace(".", ",") if lang == "id" else text


def _date(iso: str, lang: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d} {MONTHS[lang][m - 1]} {y}"


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    """Each published figure with its stated value and its publication's outlet, title and date (plain pandas)."""
    f = pd.read_csv(REPO / "data" / "published" / "national_figures.csv", dtype=str, keep_default_na=False)
    c = pd.read_csv(REPO / "data" / "published" / "citations.csv", dtype=str, keep_default_na=False)
    c = c.drop_duplicates("source_article")
    out = f[f["figure"].isin(COVERAGE + PATH)].merge(c[["source_article", "publisher", "title", "date"]],
                                                     on="source_article", how="left", validate="many_to_one")
    out["stated"] = out["wording"].map(_stated)
    return out.set_index("figure")


@pytest.fixture(scope="module", params=LANGS)
def run(request, demo_dir, tmp_path_factory) -> tuple[str, Path]:
    lang = request.param
    out = tmp_path_factory.mktemp(f"natov-{lang}")
    done = subprocess.run([str(BIN / "ucj"), "reports", "--province", "Gorontalo", "--national", "--lang", lang,
                           "--data-dir", str(demo_dir), "--out", str(out), "--run", "r", "--workers", "2",
                           "--no-progress"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return lang, out / "r"


def _summary(folder: Path) -> dict[str, str]:
    """The page's summary cards: label -> value, as the reader sees them (report.html)."""
    page = (folder / "report.html").read_text()
    cells = re.findall(r'<div class="ucj-kpi-label">(.*?)</div>\s*<div class="ucj-kpi-value">(.*?)</div>', page, re.S)
    assert cells
    return {html.unescape(a): html.unescape(b) for a, b in cells}


def _sheet(folder: Path, name: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(folder / "tables.xlsx")[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _notes(folder: Path, lang: str) -> list[tuple[object, object]]:
    ws = openpyxl.load_workbook(folder / "tables.xlsx")[WORDS[lang]["notes"]]
    return [(r[0], r[1]) for r in ws.iter_rows(min_row=2, values_only=True)]


def _value(row: dict[str, object]) -> float:
    return float(row[next(k for k in row if k in ("Nilai", "Value"))])  # type: ignore[arg-type]


def _cell(row: dict[str, object], *heads: str) -> object:
    return row[next(k for k in row if k in heads)]


@pytest.mark.slow
def test_national_page_cites_each_published_figure_with_outlet_title_and_date(run, published):
    lang, r = run
    summary = _summary(r / "overview-national")
    text = summary[WORDS[lang]["published"]]
    for figure in COVERAGE:
        p = published.loc[figure]
        assert p["title"] and p["date"]  # citations.csv records both
        cited = f"{p['publisher']}, {p['title']}, {_date(p['date'], lang)}"
        assert f"{_pct(p['stated'], lang, 2)} ({p['period']}; {cited})" in text, (figure, text)
    assert WORDS[lang]["above"] in text  # the page has the computed coverage above it
    target = summary[WORDS[lang]["target"]]
    rpjmn = published.loc["rpjmn_target_2029_pct"]
    assert f"{rpjmn['publisher']}, {rpjmn['title']}, {_date(rpjmn['date'], lang)}" in target
    for figure in PATH:
        assert _pct(published.loc[figure, "stated"], lang, 2) in target, (figure, target)


@pytest.mark.slow
def test_national_workbook_holds_the_pages_published_figures_target_path_and_projection(run, published):
    lang, r = run
    folder = r / "overview-national"
    summary = _summary(folder)
    rows = _sheet(folder, WORDS[lang]["sheet"])
    indicators = [str(_cell(x, "Indikator", "Indicator")) for x in rows]
    # the computed coverage first, as on the page
    computed = next(v for k, v in summary.items() if k.startswith(indicators[0]))
    assert computed == _pct(_value(rows[0]), lang, 1)
    # the published coverage: the stated value, its month and its citation, as the page gives them
    for figure in COVERAGE:
        p = published.loc[figure]
        row = next(x for x in rows if _cell(x, "Indikator", "Indicator") == WORDS[lang]["published"]
                   and _cell(x, "Periode", "Period") == p["period"])
        assert _value(row) == p["stated"]
        assert _cell(row, "Sumber", "Source") == f"{p['publisher']}, {p['title']}, {_date(p['date'], lang)}"
        assert _pct(_value(row), lang, 2) in summary[WORDS[lang]["published"]]
    # the target and the RPJMN/RKP path, each with its year and the statement's citation
    target = next(x for x in rows if _cell(x, "Indikator", "Indicator") == WORDS[lang]["target"])
    assert _value(target) == published.loc["rpjmn_target_2029_pct", "stated"]
    assert summary[WORDS[lang]["target"]].startswith(_pct(_value(target), lang, 1) + " (2029)")
    path = [x for x in rows if "RPJMN" in str(_cell(x, "Indikator", "Indicator"))
            or "RKP" in str(_cell(x, "Indikator", "Indicator"))]
    assert [(_value(x), str(_cell(x, "Periode", "Period"))) for x in path] == [
        (published.loc[f, "stated"], published.loc[f, "period"]) for f in PATH]
    # the projection's summary: value, interval, its level, verdict and probability, as the page's projection card
    projection = rows[-1]
    shown = summary[str(_cell(projection, "Indikator", "Indicator"))]
    low = float(_cell(projection, "Batas bawah", "Lower bound"))  # type: ignore[arg-type]
    high = float(_cell(projection, "Batas atas", "Upper bound"))  # type: ignore[arg-type]
    level = float(_cell(projection, "Tingkat selang prediksi", "Interval level"))  # type: ignore[arg-type]
    assert level == 80
    assert shown.startswith(f"{_pct(_value(projection), lang, 1)} (")
    assert f"{_pct(low, lang, 1)}–{_pct(high, lang, 1)})" in shown and _pct(level, lang, 0) in shown
    verdict = str(_cell(projection, "Status"))
    probability = float(_cell(projection, "Peluang mencapai target", "Probability of reaching the target"))  # type: ignore[arg-type]
    assert f" – {verdict}, " in shown and shown.endswith(_pct(probability, lang, 1))
    assert str(_cell(projection, "Periode", "Period")) == "2029-12"
    # no row without its period, basis and source
    for x in rows:
        assert all(_cell(x, *h) for h in (("Periode", "Period"), ("Dasar ukur", "Basis"), ("Sumber", "Source"))), x


@pytest.mark.slow
def test_national_key_figures_are_typed_and_agree_with_the_workbook(run, published):
    lang, r = run
    folder = r / "overview-national"
    key = json.loads((folder / "key_figures.json").read_text())
    for item, figure in zip(key["published_national_coverage"], COVERAGE):
        p = published.loc[figure]
        assert (item["figure"], item["value"], item["unit"], item["period"]) == (figure, p["stated"], "%", p["period"])
        assert (item["source"]["publisher"], item["source"]["title"], item["source"]["date"]) == (
            p["publisher"], p["title"], p["date"])
        assert item["basis"] == "not_stated"
    assert [(x["figure"], x["value"], x["period"]) for x in key["national_target_path"]] == [
        (f, published.loc[f, "stated"], published.loc[f, "period"]) for f in PATH]
    assert [x.get("plan") for x in key["national_target_path"]] == ["RPJMN 2025–2029", "RKP 2026", "RPJMN 2025–2029"]
    rows = _sheet(folder, WORDS[lang]["sheet"])
    projection = rows[-1]
    assert _value(projection) == pytest.approx(key["projection"]["projected_pct"], rel=1e-12)  # xlsx keeps 15 digits
    assert _value(rows[0]) == pytest.approx(key["coverage_pct"], rel=1e-12)
    # the notes sheet says what the workbook holds: no "above" without a line above it
    notes = [str(b) for a, b in _notes(folder, lang) if a == WORDS[lang]["sheet"]]
    note = next(n for n in notes if WORDS[lang]["published"] in n)
    assert WORDS[lang]["above"] not in note and _pct(key["coverage_pct"], lang, 1) in note
    assert not any(str(a) == WORDS[lang]["published"] for a, _ in _notes(folder, lang))  # no page sentence copied


@pytest.mark.slow
def test_province_workbook_holds_its_own_target_and_projection(run):
    lang, r = run
    folder = r / "overview-75-gorontalo"
    summary = _summary(folder)
    key = json.loads((folder / "key_figures.json").read_text())
    rows = _sheet(folder, WORDS[lang]["sheet"])
    assert WORDS[lang]["published"] not in summary and "published_national_coverage" not in key
    target = next(x for x in rows if _cell(x, "Indikator", "Indicator") == WORDS[lang]["target"])
    assert _value(target) == pytest.approx(key["target_pct"], rel=1e-12) and str(_cell(target, "Periode", "Period")) == str(key["target_year"])
    assert summary[WORDS[lang]["target"]].startswith(_pct(_value(target), lang, 1))
    projection = rows[-1]
    assert _value(projection) == pytest.approx(key["projection"]["projected_pct"], rel=1e-12)  # xlsx keeps 15 digits
    shown = summary[str(_cell(projection, "Indikator", "Indicator"))]
    assert shown.startswith(_pct(key["projection"]["projected_pct"], lang, 1))
    assert _pct(key["projection"]["lower_pct"], lang, 1) in shown and _pct(key["projection"]["upper_pct"], lang, 1) in shown


@pytest.mark.slow
def test_the_index_names_the_nations_target_as_the_national_page_does(run):
    """R17-8: on the national overview the RPJMN figure is the nation's own target, not a default; the province's
    row still says its districts share the national default."""
    lang, r = run
    page = (r / "index.html").read_text()
    overviews = re.search(r"<table id='ucj-overviews'.*?</table>", page, re.S).group(0)  # type: ignore[union-attr]
    national = next(x for x in re.findall(r"<tr.*?</tr>", overviews, re.S) if "overview-national/" in x)
    province = next(x for x in re.findall(r"<tr.*?</tr>", overviews, re.S) if "overview-75-gorontalo/" in x)
    assert f"(2029, {WORDS[lang]['national_target']})" in html.unescape(national)
    assert WORDS[lang]["default"] not in html.unescape(national)
    assert f"(2029, {WORDS[lang]['default']})" in html.unescape(province)
    assert WORDS[lang]["national_target"] in _summary(r / "overview-national")[WORDS[lang]["target"]]


@pytest.mark.slow
def test_the_national_workbook_reads_in_one_language(run):
    """The key figures sheet and the notes hold none of the other language's catalogue sentences once the cited
    titles and outlets (as published, in Indonesian) are taken out."""
    from test_report_text import _foreign_phrases

    lang, r = run
    wb = openpyxl.load_workbook(r / "overview-national" / "tables.xlsx")
    text = "\n".join(str(v) for name in (WORDS[lang]["sheet"], WORDS[lang]["notes"])
                     for row in wb[name].iter_rows(values_only=True) for v in row if v is not None)
    cited = pd.read_csv(REPO / "data" / "published" / "citations.csv", dtype=str, keep_default_na=False)
    for title in sorted([x for x in list(cited["title"]) + list(cited["publisher"]) if x], key=len, reverse=True):
        text = text.replace(title, " ")
    found = [p for p in _foreign_phrases(lang) if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
    assert found == []
