"""Reader 8's last LOW findings, read as a reader reads the demo's seed pages, workbooks and key_figures.json in
both languages: key_figures.json cites the district tables as the page does (S5); a district with no row of a
table is not given the table's status and count (S2b); an overview says "all" when all its districts use its
target (S6); the scenario card does not repeat its label (S7); no "with plans" scenario row without a plan (S12);
the two budget tables order JKK and JKM alike (S13); an overview's `target_source` reads "words: citation".

Oracles are the demo's Parquet files read here with plain pandas (which district has which rows, which
articles other districts' rows cite, which district has a plan of funded workers, which target each
Gorontalo district has) and the catalogue's own words for the labels a reader sees."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import sections_html
from ucj.presentation import district as district_report
from ucj.presentation.i18n import t
from ucj.runs.params import validate_params

LANGS = ("id", "en")
MINAHASA, BOALEMO, BANGGAI, MUNA_BARAT = "71.02", "75.02", "72.01", "74.13"
SEEDS = (MINAHASA, BOALEMO, BANGGAI, MUNA_BARAT)
CITED_TABLES = ("workforce", "targets", "plans")
# each seed article's outlet or publisher as a citation names it
OUTLETS = ("ANTARA Sulut", "Metro Sulteng", "PPID Kabupaten Muna Barat", "hariantoday.com")
OVERVIEW_SECTIONS = ("show_header", "show_summary", "show_districts", "show_methods")


def _lines(fragments: list[str]) -> list[str]:
    page = re.sub(r"<style>.*?</style>", " ", "\n".join(fragments), flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "\n", page))
    return [x.strip() for x in text.splitlines() if x.strip()]


@pytest.fixture(scope="module")
def built(demo_dir, demo_ds, tmp_path_factory):
    """(code or "gor"/"nat", lang) -> page lines, key_figures.json and tables.xlsx as saved beside the page."""
    cache: dict = {}

    def get(code: str, lang: str) -> dict:
        if (code, lang) not in cache:
            folder = tmp_path_factory.mktemp(f"l{code.replace('.', '')}{lang}")
            if code in ("gor", "nat"):
                from ucj.presentation.overview import build_overview

                report = build_overview(demo_ds, "Gorontalo" if code == "gor" else None, lang, figures=True)
                sections = OVERVIEW_SECTIONS if code == "gor" else ("show_header", "show_summary", "show_methods")
            else:
                report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
                from conftest import PAGE_SECTIONS as sections
            report.save(folder)
            cache[code, lang] = {"report": report, "lines": _lines(sections_html(report, sections)),
                                 "key": json.loads((folder / "key_figures.json").read_text()),
                                 "xlsx": openpyxl.load_workbook(folder / "tables.xlsx")}
        return cache[code, lang]

    return get


def _raw(demo_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(Path(demo_dir) / f"{name}.parquet")


def _gorontalo_codes(demo_ds) -> list[str]:  # type: ignore[no-untyped-def]
    reg = demo_ds.registry.districts
    return [str(c) for c in reg.loc[reg["province_name"] == "Gorontalo", "code"]]


def _sheet(book, key: str, lang: str):  # type: ignore[no-untyped-def]
    return book[t(key, lang)[:31]]


def _sources_rows(book, lang: str) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    rows = list(_sheet(book, "sheet.provenance", lang).iter_rows(values_only=True))
    return {r[0]: r for r in rows[1:] if r and r[0]}


# -- S5: key_figures.json cites the district tables as the page does ---------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", [*SEEDS, "gor"])
def test_pagesl_key_figures_cite_the_district_tables_as_the_page_does(built, demo_dir, demo_ds, code, lang):
    """S5: a district's (a province's) key_figures.json lists, for workforce, targets and plans, the one cell its
    page's sources table shows, naming no outlet of another district's (province's) rows, and its per-column
    counts are those rows', counted here with pandas."""
    b = built(code, lang)
    codes = _gorontalo_codes(demo_ds) if code == "gor" else [code]
    assert (len(codes) == 6) if code == "gor" else True
    sources_sheet = _sources_rows(b["xlsx"], lang)
    for name in CITED_TABLES:
        raw = _raw(demo_dir, name)
        own = raw[raw["district_code"].isin(codes)]
        info = b["key"]["provenance"]["tables"][name]
        (cell,) = info["sources"]
        assert cell in b["lines"], (code, name, cell)  # the page's sources table shows that very cell
        assert sources_sheet[t(f"table.{name}", lang)][1] == cell  # and so does the workbook's sources sheet
        others = " ".join(raw.loc[~raw["district_code"].isin(codes), "source"].astype(str))
        mine = " ".join(own["source"].astype(str))
        for outlet, seed_word in zip(OUTLETS, ("ANTARA", "Metro Sulteng", "PPID", "hariantoday")):
            if seed_word in others and seed_word not in mine:  # an article only other districts' rows cite
                assert outlet not in json.dumps(info, ensure_ascii=False), (code, name, outlet)
        assert info["cited_rows"] == len(own)
        for col, counts in info["columns"].items():  # the cited rows' filled cells, per column
            assert sum(r["rows"] for r in counts) == int(own[col].notna().sum()), (code, name, col)


@pytest.mark.parametrize("lang", LANGS)
def test_pagesl_national_key_figures_still_cite_every_row(built, lang):
    """S5: the national overview cites every row, as its page does (both district articles in its targets)."""
    b = built("nat", lang)
    targets = " ".join(b["key"]["provenance"]["tables"]["targets"]["sources"])
    assert "Metro Sulteng" in targets and "ANTARA Sulut" in targets


# -- S2b: a district with no row of a table --------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_pagesl_no_row_of_its_own_gets_no_table_status_or_count(built, demo_dir, lang):
    """S2b: Banggai and Minahasa have no row in the plans table (pandas): their page and workbook show the plans
    row with no row count and a status that says there is no row, never "real" and the table's 2 rows; the notes
    sheet says what that row is and does not list the plans table as real. Boalemo, which has a row, keeps its
    real status and the table's count."""
    plans = _raw(demo_dir, "plans")
    name, real = t("table.plans", lang), t("real", lang)
    for code in (BANGGAI, MINAHASA):
        assert not (plans["district_code"] == code).any()
        b = built(code, lang)
        # the page's plans row: source, rows, status, sha256; Minahasa's source cell points to its published plan
        # instead (reader 15, R15-7: sindomanado.com's 15,431 for 2026, in the published facts)
        i = next(j for j, x in enumerate(b["lines"]) if x.startswith("– (") and b["lines"][j - 1] == name)
        assert (b["lines"][i] == t("own_rows_none", lang)) == (code == BANGGAI)
        assert ("sindomanado.com" in b["lines"][i]) == (code == MINAHASA)
        assert b["lines"][i + 1] == "–" and b["lines"][i + 2] == t("no_own_rows", lang) != real
        row = _sources_rows(b["xlsx"], lang)[name]
        assert row[2] is None and row[3] == t("no_own_rows", lang)
        notes = list(_sheet(b["xlsx"], "sheet.notes", lang).iter_rows(values_only=True))
        assert not any(r[0] == real and name in str(r[1]).split(", ") for r in notes)
        said = [r[1] for r in notes if r[0] == t("sheet.provenance", lang)]
        assert any(str(x).startswith(f"{name}: ") and str(len(plans)) in str(x) for x in said), said
    b = built(BOALEMO, lang)
    row = _sources_rows(b["xlsx"], lang)[name]
    assert row[2] == len(plans) and row[3] == real


# -- S6: "all" when all the area's districts use its target -----------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_pagesl_overview_says_all_when_all_districts_use_the_target(built, demo_dir, demo_ds, lang):
    """S6: every Gorontalo district's latest target is the area's (pandas), so the card and the methods say "all"
    ("semua"), never "most" ("sebagian besar"); the national overview names its own target, the RPJMN's, with the
    count of districts that use it (reader 14, R14-10), not "most"."""
    targets = _raw(demo_dir, "targets").sort_values("target_year").groupby("district_code").tail(1)
    codes = _gorontalo_codes(demo_ds)
    gor = targets[targets["district_code"].isin(codes)]
    assert len(gor) == len(codes) == 6 and gor[["coverage_target_pct", "target_year"]].drop_duplicates().shape[0] == 1
    most, all_ = ("sebagian besar", "semua") if lang == "id" else ("most of", "all of")
    text = "\n".join(built("gor", lang)["lines"])
    assert most not in text and f"{all_} " in text
    assert f"(6 {'dari' if lang == 'id' else 'of'} 6;" in text
    # the nation: the share counted with pandas, "most" and the count
    nat_share = targets.groupby(["coverage_target_pct", "target_year"]).size().max()
    n_all = len(demo_ds.registry.districts)
    assert len(targets) == n_all and nat_share < n_all and 2 * nat_share > n_all
    nat = "\n".join(built("nat", lang)["lines"])
    assert most not in nat and "RPJMN 2025–2029" in nat
    assert f"{nat_share:,}".replace(",", "." if lang == "id" else ",") in nat


@pytest.mark.parametrize("lang", LANGS)
def test_pagesl_overview_target_source_reads_as_the_page(built, lang):
    """The overview key_figures.json `target_source`: "<words>: <citation>", as the district pages write it, with
    the words the card shows, not "<words> (<citation>)"."""
    for area in ("gor", "nat"):
        b = built(area, lang)
        src = b["key"]["target_source"]
        words, sep, citation = src.partition(": ")
        # the RPJMN's recorded publication (data/published/citations.csv: publisher, then title)
        assert sep and citation.startswith("Kabaran.id, Kemendagri Dorong Percepatan Jaminan Sosial"), citation
        assert "(Kabaran" not in src and not src.endswith(")")
        card = next(x for x in b["lines"] if x.startswith("43,9 % (2029) – " if lang == "id" else "43.9 % (2029) – "))
        assert words in card, (words, card)


# -- S7: the scenario card ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_pagesl_scenario_card_does_not_repeat_its_label(built, demo_dir, lang):
    """S7: Muna Barat's card "Scenario with plans not yet budgeted, 2029-12": its value gives the projection with
    the plan (10,000 workers from 2026, from the plans table) without saying "Scenario (not yet budgeted)" again."""
    plans = _raw(demo_dir, "plans")
    plan = plans[(plans["district_code"] == MUNA_BARAT) & (plans["plan"] == "planned_apbd_workers")].iloc[0]
    b = built(MUNA_BARAT, lang)
    label = f"{t('plan_scenario_label', lang)}, 2029-12"
    value = b["lines"][b["lines"].index(label) + 1]
    assert not value.lower().startswith(("skenario", "scenario")) and t("plan_scenario_label", lang) not in value
    assert ("10.000" if lang == "id" else "10,000") in value and str(int(plan["year"])) in value
    assert value[0].isdigit() and "%" in value


# -- S12: no plan scenario row without a plan --------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_pagesl_no_plan_row_without_a_plan(built, demo_dir, lang):
    """S12: Banggai and Boalemo have no plan of funded workers (pandas: no `planned_apbd_workers` row), so the
    funding-scenario table (page, workbook, key_figures.json) has no "with plans not yet budgeted" row and the
    page says nothing of plans not yet budgeted; Muna Barat, which has one, keeps its row (worded for its ended
    agreement)."""
    plans = _raw(demo_dir, "plans")
    funded = set(plans.loc[plans["plan"] == "planned_apbd_workers", "district_code"])
    row, words = t("as_planned", lang), ("belum dianggarkan" if lang == "id" else "not yet budgeted")
    for code in (BANGGAI, BOALEMO):
        assert code not in funded
        b = built(code, lang)
        assert row not in b["lines"] and not any(words in x for x in b["lines"])
        sheet = [r[0] for r in _sheet(b["xlsx"], "sheet.projection_scenarios", lang).iter_rows(values_only=True)]
        assert row not in sheet and len(sheet) == 3  # header, today's level, no renewal
        assert [r["funding_scenario"] for r in b["key"]["projection_scenarios"]] == ["current_level", "no_renewal"]
    assert MUNA_BARAT in funded
    b = built(MUNA_BARAT, lang)
    assert t("as_planned_unfunded", lang) in b["lines"]  # its row, worded for no agreement running (reader 11, L1)
    assert "as_planned" in [r["funding_scenario"] for r in b["key"]["projection_scenarios"]]


# -- S13: one order of JKK and JKM ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", [BOALEMO, MUNA_BARAT])
def test_pagesl_budget_tables_order_jkk_and_jkm_alike(built, code, lang):
    """S13: "Budget scenarios" and "Budget to the target" put the JKK column before the JKM column, on the page
    and in the workbook."""
    jkk, jkm = t("expected_jkk_cases", lang), t("expected_jkm_deaths", lang)
    b = built(code, lang)
    for sheet in ("sheet.budget", "sheet.budget_plan"):
        header = [c.value for c in _sheet(b["xlsx"], sheet, lang)[1]]
        assert header.index(jkk) < header.index(jkm), (sheet, header)
    at = [i for i, x in enumerate(b["lines"]) if x in (jkk, jkm)]
    assert len(at) == 4  # two tables, each with both columns
    assert [b["lines"][i] for i in at] == [jkk, jkm, jkk, jkm]


# -- the one function over a set of codes ---------------------------------------------------------------------------
def test_pagesl_rows_cited_over_one_code_a_province_and_the_nation(demo_ds, demo_dir):
    """One function cites a district's own rows (its code), a province's districts' rows (their codes) and, for
    the nation (None), nothing filtered; rows counted here with pandas."""
    from ucj.presentation.district import rows_cited

    plans = _raw(demo_dir, "plans")
    one = rows_cited(demo_ds, BOALEMO, "en")
    assert one["plans"].cell.startswith("This district's rows: hariantoday.com")
    assert one["plans"].rows == int((plans["district_code"] == BOALEMO).sum()) == 1
    assert one["targets"].cell.startswith("This district's target: ")
    codes = _gorontalo_codes(demo_ds)
    area = rows_cited(demo_ds, codes, "id")
    assert area["workforce"].rows == int(_raw(demo_dir, "workforce")["district_code"].isin(codes).sum())
    assert area["plans"].cell.startswith("Baris kabupaten/kota di provinsi ini: hariantoday.com")
    none = rows_cited(demo_ds, ["71.01"], "en")["plans"]  # a province-like set with no plan row
    assert none.rows == 0 and none.status == "no_area_rows" and none.cell == t("area_rows_none", "en")
    assert rows_cited(demo_ds, None, "en") == {}


@pytest.mark.parametrize("lang", LANGS)
def test_pagesl_target_share_words_follow_the_count(built, lang):
    """S6 by hand: the Gorontalo overview's figures with 4 of 6 districts on the target read "most (4 of 6)";
    with 2 of 6 (more than any other target, not most) neither "all" nor "most"; with 6 of 6, "all"."""
    import dataclasses

    ov = built("gor", lang)["report"]
    saved = ov.area
    most, all_ = (("dipakai sebagian besar kabupaten", "dipakai semua kabupaten") if lang == "id"
                  else ("most of the area's districts", "all of the area's districts"))
    of = "dari" if lang == "id" else "of"
    try:
        for share, want, not_want in ((6, all_, most), (4, most, all_), (2, None, None)):
            ov.area = dataclasses.replace(saved, target_districts=share, area_districts=6)
            card, method = ov.target_text(), next(x for x in ov.methods_lines() if x.startswith(
                "Target wilayah" if lang == "id" else "The area's target"))
            for text in (card, method):
                assert f"({share} {of} 6" in text or share == 6 and text is card
                if want:
                    assert want in text and not_want not in text
                else:
                    assert most not in text and all_ not in text
                    assert ("daripada target lain" if lang == "id" else "than any other") in text
    finally:
        ov.area = saved
