"""Reader 14's findings on the budget and the need (issue 18):

- R14-1: the budget's claim rates, expected claims and benefit/cost ratio rest on the data's APBD cohorts, which in
  the demo are synthetic (their JKM rate, 5.0 per 1,000, is three times the national 1.66): the scenarios, the
  assumptions and the claim-rate table say so where the values show, and the ratio at the national published rates
  (the reader: 0.43) stands beside the one used (1.16);
- R14-5: Muna Barat's "own rate differs beyond chance" (4 JKK claims against 121.8 expected) is the demo's split of
  the article's 120 claims into 116 deaths and 4 JKK claims: the page says so and draws no conclusion from it; the
  9,500 workers whose agreement ended are marked synthetic;
- R14-2: Methods no longer calls the lapse share "mean of the last 12 months" (it is today's lapses over today's
  active; Boalemo's 12-month mean is 3.74 %, the page's 2.9 % is 579 / 19,828);
- R14-7: a partial cut counts the workers not replaced (lapses less the month's registrations: Kota Gorontalo 29 - 4
  = 25), not every lapse of the month.

Oracles: pandas over the demo's Parquet files, the published national figures' CSV, the seed article (seed 004), and
hand arithmetic."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd
import pytest

from ucj.presentation.i18n import fmt_int, fmt_num, t

BOALEMO = "75.02"
MUNA_BARAT = "74.13"
KOTA = "75.71"
LANGS = ("id", "en")
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def _text(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))))


def _national_ratio() -> float:
    """The benefit/cost ratio at the national published rates, by hand from data/published/national_figures.csv:
    2023 JKK and JKM claims over the active participants of December 2023, the JKM benefit of Rp 42 m, the workbook's
    Rp 4 m mean JKK benefit, and the BPU contribution of Rp 16,800 a month (rates rounded to two decimals, as the
    assumptions table shows and uses them)."""
    f = pd.read_csv(REPO / "data" / "published" / "national_figures.csv").set_index("figure")["value"]
    active = float(f["active_participants_2023_12"])
    jkk = round(1000 * float(f["jkk_claims_2023"]) / active, 2)
    jkm = round(1000 * float(f["jkm_claims_2023"]) / active, 2)
    assert (jkk, jkm) == (4.28, 1.66)  # the reader's and the assumptions table's figures
    return (jkk / 1000 * 4_000_000 + jkm / 1000 * 42_000_000) / (12 * 16_800)


def _apbd_collective(demo_dir: Path) -> dict[str, float]:
    """Every APBD cohort's claims per 1,000 worker-years (active participant-months / 12), pooled, by pandas."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    c = pd.read_parquet(demo_dir / "claims.parquet")
    e = e[e["funding"] == "apbd"]
    c = c[(c["funding"] == "apbd") & (c["month"] >= e["month"].min()) & (c["month"] <= e["month"].max())]
    years = e["active"].sum() / 12
    return {p: 1000 * c.loc[c["programme"] == p, "claim_count"].sum() / years for p in ("JKK", "JKM")}


@pytest.mark.parametrize("lang", LANGS)
def test_budget_says_its_rates_are_synthetic_and_gives_the_national_ratio(district_page, demo_dir, lang):
    """R14-1 on Boalemo: the reader's pandas rates (JKK 5.99, JKM 5.01 per 1,000 worker-years, every APBD cohort)
    are the collective rates of the claim-rate table, three times the national JKM; the budget section says they are
    synthetic demo data (scenarios, both used-rate rows of the assumptions, the claim-rate table) and gives the ratio
    at the national rates, 0.43 by hand, beside the scenario table's own ratio."""
    collective = _apbd_collective(demo_dir)
    # the reader's figures were 5.99 and 5.01; Minahasa's village workers, APBD-funded from 2023-01 since R15-1, add
    # 2023 worker-years and their claims: 6.00 and 5.01 by the same pandas
    assert round(collective["JKK"], 2) == 6.00 and round(collective["JKM"], 2) == 5.01
    page = district_page(BOALEMO, lang)
    cr = page.report.results.credibility.set_index("programme")
    for prog in ("JKK", "JKM"):
        assert cr.loc[prog, "collective_rate_per_1000"] == pytest.approx(collective[prog], rel=1e-9)
    national = _national_ratio()
    assert round(national, 2) == 0.43
    used = page.report.results.budget["benefit_cost_ratio"]
    assert used.round(2).nunique() == 1  # every scenario row: both sides proportional to the worker-months
    # the scenario table's ratio by hand from the rates the budget uses (the claim-rate table's)
    by_hand = (cr.loc["JKK", "rate_per_1000"] / 1000 * 4_000_000 + cr.loc["JKM", "rate_per_1000"] / 1000
               * 42_000_000) / (12 * 16_800)
    assert used.iloc[0] == pytest.approx(by_hand)
    text = _text(page.html(("show_budget",)))
    synthetic = {"id": "data demo sintetis", "en": "synthetic demo data"}[lang]
    start = {"id": "Perkiraan klaim, manfaat", "en": "Expected claims, benefits"}[lang]
    i = text.index(start)
    sentence = text[i:text.index(fmt_num(national, lang, 2) + ".", i) + 5]
    assert synthetic in sentence and f"({fmt_num(used.iloc[0], lang, 2)})" in sentence
    assert i < text.index(t("assumptions_period_note", lang))  # beside the scenarios, before the assumptions
    assumptions = page.report.display_table("assumptions")
    used_rows = [r for r in assumptions.itertuples(index=False) if "kredibilitas" in str(r[2])
                 or "credibility-weighted" in str(r[2])]
    assert len(used_rows) == 2 and all(synthetic in str(r[2]) for r in used_rows)
    rates_part = text.split(t("claim_rates", lang))[-1]
    assert synthetic in rates_part
    # the workbook says it too, on its notes sheet
    import openpyxl

    notes = [str(c) for row in openpyxl.load_workbook(page.folder / "tables.xlsx")[t("sheet.notes", lang)]
             .iter_rows(values_only=True) for c in row if c]
    assert any(synthetic in n and fmt_num(national, lang, 2) in n for n in notes)


@pytest.mark.parametrize("lang", LANGS)
def test_muna_barat_jkk_flag_is_said_to_be_the_demos_split(district_page, demo_dir, lang):
    """R14-5: the demo's APBD claims of Muna Barat are 116 JKM and 4 JKK (pandas), adding up to the article's 120
    (seed 004: "sudah ada 120 peserta yang mengajukan klaim"); the flagged JKK gap is said to be the demo's making,
    without the old conclusion that the districts' rates differ; the 9,500 workers of the ended agreement are marked
    synthetic."""
    seed = next((SHARED / "seeds").glob("004*")).read_text(encoding="utf-8")
    assert "120 peserta yang mengajukan klaim" in seed
    c = pd.read_parquet(demo_dir / "claims.parquet")
    c = c[(c["district_code"] == MUNA_BARAT) & (c["funding"] == "apbd")]
    counts = c.groupby("programme")["claim_count"].sum()
    assert (int(counts["JKM"]), int(counts["JKK"])) == (116, 4)
    page = district_page(MUNA_BARAT, lang)
    text = _text(page.html(("show_budget",)))
    said = {"id": "dibagi oleh data demo menjadi 116 kematian (JKM) dan 4 klaim JKK",
            "en": "split by the demo into 116 deaths (JKM) and 4 JKK claims"}[lang]
    assert said in text and "120" in text
    # the table it points to is a heading the page shows (reader 15, R15-9: it named a title no page has)
    heading = t("published_vs_computed", lang)
    assert f"“{heading}”" in text and heading in _text(page.html(("show_seed_facts",)))
    assert {"id": "tidak semuanya sama", "en": "not all the same"}[lang] not in text
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    apbd = e[(e["district_code"] == MUNA_BARAT) & (e["funding"] == "apbd")].groupby("month")["active"].sum()
    ended = int(apbd.loc["2024-12-01"])
    assert ended == 9_500 and int(apbd.loc["2025-01-01"]) == 0
    need = _text(page.html(("show_workers_needed",)))
    assert f"{fmt_int(ended, lang)} ({t('basis_synthetic_short', lang)})" in need


@pytest.mark.parametrize("lang", LANGS)
def test_methods_no_longer_call_the_lapse_share_a_twelve_month_mean(district_page, demo_dir, lang):
    """R14-2 on Boalemo: the 12-month mean of lapsed / active (pandas, all funding, 2025) is 3.74 %, not the 2.9 %
    of today's lapses over today's active that the page prints; Methods says the gross need once, by group."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    m = e[e["district_code"] == BOALEMO].groupby("month")[["active", "lapsed"]].sum().sort_index()
    m["base"] = m["active"].shift()
    year = m.loc["2025-01-01":"2025-12-01"]
    assert round(100 * year["lapsed"].sum() / year["base"].sum(), 2) == 3.74
    page = district_page(BOALEMO, lang)
    text = _text(page.html(("show_data_notes",)))
    assert {"id": "rata-rata 12 bulan terakhir", "en": "mean of the last 12 months"}[lang] not in text
    need = page.report.key["workers_needed"]
    assert round(need["lapsed_per_month"]) == 579
    assert "lapse_rate_pct" not in need  # the blended rate, on no page, is not written (reader 18, R18-4)
    # said once, by group, and never called "not computed" (reader 15, R15-8: the R14-2 fix first said so)
    gross = fmt_int(need["gross_per_month"], lang)
    assert text.count(f"{fmt_int(need['lapsed_per_month'], lang)} {({'id': 'berhenti', 'en': 'lapses'})[lang]}") == 1
    assert gross in text and t("method_gross_missing", lang) not in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_partial_cut_counts_the_workers_not_replaced(district_page, demo_dir, lang):
    """R14-7 on Kota Gorontalo: in 2025-01 its APBD cell lapsed 29 and registered 4 (pandas), 1,925 -> 1,900: 25
    were not replaced; the page says 25 of the 1,925, with the 29 lapses and 4 registrations apart."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    a = e[(e["district_code"] == KOTA) & (e["funding"] == "apbd")].groupby("month")[
        ["active", "new_registrations", "lapsed"]].sum()
    before, jan = a.loc["2024-12-01"], a.loc["2025-01-01"]
    assert (int(jan["lapsed"]), int(jan["new_registrations"])) == (29, 4)
    unreplaced = int(before["active"] - jan["active"])
    assert unreplaced == int(jan["lapsed"] - jan["new_registrations"]) == 25
    page = district_page(KOTA, lang)
    text = _text(page.html(("show_workers_needed",)))
    said = {"id": f"{unreplaced} dari {fmt_int(before['active'], lang)} (sintetis) pekerja yang aktif pada 2024-12 "
                  f"tidak diganti pada 2025-01 (29 peserta keluar dan 4 pendaftaran pada bulan itu)",
            "en": f"{unreplaced} of the {fmt_int(before['active'], lang)} (synthetic) workers active in 2024-12 were "
                  f"not replaced in 2025-01 (29 lapses and 4 registrations that month)"}[lang]
    assert said in text
    # the workbook's sheet says the same (reader 15, R15-4: its "Workers 29" against the page's 25)
    import openpyxl

    rows = list(openpyxl.load_workbook(page.folder / "tables.xlsx")[t("sheet.agreement_ends", lang)]
                .iter_rows(values_only=True))
    head, row = list(rows[0]), rows[1]
    assert row[head.index(t("not_replaced", lang))] == unreplaced
    assert row[head.index(t("lapsed_in_month", lang))] == 29 and row[head.index(t("registered", lang))] == 4
    assert t("workers", lang) not in head


def test_the_budget_notebook_says_it_too(demo_ds):
    """R14-1 on the explorer's budget notebook (the code-free path): the same sentence under its scenario table, with
    the ratio at the national rates worked by hand."""
    import IPython.display

    from ucj.presentation.budget_view import budget_scenarios, display_scenarios

    table, context = budget_scenarios(demo_ds, BOALEMO, "5000, 10000", 1, "en")
    shown: list[str] = []
    saved = IPython.display.display
    IPython.display.display = lambda obj: shown.append(obj.data)
    try:
        display_scenarios(table, context)
    finally:
        IPython.display.display = saved
    text = _text(shown)
    assert "synthetic demo data here" in text
    assert f"the ratio would be {fmt_num(_national_ratio(), 'en', 2)}." in text
    assert f"({fmt_num(table['benefit_cost_ratio'].iloc[0], 'en', 2)})" in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_page_ending_in_july_adds_back_the_december_before(demo_ds, demo_dir, lang):
    """R13-5 on a page whose data end in a month other than December (an import of 2025-07; the demo cut at
    2025-07 by the report's own period parameter): the December component added back is that of 2024-12, the last
    December observed, by statsmodels' robust STL over the organic participants up to 2025-07, and the page names
    2024-12 (Boalemo: +188 participants)."""
    import numpy as np
    from statsmodels.tsa.seasonal import STL

    from conftest import sections_html
    from ucj.presentation import district as district_report
    from ucj.runs.params import validate_params

    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    own = e[(e["district_code"] == BOALEMO) & (e["funding"] == "self_employer") & (e["month"] <= "2025-07-01")]
    own = own.groupby("month")["active"].sum().sort_index()
    seasonal = STL(own.to_numpy(dtype="float64"), period=12, robust=True).fit().seasonal
    december = float(seasonal[np.flatnonzero(own.index.month == 12)[-1]])
    assert own.index[np.flatnonzero(own.index.month == 12)[-1]] == pd.Timestamp("2024-12-01")
    report = district_report.build(demo_ds, validate_params(BOALEMO, last_period="2025-07", lang=lang,
                                                            data_dir=str(demo_dir)))
    p = report.projection
    assert pd.Timestamp(p.last_month) == pd.Timestamp("2025-07-01") and p.seasonally_adjusted and p.model_used
    assert p.december_seasonal == pytest.approx(december, abs=0.5)
    text = _text(sections_html(report, ("show_coverage", "show_workers_needed")))
    # the last 12 months observed run 2024-08 - 2025-07, whose December is 2024-12's (pagest's wording, R14-4)
    assert "(2024-08 – 2025-07)" in text
    assert {"id": "Desember +", "en": "December +"}[lang] + fmt_int(december, lang) in text


@pytest.mark.parametrize("lang", LANGS)
def test_workers_funded_by_others_have_their_own_budget_column(district_page, demo_dir, lang):
    """Reader 15, R15-10 on Pohuwato: in 2025-12 its participants are 1,698 APBD-funded, 723 APBN-funded and 21,008
    without contribution assistance (pandas). The year-by-year budget counts the 723 in a column of their own, not
    among the participants without contribution assistance, whose 2029 count is today's 21,008 plus the change the
    text beside it states; every year's coverage is still the four columns over the denominator."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    now = e[(e["district_code"] == "75.04") & (e["month"] == e["month"].max())].groupby("funding")["active"].sum()
    assert (int(now["apbd"]), int(now.drop(["apbd", "self_employer"]).sum()), int(now["self_employer"])) == (
        1_698, 723, 21_008)
    page = district_page("75.04", lang)
    plan = page.report.results.budget_plan
    assert (plan["other_funded"] == 723).all() and (plan["existing_funded"] == 1_698).all()
    last = plan.iloc[-1]
    change = int(last["organic_at_year_end"]) - 21_008
    text = _text(page.html(("show_budget",)))
    assert ("+" + fmt_int(change, lang)) in text
    total = (last["organic_at_year_end"] + last["other_funded"] + last["existing_funded"]
             + last["additional_at_year_end"])
    assert 100 * total / last["denominator_at_year_end"] == pytest.approx(last["coverage_end_pct"], abs=0.01)
    assert t("other_funded", lang) in page.report.budget_plan_frame().columns
