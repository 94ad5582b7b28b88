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
slow = pytest.mark.slow  # each district's figures take seconds: kept out of `make test-fast`


@pytest.fixture(scope="module")
def minahasa(demo_ds):
    return district_figures(demo_ds, MINAHASA, denominator="working_population")


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
def test_budget_plan_against_hand_worked_figures(minahasa):
    plan = budget_plan(minahasa, 5_000, 12, 16_800, minahasa.projection.target_year)
    sc = plan.scenario
    assert sc["cost_rp"] == 1_008_000_000  # 5,000 workers x 12 months x Rp 16,800
    # national rates: JKK 370,747 / 41.56 m = 8.9 per 1,000 a year at Rp 4 m; JKM 1.79 per 1,000 at Rp 42 m
    assert plan.expected_jkk_claims_rp == pytest.approx(5_000 * 8.9 / 1000 * 4_000_000)  # Rp 178 m
    assert plan.expected_jkm_claims_rp == pytest.approx(5_000 * 1.79 / 1000 * 42_000_000)  # Rp 375.9 m
    assert sc["coverage_after_pct"] == pytest.approx(100 * (minahasa.active + 5_000) / minahasa.denominator_value)
    # reaching the target: the target share of the denominator grown yearly, less today's participants
    p = minahasa.projection
    last = minahasa.coverage_as_of
    years = p.target_year - last.year
    months = (p.target_year - last.year) * 12 + 12 - last.month
    need = p.target_pct / 100 * minahasa.denominator_value * (1 + p.denominator_growth_pct_per_year / 100) ** years \
        - minahasa.active
    assert plan.workers_needed_total == pytest.approx(need)
    assert plan.net_per_month == pytest.approx(need / months)
    assert plan.gross_per_month == pytest.approx(need / months + minahasa.lapsed_per_month)
    assert plan.cost_per_year_rp == pytest.approx(need * 16_800 * 12)
    later = budget_plan(minahasa, 5_000, 12, 16_800, p.target_year + 2)
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

    return Explorer(demo_ds, "en", MINAHASA)


def _rupiah_full(n: int, lang: str) -> str:
    """Thousands grouped by hand: 1008000000 -> Rp 1,008,000,000 (en) / Rp1.008.000.000 (id)."""
    digits = str(n)
    groups = [digits[max(i - 3, 0):i] for i in range(len(digits), 0, -3)][::-1]
    return "Rp " + ",".join(groups) if lang == "en" else "Rp" + ".".join(groups)


@slow
def test_budget_tab_reads_the_cost_in_the_pages_language(explorer):
    explorer.workers.value, explorer.months.value = 5_000, 12
    for lang, short in (("en", "Rp 1.008 bn"), ("id", "Rp1,008 M")):
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


@slow
def test_coverage_headline_and_download_match_the_table(explorer, minahasa):
    from ucj.presentation.explore import download_links
    from ucj.presentation.i18n import fmt_pct

    v = explorer.view("coverage")
    assert f"Coverage of Kabupaten Minahasa: {minahasa.coverage_pct:.1f} % ({minahasa.coverage_as_of:%Y-%m}," \
        in v.lines[0]
    assert fmt_pct(minahasa.coverage_pct, "en") == f"{minahasa.coverage_pct:.1f} %"
    links = download_links(v.table, v.name, "en")
    uris = dict(re.findall(r'download="ucj_coverage\.(\w+)" href="data:[^;]+;base64,([^"]+)"', links))
    csv = pd.read_csv(io.BytesIO(base64.b64decode(uris["csv"])), dtype=str, keep_default_na=False)
    assert csv.values.tolist() == v.table.astype(str).values.tolist()
    assert list(csv.columns) == list(v.table.columns)
    xlsx = pd.read_excel(io.BytesIO(base64.b64decode(uris["xlsx"])), dtype=str, keep_default_na=False)
    assert xlsx.values.tolist() == v.table.astype(str).values.tolist()


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
