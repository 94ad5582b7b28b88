"""One district's monthly coverage computed with numpy (steadya, issue 23): `coverage(..., period="month")` of one
district's rows gives the frame pandas' grouping and merge give (the general code, run here with the numpy path
switched off) for every eighth district, every denominator, in all and by segment, with the district's workforce
rows (and the whole table), at two periods; and the figures of a hand-worked example (a zero, a missing and a lagging
denominator, coverage over 100 %). A report's agreement ends and funding rises from funded cells sorted once equal
those sorted by each."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ucj.analysis import coverage as cov
from ucj.analysis.coverage import (OVER_100_NOTE, PAIRINGS, REASON_NO_DENOMINATOR, REASON_ZERO_DENOMINATOR,
                                   agreement_ends, coverage, funded_cells, funding_rises)
from conftest import district_views


def general(monkeypatch, *args, **kwargs) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """`coverage` through pandas' code alone."""
    with monkeypatch.context() as m:
        m.setattr(cov, "_one_district_months", lambda *a, **k: None)
        return coverage(*args, **kwargs)


def test_every_district_and_denominator_as_pandas_gives(demo_ds, monkeypatch) -> None:
    for view, d, e_d, w_d in district_views(demo_ds, 8):
        for den in PAIRINGS:
            for by_segment in (False, True):
                for workforce in (w_d, view.workforce) if den == "working_population" else (w_d,):
                    assert cov._one_district_months(e_d, workforce, den, by_segment) is not None
                    got = coverage(e_d, workforce, den, period="month", by_segment=by_segment)
                    want = general(monkeypatch, e_d, workforce, den, period="month", by_segment=by_segment)
                    pd.testing.assert_frame_equal(got, want, check_exact=True)


def hand_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One district over four months of two years: PU and BPU participants; its working population of 2024 is 0,
    its employees of 2025 missing, its employees of 2024 fewer than its PU participants."""
    # nanosecond months, as the data's (a month of another unit goes through pandas' code)
    months = list(pd.to_datetime(["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01"]).as_unit("ns"))
    enrolment = pd.DataFrame({
        "district_code": pd.Categorical(["11.01"] * 8, categories=["11.01", "11.02"]),
        "month": months * 2,
        "segment": pd.Categorical(["PU"] * 4 + ["BPU"] * 4, categories=["BPU", "Jakon", "PMI", "PU"]),
        "funding": pd.Categorical(["self_employer"] * 8, categories=["apbd", "self_employer"]),
        "active": np.array([100, 110, 120, 130, 5, 6, 7, 8], dtype="int64")})
    workforce = pd.DataFrame({"district_code": pd.array(["11.01", "11.01", "11.02"], dtype="str"),
                              "year": np.array([2024, 2025, 2025], dtype="int64"),
                              "working_population": np.array([0, 1_000, 50], dtype="int64"),
                              "employees": pd.array([90, None, 40], dtype="Int64")})
    return enrolment, workforce


def test_worked_by_hand(monkeypatch) -> None:
    enrolment, workforce = hand_rows()
    for den in ("working_population", "employees"):
        for by_segment in (False, True):
            assert cov._one_district_months(enrolment, workforce, den, by_segment) is not None
    total = coverage(enrolment, workforce, "working_population", period="month")
    assert list(total["active"]) == [105, 116, 127, 138]
    assert list(total["reason"].iloc[:2]) == [REASON_ZERO_DENOMINATOR] * 2  # 2024's working population is 0
    assert total["coverage_pct"].iloc[:2].isna().all()
    assert total["coverage_pct"].iloc[2:].tolist() == [100 * 127 / 1_000, 100 * 138 / 1_000]
    pu = coverage(enrolment, workforce, "employees", period="month")  # PU participants only
    assert list(pu["active"]) == [100, 110, 120, 130]
    assert pu["coverage_pct"].iloc[:2].tolist() == [100 * 100 / 90, 100 * 110 / 90]
    assert list(pu["note"].iloc[:2]) == [OVER_100_NOTE] * 2  # over 100 %
    assert list(pu["reason"].iloc[2:]) == [REASON_NO_DENOMINATOR] * 2 and pu["coverage_pct"].iloc[2:].isna().all()
    by_seg = coverage(enrolment, workforce, "working_population", period="month", by_segment=True)
    assert [str(s) for s in by_seg["segment"]] == ["BPU", "PU"] * 4  # month by month, in the categories' order
    assert list(by_seg["active"]) == [5, 100, 6, 110, 7, 120, 8, 130]
    pu_seg = coverage(enrolment, workforce, "employees", period="month", by_segment=True)
    assert [str(s) for s in pu_seg["segment"]] == ["PU"] * 4
    for den in ("working_population", "employees"):
        for by_segment in (False, True):
            pd.testing.assert_frame_equal(
                coverage(enrolment, workforce, den, period="month", by_segment=by_segment),
                general(monkeypatch, enrolment, workforce, den, period="month", by_segment=by_segment),
                check_exact=True)
    assert not math.isnan(total["coverage_pct"].iloc[-1])


@pytest.mark.parametrize("change", ["two_districts", "text_codes", "no_rows", "two_rows_a_year", "month_unit"])
def test_other_rows_go_through_pandas(monkeypatch, change: str) -> None:
    enrolment, workforce = hand_rows()
    if change == "two_districts":
        enrolment = enrolment.assign(district_code=pd.Categorical(["11.01"] * 7 + ["11.02"],
                                                                  categories=["11.01", "11.02"]))
    if change == "text_codes":
        enrolment = enrolment.assign(district_code=enrolment["district_code"].astype("str"))
    if change == "no_rows":
        enrolment = enrolment.iloc[:0]
    if change == "two_rows_a_year":
        workforce = pd.concat([workforce, workforce.iloc[:1]], ignore_index=True)
    if change == "month_unit":
        enrolment = enrolment.assign(month=enrolment["month"].dt.as_unit("s"))
    assert cov._one_district_months(enrolment, workforce, "working_population", False) is None
    for by_segment in (False, True):
        pd.testing.assert_frame_equal(
            coverage(enrolment, workforce, "working_population", period="month", by_segment=by_segment),
            general(monkeypatch, enrolment, workforce, "working_population", period="month", by_segment=by_segment))


def test_funded_cells_sorted_once(demo_ds) -> None:
    seen = 0
    for d in demo_ds.registry.all()[::3]:
        e_d = demo_ds.enrolment[demo_ds.enrolment["district_code"] == d.code]
        cells = funded_cells(e_d)
        ends, rises = agreement_ends(e_d, cells), funding_rises(e_d, cells)
        pd.testing.assert_frame_equal(ends, agreement_ends(e_d), check_exact=True)
        pd.testing.assert_frame_equal(rises, funding_rises(e_d), check_exact=True)
        seen += len(ends) + len(rises)
    assert seen  # some ends and rises were compared
