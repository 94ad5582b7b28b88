"""No value is ever read as a different number (issue 24): numbers written the ways files write them
(thousands and decimal marks of either convention, percent signs, Rupiah, unit words), parsed back; the
reference is the number the test wrote, and the only other outcome allowed is a refusal."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ucj.core.errors import UcjInputError
from ucj.core.numbers import NumberFormatError, parse_number
from ucj.ingest.bps import Variable, decimal_mark


def written(cents: int, dec: str, group: bool, decimals: int) -> str:
    """The number cents/100 written with `dec` as decimal mark, the other mark grouping thousands if `group`."""
    value = D(cents) / 100
    text = f"{value:.{decimals}f}"
    whole, _, frac = text.partition(".")
    sep = "." if dec == "," else ","
    if group:
        whole = f"{int(whole):,}".replace(",", sep)
    return whole + (dec + frac if decimals else "")


cells = st.tuples(st.integers(0, 10**11), st.sampled_from([",", "."]), st.booleans(), st.sampled_from([0, 1, 2]))
dress = st.sampled_from(["{}", "{} %", "{}%", "Rp{}", "Rp {}", " {} "])


@settings(max_examples=400, deadline=None)
@given(cells, dress)
def test_a_cell_in_its_files_convention_reads_as_written(cell, wrap):
    cents, dec, group, decimals = cell
    if decimals == 0:
        cents -= cents % 100
    text = wrap.format(written(cents, dec, group, decimals))
    truth = float(D(f"{D(cents) / 100:.{decimals}f}"))
    try:
        got = parse_number(text, dec)  # type: ignore[arg-type]
    except NumberFormatError:
        return  # refused: allowed
    assert got == truth, (text, dec, got, truth)


@settings(max_examples=1500, deadline=None)
@given(st.lists(cells.map(lambda c: (c[0], c[2], c[3])), min_size=1, max_size=8), st.sampled_from([",", "."]),
       st.sampled_from([None, ("persons", 1.0), ("%", 1.0), ("persons", 1000.0), ("Rp", 1.0)]))
def test_a_column_is_read_as_written_or_refused(column, dec, unit):
    """The decimal mark decided from a whole column (and the unit) never turns one number into another."""
    values, truths = [], []
    for cents, group, decimals in column:
        if decimals == 0:
            cents -= cents % 100
        if unit is not None and unit[0] == "persons" and unit[1] == 1.0:
            cents -= cents % 100  # persons are whole
            decimals = 0
        if unit is not None and unit[0] == "%":
            cents %= 100_01  # a percentage is at most 100: the rule that decides "16,370" rests on it
        values.append(written(cents, dec, group, decimals))
        truths.append(float(D(f"{D(cents) / 100:.{decimals}f}")))
    var = None if unit is None else Variable("poverty", "x", unit[1], unit[0])
    try:
        mark = decimal_mark(pd.DataFrame({"2024": values}, dtype=object), var, "t.csv")
        got = [parse_number(v, mark) for v in values]
    except (UcjInputError, NumberFormatError):
        return
    assert got == truths, (values, mark, got, truths)
