"""Reader's finding 3: Bühlmann-Straub credibility weights for the budget's claim rates. The variance between
districts is estimated around the cohorts' own exposure-weighted mean (the standard semiparametric estimator with
Poisson counts; Klugman, Panjer & Willmot, Loss Models), and each district's rate is blended towards that
collective mean. Oracles: a small table and a textbook-style count table worked by hand, and the estimator written
out independently in pandas over the demo's APBD cohorts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ucj.analysis.budget import COMPLEMENT_COLLECTIVE, COMPLEMENT_NATIONAL, buhlmann_straub, credible_rates


def test_three_districts_hand_worked():
    """m = 100, 200, 700 worker-years; 2, 8, 7 claims: X = 0.02, 0.04, 0.01; mu = 17 / 1,000 = 0.017 = EPV.
    sum m (X - mu)^2 = 100 x 0.003^2 + 200 x 0.023^2 + 700 x 0.007^2 = 0.0009 + 0.1058 + 0.0343 = 0.1410;
    less (r - 1) EPV = 2 x 0.017: 0.1070; over m - sum m^2 / m = 1,000 - 540,000 / 1,000 = 460: VHM = 0.107 / 460.
    k = 0.017 x 460 / 0.107 = 7,820 / 107 = 73.08 worker-years; Z_B = 200 / (200 + 7,820/107) = 21,400 / 29,220."""
    idx = ["A", "B", "C"]
    bs = buhlmann_straub(pd.Series([2, 8, 7], index=idx), pd.Series([100.0, 200.0, 700.0], index=idx))
    assert bs["collective"].iloc[0] == pytest.approx(0.017)
    assert bs["epv"].iloc[0] == pytest.approx(0.017)
    assert bs["vhm"].iloc[0] == pytest.approx(0.107 / 460)
    assert bs["k"].iloc[0] == pytest.approx(7_820 / 107)
    z_b = 21_400 / 29_220
    assert bs.loc["B", "weight"] == pytest.approx(z_b)
    assert bs.loc["B", "rate"] == pytest.approx(z_b * 0.04 + (1 - z_b) * 0.017)
    assert bs.loc["C", "weight"] == pytest.approx(700 / (700 + 7_820 / 107))


def test_one_exposure_each_reduces_to_the_classic_poisson_example():
    """1,875 policyholders with 0, 1, 2, 3, 4 claims: 1,563, 271, 32, 7, 2 (one period each, exposure 1): the
    classic semiparametric Bühlmann example. By hand: mean = 364 / 1,875 = 0.194133 (= EPV, Poisson);
    sample variance = (494 - 364^2 / 1,875) / 1,874 = 0.225899; VHM = 0.031766; k = 6.111; Z = 1 / 7.111 = 0.1406;
    estimate for a holder with one claim: 0.1406 + 0.8594 x 0.194133 = 0.3074."""
    counts = [0] * 1_563 + [1] * 271 + [2] * 32 + [3] * 7 + [4] * 2
    bs = buhlmann_straub(pd.Series(counts, dtype="float64"), pd.Series([1.0] * len(counts)))
    assert bs["collective"].iloc[0] == pytest.approx(364 / 1_875)
    assert bs["vhm"].iloc[0] == pytest.approx((494 - 364**2 / 1_875) / 1_874 - 364 / 1_875)
    assert bs["k"].iloc[0] == pytest.approx(6.111, abs=1e-3)
    one = bs[bs["count"] == 1].iloc[0]
    assert one["weight"] == pytest.approx(0.1406, abs=1e-4)
    assert one["rate"] == pytest.approx(0.3074, abs=1e-4)


def test_no_evidence_that_districts_differ_gives_every_district_the_collective_rate():
    """Counts exactly proportional to exposure (2 per 1,000 each): the spread is below what Poisson noise gives,
    VHM = 0, every weight 0, every rate the collective 2 per 1,000 (not a national rate)."""
    bs = buhlmann_straub(pd.Series([2, 4]), pd.Series([1_000.0, 2_000.0]))
    assert (bs["weight"] == 0).all() and math.isinf(bs["k"].iloc[0])
    assert (1000 * bs["rate"]).tolist() == pytest.approx([2.0, 2.0])


def _tables(rows):
    """enrolment and claims tables for APBD cohorts: (district, month, active, jkk, jkm)."""
    e = pd.DataFrame([{"district_code": d, "month": pd.Timestamp(m), "funding": "apbd", "segment": "BPU",
                       "active": a} for d, m, a, _, _ in rows])
    c = pd.DataFrame([{"district_code": d, "month": pd.Timestamp(m), "funding": "apbd", "segment": "BPU",
                       "programme": p, "claim_count": n, "claim_amount_rp": 0} for d, m, _, k, j in rows
                      for p, n in (("JKK", k), ("JKM", j))])
    return c, e


def test_one_cohort_alone_falls_back_to_the_national_rate_and_an_ended_cohort_says_so():
    """One district's cohort (12,000 worker-months = 1,000 worker-years, 2022-01 and 2022-02 only): no collective
    to estimate, so the national rate with weight 0, complement "national"; the cohort's months are stated and,
    on a page of 2025-12, it has ended."""
    c, e = _tables([("74.13", "2022-01-01", 6_000, 3, 1), ("74.13", "2022-02-01", 6_000, 2, 1)])
    r = {x.programme: x for x in credible_rates(c, e, "74.13", period=pd.Timestamp("2025-12-01"))}
    assert r["JKK"].complement == COMPLEMENT_NATIONAL and r["JKK"].weight == 0
    assert r["JKK"].rate_per_1000 == r["JKK"].national_rate_per_1000
    assert r["JKK"].own_rate_per_1000 == pytest.approx(5.0)  # 5 cases / 1,000 worker-years
    assert (r["JKK"].cohort_from, r["JKK"].cohort_to, r["JKK"].cohort_ended) == ("2022-01", "2022-02", True)


@pytest.mark.slow
def test_demo_rates_match_the_estimator_written_out_independently(demo_ds):
    """The four seed districts' JKK and JKM weights and rates against the standard estimator written out here in
    pandas over every district's APBD cohort in the demo (the reader's f.py with mu the cohorts' pooled mean and
    the unbiased (r - 1), m - sum m^2 / m form); each cohort's first and last month from the table."""
    e = demo_ds.enrolment[demo_ds.enrolment["funding"] == "apbd"]
    for prog in ("JKK", "JKM"):
        c = demo_ds.claims[(demo_ds.claims["funding"] == "apbd") & (demo_ds.claims["programme"] == prog)
                           & demo_ds.claims["month"].between(e["month"].min(), e["month"].max())]
        m = e.groupby("district_code", observed=True)["active"].sum() / 12
        n = c.groupby("district_code", observed=True)["claim_count"].sum().reindex(m.index, fill_value=0)
        m, n = m[m > 0], n[m > 0]
        mu = n.sum() / m.sum()
        vhm = ((m * (n / m - mu) ** 2).sum() - (len(m) - 1) * mu) / (m.sum() - (m**2).sum() / m.sum())
        # an estimated VHM of 0 or below gives no weight to the own experience (k infinite): the demo's JKM since
        # R15-1 moved Minahasa's village workers into 2023
        k = mu / vhm if vhm > 0 else float("inf")
        for code in ("71.02", "72.01", "75.02", "74.13"):
            r = next(x for x in credible_rates(demo_ds.claims, demo_ds.enrolment, code,
                                               period=pd.Timestamp("2025-12-01")) if x.programme == prog)
            z = m[code] / (m[code] + k) if vhm > 0 else 0.0
            assert r.complement == COMPLEMENT_COLLECTIVE
            assert r.k_worker_years == pytest.approx(k) and r.weight == pytest.approx(z)
            assert r.collective_rate_per_1000 == pytest.approx(1000 * mu)
            assert r.rate_per_1000 == pytest.approx(1000 * (z * n[code] / m[code] + (1 - z) * mu))
            on = e[(e["district_code"] == code) & (e["active"] > 0)]["month"]
            assert (r.cohort_from, r.cohort_to) == (f"{on.min():%Y-%m}", f"{on.max():%Y-%m}")
            assert r.cohort_ended == (on.max() < pd.Timestamp("2025-12-01"))
    # Muna Barat's agreement ended in 2024-12 (reader's finding 3): its cohort is said to have ended, and its JKK
    # rate is no longer its own 4 cases' 0.2 per 1,000 but close to the cohorts' collective rate
    mb = {x.programme: x for x in credible_rates(demo_ds.claims, demo_ds.enrolment, "74.13",
                                                 period=pd.Timestamp("2025-12-01"))}
    assert mb["JKK"].cohort_ended and mb["JKK"].cohort_to == "2024-12"
    assert mb["JKK"].rate_per_1000 > 0.8 * mb["JKK"].collective_rate_per_1000
