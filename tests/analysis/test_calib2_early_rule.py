"""The holdout that calibrates an interval scores the early fit the identifiability rules would use (reader 17, R17-1;
docs/calib.md "Which early fit is scored"). The oracle is statsmodels alone: its ETSModel fitted to the first n - 24
months, its own bounds (`_setup_bounds`), the nesting rule of docs/modelnest.md written out afresh
(tests/holdout_oracle.py `statsmodels_early_rule`), and the holdout rebuilt there; nothing from ucj."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from holdout_oracle import Z80, damped_at_target, ets_fit, on_bound, organic_series, statsmodels_early_rule
from scipy.stats import norm

from ucj.analysis import projection
from ucj.analysis.projection import CALIBRATION_MIN_RATIO, project_district

BOGOR, BEKASI, DENPASAR, MUNA_BARAT = "32.71", "32.75", "51.71", "74.13"


def test_kota_bogor_early_fit_on_a_bound_is_not_scored(demo_ds):
    """Kota Bogor's early damped fit (ucj: level smoothing 0.9999, trend share 1e-4) is a fixed trend line the rules
    reject and do not nest: the interval is not calibrated (a reason code) and not widened. statsmodels' own early fit
    is interior (reader 17: alpha 0.896, beta 0.372, phi 0.877) and gives ratio 0.93, below the factor: its rule would
    not widen either, so the page's interval is statsmodels' whole fit's own, 15.9-76.8 % (reader 17), and the
    verdict "cannot say yet" (60.9 pp wide, room 51.1) gives no probability."""
    p = project_district(demo_ds, BOGOR)
    assert p.model_used == "ets_damped"
    early = projection.fit_ets(np.asarray(projection.series_to_fit(demo_ds, BOGOR))[:-24])
    assert projection.ets_rejection(early.params) is not None and not projection.nests_to_level(early.params)
    assert p.calibration_model is None and p.calibration_reason == "reason_calibration_early_unusable"
    assert p.calibration_early_rejection == "reason_ets_trend_fixed" and p.interval_scale == 1.0
    y = organic_series(demo_ds, BOGOR)
    used, o = statsmodels_early_rule(y)
    assert used == "ets_damped" and o is not None and o["ratio"] == pytest.approx(0.93, abs=0.01)
    assert o["ratio"] <= CALIBRATION_MIN_RATIO
    mean, sd = damped_at_target(demo_ds, BOGOR, y, p.months_remaining, p.target_year)
    assert (p.projected_pct, p.lower_pct, p.upper_pct) == pytest.approx((mean, mean - Z80 * sd, mean + Z80 * sd),
                                                                         abs=0.05)
    assert (round(p.lower_pct, 1), round(p.upper_pct, 1)) == (15.9, 76.8)
    assert p.status == "cannot_say" and math.isnan(p.probability_reaching_target)
    assert p.probability_not_a_verdict == pytest.approx(1 - norm.cdf((p.target_pct - mean) / sd), abs=0.005)
    assert p.scenarios["probability_pct"].isna().all()


@pytest.mark.parametrize("code, scored, ratio", [(BEKASI, "ets_level", 2.53), (DENPASAR, "random_walk", 3.83)])
def test_early_damping_at_its_lower_bound_scores_the_nested_model(demo_ds, code, scored, ratio):
    """Kota Bekasi and Kota Denpasar: statsmodels' early damped fit has its damping on 0.8, so the rules nest to
    ETS(A,N,N); Bekasi's early level smoothing is interior (holdout ratio 2.53, reader 17's SES figure), Denpasar's
    sits on 0.9999, so the random walk with drift is scored (3.83, reader 17's drift figure). The interval is widened
    by that ratio: statsmodels' whole damped fit's SD times it, its upper bound above 100 cut and said so."""
    p = project_district(demo_ds, code)
    y = organic_series(demo_ds, code)
    used, o = statsmodels_early_rule(y)
    assert used == scored and o is not None and round(o["ratio"], 2) == ratio
    assert p.model_used == "ets_damped" and p.calibration_model == scored
    assert p.calibration_early_rejection == "reason_ets_damping_low(value=0.80)"
    assert (p.holdout_rmse, p.holdout_sd, p.calibration_ratio) == pytest.approx((o["rmse"], o["sd"], o["ratio"]),
                                                                                abs=0.01)
    assert p.holdout_inside == o["inside"] and p.interval_scale == pytest.approx(o["ratio"], abs=0.01)
    mean, sd = damped_at_target(demo_ds, code, y, p.months_remaining, p.target_year)
    lo, hi = mean - Z80 * sd * o["ratio"], mean + Z80 * sd * o["ratio"]
    assert hi > 100 and p.upper_pct == 100.0 and bool(p.forecast["upper_cut_at_100"].iloc[-1])
    assert p.projected_pct == pytest.approx(mean, abs=0.05)
    assert p.lower_pct == pytest.approx(max(lo, 0.0), abs=0.1)
    assert bool(p.forecast["lower_cut_at_0"].iloc[-1]) == (lo < 0)
    assert p.key_figures()["upper_cut_at_100"] is True


def test_muna_barat_early_damping_on_its_upper_bound_is_not_scored(demo_ds):
    """The seed Muna Barat: statsmodels' early damped fit has its damping on 0.98, a bound the rules reject and do
    not nest, so the interval is not calibrated; its ratio (1.10) was below the factor, so the interval is the
    whole fit's own, as before."""
    p = project_district(demo_ds, MUNA_BARAT)
    y = organic_series(demo_ds, MUNA_BARAT)
    assert statsmodels_early_rule(y) == (None, None)
    assert p.calibration_model is None and p.interval_scale == 1.0
    assert p.calibration_early_rejection == "reason_ets_damping_on_bound(value=0.98)"
    mean, sd = damped_at_target(demo_ds, MUNA_BARAT, y, p.months_remaining, p.target_year)
    assert (p.lower_pct, p.upper_pct) == pytest.approx((mean - Z80 * sd, mean + Z80 * sd), abs=0.05)
    assert p.status == "unlikely" and p.probability_reaching_target == pytest.approx(0.0, abs=1e-3)


def test_hand_made_series_with_an_early_fit_on_the_damping_bound():
    """A straight line (0.3 pp a month, noise 0.05) for 37 months, then 24 months fading towards +2 pp (noise 0.3):
    statsmodels fits the whole series inside every bound, but the first 37 months (a line the data would carry on
    for ever) with the damping on 0.98. The whole fit is used; its holdout is not scored."""
    rng = np.random.default_rng(9)
    t = np.arange(61)
    y = np.where(t < 37, 10 + 0.3 * t, 10 + 0.3 * 36 + 2 * (1 - 0.9 ** (t - 36))) + rng.normal(
        0, np.where(t < 37, 0.05, 0.3), 61)
    s = pd.Series(y, index=pd.date_range("2019-01-01", periods=61, freq="MS"))
    whole_model, whole = ets_fit(s, damped=True)
    b = whole_model._setup_bounds()
    assert on_bound(whole["damping_trend"], *b[3]) is None
    assert on_bound(whole["smoothing_trend"] / whole["smoothing_level"], *b[1]) is None
    assert on_bound(whole["smoothing_level"], *b[0]) is None
    early_model, early = ets_fit(s.iloc[:37], damped=True)
    assert on_bound(early["damping_trend"], *early_model._setup_bounds()[3]) == "upper"
    assert statsmodels_early_rule(s) == (None, None)
    fits, _ = projection._fit_many([y])[0]
    damped = fits[0]
    assert damped.model == "ets_damped" and damped.usable
    assert damped.calibration_model is None and damped.early_rejection == "reason_ets_damping_on_bound(value=0.98)"
    assert math.isnan(damped.calibration_ratio) and math.isfinite(damped.rmse_holdout)  # still scored for the choice


def test_early_chain_to_the_random_walk_by_hand():
    """The chain by hand: an early damped fit with its damping on 0.8 nests to ETS(A,N,N); that early fit's level
    smoothing on 0.9999 nests to the random walk, whose holdout on the series rising 0.4/0.6 pp in turn and then 1 pp
    a month is known (tests/analysis/test_calib_holdout.py): ratio 13.0066, none of 24 inside."""
    d = np.r_[np.tile([0.4, 0.6], 18), np.ones(24)]
    y = np.r_[10.0, 10.0 + np.cumsum(d)]
    origins = projection._origins(61)
    early = projection.EtsFit({"smoothing_level": 0.5, "smoothing_trend": 0.1, "damping_trend": 0.8,
                               "initial_level": 10.0, "initial_trend": 0.5}, np.zeros(37), 0.0, 0.0)
    scored, errors, sds, why = projection._early_chain("ets_damped", y, origins, early, (0.9999, 10.0, 0.0), None)
    assert scored == "random_walk" and why == "reason_ets_damping_low(value=0.80)"
    fit = projection.ModelFit("ets_damped", True)
    projection._calibrate(fit, scored, errors, sds, why)
    assert fit.calibration_ratio == pytest.approx(13.0066, abs=1e-4) and fit.holdout_inside == 0
    # a level smoothing on its lower bound (a fixed level) ends the chain: nothing scored
    assert projection._early_chain("ets_level", y, origins, None, (0.0001, 10.0, 0.0), None)[0] is None
    # an early fit with its damping on 0.98 is not nested
    early.params["damping_trend"] = 0.98
    assert projection._early_chain("ets_damped", y, origins, early, None, None)[0] is None
