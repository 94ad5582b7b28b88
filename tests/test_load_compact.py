"""The loaded monthly tables hold their repeated text as categoricals: the same values as the files
(read with plain pandas), in far less memory."""

from __future__ import annotations

import pandas as pd
import pytest

from ucj.data.dataset import COMPACT_TABLES


@pytest.mark.parametrize("table", COMPACT_TABLES)
def test_compact_tables_hold_the_files_values(demo_ds, demo_dir, table):
    loaded = demo_ds[table]
    plain = pd.read_parquet(demo_dir / f"{table}.parquet")
    assert any(isinstance(loaded[c].dtype, pd.CategoricalDtype) for c in loaded.columns)
    back = loaded.astype({c: "str" for c in loaded.columns if isinstance(loaded[c].dtype, pd.CategoricalDtype)})
    pd.testing.assert_frame_equal(back, plain, check_exact=True)
    assert loaded.memory_usage(deep=True).sum() < 0.5 * plain.memory_usage(deep=True).sum()


def test_small_tables_keep_their_dtypes(demo_ds, demo_dir):
    for table in ("workforce", "poverty", "targets"):
        assert not any(isinstance(t, pd.CategoricalDtype) for t in demo_ds[table].dtypes), table
