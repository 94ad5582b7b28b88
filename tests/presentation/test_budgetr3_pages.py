"""Reader 9, R3, on the page a reader gets (Boalemo, ID and EN; page, tables.xlsx, key_figures.json): the budget
plan's rule says the self-enrolled count of each month is the projection's share times that month's denominator
on the projection's own month-by-month path, and that a year's cost sums its months; the table's 2026 additional
cost is the one recomputed from the months. Oracles: the demo workforce rows (pandas), the hand rule (a year's
cost = the months' funded workers x Rp16,800), the saved files read back."""

from __future__ import annotations

import html
import json

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import fmt_int, fmt_rp, t

pytestmark = pytest.mark.slow  # whole demo pages and workbooks

BOALEMO, MINAHASA = "75.02", "71.02"
MONTHLY = {"id": "Perhitungannya per bulan", "en": "Computed month by month"}
NO_STEP = {"id": "tidak melompat tiap Januari", "en": "not in a step each January"}


@pytest.fixture
def page(district_page):
    """(code, lang) -> (report, the budget section's visible text, the saved folder), from the session's pages."""

    def get(code: str, lang: str):
        built = district_page(code, lang)
        return built.report, html.unescape("\n".join(built.html(("show_budget",)))), built.folder

    return get


@pytest.mark.parametrize("lang", ["id", "en"])
def test_boalemo_rule_says_the_monthly_denominator_and_the_cost(page, demo_ds, lang):
    report, text, folder = page(BOALEMO, lang)
    w = demo_ds.workforce[demo_ds.workforce["district_code"] == BOALEMO].set_index("year")["working_population"]
    line = next(x for x in report.budget_plan_sentences() if x.startswith(MONTHLY[lang]))
    assert line in text and NO_STEP[lang] in line
    assert fmt_int(w[2025], lang) in line and "2025-12" in line  # today's denominator, read from the rows
    plan = report.results.budget_plan
    assert fmt_int(plan["denominator_at_year_end"].iloc[-1], lang) in line and "2029-12" in line
    assert ("Rp16.800" if lang == "id" else "Rp 16,800") in line
    # the cost the table shows is the months' funded workers x the tariff (reader 9's Rp717 m in 2026, less the
    # 210 December-seasonal participants reader 13 found missing, x 12 months x Rp16,800 = Rp42.3 m: about Rp674.7 m)
    row = plan[plan["year"] == 2026].iloc[0]
    assert 660_000_000 < row["cost_additional_rp"] < 690_000_000 and row["cost_additional_rp"] % 16_800 == 0
    shown = report.budget_plan_frame()
    assert shown.loc[0, t("cost_additional_rp", lang)] == fmt_rp(row["cost_additional_rp"], lang)
    assert shown.loc[0, t("cost_additional_rp", lang)] == {"id": "Rp674,7 jt", "en": "Rp 674.7 m"}[lang]
    # the workbook and key_figures.json carry the same rule and the same cost
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    assert line in key["budget_plan_text"]
    assert key["budget_plan"][0]["cost_additional_rp"] == row["cost_additional_rp"]
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    notes = [str(c.value) for row_ in wb.worksheets[0].iter_rows() for c in row_ if c.value is not None]
    assert line in notes
    ws = wb[t("sheet.budget_plan", lang)]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    first = dict(zip(header, [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]))
    assert first[t("cost_additional_rp", lang)] == row["cost_additional_rp"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_minahasa_held_rule_says_only_the_cost(page, demo_ds, lang):
    """Minahasa has no projection (its organic participants are held): no denominator path is claimed, only
    how a year's cost is summed."""
    report, text, _ = page(MINAHASA, lang)
    line = next(x for x in report.budget_plan_sentences() if x.startswith(MONTHLY[lang]))
    assert line in text and NO_STEP[lang] not in line
    assert line == {"id": "Perhitungannya per bulan: biaya tambahan setahun = jumlah pekerja tambahan yang dibiayai "
                          "pada setiap bulan tahun itu × Rp16.800 sebulan.",
                    "en": "Computed month by month: a year's additional cost = the additional funded workers of "
                          "every month of that year, summed, × Rp 16,800 a month."}[lang]
    # 2026: the net need a month, (132,104 - December 2025's participants by pandas) / 48, added each month (1 + 2 +
    # ... + 12 = 78 worker-months) at Rp 16,800, within each month's rounding to whole workers (reader 15's check of
    # Rp 906.34 m on the demo before R15-1)
    e = demo_ds.enrolment
    dec25 = int(e[(e["district_code"] == MINAHASA) & (e["month"] == pd.Timestamp("2025-12-01"))]["active"].sum())
    assert pd.Series(report.results.budget_plan["cost_additional_rp"]).iloc[0] == pytest.approx(
        (132_104 - dec25) / 48 * 78 * 16_800, abs=12 * 0.5 * 16_800)
