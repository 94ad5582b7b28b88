"""What every importer shares: district resolution, number parsing, validation, and writing
processed tables with a manifest."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ucj import __version__
from ucj.core.errors import Problem, UcjInputError
from ucj.core.config import PROCESSED_DIR
from ucj.core.files import atomic_path, files_transaction, safe_csv_frame, sha256_file, write_json, write_parquet
from ucj.data.dataset import merge_cells, read_table, row_provenance, value_columns
from ucj.core.numbers import Decimal, ambiguous_grouping, one_group, parse_series
from ucj.data.registry import KABUPATEN, NumberingConflict, Registry
from ucj.data.schema import TABLES, validate



@dataclass
class ImportResult:
    """A validated table from one import, with what could not be matched (never dropped silently)."""

    table: str
    frame: pd.DataFrame
    inputs: list[str]
    importer: str
    registry: Registry
    unmatched: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["row", "name", "reason"])
    )
    # what was read of each input (by its path): the sheet, hidden sheets passed over, the text encoding
    read: dict[str, dict[str, object]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the importer decided that a reader should know

    def summary(self) -> str:
        lines = [f"{self.table}: {len(self.frame)} rows from {', '.join(Path(i).name for i in self.inputs)}"]
        for i in self.inputs:
            how = self.read.get(i, {})
            if "sheet" in how:
                hidden = how.get("hidden_sheets_skipped")
                names = ", ".join(str(h) for h in hidden) if isinstance(hidden, list) else ""
                lines.append(f"read sheet '{how['sheet']}' of {Path(i).name}" + (
                    f" (the first visible one; hidden sheets passed over: {names})" if names else ""))
            if "encoding" in how and not str(how["encoding"]).startswith("utf-8"):
                lines.append(f"read {Path(i).name} as {how['encoding']}")
        if len(self.unmatched):
            lines.append(f"{len(self.unmatched)} rows not matched to a district (listed in the manifest):")
            lines += [f"  row {r.row}: {r.name}: {r.reason}" for r in self.unmatched.itertuples()]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def resolve_column(
    names: pd.Series,
    *,
    registry: Registry,
    file: str,
    column: str,
    provinces: pd.Series | None = None,
    bps_codes: pd.Series | None = None,
    bare_kind: str | None = KABUPATEN,
    years: pd.Series | None = None,
    scheme: str | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Resolve district names (or codes) row by row; return codes and the unmatched rows.

    `years` (the data year of each row) lets a province be read as it was then (province history).
    `scheme` is the numbering the file's column declares ("kemendagri" or "bps") for codes written without a
    dot; without it such a code is read only where both numberings mean the same district.
    """
    reg = registry
    codes, unmatched = [], []
    cache: dict[tuple[object, ...], tuple[str | None, str | None]] = {}
    for i, row in enumerate(names.index):
        name = names.iloc[i]
        prov = None if provinces is None else provinces.iloc[i]
        bps = None if bps_codes is None else bps_codes.iloc[i]
        year = None if years is None else _year_or_none(years.iloc[i])
        key = (name, prov, bps, year)
        if key not in cache:
            try:
                if name is None or (isinstance(name, float) and np.isnan(name)):
                    raise UcjInputError.one("district is empty")
                if bps is not None:
                    cache[key] = (reg.resolve_bps(str(bps), str(name)), None)
                else:
                    cache[key] = (reg.resolve(str(name), province=prov, bare_kind=bare_kind, year=year,
                                              scheme=scheme), None)
            except NumberingConflict as err:
                cache[key] = (None, f"{err.problems[0].rule}, or say the column's numbering in the mapping "
                                    f"(\"code_scheme\": \"kemendagri\" or \"bps\")")
            except UcjInputError as err:
                cache[key] = (None, err.problems[0].rule)
        code, reason = cache[key]
        codes.append(code)
        if reason:
            unmatched.append((row, name, reason))
    out = pd.Series(codes, index=names.index, dtype="str")
    return out, pd.DataFrame(unmatched, columns=["row", "name", "reason"]).drop_duplicates(["row", "name"])


def _year_or_none(value: object) -> int | None:
    try:
        year = int(float(str(value).strip()))
    except (TypeError, ValueError, OverflowError):
        return None
    return year if 1900 <= year <= 2100 else None


def unmatched_problems(unmatched: pd.DataFrame, file: str, column: str) -> list[Problem]:
    rows = unmatched.drop_duplicates(["row", "name"])
    return [Problem(r.reason, file=file, row=int(r.row), column=column, value=r.name) for r in rows.itertuples()]


def parse_numbers(
    df: pd.DataFrame, columns: dict[str, str], *, file: str, decimal: Decimal, integer: set[str] = frozenset(),
    scale: dict[str, float] | None = None,
) -> tuple[dict[str, pd.Series], list[Problem]]:
    """Parse numeric columns ({our name: their column}); return values and problems by row."""
    out: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for ours, theirs in columns.items():
        values, bad = parse_series(df[theirs], decimal)
        unsure = pd.Series(False, index=df.index)
        if ambiguous_grouping(df[theirs], decimal) is not None:
            unsure = df[theirs].map(lambda v: isinstance(v, str) and one_group(v.strip(), decimal)).astype(bool)
            other = "," if decimal == "." else "."
            for row in df.index[unsure.to_numpy()]:
                problems.append(Problem(
                    f"ambiguous number: the column writes decimals with '{decimal}', and '{other}' here could group "
                    f"thousands or be a decimal mark typed the other way; no cell of the column decides (write it "
                    f"without '{other}', or as the other cells)", file=file, row=int(row), column=theirs,
                    value=df.at[row, theirs]))
            values = values.where(~unsure.to_numpy())
        for row in df.index[(bad & ~unsure).to_numpy()]:
            problems.append(Problem("text in a numeric column", file=file, row=int(row), column=theirs,
                                    value=df.at[row, theirs]))
        if ours not in PERCENT_COLUMNS and ours != "value":  # "50%" in a count is not 50 people
            pct = df[theirs].map(lambda v: isinstance(v, str) and "%" in v).astype(bool)
            for row in df.index[(pct & ~bad).to_numpy()]:
                problems.append(Problem("a percent sign in a column that is not in percent", file=file,
                                        row=int(row), column=theirs, value=df.at[row, theirs]))
            values = values.where(~pct.to_numpy())
        values = values * (scale or {}).get(ours, 1.0)
        huge = values.notna() & ~np.isfinite(values.fillna(0))
        if ours in integer:
            huge |= values.abs() >= 2**53  # beyond 15-16 digits a count is no longer exact
        for row in df.index[huge.to_numpy()]:
            problems.append(Problem("number too large (a count has at most 15 digits; no infinity)", file=file,
                                    row=int(row), column=theirs, value=df.at[row, theirs]))
        values = values.where(~huge)
        if ours in integer:
            frac = values.notna() & (np.abs(values - np.round(values)) > 1e-9)
            for row in df.index[frac.to_numpy()]:
                problems.append(Problem("must be a whole number", file=file, row=int(row), column=theirs,
                                        value=df.at[row, theirs]))
        out[ours] = values
    return out, problems


_YEAR_TEXT = re.compile(r"^\s*((?:19|20)\d\d)(?:[.,]0+)?\s*$")
_YEAR_FRACTION = re.compile(r"^\s*\d{4}[.,]\d+\s*$")


def parse_years(values: pd.Series, *, file: str, column: str) -> tuple[pd.Series, list[Problem]]:
    """A year column, whatever the file's decimal mark: 2030, "2030", and 2030.0 or "2030.0" (Excel keeps a
    year as a number; a CSV export may print it so) are 2030; "2030.5" is refused as not a whole year, other
    text as not a year. Blank cells stay empty (NaN)."""
    out: list[float] = []
    problems: list[Problem] = []
    for row, value in values.items():
        year: float = np.nan
        rule = None
        if value is None or (isinstance(value, float) and np.isnan(value)) or (isinstance(value, str)
                                                                               and not value.strip()):
            pass
        elif isinstance(value, bool):
            rule = "not a year"
        elif isinstance(value, (int, np.integer)):
            year = float(value)
        elif isinstance(value, (float, np.floating)):
            if float(value).is_integer():
                year = float(value)
            else:
                rule = "a year must be a whole number like 2030, not a fraction"
        else:
            m = _YEAR_TEXT.match(str(value))
            if m:
                year = float(m.group(1))
            elif _YEAR_FRACTION.match(str(value)):
                rule = "a year must be a whole number like 2030, not a fraction"
            else:
                rule = "not a year (write it like 2030)"
        if rule:
            problems.append(Problem(rule, file=file, row=_row(row), column=column, value=value))
        out.append(year)
    return pd.Series(out, index=values.index, dtype="float64"), problems


def province_problems(provinces: pd.Series, registry: Registry, *, file: str, column: str) -> list[Problem]:
    """Rows whose province cell is no province, blamed on the province column (not the district column the
    rows would otherwise fail on); when no cell is a province, one line saying the mapping points at the
    wrong column, with an example value."""
    bad: list[tuple[object, object]] = []
    good = 0
    cache: dict[str, bool] = {}
    for row, value in provinces.items():
        if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
            continue
        text = str(value).strip()
        if text not in cache:
            try:
                registry.resolve_province(text)
                cache[text] = True
            except UcjInputError:
                cache[text] = False
        if cache[text]:
            good += 1
        else:
            bad.append((row, value))
    if bad and not good:
        row, value = bad[0]
        return [Problem(f"no cell of this column is a province (e.g. {value!r}); does the mapping's 'province' "
                        "name the right column?", file=file, row=_row(row), column=column)]
    return [Problem("unknown province", file=file, row=_row(row), column=column, value=value) for row, value in bad]


# Bounds no real district value can pass, each with its reason; a value outside is refused, never
# imported. Kabupaten Bogor, the most populous district, has about 5.7 million residents.
MAX_RESIDENTS = 10_000_000
BOUNDS: dict[str, tuple[float, float, str]] = {
    "poor_population": (0, MAX_RESIDENTS, "at most 10 million poor people (no district has that many residents)"),
    "working_population": (0, MAX_RESIDENTS, "at most 10 million (no district has that many residents)"),
    "employees": (0, MAX_RESIDENTS, "at most 10 million (no district has that many residents)"),
    "informal_workers": (0, MAX_RESIDENTS, "at most 10 million (no district has that many residents)"),
    "potensi_pekerja": (0, MAX_RESIDENTS, "at most 10 million (no district has that many residents)"),
    "active": (0, MAX_RESIDENTS, "at most 10 million participants (more than any district's residents)"),
    "new_registrations": (0, MAX_RESIDENTS, "at most 10 million (more than any district's residents)"),
    "lapsed": (0, MAX_RESIDENTS, "at most 10 million (more than any district's residents)"),
    "claim_count": (0, MAX_RESIDENTS, "at most 10 million claims a month (more than any district's residents)"),
    "poverty_line_rp": (50_000, 5_000_000, "between Rp50,000 and Rp5,000,000 per capita per month"),
    "claim_amount_rp": (0, 1e13, "at most Rp10 trillion a month"),
    "contribution_rp": (0, 1e13, "at most Rp10 trillion a month"),
    "value": (-1e12, 1e12, "within ±10^12"),
}


# Columns in percent units (76.3 for 76.3 %) whose real values are rarely all below 1: a whole column below 1
# is a column of shares (0.763), refused rather than shown as "0.763 %". P1 and P2 are indices and often
# below 1, so they are not among them.
PERCENT_COLUMNS = ("p0", "extreme_poverty_pct", "coverage_target_pct")


def _shares_for_percentages(df: pd.DataFrame, table: str, file: str) -> list[Problem]:
    groups: list[tuple[str, pd.Series]] = [(c, df[c]) for c in PERCENT_COLUMNS if c in df.columns]
    if table == "indicators" and {"unit", "value", "indicator"} <= set(df.columns):
        pct = df[df["unit"].astype(str).str.strip().isin(["%", "persen", "Persen", "percent"])]
        groups += [(f"value ({name})", g["value"]) for name, g in pct.groupby("indicator", sort=True)]
    problems = []
    for column, values in groups:
        v = pd.to_numeric(values, errors="coerce").dropna()
        if len(v) >= 2 and bool(((v >= 0) & (v < 1)).all()) and bool((v > 0).any()):
            example = v[v > 0].iloc[0]
            problems.append(Problem(f"every value is below 1 (e.g. {example:g}): the column holds shares, but it is in "
                                    f"percent; give percentages ({example * 100:g} for {example:g})", file=file,
                                    row=_row(v.index[0]), column=column))
    return problems


def plausibility(df: pd.DataFrame, table: str, file: str) -> list[Problem]:
    """Values no real file holds: not finite, beyond a stated bound, P1 above P0 or P2 above P1,
    and more participants or workers than the district's working population where the file says it."""
    problems: list[Problem] = []
    for col in df.columns:
        if col not in BOUNDS and col not in ("p0", "p1", "p2", "extreme_poverty_pct", "coverage_target_pct"):
            continue
        values = pd.to_numeric(df[col], errors="coerce")
        if not pd.api.types.is_numeric_dtype(values):
            continue
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        inf = np.isinf(arr)
        for row in df.index[inf]:
            problems.append(Problem("not a finite number", file=file, row=_row(row), column=col, value=df.at[row, col]))
        if col in BOUNDS:
            lo, hi, why = BOUNDS[col]
            out = ~inf & ~np.isnan(arr) & (((arr < lo) & (lo != 0)) | (arr > hi))  # below 0: the schema says
            for row in df.index[out]:
                problems.append(Problem(f"implausible value: {why}", file=file, row=_row(row), column=col,
                                        value=df.at[row, col]))
    problems += _shares_for_percentages(df, table, file)
    pairs = [("p1", "p0", "P1 (poverty depth) cannot exceed P0 (headcount)"),
             ("p2", "p1", "P2 (poverty severity) cannot exceed P1 (poverty depth)")]
    for small, big, why in pairs:
        if small in df.columns and big in df.columns:
            a, b = pd.to_numeric(df[small], errors="coerce"), pd.to_numeric(df[big], errors="coerce")
            for row in df.index[(a > b + 1e-9).fillna(False).to_numpy()]:
                problems.append(Problem(f"implausible value: {why}", file=file, row=_row(row), column=small,
                                        value=df.at[row, small]))
    return problems


def _row(row: object) -> int | None:
    try:
        return int(row)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def complete(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Add the table's missing optional columns as empty and order columns as the schema does."""
    from ucj.data.schema import COLUMN_DEFAULTS

    doc = TABLES[table]
    for col in doc.columns:
        if col.name not in df.columns:
            default = COLUMN_DEFAULTS.get((table, col.name))
            df[col.name] = (pd.Series(np.nan, index=df.index, dtype="float64") if default is None
                            else pd.Series(default, index=df.index))
    return df[[c.name for c in doc.columns]]


def finish(
    df: pd.DataFrame, table: str, *, file: str, problems: list[Problem], unmatched: pd.DataFrame,
    allow_unmatched: bool, district_column: str, importer: str, inputs: list[str], registry: Registry,
    read: dict[str, dict[str, object]] | None = None,
    notes: list[str] | None = None,
) -> ImportResult:
    """Validate; raise with every problem found (parsing, matching and schema), or return the result."""
    if len(unmatched) and not allow_unmatched:
        problems = problems + unmatched_problems(unmatched, file, district_column)
    problems = problems + plausibility(df, table, file)
    unreadable = {p.row for p in problems if p.row is not None}
    rows = df[~df.index.isin(list(unreadable)) & df["district_code"].notna().to_numpy()]
    try:
        frame = validate(complete(rows.copy(), table), table, registry.codes, file=file)
    except UcjInputError as err:
        problems = problems + err.problems
    if problems:
        raise UcjInputError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    return ImportResult(table, frame.reset_index(drop=True), inputs, importer, registry, unmatched,
                        read=dict(read or {}), notes=list(notes or []))


def check_columns(df: pd.DataFrame, required: list[str], file: str) -> None:
    """Every required column present, and once: a name written twice would leave it unclear which to read."""
    missing = [c for c in required if c not in df.columns]
    names = [str(c) for c in df.columns]
    twice = sorted({c for c in required if names.count(c) > 1})
    if missing or twice:
        found = ", ".join(f"'{c}'" for c in df.columns if c)
        raise UcjInputError(
            [Problem(f"required column is missing (found: {found})", file=file, row=1, column=c) for c in missing]
            + [Problem(f"column name appears {names.count(c)} times in the header (columns "
                       f"{', '.join(str(i + 1) for i, n in enumerate(names) if n == c)}); keep one", file=file, row=1,
                       column=c) for c in twice]
        )


def shipped_mappings() -> list[tuple[Path, dict[str, object]]]:
    """The example mappings in data/mappings (found from the current folder upward), as raw specs."""
    from ucj.core.config import mappings_dir

    folder = mappings_dir()
    out = []
    for path in sorted(folder.glob("*.json")) if folder else []:
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(spec, dict):
            out.append((path, spec))
    return out


def write_processed(result: ImportResult, out_dir: str | Path = PROCESSED_DIR) -> Path:
    """Merge the result into out_dir/<table>.parquet and record the import, as one transaction.

    Merging is per key and column: a filled cell of the new file wins, every other cell keeps its
    value, so a file with one column or one district never erases the rest. The table, its CSV copy,
    its cell provenance (<table>.cells.parquet) and the manifest are written new and replace the old ones
    together (ucj.core.files.files_transaction), under a lock: a crash or a failed import leaves them as
    they were, concurrent imports run one after the other, and nothing else in the folder is touched
    (not another table, not a log written there meanwhile, not the folder itself).
    """
    out = Path(out_dir)
    with files_transaction(out) as stage:
        _write_into(result, out.resolve(), stage)
    return out / f"{result.table}.parquet"


def write_processed_all(results: list[ImportResult], out_dir: str | Path = PROCESSED_DIR) -> list[Path]:
    """Merge several results into out_dir as ONE transaction (as write_processed does for one): all of
    them land, in order, or none does (e.g. the responses of one `ucj fetch bps`)."""
    out = Path(out_dir)
    with files_transaction(out) as stage:
        for result in results:
            _write_into(result, out.resolve(), stage)
    return [out / f"{r.table}.parquet" for r in results]


def _write_into(result: ImportResult, folder: Path, stage: Path) -> None:
    """Read the table's current files and the manifest from `folder` (or from `stage`, where an earlier
    result of the same transaction wrote them); write their new versions into `stage`."""
    table = result.table

    def current(name: str) -> Path:
        return stage / name if (stage / name).exists() else folder / name

    target = current(f"{table}.parquet")
    cells_path = current(f"{table}.cells.parquet")
    codes = result.registry.codes
    frame, prov = result.frame, row_provenance(result.frame, table)
    if target.exists():
        old = read_table(target, table, codes)
        old_prov = pd.read_parquet(cells_path) if cells_path.exists() else None
        if old_prov is not None and len(old_prov) != len(old):
            old_prov = None
        if old_prov is not None:
            old_prov = old_prov[value_columns(table)]
        frame, prov = merge_cells(old, frame, table, old_prov, prov)
        frame = validate(frame, table, codes, file=str(target))
    new_target, new_cells = stage / target.name, stage / cells_path.name
    write_parquet(new_target, frame, {"synthetic": False, "table": table, "importer": result.importer})
    with atomic_path(new_target.with_suffix(".csv")) as tmp:
        safe_csv_frame(frame).to_csv(tmp, index=False)  # a spreadsheet opening it runs no formula
    key = list(TABLES[table].key)
    prov_file = pd.concat([frame[key].reset_index(drop=True), prov[value_columns(table)].reset_index(drop=True)
                           .astype("str").where(prov[value_columns(table)].reset_index(drop=True).notna(), None)],
                          axis=1)
    write_parquet(new_cells, prov_file, {"table": table, "what": "source of each cell"})
    manifest = read_manifest(current("manifest.json").parent)
    manifest.setdefault("imports", [])
    manifest.pop("outputs", None)
    filled = {c: int(result.frame[c].notna().sum()) for c in value_columns(table) if result.frame[c].notna().any()}
    manifest["imports"].append(
        {
            "table": table,
            "importer": result.importer,
            "ucj_version": __version__,
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "inputs": [{"file": Path(i).name, "sha256": sha256_file(i), **result.read.get(i, {})}
                       for i in result.inputs],
            "rows_imported": len(result.frame),
            "cells_filled": filled,
            "unmatched": result.unmatched.astype("object").to_dict(orient="records"),
            **({"notes": result.notes} if result.notes else {}),
        }
    )
    tables = manifest.setdefault("tables", {})
    tables[table] = {
        "file": target.name,
        "rows": len(frame),
        "sha256": sha256_file(new_target),
        "csv_sha256": sha256_file(new_target.with_suffix(".csv")),
        "cells_file": cells_path.name,
        "cells_sha256": sha256_file(new_cells),
        "columns": {c: {str(k): int(v) for k, v in prov[c].dropna().value_counts().sort_index().items()}
                    for c in value_columns(table)},
    }
    manifest["synthetic"] = False
    write_json(stage / "manifest.json", manifest)


def read_manifest(folder: Path) -> dict[str, object]:
    """A data folder's manifest.json ({} where there is none); a corrupt one is refused in one line, never
    overwritten (it records where every table came from)."""
    path = Path(folder) / "manifest.json"
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        where = (f"line {err.lineno}, column {err.colno}" if isinstance(err, json.JSONDecodeError) else
                 "not UTF-8 text" if isinstance(err, UnicodeDecodeError) else "nested too deep")
        raise UcjInputError.one(f"the manifest is not readable JSON ({where}); restore it from a copy, or move it "
                                "away to start the folder's record anew", file=str(path)) from None
    except RecursionError:
        raise UcjInputError.one("the manifest is not readable JSON (nested too deep); restore it from a copy, or "
                                "move it away to start the folder's record anew", file=str(path)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("imports", []), list) \
            or not isinstance(manifest.get("tables", {}), dict):
        raise UcjInputError.one("the manifest is not a ucj manifest (an object with 'imports' and 'tables'); restore "
                                "it from a copy, or move it away", file=str(path))
    return manifest
