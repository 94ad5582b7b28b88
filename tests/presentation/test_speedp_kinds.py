"""A column's kind (speedp): `column_kind` stops at the first value that is not a bool; it gives the kind the
rule it replaced gives (every value mapped to whether it is a bool, written out here) for every column of a
district report's tables (Boalemo) and for hand-made columns: text, text with a missing value, bools as
objects, a categorical of bools, mixed bools and text, numpy bools, empty."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ucj.presentation.i18n import (CODE_COLUMNS, COUNT_COLUMNS, LEVEL_COLUMNS, PCT_COLUMNS, YEAR_COLUMNS,
                                  column_kind)
from ucj.runs.params import validate_params


def mapped_rule(name: str, series: pd.Series) -> str:
    """column_kind as it was, written out: the bool test mapped over every value."""
    if name in YEAR_COLUMNS or name.endswith("_year"):
        return "year"
    if name in CODE_COLUMNS or name.endswith("_code"):
        return "code"
    if name == "month" or pd.api.types.is_datetime64_any_dtype(series):
        return "month"
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if name.endswith("_rp"):
        return "rp"
    if name in LEVEL_COLUMNS:
        return "pct0"
    if name.endswith("_pct") or name in PCT_COLUMNS:
        return "pct"
    if name in COUNT_COLUMNS or pd.api.types.is_integer_dtype(series):
        return "count"
    if pd.api.types.is_numeric_dtype(series):
        return "num"
    if len(series) and series.astype(object).map(lambda v: isinstance(v, bool)).all():
        return "bool"
    return "text"


HAND_MADE = {
    "words": pd.Series(["a", "b"], dtype="str"),
    "words_missing": pd.Series(["a", None], dtype="str"),
    "flags": pd.Series([True, False], dtype=object),
    "flags_cat": pd.Series([True, False, True], dtype="category"),
    "mixed": pd.Series([True, "b"], dtype=object),
    "mixed_late": pd.Series(["b", True], dtype=object),
    "numpy_flags": pd.Series([np.bool_(True), np.bool_(False)], dtype=object),
    "flag_and_none": pd.Series([True, None], dtype=object),
    "nothing": pd.Series([], dtype=object),
}


def test_hand_made_columns():
    kinds = {name: column_kind(name, s) for name, s in HAND_MADE.items()}
    assert kinds == {name: mapped_rule(name, s) for name, s in HAND_MADE.items()}
    assert kinds["flags"] == kinds["flags_cat"] == "bool" and kinds["words"] == kinds["mixed"] == "text"


def test_every_column_of_a_report(demo_ds, demo_dir):
    from ucj.presentation import district as report_module

    # the session's demo folder: a clean clone has no data/demo (CI failed on the default folder)
    params = validate_params("Boalemo", "", "", -1.0, -1, "id", str(demo_dir), registry=demo_ds.registry)
    report = report_module.build(demo_ds, params)
    seen = 0
    for frame in report.tables.values():
        for col in frame.columns:
            assert column_kind(str(col), frame[col]) == mapped_rule(str(col), frame[col]), col
            seen += 1
    assert seen > 100
