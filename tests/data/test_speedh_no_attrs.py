"""A loaded dataset's tables carry no pandas attrs (speedh): pandas deep-copies a frame's attrs into every frame,
column and row derived from it. Whether a table is synthetic is still known, from the dataset's table
information: the same flag the demo's files stored in their own parquet metadata."""

from __future__ import annotations

import pandas as pd


def test_tables_have_no_attrs_and_their_synthetic_flag_is_kept(demo_ds, demo_dir):
    stored = {}
    for name, df in demo_ds.tables.items():
        assert df.attrs == {}, name
        assert demo_ds.enrolment[demo_ds.enrolment["month"] == demo_ds.enrolment["month"].max()].attrs == {}
        stored[name] = pd.read_parquet(demo_dir / f"{name}.parquet").attrs.get("synthetic")
    # the flag the demo writer stored with each file (independent of the loader), read back from the info
    assert {n: demo_ds.info[n].synthetic for n in stored} == stored
    assert any(stored.values())
