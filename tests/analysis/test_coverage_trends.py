"""Coverage and trends, checked against hand-worked examples and the Minahasa seed figures."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import STL

from ucj.analysis.coverage import coverage, district_coverage_series
from ucj.core.errors import UcjInputError
from ucj.data.published import fact
from ucj.analysis.trends import growth, seasonal_profile, seasonality

MINAHASA = "71.02"


def _enrol(rows):
    df = pd.DataFrame(rows, columns=["district_code", "month", "segment", "funding", "active"])
    df["month"] = pd.to_datetime(df["month"])
    return df


def _wf(rows):
    return pd.DataFrame(rows, columns=["district_code", "year", "working_population", "employees",
                                       "informal_workers", "potensi_pekerja"])


def test_minahasa_seed_coverage_is_76_3_percent(demo_ds):
    """In the article's month (no later than 2023-09: the Bupati it quotes was in office to 24 September 2023;
    reader 15, R15-1), the demo's coverage over the potensi list is the article's 100,841 / 132,104."""
    cov = coverage(demo_ds.enrolment, demo_ds.workforce, "potensi_pekerja", period="month")
    row = cov[(cov["district_code"] == MINAHASA) & (cov["month"] == pd.Timestamp("2023-09-01"))].iloc[0]
    assert row["denominator"] == "potensi_pekerja"
    assert round(row["coverage_pct"], 1) == 76.3
    expected = 100 * fact("covered_workers", MINAHASA) / fact("potensi_pekerja", MINAHASA)
    assert row["coverage_pct"] == pytest.approx(expected)


def test_hand_worked_coverage_by_level_and_segment():
    e = _enrol([
        ("75.02", "2024-12-01", "PU", "self_employer", 300), ("75.02", "2024-12-01", "BPU", "apbd", 100),
        ("75.01", "2024-12-01", "PU", "self_employer", 500),
        ("11.01", "2024-12-01", "PU", "self_employer", 50),
    ])
    w = _wf([("75.02", 2024, 1000, 400, 500, None), ("75.01", 2024, 4000, 1000, 2500, None),
             ("11.01", 2024, 0, 0, 0, None)])
    d = coverage(e, w).set_index("district_code")
    assert d.at["75.02", "coverage_pct"] == pytest.approx(40.0)
    assert np.isnan(d.at["11.01", "coverage_pct"]) and d.at["11.01", "reason"] == "reason_zero_denominator"
    seg = coverage(e, w, by_segment=True)
    s = seg[seg["district_code"] == "75.02"].set_index("segment")["coverage_pct"]
    assert s["PU"] == pytest.approx(30.0) and s["BPU"] == pytest.approx(10.0)
    prov = coverage(e, w, level="province").set_index("province_code")
    assert prov.at["75", "coverage_pct"] == pytest.approx(100 * 900 / 5000)
    inf = coverage(e, w, "informal_workers").set_index("district_code")
    assert inf.at["75.02", "coverage_pct"] == pytest.approx(100 * 100 / 500)  # BPU only
    assert inf.at["75.01", "coverage_pct"] == 0.0  # PU participants do not count over informal workers
    emp = coverage(e, w, "employees").set_index("district_code")
    assert emp.at["75.02", "coverage_pct"] == pytest.approx(100 * 300 / 400)  # PU only
    assert emp.at["75.02", "pairing"] == "pu_participants/employees"


def test_numerator_follows_the_denominator_the_179_5_percent_case():
    """Every participant over employees gave 179.5 % (718 / 400); PU participants over employees give 75 %."""
    e = _enrol([("71.02", "2024-12-01", "PU", "self_employer", 300), ("71.02", "2024-12-01", "BPU", "apbd", 318),
                ("71.02", "2024-12-01", "Jakon", "self_employer", 100)])
    w = _wf([("71.02", 2024, 2000, 400, 1200, 900)])
    assert 100 * 718 / 400 == pytest.approx(179.5)
    got = {d: coverage(e, w, d).iloc[0] for d in ("employees", "informal_workers", "working_population",
                                                   "potensi_pekerja")}
    assert got["employees"]["coverage_pct"] == pytest.approx(75.0)
    assert got["informal_workers"]["coverage_pct"] == pytest.approx(100 * 318 / 1200)
    assert got["working_population"]["coverage_pct"] == pytest.approx(100 * 718 / 2000)
    assert got["potensi_pekerja"]["coverage_pct"] == pytest.approx(100 * 718 / 900)
    assert [got[d]["pairing"] for d in got] == ["pu_participants/employees", "bpu_participants/informal_workers",
                                                "all_participants/working_population",
                                                "all_participants/potensi_pekerja"]
    seg = coverage(e, w, "employees", by_segment=True)
    assert seg["segment"].tolist() == ["PU"]


def test_over_100_percent_is_kept_with_a_note():
    e = _enrol([("32.72", "2024-12-01", "PU", "self_employer", 1020)])
    w = _wf([("32.72", 2024, 1000, 1000, 0, None)])
    row = coverage(e, w).iloc[0]
    assert row["coverage_pct"] == pytest.approx(102.0)
    assert row["note"] == "over_100_note"  # worded by the catalogue: participants counted where they register
    assert pd.isna(coverage(e, w.assign(working_population=2000)).iloc[0]["note"])


def test_aggregate_is_nan_when_a_district_lacks_the_denominator():
    e = _enrol([("75.02", "2024-12-01", "PU", "self_employer", 300), ("75.01", "2024-12-01", "PU", "self_employer", 5)])
    w = _wf([("75.02", 2024, 1000, 400, 500, 900), ("75.01", 2024, 4000, 1000, 2500, None)])
    prov = coverage(e, w, "potensi_pekerja", level="province").iloc[0]
    assert np.isnan(prov["coverage_pct"])
    assert prov["reason"] == "reason_no_denominator_districts(missing=1, of=2)"


def test_aggregate_is_nan_when_a_district_has_no_enrolment():
    e = _enrol([("75.02", "2024-12-01", "PU", "self_employer", 300)])
    w = _wf([("75.02", 2024, 1000, 400, 500, None), ("75.01", 2024, 4000, 1000, 2500, None)])
    prov = coverage(e, w, level="province").iloc[0]
    assert np.isnan(prov["coverage_pct"]) and prov["reason"] == "reason_no_enrolment_districts(missing=1, of=2)"


def test_unknown_denominator_is_refused():
    with pytest.raises(UcjInputError, match="unknown denominator 'penduduk'"):
        coverage(_enrol([]), _wf([]), "penduduk")


def test_national_coverage_is_sum_over_sum(demo_ds):
    d = coverage(demo_ds.enrolment, demo_ds.workforce)
    n = coverage(demo_ds.enrolment, demo_ds.workforce, level="national")
    for year, g in d.groupby("year"):
        expected = 100 * g["active"].sum() / g["denominator_value"].sum()
        assert n.set_index("year").at[year, "coverage_pct"] == pytest.approx(expected)


def test_district_series_marks_missing_months():
    e = _enrol([("75.02", "2024-01-01", "PU", "self_employer", 10), ("75.02", "2024-03-01", "PU", "self_employer", 12),
                ("75.01", "2024-02-01", "PU", "self_employer", 1)])
    w = _wf([("75.02", 2024, 100, 40, 50, None)])
    s = district_coverage_series(e, w, "75.02").set_index("month")
    assert np.isnan(s.at[pd.Timestamp("2024-02-01"), "coverage_pct"])
    assert s.at[pd.Timestamp("2024-02-01"), "reason"] == "reason_no_enrolment"
    assert s.at[pd.Timestamp("2024-03-01"), "coverage_pct"] == pytest.approx(12.0)


def test_growth_hand_worked_with_gap_and_zero():
    months = pd.date_range("2023-01-01", periods=14, freq="MS")
    active = [100, 110, 0, 120] + list(range(130, 140))
    e = _enrol([("75.02", m, "PU", "self_employer", a) for m, a in zip(months, active)])
    e = e[e["month"] != pd.Timestamp("2023-06-01")]  # a missing month
    g = growth(e, by=["district_code"]).set_index("month")
    assert g.at[pd.Timestamp("2023-02-01"), "mom_pct"] == pytest.approx(10.0)
    assert np.isnan(g.at[pd.Timestamp("2023-04-01"), "mom_pct"])
    assert g.at[pd.Timestamp("2023-04-01"), "mom_reason"] == "reason_earlier_zero"
    assert g.at[pd.Timestamp("2023-07-01"), "mom_reason"] == "earlier month missing"
    assert g.at[pd.Timestamp("2024-01-01"), "yoy_pct"] == pytest.approx(100 * (active[12] / 100 - 1))


def test_stl_seasonality_recovers_a_known_pattern_and_equals_statsmodels():
    months = pd.date_range("2019-01-01", periods=84, freq="MS")
    season = 50 * np.sin(2 * np.pi * (months.month - 1) / 12)
    y = pd.Series(1000 + 5 * np.arange(84) + season, index=months)
    dec = seasonality(y)
    direct = STL(y.to_numpy(), period=12, robust=True).fit()
    assert np.allclose(dec["seasonal"], direct.seasonal)
    prof = seasonal_profile(dec)
    assert prof.idxmax() in (3, 4) and prof.idxmin() in (9, 10)


def test_seasonality_needs_two_years():
    y = pd.Series(np.arange(12.0), index=pd.date_range("2024-01-01", periods=12, freq="MS"))
    with pytest.raises(UcjInputError, match="at least 24 months"):
        seasonality(y)
