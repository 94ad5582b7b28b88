"""Every page tells one story (issue 18): one as-of date per value, coverage never mixed across
pairings, published facts as published, stamps only on made-up data, one language per page and
sources a planner can cite.

Independent oracles only: expected values are worked out here from the demo's Parquet files with
plain pandas (never with ucj's coverage or claims code), from the seed articles' own words, or by
hand on a small example. The four seed districts are rendered in both languages with the
presentation functions (no kernel): the HTML of every section, the charts' texts, every cell of
tables.xlsx, key_figures.json and the batch's index row and summary.csv."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from matplotlib.text import Text

from ucj.presentation import district as district_report
from ucj.presentation.i18n import LABELS, fmt_int, fmt_pct, fmt_rp, t
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow  # seconds a test (whole demo pages, stores, workbooks): make test only

SEEDS = {"71.02": "Minahasa", "72.01": "Banggai", "75.02": "Boalemo", "74.13": "Muna Barat"}
INTERNAL = ("seed 0", "domain.md", "§", "catatan domain", "domain notes")
# ANTARA Sulut's Minahasa article as the Indonesian pages cite it: no later than 24 September 2023, the Bupati it quotes
# (Royke Roring) in office until his successor was sworn in on 25 September 2023, cited (reader 15, R15-1)
ANTARA_ID = ("ANTARA Sulut, Bupati Minahasa targetkan seluruh pekerja dilindungi BPJAMSOSTEK, terbit paling lambat 24 "
             "September 2023, selagi Bupati yang dikutipnya masih menjabat (suluttempo.com, Gubernur Olly Minta Lima "
             "Penjabat Kepala Daerah Jaga Integritas, Jadi Pemimpin Harus Mampu menjalankan Tugas dengan Baik, 25 "
             "September 2023 menurut alamat halaman)")
# words of one language a page in the other never uses outside quotes and cited titles
ENGLISH_WORDS = ("the", "and", "of", "workers", "poverty", "assumed", "article", "listing", "dated", "below", "pp",
                 "with", "to", "fall")
INDONESIAN_WORDS = ("dan", "yang", "tidak", "dengan", "untuk", "dari", "sekitar", "persen", "ribu", "bawaan", "tahun",
                    "pekerja rentan", "sesuai")


# -- rendering -------------------------------------------------------------------------------------
def _visible(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    alts = " ".join(re.findall(r'alt="([^"]*)"', page))
    page = re.sub(r"<[^>]+>", "\n", page)
    return html_lib.unescape(page + "\n" + alts)


def _chart_texts(report) -> dict[str, str]:
    return {name: "\n".join(a.get_text() for a in fig.findobj(Text)) for name, fig in report.charts.items()}


def _xlsx_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(wb.sheetnames + [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                                      if c.value is not None])


@pytest.fixture(scope="module")
def pages(district_page):
    """(code, lang) -> dict of the report, its page HTML and text, chart texts, Excel text and folder."""
    cache: dict = {}

    class Pages:
        def __getitem__(self, item):
            if item not in cache:
                built = district_page(*item)
                report, folder = built.report, built.folder
                page = "\n".join(built.html())
                cache[item] = {"report": report, "html": page, "text": _visible(page), "charts": _chart_texts(report),
                               "xlsx": _xlsx_text(folder / "tables.xlsx"), "folder": folder}
            return cache[item]

    return Pages()


@pytest.fixture(scope="module")
def raw(demo_dir):
    """The demo's tables read with plain pandas (the oracle's own copy)."""
    return {n: pd.read_parquet(demo_dir / f"{n}.parquet") for n in ("enrolment", "workforce", "claims", "poverty")}


# -- hand-worked: the period rule -----------------------------------------------------------------
def test_a_stale_denominator_gives_the_latest_numerator_over_the_latest_denominator_and_says_so(demo_ds, raw):
    """Boalemo's employees are removed for 2025: by the page's period rule its coverage over employees is the
    wage earners active in 2025-12 over the 2024 employees (worked out here), labelled 2025-12, the denominator
    labelled 2024, with the rule stated; the net need and the budget plan start from 2025-12 (no year already
    in the data is planned as future)."""
    from ucj.analysis.district import district_figures

    code = "75.02"
    wf = demo_ds.workforce.copy()
    wf.loc[(wf["district_code"] == code) & (wf["year"] == 2025), "employees"] = pd.NA
    ds = demo_ds.replace({"workforce": wf})
    fig = district_figures(ds, code, denominator="employees")

    e = raw["enrolment"][(raw["enrolment"]["district_code"] == code) & (raw["enrolment"]["segment"] == "PU")]
    active = e.groupby("month")["active"].sum()
    wp_2024 = float(raw["workforce"].set_index(["district_code", "year"]).loc[(code, 2024), "employees"])
    cov = fig.figures["coverage"]
    assert cov.period == "2025-12" and cov.value == pytest.approx(100 * active[pd.Timestamp("2025-12-01")] / wp_2024)
    assert fig.figures["coverage_denominator"].period == "2024"
    assert fig.figures["active"].period == "2025-12"
    assert fig.figures["active"].value == active[pd.Timestamp("2025-12-01")]
    assert fig.period_rule == ("period_rule_latest_numerator(numerator=2025-12, denominator_year=2024, "
                               "denominator=employees)")
    assert fig.figures["workers_net"].period.startswith("2026-01")  # the month after 2025-12 (R20-2)
    assert fig.projection.last_month == pd.Timestamp("2025-12-01")

    from ucj.analysis.district import Figure

    with pytest.raises(ValueError):
        Figure(1.0, "%", "", "x/y", "enrolment")  # a value without a period cannot be made


def test_minahasa_starts_from_2025_12_and_states_the_rule(pages, raw):
    """Minahasa's potensi list is of 2023 (132,104; the article is no later than 24 September 2023, reader 15,
    R15-1): the summary shows the 2025-12 active participants (their sum from the table, pandas) over it, labelled
    2025-12, the net need (132,104 - that sum) / 48 a month from 2025-12 (potensi has one year: no growth), and the
    budget plan's first year is 2026 (reader's finding 1), with the rule stated in both languages."""
    e = raw["enrolment"][raw["enrolment"]["district_code"] == "71.02"]
    dec25 = int(e[e["month"] == "2025-12-01"]["active"].sum())
    for lang in ("id", "en"):
        p = pages["71.02", lang]
        items = dict(p["report"].summary_items())
        cov_label = next(k for k in items if k.startswith(t("coverage_pct", lang)))
        # both periods on the card, as in the index (reader 12, L7): participants of 2025-12 over the 2023 list
        words = {"id": ("peserta", "diasumsikan"), "en": ("participants", "assumed")}[lang]
        assert cov_label.endswith(f", {words[0]} 2025-12 / {t('potensi_pekerja', lang)} 2023, {words[1]}")
        assert items[cov_label].startswith(fmt_pct(100 * dec25 / 132_104, lang))
        assert items[f"{t('active', lang)}, 2025-12"] == fmt_int(dec25, lang)
        net_label = next(k for k in items if k.startswith(t("workers_needed_net", lang)))
        assert net_label.endswith("2026-01 – 2029-12") and items[net_label] == fmt_int((132_104 - dec25) / 48, lang)
        rule = p["report"].period_rule_text()
        assert rule in p["text"] and "2023" in rule and "2024" not in rule and "2025-12" in rule
        plan = p["report"].results.budget_plan
        assert plan["year"].tolist() == [2026, 2027, 2028, 2029]
        assert plan["coverage_end_pct"].iloc[0] > 100 * dec25 / 132_104  # 2026 starts from today's coverage
        assert fmt_pct(100 * 100_841 / 132_104, lang) not in items[cov_label]  # never the stale 76.3 %


# -- one value, one period, everywhere --------------------------------------------------------------
@pytest.mark.parametrize("code", list(SEEDS))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_value_shown_twice_is_the_same_value_with_the_same_period(pages, raw, code, lang, tmp_path):
    p = pages[code, lang]
    report, text = p["report"], p["text"]
    fig = report.results
    key = json.loads((p["folder"] / "key_figures.json").read_text())
    items = dict(report.summary_items())
    # coverage: summary card, the coverage sentence, key figures and the index row agree on value and period
    cov = fig.figures.get("coverage")
    if cov is not None:
        shown = fmt_pct(cov.value, lang)
        assert tf_cov_in(report.coverage_sentence(), shown, cov.period)
        assert key["figures"]["coverage"]["period"] == cov.period == key["coverage_as_of"]
        from ucj.runs.index_page import summary_frame, write_index

        entry = {"district": code, "slug": "r", "status": "ok", "key": key, "html": "r/report.html"}
        page = write_index(tmp_path / "index.html", [entry], lang, True, "x").read_text()
        den_fig = fig.figures.get("coverage_denominator")  # the denominator's own year (reader 11, M1)
        den_year = den_fig.period if den_fig is not None else cov.period[:4]
        if den_year == cov.period[:4]:
            assert f"{shown} ({cov.period})" in html_lib.unescape(page)
        else:  # a denominator of an earlier year: the index cell names both periods, as the page does
            words = {"id": ("peserta", "diasumsikan"), "en": ("participants", "assumed")}[lang]
            year = f"{den_year}, {words[1]}" if key.get("denominator_year_bound") else den_year
            assert f"{shown} ({words[0]} {cov.period} / {t(fig.denominator, lang)} {year})" in html_lib.unescape(page)
            assert f"{shown} ({cov.period})" not in html_lib.unescape(page)
        df = summary_frame([entry], tmp_path)
        assert df.iloc[0][f"denominator_period_{fig.denominator}"] == den_year
        assert df.iloc[0][f"coverage_pct_{fig.denominator}"] == pytest.approx(cov.value)
        assert df.iloc[0][f"coverage_period_{fig.denominator}"] == cov.period
    # active participants: the summary's figure is the segment table's sum when both are of the last period
    act = fig.figures["active"]
    e = raw["enrolment"][(raw["enrolment"]["district_code"] == code)]
    segs = {"employees": ["PU"], "informal_workers": ["BPU"]}.get(fig.denominator)
    e = e if segs is None else e[e["segment"].isin(segs)]
    assert act.value == e[e["month"] == pd.Timestamp(act.period + "-01")]["active"].sum()
    if act.period == f"{fig.last_period:%Y-%m}":
        assert fig.coverage_by_segment["active"].sum() == pytest.approx(act.value)
    # claims: the summary's total is the claims table's JKK+JKM+JKP (worked out here from the claims file),
    # and the loss-ratio sentence ties its JKK+JKM total to it
    c = raw["claims"][(raw["claims"]["district_code"] == code) & (raw["claims"]["month"] >= fig.claims_from)
                      & (raw["claims"]["month"] <= fig.last_period)]
    head = c[c["programme"].isin(["JKK", "JKM", "JKP"])]["claim_amount_rp"].sum()
    risk = c[c["programme"].isin(["JKK", "JKM"])]["claim_amount_rp"].sum()
    said = {"id": "Nilai klaim JKK+JKM+JKP (12 bulan, tanpa pencairan JHT dan JP)",  # reader 11, M5: its programmes
            "en": "Amount of claims paid JKK+JKM+JKP (12 months, without JHT and JP withdrawals)"}[lang]
    claims_label = next(k for k in items if k.startswith(said))
    assert items[claims_label] == fmt_rp(head, lang) and fmt_rp(head, lang) in report.claims_reconciliation()
    assert fmt_rp(risk, lang) in report.claims_reconciliation()
    assert claims_label.endswith(f"{fig.claims_from:%Y-%m} – {fig.last_period:%Y-%m}")
    # every summary value but the target and projection carries a period
    for label, value in report.summary_items():
        if value != "–" and label not in (t("target", lang), t("projected", lang), t("last_period", lang)):
            assert re.search(PERIOD_AT_END, label), label


# a card label ends with its period: ", 2025-12", ", 2025-01 – 2025-12", or coverage over a lagging denominator with
# both, ", peserta 2025-12 / potensi pekerja 2023, diasumsikan" (reader 12, L7)
PERIOD_AT_END = (r"(, \d{4}(-\d\d)?( – \d{4}-\d\d)?"
                 r"|, (peserta|participants) \d{4}-\d\d / [^,]+ \d{4}(, (diasumsikan|assumed))?)$")


def tf_cov_in(sentence: str, value: str, period: str) -> bool:
    return value in sentence and period in sentence


def test_no_coverage_column_mixes_pairings(pages, raw, tmp_path):
    """Minahasa's coverage over potensi pekerja and every district's over the working population sit in
    columns of their own; each column's values are those of its pairing, worked out here."""
    from ucj.runs.index_page import pairing_label, summary_frame, write_index

    entries = []
    for code in SEEDS:
        key = json.loads((pages[code, "id"]["folder"] / "key_figures.json").read_text())
        entries.append({"district": code, "slug": code, "status": "ok", "key": key})
    df = summary_frame(entries, tmp_path).set_index("district_code")
    e, w = raw["enrolment"], raw["workforce"].set_index(["district_code", "year"])
    for code in SEEDS:
        x = e[(e["district_code"] == code) & (e["month"] == "2025-12-01")]["active"].sum()
        want = 100 * x / float(w.loc[(code, 2025), "working_population"])
        assert df.at[code, "coverage_pct_working_population"] == pytest.approx(want)
        assert df.at[code, "coverage_period_working_population"] == "2025-12"
    dec25 = e[(e["district_code"] == "71.02") & (e["month"] == "2025-12-01")]["active"].sum()
    assert df.at["71.02", "coverage_pct_potensi_pekerja"] == pytest.approx(100 * dec25 / 132_104)
    assert df.loc[[c for c in SEEDS if c != "71.02"], "coverage_pct_potensi_pekerja"].isna().all()
    assert "coverage_pct" not in df.columns and "denominator_value" not in df.columns
    page = html_lib.unescape(write_index(tmp_path / "index.html", entries, "id", True, "x").read_text())
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    assert pairing_label("working_population", "id") in heads and pairing_label("potensi_pekerja", "id") in heads
    assert t("coverage_pct", "id") not in heads  # no column of coverage without its pairing


# -- published facts as published -----------------------------------------------------------------
def test_published_facts_quote_the_article_and_agree_within_its_rounding(pages, raw):
    p = pages["71.02", "id"]
    table = p["report"].published_table()
    rows = {r[t("quantity", "id")]: r for _, r in table.iterrows()}
    cov = rows[t("coverage_pct", "id")]
    # as the article writes it (reader 3, finding 12)
    assert cov[t("wording", "id")] == "“76 persen”" and cov[t("published", "id")] == "76 %"
    # the demo's count was built to equal the article: marked synthetic on its row, never "sesuai" (reader 3, 4)
    assert cov[t("difference", "id")] == t("basis_synthetic_difference", "id")
    # the article cited whole in its first row; the later rows name that row (reader 17, R17-11)
    assert rows[t("potensi_pekerja", "id")][t("citation", "id")] == ANTARA_ID
    assert cov[t("citation", "id")] == t("same_source_as_row", "id").format(quantity=t("potensi_pekerja", "id"))
    p0 = table[table[t("quantity", "id")] == t("p0", "id")]
    assert list(p0[t("published", "id")]) == ["6,87 %", "6,53 %"] == list(p0[t("data", "id")])  # as BPS publishes
    unc = rows[t("uncovered_workers", "id")]
    assert unc[t("wording", "id")].startswith("“sekitar 30 ribu") and unc[t("published", "id")] == "≈ 30.000"
    assert unc[t("data", "id")] == "31.263 (sintetis)"  # 132,104 − 100,841, the count synthetic
    assert unc[t("difference", "id")] == t("basis_synthetic_difference", "id")
    total = rows[t("apbd_vulnerable_workers_sum", "id")]  # 15,000 + 16,777, the data's APBD-funded participants
    e = raw["enrolment"]
    apbd = e[(e["district_code"] == "71.02") & (e["funding"] == "apbd") & (e["month"] == "2023-09-01")]["active"].sum()
    assert total[t("published", "id")] == "31.777" and total[t("data", "id")] == f"{fmt_int(apbd, 'id')} (sintetis)"
    # Boalemo's JKM benefit has its counterpart: the mean JKM claim of the claims table's 12 months
    b = pages["75.02", "en"]["report"]
    facts = b.tables["seed_facts"].set_index("quantity")
    c = raw["claims"][(raw["claims"]["district_code"] == "75.02") & (raw["claims"]["programme"] == "JKM")
                      & (raw["claims"]["month"] >= b.results.claims_from)]
    assert facts.at["jkm_benefit_rp", "data"] == pytest.approx(c["claim_amount_rp"].sum() / c["claim_count"].sum())
    assert (b.results.claims_12m.set_index("programme").at["JKM", "mean_claim_rp"]
            == pytest.approx(facts.at["jkm_benefit_rp", "data"]))
    # plans and targets are not differences: they are in their own table
    for code, quantity in (("74.13", "planned_apbd_workers"), ("75.02", "poverty_target_pct"),
                           ("72.01", "coverage_target_pct"), ("75.02", "apbd_funded_workers")):
        r = pages[code, "en"]["report"]
        assert quantity not in set(r.tables["seed_facts"]["quantity"]), (code, quantity)
        assert quantity in set(r.tables["plans"]["quantity"]), (code, quantity)
        assert "difference" not in r.tables["plans"].columns
    assert f'<h2 class="ucj-h">{t("plans_and_targets", "id")}</h2>' in pages["74.13", "id"]["html"]


# articles cited beside the seeds that are not among the shared files, each with its sentence as published (read with
# the `search` tool, corpus pages): the wording recorded from them must be found in it
OTHER_ARTICLES = {
    "sindomanado.com 12 Feb 2026": "“Sebagaimana arahan dan ketentuan peraturan perundang-undangan, Bapak Bupati dan Ibu "
                                   "Wakil Bupati lewat kami di Dinas Tenaga Kerja telah mengalokasikan kurang lebih "
                                   "15.431 pekerja rentan,” ujar Joris.",
}


def test_the_articles_words_are_quoted_from_the_seed_files():
    """Each recorded wording is found, as written, in one of the seed articles (../shared/seeds)."""
    from conftest import REPO

    seeds = " ".join(p.read_text(encoding="utf-8") for p in (REPO.parent / "shared" / "seeds").glob("*.txt"))
    seeds = re.sub(r"\s+", " ", seeds).replace("ter-\"cover\"", "ter-cover")
    seeds += " " + " ".join(OTHER_ARTICLES.values())
    w = pd.read_csv(REPO / "data" / "published" / "fact_wording.csv", dtype=str, keep_default_na=False)
    quoted = w[~w["quantity"].isin(["p0"])]
    for words in quoted["wording"]:
        for piece in words.split(" ... "):
            assert piece in seeds, piece


# -- stamps and labels ----------------------------------------------------------------------------
def test_the_synthetic_stamp_sits_only_on_charts_of_made_up_data(pages):
    for lang in ("id", "en"):
        charts = pages["75.02", lang]["charts"]
        stamp = t("synthetic_stamp", lang)
        assert stamp not in charts["poverty"]  # BPS P0 and number of poor: real
        assert stamp in charts["coverage"] and stamp in charts["claims"]  # demo enrolment and claims


def test_sources_table_and_excel_notes_label_each_table_as_it_is(pages):
    for lang in ("id", "en"):
        p = pages["71.02", lang]
        prov = p["report"].tables["provenance"].set_index("table")
        assert prov.at["poverty", "synthetic"] == t("partly_synthetic", lang)
        # Minahasa has no row in the plans table: no status of the table's rows (reader 8, S2b); its target's is real
        assert prov.at["plans", "synthetic"] == t("no_own_rows", lang)
        assert prov.at["targets", "synthetic"] == t("real", lang)
        assert prov.at["enrolment", "synthetic"] == t("synthetic", lang)
        wb = openpyxl.load_workbook(p["folder"] / "tables.xlsx")
        notes = {str(r[0].value): str(r[1].value) for r in wb[t("sheet.notes", lang)].iter_rows(min_row=2)}
        assert t("table.poverty", lang) in notes[t("partly_synthetic", lang)]
        assert t("table.poverty", lang) not in notes[t("synthetic", lang)].split(", ")
        assert t("table.targets", lang) in notes[t("real", lang)].split(", ")
        assert t("table.plans", lang) not in notes[t("real", lang)].split(", ")


def test_claims_chart_leaves_out_what_the_text_leaves_out(pages):
    report = pages["71.02", "en"]["report"]
    bars = [tick.get_text() for tick in report.charts["claims"].axes[0].get_yticklabels()]
    assert bars and not {"JHT", "JP"} & set(bars)
    assert f'<h3>{t("loss_ratio_heading", "en")}</h3>' in pages["71.02", "en"]["html"]
    assert t("contribution_jkk_jkm_rp", "id") == "Iuran JKK+JKM"


# -- words and sources ---------------------------------------------------------------------------
def _quoted_and_cited(report) -> list[str]:
    """Text that stays as published on any page: the articles' quoted words, cited titles and outlets,
    names of places and people."""
    from ucj.data.published import citations
    from ucj.presentation.tables import BPS_TITLES, imported_title

    out = [report.params.district.full_name, report.params.district.province_name]
    out += [f"“{w}”" for w in report.results.seed_facts["wording"] if w]
    c = citations()
    out += [x for x in list(c["title"]) + list(c["publisher"]) if x] + list(BPS_TITLES.values())
    for srcs in report.results.table_provenance.get("poverty", {}).get("sources", []):  # imported BPS titles
        if str(srcs).startswith("BPS table: "):
            out.append(imported_title(str(srcs)))
    return sorted(set(out), key=len, reverse=True)


def _foreign_catalogue(lang: str) -> list[str]:
    other = "en" if lang == "id" else "id"
    own = "\n".join(e[lang] for e in LABELS.values())
    out = set()
    for entry in LABELS.values():
        if entry[other] == entry[lang]:
            continue
        for fragment in re.split(r"{\w+}", entry[other]):
            fragment = fragment.strip(" .,:;()–-")
            if len(fragment) >= 12 and not re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", own):
                out.add(fragment)
    return sorted(out)


@pytest.mark.parametrize("code", list(SEEDS))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_one_language_and_citable_sources_on_every_page(pages, code, lang):
    p = pages[code, lang]
    everything = "\n".join([p["text"], "\n".join(p["charts"].values()), p["xlsx"]])
    for bad in INTERNAL:
        assert bad not in everything, bad
    text = re.sub(r"“[^”]*”", " ", everything)  # an article's words, quoted as published
    for quoted in _quoted_and_cited(p["report"]):
        text = text.replace(quoted, " ")
    words = ENGLISH_WORDS if lang == "id" else INDONESIAN_WORDS
    found = [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, flags=re.I)]
    assert found == [], f"{SEEDS[code]} ({lang}): {found}"
    foreign = [f for f in _foreign_catalogue(lang) if f in text]
    assert foreign == [], f"{SEEDS[code]} ({lang}): {foreign[:5]}"
    assert "= -1" not in text and "-1;" not in text


def test_sources_print_as_a_reader_cites_them():
    from ucj.presentation.tables import cite

    assert cite("seed 003 (ANTARA Sulut; no later than 24 Sep 2023)", "id") == ANTARA_ID
    assert cite("seed 001 (Metro Sulteng 9 Dec 2025)", "en").endswith(", 9 December 2025")
    assert cite("domain.md §6 (public pages)", "id", year="2025", quantity="p0") == \
        "BPS, Persentase Penduduk Miskin (P0) menurut Kabupaten/Kota, 2025"
    assert cite("seed 009 (unknown)", "en") == t("source_not_recorded", "en")  # never an internal name
    assert cite("Dinas Tenaga Kerja, 2025", "id") == "Dinas Tenaga Kerja, 2025"  # a planner's own source as written


def test_parameters_as_a_reader_says_them_and_folders_relative_to_the_report(tmp_path):
    from ucj.presentation.district import parameter_value, shown_folder

    assert parameter_value("target_year", -1, "id") == "bawaan" and parameter_value("target_year", None, "en") == \
        "default"
    assert parameter_value("lang", "id", "id") == "Bahasa Indonesia"
    data = tmp_path / "data" / "demo"
    report = tmp_path / "runs" / "r1" / "7102"
    data.mkdir(parents=True)
    report.mkdir(parents=True)
    assert shown_folder(str(data), report) == "../../../data/demo"
    assert not shown_folder(str(data)).startswith("/")


def test_html_lang_follows_the_report():
    import nbformat

    from ucj.presentation.export import notebook_html

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x")])
    for lang in ("id", "en"):
        page = notebook_html(nb, "t", key={"lang": lang, "district_name": "x"})
        assert re.search(rf'<html[^>]*lang="{lang}"', page), lang


# -- province history on today's boundaries ------------------------------------------------------
def _bps_province_row(name: str) -> dict[int, float]:
    """A province row of BPS's P0 table, read here from the raw file with the csv module."""
    import csv

    from conftest import P0_CSV

    with P0_CSV.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    years = rows[1]
    row = next(r for r in rows if r[0].strip() == name)
    return {int(y): float(v) for y, v in zip(years[1:], row[1:]) if y and v not in ("", "-")}


def test_province_p0_shows_bps_row_and_says_when_the_area_differs(demo_ds, demo_dir):
    """Papua: BPS's row for 2019-2023 covers the province before its split (26.0-27.5 %), the aggregate over
    today's districts reads 17-18 %; both are shown, each named, and the page says which is which.
    Papua Tengah: BPS has no row before 2024; the rebuilt figure is shown and the page says so."""
    from ucj.data.published import bps_poverty_province

    papua = _bps_province_row("PAPUA")
    shipped = bps_poverty_province().query("province_code == '91'").set_index("year")["p0"]
    assert {y: papua[y] for y in range(2019, 2026)} == shipped.to_dict()
    code = next(c for c in demo_ds.registry.codes if c.startswith("91."))
    for lang in ("id", "en"):
        report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
        pov = report.tables["poverty"].set_index("year")
        assert pov.loc[2023, "bps_province_p0_pct"] == papua[2023] == 26.03
        assert 17 < pov.loc[2023, "province_p0_current_pct"] < 18.5
        text = report.province_text()
        assert "2019–2023" in text and t("province_other_boundaries", lang).split("{years}")[1][:20] in text
        shown = report.display_table("poverty")
        assert t("bps_province_p0_pct", lang) in shown.columns and t("province_p0_current_pct", lang) in shown.columns
        labels = [x.get_text() for x in report.charts["poverty"].axes[0].get_legend().get_texts()]
        assert any(t("current_boundaries", lang) in x for x in labels)
    tengah = next(c for c in demo_ds.registry.codes if c.startswith("94."))
    from ucj.analysis.district import district_figures

    fig = district_figures(demo_ds, tengah)
    assert fig.poverty.set_index("year").loc[2023, "bps_province_p0_pct"] != fig.poverty.set_index("year").loc[
        2023, "bps_province_p0_pct"]  # NaN: BPS published no Papua Tengah row before 2024
    assert fig.province_note and "province_not_published(years=2019–2023)" in fig.province_note
    # a province whose boundaries did not change: BPS's row and the rebuilt one agree, nothing to say
    assert district_figures(demo_ds, "75.02").province_note is None


def test_indonesian_excel_has_no_english_unit(pages):
    wb = openpyxl.load_workbook(pages["71.02", "id"]["folder"] / "tables.xlsx")
    formats = {c.number_format for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert not any(" pp" in f for f in formats) and any("poin persen" in f for f in formats)


# -- every district ------------------------------------------------------------------------------
def _page_words(report) -> str:
    """What a page says in words and tables, without drawing it (the summary, sentences, notes and every
    table as shown)."""
    parts = [f"{a}: {b}" for a, b in report.summary_items()]
    parts += [report.period_rule_text(), report.coverage_sentence(), report.workers_needed_sentence(),
              report.claims_reconciliation(), report.province_text(), report.parameters_text(),
              *report.methods_lines()]
    for name in report.tables:
        frame = report.published_table() if name == "seed_facts" else report.display_table(name)
        if frame is not None:
            parts.append(" | ".join(map(str, frame.columns)))
            parts += [" | ".join(map(str, row)) for row in frame.itertuples(index=False)]
    return "\n".join(parts)


def _tablesfix_cells(report, lang: str) -> list[tuple[str, str]]:
    """Cells that say one thing two ways (issue 18, second reading 15, 19, 20): an interval level with a
    decimal ("80,0 %" where the text says 80 %), budget rows that share one label, a published figure's
    period not a month (or "no later than" a month)."""
    bad = []
    for name in report.tables:
        frame = report.published_table() if name == "seed_facts" else report.display_table(name)
        if frame is None:
            continue
        if t("interval_pct", lang) in frame.columns:
            bad += [(name, c) for c in frame[t("interval_pct", lang)] if not re.fullmatch(r"\d+ %|–", c)]
        if name == "budget" and frame[t("label", lang)].duplicated().any():
            bad.append((name, "rows with one label"))
        if name == "seed_facts" and len(frame):
            month = re.escape(t("period_no_later_than", lang)).replace(r"\{period\}", r"\d{4}-\d\d")
            bad += [(name, c) for c in frame[t("figure_period", lang)]
                    if not re.fullmatch(rf"\d{{4}}-\d\d|{month}", c)]
    return bad


def every_district_problems(ds, data_dir: str, lang: str) -> list[str]:
    """What the one-story check finds wrong on the pages of all 514 districts of `ds` (read from
    `data_dir`, ";"-separated folders), built with the presentation functions (no kernel), the all-district
    tables shared as a batch shares them: each summary value carries its period; the coverage printed in
    the summary is the coverage sentence's, with the same period, and the key figures' for its pairing; a
    coverage older than the last month comes with the rule; no internal name and no word of the other
    language. Used on the demo (both languages) and on the demo merged with real BPS imports."""
    codes = sorted(ds.enrolment["district_code"].unique())
    assert len(codes) == 514
    peers = district_report.PeerTables(ds)
    words = ENGLISH_WORDS if lang == "id" else INDONESIAN_WORDS
    problems: list[str] = []
    for code in codes:
        report = district_report.build(ds, validate_params(code, lang=lang, data_dir=data_dir,
                                                           registry=ds.registry), comparison=peers)
        fig = report.results
        for label, value in report.summary_items():
            if value != "–" and label not in (t("target", lang), t("projected", lang), t("last_period", lang)):
                if not re.search(PERIOD_AT_END, label):
                    problems.append(f"{code}: no period on {label}")
        cov = fig.figures.get("coverage")
        if cov is not None:
            if not (fmt_pct(cov.value, lang) in report.coverage_sentence() and cov.period in report.coverage_sentence()):
                problems.append(f"{code}: summary and sentence differ")
            pair = report.key["coverage_by_pairing"][fig.denominator]
            if (pair["period"], round(pair["value"], 9)) != (cov.period, round(cov.value, 9)):
                problems.append(f"{code}: key figures differ")
            if cov.period != f"{fig.last_period:%Y-%m}" and not report.period_rule_text():
                problems.append(f"{code}: stale coverage without the rule")
        text = _page_words(report)
        problems += [f"{code}: {bad}" for bad in INTERNAL if bad in text]
        problems += [f"{code}: {name}: {bad}" for name, bad in _tablesfix_cells(report, lang)]
        text = re.sub(r"“[^”]*”", " ", text)
        for quoted in _quoted_and_cited(report):
            text = text.replace(quoted, " ")
        problems += [f"{code}: '{w}'" for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.I)]
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id"])  # English in test_pages_one_story_en.py: another xdist worker takes it
def test_every_district_page_tells_one_story(demo_ds, demo_dir, lang):
    """All 514 districts of the demo (every_district_problems)."""
    problems = every_district_problems(demo_ds, str(demo_dir), lang)
    assert problems == [], problems[:20]


@pytest.mark.slow
def test_a_batch_through_kernels_keeps_pairings_apart_and_pages_citable(demo_dir, raw, tmp_path):
    """The user's path: `run_many` (papermill kernels) for Minahasa and Boalemo in Bahasa Indonesia; the
    index and summary.csv hold coverage per pairing with its month (values worked out here with pandas),
    each page has html lang="id", no internal name and parameters in words."""
    from ucj.runs.batch import run_many
    from ucj.runs.index_page import pairing_label

    params = [validate_params(name, data_dir=str(demo_dir), lang="id") for name in ("Minahasa", "Boalemo")]
    entries = run_many(params, tmp_path / "run", workers=1, progress=False)
    assert [e["status"] for e in entries] == ["ok", "ok"]
    page = html_lib.unescape((tmp_path / "run" / "index.html").read_text())
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    assert pairing_label("working_population", "id") in heads and pairing_label("potensi_pekerja", "id") in heads
    e, w = raw["enrolment"], raw["workforce"].set_index(["district_code", "year"])
    x = e[(e["district_code"] == "71.02") & (e["month"] == "2025-12-01")]["active"].sum()
    # the potensi list is of 2023 (its year assumed: the article states none; no later than 24 September 2023, reader
    # 15, R15-1), the participants of 2025-12: the cell names both (reader 11, M1)
    cell = f"{fmt_pct(100 * x / float(w.loc[('71.02', 2023), 'potensi_pekerja']), 'id')} (peserta 2025-12 / " \
           f"potensi pekerja 2023, diasumsikan)"
    assert cell in page
    df = pd.read_csv(tmp_path / "run" / "summary.csv", dtype={"district_code": str}).set_index("district_code")
    assert df.at["71.02", "coverage_period_potensi_pekerja"] == "2025-12"
    assert int(df.at["71.02", "denominator_period_potensi_pekerja"]) == 2023
    assert df.at["71.02", "active_period"] == "2025-12" and pd.isna(df.at["75.02", "coverage_pct_potensi_pekerja"])
    # targets too sit under their pairing: Minahasa's over potensi pekerja, Boalemo's over the working population
    targets = pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code")
    assert df.at["71.02", "target_pct_potensi_pekerja"] == targets.at["71.02", "coverage_target_pct"] == 100.0
    assert df.at["75.02", "target_pct_working_population"] == targets.at["75.02", "coverage_target_pct"]
    assert pd.isna(df.at["71.02", "target_pct_working_population"]) and "target_pct" not in df.columns
    # and the projection: Boalemo's (a fitted series) in its pairing's column, as its own key figures hold it
    key = json.loads(next((tmp_path / "run").glob("7502-*/key_figures.json")).read_text())["projection"]
    assert df.at["75.02", "projected_pct_working_population"] == pytest.approx(key["projected_pct"])
    assert df.at["75.02", "lower_pct_working_population"] == pytest.approx(key["lower_pct"])
    assert pd.isna(df.at["75.02", "projected_pct_potensi_pekerja"])
    for report in (tmp_path / "run").glob("*/report.html"):
        text = report.read_text()
        assert re.search(r'<html[^>]*lang="id"', text)
        visible = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", text, flags=re.S)))
        assert not [bad for bad in INTERNAL if bad in visible]
        assert "tahun target: bawaan" in visible and "= -1" not in visible


@pytest.fixture(scope="module")
def merged(demo_dir, tmp_path_factory):
    """The demo with the real BPS P0 and poor files imported over it (`ucj import bps-table`), as a
    planner would: (dataset, data folders)."""
    from typer.testing import CliRunner

    import ucj
    from conftest import P0_CSV, POOR_CSV
    from ucj.cli import app

    out = tmp_path_factory.mktemp("bps")
    for raw_file in (P0_CSV, POOR_CSV):
        res = CliRunner().invoke(app, ["import", "bps-table", str(raw_file), "--out", str(out)])
        assert res.exit_code == 0, res.output
    return ucj.load(str(demo_dir), str(out)), f"{demo_dir};{out}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_seed_pages_on_the_demo_merged_with_real_bps_imports(merged, lang):
    """On demo + real BPS imports: the poverty table is real (so labelled, no stamp on its chart), its
    source cited by BPS's titles with no import reference or internal name, the period rule and the
    coverage columns as on the demo, and no word of the other language."""
    ds, dirs = merged
    for code in SEEDS:
        report = district_report.build(ds, validate_params(code, lang=lang, data_dir=dirs, registry=ds.registry))
        prov = report.tables["provenance"].set_index("table")
        assert prov.at["poverty", "synthetic"] == t("real", lang)
        assert not report.results.chart_synthetic["poverty"] and report.results.chart_synthetic["coverage"]
        assert t("synthetic_stamp", lang) not in _chart_texts(report)["poverty"]
        text = _page_words(report)
        assert not [bad for bad in INTERNAL if bad in text]
        source = report.display_table("poverty").iloc[:, -1].iloc[0]
        assert source.startswith("BPS, ") and "Menurut Kabupaten/Kota" in source  # BPS's own table title
        assert ".csv" not in source and "table" not in source and "bps:" not in source
        text = re.sub(r"“[^”]*”", " ", text)
        for quoted in _quoted_and_cited(report):
            text = text.replace(quoted, " ")
        words = ENGLISH_WORDS if lang == "id" else INDONESIAN_WORDS
        assert [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.I)] == [], code
    mina = district_report.build(ds, validate_params("71.02", lang=lang, data_dir=dirs, registry=ds.registry))
    assert mina.results.figures["coverage"].period == "2025-12" and "2023" in mina.period_rule_text()
