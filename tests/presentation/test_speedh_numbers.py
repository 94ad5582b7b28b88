"""ucj's number formatting parses babel's locale and pattern once (speedh) and gives what babel's own
format_decimal gives, for the patterns and locales the pages use and awkward numbers."""

from __future__ import annotations

import babel.numbers
import pytest

from ucj.presentation import i18n

NUMBERS = [0, 0.0, -0.0, 1, -1, 0.05, 0.15, 0.25, 2.5, -2.5, 12.345, 999.95, 1234.5, -1234.55, 100841, 1e6 + 0.5,
           123456789.125, 1e15, -7.449999, 3, 10**12, float("inf"), float("-inf")]
PATTERNS = [None, "#,##0", "#,##0.0", "#,##0.00", "#,##0.#", "#,##0.##", "#,##0.000"]


@pytest.mark.parametrize("locale", ["id_ID", "en"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_format_decimal_is_babels(locale, pattern):
    for n in NUMBERS:
        assert i18n.format_decimal(n, format=pattern, locale=locale) == babel.numbers.format_decimal(
            n, format=pattern, locale=locale), (n, pattern, locale)


def test_page_formats_are_babels():
    for lang, locale in (("id", "id_ID"), ("en", "en")):
        assert i18n.fmt_int(100841, lang) == babel.numbers.format_decimal(100841, locale=locale)
        assert i18n.fmt_pct(76.25, lang) == babel.numbers.format_decimal(76.25, format="#,##0.0", locale=locale) + " %"
        assert i18n.fmt_num(-2.5, lang, 2) == babel.numbers.format_decimal(-2.5, format="#,##0.00",
                                                                         locale=locale).replace("-", i18n.MINUS)
