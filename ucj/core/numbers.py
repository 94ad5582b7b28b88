"""Parsing numbers as Indonesian files write them: "4.960.000.000", "13,85", "Rp4,96 M".

Indonesian writing uses "." for thousands and "," for decimals; BPS CSV exports use "." for
decimals. The caller says which convention a file follows (`decimal`), and the parser refuses
a value it cannot read unambiguously rather than guess.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import numpy as np
import pandas as pd

from ucj.core.errors import Problem, UcjInputError

Decimal = Literal[",", "."]

MISSING_MARKS = {"", "-", "–", "—", "...", "…", "na", "n/a", "nan", "null", "none"}

_MULTIPLIERS = {
    "rb": 1e3,
    "ribu": 1e3,
    "k": 1e3,
    "jt": 1e6,
    "juta": 1e6,
    "mn": 1e6,
    "m": 1e9,  # "M" is miliar in Indonesian amounts
    "miliar": 1e9,
    "milyar": 1e9,
    "bn": 1e9,
    "t": 1e12,
    "triliun": 1e12,
    "tn": 1e12,
}
_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*$")
_SUFFIX = re.compile(r"^(?P<num>[+-]?[0-9][0-9.,]*)\s*(?P<mult>[a-zA-Z]+)?\.?$")


class NumberFormatError(UcjInputError, ValueError):
    """A value that is not a number in the file's convention (an input error like any other)."""

    def __init__(self, message: str) -> None:
        UcjInputError.__init__(self, [Problem(message)])


def parse_number(value: object, decimal: Decimal = ",") -> float:
    """Parse one value; NaN for the blank and dash marks that BPS uses for missing data."""
    if value is None:
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace("\u00a0", " ")
    if text.lower() in MISSING_MARKS:
        return math.nan
    text = re.sub(r"^(rp\.?)\s*", "", text, flags=re.IGNORECASE)
    text = text.rstrip("%").strip()
    m = _SUFFIX.match(text.replace(" ", "") if re.search(r"\d\s+\d", text) is None else text)
    if not m:
        raise NumberFormatError(f"not a number: {value!r}")
    num, mult = m.group("num"), (m.group("mult") or "").lower()
    if mult and mult not in _MULTIPLIERS:
        raise NumberFormatError(f"unknown unit '{m.group('mult')}' in {value!r}")
    factor = _MULTIPLIERS.get(mult, 1.0)
    return _parse_plain(num, decimal, original=value) * factor


def _parse_plain(num: str, decimal: Decimal, original: object) -> float:
    thousands = "." if decimal == "," else ","
    if not _NUMBER.match(num):
        raise NumberFormatError(f"not a number: {original!r}")
    if "." in num and "," in num:
        # Both marks: the last one is the decimal mark, whatever the file's convention.
        last = max(num.rfind("."), num.rfind(","))
        dec_mark = num[last]
        thou_mark = "," if dec_mark == "." else "."
        if num.count(dec_mark) > 1:
            raise NumberFormatError(f"ambiguous number: {original!r}")
        return float(num.replace(thou_mark, "").replace(dec_mark, "."))
    if thousands in num:
        groups = num.lstrip("+-").split(thousands)
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            return float(num.replace(thousands, ""))
        if num.count(thousands) == 1 and decimal == ".":
            raise NumberFormatError(f"ambiguous number (comma in a file that uses '.' for decimals): {original!r}")
        raise NumberFormatError(f"badly grouped thousands: {original!r}")
    if decimal in num and num.count(decimal) > 1:
        raise NumberFormatError(f"more than one decimal mark: {original!r}")
    return float(num.replace(decimal, "."))


_ONE_GROUP = {".": re.compile(r"^[+-]?\d{1,3},\d{3}$"), ",": re.compile(r"^[+-]?\d{1,3}\.\d{3}$")}
_GROUPS_SHOWN = {".": re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$|^[+-]?\d{1,3}(,\d{3}){2,}$"),
                 ",": re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$|^[+-]?\d{1,3}(\.\d{3}){2,}$")}
_DECIMALS_SHOWN = {".": re.compile(r"^[+-]?\d+\.(\d{1,2}|\d{4,})$"), ",": re.compile(r"^[+-]?\d+,(\d{1,2}|\d{4,})$")}


def one_group(text: str, decimal: Decimal) -> bool:
    """Whether `text` is one to three digits, the other convention's mark, and three digits ("3,153")."""
    return bool(_ONE_GROUP[decimal].match(text))


def ambiguous_grouping(values: pd.Series | list[object], decimal: Decimal) -> str | None:
    """A cell whose one mark could be the other convention's decimal mark, in a column that shows the file's
    decimal mark and never shows the other mark grouping thousands: "3,153" among "29.40" and "2.95" is 3153
    in an English export, but 3.153 where one cell was typed the Indonesian way; nothing in the column says
    which, so the caller refuses it. None when every such cell is decided (or there is none)."""
    text = [str(v).strip() for v in values if isinstance(v, str)]
    one = [t for t in text if _ONE_GROUP[decimal].match(t)]
    if not one:
        return None
    if any(_GROUPS_SHOWN[decimal].match(t) for t in text):
        return None  # another cell groups thousands with that mark: "1,234,567" or "1,234.5"
    if not any(_DECIMALS_SHOWN[decimal].match(t) for t in text):
        return None  # the column shows no decimals at all: a count such as "3,153" groups thousands
    return one[0]


def parse_series(values: pd.Series, decimal: Decimal = ",") -> tuple[pd.Series, pd.Series]:
    """Parse a column; return (numbers as float64, mask of values that could not be read)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64"), pd.Series(False, index=values.index)
    out = np.empty(len(values), dtype="float64")
    bad = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values.tolist()):
        try:
            out[i] = parse_number(v, decimal)
        except NumberFormatError:
            out[i] = math.nan
            bad[i] = True
    return pd.Series(out, index=values.index), pd.Series(bad, index=values.index)
