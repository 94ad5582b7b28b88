"""The budget scenario notebook's content: APBD cost of covering N vulnerable workers for Y years."""

from __future__ import annotations

import html

import pandas as pd

from ucj.analysis.budget import (NATIONAL_RATE_YEAR, Assumptions, benefit_cost_figures, credible_rates,
                                 district_scenarios)
from ucj.analysis.district import rests_on_synthetic, with_used_rates
from ucj.core.config import stylesheet
from ucj.core.errors import UcjInputError
from ucj.data.dataset import Dataset
from ucj.presentation.i18n import Lang, check_lang, fmt_int, fmt_num, fmt_pct, fmt_rp_full, t, tf
from ucj.presentation.tables import as_html_frame, html_table, shown


def parse_workers(text: object) -> list[int]:
    """'5000, 10000' -> [5000, 10000]; anything else is a clear error."""
    try:
        values = [int(str(x).strip().replace(".", "")) for x in str(text).split(",") if str(x).strip()]
    except ValueError:
        raise UcjInputError.one("workers must be whole numbers separated by commas, e.g. 5000,10000",
                                column="workers", label="parameter") from None
    if not values or any(v < 0 for v in values):
        raise UcjInputError.one("give at least one number of workers, none negative", column="workers",
                                label="parameter")
    return values


def credible_assumptions(ds: Dataset, district_code: str) -> Assumptions:
    """The budget assumptions with the district's credibility-weighted JKK and JKM rates (as its report uses)."""
    from dataclasses import replace

    rates = {r.programme: r.rate_per_1000 for r in credible_rates(ds.claims, ds.enrolment, district_code)}
    # unrounded, as the report's budget uses them (reader 11, L5); rounded only where shown
    return replace(Assumptions(), jkk_cases_per_1000=rates["JKK"], jkm_deaths_per_1000=rates["JKM"])


def budget_scenarios(ds: Dataset, district: str, workers: object, years: int, lang: str = "id",
                     denominator: str = "working_population") -> tuple[pd.DataFrame, dict[str, object]]:
    """Scenario table (raw numbers, from the analysis layer) and the context to show it in."""
    d = ds.registry.district(district)
    lang_ok: Lang = check_lang(lang)
    used = credible_assumptions(ds, d.code)  # the claim rates the district report's budget uses
    sc = district_scenarios(ds.enrolment, ds.workforce, d.code, parse_workers(workers), int(years), denominator,
                            assumptions=used)
    synthetic = rests_on_synthetic(ds.synthetic_tables())
    context = {"district": d, "lang": lang_ok, "month": f"{sc.month:%Y-%m}", "active": sc.active,
               "coverage_pct": sc.coverage_pct, "denominator": denominator, "years": sc.years,
               "synthetic": ds.any_synthetic, "assumptions": with_used_rates(Assumptions().describe(), used, synthetic),
               "benefit_cost": benefit_cost_figures(used, synthetic)}
    return sc.table, context


def budget_rates_text(b: dict[str, object], lang: Lang) -> str:
    """What the scenarios' expected claims and benefit/cost ratio rest on: the credibility-weighted rates, marked
    synthetic where the APBD cohorts are demo data, and the ratio at the national published rates beside it
    (reader 14, R14-1: a ratio of 1.16 from the demo's cohorts, 0.43 at the national rates); "" without them.
    One text for the district page, its workbook and the explorer's budget notebook."""
    if not b:
        return ""
    return tf("budget_rates_basis_synthetic" if b["rates_synthetic"] else "budget_rates_basis", lang,
              ratio=fmt_num(b["used"], lang, 2), table=t("claim_rates", lang),
              assumptions=t("assumptions_heading", lang),
              jkk=fmt_num(b["jkk_per_1000"], lang, 2), jkm=fmt_num(b["jkm_per_1000"], lang, 2),
              jkk_national=fmt_num(b["national_jkk_per_1000"], lang, 2),
              jkm_national=fmt_num(b["national_jkm_per_1000"], lang, 2),
              year="/".join(str(y) for y in sorted(set(NATIONAL_RATE_YEAR.values()))),
              ratio_national=fmt_num(b["national"], lang, 2))


def scenario_display_table(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The scenario table as shown: every number by the rule of its kind, row labels and headers from the
    catalogue (the same rules as the page and the Excel sheet, ucj.presentation.tables)."""
    return as_html_frame(shown("budget", table, lang), lang)


def display_scenarios(table: pd.DataFrame, context: dict[str, object]) -> None:
    from IPython.display import HTML, display

    lang: Lang = context["lang"]  # type: ignore[assignment]
    d = context["district"]
    banner = (f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", lang))}</div>'
              if context["synthetic"] else "")
    head = (f"<style>{stylesheet()}</style><h1 class='ucj-title'>{html.escape(t('budget', lang))}: "
            f"{html.escape(d.full_name)}</h1>{banner}"  # type: ignore[attr-defined]
            f"<p>{html.escape(t('active', lang))} {context['month']}: {fmt_int(context['active'], lang)} · "
            f"{html.escape(t('coverage_pct', lang))}: {fmt_pct(context['coverage_pct'], lang)}</p>")
    assumptions = context.get("assumptions")
    if not isinstance(assumptions, pd.DataFrame):
        assumptions = Assumptions().describe()
    rates = budget_rates_text(context.get("benefit_cost") or {}, lang)  # type: ignore[arg-type]
    display(HTML(head + html_table(shown("budget", table, lang), lang)
                 + (f"<p>{html.escape(rates)}</p>" if rates else "")
                 + html_table(shown("assumptions", assumptions, lang), lang)
                 + f"<p><small>{html.escape(t('assumptions_sources_note', lang))}</small></p>"
                 + f"<p><small>{html.escape(t('claim_rates_note_collective', lang))}</small></p>"))


def key_figures_text(table: pd.DataFrame, context: dict[str, object]) -> str:
    lang: Lang = context["lang"]  # type: ignore[assignment]
    return "\n".join(f"{fmt_int(r.workers, lang)} {t('workers', lang).lower()} × {context['years']} "
                     f"{t('year', lang).lower()}: {fmt_rp_full(r.cost_rp, lang)}" for r in table.itertuples())
