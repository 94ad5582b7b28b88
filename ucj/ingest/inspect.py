"""`ucj import inspect FILE`: what a file looks like to the importers, and a draft mapping for it.

It reads the file as the importers do and reports the layout, the header lines and columns, the
indicator it guesses, how many district names it can match (and suggestions for the rest), and
which import command fits. For a table that needs a mapping it drafts one to edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ucj.core.errors import UcjInputError
from ucj.core.numbers import NumberFormatError, parse_number
from ucj.data.registry import KABUPATEN, Registry, load_registry
from ucj.data.schema import TABLES
from ucj.ingest.bps import KNOWN_VARIABLES, detect_layout, region_rows
from ucj.ingest.reader import read_grid

SAMPLE_ROWS = 300
TODO = "?"  # what the draft leaves for the user to fill in


@dataclass
class Inspection:
    """What the importers see in a file."""

    file: str
    layout: str
    header: list[list[str]]
    columns: list[str]
    indicator: str | None
    names: int = 0
    matched: int = 0
    unmatched: list[tuple[str, list[str]]] = field(default_factory=list)
    command: str = ""
    draft: dict[str, object] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def share_matched(self) -> float:
        return self.matched / self.names if self.names else 0.0

    def render(self, limit: int = 15) -> str:
        lines = [f"file: {Path(self.file).name}", f"layout: {self.layout}", "header lines:"]
        lines += [f"  {i + 1}: " + " | ".join(h) for i, h in enumerate(self.header)]
        lines.append("columns: " + ", ".join(c or "(blank)" for c in self.columns))
        lines.append(f"indicator: {self.indicator or 'not recognised (name it with --indicator or in the mapping)'}")
        if self.names:
            lines.append(f"district names matched: {self.matched} of {self.names} ({100 * self.share_matched:.1f} %)")
        for name, near in self.unmatched[:limit]:
            lines.append(f"  unmatched: {name!r}; closest: {'; '.join(near)}")
        if len(self.unmatched) > limit:
            lines.append(f"  ... and {len(self.unmatched) - limit} more unmatched")
        lines += [f"note: {n}" for n in self.notes]
        lines.append(f"import with: {self.command}")
        return "\n".join(lines)


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _variable(text: str) -> str | None:
    low = text.lower()
    return next((var.column for pattern, var in KNOWN_VARIABLES if re.search(pattern, low)), None)


def inspect_file(path: str | Path, sheet: str | int | None = None, registry: Registry | None = None) -> Inspection:
    """Look at a CSV/XLSX file the way the importers would; never writes anything."""
    file = str(path)
    grid = read_grid(path, sheet=sheet, header_rows=1)
    reg = registry or load_registry()
    head = [[_text(c) for c in row] for row in grid.rows[:3]]
    try:
        layout = detect_layout(grid.rows, file)
    except UcjInputError:
        layout = None
    found = _inspect_bps(grid, layout, reg, file, head) if layout is not None else _inspect_long(grid, reg, file, sheet)
    return _with_read_notes(found, grid.read_as())


def _with_read_notes(found: Inspection, read: dict[str, object]) -> Inspection:
    """Say which sheet was read (and the hidden ones passed over) and a text encoding other than UTF-8."""
    notes = []
    if "sheet" in read:
        hidden = read.get("hidden_sheets_skipped")
        notes.append(f"read sheet '{read['sheet']}'" + (f" (the first visible one; hidden sheets passed over: "
                                                         f"{', '.join(str(h) for h in hidden)})"
                                                         if isinstance(hidden, list) and hidden else ""))
    if "encoding" in read and not str(read["encoding"]).startswith("utf-8"):
        notes.append(f"read as {read['encoding']}")
    found.notes = notes + found.notes
    return found


def _inspect_bps(grid, layout, reg: Registry, file: str, head: list[list[str]]) -> Inspection:  # type: ignore[no-untyped-def]
    names, provs, _, _, problems = region_rows(grid, layout, reg)
    year = max(y for _, y in layout.year_cols)
    indicator = _variable(layout.title)
    unmatched = []
    matched = 0
    for name, prov in zip(names, provs):
        try:
            reg.resolve(name, province=prov, bare_kind=KABUPATEN, year=year)
            matched += 1
        except UcjInputError:
            unmatched.append((name, reg.candidates(name, 3)))
    command = f"ucj import bps-table {Path(file).name!r}" + ("" if indicator else " --indicator NAME")
    notes = [p.rule + (f" (row {p.row}: {p.value!r})" if p.row else "") for p in problems[:5]]
    return Inspection(file, layout.describe(), [h for h in head if any(h)][: layout.header_lines],
                      [_text(c) for c in grid.rows[layout.header_lines - 1]], indicator, len(names), matched, unmatched,
                      command, None, notes)


def _column_values(df: pd.DataFrame, col: str) -> list[str]:
    return [_text(v) for v in df[col].head(SAMPLE_ROWS).tolist() if _text(v)]


def _is_number(text: str, decimal: str = ".") -> bool:
    try:
        parse_number(text, decimal)  # type: ignore[arg-type]
        return True
    except NumberFormatError:
        return False


def _inspect_long(grid, reg: Registry, file: str, sheet: str | int | None) -> Inspection:  # type: ignore[no-untyped-def]
    bad_header = grid.header_problems(0)
    if bad_header:
        raise UcjInputError(bad_header)
    df = grid.frame(0)
    df = df[[c for c in df.columns if c]]  # blank header cells over empty columns: nothing to read
    columns = [str(c) for c in df.columns]
    header = [[_text(c) for c in grid.rows[0]]]
    low = {c: c.lower() for c in columns}
    province = next((c for c in columns if re.search(r"prov", low[c])), None)
    year = next((c for c in columns if re.fullmatch(r"(tahun|year|thn)", low[c])), None)
    month = next((c for c in columns if re.fullmatch(r"(bulan|month|periode|period)", low[c])), None)
    wide = [c for c in columns if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*_(19|20)\d\d", c)]
    # the district column: the one whose values resolve best
    best, best_share, scheme = None, 0.0, "name"
    for c in columns:
        if c in (province, year, month) or c in wide:
            continue
        vals = _column_values(df, c)[:60]
        if not vals or all(_is_number(v) and not re.fullmatch(r"\d{4}", v) for v in vals):
            continue
        codes = [v for v in vals if re.fullmatch(r"\d{2}\.?\d{2}", v)]
        if len(codes) == len(vals):
            share = sum(f"{v.replace('.', '')[:2]}.{v.replace('.', '')[2:]}" in reg for v in vals) / len(vals)
            cand_scheme = "kemendagri"
        else:
            share = sum(bool(reg.find(v, bare_kind=KABUPATEN)) for v in vals) / len(vals)
            cand_scheme = "name"
        if share > best_share:
            best, best_share, scheme = c, share, cand_scheme
    names = matched = 0
    unmatched: list[tuple[str, list[str]]] = []
    if best is not None:
        provs = df[province] if province else None
        seen = set()
        for i, v in enumerate(df[best].tolist()):
            name = _text(v)
            prov = _text(provs.iloc[i]) if provs is not None else None
            if not name or (name, prov) in seen:
                continue
            seen.add((name, prov))
            names += 1
            try:
                if scheme == "kemendagri":
                    code = name.replace(".", "")
                    if f"{code[:2]}.{code[2:]}" not in reg:
                        raise UcjInputError.one("unknown code")
                else:
                    reg.resolve(name, province=prov or None, bare_kind=KABUPATEN)
                matched += 1
            except UcjInputError:
                unmatched.append((name, reg.candidates(name, 3)))
    value_cols = [c for c in columns if c not in (best, province, year, month) and c not in wide
                  and (vals := _column_values(df, c)) and sum(_is_number(v, ",") or _is_number(v) for v in vals)
                  >= 0.9 * len(vals)]
    decimal = "," if any(re.fullmatch(r"-?\d+,\d{1,2}", v) for c in value_cols for v in _column_values(df, c)) \
        else "."
    fields = {c: _field_for(c) for c in value_cols}
    table = _table_for([f for f in fields.values() if f], month is not None)
    template = _template_for(columns)
    indicator = next((f for f in fields.values() if f), None)
    if wide:
        indicator = ", ".join(dict.fromkeys(w.split("_")[0].lower() for w in wide))
    draft: dict[str, object] = {"table": table or TODO, "district": best or TODO}
    if scheme != "name":
        draft["code_scheme"] = scheme
    elif province:
        draft["province"] = province
    if grid.file.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) and sheet is not None:
        draft["sheet"] = sheet
    scale = {fields[c]: 1000 for c in value_cols if fields[c] and re.search(r"\(000\)|ribu|thousand", c.lower())}
    if scale:
        draft["scale"] = scale
    if wide:
        draft["wide"] = r"(?P<indicator>[A-Za-z]+)_(?P<year>\d{4})"
        draft["columns"] = {w.split("_")[0].lower(): w.split("_")[0].lower() for w in wide}
        draft["table"] = "indicators"
        layout = f"wide table: one column per indicator and year ({', '.join(wide[:4])}{', …' if len(wide) > 4 else ''})"
    else:
        if month:
            draft["month"] = month
        elif year:
            draft["year"] = year
        else:
            draft["year"] = TODO  # a cross-section: a constant year, e.g. 2021
        draft["columns"] = {c: fields[c] or TODO for c in value_cols}
        period = f"month column '{month}'" if month else f"year column '{year}'" if year else "no period column"
        layout = f"long table: one row per district{' and period' if month or year else ''} ({period})"
    draft["decimal"] = decimal
    if scheme == "name":
        draft["bare_kind"] = KABUPATEN
    draft["source"] = f"{Path(file).name} (say who published it, and when)"
    notes = []
    if template:
        return Inspection(file, f"the project's {template} template", header, columns, "(a template)", names, matched,
                          unmatched, f"ucj import template {Path(file).name!r} --kind {template}", None, [])
    if scale:
        notes.append(f"columns in thousands are scaled by 1000: {', '.join(scale)}")
    if scheme == "name":
        notes.append("bare names are read as kabupaten and 'Kota X' as cities (bare_kind: Kabupaten); drop it "
                     "if the file writes 'Kabupaten X'")
    if not year and not month and not wide:
        notes.append("no year column: give the year in the mapping (\"year\": 2021) or with --year")
    if TODO in str(draft):
        notes.append(f"fill in every '{TODO}' in the draft before importing")
    command = f"ucj import mapped {Path(file).name!r} --mapping <the draft>"
    return Inspection(file, layout, header, columns, indicator, names, matched, unmatched, command, draft, notes)


def _field_for(column: str) -> str | None:
    """The table column a file's column name suggests: a schema name, or an indicator in its words."""
    low = column.strip().lower()
    for doc in TABLES.values():
        if low in {c.name for c in doc.columns} and low not in ("district_code", "source", "year", "month"):
            return low
    if re.search(r"persen|percent|%", low) and re.search(r"miskin|poor", low):
        return "p0"
    if re.search(r"jumlah.*miskin|poor.*(pop|number)", low):
        return "poor_population"
    return _variable(column)


def _table_for(fields: list[str], monthly: bool) -> str | None:
    for name, doc in TABLES.items():
        cols = {c.name for c in doc.columns}
        if fields and all(f in cols for f in fields) and (monthly == ("month" in doc.key)):
            return name
    if any(f in ("tpt", "tpak") for f in fields):
        return "indicators"
    return None


def _template_for(columns: list[str]) -> str | None:
    from ucj.ingest.mapped import TEMPLATE_KINDS, template_columns

    return next((k for k in TEMPLATE_KINDS if [c.strip() for c in columns] == template_columns(k)), None)
