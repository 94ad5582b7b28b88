"""Every district's peers from one distance matrix (speedr): `nearest_peers` gives, for every district of the
demo's all-district table, the codes `similar_districts` gives for it alone (same order), and `benchmark` given
them returns the frame and peers it computes without them; a district lacking a feature still raises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.all_districts import district_table
from ucj.analysis.district import Comparison, as_of
from ucj.analysis.peers import benchmark, benchmark_all, nearest_peers, similar_districts
from ucj.core.errors import UcjInputError


@pytest.fixture(scope="module")
def table(demo_ds):  # type: ignore[no-untyped-def]
    period = pd.Timestamp(demo_ds.enrolment["month"].max())
    return district_table(as_of(demo_ds, period), period.year - 1, "working_population")


def test_nearest_peers_are_similar_districts(table) -> None:
    peers = nearest_peers(table)
    measured = similar_districts(table, table.index[0])  # the districts with both features
    assert len(peers) > 400
    for code in table.index:
        try:
            alone = similar_districts(table, code)["district_code"].tolist()
        except UcjInputError:
            assert code not in peers
            continue
        assert peers[code] == alone, code
    assert len(measured) == 5


def test_ties_keep_similar_districts_order() -> None:
    # four districts at the same place in one province (equal distances): a stable order, as argsort per row
    t = pd.DataFrame({"population": [100.0, 100.0, 100.0, 100.0, 400.0, 50.0, 80.0],
                      "working_population": [50.0] * 7,
                      "informal_share": [0.5, 0.5, 0.5, 0.5, 0.2, 0.9, 0.6],
                      "province_code": ["11", "11", "11", "11", "12", "11", "12"]},
                     index=[f"11.0{i}" for i in range(7)])
    peers = nearest_peers(t, k=3)
    for code in t.index:
        assert peers[code] == similar_districts(t, code, 3)["district_code"].tolist()


def test_benchmark_given_the_peers(table) -> None:
    rows, peers = benchmark_all(table), nearest_peers(table)
    codes = list(table.index[:: max(1, len(table) // 25)])
    for code in codes:
        want = benchmark(table, code, all_rows=rows)
        got = benchmark(table, code, all_rows=rows, peers=peers)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert got.attrs == want.attrs
    shared = Comparison.of(table)
    assert shared.peers == peers


def test_a_district_without_features_still_raises(table) -> None:
    t = table.copy()
    code = t.index[3]
    t.loc[code, "informal_share"] = np.nan
    peers = nearest_peers(t)
    assert code not in peers
    with pytest.raises(UcjInputError):
        benchmark(t, code, peers=peers)
