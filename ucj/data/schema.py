"""Schemas of the tidy tables: one long table per kind of fact, validated with pandera.

The data dictionary in data/README.md describes the same tables for users; `describe()`
prints it from these definitions so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ucj.core.errors import Problem, UcjInputError

if TYPE_CHECKING:  # pandera is imported when a schema is built (it takes a moment; valid tables need no schema)
    import pandera.pandas as pa


SEGMENTS = ("PU", "BPU", "Jakon", "PMI")
FUNDINGS = ("self_employer", "apbd", "apbn", "csr")
PROGRAMMES = ("JKK", "JKM", "JHT", "JP", "JKP")
DENOMINATORS = ("working_population", "employees", "informal_workers", "potensi_pekerja")

FIRST_MONTH = pd.Timestamp("2014-01-01")  # BPJS Ketenagakerjaan starts operating (UU 24/2011)
LAST_MONTH = pd.Timestamp("2035-12-01")
FIRST_YEAR, LAST_YEAR = 2000, 2050

SYNTHETIC_SOURCE = "synthetic-demo"
VILLAGE_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"


# columns a file may leave out, and the value they then take (a targets file without `target_year_assumed`:
# every year is the document's own)
COLUMN_DEFAULTS: dict[tuple[str, str], object] = {("targets", "target_year_assumed"): False}
FLAG_TRUE = ("true", "1", "yes", "ya", "y")
FLAG_FALSE = ("false", "0", "no", "tidak", "n", "")


def parse_flag(value: object) -> bool | None:
    """A true/false cell as a file writes it (true/false, 1/0, yes/no, ya/tidak; empty: false); None when
    it is none of these (the caller names the cell)."""
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return False
    text = str(value).strip().lower()
    if text in ("nan", "none", "<na>"):
        return False
    if text in FLAG_TRUE:
        return True
    if text in FLAG_FALSE:
        return False
    return None


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    kind: str
    unit: str
    rule: str
    meaning: str


@dataclass(frozen=True)
class TableDoc:
    name: str
    key: tuple[str, ...]
    grain: str
    columns: tuple[ColumnDoc, ...]


def _c(name: str, kind: str, unit: str, rule: str, meaning: str) -> ColumnDoc:
    return ColumnDoc(name, kind, unit, rule, meaning)


_DISTRICT = _c("district_code", "text", "-", "a Kemendagri kab/kota code in the registry", "district, e.g. 75.02")
_MONTH = _c("month", "date", "month", "first day of a month, 2014-01 to 2035-12", "calendar month")
_YEAR = _c("year", "integer", "year", "2000 to 2050", "calendar year")
_SEGMENT = _c("segment", "text", "-", "one of " + ", ".join(SEGMENTS), "participant segment")
_FUNDING = _c("funding", "text", "-", "one of " + ", ".join(FUNDINGS), "who pays the contribution")
_SOURCE = _c("source", "text", "-", "not empty", f"where the row comes from; '{SYNTHETIC_SOURCE}' for demo data")


def _count(name: str, meaning: str) -> ColumnDoc:
    return _c(name, "integer", "persons", ">= 0", meaning)


TABLES: dict[str, TableDoc] = {
    "enrolment": TableDoc(
        "enrolment",
        ("district_code", "month", "segment", "funding"),
        "district x month x segment x funding",
        (
            _DISTRICT, _MONTH, _SEGMENT, _FUNDING,
            _count("active", "active participants at the end of the month"),
            _count("new_registrations", "participants registered during the month"),
            _count("lapsed", "participants who became inactive during the month"),
            _SOURCE,
        ),
    ),
    "workforce": TableDoc(
        "workforce",
        ("district_code", "year"),
        "district x year",
        (
            _DISTRICT, _YEAR,
            _count("working_population", "people working (Sakernas, August)"),
            _count("employees", "working as employees (buruh/karyawan); <= working_population"),
            _count("informal_workers", "working informally; <= working_population"),
            _c("potensi_pekerja", "integer or empty", "persons", ">= 0 where known",
               "branch list of workers targeted for coverage (potensi pekerja)"),
            _SOURCE,
        ),
    ),
    "contributions": TableDoc(
        "contributions",
        ("district_code", "month", "segment", "funding"),
        "district x month x segment x funding",
        (
            _DISTRICT, _MONTH, _SEGMENT, _FUNDING,
            _c("contribution_rp", "integer", "Rp", ">= 0", "contributions due for the month"),
            _SOURCE,
        ),
    ),
    "claims": TableDoc(
        "claims",
        ("district_code", "month", "segment", "funding", "programme"),
        "district x month x segment x funding x programme",
        (
            _DISTRICT, _MONTH, _SEGMENT, _FUNDING,
            _c("programme", "text", "-", "one of " + ", ".join(PROGRAMMES), "BPJS Ketenagakerjaan programme"),
            _c("claim_count", "integer", "claims", ">= 0", "claims paid in the month"),
            _c("claim_amount_rp", "integer", "Rp", ">= 0", "benefits paid in the month"),
            _SOURCE,
        ),
    ),
    "poverty": TableDoc(
        "poverty",
        ("district_code", "year"),
        "district x year (March Susenas)",
        (
            _DISTRICT, _YEAR,
            _c("p0", "number or empty", "%", "0 to 100", "headcount index: share of people below the poverty line"),
            _c("p1", "number or empty", "index", "0 to 100", "poverty depth index (P1)"),
            _c("p2", "number or empty", "index", "0 to 100", "poverty severity index (P2)"),
            _c("poor_population", "number or empty", "persons", ">= 0", "people below the poverty line"),
            _c("poverty_line_rp", "number or empty", "Rp/capita/month", "> 0", "district poverty line (GK)"),
            _c("extreme_poverty_pct", "number or empty", "%", "0 to 100", "extreme poverty rate"),
            _c("extreme_poverty_basis", "text or empty", "-", "ppp2011_1.90 or ppp2017_2.15",
               "the international line behind extreme_poverty_pct; the two bases are never joined"),
            _SOURCE,
        ),
    ),
    "targets": TableDoc(
        "targets",
        ("district_code", "target_year", "denominator"),
        "district x target year x denominator",
        (
            _DISTRICT,
            _c("target_year", "integer", "year", "2020 to 2050", "year by which the target is to be met"),
            _c("coverage_target_pct", "number", "%", "above 0, at most 100", "coverage to reach"),
            _c("denominator", "text", "-", "one of " + ", ".join(DENOMINATORS), "what the target's coverage divides by"),
            _c("target_source", "text", "-", "not empty", "the document that sets the target"),
            _c("target_year_assumed", "true/false", "-", "true or false; empty or absent: false",
               "true when the document sets no year and target_year is assumed (e.g. Minahasa: 2029, the RPJMN "
               "horizon); pages then show the year as assumed"),
            _SOURCE,
        ),
    ),
    "plans": TableDoc(
        "plans",
        ("district_code", "plan"),
        "district x plan (a district's own plans and targets that are not coverage targets)",
        (
            _DISTRICT,
            _c("year", "integer or empty", "year", "2000 to 2050", "year the plan is for; empty when the source sets none"),
            _c("plan", "text", "-", "snake_case name, not empty", "what is planned, e.g. poverty_target_pct"),
            _c("value", "number", "see unit", "-", "the planned value"),
            _c("unit", "text", "-", "not empty", "unit of value, e.g. % or persons"),
            _c("plan_source", "text", "-", "not empty", "the document that sets the plan, and what it says"),
            _SOURCE,
        ),
    ),
    "village_enrolment": TableDoc(
        "village_enrolment",
        ("district_code", "village_code", "month", "segment", "funding"),
        "village (desa/kelurahan) x month x segment x funding (optional: a branch office's rekap per desa)",
        (
            _DISTRICT,
            _c("village_code", "text", "-", "a Kemendagri desa/kelurahan code xx.yy.zz.nnnn inside the district",
               "village, e.g. 71.02.06.2017"),
            _MONTH, _SEGMENT, _FUNDING,
            _count("active", "active participants living in the village at the end of the month"),
            _SOURCE,
        ),
    ),
    "indicators": TableDoc(
        "indicators",
        ("district_code", "year", "indicator"),
        "district x year x indicator (any other BPS variable, e.g. TPT or TPAK)",
        (
            _DISTRICT, _YEAR,
            _c("indicator", "text", "-", "snake_case name, not empty", "what is measured, e.g. tpt"),
            _c("value", "number or empty", "see unit", "-", "the value; empty where the source has none"),
            _c("unit", "text", "-", "-", "unit of value, e.g. %"),
            _SOURCE,
        ),
    ),
}


def _district_check(codes: frozenset[str]) -> "pa.Check":
    import pandera.pandas as pa

    return pa.Check(
        lambda s: s.isin(codes), element_wise=False, error="a Kemendagri kab/kota code in the registry"
    )


def _month_checks() -> "list[pa.Check]":
    import pandera.pandas as pa

    return [
        pa.Check.in_range(FIRST_MONTH, LAST_MONTH, error=f"month between {FIRST_MONTH:%Y-%m} and {LAST_MONTH:%Y-%m}"),
        pa.Check(lambda s: s.dt.day == 1, error="first day of a month"),
    ]


def _nonneg_int(nullable: bool = False) -> "pa.Column":
    import pandera.pandas as pa

    return pa.Column("Int64" if nullable else "int64", pa.Check.ge(0, error=">= 0"), nullable=nullable, coerce=nullable)


def _pct(nullable: bool = True) -> "pa.Column":
    import pandera.pandas as pa

    return pa.Column("float64", pa.Check.in_range(0, 100, error="0 to 100"), nullable=nullable)


def _source() -> "pa.Column":
    import pandera.pandas as pa

    return pa.Column("str", pa.Check.str_length(min_value=1, error="not empty"))


def _cat(values: tuple[str, ...]) -> "pa.Column":
    import pandera.pandas as pa

    return pa.Column("str", pa.Check.isin(values, error="one of " + ", ".join(values)))


@lru_cache(maxsize=32)
def schema(table: str, codes: frozenset[str]) -> "pa.DataFrameSchema":
    """The pandera schema of one table, checking district codes against `codes` (a registry's).

    Built once per table and code list; a schema is immutable, so reusing it changes no result.
    `fast_validate` checks the same rules with whole-column operations: keep the two in step.
    """
    import pandera.pandas as pa

    doc = TABLES[table]
    district = pa.Column("str", _district_check(codes))
    month = pa.Column("datetime64[ns]", _month_checks(), coerce=True)
    year = pa.Column("int64", pa.Check.in_range(FIRST_YEAR, LAST_YEAR, error=f"{FIRST_YEAR} to {LAST_YEAR}"))
    cols: dict[str, pa.Column] = {"district_code": district, "source": _source()}
    checks: list[pa.Check] = []
    if table in ("enrolment", "contributions", "claims", "village_enrolment"):
        cols |= {"month": month, "segment": _cat(SEGMENTS), "funding": _cat(FUNDINGS)}
    if table == "enrolment":
        cols |= {k: _nonneg_int() for k in ("active", "new_registrations", "lapsed")}
    elif table == "contributions":
        cols["contribution_rp"] = _nonneg_int()
    elif table == "claims":
        cols |= {"programme": _cat(PROGRAMMES), "claim_count": _nonneg_int(), "claim_amount_rp": _nonneg_int()}
        checks.append(
            pa.Check(lambda df: ~((df["claim_count"] == 0) & (df["claim_amount_rp"] > 0)),
                     error="an amount paid needs at least one claim")
        )
    elif table == "workforce":
        cols |= {"year": year, "working_population": _nonneg_int()}
        cols |= {k: _nonneg_int(nullable=True) for k in ("employees", "informal_workers", "potensi_pekerja")}
        checks += [
            pa.Check(lambda df: ~(df["employees"] > df["working_population"]).fillna(False),
                     error="employees <= working_population"),
            pa.Check(lambda df: ~(df["informal_workers"] > df["working_population"]).fillna(False),
                     error="informal_workers <= working_population"),
        ]
    elif table == "poverty":
        cols |= {"year": year, "p0": _pct(), "p1": _pct(), "p2": _pct(), "extreme_poverty_pct": _pct()}
        cols["poor_population"] = pa.Column("float64", pa.Check.ge(0, error=">= 0"), nullable=True)
        cols["poverty_line_rp"] = pa.Column("float64", pa.Check.gt(0, error="> 0"), nullable=True)
        cols["extreme_poverty_basis"] = pa.Column(
            "str", pa.Check.isin(("ppp2011_1.90", "ppp2017_2.15"), error="ppp2011_1.90 or ppp2017_2.15"),
            nullable=True, coerce=True,
        )
    elif table == "targets":
        cols |= {
            "target_year": pa.Column("int64", pa.Check.in_range(2020, 2050, error="2020 to 2050")),
            "coverage_target_pct": pa.Column(
                "float64", [pa.Check.gt(0, error="above 0"), pa.Check.le(100, error="at most 100")]
            ),
            "denominator": _cat(DENOMINATORS),
            "target_source": _source(),
            "target_year_assumed": pa.Column("bool"),
        }
    elif table == "plans":
        cols |= {
            "year": pa.Column("Int64", pa.Check.in_range(FIRST_YEAR, LAST_YEAR, error=f"{FIRST_YEAR} to {LAST_YEAR}"),
                              nullable=True, coerce=True),
            "plan": pa.Column("str", pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="snake_case name")),
            "value": pa.Column("float64"),
            "unit": _source(),
            "plan_source": _source(),
        }
    elif table == "village_enrolment":
        cols |= {"village_code": pa.Column("str", pa.Check.str_matches(VILLAGE_CODE, error="a code xx.yy.zz.nnnn")),
                 "active": _nonneg_int()}
        checks.append(pa.Check(lambda df: df["village_code"].str[:5] == df["district_code"],
                               error="the village code starts with its district's code"))
    elif table == "indicators":
        cols |= {
            "year": year,
            "indicator": pa.Column("str", pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="snake_case name")),
            "value": pa.Column("float64", nullable=True),
            "unit": pa.Column("str", nullable=True),
        }
    ordered = {c.name: cols[c.name] for c in doc.columns}
    return pa.DataFrameSchema(ordered, checks=checks, unique=list(doc.key), strict=True, name=table, ordered=False)


def validate(df: pd.DataFrame, table: str, codes: frozenset[str], file: str | None = None) -> pd.DataFrame:
    """Validate a table against its schema and the valid district `codes`; raise UcjInputError with
    one problem per failing row and rule.

    Row numbers are taken from the frame's index, so importers index rows by their line in
    the source file and errors point at that line.
    """
    valid = fast_validate(df, table, codes)
    if valid is not None:
        return valid
    import pandera.pandas as pa

    sch = schema(table, codes)
    try:
        return sch.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise UcjInputError(failure_problems(err.failure_cases, table, file)) from None


# -- the same rules, whole columns at a time ----------------------------------------------------------
# What `schema` declares, per column: dtype, nullable, and the rule on the filled values. A table that
# meets all of them as it stands is valid; anything else (a broken rule, or a column pandera would
# coerce, e.g. text months from an import) goes to pandera, which coerces or names each problem.
_SNAKE = r"^[a-z][a-z0-9_]*$"


def _rules(table: str, codes: frozenset[str]) -> dict[str, tuple[str, bool, object]]:
    """column -> (dtype, nullable, rule); a rule is a function of the filled values giving a bool array."""
    def between(lo: object, hi: object) -> object:
        return lambda v: (v >= lo) & (v <= hi)

    def one_of(values: object) -> object:
        return lambda v: v.isin(values)

    def text() -> object:
        return lambda v: v.str.len() >= 1

    def snake() -> object:
        return lambda v: v.str.match(_SNAKE)

    count = ("int64", False, lambda v: v >= 0)
    maybe_count = ("Int64", True, lambda v: v >= 0)
    pct = ("float64", True, between(0, 100))
    year = ("int64", False, between(FIRST_YEAR, LAST_YEAR))
    rules: dict[str, tuple[str, bool, object]] = {
        "district_code": ("str", False, one_of(codes)), "source": ("str", False, text())}
    if table in ("enrolment", "contributions", "claims", "village_enrolment"):
        rules |= {"month": ("datetime64[ns]", False,
                            lambda v: (v >= FIRST_MONTH) & (v <= LAST_MONTH) & (v.dt.day == 1)),
                  "segment": ("str", False, one_of(SEGMENTS)), "funding": ("str", False, one_of(FUNDINGS))}
    if table == "enrolment":
        rules |= {k: count for k in ("active", "new_registrations", "lapsed")}
    elif table == "contributions":
        rules["contribution_rp"] = count
    elif table == "claims":
        rules |= {"programme": ("str", False, one_of(PROGRAMMES)), "claim_count": count, "claim_amount_rp": count}
    elif table == "workforce":
        rules |= {"year": year, "working_population": count}
        rules |= {k: maybe_count for k in ("employees", "informal_workers", "potensi_pekerja")}
    elif table == "poverty":
        rules |= {"year": year, "p0": pct, "p1": pct, "p2": pct, "extreme_poverty_pct": pct,
                  "poor_population": ("float64", True, lambda v: v >= 0),
                  "poverty_line_rp": ("float64", True, lambda v: v > 0),
                  "extreme_poverty_basis": ("str", True, one_of(("ppp2011_1.90", "ppp2017_2.15")))}
    elif table == "targets":
        rules |= {"target_year": ("int64", False, between(2020, 2050)),
                  "coverage_target_pct": ("float64", False, lambda v: (v > 0) & (v <= 100)),
                  "denominator": ("str", False, one_of(DENOMINATORS)), "target_source": ("str", False, text()),
                  "target_year_assumed": ("bool", False, None)}
    elif table == "plans":
        rules |= {"year": ("Int64", True, between(FIRST_YEAR, LAST_YEAR)), "plan": ("str", False, snake()),
                  "value": ("float64", False, None), "unit": ("str", False, text()),
                  "plan_source": ("str", False, text())}
    elif table == "village_enrolment":
        rules |= {"village_code": ("str", False, lambda v: v.str.match(VILLAGE_CODE)), "active": count}
    elif table == "indicators":
        rules |= {"year": year, "indicator": ("str", False, snake()), "value": ("float64", True, None),
                  "unit": ("str", True, None)}
    return rules


def fast_validate(df: pd.DataFrame, table: str, codes: frozenset[str]) -> pd.DataFrame | None:
    """`df` as `schema(table, codes)` returns it when `df` meets every rule as it stands (columns,
    dtypes, filled cells, value rules, the table's cross-column rules, a unique key), checked with
    whole-column operations; None otherwise, and `validate` then asks pandera, which coerces what it may
    and names each problem. The only coercion done here is the schema's own to Int64, of whole numbers."""
    doc = TABLES[table]
    if not df.columns.is_unique or sorted(map(str, df.columns)) != sorted(c.name for c in doc.columns):
        return None
    coerced = {}
    for col, (dtype, nullable, rule) in _rules(table, codes).items():
        s = df[col]
        if dtype == "Int64" and str(s.dtype) in ("int64", "float64"):
            try:
                s = coerced[col] = s.astype("Int64")
            except (TypeError, ValueError):  # not whole numbers: pandera names the rows
                return None
        if str(s.dtype) != dtype:
            return None
        filled = s.notna()
        if not filled.all():
            if not nullable:
                return None
            s = s[filled]
        if rule is not None and len(s) and not bool(np.asarray(rule(s), dtype=bool).all()):  # type: ignore[operator]
            return None
    if table == "claims" and ((df["claim_count"] == 0) & (df["claim_amount_rp"] > 0)).any():
        return None
    if table == "village_enrolment" and (df["village_code"].str[:5] != df["district_code"]).any():
        return None
    if table == "workforce" and any(((df[c] > df["working_population"]).fillna(False)).any()
                                    for c in ("employees", "informal_workers")):
        return None
    if df.duplicated(subset=list(doc.key)).any():
        return None
    return df.assign(**coerced) if coerced else df


def failure_problems(cases: pd.DataFrame, table: str, file: str | None) -> list[Problem]:
    problems = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = None if pd.isna(case.column) or case.column == table else str(case.column)
        row = None if pd.isna(case.index) else int(case.index)
        value = None if pd.isna(case.failure_case) else case.failure_case
        if check == "column_in_dataframe":
            rule, column, value = "required column is missing", str(value), None
        elif check == "column_in_schema":
            rule, column, value = "column is not part of the table", str(value), None
        elif check.startswith("dtype("):
            rule = f"wrong type: expected {check[6:-1]}, found {value}"
            value = None
        elif check == "field_uniqueness" or check == "multiple_fields_uniqueness":
            rule = "duplicate key (" + ", ".join(TABLES[table].key) + ")"
        elif check == "not_nullable":
            rule, value = "value is required", None
        elif check.startswith("coerce_dtype"):
            rule = f"cannot be read as {check.split('(')[-1].rstrip(')')}"
        else:
            rule = check
        problems.append(Problem(rule, file=file, row=row, column=column, value=value))
    # pandera reports a duplicate once per offending row; keep them, sorted by row for reading.
    problems.sort(key=lambda p: (p.row is None, p.row or 0, p.column or ""))
    return problems


def describe() -> str:
    """The data dictionary as Markdown, generated from TABLES."""
    out = []
    for doc in TABLES.values():
        out.append(f"### `{doc.name}`\n\nOne row per {doc.grain}. Unique key: {', '.join(doc.key)}.\n")
        out.append("| column | type | unit | rule | meaning |\n|---|---|---|---|---|")
        out += [f"| `{c.name}` | {c.kind} | {c.unit} | {c.rule} | {c.meaning} |" for c in doc.columns]
        out.append("")
    return "\n".join(out)
