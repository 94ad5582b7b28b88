"""National totals by year: active participants and the poverty rate (what the summary prints)."""

from __future__ import annotations

import pandas as pd

from ucj.analysis.poverty import PanelResult, coverage_poverty_panel, panel_regression, poverty_trends


def national_active_by_year(enrolment: pd.DataFrame) -> pd.DataFrame:
    """Mean monthly active participants by year and segment, in persons (national sums)."""
    monthly = enrolment.groupby(["month", "segment"], observed=True)["active"].sum().unstack("segment")
    yearly = monthly.groupby(monthly.index.year).mean()
    yearly.index.name = "year"
    yearly["total"] = yearly.sum(axis=1)
    return yearly


def poverty_rate_by_year(poverty: pd.DataFrame) -> pd.Series:
    """National P0 by year: the ratio of sums of `poverty_trends` (poor over population), over the
    districts with both figures."""
    nat = poverty_trends(poverty, level="national")
    return nat.set_index("year")["p0"]


def national_panel(enrolment: pd.DataFrame, workforce: pd.DataFrame, poverty: pd.DataFrame,
                   denominator: str = "working_population") -> PanelResult:
    """P0 of March on coverage of the December before, district and year fixed effects, SE clustered by
    district, over every district (what the national overview shows; an association, not an effect)."""
    from dataclasses import replace

    panel = coverage_poverty_panel(enrolment, workforce, poverty, denominator=denominator)
    return replace(panel_regression(panel), denominator=denominator)
