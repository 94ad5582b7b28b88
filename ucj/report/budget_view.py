"""The budget scenario notebook's content: APBD cost of covering N vulnerable workers for Y years."""

from __future__ import annotations

import html

import pandas as pd

from ucj.analysis.budget import Assumptions, district_scenarios
from ucj.core.config import stylesheet
from ucj.core.errors import UcjInputError
from ucj.data.dataset import Dataset
from ucj.report.i18n import Lang, check_lang, fmt_int, fmt_num, fmt_pct, fmt_rp, fmt_rp_full, t


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


def budget_scenarios(ds: Dataset, district: str, workers: object, years: int, lang: str = "id",
                     denominator: str = "working_population") -> tuple[pd.DataFrame, dict[str, object]]:
    """Scenario table (raw numbers, from the analysis layer) and the context to show it in."""
    d = ds.registry.district(district)
    lang_ok: Lang = check_lang(lang)
    sc = district_scenarios(ds.enrolment, ds.workforce, d.code, parse_workers(workers), int(years), denominator)
    context = {"district": d, "lang": lang_ok, "month": f"{sc.month:%Y-%m}", "active": sc.active,
               "coverage_pct": sc.coverage_pct, "denominator": denominator, "years": sc.years,
               "synthetic": ds.any_synthetic}
    return sc.table, context


def scenario_display_table(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The scenario table as shown: every number formatted for `lang`, row labels and headers translated."""
    shown = table.copy()
    for c in ("cost_rp", "additional_cost_rp", "expected_benefits_rp"):
        if c in shown:
            shown[c] = shown[c].map(lambda v: fmt_rp(v, lang))
    for c in ("coverage_before_pct", "coverage_after_pct"):
        if c in shown:
            shown[c] = shown[c].map(lambda v: fmt_pct(v, lang))
    for c in ("expected_jkm_deaths", "expected_jkk_cases", "benefit_cost_ratio"):
        if c in shown:
            shown[c] = shown[c].map(lambda v: fmt_num(v, lang, 2))
    for c in ("workers", "already_funded", "additional_workers", "months"):
        if c in shown:
            shown[c] = shown[c].map(lambda v: fmt_int(v, lang))
    if "label" in shown:
        shown["label"] = shown["label"].map(lambda v: t(str(v), lang))
    shown.columns = [t(c, lang) for c in shown.columns]
    return shown


def display_scenarios(table: pd.DataFrame, context: dict[str, object]) -> None:
    from IPython.display import HTML, display

    lang: Lang = context["lang"]  # type: ignore[assignment]
    d = context["district"]
    shown = scenario_display_table(table, lang)
    banner = (f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", lang))}</div>'
              if context["synthetic"] else "")
    head = (f"<style>{stylesheet()}</style><h1 class='ucj-title'>{html.escape(t('budget', lang))}: "
            f"{html.escape(d.full_name)}</h1>{banner}"  # type: ignore[attr-defined]
            f"<p>{html.escape(t('active', lang))} {context['month']}: {fmt_int(context['active'], lang)} · "
            f"{html.escape(t('coverage_pct', lang))}: {fmt_pct(context['coverage_pct'], lang)}</p>")
    assumptions = Assumptions().describe()
    assumptions.columns = [t(c, lang) for c in assumptions.columns]
    display(HTML(head + shown.to_html(index=False, escape=True, classes="ucj-table", border=0)
                 + assumptions.to_html(index=False, escape=True, classes="ucj-table", border=0)))


def key_figures_text(table: pd.DataFrame, context: dict[str, object]) -> str:
    lang: Lang = context["lang"]  # type: ignore[assignment]
    return "\n".join(f"{fmt_int(r.workers, lang)} {t('workers', lang).lower()} × {context['years']} "
                     f"{t('year', lang).lower()}: {fmt_rp_full(r.cost_rp, lang)}" for r in table.itertuples())
