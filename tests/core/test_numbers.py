import math

import pytest

from ucj.core.numbers import NumberFormatError, parse_number


@pytest.mark.parametrize(
    "text, decimal, expected",
    [
        ("4.960.000.000", ",", 4_960_000_000),
        ("13,85", ",", 13.85),
        ("Rp4,96 M", ",", 4_960_000_000),
        ("Rp 4,96 M", ",", 4_960_000_000),
        ("Rp1.008.000.000", ",", 1_008_000_000),
        ("42 jt", ",", 42_000_000),
        ("16.800", ",", 16_800),
        ("76,3%", ",", 76.3),
        ("1.234,5", ",", 1234.5),
        ("28.47", ".", 28.47),
        ("1,234.5", ".", 1234.5),
        ("132104", ",", 132104),
        (17.83, ".", 17.83),
    ],
)
def test_indonesian_number_formats(text, decimal, expected):
    assert parse_number(text, decimal) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["-", "", "…", "NA"])
def test_missing_marks_are_nan(text):
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize("text, decimal", [("dua ribu", ","), ("12,5,3", ","), ("1.23.4", ","), ("1,5", "."),
                                           ("5 kg", ",")])
def test_unreadable_numbers_are_refused(text, decimal):
    with pytest.raises(NumberFormatError):
        parse_number(text, decimal)
