"""Reader 14, R14-4 and R14-3, rebuilt without ucj's own models.

R14-4: each projected month adds back its own calendar month's seasonal component of the last year observed
(statsmodels' robust STL, period 12, on the organic participants counted with pandas), as participants over that
month's denominator; every December adds December's, so the target, the verdict and the budget read what they read
before. The fitted path comes from statsmodels' ETSModel on the adjusted series, the denominator path from the
workforce table by hand (the last known value grown at the district's yearly growth, geometric month by month).

R14-3: the growth the need carries the denominator on with is the last six known years, 2020-2025, compounded
(pandas on the workforce table)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.seasonal import STL

from ucj.analysis.projection import project_district, series_to_fit

BOALEMO, KOTA = "75.02", "75.71"


def _seasonal_by_month(demo_ds, code: str) -> dict[int, float]:  # type: ignore[no-untyped-def]
    """statsmodels' robust STL on the district's organic (self_employer) participants by month: each calendar
    month's component in the last 12 months observed."""
    e = demo_ds.enrolment
    own = e[(e["district_code"] == code) & (e["funding"] == "self_employer")].groupby("month")["active"].sum()
    own = own.sort_index()
    seasonal = STL(own.to_numpy(dtype="float64"), period=12, robust=True).fit().seasonal
    return {int(m): float(s) for m, s in zip(own.index[-12:].month, seasonal[-12:])}


def _by_hand(demo_ds, code: str, trend: bool, damped: bool):  # type: ignore[no-untyped-def]
    """(projection, months, statsmodels' mean path, denominators, funded today, seasonal by month)."""
    p = project_district(demo_ds, code)
    y = series_to_fit(demo_ds, code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(pd.Series(y, index=pd.date_range("2019-01-01", periods=len(y), freq="MS")), error="add",
                       trend="add" if trend else None, damped_trend=damped).fit(disp=False)
    h = p.months_remaining
    mean = res.get_prediction(start=len(y), end=len(y) + h - 1).summary_frame(alpha=0.2)["mean"].to_numpy()
    w = demo_ds.workforce[demo_ds.workforce["district_code"] == code].set_index("year")["working_population"]
    growth = (w[2025] / w[2020]) ** (1 / 5) - 1
    denominators = w[2025] * (1 + growth) ** (np.arange(1, h + 1) / 12)  # 2025-12 is the last month
    e = demo_ds.enrolment[demo_ds.enrolment["district_code"] == code]
    funded = float(e[(e["month"] == e["month"].max()) & (e["funding"] != "self_employer")]["active"].sum())
    months = pd.date_range("2026-01-01", periods=h, freq="MS")
    return p, months, mean, denominators, funded, _seasonal_by_month(demo_ds, code)


@pytest.mark.parametrize(("code", "trend", "damped", "january", "december"),
                         [(BOALEMO, True, True, -350, 210), (KOTA, False, False, -4_845, 2_571)])
def test_each_projected_month_adds_its_own_seasonal(demo_ds, code, trend, damped, january, december):
    """The reader's own STL figures (Boalemo: January -350, December +210; Kota Gorontalo: -4,846 and +2,570, now
    -4,845 and +2,571 by statsmodels' STL here: Minahasa's 16,777 village workers, active from 2023-01 since R15-1,
    take 2023's national BPU self-funded calibration down slightly elsewhere), and
    every projected month of the forecast equal to statsmodels' path plus the funded share plus that month's
    component, within 0.05 pp; a January now reads the reader's ~0.65 pp (Boalemo) / ~6.3 pp (Kota) below the
    level December's component would give it."""
    p, months, mean, den, funded, s = _by_hand(demo_ds, code, trend, damped)
    assert p.model_used == ("ets_damped" if damped else "ets_level")
    assert (round(s[1]), round(s[12])) == (january, december)
    own = np.array([s[m] for m in months.month])
    expected = mean + 100 * (funded + own) / den
    got = p.forecast["mean"].to_numpy()
    assert np.abs(got - expected).max() < 0.05
    jan = np.flatnonzero(months.month == 1)
    below = 100 * (s[12] - s[1]) / den[jan]  # how far December's level would put January too high
    assert below[0] == pytest.approx({BOALEMO: 0.65, KOTA: 6.3}[code], abs=0.05)
    assert np.abs((mean + 100 * (funded + s[12]) / den)[jan] - got[jan] - below).max() < 0.05
    # the organic part moves the same way: the funded schedule is flat
    assert np.abs(p.forecast["organic_mean"].to_numpy() - (mean + 100 * own / den)).max() < 0.05


@pytest.mark.parametrize(("code", "trend", "damped"), [(BOALEMO, True, True), (KOTA, False, False)])
def test_decembers_and_the_budget_path_keep_decembers_level(demo_ds, code, trend, damped):
    """Every December of the forecast (and so the target month, its interval and the verdict) adds December's
    component, as before R14-4; the path the budget plan reads adds December's in every month, as before."""
    p, months, mean, den, funded, s = _by_hand(demo_ds, code, trend, damped)
    dec = np.flatnonzero(months.month == 12)
    assert len(dec) == 4 and months[-1] == pd.Timestamp(p.target_year, 12, 1)
    at_december_level = mean + 100 * (funded + s[12]) / den
    assert np.abs(p.forecast["mean"].to_numpy()[dec] - at_december_level[dec]).max() < 0.05
    assert p.projected_pct == pytest.approx(at_december_level[-1], abs=0.05)
    budget_path = p.organic_december_level
    assert budget_path is not None and list(budget_path.index) == list(months)
    assert np.abs(budget_path.to_numpy() - (mean + 100 * s[12] / den)).max() < 0.05
    # at the Decembers the budget's path and the forecast's organic path are the same numbers, to the bit
    assert (budget_path.to_numpy()[dec] == p.forecast["organic_mean"].to_numpy()[dec]).all()
    # the year-end coverage the budget plan reports is the target month's arithmetic on December's level
    from ucj.analysis.district import projected_organic

    _, path = projected_organic(p, p.last_month, p.last_active)
    assert path is not None and np.abs(path.to_numpy() - budget_path.to_numpy()).max() == 0


def test_a_series_without_seasonal_adjustment_adds_nothing(demo_ds):
    """Fewer than three years of months: no STL, so no month adds anything (all components 0)."""
    from ucj.analysis.projection import SeriesToProject, project

    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    organic = 20_000 + 150 * np.arange(24) + np.random.default_rng(7).normal(0, 60, 24)
    series = pd.DataFrame({"month": months, "active": organic, "denominator_value": 100_000.0,
                           "coverage_pct": organic / 1_000, "active_self_funded": organic})
    p = project(SeriesToProject(series, demo_ds.workforce, "75.02", "working_population", 40.0, 2027,
                                denominator_growth=0.0))
    assert p.model_used and len(p.forecast) == 24
    assert not p.seasonally_adjusted and p.monthly_seasonal == tuple([0.0] * 12)
    assert p.organic_december_level is not None
    assert (p.organic_december_level.to_numpy() == p.forecast["organic_mean"].to_numpy()).all()


@pytest.mark.parametrize(("code", "rate"), [(BOALEMO, 2.92), ("72.01", 3.03), ("74.13", 1.93)])
def test_growth_years_are_the_last_six_known(demo_ds, code, rate):
    """R14-3: the years the growth is computed over, and the rate (the reader's own figures), by pandas."""
    w = demo_ds.workforce[demo_ds.workforce["district_code"] == code].dropna(subset=["working_population"])
    w = w.sort_values("year").tail(6)
    first, last = int(w["year"].iloc[0]), int(w["year"].iloc[-1])
    assert (first, last) == (2020, 2025)
    by_hand = 100 * ((w["working_population"].iloc[-1] / w["working_population"].iloc[0]) ** (1 / 5) - 1)
    assert by_hand == pytest.approx(rate, abs=0.006)  # the reader rounds 1.925 up
    p = project_district(demo_ds, code)
    assert (p.denominator_growth_from, p.denominator_growth_to) == (first, last)
    assert p.denominator_growth_pct_per_year == pytest.approx(by_hand, abs=1e-9)


def test_growth_years_in_the_all_district_projection(demo_ds):
    """`project_all` (one batch for all districts) gives each district the same years as its own projection."""
    from ucj.analysis.projection import denominator_growth_years, denominator_growth_years_all

    years = denominator_growth_years_all(demo_ds.workforce, "working_population")
    for code in (BOALEMO, "72.01", "74.13", "71.02"):
        assert years.get(code, (None, None)) == denominator_growth_years(demo_ds.workforce, code, "working_population")
    w = demo_ds.workforce.dropna(subset=["working_population"])
    by_hand = w.sort_values("year").groupby("district_code")["year"].apply(lambda s: (int(s.tail(6).iloc[0]),
                                                                                     int(s.tail(6).iloc[-1])))
    assert {c: v for c, v in by_hand.items() if v[0] != v[1]} == years
