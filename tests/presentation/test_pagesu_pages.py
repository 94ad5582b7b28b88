"""Reader 15's LOW findings on the index, the overviews, the district pages and their workbooks (issue 18: R15-5,
R15-6, R15-7, R15-11, R15-12, R15-13), read as a reader reads them, in Bahasa Indonesia and English.

What a page should say is worked out here independently: claim counts and amounts summed with pandas from the claims
file, the data's last month from the enrolment and village files, the plan's outlet and title from
data/published/seed_facts.csv and citations.csv, the village quota from village_quotas.csv and the seed article's own
words, what a chart draws from the matplotlib artists of the chart itself."""

from __future__ import annotations

import html as html_lib
import re

import openpyxl
import pandas as pd
import pytest

from conftest import REPO, sections_html
from ucj.presentation.i18n import fmt_int, fmt_rp

LANGS = ("id", "en")
MINAHASA, BOALEMO = "71.02", "75.02"
PUBLISHED = REPO / "data" / "published"
SEEDS_DIR = REPO.parent / "shared" / "seeds"


def text_of(parts: list[str]) -> str:
    """The words a reader sees: tags dropped, entities decoded, white space collapsed."""
    words = html_lib.unescape(re.sub(r"<style.*?</style>|<script.*?</script>", " ", "".join(parts), flags=re.S))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", words))


def sheet_rows(path, titles: tuple[str, ...]) -> list[tuple]:  # type: ignore[type-arg]
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = next(ws for ws in wb.worksheets if ws.title in titles)
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


# -- R15-5: the index's claims columns say which is the count and which the amount -----------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r15_5_count_and_amount_headers_say_number_and_amount(district_page, demo_dir, tmp_path, lang):
    """The column whose Minahasa cell is the JKK+JKM+JKP claim count (summed here with pandas) is headed "Number of
    claims …" / "Jumlah klaim …", and the one whose cell is the amount "Amount of claims paid …" / "Nilai klaim …",
    in index.html and in summary.xlsx alike."""
    from ucj.runs.index_page import index_figures, write_index, write_summary

    count_word, amount_word = {"en": ("Number of claims JKK+JKM+JKP", "Amount of claims paid JKK+JKM+JKP"),
                               "id": ("Jumlah klaim JKK+JKM+JKP", "Nilai klaim JKK+JKM+JKP")}[lang]
    entries = []
    for code in (MINAHASA, BOALEMO):
        report = district_page(code, lang).report
        entries.append({"district": code, "district_name": report.params.district.full_name, "slug": code,
                        "status": "ok", "html": f"{code.replace('.', '')}/report.html",
                        "key": index_figures(report.key)})
    write_summary(tmp_path, entries)
    page = html_lib.unescape(write_index(tmp_path / "index.html", entries, lang, True, "x").read_text())
    c = pd.read_parquet(demo_dir / "claims.parquet")
    last = pd.Timestamp(c["month"].max())
    own = c[(c["district_code"] == MINAHASA) & (c["month"] > last - pd.DateOffset(months=12))
            & c["programme"].isin(["JKK", "JKM", "JKP"])]
    count, amount = int(own["claim_count"].sum()), float(own["claim_amount_rp"].sum())
    table = re.search(r"<table id='ucj-districts'.*?</table>", page, re.S).group(0)
    heads = re.findall(r'<th scope="col">([^<]*)</th>', table)
    name = entries[0]["district_name"]
    row = re.search(rf"<tr><td[^>]*>(?:<a [^>]*>)?{re.escape(str(name))}(?:</a>)?</td>.*?</tr>", table).group(0)
    cells = re.findall(r"<td[^>]*>(?:<a [^>]*>)?([^<]*)", row)
    by_value = {cell: head for head, cell in zip(heads, cells)}
    assert by_value[fmt_int(count, lang)].startswith(count_word), by_value[fmt_int(count, lang)]
    assert by_value[fmt_rp(amount, lang)].startswith(amount_word), by_value[fmt_rp(amount, lang)]
    assert not any(h.startswith(("Claims JKK", "Claims paid JKK")) for h in heads)
    rows = sheet_rows(tmp_path / "summary.xlsx", tuple(openpyxl.load_workbook(tmp_path / "summary.xlsx").sheetnames))
    head = list(rows[0])
    mina = next(r for r in rows[1:] if name in r)
    assert mina[next(i for i, h in enumerate(head) if str(h).startswith(count_word))] == count
    assert mina[next(i for i, h in enumerate(head) if str(h).startswith(amount_word))] == pytest.approx(amount)


# -- R15-6, R15-11: the overviews' parameters and their Indonesian "fit" --------------------------------------------

@pytest.fixture(scope="module")
def overviews(demo_ds):  # type: ignore[no-untyped-def]
    from ucj.presentation.overview import build_overview

    def params(lang: str, last_period: str = "") -> dict[str, object]:
        return {"province": "Gorontalo", "year": -1, "lang": lang, "last_period": last_period, "denominator": ""}

    out = {lang: build_overview(demo_ds, "Gorontalo", lang, figures=True, parameters=params(lang)) for lang in LANGS}
    out["en-2025-06"] = build_overview(demo_ds, "Gorontalo", "en", figures=True, last_period="2025-06",
                                       parameters=params("en", "2025-06"))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_r15_6_overview_parameters_print_the_resolved_period_and_year(overviews, demo_dir, lang):
    """Unset, the last period and the year print the months the page uses (the enrolment file's last month, read
    with pandas) with the rule that chose them, never "default" alone."""
    last = pd.Timestamp(pd.read_parquet(demo_dir / "enrolment.parquet", columns=["month"])["month"].max())
    text = text_of(sections_html(overviews[lang], ("show_methods",)))
    want = {"en": (f"last period: {last:%Y-%m} (default: the latest month in the data)",
                   f"year: {last.year} (default: the year of the last period)"),
            "id": (f"periode terakhir: {last:%Y-%m} (bawaan: bulan terakhir dalam data)",
                   f"tahun: {last.year} (bawaan: tahun periode terakhir)")}[lang]
    assert all(w in text for w in want), text[-800:]
    assert not re.search(r"(last period|periode terakhir|year|tahun): (default|bawaan)\b", text)


def test_r15_6_a_given_period_prints_as_given(overviews):
    """A last period given prints as given; the year, unset, is that period's year."""
    text = text_of(sections_html(overviews["en-2025-06"], ("show_methods",)))
    assert "last period: 2025-06;" in text or text.rstrip().endswith("last period: 2025-06")
    assert "year: 2025 (default: the year of the last period)" in text


def test_r15_11_indonesian_overview_calls_the_area_fit_pemasangan(overviews):
    """"penyesuaian" on the Indonesian overview means the seasonal adjustment only (each use is followed by
    "musiman"); the area's model fit is a "pemasangan model terpisah", as the district pages say "dipasang"."""
    text = text_of(sections_html(overviews["id"], ("show_summary", "show_methods")))
    assert "pemasangan model terpisah" in text
    assert "penyesuaian terpisah" not in text
    for m in re.finditer(r"penyesuaian (\w+)", text):
        assert m.group(1) == "musiman", text[m.start() - 80:m.end() + 40]
    assert "separate fit" in text_of(sections_html(overviews["en"], ("show_summary", "show_methods")))


# -- R15-7: Minahasa's sources table points to where its plan comes from -----------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r15_7_minahasa_plans_row_cites_the_published_plan(district_page, demo_dir, lang):
    """Minahasa has no row in the plans file (pandas) but a published plan in seed_facts.csv: the sources table's
    "District plans" row names that plan's outlet and title (citations.csv), on the page and in the workbook; Boalemo,
    which has a plans row, keeps citing it."""
    plans = pd.read_parquet(demo_dir / "plans.parquet")
    assert MINAHASA not in set(plans["district_code"]) and BOALEMO in set(plans["district_code"])
    facts = pd.read_csv(PUBLISHED / "seed_facts.csv", dtype=str)
    cites = pd.read_csv(PUBLISHED / "citations.csv", dtype=str)
    plan = facts[(facts["district_code"] == MINAHASA) & (facts["quantity"] == "apbd_funded_workers")]
    cited = cites[cites["source_article"].isin(plan["source_article"])].iloc[0]
    outlet, title = str(cited["publisher"]), str(cited["title"])
    page = district_page(MINAHASA, lang)
    label = {"en": "District plans", "id": "Rencana daerah"}[lang]
    rows = sheet_rows(page.folder / "tables.xlsx", ("Data sources", "Sumber data"))
    row = next(r for r in rows if r and r[0] == label)
    for cell in (str(row[1]), text_of(page.html(("show_data_notes",)))):
        assert outlet in cell and title in cell
    assert {"en": "Plans and targets", "id": "Rencana dan target"}[lang] in str(row[1])
    boalemo = sheet_rows(district_page(BOALEMO, lang).folder / "tables.xlsx",
                         ("Data sources", "Sumber data"))
    assert "hariantoday.com" in str(next(r for r in boalemo if r and r[0] == label)[1])


# -- R15-12: alt texts say what the chart draws, and that its data are made up ------------------------------------

def _drawn(fig) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """What a coverage chart draws, read from its artists: the dashed projection line, the band (the fill labelled
    with the interval), the target's star (the one scatter), the red stamp (the title in the right slot)."""
    ax = fig.axes[0]
    return {"projection": any(line.get_linestyle() == "--" for line in ax.get_lines()),
            "band": any(re.search(r"prediction interval|selang prediksi", c.get_label()) for c in ax.collections),
            "target": any(type(c).__name__ == "PathCollection" for c in ax.collections),
            "stamp": any(a.get_title(loc="right") for a in fig.axes)}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", [MINAHASA, BOALEMO])
def test_r15_12_coverage_alt_follows_the_chart_drawn(district_page, demo_dir, code, lang):
    """Minahasa's chart draws no projection, Boalemo's does (read from the figures): the alt text says a projection
    only where one is drawn and ends with "(synthetic demo data)" where the stamp is drawn, which it is because the
    enrolment file's rows are all made up (pandas)."""
    report = district_page(code, lang).report
    drawn = _drawn(report.charts["coverage"])
    alt = report.alt_text("coverage")
    assert drawn["projection"] == (code == BOALEMO)  # the two cases this test is about
    said = {"en": ("the projection with its prediction interval", "No projection is drawn"),
            "id": ("proyeksi dengan selang prediksinya", "Proyeksi tidak digambar")}[lang]
    assert (said[0] in alt) == (drawn["projection"] and drawn["band"]), alt
    assert (said[1] in alt) == (not drawn["projection"]), alt
    assert ({"en": "the target", "id": "target"}[lang] in alt) == drawn["target"]
    enrolment = pd.read_parquet(demo_dir / "enrolment.parquet", columns=["source"])
    assert set(enrolment["source"]) == {"synthetic-demo"} and drawn["stamp"]
    assert alt.endswith({"en": "(synthetic demo data).", "id": "(data demo sintetis)."}[lang])
    assert f'alt="{html_lib.escape(alt)}"' in report.figure_html("coverage")


@pytest.mark.parametrize("lang", LANGS)
def test_r15_12_stamp_in_alt_only_where_drawn(district_page, overviews, lang):
    """The claims chart is stamped (made-up claims) and says so in its alt text; the poverty chart plots BPS's P0 and
    carries no stamp, nor does its alt text; the overview's scatter says so when stamped."""
    report = district_page(MINAHASA, lang).report
    suffix = {"en": "(synthetic demo data).", "id": "(data demo sintetis)."}[lang]
    for name in ("claims", "poverty"):
        stamped = any(a.get_title(loc="right") for a in report.charts[name].axes)
        assert report.alt_text(name).endswith(suffix) == stamped, (name, report.alt_text(name))
    assert not any(a.get_title(loc="right") for a in report.charts["poverty"].axes)
    ov = overviews[lang]
    from IPython import display as ipd

    parts: list[str] = []
    saved = ipd.display
    ipd.display = lambda obj: parts.append(obj.data)
    try:
        ov.show_figure("scatter")
    finally:
        ipd.display = saved
    alt = html_lib.unescape(re.search(r'alt="([^"]*)"', parts[0]).group(1))
    assert alt.endswith(suffix) == any(a.get_title(loc="right") for a in ov.charts["scatter"].axes)


# -- R15-13: the villages sheet's month and quota source on the notes sheet ---------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r15_13_notes_sheet_gives_the_villages_month_and_quota_source(district_page, demo_dir, lang):
    """The notes sheet has a Villages line with the village file's last month and the month a year before (pandas),
    and Minahasa's quota with the article's words (which are in the seed article itself) and its outlet."""
    v = pd.read_parquet(demo_dir / "village_enrolment.parquet", columns=["district_code", "month"])
    month = pd.Timestamp(v.loc[v["district_code"] == MINAHASA, "month"].max())
    before = month - pd.DateOffset(years=1)
    quota = pd.read_csv(PUBLISHED / "village_quotas.csv", dtype=str).set_index("district_code").loc[MINAHASA]
    seed = re.sub(r"\s+", " ", next(SEEDS_DIR.glob("003_*.txt")).read_text(encoding="utf-8"))
    assert quota["wording"] in seed
    rows = sheet_rows(district_page(MINAHASA, lang).folder / "tables.xlsx", ("Notes", "Catatan"))
    note = next(str(r[1]) for r in rows if r and r[0] == {"en": "Villages", "id": "Desa"}[lang])
    assert f"{month:%Y-%m}" in note and f"{before:%Y-%m}" in note
    assert f"{quota['quota']} per desa" in note and quota["wording"] in note and "ANTARA Sulut" in note


@pytest.mark.parametrize("lang", LANGS)
def test_r15_12_explorer_alt_texts_follow_the_stamp(demo_ds, demo_dir, lang):
    """The explorer's charts follow the same rule: claims are made up (every claims row's source is the demo's,
    pandas) and the claims chart's alt says so; the poverty chart plots BPS's P0 (a BPS source in every year of the
    district's poverty rows) and says nothing of the kind."""
    from ucj.analysis.district import district_figures
    from ucj.presentation.explore import claims_view, poverty_view

    claims = pd.read_parquet(demo_dir / "claims.parquet", columns=["source"])
    poverty = pd.read_parquet(demo_dir / "poverty.parquet", columns=["district_code", "source"])
    assert set(claims["source"]) == {"synthetic-demo"}
    assert poverty.loc[poverty["district_code"] == MINAHASA, "source"].str.startswith("BPS P0").all()
    fig = district_figures(demo_ds, MINAHASA)
    suffix = {"en": "(synthetic demo data).", "id": "(data demo sintetis)."}[lang]
    assert claims_view(demo_ds, fig, lang).alt.endswith(suffix)
    assert "(synthetic demo data)" not in poverty_view(demo_ds, fig, lang).alt
    assert "(data demo sintetis)" not in poverty_view(demo_ds, fig, lang).alt
