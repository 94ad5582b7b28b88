"""A district's yearly denominator growth worked out for it alone (speedh) is the number the all-district
computation `denominator_growth_all` gives it: every district of the demo data and every denominator, and
hand-made rows (a missing year, a zero start, one year only, more than six years)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.projection import _denominator_growth, denominator_growth_all

DENOMINATORS = ("working_population", "employees", "informal_workers", "potensi_pekerja")


@pytest.mark.parametrize("denominator", DENOMINATORS)
def test_one_district_equals_all_districts(demo_ds, denominator):
    wf = demo_ds.workforce
    every = denominator_growth_all(wf, denominator)
    codes = sorted(wf["district_code"].astype(str).unique())
    for code in codes:
        one = _denominator_growth(wf, code, denominator)
        assert one == every.get(code, 0.0), code
    assert any(v != 0 for v in every.values()) or denominator == "potensi_pekerja"


def test_hand_made_rows():
    rows = pd.DataFrame({
        "district_code": ["a"] * 8 + ["b", "b", "c", "d", "d"],
        "year": [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2020, 2022, 2021, 2020, 2023],
        "employees": [1.0, 2.0, 100.0, np.nan, 110.0, 121.0, 130.0, 150.0, 0.0, 50.0, 70.0, 80.0, 100.0],
    })
    # a: the last six known years are 2017-2023 without 2019 -> 2.0 to 150.0 over 6 years
    assert _denominator_growth(rows, "a", "employees") == pytest.approx((150.0 / 2.0) ** (1 / 6) - 1, rel=1e-15)
    assert _denominator_growth(rows, "b", "employees") == 0.0  # starts at zero
    assert _denominator_growth(rows, "c", "employees") == 0.0  # one year only
    assert _denominator_growth(rows, "d", "employees") == pytest.approx((100 / 80) ** (1 / 3) - 1, rel=1e-15)
    assert _denominator_growth(rows, "zz", "employees") == 0.0  # not in the table
    every = denominator_growth_all(rows, "employees")
    for code in "abcd":
        assert _denominator_growth(rows, code, "employees") == every[code]
