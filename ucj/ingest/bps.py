"""Importers for BPS files: dynamic-table CSV/XLSX exports and WebAPI JSON responses.

A known poverty variable (P0, P1, P2, number of poor, poverty line) becomes columns of the
`poverty` table; any other variable goes to the long `indicators` table, so nothing a planner
imports is thrown away.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ucj import __version__
from ucj.core.errors import Problem, UcjInputError
from ucj.ingest.common import ImportResult, finish, resolve_column
from ucj.ingest.reader import decode, read_grid
from ucj.core.numbers import parse_series
from ucj.data.registry import Registry, load_registry


@dataclass(frozen=True)
class Variable:
    table: str
    column: str
    scale: float = 1.0
    unit: str = ""


# Recognised by words in the BPS title (lower case) or by WebAPI variable id.
KNOWN_VARIABLES: list[tuple[str, Variable]] = [
    (r"\(p0\)|persentase penduduk miskin", Variable("poverty", "p0", 1.0, "%")),
    (r"\(p1\)|kedalaman kemiskinan", Variable("poverty", "p1", 1.0, "index")),
    (r"\(p2\)|keparahan kemiskinan", Variable("poverty", "p2", 1.0, "index")),
    (r"jumlah penduduk miskin.*ribu", Variable("poverty", "poor_population", 1000.0, "persons")),
    (r"jumlah penduduk miskin", Variable("poverty", "poor_population", 1.0, "persons")),
    (r"garis kemiskinan", Variable("poverty", "poverty_line_rp", 1.0, "Rp/capita/month")),
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


def import_bps_table(path: str | Path, indicator: str | None = None, allow_unmatched: bool = False,
                     registry: Registry | None = None) -> ImportResult:
    """Import a BPS dynamic-table export: a title line, a line of years, then one row per region.

    Province rows (in capitals) set the province for the districts below them; "-" is missing;
    the trailing note ("Catatan") and blank lines end the table.
    """
    file = str(path)
    grid = read_grid(path, header_rows=2)
    rows = grid.rows
    if len(rows) < 3:
        raise UcjInputError.one("too few lines for a BPS table (title, years, regions)", file=file)
    title = str(rows[0][1] if len(rows[0]) > 1 and rows[0][1] else rows[0][0] or "")
    years_row = rows[1]
    year_cols: list[tuple[int, int]] = []
    problems: list[Problem] = []
    for j, cell in enumerate(years_row[1:], start=1):
        if cell is None:
            continue
        text = str(cell).strip().split(".")[0]
        if re.fullmatch(r"(19|20)\d\d", text):
            year_cols.append((j, int(text)))
        else:
            problems.append(Problem("expected a year in the header", file=file, row=grid.line_numbers[1],
                                    column=f"column {j + 1}", value=cell))
    if not year_cols:
        problems.append(Problem("no year columns in the second header line", file=file, row=grid.line_numbers[1]))
    if problems:
        raise UcjInputError(problems)
    var = variable_for(title, indicator)
    reg = registry or load_registry()
    names, provs, lines, values = [], [], [], []
    province: str | None = None
    for r, line in zip(rows[2:], grid.line_numbers[2:]):
        label = None if not r or r[0] is None else str(r[0]).strip()
        if label is None:
            if all(c is None for c in r):
                continue
            problems.append(Problem("region name is empty", file=file, row=line, column="column 1"))
            continue
        if label.lower().startswith("catatan") or label.lower().startswith("sumber"):
            break
        if label.upper() == label and any(ch.isalpha() for ch in label):
            try:
                province = reg.resolve_province(label)
            except UcjInputError as err:
                problems.append(Problem(err.problems[0].rule, file=file, row=line, column="column 1", value=label))
            continue
        names.append(label)
        provs.append(province)
        lines.append(line)
        values.append([r[j] if j < len(r) else None for j, _ in year_cols])
    if problems:
        raise UcjInputError(problems)
    if not names:
        raise UcjInputError.one("no district rows found", file=file)
    idx = pd.Index(lines, name="row")
    codes, unmatched = resolve_column(pd.Series(names, index=idx), registry=reg, file=file, column="column 1",
                                      provinces=pd.Series(provs, index=idx))
    wide = pd.DataFrame(values, index=idx, columns=[y for _, y in year_cols], dtype="object")
    parsed = {}
    for year in wide.columns:
        vals, bad = parse_series(wide[year], decimal=".")
        for row in wide.index[bad.to_numpy()]:
            problems.append(Problem("text in a numeric column", file=file, row=int(row), column=str(year),
                                    value=wide.at[row, year]))
        parsed[year] = vals
    long = pd.DataFrame(parsed, index=idx).assign(district_code=codes).melt(
        id_vars="district_code", var_name="year", value_name="value", ignore_index=False
    )
    long["year"] = long["year"].astype("int64")
    source = f"BPS table: {title.strip()} ({Path(file).name})"
    df = _long_to_table(long, var, source)
    dup = df.duplicated(["district_code", "year"] + (["indicator"] if var.table == "indicators" else []), keep=False)
    for row in df.index[dup.to_numpy() & df["district_code"].notna().to_numpy()].unique():
        problems.append(Problem("duplicate key (district appears twice)", file=file, row=int(row), column="column 1",
                                value=names[lines.index(row)]))
    return finish(df, var.table, file=file, registry=reg, problems=problems, unmatched=unmatched, allow_unmatched=allow_unmatched,
                  district_column="column 1", importer=f"ucj.ingest.bps.import_bps_table {__version__}", inputs=[file])


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
    text = decode(p.read_bytes(), p)
    if not text.strip():
        raise UcjInputError.one("file is empty", file=file)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise UcjInputError.one(f"not valid JSON: {err.msg}", file=file, row=err.lineno) from None
    missing = [k for k in ("var", "vervar", "tahun", "turvar", "turtahun", "datacontent") if k not in doc]
    if missing:
        raise UcjInputError([Problem("missing key of a BPS WebAPI response", file=file, column=k) for k in missing])
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
                    years.append(int(str(th["label"])[:4]))
                    values.append(content.get(key))
                    keys.append(key)
    idx = pd.Index(keys, name="row")
    codes, unmatched = resolve_column(pd.Series(names, index=idx), registry=reg, file=file, column="vervar",
                                      bps_codes=pd.Series(bps_codes, index=idx))
    vals, bad = parse_series(pd.Series(values, index=idx, dtype="object"), decimal=".")
    problems = [Problem("text in a numeric value", file=file, column=f"datacontent[{k}]", value=v)
                for k, v, b in zip(keys, values, bad) if b]
    long = pd.DataFrame({"district_code": codes, "year": years, "value": vals}, index=idx)
    df = _long_to_table(long, var, f"BPS WebAPI var {var_id}: {title} ({p.name})")
    df.index = pd.RangeIndex(1, len(df) + 1, name="row")
    unmatched["row"] = [keys.index(k) + 1 for k in unmatched["row"]] if len(unmatched) else unmatched["row"]
    return finish(df, var.table, file=file, registry=reg, problems=problems, unmatched=unmatched, allow_unmatched=allow_unmatched,
                  district_column="vervar", importer=f"ucj.ingest.bps.import_bps_webapi {__version__}", inputs=[file])
