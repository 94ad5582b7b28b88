"""Every figure of one district, computed in one call: `district_figures(ds, code, ...)`.

Reports, notebooks, key_figures.json, batch indexes and the explorer only read the returned
`DistrictFigures`; none of them computes a figure of its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np
import pandas as pd

from ucj.analysis.all_districts import district_table
from ucj.analysis.budget import (ORGANIC_HELD, PLAN_COLUMNS, SCENARIO_PLUS, Assumptions, Cohorts, CredibleRate,
                                 benefit_cost_figures, budget_to_target, credible_rates, funded_workers,
                                 plan_against_budget, plan_total, scenario_table)
from ucj.analysis.claims import (HEIRS_PROGRAMMES, cell_loss_ratio, programme_claims, programme_kind,
                                 programme_withdrawals)
from ucj.analysis.coverage import (OVER_100_NOTE, PAIRINGS, agreement_ends, carry_latest_denominator, funding_rises,
                                   check_denominator, coverage, coverage_at, coverage_pct_at, district_monthly,
                                   funded_cells, numerator_rows, pairing)
from ucj.analysis.reasons import reason as reason_code
from ucj.analysis.facts import END_IN_DATA, agreement_event_table, seed_facts
from ucj.analysis.peers import benchmark, benchmark_all, nearest_peers
from ucj.analysis.poverty import aggregate_p0_reason, poverty_trends
from ucj.analysis.projection import Projection, district_target, gross_per_month, project_district
from ucj.data.dataset import Dataset, column_synthetic, table_synthetic_status
from ucj.data.published import bps_poverty_province, is_default_target
from ucj.data.registry import District
from ucj.data.programme import SAVINGS_PROGRAMMES

DEFAULT_DENOMINATOR = "working_population"
COVERAGE_OVER_WORKING_POPULATION = "coverage_working_population_pct"  # a peers row when the own denominator has none
CLAIMS_WINDOW_MONTHS = 12
TARGET_FROM_PARAMETER = "parameter"



def carry_segments(by_seg: pd.DataFrame, den_year: int | None) -> pd.DataFrame:
    """The page's period rule on the monthly coverage by segment (the chart and the segment table): when the
    denominator lags (`den_year` set, by `coverage_at`), the months after its last one are over the latest
    denominator, as the summary's coverage is, never left blank (the chart drew nothing for Minahasa's 2025).
    The rule itself: `coverage.carry_latest_denominator`."""
    if den_year is None or by_seg.empty:
        return by_seg
    return carry_latest_denominator(by_seg)[0]


def as_of(ds: Dataset, last_period: pd.Timestamp) -> Dataset:
    """The dataset as it stood at `last_period`: later months and years are left out (targets and plans kept)."""
    tables = {}
    for name, df in ds.tables.items():
        if "month" in df.columns:
            df = df[df["month"] <= last_period]
        elif "year" in df.columns and name not in ("targets", "plans"):  # plans and targets look ahead
            df = df[df["year"] <= last_period.year]
        tables[name] = df
    return ds.replace(tables)


def jsonable(value: object) -> object:
    """Plain JSON values: numpy numbers to Python, NaN and NA to None, dates to ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    if value is pd.NA:
        return None
    return value


@dataclass(frozen=True)
class Comparison:
    """An all-district table (`district_table` for a peer year and denominator) with every district's
    benchmarks over it (`benchmark_all`): computed once, shared by all the districts compared with it."""

    table: pd.DataFrame
    benchmarks: pd.DataFrame | None = None  # None: not computed (only the district's own, when needed)
    period: pd.Timestamp | None = None  # the month the data stood at (None: not known, not checked)
    peers: dict[str, list[str]] | None = None  # every district's peers (`nearest_peers`); None: not computed

    @classmethod
    def of(cls, table: pd.DataFrame, period: pd.Timestamp | None = None) -> Comparison:
        """The table with every district's benchmarks and peers, for sharing."""
        return cls(table, benchmark_all(table), None if period is None else pd.Timestamp(period), nearest_peers(table))

    def fits(self, year: int, denominator: str, period: pd.Timestamp) -> bool:
        return (int(self.table["year"].iloc[0]) == year
                and self.table.attrs.get("denominator", denominator) == denominator
                and (self.period is None or self.period == period))


@dataclass(frozen=True)
class AreaPoverty:
    """Every province's and the nation's poverty trends in the data as it stood at `period`: one
    computation shared by all districts (a province's rows are those of `poverty_trends` over its
    districts alone, as each aggregate is a ratio of sums within its province)."""

    period: pd.Timestamp
    province: pd.DataFrame
    national: pd.DataFrame

    @classmethod
    def of(cls, ds: Dataset, period: pd.Timestamp) -> AreaPoverty:
        pov = as_of(ds, pd.Timestamp(period)).poverty
        return cls(pd.Timestamp(period), poverty_trends(pov, level="province"), poverty_trends(pov, level="national"))

    def in_province(self, province_code: str) -> pd.DataFrame:
        return self.province[self.province["province_code"] == province_code].reset_index(drop=True)


@dataclass(frozen=True)
class Figure:
    """One value a page shows, with what makes it a figure a reader can check: its unit, the period it is
    for, its basis (which participants over which denominator, or which programmes) and its source table.

    A Figure cannot be made without a period, so a renderer that prints Figures always has one to print.
    `period` is "YYYY-MM", "YYYY" or "YYYY-MM – YYYY-MM" (a window)."""

    value: float
    unit: str  # "persons", "%", "rp", "persons_per_month"
    period: str
    basis: str  # e.g. "all_participants/potensi_pekerja", "JKK+JKM+JKP", "p0"
    source: str  # the table it was computed from ("enrolment", "claims", "poverty", "projection", ...)
    # a ratio's denominator's own period when it is known apart from `period` (coverage: "2024" for a potensi
    # list of 2024 under participants of 2025-12; reader 11, M1), else None
    denominator_period: str | None = None

    def __post_init__(self) -> None:
        if not str(self.period or "").strip() or str(self.period) in ("None", "NaT", "nan"):
            raise ValueError(f"a figure needs a period: {self!r}")

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"value": self.value, "unit": self.unit, "period": self.period, "basis": self.basis,
                                  "source": self.source}
        if self.denominator_period is not None:
            out["denominator_period"] = self.denominator_period
        return out


# Which coverage a page shows when the denominator lags the numerator (e.g. a potensi pekerja list of
# 2024 while participants run to 2025-12): the latest month for which both exist, with the rule stated
# (`period_rule`), never the numerator of one month over the denominator of another under one label.
PERIOD_RULE_LATEST_BOTH = "period_rule_latest_both"
# The rule the pages follow (issue 18 finding 1): the latest numerator over the latest denominator, with the rule
# stated, so the summary, the budget plan, the scenarios and the Excel sheets all start from the page's one month
# and no year already in the data is treated as future.
PERIOD_RULE_LATEST_NUMERATOR = "period_rule_latest_numerator"


@dataclass
class DistrictFigures:
    """One district's figures at `last_period`: the numbers and the tables a report shows."""

    district: District
    last_period: pd.Timestamp
    denominator: str
    pairing: str  # e.g. "pu_participants/employees": which participants over which denominator
    target_source: str
    target_is_default: bool  # True when the target is the national default, not the district's own
    active: float
    denominator_value: float
    coverage_pct: float
    coverage_note: str | None  # OVER_100_NOTE when coverage is above 100 %
    coverage_as_of: pd.Timestamp | None  # the latest month with a coverage figure (the denominator may lag)
    lapse_rate_pct: float  # lapsed_per_month over today's active (%): the two groups' rates weighted by stock
    lapsed_per_month: float  # ordinary lapses a month: each funding group's rate on its own stock (`lapses`)
    workers_needed_gross_per_month: float  # net need plus the lapses to replace
    coverage_by_segment: pd.DataFrame  # segment, active, coverage_pct at last_period
    coverage_by_segment_monthly: pd.DataFrame  # month, segment, coverage_pct (for the chart)
    projection: Projection
    claims_from: pd.Timestamp
    claims_12m: pd.DataFrame  # by programme, with kind: risk (JKK, JKM), savings (JHT, JP), job_loss (JKP)
    savings_12m: pd.DataFrame  # JHT and JP withdrawals, apart from the claims headline
    loss_ratio_12m: pd.DataFrame  # JKK+JKM by segment and funding
    heirs_deaths_12m: int
    heirs_paid_12m_rp: int
    apbd_claims: dict[str, object]  # the APBD-funded programme, all months
    poverty: pd.DataFrame  # year, p0, p1, p2, province_p0, national_p0
    poverty_district: pd.DataFrame  # the district's rows of the poverty table
    poverty_province: pd.DataFrame  # population-weighted province trend
    poverty_national: pd.DataFrame  # population-weighted national trend
    poverty_latest: dict[str, object]
    poverty_source: str | None
    peer_year: int
    peer_codes: list[str]
    peers: pd.DataFrame
    budget: pd.DataFrame
    assumptions: pd.DataFrame
    seed_facts: pd.DataFrame  # published facts of the district beside the data's value
    plans: pd.DataFrame  # the district's own plans that are not coverage targets: year, plan, value, unit, plan_source
    synthetic_tables: list[str]
    real_tables: list[str]
    table_provenance: dict[str, dict[str, object]]
    # policy apart from trend, and a budget that reaches the target
    agreement_ends: pd.DataFrame = field(default_factory=pd.DataFrame)  # month, funding, workers (left out of lapses)
    funding_rises: pd.DataFrame = field(default_factory=pd.DataFrame)  # agreements started or enlarged, 12 months
    # the district's published agreement ends and announced renewals beside the data (facts.agreement_event_table)
    agreement_events: pd.DataFrame = field(default_factory=pd.DataFrame)
    budget_plan: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row a year to the target year
    # the self-enrolled path the budget plan reaches the target against: budget.ORGANIC_PROJECTED (the projection's
    # central path, as the page shows it) or budget.ORGANIC_HELD (no projection: held at today's number)
    budget_plan_basis: str = "organic_held"
    # the district's plan of funded workers not yet budgeted against the budget plan (budget.plan_against_budget)
    plan_against_budget: dict[str, object] | None = None
    credibility: pd.DataFrame = field(default_factory=pd.DataFrame)  # the claim rates the plan uses, by programme
    # the summary's values, each with its period, basis and source (see Figure); the page prints these
    figures: dict[str, Figure] = field(default_factory=dict)
    # coverage over each denominator the data has (one pairing each, never mixed): for indexes
    coverage_by_pairing: dict[str, Figure] = field(default_factory=dict)
    # a reason code when the summary's coverage is for an earlier month than last_period (the denominator
    # lags), e.g. "period_rule_latest_both(shown=2024-12, latest=2025-12, denominator=potensi_pekerja)"
    period_rule: str | None = None
    # whether each chart plots synthetic data (the chart's own columns, not the whole table)
    chart_synthetic: dict[str, bool] = field(default_factory=dict)
    # the loss-ratio table's JKK+JKM claims, the other headline programmes and the summary's total
    claims_totals: dict[str, object] = field(default_factory=dict)
    # why the province P0 rebuilt from today's districts differs from BPS's row, or has none (a reason code)
    province_note: str | None = None
    # each table: "real", "synthetic" or "partly_synthetic" (judged column by column, see table_synthetic_status)
    table_status: dict[str, str] = field(default_factory=dict)
    # the period of each rate in the claim-rate table (reader 3, item 14): own (the district's APBD cohort),
    # collective (every APBD cohort pooled), cohorts, and national_JKK / national_JKM (the national rates' years)
    claim_rate_periods: dict[str, object] = field(default_factory=dict)
    lapses: LapseSplit | None = None  # the gross need's lapses by funding group
    # the targets table's target_year_assumed of the target used: its document sets no year (F9); False when
    # the year is a parameter or the target the national default
    target_year_assumed: bool = False
    # the denominator the district's own target was set over (targets.denominator); None for the national default
    # or a parameter, which have no recorded basis. When it is not `denominator`, the projection is `other_basis`
    target_denominator: str | None = None

    def benefit_cost(self) -> dict[str, object]:
        """The budget's benefit/cost ratio at the credibility-weighted rates it uses and at the national published
        rates, with both pairs of rates and whether the used ones rest on synthetic demo data (reader 14, R14-1:
        the demo's APBD cohorts die three times as often as the national rate says)."""
        cr = self.credibility
        used = dict(zip(cr["programme"], cr["rate_per_1000"])) if len(cr) else {}
        if not {"JKK", "JKM"} <= set(used):
            return {}
        from dataclasses import replace

        at = replace(Assumptions(), jkk_cases_per_1000=float(used["JKK"]), jkm_deaths_per_1000=float(used["JKM"]))
        return benefit_cost_figures(at, rests_on_synthetic(self.synthetic_tables))

    def key(self) -> dict[str, object]:
        """The key figures as plain JSON values (what key_figures.json records)."""
        d, p = self.district, self.projection
        c = self.claims_12m
        head = c[c["kind"] != "savings"]
        key: dict[str, object] = {
            "district_code": d.code, "district_name": d.full_name, "province": d.province_name,
            "last_period": f"{self.last_period:%Y-%m}", "denominator": self.denominator, "pairing": self.pairing,
            "active": self.active, "denominator_value": self.denominator_value, "coverage_pct": self.coverage_pct,
            "coverage_note": self.coverage_note,
            "coverage_as_of": None if self.coverage_as_of is None else f"{self.coverage_as_of:%Y-%m}",
            "coverage_by_segment_pct": dict(zip(self.coverage_by_segment["segment"],
                                                self.coverage_by_segment["coverage_pct"])),
            "target_pct": p.target_pct, "target_year": p.target_year, "target_source": self.target_source,
            "target_is_default": self.target_is_default,
            "target_year_assumed": bool(self.target_year_assumed),  # the source gives no year (F9)
            "target_denominator": self.target_denominator,  # the target's own basis (None: none recorded)
            # each top-level value's period beside it (reader's finding 12: no undated duplicate of a figure)
            "active_period": _period_of(self.figures, "active"),
            "denominator_period": _period_of(self.figures, "coverage_denominator"),
            "workers_needed": {"period": _period_of(self.figures, "workers_net"),
                               "net_per_month": p.workers_needed_per_month,
                               # above the target: the participants beyond its need, and the lapses a month that
                               # may go unreplaced (R13-10)
                               "surplus_total": p.workers_surplus_total,
                               "unreplaced_per_month": _unreplaced(p, self.lapsed_per_month),
                               "gross_per_month": self.workers_needed_gross_per_month,
                               # the sum of both groups' lapses; their rates, each with its basis, are in
                               # lapses_by_funding (the blended rate over today's stock, on no page, is not written:
                               # reader 18, R18-4)
                               "lapsed_per_month": self.lapsed_per_month,
                               "lapses_by_funding": None if self.lapses is None else self.lapses.key()},
            "projection": {k: v for k, v in p.key_figures().items()
                           if k not in ("district_code", "denominator", "target_pct", "target_year")},
            "claims_12m": {
                "from": f"{self.claims_from:%Y-%m}", "to": f"{self.last_period:%Y-%m}",
                "count": int(head["claim_count"].sum()), "amount_rp": int(head["claim_amount_rp"].sum()),
                "excludes": list(SAVINGS_PROGRAMMES),  # their withdrawals are in savings_12m
                "by_programme": {r.programme: {"count": int(r.claim_count), "amount_rp": int(r.claim_amount_rp),
                                               "frequency_per_1000": r.frequency_per_1000,
                                               "mean_claim_rp": r.mean_claim_rp}
                                 for r in c.itertuples()},
            },
            "savings_12m": {r.programme: {"count": int(r.claim_count), "amount_rp": int(r.claim_amount_rp)}
                            for r in self.savings_12m.itertuples()},
            "apbd_claims_all": self.apbd_claims,
            "heirs_12m": {"deaths": self.heirs_deaths_12m, "amount_rp": self.heirs_paid_12m_rp,  # with its period
                          "period": f"{self.claims_from:%Y-%m} – {self.last_period:%Y-%m}"},
            "poverty": self.poverty_latest | {
                "p0_by_year": {int(y): v for y, v in zip(self.poverty_district["year"], self.poverty_district["p0"])},
                "source": self.poverty_source,
            },
            "peers": {"year": self.peer_year, "districts": self.peer_codes,
                      "rows": self.peers.to_dict(orient="records")},
            "budget": self.budget.to_dict(orient="records"),
            "budget_plan": self.budget_plan.to_dict(orient="records"),
            "budget_plan_total": plan_total(self.budget_plan) if len(self.budget_plan) else {},
            # the total's stocks (funded, self-enrolled, coverage) are the last year's year-end values, not sums
            "budget_plan_total_stocks_at": (f"{int(self.budget_plan['year'].iloc[-1])}-12" if len(self.budget_plan)
                                            else None),
            "budget_plan_basis": self.budget_plan_basis,
            "plan_against_budget": self.plan_against_budget,
            "claim_rates": self.credibility.to_dict(orient="records"),
            "benefit_cost": self.benefit_cost(),
            "agreement_ends": [{"month": f"{r.month:%Y-%m}", "segment": r.segment, "funding": r.funding,
                                "workers": int(r.workers), "last_active_month": r.last_active_month,
                                "active_before": int(r.active_before), "registered": int(r.registered),
                                # the source dates the end only; the counts rest on the enrolment (reader 19, R19-2)
                                "end_month_source": r.source, "data_basis": self._enrolment_basis()}
                               for r in self.agreement_ends.itertuples()],
            "agreement_events": [dict(r, data_basis=self._enrolment_basis())
                                 for r in self.agreement_events.to_dict(orient="records")],
            "funding_rises": [{"month": f"{r.month:%Y-%m}", "segment": r.segment, "funding": r.funding,
                               "active_before": int(r.active_before), "active": int(r.active),
                               "registered": int(r.registered)} for r in self.funding_rises.itertuples()],
            "projection_scenarios": self.projection.scenarios.to_dict(orient="records"),
            "seed_facts": self.seed_facts.to_dict(orient="records"),
            "plans": self.plans.to_dict(orient="records"),
            "synthetic_tables": self.synthetic_tables,
            "real_tables": self.real_tables,
            "figures": {name: f.as_dict() for name, f in self.figures.items()},
            "coverage_by_pairing": {name: f.as_dict() for name, f in self.coverage_by_pairing.items()},
            "period_rule": self.period_rule,
            "table_periods": self.table_periods(),
            "province_note": self.province_note,
            "chart_synthetic": self.chart_synthetic,
            "table_status": self.table_status,
            "claim_rate_periods": self.claim_rate_periods,
        }
        return jsonable(key)  # type: ignore[return-value]

    def _enrolment_basis(self) -> str:
        """What counts read from the enrolment rest on: "basis_synthetic" (demo data) or "basis_data"."""
        return "basis_synthetic" if "enrolment" in self.synthetic_tables else "basis_data"

    def table_periods(self) -> dict[str, str]:
        """The period of each table the page and the workbook show (reader's finding 8: every table carries
        its period): "YYYY-MM", "YYYY" or a window "from – to"."""
        cov = self.figures.get("coverage")
        month = cov.period if cov is not None else f"{self.last_period:%Y-%m}"
        window = f"{self.claims_from:%Y-%m} – {self.last_period:%Y-%m}"
        out = {"coverage_by_segment": f"{self.last_period:%Y-%m}", "claims_12m": window, "savings_12m": window,
               "loss_ratio_12m": window, "peers": str(self.peer_year), "budget": month}  # assumptions: each row its own period (F6)
        if len(self.budget_plan):
            out["budget_plan"] = f"{int(self.budget_plan['year'].iloc[0])} – {int(self.budget_plan['year'].iloc[-1])}"
        cr = self.credibility
        if len(cr) and "cohort_from" in cr and cr["cohort_from"].notna().any():
            out["claim_rates"] = f"{cr['cohort_from'].dropna().min()} – {cr['cohort_to'].dropna().max()}"
        if len(self.projection.scenarios):
            out["projection_scenarios"] = f"{int(self.projection.target_year)}-12"
        if len(self.poverty):
            out["poverty"] = f"{int(self.poverty['year'].min())} – {int(self.poverty['year'].max())}"
        if len(self.agreement_ends):
            out["agreement_ends"] = window
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a report shows and exports, by name."""
        return {
            "coverage_by_segment": self.coverage_by_segment,
            "model_fits": self.projection.fits_table()[["model", "fitted", "aic", "rmse_in_sample", "rmse_holdout",
                                                        "used"]],
            "projection": self.projection.forecast,
            "claims_12m": self.claims_12m,
            "savings_12m": self.savings_12m,
            "loss_ratio_12m": self.loss_ratio_12m,
            "poverty": self.poverty.rename(columns={"province_p0": "province_p0_current_pct"}),
            "peers": self.peers,
            "budget": self.budget,
            "budget_plan": self.budget_plan,
            "claim_rates": self.credibility.drop(columns=["poisson_p"], errors="ignore"),  # a sentence says p
            # the cell's lapses that month, named so (a partial cut's "Workers" read as the workers cut: R14-7)
            # the source column dates the end only (the counts are the data's): named so (R18-1)
            "agreement_ends": self.agreement_ends.rename(columns={"workers": "lapsed_in_month",
                                                                  "source": "end_month_source"}),
            "projection_scenarios": self.projection.scenarios,
            "assumptions": self.assumptions,
            "seed_facts": self.seed_facts,
            "plans": self.plans,
        }


def _end_sources(ends: pd.DataFrame, events: pd.DataFrame) -> list[str]:
    """The source of each end in `ends` that a published event reports (same funding, the month its workers left:
    the event's `data_as_of` when the data show it), else ""."""
    said = {} if events.empty else {
        (f, month): src for f, month, src, st in zip(events["funding"], events["data_as_of"], events["source"],
                                                      events["status"]) if st == END_IN_DATA}
    return [said.get((str(f), f"{pd.Timestamp(m):%Y-%m}"), "") for f, m in zip(ends["funding"], ends["month"])]


def _target_year_assumed(ds: Dataset, code: str, target_year: int | None) -> bool:
    """Whether the year of the target a district is judged against is assumed (the targets table's
    target_year_assumed of its own row, the one district_target picks); never for a year given as a parameter."""
    if target_year is not None:
        return False
    t = ds.targets[ds.targets["district_code"] == code].sort_values("target_year")
    return bool(len(t) and "target_year_assumed" in t.columns and bool(t["target_year_assumed"].iloc[-1]))


def _own_target(ds: Dataset, code: str, target_pct: float | None, target_year: int | None
                ) -> tuple[str, str]:
    """(denominator, source) of the target a district is judged against."""
    own = district_target(ds, code)
    source = own[3] if own is not None else "–"
    if target_pct is not None or target_year is not None:
        source = TARGET_FROM_PARAMETER
    return (own[2] if own else DEFAULT_DENOMINATOR), source


# A district's own target has a recorded basis (the targets table's `denominator`, e.g. Minahasa's 100 % of its
# potensi pekerja list). Over another denominator no verdict, probability or need is computed against it (issue 18:
# "a verdict comes only from a model that can be estimated"; "no coverage column mixes pairings"): the projection's
# point and interval stay, its status says why. The national default target has no recorded basis and is applied to
# any pairing on purpose (pages say so), as is a target given as a parameter.
OTHER_BASIS = "other_basis"
REASON_OTHER_BASIS = "reason_target_other_basis"


def target_basis_differs(target_denominator: str, target_source: str, denominator: str) -> bool:
    """Whether the target a district is judged against was set over another denominator than `denominator`: its
    own, recorded target (not the national default, not a parameter) over a different denominator."""
    return (target_source not in (TARGET_FROM_PARAMETER, "–") and not is_default_target(target_source)
            and target_denominator != denominator)


def on_other_basis(proj: Projection, target_denominator: str) -> Projection:
    """`proj` with no verdict against a target set over `target_denominator` (another denominator than its own):
    status `other_basis`, a reason naming the target's basis (before any reason the projection already had), and
    no probability, need or scenario chance; the point forecast and its interval are kept."""
    why = reason_code(REASON_OTHER_BASIS, basis=target_denominator, denominator=proj.denominator)
    reason = why if proj.model_used or not proj.reason else f"{why}; {proj.reason}"
    scenarios = proj.scenarios.assign(probability_pct=math.nan) if len(proj.scenarios) else proj.scenarios
    return replace(proj, status=OTHER_BASIS, reason=reason, probability_reaching_target=math.nan,
                   workers_needed_total=math.nan, workers_needed_per_month=math.nan, workers_surplus_total=math.nan,
                   scenarios=scenarios)


def _lapses_and_base(enrolment: pd.DataFrame, period: pd.Timestamp, months: int = 12,
                     excluding: pd.DataFrame | None = None) -> tuple[float, float]:
    """(lapses, participant-months at risk) of the enrolment rows over the `months` up to `period`: the
    participants lapsed, and the active participants at the start of each month (the month before's active).
    `excluding` (`agreement_ends`): those lapses are left out.

    Summed with numpy when the months are dates without a gap value and the counts integers (a report's rows: two
    calls, about 5 ms in pandas against 0.5); the same sums of the same integers (the base's float64 sum of whole
    numbers is exact in any order). Anything else as pandas sums it (tests/analysis/test_steadya_lapses.py)."""
    quick = _lapses_and_base_numpy(enrolment, period, months, excluding)
    if quick is not None:
        return quick
    m = enrolment.groupby("month")[["active", "lapsed"]].sum().sort_index()
    if excluding is not None and len(excluding):
        ends = excluding.groupby("month")["workers"].sum()
        m["lapsed"] = m["lapsed"] - ends.reindex(m.index, fill_value=0)
    m["base"] = m["active"].shift()
    m = m[(m.index > period - pd.DateOffset(months=months)) & (m.index <= period)].dropna(subset=["base"])
    return float(m["lapsed"].sum()), float(m["base"].sum())


def _lapses_and_base_numpy(enrolment: pd.DataFrame, period: pd.Timestamp, months: int,
                           excluding: pd.DataFrame | None) -> tuple[float, float] | None:
    """`_lapses_and_base` with numpy, or None for rows it does not take (see there)."""
    tables = [(enrolment, ("active", "lapsed"))] + ([] if excluding is None else [(excluding, ("workers",))])
    for df, cols in tables:
        if df["month"].dtype != "datetime64[ns]" or df["month"].isna().any() or any(
                df[c].dtype != "int64" for c in cols):
            return None
    cells, inverse = np.unique(enrolment["month"].to_numpy().view("int64"), return_inverse=True)
    active, lapsed = np.zeros(len(cells), dtype="int64"), np.zeros(len(cells), dtype="int64")
    np.add.at(active, inverse, enrolment["active"].to_numpy())
    np.add.at(lapsed, inverse, enrolment["lapsed"].to_numpy())
    if excluding is not None and len(excluding):  # the ends' workers of the months the rows have
        at = np.searchsorted(cells, excluding["month"].to_numpy().view("int64"))
        hit = (at < len(cells)) & (cells[np.minimum(at, len(cells) - 1)] == excluding["month"].to_numpy().view("int64"))
        ends = np.zeros(len(cells), dtype="int64")
        np.add.at(ends, at[hit], excluding["workers"].to_numpy()[hit])
        lapsed = lapsed - ends
    base = np.concatenate([[np.nan], active[:-1].astype("float64")]) if len(cells) else np.zeros(0)
    start = pd.Timestamp(period - pd.DateOffset(months=months)).to_datetime64().astype("datetime64[ns]").view("int64")
    end = pd.Timestamp(period).to_datetime64().astype("datetime64[ns]").view("int64")
    keep = (cells > start) & (cells <= end) & ~np.isnan(base)
    return float(lapsed[keep].sum()), float(base[keep].sum())


def lapse_rate(enrolment: pd.DataFrame, period: pd.Timestamp, months: int = 12,
               excluding: pd.DataFrame | None = None) -> float:
    """Monthly lapse rate (%) of the enrolment rows over the `months` up to `period`: participants lapsed
    over the active participants at the start of each month (the month before's active); NaN without data.
    `excluding` (`agreement_ends`): those lapses are left out (the ends of funding agreements are budget
    decisions, shown on their own line, not ordinary lapses)."""
    lapsed, base = _lapses_and_base(enrolment, period, months, excluding)
    return 100 * lapsed / base if base > 0 else math.nan


# The budget-funded participants' own lapse rate is used only over at least this many participant-months in the
# 12-month window (1,000 workers for a year). Funded workers lapse rarely (about 0.2 % a month in the demo), so
# this exposure expects some 24 lapses, a rate known to about +-20 %; below it a rate rests on a handful of lapses
# (Boalemo's 5,000 funded workers were in the base for one month: 10 lapses) or on none (a rate of 0).
MIN_FUNDED_EXPOSURE = 12_000
LAPSE_FUNDED_OWN = "own"  # the district's funded participants' own rate
# too little exposure: the median month of all districts' funded participants (the basis says "median month" in
# key_figures.json, as the page says it: reader 18, R18-5)
LAPSE_FUNDED_ALL = "all_districts_median_month"
LAPSE_FUNDED_NONE = "none"  # no budget-funded participants today: no rate is needed


@dataclass(frozen=True)
class LapseSplit:
    """Ordinary lapses a month (agreement ends excluded), each group's rate applied to its own stock: the
    self-funded (organic, funding self_employer) and the budget-funded (APBD, APBN, CSR) participants
    (issue 18: the pooled rate, measured while new funded workers were barely in the base, was applied to them)."""

    period_from: str  # the window's first and last month
    period_to: str
    organic_rate_pct: float
    organic_exposure: float  # participant-months at risk in the window
    organic_lapses: float
    organic_active: float  # today
    funded_rate_pct: float  # the rate applied (own, or all districts' when `funded_basis` says so)
    funded_own_rate_pct: float  # the district's own (NaN without exposure), shown beside a fallback
    funded_exposure: float
    funded_lapses: float
    funded_active: float
    funded_basis: str  # LAPSE_FUNDED_OWN, LAPSE_FUNDED_ALL or LAPSE_FUNDED_NONE
    min_funded_exposure: int = MIN_FUNDED_EXPOSURE

    @property
    def organic_per_month(self) -> float:
        return self.organic_rate_pct / 100 * self.organic_active if np.isfinite(self.organic_rate_pct) else math.nan

    @property
    def funded_per_month(self) -> float:
        if self.funded_active <= 0:
            return 0.0
        return self.funded_rate_pct / 100 * self.funded_active if np.isfinite(self.funded_rate_pct) else math.nan

    @property
    def per_month(self) -> float:
        return self.organic_per_month + self.funded_per_month

    def key(self) -> dict[str, object]:
        """Plain JSON values for key_figures.json."""
        return {"from": self.period_from, "to": self.period_to, "min_funded_exposure": self.min_funded_exposure,
                "organic": {"rate_pct": self.organic_rate_pct, "participant_months": self.organic_exposure,
                            "lapses": self.organic_lapses, "active": self.organic_active,
                            "lapsed_per_month": self.organic_per_month},
                "funded": {"rate_pct": self.funded_rate_pct, "own_rate_pct": self.funded_own_rate_pct,
                           "participant_months": self.funded_exposure, "lapses": self.funded_lapses,
                           "active": self.funded_active, "lapsed_per_month": self.funded_per_month,
                           "basis": self.funded_basis}}


def all_funded_rate(enrolment: pd.DataFrame, period: pd.Timestamp, segments: tuple[str, ...] | None) -> float:
    """The budget-funded participants of all districts: the median over the 12 months to `period` of their
    monthly lapse rate (%), agreement ends excluded. The median month, not the pooled rate: agreements cut in part
    across many districts in one month (below the AGREEMENT_END_SHARE a cell needs to count as an end) would
    otherwise pass for ordinary lapses (demo: January 2025 alone moves the pooled rate from 0.2 % to 1.6 %).
    A batch computes it once per period and segments (ucj.presentation.district.PeerTables.funded_rate)."""
    f = enrolment[enrolment["funding"] != "self_employer"]
    if segments is not None:
        f = f[f["segment"].isin(segments)]
    f = f[(f["month"] > period - pd.DateOffset(months=13)) & (f["month"] <= period)]
    ends = agreement_ends(f)
    m = f.groupby("month")[["active", "lapsed"]].sum().sort_index()
    m["lapsed"] = m["lapsed"] - ends.groupby("month")["workers"].sum().reindex(m.index, fill_value=0)
    m["base"] = m["active"].shift()
    m = m[(m.index > period - pd.DateOffset(months=12)) & (m["base"] > 0)]
    return float((100 * m["lapsed"] / m["base"]).median()) if len(m) else math.nan


def lapse_split(counted: pd.DataFrame, period: pd.Timestamp, ends: pd.DataFrame, all_enrolment: pd.DataFrame,
                segments: tuple[str, ...] | None = None, all_funded: Callable[[], float] | None = None) -> LapseSplit:
    """The district's ordinary lapses by funding group (`counted`: its enrolment rows, `ends` its agreement ends
    in the window, left out). The funded group's own rate is used when it has at least MIN_FUNDED_EXPOSURE
    participant-months; else the median monthly rate of the funded participants of all districts (`all_funded()`,
    by default `all_funded_rate` over `all_enrolment`)."""
    is_org = counted["funding"] == "self_employer"
    org, fun = counted[is_org], counted[~is_org]
    now = counted[counted["month"] == period]
    o_l, o_b = _lapses_and_base(org, period)
    f_l, f_b = _lapses_and_base(fun, period, excluding=ends)
    f_active = float(now.loc[now["funding"] != "self_employer", "active"].sum())
    own = 100 * f_l / f_b if f_b > 0 else math.nan
    if f_active <= 0:
        rate, basis = own, LAPSE_FUNDED_NONE
    elif f_b >= MIN_FUNDED_EXPOSURE:
        rate, basis = own, LAPSE_FUNDED_OWN
    else:
        rate = all_funded() if all_funded is not None else all_funded_rate(all_enrolment, period, segments)
        basis = LAPSE_FUNDED_ALL
    return LapseSplit(period_from=f"{period - pd.DateOffset(months=11):%Y-%m}", period_to=f"{period:%Y-%m}",
                      organic_rate_pct=100 * o_l / o_b if o_b > 0 else math.nan, organic_exposure=o_b,
                      organic_lapses=o_l, organic_active=float(now.loc[now["funding"] == "self_employer",
                                                                         "active"].sum()),
                      funded_rate_pct=rate, funded_own_rate_pct=own, funded_exposure=f_b, funded_lapses=f_l,
                      funded_active=f_active, funded_basis=basis)


def peer_table_key(ds: Dataset, district_code: str, last_period: pd.Timestamp, denominator: str | None = None,
                   target_pct: float | None = None, target_year: int | None = None) -> tuple[int, str]:
    """(peer year, denominator) of the all-district table `district_figures` compares the district with
    at `last_period`, found cheaply (targets and the district's poverty rows only), so a caller that keeps
    those tables hands the right one at once. The same rules as `district_figures` (which checks the table
    it is given and builds its own when it does not fit)."""
    period = pd.Timestamp(last_period)
    target_denominator, _ = _own_target(ds, district_code, target_pct, target_year)  # targets: as_of keeps them all
    denom = check_denominator(denominator or target_denominator)
    pov = ds.poverty
    p_d = pov[(pov["district_code"] == district_code) & (pov["year"] <= period.year)]
    years = p_d.loc[p_d["p0"].notna(), "year"]
    year = int(years.max()) if len(years) else period.year
    return min(year, period.year), denom


def _denominator_year(workforce: pd.DataFrame, denominator: str, month: pd.Timestamp) -> str:
    """The year of the denominator a coverage of `month` is over: the latest year up to the month's with a
    figure above 0 in the district's `workforce` rows (the month's own year, or the earlier one the period rule
    carries forward)."""
    if denominator not in workforce.columns:
        return str(month.year)
    values = pd.to_numeric(workforce[denominator], errors="coerce")
    years = workforce.loc[(values > 0) & (workforce["year"] <= month.year), "year"]
    return str(int(years.max())) if len(years) else str(month.year)


USED_RATE_ROWS = {"jkm_deaths_per_1000": "jkm_deaths_per_1000_used", "jkk_cases_per_1000": "jkk_cases_per_1000_used"}
# the used rows' source sentence when the rates rest on synthetic demo data (catalogue source.<this>)
USED_RATE_SOURCES_SYNTHETIC = {"jkm_deaths_per_1000": "jkm_deaths_per_1000_used_synthetic",
                               "jkk_cases_per_1000": "jkk_cases_per_1000_used_synthetic"}


CLAIM_RATE_TABLES = ("claims", "enrolment")  # what the credibility-weighted claim rates rest on


def rests_on_synthetic(synthetic_tables: list[str]) -> bool:
    """Whether the budget's claim rates rest on synthetic demo data (its claims or enrolment are)."""
    return any(t in synthetic_tables for t in CLAIM_RATE_TABLES)


def with_used_rates(table: pd.DataFrame, used: Assumptions, synthetic: bool = False) -> pd.DataFrame:
    """The assumptions table with, after each national claim rate, the credibility-weighted rate the budget
    uses (its derivation in the claim-rates table), so the page shows the rate behind its expected claims.
    `synthetic`: the claims or enrolment the rates rest on are synthetic demo data; the row's source is then the
    catalogue sentence that says so (`<row>_synthetic`; reader 14, R14-1: the budget's rates came from the demo)."""
    rows = []
    for r in table.to_dict(orient="records"):
        rows.append(r)
        if r["assumption"] in USED_RATE_ROWS:
            rows.append({"assumption": USED_RATE_ROWS[r["assumption"]], "value": getattr(used, r["assumption"]),
                         "source": (USED_RATE_SOURCES_SYNTHETIC if synthetic else USED_RATE_ROWS)[r["assumption"]]})
    return pd.DataFrame(rows, columns=table.columns)


def district_figures(
    ds: Dataset,
    district_code: str,
    *,
    last_period: pd.Timestamp | None = None,
    denominator: str | None = None,
    target_pct: float | None = None,
    target_year: int | None = None,
    peer_year: int | None = None,
    comparison: pd.DataFrame | Comparison | None = None,
    area_poverty: AreaPoverty | None = None,
    cohorts: Cohorts | None = None,
    funded_rates: Callable[[pd.Timestamp, tuple[str, ...] | None], float] | None = None,
    comparisons: Callable[[int, str], Comparison] | None = None,
    views: Callable[[pd.Timestamp], Dataset] | None = None,
) -> DistrictFigures:
    """Compute every figure of one district as the data stood at `last_period` (default: the latest month).

    `comparison` (the all-district table for the peer year, `district_table`, or a `Comparison` that also
    holds its benchmarks), `area_poverty` (province and national poverty at the period) and `cohorts` (every
    district's APBD cohort at the period, for the budget's claim rates) and `funded_rates` (period, segments ->
    `all_funded_rate`, the lapse rate of all districts' budget-funded participants) are what a caller making many
    districts computes once; each is computed here when absent or for another year, denominator or period.
    `comparisons` (peer year, denominator -> `Comparison` at `last_period`) gives the other tables the district may
    be compared over (coverage over the working population when no other district has its denominator).
    `views` (period -> `as_of(ds, period)`, kept by a caller making many districts of one period) gives the dataset
    as it stood at the period, the same for every district (about 4 ms a report to cut).
    """
    d = ds.registry.get(district_code)
    code = d.code
    period = pd.Timestamp(last_period) if last_period is not None else pd.Timestamp(ds.enrolment["month"].max())
    view = as_of(ds, period) if views is None else views(period)
    target_denominator, target_source = _own_target(view, code, target_pct, target_year)
    denom = check_denominator(denominator or target_denominator)
    e_d = view.enrolment[view.enrolment["district_code"] == code]
    # the district's own workforce rows: a district's coverage reads no other district's (the same rows, 5
    # coverage computations a report against the whole table)
    w_d = view.workforce[view.workforce["district_code"] == code]
    # its monthly coverage, computed once for the coverage now and the projection's series (the same frame as
    # each computed it: tests/analysis/test_speedp_monthly.py)
    monthly = district_monthly(e_d, w_d, code, denom)
    proj = project_district(view, code, denominator=denom, target_pct=target_pct, target_year=target_year,
                            monthly=monthly)
    other_basis = target_pct is None and target_basis_differs(target_denominator, target_source, denom)
    if other_basis:  # the own target's basis is another denominator: no verdict against it
        proj = on_other_basis(proj, target_denominator)

    now, den_year = coverage_at(e_d, w_d, code, denom, period, monthly=monthly)
    by_seg = carry_segments(coverage(e_d, w_d, denom, period="month", by_segment=True), den_year)
    seg_now = by_seg[by_seg["month"] == period][["segment", "active", "coverage_pct"]].reset_index(drop=True)

    start_12 = period - pd.DateOffset(months=CLAIMS_WINDOW_MONTHS - 1)
    c_d = view.claims[view.claims["district_code"] == code]
    c_12 = c_d[c_d["month"] >= start_12]
    e_12 = e_d[e_d["month"] >= start_12]  # the exposure of the same 12 months
    claims_12 = programme_claims(c_12, e_12)  # claims_summary's by programme, its columns the page shows
    claims_12.insert(1, "kind", claims_12["programme"].map(programme_kind))
    savings = programme_withdrawals(c_12)  # savings_withdrawals' by programme
    k_d = view.contributions[view.contributions["district_code"] == code]
    lr = cell_loss_ratio(c_12, k_d[k_d["month"] >= start_12], e_12)  # loss_ratio's, the columns the page shows
    # both sides are the JKK+JKM share only: named so, beside the claims table's JKK+JKM+JKP total
    lr = lr.rename(columns={"claim_amount_rp": "claim_amount_jkk_jkm_rp", "contribution_rp": "contribution_jkk_jkm_rp"})
    # the benefits paid to heirs over the 12 months: heirs_benefits' sums (one district's rows: one group), summed
    heirs = c_12[c_12["programme"].isin(HEIRS_PROGRAMMES)]
    apbd_claims = apbd_claims_all(c_d)

    pov = view.poverty
    p_d = pov[pov["district_code"] == code].sort_values("year")
    p_latest = p_d.dropna(subset=["p0"]).iloc[-1] if p_d["p0"].notna().any() else None
    if area_poverty is None or area_poverty.period != period:
        area_poverty = AreaPoverty.of(ds, period)
    prov_p, nat_p = area_poverty.in_province(d.province_code), area_poverty.national
    poverty_table = p_d[["year", "p0", "p1", "p2", "source"]].merge(
        prov_p[["year", "p0"]].rename(columns={"p0": "province_p0"}), on="year", how="left").merge(
        nat_p[["year", "p0"]].rename(columns={"p0": "national_p0"}), on="year", how="left")
    bps_all = bps_poverty_province()  # read once: this district's rows and the years the file holds
    bps_prov = bps_all[bps_all["province_code"] == d.province_code][["year", "p0"]].rename(
        columns={"p0": "bps_province_p0_pct"})
    poverty_table = poverty_table.merge(bps_prov, on="year", how="left")
    poverty_table = poverty_table[["year", "p0", "p1", "p2", "province_p0", "bps_province_p0_pct", "national_p0",
                                   "source"]]
    province_note = province_boundary_note(poverty_table, set(bps_all["year"].astype(int)))
    latest = {k: (None if p_latest is None else float(p_latest[k])) for k in ("p0", "p1", "p2")}
    latest = {"year": int(p_latest["year"]) if p_latest is not None else None} | latest
    nat_at = nat_p.set_index("year")["p0"]
    prov_at = prov_p.set_index("year")["p0"]
    latest["national_p0"] = float(nat_at.get(latest["year"], math.nan)) if latest["year"] else None
    latest["province_p0"] = float(prov_at.get(latest["year"], math.nan)) if latest["year"] else None
    # why an aggregate is missing (only then: the demo's figures keep theirs; the province's rows are cut only then)
    for name, rows in (("province_p0", lambda: pov[pov["district_code"].astype(str).str[:2] == d.province_code]),
                       ("national_p0", lambda: pov)):
        if latest["year"] is not None and not np.isfinite(float(latest[name])):  # type: ignore[arg-type]
            latest[f"{name}_reason"] = aggregate_p0_reason(rows(), int(latest["year"]))  # type: ignore[arg-type]
    for name in ("p1", "p2"):  # an index the data never gives the district (BPS's P0 table imported alone)
        if not p_d[name].notna().any():
            latest[f"{name}_reason"] = reason_code("reason_not_in_data")

    year_for_peers = peer_year or (int(p_latest["year"]) if p_latest is not None else period.year)
    year_for_peers = min(year_for_peers, period.year)
    if isinstance(comparison, pd.DataFrame):
        comparison = Comparison(comparison)
    if comparison is None or not comparison.fits(year_for_peers, denom, period):
        comparison = Comparison(district_table(view, year_for_peers, denom))
    peers = benchmark(comparison.table, code, all_rows=comparison.benchmarks, peers=comparison.peers)
    peer_codes = list(peers.attrs["peers"])
    peers_tab = peers[["indicator", "value", "province", "national", "peers", "rank", "of", "tied", "percentile"]].rename(
        columns={"peers": "peer_mean"}).reset_index(drop=True)
    cov_rows = peers_tab["indicator"] == "coverage_pct"
    if denom != DEFAULT_DENOMINATOR and cov_rows.any() and (peers_tab.loc[cov_rows, "of"].fillna(0) <= 1).all():
        # no other district has this denominator (e.g. a potensi pekerja list): compare coverage over the working
        # population instead, named so (reader's finding 13), rather than an empty row "of 0"
        wp_cmp = comparisons(year_for_peers, DEFAULT_DENOMINATOR) if comparisons is not None else None
        if wp_cmp is None or wp_cmp.benchmarks is None or not wp_cmp.fits(year_for_peers, DEFAULT_DENOMINATOR, period):
            wp = benchmark(district_table(view, year_for_peers, DEFAULT_DENOMINATOR), code)
        else:  # the shared table and its benchmarks: the rows benchmark() would compute
            wp = benchmark(wp_cmp.table, code, all_rows=wp_cmp.benchmarks, peers=wp_cmp.peers)
        wp = wp[wp["indicator"] == "coverage_pct"][["indicator", "value", "province", "national", "peers", "rank", "of",
                                                      "tied", "percentile"]].rename(columns={"peers": "peer_mean"})
        if len(wp):
            wp = wp.assign(indicator=COVERAGE_OVER_WORKING_POPULATION)
            peers_tab = pd.concat([wp, peers_tab[~cov_rows]], ignore_index=True)

    active_now = float(now["active"]) if now is not None else math.nan
    denom_now = float(now["denominator_value"]) if now is not None else math.nan
    cov_now = float(now["coverage_pct"]) if now is not None else math.nan
    cov_month = pd.Timestamp(now["month"]) if now is not None else None
    upto = cov_month if cov_month is not None else period  # lapses and active of the same period
    segs = pairing(denom).segments
    counted = e_d if segs is None else e_d[e_d["segment"].isin(segs)]  # the participants this coverage counts
    cells = funded_cells(counted)  # sorted once for the ends and the rises (neither changes it)
    ends = agreement_ends(counted, cells)
    # the published events against every segment's ends: a coverage over employees counts no BPU participants, yet
    # Muna Barat's APBD (BPU) workers still left in 2025-01 (computed only for a district with published events)
    events = agreement_event_table(code, ends if segs is None else None, e_d, upto)
    ends = ends[(ends["month"] > upto - pd.DateOffset(months=12)) & (ends["month"] <= upto)
                & (ends["workers"] > 0)].reset_index(drop=True)
    # each end the district's source reports, with that source (reader 18, R18-1); "" for an end only the data show
    ends["source"] = _end_sources(ends, events)
    # the agreement's last month with workers (an agreement "ending December 2024" shows its lapses in 2025-01)
    ends.insert(1, "last_active_month", [f"{pd.Timestamp(m) - pd.DateOffset(months=1):%Y-%m}" for m in ends["month"]])
    rises = funding_rises(counted, cells)
    rises = rises[(rises["month"] > upto - pd.DateOffset(months=12)) & (rises["month"] <= upto)].reset_index(drop=True)
    # each funding group's rate on its own stock (issue 18): `lapse_pct` is then the lapses over today's active
    seg_key = None if segs is None else tuple(segs)
    split = lapse_split(counted, upto, ends, ds.enrolment, seg_key,
                        None if funded_rates is None else (lambda: funded_rates(upto, seg_key)))
    lapsed_month = split.per_month if np.isfinite(active_now) else math.nan
    lapse_pct = 100 * lapsed_month / active_now if np.isfinite(lapsed_month) and active_now > 0 else math.nan
    net = proj.workers_needed_per_month
    gross = gross_per_month(net, proj.workers_surplus_total, proj.months_remaining, lapsed_month)

    # the workers needed for the target are the year-by-year plan (`budget_plan`), not a scenario row
    already = funded_workers(e_d, code, upto)
    if cohorts is None or cohorts.period != period:  # every district's APBD cohorts at this period
        cohorts = Cohorts.of(view.claims, view.enrolment, period)
    rates = credible_rates(view.claims, view.enrolment, code, period=period, cohorts=cohorts)
    rate_periods = claim_rate_periods(view.enrolment, rates)
    by_prog = {r.programme: r for r in rates}
    # the plan's rates, unrounded, so the scenario table and the year-by-year plan use the same rate (reader 11,
    # L5: the scenarios once used it rounded to 2 decimals); rounded only where it is shown
    used = replace(Assumptions(), jkk_cases_per_1000=by_prog["JKK"].rate_per_1000,
                   jkm_deaths_per_1000=by_prog["JKM"].rate_per_1000)
    # each scenario: the workers funded today plus 5,000 or 10,000 additional ones (reader's finding 15: a row of
    # "5,000 workers" beside 31,777 already funded read as nothing)
    budget = scenario_table([already + 5_000, already + 10_000], 12, assumptions=used,
                            labels=[SCENARIO_PLUS[5_000], SCENARIO_PLUS[10_000]],
                            current_active=int(active_now) if np.isfinite(active_now) else None,
                            denominator_value=denom_now if np.isfinite(denom_now) else None,
                            already_funded=already, counts_towards_coverage=segs is None or "BPU" in segs)
    plan = pd.DataFrame(columns=PLAN_COLUMNS)
    if cov_month is not None and np.isfinite(active_now) and np.isfinite(denom_now) and not other_basis:
        # from the page's one month (the coverage's), never from an earlier base
        organic_now, organic_path = projected_organic(proj, cov_month, active_now)
        plan = budget_to_target(cov_month, active_now, denom_now,
                                proj.denominator_growth_pct_per_year / 100, proj.target_pct, proj.target_year,
                                lapse_pct, already, by_prog["JKK"].rate_per_1000, by_prog["JKM"].rate_per_1000,
                                counts_towards_coverage=segs is None or "BPU" in segs, denominator_year=den_year,
                                organic_now=organic_now, organic_pct=organic_path)
    plan_basis = str(plan.attrs.get("organic", ORGANIC_HELD))
    own_plans = ds.plans[ds.plans["district_code"] == code]
    against = plan_against_budget(plan, own_plans, cov_month, used) if cov_month is not None else None

    synthetic = view.synthetic_tables()
    figs = _summary_figures(e_d, denom, period, now, proj, head_claims=claims_12, start_12=start_12,
                            net=net, gross=gross, poverty_latest=latest, denominator_year=den_year)
    by_pairing = {}
    others = coverage_pct_at(e_d, w_d, [den for den in PAIRINGS if den != denom], period)  # coverage_at's figures
    for den in PAIRINGS:
        got = ((float(now["coverage_pct"]), pd.Timestamp(now["month"])) if now is not None else None) \
            if den == denom else others[den]  # the page's own: computed above
        if got is not None:
            # the denominator's year beside the participants' month (reader 11, M1): the page's own as its summary
            # says it, the others' the latest year with a figure up to the month's (the period rule, coverage_at)
            den_of = str(den_year or got[1].year) if den == denom else _denominator_year(w_d, den, got[1])
            by_pairing[den] = Figure(got[0], "%", f"{got[1]:%Y-%m}", pairing(den).name, "enrolment/workforce",
                                     denominator_period=den_of)
    rule = None
    if den_year is not None and cov_month is not None:
        rule = reason_code(PERIOD_RULE_LATEST_NUMERATOR, numerator=f"{cov_month:%Y-%m}",
                           denominator_year=str(den_year), denominator=denom)
    elif cov_month is not None and cov_month < period:
        rule = reason_code(PERIOD_RULE_LATEST_BOTH, shown=f"{cov_month:%Y-%m}", latest=f"{period:%Y-%m}",
                           denominator=denom)
    return DistrictFigures(
        district=d, last_period=period, denominator=denom, pairing=pairing(denom).name,
        target_source=target_source, target_is_default=is_default_target(target_source),
        active=active_now, denominator_value=denom_now, coverage_pct=cov_now,
        coverage_note=OVER_100_NOTE if cov_now > 100 else None,
        coverage_as_of=pd.Timestamp(now["month"]) if now is not None else None,
        lapse_rate_pct=lapse_pct, lapsed_per_month=lapsed_month, workers_needed_gross_per_month=gross,
        coverage_by_segment=seg_now, coverage_by_segment_monthly=by_seg, projection=proj,
        claims_from=start_12, claims_12m=claims_12, savings_12m=savings.reset_index(drop=True), loss_ratio_12m=lr,
        heirs_deaths_12m=int(heirs["claim_count"].sum()), heirs_paid_12m_rp=int(heirs["claim_amount_rp"].sum()),
        apbd_claims=apbd_claims, poverty=poverty_table.reset_index(drop=True), poverty_district=p_d,
        poverty_province=prov_p, poverty_national=nat_p, poverty_latest=latest,
        poverty_source=", ".join(view.info["poverty"].sources) if "poverty" in view.info else None,
        peer_year=year_for_peers, peer_codes=peer_codes, peers=peers_tab, budget=budget,
        assumptions=with_used_rates(Assumptions().describe(), used, rests_on_synthetic(synthetic)),
        seed_facts=seed_facts(view, code, period),
        plans=ds.plans[ds.plans["district_code"] == code][["year", "plan", "value", "unit", "plan_source"]]
        .reset_index(drop=True), synthetic_tables=synthetic,
        real_tables=[n for n in view.info if n not in synthetic], table_provenance=view.provenance(),
        agreement_ends=ends, funding_rises=rises, agreement_events=events, budget_plan=plan, budget_plan_basis=plan_basis, plan_against_budget=against,
        credibility=pd.DataFrame([asdict(r) for r in rates], columns=[f.name for f in fields(CredibleRate)]),
        figures=figs, coverage_by_pairing=by_pairing, period_rule=rule, chart_synthetic=chart_synthetic(view, denom), province_note=province_note, lapses=split,
        claims_totals=_claims_totals(claims_12, lr),
        table_status={n: table_synthetic_status(i)[0] for n, i in view.info.items()},
        target_year_assumed=(target_source != TARGET_FROM_PARAMETER
                             and _target_year_assumed(view, code, target_year)),
        claim_rate_periods=rate_periods,
        target_denominator=(target_denominator if target_pct is None and target_source not in (TARGET_FROM_PARAMETER, "–")
                            and not is_default_target(target_source) else None),
    )


def apbd_claims_all(c_d: pd.DataFrame) -> dict[str, object]:
    """The district's APBD-funded claims over all its months (`c_d`: its claims rows): count, Rp, mean claim, first
    and last month with a claim. The figures `claims_summary(c_d, e_d, period="all", by=(), filters={"funding":
    "apbd"})` gives (its one row: the sums, the amount over the count as float64, NaN without a claim), summed
    directly: the summary's exposure and reasons are not read here (about 7 ms a report;
    tests/analysis/test_speedr_apbd.py compares the two for every fourth district at two periods)."""
    apbd = c_d[c_d["funding"] == "apbd"]
    count = apbd["claim_count"].to_numpy(dtype="int64").sum()
    amount = apbd["claim_amount_rp"].to_numpy(dtype="int64").sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.float64(amount) / np.float64(count)
    months = apbd.loc[apbd["claim_count"] > 0, "month"]
    return {
        "count": int(count) if len(apbd) else 0,
        "amount_rp": int(amount) if len(apbd) else 0,
        "mean_claim_rp": float(mean) if len(apbd) and count != 0 else math.nan,
        "first_month": f"{months.min():%Y-%m}" if len(months) else None,
        "last_month": f"{months.max():%Y-%m}" if len(months) else None,
    }


def claim_rate_periods(enrolment: pd.DataFrame, rates: list[CredibleRate]) -> dict[str, object]:
    """The period of each rate the claim-rate table shows: the district's own APBD cohort (its first to last
    month with workers), the collective rate (every APBD cohort's months pooled, as `apbd_cohort_experience`
    counts them: months with active APBD-funded workers) and the national rates (their published years)."""
    from ucj.analysis.budget import NATIONAL_RATE_YEAR

    on = enrolment.loc[(enrolment["funding"] == "apbd") & (enrolment["active"] > 0), "month"]
    own = [r for r in rates if r.cohort_from]
    out: dict[str, object] = {
        "own": f"{own[0].cohort_from} – {own[0].cohort_to}" if own else None,
        "collective": f"{on.min():%Y-%m} – {on.max():%Y-%m}" if len(on) else None,
        "cohorts": max((r.cohorts for r in rates), default=0),
    }
    out |= {f"national_{prog}": str(year) for prog, year in NATIONAL_RATE_YEAR.items()}
    return out


def projected_organic(proj: Projection, month: pd.Timestamp, active: float) -> tuple[float | None, pd.Series | None]:
    """(today's observed organic count, the projection's central organic coverage (%) by future month) for the
    budget plan, read from the Projection result; (None, None) when the projection has no organic path or starts
    from another month or count than the plan (then the plan holds the organic participants at today's number)."""
    fc = proj.forecast
    if (not proj.model_used or "organic_mean" not in fc or not len(fc) or proj.last_month is None
            or pd.Timestamp(proj.last_month) != pd.Timestamp(month) or not np.isfinite(proj.funded_now)
            or not np.isclose(float(proj.last_active), float(active))):
        return None, None
    path = (proj.organic_december_level if proj.organic_december_level is not None  # December's seasonal level
            else fc.set_index("month")["organic_mean"])  # (R14-4: the forecast's own path moves with the seasons)
    return float(proj.last_active) - float(proj.funded_now), path.astype("float64")


def _unreplaced(p: Projection, lapsed_per_month: float) -> float:
    """The lapses a month that may go unreplaced with the target still met (the surplus over the months left, at
    most the lapses); 0 below the target, NaN when unknown."""
    if not (np.isfinite(p.workers_surplus_total) and np.isfinite(lapsed_per_month)) or p.months_remaining <= 0:
        return math.nan
    # the lapses the gross need (`gross_per_month`, above the target: no net need) leaves unreplaced: one rule
    return lapsed_per_month - gross_per_month(0.0, p.workers_surplus_total, p.months_remaining, lapsed_per_month)


def _period_of(figures: dict[str, Figure], name: str) -> str | None:
    fig = figures.get(name)
    return None if fig is None else fig.period


# the rebuilt province P0 and BPS's row of the same year differ by more than this: not the same area
BOUNDARY_GAP_PP = 0.5


def province_boundary_note(poverty: pd.DataFrame, held_years: set[int] | None = None) -> str | None:
    """A reason code when the province P0 on today's boundaries (a ratio of sums over today's districts) is
    not BPS's province row of a year: BPS published none that year (a province formed later), or BPS's row
    covers the province as it then was (it differs by more than BOUNDARY_GAP_PP), e.g. Papua before 2022; or the
    workbook holds no BPS province row for that year at all (`held_years`: the years of
    data/published/bps_poverty_province.csv; reader 17, R17-5: an imported P0 file reaching back to 2004 made the
    page say BPS published nothing for 2004-2018, though BPS did)."""
    have = poverty.dropna(subset=["province_p0"])
    missing = have[have["bps_province_p0_pct"].isna()]["year"].astype(int)
    held = missing.isin(held_years) if held_years is not None else pd.Series(True, index=missing.index)
    none, not_held = missing[held].tolist(), missing[~held].tolist()
    gap = have[(have["province_p0"] - have["bps_province_p0_pct"]).abs() > BOUNDARY_GAP_PP]["year"].astype(int).tolist()

    def span(years: list[int]) -> str:
        return f"{min(years)}–{max(years)}" if len(years) > 1 else str(years[0])

    codes = []
    if gap:
        codes.append(reason_code("province_other_boundaries", years=span(gap)))
    if none:
        codes.append(reason_code("province_not_published", years=span(none)))
    if not_held:
        codes.append(reason_code("province_rows_not_held", years=span(not_held)))
    return "; ".join(codes) or None


def _claims_totals(claims_12: pd.DataFrame, loss: pd.DataFrame) -> dict[str, object]:
    """How the loss-ratio table's claims (JKK+JKM) make the summary's claims total (all but savings)."""
    head = claims_12[claims_12["kind"] != "savings"]
    other = head[~head["programme"].isin(["JKK", "JKM"])]
    return {"jkk_jkm_rp": float(loss["claim_amount_jkk_jkm_rp"].sum()),
            "others": [str(p) for p in other["programme"]], "others_rp": float(other["claim_amount_rp"].sum()),
            "total_rp": float(head["claim_amount_rp"].sum())}


def chart_synthetic(ds: Dataset, denominator: str) -> dict[str, bool]:
    """Whether each chart of a district page plots made-up data: the coverage chart (active participants
    over the denominator), the claims chart (claims) and the poverty chart (P0 and, for the province and
    national lines, the number of poor that weights it). Judged on the plotted columns, not the whole table."""
    def made_up(table: str, *columns: str) -> bool:
        info = ds.info.get(table)
        return info is not None and any(column_synthetic(info, c) for c in columns)

    return {"coverage": made_up("enrolment", "active") or made_up("workforce", denominator),
            "claims": made_up("claims", "claim_count", "claim_amount_rp"),
            "poverty": made_up("poverty", "p0", "poor_population")}


def _summary_figures(e_d: pd.DataFrame, denom: str, period: pd.Timestamp, now: pd.Series | None,
                     proj: Projection, *, head_claims: pd.DataFrame, start_12: pd.Timestamp,
                     net: float, gross: float, poverty_latest: dict[str, object],
                     denominator_year: int | None = None) -> dict[str, Figure]:
    """The summary's values as Figures, each with its own period (see Figure)."""
    pair = pairing(denom)
    out: dict[str, Figure] = {}
    num = numerator_rows(e_d, denom)
    num = num[num["month"] <= period]
    if len(num):
        last = pd.Timestamp(num["month"].max())
        out["active"] = Figure(float(num.loc[num["month"] == last, "active"].sum()), "persons", f"{last:%Y-%m}",
                               pair.numerator, "enrolment")
    if now is not None:
        m = pd.Timestamp(now["month"])
        out["coverage"] = Figure(float(now["coverage_pct"]), "%", f"{m:%Y-%m}", pair.name, "enrolment/workforce")
        out["coverage_active"] = Figure(float(now["active"]), "persons", f"{m:%Y-%m}", pair.numerator, "enrolment")
        out["coverage_denominator"] = Figure(float(now["denominator_value"]), "persons",
                                             f"{denominator_year or m.year}", denom,
                                             "workforce")
        # the months the need runs over, both ends counted as every "A – B" on the page (reader 20, R20-2: "2025-12 –
        # 2029-12" read as 49 months beside "in 48 months"): from the month after today's to the target's December
        window = f"{m + pd.DateOffset(months=1):%Y-%m} – {int(proj.target_year)}-12"
        if np.isfinite(net):
            out["workers_net"] = Figure(float(net), "persons_per_month", window, pair.name, "projection")
        if np.isfinite(gross):
            out["workers_gross"] = Figure(float(gross), "persons_per_month", window, pair.name, "projection")
    head = head_claims[head_claims["kind"] != "savings"]
    if len(head):
        out["claims_12m"] = Figure(float(head["claim_amount_rp"].sum()), "rp", f"{start_12:%Y-%m} – {period:%Y-%m}",
                                   "+".join(sorted(head["programme"].astype(str))), "claims")
    year = poverty_latest.get("year")
    if year is not None:
        for name in ("p0", "province_p0", "national_p0"):
            v = poverty_latest.get(name)
            if v is not None and np.isfinite(float(v)):  # type: ignore[arg-type]
                out[name] = Figure(float(v), "%", str(int(year)), name, "poverty")  # type: ignore[call-overload]
    return out
