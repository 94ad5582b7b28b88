"""Reader 10's findings on the demo seed pages, the overviews and the index (N1-N6), in both languages.

Expected facts come from the demo's parquet files, the recorded publications (data/published/*.csv) and hand
arithmetic, never from the figures the page itself computed."""

from __future__ import annotations

import html as html_lib
import re

import pandas as pd
import pytest
from conftest import REPO

from ucj.presentation.i18n import t, tf

LANGS = ("id", "en")
MUNA_BARAT, BOALEMO, MINAHASA = "74.13", "75.02", "71.02"


def _text(parts: list[str]) -> str:
    page = re.sub(r"<style>.*?</style>", " ", "\n".join(parts), flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("lang", LANGS)
def test_n2_the_assumptions_note_gives_the_contribution_no_year_its_sources_lack(district_page, lang):
    """The contribution row cites publications of 2021, 2023 and an undated page (national_figures.csv): the note
    must not call it "contributions 2024"."""
    figures = pd.read_csv(REPO / "data" / "published" / "national_figures.csv", dtype=str, keep_default_na=False)
    bpu = figures[figures["figure"].str.startswith("bpu_")]
    assert len(bpu) and not bpu["period"].str.startswith("2024").any()  # the contribution's publications: no 2024
    text = _text(district_page(BOALEMO, lang).html())
    assert ("iuran 2024" if lang == "id" else "contributions 2024") not in text


@pytest.mark.parametrize("lang", LANGS)
def test_n3_the_one_million_income_is_marked_as_the_workbooks_arithmetic(district_page, lang):
    assert 16_800 - 6_800 == 0.01 * 1_000_000  # the arithmetic the page states, by hand
    text = _text(district_page(BOALEMO, lang).html())
    assert ("golongan penghasilan terendah" if lang == "id" else "lowest income bracket") not in text
    said = ("Rp1.000.000 adalah hitungan buku kerja ini: Rp16.800 − Rp6.800 = 1 % dari Rp1.000.000" if lang == "id"
            else "the Rp 1,000,000 is this workbook's arithmetic: Rp 16,800 − Rp 6,800 = 1 % of Rp 1,000,000")
    assert said in text


@pytest.mark.parametrize("lang", LANGS)
def test_n4_muna_barat_renews_no_agreement_it_no_longer_has(district_page, demo_dir, lang):
    """Muna Barat's APBD agreement ended (no APBD-funded active participant in the last month of the demo data):
    its scenario table names today's level as funding nobody and drops the no-renewal row that repeated it."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    last = e["month"].max()
    mb = e[(e["district_code"] == MUNA_BARAT) & (e["month"] == last)]
    assert mb.loc[mb["funding"] != "self_employer", "active"].sum() == 0  # the premise, from the data
    page = district_page(MUNA_BARAT, lang)
    labels = [str(x) for x in page.report.shown("projection_scenarios").values.iloc[:, 0]]
    assert t("current_level_unfunded", lang) in labels and t("current_level", lang) not in labels
    no_renewal = tf("no_renewal_after", lang, year=str(pd.Timestamp(last).year))  # the data's last year (R16-13)
    assert no_renewal not in labels and t("no_renewal", lang) not in labels
    assert [r["funding_scenario"] for r in page.report.key["projection_scenarios"]] == ["as_planned", "current_level"]
    # a district whose agreement runs keeps both rows
    boalemo = [str(x) for x in district_page(BOALEMO, lang).report.shown("projection_scenarios").values.iloc[:, 0]]
    assert t("current_level", lang) in boalemo and no_renewal in boalemo


@pytest.mark.parametrize("lang", LANGS)
def test_n5_overview_claims_say_which_programmes_they_count(demo_ds, demo_dir, lang):
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, "Gorontalo", lang, figures=True)
    items = dict(ov.summary_items())
    value = next(v for k, v in items.items() if k.startswith(t("claims_12m_label", lang)))
    c = pd.read_parquet(demo_dir / "claims.parquet")
    assert set(c["programme"]) >= {"JKK", "JKM", "JKP", "JHT", "JP"}
    assert "JKK+JKM+JKP" in value and ("tanpa pencairan JHT dan JP" if lang == "id" else "without JHT and JP") in value


def test_n6_the_english_rpjmn_citation_parses(district_page):
    text = _text(district_page(BOALEMO, "en").html())
    assert "development plan's," not in text
    assert "the target of the national medium-term development plan 2025–2029" in text
    assert "Nasional (RPJMN)" not in _text(district_page(BOALEMO, "id").html())  # no parentheses nested there


@pytest.mark.parametrize("lang", LANGS)
def test_n1_the_index_banner_names_the_real_denominator(demo_ds, demo_dir, tmp_path, lang):
    """Minahasa's coverage divides by its potensi list (real: the workforce row's source names ANTARA Sulut for
    that column); the index's synthetic banner must not call every workforce figure made up without saying so."""
    from ucj.presentation import district as district_report
    from ucj.runs.index_page import index_figures, write_index
    from ucj.runs.params import validate_params

    w = pd.read_parquet(demo_dir / "workforce.parquet")
    own = w[(w["district_code"] == MINAHASA) & w["potensi_pekerja"].notna()]
    assert len(own) and own["source"].str.contains("ANTARA").all()  # the premise, from the data
    entries = []
    for code in (MINAHASA, BOALEMO):
        r = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
        entries.append({"district": code, "district_name": r.params.district.full_name, "slug": code, "status": "ok",
                        "html": f"{code.replace('.', '')}/report.html", "key": index_figures(r.key)})
    page = html_lib.unescape(write_index(tmp_path / "index.html", entries, lang, True, "x").read_text())
    banner = re.search(r'<div class="ucj-synthetic">(.*?)</div>', page, re.S).group(1)
    assert "Kabupaten Minahasa" in banner and t("potensi_pekerja", lang) in banner
    assert "Kabupaten Boalemo" not in banner
