"""Second reading N5, N7, N8, N12 on the pages a reader gets, in Bahasa Indonesia and English: the budget's rule
in one sentence, the plan not yet budgeted set against the budget, the flagged claim-rate gap, the held
denominator where the need is stated, and the budget's figures the same on the page, in tables.xlsx and in
key_figures.json. Oracles: pandas on the demo rows, the catalogue's words, the saved files read back."""

from __future__ import annotations

import html
import json

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import fmt_int, fmt_num, fmt_pct, fmt_rp, t

pytestmark = pytest.mark.slow  # whole demo pages and workbooks

MUNA_BARAT, MINAHASA, BANGGAI = "74.13", "71.02", "72.01"
HELD = {"en": "held at its last published value", "id": "ditahan pada nilai terakhir yang diterbitkan"}
GENERAL_CLAIM = {"en": "no evidence that districts differ", "id": "tidak menunjukkan bahwa kabupaten berbeda"}


@pytest.fixture(scope="module")
def pages(district_page):
    """(code, lang) -> (report, visible text of the need, budget and methods, folder with the saved files)."""
    cache: dict = {}

    def get(code: str, lang: str):
        if (code, lang) not in cache:
            built = district_page(code, lang)
            report, folder = built.report, built.folder
            shown = built.html(("show_workers_needed", "show_budget"))
            text = html.unescape("\n".join(shown + report.methods_lines()))  # as a reader sees it
            cache[code, lang] = (report, text, folder)
        return cache[code, lang]

    return get


@pytest.mark.parametrize("lang", ["id", "en"])
def test_minahasa_need_states_its_held_denominator(pages, demo_ds, lang):
    """Minahasa's potensi list is published for 2023 only (read from the workforce rows): the need and the methods
    say it is held at that value to the target year, never "growing 0.0 % a year"."""
    report, text, _ = pages(MINAHASA, lang)
    w = demo_ds.workforce[(demo_ds.workforce["district_code"] == MINAHASA)
                          & demo_ds.workforce["potensi_pekerja"].notna()]
    assert w["year"].tolist() == [2023]
    value = fmt_int(w["potensi_pekerja"].iloc[0], lang)
    sentence = report.workers_needed_sentence()
    assert HELD[lang] in sentence and value in sentence and "2023" in sentence
    assert sum(HELD[lang] in line for line in report.methods_lines()) == 1
    growing = {"en": "growing", "id": "tumbuh"}[lang]
    assert f"{growing} {fmt_pct(0.0, lang)}" not in sentence and f"{growing} {fmt_pct(0.0, lang)}" not in text
    banggai = pages(BANGGAI, lang)[0].workers_needed_sentence()  # its own yearly denominator grows: no such words
    assert HELD[lang] not in banggai


@pytest.mark.parametrize("lang", ["id", "en"])
def test_muna_barat_flags_its_jkk_gap_and_drops_the_general_claim(pages, demo_ds, lang):
    report, text, _ = pages(MUNA_BARAT, lang)
    e = demo_ds.enrolment[(demo_ds.enrolment["district_code"] == MUNA_BARAT) & (demo_ds.enrolment["funding"] == "apbd")]
    c = demo_ds.claims[(demo_ds.claims["district_code"] == MUNA_BARAT) & (demo_ds.claims["funding"] == "apbd")
                       & (demo_ds.claims["programme"] == "JKK")]
    c = c[(c["month"] >= demo_ds.enrolment.loc[demo_ds.enrolment["funding"] == "apbd", "month"].min())]
    cases, years = int(c["claim_count"].sum()), e["active"].sum() / 12
    sentences = report.claim_rate_sentences()
    assert len(sentences) == 1 and sentences[0].startswith("JKK:") and sentences[0] in text
    assert fmt_num(1000 * cases / years, lang, 2) in sentences[0] and fmt_int(years, lang) in sentences[0]
    assert ("p < 0.001" if lang == "en" else "p dua sisi < 0,001") in sentences[0]
    assert GENERAL_CLAIM[lang] not in text
    mina = pages(MINAHASA, lang)
    assert mina[0].claim_rate_sentences() == [] and GENERAL_CLAIM[lang] not in mina[1]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_muna_barat_budget_says_whether_its_plan_covers_the_need(pages, lang):
    report, text, folder = pages(MUNA_BARAT, lang)
    a = report.results.plan_against_budget
    line = next(x for x in report.budget_plan_sentences() if fmt_int(a["planned_workers"], lang) in x)
    assert line in text and fmt_int(a["funded_needed_at_last_year"], lang) in line and "2026" in line
    assert fmt_rp(a["plan_cost_rp"], lang) in line and fmt_rp(a["budget_cost_rp"], lang) in line
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    assert key["plan_against_budget"] == a and line in key["budget_plan_text"]
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    notes = [str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value is not None]
    assert line in notes and report.budget_plan_sentences()[0] in notes
    # the scenario rows are told apart by words
    labels = report.display_table("budget").iloc[:, 0].tolist()
    assert len(set(labels)) == len(labels) == 2


@pytest.mark.parametrize("code,lang", [(MUNA_BARAT, "en"), (MINAHASA, "id"), ("75.02", "en")])
def test_budget_plan_is_the_same_on_page_excel_and_key_figures(pages, code, lang):
    """Each row of the year-by-year budget: the page's cells, the Excel sheet's numbers and key_figures.json's
    values are the same figures (the page formatted from the JSON value by the page's own rule of each kind)."""
    report, text, folder = pages(code, lang)
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    rows = key["budget_plan"]
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    ws = wb[t("sheet.budget_plan", lang)]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    sheet = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    page = report.budget_plan_frame()
    assert len(sheet) == len(rows) == len(page) - 1  # the page adds a total row
    for i, row in enumerate(rows):
        for col, fmt in (("additional_at_year_end", fmt_int), ("organic_at_year_end", fmt_int),
                         ("existing_funded", fmt_int), ("net_additional", fmt_int), ("gross_additional", fmt_int),
                         ("cost_rp", fmt_rp), ("coverage_end_pct", fmt_pct)):
            head = t(col, lang)
            assert sheet[i][head] == pytest.approx(row[col]), (col, i)
            assert page.loc[i, head] == fmt(row[col], lang), (col, i)
    last = rows[-1]
    assert last["coverage_end_pct"] == pytest.approx(key["target_pct"], abs=0.01)
    # the rule sentence names the basis the JSON records
    rule = report.budget_plan_sentences()[0]
    assert rule in text and key["budget_plan_basis"] in ("organic_projected", "organic_held")
    expected = {"organic_projected": {"en": "as the projection above forecasts them", "id": "menurut proyeksi di atas"},
                "organic_held": {"en": "held at today's number", "id": "tetap sebanyak hari ini"}}
    assert expected[key["budget_plan_basis"]][lang] in rule
    assert pd.notna(last["additional_at_year_end"])
