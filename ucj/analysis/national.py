"""National totals by year: active participants and the poverty rate (what the summary prints)."""

from __future__ import annotations

import pandas as pd

from ucj.analysis.poverty import poverty_trends


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
