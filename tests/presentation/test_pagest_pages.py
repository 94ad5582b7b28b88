"""Reader 14's LOW findings on the district pages and the overviews (issue 18: R14-3, R14-4, R14-6, R14-9, R14-10,
R14-11), read as a reader reads them, in Bahasa Indonesia and English.

What a page should say is worked out here independently: the growth rate and its years from the workforce table
with pandas, the seasonal components with statsmodels' STL, the article's words and dates from the seed article
itself (../shared/seeds), the RPJMN target's outlet and date from data/published/citations.csv read with pandas,
the sample districts' names from the district registry."""

from __future__ import annotations

import html as html_lib
import re

import openpyxl
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import STL

from conftest import REPO, sections_html
from ucj.presentation.i18n import fmt_pct, fmt_signed_int, t

LANGS = ("id", "en")
MINAHASA, BANGGAI, BOALEMO, MUNA_BARAT = "71.02", "72.01", "75.02", "74.13"
SEEDS_DIR = REPO.parent / "shared" / "seeds"


def text_of(parts: list[str]) -> str:
    """The words a reader sees: tags dropped, entities decoded, white space collapsed."""
    words = html_lib.unescape(re.sub(r"<style.*?</style>|<script.*?</script>", " ", "".join(parts), flags=re.S))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", words))


def _seed(number: str) -> str:
    return re.sub(r"\s+", " ", next(SEEDS_DIR.glob(f"{number}_*.txt")).read_text(encoding="utf-8"))


# -- R14-3: the denominator's growth carries its period and basis --------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", [BOALEMO, BANGGAI, MUNA_BARAT])
def test_r14_3_growth_has_its_years_target_year_and_basis(district_page, demo_dir, code, lang):
    """The need sentence and the Methods line say which years the growth is computed over (the last six known,
    2020-2025, by pandas), its rate, the year it is carried to and that the working population is made up."""
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    w = w[w["district_code"] == code].dropna(subset=["working_population"]).sort_values("year").tail(6)
    first, last = int(w["year"].iloc[0]), int(w["year"].iloc[-1])
    rate = 100 * ((w["working_population"].iloc[-1] / w["working_population"].iloc[0]) ** (1 / (last - first)) - 1)
    page = district_page(code, lang)
    year = page.report.projection.target_year
    words = {"en": f"the working population's yearly growth {first}–{last}, {fmt_pct(rate, lang)}, carried on to "
                   f"{year}; synthetic demo data",
             "id": f"pertumbuhan tahunan penduduk bekerja {first}–{last}, {fmt_pct(rate, lang)}, diteruskan sampai "
                   f"{year}; data demo sintetis"}[lang]
    need = text_of(page.html(("show_workers_needed",)))
    methods = text_of(page.html(("show_data_notes",)))
    assert f"({words})" in need and f"({words})" in methods
    assert not re.search(r"denominator growing|penyebut tumbuh", need + methods)


@pytest.mark.parametrize("lang", LANGS)
def test_r14_3_a_held_denominator_keeps_its_own_sentence(district_page, lang):
    """Minahasa's potensi list lags and has no growth: the need says the denominator is held, no growth words."""
    need = text_of(district_page(MINAHASA, lang).html(("show_workers_needed",)))
    assert ("ditahan" if lang == "id" else "held") in need
    assert not re.search(r"yearly growth|pertumbuhan tahunan", need)


# -- R14-4: the page and the workbook say each month adds its own seasonal component -------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r14_4_page_and_sheet_say_each_month_adds_its_own(district_page, demo_ds, lang):
    """Boalemo: January's and December's STL components (statsmodels: -350 and +210, the reader's own) are named on
    the page and on the workbook's notes for the projection sheet; the old "December's level in every month" is
    gone from the page."""
    e = demo_ds.enrolment
    own = e[(e["district_code"] == BOALEMO) & (e["funding"] == "self_employer")].groupby("month")["active"].sum()
    seasonal = STL(own.sort_index().to_numpy(dtype="float64"), period=12, robust=True).fit().seasonal
    months = own.sort_index().index[-12:]
    january, december = (float(seasonal[-12:][list(months.month).index(m)]) for m in (1, 12))
    assert (round(january), round(december)) == (-350, 210)
    page = district_page(BOALEMO, lang)
    text = text_of(page.html())
    said = {"en": f"January {fmt_signed_int(january, lang)} participants; December {fmt_signed_int(december, lang)}",
            "id": f"Januari {fmt_signed_int(january, lang)} peserta; Desember {fmt_signed_int(december, lang)}"}[lang]
    assert said in text
    assert not re.search(r"read at December's seasonal level|dibaca pada tingkat musiman Desember", text)
    wb = openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)
    notes = [tuple(r) for r in wb[wb.sheetnames[0]].iter_rows(values_only=True)]
    assert any(r[0] == t("sheet.projection", lang) and said in str(r[1]) for r in notes)


# -- R14-6: Muna Barat's claims quote the article's period and its two start dates ---------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r14_6_muna_barat_claims_say_the_articles_period(district_page, lang):
    """The quoted words carry the article's own period ("Sejak berjalan pada November 2024 hingga saat ini"), and
    the row says the article gives two start dates (both found in seed 004), which one the page counts from (the
    APBD programme's first month) and that the article's count runs to its meeting (30/7/2025 in the article)."""
    seed = _seed("004")
    period = "Sejak berjalan pada November 2024 hingga saat ini"
    assert period in seed and "sejak November 2022" in seed and "(30/7/2025)" in seed
    page = district_page(MUNA_BARAT, lang)
    table = page.report.published_table()
    head = t("quantity", lang)
    rows = table[table[head].isin([t("claim_count", lang), t("claim_amount_rp", lang)])]
    assert len(rows) == 2
    for _, row in rows.iterrows():
        cells = " ".join(str(v) for v in row.to_numpy())
        assert period in cells
        assert "November 2022" in cells and "November 2024" in cells and "2025-07" in cells
        start = {"en": "this page counts from 2022-11", "id": "halaman ini menghitung sejak 2022-11"}[lang]
        assert start in cells
    text = text_of(page.html(("show_seed_facts",)))
    assert ("dua awal program" if lang == "id" else "two start dates") in text


# -- R14-9: a district without village data is not promised a quota -----------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r14_9_no_village_data_promises_no_quota(district_page, demo_dir, lang):
    """Kabupaten Gorontalo has no village rows in the demo (pandas) and no quota: the page asks for the table to
    see participants per desa, and mentions a quota only where the district has one."""
    v = pd.read_parquet(demo_dir / "village_enrolment.parquet")
    assert not (v["district_code"] == "75.01").any()
    page = district_page("75.01", lang)
    text = text_of(sections_html(page.report, ("show_villages",)))
    assert {"en": "to see participants per desa/kelurahan (and each desa against a quota, where the district has one)",
            "id": "untuk melihat peserta per desa/kelurahan (dan setiap desa terhadap kuota, bila kabupaten/kota "
                  "memiliki kuota)"}[lang] in text
    assert not re.search(r"against its quota|terhadap kuotanya", text)


# -- R14-10: the national overview names the nation's own target ---------------------------------------------

@pytest.fixture(scope="module")
def overviews(demo_ds):  # type: ignore[no-untyped-def]
    from ucj.presentation.overview import build_overview

    return {(area, lang): build_overview(demo_ds, area, lang, figures=True)
            for area in (None, "Gorontalo") for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_r14_10_national_target_is_the_rpjmn_cited_in_place(overviews, demo_ds, lang):
    """The nation's 43.9 % is the RPJMN 2025-2029 target (citations.csv, read with pandas: Kabaran.id, 2025-05-15),
    cited where it is shown (summary and Methods); it is not called a default the districts share, and the
    Methods do not say the area has no target of its own. A province keeps its wording."""
    c = pd.read_csv(REPO / "data" / "published" / "citations.csv", dtype=str, keep_default_na=False)
    row = c[c["source_article"].str.startswith("RPJMN 2025-2029")].iloc[0]
    date = pd.Timestamp(row["date"])
    month = {"en": date.strftime("%B"), "id": "Mei"}[lang] if date.month == 5 else None
    assert month is not None  # the citation's month is May (2025-05-15)
    cited = f"{row['publisher']}, {row['title']}, {date.day} {month} {date.year}"  # outlet, title, date (R17-4)
    ov = overviews[None, lang]
    summary = dict(ov.summary_items())[t("target", lang)]
    methods = " ".join(ov.methods_lines())
    name = {"en": "the national RPJMN 2025–2029 target", "id": "target nasional RPJMN 2025–2029"}[lang]
    for text in (summary, methods):
        assert f"{name} ({cited}; " in text
    assert not re.search(r"national default|target bawaan nasional|no target of its own in the data|"
                         r"tidak memiliki target sendiri dalam data", summary + methods)
    latest = demo_ds.targets.sort_values("target_year").groupby("district_code").tail(1)
    own = int((~latest["target_source"].astype(str).str.startswith("default: ")).sum())
    total = len(demo_ds.registry.districts)
    shared = {"en": f"{total - own:,} of {total:,} districts", "id": f"{total - own} dari {total} kabupaten/kota"}[lang]
    assert shared in methods
    province = overviews["Gorontalo", lang]
    assert name not in dict(province.summary_items())[t("target", lang)]
    assert t("default_target_area", lang) in dict(province.summary_items())[t("target", lang)]


# -- R14-11: the Indonesian banner names the four sample districts -----------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r14_11_banner_names_the_sample_districts(district_page, demo_ds, lang):
    """Every banner variant, in both languages, names the four sample districts (their names from the registry,
    each found in the seed articles) and says their published facts are real; a Kota Gorontalo reader sees it."""
    reg = demo_ds.registry.districts.set_index("code")
    names = [str(reg.loc[code, "name"]) for code in (MINAHASA, BANGGAI, BOALEMO, MUNA_BARAT)]
    seeds = " ".join(_seed(n) for n in ("000", "001", "002", "004"))
    assert names == ["Minahasa", "Banggai", "Boalemo", "Muna Barat"] and all(n in seeds for n in names)
    listed = "(" + ", ".join(names) + ")"
    for key in ("synthetic_banner", "synthetic_banner_real_denominator", "synthetic_banner_real_workforce"):
        assert listed in t(key, lang), key
    assert "contoh nyata" not in t("synthetic_banner", "id")
    banner = text_of(district_page("75.71", lang).html(("show_banner",)))
    assert listed in banner and ("adalah data nyata" if lang == "id" else "are real") in banner
