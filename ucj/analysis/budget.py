"""APBD budget scenarios: what covering N more vulnerable workers costs and what it pays back.

Every assumption is a parameter of `Assumptions`, with its default and source written beside it; the
JKK and JKM rates are national published figures, not the demo data. Workers the district funds
today are kept apart from the additional workers a scenario adds, so they are never counted twice.
Costs are exact Rupiah integers (N x monthly contribution x months); expected claims and benefits
are expectations (floats), stated as such.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

from ucj.core.errors import UcjInputError
from ucj.data.programme import BPU_JKK_JKM_RP, JKM_BENEFIT_RP
from ucj.data.programme import SOURCES as PROGRAMME_SOURCES


# National rates from published figures (per 1,000 active participants a year) [arithmetic]:
# JKK: 370,747 work-accident cases in 2023 (domain notes §5) over 41.56 m active participants (§6);
# JKM: Rp 2.70 tn of JKM benefits in 2022 (BPJS Ketenagakerjaan public expose, 12 May 2023, reported by
# infobanknews.com) at the Rp 42 m benefit, over 35.86 m active participants in 2022 (§6).
NATIONAL_JKK_CASES_2023, NATIONAL_ACTIVE_2023 = 370_747, 41_560_000
NATIONAL_JKM_PAID_2022_RP, NATIONAL_ACTIVE_2022 = 2_700_000_000_000, 35_860_000
JKK_PER_1000 = 1000 * NATIONAL_JKK_CASES_2023 / NATIONAL_ACTIVE_2023  # 8.92
JKM_DEATHS_PER_1000 = 1000 * NATIONAL_JKM_PAID_2022_RP / JKM_BENEFIT_RP / NATIONAL_ACTIVE_2022  # 1.79

SOURCES = {
    "monthly_contribution_rp": PROGRAMME_SOURCES["BPU_JKK_JKM_RP"],
    "jkm_deaths_per_1000": "national JKM 2022: Rp 2.70 tn paid (BPJS Ketenagakerjaan public expose, 12 May 2023) "
                           "/ Rp 42 m per death / 35.86 m active participants (domain notes §6) = 1.79 per 1,000; "
                           "vulnerable workers may die more often: replace with the branch's own experience",
    "jkm_benefit_rp": PROGRAMME_SOURCES["JKM_BENEFIT_RP"],
    "jkk_cases_per_1000": "national JKK 2023: 370,747 cases (domain notes §5) / 41.56 m active participants "
                          "(domain notes §6) = 8.9 per 1,000",
    "jkk_mean_benefit_rp": "assumption: mean JKK benefit per case for BPU workers (medical care is uncapped)",
}


@dataclass(frozen=True)
class Assumptions:
    """Scenario assumptions. Change any of them; the report prints them all."""

    monthly_contribution_rp: int = BPU_JKK_JKM_RP
    jkm_deaths_per_1000: float = round(JKM_DEATHS_PER_1000, 2)
    jkm_benefit_rp: int = JKM_BENEFIT_RP
    jkk_cases_per_1000: float = round(JKK_PER_1000, 1)
    jkk_mean_benefit_rp: int = 4_000_000

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([(f.name, getattr(self, f.name), SOURCES[f.name]) for f in fields(self)],
                            columns=["assumption", "value", "source"])


SCENARIO = "scenario"  # a programme of N workers
NEEDED = "needed_for_target"  # the workers needed to reach the target


def scenario(
    workers: int,
    months: int = 12,
    *,
    assumptions: Assumptions = Assumptions(),
    current_active: int | None = None,
    denominator_value: float | None = None,
    already_funded: int = 0,
    counts_towards_coverage: bool = True,
    label: str = SCENARIO,
) -> dict[str, object]:
    """Cost, coverage reached, expected claims and benefits of a programme of `workers` for `months`.

    `already_funded` workers of the programme are funded today and already counted in `current_active`:
    only the `additional_workers` (workers - already_funded, at least 0) raise coverage.
    `counts_towards_coverage` is False when the denominator's numerator has no BPU participants
    (employees): budget-funded workers are BPU and do not move that coverage.
    """
    if workers < 0 or months <= 0 or already_funded < 0:
        raise UcjInputError.one("workers and already-funded workers must be >= 0 and months > 0")
    a = assumptions
    cost = int(workers) * int(a.monthly_contribution_rp) * int(months)
    additional = max(int(workers) - int(already_funded), 0)
    worker_years = workers * months / 12
    deaths = worker_years * a.jkm_deaths_per_1000 / 1000
    jkk = worker_years * a.jkk_cases_per_1000 / 1000
    benefits = deaths * a.jkm_benefit_rp + jkk * a.jkk_mean_benefit_rp
    out: dict[str, object] = {
        "label": label,
        "workers": int(workers),
        "already_funded": int(already_funded),
        "additional_workers": additional,
        "months": int(months),
        "cost_rp": cost,
        "additional_cost_rp": additional * int(a.monthly_contribution_rp) * int(months),
        "expected_jkm_deaths": deaths,
        "expected_jkk_cases": jkk,
        "expected_benefits_rp": benefits,
        "benefit_cost_ratio": benefits / cost if cost else float("nan"),
    }
    if current_active is not None and denominator_value:
        out["coverage_before_pct"] = 100 * current_active / denominator_value
        gain = additional if counts_towards_coverage else 0
        out["coverage_after_pct"] = 100 * (current_active + gain) / denominator_value
    out["assumptions"] = asdict(a)
    return out


def scenario_table(worker_counts: list[int], months: int = 12, *, needed: int | None = None,
                   **kw: object) -> pd.DataFrame:
    """Several scenarios side by side (one row each, labelled), without the assumptions column.

    `needed` adds a row for the workers needed to reach the target: a programme of the workers
    already funded plus the `needed` additional ones.
    """
    rows = [scenario(n, months, **kw) for n in worker_counts]  # type: ignore[arg-type]
    if needed is not None and needed > 0:
        funded = int(kw.get("already_funded", 0) or 0)  # type: ignore[call-overload]
        rows.append(scenario(funded + int(needed), months, label=NEEDED, **kw))  # type: ignore[arg-type]
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


def funded_workers(enrolment: pd.DataFrame, district_code: str, month: pd.Timestamp) -> int:
    """APBD-funded active participants of the district in `month` (the workers the budget pays for now)."""
    e = enrolment[(enrolment["district_code"] == district_code) & (enrolment["month"] == month)
                  & (enrolment["funding"] == "apbd")]
    return int(e["active"].sum())


def district_scenarios(enrolment: pd.DataFrame, workforce: pd.DataFrame, district_code: str,
                       workers: list[int], years: int, denominator: str = "working_population",
                       assumptions: Assumptions = Assumptions()) -> DistrictScenarios:
    """What a programme of each number of `workers` for `years` costs, from the district's latest
    coverage, with the workers the APBD already funds kept apart from the additional ones."""
    from ucj.analysis.coverage import latest_coverage, pairing

    if not 1 <= int(years) <= 10:
        raise UcjInputError.one("years must be from 1 to 10", column="years", label="parameter")
    last = latest_coverage(enrolment, workforce, district_code, denominator)
    if last is None:
        raise UcjInputError.one(f"district {district_code} has no coverage figure for the denominator {denominator}")
    segs = pairing(denominator).segments
    table = scenario_table(workers, 12 * int(years), assumptions=assumptions, current_active=int(last["active"]),
                           denominator_value=float(last["denominator_value"]),
                           already_funded=funded_workers(enrolment, district_code, pd.Timestamp(last["month"])),
                           counts_towards_coverage=segs is None or "BPU" in segs)
    return DistrictScenarios(district_code, table, pd.Timestamp(last["month"]), int(last["active"]),
                             float(last["coverage_pct"]), denominator, int(years))
