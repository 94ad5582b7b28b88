"""The poverty table as a page cites it, worked out once (steadya, issue 23): `tables.poverty_sources` gives
`poverty_sources_cell` and `poverty_column_sources` of a table at once, both written out by hand for a small
table here; `PeerTables.poverty_sources` keeps them per language for the dataset's reports: what computing them
gives, in either language, whatever a caller does to the copy it was handed, and another dataset's table its own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ucj.presentation.district import PeerTables
from ucj.presentation.tables import BPS_TITLES, poverty_column_sources, poverty_sources, poverty_sources_cell

MIXED = "BPS P0, poor (bps:x); synthetic-demo: P1, P2"
ALL_BPS = "BPS P0, P1, P2, poor (bps:x)"


def small_table(sources: list[str]) -> pd.DataFrame:
    n = len(sources)
    return pd.DataFrame({"district_code": pd.array(["11.01"] * n, dtype="str"),
                         "year": np.arange(2019, 2019 + n, dtype="int64"), "p0": [10.0] * n, "p1": [1.0] * n,
                         "p2": ([0.5] * (n - 1) + [np.nan]) if n else [], "poor_population": [5.0] * n,
                         "source": pd.array(sources, dtype="str")})


def test_a_small_table_worked_by_hand() -> None:
    table = small_table([MIXED, MIXED, ALL_BPS])  # 2019, 2020 with made-up P1 and P2; 2021 all BPS, P2 empty
    cell, columns = poverty_sources(table, "en")
    want_cell = (f"BPS, {BPS_TITLES['P0']}, 2019–2021; {BPS_TITLES['poor']}, 2019–2021; {BPS_TITLES['P1']}, 2021; "
                 "synthetic demo data (ucj demo): P1 (2019–2020), P2 (2019–2020)")
    assert cell == want_cell == poverty_sources_cell(table, "en")
    assert columns == poverty_column_sources(table, "en") == {
        "p0": {f"BPS, {BPS_TITLES['P0']}, 2019–2021": 3},
        "p1": {"synthetic demo data (ucj demo), 2019–2020": 2, f"BPS, {BPS_TITLES['P1']}, 2021": 1},
        "p2": {"synthetic demo data (ucj demo), 2019–2020": 2},
        "poor_population": {f"BPS, {BPS_TITLES['poor']}, 2019–2021": 3}}
    # a table whose rows do not all name BPS's tables is cited as its sources name themselves
    assert poverty_sources(small_table([MIXED, "imported: my_p0.csv"]), "en") == (None, None)
    assert poverty_sources(small_table([]), "en") == (None, None)


def test_kept_per_language_as_computed(demo_ds) -> None:
    kept = PeerTables(demo_ds)
    for lang in ("id", "en", "id"):
        want = (poverty_sources_cell(demo_ds.poverty, lang), poverty_column_sources(demo_ds.poverty, lang))
        assert kept.poverty_sources(lang) == want
    cell, columns = kept.poverty_sources("en")
    assert columns is not None and "p1" in columns
    columns["p1"].clear()  # the caller's copy: the next report's is whole
    columns.pop("p0")
    assert kept.poverty_sources("en") == (cell, poverty_column_sources(demo_ds.poverty, "en"))
    assert kept.poverty_sources("id")[0] != cell  # each language its own


def test_another_dataset_its_own(demo_ds) -> None:
    other = demo_ds.replace({"poverty": demo_ds.poverty.assign(source=ALL_BPS)})
    mine, theirs = PeerTables(demo_ds), PeerTables(other)
    assert mine.poverty_sources("en") != theirs.poverty_sources("en")
    assert theirs.poverty_sources("en") == (poverty_sources_cell(other.poverty, "en"),
                                            poverty_column_sources(other.poverty, "en"))
    assert "synthetic" not in str(theirs.poverty_sources("en")[0])
