"""APBD budget scenarios: what covering N more vulnerable workers costs and what it pays back.

Every assumption is a parameter of `Assumptions`, with its default and source written beside it.
Costs are exact Rupiah integers (N x monthly contribution x months); expected claims and benefits
are expectations (floats), stated as such.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

from ucj.errors import UcjInputError

JKK_JKM_RP = 16_800  # BPU lowest bracket (Rp 1,000,000 income): JKK 1 % = 10,000 + JKM 6,800


SOURCES = {
    "monthly_contribution_rp": "JKK + JKM for a BPU worker at the lowest income bracket (domain notes §1); "
                               "Rp 36,800 with JHT",
    "jkm_deaths_per_1000": "assumption: deaths per 1,000 covered vulnerable workers per year, of the order in the "
                           "demo data; replace with the branch's own experience",
    "jkm_benefit_rp": "JKM benefit: Rp 20 m lump sum + Rp 10 m funeral + Rp 12 m periodic (domain notes §1)",
    "jkk_cases_per_1000": "assumption: work-accident claims per 1,000 workers per year (national JKK 2023 "
                          "~8.9 per 1,000, domain notes §5)",
    "jkk_mean_benefit_rp": "assumption: mean JKK benefit per case for BPU workers (medical care is uncapped)",
}


@dataclass(frozen=True)
class Assumptions:
    """Scenario assumptions. Change any of them; the report prints them all."""

    monthly_contribution_rp: int = JKK_JKM_RP
    jkm_deaths_per_1000: float = 5.0
    jkm_benefit_rp: int = 42_000_000
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
