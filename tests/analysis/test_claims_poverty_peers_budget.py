"""Claims, poverty, peers and budget scenarios against hand-worked examples, published figures and a
second library."""

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.budget import Assumptions, scenario, scenario_table
from ucj.analysis.claims import (claims_summary, heirs_benefits, loss_ratio, savings_withdrawals,
                                 severity)
from ucj.analysis.all_districts import district_table
from ucj.analysis.peers import benchmark, benchmark_all, similar_districts
from ucj.analysis.poverty import (coverage_poverty_panel, extreme_poverty_segments, fgt, fgt_table, panel_regression,
                         poverty_trends)
from ucj.data.published import fact

MUNA_BARAT = "74.13"


def test_muna_barat_mean_claim_is_41_3_million(demo_ds):
    s = claims_summary(demo_ds.claims, demo_ds.enrolment, period="all", by=(),
                       filters={"district_code": MUNA_BARAT, "funding": "apbd"}).iloc[0]
    assert s["claim_count"] == fact("claim_count", MUNA_BARAT)
    assert s["claim_amount_rp"] == fact("claim_amount_rp", MUNA_BARAT)
    assert round(s["mean_claim_rp"] / 1e6, 1) == 41.3


def _claims_fixture():
    months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    claims = pd.DataFrame({
        "district_code": "75.02", "month": np.repeat(months, 2), "segment": "BPU", "funding": "apbd",
        "programme": ["JKM", "JKK"] * 2, "claim_count": [1, 2, 0, 4], "claim_amount_rp": [42_000_000, 6_000_000, 0,
                                                                                         10_000_000]})
    enrol = pd.DataFrame({"district_code": "75.02", "month": months, "segment": "BPU", "funding": "apbd",
                          "active": [5000, 5000]})
    contrib = pd.DataFrame({"district_code": "75.02", "month": months, "segment": "BPU", "funding": "apbd",
                            "contribution_rp": [84_000_000, 0]})
    return claims, enrol, contrib


def test_frequency_severity_and_loss_ratio_hand_worked():
    claims, enrol, contrib = _claims_fixture()
    s = claims_summary(claims, enrol, period="year").set_index("programme")
    # JKK: 6 claims over 10,000 participant-months = 6 / (10,000/12) per participant-year
    assert s.at["JKK", "frequency_per_1000"] == pytest.approx(1000 * 12 * 6 / 10_000)
    assert s.at["JKK", "mean_claim_rp"] == pytest.approx(16_000_000 / 6)
    assert s.at["JKK", "claim_amount_rp"] == 16_000_000 and s["claim_amount_rp"].dtype == np.int64
    m = claims_summary(claims, enrol, period="month").set_index(["month", "programme"])
    assert np.isnan(m.at[(pd.Timestamp("2024-02-01"), "JKM"), "mean_claim_rp"])
    assert m.at[(pd.Timestamp("2024-02-01"), "JKM"), "reason"] == "reason_no_claims"
    lr = loss_ratio(claims, contrib, enrol, period="month").set_index("month")
    assert lr.at[pd.Timestamp("2024-01-01"), "loss_ratio"] == pytest.approx(48_000_000 / 84_000_000)
    assert np.isnan(lr.at[pd.Timestamp("2024-02-01"), "loss_ratio"])
    assert lr.at[pd.Timestamp("2024-02-01"), "reason"] == "reason_no_contributions"


def test_frequency_counts_months_without_claims_the_6x_case():
    """A branch file lists only the 2 months with claims; the enrolment table has all 12 months of
    1,000 participants. Exposure is 12,000 participant-months, not 2,000 (6x too small)."""
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    enrol = pd.DataFrame({"district_code": "71.02", "month": months, "segment": "BPU", "funding": "apbd",
                          "active": 1000})
    claims = pd.DataFrame({"district_code": "71.02", "month": months[[2, 7]], "segment": "BPU", "funding": "apbd",
                           "programme": "JKK", "claim_count": [3, 3], "claim_amount_rp": [3_000_000, 3_000_000]})
    s = claims_summary(claims, enrol, period="year").iloc[0]
    assert s["participant_months"] == 12_000
    assert s["frequency_per_1000"] == pytest.approx(6.0)  # 6 claims over 1,000 participant-years
    assert 1000 * 12 * 6 / 2_000 == 6 * s["frequency_per_1000"]  # what the claims-months exposure gave


def test_frequency_uses_eligible_participants_only():
    """JP is for wage earners only: 4 JP claims over 1,000 PU participants a year is 4 per 1,000, although
    3,000 BPU participants are also active; JKK counts everyone."""
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    enrol = pd.concat([
        pd.DataFrame({"district_code": "72.01", "month": months, "segment": "PU", "funding": "self_employer",
                      "active": 1000}),
        pd.DataFrame({"district_code": "72.01", "month": months, "segment": "BPU", "funding": "apbd",
                      "active": 3000})])
    claims = pd.DataFrame({"district_code": "72.01", "month": months[[0, 5]], "segment": ["PU", "BPU"],
                           "funding": ["self_employer", "apbd"], "programme": ["JP", "JKK"], "claim_count": [4, 8],
                           "claim_amount_rp": [1, 1]})
    s = claims_summary(claims, enrol, period="year").set_index("programme")
    assert s.at["JP", "participant_months"] == 12_000 and s.at["JP", "frequency_per_1000"] == pytest.approx(4.0)
    assert s.at["JKK", "participant_months"] == 48_000 and s.at["JKK", "frequency_per_1000"] == pytest.approx(2.0)


def test_loss_ratio_is_jkk_jkm_against_their_contributions():
    """PU: 1,000 workers at Rp 100 m of contributions, of which JKK+JKM is 0.84 / 10.4 (the PU rates);
    a JHT withdrawal of Rp 50 m is savings and not in the loss ratio."""
    m = pd.Timestamp("2024-01-01")
    enrol = pd.DataFrame({"district_code": "71.02", "month": [m, m], "segment": ["PU", "BPU"],
                          "funding": ["self_employer", "self_employer"], "active": [1000, 100]})
    contrib = enrol.drop(columns="active").assign(contribution_rp=[100_000_000, 3_680_000])
    claims = pd.DataFrame({"district_code": "71.02", "month": m, "segment": ["PU", "PU", "BPU"],
                           "funding": "self_employer", "programme": ["JKK", "JHT", "JKM"],
                           "claim_count": [1, 1, 1], "claim_amount_rp": [2_000_000, 50_000_000, 42_000_000]})
    lr = loss_ratio(claims, contrib, enrol, period="all").set_index("segment")
    pu_risk = round(100_000_000 * (0.0054 + 0.003) / (0.0054 + 0.003 + 0.057 + 0.03 + 0.0036))
    assert lr.at["PU", "contribution_rp"] == pu_risk and lr.at["PU", "claim_amount_rp"] == 2_000_000
    assert lr.at["PU", "loss_ratio"] == pytest.approx(2_000_000 / pu_risk)
    assert lr.at["BPU", "contribution_rp"] == 100 * 16_800  # JHT part above Rp 16,800 a head left out
    sv = savings_withdrawals(claims, period="all").set_index("programme")
    assert sv.at["JHT", "claim_amount_rp"] == 50_000_000 and "JKK" not in sv.index


def test_heirs_benefits_are_jkm_deaths():
    claims, _, _ = _claims_fixture()
    h = heirs_benefits(claims).iloc[0]
    assert (h["deaths"], h["paid_to_heirs_rp"]) == (1, 42_000_000)
    assert "JKK" in t_heirs_note() and "JKM" in t_heirs_note()


def test_severity_median_is_of_monthly_means():
    claims, _, _ = _claims_fixture()
    s = severity(claims).set_index("programme")
    assert s.at["JKK", "mean_claim_rp"] == pytest.approx(16_000_000 / 6)
    # monthly means 3.0 m (2 claims) and 2.5 m (4 claims): the claim-weighted median is 2.5 m
    assert s.at["JKK", "median_monthly_mean_claim_rp"] == pytest.approx(2_500_000)


def test_fgt_hand_worked_example():
    y = np.array([50.0, 80.0, 120.0, 200.0])
    assert fgt(y, 100, 0) == pytest.approx(50.0)
    assert fgt(y, 100, 1) == pytest.approx(100 * (0.5 + 0.2) / 4)
    assert fgt(y, 100, 2) == pytest.approx(100 * (0.25 + 0.04) / 4)
    w = np.array([1.0, 3.0, 2.0, 2.0])  # weights: the 80 person stands for three
    assert fgt(y, 100, 0, w) == pytest.approx(100 * 4 / 8)
    assert fgt(y, 100, 1, w) == pytest.approx(100 * (0.5 + 3 * 0.2) / 8)
    micro = pd.DataFrame({"exp": y, "z": [100, 100, 150, 150], "w": w, "area": ["a", "a", "b", "b"]})
    t = fgt_table(micro, expenditure="exp", poverty_line="z", weight="w", by=["area"]).set_index("area")
    assert t.at["b", "p0"] == pytest.approx(50.0) and t.at["b", "p1"] == pytest.approx(100 * (30 / 150) / 2)


def test_panel_regression_matches_linearmodels(demo_ds):
    from linearmodels.panel import PanelOLS

    panel = coverage_poverty_panel(demo_ds.enrolment, demo_ds.workforce, demo_ds.poverty)
    ours = panel_regression(panel)
    p = panel.set_index(["district_code", "year"])
    lm = PanelOLS(p["p0"], p[["coverage_pct"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)
    assert abs(ours.coef["coverage_pct"] - lm.params["coverage_pct"]) < 1e-6
    assert ours.se["coverage_pct"] == pytest.approx(lm.std_errors["coverage_pct"], rel=0.05)
    assert ours.nobs == len(panel) == 514 * 6  # poverty 2020-2025 on coverage of the December before
    from ucj.analysis.national import national_panel

    nat = national_panel(demo_ds.enrolment, demo_ds.workforce, demo_ds.poverty)
    assert nat.coef["coverage_pct"] == pytest.approx(lm.params["coverage_pct"]) and nat.note == "panel_caveat"  # worded by the catalogue (below)
    assert (panel["coverage_year"] == panel["year"] - 1).all()


def test_panel_lags_coverage_hand_worked():
    """March poverty of year t goes with December coverage of t-1, never of t."""
    months = pd.to_datetime(["2023-12-01", "2024-12-01"])
    e = pd.DataFrame({"district_code": "75.02", "month": months, "segment": "PU", "funding": "self_employer",
                      "active": [100, 300]})
    w = pd.DataFrame({"district_code": "75.02", "year": [2023, 2024], "working_population": [1000, 1000],
                      "employees": 500, "informal_workers": 400, "potensi_pekerja": pd.NA})
    p = pd.DataFrame({"district_code": "75.02", "year": [2023, 2024, 2025], "p0": [20.0, 19.0, 18.0]})
    panel = coverage_poverty_panel(e, w, p).set_index("year")
    assert panel.index.tolist() == [2024, 2025]
    assert panel.at[2024, "coverage_pct"] == pytest.approx(10.0) and panel.at[2025, "coverage_pct"] == 30.0


def test_panel_recovers_a_planted_effect():
    rng = np.random.default_rng(0)
    codes = [f"75.0{i}" for i in range(1, 6)] + [f"71.0{i}" for i in range(1, 6)]
    rows = []
    for i, c in enumerate(codes):
        for y in range(2019, 2026):
            cov = 10 + 3 * i + 2 * (y - 2019) + rng.normal()
            p0 = 20 - i - 0.3 * cov + (1.5 if y >= 2021 else 0) + rng.normal(0, 0.05)
            rows.append((c, y, cov, p0))
    panel = pd.DataFrame(rows, columns=["district_code", "year", "coverage_pct", "p0"])
    assert panel_regression(panel).coef["coverage_pct"] == pytest.approx(-0.3, abs=0.03)


def test_poverty_trends_flag_the_2021_break_and_never_join_extreme_series(demo_ds):
    t = poverty_trends(demo_ds.poverty, level="national").set_index("year")
    assert not t.at[2021, "comparable_with_previous"] and t.at[2022, "comparable_with_previous"]
    pop = demo_ds.poverty.assign(pop=100 * demo_ds.poverty["poor_population"] / demo_ds.poverty["p0"])
    g = pop[pop["year"] == 2024]
    assert t.at[2024, "p0"] == pytest.approx(np.average(g["p0"], weights=g["pop"]))
    segs = extreme_poverty_segments(demo_ds.poverty, "75.02")
    assert [s["extreme_poverty_basis"].unique().tolist() for s in segs] == [["ppp2011_1.90"], ["ppp2017_2.15"]]
    assert segs[0]["year"].max() == 2024 and segs[1]["year"].min() == 2025


def test_peers_hand_worked():
    """Peers are matched on structure (population, informal share, province), not on P0; province,
    national and peer values are ratios of sums weighted by each rate's own base."""
    table = pd.DataFrame({
        "province_code": ["75", "75", "75", "71", "71"],
        "coverage_pct": [10.0, 20.0, 30.0, 40.0, 50.0],
        "denominator_value": [1000.0, 1000.0, 8000.0, 1000.0, 10000.0],
        "p0": [5.0, 30.0, 20.0, 5.5, 30.0],  # b is far from a in P0 and still its closest peer
        "population": [100_000.0, 110_000.0, 1_000_000.0, 105_000.0, 2_000_000.0],
        "informal_share": [0.60, 0.62, 0.30, 0.60, 0.20],
        "jkk_per_1000": [1.0, 2.0, 3.0, 4.0, 5.0],
        "jkk_participant_months": [12_000.0] * 5,
        "apbd_share_pct": [0.0, 0.0, 10.0, 5.0, 1.0],
        "active_total": [100.0, 200.0, 2400.0, 400.0, 5000.0],
        "working_population": [1000.0, 1100.0, 50000.0, 1050.0, 90000.0],
    }, index=pd.Index(["a", "b", "c", "d", "e"], name="district_code"))
    # d is as close as b in structure, but in another province (one standard deviation further)
    assert similar_districts(table, "a", k=2)["district_code"].tolist() == ["b", "d"]
    p0_only = table.assign(population=np.nan)  # a P0-only poverty import: the working population measures size
    assert similar_districts(p0_only, "a", k=2)["district_code"].tolist() == ["b", "d"]
    b = benchmark_all(table, k=2)
    row = b[(b["district_code"] == "b") & (b["indicator"] == "coverage_pct")].iloc[0]
    assert row["rank"] == 4 and row["percentile"] == pytest.approx(40.0)
    assert row["province"] == pytest.approx((10 * 1000 + 20 * 1000 + 30 * 8000) / 10_000)  # 27, the mean is 20
    assert row["national"] == pytest.approx((10 + 20 + 240 + 40 + 500) * 1000 / 21_000)
    assert row["peers"] == pytest.approx((10.0 * 1000 + 40.0 * 1000) / 2000)  # b's nearest: a and d
    pov = b[(b["district_code"] == "e") & (b["indicator"] == "p0")].iloc[0]
    pop = table["population"]
    assert pov["rank"] >= 4 and pov["national"] == pytest.approx((table["p0"] * pop).sum() / pop.sum())


def test_benchmark_of_a_demo_district(demo_ds):
    table = district_table(demo_ds, 2024)
    b = benchmark(table, "75.02").set_index("indicator")
    assert b.at["p0", "value"] == 17.83 and len(b.attrs["peers"]) == 5
    assert b.at["coverage_pct", "rank"] == (table["coverage_pct"] > table.at["75.02", "coverage_pct"]).sum() + 1


def test_budget_worked_example():
    s = scenario(5000, 12)
    assert s["cost_rp"] == 1_008_000_000 and isinstance(s["cost_rp"], int)  # domain notes §1 worked example
    # national rates from published figures: JKK 177,727 claims / 41.56 m (2023); JKM 69,029 claims / 41.56 m (2023)
    assert Assumptions().jkk_cases_per_1000 == pytest.approx(177_727 / 41.56e6 * 1000, abs=0.005)
    assert Assumptions().jkm_deaths_per_1000 == pytest.approx(69_029 / 41.56e6 * 1000, abs=0.005)
    a = Assumptions(jkm_deaths_per_1000=5.0, jkk_cases_per_1000=6.0)
    s = scenario(5000, 12, assumptions=a)
    assert s["expected_jkm_deaths"] == pytest.approx(25.0)
    assert s["expected_benefits_rp"] == pytest.approx(25 * 42_000_000 + 30 * 4_000_000)
    with_jht = scenario(5000, 12, assumptions=Assumptions(monthly_contribution_rp=36_800))
    assert with_jht["cost_rp"] == 5000 * 36_800 * 12
    t = scenario_table([5000, 10000], 24, current_active=20_000, denominator_value=80_000)
    assert t["coverage_after_pct"].tolist() == pytest.approx([31.25, 37.5])
    assert t["cost_rp"].tolist() == [5000 * 16_800 * 24, 10000 * 16_800 * 24]
    assert set(Assumptions().describe()["assumption"]) == set(s["assumptions"])


def test_budget_keeps_funded_workers_apart_from_additional_ones():
    """Boalemo funds 5,000 workers already (counted in its 20,000 active): a programme of 5,000 adds no one,
    one of 10,000 adds 5,000; the row for the target adds the workers needed on top of the funded ones."""
    t = scenario_table([5000, 10000], 12, needed=3000, current_active=20_000, denominator_value=100_000,
                       already_funded=5000)
    assert t["label"].tolist() == ["scenario", "scenario", "needed_for_target"]
    assert t["additional_workers"].tolist() == [0, 5000, 3000]
    assert t["workers"].tolist() == [5000, 10000, 8000]
    assert t["coverage_after_pct"].tolist() == pytest.approx([20.0, 25.0, 23.0])
    assert t["additional_cost_rp"].tolist() == [0, 5000 * 16_800 * 12, 3000 * 16_800 * 12]
    employees = scenario_table([10000], 12, current_active=20_000, denominator_value=100_000,
                               counts_towards_coverage=False)
    assert employees["coverage_after_pct"].tolist() == [20.0]  # BPU workers do not count over employees


def test_province_poverty_is_a_ratio_of_sums_over_the_districts_that_have_each_index():
    """Two districts: 10 poor of 100 people (P0 10) and 90 of 300 (P0 30); P1 known for the first only.
    Province P0 = 100 / 400 = 25 (the mean of the rates would say 20); P1 comes from one district, said so."""
    pov = pd.DataFrame({"district_code": ["75.01", "75.02"], "year": 2023, "p0": [10.0, 30.0], "p1": [2.0, np.nan],
                        "p2": [np.nan, np.nan], "poor_population": [10.0, 90.0]})
    prov = poverty_trends(pov, level="province").iloc[0]
    assert prov["p0"] == pytest.approx(25.0) and prov["p1"] == pytest.approx(2.0) and np.isnan(prov["p2"])
    assert (prov["districts_p0"], prov["districts_p1"], prov["districts_p2"]) == (2, 1, 0)
    assert prov["reason"] == "P1 from 1 of 2 districts; P2 from 0 of 2 districts"
    complete = poverty_trends(pov.assign(p1=2.0, p2=1.0), level="province").iloc[0]
    assert pd.isna(complete["reason"])


def test_national_overview_shows_the_panel_estimate_from_linearmodels(demo_ds):
    """The overview's panel table shows the PanelOLS (linearmodels) two-way FE coefficient, its clustered SE
    within 5 %, and the panel's size, with the 'not an effect' caveat; a province overview has none."""
    from linearmodels.panel import PanelOLS

    from ucj.analysis.poverty import coverage_poverty_panel
    from ucj.analysis.regions import region_figures
    from ucj.presentation.i18n import LABELS, fmt_num, t
    from ucj.presentation.overview import Overview

    p = coverage_poverty_panel(demo_ds.enrolment, demo_ds.workforce, demo_ds.poverty).set_index(["district_code", "year"])
    lm = PanelOLS(p["p0"], p[["coverage_pct"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)
    fig = region_figures(demo_ds, None)
    for lang in ("id", "en"):
        shown = Overview(lang, fig, True).panel_table().set_index(t("indicator", lang))[t("value", lang)]
        assert shown[t("panel_coef", lang)] == fmt_num(lm.params["coverage_pct"], lang, 3)
        se = float(shown[t("panel_se_clustered", lang)].replace(",", "." if lang == "id" else ""))
        assert se == pytest.approx(lm.std_errors["coverage_pct"], rel=0.05, abs=1e-3)
        assert shown[t("panel_districts", lang)] == "514" and shown[t("panel_nobs", lang)] == fmt_num(len(p), lang, 0)
        assert shown[t("panel_years", lang)] == "2020–2025 (6)"
        assert "not an effect" in LABELS["panel_caveat"]["en"] and "bukan efek" in LABELS["panel_caveat"]["id"]
    assert region_figures(demo_ds, "Gorontalo").panel is None


def t_heirs_note() -> str:
    from ucj.presentation.i18n import t

    return t("heirs_note", "en")
