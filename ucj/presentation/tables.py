"""Tables as a reader sees them, in HTML and in Excel alike: every header and word from the
catalogue, every number by the rule of its kind (ucj.presentation.i18n.column_kind).

`Shown` holds a table's raw values with the kind of each cell; `as_html_frame` turns it into
localised text for a web page, `ucj.presentation.xlsx` writes the same values as numbers with number
formats. Nothing here computes a figure: it only names and formats what the analysis returned.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ucj.presentation.i18n import LABELS, Kind, Lang, column_kind, fmt_kind, reason_text, t, tf, unit_kind

# text columns whose values are catalogue keys (codes from the analysis layer)
TRANSLATED = frozenset({"segment", "funding", "indicator", "model", "status", "denominator", "label", "kind",
                        "quantity", "assumption", "synthetic", "plan", "unit", "note", "funding_scenario", "agreement",
                        "complement", "data_basis"})
# tables whose "value"-like columns change unit row by row, and what gives each row's kind
ROW_UNITS = {"peers": ("indicator", ("value", "province", "national", "peer_mean")),
             "assumptions": ("assumption", ("value",)),
             "seed_facts": ("unit", ("published", "data", "difference")),
             "plans": ("unit", ("value", "data_now"))}

HIDDEN = {"seed_facts": ("unit",), "plans": ("unit", "rounding")}
# a published percentage is shown to the article's own precision: "76 persen" as 76 %, BPS's "6,87" as 6,87 %
# (the computed one to two decimals only beside a two-decimal source), page and Excel alike; a plan or target
# published to 0.01 ("99,50 persen") keeps the page's one decimal, as its summary and sentences print it
AS_PUBLISHED = {"seed_facts": (("published",), ("data",)), "plans": (("value",), ())}
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
        if kind == "pp" and col in ("data", "difference"):  # a change computed from BPS's two-decimal P0 (R13-8)
            return "pp2"
        return "pp" if kind == "pct" and col == "difference" else kind
    name = str(key)
    if name.endswith("_rp"):
        return "rp"
    if name.endswith("_pct") or name == "p0":
        return "pct"
    return "num"


# BPS's own titles of the dynamic tables the poverty columns come from (cited as BPS names them)
BPS_TITLES = {"P0": "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota",
              "poor": "Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota",
              "P1": "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota",
              "P2": "Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota"}
_SEED = re.compile(r"seed \d{3}\b")
SYNTHETIC_LABEL = "synthetic-demo"  # the catalogue key of the demo's source name


def format_date(value: str, lang: Lang) -> str:
    """An ISO date as a reader writes it: "2024-11-14" -> "14 November 2024" (babel, in `lang`)."""
    from babel.dates import format_date as babel_date

    return babel_date(pd.Timestamp(value).date(), "d MMMM y", locale=lang)


def cite(source: object, lang: Lang, year: object = None, quantity: str | None = None) -> str:
    """A source as a reader cites it: publisher or outlet, title (where known), date
    ("seed 003 (ANTARA Sulut; ...)" -> "ANTARA Sulut, 14 November 2024"), each "; "-joined part on its own;
    notes that come with the data in the reader's language (data/published/source_texts.csv); BPS tables by
    their titles; the demo by its catalogue name. An internal name never passes: a part naming a seed file
    or the project's notes that has no citation reads "source not recorded"."""
    parts = [_cite_part_once(p.strip(), lang, year, quantity) for p in split_sources(str(source or ""))]
    return "; ".join(dict.fromkeys(p for p in parts if p))


def _cite_part_once(part: str, lang: Lang, year: object, quantity: str | None) -> str:
    """`_cite_part`, worked out once per process for each (part, lang, year, quantity): a report cites the
    same few sources about 80 times (tables, key figures, notes), each a search of the citations table.
    The answer depends on nothing else (the published tables are read once per process, the catalogue is
    fixed); a year that cannot be a key (unhashable) is worked out each time."""
    try:
        return _cite_part_cached(part, lang, year, quantity)
    except TypeError:
        return _cite_part(part, lang, year, quantity)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: year 2024 and 2024.0 are cited differently
def _cite_part_cached(part: str, lang: Lang, year: object, quantity: str | None) -> str:
    return _cite_part(part, lang, year, quantity)


def cite_figure(figure: object, lang: Lang) -> str:
    """A published figure's publication as a planner cites it beside the figure: outlet or publisher, title and
    date ("jpnn.com, BPJS Perkuat Sinergi dengan Pemda demi Capai Target 99,5 Persen Pekerja Terlindungi,
    31 Oktober 2025"), from the typed citation fields the figure carries (`ucj.data.published.PublishedFigure`),
    so the page, the workbook and key_figures.json cite it from one record (reader 17, R17-4). A missing title or
    date is said to be missing, never left out silently."""
    title = str(getattr(figure, "title", "") or "") or t("citation_title_not_recorded", lang)
    date = str(getattr(figure, "date", "") or "")
    when = format_date(date, lang) if date else t("citation_date_not_recorded", lang)
    publisher = str(getattr(figure, "publisher", "") or "")
    if not publisher:  # no citation row: the source as the tables name it, cited by the general rule
        return cite(getattr(figure, "source_article", ""), lang) or t("citation_publication_not_recorded", lang)
    return f"{publisher}, {title}, {when}"


def split_sources(text: str) -> list[str]:
    """A "; "-joined source text in its parts; a "; " inside brackets belongs to its part
    ("seed 003 (ANTARA Sulut; 14 Nov 2024); other" has two parts)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and text.startswith("; ", i):
            parts.append(text[start:i])
            start = i + 2
    return parts + [text[start:]]


@functools.cache
def _published(name: str) -> pd.DataFrame:
    """A published table read once per process (citations, source texts): read-only here."""
    from ucj.data import published

    return getattr(published, name)()


def citations() -> pd.DataFrame:
    return _published("citations")


# citations.csv's rows as dicts, with the rows of each source_article in file order, built once for the table
# `citations()` returns (rebuilt if that table is another object). A report cites a few dozen sources; a pandas
# filter of the table per source cost about 1.5 ms each, some 40 ms of a kernel's first report (a cold
# `ucj report`'s critical path), against microseconds for a dict look-up.
_CITATION_INDEX: list[tuple[pd.DataFrame, tuple[dict[str, str], ...], dict[str, tuple[dict[str, str], ...]]]] = []


def _citation_rows(part: str) -> tuple[dict[str, str], ...]:
    """The citations.csv rows whose source_article is `part`, in file order; for a seed article named otherwise
    ("seed 003 ..."), the rows whose source_article starts as it does; as the table filtered by pandas gives them."""
    c = citations()
    if not _CITATION_INDEX or _CITATION_INDEX[0][0] is not c:
        rows = tuple(c.to_dict("records"))
        by: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            by.setdefault(r["source_article"], []).append(r)
        _CITATION_INDEX[:] = [(c, rows, {k: tuple(v) for k, v in by.items()})]
    _, rows, by = _CITATION_INDEX[0]
    hit = by.get(part, ())
    seed = _SEED.match(part) if not hit else None
    if seed:
        hit = tuple(r for r in rows if r["source_article"].startswith(seed.group(0)))
    return hit


def source_texts() -> pd.DataFrame:
    return _published("source_texts")


def _cite_part(part: str, lang: Lang, year: object, quantity: str | None) -> str:
    if not part:
        return ""
    rows = _citation_rows(part)
    if len(rows) > 1:
        own = [r for r in rows if r["quantity"] == (quantity or "")]
        blank = [r for r in rows if r["quantity"] == ""]
        rows = own or blank or rows[:1]
    if rows:
        r = rows[0]
        when = format_date(r["date"], lang) if r["date"] else (str(year)[:4] if year else "")
        note = str(r.get("date_note") or "") if "date_note" in r else ""
        if r["date"] and note in ("listing", "meeting", "event", "url"):  # never a date the source did not give
            when = tf(f"date_note_{note}", lang, date=when)  # as its own: an event's, a page address's (citef2)
        if r["date"] and note == "office_term":  # a bound with its reason, the term's end cited (issue 18, R15-1)
            when = tf("date_note_office_term", lang, date=when, office=str(r.get("office") or ""),
                      source=cite(str(r.get("office_source") or ""), lang))
        if not when and note == "undated":  # no date known: said so, never made up
            when = t("citation_undated", lang)
        if note == "not_recorded":  # the publication's date was not found: said so, never a fact's year instead
            when = t("citation_date_not_recorded", lang)
        if note == "default_target":  # the workbook's default target: as the ministry stated it (its report's
            # date), and what is not recorded, the RPJMN text and its basis (F2, F18, citef2)
            when = ", ".join(x for x in (format_date(r["date"], lang) if r["date"] else "",
                                         t("citation_default_target", lang)) if x)
        title = r["title"] or t("citation_title_not_recorded", lang)  # a reader knows a title is missing
        return ", ".join(x for x in (r["publisher"], title, when) if x)
    texts = source_texts()
    hit = texts[texts["text"] == part]
    if len(hit):
        return str(hit.iloc[0][f"text_{lang}"])
    head, sep, cols = part.partition(": ")
    if head in LABELS:  # "synthetic-demo: P1, P2"
        return t(head, lang) + (sep + _words(cols, lang) if sep else "")
    if part.startswith("BPS table: "):  # imported: "BPS table: <its title> (<file>)" -> "BPS, <its title>"
        return ", ".join(["BPS", imported_title(part)] + ([str(year)[:4]] if year else []))
    m = re.fullmatch(r"BPS ([^()]*?)( \(.*\))?", part)
    if m:  # "BPS P0, poor (bps:visdati@ref)": the tables' titles; the reference is the data's, not the reader's
        cols_ = [x.strip() for x in m.group(1).split(",")]
        titles = [BPS_TITLES[x] for x in cols_ if x in BPS_TITLES]
        rest = [t(x, lang) if x in LABELS else x for x in cols_ if x not in BPS_TITLES]
        return ", ".join(["BPS", "; ".join(titles + rest)] + ([str(year)[:4]] if year else []))
    if _SEED.search(part) or "domain.md" in part or "§" in part:
        return t("source_not_recorded", lang)
    return part


@dataclass(frozen=True)
class DateBound:
    """The date a source is published no later than (ISO), and the office whose holder it quotes when that
    holder's term gives the bound ("" when a listing under the article does)."""

    date: str
    office: str = ""


def published_bound(source: object) -> DateBound | None:
    """The date a source is known to be published no later than, when its article gives no date of its own
    (citations.csv date_note "listing" or "office_term", e.g. ANTARA Sulut's Minahasa article, which quotes
    Bupati Royke Roring: no later than 2023-09-24, the end of his term): a figure it reports as "now" (saat ini)
    then has no stated year, and a year given to it is an assumption (reader 11, M2; reader 15, R15-1). None
    when every part of the source is dated or not a cited article."""
    from ucj.data.published import BOUNDED_DATE_NOTES

    for part in split_sources(str(source or "")):
        bounded = [r for r in _citation_rows(part.strip())
                   if r.get("date_note") in BOUNDED_DATE_NOTES and r["date"] != ""]
        if bounded:
            r = bounded[0]
            return DateBound(str(r["date"]), str(r.get("office") or "") if r["date_note"] == "office_term" else "")
    return None


def national_citations(lang: Lang) -> dict[str, str]:
    """Each national figure's publication as a reader cites it (data/published/national_figures.csv, cited through
    citations.csv), by the figure's key: the catalogue's budget source sentences cite the figures by these keys.
    A figure with no recorded publication says so."""
    return dict(_national_citations(lang))


@functools.cache
def _national_citations(lang: Lang) -> tuple[tuple[str, str], ...]:
    figures = _published("national_figures")
    return tuple((str(r.figure), cite(r.source_article, lang) if r.source_article
                  else t("citation_publication_not_recorded", lang)) for r in figures.itertuples())


def assumption_source(name: str, lang: Lang) -> str:
    """A budget assumption's source sentence (catalogue key source.<name>), its national figures each cited
    with outlet or publisher, title and date (citef2; issue 18: no uncitable source)."""
    if f"source.{name}" not in LABELS:
        return t(f"source.{name}", lang)
    return tf(f"source.{name}", lang, **national_citations(lang))


def sources_cell(sources: list[object], lang: Lang) -> str:
    """A table's sources in one cell, each cited once: the cited parts of all its source texts, "; "-joined
    without repeats (the demo's real and partly synthetic poverty rows name the same BPS tables)."""
    parts = list(dict.fromkeys(p.strip() for s in sources for p in source_text(str(s), lang).split("; ") if p.strip()))
    # a source named alone and again with its columns ("data demo sintetis (ucj demo)" and "...: penduduk
    # bekerja, ...") is cited once, with its columns (reader 5, F8)
    return "; ".join(p for p in parts if not any(q.startswith(p + ": ") for q in parts))


def _span(years: list[int]) -> str:
    lo, hi = min(years), max(years)
    return str(lo) if lo == hi else f"{lo}–{hi}"


def poverty_sources_cell(poverty: pd.DataFrame, lang: Lang) -> str | None:
    """The demo poverty table's sources in one cell, each BPS table once with the years it gives (its vintage),
    then the made-up columns with their years: "BPS, Persentase Penduduk Miskin (P0) ..., 2019–2025; ...;
    data demo sintetis (ucj demo): P1 (2019–2023), ...". None when a source is not a demo poverty row (an
    imported table is cited as it names itself)."""
    from ucj.data.dataset import years_by_origin

    if not _cited_by_years(poverty):
        return None
    return _poverty_cell(years_by_origin(poverty, POVERTY_CELL_COLUMNS), lang)


# the columns the poverty table's one sources cell names (`poverty_sources_cell`)
POVERTY_CELL_COLUMNS = ("p0", "poor_population", "p1", "p2", "poverty_line_rp", "extreme_poverty_pct")


def _cited_by_years(poverty: pd.DataFrame) -> bool:
    """Whether a poverty table is cited by its sources' years (every source a demo poverty row's "BPS ... (...)")."""
    if poverty.empty or "source" not in poverty.columns:
        return False
    return all(re.match(r"BPS [^()]*\(", str(k)) for k in poverty["source"].unique())


def _poverty_cell(origin: dict[str, dict[bool, list[int]]], lang: Lang) -> str:
    """`poverty_sources_cell` from the table's `years_by_origin` (of at least POVERTY_CELL_COLUMNS)."""
    from ucj.data.dataset import MIXED_LABELS

    real: dict[str, set[int]] = {}
    made_up: dict[str, set[int]] = {}
    for col in POVERTY_CELL_COLUMNS:
        for synthetic, ys in origin[col].items():
            (made_up if synthetic else real).setdefault(MIXED_LABELS[col], set()).update(ys)
    parts = [f"{BPS_TITLES.get(k, t(k, lang))}, {_span(sorted(v))}" for k, v in real.items()]
    cell = "BPS, " + "; ".join(parts) if parts else ""
    if made_up:
        cell += ("; " if cell else "") + t(SYNTHETIC_LABEL, lang) + ": " + ", ".join(
            f"{t(k, lang)} ({_span(sorted(v))})" for k, v in made_up.items())
    return cell


POVERTY_VALUE_COLUMNS = ("p0", "p1", "p2", "poor_population", "poverty_line_rp", "extreme_poverty_pct",
                         "extreme_poverty_basis")


def poverty_column_sources(poverty: pd.DataFrame, lang: Lang) -> dict[str, dict[str, int]] | None:
    """Per column of the demo poverty table, where its filled cells come from, each origin once with its years
    (the years `poverty_sources_cell` gives the page) and how many cells it fills: {"p1": {"BPS, Indeks
    Kedalaman Kemiskinan (P1) ..., 2024–2025": 1028, "data demo sintetis (ucj demo), 2019–2023": 2570}}. For
    key_figures.json's per-column map (reader 7, F4): a column is never named both real and made up for the
    same years. None when `poverty_sources_cell` is None (an imported table is cited as it names itself)."""
    return poverty_sources(poverty, lang)[1]


def poverty_sources(poverty: pd.DataFrame, lang: Lang) -> tuple[str | None, dict[str, dict[str, int]] | None]:
    """(`poverty_sources_cell`, `poverty_column_sources`) of one poverty table, the years of its cells' origins
    worked out once for both (a district report shows both: about 20 ms of its CPU when each was worked out on
    its own, three times)."""
    from ucj.data.dataset import cells_by_origin, years_by_origin

    if not _cited_by_years(poverty):
        return None, None
    cols = tuple(c for c in POVERTY_VALUE_COLUMNS if c in poverty.columns)
    origin = years_by_origin(poverty, tuple(dict.fromkeys(POVERTY_CELL_COLUMNS + cols)))
    return _poverty_cell(origin, lang), _poverty_columns(origin, cells_by_origin(poverty, cols), cols, lang)


def _poverty_columns(origin: dict[str, dict[bool, list[int]]], counts: dict[str, dict[bool, int]],
                     cols: tuple[str, ...], lang: Lang) -> dict[str, dict[str, int]]:
    """`poverty_column_sources` from the table's `years_by_origin` and `cells_by_origin` of its columns `cols`."""
    from ucj.data.dataset import MIXED_LABELS

    out: dict[str, dict[str, int]] = {}
    for col in cols:
        label = MIXED_LABELS[col]
        cited: dict[str, int] = {}
        for synthetic, years in origin[col].items():
            n = counts[col].get(synthetic, 0)
            if not n or not years:
                continue
            name = t(SYNTHETIC_LABEL, lang) if synthetic else f"BPS, {BPS_TITLES.get(label, t(label, lang))}"
            cited[f"{name}, {_span(years)}"] = n
        out[col] = cited
    return out


def imported_title(part: str) -> str:
    """The title of an imported BPS table's source ("BPS table: <title> (<file name>)"), without the file
    name it was read from (the file is the importer's, not the reader's; its name may hold brackets)."""
    text = part.removeprefix("BPS table: ").strip()
    if re.search(r"\.(csv|xlsx?|json)\)$", text):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                return text[:i].strip()
    return text


def _words(text: str, lang: Lang) -> str:
    items = [x.strip() for x in text.split(",")]
    return ", ".join(t(x, lang) if x in LABELS else x for x in items)


def cite_bps_once(source: object, lang: Lang) -> str:
    """`cite`, with BPS named once before the titles of BPS tables cited one after another: "BPS, Persentase ...
    (P0) ... (Persen); Indeks Kedalaman ... (P1) ...; Jumlah ..." rather than "BPS, ...; BPS, ...; BPS, ..." (a row
    of the demo merged with imported BPS files cites each file and the demo's table; reader 17, R17-6)."""
    from ucj.data.dataset import BPS_COLUMNS_PART

    out: list[str] = []
    after_bps = False
    for part in split_sources(str(source or "")):
        part = part.strip()
        text = _cite_part_once(part, lang, None, None)
        bps = part.startswith("BPS table: ") or BPS_COLUMNS_PART.fullmatch(part) is not None
        if text:
            out.append(text.removeprefix("BPS, ") if bps and after_bps and text.startswith("BPS, ") else text)
            after_bps = bps and (after_bps or text.startswith("BPS, "))
    return "; ".join(dict.fromkeys(out))


def source_text(value: str, lang: Lang, year: object = None) -> str:
    """A data source in the reader's language, as a reader cites it (see `cite`): "BPS P0, poor (ref);
    synthetic-demo: P1, P2" -> "BPS, Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota; Jumlah
    Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota; data demo sintetis (ucj demo): P1, P2"."""
    return cite(value, lang, year)


def _translate(col: str, value: object, lang: Lang, table: str) -> object:
    if not isinstance(value, str):
        return value
    # a "data as of" that starts with its months is worded already (e.g. the APBD claims' window, `with_apbd_window`)
    if col == "reason" or (col == "data_as_of" and not DATE_LIKE.match(value)):
        return reason_text(value, lang)
    if table == "assumptions" and col == "source":
        return assumption_source(value, lang)
    if table == "provenance" and col == "table":
        return t(f"table.{value}", lang)
    if col == "end_month_source":  # an agreement end's month as its source reports it; else the data's alone
        return source_text(value, lang) if value else t("end_month_from_data", lang)
    if col in ("source", "plan_source", "target_source") and table != "provenance":
        return source_text(value, lang)
    if col in TRANSLATED and value in LABELS:
        return t(value, lang)
    return value


def _translated(series: pd.Series, translate: Callable[[object], object]) -> pd.Series | None:
    """`series.map(translate)`, or None where that is the column as it stands (nothing to set).

    Two dtypes take a shorter path than pandas' `map`, whose result they equal (tests/presentation/
    test_tablesp_shown.py checks it against `map` on every table of reports and on imported data): numpy's bool
    (`_translate` hands back every value that is not text as it is, and `map` of such a column is the column), and
    pandas' text dtype with NaN for a missing value (the default `str`): each value translated as `map` would
    translate it, None when each comes back as it was (the same object), else the texts in the column's dtype, as
    `map` gives them when every result is text or NaN and one at least is text. Any other dtype (object, categorical,
    the text dtype with pd.NA), a result that is neither text nor NaN, or rows all missing (`map` makes them float64):
    pandas' `map`."""
    dtype = series.dtype
    if dtype == np.dtype(bool):
        return None
    if not (isinstance(dtype, pd.StringDtype) and dtype.na_value is np.nan):
        return series.map(translate)
    values = series.tolist()
    cells = [translate(v) for v in values]
    if not all(type(c) is str or (type(c) is float and c != c) for c in cells) or (
            cells and not any(type(c) is str for c in cells)):
        return series.map(translate)  # `map` of a column of missing values alone infers float64
    if all(a is b for a, b in zip(values, cells)):
        return None
    return pd.Series(cells, index=series.index, dtype=dtype, name=series.name)


def shown(table: str, df: pd.DataFrame, lang: Lang) -> Shown:
    """Name and classify a table's cells for display (nothing is computed)."""
    named = scenario_labels(df, lang) if table == "budget" else df  # rows named: page, Excel, planner
    # the columns shown by the number's format instead left out at once (one drop, which copies, for a copy and a
    # drop a column); the kinds and texts of the others take nothing from them (the rows' units and rounding come
    # from `df`)
    hidden = [col for col in HIDDEN.get(table, ()) if col in named.columns]
    out = named.drop(columns=hidden) if hidden else named.copy()
    if table == "assumptions" and "source" in out.columns:
        # each assumption's source is a catalogue sentence: the row's own (source.<assumption>), or the one its source
        # cell names (source.<x>: the used rates' synthetic variant; reader 14, R14-1)
        out["source"] = [s if f"source.{s}" in LABELS else a for a, s in zip(out["assumption"], out["source"])]
    kinds: dict[str, list[str]] = {}
    unit_col, mixed = ROW_UNITS.get(table, (None, ()))
    units = list(df[unit_col]) if unit_col is not None and unit_col in df.columns else None  # read once
    translated: dict[object, pd.Series] = {}
    for col, series in out.items():  # each column read once (not out[col] two or three times a column)
        if col in mixed and units is not None:
            kinds[col] = [_row_kind(table, k, str(col)) for k in units]
            continue
        kind = column_kind(str(col), series)
        if col == "percentile":
            kind = "num"
        kinds[col] = [kind] * len(out)
        if kind in ("text", "bool"):
            cells = _translated(series, lambda v, c=col: _translate(str(c), v, lang, table))
            if cells is not None:
                translated[col] = cells
    for col, cells in translated.items():
        out[col] = cells
    if table in AS_PUBLISHED and "rounding" in df.columns and "unit" in df.columns:
        published, computed = AS_PUBLISHED[table]
        rounding = list(df["rounding"])
        for col in published + computed:
            if col in kinds:
                kinds[col] = [_published_kind(k, r, col in published, two=table == "seed_facts")
                              for k, r in zip(kinds[col], rounding)]
        if "rounding" in kinds:  # the article's rounding unit as written: 1, 10 000, 0.01 (not 1.00, 10,000.00)
            kinds["rounding"] = ["count" if pd.notna(r) and float(r) >= 1 else k
                                 for k, r in zip(kinds["rounding"], rounding)]
    if table == "seed_facts" and "data_basis" in df.columns and "difference" in out.columns:
        # one rule for the page and the workbook (reader 5, F3): a computed side that is synthetic or the
        # article's own figure is not compared, so its difference cell gives the reason, never a number
        why = [not_compared_text(b, lang) for b in df["data_basis"]]
        out["difference"] = pd.Series([w or v for w, v in zip(why, out["difference"])], index=out.index, dtype=object)
        kinds["difference"] = ["text" if w else k for w, k in zip(why, kinds["difference"])]
    if table == "poverty" and "source" in out.columns:  # BPS named once before its tables (R17-6)
        out["source"] = [cite_bps_once(v, lang) if isinstance(v, str) else o
                         for v, o in zip(df["source"], out["source"])]
    headers = [t(str(c), lang) for c in out.columns]
    return Shown(out, kinds, headers)


# the monthly projection's columns that are shares of the coverage denominator (percent), not counts of people
SHARE_COLUMNS = ("mean", "lower", "upper", "organic_mean", "organic_lower", "organic_upper", "funded_pct")


def share_headers(s: Shown, denominator: str, lang: Lang) -> Shown:
    """The projection table with each share column's header naming its denominator, "Dibiayai anggaran, jadwal
    (% dari penduduk bekerja)", so a share is never read as a count of workers (reader 12, L3); HTML and Excel
    alike (the district's and an overview's projection)."""
    den = t(denominator, lang)
    headers = [tf("share_of_header", lang, column=h, denominator=den) if c in SHARE_COLUMNS else h
               for c, h in zip(s.values.columns, s.headers)]
    return Shown(s.values, s.kinds, headers)


def _published_kind(kind: str, rounding: object, published: bool, two: bool = True) -> str:
    """A percentage's kind by the article's rounding unit: whole percent ("76 persen") -> no decimals (the
    published number only), 0.01 ("6,87") -> two decimals (both numbers; with `two` only: a target such as
    "99,50 persen" keeps the one decimal the page's summary and sentences give it), else the page's one. A published
    change in whole points ("turun 2 %") likewise keeps no decimals ("-2 pp", not "-2.0 pp": reader 16, R16-11)."""
    try:
        r = float(rounding)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return kind
    if kind == "pp" and r >= 1 and published:
        return "pp0"
    if kind != "pct" or r != r:
        return kind
    if r >= 1 and published:
        return "pct0"
    return "pct2" if r < 0.1 and two else kind


# the budget's scenario rows ("those already funded plus additional workers") told apart in words
SCENARIO_CODE = "scenario"
SCENARIO_STEPS = ("scenario_step_smaller", "scenario_step_larger")


def scenario_labels(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The budget scenarios with each programme row labelled in words that tell it apart (reader's finding
    15): with two rows, the smaller and the larger addition, each with the workers it adds and for how long;
    with more, each numbered; a single row keeps the catalogue's label. Rows with another label (the workers
    needed for the target) keep theirs."""
    if "label" not in table.columns or list(table["label"]).count(SCENARIO_CODE) < 2:
        return table  # one programme row needs no name of its own
    out = table.copy()
    rows = out.index[out["label"] == SCENARIO_CODE]
    order = out.loc[rows, "additional_workers"].rank(method="first").astype(int)
    for i in rows:
        key = SCENARIO_STEPS[order[i] - 1] if len(rows) == len(SCENARIO_STEPS) else "scenario_step_n"
        out.at[i, "label"] = tf(key, lang, n=int(order[i]), additional=fmt_kind(out.at[i, "additional_workers"],
                                                                                  "count", lang),
                                funded=fmt_kind(out.at[i, "already_funded"], "count", lang),
                                months=int(out.at[i, "months"]))
    return out


def same_source_as_above(out: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """A page table (localised) whose source column repeats one citation row after row: the second and later rows
    point to the first row that gives it in full, by that row's quantity (reader 17, R17-11: Minahasa's ~60-word
    ANTARA citation printed in 8 of 10 rows pushed the table off its printed page). The workbook keeps every row's
    citation whole: a spreadsheet row is read, filtered and copied on its own."""
    source, quantity = t("citation", lang), t("quantity", lang)
    if source not in out.columns or quantity not in out.columns:
        return out
    first: dict[str, str] = {}
    cells = []
    for cited, name in zip(out[source], out[quantity]):
        text = str(cited)
        if text in first and len(text) > len(tf("same_source_as_row", lang, quantity=first[text])):
            cells.append(tf("same_source_as_row", lang, quantity=first[text]))
        else:
            first.setdefault(text, str(name))
            cells.append(cited)
    return out.assign(**{source: cells})


def text_columns(s: Shown, lang: Lang) -> list[list[str]] | None:
    """Each column of the table as localised text, one formatting rule per kind; None when the value columns'
    names or the headers repeat, or there is not one header a column (as_html_frame then keeps its older path)."""
    names, headers = list(s.values.columns), list(s.headers)
    if not len(headers) == len(names) == len(set(names)) == len(set(headers)):
        return None
    return [[fmt_kind(v, k, lang) for v, k in zip(series, s.kinds[col])] for col, series in s.values.items()]


def as_html_frame(s: Shown, lang: Lang) -> pd.DataFrame:
    """The table as localised text, one formatting rule per kind."""
    texts = text_columns(s, lang) if len(s.values) else None
    if texts is not None:
        # the frame built from {header: texts}: the same frame in a third of the time of building it under the
        # value columns' names and renaming them (docs/speedt.md)
        return pd.DataFrame(dict(zip(s.headers, texts)))
    cols = {}
    for col in s.values.columns:
        kinds = s.kinds[col]
        cols[col] = [fmt_kind(v, k, lang) for v, k in zip(s.values[col], kinds)]
    out = pd.DataFrame(cols, columns=list(s.values.columns))
    out.columns = s.headers
    return out


def html_table(s: Shown, lang: Lang) -> str:
    """`html_frame(as_html_frame(s, lang))`: written from the texts without building the frame, where it can be."""
    texts = text_columns(s, lang) if len(s.values) else None
    page = _texts_table(list(s.headers), list(zip(*texts)), _classes(len(s.headers))) if texts is not None else None
    return page or html_frame(as_html_frame(s, lang))


WIDE_COLUMNS = 14  # a table of this many columns prints a size smaller (page.css `.ucj-wide`) to fit A4


def _classes(columns: int) -> str:
    return "ucj-table ucj-wide" if columns >= WIDE_COLUMNS else "ucj-table"


def html_frame(df: pd.DataFrame) -> str:
    """A table of text (`as_html_frame`) as the page's HTML table; a wide one is marked for print.

    The text is pandas' `to_html(index=False, escape=True, border=0, na_rep="–")`, written by `_texts_table` for
    a table of text (every report table), else by pandas."""
    classes = _classes(len(df.columns))
    return _frame_table(df, classes) or df.to_html(index=False, escape=True, classes=classes, border=0, na_rep="–")


_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})  # to_html(escape=True)'s three


def _html_cell(text: str) -> str:
    """A cell as pandas' HTML writer writes its text: escaped, stripped, a double space kept as two no-break spaces."""
    return text.translate(_HTML_ESCAPES).strip().replace("  ", "&nbsp;&nbsp;")


def _frame_table(df: pd.DataFrame, classes: str) -> str | None:
    """`_texts_table` of a frame (None for a named or multi-level header)."""
    columns = df.columns
    if type(columns) is not pd.Index or columns.name is not None:
        return None
    return _texts_table(list(columns), df.to_numpy(dtype=object).tolist(), classes)


def _texts_table(headers: list[object], rows: list[list[object]] | list[tuple[object, ...]], classes: str) -> str | None:
    """What pandas' `to_html(index=False, escape=True, classes=classes, border=0, na_rep="–")` writes for a frame of
    these headers and rows, for a table whose headers and cells are text without tabs or line breaks (a missing
    cell NaN): every table `as_html_frame` makes. None for anything else (numbers, None, no rows or no columns,
    pandas' display options changed from the defaults this follows), which pandas then writes.

    pandas writes each cell by formatting its column (a value as `str`, tabs and line breaks as escapes, a missing
    one as na_rep, padded to the column's width) and then escaping and stripping it; border=0 writes no border
    attribute. Written here because pandas' writer is most of the cost of a report's tables (about 0.6 ms a table
    against 0.05; docs/speedt.md). Checked against pandas for every table of reports in both languages and for
    generated text (tests/presentation/test_speedt_tables.py)."""
    if (not headers or not rows or pd.get_option("display.html.use_mathjax") is not True
            or pd.get_option("display.colheader_justify") != "right" or not all(type(h) is str for h in headers)):
        return None
    cells = []
    for row in rows:
        for v in row:
            if type(v) is str:
                if "\t" in v or "\n" in v or "\r" in v:
                    return None
            elif not (type(v) is float and v != v):  # NaN: na_rep
                return None
        cells.append("".join(f"      <td>{_html_cell(v) if type(v) is str else '–'}</td>\n" for v in row))
    head = "".join(f"      <th>{_html_cell(h)}</th>\n" for h in headers)  # type: ignore[arg-type]
    return (f'<table class="dataframe {" ".join(classes.split())}">\n  <thead>\n    <tr style="text-align: right;">\n'
            f"{head}    </tr>\n  </thead>\n  <tbody>\n"
            + "".join(f"    <tr>\n{row}    </tr>\n" for row in cells) + "  </tbody>\n</table>")


# what a published fact's computed side rests on when it is not compared with the article (facts.data_basis)
NOT_COMPARED = {"basis_synthetic": "basis_synthetic_difference", "basis_same_source": "basis_same_source_difference"}


def not_compared_text(basis: object, lang: Lang) -> str:
    """Why a published fact is not compared with the data ("" when it is): the one rule the page's and the
    workbook's difference cells and key_figures.json follow."""
    key = NOT_COMPARED.get(str(basis or ""))
    return t(key, lang) if key else ""
