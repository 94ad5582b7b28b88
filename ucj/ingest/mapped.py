"""Importing planners' own tables: any long (or year-wide) CSV/XLSX through a column mapping,
and the project's participant and claim templates.

A mapping is a small JSON file (examples in data/mappings/) that says which column holds the
district, the period and each value, and how numbers are written.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from ucj import __version__
from ucj.core.errors import Problem, UcjInputError
from ucj.ingest.common import (ImportResult, check_columns, finish, parse_numbers, parse_years, province_problems,
                               resolve_column)
from ucj.core.files import atomic_path
from ucj.ingest.reader import Grid, json_depth, read_grid
from ucj.data.registry import Registry, load_registry
from ucj.data.schema import COLUMN_DEFAULTS, TABLES, parse_flag

_INTEGER_COLUMNS = {"active", "new_registrations", "lapsed", "claim_count", "claim_amount_rp", "contribution_rp",
                    "working_population", "employees", "informal_workers", "potensi_pekerja"}


SOURCE_PLACEHOLDER = "(say who published it, and when)"  # what inspect drafts as a reminder


@dataclass
class Mapping:
    """How a planner's table maps onto one of ours."""

    table: str
    district: str
    columns: dict[str, str] = field(default_factory=dict)
    province: str | None = None
    code_scheme: Literal["name", "kemendagri", "bps"] = "name"
    district_name: str | None = None
    year: str | int | None = None
    month: str | None = None
    wide: str | None = None
    fixed: dict[str, str] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    decimal: Literal[",", "."] = "."
    sheet: str | int | None = None
    header_row: int = 1
    source: str | None = None
    # What a name without "Kabupaten"/"Kota" means where both exist (Bandung): "Kabupaten" for files
    # that follow BPS (cities written "Kota X"); unset, such a name is refused as ambiguous.
    bare_kind: str | None = None

    @classmethod
    def from_file(cls, path: str | Path, year: int | None = None) -> "Mapping":
        """Read and check a mapping file; every fault is one line naming the mapping key.

        `year` (from --year) is applied before the check: a mapping for a cross-section needs no year
        of its own when the command gives one."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")  # a BOM is accepted, as in the CSV files
        except FileNotFoundError:
            raise UcjInputError.one("mapping file not found", file=str(p)) from None
        except IsADirectoryError:
            raise UcjInputError.one("expected a mapping file, found a folder", file=str(p)) from None
        except (UnicodeDecodeError, OSError) as err:
            raise UcjInputError.one(f"mapping file is not readable UTF-8 text ({type(err).__name__})",
                                    file=str(p)) from None
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as err:
            raise UcjInputError.one(f"mapping is not valid JSON: {err.msg}", file=str(p), row=err.lineno) from None
        except RecursionError:
            raise UcjInputError.one(f"mapping JSON nested too deeply ({json_depth(text):,} levels; a mapping has 2)",
                                    file=str(p), row=1) from None
        return cls.from_dict(spec, file=str(p), year=year)

    @classmethod
    def from_dict(cls, spec: object, file: str | None = None, year: int | None = None) -> "Mapping":
        if not isinstance(spec, dict):
            raise UcjInputError.one("a mapping is a JSON object ({...}) of keys such as table, district, year, "
                                    "columns", file=file)
        known = {f.name for f in fields(cls)}
        unknown = [k for k in spec if k not in known]
        if unknown:
            raise UcjInputError([Problem(f"unknown mapping key; known: {', '.join(sorted(known))}", file=file,
                                         column=str(k), label="key") for k in unknown])
        missing = [k for k in ("table", "district") if k not in spec]
        if missing:
            raise UcjInputError([Problem("mapping key is required", file=file, column=k, label="key")
                                 for k in missing])
        mapping = cls(**spec)
        if year is not None and mapping.year is None and mapping.month is None and mapping.wide is None:
            mapping = replace(mapping, year=int(year))
        mapping.check(file)
        return mapping

    def check(self, file: str | None = None) -> None:
        """Refuse a mapping that cannot be applied as written, before any file is read."""
        problems: list[Problem] = []

        def bad(key: str, rule: str, value: object = None) -> None:
            problems.append(Problem(rule, file=file, column=key, value=value, label="key"))

        if not isinstance(self.table, str) or self.table not in TABLES:
            bad("table", f"unknown table; one of {', '.join(TABLES)}", self.table)
        for key in ("district", "province", "district_name", "month", "source"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                bad(key, "must be a column name (text)", value)
        if not isinstance(self.year, (str, int, type(None))) or isinstance(self.year, bool) or (
                isinstance(self.year, int) and not 1900 <= self.year <= 2100):
            bad("year", "must be a column name, or a constant year such as 2021", self.year)
        periods = sum(x is not None for x in (self.year, self.month, self.wide))
        needs_period = not isinstance(self.table, str) or self.table not in TABLES or \
            {"year", "month"} & set(TABLES[self.table].key)
        if periods > 1 or (needs_period and periods != 1):
            bad("year", "a mapping names exactly one of 'year' (a column or a constant year), 'month' or 'wide'")
        if self.bare_kind not in (None, "Kabupaten"):
            bad("bare_kind", "must be \"Kabupaten\" (BPS style: cities written 'Kota X') or left out", self.bare_kind)
        if self.code_scheme not in ("name", "kemendagri", "bps"):
            bad("code_scheme", "must be name, kemendagri or bps", self.code_scheme)
        if self.decimal not in (",", "."):
            bad("decimal", "must be \",\" or \".\"", self.decimal)
        if isinstance(self.header_row, bool) or not isinstance(self.header_row, int) or not 1 <= self.header_row <= 100:
            bad("header_row", "must be a whole number from 1 (the first line) to 100", self.header_row)
        if self.sheet is not None and (isinstance(self.sheet, bool) or not isinstance(self.sheet, (str, int))):
            bad("sheet", "must be a sheet name or number", self.sheet)
        for key in ("columns", "fixed", "scale", "units"):
            if not isinstance(getattr(self, key), dict):
                bad(key, "must be an object of {name: value}", getattr(self, key))
        if problems:
            raise UcjInputError(problems)
        for theirs, ours in self.columns.items():
            if not isinstance(ours, str):
                bad("columns", "each column maps to a field name (text)", ours)
        table_columns = {c.name for c in TABLES[self.table].columns} if self.table in TABLES else set()
        for col, value in self.fixed.items():
            if table_columns and col not in table_columns:
                bad("fixed", f"'{col}' is not a column of the {self.table} table; one of "
                             f"{', '.join(sorted(table_columns - {'district_code'}))}", col)
            elif isinstance(value, bool) or not isinstance(value, (str, int, float)) or (
                    isinstance(value, float) and not math.isfinite(value)):
                bad("fixed", f"the value of '{col}' must be one text or number, the same on every row "
                             f"(found a {type(value).__name__})", value if not isinstance(value, (list, dict)) else
                    None)
        targets = [o for o in self.columns.values() if isinstance(o, str)]
        for ours in sorted({o for o in targets if targets.count(o) > 1}):
            both = [t for t, o in self.columns.items() if o == ours]
            bad("columns", f"two source columns are mapped to one field '{ours}': {', '.join(both)}")
        if not self.wide and self.table in TABLES:
            names = {c.name for c in TABLES[self.table].columns}
            for ours in targets:
                if ours not in names:
                    bad("columns", f"'{ours}' is not a column of the {self.table} table; one of "
                                   f"{', '.join(sorted(names - {'district_code', 'source'}))}", ours)
        scalable = {"value"} if self.wide else {o for o in targets if self.table in TABLES and _is_numeric(self.table, o)}
        for name, factor in self.scale.items():
            if name not in scalable:
                hint = f" (scale is keyed by the field, here '{self.columns[name]}')" if name in self.columns else ""
                bad("scale", f"scale names '{name}', which is not a number field this mapping fills; one of "
                             f"{', '.join(sorted(scalable)) or '(none)'}{hint}", name)
            if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor) \
                    or factor <= 0 or factor > 1e9:
                bad("scale", f"scale of '{name}' must be a positive number up to 10^9 (e.g. 1000 for thousands)",
                    factor)
        if self.wide is not None:
            try:
                pattern = re.compile(str(self.wide))
            except re.error as err:
                bad("wide", f"not a valid regular expression: {err}", self.wide)
            else:
                if not {"indicator", "year"} <= set(pattern.groupindex):
                    bad("wide", "the pattern needs the groups (?P<indicator>...) and (?P<year>...)", self.wide)
        if problems:
            raise UcjInputError(problems)


def parse_month(value: object) -> pd.Timestamp | None:
    """YYYY-MM, YYYY-MM-DD or an Excel date -> first of the month; None if unreadable."""
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        ts = pd.Timestamp(value)
        return pd.Timestamp(ts.year, ts.month, 1)
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?\s*", str(value))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)


def import_mapped(path: str | Path, mapping: Mapping, allow_unmatched: bool = False,
                  importer: str = "ucj.ingest.mapped.import_mapped", registry: Registry | None = None,
                  year: int | None = None) -> ImportResult:
    """Import a long table, or a table with one column per indicator and year (`wide`).

    `year` is the year of a cross-section whose file has no year column (or, where it has one, the
    only year to import); a mapping may also give a constant year ("year": 2021).
    """
    if year is not None and mapping.year is None and mapping.month is None and mapping.wide is None:
        mapping = replace(mapping, year=int(year))
    mapping.check()
    reg = registry or load_registry()
    file = str(path)
    grid = read_grid(path, sheet=mapping.sheet, header_rows=mapping.header_row)
    if mapping.header_row > len(grid.rows):
        raise UcjInputError.one(f"header_row {mapping.header_row} is beyond the end of the file "
                                f"({len(grid.rows)} lines)", file=file)
    df = grid.frame(header_row=mapping.header_row - 1)
    if df.empty:
        raise UcjInputError.one("file has a header but no data rows", file=file, row=mapping.header_row)
    const_year = mapping.year if isinstance(mapping.year, int) else None
    period_col = (None if const_year is not None else mapping.year) or mapping.month
    required = [mapping.district] + ([mapping.province] if mapping.province else [])
    # a column with a default (targets' target_year_assumed) may be left out of the file: it then takes it
    optional = {theirs for theirs, ours in mapping.columns.items() if (mapping.table, ours) in COLUMN_DEFAULTS}
    required += ([period_col] if period_col else []) + ([c for c in mapping.columns if c not in optional]
                                                        if not mapping.wide else [])
    if mapping.district_name:
        required.append(mapping.district_name)
    try:
        check_columns(df, required, file)
    except UcjInputError as err:
        raise UcjInputError(err.problems + _layout_hint(grid, file)) from None
    ragged = grid.ragged_rows(mapping.header_row - 1)
    if ragged:
        raise UcjInputError(ragged)
    if mapping.wide:
        df = _melt_wide(df, mapping, file)
    problems: list[Problem] = []
    out = pd.DataFrame(index=df.index)

    if mapping.month:
        months = df[mapping.month].map(parse_month)
        for row in df.index[months.isna().to_numpy()]:
            problems.append(Problem("month must be written YYYY-MM", file=file, row=int(row), column=mapping.month,
                                    value=df.at[row, mapping.month]))
        out["month"] = pd.to_datetime(months).astype("datetime64[ns]")
    elif const_year is not None:
        out["year"] = const_year
    elif mapping.year or mapping.wide:
        ycol = "year" if mapping.wide else mapping.year
        years, bad = parse_years(df[ycol], file=file, column=str(ycol))
        problems += bad
        out["year"] = years.fillna(-1).astype("int64")
        if year is not None:
            keep = (out["year"] == int(year)).to_numpy()
            if not keep.any():
                raise UcjInputError.one(f"no rows of --year {year} in the file", file=file, column=str(ycol))
            df, out = df[keep], out[keep]
            problems = [p for p in problems if p.row in set(out.index)]

    provinces = df[mapping.province] if mapping.province else None
    wrong: list[Problem] = []
    if provinces is not None and mapping.code_scheme != "bps":
        wrong = province_problems(provinces, reg, file=file, column=str(mapping.province))
        if wrong and all(p.value is None for p in wrong):  # the whole column: one line, nothing else
            raise UcjInputError(wrong)
        problems += wrong
    if mapping.code_scheme == "bps" and mapping.district_name:  # the name decides, the code's province narrows
        codes, unmatched = resolve_column(df[mapping.district_name], registry=reg, file=file, column=mapping.district,
                                          bps_codes=df[mapping.district])
    elif mapping.code_scheme == "bps":  # codes alone: BPS's own list of its codes (ucj.data.bps_numbering)
        codes, unmatched = resolve_column(df[mapping.district], registry=reg, file=file, column=mapping.district,
                                          scheme="bps")
    else:
        codes, unmatched = resolve_column(df[mapping.district], registry=reg, file=file, column=mapping.district,
                                          provinces=provinces, bare_kind=mapping.bare_kind, years=out["year"] if "year" in out else None,
                                          scheme="kemendagri" if mapping.code_scheme == "kemendagri" else None)
    if wrong:  # those rows fail on their province, already said; not again on the district
        unmatched = unmatched[~unmatched["row"].isin({p.row for p in wrong})]
    if mapping.district_name and mapping.code_scheme != "bps":
        problems += _names_agree(codes, df[mapping.district_name], reg, file, mapping)
    out["district_code"] = codes

    value_cols = {"value": "value"} if mapping.wide else {ours: theirs for theirs, ours in mapping.columns.items()
                                                         if theirs in df.columns or theirs not in optional}
    for ours, theirs in [(o, t) for o, t in value_cols.items() if _is_flag(mapping.table, o)]:
        flags = df[theirs].map(parse_flag)
        for row in df.index[flags.isna().to_numpy()]:
            problems.append(Problem("must be true or false (also 1/0, yes/no, ya/tidak; empty: false)", file=file,
                                    row=int(row), column=theirs, value=df.at[row, theirs]))
        out[ours] = flags.fillna(False).astype("bool")
        del value_cols[ours]
    years_in = {o: t for o, t in value_cols.items() if _is_year(mapping.table, o)}
    for ours, theirs in years_in.items():  # e.g. target_year: a year whatever the decimal mark
        values, bad = parse_years(df[theirs], file=file, column=theirs)
        problems += bad
        out[ours] = values
    numeric = {o: t for o, t in value_cols.items() if _is_numeric(mapping.table, o) and o not in years_in}
    integer = {o for o in numeric if o in _INTEGER_COLUMNS or _is_integer(mapping.table, o)}
    parsed, bad = parse_numbers(df, numeric, file=file, decimal=mapping.decimal, integer=integer,
                                scale=mapping.scale)
    problems += bad
    for ours, values in parsed.items():
        out[ours] = values
    for ours, theirs in value_cols.items():
        if ours not in numeric and ours not in years_in:
            out[ours] = df[theirs].astype("str")
    if mapping.wide:
        out["indicator"] = df["indicator"]
        out["unit"] = df["indicator"].map(lambda i: mapping.units.get(i, ""))
    for col, value in mapping.fixed.items():
        out[col] = value
    for col in [c for c in out.columns if (c in _INTEGER_COLUMNS or _is_integer(mapping.table, c))
                and c not in ("employees", "informal_workers", "potensi_pekerja", "year")]:
        unreadable = {p.row for p in problems}
        for row in out.index[out[col].isna().to_numpy()]:
            if row not in unreadable:
                problems.append(Problem("value is required", file=file, row=int(row), column=_theirs(mapping, col)))
        out[col] = out[col].fillna(-1).round().astype("int64")
    # the pages cite this text as the data's source: a draft's reminder (or nothing) is no citation, so the
    # file's own name stands in, and the import says what to add (red team: the reminder reached the pages)
    cited = isinstance(mapping.source, str) and SOURCE_PLACEHOLDER not in mapping.source
    out["source"] = mapping.source if cited else Path(file).name
    notes = [] if cited else [
        "the mapping names no source, so pages cite the file by its name; add \"source\" to the mapping: "
        "publisher, title and date, e.g. \"BPS, Persentase Penduduk Miskin menurut Kabupaten/Kota, 2025\""]
    return finish(out, mapping.table, file=file, registry=reg, problems=problems, unmatched=unmatched,
                  allow_unmatched=allow_unmatched, district_column=mapping.district,
                  importer=f"{importer} {__version__}", inputs=[file], read={file: grid.read_as()}, notes=notes)


def _layout_hint(grid: Grid, file: str) -> list[Problem]:
    """When a mapping's columns are missing because the file is a BPS dynamic table, say so."""
    from ucj.ingest.bps import detect_layout

    try:
        layout = detect_layout(grid.rows, file)
    except UcjInputError:
        return []
    return [Problem(f"this file is a {layout.describe()}; import it with: ucj import bps-table FILE", file=file,
                    row=1)]


def _names_agree(codes: pd.Series, names: pd.Series, reg: Registry, file: str, mapping: Mapping) -> list[Problem]:
    """A district code whose district_name means another district (or none) is refused, never guessed."""
    problems = []
    for i, row in enumerate(codes.index):
        code, name = codes.iloc[i], names.iloc[i]
        if not isinstance(code, str) or pd.isna(name) or not str(name).strip():
            continue
        try:
            found = reg.find(str(name))  # every district the name can mean
        except UcjInputError:
            found = []
        if code not in found:
            problems.append(Problem(f"district code {mapping.district}={code} is {reg.get(code).full_name}, "
                                    f"but {mapping.district_name} names another district", file=file, row=int(row),
                                    column=mapping.district_name, value=name))
    return problems


def _theirs(mapping: Mapping, ours: str) -> str:
    return next((t for t, o in mapping.columns.items() if o == ours), ours)


def _is_integer(table: str, column: str) -> bool:
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    return kinds.get(column, "").startswith("integer")


def _is_year(table: str, column: str) -> bool:
    units = {c.name: c.unit for c in TABLES[table].columns}
    return units.get(column) == "year"


def _is_flag(table: str, column: str) -> bool:
    docs = {c.name: c for c in TABLES[table].columns} if table in TABLES else {}
    return column in docs and docs[column].kind == "true/false"


def _is_numeric(table: str, column: str) -> bool:
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    return kinds.get(column, "").startswith(("integer", "number"))


def _melt_wide(df: pd.DataFrame, mapping: Mapping, file: str) -> pd.DataFrame:
    pattern = re.compile(mapping.wide or "")
    value_cols = [c for c in df.columns if pattern.fullmatch(str(c))]
    if not value_cols:
        raise UcjInputError.one(f"no column matches the pattern {mapping.wide!r}", file=file, row=mapping.header_row)
    keep = [c for c in (mapping.district, mapping.province, mapping.district_name) if c]
    long = df[keep + value_cols].melt(id_vars=keep, var_name="_col", value_name="value", ignore_index=False)
    parts = long["_col"].str.extract(pattern)
    indicator = parts["indicator"].str.lower()
    long["indicator"] = indicator.map(lambda i: mapping.columns.get(i, i))
    long["year"] = parts["year"]
    return long.drop(columns="_col")


# -- the project's own templates ------------------------------------------------------------------
# A worked example for each template: one filled-in row, each value explained. The figures are
# illustrations (EXAMPLE, not data) except where the note names a published source.
TEMPLATE_EXAMPLES: dict[str, tuple[list[object], str]] = {
    "enrolment": (["Boalemo", "2025-01", "BPU", "apbd", 5000, 5000, 0],
                  "5,000 vulnerable workers paid by the APBD (the number Boalemo budgeted for 2025, seed 002), "
                  "all newly registered in January, none lapsed"),
    "contributions": (["Boalemo", "2025-01", "BPU", "apbd", 84000000],
                      "5,000 BPU participants x Rp16,800 a month (JKK Rp10,000 + JKM Rp6,800) = Rp84,000,000"),
    "claims": (["Kab. Muna Barat", "2025-07", "BPU", "apbd", "JKM", 3, 126000000],
               "3 death (JKM) claims x Rp42,000,000 = Rp126,000,000 (illustration)"),
    "workforce": (["Minahasa", 2023, 180000, 70000, 95000, 132104],
                  "potensi pekerja 132,104 is the branch list quoted for Minahasa no later than Sep 2023 (seed 003); the "
                  "other counts are illustrations; employees and informal workers may be left empty"),
    "targets": (["72.01", 2030, "99,5", "working_population", "RPJMD Kabupaten Banggai 2025-2030", "true"],
                "Banggai's RPJMD target of 99.5 % coverage (seed 001); decimals with a comma as in Indonesian "
                "Excel; target_year_assumed is optional: true here because the article names the RPJMD period "
                "2025-2030, not the year the target is for (2030, its end, is assumed); write false where the "
                "document sets the year (an empty cell, or no such column, also means false)"),
    "village_enrolment": (["Minahasa", "2025-12", "71.02.06.2017", "BPU", "apbd", 112],
                          "112 APBD-funded BPU participants in Desa Tounelet, Kecamatan Kakas, at the end of "
                          "December 2025 (illustration; a branch office's rekap per desa gives one row per "
                          "village, segment and funding)"),
}
TEMPLATE_KINDS = tuple(TEMPLATE_EXAMPLES)
_PERIOD = {"month": "YYYY-MM, e.g. 2025-01", "year": "a year, e.g. 2024"}


def template_mapping(kind: str) -> Mapping:
    """The mapping of a project template onto its table: district, the period, then the values."""
    if kind not in TEMPLATE_KINDS:
        raise UcjInputError.one(f"unknown template '{kind}'; one of {', '.join(TEMPLATE_KINDS)}")
    doc = TABLES[kind]
    period = next((c for c in ("month", "year") if c in doc.key), None)
    values = [c.name for c in doc.columns if c.name not in ("district_code", "source", period)]
    return Mapping(table=kind, district="district", columns={v: v for v in values}, decimal=",",
                   **({period: period} if period else {}))


def template_columns(kind: str) -> list[str]:
    """The template's header: district, the period, the values: every column the importer reads, the optional
    ones (a column with a default, such as targets' target_year_assumed) last; `optional_columns` names them."""
    m = template_mapping(kind)
    period = "month" if m.month else "year" if m.year else None
    optional = optional_columns(kind)
    return (["district"] + ([period] if period else []) + [c for c in m.columns if c not in optional]
            + [c for c in m.columns if c in optional])


def optional_columns(kind: str) -> list[str]:
    """The template's columns a file may leave empty or out (each then takes its default, schema.COLUMN_DEFAULTS)."""
    return [c for (k, c) in COLUMN_DEFAULTS if k == kind]


def import_template(path: str | Path, kind: str, allow_unmatched: bool = False, registry: Registry | None = None,
                    year: int | None = None) -> ImportResult:
    """Import a filled-in template (CSV or XLSX): enrolment, claims, contributions, workforce, targets or
    village_enrolment."""
    return import_mapped(path, template_mapping(kind), allow_unmatched,
                         importer=f"ucj.ingest.mapped.import_template[{kind}]", registry=registry, year=year)


def _marked(column: str, optional: list[str]) -> str:
    """A column's name on the notes and example sheets, "(optional)" after an optional one."""
    return f"{column} (optional)" if column in optional else column


def write_templates(out_dir: str | Path) -> list[Path]:
    """Write every template as CSV and XLSX, with a filled example (CSV `<kind>_example.csv`; XLSX sheet
    `example`) and a sheet that explains each column."""
    out = Path(out_dir)
    written = []
    for kind in TEMPLATE_KINDS:
        cols = template_columns(kind)
        empty = pd.DataFrame(columns=cols)
        row, note = TEMPLATE_EXAMPLES[kind]
        example = pd.DataFrame([row], columns=cols)
        csv_path = out / f"{kind}_template.csv"
        with atomic_path(csv_path) as tmp:
            empty.to_csv(tmp, index=False)
        example_path = out / f"{kind}_example.csv"
        with atomic_path(example_path) as tmp:
            example.to_csv(tmp, index=False)
        docs = {c.name: c for c in TABLES[kind].columns}
        optional = optional_columns(kind)
        notes = pd.DataFrame(
            [("district", "text", "kabupaten/kota name or Kemendagri code, e.g. Kab. Boalemo, Kota Bandung or 75.02; "
                                  "write Kabupaten/Kota where both exist (Bandung)")]
            + [(c, _PERIOD[c], f"the {c}") for c in cols[1:2] if c in _PERIOD]
            + [(_marked(c, optional), f"{docs[c].kind} ({docs[c].unit})",
                (f"OPTIONAL: may be left empty, or the column removed (then {str(COLUMN_DEFAULTS[kind, c]).lower()}): "
                 if c in optional else "") + f"{docs[c].meaning}; {docs[c].rule}") for c in cols if c in docs],
            columns=["column", "type", "meaning"],
        )
        worked = pd.DataFrame({"column": [_marked(c, optional) for c in cols], "example": [str(v) for v in row]})
        worked.loc[len(worked)] = ["(why)", f"EXAMPLE: {note}"]
        xlsx_path = out / f"{kind}_template.xlsx"
        with atomic_path(xlsx_path) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                empty.to_excel(xw, sheet_name="data", index=False)
                notes.to_excel(xw, sheet_name="columns", index=False)
                worked.to_excel(xw, sheet_name="example", index=False)
        written += [csv_path, example_path, xlsx_path]
    return written
