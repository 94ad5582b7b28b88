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
from ucj.data.published import national_figures


# National rates from published figures (per 1,000 active participants a year) [arithmetic]: a year's claims over
# the active participants at that year's end, for both programmes. Each figure and the publication that states it
# are in data/published/national_figures.csv (cited through citations.csv), read here so that the rates rest only
# on what is published there: JKK: 177,727 JKK claims in 2023 and JKM: 69,029 JKM claims in 2023 (both from the
# BPJS Ketenagakerjaan hearing with DPR Komisi IX, 2 Jul 2024, reported by Bisnis.com) over 41.56 m active
# participants in December 2023 (SPN News, 30 Jan 2024). Kemnaker's 370,747 work-accident *cases* of 2023
# (Databoks) are another count (one accident can give more than one claim, many none); the districts' rates beside
# this one count claims, so the national rate does too (reader 12, reader 13 R13-1).
_NATIONAL = national_figures().set_index("figure")["value"]
NATIONAL_JKK_CLAIMS_2023 = int(_NATIONAL["jkk_claims_2023"])
NATIONAL_JKM_CLAIMS_2023 = int(_NATIONAL["jkm_claims_2023"])
NATIONAL_ACTIVE_2023 = int(_NATIONAL["active_participants_2023_12"])
JKK_PER_1000 = 1000 * NATIONAL_JKK_CLAIMS_2023 / NATIONAL_ACTIVE_2023  # 4.28 JKK claims per 1,000
JKM_DEATHS_PER_1000 = 1000 * NATIONAL_JKM_CLAIMS_2023 / NATIONAL_ACTIVE_2023  # 1.66: one JKM claim per death
NATIONAL_RATE_YEAR = {"JKK": 2023, "JKM": 2023}  # the year each national rate above is for (the page states it)

SOURCES = {
    "monthly_contribution_rp": PROGRAMME_SOURCES["BPU_JKK_JKM_RP"],
    "jkm_deaths_per_1000": "national JKM 2023: 69,029 claims (BPJS Ketenagakerjaan to DPR Komisi IX, Bisnis.com, "
                           "2 Jul 2024) / 41.56 m active participants, December 2023 (SPN News) = 1.66 per 1,000; "
                           "vulnerable workers may die more often: replace with the branch's own experience",
    "jkm_benefit_rp": PROGRAMME_SOURCES["JKM_BENEFIT_RP"],
    "jkk_cases_per_1000": "national JKK 2023: 177,727 claims (BPJS Ketenagakerjaan to DPR Komisi IX, Bisnis.com, "
                          "2 Jul 2024) / 41.56 m active participants, December 2023 (SPN News) = 4.28 per 1,000",
    "jkk_mean_benefit_rp": "this workbook's own assumption, not from a publication: mean JKK benefit per case for BPU "
                           "workers (medical care is uncapped)",
}


@dataclass(frozen=True)
class Assumptions:
    """Scenario assumptions. Change any of them; the report prints them all."""

    monthly_contribution_rp: int = BPU_JKK_JKM_RP
    jkm_deaths_per_1000: float = round(JKM_DEATHS_PER_1000, 2)
    jkm_benefit_rp: int = JKM_BENEFIT_RP
    jkk_cases_per_1000: float = round(JKK_PER_1000, 2)
    jkk_mean_benefit_rp: int = 4_000_000

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([(f.name, getattr(self, f.name), SOURCES[f.name]) for f in fields(self)],
                            columns=["assumption", "value", "source"])


def benefit_cost_ratio(assumptions: Assumptions = Assumptions()) -> float:
    """Expected benefits over contributions at `assumptions`' rates: (JKM deaths x the JKM benefit + JKK claims x
    the mean JKK benefit) per worker-year over 12 monthly contributions. Both sides are proportional to the
    worker-months funded, so it is every scenario's ratio at these rates, whatever its workers and months (the
    national rates' ratio is shown beside the credibility-weighted one; reader 14, R14-1)."""
    a = assumptions
    benefits = a.jkm_deaths_per_1000 / 1000 * a.jkm_benefit_rp + a.jkk_cases_per_1000 / 1000 * a.jkk_mean_benefit_rp
    return benefits / (12 * a.monthly_contribution_rp)


def benefit_cost_figures(used: Assumptions, rates_synthetic: bool) -> dict[str, object]:
    """The benefit/cost ratio at the rates a budget uses (`used`) and at the national published rates, with both
    pairs of rates and whether the used ones rest on synthetic demo data: what the page says beside the scenarios."""
    national = Assumptions()
    return {"used": benefit_cost_ratio(used), "national": benefit_cost_ratio(national),
            "jkk_per_1000": float(used.jkk_cases_per_1000), "jkm_per_1000": float(used.jkm_deaths_per_1000),
            "national_jkk_per_1000": national.jkk_cases_per_1000, "national_jkm_per_1000": national.jkm_deaths_per_1000,
            "rates_synthetic": bool(rates_synthetic)}


SCENARIO = "scenario"  # a programme of N workers
# the district page's two rows: the workers funded today plus 5,000 or 10,000 additional ones
SCENARIO_PLUS = {5_000: "scenario_funded_plus_5000", 10_000: "scenario_funded_plus_10000"}
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
        "expected_jkk_cases": jkk,  # JKK before JKM, as the budget plan's table orders them (reader 8, S13)
        "expected_jkm_deaths": deaths,
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
                   labels: list[str] | None = None, **kw: object) -> pd.DataFrame:
    """Several scenarios side by side (one row each, labelled), without the assumptions column.

    `needed` adds a row for the workers needed to reach the target: a programme of the workers
    already funded plus the `needed` additional ones. `labels`: one catalogue key per row of `worker_counts`
    (rows told apart by words, not only by their numbers); SCENARIO each by default.
    """
    names = labels if labels is not None else [SCENARIO] * len(worker_counts)
    if len(names) != len(worker_counts):
        raise UcjInputError.one("one label per scenario row")
    rows = [scenario(n, months, label=lab, **kw) for n, lab in zip(worker_counts, names)]  # type: ignore[arg-type]
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


# -- credibility-weighted claim rates (Bühlmann-Straub) ------------------------------------------------------
COMPLEMENT_COLLECTIVE = "complement_collective"  # blended towards the APBD cohorts' own exposure-weighted mean
COMPLEMENT_NATIONAL = "complement_national"  # fewer than two cohorts: no collective to estimate, the national rate is used


@dataclass(frozen=True)
class CredibleRate:
    """A claim rate for the budget: the district's own APBD cohort experience blended with the collective rate
    of every district's APBD cohort.

    rate = weight x own_rate + (1 - weight) x collective_rate, weight = exposure / (exposure + k)
    (Bühlmann-Straub, `buhlmann_straub`). The complement is the cohorts' own collective mean, not the national
    rate: k is estimated around that mean (the standard estimator), and APBD-funded vulnerable workers are a
    population of their own. With fewer than two cohorts there is no collective to estimate: the national rate
    is used (weight 0; `complement` says which). Rates per 1,000 workers a year; exposure in worker-years; the
    cohort's months (`cohort_from` to `cohort_to`, `cohort_ended` when its last month is before the page's)."""

    programme: str
    own_count: int
    exposure_worker_years: float
    own_rate_per_1000: float
    collective_rate_per_1000: float
    national_rate_per_1000: float
    k_worker_years: float
    weight: float
    rate_per_1000: float
    complement: str = COMPLEMENT_COLLECTIVE
    cohorts: int = 0
    cohort_from: str | None = None
    cohort_to: str | None = None
    cohort_ended: bool = False
    # the district's own count against the collective rate (`own_vs_collective`): expected count, two-sided
    # Poisson p-value, and whether the gap is beyond chance (p < DIFFERS_P)
    expected_at_collective: float = float("nan")
    poisson_p: float = float("nan")
    differs_from_collective: bool = False


DIFFERS_P = 0.001  # an own-vs-collective gap is flagged when the two-sided Poisson p-value is below this


def own_vs_collective(count: float, exposure_worker_years: float, collective_per_1000: float
                      ) -> tuple[float, float, bool]:
    """Is a district's own claim count consistent with the collective rate? (expected count at the collective
    rate, two-sided Poisson p-value, flagged): the count is Poisson with mean = collective rate x exposure; the
    two-sided p-value is twice the smaller tail, P(X <= count) or P(X >= count), at most 1; flagged when
    p < DIFFERS_P. NaN and not flagged without exposure or a collective rate. The tails are scipy.special's Poisson
    distribution functions (pdtr, pdtrc), the ones scipy.stats.poisson calls: importing scipy.stats costs about
    0.5 s of every kernel's first report, scipy.special is already loaded by the projection."""
    from scipy.special import pdtr, pdtrc

    mu = collective_per_1000 / 1000 * exposure_worker_years
    if not (exposure_worker_years > 0 and mu > 0) or pd.isna(count):
        return float("nan"), float("nan"), False
    x = int(round(count))
    upper = float(pdtrc(x - 1, mu)) if x > 0 else 1.0  # P(X >= x); pdtrc(-1, mu) is NaN, the tail is 1
    p = min(1.0, 2 * min(float(pdtr(x, mu)), upper))
    return float(mu), p, bool(p < DIFFERS_P)


def buhlmann_straub(counts: pd.Series, exposure: pd.Series) -> pd.DataFrame:
    """Credibility weights of several units' claim rates (the Bühlmann-Straub model, semiparametric with
    Poisson claim counts; Klugman, Panjer & Willmot, Loss Models, "semiparametric estimation").

    Unit i has `counts` claims over `exposure` m_i worker-years, rate X_i = counts_i / m_i; m = sum m_i.
    Collective mean: mu = sum counts / m (the exposure-weighted mean of the X_i). Expected process variance:
    a Poisson count gives Var(X_i | its rate) = rate / m_i, so EPV = mu. Variance of the hypothetical means,
    estimated around the units' own collective mean (unbiased):
    VHM = (sum m_i (X_i - mu)^2 - (r - 1) EPV) / (m - sum m_i^2 / m), r = units with exposure
    (0 when negative: no evidence the units differ, every weight 0). k = EPV / VHM, weight Z_i = m_i / (m_i + k),
    credible rate = Z_i X_i + (1 - Z_i) mu. Units with no exposure get weight 0 and the collective mean; with
    fewer than two units there is no VHM to estimate (k infinite, every weight 0)."""
    c = pd.Series(counts, dtype="float64")
    m = pd.Series(exposure, dtype="float64").reindex(c.index)
    use = m > 0
    cu, mu_ = c[use], m[use]
    total = float(mu_.sum())
    r = int(use.sum())
    mean = float(cu.sum()) / total if total > 0 else float("nan")
    epv, vhm = mean, 0.0
    if r >= 2:
        x = cu / mu_
        spread = total - float((mu_ ** 2).sum()) / total
        vhm = max((float((mu_ * (x - mean) ** 2).sum()) - (r - 1) * epv) / spread, 0.0) if spread > 0 else 0.0
    k = epv / vhm if vhm > 0 else float("inf")
    own = (c / m).where(use)
    z = (m / (m + k)).where(use, 0.0) if vhm > 0 else pd.Series(0.0, index=c.index)
    rate = z * own.fillna(0.0) + (1 - z) * mean
    return pd.DataFrame({"count": c, "exposure": m, "own_rate": own, "collective": mean, "epv": epv, "vhm": vhm,
                         "k": k, "weight": z, "rate": rate, "units": r})


def apbd_cohort_experience(claims: pd.DataFrame, enrolment: pd.DataFrame, programme: str) -> pd.DataFrame:
    """Every district's APBD-funded cohort: `programme` claims paid and exposure (worker-years = active
    participant-months / 12), over the months both tables cover, with each cohort's first and last month
    with active workers (`first_month`, `last_month`)."""
    e = enrolment[enrolment["funding"] == "apbd"]
    c = claims[(claims["funding"] == "apbd") & (claims["programme"] == programme)]
    if len(e):
        c = c[(c["month"] >= e["month"].min()) & (c["month"] <= e["month"].max())]
    exposure = e.groupby("district_code", observed=True)["active"].sum().astype("float64") / 12
    count = c.groupby("district_code", observed=True)["claim_count"].sum().astype("float64")
    on = e[e["active"] > 0].groupby("district_code", observed=True)["month"]
    out = pd.DataFrame({"exposure": exposure}).join(count.rename("count"), how="left").fillna({"count": 0.0})
    out = out.join(on.min().rename("first_month")).join(on.max().rename("last_month"))
    out.index = out.index.astype("str")
    return out


@dataclass(frozen=True)
class Cohorts:
    """Every district's APBD cohort experience (`apbd_cohort_experience`) and its Bühlmann-Straub weights
    (`buhlmann_straub`), for JKK and JKM, in the data as it stood at `period`: the same for every district's
    budget, so a caller making many districts computes it once (`credible_rates` computes it when absent)."""

    period: pd.Timestamp | None
    experience: dict[str, pd.DataFrame]
    weights: dict[str, pd.DataFrame]

    @classmethod
    def of(cls, claims: pd.DataFrame, enrolment: pd.DataFrame, period: pd.Timestamp | None = None) -> Cohorts:
        experience = {prog: apbd_cohort_experience(claims, enrolment, prog) for prog in ("JKK", "JKM")}
        return cls(None if period is None else pd.Timestamp(period), experience,
                   {prog: buhlmann_straub(exp["count"], exp["exposure"]) for prog, exp in experience.items()})


def credible_rates(claims: pd.DataFrame, enrolment: pd.DataFrame, district_code: str,
                   assumptions: Assumptions = Assumptions(), period: pd.Timestamp | None = None,
                   cohorts: Cohorts | None = None) -> list[CredibleRate]:
    """JKK cases and JKM deaths per 1,000 APBD-funded workers a year for the district's budget: its own cohort's
    experience weighted by its exposure against the collective rate of every district's APBD cohort in the data
    (`buhlmann_straub`); the national rates of `assumptions` only when there are fewer than two cohorts.
    `period`: the page's month, to say whether the district's cohort has ended (its last month is earlier).
    `cohorts`: `Cohorts.of` these same `claims` and `enrolment`, when a caller has it already."""
    cohorts = cohorts or Cohorts.of(claims, enrolment, period)  # `cohorts`: of these same tables, computed once
    out = []
    for prog, national in (("JKK", assumptions.jkk_cases_per_1000), ("JKM", assumptions.jkm_deaths_per_1000)):
        exp, bs = cohorts.experience[prog], cohorts.weights[prog]
        units = int(bs["units"].iloc[0]) if len(bs) else 0
        collective = 1000 * float(bs["collective"].iloc[0]) if units else float("nan")
        k = float(bs["k"].iloc[0]) if len(bs) else float("inf")
        row = bs.loc[district_code] if district_code in bs.index else None
        first = last = None
        if district_code in exp.index and pd.notna(exp.loc[district_code, "first_month"]):
            first, last = pd.Timestamp(exp.loc[district_code, "first_month"]), pd.Timestamp(exp.loc[district_code,
                                                                                                   "last_month"])
        ended = bool(last is not None and period is not None and last < pd.Timestamp(period))
        span = dict(cohorts=units, cohort_from=None if first is None else f"{first:%Y-%m}",
                    cohort_to=None if last is None else f"{last:%Y-%m}", cohort_ended=ended)
        if units < 2:  # no collective to estimate: the national rate
            own_n = int(row["count"]) if row is not None else 0
            own_m = float(row["exposure"]) if row is not None else 0.0
            own_r = 1000 * float(row["own_rate"]) if row is not None and pd.notna(row["own_rate"]) else float("nan")
            out.append(CredibleRate(prog, own_n, own_m, own_r, collective, national, float("inf"), 0.0, national,
                                    COMPLEMENT_NATIONAL, **span))
            continue
        if row is None:
            out.append(CredibleRate(prog, 0, 0.0, float("nan"), collective, national, k, 0.0, collective,
                                    COMPLEMENT_COLLECTIVE, **span))
            continue
        own_r = 1000 * float(row["own_rate"]) if pd.notna(row["own_rate"]) else float("nan")
        expected, p_value, differs = own_vs_collective(float(row["count"]), float(row["exposure"]), collective)
        out.append(CredibleRate(prog, int(row["count"]), float(row["exposure"]), own_r, collective, national, k,
                                float(row["weight"]), 1000 * float(row["rate"]), COMPLEMENT_COLLECTIVE, **span,
                                expected_at_collective=expected, poisson_p=p_value, differs_from_collective=differs))
    return out


# -- a budget that reaches the target, year by year -------------------------------------------------------
PLAN_COLUMNS = ["year", "months", "net_additional", "gross_additional", "additional_at_year_end", "existing_funded",
                "other_funded", "organic_at_year_end", "cost_existing_rp", "cost_additional_rp", "cost_rp",
                "expected_jkk_cases", "expected_jkm_deaths", "expected_benefits_rp", "denominator_at_year_end",
                "coverage_end_pct"]
ORGANIC_PROJECTED = "organic_projected"  # the self-enrolled path is the projection's central (mean) path
ORGANIC_HELD = "organic_held"  # no projection to read: the self-enrolled are held at today's number


def budget_to_target(last_month: pd.Timestamp, active: float, denominator_value: float, growth: float,
                     target_pct: float, target_year: int, lapse_rate_pct: float, existing_funded: int,
                     jkk_per_1000: float, jkm_per_1000: float, assumptions: Assumptions = Assumptions(),
                     counts_towards_coverage: bool = True, denominator_year: int | None = None,
                     organic_now: float | None = None, organic_pct: pd.Series | None = None) -> pd.DataFrame:
    """One row a year from the month after `last_month` to December of `target_year`: what the budget funds so
    that coverage reaches `target_pct` then, against the self-enrolled (organic) participants' projected path.

    The rule (issue 18, second reading N5: one story with the projection on the same page): the target path rises
    evenly month by month from today's `active` to the target's share of the denominator (grown at `growth` a year
    from `denominator_year`, as the projection's denominator is); the budget-funded workers needed in a month are
    that path less the projected organic participants less the participants funded today (`existing_funded` and
    any other funder, held at today's level), never below 0, month by month. The organic participants of a month
    are the projection's organic coverage times that month's denominator on the projection's own path
    (`projection.denominator_path`: from today's value, rising geometrically to each December's), so the plan
    counts the participants the projection forecasts. `organic_pct`: the projection's central organic
    coverage (%) by month (`Projection.forecast["organic_mean"]`), `organic_now` today's observed organic count;
    without them (no projection) the organic participants are held at today's number (the `attrs["organic"]` of
    the result says which: ORGANIC_PROJECTED or ORGANIC_HELD). Coverage at the end of each year is computed the
    same way: (projected organic + funded today + additional) / that year's denominator, so the last row reads
    the target only when the projection plus the funded workers reach it.

    `gross_additional` is the registrations needed in the year, of all participants (not only the funded): the target
    path's change plus the ordinary lapses of today's participants (at `lapse_rate_pct` a month, agreement ends
    excluded) that have to be replaced (above the target the path falls: fewer; never below 0). It is
    not costed: the organic projection already nets lapses and new self-enrolments, and budget-funded workers stay
    for their agreement; the budget pays only for the funded worker-months of `cost_*`. Costs are exact Rupiah
    (workers funded each month x the monthly contribution); expected claims use the credibility-weighted rates
    (`credible_rates`). When budget-funded (BPU) workers do not count over the denominator
    (`counts_towards_coverage` False), no budget moves it: no rows. Rows cover the months after `last_month` only:
    no month already in the data is planned as future."""
    from ucj.analysis.projection import denominator_path

    end = pd.Timestamp(int(target_year), 12, 1)
    months_left = (end.year - last_month.year) * 12 + end.month - last_month.month
    if months_left <= 0 or not counts_towards_coverage:
        out = pd.DataFrame(columns=PLAN_COLUMNS)
        out.attrs["organic"] = ORGANIC_HELD
        return out
    base_year = int(denominator_year or last_month.year)
    denom_target = denominator_value * (1 + growth) ** (int(target_year) - base_year)
    gap = target_pct / 100 * denom_target - active  # the target path's rise over the whole plan
    month_list = pd.date_range(last_month + pd.DateOffset(months=1), end, freq="MS")
    # the projection's own month-by-month denominator (one function for both; reader 9, R3: a step each January
    # here made the self-enrolled count of a month differ from the projection's, and the cost with it)
    denom_m = denominator_path(denominator_value, growth, last_month, month_list, base_year)
    held_organic = float(organic_now) if organic_now is not None and pd.notna(organic_now) else float("nan")
    basis = ORGANIC_HELD
    shortfall = [0.0] * len(month_list)  # today's organic count less the projected one, month by month
    if organic_pct is not None and pd.notna(held_organic):
        path = pd.Series(organic_pct, dtype="float64").reindex(month_list)
        if path.notna().all():
            basis = ORGANIC_PROJECTED
            shortfall = [held_organic - float(v) / 100 * d for v, d in zip(path, denom_m)]
    if basis == ORGANIC_HELD and not pd.notna(held_organic):  # no organic count: all but this budget's funded
        held_organic = float(active) - int(existing_funded)
    others = float(active) - held_organic  # funded today (by the budget or another funder), held
    stock = [max(int(round(gap * (i + 1) / months_left + shortfall[i])), 0) for i in range(len(month_list))]
    # the registrations' path: the target path's change with today's participants' lapses; above the target the path
    # falls, and that many lapses may go unreplaced (reader 13, R13-10: as the summary's gross need)
    rise = [int(round(gap * (i + 1) / months_left)) for i in range(len(month_list))]
    lapses = (lapse_rate_pct / 100 * active) if pd.notna(lapse_rate_pct) else float("nan")
    a = assumptions
    rows = []
    prev_stock = prev_rise = 0
    for year in sorted(set(month_list.year)):
        idx = [i for i, m in enumerate(month_list) if m.year == year]
        n = len(idx)
        stock_year = [stock[i] for i in idx]
        last = idx[-1]
        cost_add = sum(stock_year) * int(a.monthly_contribution_rp)
        cost_exist = int(existing_funded) * n * int(a.monthly_contribution_rp)
        worker_years = (int(existing_funded) * n + sum(stock_year)) / 12
        jkk = worker_years * jkk_per_1000 / 1000
        jkm = worker_years * jkm_per_1000 / 1000
        net = stock_year[-1] - prev_stock
        organic_y = held_organic - shortfall[last]  # the participants without contribution assistance
        # funded today by another funder (APBN, CSR), held: apart, not counted as self-enrolled (reader 15, R15-10)
        other = others - int(existing_funded)
        gross = max(int(round(rise[last] - prev_rise + lapses * n)), 0) if pd.notna(lapses) else pd.NA
        rows.append({"year": year, "months": n, "net_additional": net, "gross_additional": gross,
                     "additional_at_year_end": stock_year[-1], "existing_funded": int(existing_funded),
                     "other_funded": int(round(other)), "organic_at_year_end": int(round(organic_y)),
                     "cost_existing_rp": cost_exist, "cost_additional_rp": cost_add, "cost_rp": cost_exist + cost_add,
                     "expected_jkk_cases": jkk, "expected_jkm_deaths": jkm,
                     "expected_benefits_rp": jkm * a.jkm_benefit_rp + jkk * a.jkk_mean_benefit_rp,
                     "denominator_at_year_end": int(round(denom_m[last])),
                     "coverage_end_pct": 100 * (organic_y + other + int(existing_funded) + stock_year[-1])
                     / denom_m[last]})
        prev_stock, prev_rise = stock_year[-1], rise[last]
    out = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    out["gross_additional"] = out["gross_additional"].astype("Int64")
    out.attrs["organic"] = basis
    out.attrs["monthly_contribution_rp"] = int(a.monthly_contribution_rp)  # the tariff the costs use, for the rule
    return out


def plan_total(plan: pd.DataFrame) -> dict[str, float]:
    """The plan's totals over all its years (sums of the flows; the stock and coverage at the last year)."""
    if plan.empty:
        return {}
    flows = ["months", "net_additional", "gross_additional", "cost_existing_rp", "cost_additional_rp", "cost_rp",
             "expected_jkk_cases", "expected_jkm_deaths", "expected_benefits_rp"]
    out = {c: plan[c].sum() for c in flows}
    out |= {c: plan[c].iloc[-1] for c in ("additional_at_year_end", "existing_funded", "other_funded",
                                          "organic_at_year_end", "coverage_end_pct")}
    return out


def plan_against_budget(plan: pd.DataFrame, plans: pd.DataFrame | None, last_month: pd.Timestamp,
                        assumptions: Assumptions = Assumptions()) -> dict[str, object] | None:
    """How the district's plan of budget-funded workers not yet in a budget (the plans table's
    `planned_apbd_workers`, funding everyone from January of its year, as the projection's `as_planned` scenario)
    compares with the budget plan (`budget_to_target`): the funded workers the budget needs by December of its
    last year (funded today + additional), the planned workers then, how many are needed beyond the plan (or by
    how many the plan exceeds the need), and the cost of each over the plan's years to that year (the plan: every
    planned worker for 12 months a year; the budget: its `cost_rp` of those years). None without such a plan
    dated after `last_month` and no later than the budget's last year, or without a budget plan."""
    from ucj.analysis.projection import PLANNED_FUNDED_PLANS

    if plan is None or plan.empty or plans is None or plans.empty:
        return None
    last_year = int(plan["year"].iloc[-1])
    rows = plans[plans["plan"].isin(PLANNED_FUNDED_PLANS) & plans["year"].notna()].copy()
    rows = rows[[pd.Timestamp(int(y), 1, 1) > pd.Timestamp(last_month) and int(y) <= last_year
                 for y in rows["year"]]]
    if rows.empty:
        return None
    rows = rows.sort_values("year")
    first_year = int(rows["year"].iloc[0])
    planned_by_year = {}
    for y in range(first_year, last_year + 1):  # the latest plan dated no later than each year
        planned_by_year[y] = int(round(float(rows[rows["year"].astype(int) <= y]["value"].iloc[-1])))
    needed = int(plan["existing_funded"].iloc[-1]) + int(plan["additional_at_year_end"].iloc[-1])
    planned = planned_by_year[last_year]
    tariff = int(assumptions.monthly_contribution_rp)
    return {"plan_year": first_year, "planned_workers": int(round(float(rows["value"].iloc[0]))),
            "planned_at_last_year": planned, "last_year": last_year, "funded_needed_at_last_year": needed,
            "beyond_plan": max(needed - planned, 0), "plan_exceeds_need_by": max(planned - needed, 0),
            "plan_cost_rp": sum(n * 12 * tariff for n in planned_by_year.values()),
            "budget_cost_rp": int(plan.loc[plan["year"] >= first_year, "cost_rp"].sum()),
            "cost_years": f"{first_year} – {last_year}"}
