"""A district's monthly coverage computed once per report (speedp): `district_monthly` of the district's own
rows is the frame `coverage` gives over the district's rows and the whole workforce table (dtypes and index
included); the coverage series, the latest coverage and the coverage at a period given it are what each computes
without it (for every pairing, in districts across the country, at the latest month and 14 months earlier, and
for an `until` before the frame's last month); and a district's figures are the same whether the report shares
the frame or each part computes its own (the unshared path forced by handing every part None)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ucj.analysis import district as district_module
from ucj.analysis.coverage import (PAIRINGS, coverage, coverage_at, district_coverage_series, district_monthly,
                                   latest_coverage)
from ucj.analysis.district import as_of, district_figures, jsonable
from ucj.analysis.projection import project_district


def _codes(ds, every: int) -> list[str]:
    return [d.code for d in ds.registry.all()][::every]


def _text(value: object) -> str:
    """A figures' dict as JSON (NaN as null, so that two NaN compare equal), for comparing two of them."""
    return json.dumps(jsonable(value), sort_keys=True, default=str)


def _same_row(got: pd.Series | None, want: pd.Series | None) -> None:
    assert (got is None) == (want is None)
    if want is not None:
        pd.testing.assert_series_equal(got, want, check_exact=True)


@pytest.mark.parametrize("months_back", [0, 14])
def test_shared_frame_gives_what_each_computes(demo_ds, months_back):
    period = pd.Timestamp(demo_ds.enrolment["month"].max()) - pd.DateOffset(months=months_back)
    view = as_of(demo_ds, period)
    for code in _codes(demo_ds, 37):
        e_d = view.enrolment[view.enrolment["district_code"] == code]
        w_d = view.workforce[view.workforce["district_code"] == code]
        for den in PAIRINGS:
            monthly = district_monthly(e_d, w_d, code, den)
            # the frame itself: pandas' coverage of the district's rows against the whole workforce table
            pd.testing.assert_frame_equal(monthly, coverage(e_d, view.workforce, den, period="month"), check_exact=True)
            pd.testing.assert_frame_equal(
                district_coverage_series(view.enrolment, view.workforce, code, den, monthly=monthly),
                district_coverage_series(view.enrolment, view.workforce, code, den), check_exact=True)
            got, want = coverage_at(e_d, w_d, code, den, period, monthly=monthly), coverage_at(e_d, w_d, code, den, period)
            _same_row(got[0], want[0])
            assert got[1] == want[1]
            # an `until` before the frame's last month: the rows up to it, as without the frame
            until = period - pd.DateOffset(months=5)
            _same_row(latest_coverage(e_d, w_d, code, den, until, monthly=monthly),
                      latest_coverage(e_d, w_d, code, den, until))


def test_projection_given_the_frame(demo_ds):
    view = as_of(demo_ds, pd.Timestamp(demo_ds.enrolment["month"].max()))
    for code in _codes(demo_ds, 103):
        e_d = view.enrolment[view.enrolment["district_code"] == code]
        for den in ("working_population", "employees"):
            monthly = district_monthly(e_d, view.workforce, code, den)
            shared = project_district(view, code, denominator=den, monthly=monthly)
            own = project_district(view, code, denominator=den)
            pd.testing.assert_frame_equal(shared.forecast, own.forecast, check_exact=True)
            pd.testing.assert_frame_equal(shared.scenarios, own.scenarios, check_exact=True)
            assert _text(shared.key_figures()) == _text(own.key_figures())


def test_district_figures_shared_or_not(demo_ds, monkeypatch):
    codes = _codes(demo_ds, 103)
    shared = {c: district_figures(demo_ds, c) for c in codes}
    monkeypatch.setattr(district_module, "district_monthly", lambda *a, **k: None)  # each part computes its own
    for code in codes:
        own = district_figures(demo_ds, code)
        assert _text(shared[code].key()) == _text(own.key())
        for name, frame in own.tables().items():
            pd.testing.assert_frame_equal(shared[code].tables()[name], frame, check_exact=True)
