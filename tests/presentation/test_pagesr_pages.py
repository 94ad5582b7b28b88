"""Reader 12's L3-L7 on the seed pages, both languages, each against something independent: the workbook read
back with openpyxl and the funded share worked out by hand from the workforce table, the index page parsed with
the standard library's HTML parser, the seed articles' own text, and the published tables read with pandas."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import REPO
from ucj.presentation import district as report_module
from ucj.presentation.i18n import t
from ucj.runs.params import validate_params

LANGS = ("id", "en")
SEEDS_DIR = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def reports(demo_ds, demo_dir):
    """The seed reports the findings name, in both languages, built once."""
    out = {}
    for name in ("Minahasa", "Boalemo", "Banggai"):
        for lang in LANGS:
            params = validate_params(name, "", "", "", "", lang, str(demo_dir), registry=demo_ds.registry)
            out[name, lang] = report_module.build(demo_ds, params)
    return out


# -- L3: the projection sheet's share columns say they are shares of the denominator ------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_l3_projection_sheet_headers_name_the_denominator_and_the_funded_share_is_5000_over_it(reports, demo_ds,
                                                                                                lang, tmp_path):
    from openpyxl import load_workbook

    r = reports["Boalemo", lang]
    r.save(tmp_path)
    wb = load_workbook(tmp_path / "tables.xlsx")
    den_word = {"id": "penduduk bekerja", "en": "working population"}[lang]
    funded_head = {"id": f"Dibiayai anggaran, jadwal (% dari {den_word})",
                   "en": f"Budget-funded, schedule (% of {den_word})"}[lang]
    organic_head = {"id": f"Peserta tanpa bantuan iuran, proyeksi (% dari {den_word})",
                    "en": f"Participants without contribution assistance, projected (% of {den_word})"}[lang]
    found = [(ws, c) for ws in wb.worksheets for row in ws.iter_rows(max_row=6) for c in row if c.value == funded_head]
    assert len(found) == 1, "the funded share's header names its denominator"
    ws, head = found[0]
    heads = {c.value: c.column for c in ws[head.row]}
    assert organic_head in heads
    for old in ("Dibiayai anggaran (jadwal)", "Budget-funded (schedule)", "Peserta tanpa bantuan iuran (proyeksi)",
                "Participants without contribution assistance (projected)"):
        assert old not in heads  # never a header that reads as a count of workers
    month_col = next(c.column for c in ws[head.row + 1] if isinstance(c.value, dt.datetime))
    jan = next(row for row in range(head.row + 1, ws.max_row + 1)
               if ws.cell(row, month_col).value == dt.datetime(2026, 1, 1))
    # by hand: 5,000 funded workers (hariantoday.com: "sebanyak 5000 pekerja rentan"; in the data at 2025-12)
    # over January 2026's working population, the 2025 figure grown a twelfth of a year at the yearly rate of the
    # last six known years of the workforce table
    e = demo_ds.enrolment
    funded = int(e[(e["district_code"] == "75.02") & (e["month"] == "2025-12-01") & (e["funding"] != "self_employer")]
                 ["active"].sum())
    assert funded == 5_000
    w = demo_ds.workforce
    w = w[w["district_code"] == "75.02"].dropna(subset=["working_population"]).sort_values("year").tail(6)
    years, values = w["year"].to_numpy(), w["working_population"].astype(float).to_numpy()
    assert years[-1] == 2025 and values[-1] == 86_579
    growth = (values[-1] / values[0]) ** (1 / (years[-1] - years[0])) - 1
    den_jan = values[-1] * (1 + growth) ** (1 / 12)
    cell = ws.cell(jan, heads[funded_head])
    assert cell.value == pytest.approx(100 * 5_000 / den_jan, rel=1e-6)
    assert "%" in cell.number_format and 5.5 < cell.value < 6.0  # about 5.8 %, never 5,000 workers


# -- L6 and L7: the index's status by pairing; the card's coverage periods as the index's ---------------------------
class _Cells(HTMLParser):
    """The rows of one table of a page (id), each a list of its cells' text."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "table":
            self.inside = dict(attrs).get("id") == self.id
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.cell is not None:
            self.cell += data


def _index(reports, lang, tmp_path):  # type: ignore[no-untyped-def]
    """The index of the three seed reports, written as a batch writes it, parsed: {district name: {header: cell}}."""
    import json

    from ucj.runs.index_page import write_index

    entries = []
    for name in ("Minahasa", "Boalemo", "Banggai"):
        r = reports[name, lang]
        folder = tmp_path / name
        r.save(folder)
        key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
        entries.append({"district": key["district_code"], "slug": name, "status": "ok", "key": key,
                        "html": f"{name}/report.html"})
    page = write_index(tmp_path / "index.html", entries, lang, True, "x").read_text(encoding="utf-8")
    p = _Cells("ucj-districts")
    p.feed(page)
    head, *rows = p.rows
    return {row[0]: dict(zip(head, row)) for row in rows}, head


@pytest.mark.parametrize("lang", LANGS)
def test_l6_the_index_has_one_status_column_per_pairing(reports, lang, tmp_path):
    rows, head = _index(reports, lang, tmp_path)
    status = t("status", lang)
    assert status not in head  # no status column without its pairing
    words = {"id": ("semua peserta aktif", "penduduk bekerja", "potensi pekerja"),
             "en": ("all active participants", "working population", "potential workers – potensi pekerja")}[lang]
    wp, pp = f"{status} ({words[0]} / {words[1]})", f"{status} ({words[0]} / {words[2]})"
    assert wp in head and pp in head
    by_name = {n.split()[-1]: row for n, row in rows.items()}
    # each verdict under the pairing its projection is over, "–" under the other (as summary.csv's status_*)
    for name in ("Boalemo", "Banggai"):
        r = reports[name, lang]
        assert r.key["denominator"] == "working_population"
        assert by_name[name][wp] == t(r.projection.status, lang) and by_name[name][pp] == "–"
    m = reports["Minahasa", lang]
    assert m.key["denominator"] == "potensi_pekerja"
    assert by_name["Minahasa"][wp] == "–" and by_name["Minahasa"][pp] == t(m.projection.status, lang)
    # the claims count still follows the status columns (one header each for count and amount)
    at = head.index(pp)
    assert "JKK+JKM+JKP" in head[at + 1] and head[at - 1] == wp


@pytest.mark.parametrize("lang", LANGS)
def test_l7_minahasa_card_names_both_periods_as_the_index_does(reports, demo_ds, lang, tmp_path):
    rows, head = _index(reports, lang, tmp_path)
    m = reports["Minahasa", lang]
    label, value = next((k, v) for k, v in m.summary_items() if k.startswith(t("coverage_pct", lang)))
    # by hand: December 2025's active participants over the 2023 potensi list (ANTARA Sulut: 132.104)
    e = demo_ds.enrolment
    active = int(e[(e["district_code"] == "71.02") & (e["month"] == "2025-12-01")]["active"].sum())
    pct = 100 * active / 132_104
    shown = f"{pct:.1f} %".replace(".", "," if lang == "id" else ".")
    assert value.startswith(shown)
    words = {"id": ("peserta", "diasumsikan"), "en": ("participants", "assumed")}[lang]
    periods = f"{words[0]} 2025-12 / {t('potensi_pekerja', lang)} 2023, {words[1]}"
    assert label == f"{m.coverage_label()}, {periods}"
    cell = next(v for n, row in rows.items() if n.endswith("Minahasa") for h, v in row.items()
                if h.startswith(t("coverage_pct", lang)) and "potensi" in h)
    assert html_lib.unescape(cell) == f"{shown} ({periods})"  # the same words, from the same rule
    # a district whose denominator is of the participants' own year keeps the one period, card and index alike
    b = reports["Boalemo", lang]
    b_label = next(k for k, _ in b.summary_items() if k.startswith(t("coverage_pct", lang)))
    assert b_label == f"{b.coverage_label()}, 2025-12"
    assert re.search(r"\(2025-12\)$", next(v for n, row in rows.items() if n.endswith("Boalemo") for h, v in row.items()
                                            if h.startswith(t("coverage_pct", lang)) and "potensi" not in h))


# -- L5: Banggai's 2030 is the end of the RPJMD period the article names, marked assumed ----------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_l5_banggai_target_year_is_marked_assumed_on_card_index_summary_and_plans_row(reports, demo_dir, lang,
                                                                                       tmp_path):
    from ucj.runs.index_page import summary_frame

    article = next(SEEDS_DIR.glob("001_*.txt")).read_text(encoding="utf-8")
    # the article: "Dalam ... (RPJMD) Kabupaten Banggai tahun 2025-2030, Pemkab menargetkan 99,50 persen ...": the
    # period, never a year the 99.50 % is for
    assert "tahun 2025-2030, Pemkab menargetkan 99,50 persen" in article
    assert re.findall(r"2030", article) == ["2030"]
    targets = pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code")
    assert bool(targets.at["72.01", "target_year_assumed"]) and int(targets.at["72.01", "target_year"]) == 2030
    r = reports["Banggai", lang]
    assumed = {"id": "diasumsikan", "en": "assumed"}[lang]
    card = dict(r.summary_items())[t("target", lang)]
    assert card == f"{'99,5' if lang == 'id' else '99.5'} % (2030, {assumed})"
    rows, head = _index(reports, lang, tmp_path)
    cell = next(v for n, row in rows.items() if n.endswith("Banggai") for h, v in row.items()
                if h.startswith(t("target", lang)) and v != "–")
    assert html_lib.unescape(cell) == card  # the index as the card
    df = summary_frame([{"district": "72.01", "slug": "Banggai", "status": "ok",
                         "key_figures": "Banggai/key_figures.json"}], tmp_path)
    assert bool(df.iloc[0]["target_year_assumed"]) is True
    plans = r.display_table("plans")
    note = plans.iloc[0][t("note", lang)]
    assert {"id": "tahun 2030 (akhir RPJMD 2025–2030, diasumsikan)",
            "en": "year 2030 (end of the RPJMD 2025–2030, assumed)"}[lang] in note
    # Minahasa's 2029 keeps its mark; Boalemo's national default is not assumed (the RPJMN sets 2029)
    assert f"(2029, {assumed})" in dict(reports["Minahasa", lang].summary_items())[t("target", lang)]
    assert assumed not in dict(reports["Boalemo", lang].summary_items())[t("target", lang)]


# -- L4: Minahasa's published 2026 allocation, and which number the budget uses -----------------------------------
# sindomanado.com, 12 Feb 2026 (read with the `search` tool, corpus pages; not in the shared raw files): "Bapak Bupati
# dan Ibu Wakil Bupati lewat kami di Dinas Tenaga Kerja telah mengalokasikan kurang lebih 15.431 pekerja rentan"
SINDO_TITLE = "Pemkab Minahasa Daftarkan 15.431 Pekerja Rentan Terlindungi Jamsostek Tahun 2026"


@pytest.mark.parametrize("lang", LANGS)
def test_l4_minahasa_plans_row_cites_the_2026_allocation_and_the_budget_says_which_number_it_uses(reports, demo_ds,
                                                                                                   lang):
    r = reports["Minahasa", lang]
    plans = r.plans_table()
    row = plans[plans[t("wording", lang)].str.contains("15.431", regex=False)]
    assert len(row) == 1
    row = row.iloc[0]
    assert row[t("value", lang)] == ("15.431" if lang == "id" else "15,431") and row[t("year", lang)] == "2026"
    assert row[t("wording", lang)] == "“telah mengalokasikan kurang lebih 15.431 pekerja rentan”"
    source = row[next(c for c in plans.columns if c.startswith(t("source", lang)))]
    assert source.startswith(f"sindomanado.com, {SINDO_TITLE}, 12 ") and "2026" in source
    note = row[t("note", lang)]
    # the village workers: "not stated"; seed 000's commitment cited beside "agreements renewed"
    assert {"id": "dibiayai tersendiri: tidak disebutkan", "en": "funded separately: not stated"}[lang] in note
    seed000 = next(SEEDS_DIR.glob("000_*.txt")).read_text(encoding="utf-8")
    assert "manadosiana.net" in seed000 and "mempertahankan, bahkan meningkatkan alokasi pembiayaan melalui APBD" in seed000
    assert "manadosiana.net, Pemkab Minahasa Gelar Evaluasi Universal Coverage Jamsostek 2025" in note
    assert "25 November 2025" in note and "seed 0" not in note
    # which number the budget uses: the data's funded workers in 2025-12, by hand from the enrolment table
    e = demo_ds.enrolment
    funded = int(e[(e["district_code"] == "71.02") & (e["month"] == "2025-12-01") & (e["funding"] != "self_employer")]
                 ["active"].sum())
    assert funded == 15_000 + 16_777  # ANTARA Sulut's two programmes, as the demo plants them
    plan = r.results.budget_plan
    assert set(plan["existing_funded"].astype(int)) == {funded}  # every year to the target year, never 15,431
    n = (lambda v: f"{v:,}".replace(",", "." if lang == "id" else ","))
    said = [x for x in r.budget_plan_sentences() if n(15_431) in x]
    assert len(said) == 1
    assert n(funded) in said[0] and "2025-12" in said[0] and "2026" in said[0] and SINDO_TITLE in said[0]
    assert f"“{t('apbd_funded_workers', lang)}” (2026)" in said[0] and t("plans_and_targets", lang) in said[0]
    assert row[t("data_now", lang)].startswith(n(funded))  # the row shows the number the budget uses beside it


@pytest.mark.parametrize("lang", LANGS)
def test_l4_no_allocation_sentence_where_no_later_allocation_differs(reports, lang):
    """Boalemo's 5,000 are for 2025, the data's own year (and equal to the data's): no sentence; Banggai has none."""
    for name in ("Boalemo", "Banggai"):
        assert reports[name, lang].published_allocation_sentence() == ""
