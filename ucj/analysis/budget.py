"""APBD budget scenarios: what covering N more vulnerable workers costs and what it pays back.

Every assumption is a parameter of `Assumptions`, with its default and source written beside it.
Costs are exact Rupiah integers (N x monthly contribution x months); expected claims and benefits
are expectations (floats), stated as such.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

from ucj.core.errors import UcjInputError
from ucj.data.programme import BPU_JKK_JKM_RP, JKM_BENEFIT_RP
from ucj.data.programme import SOURCES as PROGRAMME_SOURCES


SOURCES = {
    "monthly_contribution_rp": PROGRAMME_SOURCES["BPU_JKK_JKM_RP"],
    "jkm_deaths_per_1000": "assumption: deaths per 1,000 covered vulnerable workers per year, of the order in the "
                           "demo data; replace with the branch's own experience",
    "jkm_benefit_rp": PROGRAMME_SOURCES["JKM_BENEFIT_RP"],
    "jkk_cases_per_1000": "assumption: work-accident claims per 1,000 workers per year (national JKK 2023 "
                          "~8.9 per 1,000, domain notes §5)",
    "jkk_mean_benefit_rp": "assumption: mean JKK benefit per case for BPU workers (medical care is uncapped)",
}


@dataclass(frozen=True)
class Assumptions:
    """Scenario assumptions. Change any of them; the report prints them all."""

    monthly_contribution_rp: int = BPU_JKK_JKM_RP
    jkm_deaths_per_1000: float = 5.0
    jkm_benefit_rp: int = JKM_BENEFIT_RP
    jkk_cases_per_1000: float = 6.0
    jkk_mean_benefit_rp: int = 4_000_000

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([(f.name, getattr(self, f.name), SOURCES[f.name]) for f in fields(self)],
                            columns=["assumption", "value", "source"])


def scenario(
    workers: int,
    months: int = 12,
    *,
    assumptions: Assumptions = Assumptions(),
    current_active: int | None = None,
    denominator_value: float | None = None,
) -> dict[str, object]:
    """Cost, coverage reached, expected claims and benefits for `workers` covered for `months`."""
    if workers < 0 or months <= 0:
        raise UcjInputError.one("workers must be >= 0 and months > 0")
    a = assumptions
    cost = int(workers) * int(a.monthly_contribution_rp) * int(months)
    worker_years = workers * months / 12
    deaths = worker_years * a.jkm_deaths_per_1000 / 1000
    jkk = worker_years * a.jkk_cases_per_1000 / 1000
    benefits = deaths * a.jkm_benefit_rp + jkk * a.jkk_mean_benefit_rp
    out: dict[str, object] = {
        "workers": int(workers),
        "months": int(months),
        "cost_rp": cost,
        "expected_jkm_deaths": deaths,
        "expected_jkk_cases": jkk,
        "expected_benefits_rp": benefits,
        "benefit_cost_ratio": benefits / cost if cost else float("nan"),
    }
    if current_active is not None and denominator_value:
        out["coverage_before_pct"] = 100 * current_active / denominator_value
        out["coverage_after_pct"] = 100 * (current_active + workers) / denominator_value
    out["assumptions"] = asdict(a)
    return out


def scenario_table(worker_counts: list[int], months: int = 12, **kw: object) -> pd.DataFrame:
    """Several scenarios side by side (one row each), without the assumptions column."""
    rows = [scenario(n, months, **kw) for n in worker_counts]  # type: ignore[arg-type]
    return pd.DataFrame(rows).drop(columns="assumptions")


@dataclass(frozen=True)
class DistrictScenarios:
    """Budget scenarios for one district, from its latest valid coverage."""

    district_code: str
    table: pd.DataFrame
    month: pd.Timestamp
    active: int
    coverage_pct: float
    denominator: str
    years: int


def district_scenarios(enrolment: pd.DataFrame, workforce: pd.DataFrame, district_code: str,
                       workers: list[int], years: int, denominator: str = "working_population",
                       assumptions: Assumptions = Assumptions()) -> DistrictScenarios:
    """What covering each number of `workers` for `years` costs, from the district's latest coverage."""
    from ucj.analysis.coverage import latest_coverage

    if not 1 <= int(years) <= 10:
        raise UcjInputError.one("years must be from 1 to 10", column="years", label="parameter")
    last = latest_coverage(enrolment, workforce, district_code, denominator)
    if last is None:
        raise UcjInputError.one(f"district {district_code} has no coverage figure for the denominator {denominator}")
    table = scenario_table(workers, 12 * int(years), assumptions=assumptions, current_active=int(last["active"]),
                           denominator_value=float(last["denominator_value"]))
    return DistrictScenarios(district_code, table, pd.Timestamp(last["month"]), int(last["active"]),
                             float(last["coverage_pct"]), denominator, int(years))
