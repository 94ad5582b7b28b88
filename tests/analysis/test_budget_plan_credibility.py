"""Issue 18, items 3-5: a budget that reaches the target year by year, credibility-weighted claim rates, and a
gross need whose lapse rate leaves out the ends of funding agreements. Oracles: hand-worked numbers and pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from ucj.analysis.budget import Assumptions, budget_to_target, plan_total
from ucj.analysis.coverage import agreement_ends

pytestmark = pytest.mark.slow  # seconds a test: make test only

MUNA_BARAT = "74.13"


# The Bühlmann-Straub estimator's hand-worked tests: tests/analysis/test_pagesd_credibility.py


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
        # the funded stock's rises add up to the stock at the end (the net need against the projected organic
        # path: tests/analysis/test_budgetfix_organic_path.py)
        assert plan["net_additional"].sum() == plan["additional_at_year_end"].iloc[-1]


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
    pooled = 100 * window["lapsed"].sum() / window["base"].sum()
    with_end = 100 * (window["lapsed"].sum() + apbd.loc[end_month, "lapsed"]) / window["base"].sum()
    assert with_end > 2 * pooled  # the end would more than double the rate
    # no funded worker is left after the end: the gross need's lapses are the self-funded rate (issue 18)
    own = e[e["funding"] == "self_employer"].groupby("month")[["active", "lapsed"]].sum().sort_index()
    own["base"] = own["active"].shift()
    w = own.loc["2025-01-01":"2025-12-01"]
    rate = 100 * w["lapsed"].sum() / w["base"].sum()
    assert fig.lapses.funded_basis == "none" and fig.lapses.funded_active == 0
    assert fig.lapse_rate_pct == pytest.approx(rate)
    assert fig.workers_needed_gross_per_month == pytest.approx(
        fig.projection.workers_needed_per_month + rate / 100 * fig.active)
    key = fig.key()
    last = end_month - pd.DateOffset(months=1)  # the agreement's last month with workers
    assert key["agreement_ends"] == [{"month": f"{end_month:%Y-%m}", "segment": "BPU", "funding": "apbd",
                                      "workers": int(apbd.loc[end_month, "lapsed"]),
                                      "last_active_month": f"{last:%Y-%m}",
                                      "active_before": int(apbd.loc[last, "active"]),
                                      "registered": int(apbd.loc[end_month, "new_registrations"]),
                                      # the end its published source reports (funding_agreements.csv, R18-1)
                                      "end_month_source": "seed 004 (PPID Muna Barat)",
                                      "data_basis": "basis_synthetic"}]  # the demo's enrolment


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
