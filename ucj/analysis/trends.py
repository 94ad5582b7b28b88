"""Trends in monthly enrolment: month-on-month and year-on-year growth, and seasonality (STL)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from ucj.core.errors import UcjInputError
from ucj.analysis.reasons import reason as reason_code

MIN_MONTHS_FOR_STL = 24


def monthly_active(enrolment: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Active participants per month (summed over everything not in `by`), on a full month grid.

    Months absent from the data are rows with NaN active, so growth across a gap is NaN rather
    than a jump.
    """
    by = list(by or [])
    g = enrolment.groupby(by + ["month"], observed=True)["active"].sum()
    months = pd.date_range(enrolment["month"].min(), enrolment["month"].max(), freq="MS", name="month")
    if by:
        groups = g.index.droplevel("month").unique()
        full = pd.MultiIndex.from_tuples(
            [(*((k,) if not isinstance(k, tuple) else k), m) for k in groups for m in months], names=by + ["month"]
        )
        return g.reindex(full).astype("float64").reset_index()
    return g.reindex(months).astype("float64").reset_index()


def growth(enrolment: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Month-on-month and year-on-year growth (%) of active participants.

    NaN with a reason where the earlier month is missing or zero.
    """
    by = list(by or [])
    df = monthly_active(enrolment, by)
    grouped = df.groupby(by, observed=True)["active"] if by else df["active"]
    for name, lag in (("mom_pct", 1), ("yoy_pct", 12)):
        prev = grouped.shift(lag)
        with np.errstate(divide="ignore", invalid="ignore"):
            df[name] = 100 * (df["active"] / prev - 1)
        reason = pd.Series(pd.NA, index=df.index, dtype="str")
        reason[prev.isna()] = "earlier month missing"
        reason[prev == 0] = reason_code("reason_earlier_zero")
        df.loc[prev == 0, name] = np.nan
        df[name.replace("_pct", "_reason")] = reason
    return df


def seasonality(series: pd.Series, robust: bool = True) -> pd.DataFrame:
    """STL decomposition (period 12) of a monthly series indexed by month.

    Returns observed, trend, seasonal and residual, plus `seasonal_pct` (seasonal over trend).
    """
    from statsmodels.tsa.seasonal import STL  # here, not at import: statsmodels takes about a second to load

    s = series.dropna()
    if len(s) < MIN_MONTHS_FOR_STL:
        raise UcjInputError.one(f"seasonality needs at least {MIN_MONTHS_FOR_STL} months of data; found {len(s)}")
    expected = pd.date_range(s.index.min(), s.index.max(), freq="MS")
    if len(expected) != len(s):
        raise UcjInputError.one("seasonality needs consecutive months; the series has gaps")
    res = STL(s.to_numpy(dtype="float64"), period=12, robust=robust).fit()
    out = pd.DataFrame(
        {"observed": s.to_numpy(), "trend": res.trend, "seasonal": res.seasonal, "resid": res.resid},
        index=s.index,
    )
    out["seasonal_pct"] = 100 * out["seasonal"] / out["trend"]
    return out


def seasonal_profile(decomposition: pd.DataFrame) -> pd.Series:
    """Mean seasonal effect (% of trend) by calendar month, 1-12."""
    prof = decomposition["seasonal_pct"].groupby(decomposition.index.month).mean()
    prof.index.name = "calendar_month"
    return prof
