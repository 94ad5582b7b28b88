"""Issue 18, reader 3's findings 7-9: every table of the province and national overviews (page and
workbook) names its period and which rows it holds; the overview summary gives the month of its active
participants and the probability of reaching the target; summary.csv names its P0 year column and the
index names the claims' 12 months; a table that has no rows (a district or area that cannot be projected)
says in one sentence why, never headers alone.

The expected headings, periods, rankings and probabilities are recomputed here with plain pandas and scipy
on the Parquet files, not read from ucj."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from scipy.stats import norm

from ucj.presentation.i18n import fmt_int, fmt_pct, reason_text, t

YEAR = re.compile(r"\b(19|20)\d\d\b")
SECTIONS = ("show_header", "show_summary", "show_ranking", "show_districts", "show_panel", "show_methods")


def _by_hand(demo_dir: Path) -> dict[str, object]:
    """The periods and the national ranking with plain pandas: the last month of the data, the 12 months
    of claims, the ranking's coverage (all participants at that month over the year's working population)."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    last = e["month"].max()
    months = e.loc[e["month"].dt.year == last.year, "month"]
    active = e[e["month"] == last].groupby("district_code")["active"].sum()
    wp = w[w["year"] == last.year].set_index("district_code")["working_population"]
    cov = (100 * active / wp).dropna().sort_values(ascending=False, kind="stable")
    return {"month": f"{last:%Y-%m}", "year": str(last.year),
            "window": f"{months.min():%Y-%m} – {months.max():%Y-%m}",
            "claims_window": f"{last - pd.DateOffset(months=11):%Y-%m} – {last:%Y-%m}",
            "districts": len(w["district_code"].unique()), "ranking": list(cov.index)}


def _page(ov, monkeypatch, top: int | None = 25) -> str:
    """Everything the overview notebook displays, as HTML (the cells in the notebook's order)."""
    import IPython.display

    shown: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    for name in SECTIONS:
        if name == "show_districts" and ov.results.province_code is None:
            continue
        if name == "show_ranking":
            if ov.results.province_code is None:
                ov.show_ranking(top)
            continue
        getattr(ov, name)()
    return "\n".join(shown)


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", fragment, flags=re.S)))


def _tables_with_what_comes_before(page: str) -> list[tuple[str, str]]:
    """(text between the previous table and this one, the table) for every table of the page."""
    out, end = [], 0
    for m in re.finditer(r"<table.*?</table>", page, flags=re.S):
        out.append((_text(page[end:m.start()]), m.group(0)))
        end = m.end()
    return out


def _assert_no_header_only_table(page: str) -> None:
    for _, table in _tables_with_what_comes_before(page):
        body = table.split("</thead>", 1)[-1]
        assert "<td" in body, f"a table with headers only: {_text(table)[:200]}"


def _assert_sheets_explained(path: Path, lang: str, periods: bool) -> dict[str, list[tuple]]:
    """Every sheet has rows or one sentence saying why it has none; with `periods`, every sheet is named on the
    notes sheet with a sentence that holds a period. Returns each sheet's rows."""
    wb = openpyxl.load_workbook(path)
    notes_name = t("sheet.notes", lang)
    notes: dict[str, list[str]] = {}  # a sheet may have several note lines (its period and others)
    for r in wb[notes_name].iter_rows(min_row=2, values_only=True):
        notes.setdefault(r[0], []).append(str(r[1] or ""))
    rows = {}
    for ws in wb.worksheets:
        rows[ws.title] = list(ws.iter_rows(values_only=True))
        if ws.title == notes_name:
            continue
        assert ws.max_row >= 2, f"sheet {ws.title} holds headers only"
        if periods:
            assert ws.title in notes and any(YEAR.search(n) for n in notes[ws.title]), (ws.title, notes.get(ws.title))
    return rows


def _is_reason_row(row: tuple) -> bool:
    return isinstance(row[0], str) and len(row[0]) > 30 and all(v is None for v in row[1:])


# -- finding 7: the national ranking and every overview table with its period ----------------------------
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_national_ranking_says_which_rows_it_holds_and_their_periods(demo_ds, demo_dir, monkeypatch, lang):
    from ucj.presentation.overview import build_overview

    hand = _by_hand(demo_dir)
    ov = build_overview(demo_ds, None, lang, figures=True, parameters={"top": 25})
    page = _page(ov, monkeypatch, 25)
    ranking = next(table for before, table in _tables_with_what_comes_before(page)
                   if t("jkk_per_1000", lang) in table)
    before = page[:page.find(ranking)]
    heading = _text(re.findall(r"<h2[^>]*>.*?</h2>", before, flags=re.S)[-1]).strip()
    n = hand["districts"]
    assert n == 514
    assert fmt_int(25, lang) in heading and fmt_int(n, lang) in heading and hand["month"] in heading
    line = _text(before[before.rfind("</h2>"):])
    assert hand["month"] in line and hand["window"] in line and hand["year"] in line  # every column's period
    heads = [_text(h).strip() for h in re.findall(r"<th[^>]*>.*?</th>", ranking, flags=re.S)]
    cells = re.findall(r"<tr>\s*<td>([^<]*)</td>", ranking)
    assert cells == hand["ranking"][:25]  # the 25 of the highest coverage, in order
    word = "penyebut" if lang == "id" else "denominator"
    assert heads[-1] == f"{t('working_population', lang)[:1].upper()}{t('working_population', lang)[1:]} " \
                        f"({word}), {hand['year']}"
    for h in heads:  # every column of values names its period
        if h not in (t("district_code", lang), t("district", lang)):
            assert YEAR.search(h), h
    # the workbook holds all 514 rows, and its notes sheet says so with the periods
    out = Path(demo_dir).parent / f"national-{lang}"
    ov.save(out)
    rows = _assert_sheets_explained(out / "tables.xlsx", lang, periods=True)
    sheet = rows[t("sheet.ranking", lang)]
    assert len(sheet) == 1 + n and [r[0] for r in sheet[1:26]] == hand["ranking"][:25]
    notes: dict[str, str] = {}  # every note line of a sheet, joined (a sheet may have more than one)
    for r in rows[t("sheet.notes", lang)][1:]:
        notes[r[0]] = f"{notes.get(r[0], '')} {r[1]}".strip()
    assert fmt_int(n, lang) in notes[t("sheet.ranking", lang)]
    for name in ("model_fits", "projection", "panel"):  # the projection and the panel estimate are in the workbook
        assert t(f"sheet.{name}", lang) in rows, name
    panel = rows[t("sheet.panel", lang)]
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    p = pd.read_parquet(demo_dir / "poverty.parquet").dropna(subset=["p0"])
    years = sorted(set(p["year"]) & {y + 1 for y in e.loc[e["month"].dt.month == 12, "month"].dt.year})
    head = list(panel[0])
    assert panel[1][head.index(t("first_year", lang))] == years[0]
    assert panel[1][head.index(t("last_year", lang))] == years[-1]
    assert f"{years[0]} – {years[-1]}" in notes[t("sheet.panel", lang)]


@pytest.mark.parametrize(("province", "lang"), [(None, "id"), (None, "en"), ("Gorontalo", "id"), ("Gorontalo", "en")])
def test_every_overview_table_and_sheet_carries_its_period(demo_ds, demo_dir, monkeypatch, province, lang):
    from ucj.presentation.overview import build_overview

    hand = _by_hand(demo_dir)
    ov = build_overview(demo_ds, province, lang, figures=True)
    page = _page(ov, monkeypatch)
    tables = _tables_with_what_comes_before(page)
    assert len(tables) >= 2
    for m in re.finditer(r"<table.*?</table>", page, flags=re.S):  # the paragraph right over each table: its period
        last_p = re.findall(r"<p[^>]*>(.*?)</p>", page[:m.start()], flags=re.S)[-1]
        assert page[:m.start()].rstrip().endswith("</p>") and YEAR.search(_text(last_p)), _text(m.group(0))[:120]
    _assert_no_header_only_table(page)
    if province is not None:
        heads = [_text(h).strip() for h in re.findall(r"<th[^>]*>.*?</th>", tables[0][1], flags=re.S)]
        assert f"{t('active', lang)}, {hand['month']}" in heads
        assert f"{t('claim_count', lang)}, {hand['claims_window']}" in heads
    # the summary: active participants with their month (reader's finding 8)
    items = dict(ov.summary_items())
    assert f"{t('active', lang)}, {hand['month']}" in items
    out = Path(demo_dir).parent / f"overview-{province}-{lang}"
    ov.save(out)
    _assert_sheets_explained(out / "tables.xlsx", lang, periods=True)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_overview_projection_gives_its_probability_as_a_district_page_does(demo_ds, lang):
    """The probability of reaching the target, recomputed from the forecast's mean and its 80 % interval under
    the normal forecast distribution (scipy), is printed beside the projection."""
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, "Gorontalo", lang, figures=True)
    p = ov.area.projection
    last = p.forecast.iloc[-1]
    assert not bool(last["lower_cut_at_0"])
    sd = (last["upper"] - last["lower"]) / (2 * norm.ppf(0.9))
    probability = norm.sf((p.target_pct - last["mean"]) / sd)
    text = dict(ov.summary_items())[t("area_projected_label", lang)]
    assert f"{t('probability_reaching_target', lang)} {fmt_pct(100 * probability, lang)}" in text


# -- finding 8: summary.csv's P0 year column and the index's claims period ---------------------------------
def test_summary_names_its_p0_year_and_the_index_its_claims_months(demo_ds, demo_dir, tmp_path):
    from ucj.analysis.district import district_figures
    from ucj.runs.index_page import index_figures, write_index, write_summary

    hand = _by_hand(demo_dir)
    bps = pd.read_csv(Path(__file__).parents[2] / "data" / "published" / "bps_poverty_kabkota.csv",
                      dtype={"district_code": str})
    codes = ["75.02", "72.01"]
    keys = [district_figures(demo_ds, c).key() for c in codes]
    entries = [{"district": c, "status": "ok", "key": index_figures(k)} for c, k in zip(codes, keys)]
    csv, _ = write_summary(tmp_path, entries)
    df = pd.read_csv(csv, dtype={"district_code": str}).set_index("district_code")
    assert "year" not in df.columns and "p0_year" in df.columns
    for c in codes:
        assert df.at[c, "p0_year"] == bps.loc[bps["district_code"] == c, "year"].max()
    page = html_lib.unescape(write_index(tmp_path / "index.html", entries, "id", True, "x").read_text())
    heads = re.findall(r'<th scope="col">([^<]*)</th>', page)
    # the claims count and amount, each named with its basis (reader 9, R4: "Nilai klaim JKK+JKM+JKP (12 bulan, …")
    claims = [h for h in heads if h.startswith((t("claim_count", "id"), t("claim_amount_rp", "id")))]
    assert len(claims) == 2 and all(h.endswith(hand["claims_window"]) for h in claims)
    # reports of different periods: each claims cell carries its own months
    other = dict(entries[1]["key"], figures={"claims_12m": {"period": "2024-01 – 2024-12"}})
    page = html_lib.unescape(write_index(tmp_path / "index2.html", [entries[0], dict(entries[1], key=other)], "en",
                                         True, "x").read_text())
    assert f"({hand['claims_window']})" in page and "(2024-01 – 2024-12)" in page


# -- finding 9: a district or area that cannot be projected says why, in one sentence --------------------
def _district_page(report, monkeypatch) -> str:
    import IPython.display

    shown: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    for name in ("show_summary", "show_seed_facts", "show_coverage", "show_workers_needed", "show_claims",
                 "show_poverty", "show_peers", "show_budget", "show_methods"):
        getattr(report, name)()
    return "\n".join(shown)


def _check_cannot_project(report, page: str, reason: str, lang: str, out: Path) -> None:
    text = _text(page)
    assert t("model_fits_heading", lang) not in text and t("model_terms_note", lang)[:40] not in text
    _assert_no_header_only_table(page)
    sentences = [s for s in re.split(r"(?<=\.)\s", text) if reason[:30] in s]
    assert sentences and all(s.count(":") <= 1 for s in sentences), sentences  # never three colons in a row
    report.save(out)
    rows = _assert_sheets_explained(out / "tables.xlsx", lang, periods=False)
    for name in ("model_fits", "projection", "projection_scenarios"):
        sheet = rows[t(f"sheet.{name}", lang)]
        assert len(sheet) == 2 and _is_reason_row(sheet[1]) and reason in sheet[1][0], name
        assert sheet[1][0].count(":") <= 1
    for title, sheet in rows.items():  # any other empty sheet: one sentence, too
        if title != t("sheet.notes", lang) and len(sheet) == 2 and all(v is None for v in sheet[1][1:]):
            assert _is_reason_row(sheet[1]), title


@pytest.mark.parametrize("lang", ["id", "en"])
def test_minahasa_cannot_be_projected_and_says_why(demo_ds, demo_dir, tmp_path, monkeypatch, lang):
    """Minahasa's coverage is over its potensi pekerja list, which the demo has for one year only: with plain
    pandas, fewer than 24 months have a denominator of their own, so no model can be fitted."""
    from ucj.presentation import district as district_report
    from ucj.runs.params import validate_params

    w = pd.read_parquet(demo_dir / "workforce.parquet")
    own = w[(w["district_code"] == "71.02") & w["potensi_pekerja"].notna()]
    assert 12 * len(own) < 24
    report = district_report.build(demo_ds, validate_params("71.02", lang=lang, data_dir=str(demo_dir)))
    assert report.projection.model_used is None
    reason = reason_text(f"reason_denominator_short(n={12 * len(own)}, need=24)", lang)
    _check_cannot_project(report, _district_page(report, monkeypatch), reason, lang, tmp_path)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_series_too_short_to_project_says_why_on_district_and_overview(demo_ds, demo_dir, tmp_path, monkeypatch,
                                                                         lang):
    """The state built directly: the data as they stood in 2019-10, ten months after the first (counted by
    hand), too short for any model, for Boalemo's page and Gorontalo's overview."""
    from ucj.presentation import district as district_report
    from ucj.presentation.overview import build_overview
    from ucj.runs.params import validate_params

    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    months = len(pd.date_range(e["month"].min(), "2019-10-01", freq="MS"))
    assert months == 10
    reason = reason_text(f"reason_too_short(n={months}, need=24)", lang)
    report = district_report.build(demo_ds, validate_params("75.02", lang=lang, data_dir=str(demo_dir),
                                                            last_period="2019-10"))
    assert report.projection.model_used is None
    _check_cannot_project(report, _district_page(report, monkeypatch), reason, lang, tmp_path / "district")
    ov = build_overview(demo_ds, "Gorontalo", lang, figures=True, last_period="2019-10")
    assert reason in dict(ov.summary_items())[t("area_projected_label", lang)]
    ov.save(tmp_path / "overview")
    rows = _assert_sheets_explained(tmp_path / "overview" / "tables.xlsx", lang, periods=True)
    for name in ("model_fits", "projection"):
        sheet = rows[t(f"sheet.{name}", lang)]
        assert len(sheet) == 2 and _is_reason_row(sheet[1]) and reason in sheet[1][0], name


# -- the path report staff take: `ucj reports ... --national` (kernels) ----------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_reports_made_by_the_cli_carry_periods_and_explain_empty_tables(demo_dir, tmp_path, lang):
    """Minahasa's report and the national overview made by `ucj reports --district Minahasa --national`: the
    code-free pages and workbooks as a reader gets them."""
    import subprocess
    import sys

    hand = _by_hand(demo_dir)
    run = subprocess.run([str(Path(sys.executable).parent / "ucj"), "reports", "--district", "Minahasa", "--national",
                          "--lang", lang, "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "r",
                          "--workers", "1", "--no-progress"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    folder = tmp_path / "r"
    national = (folder / "overview-national" / "report.html").read_text()
    assert tf_heading(lang, hand) in _text(national)
    _assert_no_header_only_table(national)
    _assert_sheets_explained(folder / "overview-national" / "tables.xlsx", lang, periods=True)
    minahasa = next(p for p in folder.iterdir() if p.name.startswith("7102"))
    page = (minahasa / "report.html").read_text()
    _assert_no_header_only_table(page)
    assert t("model_fits_heading", lang) not in _text(page)
    rows = _assert_sheets_explained(minahasa / "tables.xlsx", lang, periods=False)
    sheet = rows[t("sheet.model_fits", lang)]
    assert len(sheet) == 2 and _is_reason_row(sheet[1])
    summary = pd.read_csv(folder / "summary.csv", dtype={"district_code": str})
    assert "p0_year" in summary.columns and "year" not in summary.columns
    index = html_lib.unescape((folder / "index.html").read_text())
    # the claims columns name their programmes and their 12 months (reader 9, R4)
    heads = re.findall(r'<th scope="col">([^<]*)</th>', index)
    amount = [h for h in heads if "JKK+JKM+JKP" in h]  # the count and the amount columns (reader 15, R15-5)
    assert len(amount) >= 2, heads
    assert any("JKK+JKM+JKP" in h and h.endswith(hand["claims_window"]) for h in amount), heads


def tf_heading(lang: str, hand: dict[str, object]) -> str:
    from ucj.presentation.i18n import tf

    return tf("ranking_heading_top", lang, top=fmt_int(25, lang), total=fmt_int(hand["districts"], lang),
              period=hand["month"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_national_overview_without_a_panel_estimate_says_why_on_its_sheet(demo_ds, tmp_path, lang):
    """The state built directly: no panel estimate (as when the data hold too few years); the panel sheet holds
    the reason, never headers alone."""
    from dataclasses import replace

    from ucj.analysis.regions import area_figures, region_figures
    from ucj.presentation.overview import Overview

    fig = replace(region_figures(demo_ds, None), panel=None, panel_reason="only one year of P0")
    ov = Overview(lang, fig, True, area=area_figures(demo_ds, None))
    ov.save(tmp_path)
    rows = _assert_sheets_explained(tmp_path / "tables.xlsx", lang, periods=False)
    sheet = rows[t("sheet.panel", lang)]
    assert len(sheet) == 2 and _is_reason_row(sheet[1]) and "only one year of P0" in sheet[1][0]
