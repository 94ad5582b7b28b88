"""Projecting a district's coverage to its target year, and the workers needed to get there.

The series modelled is coverage with its two known regularities taken out first: the seasonality
of monthly enrolment (STL, period 12, robust; domain notes §5) is removed from the active
participants, and the yearly denominator, which steps every January, is interpolated between
mid-year values. Two models are then fitted to that monthly coverage series (%):
- a damped-trend exponential smoothing model, ETS(A,Ad,N), with statsmodels' ETSModel;
- a logistic saturation curve bounded by 100 %, with scipy's curve_fit.
They are chosen like for like: the same rolling-origin holdout scores both (each estimated on the
series up to 24 months before the end, then forecasting up to 12 months ahead from origins 24 and
12 months before the end), and the lower holdout RMSE wins. A
Ljung-Box test on the chosen model's residuals is reported as a check. A series too short or too
flat to fit gets a stated reason instead of a curve.

Forecast intervals are 80 % prediction intervals (`INTERVAL`, stated with every projection). For
ETS they use the closed-form variance of ETS(A,Ad,N) (Hyndman et al. 2008, class 1), which equals
statsmodels' `get_prediction`; the logistic interval is a parametric bootstrap from the fit's
covariance plus residual noise. Whether the target will be met is judged with the interval: the
probability of reaching it, and `likely` (the whole interval reaches it), `unlikely` (none of it
does) or `uncertain`. Projected coverage is clipped to 0-100 %.
"""

from __future__ import annotations

import math
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel, ETSResults

from ucj.analysis.coverage import check_denominator, coverage, district_coverage_series, numerator_rows
from ucj.data.dataset import Dataset
from ucj.core.errors import UcjInputError

MIN_MONTHS = 24
MIN_STD_PCT = 0.05  # a series moving less than this (percentage points) is too flat to fit
HOLDOUT_MONTHS = 12  # forecast horizon scored at each origin
HOLDOUT_ORIGINS = (24, 12)  # origins: this many months before the end of the series
INTERVAL = 0.8  # the prediction interval shown, and what "likely" / "unlikely" are judged with
LJUNG_BOX_LAGS = 12
Status = Literal["likely", "uncertain", "unlikely", "not_fitted", "target_passed"]


@dataclass
class ModelFit:
    """How one model fitted a series."""

    model: str
    fitted: bool
    reason: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    aic: float = math.nan
    rmse_in_sample: float = math.nan
    rmse_holdout: float = math.nan  # rolling-origin holdout, the same origins for both models
    holdout_points: int = 0


@dataclass
class Projection:
    """A district's coverage projection to its target, with the workers needed per month."""

    district_code: str
    denominator: str
    target_pct: float
    target_year: int
    status: Status
    model_used: str | None
    reason: str | None
    fits: list[ModelFit]
    forecast: pd.DataFrame
    last_month: pd.Timestamp | None
    last_active: float
    last_denominator: float
    last_coverage_pct: float
    projected_pct: float
    lower_pct: float
    upper_pct: float
    interval: float
    probability_reaching_target: float  # P(coverage at the target year >= target), from the forecast distribution
    choice: str | None  # how the model was chosen
    seasonally_adjusted: bool  # STL seasonality removed before fitting
    residual_pvalue: float  # Ljung-Box p-value of the chosen model's residuals (LJUNG_BOX_LAGS lags)
    denominator_growth_pct_per_year: float
    denominator_at_target: float
    months_remaining: int
    workers_needed_total: float
    workers_needed_per_month: float

    def fits_table(self) -> pd.DataFrame:
        rows = []
        for f in self.fits:
            row = {k: v for k, v in asdict(f).items() if k != "params"}
            row["params"] = ", ".join(f"{k}={v:.4g}" for k, v in f.params.items())
            row["used"] = f.model == self.model_used
            rows.append(row)
        cols = ["model", "fitted", "reason", "aic", "rmse_in_sample", "rmse_holdout", "holdout_points", "params",
                "used"]
        return pd.DataFrame(rows, columns=cols)

    def key_figures(self) -> dict[str, object]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("fits", "forecast")}
        out["last_month"] = None if self.last_month is None else f"{self.last_month:%Y-%m}"
        return out


# -- the two models -----------------------------------------------------------------------------
def fit_ets(y: np.ndarray | pd.Series, start_params: np.ndarray | None = None) -> ETSResults:
    """ETS(A,Ad,N): additive errors, additive damped trend, no seasonality (statsmodels).

    `start_params` (e.g. the estimate on the same series up to an earlier month) only starts the
    optimiser closer to the maximum; the likelihood maximised is the same."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False, start_params=start_params)


def ets_forecast(res: ETSResults, horizon: int, alpha: float = 1 - INTERVAL) -> pd.DataFrame:
    """Point forecast and (1 - alpha) interval, h = 1..horizon, in closed form for ETS(A,Ad,N)."""
    p = dict(zip(res.model.param_names, res.params))
    a, b, phi = p["smoothing_level"], p["smoothing_trend"], p["damping_trend"]
    level, trend = float(np.asarray(res.level)[-1]), float(np.asarray(res.slope)[-1])
    h = np.arange(1, horizon + 1)
    phi_h = phi * (1 - phi**h) / (1 - phi)  # phi + phi^2 + ... + phi^h
    mean = level + phi_h * trend
    c = a + b * phi * (1 - phi ** h[:-1]) / (1 - phi)  # c_j for j = 1..h-1
    var = res.mse * (1 + np.concatenate([[0.0], np.cumsum(c**2)]))
    z = stats.norm.ppf(1 - alpha / 2)
    sd = np.sqrt(var)
    return pd.DataFrame({"mean": mean, "lower": mean - z * sd, "upper": mean + z * sd, "sd": sd})


def logistic(t: np.ndarray, capacity: float, rate: float, midpoint: float) -> np.ndarray:
    """Coverage (%) on a logistic curve: capacity / (1 + exp(-rate (t - midpoint))), t in years."""
    return capacity / (1.0 + np.exp(-rate * (t - midpoint)))


def _logistic_jac(t: np.ndarray, capacity: float, rate: float, midpoint: float) -> np.ndarray:
    e = np.exp(-rate * (t - midpoint))
    d = 1.0 + e
    return np.column_stack([1.0 / d, capacity * (t - midpoint) * e / d**2, -capacity * rate * e / d**2])


def fit_logistic(t: np.ndarray, y: np.ndarray, p0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares logistic fit with the capacity bounded by 100 %; returns (params, covariance).

    A logistic curve describes growth towards saturation, so a series that does not rise is refused.
    `p0` (e.g. the fit to the series up to an earlier month) only sets where the search starts.
    """
    slope = np.polyfit(t, y, 1)[0]
    if slope <= 0:
        raise ValueError("the series does not rise, so a saturation curve does not apply")
    if p0 is None:
        p0 = [min(100.0, max(float(np.max(y)) * 1.3, 1.0)), 0.5, float(np.mean(t))]
    bounds = ([1e-6, 1e-4, -100.0], [100.0, 10.0, 200.0])
    return optimize.curve_fit(logistic, t, y, p0=p0, bounds=bounds, jac=_logistic_jac, maxfev=5000)


def _gaussian_aic(resid: np.ndarray, k: int) -> float:
    n = len(resid)
    sigma2 = float(np.sum(resid**2) / n)
    if sigma2 <= 0:
        return -math.inf
    return n * math.log(2 * math.pi * sigma2) + n + 2 * k


def _rmse(err: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(err) ** 2)))


def _origins(n: int) -> list[int]:
    """Rolling-origin holdout: the origins (training lengths) that leave at least MIN_MONTHS to fit."""
    return [n - k for k in HOLDOUT_ORIGINS if n - k >= MIN_MONTHS]


def ets_states(params: dict[str, float], y: np.ndarray) -> tuple[float, float]:
    """Level and trend of ETS(A,Ad,N) after filtering `y` with fixed parameters (error-correction form:
    l_t = l_{t-1} + phi b_{t-1} + alpha e_t, b_t = phi b_{t-1} + beta e_t), from the initial states."""
    a, b, phi = params["smoothing_level"], params["smoothing_trend"], params["damping_trend"]
    level, trend = params["initial_level"], params["initial_trend"]
    for obs in y:
        e = obs - (level + phi * trend)
        level, trend = level + phi * trend + a * e, phi * trend + b * e
    return float(level), float(trend)


def _ets_mean(params: dict[str, float], level: float, trend: float, horizon: int) -> np.ndarray:
    phi = params["damping_trend"]
    h = np.arange(1, horizon + 1)
    return level + phi * (1 - phi**h) / (1 - phi) * trend


def _holdout(fit: ModelFit, errors: list[np.ndarray]) -> None:
    if errors:
        err = np.concatenate(errors)
        fit.rmse_holdout, fit.holdout_points = _rmse(err), int(err.size)


def _fit_both(y: np.ndarray, t: np.ndarray, holdout: bool = True) -> tuple[list[ModelFit], dict[str, object]]:
    """Fit both models to the whole series, and score them on the same rolling-origin holdout.

    Holdout: each model is estimated once on the series up to the first origin, then forecasts up to
    HOLDOUT_MONTHS ahead from each origin in turn (rolling the origin without re-estimating; ETS
    updates its level and trend with the data up to the origin). No holdout month is ever used to
    estimate the parameters that forecast it, for either model.
    """
    fits, models = [], {}
    origins = _origins(len(y)) if holdout else []
    first = origins[0] if origins else None
    try:
        early = fit_ets(y[:first]) if first is not None else None
        res = fit_ets(y, None if early is None else np.asarray(early.params))
        p = dict(zip(res.model.param_names, res.params))
        fit = ModelFit("ets_damped", True, params={k: float(v) for k, v in p.items()},
                       aic=_gaussian_aic(np.asarray(res.resid), len(res.params)),
                       rmse_in_sample=_rmse(res.resid))
        if early is not None:
            ep = dict(zip(early.model.param_names, map(float, early.params)))
            errors = []
            for o in origins:
                h = min(HOLDOUT_MONTHS, len(y) - o)
                level, trend = ets_states(ep, y[:o])
                errors.append(_ets_mean(ep, level, trend, h) - y[o:o + h])
            _holdout(fit, errors)
        fits.append(fit)
        models["ets_damped"] = res
    except (ValueError, np.linalg.LinAlgError) as err:
        fits.append(ModelFit("ets_damped", False, reason=f"ETS did not fit: {err}"))
    p_early, early_error = None, None
    if first is not None:
        try:
            p_early, _ = fit_logistic(t[:first], y[:first])
        except (RuntimeError, ValueError, optimize.OptimizeWarning) as err:
            early_error = err
    try:
        popt, pcov = fit_logistic(t, y, p_early)
        resid = y - logistic(t, *popt)
        fit = ModelFit("logistic", True, params=dict(zip(("capacity", "rate", "midpoint"), map(float, popt))),
                       aic=_gaussian_aic(resid, 3), rmse_in_sample=_rmse(resid))
        if p_early is not None:
            errors = []
            for o in origins:
                h = min(HOLDOUT_MONTHS, len(y) - o)
                errors.append(logistic(t[o:o + h], *p_early) - y[o:o + h])
            _holdout(fit, errors)
        elif early_error is not None:
            fit.reason = f"holdout not scored: the curve did not fit the series up to the first origin ({early_error})"
        fits.append(fit)
        models["logistic"] = (popt, pcov, float(np.std(resid)), resid)
    except (RuntimeError, ValueError, optimize.OptimizeWarning) as err:
        fits.append(ModelFit("logistic", False, reason=f"logistic curve did not fit: {err}"))
    return fits, models


def choose(fits: list[ModelFit]) -> tuple[ModelFit | None, str | None]:
    """The model with the lower rolling-origin holdout RMSE; ETS when neither could be scored."""
    scored = [f for f in fits if f.fitted and np.isfinite(f.rmse_holdout)]
    if scored:
        return min(scored, key=lambda f: f.rmse_holdout), "lower rolling-origin holdout RMSE"
    ets = next((f for f in fits if f.fitted and f.model == "ets_damped"), None)
    if ets is not None:
        return ets, "no holdout possible (series too short): ETS by default"
    return None, None


def adjusted_series(active: np.ndarray, denominator: np.ndarray, months: pd.DatetimeIndex,
                    self_funded: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """Coverage (%) with the seasonality of enrolment and the January steps of the yearly denominator
    (interpolated between mid-year values) taken out.

    The seasonal component is estimated (STL, period 12, robust) on the self-funded participants
    when given: budget-funded participants enter and leave in steps set by budgets, which STL would
    mistake for seasonality. Returns (series, seasonally adjusted?); fewer than 24 months are not
    seasonally adjusted."""
    from statsmodels.tsa.seasonal import STL

    years = months.year.to_numpy()
    pos = np.arange(len(months), dtype="float64")
    knots = pd.Series(pos).groupby(years).mean()
    values = pd.Series(denominator).groupby(years).mean()
    smooth = np.interp(pos, knots.to_numpy(), values.to_numpy()) if len(knots) > 1 else denominator
    seasonal = len(active) >= 2 * 12
    base = active if self_funded is None else self_funded
    sa = active - STL(base, period=12, robust=True).fit().seasonal if seasonal else active
    return 100 * sa / smooth, seasonal


def residual_check(resid: np.ndarray) -> float:
    """Ljung-Box p-value (LJUNG_BOX_LAGS lags): small values say the residuals still have structure."""
    from statsmodels.stats.diagnostic import acorr_ljungbox

    r = np.asarray(resid, dtype="float64")
    if r.size <= LJUNG_BOX_LAGS + 1 or np.std(r) == 0:
        return math.nan
    return float(acorr_ljungbox(r, lags=[LJUNG_BOX_LAGS])["lb_pvalue"].iloc[0])


def judge(mean: float, sd: float, target_pct: float, lower: float, upper: float) -> tuple[float, Status]:
    """Probability of reaching the target (normal forecast distribution) and the verdict from the interval."""
    p = 1.0 - float(stats.norm.cdf((target_pct - mean) / sd)) if sd > 0 else float(mean >= target_pct)
    status: Status = "likely" if lower >= target_pct else ("unlikely" if upper < target_pct else "uncertain")
    return p, status


def _logistic_forecast(popt: np.ndarray, pcov: np.ndarray, sigma: float, t_future: np.ndarray,
                       alpha: float, draws: int = 400) -> pd.DataFrame:
    mean = logistic(t_future, *popt)
    rng = np.random.default_rng(12345)  # fixed: the same data gives the same interval
    if not np.all(np.isfinite(pcov)):
        pcov = np.zeros_like(pcov)
    sample = rng.multivariate_normal(popt, pcov, size=draws, check_valid="ignore")
    sample[:, 0] = np.clip(sample[:, 0], 0, 100)
    curves = logistic(t_future[None, :], sample[:, [0]], sample[:, [1]], sample[:, [2]])
    curves = curves + rng.normal(0, sigma, curves.shape)
    lo, hi = np.quantile(curves, [alpha / 2, 1 - alpha / 2], axis=0)
    return pd.DataFrame({"mean": mean, "lower": lo, "upper": hi, "sd": curves.std(axis=0)})


# -- projection of one district --------------------------------------------------------------------
def workers_needed(last_month: pd.Timestamp, active: float, denominator_value: float, growth: float,
                   target_pct: float, target_year: int) -> dict[str, float]:
    """Net additional participants needed to reach `target_pct` by December of `target_year`: the target
    share of the denominator grown at `growth` a year, less today's `active`; and per month remaining."""
    end = pd.Timestamp(int(target_year), 12, 1)
    months = (end.year - last_month.year) * 12 + end.month - last_month.month
    denom_target = denominator_value * (1 + growth) ** (int(target_year) - last_month.year)
    needed = max(0.0, target_pct / 100 * denom_target - active)
    return dict(denominator_at_target=denom_target, months_remaining=max(months, 0), workers_needed_total=needed,
                workers_needed_per_month=needed / months if months > 0 else math.nan)


def _denominator_growth(workforce: pd.DataFrame, district_code: str, denominator: str) -> float:
    return denominator_growth_all(workforce[workforce["district_code"] == district_code], denominator).get(
        district_code, 0.0)


def project(
    series: pd.DataFrame,
    workforce: pd.DataFrame,
    *,
    district_code: str,
    denominator: str,
    target_pct: float,
    target_year: int,
    alpha: float = 1 - INTERVAL,
    holdout: bool = True,
    denominator_growth: float | None = None,
) -> Projection:
    """Project a monthly coverage series (from `district_coverage_series`) to December of target_year."""
    valid = series[series["coverage_pct"].notna().to_numpy()]
    last = valid.loc[valid["month"].idxmax()] if len(valid) else None
    growth = _denominator_growth(workforce, district_code, denominator) if denominator_growth is None \
        else denominator_growth
    base = dict(
        district_code=district_code, denominator=denominator, target_pct=float(target_pct),
        target_year=int(target_year), interval=1 - alpha, denominator_growth_pct_per_year=100 * growth,
        last_month=None if last is None else pd.Timestamp(last["month"]),
        last_active=math.nan if last is None else float(last["active"]),
        last_denominator=math.nan if last is None else float(last["denominator_value"]),
        last_coverage_pct=math.nan if last is None else float(last["coverage_pct"]),
    )
    empty = pd.DataFrame(columns=["month", "mean", "lower", "upper", "model"])
    none = dict(projected_pct=math.nan, lower_pct=math.nan, upper_pct=math.nan, probability_reaching_target=math.nan,
                choice=None, seasonally_adjusted=False, residual_pvalue=math.nan)
    nan_workers = dict(denominator_at_target=math.nan, months_remaining=0, workers_needed_total=math.nan,
                       workers_needed_per_month=math.nan)

    if last is None:
        return Projection(**base, status="not_fitted", model_used=None, reason="no coverage data for this denominator",
                          fits=[], forecast=empty, **none, **nan_workers)
    last_month = pd.Timestamp(last["month"])
    end = pd.Timestamp(int(target_year), 12, 1)
    workers = workers_needed(last_month, float(last["active"]), float(last["denominator_value"]), growth,
                             float(target_pct), int(target_year))
    months_remaining = (end.year - last_month.year) * 12 + end.month - last_month.month
    if months_remaining <= 0:
        return Projection(**base, status="target_passed", model_used=None, reason="the target year has passed",
                          fits=[], forecast=empty, **none, **workers)

    # a fit needs consecutive months up to the last one
    ordered = series.sort_values("month")
    ordered = ordered[ordered["month"].to_numpy() <= np.datetime64(last_month)]
    gaps = ordered["coverage_pct"].isna().to_numpy()
    start = int(np.flatnonzero(gaps)[-1]) + 1 if gaps.any() else 0
    run = ordered.iloc[start:]
    y_raw = run["coverage_pct"].to_numpy(dtype="float64")
    reason = None
    if len(y_raw) < MIN_MONTHS:
        reason = f"series too short to fit: {len(y_raw)} consecutive months (need {MIN_MONTHS})"
    elif np.std(y_raw) < MIN_STD_PCT:
        reason = f"series too flat to fit a trend (moves less than {MIN_STD_PCT} percentage points)"
    if reason:
        return Projection(**base, status="not_fitted", model_used=None, reason=reason, fits=[], forecast=empty,
                          **none, **workers)

    self_funded = run["active_self_funded"].to_numpy(dtype="float64") if "active_self_funded" in run else None
    if self_funded is not None and np.isnan(self_funded).any():
        self_funded = None
    y, seasonal = adjusted_series(run["active"].to_numpy(dtype="float64"),
                                  run["denominator_value"].to_numpy(dtype="float64"), pd.DatetimeIndex(run["month"]),
                                  self_funded)
    t = np.arange(len(y)) / 12.0
    fits, models = _fit_both(y, t, holdout)
    best, choice = choose(fits)
    if best is None:
        return Projection(**base, status="not_fitted", model_used=None,
                          reason="; ".join(f.reason or "" for f in fits), fits=fits, forecast=empty,
                          **(none | {"seasonally_adjusted": seasonal}), **workers)
    future = pd.date_range(last_month + pd.offsets.MonthBegin(1), periods=months_remaining, freq="MS")
    if best.model == "ets_damped":
        res = models["ets_damped"]
        fc = ets_forecast(res, months_remaining, alpha)  # type: ignore[arg-type]
        resid = np.asarray(res.resid)  # type: ignore[attr-defined]
    else:
        popt, pcov, sigma, resid = models["logistic"]  # type: ignore[misc]
        fc = _logistic_forecast(popt, pcov, sigma, t[-1] + np.arange(1, months_remaining + 1) / 12.0, alpha)
    at = fc.iloc[-1]
    probability, status = judge(float(at["mean"]), float(at["sd"]), target_pct, float(at["lower"]), float(at["upper"]))
    fc = fc.drop(columns="sd").clip(0, 100)
    fc.insert(0, "month", future)
    fc["model"] = best.model
    at = fc.iloc[-1]
    return Projection(**base, status=status, model_used=best.model, reason=None, fits=fits, forecast=fc,
                      projected_pct=float(at["mean"]), lower_pct=float(at["lower"]), upper_pct=float(at["upper"]),
                      probability_reaching_target=probability, choice=choice, seasonally_adjusted=seasonal,
                      residual_pvalue=residual_check(resid), **workers)


def district_target(ds: Dataset, district_code: str) -> tuple[float, int, str, str] | None:
    """The district's own coverage target (pct, year, denominator, source document), the latest if several."""
    t = ds.targets[ds.targets["district_code"] == district_code].sort_values("target_year")
    if t.empty:
        return None
    row = t.iloc[-1]
    return (float(row["coverage_target_pct"]), int(row["target_year"]), str(row["denominator"]),
            str(row["target_source"]))


def project_district(
    ds: Dataset,
    district_code: str,
    *,
    denominator: str | None = None,
    target_pct: float | None = None,
    target_year: int | None = None,
    alpha: float = 1 - INTERVAL,
    holdout: bool = True,
) -> Projection:
    """Project one district, defaulting target, year and denominator to the district's own target."""
    own = district_target(ds, district_code)
    if own is None and (target_pct is None or target_year is None):
        raise UcjInputError.one(f"district {district_code} has no target in the data; give target_pct and target_year")
    pct = target_pct if target_pct is not None else own[0]  # type: ignore[index]
    year = target_year if target_year is not None else own[1]  # type: ignore[index]
    denom = check_denominator(denominator or (own[2] if own else "working_population"))
    series = district_coverage_series(ds.enrolment, ds.workforce, district_code, denom)
    own = self_funded_active(ds.enrolment[ds.enrolment["district_code"] == district_code], denom)
    series["active_self_funded"] = own.get(district_code, pd.Series(dtype="float64")).reindex(series["month"]).to_numpy()
    return project(series, ds.workforce, district_code=district_code, denominator=denom, target_pct=pct,
                   target_year=year, alpha=alpha, holdout=holdout)


def _self_funded_sum(enrolment: pd.DataFrame, denominator: str) -> pd.Series:
    e = numerator_rows(enrolment[enrolment["funding"] == "self_employer"], denominator)
    return e.groupby(["district_code", "month"], observed=True)["active"].sum().astype("float64")


def self_funded_active(enrolment: pd.DataFrame, denominator: str) -> dict[str, pd.Series]:
    """Self-funded active participants that count over `denominator`, by district: a monthly series each."""
    g = _self_funded_sum(enrolment, denominator)
    return {str(c): s.droplevel("district_code") for c, s in g.groupby(level="district_code", sort=False)}


def _project_chunk(args: tuple[list[tuple[pd.DataFrame, str, float, int, str, float]], pd.DataFrame]
                   ) -> list[dict[str, object]]:
    items, workforce = args
    return [
        project(series, workforce, district_code=code, denominator=denom, target_pct=pct, target_year=year,
                denominator_growth=growth).key_figures()
        for series, code, pct, year, denom, growth in items
    ]


def _one_blas_thread() -> None:
    """Worker processes fit many tiny models: BLAS threads would only fight over the cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def denominator_growth_all(workforce: pd.DataFrame, denominator: str) -> dict[str, float]:
    """Yearly growth of each district's denominator over its last (up to) six known years."""
    w = workforce[["district_code", "year", denominator]].dropna().sort_values(["district_code", "year"])
    w = w.groupby("district_code").tail(6)
    g = w.groupby("district_code").agg(first=(denominator, "first"), last=(denominator, "last"),
                                        y0=("year", "first"), y1=("year", "last"))
    span = (g["y1"] - g["y0"]).astype("float64")
    ok = (span > 0) & (g["first"] > 0)
    rate = ((g["last"].astype("float64") / g["first"].astype("float64")) ** (1 / span.where(ok)) - 1).where(ok, 0.0)
    return rate.astype("float64").to_dict()


def _monthly_series_all(ds: Dataset, denominator: str, months: pd.DatetimeIndex) -> dict[str, pd.DataFrame]:
    """Every district's monthly coverage series over `months` (the columns `project` reads), with its
    self-funded participants.

    One reindex on (district, month) for all districts, then cut into one frame per district (the
    same frames `district_coverage_series` gives one at a time; a per-district reindex is the slow part).
    """
    cov = coverage(ds.enrolment, ds.workforce, denominator, period="month")
    codes = pd.unique(cov["district_code"].astype("str"))
    full = pd.MultiIndex.from_product([codes, months], names=["district_code", "month"])
    cov = cov.assign(district_code=cov["district_code"].astype("str")).set_index(["district_code", "month"])
    wide = cov[["active", "denominator_value", "coverage_pct"]].astype("float64").reindex(full)
    sf = _self_funded_sum(ds.enrolment, denominator)
    sf.index = sf.index.set_levels(sf.index.levels[0].astype("str"), level=0)
    wide["active_self_funded"] = sf.reindex(full).to_numpy(dtype="float64")
    n = len(months)
    arrays = {c: wide[c].to_numpy() for c in wide.columns}
    return {str(code): pd.DataFrame({"month": months, **{c: a[i * n:(i + 1) * n] for c, a in arrays.items()}})
            for i, code in enumerate(codes)}


def project_all(ds: Dataset, denominator: str | None = None, workers: int | None = None) -> pd.DataFrame:
    """Project every district to its own target (one row each), in parallel processes.

    The coverage series are computed once for all districts, then fitted district by district.
    """
    targets = ds.targets.sort_values("target_year").groupby("district_code").tail(1).set_index("district_code")
    months = pd.date_range(ds.enrolment["month"].min(), ds.enrolment["month"].max(), freq="MS", name="month")
    series_by: dict[str, dict[str, pd.DataFrame]] = {}
    growth_by: dict[str, dict[str, float]] = {}
    items = []
    for code, row in targets.sort_index().iterrows():
        denom = check_denominator(denominator or str(row["denominator"]))
        if denom not in series_by:
            growth_by[denom] = denominator_growth_all(ds.workforce, denom)
            series_by[denom] = _monthly_series_all(ds, denom, months)
        series = series_by[denom].get(code)
        if series is None:
            series = pd.DataFrame({"month": months, "active": np.nan, "denominator_value": np.nan,
                                   "coverage_pct": np.nan})
        items.append((series, str(code), float(row["coverage_target_pct"]), int(row["target_year"]), denom,
                      growth_by[denom].get(code, 0.0)))
    workforce = ds.workforce
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers <= 1:
        rows = _project_chunk((items, workforce))
    else:
        chunks = [items[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(max_workers=workers, initializer=_one_blas_thread) as pool:
            rows = [r for part in pool.map(_project_chunk, [(c, workforce) for c in chunks]) for r in part]
    return pd.DataFrame(rows).sort_values("district_code").reset_index(drop=True)
