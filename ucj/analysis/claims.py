"""Claims: counts and Rupiah by programme, frequency per 1,000 participants, severity, loss ratio,
and benefits paid to heirs.

Frequency follows the ILO incidence rate: claims per 1,000 participants per year, with the same
population (the segment/funding cells the claims come from) in numerator and denominator.
Rp amounts stay exact integers; ratios are floats. Figures that cannot be computed (no claims,
no contributions, no participants) are NaN with a reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ucj.analysis.coverage import Level, with_geo

HEIRS_PROGRAMMES = ("JKM",)
HEIRS_NOTE = (
    "Benefits to heirs count JKM death benefits; JKK death benefits are not separated from other "
    "JKK claims in the claims table, so they are not included."
)


def _periods(df: pd.DataFrame, period: str) -> pd.DataFrame:
    if period == "year":
        return df.assign(year=df["month"].dt.year)
    if period == "all":
        return df.assign(period="all")
    return df


def _select(df: pd.DataFrame, filters: dict[str, object] | None) -> pd.DataFrame:
    """Rows matching every filter (a value or a list of values per column); columns absent are ignored."""
    for col, val in (filters or {}).items():
        if col in df.columns:
            df = df[df[col].isin(val if isinstance(val, (list, tuple, set)) else [val])]
    return df


def _time_cols(period: str) -> list[str]:
    return {"year": ["year"], "month": ["month"], "all": ["period"]}[period]


def claims_summary(
    claims: pd.DataFrame,
    enrolment: pd.DataFrame,
    *,
    level: Level = "district",
    period: str = "year",
    by: tuple[str, ...] = ("programme",),
    filters: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Claims count and amount, frequency per 1,000 participants per year, and mean claim.

    `by` adds any of programme, segment, funding. `filters` selects rows first, e.g.
    {"district_code": "74.13", "funding": "apbd"}. `period` is year, month or all.
    """
    c, e = _select(claims, filters), _select(enrolment, filters)
    # participant-months from the same segment/funding cells the claims come from
    cell = ["district_code", "month", "segment", "funding"]
    e = e.merge(c[cell].drop_duplicates(), on=cell, how="inner")
    c, geo = with_geo(_periods(c, period), level)
    e, _ = with_geo(_periods(e, period), level)
    t = _time_cols(period)
    by = tuple(by)
    out = c.groupby(geo + t + list(by), observed=True).agg(
        claim_count=("claim_count", "sum"), claim_amount_rp=("claim_amount_rp", "sum")).reset_index()
    exposure_keys = [k for k in by if k in ("segment", "funding")]
    exposure = e.groupby(geo + t + exposure_keys, observed=True).agg(
        participant_months=("active", "sum")).reset_index()
    out = out.merge(exposure, on=geo + t + exposure_keys, how="left")
    out["participant_months"] = out["participant_months"].fillna(0).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["frequency_per_1000"] = 1000 * 12 * out["claim_count"] / out["participant_months"]
        out["mean_claim_rp"] = out["claim_amount_rp"] / out["claim_count"]
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="str")
    none = out["claim_count"] == 0
    out.loc[none, "mean_claim_rp"] = np.nan
    out.loc[none, "reason"] = "no claims: mean claim undefined"
    no_exp = out["participant_months"] == 0
    out.loc[no_exp, "frequency_per_1000"] = np.nan
    out.loc[no_exp, "reason"] = "no participants in the period"
    return out.sort_values(geo + t + list(by)).reset_index(drop=True)


def severity(claims: pd.DataFrame, by: tuple[str, ...] = ("programme",)) -> pd.DataFrame:
    """Mean claim, and the median of monthly mean claims, by `by` (Rp per claim).

    The claims table holds monthly totals, not single claims, so the true median claim cannot be
    computed; `median_monthly_mean_claim_rp` is the claim-weighted median of the monthly means.
    """
    c = claims[claims["claim_count"] > 0].copy()
    c["monthly_mean"] = c["claim_amount_rp"] / c["claim_count"]
    rows = []
    for key, g in c.groupby(list(by), observed=True):
        g = g.sort_values("monthly_mean")
        cum = g["claim_count"].cumsum()
        median = float(g["monthly_mean"].iloc[int(np.searchsorted(cum, cum.iloc[-1] / 2))])
        rows.append((*(key if isinstance(key, tuple) else (key,)), int(g["claim_count"].sum()),
                     int(g["claim_amount_rp"].sum()), g["claim_amount_rp"].sum() / g["claim_count"].sum(), median))
    return pd.DataFrame(rows, columns=[*by, "claim_count", "claim_amount_rp", "mean_claim_rp",
                                       "median_monthly_mean_claim_rp"])


def loss_ratio(
    claims: pd.DataFrame,
    contributions: pd.DataFrame,
    *,
    level: Level = "district",
    period: str = "year",
    by: tuple[str, ...] = ("segment", "funding"),
    filters: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Claims paid over contributions for the same period and cells (a ratio; 1.0 = break-even)."""
    c, k = _select(claims, filters), _select(contributions, filters)
    c, geo = with_geo(_periods(c, period), level)
    k, _ = with_geo(_periods(k, period), level)
    keys = geo + _time_cols(period) + list(by)
    paid = c.groupby(keys, observed=True)["claim_amount_rp"].sum()
    due = k.groupby(keys, observed=True)["contribution_rp"].sum()
    out = pd.concat([paid, due], axis=1).fillna(0).astype("int64").reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["loss_ratio"] = out["claim_amount_rp"] / out["contribution_rp"]
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="str")
    zero = out["contribution_rp"] == 0
    out.loc[zero, "loss_ratio"] = np.nan
    out.loc[zero, "reason"] = "no contributions in the period"
    return out.sort_values(keys).reset_index(drop=True)


def heirs_benefits(claims: pd.DataFrame, *, level: Level = "district", period: str = "year",
                   filters: dict[str, object] | None = None) -> pd.DataFrame:
    """Benefits paid to heirs (see HEIRS_NOTE): count of deaths and Rp paid."""
    c = _select(claims[claims["programme"].isin(HEIRS_PROGRAMMES)], filters)
    c, geo = with_geo(_periods(c, period), level)
    keys = geo + _time_cols(period)
    out = c.groupby(keys, observed=True).agg(deaths=("claim_count", "sum"),
                                             paid_to_heirs_rp=("claim_amount_rp", "sum")).reset_index()
    return out
