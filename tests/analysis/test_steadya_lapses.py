"""A report's lapses and participant-months at risk summed with numpy (steadya, issue 23): `_lapses_and_base` gives
what pandas' grouping gives (run here with the numpy path switched off), bit for bit and type for type, for every
sixth district's rows (all, self-funded, budget-funded), with and without its agreement ends, at three periods; the
figures of a hand-worked example; and rows it does not take go through pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ucj.analysis import district as ad
from ucj.analysis.coverage import agreement_ends


def general(monkeypatch, *args) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(ad, "_lapses_and_base_numpy", lambda *a, **k: None)
        return ad._lapses_and_base(*args)


def test_as_pandas_sums_them(demo_ds, monkeypatch) -> None:
    latest = pd.Timestamp(demo_ds.enrolment["month"].max())
    for period in (latest, latest - pd.DateOffset(years=2), pd.Timestamp(latest.year, 1, 1)):
        for d in demo_ds.registry.all()[::6]:
            e_d = demo_ds.enrolment[demo_ds.enrolment["district_code"] == d.code]
            ends = agreement_ends(e_d)
            for rows in (e_d, e_d[e_d["funding"] == "self_employer"], e_d[e_d["funding"] != "self_employer"]):
                for excluding in (None, ends):
                    assert ad._lapses_and_base_numpy(rows, period, 12, excluding) is not None
                    got, want = ad._lapses_and_base(rows, period, 12, excluding), general(
                        monkeypatch, rows, period, 12, excluding)
                    assert repr(got) == repr(want) and [type(v) for v in got] == [type(v) for v in want]


def hand_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    months = list(pd.to_datetime(["2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01"]).as_unit("ns"))
    rows = pd.DataFrame({"month": months + months[1:], "active": np.array([100, 90, 95, 97, 10, 10, 0], dtype="int64"),
                         "lapsed": np.array([1, 12, 2, 3, 0, 0, 10], dtype="int64")})
    ends = pd.DataFrame({"month": pd.to_datetime(["2025-03-01", "2026-01-01"]).as_unit("ns"),
                         "workers": np.array([10, 5], dtype="int64")})
    return rows, ends


def test_worked_by_hand(monkeypatch) -> None:
    rows, ends = hand_rows()
    assert ad._lapses_and_base_numpy(rows, pd.Timestamp("2025-03-01"), 12, ends) is not None  # numpy's sums
    # by month: active 100, 100, 105, 97; lapsed 1, 12, 2, 13; the base the month before's active
    assert ad._lapses_and_base(rows, pd.Timestamp("2025-03-01"), 12) == (27.0, 305.0)
    assert ad._lapses_and_base(rows, pd.Timestamp("2025-03-01"), 2) == (15.0, 205.0)  # February and March
    # the March end's 10 workers left out (the 2026 end is after the rows' months)
    assert ad._lapses_and_base(rows, pd.Timestamp("2025-03-01"), 12, ends) == (17.0, 305.0)
    assert ad._lapses_and_base(rows.iloc[:0], pd.Timestamp("2025-03-01"), 12) == (0.0, 0.0)
    for months in (1, 2, 12):
        for excluding in (None, ends):
            args = (rows, pd.Timestamp("2025-02-01"), months, excluding)
            assert repr(ad._lapses_and_base(*args)) == repr(general(monkeypatch, *args))


@pytest.mark.parametrize("change", ["float_counts", "missing_month"])
def test_other_rows_go_through_pandas(monkeypatch, change: str) -> None:
    rows, _ = hand_rows()
    rows = rows.assign(active=rows["active"].astype("float64")) if change == "float_counts" else \
        rows.assign(month=rows["month"].where(rows.index != 2))
    assert ad._lapses_and_base_numpy(rows, pd.Timestamp("2025-03-01"), 12, None) is None
    assert ad._lapses_and_base(rows, pd.Timestamp("2025-03-01"), 12) == general(
        monkeypatch, rows, pd.Timestamp("2025-03-01"), 12, None)
