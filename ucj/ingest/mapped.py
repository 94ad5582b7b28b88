"""Importing planners' own tables: any long (or year-wide) CSV/XLSX through a column mapping,
and the project's participant and claim templates.

A mapping is a small JSON file (examples in data/mappings/) that says which column holds the
district, the period and each value, and how numbers are written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from ucj import __version__
from ucj.core.errors import Problem, UcjInputError
from ucj.ingest.common import ImportResult, check_columns, finish, parse_numbers, resolve_column
from ucj.core.files import atomic_path
from ucj.ingest.reader import read_grid
from ucj.data.registry import Registry, load_registry
from ucj.data.schema import TABLES

TEMPLATE_KINDS = ("enrolment", "claims", "contributions")
_INTEGER_COLUMNS = {"active", "new_registrations", "lapsed", "claim_count", "claim_amount_rp", "contribution_rp",
                    "working_population", "employees", "informal_workers", "potensi_pekerja"}


@dataclass
class Mapping:
    """How a planner's table maps onto one of ours."""

    table: str
    district: str
    columns: dict[str, str] = field(default_factory=dict)
    province: str | None = None
    code_scheme: Literal["name", "kemendagri", "bps"] = "name"
    district_name: str | None = None
    year: str | None = None
    month: str | None = None
    wide: str | None = None
    fixed: dict[str, str] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    decimal: Literal[",", "."] = "."
    sheet: str | int | None = None
    header_row: int = 1
    source: str | None = None

    @classmethod
    def from_file(cls, path: str | Path) -> "Mapping":
        p = Path(path)
        try:
            spec = json.loads(p.read_text(encoding="utf-8"))
            return cls(**spec)
        except FileNotFoundError:
            raise UcjInputError.one("mapping file not found", file=str(p)) from None
        except (json.JSONDecodeError, TypeError) as err:
            raise UcjInputError.one(f"not a valid mapping: {err}", file=str(p)) from None

    def check(self) -> None:
        if self.table not in TABLES:
            raise UcjInputError.one(f"unknown table '{self.table}'; one of {', '.join(TABLES)}", column="table")
        if sum(x is not None for x in (self.year, self.month, self.wide)) != 1:
            raise UcjInputError.one("a mapping names exactly one of 'year', 'month' or 'wide'")


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
                  importer: str = "ucj.ingest.mapped.import_mapped", registry: Registry | None = None) -> ImportResult:
    """Import a long table, or a table with one column per indicator and year (`wide`)."""
    mapping.check()
    reg = registry or load_registry()
    file = str(path)
    grid = read_grid(path, sheet=mapping.sheet, header_rows=mapping.header_row)
    df = grid.frame(header_row=mapping.header_row - 1)
    if df.empty:
        raise UcjInputError.one("file has a header but no data rows", file=file, row=mapping.header_row)
    period_col = mapping.year or mapping.month
    required = [mapping.district] + ([mapping.province] if mapping.province else [])
    required += ([period_col] if period_col else []) + (list(mapping.columns) if not mapping.wide else [])
    if mapping.district_name:
        required.append(mapping.district_name)
    check_columns(df, required, file)
    if mapping.wide:
        df = _melt_wide(df, mapping, file)
    problems: list[Problem] = []
    out = pd.DataFrame(index=df.index)

    provinces = df[mapping.province] if mapping.province else None
    if mapping.code_scheme == "bps":
        names = df[mapping.district_name] if mapping.district_name else df[mapping.district]
        codes, unmatched = resolve_column(names, registry=reg, file=file, column=mapping.district, bps_codes=df[mapping.district])
    else:
        codes, unmatched = resolve_column(df[mapping.district], registry=reg, file=file, column=mapping.district,
                                          provinces=provinces)
    out["district_code"] = codes

    if mapping.month:
        months = df[mapping.month].map(parse_month)
        for row in df.index[months.isna().to_numpy()]:
            problems.append(Problem("month must be written YYYY-MM", file=file, row=int(row), column=mapping.month,
                                    value=df.at[row, mapping.month]))
        out["month"] = pd.to_datetime(months).astype("datetime64[ns]")
    else:
        ycol = "year" if mapping.wide else mapping.year
        years, bad = parse_numbers(df, {"year": ycol}, file=file, decimal=".", integer={"year"})
        problems += [Problem("year must be a whole number like 2024", file=p.file, row=p.row, column=p.column,
                             value=p.value) for p in bad]
        out["year"] = years["year"].fillna(-1).astype("int64")

    value_cols = {"value": "value"} if mapping.wide else {ours: theirs for theirs, ours in mapping.columns.items()}
    numeric = {o: t for o, t in value_cols.items() if _is_numeric(mapping.table, o)}
    parsed, bad = parse_numbers(df, numeric, file=file, decimal=mapping.decimal,
                                integer={o for o in numeric if o in _INTEGER_COLUMNS}, scale=mapping.scale)
    problems += bad
    for ours, values in parsed.items():
        out[ours] = values
    for ours, theirs in value_cols.items():
        if ours not in numeric:
            out[ours] = df[theirs].astype("str")
    if mapping.wide:
        out["indicator"] = df["indicator"]
        out["unit"] = df["indicator"].map(lambda i: mapping.units.get(i, ""))
    for col, value in mapping.fixed.items():
        out[col] = value
    for col in [c for c in out.columns if c in _INTEGER_COLUMNS and c not in ("employees", "informal_workers",
                                                                              "potensi_pekerja")]:
        unreadable = {p.row for p in problems}
        for row in out.index[out[col].isna().to_numpy()]:
            if row not in unreadable:
                problems.append(Problem("value is required", file=file, row=int(row), column=_theirs(mapping, col)))
        out[col] = out[col].fillna(-1).round().astype("int64")
    out["source"] = mapping.source or f"{Path(file).name} (imported)"
    return finish(out, mapping.table, file=file, registry=reg, problems=problems, unmatched=unmatched,
                  allow_unmatched=allow_unmatched, district_column=mapping.district,
                  importer=f"{importer} {__version__}", inputs=[file])


def _theirs(mapping: Mapping, ours: str) -> str:
    return next((t for t, o in mapping.columns.items() if o == ours), ours)


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


def shipped_mappings() -> list[tuple[Path, dict[str, object]]]:
    """The example mappings in data/mappings (found from the current folder upward), as raw specs."""
    from ucj.core.config import mappings_dir

    folder = mappings_dir()
    out = []
    for path in sorted(folder.glob("*.json")) if folder else []:
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(spec, dict):
            out.append((path, spec))
    return out


# -- the project's own templates ------------------------------------------------------------------
def template_mapping(kind: str) -> Mapping:
    """The mapping of our participant/claim/contribution templates onto their tables."""
    if kind not in TEMPLATE_KINDS:
        raise UcjInputError.one(f"unknown template '{kind}'; one of {', '.join(TEMPLATE_KINDS)}")
    doc = TABLES[kind]
    values = [c.name for c in doc.columns if c.name not in ("district_code", "month", "source")]
    return Mapping(table=kind, district="district", month="month", columns={v: v for v in values}, decimal=",")


def template_columns(kind: str) -> list[str]:
    return ["district", "month"] + list(template_mapping(kind).columns)


def import_template(path: str | Path, kind: str, allow_unmatched: bool = False, registry: Registry | None = None
                    ) -> ImportResult:
    """Import a filled-in participant, claim or contribution template (CSV or XLSX)."""
    return import_mapped(path, template_mapping(kind), allow_unmatched,
                         importer=f"ucj.ingest.mapped.import_template[{kind}]", registry=registry)


def write_templates(out_dir: str | Path) -> list[Path]:
    """Write the empty templates (CSV and XLSX, with a sheet that explains each column)."""
    out = Path(out_dir)
    written = []
    for kind in TEMPLATE_KINDS:
        cols = template_columns(kind)
        empty = pd.DataFrame(columns=cols)
        csv_path = out / f"{kind}_template.csv"
        with atomic_path(csv_path) as tmp:
            empty.to_csv(tmp, index=False)
        docs = {c.name: c for c in TABLES[kind].columns}
        notes = pd.DataFrame(
            [("district", "text", "kabupaten/kota name or Kemendagri code, e.g. Boalemo, Kab. Boalemo or 75.02"),
             ("month", "YYYY-MM", "the month, e.g. 2025-01")]
            + [(c, f"{docs[c].kind} ({docs[c].unit})", f"{docs[c].meaning}; {docs[c].rule}") for c in cols[2:]],
            columns=["column", "type", "meaning"],
        )
        xlsx_path = out / f"{kind}_template.xlsx"
        with atomic_path(xlsx_path) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                empty.to_excel(xw, sheet_name="data", index=False)
                notes.to_excel(xw, sheet_name="columns", index=False)
        written += [csv_path, xlsx_path]
    return written
