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


def test_column_sources_are_the_same_from_a_compacted_table(demo_dir):
    """How many cells each source filled (the provenance a report shows) is counted the same from a
    compacted table as from the table as read, with one source and with two."""
    from ucj.data.dataset import _column_sources, compact

    df = pd.read_parquet(demo_dir / "claims.parquet").head(20_000)
    df["source"] = df["source"].where(df.index % 3 != 0, "BPJS Ketenagakerjaan 2025")
    part = df[df.index % 3 != 0]  # one source left in the rows, both still in the categories
    for frame in (df, part):
        compacted = compact(frame, "claims")
        assert isinstance(compacted["source"].dtype, pd.CategoricalDtype)
        assert _column_sources(None, compacted, "claims") == _column_sources(None, frame, "claims")
