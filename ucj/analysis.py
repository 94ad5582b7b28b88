"""All indicators for all districts in one call: what batch reports and overviews read.

Computing them once per run lets reports spend their time on rendering, not on analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ucj.claims import claims_summary, heirs_benefits, loss_ratio
from ucj.coverage import coverage
from ucj.dataset import Dataset
from ucj.peers import benchmark_all, indicators
from ucj.poverty import poverty_trends
from ucj.projection import project_all


@dataclass
class Indicators:
    coverage: pd.DataFrame
    coverage_by_segment: pd.DataFrame
    projections: pd.DataFrame
    claims: pd.DataFrame
    loss_ratio: pd.DataFrame
    heirs: pd.DataFrame
    poverty: pd.DataFrame
    peers: pd.DataFrame


def all_indicators(ds: Dataset, year: int | None = None, denominator: str = "working_population",
                   workers: int | None = None) -> Indicators:
    """Coverage, projections, claims, loss ratios, poverty trends and peer benchmarks for every district."""
    year = year or int(ds.enrolment["month"].max().year)
    return Indicators(
        coverage=coverage(ds.enrolment, ds.workforce, denominator),
        coverage_by_segment=coverage(ds.enrolment, ds.workforce, denominator, by_segment=True),
        projections=project_all(ds, workers=workers),
        claims=claims_summary(ds.claims, ds.enrolment),
        loss_ratio=loss_ratio(ds.claims, ds.contributions),
        heirs=heirs_benefits(ds.claims),
        poverty=poverty_trends(ds.poverty),
        peers=benchmark_all(indicators(ds, year, denominator)),
    )
