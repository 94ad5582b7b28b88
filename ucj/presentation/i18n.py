"""Labels in Bahasa Indonesia and English, and numbers in each locale's format (babel).

Bahasa Indonesia: "Rp1,5 M", "76,3 %", "100.841". English: "Rp 1.5 bn", "76.3 %", "100,841".
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Literal

from babel import Locale
from babel.numbers import NumberPattern, format_compact_currency, parse_pattern

from ucj.core.errors import UcjInputError
from ucj.core.files import short_digest

if TYPE_CHECKING:
    import pandas as pd

Lang = Literal["id", "en"]
LANGS = ("id", "en")
_LOCALE = {"id": "id_ID", "en": "en"}
_EN_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


@functools.lru_cache(maxsize=64)
def _number_format(pattern: str | None, locale: str) -> tuple[NumberPattern, Locale]:
    loc = Locale.parse(locale)
    return parse_pattern(loc.decimal_formats[None] if pattern is None else pattern), loc


def format_decimal(number: float, format: str | None = None, locale: str = "en") -> str:  # noqa: A002 - babel's name
    """babel.numbers.format_decimal with its default options, the locale and the pattern parsed once per process
    instead of at every number (a report formats about a thousand; tests/presentation/test_speedh_numbers.py)."""
    pattern, loc = _number_format(format, locale)
    return pattern.apply(number, loc, decimal_quantization=True, group_separator=True, numbering_system="latn")


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise UcjInputError.one(f"unknown lang '{lang}'; one of id, en", column="lang")
    return lang  # type: ignore[return-value]


def _missing(value: object) -> bool:
    """None, NaN, pandas' NA or NaT: shown as "–"."""
    import pandas as pd  # here, not at the top: a batch worker only exports HTML and needs no pandas

    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


MINUS = "\u2212"  # the minus sign (babel's id and en locales give the hyphen-minus, which reads as a dash in print)


def _minus(text: str) -> str:
    """A number as babel formats it, with its sign as a true minus sign: "-25,5" -> "−25,5"."""
    return text.replace("-", MINUS)


def fmt_int(value: object, lang: Lang = "id") -> str:
    if _missing(value):
        return "–"
    return _minus(format_decimal(round(float(value)), locale=_LOCALE[lang]))  # type: ignore[arg-type]


def fmt_exact(value: object, lang: Lang = "id") -> str:
    """A number with every digit it has (no rounding: a recorded figure beside its recomputed value), in the
    language's grouping and decimal mark: 1234.5678 -> "1.234,5678" / "1,234.5678"; babel parses it back."""
    from babel.numbers import format_decimal as babel_decimal

    if _missing(value):
        return "–"
    return _minus(babel_decimal(value, locale=_LOCALE[lang], decimal_quantization=False))  # type: ignore[arg-type]


def fmt_num(value: object, lang: Lang = "id", digits: int = 1) -> str:
    if _missing(value):
        return "–"
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return _minus(format_decimal(float(value), format=pattern, locale=_LOCALE[lang]))  # type: ignore[arg-type]


def fmt_pct(value: object, lang: Lang = "id", digits: int = 1) -> str:
    """A percentage given in percent units, always with % and one decimal: 76.3 -> "76,3 %" / "76.3 %"."""
    if _missing(value):
        return "–"
    return f"{fmt_num(value, lang, digits)} %"


def fmt_level(interval: object, lang: Lang = "id") -> str:
    """A prediction interval's level, given as a fraction, in whole percent: 0.8 -> "80 %" (never "80,0 %"): the
    one rule for every page, table and chart that names the level."""
    if _missing(interval):
        return "–"
    return fmt_pct(100 * float(interval), lang, 0)  # type: ignore[arg-type]


def fmt_signed_int(value: object, lang: Lang = "id") -> str:
    """A whole number with its sign: "+642", "−1,234" (en) or "−1.234" (id); "0" for none."""
    if _missing(value):
        return "–"
    v = int(round(float(value)))  # type: ignore[arg-type]
    return ("+" if v > 0 else "−" if v < 0 else "") + fmt_int(abs(v), lang)


def fmt_pp(value: object, lang: Lang = "id", decimals: int = 1) -> str:
    """A difference of percentages, in percentage points with a sign: "+1,2 pp" / "-0.4 pp"."""
    if _missing(value):
        return "–"
    sign = "+" if float(value) > 0 else ""  # type: ignore[arg-type]
    return f"{sign}{fmt_num(value, lang, decimals)} {t('pp', lang)}"


def fmt_year(value: object) -> str:
    """A year or other code: never grouped ("2019", not "2.019" or "2,019")."""
    if _missing(value) or value == "":
        return "–"
    try:
        return str(int(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


def fmt_dec(value: object, lang: Lang = "id", digits: int = 2) -> str:
    """A plain number without idle decimals: 5.0 -> "5", 1.79 -> "1,79" (id)."""
    if _missing(value):
        return "–"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return _minus(format_decimal(float(value), format=pattern, locale=_LOCALE[lang]))  # type: ignore[arg-type]


def fmt_bool(value: object, lang: Lang = "id") -> str:
    """True/False in words: "ya"/"tidak", "yes"/"no"."""
    if _missing(value):
        return "–"
    return t("yes" if bool(value) else "no", lang)


def fmt_rp(value: object, lang: Lang = "id", digits: int = 2) -> str:
    """Rupiah in short form without idle decimals: "Rp4,96 M" (id) or "Rp 4.96 bn" (en); small amounts in full."""
    if _missing(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    if lang == "id":
        if abs(v) < 1e6:
            return _minus("Rp" + format_decimal(round(v), locale="id_ID"))
        text = format_compact_currency(v, "IDR", locale="id_ID", fraction_digits=digits)
        return _minus(text.replace("\xa0", " "))
    for scale, suffix in _EN_SCALES[:-1]:
        if abs(v) >= scale:
            num = format_decimal(v / scale, format="#,##0." + "#" * digits, locale="en")
            return f"Rp {_minus(num)} {suffix}"
    return "Rp " + _minus(format_decimal(round(v), locale="en"))


def fmt_rp_full(value: object, lang: Lang = "id") -> str:
    """Rupiah in full, no decimals: "Rp1.008.000.000" / "Rp 1,008,000,000"."""
    if _missing(value):
        return "–"
    sep = "" if lang == "id" else " "
    return f"Rp{sep}{fmt_int(value, lang)}"


# -- one rule per kind of number, for HTML and Excel alike ----------------------------------------
Kind = Literal["year", "code", "month", "pct", "pct0", "pct2", "pp", "pp0", "pp2", "rp", "count", "num", "bool", "text"]
YEAR_COLUMNS = frozenset({"year", "target_year", "peer_year", "from_year", "to_year"})
CODE_COLUMNS = frozenset({"district_code", "province_code", "code", "sha256"})
PCT_COLUMNS = frozenset({"p0", "province_p0", "national_p0", "mean", "lower", "upper",
                         "organic_mean", "organic_lower", "organic_upper"})  # the self-enrolled part too
COUNT_COLUMNS = frozenset({"active", "denominator_value", "workers", "claim_count", "deaths", "rows", "months", "rank", "of",
                           "already_funded", "additional_workers", "working_population", "districts"})
# the level of a prediction interval (80 %): printed as the text says it, without decimals (kind "pct0",
# reader's finding 20); "pct2" is a percentage published to two decimals (BPS P0), shown as published
LEVEL_COLUMNS = frozenset({"interval_pct"})
# Excel number formats by kind (values stay numbers; percentages are in percent units, e.g. 76.3)
XL_FORMATS: dict[str, str] = {"year": "0", "pct": '0.0" %"', "pct0": '0" %"', "pct2": '0.00" %"',
                              "pp": '+0.0" pp";-0.0" pp";0.0" pp"', "rp": '"Rp"#,##0', "count": "#,##0",
                              "num": "#,##0.00", "month": "yyyy-mm"}


def column_kind(name: str, series: pd.Series | None = None) -> Kind:
    """What kind of number a column holds, from its name (and dtype): the rule that formats it."""
    import pandas as pd

    if name in YEAR_COLUMNS or name.endswith("_year"):
        return "year"
    if name in CODE_COLUMNS or name.endswith("_code"):
        return "code"
    if name == "month" or (series is not None and pd.api.types.is_datetime64_any_dtype(series)):
        return "month"
    if series is not None and pd.api.types.is_bool_dtype(series):
        return "bool"
    if name.endswith("_rp"):
        return "rp"
    if name in LEVEL_COLUMNS:
        return "pct0"
    if name.endswith("_pct") or name in PCT_COLUMNS:
        return "pct"
    if name in COUNT_COLUMNS or (series is not None and pd.api.types.is_integer_dtype(series)):
        return "count"
    if series is not None and pd.api.types.is_numeric_dtype(series):
        return "num"
    # every value a bool (categoricals too); stops at the first that is not (a text column: its first value),
    # where mapping every value cost about 2 ms of a report's tables (tests/presentation/test_speedp_kinds.py)
    # (the dtype given as numpy's object dtype: `astype(object)` looks the Python type up among pandas' extension
    # types first, about 0.07 ms a column for the same conversion)
    # (a column of pandas' text dtype holds text and missing values only: never a bool)
    if (series is not None and len(series) and not isinstance(series.dtype, pd.StringDtype)
            and all(isinstance(v, bool) for v in series.astype(_OBJECT()))):
        return "bool"
    return "text"


@functools.cache
def _OBJECT() -> object:  # noqa: N802 - a constant, made on first use (no numpy import for the catalogue alone)
    import numpy as np

    return np.dtype(object)


def unit_kind(unit: object) -> Kind:
    """The kind of a value whose unit is given beside it (published facts: "%", "Rp", "persons")."""
    return {"%": "pct", "pp": "pp", "Rp": "rp", "persons": "count", "claims": "count"}.get(str(unit), "num")


# the kinds whose text depends on the number alone (and the language): kept once made, for Python numbers
_NUMBER_KINDS = frozenset({"pct", "pct0", "pct2", "pp", "pp0", "pp2", "rp", "count", "num"})
_FORMATTED: dict[tuple[str, str, type, str], str] = {}
_FORMATTED_MAX = 8192


def fmt_kind(value: object, kind: str, lang: Lang = "id") -> str:
    """A value formatted by the rule of its kind.

    A Python int or float's text is kept once made (about 45 % of a report's numbers were formatted before, by
    the same or an earlier report: 0, round percentages, the same count in two tables), keyed by its kind, the
    language, its type and its repr, which tells every float apart (-0.0 from 0.0; NaN is always "–")."""
    if kind in _NUMBER_KINDS and (type(value) is float or type(value) is int):
        key = (kind, lang, type(value), repr(value))
        text = _FORMATTED.get(key)
        if text is None:
            text = _fmt_kind(value, kind, lang)
            if len(_FORMATTED) >= _FORMATTED_MAX:
                _FORMATTED.clear()
            _FORMATTED[key] = text
        return text
    return _fmt_kind(value, kind, lang)


def _fmt_kind(value: object, kind: str, lang: Lang) -> str:
    if kind in ("year", "code"):
        return fmt_year(value) if kind == "year" else ("–" if _missing(value) else str(value))
    if kind == "month":
        import pandas as pd

        return "–" if _missing(value) else f"{pd.Timestamp(value):%Y-%m}"  # type: ignore[arg-type]
    if kind == "pct":
        return fmt_pct(value, lang)
    if kind in ("pct0", "pct2"):
        return fmt_pct(value, lang, int(kind[-1]))
    if kind in ("pp", "pp0", "pp2"):  # pp2: a change of two figures published to two decimals (BPS P0); pp0: whole
        return fmt_pp(value, lang, {"pp0": 0, "pp2": 2}.get(kind, 1))  # points, as an article publishes one
    if kind == "rp":
        return fmt_rp(value, lang)
    if kind == "count":
        return fmt_int(value, lang)
    if kind == "num":
        return fmt_num(value, lang, 2)
    if kind == "bool":
        return fmt_bool(value, lang)
    return "–" if _missing(value) else str(value)


def _read_catalogues() -> dict[str, dict[str, str]]:
    """Both catalogues (ucj/resources/locale/<lang>.po, gettext through babel) as {key: {lang: text}}.

    The .po files are the catalogue: translators' tools read them, and the code only names keys. A key
    missing from one language is an error here, not a bare key on a page.
    """
    from babel.messages.pofile import read_po

    from ucj.core.config import resource

    texts: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        with resource(f"locale/{lang}.po").open("rb") as f:
            for message in read_po(f, locale=lang):
                if message.id:
                    texts.setdefault(str(message.id), {})[lang] = str(message.string)
    incomplete = sorted(k for k, v in texts.items() if set(v) != set(LANGS))
    if incomplete:
        raise RuntimeError(f"catalogue keys missing in a language: {', '.join(incomplete[:10])}")
    return texts


LABELS: dict[str, dict[str, str]] = _read_catalogues()


def t(key: str, lang: Lang = "id") -> str:
    """The label for `key` in `lang` (the key itself if there is no label)."""
    entry = LABELS.get(key)
    return entry[lang] if entry else key


def tf(key: str, lang: Lang = "id", **values: object) -> str:
    """A catalogue sentence with its placeholders filled (values already formatted for `lang`)."""
    return LABELS[key][lang].format(**values)


# reason codes whose cause has a sentence of its own: a logistic curve refused because the series does not rise is
# said so, not "could not be fitted" (reader 11, L8)
CAUSE_SENTENCES = {("reason_logistic_failed", "not_rising"): "reason_logistic_failed.not_rising"}


def reason_text(reason: object, lang: Lang = "id") -> str:
    """The analysis layer's reason codes (ucj.analysis.reasons) as catalogue sentences in the reader's
    language, several joined by "; ". A code with no catalogue sentence, or text that is not a code,
    becomes the catalogue's general sentence, never text in another language."""
    from ucj.analysis.reasons import parse

    if _missing(reason) or str(reason).strip() == "":
        return ""
    out = []
    for code, params in parse(str(reason)):
        code = CAUSE_SENTENCES.get((code, params.get("cause", "")), code)  # a cause with words of its own
        if code and code in LABELS:
            # a named parameter ("param=capacity") in the reader's words (reason_param.*); numbers in the locale's form
            values = {k: (t(f"reason_param.{v}", lang) if f"reason_param.{v}" in LABELS
                          else fmt_dec(float(v), lang) if "." in v and _is_number(v) else v) for k, v in params.items()}
            out.append(tf(code, lang, **values))
        else:
            out.append(t("reason_other", lang))
    return "; ".join(dict.fromkeys(out))


def period_sentence(period: object, lang: Lang = "id") -> str:
    """"This table's figures are for ..." with the word a period needs: a month or a year is a point ("per
    2025-12"), a window "from – to" a period ("untuk periode 2025-01 – 2025-12"; "per" reads "as of")."""
    key = "table_period_range" if " – " in str(period) else "table_period"
    return tf(key, lang, period=period)


def claim_rate_periods_text(periods: dict[str, object], lang: Lang = "id") -> str:
    """Each claim rate's own period in one sentence (the own cohort's, the pooled APBD cohorts', the national
    rates' years), "" without the periods."""
    if not periods:
        return ""
    return tf("claim_rates_periods", lang, own=periods.get("own") or "–", collective=periods.get("collective") or "–",
              cohorts=fmt_int(periods.get("cohorts") or 0, lang), jkk_year=periods.get("national_JKK") or "–",
              jkm_year=periods.get("national_JKM") or "–")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def stamp_line(st: dict[str, object], lang: Lang) -> str:
    """The stamp as one line: when, which ucj and commit, which data (short hashes)."""
    commit = st.get("commit") or t("stamp_no_commit", lang)
    if st.get("dirty"):
        commit = f"{commit}, {t('stamp_dirty', lang)}"
    tables = st.get("tables") or {}
    assert isinstance(tables, dict)
    listed = ", ".join(f"{t(f'table.{n}', lang)} {short_digest(h, 8)}" for n, h in tables.items())
    return tf("stamp", lang, when=str(st.get("generated_at")), version=st.get("ucj"), commit=commit, tables=listed)


def target_year_text(year: object, assumed: object, lang: Lang = "id") -> str:
    """A target's year as every place shows it: "2029", or "2029, diasumsikan" when its source gives no year
    (reader 5, F9: summary, table and index alike)."""
    return f"{fmt_year(year)}, {t('target_year_assumed', lang)}" if assumed else fmt_year(year)


def denominator_periods(key: dict[str, object] | None) -> dict[str, str | None]:
    """{denominator: the year of the denominator its coverage is over} of a report's key figures ("2024" for a
    potensi list of 2024 under participants of 2025-12; reader 11, M1); the report's own denominator from
    `denominator_period` when its pairing's figure does not say (older key figures)."""
    if not key:
        return {}
    out: dict[str, str | None] = {}
    pairs = key.get("coverage_by_pairing")
    if isinstance(pairs, dict):
        out = {str(d): (str(f["denominator_period"]) if f.get("denominator_period") else None)  # type: ignore[union-attr]
               for d, f in pairs.items() if isinstance(f, dict)}
    den = key.get("denominator")
    if den is not None and not out.get(str(den)) and key.get("denominator_period"):
        out[str(den)] = str(key["denominator_period"])
    return out


def denominator_year_assumed(key: dict[str, object] | None) -> bool:
    """True when the year of the report's own denominator is the workbook's assumption: its source states no year
    and the page carries it forward under its period rule (the page's "treated as 2024"; reader 11, M2)."""
    return bool(key and key.get("denominator_year_bound") and key.get("period_rule"))


def coverage_period_text(period: object, denominator_period: object, denominator: str, lang: Lang = "id",
                         assumed: bool = False) -> str:
    """The period(s) of a coverage value, worded once for the district's card and the index (reader 12, L7):
    "2025-12" when the denominator is of the participants' own year, else both, "peserta 2025-12 / potensi
    pekerja 2024" (the page's period rule; reader 11, M1), the year marked "diasumsikan" when its source states
    none."""
    same = not denominator_period or str(period or "")[:4] == str(denominator_period)
    if same and not assumed:
        return str(period)
    year = target_year_text(denominator_period or str(period or "")[:4], assumed, lang)
    return tf("coverage_periods", lang, numerator=str(period), denominator=t(denominator, lang), year=year)


def key_coverage_period_text(key: dict[str, object], denominator: str, period: object, lang: Lang = "id") -> str:
    """`coverage_period_text` of one pairing's coverage in a report's key figures (its denominator's year, and
    whether that year is assumed, as the key records them): card and index read the same key."""
    return coverage_period_text(period, denominator_periods(key).get(denominator), denominator, lang,
                                denominator == key.get("denominator") and denominator_year_assumed(key))


def table_period_text(name: str, key: dict, lang: Lang = "id") -> str:  # type: ignore[type-arg]
    """The period line of a district table, the page's and the Excel notes sheet's alike: each claim rate's
    own period; the peer comparison's period column by column (as the overviews' ranking gives them); the
    budget assumptions, whose rows each carry their own period; the APBD scenarios, whose workers and coverage
    are as of the month and whose cost and claims are for the 12 months after it; else "This table's figures
    are for ...";
    "" for a table without a period."""
    if name == "claim_rates" and key.get("claim_rate_periods"):
        return claim_rate_periods_text(key["claim_rate_periods"], lang)
    if name == "peers" and key.get("peer_periods"):
        return tf("ranking_periods", lang, **key["peer_periods"])
    if name == "assumptions":
        return t("assumptions_period_note", lang)
    period = (key.get("table_periods") or {}).get(name)
    if name == "coverage_by_segment" and period and key.get("denominator"):
        # participants' month and the denominator's year (assumed, where it is), as the card says them: a sheet
        # sent on without the page still tells which denominator and which year (reader 16, R16-5)
        den = str(key["denominator"])
        return tf("segment_coverage_period", lang, when=key_coverage_period_text(key, den, period, lang),
                  denominator=t(den, lang))
    if name == "budget" and period:  # workers and coverage now, cost and claims a year ahead (reader 13, R13-7)
        return tf("budget_period_note", lang, period=period, table=t("claim_rates", lang))
    return period_sentence(period, lang) if period else ""


def default_target_basis(pairing: object, lang: Lang = "id") -> str:
    """What is said beside the national default target (reader 5, F18): its basis is not recorded, and the pairing
    ("all_participants/working_population") it is applied to here, in words. One text for pages, overviews and
    the explorer."""
    num, den = str(pairing).split("/")
    return tf("default_target_basis", lang, pairing=f"{t(num, lang)} / {t(den, lang)}")


def claims_programme_words(excludes: "list[str] | tuple[str, ...]", lang: Lang) -> dict[str, str]:
    """The words a 12-month claims figure is labelled with: the programmes it adds up ("JKK+JKM+JKP", every
    programme but `excludes`) and the excluded savings withdrawals as a list ("JHT dan JP" / "JHT and JP"). The
    one rule the district card, the overviews and the index headers word their claims by (reader 10 N5, 11 M5)."""
    from babel.lists import format_list

    from ucj.data.schema import PROGRAMMES

    return {"programmes": "+".join(p for p in PROGRAMMES if p not in excludes),
            "excluded": format_list(list(excludes), locale=lang)}
