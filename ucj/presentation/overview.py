"""Province and national overviews: the area's key figures (coverage with its pairing, target,
projection, claims, P0), its districts, coverage against poverty, a map when a boundaries file is
given, methods and sources and the stamp. Used by province_overview.ipynb and national_overview.ipynb,
which `ucj report --province` and `ucj reports --all` run as code-free reports.

Every figure comes from the analysis layer (`ucj.analysis.regions`: RegionFigures for the ranking,
AreaFigures for the area's own figures); this module only puts them into words, tables and charts."""

from __future__ import annotations

import base64
import math
import html
from dataclasses import dataclass, field

import pandas as pd

from pathlib import Path

from ucj.analysis.regions import AreaFigures, RegionFigures, area_figures, region_figures
from ucj.core.config import stylesheet
from ucj.core.files import short_digest
from ucj.core.stamp import stamp
# the national UCJ coverage as published and the national target's path (national_figures.csv; R16-3, R17-4)
from ucj.data.published import NATIONAL_TARGET_PATH, PUBLISHED_NATIONAL_COVERAGE, PublishedFigure
from ucj.data.dataset import Dataset
from ucj.presentation.i18n import (Lang, check_lang, default_target_basis, fmt_int, fmt_level, fmt_num, fmt_pct, fmt_rp,
                                   fmt_year, reason_text, stamp_line, t, tf)
from ucj.presentation.i18n import claims_programme_words, fmt_pp, target_year_text
from ucj.analysis.district import OTHER_BASIS  # a target set over another denominator: not judged
from ucj.presentation.tables import (Shown, as_html_frame, html_table, poverty_column_sources, poverty_sources_cell,
                                     share_headers, shown, source_text, sources_cell)
from ucj.presentation.district import (DistrictReport, RowsCited, cut_text, fits_with_reasons, no_probability,
                                       rows_cited, verdict_definition_text, workforce_source)
from ucj.presentation.plots import scatter_figure


def claims_basis_text(count: int, lang: Lang) -> str:
    """"1.918 klaim JKK+JKM+JKP; tanpa pencairan JHT dan JP": an overview's 12-month claims with the programmes
    they add up, as the index's header says them (reader 10, N5)."""
    from ucj.data.programme import SAVINGS_PROGRAMMES

    return tf("claims_value_basis", lang, count=fmt_int(count, lang),
              **claims_programme_words(list(SAVINGS_PROGRAMMES), lang))




@dataclass
class Overview:
    """An overview of one province (or the nation when `province_code` is None)."""

    lang: Lang
    results: RegionFigures
    synthetic: bool
    charts: dict[str, object] = field(default_factory=dict)
    unmatched_shapes: pd.DataFrame | None = None
    area: AreaFigures | None = None  # the area's own key figures (None: ranking only)
    parameters: dict[str, object] = field(default_factory=dict)
    boundaries: dict[str, object] | None = None  # the map's boundaries file: name, sha256, shapes matched
    _png: dict[str, bytes] = field(default_factory=dict, repr=False)
    _first_month: pd.Timestamp | None = None  # the data's first month (the start of the series projected)
    _stamp: dict[str, object] | None = field(default=None, repr=False)
    _figures: dict[tuple[str, ...], list[PublishedFigure]] = field(default_factory=dict, repr=False)  # read once
    # the poverty table's sources as the district pages cite them (each BPS table once with its years, then the
    # made-up columns with theirs: tables.poverty_sources_cell); None: cite the table's sources as they name themselves
    poverty_sources: str | None = None
    # the national panel's regressor (coverage: enrolment over the workforce) rests on synthetic demo data (reader 15,
    # R15-3: a p-value read as a finding about Indonesia)
    panel_synthetic: bool = False
    # a province overview's district tables cited by its own districts' rows (district.rows_cited; {}: the nation)
    area_rows: dict[str, RowsCited] = field(default_factory=dict)
    # the poverty table's per-column origins with their years, as district key figures give them (F4)
    poverty_columns: dict[str, dict[str, int]] | None = None

    @property
    def ranking(self) -> pd.DataFrame:
        return self.results.ranking

    @property
    def title(self) -> str:
        r = self.results
        scope = self.scope()
        if scope is not None:  # the nation's overview of data that holds some districts only: what it covers
            return tf("data_overview_title", self.lang, districts=scope["districts"], total=scope["total"],
                      provinces=scope["provinces"], year=r.year)
        if r.province_code is None:
            return f"{t('national_overview', self.lang)} {r.year}"
        return f"{t('province_overview', self.lang)}: {r.province_name}, {r.year}"

    def scope(self) -> dict[str, str] | None:
        """What the nation's overview covers when the data holds enrolment for some districts only (data imported
        for one province): how many of how many districts, their names and their provinces, as the title and the
        scope sentence say them; None for a province's overview, or when every district has data."""
        a, lang = self.area, self.lang
        if a is None or a.province_code is not None or not a.partial:
            return None
        provinces = list(a.covered_provinces)
        if len(provinces) == 1:
            where = tf("covered_province_one", lang, name=provinces[0])
        elif len(provinces) <= 3:
            where = tf("covered_provinces_some", lang, names=", ".join(provinces))
        else:
            where = tf("covered_provinces_many", lang, n=fmt_int(len(provinces), lang))
        full = dict(zip(self.ranking["district_code"].astype(str), self.ranking["district"].astype(str)))
        names = [full.get(c, c) for c in a.covered_codes]
        shown = names[:2 * NAMED_DISTRICTS]
        if len(names) > len(shown):
            shown.append(tf("national_rows_more", lang, n=fmt_int(len(names) - len(shown), lang)))
        return {"districts": fmt_int(len(a.covered_codes), lang), "total": fmt_int(a.registry_districts, lang),
                "provinces": where, "names": ", ".join(shown)}

    def scope_text(self) -> str:
        """"Not a national overview: the data holds enrolment for 6 of the 514 districts, ... (province Gorontalo);
        every figure ... is theirs alone" ("" when the overview is what its title says)."""
        scope = self.scope()
        return "" if scope is None else tf("data_overview_scope", self.lang, **scope)

    def show_header(self) -> None:
        from IPython.display import HTML, display

        banner = (f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", self.lang))}</div>'
                  if self.synthetic else "")
        scope = self.scope_text()
        display(HTML(f"<style>{stylesheet()}</style><h1 class='ucj-title'>{html.escape(self.title)}</h1>{banner}"
                     + (f"<p class='ucj-note'>{html.escape(scope)}</p>" if scope else "")))

    def ranked(self) -> int:
        """How many districts the ranking ranks (`RegionFigures.ranked`: those with a coverage in the data)."""
        return self.results.ranked

    def shown_top(self, top: int | None) -> int:
        """How many districts the page's ranking lists: `top`, or all it ranks when it is unset or larger."""
        n = self.ranked()
        return n if top is None or top <= 0 or top >= n else int(top)

    def unranked_text(self) -> str:
        """Why some districts are not in the ranking (no coverage in the data), and that the area's figures are over
        the others; "" when every district is ranked."""
        total, n = len(self.ranking), self.ranked()
        if n == total:
            return ""
        return tf("ranking_unranked", self.lang, missing=fmt_int(total - n, self.lang), total=fmt_int(total, self.lang),
                  ranked=fmt_int(n, self.lang), reason=reason_text("reason_no_enrolment", self.lang))

    def ranking_heading(self, top: int | None = None) -> str:
        """"The 25 of 514 districts with the highest coverage, 2025-12": what the ranking table holds, the rule
        that chose its rows and its month."""
        n, k = len(self.ranking), self.shown_top(top)
        month = self.periods()["coverage_pct"]
        if k < n:
            return tf("ranking_heading_top", self.lang, top=fmt_int(k, self.lang), total=fmt_int(n, self.lang),
                      period=month)
        return tf("ranking_heading_all", self.lang, total=fmt_int(n, self.lang), period=month)

    def periods(self) -> dict[str, str]:
        """The period of each ranking column (the analysis layer's `RegionFigures.periods`)."""
        if self.results.periods:
            return dict(self.results.periods)
        year = str(self.results.year)
        return {c: year for c in ("coverage_pct", "apbd_share_pct", "jkk_per_1000", "p0", "working_population")}

    def ranking_period_text(self) -> str:
        """The ranking's periods in one sentence: coverage and the APBD share, JKK, P0 and the working population."""
        p = self.periods()
        return tf("ranking_periods", self.lang, month=p["coverage_pct"], window=p["jkk_per_1000"], year=p["p0"])

    def show_ranking(self, top: int | None = None) -> None:
        """The top of the ranking under a heading that says which rows it holds, with its periods."""
        from IPython.display import HTML, display

        df = self.display_ranking()
        unranked = self.unranked_text()
        display(HTML(f'<h2 class="ucj-h">{html.escape(self.ranking_heading(top))}</h2>'
                     f"<p><small>{html.escape(self.ranking_period_text())}</small></p>"
                     + (f"<p><small>{html.escape(unranked)}</small></p>" if unranked else "")
                     + df.head(self.shown_top(top)).to_html(index=False, escape=True, classes="ucj-table", border=0,
                                                            na_rep="–")))

    def display_ranking(self) -> pd.DataFrame:
        """The ranking as localised text, one formatting rule per kind of number, each column with its period."""
        return as_html_frame(self.shown("ranking"), self.lang)

    def panel_table(self) -> pd.DataFrame | None:
        """The national fixed-effects estimate as shown (None for a province or without a panel)."""
        panel, lang = self.results.panel, self.lang
        if panel is None:
            return None
        reg = panel.coef.index[0]
        rows = [
            (t("panel_coef", lang), fmt_num(float(panel.coef[reg]), lang, 3)),
            (t("panel_se_clustered", lang), fmt_num(float(panel.se[reg]), lang, 3)),
            (t("p_value", lang), fmt_num(float(panel.pvalues[reg]), lang, 3)),
            (t("panel_districts", lang), fmt_int(panel.districts, lang)),
            (t("panel_years", lang), f"{min(panel.years)}–{max(panel.years)} ({fmt_int(len(panel.years), lang)})"),
            (t("panel_nobs", lang), fmt_int(panel.nobs, lang)),
        ]
        return pd.DataFrame(rows, columns=[t("indicator", lang), t("value", lang)])

    def panel_frame(self) -> pd.DataFrame:
        """The national fixed-effects estimate as numbers (the workbook's sheet; no rows without an estimate), its
        headers and regressor in the page's words (reader 16, R16-6): "Districts", the coverage of the December before
        with its pairing, in percentage points."""
        panel = self.results.panel
        cols = ["regressor", "panel_coef", "se_clustered", "p_value", "panel_districts", "first_year", "last_year",
                "nobs"]
        if panel is None:
            return pd.DataFrame(columns=cols)
        reg = panel.coef.index[0]
        return pd.DataFrame([[self.panel_regressor(str(reg), panel.denominator), float(panel.coef[reg]),
                              float(panel.se[reg]), float(panel.pvalues[reg]),
                              int(panel.districts), int(min(panel.years)), int(max(panel.years)), int(panel.nobs)]],
                            columns=cols)

    def panel_regressor(self, regressor: str, denominator: str) -> str:
        """The panel's regressor as the page names it: coverage with its pairing, the December before, in percentage
        points; another regressor keeps its name."""
        from ucj.analysis.coverage import pairing

        if regressor != "coverage_pct":
            return regressor
        num, _, den = pairing(denominator).name.partition("/")
        coverage = f"{t('coverage_pct', self.lang)} ({t(num, self.lang)} / {t(den, self.lang)})"
        return tf("panel_regressor", self.lang, coverage=coverage)

    def show_panel(self) -> None:
        """The national fixed-effects estimate with its caveat: an association, not an effect."""
        from IPython.display import HTML, display

        lang = self.lang
        if self.results.province_code is not None:
            return
        head = f"<h2>{html.escape(t('panel_title', lang))}</h2>"
        table = self.panel_table()
        if table is None:
            display(HTML(head + f"<p>{html.escape(t('panel_missing', lang))}: "
                                f"{html.escape(str(self.results.panel_reason))}</p>"))
            return
        display(HTML(head + f"<p><small>{html.escape(self.table_notes()['panel'])}</small></p>"
                     + table.to_html(index=False, escape=True, classes="ucj-table", border=0)
                     + "".join(f"<p class='ucj-note'>{html.escape(x)}</p>" for x in self.panel_notes())))

    def panel_notes(self) -> list[str]:
        """Under the panel: what it is (an association), and that its coverage is synthetic demo data where it is."""
        return [t("panel_caveat", self.lang)] + ([t("panel_synthetic_note", self.lang)] if self.panel_synthetic else [])

    def png(self, name: str) -> bytes:
        """The figure rendered once as PNG: shown in the notebook and saved beside the report."""
        from ucj.presentation.export import png_bytes

        if name not in self._png:
            self._png[name] = png_bytes(self.charts[name])
        return self._png[name]

    def show_figure(self, name: str) -> None:
        """The figure as an <img> with alt text (kept in the code-free page)."""
        from IPython.display import HTML, display

        data = base64.b64encode(self.png(name)).decode("ascii")
        from ucj.presentation.plots import alt_text

        alt = html.escape(alt_text(t(f"chart_{name}_alt", self.lang), self.charts.get(name), self.lang))  # type: ignore[arg-type]
        display(HTML(f'<img class="ucj-figure" alt="{alt}" src="data:image/png;base64,{data}">'))

    # -- the area's own figures ----------------------------------------------------------------
    def _area(self) -> AreaFigures:
        if self.area is None:
            raise ValueError("this overview was built without the area's figures (build_overview(..., figures=True))")
        return self.area

    def coverage_label(self) -> str:
        """"Coverage (all active participants / working population)": the pairing, named."""
        a, lang = self._area(), self.lang
        num, den = a.pairing.split("/")
        return f"{t('coverage_pct', lang)} ({t(num, lang)} / {t(den, lang)})"

    def target_share(self) -> str:
        """How many of the area's districts have the area's target, counted (reader 8, S6): "all", "most" (more
        than half) or "plurality" (more than any other target, half or fewer)."""
        a = self._area()
        if a.area_districts and a.target_districts >= a.area_districts:
            return "all"
        return "most" if 2 * a.target_districts > a.area_districts else "plurality"

    def target_share_values(self) -> dict[str, str]:
        a = self._area()
        return {"districts": fmt_int(a.target_districts, self.lang), "total": fmt_int(a.area_districts, self.lang)}

    def default_target_words(self) -> str:
        """"the national default, which all (most, n of m) of the area's districts use", as counted."""
        key = {"all": "default_target_area", "most": "default_target_area_most",
               "plurality": "default_target_area_plurality"}[self.target_share()]
        return tf(key, self.lang, **self.target_share_values())

    def national_default(self) -> bool:
        """Whether this is the national overview and its target the national default: then the target is the
        nation's own (the RPJMN's), not a target the area's districts share (reader 14, R14-10)."""
        a = self._area()  # an overview of some districts only (imported data) has no national target of its own
        return a.province_code is None and bool(a.target_is_default) and not a.partial

    def national_target_words(self) -> str:
        """"the national RPJMN 2025–2029 target (Kabaran.id, Kemendagri Dorong Percepatan Jaminan Sosial
        Ketenagakerjaan, 15 May 2025; what the percentage is a share of is not recorded)": the nation's target named
        and cited, outlet, title and date, where it is shown (R14-10; reader 17, R17-4)."""
        from ucj.presentation.tables import cite_figure

        target = self.national_target_figure()
        return tf("national_target_cited", self.lang, name=t("national_target_name", self.lang),
                  citation=cite_figure(target, self.lang))

    def national_target_figure(self) -> PublishedFigure:
        """The national target as its statement publishes it (the RPJMN's 2029 figure, with its citation fields)."""
        return self._published_figures(NATIONAL_TARGET_PATH)[-1]

    def target_text(self) -> str:
        a, lang = self._area(), self.lang
        year = target_year_text(a.target_year, getattr(a, "target_year_assumed", False), lang)  # "2029, assumed"
        text = f"{fmt_pct(a.target_pct, lang)} ({year})"
        if not a.target_is_default:
            return text
        if self.national_default():  # the nation's own target, cited; the pairing it is applied to here (F18)
            num, den = str(a.pairing).split("/")
            return text + f" – {self.national_target_words()}; {self.national_target_path()}; " + tf(
                "target_applied_here", lang, pairing=f"{t(num, lang)} / {t(den, lang)}")
        return text + f" – {self.default_target_words()}; " + default_target_basis(a.pairing, lang)  # F18

    def projection_text(self) -> str:
        p, lang = self._area().projection, self.lang
        if not p.model_used:  # type: ignore[attr-defined]
            return f"– ({tf('no_projection_because', lang, reason=reason_text(p.reason, lang))})"  # type: ignore[attr-defined]
        level = t("interval_level", lang).format(level=fmt_num(100 * p.interval, lang, 0))  # type: ignore[attr-defined]
        fc = p.forecast  # type: ignore[attr-defined]
        cut = cut_text(fc, lang)
        if p.status == OTHER_BASIS or no_probability(p):  # type: ignore[attr-defined,arg-type]  # no chance given
            return (f"{fmt_pct(p.projected_pct, lang)} ({level} {fmt_pct(p.lower_pct, lang)}–"  # type: ignore[attr-defined]
                    f"{fmt_pct(p.upper_pct, lang)}) – {t(p.status, lang)}{cut}")  # type: ignore[attr-defined]
        # the probability of reaching the target, as a district page gives it (the same `project`)
        return (f"{fmt_pct(p.projected_pct, lang)} ({level} {fmt_pct(p.lower_pct, lang)}–"  # type: ignore[attr-defined]
                f"{fmt_pct(p.upper_pct, lang)}) – {t(p.status, lang)}, "  # type: ignore[attr-defined]
                f"{t('probability_reaching_target', lang)} "
                f"{fmt_pct(100 * p.probability_reaching_target, lang)}{cut}")  # type: ignore[attr-defined]

    def combined_items(self) -> list[tuple[str, str]]:
        """A province's districts' own projections combined at the area's target year, beside the area's own
        projection (a separate fit, which alone gives the verdict), with how many districts are left out and
        why the two differ (reader 11, H1); none for the nation."""
        a, lang = self._area(), self.lang
        c = a.districts_combined
        if c is None:
            return []
        value = tf("districts_combined_value", lang, pct=fmt_pct(c.projected_pct, lang),
                   participants=fmt_int(c.participants, lang), denominator=fmt_int(c.denominator, lang),
                   year=fmt_year(c.year), used=fmt_int(c.districts_used, lang), total=fmt_int(c.districts_total, lang))
        value += "".join(f"; {tf(f'districts_combined_left_out.{why}', lang, n=fmt_int(n, lang))}"
                         for why, n in c.left_out.items())
        p = a.projection
        if p.model_used and c.districts_used and not c.left_out:  # type: ignore[attr-defined]  # the same districts
            diff = fmt_pp(c.projected_pct - p.projected_pct, lang)  # type: ignore[attr-defined]
            value += ". " + tf("districts_combined_note", lang, diff=diff)
        elif c.districts_used:  # some districts left out: the two cover different districts, not compared
            value += ". " + t("districts_combined_note_partial", lang)
        return [(tf("districts_combined_label", lang, year=fmt_year(c.year)), value)]

    def summary_items(self) -> list[tuple[str, str]]:
        """The area's key figures as (label, text) pairs, each number by the rule of its kind."""
        a, lang = self._area(), self.lang
        as_of = "–" if a.coverage_as_of is None else f"{a.coverage_as_of:%Y-%m}"
        return [
            (t("last_period", lang), f"{a.last_period:%Y-%m}"),
            (f"{t('active', lang)}, {as_of}", fmt_int(a.active, lang)),
            (f"{self.coverage_label()}, {as_of}", fmt_pct(a.coverage_pct, lang)),
            *[item for item in (self.published_coverage_item(),) if item is not None],
            (t("target", lang), self.target_text()),
            (t("area_projected_label", lang), self.projection_text()),
        ] + self.combined_items() + [
            (f"{t('claims_12m_label', lang)}, {a.claims_from:%Y-%m} – {a.last_period:%Y-%m}",
             f"{fmt_rp(a.claim_amount_rp, lang)} ({claims_basis_text(a.claim_count, lang)})"),
            self.p0_item(t("p0", lang), a.p0, a.p0_reason),
        ] + ([] if a.province_code is None else [self.p0_item(t("national_p0", lang), a.national_p0,
                                                               a.national_p0_reason)])

    def p0_item(self, label: str, value: float | None, reason: str | None) -> tuple[str, str]:
        """The summary's P0 (the area's, the nation's) with its year; when the analysis gives none, the reason from
        the catalogue (a P0 table imported without the number of poor: realpath), never a bare dash."""
        a, lang = self._area(), self.lang
        label = f"{label} {fmt_year(a.poverty_year)}" if a.poverty_year else label
        if (value is None or not math.isfinite(value)) and reason:
            return label, f"– ({reason_text(reason, lang)})"
        return label, fmt_pct(value, lang)

    def p0_missing_lines(self) -> list[str]:
        """The summary's P0 items that the data cannot give, "P0 (poverty headcount) 2025: – (no number of poor in
        the data: ...)", for the workbook's key figures sheet, which has no P0 row (the page's summary says it)."""
        a, lang = self._area(), self.lang
        items = [(t("p0", lang), a.p0, a.p0_reason)]
        if a.province_code is not None:
            items.append((t("national_p0", lang), a.national_p0, a.national_p0_reason))
        return [": ".join(self.p0_item(label, value, why)) for label, value, why in items
                if why and (value is None or not math.isfinite(value))]

    def published_coverage(self) -> list[PublishedFigure]:
        """The national UCJ coverage as published, oldest first, each a typed figure with its publication's
        citation fields (the page, the workbook and key_figures.json are worded from these; reader 17, R17-4);
        none on a province's overview."""
        if self.results.province_code is not None or self.area is None:
            return []
        return self._published_figures(PUBLISHED_NATIONAL_COVERAGE)

    def target_path(self) -> list[PublishedFigure]:
        """The national target's path as the same statement gives it, by year (RPJMN 2025, RKP 2026, RPJMN 2029),
        typed figures with their citation fields; none unless the overview's target is the nation's own."""
        if self.area is None or not self.national_default():
            return []
        return self._published_figures(NATIONAL_TARGET_PATH)

    def _published_figures(self, names: tuple[str, ...]) -> list[PublishedFigure]:
        """`published_figures(names)`, read once per overview (the page, workbook and key figures ask several times)."""
        from ucj.data.published import published_figures

        if names not in self._figures:
            self._figures[names] = published_figures(names)
        return list(self._figures[names])

    def published_coverage_item(self) -> tuple[str, str] | None:
        """The national overview's published national UCJ coverage, each figure with its period and its citation
        (outlet, title, date: reader 17, R17-4), not compared with the computed coverage (neither publication says
        what it is a share of; reader 16, R16-3); None on a province's overview."""
        from ucj.presentation.tables import cite_figure

        published, lang = self.published_coverage(), self.lang
        if not published:
            return None
        shown = [f"{fmt_pct(f.value, lang, 2)} ({f.period}; {cite_figure(f, lang)})" for f in published]
        return (t("published_national_coverage", lang),
                "; ".join(shown) + " – " + tf("published_national_not_compared", lang,
                                             computed=fmt_pct(self._area().coverage_pct, lang), mark=self._mark()))

    def _mark(self) -> str:
        """" (synthetic demo data)" after the computed coverage where its participants are synthetic."""
        return f" ({t('synthetic_demo_data', self.lang)})" if "enrolment" in self._area().synthetic_tables else ""

    def national_target_path(self) -> str:
        """"the RPJMN path: 32.15 % in 2025 …; RKP 2026: 34.99 %": the steps the same statement gives (R16-3),
        worded from the typed figures key_figures.json carries (`target_path`)."""
        v = {f.figure: f.value for f in self.target_path()}
        if not v:
            return ""
        return tf("national_target_path", self.lang, y2025=fmt_pct(v["rpjmn_target_2025_pct"], self.lang, 2),
                  y2029=fmt_pct(v["rpjmn_target_2029_pct"], self.lang, 2),
                  rkp=fmt_pct(v["rkp_target_2026_pct"], self.lang, 2))

    def target_source_text(self) -> str:
        """Where the area's target comes from, cited as the page says it (key_figures.json's `target_source` and the
        workbook's target row)."""
        from ucj.data.published import RPJMN_SOURCE
        from ucj.presentation.district import target_source_cited
        from ucj.presentation.tables import cite

        a = self._area()
        if not a.target_is_default:
            return target_source_cited(a.target_source, False, self.lang)
        # as the page words it: "…: citation" (outlet, title, date; no nested parentheses): the nation's own target,
        # or the national default with the districts' share counted
        words = t("national_target_name", self.lang) if self.national_default() else self.default_target_words()
        return f"{words}: {cite(RPJMN_SOURCE, self.lang)}"

    def key_figures_frame(self) -> pd.DataFrame:
        """The workbook's key figures sheet: each figure the page's summary shows beside the computed coverage, one
        row each with its period, basis and source, numbers kept as numbers (reader 17, R17-4): the computed coverage,
        the published national coverage, the target and (the nation's) its RPJMN/RKP path, and the area's own
        projection with its interval, verdict and probability of reaching the target."""
        from ucj.presentation.tables import cite_figure

        a, lang = self._area(), self.lang
        num, den = a.pairing.split("/")
        pairing = f"{t(num, lang)} / {t(den, lang)}"
        as_of = f"{a.coverage_as_of or a.last_period:%Y-%m}"
        rows: list[dict[str, object]] = [{
            "indicator": self.coverage_label(), "key_value_pct": a.coverage_pct, "key_period": as_of,
            "key_basis": tf("key_basis_computed", lang, pairing=pairing, mark=self._mark()),
            "key_source": tf("key_source_computed", lang,  # each table's own source on that sheet
                             tables=f"{t('table.enrolment', lang)}, {t('table.workforce', lang)}",
                             sheet=t("sheet.provenance", lang))}]
        for f in self.published_coverage():
            rows.append({"indicator": t("published_national_coverage", lang), "key_value_pct": f.value,
                         "key_period": f.period, "key_basis": t("key_basis_published_not_stated", lang),
                         "key_source": cite_figure(f, lang)})
        year = target_year_text(a.target_year, a.target_year_assumed, lang)
        basis = (tf("target_applied_here", lang, pairing=pairing) if self.national_default()
                 else default_target_basis(a.pairing, lang) if a.target_is_default else pairing)
        rows.append({"indicator": t("target", lang), "key_value_pct": a.target_pct, "key_period": year,
                     "key_basis": basis, "key_source": self.target_source_text()})
        for f in self.target_path():
            rows.append({"indicator": tf("key_target_path_row", lang, plan=f.plan), "key_value_pct": f.value,
                         "key_period": f.period, "key_basis": t("key_basis_target_not_recorded", lang),
                         "key_source": cite_figure(f, lang)})
        rows.append(self._projection_row(pairing))
        cols = ["indicator", "key_value_pct", "lower_pct", "upper_pct", "interval_pct", "status", "probability_pct",
                "key_period", "key_basis", "key_source"]
        return pd.DataFrame(rows, columns=cols)

    def _projection_row(self, pairing: str) -> dict[str, object]:
        """The area's own projection as the summary's projection item gives it: value, interval and its level,
        verdict and the probability of reaching the target (none where the verdict is withheld for another basis),
        at December of the target year, by the model it names."""
        a, lang = self._area(), self.lang
        p = a.projection
        row: dict[str, object] = {"indicator": t("area_projected_label", lang),
                                  "key_period": f"{p.target_year}-12",  # type: ignore[attr-defined]
                                  "key_source": tf("key_source_projection", lang, sheet=t("sheet.projection", lang))}
        if not p.model_used:  # type: ignore[attr-defined]
            row |= {"status": p.status or None,  # type: ignore[attr-defined]  # a catalogue key, worded by `shown`
                    "key_basis": tf("no_projection_because", lang, reason=reason_text(p.reason, lang))}  # type: ignore[attr-defined]
            return row
        fc = p.forecast  # type: ignore[attr-defined]
        cut = (f"; {t('lower_cut_at_0', lang).lower()}" if len(fc) and "lower_cut_at_0" in fc
               and bool(fc["lower_cut_at_0"].iloc[-1]) else "")
        row |= {"key_value_pct": p.projected_pct, "lower_pct": p.lower_pct, "upper_pct": p.upper_pct,  # type: ignore[attr-defined]
                "interval_pct": 100 * p.interval, "status": p.status,  # type: ignore[attr-defined]
                "probability_pct": None if p.status == OTHER_BASIS else 100 * p.probability_reaching_target,  # type: ignore[attr-defined]
                "key_basis": tf("key_basis_projection", lang, pairing=pairing, model=t(p.model_used, lang),  # type: ignore[attr-defined]
                                   mark=self._mark()) + cut}
        return row

    def show_summary(self) -> None:
        from IPython.display import HTML, display

        cells = "".join(f'<div class="ucj-kpi"><div class="ucj-kpi-label">{html.escape(a)}</div>'
                        f'<div class="ucj-kpi-value">{html.escape(b)}</div></div>' for a, b in self.summary_items())
        display(HTML(f'<h2 class="ucj-h">{html.escape(t("summary", self.lang))}</h2>'
                     f'<div class="ucj-summary">{cells}</div>'))

    def shown(self, name: str) -> Shown:
        """A table of the report with each cell's kind and localised headers (HTML and Excel alike); a column
        whose period the table does not give in a column of its own carries it in its header."""
        s = shown(name, self.tables()[name], self.lang)
        if name == "key_figures":  # a figure published to two decimals is shown so, as the page gives it
            published = {t("published_national_coverage", self.lang)} | {
                tf("key_target_path_row", self.lang, plan=f.plan) for f in self.target_path()}
            s.kinds["key_value_pct"] = ["pct2" if i in published else k
                                    for i, k in zip(s.values["indicator"], s.kinds["key_value_pct"])]
            return s
        if name == "projection" and self.area is not None:  # shares of the denominator, named so (reader 12, L3)
            s = share_headers(s, self._area().denominator, self.lang)
        periods, lang = self.column_periods(name), self.lang
        if not periods:
            return s
        headers = []
        for col, head in zip(s.values.columns, s.headers):
            if col in ("working_population", "denominator_value") and col in periods:
                den = "working_population" if col == "working_population" else self._area().denominator
                head = tf("denominator_header", lang, denominator=t(den, lang), period=periods[col])
                head = head[:1].upper() + head[1:]
            elif col == "coverage_pct" and col in periods:
                head = f"{self.pairing_label(name)}, {periods[col]}"
            elif col in periods:
                head = f"{head}, {periods[col]}"
            headers.append(head)
        return Shown(s.values, s.kinds, headers)

    def pairing_label(self, name: str) -> str:
        """"Coverage (all active participants / working population)" of a table's coverage column: the ranking's
        is always over the working population (`district_table`), the districts' over the area's denominator."""
        from ucj.analysis.coverage import pairing

        if name != "ranking" and self.area is not None:
            return self.coverage_label()
        num, den = pairing("working_population").name.split("/")
        return f"{t('coverage_pct', self.lang)} ({t(num, self.lang)} / {t(den, self.lang)})"

    def column_periods(self, name: str) -> dict[str, str]:
        """{column: period} of the columns of table `name` whose period the header names."""
        if name == "ranking":
            return self.periods()
        if name == "area_districts" and self.area is not None:
            a = self.area
            month = f"{a.coverage_as_of or a.last_period:%Y-%m}"
            window = f"{a.claims_from:%Y-%m} – {a.last_period:%Y-%m}"
            return {"active": month, "denominator_value": self.denominator_period(), "coverage_pct": month,
                    "claim_count": window, "claim_amount_rp": window}
        return {}

    def denominator_period(self) -> str:
        """The period of the districts' denominators, as each district's figures carry it (the working population
        is a yearly Sakernas figure: "2025", as the national ranking says, never the month of the numerator)."""
        a = self._area()
        d = a.districts
        col = d["denominator_period"].dropna().astype(str) if d is not None and "denominator_period" in d else []
        years = sorted(set(col))
        if not years:
            return f"{a.coverage_as_of or a.last_period:%Y-%m}"
        return years[0] if len(years) == 1 else ", ".join(years)

    def table_notes(self) -> dict[str, str]:
        """Each table's period (and, for the ranking, which rows it holds) in one sentence: the line over the
        table on the page and its row on the workbook's notes sheet."""
        lang, notes = self.lang, {}
        names = list(self.tables()) + ["panel"]
        if "ranking" in names:
            notes["ranking"] = (tf("ranking_sheet_rows", lang, total=fmt_int(len(self.ranking), lang))
                                + " " + self.ranking_period_text())
            if self.unranked_text():  # the rows without data said on the sheet too, as on the page (leftovers)
                notes["ranking"] += " " + self.unranked_text()
        if self.area is not None:
            a = self.area
            month = f"{a.coverage_as_of or a.last_period:%Y-%m}"
            window = f"{a.claims_from:%Y-%m} – {a.last_period:%Y-%m}"
            if a.districts is not None:
                notes["area_districts"] = tf("area_districts_periods", lang, month=month, window=window,
                                              denominator=self.denominator_period())  # its own (yearly) period
            p = a.projection
            first = f"{pd.Timestamp(self.area_months()[0]):%Y-%m}" if len(self.area_months()) else "–"
            notes["model_fits"] = tf("area_model_fits_period", lang, start=first, end=month)
            notes["projection"] = tf("area_projection_period", lang, start=first, end=month,
                                     year=fmt_year(p.target_year))  # type: ignore[attr-defined]
            if a.districts is not None:  # once: beside the districts' verdicts (page and notes sheet)
                notes["area_districts"] += " " + self.verdict_definition()
            else:
                notes["projection"] += " " + self.verdict_definition()
            notes["provenance"] = tf("provenance_period", lang, end=f"{a.last_period:%Y-%m}")
            notes["key_figures"] = tf("key_figures_sheet_note", lang, month=month, year=fmt_year(p.target_year))  # type: ignore[attr-defined]
        panel = self.results.panel
        if panel is not None:
            notes["panel"] = tf("panel_period", lang, start=fmt_year(min(panel.years)), end=fmt_year(max(panel.years)))
        return notes

    def verdict_definition(self) -> str:
        """What each verdict means (projection.judge), as district pages say it (reader 7, N8): at December of
        the target year, the area's and each listed district's (their years, when they differ)."""
        a = self._area()
        p = a.projection
        years = [p.target_year]  # type: ignore[attr-defined]
        if a.districts is not None and "target_year" in a.districts:
            years += a.districts["target_year"].tolist()
        return verdict_definition_text(p.interval, years, self.lang)  # type: ignore[attr-defined]

    def area_months(self) -> list[pd.Timestamp]:
        """The months of the area's coverage series the projection was fitted to (enrolment from its first month)."""
        fits = self._area().projection
        last = fits.last_month  # type: ignore[attr-defined]
        if last is None:
            return []
        first = self._first_month
        return list(pd.date_range(first, last, freq="MS")) if first is not None else [pd.Timestamp(last)]

    def empty_reasons(self) -> dict[str, str]:
        """Why a table of the workbook has no rows, in one sentence (a sheet never holds headers alone)."""
        lang, out = self.lang, {}
        if self.area is not None:
            p = self.area.projection
            if not p.model_used:  # type: ignore[attr-defined]
                why = tf("empty_no_projection", lang, reason=reason_text(p.reason, lang) or t("reason_other", lang))  # type: ignore[attr-defined]
                out["projection"] = out["model_fits"] = why
        if self.results.province_code is None and self.results.panel is None:
            out["panel"] = tf("empty_no_panel", lang, reason=str(self.results.panel_reason or t("reason_other", lang)))
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by name: its districts (a province) or the ranking (the nation), and the
        data sources."""
        out: dict[str, pd.DataFrame] = {}
        if self.area is not None:  # the summary's figures with period, basis and source, first (reader 17, R17-4)
            out["key_figures"] = self.key_figures_frame()
        if self.area is not None and self.area.districts is not None:
            out["area_districts"] = _district_rows_shown(
                self.area.districts.drop(columns=["denominator", "denominator_period", "denominator_at_target"],
                                         errors="ignore"), self.lang)
        else:
            out["ranking"] = self.ranking
        if self.area is not None:  # the area's projection: its model fits and its monthly path, as a district's
            p = self.area.projection
            out["model_fits"] = fits_with_reasons(p)  # type: ignore[arg-type]  # with each model's reason
            out["projection"] = p.forecast  # type: ignore[attr-defined]
        if self.results.province_code is None:
            out["panel"] = self.panel_frame()
        if self.area is not None:
            out["provenance"] = pd.DataFrame([
                {"table": name, "source": (name == "poverty" and self.poverty_sources)
                 or (name in self.area_rows and self.area_rows[name].cell)
                 or sources_cell(list(i["sources"]), self.lang),  # type: ignore[call-overload]
                 # no row of the province's districts: neither the table's count nor its status (reader 8, S2b)
                 "rows": None if name in self.area_rows and self.area_rows[name].rows == 0 else i["rows"],
                 "synthetic": t(self._row_status(name, i), self.lang),
                 "sha256": short_digest(i["sha256"], 12)}
                for name, i in self.area.table_provenance.items()])
        return out

    def _row_status(self, name: str, info: dict[str, object]) -> str:
        """The status beside a sources row: of the rows it cites (a province's own rows), else of the table."""
        own = self.area_rows.get(name)
        return (own.status if own is not None else None) or _status(info)

    def show_districts(self) -> None:
        """The province's districts, each with the figures its own report shows."""
        from IPython.display import HTML, display

        lang = self.lang
        display(HTML(f'<h2 class="ucj-h">{html.escape(t("area_districts", lang))}</h2>'
                     f"<p><small>{html.escape(self.table_notes()['area_districts'])}</small></p>"
                     + html_table(self.shown("area_districts"), lang)
                     + f"<p class='ucj-note'>{html.escape(t('area_districts_note', lang))}</p>"))

    def methods_lines(self) -> list[str]:
        """How the figures were made: pairing, projection and interval, aggregates, target, poverty, vintage."""
        a, lang = self._area(), self.lang
        p = a.projection
        num, _, den = a.pairing.partition("/")
        lines = [tf("method_pairing", lang, numerator=t(num, lang), denominator=t(den, lang),
                    value=fmt_int(a.denominator_value, lang), period=a.last_period.strftime("%Y-%m"))]
        words = _ModelWords(p, lang)  # which model and why, as a district page says it
        if p.model_used:  # type: ignore[attr-defined]
            lines.append(tf("method_projection", lang, model=t(p.model_used, lang),  # type: ignore[attr-defined]
                            level=fmt_level(p.interval, lang)))  # type: ignore[attr-defined]
        lines.append(words.model_sentence())
        lines += words.organic_sentences()
        if any(f.fitted for f in p.fits):  # type: ignore[attr-defined]  # the details line: AIC and Ljung-Box p
            lines.append(words.model_details())
            lines.append(words.model_rules_text())  # when a model is not used: the bounds and the Ljung-Box limits
        if self._area().districts is None:  # a province states it under its districts' verdicts instead
            lines.append(self.verdict_definition())  # the rule behind the verdict it shows, as a district page states it
        lines.append(t("method_aggregates", lang))
        share = {"all": "method_area_target_all", "most": "method_area_target",
                 "plurality": "method_area_target_plurality"}[self.target_share()]  # counted, not assumed (S6)
        if self.national_default():  # the nation's own target, not one its districts share (R14-10)
            share, extra = "method_area_target_national", {"target_words": self.national_target_words()}
        else:
            extra = {}
        lines.append(tf(share, lang, target=fmt_pct(a.target_pct, lang),
                        year=target_year_text(a.target_year, a.target_year_assumed, lang),
                        **self.target_share_values(), **extra))
        lines.append(t("method_sp2020_no_chart", lang))  # the overview draws no P0 line chart
        lines.append(tf("method_vintage", lang, poverty=f"Susenas {t('march', lang)} {fmt_year(a.poverty_year)}",
                        workforce=workforce_source(a.synthetic_tables, lang),
                        period=a.last_period.strftime("%Y-%m")))
        if self.boundaries:
            b = self.boundaries
            lines.append(tf("method_boundaries", lang, file=b["file"], sha256=str(b["sha256"])[:12],
                            matched=fmt_int(b["matched"], lang), districts=fmt_int(b["districts"], lang),
                            unmatched=fmt_int(b["unmatched"], lang)))
        return lines

    def stamp(self) -> dict[str, object]:
        """When, with which ucj and from which data this overview was made (computed once)."""
        if self._stamp is None:
            hashes = {n: str(i["sha256"]) for n, i in self._area().table_provenance.items()}
            self._stamp = stamp(hashes)
        return self._stamp

    def stamp_text(self) -> str:
        return stamp_line(self.stamp(), self.lang)

    def show_methods(self) -> None:
        """Methods and sources, each table's source and vintage, the data notes and the stamp."""
        from IPython.display import HTML, display

        lang = self.lang
        parts = [f'<h2 class="ucj-h">{html.escape(t("methods", lang))}</h2>']
        parts += [f"<p>{html.escape(x)}</p>" for x in self.methods_lines()]
        parts.append(f"<p>{html.escape(t('method_tables', lang))} {html.escape(self.table_notes()['provenance'])}</p>")
        parts.append(html_table(self.shown("provenance"), lang))
        parts.append(f'<h2 class="ucj-h">{html.escape(t("data_notes", lang))}</h2>')
        if self.synthetic:
            parts.append(f"<p>{html.escape(t('synthetic_banner', lang))}</p>")
        if self.parameters:
            parts.append(f"<p>{html.escape(t('parameters', lang))}: {html.escape(self.parameters_text())}</p>")
        parts.append(f'<p class="ucj-stamp">{html.escape(self.stamp_text())}</p>')
        display(HTML("".join(parts)))

    def parameters_text(self) -> str:
        """The overview's parameters as a reader says them, the resolved value first (reader 15, R15-6): an unset
        last period or year reads "2025-12 (default: the latest month in the data)", "2025 (default: the year of
        the last period)", so the line still names the page's months when the data has more; other unset
        parameters read "default" as on the district pages."""
        from ucj.presentation.district import UNSET_VALUES, parameter_value

        resolved: dict[str, str] = {"year": str(self.results.year)}
        if self.area is not None:
            resolved["last_period"] = f"{self.area.last_period:%Y-%m}"
        parts = []
        for k, v in self.parameters.items():
            value = parameter_value(k, v, self.lang)
            if k in resolved and (v in UNSET_VALUES or (isinstance(v, (int, float)) and v <= 0)):
                value = tf("param_resolved_default", self.lang, value=resolved[k],
                           rule=t(f"param_default.{k}", self.lang))
            parts.append(f"{t(f'param.{k}', self.lang)}: {value}")
        return "; ".join(parts)

    def key(self) -> dict[str, object]:
        """key_figures.json of the overview: the area's figures, the language and the provenance."""
        import copy

        from ucj.analysis.district import jsonable
        from ucj.presentation.district import cite_provenance, versions
        from ucj.presentation.tables import cite_figure

        a = self._area()
        st = self.stamp()
        provenance = jsonable({"tables": copy.deepcopy(a.table_provenance), "versions": versions(),
                               "parameters": self.parameters, "generated_at": st["generated_at"], "stamp": st})
        cite_provenance(provenance, self.lang)  # the district pages' mapping: sources as a reader cites them
        poverty = provenance["tables"].get("poverty") if isinstance(provenance["tables"], dict) else None
        if self.poverty_sources and isinstance(poverty, dict):  # as the page's sources table cites it
            from ucj.presentation.district import cite_poverty_provenance

            cite_poverty_provenance(provenance, self.poverty_sources, self.poverty_columns or {})
        from ucj.presentation.district import cite_rows_provenance

        cite_rows_provenance(provenance, self.area_rows)  # as the page's sources table cites them (reader 8, S5)
        key = a.key()
        key["target_source"] = self.target_source_text()  # the overview's own words (the page's), not a district's
        published, path = self.published_coverage(), self.target_path()
        if published:  # typed figures, each with its period, basis and citation fields (reader 17, R17-4)
            key["published_national_coverage"] = [
                f.key() | {"basis": "not_stated", "citation": cite_figure(f, self.lang)} for f in published]
        if path:  # the national target's RPJMN/RKP path as typed rows, not a sentence (R17-4)
            key["national_target_path"] = [
                f.key() | {"basis": "not_recorded", "citation": cite_figure(f, self.lang)} for f in path]
        return key | {"lang": self.lang, "title": self.title, "provenance": provenance}

    def save(self, output_dir: str | Path) -> list[Path]:
        """Write key_figures.json, tables.xlsx and the figures as PNG, each whole or not at all."""
        from ucj.presentation.district import no_rows_lines
        from ucj.presentation.export import write_bytes, write_key_figures, write_tables_xlsx

        out = Path(output_dir)
        key = self.key()
        written = [write_key_figures(out / "key_figures.json", key)]
        synthetic = list(self._area().synthetic_tables)
        status = ({n: self._row_status(n, i) for n, i in self.area.table_provenance.items()}  # type: ignore[union-attr]
                  if self.area is not None else None)
        written.append(write_tables_xlsx(out / "tables.xlsx", {n: self.shown(n) for n in self.tables()}, self.lang,
                                         synthetic, key, self.stamp_text(), subject=self.title, table_status=status,
                                         table_notes=self.table_notes(),
                                         empty_reasons=self.empty_reasons(),
                                         sheet_notes={"provenance": no_rows_lines(self.area_rows, {
                                             "tables": self.area.table_provenance if self.area else {}}, self.lang),
                                             # the holdout check and the holdout column, as its methods say them
                                             # (reader 18, R18-2, R18-3)
                                             "projection": self._model_words().calibration_lines()
                                             + self._seasonal_note(),
                                             "model_fits": self._model_words().holdout_column_notes(),
                                             "key_figures": self._key_figures_notes(),
                                             "panel": self.panel_notes() if self.results.panel is not None else []}))
        for name in self.charts:
            written.append(write_bytes(out / f"{name}.png", self.png(name)))
        return written

    def _key_figures_notes(self) -> list[str]:
        """Beside the key figures sheet: the published coverage is not compared with the computed one, said of the
        row that holds it (the page's sentence says "above", which the workbook has no such line for; R17-4)."""
        scope = [x for x in [self.scope_text()] if x] + self.p0_missing_lines()  # what it covers, first (leftovers)
        if not self.published_coverage():
            return scope
        a, label = self._area(), self.coverage_label()
        return scope + [tf("published_national_not_compared_sheet", self.lang,
                           computed=fmt_pct(a.coverage_pct, self.lang), indicator=label[:1].lower() + label[1:],
                           mark=self._mark())]

    def _model_words(self) -> "_ModelWords":
        """The district page's model words for the area's projection, as its methods use them."""
        return _ModelWords(self._area().projection, self.lang)

    def _seasonal_note(self) -> list[str]:
        """The projection sheet's months each add their own seasonal component back, as the page says (R14-4)."""
        from ucj.presentation.district import december_seasonal_text

        p = self._area().projection if self.area is not None else None
        if p is None or not getattr(p, "model_used", None) or not (p.seasonally_adjusted and p.december_seasonal):  # type: ignore[attr-defined]
            return []
        return [december_seasonal_text(p, self.lang)]  # type: ignore[arg-type]

    def key_figures_text(self) -> str:
        r = self.results
        lang = self.lang  # two decimals: nbval checks these against a second computation
        return "\n".join([
            f"{t('district', lang)}: {r.districts}",
            f"{t('coverage_pct', lang)} #1: {r.best['district']} {fmt_num(r.best['coverage_pct'], lang, 2)} %",
            f"{t('coverage_pct', lang)} {t('median', lang)}: {fmt_num(r.median_coverage_pct, lang, 2)} %",
        ])


NAMED_DISTRICTS = 5  # districts named beside a source on the nation's sources table; the rest are counted


def national_rows_cited(ds: Dataset, lang: Lang) -> dict[str, RowsCited]:
    """The nation's sources cell of each district table whose rows cite more than one source: the source more than
    half the rows cite first, then each other source with the districts whose rows cite it ("Rows of Kabupaten Minahasa: ANTARA
    Sulut, ..."), so one district's article never reads as the whole table's source (reader 11, L12)."""
    from ucj.presentation.district import OWN_ROW_TABLES, _rows_per_source, rows_status
    from ucj.presentation.tables import sources_cell

    out: dict[str, RowsCited] = {}
    for table in OWN_ROW_TABLES:
        df = getattr(ds, table, None)
        if df is None or "district_code" not in df or "source" not in df:
            continue
        rows = df[df["source"].notna()]
        counts = rows["source"].value_counts(sort=True)  # most rows first; ties in order of first appearance
        if len(counts) < 2:
            continue
        # the source of more than half the rows is the table's own; every other source names its districts
        table_wide = 2 * int(counts.iloc[0]) > len(rows)
        parts = [sources_cell([counts.index[0]], lang) + "."] if table_wide else []
        for src in counts.index[1 if table_wide else 0:]:
            codes = pd.unique(rows.loc[rows["source"] == src, "district_code"].astype(str))
            names = [ds.registry.get(c).full_name if c in ds.registry else c for c in codes[:NAMED_DISTRICTS]]
            if len(codes) > NAMED_DISTRICTS:
                names.append(tf("national_rows_more", lang, n=fmt_int(len(codes) - NAMED_DISTRICTS, lang)))
            parts.append(tf("national_rows_of", lang, districts=", ".join(names), sources=sources_cell([src], lang)))
        out[table] = RowsCited(" ".join(parts), rows_status(rows, table), len(df), _rows_per_source(rows, table, lang))
    return out


def _district_rows_shown(rows: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """A province's district rows as its table shows them: the target year "2029, assumed" where its source sets
    none (as the district's page says it), and a district not judged against a target set over another
    denominator with that target's basis named in its status cell (as its page says why)."""
    out = rows.copy()
    if "target_year_assumed" in out:
        out["target_year"] = [target_year_text(y, a, lang) for y, a in zip(out["target_year"], out["target_year_assumed"])]
        out = out.drop(columns="target_year_assumed")
    if "reason" in out:
        out["status"] = [_other_basis_cell(r, lang) if s == OTHER_BASIS else s for s, r in zip(out["status"], out["reason"])]
        out = out.drop(columns="reason")
    return out


def _other_basis_cell(reason: object, lang: Lang) -> str:
    """"not judged: its target is set over the potential workers list": the status cell of a district whose own
    target's basis (named in its reason code) is not the overview's denominator."""
    from ucj.analysis.district import REASON_OTHER_BASIS
    from ucj.analysis.reasons import parse

    basis = next((v.get("basis") for code, v in parse(str(reason or "")) if code == REASON_OTHER_BASIS), None)
    return tf("other_basis_row", lang, basis=t(f"reason_param.{basis}", lang)) if basis else t(OTHER_BASIS, lang)


class _ModelWords:
    """The district page's words for a projection's model (which model and why, in one plain sentence, and the
    details line with each fitted model's AIC and Ljung-Box p), for an area's projection: the same methods, so an
    overview and a district page say it by one rule and from the same reason codes."""

    def __init__(self, projection: object, lang: Lang) -> None:
        self.projection, self.lang = projection, lang

    _model_choice_sentence = DistrictReport._model_choice_sentence
    _nested_sentence = DistrictReport._nested_sentence
    _drift_sentence = DistrictReport._drift_sentence
    _narrow_residuals_sentence = DistrictReport._narrow_residuals_sentence
    _calibration_sentence = DistrictReport._calibration_sentence
    calibration_lines = DistrictReport.calibration_lines
    holdout_column_notes = DistrictReport.holdout_column_notes
    model_sentence = DistrictReport.model_sentence
    model_details = DistrictReport.model_details
    model_rules_text = DistrictReport.model_rules_text

    def organic_sentences(self) -> list[str]:
        """Which participants the area's model projects and the funded schedule added to them, and the December
        seasonal added back, by the district page's rule (reader 13, R13-3: the overviews never said it)."""
        from ucj.presentation.district import organic_sentences

        p = self.projection
        if not p.model_used or not p.organic_fitted:  # type: ignore[attr-defined]
            return []
        return organic_sentences(p, self.lang)  # type: ignore[arg-type]


def _status(info: dict[str, object]) -> str:
    """"real", "synthetic" or "partly_synthetic" of a table from its provenance entry (column by column)."""
    from types import SimpleNamespace

    from ucj.data.dataset import table_synthetic_status

    return table_synthetic_status(SimpleNamespace(columns=info.get("columns") or {},  # type: ignore[arg-type]
                                                  synthetic=bool(info.get("synthetic"))))[0]


def build_overview(ds: Dataset, province: str | None, lang: str = "id", year: int | None = None,
                   boundaries: str | None = None, *, figures: bool = False, last_period: str = "",
                   denominator: str = "", parameters: dict[str, object] | None = None) -> Overview:
    """The overview of a province (or all), from the analysis layer's ranking, with its charts; with
    `figures`, also the area's own key figures at `last_period` (YYYY-MM; default: the latest month)
    over `denominator` (default: the working population), for the code-free report."""
    from ucj.analysis.district import DEFAULT_DENOMINATOR

    lang_ok = check_lang(lang)
    if year is None and last_period:  # the ranking and the scatter of the key figures' year
        year = pd.Timestamp(last_period).year
    fig = region_figures(ds, province, year)
    ranking = fig.ranking
    area = None
    if figures:
        area = area_figures(ds, province, last_period=pd.Timestamp(last_period) if last_period else None,
                            denominator=denominator or DEFAULT_DENOMINATOR)
    shown = dict(parameters or {})
    if shown.get("boundaries"):  # the file by its name: a page never shows a path of the machine that made it
        shown["boundaries"] = Path(str(shown["boundaries"])).name
    area_rows = {}
    if area is not None and area.districts is not None:  # a province: its districts' rows only (reader 7, N3)
        area_rows = rows_cited(ds, [str(c) for c in area.districts["district_code"].tolist()], lang_ok)
    elif area is not None:  # the nation: each table's own source first, a few districts' own articles named (L12)
        area_rows = national_rows_cited(ds, lang_ok)
    ov = Overview(lang_ok, fig, ds.any_synthetic, area=area, parameters=shown, area_rows=area_rows,
                  _first_month=pd.Timestamp(ds.enrolment["month"].min()),
                  poverty_sources=poverty_sources_cell(ds.poverty, lang_ok),
                  poverty_columns=poverty_column_sources(ds.poverty, lang_ok),
                  panel_synthetic=any(n in ds.synthetic_tables() for n in ("enrolment", "workforce")))
    ov.charts["scatter"] = scatter_figure(ranking, "coverage_pct", "p0", "district", lang_ok,
                                          "enrolment" in ds.synthetic_tables(),
                                          f"{t('coverage_vs_poverty', lang_ok)}, {fig.year}",
                                          highlight=ranking["district"].head(3).tolist(), label_all=province is not None,
                                          xlabel=ov.pairing_label("ranking"))  # its pairing named (reader 11, L11)
    if boundaries:
        from ucj.presentation.maps import choropleth, load_topojson

        shapes = load_topojson(boundaries, ds.registry)
        values = ranking.set_index("district_code")["coverage_pct"]
        ov.charts["map"] = choropleth(shapes, values, lang_ok, f"{t('coverage_pct', lang_ok)}, {fig.year}",
                                      ov.synthetic, codes=list(ranking["district_code"]))
        ov.unmatched_shapes = shapes.unmatched
        from ucj.core.files import sha256_file

        ov.boundaries = {"file": Path(boundaries).name, "sha256": sha256_file(Path(boundaries)),
                         "matched": sum(c in shapes.rings for c in ranking["district_code"]),
                         "districts": len(ranking), "unmatched": len(shapes.unmatched)}
    return ov
