"""A report's tables made the cheaper way are what they were: the HTML is pandas' `to_html` (on generated tables of
text, and on every table of district pages in both languages), `as_html_frame` is the frame it built before
(written out here), and a number's text kept by `fmt_kind` is what formatting it again gives."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.presentation import i18n, tables
from ucj.presentation.i18n import column_kind, fmt_kind
from ucj.presentation.tables import Shown, as_html_frame, html_frame, html_table


def _to_html(df: pd.DataFrame) -> str:
    """The page's table as pandas writes it (html_frame's text before)."""
    classes = "ucj-table ucj-wide" if len(df.columns) >= tables.WIDE_COLUMNS else "ucj-table"
    return df.to_html(index=False, escape=True, classes=classes, border=0, na_rep="–")


def _old_as_html_frame(s: Shown, lang: str) -> pd.DataFrame:
    """as_html_frame as it was: built under the value columns' names, then renamed."""
    cols = {}
    for col in s.values.columns:
        cols[col] = [fmt_kind(v, k, lang) for v, k in zip(s.values[col], s.kinds[col])]
    out = pd.DataFrame(cols, columns=list(s.values.columns))
    out.columns = s.headers
    return out


TEXT = st.lists(st.sampled_from(list("ab1,. %&<>\"'–−") + ["  ", " ", "\xa0", "\u202f", "é", "Rp", "&amp;"]),
                max_size=8).map("".join)
CELL = st.one_of(TEXT, TEXT, st.just(float("nan")))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 15).flatmap(lambda n: st.tuples(st.lists(TEXT, min_size=n, max_size=n, unique=True),
                                                       st.lists(st.lists(CELL, min_size=n, max_size=n),
                                                                min_size=1, max_size=5))))
def test_a_table_of_text_is_written_as_pandas_writes_it(table):
    headers, rows = table
    df = pd.DataFrame(rows, columns=headers)
    assert tables._frame_table(df, "ucj-table") is not None  # noqa: SLF001 - written here, not by pandas
    assert html_frame(df) == _to_html(df)


@pytest.mark.parametrize("df", [
    pd.DataFrame({"a": [1.5, np.nan], "b": ["x", "y"]}),  # a number
    pd.DataFrame({"a": ["x", None]}, dtype=object),  # None (pandas writes "None")
    pd.DataFrame({"a": ["line\nbreak", "tab\there"]}),  # escaped by pandas' formatter
    pd.DataFrame({"a": pd.array(["x", None], dtype="string[python]")}),  # pandas' NA
    pd.DataFrame({"a": []}, dtype=object),  # no rows
    pd.DataFrame({("a", "b"): ["x"]}),  # a two-level header
    pd.DataFrame({1: ["x"]}),  # a header that is not text
])
def test_anything_else_is_left_to_pandas(df):
    assert tables._frame_table(df, "ucj-table") is None  # noqa: SLF001
    assert html_frame(df) == _to_html(df)


def test_changed_display_options_are_left_to_pandas():
    df = pd.DataFrame({"a": ["x"]})
    for option, value in (("display.html.use_mathjax", False), ("display.colheader_justify", "left")):
        with pd.option_context(option, value):
            assert tables._frame_table(df, "ucj-table") is None  # noqa: SLF001
            assert html_frame(df) == _to_html(df)


@pytest.mark.parametrize("code", ["75.02", "71.02", "11.01", "94.01"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_table_of_a_district_page_is_what_it_was(demo_ds, demo_dir, code, lang):
    from ucj.presentation import district
    from ucj.runs.params import validate_params

    report = district.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    names = [name for name, frame in report.tables.items() if len(frame)]
    assert len(names) >= 10
    for name in names:
        s = report.shown(name)
        before = _old_as_html_frame(s, lang)
        pd.testing.assert_frame_equal(as_html_frame(s, lang), before, check_exact=True)
        assert list(as_html_frame(s, lang).columns) == list(before.columns)
        assert html_table(s, lang) == _to_html(before), name
        assert report.table_html(name) == _to_html(before), name  # written from the texts, no frame built
        assert report.table_html(name) == _to_html(report.display_table(name)), name  # and from the frame, once built
        for col in report.tables[name].columns:  # a text column's kind without looking at its values: as with them
            series = report.tables[name][col]
            if isinstance(series.dtype, pd.StringDtype):
                assert column_kind(str(col), series) == column_kind(str(col), series.astype(object)), (name, col)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**13, 10**13),
                 st.floats(-1e13, 1e13).map(lambda x: round(x, 2)), st.sampled_from([0.0, -0.0, 0, 76.35, -2.0])),
       st.sampled_from(sorted(i18n._NUMBER_KINDS)), st.sampled_from(["id", "en"]))  # noqa: SLF001
def test_a_kept_numbers_text_is_formatting_it_again(value, kind, lang):
    def outcome(f):  # noqa: ANN001, ANN202 - the text, or the error babel raises (a huge number: nothing is kept)
        try:
            return f(value, kind, lang)
        except ArithmeticError as err:
            return type(err)

    fresh = outcome(i18n._fmt_kind)  # noqa: SLF001 - babel's formatting, nothing kept
    assert outcome(fmt_kind) == fresh
    assert outcome(fmt_kind) == fresh  # the kept text


def test_numbers_that_compare_equal_keep_their_own_text():
    i18n._FORMATTED.clear()  # noqa: SLF001
    assert fmt_kind(-0.0, "num", "en") == i18n._fmt_kind(-0.0, "num", "en")  # noqa: SLF001
    assert fmt_kind(0.0, "num", "en") == i18n._fmt_kind(0.0, "num", "en")  # noqa: SLF001
    assert fmt_kind(-0.0, "num", "en") != fmt_kind(0.0, "num", "en")  # "−0.00" and "0.00", keyed apart
    assert fmt_kind(1, "count", "id") == fmt_kind(1.0, "count", "id") == "1"
    assert fmt_kind(math.nan, "pct", "id") == "–"
    assert fmt_kind(True, "count", "id") == i18n._fmt_kind(True, "count", "id")  # noqa: SLF001 - a bool: not kept
    assert not any(key[2] is bool for key in i18n._FORMATTED)  # noqa: SLF001
