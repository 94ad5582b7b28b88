"""An independent rebuild of a district's rolling-origin holdout check (docs/calib.md), for the calibration tests:
the series from pandas and statsmodels' STL, ETS from statsmodels' ETSModel, the random walk with drift by
hand (FPP 3rd ed. §5.5). Nothing here imports ucj."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

Z80 = float(norm.ppf(0.9))


def _area(ds, code: str | list[str]):  # type: ignore[no-untyped-def]
    """The enrolment rows and the working population by year of a district, or of several summed."""
    codes = [code] if isinstance(code, str) else list(code)
    e = ds.enrolment[ds.enrolment["district_code"].isin(codes)]
    w = ds.workforce[ds.workforce["district_code"].isin(codes)].groupby("year")["working_population"].sum()
    return e, w


def organic_series(ds, code: str | list[str]) -> pd.Series:  # type: ignore[no-untyped-def]
    """Coverage (%) of the self-funded participants (of a district, or several summed), seasonally adjusted (robust STL, period 12), over the working
    population interpolated between mid-year values; and the last December's seasonal component (participants)."""
    from statsmodels.tsa.seasonal import STL

    e, w = _area(ds, code)
    org = e[e["funding"] == "self_employer"].groupby("month")["active"].sum().sort_index()
    seasonal = STL(org.to_numpy(dtype="float64"), period=12, robust=True).fit().seasonal
    pos = np.arange(len(org), dtype="float64")
    years = pd.DatetimeIndex(org.index).year.to_numpy()
    u = np.unique(years)
    den = np.interp(pos, [pos[years == k].mean() for k in u], [float(w[k]) for k in u])
    y = pd.Series(100 * (org.to_numpy() - seasonal) / den, index=pd.DatetimeIndex(org.index, freq="MS"))
    y.attrs["december_seasonal"] = float(seasonal[np.flatnonzero(pd.DatetimeIndex(org.index).month == 12)[-1]])
    return y


def ets_holdout(y: pd.Series, damped: bool) -> tuple[np.ndarray, np.ndarray]:
    """ETS(A,Ad,N) (`damped`) or ETS(A,N,N) fitted by statsmodels on the first n - 24 months; from origins n - 24 and
    n - 12 (the states smoothed with the early parameters), the 12-month forecast errors and the model's SD from
    statsmodels' own prediction interval (80 %)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    kw = dict(error="add", trend="add", damped_trend=True) if damped else dict(error="add", trend=None)
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        early = ETSModel(y.iloc[:n - 24], **kw).fit(disp=False)
        errs, sds = [], []
        for o in (n - 24, n - 12):
            r = ETSModel(y.iloc[:o], **kw).smooth(early.params)
            f = r.get_prediction(start=o, end=o + 11).summary_frame(alpha=0.2)
            errs.append(f["mean"].to_numpy() - y.iloc[o:o + 12].to_numpy())
            sds.append((f["pi_upper"].to_numpy() - f["mean"].to_numpy()) / Z80)
    return np.concatenate(errs), np.concatenate(sds)


def rw_holdout(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The drift method by hand: drift and variance (ML) from the differences of the first n - 24 months; from
    origins n - 24 and n - 12, last value + drift h, SD sqrt(s2 h (1 + h / number of differences))."""
    y = np.asarray(y, dtype="float64")
    n = len(y)
    d = np.diff(y[:n - 24])
    drift, s2 = d.mean(), d.var()
    h = np.arange(1, 13)
    errs = [y[o - 1] + drift * h - y[o:o + 12] for o in (n - 24, n - 12)]
    sds = [np.sqrt(s2 * h * (1 + h / len(d)))] * 2
    return np.concatenate(errs), np.concatenate(sds)


def summary(err: np.ndarray, sd: np.ndarray) -> dict[str, float]:
    """Holdout RMSE, RMS of the model's SD, their ratio, months inside the model's 80 % interval."""
    rmse, rms = float(np.sqrt(np.mean(err**2))), float(np.sqrt(np.mean(sd**2)))
    return {"rmse": rmse, "sd": rms, "ratio": rmse / rms, "inside": int(np.sum(np.abs(err) <= Z80 * sd))}


def shift_pct(ds, code: str | list[str], y: pd.Series, target_year: int) -> float:  # type: ignore[no-untyped-def]
    """What the projection adds to the organic model's forecast at December of the target year (pp): today's
    budget-funded participants and the last December's seasonal component, over the working population grown at
    its 2020-2025 yearly rate."""
    e, w = _area(ds, code)
    funded = e[(e["month"] == e["month"].max()) & (e["funding"] != "self_employer")]["active"].sum()
    g = (w[2025] / w[2020]) ** (1 / 5) - 1
    return 100 * (float(funded) + y.attrs["december_seasonal"]) / (w[2025] * (1 + g) ** (target_year - 2025))


# -- which early fit is scored (docs/calib.md; reader 17, R17-1) ----------------------------------------------------
def on_bound(value: float, lo: float, hi: float) -> str | None:
    """"lower" / "upper" when `value` is within 1e-6 of the bound range of a bound (docs/modelid.md), else None."""
    tol = 1e-6 * (hi - lo)
    return "lower" if value - lo <= tol else ("upper" if hi - value <= tol else None)


def ets_fit(y: pd.Series, damped: bool):  # type: ignore[no-untyped-def]
    """statsmodels' ETSModel, damped-trend or level-only, fitted to `y`: (the model, its parameters by name)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    kw = dict(trend="add", damped_trend=True) if damped else dict(trend=None)
    model = ETSModel(y, error="add", **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(disp=False)
    return model, dict(zip(res.param_names, res.params))


def statsmodels_early_rule(y: pd.Series) -> tuple[str | None, dict[str, float] | None]:
    """(the model the rules would use on the first n - 24 months, its holdout summary) by statsmodels alone; (None,
    None) when the chain ends in a bound that is not nested. The rule as docs/modelnest.md states it: the first bound
    in the order damping, trend share, level decides; damping 0.8, trend share 0.9999 or level 0.9999 nest to
    ETS(A,N,N), whose level at 0.9999 nests to the random walk with drift; any other bound ends the chain."""
    early = y.iloc[:len(y) - 24]
    model, p = ets_fit(early, damped=True)
    b = model._setup_bounds()  # statsmodels' own bounds: alpha, beta / alpha, (gamma), phi
    sides = {"damping": on_bound(p["damping_trend"], *b[3]),
             "trend": on_bound(p["smoothing_trend"] / p["smoothing_level"], *b[1]),
             "level": on_bound(p["smoothing_level"], *b[0])}
    first = next(((k, s) for k, s in sides.items() if s), None)
    if first is None:
        return "ets_damped", summary(*ets_holdout(y, damped=True))
    if first not in (("damping", "lower"), ("trend", "upper"), ("level", "upper")):
        return None, None
    ses_model, q = ets_fit(early, damped=False)
    side = on_bound(q["smoothing_level"], *ses_model._setup_bounds()[0])
    if side is None:
        return "ets_level", summary(*ets_holdout(y, damped=False))
    if side == "upper":
        return "random_walk", summary(*rw_holdout(y.to_numpy()))
    return None, None


def damped_at_target(ds, code: str, y: pd.Series, h: int,  # type: ignore[no-untyped-def]
                     target_year: int) -> tuple[float, float]:
    """statsmodels' whole-series damped fit at the target month: (mean + what the projection adds, SD)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
        at = res.get_prediction(start=len(y) + h - 1, end=len(y) + h - 1).summary_frame(alpha=0.2)
    mean = float(at["mean"].iloc[0]) + shift_pct(ds, code, y, target_year)
    return mean, (float(at["pi_upper"].iloc[0]) - float(at["mean"].iloc[0])) / Z80
