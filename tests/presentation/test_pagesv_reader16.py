"""Reader 16's LOW findings (issue 18) on the district pages, the overviews and their workbooks, read as a reader reads
them, in Bahasa Indonesia and English: R16-1, R16-2, R16-4, R16-6, R16-10, R16-11, R16-13, R16-14, R16-15.

What a page should say is worked out here independently: a line's style from the matplotlib artists of the chart
drawn, which province a peer is in from the registry snapshot read as JSON, the article's precision from its own
words (data/published/fact_wording.csv), the data's last month from the enrolment file (pandas), the year BPS first
publishes a province from BPS's raw P0 table (pandas), the laws and their dates from the sources cited (written out
here by hand, as the reader checked them), the chart's labels as a reader would write them (by hand)."""

from __future__ import annotations

import html as html_lib
import json
import re

import openpyxl
import pandas as pd
import pytest

from conftest import REPO
from ucj.presentation.i18n import t

LANGS = ("id", "en")
BOALEMO, POHUWATO, BANGGAI, NABIRE, JAYAPURA = "75.02", "75.04", "72.01", "94.01", "91.03"
PUBLISHED = REPO / "data" / "published"
RAW_P0 = REPO.parent / "shared" / "data" / "raw" / "bps_visdati" / "Persentase Penduduk Miskin (P0) Menurut KabupatenKota.csv"
REGISTRY = REPO / "ucj" / "resources" / "registry.json"


def text_of(parts: list[str]) -> str:
    """The words a reader sees: tags dropped, entities decoded, white space collapsed."""
    words = html_lib.unescape(re.sub(r"<style.*?</style>|<script.*?</script>", " ", "".join(parts), flags=re.S))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", words))


def workbook(path) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def registry_json() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Province names by code and districts (full name, kind, province code) by code, read from the snapshot file."""
    d = json.loads(REGISTRY.read_text(encoding="utf-8"))
    provinces = {code: name for code, name in d["provinces"]}
    districts = {code: {"full": f"{kind} {name}", "kind": kind, "name": name, "province": prov}
                 for code, name, kind, prov, _ in d["districts"]}
    return provinces, districts


# -- R16-1: the Indonesian P0 alt text names the SP2020 mark's line style as drawn -----------------------------------

LINE_WORDS = {":": {"id": "garis bertitik", "en": "dotted line"}, "--": {"id": "garis putus", "en": "dashed line"}}


@pytest.mark.parametrize("lang", LANGS)
def test_r16_1_poverty_alt_names_the_sp2020_line_as_drawn(district_page, lang):
    """The vertical line (the SP2020 mark: one x for all its points) is read from the page's own chart; the alt text
    names its style in the reader's words and not the other style's, as the Methods on the same page do."""
    report = district_page(BOALEMO, lang).report
    ax = report.charts["poverty"].axes[0]
    vertical = [ln for ln in ax.get_lines() if len(set(map(float, ln.get_xdata()))) == 1]
    assert len(vertical) == 1
    style = vertical[0].get_linestyle()
    other = next(s for s in LINE_WORDS if s != style)
    alt = report.alt_text("poverty")
    assert LINE_WORDS[style][lang] in alt and LINE_WORDS[other][lang] not in alt, (style, alt)
    page = text_of(district_page(BOALEMO, lang).html())
    assert LINE_WORDS[style][lang] in page.replace(alt, "")  # the Methods' own words agree with the chart


# -- R16-2: the province penalty is a head start; a page whose peers are all elsewhere says so ------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", [POHUWATO, BOALEMO])
def test_r16_2_peers_rule_is_a_head_start_and_says_when_none_is_in_the_province(district_page, code, lang):
    """Which province each named peer is in comes from the registry snapshot (JSON): the sentence "none of these is
    in <province>" stands on the page exactly when none is (Pohuwato's five are all elsewhere, reader 16), and the rule
    no longer says the province's districts come first."""
    provinces, districts = registry_json()
    report = district_page(code, lang).report
    by_name = {d["full"]: d["province"] for d in districts.values()}
    names = list(report.key["peer_names"])
    own = districts[code]["province"]
    none_inside = not any(by_name[n] == own for n in names)
    if code == POHUWATO:
        assert none_inside  # the reader's case, from the registry
    notes = " ".join(report.peer_notes())
    sentence = {"en": f"None of these districts is in {provinces[own]}",
                "id": f"Tidak satu pun daerah sebanding ini berada di {provinces[own]}"}[lang]
    assert (sentence in notes) == none_inside, notes
    assert {"en": "not a guarantee", "id": "bukan jaminan"}[lang] in notes
    assert not re.search(r"come from the same province first|diutamakan dari provinsi yang sama", notes)


# -- R16-4: the budget plan's seasonal rule only where there is a budget plan -----------------------------------------

@pytest.fixture(scope="module")
def overviews(demo_ds, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The national and the Gorontalo overview, each built with its figures and saved (page and workbook)."""
    from ucj.presentation.overview import build_overview

    out = {}
    for area in (None, "Gorontalo"):
        for lang in LANGS:
            ov = build_overview(demo_ds, area, lang, figures=True)
            folder = tmp_path_factory.mktemp(f"ov{area or 'nat'}{lang}")
            ov.save(folder)
            out[area, lang] = (ov, folder)
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("area", [None, "Gorontalo"])
def test_r16_4_overviews_say_nothing_of_a_budget_plan_they_lack(overviews, area, lang):
    """An overview has no budget-plan table (no heading of it on the page, no sheet of it in the workbook): its
    Methods and its workbook's notes keep the seasonal sentence but leave out how a budget plan counts participants."""
    ov, folder = overviews[area, lang]
    budget_sentence = t("december_seasonal_budget", lang)
    methods = " ".join(ov.methods_lines())
    assert t("december_seasonal_sentence", lang).split("{")[0] in methods  # the seasonal sentence itself stays
    assert budget_sentence not in methods
    sheets = workbook(folder / "tables.xlsx")
    assert t("sheet.budget_plan", lang) not in sheets
    cells = [str(c) for rows in sheets.values() for r in rows for c in r if c]
    assert not any(budget_sentence in c for c in cells)


@pytest.mark.parametrize("lang", LANGS)
def test_r16_4_a_district_with_a_budget_plan_keeps_the_sentence(district_page, lang):
    """Boalemo's page has the budget plan (its table has rows) and says how it counts the participants."""
    page = district_page(BOALEMO, lang)
    assert len(page.report.tables["budget_plan"]) and t("budget_plan", lang) in text_of(page.html())
    assert t("december_seasonal_budget", lang) in " ".join(page.report.policy_sentences())


# -- R16-6: the national panel sheet in the page's words --------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r16_6_panel_sheet_uses_the_pages_words(overviews, lang):
    """The sheet's header for the number of districts is the page table's own row label ("Jumlah kabupaten/kota" /
    "Districts"), with the page's count; the regressor is named as a reader reads it (written out here by hand), and
    no internal name ("districts", "coverage_pct") is left on the sheet."""
    ov, folder = overviews[None, lang]
    page = ov.panel_table()
    label = {"id": "Jumlah kabupaten/kota", "en": "Districts"}[lang]
    assert label in list(page.iloc[:, 0])
    count = page.set_index(page.columns[0]).loc[label].iloc[0]
    sheet = workbook(folder / "tables.xlsx")[t("sheet.panel", lang)]
    head, row = list(sheet[0]), list(sheet[1])
    assert label in head and page.iloc[0, 0] in head  # the count's and the coefficient's labels, as on the page
    assert f"{row[head.index(label)]:,}".replace(",", "." if lang == "id" else ",") == count
    regressor = {"id": "Cakupan (semua peserta aktif / penduduk bekerja) Desember tahun sebelumnya, dalam poin persen",
                 "en": "Coverage (all active participants / working population) of the December before, in percentage "
                       "points"}[lang]
    assert row[0] == regressor
    assert not {"districts", "coverage_pct"} & {str(c) for r in sheet for c in r if c is not None}


# -- R16-10: the Gorontalo scatter keeps "Kab." where the bare name is a province's or a kota's ---------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r16_10_scatter_labels_keep_kab_where_the_name_is_taken(overviews, lang):
    """The labels on the Gorontalo overview's scatter, read from its text artists, are the six names a reader would
    write (by hand): Kabupaten Gorontalo is "Kab. Gorontalo" beside Kota Gorontalo, the others drop "Kabupaten"."""
    ov, _ = overviews["Gorontalo", lang]
    ax = ov.charts["scatter"].axes[0]
    labels = {x.get_text() for x in ax.texts if x.get_text() and x.get_text() not in (ax.get_title(loc="right"),)}
    assert {"Kab. Gorontalo", "Kota Gorontalo", "Boalemo", "Pohuwato", "Bone Bolango", "Gorontalo Utara"} <= labels
    assert "Gorontalo" not in labels


def test_r16_10_short_names_by_hand():
    """Worked by hand from the registry's names: a regency whose bare name is a province (Gorontalo, Bengkulu is not
    a regency) or a kota (Jayapura, Sorong, Bogor) keeps "Kab."; others drop it; a kota keeps its name."""
    from ucj.presentation.plots import short_name

    assert short_name("Kabupaten Gorontalo") == "Kab. Gorontalo"
    assert short_name("Kabupaten Jayapura") == "Kab. Jayapura"
    assert short_name("Kabupaten Sorong") == "Kab. Sorong"
    assert short_name("Kabupaten Bogor") == "Kab. Bogor"
    assert short_name("Kabupaten Boalemo") == "Boalemo"
    assert short_name("Kabupaten Bengkulu Utara") == "Bengkulu Utara"
    assert short_name("Kota Gorontalo") == "Kota Gorontalo"
    provinces, districts = registry_json()  # the premise of the first three, from the snapshot file
    kota = {d["name"] for d in districts.values() if d["kind"] == "Kota"}
    assert "Gorontalo" in provinces.values() and {"Jayapura", "Sorong", "Bogor"} <= kota
    assert "Boalemo" not in kota | set(provinces.values())


# -- R16-11: Boalemo's published change at the article's precision ---------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r16_11_published_change_keeps_the_articles_precision(district_page, lang):
    """The article wrote "penurunan sebanyak 2 %" (its words, fact_wording.csv): a whole number, so the "Published"
    cell reads -2 pp / -2 poin persen, with no decimal, on the page and in the workbook's number format."""
    words = pd.read_csv(PUBLISHED / "fact_wording.csv", dtype=str)
    said = words[(words["district_code"] == BOALEMO) & (words["quantity"] == "p0_change_pp")].iloc[0]["wording"]
    number = re.search(r"sebanyak (\d+(?:[.,]\d+)?) ?%", said).group(1)
    assert number == "2"  # no decimals in the article
    page = district_page(BOALEMO, lang)
    shown = page.report.published_table()
    published = t("published", lang)
    row = shown[shown.apply(lambda r: said[:30] in " ".join(map(str, r.values)), axis=1)].iloc[0]
    assert re.fullmatch(rf"[-−]{number} {re.escape(t('pp', lang))}", str(row[published])), row[published]
    ws = openpyxl.load_workbook(page.folder / "tables.xlsx")[t("sheet.seed_facts", lang)]
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    cells = [r[head.index(published)] for r in ws.iter_rows(min_row=2) if said[:30] in " ".join(str(c.value) for c in r)]
    assert len(cells) == 1 and cells[0].value == -2
    assert t("pp", lang) in cells[0].number_format and "0.0" not in cells[0].number_format, cells[0].number_format


# -- R16-13: the no-renewal scenario names its year ------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r16_13_no_renewal_names_the_last_months_year(district_page, demo_dir, lang):
    """The data's last month (pandas, the enrolment file) is in 2025: the no-renewal row says agreements end after
    2025, on the page and in the workbook's sheet, never "this year"."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet", columns=["month"])
    year = str(pd.Timestamp(e["month"].max()).year)
    page = district_page(BOALEMO, lang)
    label = {"en": f"no renewal (every agreement ends after {year})",
             "id": f"tanpa perpanjangan (semua perjanjian berakhir setelah {year})"}[lang]
    labels = [str(x) for x in page.report.shown("projection_scenarios").values.iloc[:, 0]]
    assert label in labels
    assert label in text_of(page.html())
    cells = [str(c) for rows in workbook(page.folder / "tables.xlsx").values() for r in rows for c in r if c]
    assert label in cells and not any(re.search(r"after this year|setelah tahun ini", c) for c in cells)


# -- R16-14: the Papua split told as it happened -----------------------------------------------------------------------

def _bps_first_year(name: str) -> int:
    """The first year BPS's raw P0 table gives the province a number ("-" where it gives none)."""
    raw = pd.read_csv(RAW_P0, header=None, skiprows=2, dtype=str)
    row = raw[raw[0] == name].iloc[0]
    years = pd.read_csv(RAW_P0, header=None, skiprows=1, nrows=1, dtype=str).iloc[0]
    return min(int(years[i]) for i in range(1, len(row)) if isinstance(row[i], str) and row[i] != "-")


# UU 14, 15, 16/2022 signed 25 July 2022 (mataberita.co.id, 30 July 2022); UU 29/2022 on 8 December 2022 (JDIH Marves)
SIGNED = {"en": "25 July 2022", "id": "25 Juli 2022"}


@pytest.mark.parametrize("lang", LANGS)
def test_r16_14_papua_tengah_formed_in_2022_published_from_2024(district_page, lang):
    """Nabire's province, Papua Tengah, was formed by UU 15/2022 (25 July 2022): the note says so with its source,
    and that BPS publishes it from the first year its raw table has a number (2024), up to which its districts are in
    Papua's figure; it no longer says the province did not yet exist."""
    first = _bps_first_year("PAPUA TENGAH")
    assert first == 2024
    text = district_page(NABIRE, lang).report.province_text()
    assert "15/2022" in text and SIGNED[lang] in text and "mataberita.co.id" in text
    assert {"en": f"from {first}; up to {first - 1}", "id": f"mulai {first}; sampai {first - 1}"}[lang] in text
    assert not re.search(r"did not yet exist|belum terbentuk", text)


@pytest.mark.parametrize("lang", LANGS)
def test_r16_14_papua_figure_on_the_old_boundaries_up_to_2023(district_page, lang):
    """Papua's own BPS row falls from 26.03 (2023) to 17.26 (2024) in the raw table, the year the new provinces first
    have numbers: Jayapura's note names the three laws and says the figure is on the old boundaries up to 2023, not
    "that year's boundaries"."""
    raw = pd.read_csv(RAW_P0, header=None, skiprows=2, dtype=str)
    papua = raw[raw[0] == "PAPUA"].iloc[0]
    assert (papua.iloc[-3], papua.iloc[-2]) == ("26.03", "17.26")
    first = min(_bps_first_year(n) for n in ("PAPUA SELATAN", "PAPUA TENGAH", "PAPUA PEGUNUNGAN"))
    text = district_page(JAYAPURA, lang).report.province_text()
    assert all(law in text for law in ("14/2022", "15/2022", "16/2022")) and SIGNED[lang] in text
    assert {"en": f"before the split up to {first - 1}", "id": f"sampai {first - 1} memakai batas wilayah sebelum"}[lang] \
        in text
    assert not re.search(r"that year's boundaries|batas wilayah tahun itu", text)


# -- R16-15: the workbook's plans sheet is named as the page heads it -------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r16_15_plans_sheet_named_as_the_page_heads_it(district_page, lang):
    """Banggai's page heads its plans table "Plans and targets" / "Rencana dan target" (read from the page's HTML):
    the workbook's sheet holding it has that name, and none is named after the data table ("District plans")."""
    page = district_page(BANGGAI, lang)
    heads = [html_lib.unescape(h) for h in re.findall(r'<h2 class="ucj-h">([^<]+)</h2>', "".join(page.html()))]
    heading = {"en": "Plans and targets", "id": "Rencana dan target"}[lang]
    assert heading in heads
    sheets = workbook(page.folder / "tables.xlsx")
    assert heading in sheets and {"District plans", "Rencana daerah"}.isdisjoint(sheets)
    cells = [str(c) for r in sheets[heading] for c in r if c]
    assert any("RPJMD" in c for c in cells)  # the page's table: Banggai's RPJMD target
