"""Reader 15's R15-1 (issue 18): ANTARA Sulut's Minahasa article is no later than 24 September 2023, not "14 November
2024". It quotes "Bupati Minahasa Royke Roring"; his successor, the Penjabat Bupati, was sworn in on Monday 25
September 2023 (suluttempo.com, "Gubernur Olly Minta Lima Penjabat Kepala Daerah Jaga Integritas, ...", its address
dated /2023/09/25/; mediaaku.com, September 2023: the terms ended "hingga tanggal 24 September 2023"). The 14 November
2024 is the latest date of the "Berita Terkait" listing under the stored article. Oracles: the seed article's own
text, the term's end transcribed here from those two pages, citations.csv read with pandas, pandas on the demo
tables, and the catalogue's sentences filled by hand."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from ucj.presentation.i18n import fmt_int, fmt_pct, t

MINAHASA = "71.02"
SEED_003 = next((REPO.parent / "shared" / "seeds").glob("003_*.txt"))
PUBLISHED = REPO / "data" / "published"
SWORN_IN = date(2023, 9, 25)  # the Penjabat Bupati Minahasa's swearing-in (suluttempo.com; mediaaku.com)
TERM_END = SWORN_IN - timedelta(days=1)  # Bupati Royke Roring's last day in office


def _antara_row() -> pd.Series:
    c = pd.read_csv(PUBLISHED / "citations.csv", dtype=str, keep_default_na=False)
    (row,) = [r for _, r in c.iterrows() if r["source_article"].startswith("seed 003 ")]
    return row


def test_the_article_quotes_the_bupati_and_the_listing_is_not_its_date():
    body, listing = SEED_003.read_text(encoding="utf-8").split("Berita Terkait", 1)
    assert body.startswith("Manado (ANTARA) - Bupati Minahasa Royke Roring ")
    assert ", Minggu." in body  # its only date: a Sunday; 24 September 2023 was one
    assert TERM_END.weekday() == 6
    assert "14 November 2024" in listing and "2024" not in body


def test_the_citation_is_bounded_by_the_end_of_the_term_it_cites():
    """The table's bound is the term's end, kind office_term (not listing), the office the article names, and the
    term's source a row of its own whose date is the one its address carries."""
    c = pd.read_csv(PUBLISHED / "citations.csv", dtype=str, keep_default_na=False).set_index("source_article")
    row = _antara_row()
    assert (row["date"], row["date_note"], row["office"]) == (TERM_END.isoformat(), "office_term", "Bupati")
    assert f"{row['office']} Minahasa Royke Roring" in SEED_003.read_text(encoding="utf-8")
    term = c.loc[row["office_source"]]
    assert term["publisher"] == "suluttempo.com" and term["title"].startswith("Gubernur Olly Minta Lima Penjabat")
    y, m, d = re.search(r"/(\d{4})/(\d\d)/(\d\d)/", term["url"]).groups()
    assert term["date"] == f"{y}-{m}-{d}" == SWORN_IN.isoformat() and term["date_note"] == "url"
    # every published Minahasa figure of the article is dated to the bound's month, the quota too
    facts = pd.read_csv(PUBLISHED / "seed_facts.csv", dtype=str, keep_default_na=False)
    mine = facts[facts["source_article"] == row["source_article"]]
    assert len(mine) == 7 and set(mine["date"]) == {f"{TERM_END:%Y-%m}"}
    quotas = pd.read_csv(PUBLISHED / "village_quotas.csv", dtype=str, keep_default_na=False)
    assert set(quotas.loc[quotas["district_code"] == MINAHASA, "date"]) == {f"{TERM_END:%Y-%m}"}


def test_fact_period_bounds_an_office_term_as_a_listing():
    """A hand-made citations table: an office_term row and a listing row both give (month, "no_later_than"); a
    dated article its own month, unbounded."""
    from ucj.analysis.facts import PERIOD_NO_LATER_THAN, fact_period

    cites = pd.DataFrame({"source_article": ["a", "b", "c"], "quantity": ["", "", ""],
                          "date": ["2023-09-24", "2024-11-14", "2025-10-05"],
                          "date_note": ["office_term", "listing", ""]})
    assert fact_period("a", "2099-01", cites=cites) == ("2023-09", PERIOD_NO_LATER_THAN)
    assert fact_period("b", "2099-01", cites=cites) == ("2024-11", PERIOD_NO_LATER_THAN)
    assert fact_period("c", "2099-01", cites=cites) == ("2025-10", "")


@pytest.fixture(scope="module")
def built(demo_ds, demo_dir, tmp_path_factory):
    """Minahasa's report in each language, built and saved (page tables, key figures, workbook)."""
    from ucj.presentation import district as district_report
    from ucj.runs.params import validate_params

    out = {}
    for lang in ("id", "en"):
        report = district_report.build(demo_ds, validate_params(MINAHASA, lang=lang, data_dir=str(demo_dir)))
        folder = tmp_path_factory.mktemp(f"mina-{lang}")
        report.save(folder)
        out[lang] = (report, folder)
    return out


RULE = {"en": "Year of the latest potential workers – potensi pekerja figure not stated in its source; treated as "
              "2023: the article is no later than 24 September 2023, when the Bupati it quotes left office. By this "
              "page's period rule, coverage, workers needed, the scenarios and the budget use the latest active "
              "participants (2025-12: {active}) over the latest potential workers – potensi pekerja figure (2023).",
        "id": "Tahun angka potensi pekerja terakhir tidak disebut sumbernya; angka itu dianggap untuk tahun 2023: "
              "artikelnya terbit paling lambat 24 September 2023, saat Bupati yang dikutipnya mengakhiri masa "
              "jabatannya. Sesuai aturan periode halaman ini, cakupan, kebutuhan pekerja, skenario dan anggaran "
              "dihitung dari peserta aktif terbaru (2025-12: {active}) dibagi angka potensi pekerja terbaru (tahun "
              "2023)."}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_page_treats_the_potensi_list_as_2023_and_says_why(built, demo_ds, lang):
    """The period rule, written out by hand with December 2025's participants (pandas), gives 2023 and the reason;
    the published rows read "no later than 2023-09"; the card's coverage is those participants over 132,104 with
    both periods; the need holds the 2023 list. Nothing of this source says 2024-11 or 14 November 2024."""
    report, folder = built[lang]
    e = demo_ds.enrolment
    dec25 = int(e[(e["district_code"] == MINAHASA) & (e["month"] == pd.Timestamp("2025-12-01"))]["active"].sum())
    assert report.period_rule_text() == RULE[lang].format(active=fmt_int(dec25, lang))
    table = report.published_table()
    # the article cited whole in its first row, the later rows pointing to that row (reader 17, R17-11)
    first = table[table[t("citation", lang)].str.startswith("ANTARA Sulut")]
    assert len(first) == 1
    same = t("same_source_as_row", lang).format(quantity=first[t("quantity", lang)].iloc[0])
    antara = table[table[t("citation", lang)].str.startswith("ANTARA Sulut") | (table[t("citation", lang)] == same)]
    assert len(antara) == 8 and set(antara[t("figure_period", lang)]) == {  # 7 figures and the 15,000 + 16,777 sum
        {"en": "no later than 2023-09", "id": "paling lambat 2023-09"}[lang]}
    words = {"id": ("peserta", "diasumsikan"), "en": ("participants", "assumed")}[lang]
    items = dict(report.summary_items())
    label = next(k for k in items if k.startswith(t("coverage_pct", lang)))
    assert label.endswith(f", {words[0]} 2025-12 / {t('potensi_pekerja', lang)} 2023, {words[1]}")
    assert items[label].startswith(fmt_pct(100 * dec25 / 132_104, lang))
    held = {"en": "(132,104, treated as 2023: year of the figure not stated, see “Summary”)",
            "id": "(132.104, dianggap 2023: tahun angka tidak disebut, lihat “Ringkasan”)"}[lang]
    assert held in report.workers_needed_sentence()
    files = "\n".join([(folder / "key_figures.json").read_text(encoding="utf-8"), table.to_string()])
    assert "14 November 2024" not in files and "2024-11" not in files


def test_the_index_and_summary_give_the_potensi_year_2023(built, tmp_path):
    import json

    from ucj.runs.index_page import summary_frame

    key = json.loads((built["en"][1] / "key_figures.json").read_text(encoding="utf-8"))
    assert (key["denominator_year_bound"], key["denominator_year_bound_office"]) == (TERM_END.isoformat(), "Bupati")
    df = summary_frame([{"district": MINAHASA, "slug": MINAHASA, "status": "ok", "key": key}], tmp_path)
    row = df.set_index("district_code").loc[MINAHASA]
    assert int(row["denominator_period_potensi_pekerja"]) == 2023 and bool(row["denominator_year_assumed"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_infinite_k_reads_the_same_in_the_workbook_as_on_the_page(built, lang):
    """The demo's APBD cohorts spread no more than chance for JKM (the estimated VHM is below 0: k infinite, weight
    0): the page's table prints ∞, and the workbook's cell holds the same text, not an empty cell."""
    from openpyxl import load_workbook

    from ucj.presentation.xlsx import sheet_title

    report, folder = built[lang]
    cr = report.results.credibility.set_index("programme")
    assert cr.loc["JKM", "k_worker_years"] == float("inf") and cr.loc["JKM", "weight"] == 0
    shown = report.display_table("claim_rates")
    k_col = t("k_worker_years", lang)
    jkm = shown[shown.iloc[:, 0] == "JKM"].iloc[0]
    assert jkm[k_col] == "∞"
    wb = load_workbook(folder / "tables.xlsx", read_only=True)
    ws = wb[sheet_title(t("sheet.claim_rates", lang), set())]
    rows = list(ws.iter_rows(values_only=True))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == "JKM")
    assert row[header.index(k_col)] == "∞"
