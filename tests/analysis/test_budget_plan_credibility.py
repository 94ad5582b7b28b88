"""Issue 18, items 3-5: a budget that reaches the target year by year, credibility-weighted claim rates, and a
gross need whose lapse rate leaves out the ends of funding agreements. Oracles: hand-worked numbers and pandas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ucj.analysis.budget import Assumptions, budget_to_target, buhlmann_straub, credible_rates, plan_total
from ucj.analysis.coverage import agreement_ends

pytestmark = pytest.mark.slow  # seconds a test: make test only

MUNA_BARAT = "74.13"


def test_buhlmann_straub_weight_hand_worked():
    """Three districts, national rate 2 per 1,000 a year:
    A 2 claims / 1,000 worker-years, B 10 / 2,000, C 0 / 500. Pooled EPV = 12 / 3,500 = 3/875.
    sum m (X - mu)^2 = 2,000 x 0.003^2 + 500 x 0.002^2 = 0.020; VHM = (0.020 - 3 x 3/875) / 3,500 = 8.5 / 3,062,500;
    k = EPV / VHM = 21,000 / 17 = 1,235.29 worker-years; Z_B = 2,000 / (2,000 + 21,000/17) = 34/55;
    B's rate = 34/55 x 5 + 21/55 x 2 = 212/55 = 3.8545 per 1,000."""
    idx = ["A", "B", "C"]
    bs = buhlmann_straub(pd.Series([2, 10, 0], index=idx), pd.Series([1_000.0, 2_000.0, 500.0], index=idx), 0.002)
    assert bs["epv"].iloc[0] == pytest.approx(3 / 875)
    assert bs["vhm"].iloc[0] == pytest.approx(8.5 / 3_062_500)
    assert bs["k"].iloc[0] == pytest.approx(21_000 / 17)
    assert bs.loc["B", "weight"] == pytest.approx(34 / 55)
    assert 1000 * bs.loc["B", "rate"] == pytest.approx(212 / 55)
    assert bs.loc["A", "weight"] == pytest.approx(1_000 / (1_000 + 21_000 / 17))
    assert 1000 * bs.loc["A", "rate"] == pytest.approx(2.0)  # its own rate is the national one


def test_no_evidence_of_difference_gives_the_national_rate():
    """Counts exactly at the national rate: the spread is below what Poisson noise alone gives, VHM = 0, weight 0."""
    bs = buhlmann_straub(pd.Series([2, 4]), pd.Series([1_000.0, 2_000.0]), 0.002)
    assert (bs["weight"] == 0).all() and math.isinf(bs["k"].iloc[0])
    assert (1000 * bs["rate"]).tolist() == pytest.approx([2.0, 2.0])


def test_budget_to_target_hand_worked():
    """December 2025: 20,000 active over 100,000 (20 %), target 32 % in 2027, no denominator growth: 12,000 net
    over 24 months, 500 a month. 2026: 6,000 added (26 %), 2027: 12,000 (32 %). The 1,000 already funded cost
    16,800 x 1,000 x 12 = Rp 201.6 m a year; the additional in 2026 16,800 x 500 x (1 + ... + 12) = Rp 655.2 m.
    Lapses 2 % a month of 20,000 = 400: gross 6,000 + 12 x 400 = 10,800 in a year. JKM at 5 per 1,000: 2026
    worker-years (1,000 x 12 + 500 x 78) / 12 = 4,250, 21.25 deaths."""
    plan = budget_to_target(pd.Timestamp("2025-12-01"), 20_000, 100_000, 0.0, 32.0, 2027, 2.0, 1_000,
                            jkk_per_1000=8.0, jkm_per_1000=5.0)
    assert plan["year"].tolist() == [2026, 2027] and plan["months"].tolist() == [12, 12]
    assert plan["net_additional"].tolist() == [6_000, 6_000]
    assert plan["gross_additional"].tolist() == [10_800, 10_800]
    assert plan["additional_at_year_end"].tolist() == [6_000, 12_000]
    assert plan["coverage_end_pct"].tolist() == pytest.approx([26.0, 32.0])
    assert plan["cost_existing_rp"].tolist() == [201_600_000, 201_600_000]
    assert plan.loc[0, "cost_additional_rp"] == 655_200_000
    assert plan.loc[1, "cost_additional_rp"] == 16_800 * 500 * sum(range(13, 25))
    assert plan.loc[0, "expected_jkm_deaths"] == pytest.approx(21.25)
    assert plan.loc[0, "expected_jkk_cases"] == pytest.approx(34.0)
    a = Assumptions()
    assert plan.loc[0, "expected_benefits_rp"] == pytest.approx(21.25 * a.jkm_benefit_rp + 34.0 * a.jkk_mean_benefit_rp)
    total = plan_total(plan)
    assert total["cost_rp"] == plan["cost_rp"].sum() and total["coverage_end_pct"] == pytest.approx(32.0)
    # employees' coverage counts PU only: budget-funded (BPU) workers cannot move it, so no plan is offered
    assert budget_to_target(pd.Timestamp("2025-12-01"), 20_000, 100_000, 0.0, 32.0, 2027, 2.0, 0, 8.0, 5.0,
                            counts_towards_coverage=False).empty


def test_seed_budgets_reach_their_targets(demo_ds):
    from ucj.analysis.district import district_figures

    for code in ("72.01", "75.02", MUNA_BARAT):
        fig = district_figures(demo_ds, code)
        plan, p = fig.budget_plan, fig.projection
        assert plan["year"].iloc[-1] == p.target_year
        assert plan["coverage_end_pct"].iloc[-1] == pytest.approx(p.target_pct, abs=0.01)
        assert plan["net_additional"].sum() == pytest.approx(p.workers_needed_total, abs=1)


def test_credible_rates_from_the_tables(demo_ds):
    """Muna Barat's APBD cohort (JKM): its deaths and worker-years counted with pandas; the weight and blend
    follow Bühlmann-Straub's formulas from every district's APBD cohort."""
    rates = {r.programme: r for r in credible_rates(demo_ds.claims, demo_ds.enrolment, MUNA_BARAT)}
    e = demo_ds.enrolment[demo_ds.enrolment["funding"] == "apbd"]
    c = demo_ds.claims[(demo_ds.claims["funding"] == "apbd") & (demo_ds.claims["programme"] == "JKM")]
    m = e.groupby("district_code")["active"].sum() / 12
    n = c.groupby("district_code")["claim_count"].sum().reindex(m.index, fill_value=0)
    m, n = m[m > 0], n[m > 0]
    mu = Assumptions().jkm_deaths_per_1000 / 1000
    epv = n.sum() / m.sum()
    vhm = max(((m * (n / m - mu) ** 2).sum() - len(m) * epv) / m.sum(), 0)
    z = m[MUNA_BARAT] / (m[MUNA_BARAT] + epv / vhm)
    r = rates["JKM"]
    assert r.own_count == n[MUNA_BARAT] and r.exposure_worker_years == pytest.approx(m[MUNA_BARAT])
    assert r.weight == pytest.approx(z)
    assert r.rate_per_1000 == pytest.approx(1000 * (z * n[MUNA_BARAT] / m[MUNA_BARAT] + (1 - z) * mu))


def test_muna_barat_gross_need_leaves_out_the_end_of_its_agreement(demo_ds):
    """The agreement's end (the APBD cell losing at least half its workers in one month) is on its own line and
    out of the lapse rate: the rate recomputed with pandas from the enrolment rows, all lapses of the last 12
    months but that cell's in that month, over the month before's active participants."""
    from ucj.analysis.district import district_figures

    fig = district_figures(demo_ds, MUNA_BARAT)
    e = demo_ds.enrolment[demo_ds.enrolment["district_code"] == MUNA_BARAT]
    apbd = e[e["funding"] == "apbd"].set_index("month").sort_index()
    before = apbd["active"].shift()
    drop = (before > 0) & (apbd["lapsed"] >= 0.5 * before)
    assert drop.sum() == 1
    end_month = drop[drop].index[0]
    ends = fig.agreement_ends
    assert len(ends) == 1 and ends.loc[0, "month"] == end_month and ends.loc[0, "funding"] == "apbd"
    assert ends.loc[0, "workers"] == apbd.loc[end_month, "lapsed"]
    monthly = e.groupby("month")[["active", "lapsed"]].sum().sort_index()
    monthly.loc[end_month, "lapsed"] -= apbd.loc[end_month, "lapsed"]
    monthly["base"] = monthly["active"].shift()
    window = monthly.loc["2025-01-01":"2025-12-01"]
    rate = 100 * window["lapsed"].sum() / window["base"].sum()
    assert fig.lapse_rate_pct == pytest.approx(rate)
    with_end = 100 * (window["lapsed"].sum() + apbd.loc[end_month, "lapsed"]) / window["base"].sum()
    assert with_end > 2 * rate  # the end would more than double the rate
    assert fig.workers_needed_gross_per_month == pytest.approx(
        fig.projection.workers_needed_per_month + rate / 100 * fig.active)
    key = fig.key()
    assert key["agreement_ends"] == [{"month": f"{end_month:%Y-%m}", "segment": "BPU", "funding": "apbd",
                                      "workers": int(apbd.loc[end_month, "lapsed"])}]


def test_agreement_ends_hand_made():
    rows = pd.DataFrame({"district_code": "74.13", "segment": "BPU", "funding": ["apbd"] * 4 + ["self_employer"] * 4,
                         "month": list(pd.date_range("2024-10-01", periods=4, freq="MS")) * 2,
                         "active": [100, 100, 40, 40, 100, 100, 10, 10], "lapsed": [0, 1, 61, 0, 0, 5, 95, 0]})
    ends = agreement_ends(rows)
    assert ends[["month", "funding", "workers", "active_before"]].values.tolist() == [
        [pd.Timestamp("2024-12-01"), "apbd", 61, 100]]  # self-funded participants never end an agreement


def test_the_page_shows_one_rate(demo_ds):
    """The scenario table's expected deaths and accidents use the rate the assumptions table shows as used,
    which is the claim-rates table's credibility-weighted rate (item 5: no national rate behind a cohort's)."""
    from ucj.analysis.district import district_figures

    fig = district_figures(demo_ds, MUNA_BARAT)
    shown = fig.assumptions.set_index("assumption")["value"]
    rates = fig.credibility.set_index("programme")["rate_per_1000"]
    assert shown["jkm_deaths_per_1000_used"] == pytest.approx(rates["JKM"], abs=0.005)
    assert shown["jkk_cases_per_1000_used"] == pytest.approx(rates["JKK"], abs=0.005)
    row = fig.budget[fig.budget["workers"] == 5_000].iloc[0]
    assert row["expected_jkm_deaths"] == pytest.approx(5_000 * shown["jkm_deaths_per_1000_used"] / 1000)
    assert row["expected_jkk_cases"] == pytest.approx(5_000 * shown["jkk_cases_per_1000_used"] / 1000)


def test_the_budget_notebook_uses_the_reports_rates(demo_ds):
    """The budget-scenario notebook's expected claims use the same credibility-weighted rates as the report."""
    from ucj.analysis.district import district_figures
    from ucj.presentation.budget_view import budget_scenarios

    table, context = budget_scenarios(demo_ds, MUNA_BARAT, "5000", 1, "en")
    fig = district_figures(demo_ds, MUNA_BARAT)
    report = fig.budget[fig.budget["workers"] == 5_000].iloc[0]
    assert table.iloc[0]["expected_jkm_deaths"] == pytest.approx(report["expected_jkm_deaths"])
    assert table.iloc[0]["expected_jkk_cases"] == pytest.approx(report["expected_jkk_cases"])
    assert context["assumptions"].equals(fig.assumptions)
