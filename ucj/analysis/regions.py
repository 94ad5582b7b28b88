"""A province's or the nation's figures: districts ranked by coverage, with P0, the APBD-funded share,
JKK frequency and workforce, computed once from the all-district table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ucj.analysis.all_districts import district_table
from ucj.analysis.district import DEFAULT_DENOMINATOR
from ucj.analysis.poverty import PanelResult
from ucj.core.errors import UcjInputError
from ucj.data.dataset import Dataset
from ucj.data.programme import SAVINGS_PROGRAMMES


@dataclass(frozen=True)
class RegionFigures:
    """Ranked districts of one province (or of the nation when `province_code` is None)."""

    year: int
    province_code: str | None
    province_name: str | None
    ranking: pd.DataFrame  # district_code, district, coverage_pct, p0, apbd_share_pct, jkk_per_1000, working_population
    panel: PanelResult | None = None  # national only: P0 on the December-before coverage, two-way FE (`national_panel`)
    panel_reason: str | None = None  # why there is no panel estimate, when there is none
    # the period of each ranking column ("YYYY-MM", "YYYY" or "from – to"): coverage and the APBD share at
    # the year's last month in the data, JKK over the year's months, P0 and the working population of the year
    periods: dict[str, str] | None = None

    @property
    def districts(self) -> int:
        return len(self.ranking)

    @property
    def ranked(self) -> int:
        """The districts the ranking ranks: those with a coverage in the data (imported data may hold one province
        while BPS's P0 lists every district; realpath)."""
        return int(self.ranking["coverage_pct"].notna().sum())

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
    from ucj.data.store import derived

    table = comparison if comparison is not None and int(comparison["year"].iloc[0]) == year else \
        derived(ds.store_key, "district_table", [year], lambda: district_table(ds, year))
    if prov is not None:
        table = table[table["province_code"] == prov]
    names = ds.registry.districts.set_index("code")
    ranking = table.assign(district=names["kind"].reindex(table.index) + " " + names["name"].reindex(table.index))
    ranking = ranking.reset_index()[["district_code", "district", "coverage_pct", "p0", "apbd_share_pct",
                                     "jkk_per_1000", "working_population"]]
    ranking = ranking.sort_values("coverage_pct", ascending=False, na_position="last").reset_index(drop=True)
    # the national estimate (seconds of least squares) depends on the data alone: once per dataset
    panel, reason = (derived(ds.store_key, "national_panel", [], lambda: _national_panel(ds)) if prov is None
                     else (None, None))
    return RegionFigures(year, prov, ds.registry.province_name(prov) if prov else None, ranking, panel, reason,
                         ranking_periods(ds, year))


def ranking_periods(ds: Dataset, year: int) -> dict[str, str]:
    """The period of each column of the ranking `district_table(ds, year)` gives (see RegionFigures.periods)."""
    months = ds.enrolment.loc[ds.enrolment["month"].dt.year == year, "month"]
    last = f"{months.max():%Y-%m}" if len(months) else str(year)
    window = f"{months.min():%Y-%m} – {months.max():%Y-%m}" if len(months) else str(year)
    return {"coverage_pct": last, "apbd_share_pct": last, "jkk_per_1000": window, "p0": str(year),
            "working_population": str(year)}


def _national_panel(ds: Dataset) -> tuple[PanelResult | None, str | None]:
    """The national two-way fixed-effects estimate, or the reason the data cannot give one."""
    from ucj.analysis.national import national_panel
    from ucj.core.errors import UcjInputError

    try:
        return national_panel(ds.enrolment, ds.workforce, ds.poverty), None
    except UcjInputError as err:
        return None, str(err)


# -- a province's (or the nation's) own figures, for the overview reports ---------------------------------
DISTRICT_COLUMNS = ["district_code", "district", "denominator", "denominator_period", "active", "denominator_value",
                    "coverage_pct", "target_pct", "target_year", "target_year_assumed", "projected_pct", "lower_pct", "upper_pct",
                    "interval_pct", "status", "reason", "claim_count", "claim_amount_rp", "p0_year", "p0",
                    "denominator_at_target"]

# why a district's own projection is left out of `CombinedProjection` (reason codes; the page words them)
COMBINED_NO_PROJECTION = "no_projection"  # no model could be used, or no denominator at the target year
COMBINED_OTHER_YEAR = "other_target_year"  # projected to its own target year, not the area's


@dataclass(frozen=True)
class CombinedProjection:
    """The area's districts' own projections combined at December of `year` as a ratio of sums: the sum of
    each district's projected participants (its projected coverage x its denominator at the target year) over
    the sum of those denominators. It is not the area's projection (a separate fit on the area's aggregate
    series) and has no interval of its own; districts that cannot be combined are left out of both sums and
    counted by reason in `left_out`."""

    year: int
    projected_pct: float  # nan when no district can be combined
    participants: float
    denominator: float
    districts_used: int
    districts_total: int
    left_out: dict[str, int]

    def key(self) -> dict[str, object]:
        return {"year": self.year, "projected_pct": self.projected_pct, "participants": self.participants,
                "denominator_at_target": self.denominator, "districts_used": self.districts_used,
                "districts_total": self.districts_total, "left_out": dict(self.left_out),
                "weighting": "ratio_of_sums"}


def combine_district_projections(rows: pd.DataFrame, year: int) -> CombinedProjection:
    """Combine the district rows (DISTRICT_COLUMNS) projected to December of `year` (see CombinedProjection)."""
    pct = pd.to_numeric(rows["projected_pct"], errors="coerce")
    den = pd.to_numeric(rows["denominator_at_target"], errors="coerce")
    projected = pct.notna() & den.notna() & (den > 0)
    same_year = pd.to_numeric(rows["target_year"], errors="coerce") == int(year)
    used = projected & same_year
    left_out = {COMBINED_NO_PROJECTION: int((~projected).sum()), COMBINED_OTHER_YEAR: int((projected & ~same_year).sum())}
    participants = float((pct[used] / 100 * den[used]).sum())
    denominator = float(den[used].sum())
    return CombinedProjection(int(year), 100 * participants / denominator if denominator > 0 else math.nan,
                              participants, denominator, int(used.sum()), len(rows),
                              {k: v for k, v in left_out.items() if v})


@dataclass(frozen=True)
class AreaFigures:
    """A province's (or, with `province_code` None, the nation's) key figures at `last_period`.

    The figures are ratios of sums over the area's districts: coverage is the area's participants over
    its denominator (one pairing, `coverage(level=...)`), P0 is weighted by population
    (`poverty_trends`, the province and national lines of every district report), claims are the
    12-month claims of the area's districts (savings withdrawals apart, as in a district report). The
    target is the one more of the area's districts share than any other (in the demo: the national default); the
    projection fits the area's monthly coverage with the district model (`project`).

    For a province, `districts` holds each district's row from `district_figures` (the function its
    own report calls, with the same period and denominator), so the province report and the district
    reports agree; for the nation it is None (the ranking lists the districts)."""

    province_code: str | None
    province_name: str | None
    last_period: pd.Timestamp
    denominator: str
    pairing: str
    active: float
    denominator_value: float
    coverage_pct: float
    coverage_as_of: pd.Timestamp | None
    target_pct: float
    target_year: int
    target_source: str
    target_is_default: bool
    projection: object  # ucj.analysis.projection.Projection of the area's monthly coverage
    claims_from: pd.Timestamp
    claim_count: int
    claim_amount_rp: int
    poverty_year: int | None
    p0: float | None
    national_p0: float | None
    districts: pd.DataFrame | None  # DISTRICT_COLUMNS, one row per district, by coverage (highest first)
    synthetic_tables: list[str]
    real_tables: list[str]
    table_provenance: dict[str, dict[str, object]]
    target_year_assumed: bool = False  # the area target's document sets no year (targets.target_year_assumed)
    # how many of the area's districts have the area's target as their latest, of how many districts in the area
    # (all, most or only more than any other target: the page says which; reader 8, S6)
    target_districts: int = 0
    area_districts: int = 0
    # a province's districts' own projections combined at the area's target year (None for the nation, whose
    # overview lists no district projections); shown beside `projection`, which is a separate fit
    districts_combined: CombinedProjection | None = None
    # why `p0` / `national_p0` is missing, as a reason code (ucj.analysis.poverty.aggregate_p0_reason); None when given
    p0_reason: str | None = None
    national_p0_reason: str | None = None
    # the districts the area's figures are over (those with enrolment data, as of `last_period`), and how many the
    # area has: a "national" overview of data imported for one province covers that province's districts alone
    covered_codes: tuple[str, ...] = ()
    registry_districts: int = 0
    covered_provinces: tuple[str, ...] = ()  # the provinces of `covered_codes`, by name, in code order

    @property
    def partial(self) -> bool:
        """Whether the data covers fewer of the area's districts than the area has (then the nation's overview is
        not a national figure: its page and workbook name the districts and provinces it covers)."""
        return 0 < len(self.covered_codes) < self.registry_districts

    def key(self) -> dict[str, object]:
        """The key figures as plain JSON values (key_figures.json of the overview report); the names
        follow a district's key figures where they mean the same."""
        from ucj.analysis.district import jsonable

        p = self.projection
        return jsonable({  # type: ignore[return-value]
            "level": "national" if self.province_code is None else "province",
            "province_code": self.province_code, "province": self.province_name,
            "last_period": f"{self.last_period:%Y-%m}", "denominator": self.denominator, "pairing": self.pairing,
            "active": self.active, "denominator_value": self.denominator_value, "coverage_pct": self.coverage_pct,
            "coverage_as_of": None if self.coverage_as_of is None else f"{self.coverage_as_of:%Y-%m}",
            "target_pct": self.target_pct, "target_year": self.target_year, "target_source": self.target_source,
            "target_is_default": self.target_is_default, "target_year_assumed": bool(self.target_year_assumed),
            "target_districts": self.target_districts, "area_districts": self.area_districts,
            "projection": {k: v for k, v in p.key_figures().items()  # type: ignore[attr-defined]
                           if k not in ("district_code", "denominator", "target_pct", "target_year")},
            "claims_12m": {"from": f"{self.claims_from:%Y-%m}", "to": f"{self.last_period:%Y-%m}",
                           "count": self.claim_count, "amount_rp": self.claim_amount_rp,
                           "excludes": list(SAVINGS_PROGRAMMES)},
            "poverty": {"year": self.poverty_year, "p0": self.p0, "national_p0": self.national_p0,
                        "weighting": "ratio_of_sums",  # population-weighted: poor over population
                        **{k: v for k, v in (("p0_reason", self.p0_reason),
                                             ("national_p0_reason", self.national_p0_reason)) if v is not None}},
            "districts": None if self.districts is None else self.districts.to_dict(orient="records"),
            "districts_combined": None if self.districts_combined is None else self.districts_combined.key(),
            "synthetic_tables": self.synthetic_tables, "real_tables": self.real_tables,
            "covers": {"districts": len(self.covered_codes), "of": self.registry_districts,
                       "provinces": list(self.covered_provinces), "partial": self.partial},
        })


def _area_target_row(ds: Dataset, codes: list[str]) -> tuple[float, int, str, str, bool, int]:
    """The target more of the area's districts share than any other (pct, year, source), its basis (its
    denominator), whether its year is assumed (the first such district row's `target_year_assumed`; False when
    the table has no such column) and how many districts share it: an area has no target of its own."""
    t = ds.targets[ds.targets["district_code"].isin(codes)].sort_values("target_year")
    t = t.groupby("district_code").tail(1)
    if t.empty:
        raise UcjInputError.one("no district of this area has a coverage target in the data", column="targets")
    if "target_year_assumed" not in t.columns:
        t = t.assign(target_year_assumed=False)
    keys = ["coverage_target_pct", "target_year", "target_source"]
    counts = t.groupby(keys).agg(n=("district_code", "size"), denominator=("denominator", "first"),
                                 assumed=("target_year_assumed", "first"))
    counts = counts.sort_values("n", ascending=False, kind="stable")
    (pct, year, source), row = counts.index[0], counts.iloc[0]
    return float(pct), int(year), str(source), str(row["denominator"]), bool(row["assumed"]), int(row["n"])


def _district_rows(ds: Dataset, codes: list[str], period: pd.Timestamp, denom: str,
                   comparison: pd.DataFrame) -> pd.DataFrame:
    """Each district's row from its own district_figures (as its report shows it; the all-district
    tables they share are computed once)."""
    from ucj.analysis.district import AreaPoverty, Comparison, district_figures

    shared = Comparison.of(comparison, period)
    poverty = AreaPoverty.of(ds, period)
    rows = []
    for code in codes:
        k = district_figures(ds, code, last_period=period, denominator=denom, comparison=shared,
                             area_poverty=poverty).key()
        pj, claims, pov = k["projection"], k["claims_12m"], k["poverty"]
        assert isinstance(pj, dict) and isinstance(claims, dict) and isinstance(pov, dict)
        rows.append({"district_code": code, "district": k["district_name"], "denominator": k["denominator"],
                     "denominator_period": k.get("denominator_period"), "active": k["active"],
                     "denominator_value": k["denominator_value"],
                     "coverage_pct": k["coverage_pct"], "target_pct": k["target_pct"],
                     "target_year": k["target_year"], "target_year_assumed": bool(k.get("target_year_assumed")),
                     "projected_pct": pj["projected_pct"],
                     "lower_pct": pj["lower_pct"], "upper_pct": pj["upper_pct"],
                     "interval_pct": pj.get("interval_pct"), "status": pj["status"], "reason": pj.get("reason"),
                     "claim_count": claims["count"], "claim_amount_rp": claims["amount_rp"],
                     "p0_year": pov["year"], "p0": pov["p0"],
                     "denominator_at_target": pj.get("denominator_at_target")})
    return pd.DataFrame(rows, columns=DISTRICT_COLUMNS).sort_values(
        "coverage_pct", ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def area_figures(ds: Dataset, province: str | None, *, last_period: pd.Timestamp | None = None,
                 denominator: str = DEFAULT_DENOMINATOR) -> AreaFigures:
    """A province's (name or code; None for the nation) figures as the data stood at `last_period`
    (default: the latest month), over `denominator`."""
    from ucj.analysis.claims import programme_kind
    from ucj.analysis.coverage import check_denominator, coverage, pairing
    from ucj.analysis.district import CLAIMS_WINDOW_MONTHS, as_of, on_other_basis, target_basis_differs
    from ucj.analysis.poverty import aggregate_p0_reason, poverty_trends
    from ucj.analysis.projection import SeriesToProject, denominator_growth_all, project, self_funded_active
    from ucj.data.published import is_default_target

    prov = ds.registry.resolve_province(province) if province is not None else None
    denom = check_denominator(denominator)
    period = pd.Timestamp(last_period) if last_period is not None else pd.Timestamp(ds.enrolment["month"].max())
    reg = ds.registry.districts
    codes = [str(c) for c in (reg["code"] if prov is None else reg.loc[reg["province_code"] == prov, "code"])]
    view = as_of(ds, period)
    level = "national" if prov is None else "province"
    area = "ID" if prov is None else prov

    e = view.enrolment[view.enrolment["district_code"].isin(codes)]
    months = pd.date_range(ds.enrolment["month"].min(), period, freq="MS", name="month")
    series = coverage(e, view.workforce[view.workforce["district_code"].isin(codes)], denom, level=level,
                      period="month")
    series = series.set_index("month").reindex(months).reset_index()
    self_funded = self_funded_active(e, denom)
    sf = pd.concat(list(self_funded.values()), axis=1).sum(axis=1, min_count=1) if self_funded else None
    series["active_self_funded"] = (sf.reindex(series["month"]).to_numpy(dtype="float64") if sf is not None
                                    else float("nan"))
    valid = series.dropna(subset=["coverage_pct"])
    now = valid.iloc[-1] if len(valid) else None
    wf = view.workforce[view.workforce["district_code"].isin(codes)]
    # a year's sum only when every district with workforce rows has the year (not every district of the area: data
    # imported for one province gave the nation no sum in any year, so its denominator silently grew 0 %; realpath)
    wf_sum = wf.groupby("year")[denom].sum(min_count=max(1, wf["district_code"].nunique())).reset_index().assign(
        district_code=area)
    growth = denominator_growth_all(wf_sum, denom).get(area, 0.0)
    pct, year, source, basis, assumed, sharing = _area_target_row(view, codes)
    proj = project(SeriesToProject(series, wf_sum, district_code=area, denominator=denom, target_pct=pct,
                                   target_year=year, denominator_growth=growth))
    if target_basis_differs(basis, source, denom):  # a shared own target set over another denominator: no verdict
        proj = on_other_basis(proj, basis)

    start_12 = period - pd.DateOffset(months=CLAIMS_WINDOW_MONTHS - 1)
    c = view.claims[view.claims["district_code"].isin(codes) & (view.claims["month"] >= start_12)]
    c = c[c["programme"].map(programme_kind) != "savings"]

    pov = poverty_trends(view.poverty[view.poverty["district_code"].isin(codes)], level=level)
    pov = pov.dropna(subset=["p0"])
    nat = poverty_trends(view.poverty, level="national").set_index("year")["p0"]
    own = view.poverty[view.poverty["district_code"].isin(codes)]
    p_year = int(pov["year"].iloc[-1]) if len(pov) else None
    p0_reason = None if p_year else aggregate_p0_reason(own, None)
    if p_year is None and own["p0"].notna().any():  # no aggregate in any year: the year of the districts' latest P0,
        p_year = int(own.loc[own["p0"].notna(), "year"].max())  # which the page names with the reason (realpath)
    national_p0 = float(nat.get(p_year, math.nan)) if p_year else None
    national_reason = (None if national_p0 is not None and math.isfinite(national_p0)
                       else aggregate_p0_reason(view.poverty, p_year))
    districts = None
    if prov is not None:
        districts = _district_rows(ds, codes, period, denom, district_table(view, period.year, denom))
    synthetic = view.synthetic_tables()
    covered = sorted(set(e["district_code"].astype(str).unique()))
    in_province = reg.set_index(reg["code"].astype(str))["province_code"].astype(str)
    province_codes = sorted({in_province[c] for c in covered if c in in_province.index})
    return AreaFigures(
        province_code=prov, province_name=ds.registry.province_name(prov) if prov else None, last_period=period,
        denominator=denom, pairing=pairing(denom).name,
        active=float(now["active"]) if now is not None else math.nan,
        denominator_value=float(now["denominator_value"]) if now is not None else math.nan,
        coverage_pct=float(now["coverage_pct"]) if now is not None else math.nan,
        coverage_as_of=pd.Timestamp(now["month"]) if now is not None else None,
        target_pct=pct, target_year=year, target_source=source, target_is_default=is_default_target(source),
        target_districts=sharing, projection=proj,
        # the districts with a target in the data (all of the area's on the demo; on data imported for one province,
        # its districts: "5 of 514" read as if 509 had a target of their own; realpath)
        area_districts=int(view.targets.loc[view.targets["district_code"].isin(codes), "district_code"].nunique()),
        claims_from=start_12,
        claim_count=int(c["claim_count"].sum()),
        claim_amount_rp=int(c["claim_amount_rp"].sum()),
        poverty_year=p_year, p0=float(pov["p0"].iloc[-1]) if len(pov) else None,  # None: p0_reason says why
        national_p0=national_p0, p0_reason=p0_reason, national_p0_reason=national_reason,
        districts=districts, synthetic_tables=synthetic, real_tables=[n for n in view.info if n not in synthetic],
        table_provenance=view.provenance(), target_year_assumed=assumed,
        districts_combined=None if districts is None else combine_district_projections(districts, year),
        covered_codes=tuple(covered), registry_districts=len(codes),
        covered_provinces=tuple(ds.registry.province_name(c) for c in province_codes))
