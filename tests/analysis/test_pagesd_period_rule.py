"""Reader's finding 1: the page's one as-of month. When the denominator lags the participants, the latest
participants are divided by the latest denominator (the rule stated), so the projection, the net need and the
budget plan start from the latest month and no month already in the data is treated as future. Oracles: numbers
worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.budget import budget_to_target
from ucj.analysis.projection import SeriesToProject, carry_denominator, project


def _series():
    """2023-01 to 2025-12: 30,000 active rising by 100 a month; the denominator (100,000) only for 2023 and 2024."""
    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    active = 30_000 + 100 * np.arange(36, dtype="float64")
    den = np.where(months.year < 2025, 100_000.0, np.nan)
    return pd.DataFrame({"month": months, "active": active, "denominator_value": den, "coverage_pct": 100 * active / den})


def test_carry_denominator_hand_worked():
    cols = {c: _series()[c].to_numpy() for c in _series().columns}
    out, year = carry_denominator(cols)
    assert year == 2024
    assert out["denominator_value"][-1] == 100_000 and out["coverage_pct"][-1] == pytest.approx(100 * 33_500 / 100_000)
    assert np.isnan(cols["coverage_pct"][-1])  # the caller's columns are left as they were
    full = dict(cols, denominator_value=np.full(36, 100_000.0))
    assert carry_denominator(full)[1] is None  # nothing lags: nothing carried


def test_projection_starts_from_the_latest_month_and_grows_the_denominator_from_its_own_year():
    """Target 50 % in 2027 with 10 % growth a year: the denominator of 2024 grows three years, to 133,100; today's
    33,500 (2025-12) leave 66,550 - 33,500 = 33,050 over the 24 months to 2027-12: 1,377.08 a month."""
    wf = pd.DataFrame({"district_code": ["75.02"] * 2, "year": [2023, 2024], "working_population": [100_000] * 2})
    p = project(SeriesToProject(_series(), wf, "75.02", "working_population", 50.0, 2027, denominator_growth=0.1))
    assert p.last_month == pd.Timestamp("2025-12-01") and p.denominator_year == 2024
    assert p.denominator_at_target == pytest.approx(133_100)
    assert p.months_remaining == 24
    assert p.workers_needed_per_month == pytest.approx(33_050 / 24)
    if len(p.forecast):
        assert p.forecast["month"].min() == pd.Timestamp("2026-01-01")  # 2025 is observed, never forecast


def test_budget_plan_from_a_lagging_denominator_hand_worked():
    """From 2025-12, 33,500 active over the 2024 denominator 100,000 growing 10 % a year, target 50 % in 2027:
    2026's denominator is 121,000, 2027's 133,100; need 66,550 - 33,500 = 33,050, 1,377.08 a month: 16,525 by the
    end of 2026 (coverage (33,500 + 16,525) / 121,000 = 41.34 %), 33,050 by the end of 2027 (50 %)."""
    plan = budget_to_target(pd.Timestamp("2025-12-01"), 33_500, 100_000, 0.1, 50.0, 2027, 1.0, 0, 5.0, 5.0,
                            denominator_year=2024)
    assert plan["year"].tolist() == [2026, 2027]
    assert plan["denominator_at_year_end"].tolist() == [121_000, 133_100]
    assert plan["additional_at_year_end"].tolist() == [16_525, 33_050]
    assert plan["coverage_end_pct"].tolist() == pytest.approx([100 * 50_025 / 121_000, 50.0])


def test_a_fit_needs_24_months_with_their_own_denominator():
    """Reader's second pass: Minahasa's 12 months of potensi list plus 12 carried gave a fit whose 80 % interval
    four years ahead was under 2 pp wide (only the participants move after the list's last month). Hand-made:
    12 own + 12 carried months is not fitted (the reason names 12 of 24), the need still starts from the latest
    month; 24 own + 12 carried is fitted."""
    rng = np.random.default_rng(3)
    wf = pd.DataFrame({"district_code": ["75.02"], "year": [2024], "working_population": [100_000]})

    def series(own_years: int) -> pd.DataFrame:
        months = pd.date_range(f"{2025 - own_years}-01-01", periods=12 * (own_years + 1), freq="MS")
        active = 30_000 + 100 * np.arange(len(months)) + rng.normal(0, 300, len(months))
        den = np.where(months.year < 2025, 100_000.0, np.nan)
        return pd.DataFrame({"month": months, "active": active, "denominator_value": den,
                             "coverage_pct": 100 * active / den})

    short = project(SeriesToProject(series(1), wf, "75.02", "working_population", 50.0, 2029, denominator_growth=0.0))
    assert (short.status, short.reason) == ("not_fitted", "reason_denominator_short(n=12, need=24)")
    assert short.last_month == pd.Timestamp("2025-12-01") and short.workers_needed_per_month > 0
    longer = project(SeriesToProject(series(2), wf, "75.02", "working_population", 50.0, 2029, denominator_growth=0.0))
    # fitted (the models are tried on all 36 months); whether a fit is usable is the identifiability rule's
    # business (this straight line with noise ends on the ETS damping bound: docs/modelid.md)
    assert longer.status != "not_fitted" and longer.months_fitted == 36
    assert [f.fitted for f in longer.fits if f.model == "ets_damped"] == [True]


def test_segments_after_a_lagging_denominator_are_over_the_latest_one(demo_ds):
    """Reader's second pass: Minahasa's coverage chart left 2025 blank (its potensi list was then of 2024; it is of
    2023 now, reader 15, R15-1). The monthly coverage by segment carries the list, as the summary does: worked out
    here with pandas from the tables, and the segments of 2025-12 sum to the summary's coverage."""
    from ucj.analysis.district import district_figures

    fig = district_figures(demo_ds, "71.02")
    e, w = demo_ds.enrolment, demo_ds.workforce  # the tables as read
    (den,) = w[(w["district_code"] == "71.02") & w["potensi_pekerja"].notna()]["potensi_pekerja"].astype(float)
    dec = e[(e["district_code"] == "71.02") & (e["month"] == "2025-12-01")].groupby("segment")["active"].sum()
    shown = fig.coverage_by_segment_monthly
    shown = shown[shown["month"] == pd.Timestamp("2025-12-01")].set_index("segment")["coverage_pct"]
    assert shown.to_dict() == pytest.approx((100 * dec / den).to_dict())
    jan = fig.coverage_by_segment_monthly
    for month in ("2024-01-01", "2025-01-01"):  # both years after the list's are carried
        assert jan[jan["month"] == pd.Timestamp(month)]["coverage_pct"].notna().all()
    assert shown.sum() == pytest.approx(100 * dec.sum() / den)


def test_a_targets_data_now_is_todays_coverage(demo_ds):
    """Reader's second pass: Banggai's published 99.5 % target showed "in the data now 99.5 %" (the targets
    table's own value), as if met. A target's "data now" is today's coverage over the target's denominator
    (pandas: active in 2025-12 over the working population of 2025)."""
    from ucj.analysis.facts import seed_facts

    f = seed_facts(demo_ds, "72.01", pd.Timestamp("2025-12-01"))
    row = f[f["quantity"] == "coverage_target_pct"].iloc[0]
    e, w = demo_ds.enrolment, demo_ds.workforce
    active = e[(e["district_code"] == "72.01") & (e["month"] == "2025-12-01")]["active"].sum()
    den = w[(w["district_code"] == "72.01") & (w["year"] == 2025)]["working_population"].iloc[0]
    assert row["published"] == 99.5 and row["data"] == pytest.approx(100 * active / den)
    assert row["data_as_of"] == "2025-12"
