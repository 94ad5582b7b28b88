"""Poverty: P0/P1/P2 trends, Foster-Greer-Thorbecke indices from microdata, and coverage against
poverty in a district-year panel.

Two series breaks are kept visible rather than smoothed over:
- 2021: BPS moved to SP2020 population weights, a level break in every district's series
  (`comparable_with_previous` is False for 2021; year fixed effects absorb it in the panel).
- Extreme poverty: US$1.90 PPP 2011 up to 2024, US$2.15 PPP 2017 from 2025. The two bases are
  never joined into one line: `extreme_poverty_segments` splits them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ucj.analysis.coverage import Level, with_geo, coverage
from ucj.core.errors import UcjInputError

LEVEL_BREAK_YEAR = 2021


def population(poverty: pd.DataFrame) -> pd.Series:
    """Population implied by the number of poor and P0 (persons); NaN where either is missing or P0 is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pop = 100 * poverty["poor_population"] / poverty["p0"]
    return pop.where(np.isfinite(pop))


def poverty_trends(poverty: pd.DataFrame, *, level: Level = "district") -> pd.DataFrame:
    """P0, P1, P2 by year with the change from the year before, at district, province or national level.

    Aggregates weight districts by population (poor / P0); an aggregate is NaN, with a reason, if any
    of its districts lacks the figures.
    """
    df = poverty.copy()
    df["population"] = population(df)
    df, geo = with_geo(df, level)
    if level != "district":
        def agg(g: pd.DataFrame) -> pd.Series:
            w = g["population"]
            complete = w.notna().all() and g[["p0", "p1", "p2"]].notna().all().all()
            out = {c: float(np.average(g[c], weights=w)) if complete else np.nan for c in ("p0", "p1", "p2")}
            out["population"] = float(w.sum()) if complete else np.nan
            out["districts"] = len(g)
            out["reason"] = pd.NA if complete else "figures missing for some districts"
            return pd.Series(out)

        df = df.groupby(geo + ["year"], observed=True)[["p0", "p1", "p2", "population"]].apply(agg).reset_index()
    else:
        df["reason"] = pd.Series(pd.NA, index=df.index, dtype="str")
    df = df.sort_values(geo + ["year"])
    for c in ("p0", "p1", "p2"):
        prev = df.groupby(geo, observed=True)[c].shift()
        df[f"{c}_change"] = df[c] - prev
    df["comparable_with_previous"] = df["year"] != LEVEL_BREAK_YEAR
    keep = geo + ["year", "p0", "p1", "p2", "p0_change", "p1_change", "p2_change", "comparable_with_previous",
                  "reason"]
    return df[keep].reset_index(drop=True)


def extreme_poverty_segments(poverty: pd.DataFrame, district_code: str) -> list[pd.DataFrame]:
    """A district's extreme poverty rate as separate series, one per basis, never joined."""
    d = poverty[(poverty["district_code"] == district_code) & poverty["extreme_poverty_pct"].notna()]
    return [g.sort_values("year")[["year", "extreme_poverty_pct", "extreme_poverty_basis"]]
            for _, g in d.groupby("extreme_poverty_basis", sort=True)]


# -- Foster-Greer-Thorbecke ----------------------------------------------------------------------
def fgt(expenditure: np.ndarray | pd.Series, poverty_line: float | np.ndarray, alpha: int,
        weights: np.ndarray | pd.Series | None = None) -> float:
    """P_alpha = (1/N) sum over the poor of ((z - y) / z)^alpha, times 100 (as BPS publishes it).

    `weights` are survey weights (persons each record stands for); `poverty_line` may vary by record
    (urban/rural lines).
    """
    y = np.asarray(expenditure, dtype="float64")
    z = np.broadcast_to(np.asarray(poverty_line, dtype="float64"), y.shape)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype="float64")
    if y.size == 0 or np.any(np.isnan(y)) or np.any(z <= 0) or np.any(w < 0) or w.sum() <= 0:
        raise UcjInputError.one("FGT needs expenditures without gaps, positive poverty lines and non-negative weights")
    poor = y < z
    gap = np.where(poor, (z - y) / z, 0.0)
    return float(100 * np.sum(w * np.where(poor, gap**alpha, 0.0)) / np.sum(w))


def fgt_table(micro: pd.DataFrame, *, expenditure: str, poverty_line: str | float, weight: str | None = None,
              by: list[str] | None = None) -> pd.DataFrame:
    """P0, P1, P2 from person-level records (Susenas-like), by group."""
    def one(g: pd.DataFrame) -> pd.Series:
        z = g[poverty_line] if isinstance(poverty_line, str) else poverty_line
        w = g[weight] if weight else None
        return pd.Series({f"p{a}": fgt(g[expenditure], z, a, w) for a in (0, 1, 2)})

    if not by:
        return one(micro).to_frame().T
    return micro.groupby(by, observed=True).apply(one).reset_index()


# -- coverage against poverty -------------------------------------------------------------------
@dataclass
class PanelResult:
    """A two-way fixed-effects regression of poverty on coverage."""

    coef: pd.Series
    se: pd.Series
    pvalues: pd.Series
    nobs: int
    districts: int
    years: list[int]
    formula: str
    note: str

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"coef": self.coef, "se_clustered": self.se, "p_value": self.pvalues})


def coverage_poverty_panel(enrolment: pd.DataFrame, workforce: pd.DataFrame, poverty: pd.DataFrame, *,
                           denominator: str = "working_population", outcome: str = "p0") -> pd.DataFrame:
    """District x year panel: coverage (December, %) and the poverty outcome, complete rows only."""
    cov = coverage(enrolment, workforce, denominator)[["district_code", "year", "coverage_pct"]]
    df = cov.merge(poverty[["district_code", "year", outcome]], on=["district_code", "year"], how="inner")
    return df.dropna().sort_values(["district_code", "year"]).reset_index(drop=True)


def panel_regression(panel: pd.DataFrame, *, outcome: str = "p0", regressor: str = "coverage_pct") -> PanelResult:
    """outcome ~ regressor + district FE + year FE, standard errors clustered by district (statsmodels OLS).

    Year fixed effects absorb common level shifts, including the 2021 SP2020 re-weighting.
    """
    if panel[outcome].isna().any() or panel[regressor].isna().any():
        raise UcjInputError.one("the panel has missing values; build it with coverage_poverty_panel")
    if panel["district_code"].nunique() < 2 or panel["year"].nunique() < 2:
        raise UcjInputError.one("a fixed-effects panel needs at least two districts and two years")
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    # two-way within transformation is exact only for balanced panels: use explicit dummies instead
    X = pd.get_dummies(panel[["district_code", "year"]].astype("str"), drop_first=True, dtype="float64")
    X.insert(0, regressor, panel[regressor].astype("float64"))
    X = add_constant(X)
    groups = pd.factorize(panel["district_code"])[0]
    res = OLS(panel[outcome].astype("float64"), X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    keep = [regressor]
    return PanelResult(
        coef=res.params[keep], se=res.bse[keep], pvalues=res.pvalues[keep], nobs=int(res.nobs),
        districts=int(panel["district_code"].nunique()), years=sorted(panel["year"].unique().tolist()),
        formula=f"{outcome} ~ {regressor} + C(district) + C(year)",
        note="district and year fixed effects; SE clustered by district; year effects absorb the 2021 level break",
    )
