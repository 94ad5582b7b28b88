"""A period's dataset cut once and shared by the reports of that period (speedr: PeerTables.view): districts
built in turn through one PeerTables have the figures the analysis alone computes (every table, dtypes and index
included, and the key figures), the shared cut is `as_of`'s and no report changes it."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ucj.analysis import district as analysis
from ucj.analysis.district import as_of, jsonable
from ucj.presentation import district as report_module
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow  # about 20 s (the analysis alone builds its all-district tables): make test only

CASES = [("Minahasa", {}), ("Boalemo", {}), ("Kota Kupang", {}), ("Boalemo", {"denominator": "employees"}),
         ("Banggai", {"last_period": "2024-06"}), ("Muna Barat", {})]


def _text(value: object) -> str:
    return json.dumps(jsonable(value), sort_keys=True, default=str)


def test_shared_view_gives_the_analysis_alone(demo_ds, demo_dir) -> None:
    tables = report_module.PeerTables(demo_ds)
    built = []
    for name, kw in CASES:
        params = validate_params(name, data_dir=str(demo_dir), registry=demo_ds.registry, **kw)
        built.append((params, report_module._figures(demo_ds, params, tables)))  # noqa: SLF001
    assert len(tables._views) == 2  # noqa: SLF001 - two periods, each cut once
    for period, view in tables._views.items():  # noqa: SLF001
        fresh = as_of(demo_ds, period)
        assert set(view.tables) == set(fresh.tables)
        for name, df in fresh.tables.items():  # unchanged by the reports built from it
            pd.testing.assert_frame_equal(view.tables[name], df, check_exact=True)
    for params, fig in built:
        alone = analysis.district_figures(demo_ds, params.district.code, last_period=params.last_period,
                                          denominator=params.denominator, target_pct=params.target_pct,
                                          target_year=params.target_year)
        assert _text(fig.key()) == _text(alone.key())
        got, want = fig.tables(), alone.tables()
        assert list(got) == list(want)
        for name in want:
            pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)
        assert fig.peer_codes == alone.peer_codes
