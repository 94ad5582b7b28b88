"""Importers for BPS files: dynamic-table CSV/XLSX exports and WebAPI JSON responses.

A known poverty variable (P0, P1, P2, number of poor, poverty line) becomes columns of the
`poverty` table; any other variable goes to the long `indicators` table, so nothing a planner
imports is thrown away.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ucj import __version__
from ucj.core.errors import Problem, UcjInputError
from ucj.ingest.common import ImportResult, finish, resolve_column, shipped_mappings
from ucj.ingest.reader import Grid, decode_text, json_depth, read_grid
from ucj.core.numbers import Decimal, NumberFormatError, ambiguous_grouping, parse_number, parse_series
from ucj.data.registry import KABUPATEN, Registry, load_registry, split_kind


@dataclass(frozen=True)
class Variable:
    table: str
    column: str
    scale: float = 1.0
    unit: str = ""


# Recognised by words in the BPS title (lower case), Indonesian or English (bps.go.id/en: "Number of
# Poor Population (Thousand People) by Regency/City"), or by WebAPI variable id.
KNOWN_VARIABLES: list[tuple[str, Variable]] = [
    (r"\(p0\)|persentase penduduk miskin|percentage of (the )?poor (population|people)|poverty (rate|headcount)",
     Variable("poverty", "p0", 1.0, "%")),
    (r"\(p1\)|kedalaman kemiskinan|poverty (depth|gap) index", Variable("poverty", "p1", 1.0, "index")),
    (r"\(p2\)|keparahan kemiskinan|poverty severity index", Variable("poverty", "p2", 1.0, "index")),
    (r"jumlah penduduk miskin.*ribu|number of (the )?poor (population|people).*thousand",
     Variable("poverty", "poor_population", 1000.0, "persons")),
    (r"jumlah penduduk miskin|number of (the )?poor (population|people)",
     Variable("poverty", "poor_population", 1.0, "persons")),
    (r"garis kemiskinan|poverty line", Variable("poverty", "poverty_line_rp", 1.0, "Rp/capita/month")),
    (r"\(tpt\)|pengangguran terbuka|open unemployment", Variable("indicators", "tpt", 1.0, "%")),
    (r"\(tpak\)|partisipasi angkatan kerja|labou?r force participation", Variable("indicators", "tpak", 1.0, "%")),
]
WEBAPI_VARIABLES = {621: "p0", 619: "poor_population_thousand", 624: "poverty_line_rp"}


def variable_for(title: str, indicator: str | None = None) -> Variable:
    """Which column a BPS variable fills: by an explicit indicator name, else by its title."""
    if indicator:
        for _, var in KNOWN_VARIABLES:
            if var.column == indicator:
                return var
        return Variable("indicators", _slug(indicator))
    low = title.lower()
    for pattern, var in KNOWN_VARIABLES:
        if re.search(pattern, low):
            return var
    unit = re.search(r"\(([^()]*)\)\s*$", title)
    return Variable("indicators", _slug(re.sub(r"\(.*?\)", "", title)), 1.0, unit.group(1) if unit else "")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug if slug and slug[0].isalpha() else f"v_{slug}"


def _long_to_table(long: pd.DataFrame, var: Variable, source: str) -> pd.DataFrame:
    """long: district_code, year, value (indexed by file row) -> rows of the target table."""
    if var.table == "indicators":
        out = long.assign(indicator=var.column, unit=var.unit)
    else:
        out = long.rename(columns={"value": var.column})
        out[var.column] = out[var.column] * var.scale
    out["source"] = source
    return out


# A footnote mark after a name, a year or a value: "Nduga*", "2023**)", "Kota Baru¹", "12.5 (1)".
_FOOTNOTE = re.compile(r"(\s*(\*+\)?|\(\d{1,2}\)|\d?\)|[\u00b9\u00b2\u00b3\u2070-\u2079]+|[\u2020\u2021#]+))+$")
_YEAR = re.compile(r"^((?:19|20)\d\d)(?:\.0+)?$")
_NATIONAL = {"indonesia", "nasional", "national", "total", "jumlah"}
_ROW_LABELS = re.compile(r"^(provinsi|kabupaten|kota|wilayah|region|daerah|province|regency|city|municipality)\b",
                         re.IGNORECASE)
MAX_HEADER_LINES = 8


def strip_footnote(text: str) -> str:
    """'Nduga*' -> 'Nduga', '2023**)' -> '2023', 'Kota Baru¹' -> 'Kota Baru'."""
    return _FOOTNOTE.sub("", str(text).strip()).strip()


# A value's footnote mark: stars, superscripts, daggers, or "(1)" after a space. Never a digit or bracket
# glued to the number: "45)" and "(5)" are refused as text, not read as 4 or as empty.
_VALUE_FOOTNOTE = re.compile(r"(\s*(\*+\)?|[\u00b9\u00b2\u00b3\u2070-\u2079]+|[\u2020\u2021#]+)|\s+\(\d{1,2}\))+$")


def strip_value_footnote(text: str) -> str:
    """'12.5*' -> '12.5', '12.5 (1)' -> '12.5', '7.3²' -> '7.3'; '45)' and '(5)' stay as they are."""
    return _VALUE_FOOTNOTE.sub("", str(text).strip()).strip()


def _year_of(cell: object) -> int | None:
    if cell is None:
        return None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return int(cell) if float(cell).is_integer() and 1900 <= cell <= 2100 else None
    m = _YEAR.match(strip_footnote(str(cell)))
    return int(m.group(1)) if m else None


@dataclass
class TableLayout:
    """What a BPS dynamic table looks like: where its header ends, its title and year columns."""

    header_lines: int
    title: str
    year_cols: list[tuple[int, int]]
    row_label: str
    kind: str  # "multi-year", "single-year" or "cross-section"

    def describe(self) -> str:
        years = sorted({y for _, y in self.year_cols})
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "no year")
        return (f"BPS dynamic table, {self.kind} ({span}), {self.header_lines} header line(s), "
                f"title {self.title!r}")


def detect_layout(grid_rows: list[list[object]], file: str, year: int | None = None) -> TableLayout:
    """Find the header of a BPS dynamic-table export, whatever BPS produced.

    Multi-year: a title line, then a line of years. Single-year: the row label, the title, then
    the year. A cross-section with no year line needs `year`. The years are the last header line
    whose cells after the first are all years (footnote marks allowed).
    """
    year_line = None
    for i, row in enumerate(grid_rows[:MAX_HEADER_LINES]):
        cells = [c for c in row[1:] if c is not None]
        if cells and all(_year_of(c) is not None for c in cells):
            year_line = i
            break
    texts = [(i, j, str(c).strip()) for i, row in enumerate(grid_rows[: (year_line if year_line is not None else 3)])
             for j, c in enumerate(row) if c is not None and _year_of(c) is None]
    label = next((t for i, j, t in texts if j == 0), "")
    titled = [t for i, j, t in texts if j > 0] + [t for i, j, t in texts if j == 0 and not _ROW_LABELS.match(t)]
    title = next((t for t in titled if _match_variable(t)), titled[0] if titled else "")
    if year_line is not None:
        cols = [(j, _year_of(c)) for j, c in enumerate(grid_rows[year_line]) if j > 0 and c is not None]
        year_cols = [(j, y) for j, y in cols if y is not None]
        if year is not None:
            year_cols = [(j, y) for j, y in year_cols if y == year]
            if not year_cols:
                raise UcjInputError.one(f"the table has no column for --year {year}", file=file, row=year_line + 1)
        kind = "multi-year" if len(year_cols) > 1 else "single-year"
        return TableLayout(year_line + 1, title, year_cols, label, kind)
    # no line of years: a cross-section (the year from --year), or not a BPS table at all
    first_data = next((i for i, row in enumerate(grid_rows[:MAX_HEADER_LINES])
                       if i > 0 and row and row[0] is not None and any(_is_value(c) for c in row[1:])), None)
    if first_data is None or year is None:
        raise _not_a_bps_table(grid_rows, file, year)
    value_cols = [j for j in range(1, max(len(r) for r in grid_rows)) if any(
        j < len(r) and _is_value(r[j]) for r in grid_rows[first_data:first_data + 20])]
    if len(value_cols) != 1:
        raise UcjInputError.one(f"a table without a year line must have exactly one value column; found "
                                f"{len(value_cols)}", file=file, row=first_data + 1)
    return TableLayout(first_data, title, [(value_cols[0], year)], label, "cross-section")


def _is_value(cell: object) -> bool:
    if cell is None:
        return False
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return True
    try:
        parse_number(strip_footnote(str(cell)), ".")
        return True
    except NumberFormatError:
        return False


def _match_variable(title: str) -> Variable | None:
    low = title.lower()
    return next((var for pattern, var in KNOWN_VARIABLES if re.search(pattern, low)), None)


def _not_a_bps_table(rows: list[list[object]], file: str, year: int | None) -> UcjInputError:
    """The wrong importer: say what the file looks like and what fits it."""
    header = [str(c).strip() for c in rows[0] if c is not None] if rows else []
    low = [h.lower() for h in header]
    has_year = any(re.search(r"tahun|year", h) for h in low)
    if has_year and len(header) >= 3:
        fit = suggest_mapping(header)
        hint = (f"the mapping {fit} fits it: ucj import mapped FILE --mapping {fit}" if fit else
                "write a mapping (ucj import inspect FILE drafts one) and use: ucj import mapped FILE --mapping M")
        return UcjInputError.one(
            f"this is a long table (one row per district and year; columns: {', '.join(header[:8])}), "
            f"not a BPS dynamic table with one column per year; {hint}", file=file, row=1)
    if not has_year and year is None and len(header) >= 2:
        return UcjInputError.one(
            "no line of years in the header (BPS tables put the years on line 2 or 3); for a table of one "
            "year without it, give --year YYYY, or use ucj import mapped", file=file, row=1)
    return UcjInputError.one("not a BPS dynamic table: no line of years and no district rows found; "
                             "ucj import inspect FILE shows what the file looks like", file=file, row=1)


def suggest_mapping(header: list[str]) -> str | None:
    """A shipped mapping (data/mappings) whose columns this header has, if any."""
    names = set(header)
    for path, spec in shipped_mappings():
        wanted = {spec.get("district"), spec.get("year") if isinstance(spec.get("year"), str) else None,
                  *spec.get("columns", {})} - {None}
        if not spec.get("wide") and wanted and wanted <= names:
            return f"data/mappings/{path.name}"
    return None


def decimal_mark(cells: pd.DataFrame, var: Variable | None = None, file: str | None = None) -> Decimal:
    """The decimal mark of a BPS table, decided from every cell of its value columns and the unit.

    '.' as BPS writes (18.87); ',' where Indonesian Excel saved it (18,87). A comma followed by exactly three
    digits ("239,870") reads both ways: another cell decides (18,87 or 1,234,567 or 18.87), else the unit: a
    count of persons (Jiwa) has no decimals, a percentage or an index cannot reach the thousands. Where
    nothing decides, the file is refused, naming the column and a cell: a number is never read as another.
    """
    text = [(str(c), str(v).strip()) for c in cells.columns for v in cells[c] if isinstance(v, str)]

    def some(pattern: str) -> bool:
        return any(re.fullmatch(pattern, t) for _, t in text)
    point = some(r"-?\d+\.(\d{1,2}|\d{4,})") or some(r"-?\d{1,3}(,\d{3})+\.\d+") or some(r"-?\d{1,3}(,\d{3}){2,}")
    comma = some(r"-?\d+,(\d{1,2}|\d{4,})") or some(r"-?\d{1,3}(\.\d{3})+,\d+") or some(r"-?\d{1,3}(\.\d{3}){2,}")
    if point and comma:
        example = next(t for _, t in text if re.search(r"[.,]", t))
        raise UcjInputError.one(f"some values use '.' for decimals and others ',' (e.g. {example!r}); save the file "
                                "with one convention", file=file)
    if point or comma:
        dec: Decimal = "." if point else ","
        cell = ambiguous_grouping([t for _, t in text], dec)
        if cell is not None:
            column = next(c for c, t in text if t == cell)
            other = "," if dec == "." else "."
            raise UcjInputError.one(f"ambiguous number: the values write decimals with '{dec}', and '{other}' in "
                                    f"{cell!r} could group thousands or be a decimal mark typed the other way; no "
                                    f"cell decides (write it without '{other}', or as the other cells)", file=file,
                                    column=column, value=cell)
        return dec
    three = [(c, t) for c, t in text if re.fullmatch(r"-?\d{1,3}[.,]\d{3}", t)]
    if not three:
        return "."
    mark = three[0][1].lstrip("-")[-4]  # the one mark these cells use
    if var is not None and var.unit == "persons" and var.scale == 1.0:
        return "," if mark == "." else "."  # persons (Jiwa) are counted: the mark groups thousands
    if var is not None and var.unit in ("%", "index"):
        return mark  # read as thousands, a percentage or an index would pass 100: the mark is decimal
    column, example = three[0]
    raise UcjInputError.one(f"cannot tell whether '{mark}' groups thousands or marks decimals: every value with it "
                            f"has three digits after it (e.g. {example!r}) and the title gives no unit that decides; "
                            "save the file with '.' for decimals and no thousands separator, or name the unit in "
                            "the title, e.g. (Jiwa) or (Persen)", file=file, column=column)


@dataclass
class Regions:
    """The district rows of a BPS table, with what the other rows said about them."""

    names: list[str]
    provs: list[str | None]  # the province (Kemendagri code) each row is listed under, where the file says
    lines: list[int]
    values: list[list[object]]
    problems: list[Problem]
    totals: list[tuple[int, str, str]] = field(default_factory=list)  # (line, province code, label) of total rows
    capitals: bool = False  # every name in upper case (older BPS tables)
    headers: dict[int, str] = field(default_factory=dict)  # district line -> the province row's label above it


def _as_province(label: str, reg: Registry) -> str | None:
    try:
        return reg.resolve_province(label)
    except UcjInputError:
        return None


def _as_district(label: str, reg: Registry) -> list[str]:
    """The districts a BPS row name can mean: a bare name is a kabupaten (BPS writes cities 'Kota X')."""
    kind, _ = split_kind(label)
    codes = reg.find(label)
    return codes if kind is not None else [c for c in codes if reg.get(c).kind == KABUPATEN]


def classify_rows(grid: Grid, layout: TableLayout, reg: Registry) -> Regions:
    """Sort the rows below the header into province rows, province totals and district rows, by
    position and by the registry.

    Province rows in capitals set the province of the districts below them. In an older table with
    every name in capitals, a name that is a province starts a province unless it is a district of
    the province it sits in (GORONTALO, the kabupaten, under GORONTALO, the province); any other
    name is a district. In ordinary case, a province name that no kabupaten bears ("Jawa Timur")
    is the province total of a provincial office's export; one that a kabupaten bears too
    ("Gorontalo") is the total only as the first or last row with its name written twice.
    """
    file = grid.file
    cand: list[tuple[int, str, list[object]]] = []
    problems: list[Problem] = []
    for r, line in zip(grid.rows[layout.header_lines:], grid.line_numbers[layout.header_lines:]):
        label = None if not r or r[0] is None else strip_footnote(str(r[0]))
        if not label:
            if all(c is None for c in r):
                continue
            problems.append(Problem("region name is empty", file=file, row=line, column="column 1"))
            continue
        if label.lower().startswith(("catatan", "sumber", "keterangan", "note", "source")):
            break
        if label.lower() in _NATIONAL:
            continue
        cand.append((line, label, r))
    lettered = [lab for _, lab, _ in cand if any(ch.isalpha() for ch in lab)]
    capitals = bool(lettered) and all(lab.upper() == lab for lab in lettered)
    out = Regions([], [], [], [], problems, capitals=capitals)
    province: str | None = None
    header_label: str | None = None
    seen = [lab.casefold() for _, lab, _ in cand]
    for pos, (line, label, r) in enumerate(cand):
        upper = label.upper() == label and any(ch.isalpha() for ch in label)
        as_prov = _as_province(label, reg)
        last = pos == len(cand) - 1
        twice = seen.count(label.casefold()) > 1
        if capitals and as_prov is not None:
            districts = _as_district(label, reg)
            if province is not None:  # inside a province: its own district (GORONTALO), else the next province
                if not any(reg.get(c).province_code in reg.provinces_in(province) for c in districts):
                    province, header_label = as_prov, label
                    continue
            elif last and out.names and (not districts or twice):  # a provincial export's total, last
                out.totals.append((line, as_prov, label))
                continue
            elif pos == 0 or not districts:  # the table starts with its province
                province, header_label = as_prov, label
                continue
        elif upper and not capitals:
            try:
                province, header_label = reg.resolve_province(label), label
            except UcjInputError as err:
                problems.append(Problem(err.problems[0].rule, file=file, row=line, column="column 1", value=label))
            continue
        elif as_prov is not None and province is None and not capitals:
            # a provincial office's export: its province total in ordinary case, first or last
            if not _as_district(label, reg) or (pos in (0, len(cand) - 1) and twice):
                out.totals.append((line, as_prov, label))
                continue
        out.names.append(label)
        out.provs.append(province)
        out.lines.append(line)
        if header_label is not None:
            out.headers[line] = header_label
        cells = [r[j] if j < len(r) else None for j, _ in layout.year_cols]
        out.values.append([strip_value_footnote(c) if isinstance(c, str) else c for c in cells])
    totals = {code for _, code, _ in out.totals}
    if len(totals) == 1 and all(p is None for p in out.provs):  # a provincial export: its total names the province
        out.provs = [next(iter(totals))] * len(out.provs)
    return out


def region_rows(grid: Grid, layout: TableLayout, reg: Registry
                ) -> tuple[list[str], list[str | None], list[int], list[list[object]], list[Problem]]:
    """The district rows below the header: names, the province each sits under, file lines, the cells
    of the year columns, and the problems found (unknown province, empty name). See classify_rows."""
    rg = classify_rows(grid, layout, reg)
    return rg.names, rg.provs, rg.lines, rg.values, rg.problems


def one_province_note(codes: pd.Series, regions: Regions, reg: Registry) -> str | None:
    """'the file covers one province, ...' when every district it lists is in one province."""
    found = sorted({str(c) for c in codes.dropna().unique()})
    provinces = {reg.get(c).province_code for c in found}
    if len(provinces) != 1 or len(found) < 2:
        return None
    prov = next(iter(provinces))
    total = next(((line, label) for line, code, label in regions.totals if code == prov), None)
    of = len(reg.in_province(prov))
    text = (f"the file covers one province, {reg.province_name(prov)}: {len(found)} of its {of} districts"
            + (f"; row {total[0]} ({total[1]!r}) is the province total, not imported" if total else ""))
    return text


def drop_relisted(long: pd.DataFrame, regions: Regions, reg: Registry, file: str
                  ) -> tuple[pd.DataFrame, list[str], list[Problem]]:
    """Keep one row per district and year where a table lists a district twice, under its old and
    its new province (Bulungan under KALIMANTAN TIMUR and KALIMANTAN UTARA).

    For each year the filled value is kept; where both are filled, the one listed under the province
    the district belonged to that year (province history) is kept and the other dropped, and a note
    says which and why. A district listed twice under the same province is left to the duplicate check.
    """
    prov_of = dict(zip(regions.lines, regions.provs))
    label_of = dict(zip(regions.lines, regions.names))
    notes: list[str] = []
    problems: list[Problem] = []
    rows = long.reset_index()
    keep = pd.Series(True, index=rows.index)
    coded = rows[rows["district_code"].notna()]
    for code, group in coded.groupby("district_code", sort=True):
        lines = sorted(group["row"].unique())
        provs = [prov_of.get(int(line)) for line in lines]
        if len(lines) < 2 or None in provs or len(set(provs)) < len(provs):
            continue
        kept_years: dict[int, list[int]] = {int(line): [] for line in lines}
        dropped: list[str] = []
        for year, cell in group.groupby("year", sort=True):
            filled = cell[cell["value"].notna()]
            if len(filled) <= 1:
                winner = filled.index[0] if len(filled) else cell.index[0]
            else:
                home = reg.province_in_year(str(code), int(year))
                match = [i for i in filled.index if prov_of.get(int(filled.at[i, "row"])) == home]
                if not match:
                    problems.append(Problem(
                        f"listed under {len(filled)} provinces with a value for {year}, none under the province it "
                        f"belonged to then ({reg.province_name(home)}); keep one row", file=file,
                        row=int(filled.at[filled.index[0], "row"]), column=str(year), value=label_of.get(int(lines[0]))))
                    continue
                winner = match[0]
                others = [i for i in filled.index if i != winner]
                same = all(filled.at[i, "value"] == filled.at[winner, "value"] for i in others)
                win_line = int(filled.at[winner, "row"])
                dropped.append(f"{year} is filled in both: kept row {win_line} ({regions.headers.get(win_line, '?')}, "
                               f"its province in {year}), dropped row "
                               f"{', '.join(str(int(filled.at[i, 'row'])) for i in others)} "
                               f"({'the same value' if same else 'a different value'})")
            kept_years[int(cell.at[winner, "row"])].append(int(year))
            keep[[i for i in cell.index if i != winner]] = False
        name = reg.get(str(code)).full_name
        where = "; ".join(f"row {line} under {regions.headers.get(line, '?')}: "
                          f"{_span(kept_years[line]) or 'no year'}" for line in kept_years)
        notes.append(f"{name} [{code}] is listed {len(lines)} times, under its old and new province; kept {where}"
                     + (f"; {'; '.join(dropped)}" if dropped else ""))
    out = rows[keep.to_numpy()].set_index("row")
    return out, notes, problems


def _span(years: list[int]) -> str:
    """[2004, 2005, 2006, 2013] -> '2004-2006, 2013'."""
    parts: list[str] = []
    for y in sorted(years):
        if parts and int(parts[-1].split("-")[-1]) == y - 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{y}"
        else:
            parts.append(str(y))
    return ", ".join(parts)


def import_bps_table(path: str | Path, indicator: str | None = None, allow_unmatched: bool = False,
                     registry: Registry | None = None, year: int | None = None,
                     sheet: str | int | None = None) -> ImportResult:
    """Import a BPS dynamic-table export (CSV or XLSX), in any of the layouts BPS produces.

    One or many years (see detect_layout); the indicator is read from the title unless `indicator`
    names it; province rows (in capitals) set the province for the districts below them, read as the
    province was in the file's year (province history); a national row is skipped; footnote marks
    are dropped; "-", "…" and "NA" are missing; the trailing note ("Catatan", "Sumber") ends the table.
    """
    file = str(path)
    grid = read_grid(path, sheet=sheet, header_rows=0)  # BPS merges the title cell over the year columns
    rows = grid.rows
    if len(rows) < 2:
        raise UcjInputError.one("too few lines for a BPS table (title, years, regions)", file=file)
    layout = detect_layout(rows, file, year)
    title = layout.title or Path(file).stem
    var = variable_for(title, indicator)
    if var.table == "indicators" and indicator is None and not _match_variable(title):
        known = ", ".join(sorted({v.column for _, v in KNOWN_VARIABLES}))
        raise UcjInputError.one(f"indicator not recognised from the title {title!r}; name it with --indicator "
                                f"(known: {known}; any other name goes to the indicators table)", file=file,
                                row=1)
    first_year = min(y for _, y in layout.year_cols)
    reg = registry or load_registry()
    regions = classify_rows(grid, layout, reg)
    names, provs, lines, values, problems = (regions.names, regions.provs, regions.lines, regions.values,
                                             regions.problems)
    if problems:
        raise UcjInputError(problems)
    if not names:
        raise UcjInputError.one("no district rows found", file=file)
    idx = pd.Index(lines, name="row")
    # a district listed under a province is read as that province was in the table's first year
    codes, unmatched = resolve_column(pd.Series(names, index=idx), registry=reg, file=file, column="column 1",
                                      provinces=pd.Series(provs, index=idx),
                                      years=pd.Series(first_year, index=idx))
    wide = pd.DataFrame(values, index=idx, columns=[y for _, y in layout.year_cols], dtype="object")
    if wide.columns.duplicated().any():
        dup = sorted(set(wide.columns[wide.columns.duplicated()]))
        raise UcjInputError.one(f"more than one column for year {dup[0]} (e.g. March and September); keep one "
                                "column per year", file=file, row=layout.header_lines)
    parsed = {}
    decimal = decimal_mark(wide, var, file)
    for y in wide.columns:
        vals, bad = parse_series(wide[y], decimal=decimal)
        for row in wide.index[bad.to_numpy()]:
            problems.append(Problem("text in a numeric column", file=file, row=int(row), column=str(y),
                                    value=wide.at[row, y]))
        parsed[y] = vals
    long = pd.DataFrame(parsed, index=idx).assign(district_code=codes).melt(
        id_vars="district_code", var_name="year", value_name="value", ignore_index=False
    )
    long["year"] = long["year"].astype("int64")
    long, notes, relisted = drop_relisted(long, regions, reg, file)
    problems += relisted
    one = one_province_note(codes, regions, reg)
    notes = ([one] if one else []) + [
        f"row {line} ({label!r}) is read as the total of the province {reg.province_name(code)}, not imported"
        for line, code, label in regions.totals if not (one and f"row {line} " in one)] + notes
    source = f"BPS table: {title.strip()} ({Path(file).name})"
    df = _long_to_table(long, var, source)
    dup = df.duplicated(["district_code", "year"] + (["indicator"] if var.table == "indicators" else []), keep=False)
    for row in df.index[dup.to_numpy() & df["district_code"].notna().to_numpy()].unique():
        problems.append(Problem("duplicate key (district appears twice)", file=file, row=int(row), column="column 1",
                                value=names[lines.index(row)]))
    return finish(df, var.table, file=file, registry=reg, problems=problems, unmatched=unmatched, allow_unmatched=allow_unmatched,
                  district_column="column 1", importer=f"ucj.ingest.bps.import_bps_table {__version__}", inputs=[file],
                  read={file: grid.read_as()}, notes=notes)


_WEBAPI_KEYS = ("var", "vervar", "tahun", "turvar", "turtahun", "datacontent")


def _check_webapi_shape(doc: object, file: str) -> None:
    """A BPS WebAPI `list/model/data` response, as documented; anything else is one line per fault."""
    if not isinstance(doc, dict):
        raise UcjInputError.one(f"a BPS WebAPI response is a JSON object; this file holds a {type(doc).__name__}",
                                file=file)
    if doc.get("data-availability") == "list-not-available" or doc.get("status") not in (None, "OK"):
        raise UcjInputError.one(f"the response holds no data (status {doc.get('status')!r}, "
                                f"data-availability {doc.get('data-availability')!r})", file=file)
    missing = [k for k in _WEBAPI_KEYS if k not in doc]
    if missing:
        raise UcjInputError([Problem("missing key of a BPS WebAPI response", file=file, column=k) for k in missing])
    problems = []
    for key in _WEBAPI_KEYS[:-1]:
        items = doc[key]
        if not isinstance(items, list) or not items:
            problems.append(Problem("must be a non-empty list of {val, label}", file=file, column=key))
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict) or "val" not in item or "label" not in item:
                problems.append(Problem("each entry must be an object with 'val' and 'label'", file=file,
                                        column=f"{key}[{i}]", value=item if not isinstance(item, dict) else None))
                break
    if not isinstance(doc["datacontent"], dict):
        problems.append(Problem("must be an object of {key: value}", file=file, column="datacontent"))
    if problems:
        raise UcjInputError(problems)
    try:
        int(doc["var"][0]["val"])
    except (TypeError, ValueError):
        raise UcjInputError.one("the variable id must be a number", file=file, column="var[0].val",
                                value=doc["var"][0]["val"]) from None
    for i, th in enumerate(doc["tahun"]):
        if _year_of(str(th["label"]).strip()[:4]) is None:
            raise UcjInputError.one("year label must start with a year like 2025", file=file,
                                    column=f"tahun[{i}].label", value=th["label"])
    for i, value in enumerate(doc["datacontent"].values()):
        if not (value is None or isinstance(value, (int, float, str))) or isinstance(value, bool):
            key = list(doc["datacontent"])[i]
            raise UcjInputError.one("a value must be a number", file=file, column=f"datacontent[{key}]",
                                    value=str(value))


def import_bps_webapi(path: str | Path, allow_unmatched: bool = False, registry: Registry | None = None
                      ) -> ImportResult:
    """Import a BPS WebAPI `list/model/data` response (as the `stadata` client returns it).

    `datacontent` keys join the region (vervar, BPS numbering), variable, turvar, year and
    turtahun codes; regions are resolved by BPS province prefix and name.
    """
    file = str(path)
    p = Path(path)
    if not p.exists():
        raise UcjInputError.one("file not found", file=file)
    reg = registry or load_registry()
    text, encoding = decode_text(p.read_bytes(), p)
    if not text.strip():
        raise UcjInputError.one("file is empty", file=file)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise UcjInputError.one(f"not valid JSON: {err.msg}", file=file, row=err.lineno) from None
    except RecursionError:
        raise UcjInputError.one(f"JSON nested too deeply ({json_depth(text):,} levels; a BPS WebAPI response has 3)",
                                file=file, row=1) from None
    _check_webapi_shape(doc, file)
    var_meta = doc["var"][0]
    var_id = int(var_meta["val"])
    title = str(var_meta.get("label", ""))
    column = WEBAPI_VARIABLES.get(var_id)
    var = variable_for(title) if column is None else (
        Variable("poverty", "poor_population", 1000.0) if column == "poor_population_thousand" else variable_for(title)
    )
    content = doc["datacontent"]
    names, bps_codes, years, values, keys = [], [], [], [], []
    for region in doc["vervar"]:
        code = str(region["val"])
        if code.endswith("00"):  # province total
            continue
        for th in doc["tahun"]:
            for tv in doc["turvar"]:
                for tt in doc["turtahun"]:
                    key = f"{code}{var_id}{tv['val']}{th['val']}{tt['val']}"
                    names.append(re.sub(r"<[^>]+>", "", str(region["label"])))
                    bps_codes.append(code)
                    years.append(int(str(th["label"]).strip()[:4]))
                    values.append(content.get(key))
                    keys.append(key)
    if keys and content and not any(k in content for k in keys):  # else "514 rows" with no cell filled
        raise UcjInputError.one(f"no datacontent key matches vervar+var+turvar+tahun+turtahun (expected e.g. "
                                f"'{keys[0]}', found e.g. '{next(iter(content))}')", file=file, column="datacontent")
    idx = pd.Index(keys, name="row")
    codes, unmatched = resolve_column(pd.Series(names, index=idx), registry=reg, file=file, column="vervar",
                                      bps_codes=pd.Series(bps_codes, index=idx))
    vals, bad = parse_series(pd.Series(values, index=idx, dtype="object"), decimal=".")
    problems = [Problem("text in a numeric value", file=file, column=f"datacontent[{k}]", value=v)
                for k, v, b in zip(keys, values, bad) if b]
    huge = vals.notna() & ~(vals.abs() < 1e15)
    problems += [Problem("not a plausible number (infinite, or beyond 10^15)", file=file, column=f"datacontent[{k}]",
                         value=v) for k, v, h in zip(keys, values, huge) if h]
    vals = vals.where(~huge)
    long = pd.DataFrame({"district_code": codes, "year": years, "value": vals}, index=idx)
    df = _long_to_table(long, var, f"BPS WebAPI var {var_id}: {title} ({p.name})")
    df.index = pd.RangeIndex(1, len(df) + 1, name="row")
    unmatched["row"] = [keys.index(k) + 1 for k in unmatched["row"]] if len(unmatched) else unmatched["row"]
    return finish(df, var.table, file=file, registry=reg, problems=problems, unmatched=unmatched, allow_unmatched=allow_unmatched,
                  district_column="vervar", importer=f"ucj.ingest.bps.import_bps_webapi {__version__}", inputs=[file],
                  read={file: {"encoding": encoding}})
