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

from ucj.analysis.aggregate import ratio_of_sums
from ucj.analysis.coverage import Level, coverage, with_geo
from ucj.core.errors import UcjInputError

LEVEL_BREAK_YEAR = 2021


def population(poverty: pd.DataFrame) -> pd.Series:
    """Population implied by the number of poor and P0 (persons); NaN where either is missing or P0 is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pop = 100 * poverty["poor_population"] / poverty["p0"]
    return pop.where(np.isfinite(pop))


def aggregate_p0_reason(poverty: pd.DataFrame, year: int | None) -> str:
    """Why an area's P0 (`poverty_trends` above district level: the poor over the population, summed over the
    area's districts) is missing for `year` (None: for every year) over these districts' rows, as a reason code:
    no P0 for the year in the data, or P0 without the number of poor (a P0 table imported alone: the population
    each P0 is a share of is then unknown, so the districts' P0 cannot be summed)."""
    from ucj.analysis.reasons import reason

    rows = poverty if year is None else poverty[poverty["year"] == year]
    if not rows["p0"].notna().any():
        return reason("reason_no_p0")
    if "poor_population" not in rows.columns or not population(rows).notna().any():
        return reason("reason_no_poor_counts")
    return reason("reason_no_p0")


def poverty_trends(poverty: pd.DataFrame, *, level: Level = "district") -> pd.DataFrame:
    """P0, P1, P2 by year with the change from the year before, at district, province or national level.

    Aggregates are ratios of sums weighted by population (poor / P0; `ratio_of_sums`): each index
    over the districts that have it and a population, so P0 is there even where P1/P2 are missing
    for some districts. `districts_p0`, `districts_p1`, `districts_p2` say how many districts each
    figure covers, and `reason` says when that is not all of them.
    """
    df = poverty.copy()
    df["population"] = population(df)
    df, geo = with_geo(df, level)
    if level != "district":
        df = ratio_of_sums(df, ["p0", "p1", "p2"], "population", geo + ["year"])
        parts = [pd.Series(np.where(df[f"n_{c}"] < df["districts"], c.upper() + " from " + df[f"n_{c}"].astype("str")
                                    + " of " + df["districts"].astype("str") + " districts", ""), index=df.index)
                 for c in ("p0", "p1", "p2")]
        reason = parts[0].str.cat(parts[1:], sep="; ").str.strip("; ").str.replace("; ; ", "; ")
        df["reason"] = reason.where(reason != "", pd.NA).astype("str")
        df = df.rename(columns={f"n_{c}": f"districts_{c}" for c in ("p0", "p1", "p2")})
    else:
        df["reason"] = pd.Series(pd.NA, index=df.index, dtype="str")
    df = df.sort_values(geo + ["year"])
    for c in ("p0", "p1", "p2"):
        prev = df.groupby(geo, observed=True)[c].shift()
        df[f"{c}_change"] = df[c] - prev
    df["comparable_with_previous"] = df["year"] != LEVEL_BREAK_YEAR
    keep = geo + ["year", "p0", "p1", "p2", "p0_change", "p1_change", "p2_change", "comparable_with_previous",
                  "reason"]
    if level != "district":
        keep += ["districts_p0", "districts_p1", "districts_p2"]
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


def bps_first_years() -> dict[str, int]:
    """The first year of each province BPS's province P0 table starts after its own first year (a province formed
    later, e.g. Papua Tengah: 2024), by Kemendagri province code; a province published from the start is left out."""
    from ucj.data.published import bps_poverty_province

    bps = bps_poverty_province()
    first = bps.groupby("province_code")["year"].min()
    return {str(code): int(year) for code, year in first[first > bps["year"].min()].items()}


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
    denominator: str = "working_population"  # the coverage regressor's denominator (its pairing names the numerator)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"coef": self.coef, "se_clustered": self.se, "p_value": self.pvalues})


def coverage_poverty_panel(enrolment: pd.DataFrame, workforce: pd.DataFrame, poverty: pd.DataFrame, *,
                           denominator: str = "working_population", outcome: str = "p0", lag: int = 1) -> pd.DataFrame:
    """District x year panel: the poverty outcome of March of `year` against coverage (%) in December of
    `year - lag` (default the December before: March poverty cannot depend on the December after it).
    Complete rows only; `coverage_year` says which December was used."""
    if lag < 1:
        raise UcjInputError.one("coverage must lead poverty by at least one year (lag >= 1)")
    cov = coverage(enrolment, workforce, denominator)[["district_code", "year", "coverage_pct"]]
    cov = cov.rename(columns={"year": "coverage_year"}).assign(year=lambda d: d["coverage_year"] + lag)
    df = cov.merge(poverty[["district_code", "year", outcome]], on=["district_code", "year"], how="inner")
    df = df[["district_code", "year", "coverage_year", "coverage_pct", outcome]]
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
        note="panel_caveat",  # catalogue: fixed effects, clustered SE, the 2021 break, an association, not an effect
    )
