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
from ucj.ingest.bps import KNOWN_VARIABLES, classify_rows, detect_layout, one_province_note
from ucj.ingest.mapped import SOURCE_PLACEHOLDER
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
    # read as bps-table reads: a BPS title merged over the year columns is no column header
    grid = read_grid(path, sheet=sheet, header_rows=0)
    reg = registry or load_registry()
    head = [[_text(c) for c in row] for row in grid.rows[:3]]
    try:
        layout = detect_layout(grid.rows, file)
    except UcjInputError:
        layout = None
    if layout is not None:
        found = _inspect_bps(grid, layout, reg, file, head)
    else:
        # a long table's first line names its columns: merged cells there are refused, as `import mapped` does
        found = _inspect_long(read_grid(path, sheet=sheet, header_rows=1), reg, file, sheet)
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
    regions = classify_rows(grid, layout, reg)
    year = min(y for _, y in layout.year_cols)  # as import_bps_table reads the province rows
    indicator = _variable(layout.title)
    unmatched = []
    matched = 0
    codes = []
    for name, prov in zip(regions.names, regions.provs):
        try:
            codes.append(reg.resolve(name, province=prov, bare_kind=KABUPATEN, year=year))
            matched += 1
        except UcjInputError:
            unmatched.append((name, reg.candidates(name, 3)))
    command = f"ucj import bps-table {Path(file).name!r}" + ("" if indicator else " --indicator NAME")
    notes = [p.rule + (f" (row {p.row}: {p.value!r})" if p.row else "") for p in regions.problems[:5]]
    one = one_province_note(pd.Series(codes, dtype="object"), regions, reg)
    if one:
        notes.append(one)
    if regions.capitals:
        notes.append("every name is in capitals: a province name starts a province unless it is a district of the "
                     "province above it (GORONTALO); any other name is a district")
    twice = len(codes) - len(set(codes))
    if twice:
        notes.append(f"{twice} district(s) listed twice (under an old and a new province): the import keeps each "
                     "year's value from the province the district belonged to then, and says which it dropped")
    return Inspection(file, layout.describe(), [h for h in head if any(h)][: layout.header_lines],
                      [_text(c) for c in grid.rows[layout.header_lines - 1]], indicator, len(regions.names), matched,
                      unmatched, command, None, notes)


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
    numeric = {c for c in columns if (vals := _column_values(df, c)) and all(_is_number(v) for v in vals)}
    province = next((c for c in columns if re.search(r"prov", low[c]) and c not in numeric),
                    next((c for c in columns if re.search(r"prov", low[c]) and not _CODE_COL.search(low[c])), None))
    year = next((c for c in columns if re.fullmatch(r"(tahun|year|thn)", low[c])), None)
    month = next((c for c in columns if re.fullmatch(r"(bulan|month|periode|period)", low[c])), None)
    unit_col = next((c for c in columns if re.fullmatch(r"(satuan|unit|units|unit_of_measure)", low[c])), None)
    ids = {c for c in columns if _ID_COL.search(low[c])}
    wide = [c for c in columns if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*_(19|20)\d\d", c)]
    # the district column: the one whose values resolve best (a code column before a name column)
    best, best_share, scheme = None, 0.0, "name"
    shares: dict[str, float] = {}
    for c in columns:
        if c in (province, year, month, unit_col) or c in wide or c in ids:
            continue
        vals = _column_values(df, c)[:60]
        if not vals or all(_is_number(v) and not re.fullmatch(r"\d{2}\.?\d{2}", v) for v in vals):
            continue
        codes = [v for v in vals if re.fullmatch(r"\d{2}\.?\d{2}", v)]
        if len(codes) == len(vals):
            share = sum(f"{v.replace('.', '')[:2]}.{v.replace('.', '')[2:]}" in reg for v in vals) / len(vals)
            cand_scheme = "kemendagri"
        else:
            share = sum(bool(reg.find(v, bare_kind=KABUPATEN)) for v in vals) / len(vals)
            cand_scheme = "name"
            shares[c] = share
        if share > best_share:
            best, best_share, scheme = c, share, cand_scheme
    name_col = None
    if scheme != "name" and best is not None:
        # a name column beside the codes: it decides the numbering (Kemendagri or BPS) and checks each code
        name_col = max((c for c in shares if shares[c] >= 0.8), key=lambda c: shares[c], default=None)
        if name_col is not None:
            scheme, agree = _code_scheme(df, best, name_col, reg)
            if not agree:
                name_col = None
    names = matched = 0
    unmatched: list[tuple[str, list[str]]] = []
    if best is not None:
        provs = df[province] if province else None
        pair = df[name_col] if name_col else None
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
                elif scheme == "bps":
                    reg.resolve_bps(name, _text(pair.iloc[i]) if pair is not None else "")
                else:
                    reg.resolve(name, province=prov or None, bare_kind=KABUPATEN)
                matched += 1
            except UcjInputError:
                unmatched.append((name, reg.candidates(name, 3)))
    value_cols = [c for c in columns if c not in (best, name_col, province, year, month, unit_col) and c not in wide
                  and c not in ids and not _CODE_COL.search(low[c])
                  and (vals := _column_values(df, c)) and sum(_is_number(v, ",") or _is_number(v) for v in vals)
                  >= 0.9 * len(vals)]
    decimal = "," if any(re.fullmatch(r"-?\d+,\d{1,2}", v) for c in value_cols for v in _column_values(df, c)) \
        else "."
    units = sorted({_text(v) for v in df[unit_col].tolist() if _text(v)}) if unit_col else []
    unit, unit_scale = _unit_of(units[0]) if len(units) == 1 else ("", 1.0)
    fields = {c: _field_for(c) for c in value_cols}
    if unit_col and len(value_cols) >= 1:  # an open-data table: a column named after what it measures
        fields = {c: f or _slug(c) for c, f in fields.items()}
    table = _table_for([f for f in fields.values() if f], month is not None) or (
        "indicators" if unit_col and value_cols else None)
    template = _template_for(columns)
    indicator = next((f for f in fields.values() if f), None)
    if wide:
        indicator = ", ".join(dict.fromkeys(w.split("_")[0].lower() for w in wide))
    draft: dict[str, object] = {"table": table or TODO, "district": best or TODO}
    numbering_unknown = False
    if scheme == "kemendagri" and name_col is None and best is not None:
        # codes without a dot and no names beside them: where the two numberings read a code as two districts,
        # nothing in the file says which; the user says it in the draft ("?" until then)
        numbering_unknown = any(reg.numbering_conflict(v) for v in _column_values(df, best)[:SAMPLE_ROWS])
        if numbering_unknown:
            scheme = TODO
    if scheme != "name":
        draft["code_scheme"] = scheme
        if name_col:
            draft["district_name"] = name_col
    elif province:
        draft["province"] = province
    if grid.file.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) and sheet is not None:
        draft["sheet"] = sheet
    scale = {fields[c]: 1000 for c in value_cols if fields[c] and re.search(r"\(000\)|ribu|thousand", c.lower())}
    if unit_scale != 1 and not scale and table == "poverty":
        scale = {fields[c]: unit_scale for c in value_cols if fields[c] == "poor_population"}
    notes = []
    as_indicator = not wide and table == "indicators"
    if as_indicator:  # one indicator per mapping: its value column, its name and unit as fixed values
        chosen = value_cols[0]
        var = next((v for _, v in KNOWN_VARIABLES if v.column == fields[chosen]), None)
        draft["fixed"] = {"indicator": fields[chosen], "unit": unit or (var.unit if var else "")}
        scale = {"value": unit_scale} if unit_scale != 1 else {}
        indicator = fields[chosen]
        if len(value_cols) > 1:
            notes.append(f"one indicator per mapping: this draft imports '{chosen}'; copy it for "
                         f"{', '.join(repr(c) for c in value_cols[1:])} (columns and fixed.indicator)")
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
        # no period column: a cross-section; the year comes from --year (or "year": 2021 in the mapping)
        draft["columns"] = ({value_cols[0]: "value"} if as_indicator else {c: fields[c] or TODO for c in value_cols})
        period = f"month column '{month}'" if month else f"year column '{year}'" if year else "no period column"
        layout = f"long table: one row per district{' and period' if month or year else ''} ({period})"
        if unit_col:
            layout += f", unit column '{unit_col}' ({', '.join(units[:3]) or 'empty'})"
    draft["decimal"] = decimal
    if scheme == "name":
        draft["bare_kind"] = KABUPATEN
    draft["source"] = f"{Path(file).name} {SOURCE_PLACEHOLDER}"
    if template:
        return Inspection(file, f"the project's {template} template", header, columns, "(a template)", names, matched,
                          unmatched, f"ucj import template {Path(file).name!r} --kind {template}", None, [])
    if scale:
        notes.append(f"columns in thousands are scaled by 1000: {', '.join(scale)}")
    if len(units) > 1:
        notes.append(f"the unit column '{unit_col}' holds more than one unit ({', '.join(units[:4])}): import each "
                     "unit with its own mapping")
    if scheme == "name":
        notes.append("bare names are read as kabupaten and 'Kota X' as cities (bare_kind: Kabupaten); drop it "
                     "if the file writes 'Kabupaten X'")
    if not year and not month and not wide:
        notes.append("no year column: give the year in the mapping (\"year\": 2021) or with --year")
    if numbering_unknown:
        notes.append(f"the codes in '{best}' are written without a dot and mean other districts in Kemendagri and "
                     "BPS numbering (BPS 7501 is Boalemo, Kemendagri 75.01 Gorontalo), and no name column says "
                     "which: set code_scheme to kemendagri or bps")
    if TODO in str(draft):
        notes.append(f"fill in every '{TODO}' in the draft before importing")
    command = f"ucj import mapped {Path(file).name!r} --mapping <the draft>" + (
        " --year YYYY" if not year and not month and not wide else "")
    return Inspection(file, layout, header, columns, indicator, names, matched, unmatched, command, draft, notes)


_ID_COL = re.compile(r"^(id|no|nomor|urut|row_?id|objectid|fid)$|^id_|_id$")
_CODE_COL = re.compile(r"^(kode|kd|code)_|_(kode|code|kd)$|^(kode|code)$")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug if slug and slug[0].isalpha() else f"v_{slug}"


def _unit_of(text: str) -> tuple[str, float]:
    """An open-data `satuan` value -> (unit, scale): PERSEN -> ('%', 1); RIBU JIWA -> ('persons', 1000)."""
    low = text.strip().lower()
    scale = 1000.0 if re.search(r"\bribu\b|thousand", low) else 1.0
    if re.search(r"persen|percent|%", low):
        return "%", 1.0
    if re.search(r"jiwa|orang|people|person|penduduk", low):
        return "persons", scale
    if re.search(r"rupiah|\brp\b", low):
        return "Rp", scale
    return low, scale


def _code_scheme(df: pd.DataFrame, code_col: str, name_col: str, reg: Registry) -> tuple[str, bool]:
    """Which numbering a code column follows, decided by the names beside it: ('kemendagri' or 'bps',
    whether every sampled pair agrees)."""
    pairs = [(_text(c), _text(n)) for c, n in zip(df[code_col].head(SAMPLE_ROWS), df[name_col].head(SAMPLE_ROWS))
             if _text(c) and _text(n)]
    kem = bps = 0
    for code, name in pairs:
        digits = code.replace(".", "")
        if f"{digits[:2]}.{digits[2:]}" in reg.find(name):
            kem += 1
        try:
            reg.resolve_bps(digits, name)
            bps += 1
        except UcjInputError:
            pass
    scheme = "bps" if bps > kem else "kemendagri"
    return scheme, bool(pairs) and max(kem, bps) == len(pairs)


def _field_for(column: str) -> str | None:
    """The table column a file's column name suggests: a schema name, or an indicator in its words."""
    low = column.strip().lower().replace("_", " ")
    if low.replace(" ", "_") in {c.name for doc in TABLES.values() for c in doc.columns}:
        low = low.replace(" ", "_")
    for doc in TABLES.values():
        if low in {c.name for c in doc.columns} and low not in ("district_code", "source", "year", "month"):
            return low
    if re.search(r"persen|percent|%", low) and re.search(r"miskin|poor", low):
        return "p0"
    if re.search(r"jumlah.*miskin|poor.*(pop|number)", low):
        return "poor_population"
    return _variable(low)


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
