"""The figures the planners' explorer shows that a district report does not: coverage beside the
province and the peers month by month, a comparison of up to five districts, and the budget planner.

Everything here is computed from the dataset (or a `DistrictFigures`); the widget module only
formats and draws what these functions return.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ucj.analysis.budget import ORGANIC_HELD, ORGANIC_PROJECTED, Assumptions, scenario
from ucj.analysis.coverage import coverage, latest_coverage, pairing
from ucj.analysis.district import OTHER_BASIS, DistrictFigures, projected_organic
from ucj.analysis.projection import gross_per_month, workers_needed
from ucj.core.errors import UcjInputError
from ucj.data.dataset import Dataset
from ucj.data.schema import SEGMENTS

MAX_COMPARE = 5
ALL_SEGMENTS = "all"


def allowed_segments(denominator: str) -> list[str]:
    """The segment choices that make sense over `denominator`: "all" (the paired participants) and
    each paired segment (employees: PU only; informal workers: BPU only; otherwise every segment)."""
    segs = pairing(denominator).segments
    return [ALL_SEGMENTS] + list(segs if segs is not None else SEGMENTS)


def coverage_against(ds: Dataset, fig: DistrictFigures, segment: str = ALL_SEGMENTS) -> pd.DataFrame:
    """Monthly coverage (%) of the district, its province and its peers together, over the district's
    denominator: columns month, series ("district", "province", "peers"), coverage_pct.

    `segment` narrows the numerator to one segment (over the whole denominator, as the segments of
    `coverage(by_segment=True)`); it must be one `allowed_segments` offers. The province and the peers
    are ratios of sums (their participants over their denominators)."""
    denom = fig.denominator
    if segment not in allowed_segments(denom):
        raise UcjInputError.one(f"segment {segment} does not count towards coverage over {denom}", column="segment")
    e = ds.enrolment[ds.enrolment["month"] <= fig.last_period]
    if segment != ALL_SEGMENTS:
        e = e[e["segment"] == segment]
    code, prov = fig.district.code, fig.district.province_code
    parts = []
    district = coverage(e[e["district_code"] == code], ds.workforce, denom, period="month")
    parts.append(district.assign(series="district"))
    province = coverage(e[e["district_code"].str.startswith(prov + ".")], ds.workforce, denom, level="province",
                        period="month")
    parts.append(province.assign(series="province"))
    if fig.peer_codes:
        peers = coverage(e[e["district_code"].isin(fig.peer_codes)], ds.workforce[ds.workforce["district_code"].isin(
            fig.peer_codes)], denom, level="national", period="month")
        parts.append(peers.assign(series="peers"))
    out = pd.concat([p[["month", "series", "coverage_pct"]] for p in parts], ignore_index=True)
    return out.sort_values(["series", "month"]).reset_index(drop=True)


def latest_segment_coverage(fig: DistrictFigures, segment: str = ALL_SEGMENTS) -> tuple[float, pd.Timestamp | None]:
    """The headline: the district's coverage (%) at its last month with a figure, for all paired
    participants or one segment, and that month."""
    if segment == ALL_SEGMENTS:
        return fig.coverage_pct, fig.coverage_as_of
    seg = fig.coverage_by_segment_monthly
    seg = seg[(seg["segment"] == segment) & seg["coverage_pct"].notna() & (seg["month"] <= fig.last_period)]
    if seg.empty:
        return math.nan, None
    row = seg.loc[seg["month"].idxmax()]
    return float(row["coverage_pct"]), pd.Timestamp(row["month"])


def peer_year(ds: Dataset) -> int:
    """The year `district_figures` compares a district with its peers in, for a district with the
    latest poverty figures: that poverty year, not after the last month of the enrolment."""
    last = int(pd.Timestamp(ds.enrolment["month"].max()).year)
    years = ds.poverty.dropna(subset=["p0"])["year"]
    return min(int(years.max()), last) if len(years) else last


def compare_table(ds: Dataset, codes: list[str], denominator: str = "working_population") -> pd.DataFrame:
    """One row per district (at most MAX_COMPARE): latest coverage over `denominator` with its month,
    active participants and denominator, the latest P0 and its year, and the APBD-funded participants."""
    if len(codes) > MAX_COMPARE:
        raise UcjInputError.one(f"compare at most {MAX_COMPARE} districts (got {len(codes)})", column="districts")
    rows = []
    for code in codes:
        d = ds.registry.get(code)
        e = ds.enrolment[ds.enrolment["district_code"] == d.code]
        last = latest_coverage(e, ds.workforce, d.code, denominator)
        p = ds.poverty[(ds.poverty["district_code"] == d.code)].dropna(subset=["p0"])
        p = p.loc[p["year"].idxmax()] if len(p) else None
        month = pd.Timestamp(last["month"]) if last is not None else None
        apbd = e[(e["month"] == month) & (e["funding"] == "apbd")]["active"].sum() if month is not None else math.nan
        rows.append({
            "district_code": d.code, "district": d.full_name, "province": d.province_name,
            "month": None if month is None else f"{month:%Y-%m}",
            "active": math.nan if last is None else float(last["active"]),
            "denominator_value": math.nan if last is None else float(last["denominator_value"]),
            "coverage_pct": math.nan if last is None else float(last["coverage_pct"]),
            "apbd_funded_workers": float(apbd),
            "p0": math.nan if p is None else float(p["p0"]),
            "p0_year": None if p is None else int(p["year"]),
        })
    return pd.DataFrame(rows, columns=["district_code", "district", "province", "month", "active", "denominator_value",
                                       "coverage_pct", "apbd_funded_workers", "p0", "p0_year"])


def compare_series(ds: Dataset, codes: list[str], denominator: str = "working_population") -> pd.DataFrame:
    """Monthly coverage (%) of each compared district: columns district_code, month, coverage_pct."""
    e = ds.enrolment[ds.enrolment["district_code"].isin(codes)]
    cov = coverage(e, ds.workforce, denominator, period="month")
    return cov[["district_code", "month", "coverage_pct"]].reset_index(drop=True)


@dataclass(frozen=True)
class BudgetPlan:
    """The budget planner's figures for one district: `workers` more workers, not covered today, paid by
    the APBD for `months` at `tariff_rp` a month, and what reaching the target by `target_year` needs."""

    scenario: dict[str, object]  # budget.scenario: cost_rp, coverage_after_pct, expected_jkk_cases, ...
    tariff_rp: int
    already_funded: int  # the workers the APBD funds today (already in the coverage; not in the cost above)
    counts_towards_coverage: bool  # False over employees: budget-funded BPU workers do not move it
    target_pct: float
    target_year: int
    workers_needed_total: float  # net additional participants by December of target_year
    months_remaining: int
    net_per_month: float
    gross_per_month: float  # net plus the participants lapsing a month, who must be replaced
    cost_per_year_rp: float  # the funded additional workers the target needs, all paid for 12 months at the tariff
    expected_jkk_claims_rp: float
    expected_jkm_claims_rp: float
    # the budget's rule, as the district page's budget plan (budget.budget_to_target): the funded additional workers
    # needed by December of target_year = the rise of all participants less the change of the self-enrolled ones
    # (the projection's central path, ORGANIC_PROJECTED; held at today's number, ORGANIC_HELD, without one)
    funded_additional_total: float = math.nan
    organic_change: float = 0.0
    organic_basis: str = ORGANIC_HELD


def budget_plan(fig: DistrictFigures, workers: int, months: int, tariff_rp: int, target_year: int) -> BudgetPlan:
    """Cost, coverage after and expected JKK and JKM claims of paying for `workers` more workers (on top of
    the district's latest coverage and of the workers the APBD funds today), and the workers a month, gross and
    net, and the cost a year of reaching the target by `target_year`: the funded additional workers the district
    page's budget rule needs then (against the projected self-enrolled path when the projection reaches that
    year, else holding them at today's number), each paid for 12 months."""
    if tariff_rp <= 0:
        raise UcjInputError.one("the monthly contribution must be above 0", column="tariff")
    a = Assumptions(monthly_contribution_rp=int(tariff_rp))
    segs = pairing(fig.denominator).segments
    counts = segs is None or "BPU" in segs
    known = np.isfinite(fig.active) and np.isfinite(fig.denominator_value)
    already = int(fig.budget["already_funded"].iloc[0]) if len(fig.budget) else 0
    sc = scenario(int(workers), int(months), assumptions=a,  # new workers: none of them is funded today
                  current_active=int(fig.active) if known else None,
                  denominator_value=fig.denominator_value if known else None,
                  already_funded=0, counts_towards_coverage=counts)
    p = fig.projection
    # no need against a district's own target set over another denominator (`district.on_other_basis`)
    if known and fig.coverage_as_of is not None and np.isfinite(p.target_pct) and p.status != OTHER_BASIS:
        need = workers_needed(fig.coverage_as_of, fig.active, fig.denominator_value,
                              p.denominator_growth_pct_per_year / 100, p.target_pct, int(target_year),
                              p.denominator_year)
    else:
        need = dict(workers_needed_total=math.nan, months_remaining=0, workers_needed_per_month=math.nan,
                    workers_surplus_total=math.nan)
    net = float(need["workers_needed_per_month"])
    gross = gross_per_month(net, float(need["workers_surplus_total"]), int(need["months_remaining"]),
                            fig.lapsed_per_month)
    total = float(need["workers_needed_total"])
    change, basis = 0.0, ORGANIC_HELD
    if np.isfinite(total) and fig.coverage_as_of is not None:
        organic_now, path = projected_organic(p, fig.coverage_as_of, fig.active)
        end = pd.Timestamp(int(target_year), 12, 1)
        if path is not None and organic_now is not None and end in path.index:
            change = float(path[end]) / 100 * float(need["denominator_at_target"]) - organic_now
            basis = ORGANIC_PROJECTED
    rise = p.target_pct / 100 * float(need["denominator_at_target"]) - fig.active if np.isfinite(total) else math.nan
    funded_total = max(rise - change, 0.0) if np.isfinite(rise) else math.nan
    cost_year = funded_total * int(tariff_rp) * 12 if counts and np.isfinite(funded_total) else math.nan
    return BudgetPlan(
        scenario=sc, tariff_rp=int(tariff_rp), already_funded=already, counts_towards_coverage=counts, target_pct=p.target_pct, target_year=int(target_year),
        workers_needed_total=total, months_remaining=int(need["months_remaining"]), net_per_month=net,
        gross_per_month=gross, cost_per_year_rp=cost_year,
        expected_jkk_claims_rp=float(sc["expected_jkk_cases"]) * a.jkk_mean_benefit_rp,  # type: ignore[arg-type]
        expected_jkm_claims_rp=float(sc["expected_jkm_deaths"]) * a.jkm_benefit_rp,  # type: ignore[arg-type]
        funded_additional_total=funded_total if counts else math.nan, organic_change=change, organic_basis=basis,
    )


POVERTY_BREAK_YEAR = 2021  # BPS poverty levels step at the SP2020 re-weighting: compare from here on


def poverty_change(fig: DistrictFigures) -> tuple[int | None, float]:
    """Is poverty falling: (the first year with P0 from POVERTY_BREAK_YEAR on, the latest P0 less that
    year's, in points); (None, NaN) with fewer than two such years."""
    p = fig.poverty_district.dropna(subset=["p0"])
    p = p[p["year"] >= POVERTY_BREAK_YEAR].sort_values("year")
    if len(p) < 2:
        return None, math.nan
    return int(p["year"].iloc[0]), float(p["p0"].iloc[-1]) - float(p["p0"].iloc[0])


def poverty_target(fig: DistrictFigures) -> float:
    """The district's published poverty target (%, to fall below), NaN when it has none."""
    sf = fig.seed_facts
    if sf.empty or "quantity" not in sf.columns:
        return math.nan
    rows = sf[sf["quantity"] == "poverty_target_pct"]
    return float(rows["published"].iloc[0]) if len(rows) else math.nan
