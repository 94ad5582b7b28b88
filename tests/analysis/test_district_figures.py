"""One district's figures on the demo data: the seed facts beside the data, one national figure per
report, the numerator that goes with the denominator, gross and net workers needed, and a budget that
does not count funded workers twice. Expected values come from the published facts or are worked out
here from the tables directly."""

from __future__ import annotations

import pandas as pd
import pytest

from ucj.analysis.district import district_figures
from ucj.data.published import fact

MINAHASA, BANGGAI, BOALEMO, MUNA_BARAT = "71.02", "72.01", "75.02", "74.13"


@pytest.fixture(scope="module")
def figures(demo_ds):
    return {code: district_figures(demo_ds, code) for code in (MINAHASA, BANGGAI, BOALEMO, MUNA_BARAT)}


def _facts(fig) -> pd.DataFrame:
    return fig.seed_facts.set_index("quantity")


def test_minahasa_shows_its_article_on_the_potensi_denominator(figures, demo_ds):
    fig = figures[MINAHASA]
    assert fig.denominator == "potensi_pekerja" and fig.pairing == "all_participants/potensi_pekerja"
    f = _facts(fig)
    assert f.at["potensi_pekerja", "published"] == 132_104 and f.at["covered_workers", "published"] == 100_841
    assert f.at["coverage_pct", "published"] == 76 and round(f.at["coverage_pct", "data"], 1) == 76.3
    # the demo's count was built to equal the article: synthetic, so never read as agreeing (reader 3, finding 4)
    assert pd.isna(f.at["coverage_pct", "agreement"]) and f.at["coverage_pct", "data_basis"] == "basis_synthetic"
    assert abs(f.at["coverage_pct", "difference"]) <= 0.5  # within the article's rounding to whole percent
    assert f.at["uncovered_workers", "published"] == 30_000  # "sekitar 30 ribu", as the article writes it
    assert f.at["uncovered_workers", "data"] == 132_104 - 100_841
    # the article's month: no later than 2023-09, the Bupati it quotes in office to 24 September 2023 (R15-1)
    assert f.at["covered_workers", "data"] == 100_841 and f.at["covered_workers", "data_as_of"] == "2023-09"
    # the page's own coverage: 2025-12 participants (pandas) over the latest (2023) potensi list, the rule stated
    e = demo_ds.enrolment
    dec25 = e[(e["district_code"] == MINAHASA) & (e["month"] == pd.Timestamp("2025-12-01"))]["active"].sum()
    assert fig.coverage_pct == pytest.approx(100 * dec25 / 132_104) and f"{fig.coverage_as_of:%Y-%m}" == "2025-12"
    assert fig.active == dec25 and fig.period_rule == ("period_rule_latest_numerator(numerator=2025-12, "
                                                       "denominator_year=2023, denominator=potensi_pekerja)")
    assert not fig.target_is_default and fig.projection.target_pct == 100.0


def test_muna_barat_shows_the_apbd_claims_of_its_article(figures):
    f = _facts(figures[MUNA_BARAT])
    assert (f.at["claim_count", "published"], f.at["claim_amount_rp", "published"]) == (120, 4_960_000_000)
    assert (f.at["claim_count", "data"], f.at["claim_amount_rp", "data"]) == (120, 4_960_000_000)
    assert f.at["claim_count", "data_as_of"] == "2022-11 – 2024-12"
    assert f.at["planned_apbd_workers", "published"] == 10_000


def test_boalemo_shows_its_funded_workers_and_poverty_target(figures):
    fig = figures[BOALEMO]
    f = _facts(fig)
    assert f.at["apbd_funded_workers", "published"] == fact("apbd_funded_workers", BOALEMO) == 5_000
    assert f.at["poverty_target_pct", "published"] == 10 and f.at["poverty_target_pct", "data"] == 16.37
    assert fig.target_is_default  # Boalemo states no coverage target: the national default, labelled so
    # scenarios: the 5,000 funded today plus 5,000 or 10,000 additional (reader's finding 15)
    b = fig.budget.set_index("workers")
    assert b.at[10_000, "already_funded"] == 5_000 and b.at[10_000, "additional_workers"] == 5_000
    assert b.at[10_000, "coverage_after_pct"] == pytest.approx(
        b.at[10_000, "coverage_before_pct"] + 100 * 5_000 / fig.denominator_value)
    assert b.at[15_000, "additional_workers"] == 10_000
    # the workers needed are the year-by-year budget_plan; the two rows are told apart by words (second reading)
    assert b.at[10_000, "label"] == "scenario_funded_plus_5000" and b.at[15_000, "label"] == "scenario_funded_plus_10000"


def test_banggai_shows_its_2030_target(figures):
    fig = figures[BANGGAI]
    assert (fig.projection.target_pct, fig.projection.target_year) == (99.5, 2030)
    assert _facts(fig).at["coverage_target_pct", "published"] == 99.5


def test_one_national_p0_per_report(figures):
    """The poverty table, the key figures and the peer table give the same national P0: BPS's 8.47 for 2025."""
    for fig in figures.values():
        pov = fig.poverty.set_index("year")
        peers = fig.peers.set_index("indicator")
        assert fig.peer_year == 2025
        assert pov.at[2025, "national_p0"] == pytest.approx(peers.at["p0", "national"], abs=1e-9)
        assert fig.poverty_latest["national_p0"] == pytest.approx(pov.at[2025, "national_p0"], abs=1e-9)
        assert round(pov.at[2025, "national_p0"], 2) == fact("p0", None, "2025") == 8.47
        assert round(pov.at[2024, "national_p0"], 2) == fact("p0", None, "2024") == 9.03
        assert pov["province_p0"].notna().all()  # shown although P1/P2 are missing before 2024


def test_claims_headline_leaves_savings_out(figures):
    fig = figures[MINAHASA]
    c = fig.claims_12m.set_index("programme")
    key = fig.key()["claims_12m"]
    risk_and_jkp = int(c.loc[c["kind"] != "savings", "claim_amount_rp"].sum())
    assert key["amount_rp"] == risk_and_jkp
    assert set(fig.savings_12m["programme"]) <= {"JHT", "JP"} and "JHT" in set(fig.savings_12m["programme"])
    assert set(fig.loss_ratio_12m.columns) >= {"segment", "funding", "loss_ratio"}


def test_employees_coverage_counts_wage_earners_only(demo_ds):
    fig = district_figures(demo_ds, MINAHASA, denominator="employees")
    e = demo_ds.enrolment
    month = fig.coverage_as_of
    pu = e[(e["district_code"] == MINAHASA) & (e["month"] == month) & (e["segment"] == "PU")]["active"].sum()
    w = demo_ds.workforce
    emp = w[(w["district_code"] == MINAHASA) & (w["year"] == month.year)]["employees"].iloc[0]
    assert fig.coverage_pct == pytest.approx(100 * pu / emp) and fig.coverage_pct < 100
    assert fig.pairing == "pu_participants/employees" and fig.coverage_note is None


def test_gross_workers_needed_add_the_observed_lapses(demo_ds, figures):
    fig = figures[BANGGAI]
    e = demo_ds.enrolment[demo_ds.enrolment["district_code"] == BANGGAI]
    lapses = 0.0
    for funded in (False, True):  # each funding group's own rate on its own stock (issue 18, lapsesplit)
        g = e[(e["funding"] != "self_employer") == funded]
        m = g.groupby("month")[["active", "lapsed"]].sum()
        window = m.loc["2025-01-01":"2025-12-01"]
        before = m["active"].shift().loc["2025-01-01":"2025-12-01"]
        lapses += window["lapsed"].sum() / before.sum() * m.at[pd.Timestamp("2025-12-01"), "active"]
    assert fig.lapses.funded_basis == "own"  # Banggai's funded workers have enough participant-months
    active_now = e[e["month"] == pd.Timestamp("2025-12-01")]["active"].sum()
    assert fig.lapsed_per_month == pytest.approx(lapses)
    assert fig.lapse_rate_pct == pytest.approx(100 * lapses / active_now)
    assert fig.workers_needed_gross_per_month == pytest.approx(fig.projection.workers_needed_per_month + lapses)
    assert fig.workers_needed_gross_per_month > fig.projection.workers_needed_per_month > 0


def test_own_plans_are_in_the_plans_table_with_their_source(demo_ds, demo_dir, figures):
    """The plans table carries the published plans (data/published/seed_facts.csv, read here directly):
    Boalemo's poverty below 10 % (no year in the article), Muna Barat's 10,000 APBD workers in 2026; the
    district report shows them, formatted."""
    from conftest import REPO

    from ucj.presentation.district import build
    from ucj.presentation.i18n import t
    from ucj.runs.params import validate_params

    raw = pd.read_csv(REPO / "data" / "published" / "seed_facts.csv", dtype={"district_code": str})
    plans = demo_ds.plans.set_index(["district_code", "plan"])
    for code, plan, year in ((BOALEMO, "poverty_target_pct", None), (MUNA_BARAT, "planned_apbd_workers", 2026)):
        pub = raw[(raw["district_code"] == code) & (raw["quantity"] == plan)].iloc[0]
        row = plans.loc[(code, plan)]
        assert row["value"] == float(pub["value"]) and row["unit"] == pub["unit"]
        assert row["source"] == pub["source_article"] and pub["source_article"] in row["plan_source"]
        assert (pd.isna(row["year"]) if year is None else row["year"] == year)
        assert figures[code].plans["plan"].tolist() == [plan]
    assert figures[MINAHASA].plans.empty and figures[BANGGAI].plans.empty
    assert len(demo_ds.plans) == 2
    report = build(demo_ds, validate_params("Muna Barat", lang="en", data_dir=str(demo_dir)))
    shown = report.display_table("plans")
    # the data's plan, then the new agreement the same article announces for 2025, no number given (R19-1)
    assert shown[t("value", "en")].tolist() == ["10,000", "–"] and shown[t("year", "en")].tolist() == ["2026", "2025"]
    assert shown[t("quantity", "en")].tolist() == [t("planned_apbd_workers", "en"), t("agreement_renewal_announced", "en")]
    assert shown[t("wording", "en")].tolist() == ["“di tahun 2026 akan kita anggarkan untuk 10.000 jiwa pekerja rentan”",
                                                  "“maka di tahun 2025 ini akan dibuat Perjanjian Kerja Sama (PKST) yang baru”"]


def test_shared_all_district_tables_change_no_figure(demo_ds):
    """A report batch computes the all-district tables once (the comparison with every district's
    benchmarks, province and national poverty) and passes them to each district; the figures are those
    the district gets computing everything itself, and each province's poverty rows are those
    poverty_trends gives over that province's districts alone."""
    from ucj.analysis.all_districts import district_table
    from ucj.analysis.district import AreaPoverty, Comparison, as_of
    from ucj.analysis.poverty import poverty_trends

    period = pd.Timestamp(demo_ds.enrolment["month"].max())
    shared = AreaPoverty.of(demo_ds, period)
    pov = as_of(demo_ds, period).poverty
    for prov in ("71", "74", "75"):
        alone = poverty_trends(pov[pov["district_code"].str.startswith(prov + ".")], level="province")
        pd.testing.assert_frame_equal(shared.in_province(prov), alone, check_exact=False, rtol=1e-12)
    comparison = Comparison.of(district_table(as_of(demo_ds, period), 2025, "working_population"))
    for code in (BOALEMO, BANGGAI):
        own = district_figures(demo_ds, code)
        with_shared = district_figures(demo_ds, code, comparison=comparison, area_poverty=shared)
        assert with_shared.peer_year == own.peer_year == 2025
        pd.testing.assert_frame_equal(with_shared.peers, own.peers)
        pd.testing.assert_frame_equal(with_shared.poverty, own.poverty)
        assert with_shared.key() == own.key()
    # tables for another period are not used: the district's own are computed
    stale = AreaPoverty(period - pd.DateOffset(years=1), shared.province.iloc[:0], shared.national.iloc[:0])
    assert district_figures(demo_ds, BOALEMO, area_poverty=stale).key() == district_figures(demo_ds, BOALEMO).key()


def test_a_comparison_for_another_period_is_not_used(demo_ds):
    """A shared comparison table made at another month is left aside: the district's own is computed."""
    from ucj.analysis.all_districts import district_table
    from ucj.analysis.district import Comparison, as_of

    period = pd.Timestamp(demo_ds.enrolment["month"].max())
    earlier = period - pd.DateOffset(months=6)
    table = district_table(as_of(demo_ds, earlier), period.year, "working_population")
    wrong = Comparison.of(table, earlier)
    assert district_figures(demo_ds, BOALEMO, comparison=wrong).key() == district_figures(demo_ds, BOALEMO).key()
    assert not wrong.fits(period.year, "working_population", period)
