"""The all-district tables: computed once, then read by peers, overviews, district figures and batches.

`district_table` is the one place that builds the one-row-per-district comparison table for a
year; `all_districts` adds every other indicator for every district.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ucj.analysis.claims import claims_summary, heirs_benefits, loss_ratio
from ucj.analysis.coverage import coverage
from ucj.analysis.peers import benchmark_all
from ucj.analysis.poverty import population, poverty_trends
from ucj.analysis.projection import project_all
from ucj.data.dataset import Dataset


def district_table(ds: Dataset, year: int, denominator: str = "working_population") -> pd.DataFrame:
    """One row per district for `year`: coverage, P0, JKK frequency, APBD-funded share, workforce, and
    the bases each rate is weighted by in aggregates (denominator, population, JKK participant-months,
    active participants) and the structure peers are matched on (population, informal share)."""
    cov = coverage(ds.enrolment, ds.workforce, denominator)
    cov = cov[cov["year"] == year].set_index("district_code")
    pov = ds.poverty[ds.poverty["year"] == year].set_index("district_code")
    wf = ds.workforce[ds.workforce["year"] == year].set_index("district_code")
    e = ds.enrolment[ds.enrolment["month"].dt.year == year]
    c = ds.claims[(ds.claims["month"].dt.year == year) & (ds.claims["programme"] == "JKK")]
    jkk = claims_summary(c, e, by=("programme",)).set_index("district_code")
    last = e[e["month"] == e["month"].max()]
    apbd = last[last["funding"] == "apbd"].groupby("district_code")["active"].sum()
    total = last.groupby("district_code")["active"].sum()
    reg = ds.registry.districts.set_index("code")
    out = pd.DataFrame(index=reg.index.rename("district_code"))
    out["province_code"] = reg["province_code"]
    out["coverage_pct"] = cov["coverage_pct"]
    out["denominator_value"] = cov["denominator_value"]
    out["p0"] = pov["p0"]
    out["population"] = population(pov)
    out["jkk_per_1000"] = jkk["frequency_per_1000"]
    out["jkk_participant_months"] = jkk["participant_months"].astype("float64")
    out["apbd_share_pct"] = 100 * apbd / total.replace(0, np.nan)
    out["active_total"] = total.astype("float64")
    out["working_population"] = wf["working_population"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["informal_share"] = wf["informal_workers"].astype("float64") / out["working_population"]
    out["year"] = year
    out.attrs["denominator"] = denominator  # what coverage_pct divides by, so a reuser can check it
    return out


@dataclass
class AllDistricts:
    """Every indicator for every district (long tables, one per kind of fact)."""

    coverage: pd.DataFrame
    coverage_by_segment: pd.DataFrame
    projections: pd.DataFrame
    claims: pd.DataFrame
    loss_ratio: pd.DataFrame
    heirs: pd.DataFrame
    poverty: pd.DataFrame
    comparison: pd.DataFrame
    benchmarks: pd.DataFrame


def all_districts(ds: Dataset, year: int | None = None, denominator: str = "working_population") -> AllDistricts:
    """Coverage, projections, claims, loss ratios, poverty trends and peer benchmarks for every district."""
    year = year or int(ds.enrolment["month"].max().year)
    table = district_table(ds, year, denominator)
    return AllDistricts(
        coverage=coverage(ds.enrolment, ds.workforce, denominator),
        coverage_by_segment=coverage(ds.enrolment, ds.workforce, denominator, by_segment=True),
        projections=project_all(ds),
        claims=claims_summary(ds.claims, ds.enrolment),
        loss_ratio=loss_ratio(ds.claims, ds.contributions, ds.enrolment),
        heirs=heirs_benefits(ds.claims),
        poverty=poverty_trends(ds.poverty),
        comparison=table,
        benchmarks=benchmark_all(table),
    )
