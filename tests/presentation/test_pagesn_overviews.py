"""Reader 11's findings on the overviews: a province's projection is a separate fit on its summed series, so the
page shows beside it its districts' own projections combined as a ratio of sums (H1); coverage is named with its
pairing in a district's peers row and on the overview's scatter axis (L11); the nation's sources cell of a
district table never opens with one district's article (L12).

The oracles are worked here by hand with pandas: the districts' denominators at the target year from the demo's
workforce Parquet file (the last known value grown at the district's own yearly growth over its last six known
years), combined with each district's own projected coverage as its own page reports it; a small hand-worked
table; and the workforce table's sources counted with value_counts."""

from __future__ import annotations

import html as html_lib
import math
import re

import pandas as pd
import pytest

from ucj.presentation.i18n import fmt_pct, fmt_pp, t

LANGS = ("id", "en")


@pytest.fixture(scope="module")
def overviews(demo_ds):  # type: ignore[no-untyped-def]
    from ucj.presentation.overview import build_overview

    return {(area, lang): build_overview(demo_ds, area, lang, figures=True)
            for area in ("Gorontalo", None) for lang in LANGS}


def test_combination_of_a_small_table_worked_by_hand():
    """Four districts: two projected to 2029 (50 % of 1,000 and 20 % of 3,000: 500 + 600 participants over
    4,000, 27.5 %), one without a projection and one projected to 2030, both left out of both sums."""
    from ucj.analysis.regions import COMBINED_NO_PROJECTION, COMBINED_OTHER_YEAR, combine_district_projections

    rows = pd.DataFrame({"projected_pct": [50.0, 20.0, math.nan, 40.0],
                         "denominator_at_target": [1000.0, 3000.0, 500.0, 2000.0],
                         "target_year": [2029, 2029, 2029, 2030]})
    c = combine_district_projections(rows, 2029)
    assert c.projected_pct == pytest.approx(27.5)
    assert (c.participants, c.denominator, c.districts_used, c.districts_total) == (1100.0, 4000.0, 2, 4)
    assert c.left_out == {COMBINED_NO_PROJECTION: 1, COMBINED_OTHER_YEAR: 1}


def _denominator_at(workforce: pd.DataFrame, code: str, year: int) -> float:
    """By hand: the district's last known working population grown to December of `year` at its yearly growth
    over its last (up to) six known years."""
    w = workforce.loc[workforce["district_code"] == code, ["year", "working_population"]].dropna().sort_values("year")
    w = w.tail(6)
    first, last = w.iloc[0], w.iloc[-1]
    span = int(last["year"]) - int(first["year"])
    growth = (last["working_population"] / first["working_population"]) ** (1 / span) - 1 if span > 0 else 0.0
    return float(last["working_population"]) * (1 + growth) ** (year - int(last["year"]))


@pytest.mark.parametrize("lang", LANGS)
def test_gorontalo_districts_combined_by_hand(overviews, demo_ds, demo_dir, lang):
    """Gorontalo's combined figure is the sum of its districts' projected participants over the sum of their
    denominators at the target year, recomputed here; the page shows it beside the area's own projection, which
    alone carries the verdict, with the difference between the two."""
    from ucj.analysis.district import district_figures

    ov = overviews["Gorontalo", lang]
    a = ov.area
    year = a.projection.target_year
    workforce = pd.read_parquet(demo_dir / "workforce.parquet")
    codes = sorted(workforce.loc[workforce["district_code"].str.startswith("75."), "district_code"].unique())
    assert len(codes) == 6
    num = den = 0.0
    for code in codes:
        k = district_figures(demo_ds, code, denominator="working_population").key()  # as its own page reports it
        assert k["target_year"] == year  # all six are projected to the area's target year
        d = _denominator_at(workforce, code, year)
        assert k["projection"]["denominator_at_target"] == pytest.approx(d, rel=1e-9)
        num += k["projection"]["projected_pct"] / 100 * d
        den += d
    expected = 100 * num / den
    c = a.districts_combined
    assert (c.districts_used, c.districts_total, c.left_out) == (6, 6, {})
    assert c.projected_pct == pytest.approx(expected, abs=1e-9)
    assert ov.key()["districts_combined"]["projected_pct"] == pytest.approx(expected, abs=1e-9)
    # the combination differs from the area's separate fit on its summed series (reader 11: 31.8 against 35.2)
    assert abs(expected - a.projection.projected_pct) > 1.0

    items = dict(ov.summary_items())
    assert t("area_projected_label", lang) in items  # the verdict sits on the area's own projection
    assert t(a.projection.status, lang) in items[t("area_projected_label", lang)]
    label = next(k for k in items if k.startswith(t("districts_combined_label", lang).split("{")[0]))
    assert label.endswith(f"{year}-12")
    value = items[label]
    assert value.startswith(fmt_pct(expected, lang) + " (")
    assert fmt_pp(expected - a.projection.projected_pct, lang) in value
    assert t(a.projection.status, lang) not in value  # no second verdict


@pytest.mark.parametrize("lang", LANGS)
def test_methods_no_longer_call_the_area_projection_the_districts_model(overviews, lang):
    """The methods say the area's projection is a separate fit, not the sum of the districts' projections."""
    old = {"id": "proyeksi memakai model yang sama dengan kabupaten/kota", "en": "the projection uses the districts' model"}
    for area in ("Gorontalo", None):
        text = " ".join(overviews[area, lang].methods_lines())
        assert old[lang] not in text
        assert {"id": "bukan jumlah proyeksi", "en": "not the sum of the districts' own projections"}[lang] in text
    assert overviews[None, lang].area.districts_combined is None  # the nation lists no district projections


@pytest.mark.parametrize("lang", LANGS)
def test_coverage_named_with_its_pairing(overviews, district_page, lang):
    """L11: the overview scatter's x axis and a district's peers row name the pairing of the coverage they show."""
    for area in ("Gorontalo", None):
        xlabel = overviews[area, lang].charts["scatter"].axes[0].get_xlabel()
        assert t("working_population", lang) in xlabel and xlabel != t("coverage_pct", lang)
    report = district_page("75.02", lang).report  # Boalemo: its coverage over the working population
    shown = report.display_table("peers")
    cov = report.tables["peers"]["indicator"] == "coverage_pct"
    assert cov.sum() == 1
    cell = str(shown.loc[cov.to_numpy(), shown.columns[0]].iloc[0])
    assert cell == report.coverage_label() and t("working_population", lang) in cell


@pytest.mark.parametrize("lang", LANGS)
def test_national_workforce_source_opens_with_the_tables_own_source(overviews, demo_ds, demo_dir, lang):
    """L12: the nation's workforce row opens with the source most rows cite; the one district whose row cites an
    article is named beside that article."""
    from ucj.presentation.tables import sources_cell

    wf = pd.read_parquet(demo_dir / "workforce.parquet")
    counts = wf["source"].value_counts()
    assert 2 * counts.iloc[0] > len(wf) and len(counts) == 2
    other_code = wf.loc[wf["source"] == counts.index[1], "district_code"].unique()
    assert len(other_code) == 1
    prov = overviews[None, lang].tables()["provenance"].set_index("table")
    cell = prov.loc["workforce", "source"]
    assert cell.startswith(sources_cell([counts.index[0]], lang) + ". ")
    name = demo_ds.registry.get(other_code[0]).full_name
    rest = cell[len(sources_cell([counts.index[0]], lang)) + 2:]
    assert rest.startswith(f"{re.split(r'[{]', t('national_rows_of', lang))[0]}{name}: ")
    assert sources_cell([counts.index[1]], lang) in rest


@pytest.mark.parametrize("lang", LANGS)
def test_a_province_with_a_district_left_out_does_not_compare_the_two(demo_ds, lang):
    """Kalimantan Utara has a district without a projection: the combination covers the others (recomputed here
    from the district rows with pandas), says how many are left out, and is not set against the area's projection
    of all districts."""
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, "Kalimantan Utara", lang, figures=True)
    rows = pd.DataFrame(ov.key()["districts"])
    ok = rows["projected_pct"].notna() & rows["denominator_at_target"].notna()
    assert 0 < ok.sum() < len(rows)
    expected = 100 * (rows.loc[ok, "projected_pct"] / 100 * rows.loc[ok, "denominator_at_target"]).sum() \
        / rows.loc[ok, "denominator_at_target"].sum()
    c = ov.area.districts_combined
    assert c.projected_pct == pytest.approx(expected, abs=1e-9)
    assert sum(c.left_out.values()) == int((~ok).sum())
    value = dict(ov.summary_items())[next(k for k in dict(ov.summary_items())
                                           if k.startswith(t("districts_combined_label", lang).split("{")[0]))]
    assert t("districts_combined_note_partial", lang) in value
    assert fmt_pp(expected - ov.area.projection.projected_pct, lang) not in value


@pytest.mark.parametrize("lang", LANGS)
def test_the_index_row_of_a_province_shows_its_districts_combined_as_its_page_does(overviews, tmp_path, lang):
    """The batch index's row for the Gorontalo overview showed only the area's separate fit (35.2 %) beside
    districts whose own projections combine to 31.8 %: its projection cell now names the combination as the
    overview page does (same value, year and count of districts, recomputed by hand above), after the area's
    projection and interval, which stay the sortable value; the status cell keeps the area's one verdict."""
    from tests.runs.test_pagesm_index import heads_of, row_cells
    from ucj.runs.index_page import index_figures, projection_label, write_index

    ov = overviews["Gorontalo", lang]
    p, c = ov.area.projection, ov.area.districts_combined
    name = f"{t('province_overview', lang)}: Gorontalo"
    entry = {"kind": "overview", "level": "province", "province_code": "75", "district_name": name,
             "province": "Gorontalo", "slug": "overview-75-gorontalo", "status": "ok",
             "html": "overview-75-gorontalo/report.html", "key": index_figures(ov.key())}
    page = html_lib.unescape(write_index(tmp_path / "index.html", [], lang, True, "x", overviews=[entry]).read_text())
    heads, cells = heads_of(page, "ucj-overviews"), row_cells(page, name)
    cell = cells[heads.index(projection_label("working_population", lang))]
    area, _, combined = cell.partition("; ")
    assert area == f"{fmt_pct(p.projected_pct, lang)} ({fmt_pct(p.lower_pct, lang)}–{fmt_pct(p.upper_pct, lang)})"
    on_page = next(v for k, v in ov.summary_items() if k.startswith(t("districts_combined_label", lang).split("{")[0]))
    assert fmt_pct(c.projected_pct, lang) in combined and on_page.startswith(fmt_pct(c.projected_pct, lang))
    assert str(c.year) in combined and (f"6 {'dari' if lang == 'id' else 'of'} 6") in combined
    assert t(p.status, lang) in cells and sum(t(p.status, lang) in v for v in cells) == 1  # one verdict
