"""The planners' explorer (ipywidgets): one tab per question (coverage, claims, poverty, budget
planner, compare), an id/en toggle and a download link for the table shown.

This module only wires controls to the analysis layer (`ucj.analysis.district`,
`ucj.analysis.explore`) and formats what comes back; it computes no figure. The same notebook runs in
JupyterLab and, without code, as an app (`ucj explore`, Voilà). Bad data shows as a sentence on
the page, never as a traceback.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from dataclasses import dataclass, field
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ucj.analysis.budget import ORGANIC_PROJECTED, Assumptions
from ucj.analysis.all_districts import district_table
from ucj.analysis.district import OTHER_BASIS, AreaPoverty, Comparison, DistrictFigures, district_figures
from ucj.analysis.projection import district_target
from ucj.analysis.explore import (ALL_SEGMENTS, MAX_COMPARE, BudgetPlan, allowed_segments, budget_plan,
                                  compare_series, compare_table, coverage_against, latest_segment_coverage,
                                  peer_year, poverty_change, poverty_target)
from ucj.core.errors import UcjInputError
from ucj.data.dataset import Dataset
from ucj.data.registry import Registry
from ucj.data.schema import DENOMINATORS
from ucj.presentation.i18n import (Lang, check_lang, default_target_basis, fmt_int, fmt_num, fmt_pct, fmt_rp, fmt_rp_full,
                                   coverage_period_text, fmt_signed_int, fmt_year, reason_text, t, target_year_text,
                                   tf)
from ucj.presentation.plots import alt_text, claims_figure, mark_synthetic, poverty_figure
from ucj.presentation.explore_env import DISTRICT_ENV, LANG_ENV, default_lang  # noqa: F401 - the explorer's API
from ucj.presentation.tables import Shown, as_html_frame, shown

DEFAULT_DENOMINATOR = "working_population"  # the denominator a page opens with
TABS = ("coverage", "claims", "poverty", "budget", "compare")
SERIES_STYLE = {"district": dict(color="#c00000", lw=2.2), "province": dict(color="#1f4e79", lw=1.4),
                "peers": dict(color="#777777", lw=1.4)}
COMPARE_COLOURS = ("#c00000", "#1f4e79", "#2e8b57", "#d98c1f", "#8e5ea2")


def district_options(registry: Registry) -> list[tuple[str, str]]:
    return [(f"{d.full_name} ({d.province_name})", d.code) for d in registry.all()]


# ---------------------------------------------------------------- tables, downloads and charts


def text_table(s: Shown, lang: Lang) -> pd.DataFrame:
    """The table as the page shows it: each cell by the report's rule for its kind (ucj.presentation.tables)."""
    return as_html_frame(s, lang).astype(object)


def table_html(s: Shown, name: str, lang: Lang) -> str:
    """The table as HTML: each cell by its kind's rule, numbers right-aligned and text left-aligned (a
    column is text when its cells are)."""
    text = text_table(s, lang)
    numeric = [not all(k in ("text", "code", "bool") for k in s.kinds[c]) for c in s.values.columns]
    align = ["ucj-num" if n else "ucj-text" for n in numeric]
    head = "".join(f'<th scope="col" class="{a}">{html.escape(str(h))}</th>' for h, a in zip(text.columns, align))
    body = "".join("<tr>" + "".join(f'<td class="{a}">{html.escape(str(v))}</td>' for v, a in zip(row, align))
                   + "</tr>" for row in text.itertuples(index=False))
    return (f'<table class="ucj-table ucj-{name}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def download_links(s: Shown, name: str, lang: Lang, notes: list[list[object]] | None = None,
                   synthetic: bool = False) -> str:
    """Two links that download the table shown, from data: URIs: CSV and XLSX with the numbers as numbers
    (the XLSX with the report's number formats and a notes sheet), written by ucj.presentation.xlsx as the
    report's tables.xlsx, so text from the data never runs as a formula. A file of synthetic data says so
    in its name (and in the workbook's notes)."""
    from ucj.presentation.xlsx import csv_bytes, workbook_bytes

    stem = f"ucj_{name}" + ("_synthetic-demo" if synthetic else "")
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    links = []
    for data, mime, ext, key in ((csv_bytes(s, lang), "text/csv", "csv", "download_csv"),
                                 (workbook_bytes({name: s}, lang, notes), xlsx_type, "xlsx", "download_xlsx")):
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        links.append(f'<a class="ucj-download ucj-download-{ext}" download="{stem}.{ext}" href="{uri}">'
                     f"{html.escape(t(key, lang))}</a>")
    return " · ".join(links)


def png(fig: Figure) -> bytes:
    """The chart as PNG at screen resolution. The explorer's own charts (redrawn at every control change) keep
    matplotlib's fixed margins, as constrained layout would double a redraw's time; the report's charts
    (claims, poverty: drawn once per district and language) keep their constrained layout, so no label is
    cut."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


def figure_html(chart: bytes, alt: str) -> str:
    """The chart as an <img> with its alt text (what it shows, for a reader who cannot see it)."""
    data = base64.b64encode(chart).decode("ascii")
    return f'<img class="ucj-figure" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def coverage_chart(series: pd.DataFrame, fig: DistrictFigures, segment: str, lang: Lang, synthetic: bool) -> Figure:
    """District, province and peers month by month; with all segments, the projection fan and the target."""
    out = Figure(figsize=(8.0, 3.4), layout="none")
    ax = out.add_subplot()
    names = {"district": fig.district.full_name, "province": fig.district.province_name,
             "peers": t("peers_together", lang)}
    for key, style in SERIES_STYLE.items():
        s = series[series["series"] == key]
        if len(s):
            ax.plot(s["month"], s["coverage_pct"], label=names[key], **style)
    p = fig.projection
    if segment == ALL_SEGMENTS and len(p.forecast):
        fc = p.forecast
        band = fc["informative"].astype(bool) if "informative" in fc else pd.Series(True, index=fc.index)
        ax.fill_between(fc["month"], fc["lower"], fc["upper"], where=band.to_numpy(), color="#c00000", alpha=0.15,
                        label=t("interval_level", lang).format(level=fmt_num(100 * p.interval, lang, 0)))
        if not band.all():  # where the interval is too wide to say anything, no band (the legend says so)
            ax.plot([], [], " ", label=t("chart_band_hidden", lang))
        ax.plot(fc["month"], fc["mean"], color="#c00000", ls="--", lw=1.2, label=t("projection", lang))
    if segment == ALL_SEGMENTS and p.target_pct == p.target_pct:
        ax.scatter([pd.Timestamp(int(p.target_year), 12, 1)], [p.target_pct], marker="*", s=140, color="#000000",
                   zorder=5, label=f"{t('target', lang)} {fmt_pct(p.target_pct, lang)} ({p.target_year})")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
    ax.set_title(t("coverage_pct", lang), fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="upper left", frameon=False, ncols=2)
    ax.grid(axis="y", alpha=0.3)
    mark_synthetic(ax, synthetic, lang)  # in the chart's title row, as in the reports
    return out


def coverage_alt(fig: DistrictFigures, segment: str, lang: Lang) -> str:
    seg = t("all_segments", lang) if segment == ALL_SEGMENTS else t(segment, lang)
    alt = tf("chart_explore_coverage_alt", lang, district=fig.district.full_name,
             province=fig.district.province_name, segment=seg, denominator=t(fig.denominator, lang))
    p = fig.projection
    if segment != ALL_SEGMENTS:
        return alt
    if len(p.forecast):  # the band as `coverage_chart` draws it: in the informative months only (as on the pages)
        fc = p.forecast
        band = fc["informative"].astype(bool) if "informative" in fc else pd.Series(True, index=fc.index)
        drawn = t("alt_projection_band" if band.all() else "alt_projection_band_part" if band.any()
                  else "alt_projection_no_band", lang)
        alt += " " + tf("chart_explore_projection_alt", lang, band=drawn, year=fmt_year(p.target_year))
    if p.target_pct == p.target_pct:  # the star, drawn whenever there is a target
        alt += " " + tf("chart_explore_target_alt", lang, target=fmt_pct(p.target_pct, lang),
                        year=fmt_year(p.target_year))
    return alt


def compare_chart(series: pd.DataFrame, names: dict[str, str], lang: Lang, synthetic: bool) -> Figure:
    out = Figure(figsize=(8.0, 3.4), layout="none")
    ax = out.add_subplot()
    for colour, (code, name) in zip(COMPARE_COLOURS, names.items()):
        s = series[series["district_code"] == code]
        ax.plot(s["month"], s["coverage_pct"], label=name, color=colour, lw=1.6)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
    ax.set_title(t("coverage_pct", lang), fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    mark_synthetic(ax, synthetic, lang)
    return out


# ---------------------------------------------------------------- what each tab shows


@dataclass
class View:
    """One tab's content: headline sentences, a chart with its alt text, the table (values with their kinds,
    for the page and the downloads alike) and its name."""

    lines: list[str]
    chart: bytes | None
    data: Shown
    name: str
    notes: list[str] = field(default_factory=list)
    alt: str = ""
    lang: Lang = "id"

    @property
    def table(self) -> pd.DataFrame:
        """The table as the page shows it."""
        return text_table(self.data, self.lang)


LEVELS = ("district", "kecamatan", "village")  # the coverage tab's drill-down


def _empty() -> Shown:
    return Shown(pd.DataFrame(), {}, [])


def village_level_table(ds: Dataset, fig: DistrictFigures, level: str, lang: Lang) -> tuple[Shown, list[str]]:
    """The coverage tab's table below the district: per kecamatan or per desa/kelurahan (from the village
    table), with the section's sentences; without village data, an empty table and what to add."""
    from ucj.analysis.villages import kecamatan_rows, village_figures
    from ucj.presentation.villages_view import village_sentences

    f = village_figures(ds, fig.district.code, fig.last_period)
    lines = village_sentences(f, lang, fig.agreement_ends)
    if f is None:
        return _empty(), lines
    if level == "kecamatan":
        rows = kecamatan_rows(f)[["kecamatan", "desa", "bpu_active", "apbd_bpu_active", "all_active", "desa_below_quota"]]
        return shown("kecamatan", rows, lang), lines
    rows = f.table.sort_values(["kecamatan", "village"])
    cols = ["kecamatan", "village", "kind", "bpu_active", "apbd_bpu_active", "all_active", "quota", "below_quota",
            "below_quota_all_bpu"]
    return shown("villages", rows[cols].reset_index(drop=True), lang), lines


def coverage_view(ds: Dataset, fig: DistrictFigures, segment: str, lang: Lang,
                  series: pd.DataFrame | None = None, level: str = "district") -> View:
    from ucj.presentation.district import denominator_year_bound

    pct, month = latest_segment_coverage(fig, segment)
    num, den = fig.pairing.split("/")
    seg = t("all_segments", lang) if segment == ALL_SEGMENTS else t(segment, lang)
    # the participants' month and the denominator's year, assumed where its source states none, as the page's card
    # says them ("peserta 2025-12 / potensi pekerja 2024, diasumsikan"; reader 16, R16-8)
    den_fig = fig.figures.get("coverage_denominator")
    den_year = None if den_fig is None else den_fig.period
    assumed = bool(fig.period_rule and den_year and denominator_year_bound(ds, fig.district.code, fig.denominator,
                                                                          int(str(den_year)[:4])))
    when = "–" if month is None else coverage_period_text(f"{month:%Y-%m}", den_year, fig.denominator, lang, assumed)
    if month is not None and when != f"{month:%Y-%m}":  # each side with its own period, the pairing named once
        # (Minahasa's read "participants 2025-12 / potensi pekerja 2023, assumed, all segments, all active
        # participants / potensi pekerja"; reader 17, R17-10)
        year = target_year_text(den_year or f"{month:%Y}", assumed, lang)
        head = tf("coverage_headline_periods", lang, name=fig.district.full_name, pct=fmt_pct(pct, lang),
                  segment=seg, numerator=t(num, lang), period=f"{month:%Y-%m}", denominator=t(den, lang), year=year)
    else:
        head = t("coverage_headline", lang).format(
            name=fig.district.full_name, pct=fmt_pct(pct, lang), month=when,
            pairing=f"{seg}, {t(num, lang)} / {t(den, lang)}")
    p = fig.projection
    year = target_year_text(p.target_year, fig.target_year_assumed, lang)  # "2029, assumed" on every pairing
    why = ""  # the reason behind a verdict withheld, under the headline rather than in it (R17-10)
    if p.model_used:  # the page's figure and interval, with its level and cuts (DistrictReport.projection_text)
        from ucj.presentation.district import cut_text

        band = t("interval_level", lang).format(level=fmt_num(100 * p.interval, lang, 0))
        projected = (f"{fmt_pct(p.projected_pct, lang)} ({band} {fmt_pct(p.lower_pct, lang)}–"
                     f"{fmt_pct(p.upper_pct, lang)}){cut_text(p.forecast, lang)}")
    if p.status == OTHER_BASIS:  # a target set over another denominator: the projection, not judged, the target's
        # basis named ("not judged: the target is set over another denominator, the potential workers list"), the
        # full why below
        from ucj.analysis.district import REASON_OTHER_BASIS
        from ucj.analysis.reasons import parse
        from ucj.presentation.district import other_basis_why

        basis = next((v.get("basis") for code, v in parse(str(p.reason or "")) if code == REASON_OTHER_BASIS), None)
        why = other_basis_why(p, lang)
        status = t(p.status, lang) + (f", {t(f'reason_param.{basis}', lang)}" if basis else "")
        target = (t("target_headline", lang).format(pct=fmt_pct(p.target_pct, lang), year=year,
                                                    status=status, projected=projected) if p.model_used
                  else t("not_fitted_headline", lang).format(pct=fmt_pct(p.target_pct, lang), year=year,
                                                             reason=status))
    elif p.status in ("likely", "uncertain", "unlikely") or (p.status == "cannot_say" and p.model_used):
        target = t("target_headline", lang).format(pct=fmt_pct(p.target_pct, lang), year=year,
                                                    projected=projected, status=t(p.status, lang))
    else:
        why = reason_text(p.reason, lang) if p.reason else ""
        target = t("not_fitted_headline", lang).format(pct=fmt_pct(p.target_pct, lang), year=year,
                                                       reason=t(p.status, lang))
    notes = [_default_target_note(fig, lang)] if fig.target_is_default else []
    if why:
        notes.insert(0, why[:1].upper() + why[1:] + ".")
    if segment != ALL_SEGMENTS:
        notes.append(t("fan_only_all", lang))
    if fig.coverage_note:
        notes.append(t("over_100_note", lang))
    series = coverage_against(ds, fig, segment) if series is None else series
    drawn = coverage_chart(series, fig, segment, lang, ds.any_synthetic)
    chart = png(drawn)
    alt = alt_text(coverage_alt(fig, segment, lang), drawn, lang)  # "(synthetic demo data)" where stamped (R15-12)
    if level != "district":  # drill down: the district's kecamatan or villages instead of its peers
        table, below = village_level_table(ds, fig, level, lang)
        return View([head, target, *below], chart, table, f"coverage-{level}", notes, alt, lang)
    return View([head, target], chart, shown("peers", fig.peers, lang), "coverage", notes, alt, lang)


def claims_view(ds: Dataset, fig: DistrictFigures, lang: Lang) -> View:
    a = fig.apbd_claims
    lines = [
        t("claims_window", lang).format(start=f"{fig.claims_from:%Y-%m}", end=f"{fig.last_period:%Y-%m}"),
        t("heirs_headline", lang).format(amount=fmt_rp(fig.heirs_paid_12m_rp, lang),
                                         deaths=fmt_int(fig.heirs_deaths_12m, lang)),
        t("apbd_headline", lang).format(count=fmt_int(a["count"], lang), amount=fmt_rp(a["amount_rp"], lang),
                                        first=a["first_month"] or "–", last=a["last_month"] or "–"),
    ]
    drawn = claims_figure(fig.claims_12m, lang, fig.chart_synthetic.get("claims", ds.any_synthetic), t("claims", lang))
    return View(lines, png(drawn), shown("claims_12m", fig.claims_12m, lang), "claims",
                [t("claims_headline_note", lang)], alt_text(t("chart_claims_alt", lang), drawn, lang), lang)


def poverty_view(ds: Dataset, fig: DistrictFigures, lang: Lang) -> View:
    pl = fig.poverty_latest
    lines = [t("poverty_headline", lang).format(year=pl["year"] or "–", p0=fmt_pct(pl["p0"], lang),
                                                prov=fmt_pct(pl["province_p0"], lang),
                                                nat=fmt_pct(pl["national_p0"], lang))]
    since, delta = poverty_change(fig)
    if since is not None:
        key = "poverty_falling" if delta < 0 else "poverty_rising"
        lines.append(t(key, lang).format(delta=fmt_num(abs(delta), lang, 2), year=since))
    target = poverty_target(fig)
    lines.append(t("poverty_target_line", lang).format(pct=fmt_pct(target, lang)) if target == target
                 else t("no_poverty_target", lang))
    series = {fig.district.full_name: fig.poverty_district, fig.district.province_name: fig.poverty_province,
              t("national", lang): fig.poverty_national}
    drawn = poverty_figure(series, lang, fig.chart_synthetic.get("poverty", ds.any_synthetic),  # BPS P0: no stamp
                           t("poverty", lang))
    return View(lines, png(drawn), shown("poverty", fig.poverty, lang), "poverty", [],
                alt_text(t("chart_poverty_alt", lang), drawn, lang), lang)


# the budget table's rows: the quantity, its unit (a catalogue key) and the kind of number it is
BUDGET_UNITS = {"persons": "count", "months": "count", "persons_per_month": "count", "rp": "rp", "rp_per_month": "rp",
                "rp_per_year": "rp", "pct": "pct", "cases_per_period": "num"}


def budget_table(plan: BudgetPlan, lang: Lang) -> Shown:
    """The budget planner's figures, one row each: quantity, value (a number, by its unit's rule) and unit."""
    sc = plan.scenario
    rows = [
        ("additional_workers", sc["workers"], "persons"), ("months", sc["months"], "months"),
        ("tariff_rp", plan.tariff_rp, "rp_per_month"), ("apbd_cost", sc["cost_rp"], "rp"),
        ("already_funded", plan.already_funded, "persons"),
        ("coverage_before_pct", sc.get("coverage_before_pct"), "pct"),
        ("coverage_after_pct", sc.get("coverage_after_pct"), "pct"),
        ("expected_jkk_cases", sc["expected_jkk_cases"], "cases_per_period"),
        ("expected_jkk_claims", plan.expected_jkk_claims_rp, "rp"),
        ("expected_jkm_deaths", sc["expected_jkm_deaths"], "cases_per_period"),
        ("expected_jkm_claims", plan.expected_jkm_claims_rp, "rp"),
        ("workers_needed_net", plan.net_per_month, "persons_per_month"),
        ("workers_needed_gross", plan.gross_per_month, "persons_per_month"),
        ("cost_per_year_rp", plan.cost_per_year_rp, "rp_per_year"),
    ]
    values = pd.DataFrame({"quantity": [t(k, lang) for k, _, _ in rows],
                           "value": [math.nan if v is None else v for _, v, _ in rows],
                           "unit": [t(f"unit.{u}", lang) for _, _, u in rows]}).astype(object)
    kinds = {"quantity": ["text"] * len(rows), "value": [BUDGET_UNITS[u] for _, _, u in rows],
             "unit": ["text"] * len(rows)}
    return Shown(values, kinds, [t("quantity", lang), t("value", lang), t("unit", lang)])


def budget_view(fig: DistrictFigures, plan: BudgetPlan, lang: Lang) -> View:
    sc = plan.scenario
    lines = [f"{t('apbd_cost', lang)}: {fmt_rp(sc['cost_rp'], lang)} ({fmt_rp_full(sc['cost_rp'], lang)})",
             t("reach_target", lang).format(pct=fmt_pct(plan.target_pct, lang), year=plan.target_year)
             + f": {fmt_int(plan.net_per_month, lang)} ({t('workers_needed_net', lang).lower()}), "
               f"{fmt_int(plan.gross_per_month, lang)} ({t('workers_needed_gross', lang).lower()}), "
               f"{fmt_rp(plan.cost_per_year_rp, lang)} ({t('cost_per_year_rp', lang).lower()})"]
    if fig.projection.status == OTHER_BASIS:  # no need against a target set over another denominator: why
        from ucj.presentation.district import other_basis_why

        lines[1] = tf("workers_needed_other_basis", lang, target=fmt_pct(plan.target_pct, lang),
                      year=fmt_year(plan.target_year), why=other_basis_why(fig.projection, lang))
    notes = [] if plan.counts_towards_coverage else [t("not_counting", lang)]
    if plan.counts_towards_coverage and pd.notna(plan.funded_additional_total):
        held = plan.organic_basis != ORGANIC_PROJECTED
        notes.append(tf("explorer_budget_rule_held" if held else "explorer_budget_rule_projected", lang,
                        funded=fmt_int(plan.funded_additional_total, lang), year=fmt_year(plan.target_year),
                        rise=fmt_int(plan.funded_additional_total + plan.organic_change, lang),
                        change=fmt_signed_int(plan.organic_change, lang)))
    if fig.target_is_default:
        notes.append(_default_target_note(fig, lang))
    return View(lines, None, budget_table(plan, lang), "budget", notes, "", lang)


def compare_view(ds: Dataset, codes: list[str], denominator: str, lang: Lang) -> View:
    raw = compare_table(ds, codes, denominator)
    names = dict(zip(raw["district_code"], raw["district"]))
    drawn = compare_chart(compare_series(ds, codes, denominator), names, lang, ds.any_synthetic)
    chart = png(drawn)
    counts = ["active", "denominator_value", "apbd_funded_workers"]  # whole persons: shown and stored as counts
    raw[counts] = raw[counts].round().astype("Int64")
    alt = alt_text(tf("chart_explore_compare_alt", lang, denominator=t(denominator, lang),
                      districts=", ".join(names.values())), drawn, lang)  # "(synthetic demo data)" where stamped
    return View([f"{t('coverage_pct', lang)} ({t(denominator, lang)})"], chart, shown("compare", raw, lang), "compare",
                [], alt, lang)


class NoFigures(Exception):
    """A district without the figures a tab needs; the argument is the catalogue key of the reason."""


def problem_text(err: Exception, lang: Lang = "id") -> str:
    """One line for the page: the reason, the rendered input error, or the error's message (never a traceback)."""
    if isinstance(err, NoFigures):
        return t(str(err.args[0]), lang)
    if isinstance(err, UcjInputError):
        return "; ".join(err.render().splitlines())
    return f"{type(err).__name__}: {err}"


# ---------------------------------------------------------------- figures shared in one kernel


class SharedTables:
    """One dataset's all-district tables (the comparison table with every district's benchmarks, per
    denominator; province and national poverty) and the figures of each district visited, computed once
    per kernel and shared by the explorers on the same data (and by `preload`, which computes the first
    district's before its page is asked for). The all-district tables go through the store of derived
    data (ucj.data.store) when the dataset came from it: computed once per dataset, not once per page.
    Figures depend on the data and the district alone, so sharing them never changes one."""

    def __init__(self, ds: Dataset) -> None:
        self.period = pd.Timestamp(ds.enrolment["month"].max())
        self.peer_year = peer_year(ds)
        self.comparison: dict[str, Comparison] = {}
        self.area_poverty: AreaPoverty | None = None
        self.figures: dict[tuple[str, str], DistrictFigures] = {}
        self.series: dict[tuple[str, str, str], pd.DataFrame] = {}  # the coverage chart's lines
        self.views: dict[tuple[str, str, str, str, str], View] = {}  # the coverage tab as shown

    def coverage_series(self, ds: Dataset, fig: DistrictFigures, segment: str) -> pd.DataFrame:
        """The coverage tab's lines (district, province, peers) for the district's figures and `segment`."""
        key = (fig.district.code, fig.denominator, segment)
        if key not in self.series:
            self.series[key] = coverage_against(ds, fig, segment)
        return self.series[key]

    def coverage(self, ds: Dataset, fig: DistrictFigures, segment: str, lang: Lang, level: str) -> View:
        """The coverage tab's content (its chart drawn once per district, denominator, segment, level and
        language: the same inputs always give the same page)."""
        key = (fig.district.code, fig.denominator, segment, level, lang)
        if key not in self.views:
            self.views[key] = coverage_view(ds, fig, segment, lang, self.coverage_series(ds, fig, segment), level)
        return self.views[key]

    def district(self, ds: Dataset, code: str, denominator: str) -> DistrictFigures:
        """The district's figures for `denominator` (computed on the first visit)."""
        from ucj.data.store import derived

        key = (code, denominator)
        if key not in self.figures:
            if denominator not in self.comparison:
                self.comparison[denominator] = derived(
                    ds.store_key, "explorer_comparison", [str(self.period), self.peer_year, denominator],
                    lambda: Comparison.of(district_table(ds, self.peer_year, denominator), self.period))
            if self.area_poverty is None:
                self.area_poverty = derived(ds.store_key, "explorer_area_poverty", [str(self.period)],
                                            lambda: AreaPoverty.of(ds, self.period))
            self.figures[key] = district_figures(ds, code, denominator=denominator,
                                                 comparison=self.comparison[denominator],
                                                 area_poverty=self.area_poverty)
        return self.figures[key]


_SHARED: dict[str, SharedTables] = {}  # per dataset store key (the bytes, registry and code it came from)


def tables_of(ds: Dataset) -> SharedTables:
    """The shared tables of `ds`: the same object for every dataset read from the same files through the
    store (same `store_key`); a dataset read without the store gets tables of its own."""
    if not ds.store_key:
        return SharedTables(ds)
    if ds.store_key not in _SHARED:
        _SHARED[ds.store_key] = SharedTables(ds)
    return _SHARED[ds.store_key]


def load_data(data_dir: str = "") -> Dataset:
    """The explorer's data: the folders in `data_dir` (';'-separated; empty: the default folders), read
    through the store of derived data (validated once per dataset, then read back in a fraction of a
    second; the same tables as `ucj.load`)."""
    import ucj
    from ucj.core.config import split_dirs

    return ucj.load_stored(*split_dirs(data_dir))


def preload(data_dir: str = "", district: str = "", lang: str = "") -> None:
    """Run in a kernel before its page is asked for (`ucj explore` starts one with the server): import the
    explorer, read the data and compute the first district's figures, so the page's notebook, run in
    this kernel next, only builds the widgets. Empty arguments: $UCJ_DATA_DIR, $UCJ_DISTRICT and
    $UCJ_LANG, as the notebook reads them. A problem is left for the notebook to show as a sentence."""
    import ipywidgets  # noqa: F401 - imported now, not while the page waits

    try:
        ds = load_data(data_dir)
        code = ds.registry.resolve(district or os.environ.get(DISTRICT_ENV, "") or "Boalemo")
        tables = tables_of(ds)
        tables.coverage(ds, tables.district(ds, code, DEFAULT_DENOMINATOR), ALL_SEGMENTS, default_lang(lang),
                        "district")
        import matplotlib.backends.backend_agg  # noqa: F401 - what the first chart and download need
        import openpyxl  # noqa: F401
    except Exception:  # noqa: BLE001, S110 - the notebook meets the same problem and shows it
        pass


# ---------------------------------------------------------------- the widget


class Explorer:
    """The explorer's controls and output areas; `widget` is what the notebook shows."""

    def __init__(self, ds: Dataset, lang: Lang = "id", district_code: str = "75.02") -> None:
        import ipywidgets as w

        from ucj.core.config import stylesheet

        self.ds, self.lang = ds, check_lang(lang)
        # computed once and kept: the same inputs always give the same figures
        self._tables = tables_of(ds)  # shared with preload() and other explorers on the same data
        self._seen: set[tuple[str, str]] = set()  # districts and denominators this explorer has shown
        self._period = self._tables.period
        self._views: dict[tuple[str, str, str, str], View] = {}
        self._quiet = False
        a = Assumptions()
        last_year = int(pd.Timestamp(ds.enrolment["month"].max()).year)
        labelled = {"style": {"description_width": "initial"}}  # a label as long as its words, never cut
        self.language = w.ToggleButtons(options=[("Bahasa Indonesia", "id"), ("English", "en")], value=self.lang,
                                        **labelled)
        self.district = w.Dropdown(options=district_options(ds.registry), value=ds.registry.get(district_code).code,
                                   **labelled)
        # the pairing the district's page uses: its own target's denominator (Minahasa's potensi list), else the
        # working population (reader 16, R16-8: the explorer opened Minahasa on another pairing than its page)
        own = district_target(ds, self.district.value)
        opening = own[2] if own is not None and own[2] in DENOMINATORS else DEFAULT_DENOMINATOR
        self.denominator = w.Dropdown(options=list(DENOMINATORS), value=opening, **labelled)
        self.segment = w.Dropdown(options=allowed_segments(opening), value=ALL_SEGMENTS, **labelled)
        self.level = w.Dropdown(options=list(LEVELS), value="district", **labelled)
        # sliders without their own readout (it cannot group thousands in the page's language): a readout
        # beside each, formatted like every other number on the page
        slider = dict(continuous_update=False, readout=False, style={"description_width": "16em"})
        self.workers = w.IntSlider(value=5_000, min=0, max=100_000, step=500, **slider)
        self.months = w.IntSlider(value=12, min=1, max=60, **slider)
        self.tariff = w.IntSlider(value=int(a.monthly_contribution_rp), min=1_000, max=100_000, step=100, **slider)
        self.target_year = w.IntSlider(value=last_year + 1, min=last_year, max=last_year + 10, **slider)
        self.sliders = {"workers": self.workers, "months": self.months, "tariff": self.tariff,
                        "target_year": self.target_year}
        self.readouts = {k: w.HTML() for k in self.sliders}
        for k in self.readouts:
            self.readouts[k].add_class("ucj-readout")
        self.compare_pick = w.Dropdown(options=district_options(ds.registry), value=self.district.value, **labelled)
        self.add = w.Button()
        self.clear = w.Button()
        self.compare_codes: list[str] = [self.district.value]
        self.outputs = {k: w.Output() for k in TABS}
        self.heads = {k: w.HTML() for k in TABS}
        self.downloads = w.HTML()
        self.message = w.HTML()
        self.title = w.HTML()
        self.style = w.HTML(f"<style>{stylesheet('explorer')}</style>")
        slider_rows = []
        for k, ctl in self.sliders.items():
            row = w.HBox([ctl, self.readouts[k]])
            row.add_class("ucj-slider-row")
            slider_rows.append(row)
        self.tabs = w.Tab(children=[
            w.VBox([w.HBox([self.segment, self.level]), self.heads["coverage"], self.outputs["coverage"]]),
            w.VBox([self.heads["claims"], self.outputs["claims"]]),
            w.VBox([self.heads["poverty"], self.outputs["poverty"]]),
            w.VBox([*slider_rows, self.heads["budget"], self.outputs["budget"]]),
            w.VBox([w.HBox([self.compare_pick, self.add, self.clear]), self.heads["compare"], self.outputs["compare"]]),
        ])
        self.widget = w.VBox([self.style, self.title, self.language, w.HBox([self.district, self.denominator]),
                              self.message, self.tabs, self.downloads], layout=w.Layout(max_width="1100px"))
        self.widget.add_class("ucj-explorer")
        self.language.observe(self._on_language, names="value")
        self.district.observe(self._on_district, names="value")
        self.denominator.observe(self._on_denominator, names="value")
        for ctl in (self.segment, self.level, *self.sliders.values()):
            ctl.observe(lambda _c: self.redraw(), names="value")
        for ctl in self.sliders.values():
            ctl.observe(lambda _c: self.show_readouts(), names="value")
        self.tabs.observe(lambda _c: self.redraw(), names="selected_index")
        self.add.on_click(self._on_add)
        self.clear.on_click(self._on_clear)
        self.relabel()
        self.redraw()

    # -- labels
    def show_readouts(self) -> None:
        """Each slider's value beside it, grouped in the page's language ("10.000" / "10,000")."""
        lang = self.lang
        text = {"workers": fmt_int(self.workers.value, lang), "months": fmt_int(self.months.value, lang),
                "tariff": fmt_rp_full(self.tariff.value, lang), "target_year": fmt_year(self.target_year.value)}
        for k, value in text.items():
            self.readouts[k].value = html.escape(value)

    def relabel(self) -> None:
        """Every label in the current language (options keep their values). The title carries the page's
        title and language for the app's page (the ucj Voilà template sets the browser tab's title and
        <html lang> from them)."""
        lang, self._quiet = self.lang, True
        try:
            title = t("explorer_title", lang)
            self.title.value = (
                f"<h1 class='ucj-h' data-ucj-title='{html.escape(title)}' data-ucj-lang='{lang}'>{html.escape(title)}</h1>"
                + (f"<div class='ucj-synthetic'>{html.escape(t('synthetic_banner', lang))}</div>"
                   if self.ds.any_synthetic else "")
                + f"<p class='ucj-intro'>{html.escape(t('explorer_intro', lang))}</p>")
            self.language.description = t("language", lang)
            self.district.description = t("district", lang)
            self.denominator.description = t("denominator", lang)
            keep = self.denominator.value
            self.denominator.options = [(t(d, lang), d) for d in DENOMINATORS]
            self.denominator.value = keep
            keep = self.segment.value
            segs = allowed_segments(self.denominator.value)
            self.segment.options = [(t("all_segments", lang) if s == ALL_SEGMENTS else t(s, lang), s) for s in segs]
            self.segment.value = keep if keep in segs else ALL_SEGMENTS
            self.segment.description = t("segment", lang)
            keep = self.level.value
            self.level.options = [(t(lv, lang), lv) for lv in LEVELS]
            self.level.value = keep
            self.level.description = t("level", lang)
            for ctl, key in ((self.workers, "additional_workers"), (self.months, "months"), (self.tariff, "tariff_rp"),
                             (self.target_year, "by_year")):
                ctl.description = t(key, lang)
            self.show_readouts()
            self.compare_pick.description = t("compare_with", lang)
            self.add.description, self.clear.description = t("add", lang), t("clear", lang)
            self.tabs.titles = tuple(t(f"tab_{k}", lang) for k in TABS)
        finally:
            self._quiet = False

    # -- events
    def _on_language(self, change: dict[str, object]) -> None:
        self.lang = check_lang(str(change["new"]))
        self.relabel()
        self.redraw()

    def _on_district(self, change: dict[str, object]) -> None:
        code = str(change["new"])  # the district shown heads the comparison, once
        self.compare_codes = [code] + [c for c in self.compare_codes[1:] if c != code]
        self.redraw()

    def _on_denominator(self, _change: dict[str, object]) -> None:
        self.relabel()  # the segment choices follow the denominator
        self.redraw()

    def _on_add(self, _button: object) -> None:
        code = self.compare_pick.value
        if code not in self.compare_codes and len(self.compare_codes) < MAX_COMPARE:
            self.compare_codes.append(code)
        self.redraw()

    def _on_clear(self, _button: object) -> None:
        self.compare_codes = [self.district.value]
        self.redraw()

    # -- drawing
    def figures(self) -> DistrictFigures:
        """The district's figures (computed once per district and denominator; the all-district table they
        compare with and every district's benchmarks over it, once per denominator; the province and
        national poverty, once): a first visit of a district computes only that district's own figures."""
        key = (self.district.value, self.denominator.value)
        if key not in self._seen:
            self._seen.add(key)
            fig = self._tables.district(self.ds, *key)
            self._quiet = True
            try:  # the planner starts from the district's own target year
                year = fig.projection.target_year
                self.target_year.value = min(max(year, self.target_year.min), self.target_year.max)
            finally:
                self._quiet = False
        return self._tables.district(self.ds, *key)

    def coverage_series(self, fig: DistrictFigures, segment: str) -> pd.DataFrame:
        return self._tables.coverage_series(self.ds, fig, segment)

    def view(self, tab: str) -> View:
        """The content of `tab` for the current controls (what `redraw` shows)."""
        lang = self.lang
        if tab == "compare":
            return compare_view(self.ds, list(self.compare_codes), self.denominator.value, lang)
        fig = self.figures()
        if fig.coverage_as_of is None:
            raise NoFigures("no_coverage")
        if tab == "coverage":
            return self._tables.coverage(self.ds, fig, self.segment.value, lang, self.level.value)
        if tab in ("claims", "poverty"):  # no control of theirs but district, denominator and language
            key = (tab, fig.district.code, fig.denominator, lang)
            if key not in self._views:
                self._views[key] = (claims_view if tab == "claims" else poverty_view)(self.ds, fig, lang)
            return self._views[key]
        plan = budget_plan(fig, self.workers.value, self.months.value, self.tariff.value, self.target_year.value)
        return budget_view(fig, plan, lang)

    def redraw(self) -> None:
        """Redraw the visible tab; a problem becomes a sentence on the page."""
        if self._quiet:
            return
        from IPython.display import HTML, Image, display

        tab = TABS[self.tabs.selected_index or 0]
        out = self.outputs[tab]
        try:
            v = self.view(tab)
        except Exception as err:  # noqa: BLE001 - the planner gets a sentence, not a traceback
            name = self.ds.registry.get(self.district.value).full_name
            self.message.value = (f"<div class='ucj-problem' style='color:#b00020'>"
                                  f"{html.escape(t('no_figures', self.lang).format(name=name, problem=problem_text(err, self.lang)))}"
                                  f"</div>")
            self.heads[tab].value, self.downloads.value = "", ""
            out.clear_output()
            return
        self.message.value = ""
        # the download links first: when the headline shows the new figures, the links already hold them
        self.downloads.value = download_links(v.data, v.name, self.lang, self.download_notes(v), self.ds.any_synthetic)
        self.heads[tab].value = "".join(f"<p class='ucj-headline ucj-{tab}-headline'><b>{html.escape(x)}</b></p>"
                                        for x in v.lines[:1]) + "".join(
            f"<p class='ucj-line'>{html.escape(x)}</p>" for x in v.lines[1:]) + "".join(
            f"<p class='ucj-note'><i>{html.escape(x)}</i></p>" for x in v.notes)
        out.clear_output(wait=True)
        with out:
            if v.chart is not None:
                display(HTML(figure_html(v.chart, v.alt)))
            display(HTML(table_html(v.data, v.name, self.lang)))

    def download_notes(self, v: View) -> list[list[object]]:
        """The downloaded workbook's notes: what the table is (the tab's headline) and, for demo data, that it
        is synthetic."""
        notes: list[list[object]] = [[t("explorer_title", self.lang), v.lines[0] if v.lines else v.name]]
        if self.ds.any_synthetic:
            notes.insert(0, ["!", t("synthetic_banner", self.lang)])
        return notes


def explorer(ds: Dataset, lang: Lang = "id", district_code: str = "75.02"):  # type: ignore[no-untyped-def]
    """The explorer widget for a loaded dataset."""
    return Explorer(ds, lang, district_code).widget


def explorer_app(data_dir: str = "", lang: str = "", district: str = ""):  # type: ignore[no-untyped-def]
    """What the notebook shows: the explorer on the data in `data_dir` (';'-separated; empty: the default
    folders), or a sentence saying what to do when the data cannot be read or the district is unknown.
    An empty `lang` or `district` is taken from $UCJ_LANG / $UCJ_DISTRICT, else id / Boalemo."""
    import ipywidgets as w

    chosen: Lang = "id"
    try:
        chosen = default_lang(lang)
        ds = load_data(data_dir)
        code = ds.registry.resolve(district or os.environ.get(DISTRICT_ENV, "") or "Boalemo")
    except Exception as err:  # noqa: BLE001 - shown as a sentence the planner can act on
        text = t("no_data_folder", chosen).format(problem=problem_text(err, chosen))
        return w.HTML(f"<div class='ucj-problem' style='color:#b00020'>{html.escape(text)}</div>")
    return explorer(ds, chosen, code)


def _default_target_note(fig: object, lang: Lang) -> str:
    """The national default target, said to be applied to the view's pairing, its basis not stated by its source."""
    return f"{t('default_target', lang)}; " + default_target_basis(getattr(fig, "pairing"), lang)
