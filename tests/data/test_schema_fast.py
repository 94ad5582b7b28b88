"""The whole-column validation (`fast_validate`) against pandera's schema, the second implementation of
the same rules: on the demo tables both return the same frame, and on tables broken at random (a bad
cell, a duplicate key, a missing or extra column, another dtype) the fast check never accepts what
pandera refuses, and agrees with it whenever no coercion is involved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucj.data.registry import load_registry
from ucj.data.schema import TABLES, fast_validate, schema, validate
from ucj.core.errors import UcjInputError

DEMO_TABLES = ("enrolment", "workforce", "contributions", "claims", "poverty", "targets", "plans")


@pytest.fixture(scope="module")
def codes() -> frozenset[str]:
    return load_registry().codes


@pytest.fixture(scope="module")
def demo_frames(demo_dir) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    return {name: pd.read_parquet(demo_dir / f"{name}.parquet") for name in DEMO_TABLES}


def _pandera(df: pd.DataFrame, table: str, codes: frozenset[str]) -> pd.DataFrame | None:
    try:
        return schema(table, codes).validate(df, lazy=True)
    except pa.errors.SchemaErrors:
        return None


@pytest.mark.parametrize("table", DEMO_TABLES)
def test_demo_tables_pass_fast_and_equal_pandera(table, demo_frames, codes):
    df = demo_frames[table]
    fast = fast_validate(df, table, codes)
    assert fast is not None, f"the fast check refuses the valid demo table {table}"
    pd.testing.assert_frame_equal(fast, _pandera(df, table, codes), check_exact=True)


# Values that break (or sit at the edge of) one rule or another.
EDGE = [np.nan, None, -1, 0, 1, 100, 100.5, 2019, 2051, 1999, "", "99.99", "PU", "JKP", "Ab_c", "abc",
        "ppp2017_2.15", pd.Timestamp("2013-12-01"), pd.Timestamp("2020-05-02"), pd.Timestamp("2035-12-01"),
        pd.Timestamp("2036-01-01")]


@st.composite
def broken(draw, frames: dict[str, pd.DataFrame]):  # type: ignore[no-untyped-def]
    table = draw(st.sampled_from(DEMO_TABLES))
    full = frames[table]
    rows = draw(st.lists(st.integers(0, len(full) - 1), min_size=1, max_size=8, unique=True))
    df = full.iloc[sorted(rows)].reset_index(drop=True)
    kind = draw(st.sampled_from(["cell", "cell", "cell", "duplicate", "drop", "extra", "object", "none"]))
    cols = list(df.columns)
    if kind == "cell":
        col, row, value = draw(st.sampled_from(cols)), draw(st.integers(0, len(df) - 1)), draw(st.sampled_from(EDGE))
        try:
            df.loc[row, col] = value
        except (TypeError, ValueError):
            df[col] = df[col].astype(object)
            df.loc[row, col] = value
    elif kind == "duplicate":
        df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    elif kind == "drop":
        df = df.drop(columns=draw(st.sampled_from(cols)))
    elif kind == "extra":
        df["extra"] = 1
    elif kind == "object":
        col = draw(st.sampled_from(cols))
        df[col] = df[col].astype(object)
    return table, df


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_fast_check_never_accepts_what_pandera_refuses(data, demo_frames, codes):
    table, df = data.draw(broken(demo_frames))
    fast = fast_validate(df, table, codes)
    slow = _pandera(df, table, codes)
    if fast is not None:
        assert slow is not None, f"{table}: the fast check accepted a table pandera refuses"
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    same_dtypes = list(df.columns) == list(demo_frames[table].columns) and \
        all(df[c].dtype == demo_frames[table][c].dtype for c in df.columns)
    if same_dtypes:  # nothing to coerce: the two must agree both ways
        assert (fast is None) == (slow is None), f"{table}: the fast check refused a valid table"


def test_validate_names_the_problem_when_the_fast_check_refuses(demo_frames, codes):
    df = demo_frames["claims"].head(5).copy()
    df.loc[3, "segment"] = "XX"
    with pytest.raises(UcjInputError) as err:
        validate(df, "claims", codes, file="claims.parquet")
    problem = err.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "segment", "XX")
    assert problem.rule.startswith("one of PU")


def test_table_columns_are_all_ruled(codes):
    """Every column of the data dictionary has a rule in the fast check (and in the schema)."""
    from ucj.data.schema import _rules

    for table, doc in TABLES.items():
        assert set(_rules(table, codes)) == {c.name for c in doc.columns} == set(schema(table, codes).columns)
