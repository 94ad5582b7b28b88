"""A report's coverage by every pairing (speedf): `coverage_pct_at`, one pass over a district's rows on plain
arrays, gives exactly what `coverage_at` (one pandas `coverage` frame per denominator, the page's period rule)
gives, for every district of the demo data, every pairing, at the latest month and 14 months earlier, and for hand-made rows
(where the period rule carries the latest denominator forward): a missing or zero denominator, no
rows of the paired segment, a month without participants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.coverage import PAIRINGS, coverage_at, coverage_pct_at
from ucj.analysis.district import as_of


def _want(e_d: pd.DataFrame, w_d: pd.DataFrame, code: str, period: pd.Timestamp) -> dict[str, object]:
    out = {}
    for den in PAIRINGS:
        row = coverage_at(e_d, w_d, code, den, period)[0]
        out[den] = None if row is None else (float(row["coverage_pct"]), pd.Timestamp(row["month"]))
    return out


def _same(got: dict[str, object], want: dict[str, object]) -> bool:
    for den in PAIRINGS:
        g, w = got[den], want[den]
        if g is None or w is None:
            if g is not w:
                return False
        elif not (g[1] == w[1] and (g[0] == w[0] or (math.isnan(g[0]) and math.isnan(w[0])))):
            return False
    return True


@pytest.mark.parametrize("months_back", [0, 14])
def test_every_district_and_pairing_as_coverage_at(demo_ds, months_back):
    period = pd.Timestamp(demo_ds.enrolment["month"].max()) - pd.DateOffset(months=months_back)
    view = as_of(demo_ds, period)
    e_all, w_all = view.enrolment, view.workforce
    e_by = dict(tuple(e_all.groupby("district_code", observed=True)))
    w_by = dict(tuple(w_all.groupby("district_code")))
    checked = 0
    for code in sorted(demo_ds.registry.codes)[::3]:  # every third district: 172 of 514, each with 4 pairings
        e_d = e_by.get(code, e_all.iloc[:0])
        w_d = w_by.get(code, w_all.iloc[:0])
        if e_d.empty:
            continue
        want = _want(e_d, w_d, code, period)
        got = coverage_pct_at(e_d, w_d, list(PAIRINGS), period)
        assert _same(got, want), (code, got, want)
        checked += 1
    assert checked > 150


def test_hand_made_rows():
    months = pd.to_datetime(["2024-11-01", "2024-11-01", "2024-12-01", "2025-01-01", "2025-01-01"])
    e = pd.DataFrame({"district_code": pd.Categorical(["99.01"] * 5), "month": months,
                      "segment": pd.Categorical(["PU", "BPU", "PU", "PU", "BPU"]),
                      "funding": pd.Categorical(["self_employer"] * 5), "active": np.array([10, 5, 12, 0, 7]),
                      "new_registrations": 0, "lapsed": 0})
    w = pd.DataFrame({"district_code": ["99.01", "99.01"], "year": [2024, 2025],
                      "working_population": [100, 0], "employees": pd.array([40, pd.NA], dtype="Int64"),
                      "informal_workers": pd.array([0, 30], dtype="Int64"),
                      "potensi_pekerja": pd.array([pd.NA, pd.NA], dtype="Int64")})
    for period in pd.to_datetime(["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01"]):
        view_e = e[e["month"] <= period]
        got = coverage_pct_at(view_e, w, list(PAIRINGS), period)
        assert _same(got, _want(view_e, w, "99.01", period)), (period, got)
    # by hand at 2025-01: PU 0 of employees (2025 missing, 2024's 40 carried: 0 %), BPU 7 of 30 informal
    got = coverage_pct_at(e, w, list(PAIRINGS), pd.Timestamp("2025-01-01"))
    assert got["informal_workers"] == (pytest.approx(100 * 7 / 30), pd.Timestamp("2025-01-01"))
    assert got["employees"] == (0.0, pd.Timestamp("2025-01-01"))
    assert got["working_population"] == (pytest.approx(7.0), pd.Timestamp("2025-01-01"))  # 7 of 2024's 100
    assert got["potensi_pekerja"] is None
