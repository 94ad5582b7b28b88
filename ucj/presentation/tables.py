"""Tables as a reader sees them, in HTML and in Excel alike: every header and word from the
catalogue, every number by the rule of its kind (ucj.presentation.i18n.column_kind).

`Shown` holds a table's raw values with the kind of each cell; `as_html_frame` turns it into
localised text for a web page, `ucj.presentation.xlsx` writes the same values as numbers with number
formats. Nothing here computes a figure: it only names and formats what the analysis returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ucj.presentation.i18n import LABELS, Kind, Lang, column_kind, fmt_kind, reason_text, t, unit_kind

# text columns whose values are catalogue keys (codes from the analysis layer)
TRANSLATED = frozenset({"segment", "funding", "indicator", "model", "status", "denominator", "label", "kind",
                        "quantity", "assumption", "synthetic", "plan", "unit", "note", "funding_scenario"})
# tables whose "value"-like columns change unit row by row, and what gives each row's kind
ROW_UNITS = {"peers": ("indicator", ("value", "province", "national", "peer_mean")),
             "assumptions": ("assumption", ("value",)),
             "seed_facts": ("unit", ("published", "data", "difference")),
             "plans": ("unit", ("value",))}

HIDDEN = {"seed_facts": ("unit",)}
DATE_LIKE = re.compile(r"\d{4}(-\d\d)?(-\d\d)?( – \d{4}(-\d\d)?)?")


@dataclass
class Shown:
    """A table ready to show: raw values (text already in the reader's language), each cell's kind,
    and localised headers."""

    values: pd.DataFrame
    kinds: dict[str, list[str]]
    headers: list[str]


def _row_kind(table: str, key: object, col: str = "") -> Kind:
    if table in ("seed_facts", "plans"):
        kind = unit_kind(key)
        return "pp" if kind == "pct" and col == "difference" else kind
    name = str(key)
    if name.endswith("_rp"):
        return "rp"
    if name.endswith("_pct") or name == "p0":
        return "pct"
    return "num"


def source_text(value: str, lang: Lang) -> str:
    """A data source in the reader's language: the demo's own name and the names of the columns it
    lists are catalogue words ("BPS P0, poor (ref); synthetic-demo: P1, P2" -> "BPS P0, penduduk miskin
    (ref); data demo sintetis (ucj demo): P1, P2"); references in brackets are kept as written."""
    def words(text: str) -> str:
        items = [x.strip() for x in text.split(",")]
        return ", ".join(t(x, lang) if x in LABELS else x for x in items)

    parts = []
    for part in str(value).split("; "):
        head, sep, cols = part.partition(": ")
        if head in LABELS:  # "synthetic-demo: P1, P2"
            parts.append(t(head, lang) + (sep + words(cols) if sep else ""))
            continue
        m = re.fullmatch(r"(BPS) ([^()]*?)( \(.*\))?", part)
        parts.append(f"{m.group(1)} {words(m.group(2))}{m.group(3) or ''}" if m else part)
    return "; ".join(parts)


def _translate(col: str, value: object, lang: Lang, table: str) -> object:
    if not isinstance(value, str):
        return value
    if col == "reason" or (col == "data_as_of" and not DATE_LIKE.fullmatch(value)):
        return reason_text(value, lang)
    if table == "assumptions" and col == "source":
        return t(f"source.{value}", lang)
    if table == "provenance" and col == "table":
        return t(f"table.{value}", lang)
    if col == "source" and table != "provenance":
        return source_text(value, lang)
    if col in TRANSLATED and value in LABELS:
        return t(value, lang)
    return value


def shown(table: str, df: pd.DataFrame, lang: Lang) -> Shown:
    """Name and classify a table's cells for display (nothing is computed)."""
    out = df.copy()
    if table == "assumptions" and "source" in out.columns:
        out["source"] = out["assumption"]  # each assumption's source is a catalogue sentence
    kinds: dict[str, list[str]] = {}
    unit_col, mixed = ROW_UNITS.get(table, (None, ()))
    for col in out.columns:
        if col in mixed and unit_col in df.columns:
            kinds[col] = [_row_kind(table, k, str(col)) for k in df[unit_col]]
            continue
        kind = column_kind(str(col), out[col])
        if col == "percentile":
            kind = "num"
        kinds[col] = [kind] * len(out)
        if kind in ("text", "bool"):
            out[col] = out[col].map(lambda v, c=col: _translate(str(c), v, lang, table))
    for col in HIDDEN.get(table, ()):  # shown by the number's format instead
        if col in out.columns:
            out = out.drop(columns=col)
            kinds.pop(col)
    headers = [t(str(c), lang) for c in out.columns]
    return Shown(out, kinds, headers)


def as_html_frame(s: Shown, lang: Lang) -> pd.DataFrame:
    """The table as localised text, one formatting rule per kind."""
    cols = {}
    for col in s.values.columns:
        kinds = s.kinds[col]
        cols[col] = [fmt_kind(v, k, lang) for v, k in zip(s.values[col], kinds)]
    out = pd.DataFrame(cols, columns=list(s.values.columns))
    out.columns = s.headers
    return out


def html_table(s: Shown, lang: Lang) -> str:
    return as_html_frame(s, lang).to_html(index=False, escape=True, classes="ucj-table", border=0, na_rep="–")
