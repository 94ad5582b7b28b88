"""Each programme's exposure grouped once (speedp): `_eligible_exposure` gives the frame a groupby of each
programme's eligible rows gives (written out here, as claims_summary had it): the same keys, order, values,
index and dtypes, for every level and period a report or an overview uses, with and without segment and
funding, on the whole enrolment table, one district's rows, rows where a programme has no eligible row, and a
float `active` (which takes the groupby itself)."""

from __future__ import annotations

import pandas as pd
import pytest

from ucj.analysis.claims import _eligible_exposure, _periods, _time_cols, eligible
from ucj.analysis.coverage import with_geo


def groupby_per_programme(e: pd.DataFrame, keys: list[str], programmes: list[str]) -> pd.DataFrame:
    parts = []
    for prog in programmes:
        ee = e[eligible(e, prog)]
        ex = ee.groupby(keys, observed=True)["active"].sum().rename("participant_months").reset_index()
        parts.append(ex.assign(programme=prog))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=keys + ["participant_months", "programme"])


PROGRAMMES = ["JHT", "JKK", "JKM", "JKP", "JP"]


@pytest.mark.parametrize("level", ["district", "province", "national"])
@pytest.mark.parametrize("period", ["all", "year", "month"])
@pytest.mark.parametrize("extra", [[], ["segment"], ["segment", "funding"]])
def test_as_the_groupby_per_programme(demo_ds, level, period, extra):
    e, geo = with_geo(_periods(demo_ds.enrolment, period), level)
    keys = geo + _time_cols(period) + extra
    pd.testing.assert_frame_equal(_eligible_exposure(e, keys, PROGRAMMES), groupby_per_programme(e, keys, PROGRAMMES),
                                  check_exact=True)


def test_one_district_some_rows_and_float_active(demo_ds):
    code = demo_ds.registry.all()[0].code
    e = _periods(demo_ds.enrolment[demo_ds.enrolment["district_code"] == code], "all")
    keys = ["district_code", "period"]
    for rows in (e, e[e["segment"] == "PU"], e[e["segment"] == "BPU"], e.iloc[:0]):
        for progs in (PROGRAMMES, ["JKP"], []):
            pd.testing.assert_frame_equal(_eligible_exposure(rows, keys, progs), groupby_per_programme(rows, keys, progs),
                                          check_exact=True)
    floats = e.assign(active=e["active"].astype("float64") + 0.5)
    pd.testing.assert_frame_equal(_eligible_exposure(floats, keys, PROGRAMMES),
                                  groupby_per_programme(floats, keys, PROGRAMMES), check_exact=True)
