"""Reader 5's findings on the district page and its workbook (F3, F6, F8, F9, F14, F15, F16, F17), on the four seed
districts in both languages, read as a planner reads them: the page as the notebook shows it (conftest.sections_html),
tables.xlsx and key_figures.json as saved beside it. Oracles: pandas over the demo's Parquet files, the seed article
in ../shared/seeds, and the page itself where the workbook must say what the page says."""

from __future__ import annotations

import html
import json
import re

import openpyxl
import pandas as pd
import pytest
from conftest import REPO

from ucj.presentation import district as district_report
from ucj.presentation.i18n import fmt_int, fmt_pct, fmt_rp, t

pytestmark = pytest.mark.slow  # whole demo pages: make test only

SEEDS = ("71.02", "72.01", "74.13", "75.02")
MINAHASA, MUNA_BARAT = "71.02", "74.13"


@pytest.fixture(scope="module")
def raw(demo_dir):
    return {n: pd.read_parquet(demo_dir / f"{n}.parquet") for n in ("enrolment", "workforce", "claims")}


@pytest.fixture(scope="module")
def pages(district_page):
    cache: dict = {}

    def get(code: str, lang: str) -> dict:
        if (code, lang) not in cache:
            built = district_page(code, lang)
            r, folder, shown = built.report, built.folder, built.html()
            text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>|<img[^>]*>", "", "\n".join(shown),
                                                                 flags=re.S)))
            cache[code, lang] = {"report": r, "html": "\n".join(shown), "text": re.sub(r"\s+", " ", text),
                                 "wb": openpyxl.load_workbook(folder / "tables.xlsx"),
                                 "key": json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))}
        return cache[code, lang]
    return get


def _sheet(wb, name: str) -> pd.DataFrame:
    rows = list(wb[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def _notes(wb, lang: str) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in wb[t("sheet.notes", lang)].iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_excel_says_what_the_page_says_for_facts_not_compared(pages, lang):
    """F3: a published fact whose computed side is synthetic or the article's own figure shows no difference in
    the workbook either (it read "Selisih 0", "0,33", "1.263"): the workbook's difference cell holds the page's
    reason, word for word, and key_figures.json records no difference for it."""
    seen = 0
    for code in SEEDS:
        p = pages(code, lang)
        page = p["report"].published_table()
        if page is None or page.empty:
            continue
        xl = _sheet(p["wb"], t("sheet.seed_facts", lang))
        diff, reasons = t("difference", lang), {t("basis_synthetic_difference", lang),
                                                 t("basis_same_source_difference", lang)}
        assert len(xl) == len(page)
        for shown_cell, xl_cell in zip(page[diff], xl[diff]):
            if shown_cell in reasons:
                seen += 1
                assert xl_cell == shown_cell, (code, xl_cell)
            else:
                assert not (isinstance(xl_cell, str) and xl_cell in reasons), code
        for row in p["key"]["seed_facts"]:
            if row.get("not_compared"):
                assert row["difference"] is None and row["not_compared"] in reasons
    assert seen >= 6  # Minahasa's potensi and four synthetic rows, Muna Barat's two claims rows


@pytest.mark.parametrize("lang", ["id", "en"])
def test_each_table_period_line_matches_its_rows(pages, raw, lang):
    """F6: the assumptions table no longer says "for 2025-12" (its rows are 2023 and 2024 figures; the JKM rate is
    2023's since citejkm, no longer 2022's); the page and the workbook give the same line. The peer table gives
    each column's period, as the overviews' ranking does, worked out here from the demo's enrolment months and
    claims of 2025."""
    months = raw["enrolment"]["month"]
    last = months[months.dt.year == 2025].max()
    jkk = raw["claims"][(raw["claims"]["programme"] == "JKK") & (raw["claims"]["month"].dt.year == 2025)]["month"]
    for code in SEEDS:
        p = pages(code, lang)
        notes = _notes(p["wb"], lang)
        assumptions = [b for a, b in notes if a == t("sheet.assumptions", lang)]
        # the period line, then what the rows' sources are (the workbook's defaults: docs/pagesh.md, F2)
        assert assumptions == [t("assumptions_period_note", lang), t("assumptions_sources_note", lang)]
        assert t("assumptions_period_note", lang) in p["text"]
        for year in ("2023", "2024"):  # the years the line names are the rows' own
            assert any(year in str(s) for s in p["report"].display_table("assumptions")[t("source", lang)])
        peers = [b for a, b in notes if a == t("sheet.peers", lang)]
        assert len(peers) == 1
        assert f"{last:%Y-%m}" in peers[0] and f"{jkk.min():%Y-%m} – {jkk.max():%Y-%m}" in peers[0]
        assert "2025" in peers[0] and peers[0] in p["text"]
        bare = {t("table_period", lang).format(period=x) for x in ("2025", f"{last:%Y-%m}")}
        assert not bare & set(peers + assumptions)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_sources_rows_cite_only_this_districts_rows(pages, demo_ds, lang):
    """F8: "Angkatan kerja" and "Rencana daerah" cite the sources of the district's own rows only (Banggai's page
    cited ANTARA Sulut, Minahasa's potensi; Minahasa's cited Boalemo's and Muna Barat's articles), and the demo
    is named once."""
    others = {"ANTARA": MINAHASA, "hariantoday": "75.02", "PPID": MUNA_BARAT}
    for code in SEEDS:
        prov = pages(code, lang)["report"].tables["provenance"].set_index("table")
        for table in ("workforce", "plans"):
            cell = prov.at[table, "source"]
            rows = getattr(demo_ds, table)
            own = " ".join(rows.loc[rows["district_code"] == code, "source"].astype(str))
            for outlet, owner in others.items():
                if owner != code and outlet not in own:
                    assert outlet not in cell, (code, table, cell)
            assert cell.count(t("synthetic-demo", lang)) <= 1, cell
        assert "PPID Kabupaten Muna Barat" in prov.at["plans", "source"] if code == MUNA_BARAT else True
        assert "ANTARA Sulut" in prov.at["workforce", "source"] if code == MINAHASA else True


@pytest.mark.parametrize("lang", ["id", "en"])
def test_minahasa_target_quoted_and_its_year_marked_assumed(pages, lang):
    """F9: Minahasa's target row quotes the article (seed 003's own words, found in the article here), and its
    year 2029, which the article does not give, reads "assumed" on the summary card and in the batch index."""
    from ucj.runs.index_page import _row

    article = " ".join(p.read_text(encoding="utf-8") for p in (REPO.parent / "shared" / "seeds").glob("003_*.txt"))
    article = re.sub(r"\s+", " ", article)
    p = pages(MINAHASA, lang)
    plans = p["report"].display_table("plans").set_index(t("quantity", lang))
    quoted = plans.at[t("coverage_target_pct", lang), t("wording", lang)]
    pieces = quoted.strip("“”").split(" ... ")
    assert len(pieces) == 2 and all(x in article for x in pieces)
    assumed = t("target_year_assumed", lang)
    card = dict(p["report"].summary_items())[t("target", lang)]
    assert card == f"{fmt_pct(100, lang)} (2029, {assumed})"
    row = _row({"district": MINAHASA, "status": "ok"}, p["key"], lang, pairings=("potensi_pekerja",))
    assert f"{fmt_pct(100, lang)} (2029, {assumed})" in html.unescape(row)
    boalemo = dict(pages("75.02", lang)["report"].summary_items())[t("target", lang)]
    assert assumed not in boalemo  # the RPJMN gives its year


@pytest.mark.parametrize("lang", ["id", "en"])
def test_muna_barat_plan_covers_only_on_the_central_projection(pages, lang):
    """F14: "the plan covers them, with 130 to spare" is said on the central projection, with the chance the
    summary gives the plan (the same number in both places)."""
    r = pages(MUNA_BARAT, lang)["report"]
    line = next(x for x in r.budget_plan_sentences() if "10.000" in x or "10,000" in x)
    chance = fmt_pct(r.plan_scenario()["probability_pct"], lang)
    assert chance in line and ("proyeksi tengah" if lang == "id" else "central projection") in line
    scenario = dict(r.summary_items())[f"{t('plan_scenario_label', lang)}, 2029-12"]
    assert chance in scenario


@pytest.mark.parametrize("lang", ["id", "en"])
def test_heirs_line_carries_its_period(pages, raw, lang):
    """F15: "Paid to heirs (JKM)" gives its 12 months, the same as the claims table's; key_figures.json records
    the period too. Count and amount summed here from the demo's claims."""
    c = raw["claims"]
    for code in SEEDS:
        p = pages(code, lang)
        months = c["month"][(c["month"] > "2024-12-01") & (c["month"] <= "2025-12-01")]
        window = f"{months.min():%Y-%m} – {months.max():%Y-%m}"
        jkm = c[(c["district_code"] == code) & (c["programme"] == "JKM") & c["month"].between(months.min(), months.max())]
        deaths, amount = int(jkm["claim_count"].sum()), int(jkm["claim_amount_rp"].sum())
        expected = f"{t('heirs', lang)}, {window}: {fmt_int(deaths, lang)} · {fmt_rp(amount, lang)}."
        assert expected in p["text"], code
        assert p["key"]["heirs_12m"]["period"] == window == p["key"]["table_periods"]["claims_12m"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_verdict_rule_stated_and_informative_column_explained(pages, lang):
    """F16: the methods say what each verdict means (the rule of projection.judge and informative), the page's
    verdicts follow it on their printed bounds, and the Excel notes explain "Interval informative", whose values
    follow the explanation: width of the month's interval no more than 100 % minus today's coverage."""
    for code in ("72.01", MUNA_BARAT, "75.02"):
        p = pages(code, lang)
        r = p["report"]
        assert r.verdict_definition() in r.methods_lines() and r.verdict_definition() in p["text"]
        pr = r.projection
        status = "likely" if pr.lower_pct >= pr.target_pct else "unlikely" if pr.upper_pct < pr.target_pct \
            else "uncertain"
        assert pr.status == status or (status == "uncertain" and pr.status == "cannot_say")
        notes = [b for a, b in _notes(p["wb"], lang) if a == t("sheet.projection", lang)]
        assert r.verdict_definition() in notes and any(t("informative", lang) in n for n in notes)
        today = dict(r.summary_items())
        cov = next(v for k, v in today.items() if k.startswith(r.coverage_label()))
        assert fmt_pct(pr.last_coverage_pct, lang) == cov.rstrip(" *") and any(cov.rstrip(" *") in n for n in notes)
        sheet = _sheet(p["wb"], t("sheet.projection", lang))
        # the bounds' headers name their denominator since reader 12's L3: "Batas atas (% dari penduduk bekerja)"
        share = {"id": "{} (% dari {})", "en": "{} (% of {})"}[lang]
        den = t(str(r.key["denominator"]), lang)
        width = sheet[share.format(t("upper", lang), den)] - sheet[share.format(t("lower", lang), den)]
        expect = [t("yes" if w <= 100 - pr.last_coverage_pct + 1e-9 else "no", lang) for w in width]
        assert list(sheet[t("informative", lang)]) == expect


@pytest.mark.parametrize("lang", ["id", "en"])
def test_budget_total_row_labels_its_year_end_values(pages, lang):
    """F17: in the budget plan's total row the stocks (funded at year end, already funded, self-enrolled at year
    end, coverage) are the last year's year-end values and say so; the flows are sums of the year rows."""
    for code in SEEDS:
        frame = pages(code, lang)["report"].budget_plan_frame()
        last, total = frame.iloc[-2], frame.iloc[-1]
        at = t("at_year_end_of", lang).format(period=f"{last.iloc[0]}-12")  # the last year's December
        for col in district_report.STOCK_COLUMNS:
            head = t(col, lang)
            assert total[head] == f"{last[head]} ({at})", (code, col)
        months = t("months", lang)
        assert int(total[months]) == sum(int(x) for x in frame[months].iloc[:-1])
