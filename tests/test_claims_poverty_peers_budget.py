"""Claims, poverty, peers and budget scenarios against hand-worked examples, published figures and a
second library."""

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.budget import Assumptions, scenario, scenario_table
from ucj.analysis.claims import HEIRS_NOTE, claims_summary, heirs_benefits, loss_ratio, severity
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
    assert m.at[(pd.Timestamp("2024-02-01"), "JKM"), "reason"] == "no claims: mean claim undefined"
    lr = loss_ratio(claims, contrib, period="month").set_index("month")
    assert lr.at[pd.Timestamp("2024-01-01"), "loss_ratio"] == pytest.approx(48_000_000 / 84_000_000)
    assert np.isnan(lr.at[pd.Timestamp("2024-02-01"), "loss_ratio"])
    assert lr.at[pd.Timestamp("2024-02-01"), "reason"] == "no contributions in the period"


def test_heirs_benefits_are_jkm_deaths():
    claims, _, _ = _claims_fixture()
    h = heirs_benefits(claims).iloc[0]
    assert (h["deaths"], h["paid_to_heirs_rp"]) == (1, 42_000_000)
    assert "JKK death" in HEIRS_NOTE


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
    assert ours.nobs == len(panel) == 514 * 7


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
    table = pd.DataFrame({
        "province_code": ["75", "75", "75", "71", "71"],
        "coverage_pct": [10.0, 20.0, 30.0, 40.0, 50.0],
        "p0": [5.0, 6.0, 20.0, 5.5, 30.0],
        "jkk_per_1000": [1.0, 2.0, 3.0, 4.0, 5.0],
        "apbd_share_pct": [0.0, 0.0, 10.0, 5.0, 1.0],
        "working_population": [1000.0, 1100.0, 50000.0, 1050.0, 90000.0],
    }, index=pd.Index(["a", "b", "c", "d", "e"], name="district_code"))
    assert similar_districts(table, "a", k=2)["district_code"].tolist() == ["d", "b"]
    b = benchmark_all(table, k=2)
    row = b[(b["district_code"] == "b") & (b["indicator"] == "coverage_pct")].iloc[0]
    assert row["rank"] == 4 and row["percentile"] == pytest.approx(40.0)
    assert row["province"] == pytest.approx(20.0) and row["national"] == pytest.approx(30.0)
    assert row["peers"] == pytest.approx((10.0 + 40.0) / 2)  # b's nearest: a and d
    pov = b[(b["district_code"] == "e") & (b["indicator"] == "p0")].iloc[0]
    assert pov["rank"] == 5 and pov["gap_national"] == pytest.approx(30.0 - 13.3)


def test_benchmark_of_a_demo_district(demo_ds):
    table = district_table(demo_ds, 2024)
    b = benchmark(table, "75.02").set_index("indicator")
    assert b.at["p0", "value"] == 17.83 and len(b.attrs["peers"]) == 5
    assert b.at["coverage_pct", "rank"] == (table["coverage_pct"] > table.at["75.02", "coverage_pct"]).sum() + 1


def test_budget_worked_example():
    s = scenario(5000, 12)
    assert s["cost_rp"] == 1_008_000_000 and isinstance(s["cost_rp"], int)
    assert s["expected_jkm_deaths"] == pytest.approx(25.0)
    assert s["expected_benefits_rp"] == pytest.approx(25 * 42_000_000 + 30 * 4_000_000)
    with_jht = scenario(5000, 12, assumptions=Assumptions(monthly_contribution_rp=36_800))
    assert with_jht["cost_rp"] == 5000 * 36_800 * 12
    t = scenario_table([5000, 10000], 24, current_active=20_000, denominator_value=80_000)
    assert t["coverage_after_pct"].tolist() == pytest.approx([31.25, 37.5])
    assert t["cost_rp"].tolist() == [5000 * 16_800 * 24, 10000 * 16_800 * 24]
    assert set(Assumptions().describe()["assumption"]) == set(s["assumptions"])
