"""A province's or the nation's figures: districts ranked by coverage, with P0, the APBD-funded share,
JKK frequency and workforce, computed once from the all-district table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ucj.analysis.all_districts import district_table
from ucj.analysis.poverty import PanelResult
from ucj.data.dataset import Dataset


@dataclass(frozen=True)
class RegionFigures:
    """Ranked districts of one province (or of the nation when `province_code` is None)."""

    year: int
    province_code: str | None
    province_name: str | None
    ranking: pd.DataFrame  # district_code, district, coverage_pct, p0, apbd_share_pct, jkk_per_1000, working_population
    panel: PanelResult | None = None  # national only: P0 on the December-before coverage, two-way FE (`national_panel`)
    panel_reason: str | None = None  # why there is no panel estimate, when there is none

    @property
    def districts(self) -> int:
        return len(self.ranking)

    @property
    def best(self) -> pd.Series:
        return self.ranking.iloc[0]

    @property
    def median_coverage_pct(self) -> float:
        return float(self.ranking["coverage_pct"].median())


def region_figures(ds: Dataset, province: str | None, year: int | None = None,
                   comparison: pd.DataFrame | None = None) -> RegionFigures:
    """Rank the districts of a province (name or code; None for all) by coverage in `year` (default latest)."""
    prov = ds.registry.resolve_province(province) if province is not None else None
    year = year or int(ds.enrolment["month"].max().year)
    table = comparison if comparison is not None and int(comparison["year"].iloc[0]) == year else district_table(ds, year)
    if prov is not None:
        table = table[table["province_code"] == prov]
    names = ds.registry.districts.set_index("code")
    ranking = table.assign(district=names["kind"].reindex(table.index) + " " + names["name"].reindex(table.index))
    ranking = ranking.reset_index()[["district_code", "district", "coverage_pct", "p0", "apbd_share_pct",
                                     "jkk_per_1000", "working_population"]]
    ranking = ranking.sort_values("coverage_pct", ascending=False, na_position="last").reset_index(drop=True)
    panel, reason = (_national_panel(ds) if prov is None else (None, None))
    return RegionFigures(year, prov, ds.registry.province_name(prov) if prov else None, ranking, panel, reason)


def _national_panel(ds: Dataset) -> tuple[PanelResult | None, str | None]:
    """The national two-way fixed-effects estimate, or the reason the data cannot give one."""
    from ucj.analysis.national import national_panel
    from ucj.core.errors import UcjInputError

    try:
        return national_panel(ds.enrolment, ds.workforce, ds.poverty), None
    except UcjInputError as err:
        return None, str(err)
