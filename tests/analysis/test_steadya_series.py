"""A report's projection series as a mapping of columns built with numpy (steadya, issue 23): `_series_columns`
holds the values `district_coverage_series` and `self_funded_active` give every month (NaN where the district has
none; the self-funded participants also summed row by row here), and the projections made from it are the ones made
from the frame (the same fits, forecast, scenarios and key figures, exactly) for every twentieth district and every
denominator at two periods."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ucj.analysis import projection as pj
from ucj.analysis.coverage import PAIRINGS, district_coverage_series, district_monthly
from conftest import district_views
from ucj.analysis.projection import project_district, self_funded_active


def same_projection(a: pj.Projection, b: pj.Projection) -> None:
    assert json.dumps(a.key_figures(), default=repr, sort_keys=True) == json.dumps(b.key_figures(), default=repr,
                                                                                   sort_keys=True)
    pd.testing.assert_frame_equal(a.forecast, b.forecast, check_exact=True)
    pd.testing.assert_frame_equal(a.fits_table(), b.fits_table(), check_exact=True)
    pd.testing.assert_frame_equal(a.scenarios, b.scenarios, check_exact=True)


def test_columns_and_projections(demo_ds, monkeypatch) -> None:
    fitted = 0
    for view, d, e_d, w_d in district_views(demo_ds, 20):
        for den in PAIRINGS:
            monthly = district_monthly(e_d, w_d, d.code, den)
            cols = pj._series_columns(view.enrolment, e_d, monthly, den)
            assert cols is not None
            frame = district_coverage_series(view.enrolment, view.workforce, d.code, den, monthly=monthly)
            for c in ("active", "denominator_value", "coverage_pct"):
                np.testing.assert_array_equal(cols[c], frame[c].to_numpy(dtype="float64"))
            np.testing.assert_array_equal(cols["month"], frame["month"].to_numpy())
            own = self_funded_active(e_d, den).get(d.code, pd.Series(dtype="float64"))
            np.testing.assert_array_equal(cols["active_self_funded"], own.reindex(frame["month"]).to_numpy())
            got = project_district(view, d.code, denominator=den, monthly=monthly)
            with monkeypatch.context() as m:
                m.setattr(pj, "_series_columns", lambda *a, **k: None)
                want = project_district(view, d.code, denominator=den, monthly=monthly)
            same_projection(got, want)
            fitted += bool(got.model_used)
    assert fitted  # fitted projections were compared, not only unfitted ones


def test_self_funded_summed_row_by_row(demo_ds) -> None:
    for d in demo_ds.registry.all()[::40]:
        e_d = demo_ds.enrolment[demo_ds.enrolment["district_code"] == d.code]
        for den in PAIRINGS:
            segs = PAIRINGS[den].segments
            monthly = district_monthly(e_d, demo_ds.workforce, d.code, den)
            cols = pj._series_columns(demo_ds.enrolment, e_d, monthly, den)
            assert cols is not None
            by_month: dict[pd.Timestamp, int] = {}
            for r in e_d.itertuples():
                if r.funding == "self_employer":
                    by_month[r.month] = by_month.get(r.month, 0) + (r.active if segs is None or r.segment in segs
                                                                    else 0)
            want = [float(by_month[m]) if m in by_month else np.nan for m in pd.DatetimeIndex(cols["month"])]
            np.testing.assert_array_equal(cols["active_self_funded"], np.array(want))
