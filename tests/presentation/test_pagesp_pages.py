"""Reader 11's findings M2, M6, L1, L2, L7, L8 and L10: what the seed pages say their figures rest on. Oracles:
hand-worked examples (expected text written out here), the ANTARA article as stored (manado.antaranews.com/berita/
229437, checked with the search tool: headline in its address, no date of its own, "saat ini" for the potensi
figure), Kemendagri's village counts as the reader gave them, and pandas over the demo's Parquet files."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from ucj.presentation.i18n import t

MINAHASA, BANGGAI, MUNA_BARAT, BOALEMO = "71.02", "72.01", "74.13", "75.02"
ANTARA = "seed 003 (ANTARA Sulut; no later than 24 Sep 2023)"
TERM = ("suluttempo.com, Gubernur Olly Minta Lima Penjabat Kepala Daerah Jaga Integritas, Jadi Pemimpin Harus Mampu "
        "menjalankan Tugas dengan Baik, 25 September 2023")


def _text(parts: list[str]) -> str:
    """A page's HTML as a reader reads it: tags dropped, entities undone, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))))


def _village_lines(report) -> list[str]:  # type: ignore[no-untyped-def]
    """The village section's sentences as the page's show_villages displays them."""
    import IPython.display

    shown: list[str] = []
    saved = IPython.display.display
    IPython.display.display = lambda obj: shown.append(obj.data)
    try:
        report.show_villages()
    finally:
        IPython.display.display = saved
    return [_text([x]) for x in shown]


# -- fast: hand-worked examples ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "ANTARA Sulut, Bupati Minahasa targetkan seluruh pekerja dilindungi BPJAMSOSTEK, "
           f"published no later than 24 September 2023, while the Bupati it quotes was in office ({TERM} per the "
           "page address)"),
    ("id", "ANTARA Sulut, Bupati Minahasa targetkan seluruh pekerja dilindungi BPJAMSOSTEK, "
           f"terbit paling lambat 24 September 2023, selagi Bupati yang dikutipnya masih menjabat ({TERM} menurut "
           "alamat halaman)")])
def test_antara_is_cited_by_its_headline_and_its_bound(lang, expected):
    """M2, R15-1: the article's headline is recorded (with its address); its date stays a bound, since the page
    gives none of its own: it quotes "Bupati Minahasa Royke Roring", whose successor, the Penjabat Bupati, was sworn
    in on Monday 25 September 2023 (suluttempo.com, headline and date as its stored page and address give them),
    so it is no later than 24 September 2023, the term's source cited with it. The "Berita Terkait" listing under
    it (latest 14 November 2024) is not the article's date."""
    from ucj.data.published import citations
    from ucj.presentation.tables import DateBound, cite, published_bound

    assert cite(ANTARA, lang) == expected
    row = citations().set_index("source_article").loc[ANTARA]
    assert row["url"] == ("https://manado.antaranews.com/berita/229437/"
                          "bupati-minahasa-targetkan-seluruh-pekerja-dilindungi-bpjamsostek")
    assert published_bound(ANTARA) == DateBound("2023-09-24", "Bupati")
    # a data folder written before (its rows name the article by its old key) finds the same bound
    assert published_bound("seed 003 (ANTARA Sulut; article listing dated 14 Nov 2024)") == DateBound("2023-09-24",
                                                                                                     "Bupati")
    assert published_bound("seed 001 (Metro Sulteng 9 Dec 2025)") is None  # a dated article states its own date


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "the series does not rise (its straight-line trend is flat or falling), so a curve that levels off "
           "towards saturation does not apply"),
    ("id", "deret ini tidak naik (garis trennya datar atau turun), sehingga kurva yang melandai menuju titik jenuh "
           "tidak berlaku")])
def test_a_logistic_curve_refused_for_a_falling_series_says_why(lang, expected):
    """L8: a falling series (hand-made: 30 % down by 0.1 pp a month) is refused by the logistic fit with the cause
    "not_rising", and the page says so in plain words; a fit that did not converge keeps its own sentence."""
    import numpy as np

    from ucj.analysis.projection import fit_logistic
    from ucj.presentation.i18n import reason_text

    t_ = np.arange(36) / 12.0
    with pytest.raises(ValueError, match="does not rise"):
        fit_logistic(t_, 30.0 - 0.1 * np.arange(36))
    assert reason_text("reason_logistic_failed(cause=not_rising)", lang) == expected
    assert reason_text("reason_logistic_failed(cause=no_convergence)", lang) == t("reason_logistic_failed", lang)


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "The 2024-12 figures include 9,500 BPU participants funded by the APBD, whose agreement ended after "
           "2024-12: the change in each desa and kelurahan includes their leaving, not only the village's own trend "
           "(see the line on the agreement's end in the section “Additional workers needed per month”)."),
    ("id", "Angka 2024-12 mencakup 9.500 peserta BPU yang dibiayai APBD, yang perjanjiannya berakhir setelah 2024-12: "
           "perubahan di setiap desa dan kelurahan mencakup keluarnya mereka, bukan hanya tren desa itu sendiri (lihat "
           "kalimat tentang berakhirnya perjanjian di bagian “Tambahan pekerja yang diperlukan per bulan”).")])
def test_the_village_change_names_an_agreement_end_in_between(lang, expected):
    """L7, hand-made: the year-before month (2024-12) held 9,500 APBD-funded BPU participants and the APBD
    agreement's workers left in 2025-01, inside the year to 2025-12: one note. An end outside the year, or of
    another segment, or of a funding the year-before month did not hold, gives none."""
    from ucj.analysis.villages import VillageFigures
    from ucj.presentation.villages_view import agreement_end_notes

    f = VillageFigures(MUNA_BARAT, pd.Timestamp("2025-12-01"), pd.Timestamp("2024-12-01"), None, pd.DataFrame(),
                       None, None, 81, 635, 0, 11_935, (), 0, 5, {"apbd": 9_500})
    ends = pd.DataFrame({"month": [pd.Timestamp("2025-01-01")], "last_active_month": ["2024-12"],
                         "segment": ["BPU"], "funding": ["apbd"]})
    assert agreement_end_notes(f, lang, ends) == [expected]
    assert agreement_end_notes(f, lang, ends.assign(month=pd.Timestamp("2024-06-01"))) == []
    assert agreement_end_notes(f, lang, ends.assign(segment="PU")) == []
    assert agreement_end_notes(f, lang, ends.assign(funding="csr")) == []


# -- the seed pages (slow: whole demo pages) -----------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(("lang", "rule", "held"), [
    ("en", "Year of the latest potential workers – potensi pekerja figure not stated in its source; treated as 2023: "
           "the article is no later than 24 September 2023, when the Bupati it quotes left office.",
     "(132,104, treated as 2023: year of the figure not stated, see “Summary”)"),
    ("id", "Tahun angka potensi pekerja terakhir tidak disebut sumbernya; angka itu dianggap untuk tahun 2023: "
           "artikelnya terbit paling lambat 24 September 2023, saat Bupati yang dikutipnya mengakhiri masa jabatannya.",
     "(132.104, dianggap 2023: tahun angka tidak disebut, lihat “Ringkasan”)")])
def test_minahasa_says_the_potensi_year_is_assumed(district_page, lang, rule, held):
    """M2, R15-1: the article says "saat ini" and gives no date; the page states the year as the workbook's
    assumption under the summary (2023: the article quotes Bupati Royke Roring, in office to 24 September 2023),
    and where the held denominator prints its year it refers there; page and workbook alike in the published
    table; neither says 2024 or the listing's 14 November 2024 for this source."""
    import openpyxl

    b = district_page(MINAHASA, lang)
    text = _text(b.html())
    assert rule in text and held in text
    assert t("citation_title_not_recorded", lang) not in text
    assert "14 November 2024" not in text and "2024-11" not in text
    # the card's period: "participants 2025-12 / potential workers – potensi pekerja 2023, assumed"
    assert f"{t('potensi_pekerja', lang)} 2023" in text and f"{t('potensi_pekerja', lang)} 2024" not in text
    wb = openpyxl.load_workbook(b.folder / "tables.xlsx", read_only=True)
    rows = [r for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]
    potensi = [r for r in rows if r and r[0] == t("potensi_pekerja", lang)]
    assert potensi and held.split(", ", 1)[1].rstrip(")") in potensi[0]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_plans_in_the_data_are_marked_synthetic(district_page, demo_dir, lang):
    """M6: the demo's values in "In the data now" carry the published table's mark; Boalemo's 5,000 names its
    start month in the data (pandas: the first month of the APBD run, 2025-11) as the demo's assumption."""
    import openpyxl

    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    b_apbd = e[(e["district_code"] == BOALEMO) & (e["funding"] == "apbd")].groupby("month")["active"].sum()
    start = b_apbd[b_apbd > 0].index.min()
    assert (b_apbd[b_apbd.index >= start] > 0).all() and f"{start:%Y-%m}" == "2025-11"
    now = int(b_apbd.iloc[-1])
    synthetic = "synthetic" if lang == "en" else "sintetis"
    expected = {"en": f"{now:,} (synthetic; the start month, 2025-11, is the demo's assumption)",
                "id": f"{now:,}".replace(",", ".") + " (sintetis; bulan mulainya, 2025-11, adalah asumsi data demo)"}
    plans = district_page(BOALEMO, lang).report.plans_table()
    cells = list(plans[t("data_now", lang)])
    assert expected[lang] in cells
    muna = list(district_page(MUNA_BARAT, lang).report.plans_table()[t("data_now", lang)])
    assert f"0 ({synthetic})" in muna
    minahasa = list(district_page(MINAHASA, lang).report.plans_table()[t("data_now", lang)])
    assert any(str(c).endswith(f"% ({synthetic})") for c in minahasa)
    wb = openpyxl.load_workbook(district_page(BOALEMO, lang).folder / "tables.xlsx", read_only=True)
    found = [r for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
             if r and any(str(c).startswith(expected[lang].split(" (", 1)[1].split(",")[0]) for c in r if c)]
    assert found  # the workbook's plans sheet says it in its own column


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "rule", "plan"), [
    ("en", "The verdict counts only the workers whose contributions are funded today: no worker is funded by the "
           "budget today;", "10,000 APBD-funded workers from 2026 (assumed renewed each year to 2029)"),
    ("id", "Penilaian hanya menghitung pekerja yang iurannya sudah dibiayai saat ini: saat ini tidak ada pekerja "
           "yang dibiayai anggaran;", "10.000 pekerja APBD mulai 2026 (diasumsikan diperpanjang setiap tahun hingga 2029)")])
def test_muna_barat_renews_nothing_and_holds_its_plan_openly(district_page, demo_dir, lang, rule, plan):
    """L1 and L2: nobody is funded in 2025-12 (pandas), so no agreement is "renewed"; the 2026 plan, held to the
    target year 2029, says so on the summary card and in the scenario sentence. L7: the village change note gives
    the year-before month's APBD-funded BPU participants (pandas over the village table: 9,500). L10: 81 desa and
    5 kelurahan."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    m = e[(e["district_code"] == MUNA_BARAT) & (e["month"] == "2025-12-01") & (e["funding"] != "self_employer")]
    assert int(m["active"].sum()) == 0
    b = district_page(MUNA_BARAT, lang)
    text = _text(b.html())
    assert rule in text and "dianggap diperpanjang" not in text and "assumed renewed)" not in text
    cards = dict(b.report.summary_items())
    assert any(plan in v for v in cards.values())
    assert plan in b.report.plan_scenario_text()
    v = pd.read_parquet(demo_dir / "village_enrolment.parquet")
    before = v[(v["district_code"] == MUNA_BARAT) & (v["month"] == "2024-12-01") & (v["segment"] == "BPU")
               & (v["funding"] == "apbd")]["active"].sum()
    assert int(before) == 9_500
    villages = " ".join(_village_lines(b.report))  # the village section, as show_villages prints it
    assert ("9,500 BPU participants funded by the APBD" if lang == "en" else "9.500 peserta BPU yang dibiayai APBD") \
        in villages
    assert "(81 desa, 5 kelurahan)" in villages


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_banggai_names_its_kelurahan_and_why_no_logistic_curve(district_page, lang):
    """L10: Banggai has 291 desa and 46 kelurahan (Kemendagri, as reader 11 gives them); L8: its series does not
    rise, said in those words."""
    b = district_page(BANGGAI, lang)
    text = _text(b.html())
    assert "(291 desa, 46 kelurahan)" in " ".join(_village_lines(b.report))
    assert ("the series does not rise" if lang == "en" else "deret ini tidak naik") in text
    assert t("reason_logistic_failed", lang) not in text
