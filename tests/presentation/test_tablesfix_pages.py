"""Issue 18, the second reading's findings 5, 7, 15, 19 and 20 on the four seed pages, both languages:
each published figure's period as its source dates it (read here from the seed articles themselves), the
agreement-end explanation in the Excel workbook, budget scenario rows told apart in words, and the interval
level printed as the text says it (80 %) on the page, in Excel and in the run's summary."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import REPO

from ucj.presentation.i18n import fmt_int, t
from ucj.presentation.tables import scenario_labels, shown

SEEDS = REPO.parent / "shared" / "seeds"
CODES = ("71.02", "72.01", "75.02", "74.13")
MONTHS_ID = {m: i for i, m in enumerate(["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
                                         "september", "oktober", "november", "desember"], start=1)}


def _seed(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def _slash_dates(text: str) -> list[date]:
    """Every complete "(d/m/yyyy)" date an article gives (a truncated "(4/9/202)" is not a date)."""
    return [date(int(y), int(m), int(d)) for d, m, y in re.findall(r"\((\d{1,2})/(\d{1,2})/(\d{4})\)", text)]


def _listing_dates(text: str) -> list[date]:
    """The dates of the "Berita Terkait" listing under an ANTARA article ("Kamis, 14 November 2024 18:21 Wib")."""
    listing = text.split("Berita Terkait", 1)[1]
    return [date(int(y), MONTHS_ID[m.lower()], int(d))
            for d, m, y in re.findall(r"(\d{1,2}) (\w+) (\d{4}) \d\d:\d\d Wib", listing)]


@pytest.fixture(scope="module")
def pages(district_page):
    """(code, lang) -> the report and its saved folder (tables.xlsx, key_figures.json beside it)."""
    cache: dict = {}

    class Pages:
        def __getitem__(self, item):
            if item not in cache:
                built = district_page(*item)
                cache[item] = {"report": built.report, "folder": built.folder, "html": "\n".join(built.html())}
            return cache[item]

    return Pages()


def _periods(report, lang: str) -> dict[str, list[str]]:
    table = report.published_table()
    out: dict[str, list[str]] = {}
    for q, p in zip(table[t("quantity", lang)], table[t("figure_period", lang)]):
        out.setdefault(q, []).append(p)
    return out


# -- findings 5 and 19: each published figure's period, from the seed article's own text --------------------
@pytest.mark.parametrize("lang", ["id", "en"])
def test_each_published_figure_carries_the_period_its_source_gives(pages, lang):
    # ANTARA (seed 003): the article says only "Minggu"; the one date on its page is the listing under it, whose
    # latest (14 November 2024) is not the article's: the article quotes "Bupati Minahasa Royke Roring", whose
    # successor was sworn in on Monday 25 September 2023 (suluttempo.com, 25 September 2023), so it is no later
    # than the day before (reader 15, R15-1)
    antara = _seed("003")
    body = antara.split("Berita Terkait", 1)[0]
    assert "Minggu" in body and not _slash_dates(body) and not re.search(r"\d{4}", body.split("\n", 1)[0])
    assert max(_listing_dates(antara)) == date(2024, 11, 14)
    assert "Bupati Minahasa Royke Roring" in body
    bound = date(2023, 9, 25) - timedelta(days=1)
    bounded = t("period_no_later_than", lang).format(period=f"{bound:%Y-%m}")
    minahasa = _periods(pages["71.02", lang]["report"], lang)
    for quantity in ("covered_workers", "coverage_pct", "uncovered_workers", "potensi_pekerja", "non_asn_workers"):
        assert minahasa[t(quantity, lang)] == [bounded], quantity
    # hariantoday (seed 002): dated by the written statement it reports, "Minggu (5/10/2025)", its latest date
    stated = max(_slash_dates(_seed("002")))
    assert stated == date(2025, 10, 5)
    assert _periods(pages["75.02", lang]["report"], lang)[t("jkm_benefit_rp", lang)] == [f"{stated:%Y-%m}"]
    # PPID Muna Barat (seed 004): the figures were given at the meeting of "Rabu (30/7/2025)"
    (meeting,) = _slash_dates(_seed("004"))
    muna = _periods(pages["74.13", lang]["report"], lang)
    assert muna[t("claim_count", lang)] == muna[t("claim_amount_rp", lang)] == [f"{meeting:%Y-%m}"]
    # BPS P0: the March Susenas of the year the citation names
    for code in CODES:
        table = pages[code, lang]["report"].published_table()
        for _, r in table[table[t("quantity", lang)] == t("p0", lang)].iterrows():
            year = re.search(r"(\d{4})$", r[t("citation", lang)]).group(1)
            assert r[t("figure_period", lang)] == f"{year}-03"
        # one granularity: every cell a month, bounded or not; never a bare year, never a day
        pattern = re.escape(t("period_no_later_than", lang)).replace(r"\{period\}", r"\d{4}-\d\d")
        for cell in table[t("figure_period", lang)]:
            assert re.fullmatch(rf"\d{{4}}-\d\d|{pattern}", cell), (code, cell)
        assert t("date", lang) not in table.columns


def test_the_key_figures_carry_the_period_beside_the_fact(pages):
    key = json.loads((pages["75.02", "en"]["folder"] / "key_figures.json").read_text())
    jkm = next(r for r in key["seed_facts"] if r["quantity"] == "jkm_benefit_rp")
    assert (jkm["period"], jkm["period_bound"]) == ("2025-10", "")
    key = json.loads((pages["71.02", "en"]["folder"] / "key_figures.json").read_text())
    cov = next(r for r in key["seed_facts"] if r["quantity"] == "coverage_pct")
    assert (cov["period"], cov["period_bound"]) == ("2023-09", "no_later_than")


# -- finding 7: the agreement end explained in the workbook ---------------------------------------------------
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_workbook_explains_workers_above_active_the_month_before(pages, lang, demo_dir):
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    apbd = e[(e["district_code"] == "74.13") & (e["funding"] == "apbd")].groupby("month")[
        ["active", "new_registrations", "lapsed"]].sum()
    active_dec, late, lapses = (int(apbd.at[pd.Timestamp("2024-12-01"), "active"]),
                                int(apbd.at[pd.Timestamp("2025-01-01"), "new_registrations"]),
                                int(apbd.at[pd.Timestamp("2025-01-01"), "lapsed"]))
    # the agreement ended in 2024-12 (seed 004): nobody registered in 2025-01 (reader 13, R13-11), so the workers who
    # left are the 9,500 then active (seed 004's programme level, planted by the demo), with no late registrations
    assert late == 0 and active_dec + late == lapses
    wb = openpyxl.load_workbook(pages["74.13", lang]["folder"] / "tables.xlsx")
    sheet = t("sheet.agreement_ends", lang)
    rows = list(wb[sheet].iter_rows(values_only=True))
    head = list(rows[0])
    assert rows[1][head.index(t("lapsed_in_month", lang))] == lapses
    assert rows[1][head.index(t("active_before", lang))] == active_dec
    notes = [str(r[1]) for r in wb[t("sheet.notes", lang)].iter_rows(min_row=2, values_only=True) if r[0] == sheet]
    explained = [n for n in notes if fmt_int(active_dec, lang) in n and t('agreement_end_late', lang).split('{')[0] not in n
                 and "2024-12" in n and "2025-01" in n]
    assert len(explained) == 1, notes
    assert explained[0] in pages["74.13", lang]["report"].policy_sentences()  # the page's own sentence


# -- finding 15: scenario rows told apart in words -----------------------------------------------------------
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("code", CODES)
def test_budget_scenario_rows_have_labels_of_their_own(pages, code, lang):
    report = pages[code, lang]["report"]
    labels = list(report.display_table("budget")[t("label", lang)])
    assert len(labels) == len(set(labels)) >= 2, labels
    assert t("scenario", lang) not in labels
    wb = openpyxl.load_workbook(pages[code, lang]["folder"] / "tables.xlsx")
    xl = [r[0] for r in wb[t("sheet.budget", lang)].iter_rows(min_row=2, values_only=True)]
    assert xl == labels
    raw = report.results.budget  # the analysis' rows: the words follow the workers each adds
    steps = raw[raw["label"] == "scenario"].sort_values("additional_workers")
    words = [t("scenario_step_smaller", lang).split(":")[0], t("scenario_step_larger", lang).split(":")[0]]
    for (_, row), word in zip(steps.iterrows(), words):
        (label,) = [x for x in labels if x.startswith(word)]
        assert fmt_int(row["additional_workers"], lang) in label and fmt_int(row["already_funded"], lang) in label


def test_scenario_labels_hand_worked():
    """Three programmes: numbered in the order of the workers they add; the target row keeps its label."""
    df = pd.DataFrame({"label": ["scenario", "scenario", "needed_for_target", "scenario"],
                       "already_funded": [100, 100, 100, 100], "additional_workers": [900, 50, 3_000, 400],
                       "months": [12, 12, 12, 24]})
    out = scenario_labels(df, "en")
    assert list(out["label"]) == [
        "Scenario 3: the 100 already funded plus 900 more workers, for 12 months",
        "Scenario 1: the 100 already funded plus 50 more workers, for 12 months",
        "needed_for_target",
        "Scenario 2: the 100 already funded plus 400 more workers, for 24 months"]
    assert list(df["label"]).count("scenario") == 3  # the analysis' table is left as it was
    one = scenario_labels(df.iloc[[1, 2]], "id")  # one programme row: nothing to tell apart
    assert list(one["label"]) == ["scenario", "needed_for_target"]
    shown_en = shown("budget", df, "en").values["label"]  # the budget planner and the page name rows alike
    assert list(shown_en) == list(out["label"][:2]) + [t("needed_for_target", "en")] + [out["label"].iloc[3]]


# -- finding 20: the interval level as the text says it ------------------------------------------------------
def _xl_text(value: object, number_format: str, lang: str) -> str:
    """A percentage cell as Excel shows it (a number format '0.0" %"' -> one decimal), in the reader's separator."""
    decimals = len(m.group(1)) if (m := re.match(r'[+]?0\.(0+)', number_format)) else 0
    text = f"{float(value):.{decimals}f}"  # type: ignore[arg-type]
    return (text.replace(".", ",") if lang == "id" else text) + " %"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_interval_level_reads_80_percent_on_page_excel_and_summary(pages, lang, tmp_path):
    from ucj.runs.index_page import write_index, write_summary

    bad = ("80,0 %", "80.0 %")
    entries, checked = [], 0
    for code in CODES:
        p = pages[code, lang]
        report = p["report"]
        assert not any(b in p["html"] for b in bad), code  # the page as the notebook shows it
        assert "80 %" in p["html"] or code == "71.02"
        wb = openpyxl.load_workbook(p["folder"] / "tables.xlsx")
        for ws in wb.worksheets:
            head = [c.value for c in ws[1]]
            if t("interval_pct", lang) not in head:
                continue
            j = head.index(t("interval_pct", lang)) + 1
            cells = [ws.cell(i, j) for i in range(2, ws.max_row + 1) if ws.cell(i, j).value is not None]
            assert {_xl_text(c.value, c.number_format, lang) for c in cells} <= {"80 %"}, ws.title
            checked += len(cells)
        slug = code.replace(".", "")
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "key_figures.json").write_text((p["folder"] / "key_figures.json").read_text())
        entries.append({"district": code, "district_name": report.key["district_name"], "province": "",
                        "slug": slug, "status": "ok", "html": f"{slug}/report.html"})
    assert checked > 100  # the projection and funding-scenario sheets of three districts
    index = write_index(tmp_path / "index.html", entries, lang, True, "index").read_text()
    assert not any(b in index for b in bad) and "80 %" in index
    _, xlsx = write_summary(tmp_path, entries)
    ws = openpyxl.load_workbook(xlsx).active
    head = [c.value for c in ws[1]]
    j = head.index(t("interval_pct", lang)) + 1
    cells = [ws.cell(i, j) for i in range(2, ws.max_row + 1) if ws.cell(i, j).value is not None]
    assert len(cells) == len(CODES) and {_xl_text(c.value, c.number_format, lang) for c in cells} == {"80 %"}


# -- the same classes elsewhere: a published percentage to the article's own precision -----------------------
@pytest.mark.parametrize("lang", ["id", "en"])
def test_published_percentages_keep_the_articles_precision(pages, lang):
    """"76 persen" reads 76 % (not 76,0 %), BPS's "6,87" reads 6,87 %, Boalemo's "dibawah 10%" 10 % and
    Banggai's "99,50 persen" target 99,5 % as the summary prints it, on the page and in Excel (the decimals
    the quoted words carry, counted here from the words)."""
    def decimals(words: str) -> int:
        """Decimals of the percentage the words quote: "76 persen" -> 0, "6,87" -> 2, "dibawah 10%" -> 0."""
        m = re.search(r"(\d+(?:,\d+)?)\s*(?:persen|%)", words) or re.fullmatch(r"“(\d+(?:,\d+)?)”", words)
        assert m, words
        return len(m.group(1).partition(",")[2])

    for code, table_name, col in (("71.02", "seed_facts", "published"), ("72.01", "plans", "value"),
                                  ("75.02", "plans", "value")):
        report = pages[code, lang]["report"]
        raw = report.tables[table_name]
        s = shown(table_name, raw, lang)
        frame = report.published_table() if table_name == "seed_facts" else report.display_table(table_name)
        for i, (unit, words) in enumerate(zip(raw["unit"], raw["wording"])):
            if unit != "%" or words in ("–", ""):
                continue
            n = decimals(words) if table_name == "seed_facts" else min(decimals(words), 1)  # a target as the summary
            value = float(s.values[col].iloc[i])
            expected = (f"{value:.{n}f}".replace(".", ",") if lang == "id" else f"{value:.{n}f}") + " %"
            assert frame[t(col, lang)].iloc[i] == expected, (code, words)
    wb = openpyxl.load_workbook(pages["71.02", lang]["folder"] / "tables.xlsx")
    ws = wb[t("sheet.seed_facts", lang)]
    head = [c.value for c in ws[1]]
    cells = {ws.cell(i, head.index(t("wording", lang)) + 1).value: ws.cell(i, head.index(t("published", lang)) + 1)
             for i in range(2, ws.max_row + 1)}
    assert _xl_text(cells["“76 persen”"].value, cells["“76 persen”"].number_format, lang) == "76 %"
    assert _xl_text(cells["“6,87”"].value, cells["“6,87”"].number_format, lang) == (
        "6,87 %" if lang == "id" else "6.87 %")
    rounding = {ws.cell(i, head.index(t("wording", lang)) + 1).value: ws.cell(i, head.index(t("rounding", lang)) + 1)
                for i in range(2, ws.max_row + 1)}
    thirty = rounding["“sekitar 30 ribu pekerja yang belum ter-cover”"]  # "about 30 thousand": a unit of 10 000
    assert thirty.value == 10_000 and ".00" not in thirty.number_format


def test_no_repeated_label_or_decimal_level_in_the_saved_workbooks(pages):
    """Every sheet of the four workbooks, both languages: no level printed with a decimal."""
    for code in CODES:
        for lang in ("id", "en"):
            wb = openpyxl.load_workbook(Path(pages[code, lang]["folder"]) / "tables.xlsx")
            text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                             if isinstance(c.value, str))
            assert "80,0 %" not in text and "80.0 %" not in text
