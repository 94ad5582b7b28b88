"""Notes the helpers of session 11 left on the pages. The explorer's chart alt texts name only what its charts draw
(pagesu's note after reader 15, R15-12): the coverage chart's band as drawn (all, some or none of the projected
months), the target's star whenever there is a target, and the compare chart's "(synthetic demo data)" where its stamp
is drawn; what is drawn is read from the figure's artists. The workbook's published sheet says the APBD claims'
window the page says (pagest's note)."""
from __future__ import annotations

import pandas as pd
import pytest

from ucj.analysis.district import district_figures
from ucj.analysis.explore import coverage_against

slow = pytest.mark.slow
SUFFIX = {"en": "(synthetic demo data).", "id": "(data demo sintetis)."}
BAND = {"en": ("the projection with its prediction interval", "without its prediction interval"),
        "id": ("proyeksi dengan selang prediksinya", "tanpa selang prediksinya")}


def _drawn(fig) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """The dashed projection line, a filled band with at least one polygon, the target's star, the stamp."""
    ax = fig.axes[0]
    fills = [c for c in ax.collections if type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection")]
    return {"projection": any(line.get_linestyle() == "--" for line in ax.get_lines()),
            "band": any(len(c.get_paths()) and any(len(p.vertices) for p in c.get_paths()) for c in fills),
            "target": any(type(c).__name__ == "PathCollection" for c in ax.collections),
            "stamp": any(a.get_title(loc="right") for a in fig.axes)}


@slow
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("code", ["71.02", "75.02", "74.13"])
def test_explorer_coverage_alt_follows_the_chart(demo_ds, code, lang):
    from ucj.presentation.explore import coverage_alt, coverage_chart

    fig = district_figures(demo_ds, code, denominator="working_population")
    drawn = _drawn(coverage_chart(coverage_against(demo_ds, fig), fig, "all", lang, True))
    alt = coverage_alt(fig, "all", lang)
    with_band, without_band = BAND[lang]
    assert (with_band in alt) == (drawn["projection"] and drawn["band"]), (alt, drawn)
    assert (without_band in alt) == (drawn["projection"] and not drawn["band"]), (alt, drawn)
    star = {"en": "A star marks the target", "id": "Bintang menandai target"}[lang]
    assert (star in alt) == drawn["target"], (alt, drawn)


@slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_explorer_compare_alt_says_synthetic_where_stamped(demo_ds, demo_dir, lang):
    from ucj.presentation.explore import compare_view

    view = compare_view(demo_ds, ["71.02", "75.02"], "working_population", lang)
    enrolment = pd.read_parquet(demo_dir / "enrolment.parquet", columns=["source"])
    assert set(enrolment["source"]) == {"synthetic-demo"}  # every row made up: the chart carries the stamp
    assert view.alt.endswith(SUFFIX[lang]), view.alt


@slow
@pytest.mark.parametrize("case", ["no_band", "some_band", "no_target", "no_projection"])
def test_explorer_coverage_alt_in_the_cases_the_demo_lacks(demo_ds, case):
    """Every demo district draws a full band and a star; the other cases built from Boalemo's figures: a band in no
    month or in half of them (`informative`), no target, no projection at all."""
    import dataclasses

    from ucj.presentation.explore import coverage_alt, coverage_chart

    fig = district_figures(demo_ds, "75.02", denominator="working_population")
    p = fig.projection
    fc = p.forecast.copy()
    if case == "no_band":
        fc["informative"] = False
    elif case == "some_band":
        fc["informative"] = [i < len(fc) // 2 for i in range(len(fc))]
    elif case == "no_projection":
        fc = fc.iloc[0:0]
    p = dataclasses.replace(p, forecast=fc, target_pct=float("nan") if case == "no_target" else p.target_pct)
    fig = dataclasses.replace(fig, projection=p)
    for lang in ("id", "en"):
        drawn = _drawn(coverage_chart(coverage_against(demo_ds, fig), fig, "all", lang, True))
        alt = coverage_alt(fig, "all", lang)
        part = {"en": "in the months where the interval is informative",
                "id": "pada bulan-bulan ketika selang itu informatif"}[lang]
        assert drawn["band"] == (case not in ("no_band", "no_projection"))
        assert (part in alt) == (case == "some_band"), alt
        assert (BAND[lang][1] in alt) == (case == "no_band"), alt
        assert (BAND[lang][0] in alt) == (case in ("some_band", "no_target")), alt
        assert ({"en": "A star marks", "id": "Bintang menandai"}[lang] in alt) == drawn["target"] == (case != "no_target")
        assert ({"en": "Also drawn", "id": "Juga digambar"}[lang] in alt) == drawn["projection"]


# -- the workbook's published sheet carries the APBD claims' window the page shows (pagest's note) ----------------

@pytest.mark.parametrize("lang", ["id", "en"])
def test_workbook_published_sheet_says_the_apbd_window(district_page, demo_dir, lang):
    """Muna Barat's APBD claims are computed over the programme's months, which pandas finds in the enrolment file
    (first and last month with APBD-funded participants); the page's "data as of" cells say them with the article's
    two start dates, and the workbook's sheet says the same words (it showed the bare months before)."""
    import openpyxl

    from ucj.presentation.i18n import t

    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    apbd = e[(e["district_code"] == "74.13") & (e["funding"] == "apbd") & (e["active"] > 0)]
    start, end = f"{apbd['month'].min():%Y-%m}", f"{apbd['month'].max():%Y-%m}"
    page = district_page("74.13", lang)
    table = page.report.published_table()
    claims = table[table[t("quantity", lang)].isin([t("claim_count", lang), t("claim_amount_rp", lang)])]
    cells = list(claims[t("data_as_of", lang)])
    assert len(cells) == 2 and all(c.startswith(f"{start} – {end} (") and "2024" in c and "2022" in c for c in cells)
    wb = openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)
    ws = wb[t("sheet.seed_facts", lang)]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    col = rows[0].index(t("data_as_of", lang))
    sheet = [r[col] for r in rows[1:] if r[0] in (t("claim_count", lang), t("claim_amount_rp", lang))]
    assert sheet == cells


# -- reader 16, R16-5: the segment sheet names its denominator and the denominator's year ---------------------------

@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("code", ["71.02", "75.02"])
def test_r16_5_segment_sheet_names_its_denominator(district_page, demo_dir, code, lang):
    """The workbook's "Coverage by segment" sheet stands alone: its coverage header names the denominator, and the notes
    sheet's row gives the participants' month and the denominator's year. Which denominator it is, is found by pandas:
    Minahasa's BPU share equals BPU participants 2025-12 over the latest potensi pekerja figure, and
    Boalemo's over the working population of 2025."""
    import openpyxl

    from ucj.presentation.i18n import t

    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    bpu = e[(e["district_code"] == code) & (e["month"] == "2025-12-01") & (e["segment"] == "BPU")]["active"].sum()
    rows = w[(w["district_code"] == code)]
    if code == "71.02":
        known = rows.dropna(subset=["potensi_pekerja"])
        year = int(known["year"].max())
        den, word = float(known.loc[known["year"] == year, "potensi_pekerja"].iloc[0]), "potensi_pekerja"
    else:
        year, word = 2025, "working_population"
        den = float(rows.loc[rows["year"] == 2025, "working_population"].iloc[0])
    folder = district_page(code, lang).folder
    wb = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)
    sheet = [tuple(r) for r in wb[t("sheet.coverage_by_segment", lang)].iter_rows(values_only=True)]
    head = sheet[0]
    col = next(i for i, h in enumerate(head) if h and t(word, lang) in str(h))  # the header names it
    value = next(r[col] for r in sheet[1:] if r[0] == t("BPU", lang))
    assert value == pytest.approx(100 * bpu / den, rel=1e-9)
    notes = [tuple(r) for r in wb[t("sheet.notes", lang)].iter_rows(values_only=True)]
    line = " ".join(str(c) for r in notes if r and r[0] == t("sheet.coverage_by_segment", lang) for c in r if c)
    assert "2025-12" in line and t(word, lang) in line
    if code == "71.02":
        assert str(year) in line and {"en": "assumed", "id": "diasumsikan"}[lang] in line


# -- reader 16, R16-3: the national overview shows the national coverage as published ---------------------------------

@slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_r16_3_national_overview_shows_the_published_national_coverage(demo_ds, lang):
    """The Kemendagri statement the national target is cited to (Kabaran.id, 15 May 2025) and BPJS Ketenagakerjaan's
    director (jpnn.com, 31 October 2025) publish national UCJ coverage: 35.68 % to April 2025 and 37.01 % in October
    2025 (parsed here from the wording stored in national_figures.csv); the national overview shows both with their
    months and outlets, not compared with its own (synthetic) coverage, and its target with the RPJMN path the same
    statement gives (32.15 % in 2025, 34.99 % in the RKP 2026). A province's overview shows none of it."""
    import re

    from ucj.data.published import national_figures
    from ucj.presentation.overview import build_overview

    f = national_figures().set_index("figure")

    def stated(figure: str) -> str:  # the percentage the publication's own words give, as the page writes it
        num = re.findall(r"(\d+,\d+) persen", f.loc[figure, "wording"])[-1]
        return num + " %" if lang == "id" else num.replace(",", ".") + " %"

    assert stated("ucj_coverage_2025_04_pct").startswith("35") and stated("ucj_coverage_2025_10_pct").startswith("37")
    ov = build_overview(demo_ds, None, lang, figures=True)
    items = dict(ov.summary_items())
    label = {"en": "National UCJ coverage as published", "id": "Cakupan UCJ nasional yang dipublikasikan"}[lang]
    text = items[label]
    assert f"{stated('ucj_coverage_2025_04_pct')} (2025-04; Kabaran.id" in text
    assert f"{stated('ucj_coverage_2025_10_pct')} (2025-10; jpnn.com" in text
    assert {"en": "not compared", "id": "tidak dibandingkan"}[lang] in text
    assert {"en": "synthetic demo data", "id": "data demo sintetis"}[lang] in text  # the demo's coverage is made up
    target = items["Target"]
    for figure in ("rpjmn_target_2025_pct", "rkp_target_2026_pct"):
        assert stated(figure) in target, target
    # key_figures.json: typed figures (R17-4), the page's card worded from them
    typed = ov.key()["published_national_coverage"]
    assert [x["period"] for x in typed] == ["2025-04", "2025-10"]
    for x in typed:
        assert f"{stated(x['figure'])} ({x['period']}; {x['citation']})" in text
    province = build_overview(demo_ds, "75", lang, figures=True)
    assert label not in dict(province.summary_items())


# -- reader 16, R16-8: the explorer opens a district on its page's pairing, with the page's period words -------------

@slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_r16_8_explorer_opens_on_the_pages_pairing(demo_ds, demo_dir, lang):
    """Minahasa's own target is set over its potensi pekerja list (the targets file, read by pandas), so its page
    and now the explorer open on that pairing; the headline says the participants' month and the list's year, assumed
    as the page says it, and the target's year assumed as the targets file marks it. Boalemo (a target over the
    working population) opens as before."""
    from ucj.presentation.explore import Explorer

    targets = pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code")
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    year = int(w[(w["district_code"] == "71.02") & w["potensi_pekerja"].notna()]["year"].max())  # the list's year
    assert targets.loc["71.02", "denominator"] == "potensi_pekerja" and bool(targets.loc["71.02", "target_year_assumed"])
    minahasa = Explorer(demo_ds, lang, "71.02")
    assert minahasa.denominator.value == "potensi_pekerja"
    head = " ".join(minahasa.view("coverage").lines[:2])
    assumed = {"en": "assumed", "id": "diasumsikan"}[lang]
    assert f"2025-12 / {t_('potensi_pekerja', lang)} {year}, {assumed}" in head, head
    assert f"2029, {assumed}" in head, head
    boalemo = Explorer(demo_ds, lang, "75.02")
    assert targets.loc["75.02", "denominator"] == "working_population"
    assert boalemo.denominator.value == "working_population"
    assert "(2025-12, " in boalemo.view("coverage").lines[0]


def t_(key: str, lang: str) -> str:
    from ucj.presentation.i18n import t

    return t(key, lang)


# -- reader 16, R16-12: a funding agreement started or enlarged is told beside the cuts ------------------------------

@pytest.mark.parametrize("lang", ["id", "en"])
def test_r16_12_funding_steps_of_the_last_year_are_on_the_page(district_page, demo_dir, lang):
    """Pohuwato's budget-funded workers month by month (pandas, its enrolment file): every month of the last 12 in
    which a funder's count rose by 10 or more from the month before is told on the page with both counts, and the
    workbook's notes say the same lines; Muna Barat, whose funded workers only ended, gets none."""
    from ucj.presentation.i18n import fmt_int, t

    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    f = e[(e["district_code"] == "75.04") & (e["funding"] != "self_employer")]
    by = f.groupby(["funding", "month"], observed=True)["active"].sum().unstack(0).sort_index()
    steps = []
    for funding in by.columns:
        diff = by[funding].diff()
        for month, d in diff[(diff >= 10) & (diff.index > pd.Timestamp("2024-12-01"))].items():
            steps.append((funding, f"{month:%Y-%m}", int(by[funding].shift()[month]), int(by.loc[month, funding])))
    assert {(s[0], s[1]) for s in steps} == {("apbn", "2025-01"), ("apbd", "2025-07"), ("apbn", "2025-07")}
    page = district_page("75.04", lang)
    lines = page.report.funding_rise_lines()
    for funding, month, before, after in steps:
        line = next(x for x in lines if t(funding, lang) in x and month in x)
        assert fmt_int(after, lang) in line and (before == 0 or fmt_int(before, lang) in line), line
    assert len(lines) == len(steps)
    import openpyxl

    wb = openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)
    notes = " ".join(str(c) for r in wb[t("sheet.notes", lang)].iter_rows(values_only=True) for c in r if c)
    assert all(x in notes for x in lines)
    assert district_page("74.13", lang).report.funding_rise_lines() == []
