"""What a checked candidate list shows: the summary page, its Excel workbook and chart (counts only),
and the two personal-data lists with each row's reasons as sentences in the reader's language.

Nothing here computes a figure; every word comes from the catalogue (keys `participants.*`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ucj.analysis.participants import RULES, AdditionalBudget, CheckResult, Reason
from ucj.core.config import stylesheet
from ucj.data.registry import District
from ucj.presentation.i18n import Lang, fmt_int, fmt_pct, fmt_rp_full, t, tf
from ucj.presentation.tables import Shown, as_html_frame
from ucj.presentation.villages_view import quota_citation

PERSONAL_COLUMNS = ("file", "row", "nik", "name", "birth_date", "sex", "village", "kecamatan", "occupation",
                    "funding", "start")


def reason_sentence(reason: Reason, lang: Lang) -> str:
    """One reason code with its parameters as a sentence of the catalogue."""
    return tf(f"participants.reason.{reason.code}", lang, **dict(reason.params))


def _sentences(reasons: list[Reason], lang: Lang) -> str:
    return " ".join(reason_sentence(r, lang) for r in reasons)


def personal_lists(result: CheckResult, lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The accepted and the rejected rows as the village head wrote them, with status and reasons.
    These frames hold personal data: they go only to the personal-data files."""
    rows = result.rows
    base = rows[list(PERSONAL_COLUMNS)].copy()
    base["village_code"] = rows["village_code"]
    base["status"] = [t(f"participants.status.{s}", lang) for s in rows["status"]]
    base["warnings"] = [_sentences(w, lang) for w in rows["warnings"]]
    base["reasons"] = [_sentences(r, lang) for r in rows["reasons"]]
    headers = {c: t(f"participants.col.{c}", lang) for c in base.columns}
    accepted = base[rows["status"] != "rejected"].drop(columns="reasons").rename(columns=headers)
    rejected = base[rows["status"] == "rejected"].rename(columns=headers)
    return accepted, rejected


def personal_readme(lang: Lang) -> str:
    return t("participants.personal_readme", lang) + "\n"


def _shown(df: pd.DataFrame, kinds: dict[str, str], lang: Lang) -> Shown:
    return Shown(df.reset_index(drop=True), {c: [kinds.get(c, "text")] * len(df) for c in df.columns},
                 [t(f"participants.col.{c}", lang) for c in df.columns])


def summary_tables(result: CheckResult, budget: AdditionalBudget, lang: Lang) -> dict[str, Shown]:
    """The summary's tables, each a Shown (the same values in HTML and Excel)."""
    c = result.counts
    overview = pd.DataFrame([
        (t("participants.k.rows", lang), c["rows"]),
        (t("participants.k.accepted", lang), c["accepted"]),
        (t("participants.k.already_funded", lang), c["already_funded"]),
        (t("participants.k.rejected", lang), c["rejected"]),
        (t("participants.k.possible_duplicates", lang), c["possible_duplicates"]),
        (t("participants.k.villages_below_quota", lang), c["villages_below_quota"]),
        (t("participants.k.additional_apbd", lang), c["additional_apbd"]),
    ], columns=["item", "count"])
    reasons = result.by_reason.assign(
        kind=[t(f"participants.kind.{k}", lang) for k in result.by_reason["kind"]],
        reason=[t(f"participants.reason_short.{r}", lang) for r in result.by_reason["reason"]])
    villages = result.by_village[["kecamatan", "village", "kind", "valid", "additional", "already_funded",
                                  "rejected", "quota", "shortfall"]].assign(
        kind=lambda d: [t(f"participants.village_kind.{k}", lang) for k in d["kind"]])
    kecamatan = result.by_kecamatan
    occupations = result.by_occupation.assign(
        occupation=lambda d: [o or t("participants.not_given", lang) for o in d["occupation"]])
    funding = result.by_funding.assign(
        funding=lambda d: [t(f"participants.funding.{f}", lang) if isinstance(f, str) else "–" for f in d["funding"]],
        status=lambda d: [t(f"participants.status.{s}", lang) for s in d["status"]])
    budget_rows = pd.DataFrame([
        (t("participants.b.workers", lang), budget.workers, "count"),
        (t("participants.b.months", lang), budget.months, "count"),
        (t("participants.b.tariff", lang), budget.monthly_contribution_rp, "rp"),
        (t("participants.b.cost", lang), budget.cost_rp, "rp"),
        (t("participants.b.coverage_before", lang), budget.coverage_before_pct, "pct"),
        (t("participants.b.coverage_after", lang), budget.coverage_after_pct, "pct"),
    ], columns=["item", "value", "kind"])
    budget_shown = Shown(budget_rows[["item", "value"]], {"item": ["text"] * len(budget_rows),
                                                          "value": list(budget_rows["kind"])},
                         [t("participants.col.item", lang), t("participants.col.value", lang)])
    count = "count"
    return {
        "overview": _shown(overview, {"count": count}, lang),
        "budget": budget_shown,
        "villages": _shown(villages, {k: count for k in ("valid", "additional", "already_funded", "rejected",
                                                         "quota", "shortfall")}, lang),
        "kecamatan": _shown(kecamatan, {k: count for k in ("valid", "additional", "already_funded", "rejected",
                                                           "shortfall", "villages_below_quota")}, lang),
        "reasons": _shown(reasons, {"rows": count}, lang),
        "occupations": _shown(occupations, {"workers": count}, lang),
        "funding": _shown(funding, {"workers": count}, lang),
    }


def quota_source(result: CheckResult, lang: Lang) -> str | None:
    """Where the quota used was published, as a reader cites it (outlet, title, date); None: the user gave it."""
    q = result.published_quota
    return None if q is None else quota_citation(q, lang)


def quota_sentence(result: CheckResult, lang: Lang) -> str:
    """Where the quota comes from: the district's published agreement (its words and source) or the user."""
    q = result.published_quota
    if q is None:
        return tf("participants.quota_given", lang, quota=fmt_int(result.quota, lang))
    return tf("participants.quota_published", lang, quota=fmt_int(result.quota, lang), wording=q.wording,
              source=quota_source(result, lang))


def summary_document(result: CheckResult, budget: AdditionalBudget, district: District,
                     lang: Lang = "en") -> dict[str, object]:
    """summary.json: the counts and tables, with codes (not sentences); no personal data. The quota's source
    is cited in `lang` (None where the user gave the quota)."""
    def records(df: pd.DataFrame) -> list[dict[str, object]]:
        return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in df.to_dict("records")]

    return {
        "district_code": district.code, "district_name": district.full_name,
        "start": f"{result.start:%Y-%m}", "quota": result.quota,
        "quota_source": quota_source(result, lang),
        "quota_date": None if result.published_quota is None else result.published_quota.date,
        "files": list(result.files),
        "counts": result.counts, "synthetic_files": list(result.synthetic_files),
        "budget": {"workers": budget.workers, "months": budget.months,
                   "monthly_contribution_rp": budget.monthly_contribution_rp, "cost_rp": budget.cost_rp,
                   "denominator": budget.denominator,
                   "coverage_month": None if budget.coverage_month is None else f"{budget.coverage_month:%Y-%m}",
                   "coverage_before_pct": budget.coverage_before_pct, "coverage_after_pct": budget.coverage_after_pct},
        "age_rules": [{"rule": r.name, "years": r.years, "source": r.source, "assumption": r.assumption}
                      for r in RULES],
        "by_village": records(result.by_village), "by_reason": records(result.by_reason),
        "by_occupation": records(result.by_occupation), "by_funding": records(result.by_funding),
    }


def below_quota_png(result: CheckResult, district: District, lang: Lang) -> bytes:
    """A bar chart of the villages below their quota (valid candidates against the quota)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    below = result.by_village[result.by_village["below_quota"]].sort_values("valid").head(40)
    height = max(2.5, 0.22 * len(below) + 1.2)
    fig, ax = plt.subplots(figsize=(7.5, height), dpi=150)
    if below.empty:
        ax.text(0.5, 0.5, t("participants.none_below_quota", lang), ha="center", va="center")
        ax.set_axis_off()
    else:
        ax.barh([f"{v} ({k})" for v, k in zip(below["village"], below["kecamatan"])], below["valid"],
                color="#0072B2", label=t("participants.col.valid", lang))
        ax.axvline(result.quota, color="#D55E00", linestyle="--",
                   label=tf("participants.quota_line", lang, quota=fmt_int(result.quota, lang)))
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=7)
        ax.legend(loc="lower right", fontsize=8)
        ax.set_xlabel(t("participants.col.valid", lang))
    shown = min(len(result.by_village[result.by_village["below_quota"]]), 40)
    ax.set_title(tf("participants.chart_title", lang, shown=fmt_int(shown, lang),
                    total=fmt_int(result.counts["villages_below_quota"], lang), district=district.full_name),
                 fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _table(s: Shown, lang: Lang) -> str:
    return as_html_frame(s, lang).to_html(index=False, escape=True, classes="ucj-table", border=0, na_rep="–")


def summary_html(result: CheckResult, budget: AdditionalBudget, district: District, lang: Lang, png: bytes) -> str:
    """The code-free summary page (counts only), in one language."""
    import base64

    tables = summary_tables(result, budget, lang)
    esc = html.escape
    title = tf("participants.title", lang, district=district.full_name)
    rules = "".join(
        f"<li>{esc(tf(f'participants.rule.{r.name}', lang, years=r.years))} "
        f"({esc(r.source if r.source else t('participants.assumption', lang))})</li>" for r in RULES)
    coverage_note = (tf("participants.coverage_note", lang, month=f"{budget.coverage_month:%Y-%m}",
                        denominator=t(budget.denominator, lang))
                     if budget.coverage_month is not None else t("participants.no_coverage", lang))
    sections = [
        ("participants.h.overview", tables["overview"], tf("participants.overview_note", lang,
                                                           start=f"{result.start:%Y-%m}", quota=fmt_int(result.quota, lang),
                                                           files=", ".join(result.files))
         + " " + quota_sentence(result, lang)),
        ("participants.h.budget", tables["budget"], tf("participants.budget_note", lang,
                                                       tariff=fmt_rp_full(budget.monthly_contribution_rp, lang),
                                                       months=fmt_int(budget.months, lang)) + " " + coverage_note),
        ("participants.h.kecamatan", tables["kecamatan"], ""),
        ("participants.h.villages", tables["villages"], tf("participants.villages_note", lang,
                                                           quota=fmt_int(result.quota, lang))),
        ("participants.h.reasons", tables["reasons"], ""),
        ("participants.h.occupations", tables["occupations"], ""),
        ("participants.h.funding", tables["funding"], ""),
    ]
    body = []
    if result.synthetic_files:
        body.append(f"<div class='ucj-synthetic'>{esc(tf('participants.synthetic_banner', lang, files=', '.join(result.synthetic_files)))}</div>")
    for key, shown_table, note in sections:
        body.append(f"<h2 class='ucj-h'>{esc(t(key, lang))}</h2>")
        if note:
            body.append(f"<p>{esc(note)}</p>")
        body.append(_table(shown_table, lang))
        if key == "participants.h.kecamatan":
            alt = esc(tf("participants.chart_alt", lang, n=fmt_int(result.counts["villages_below_quota"], lang),
                         quota=fmt_int(result.quota, lang)))
            body.append(f"<figure><img src='data:image/png;base64,{base64.b64encode(png).decode()}' alt='{alt}' "
                        f"style='max-width:100%'><figcaption>{alt}</figcaption></figure>")
    body.append(f"<h2 class='ucj-h'>{esc(t('participants.h.rules', lang))}</h2><ul>{rules}</ul>")
    body.append(f"<p class='ucj-note'>{esc(t('participants.privacy_note', lang))}</p>")
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{stylesheet()}{stylesheet('page')}</style></head><body>"
            f"<h1 class='ucj-title'>{esc(title)}</h1>{''.join(body)}</body></html>")


def summary_xlsx(path: Path, result: CheckResult, budget: AdditionalBudget, district: District, lang: Lang) -> Path:
    """The summary's tables as an Excel workbook (numbers stay numbers), one sheet each; no personal data."""
    from openpyxl import Workbook

    from ucj.presentation.xlsx import save_workbook, sheet_title, write_shown

    wb = Workbook()
    taken: set[str] = set()
    first = True
    for name, shown_table in summary_tables(result, budget, lang).items():
        ws = wb.active if first else wb.create_sheet()
        ws.title = sheet_title(t(f"participants.sheet.{name}", lang), taken)
        write_shown(ws, shown_table, lang)
        first = False
    return save_workbook(wb, path)


@dataclass(frozen=True)
class Checked:
    """A checked list as the notebook shows it: the check, its budget, the district and the language."""

    result: CheckResult
    budget: AdditionalBudget
    district: District
    lang: Lang
    villages: tuple[int, int]  # desa and kelurahan of the district (the registry's count)

    def key_figures_text(self) -> str:
        """The lines the notebook's checked cell prints: rows read and the district's villages."""
        return tf("participants.key_figures", self.lang, rows=fmt_int(self.result.counts["rows"], self.lang),
                  files=", ".join(self.result.files), district=self.district.full_name,
                  villages=fmt_int(sum(self.villages), self.lang), desa=fmt_int(self.villages[0], self.lang),
                  kelurahan=fmt_int(self.villages[1], self.lang))


def show_check(checked: Checked) -> None:
    """Display the summary page (counts only) in the notebook."""
    from IPython.display import HTML, display

    png = below_quota_png(checked.result, checked.district, checked.lang)
    page = summary_html(checked.result, checked.budget, checked.district, checked.lang, png)
    display(HTML(page[page.index("<body>") + 6: page.rindex("</body>")]))
