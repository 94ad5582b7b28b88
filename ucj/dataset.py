"""Loading the tidy tables: `ucj.load(data_dir)` returns a validated Dataset with provenance."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ucj.cache import cache_dir
from ucj.errors import UcjInputError
from ucj.io.files import read_parquet_metadata, sha256_file
from ucj.schema import SYNTHETIC_SOURCE, TABLES, validate

DEFAULT_DATA_DIR = Path("data/demo")


@dataclass
class TableInfo:
    """Where one table came from: its file, hash and whether it is synthetic."""

    file: str
    sha256: str
    rows: int
    synthetic: bool
    sources: list[str]


@dataclass
class Dataset:
    """The loaded tables plus their provenance, which reports read rather than guess."""

    tables: dict[str, pd.DataFrame]
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
    def any_synthetic(self) -> bool:
        return any(i.synthetic for i in self.info.values())

    def synthetic_tables(self) -> list[str]:
        return [name for name, i in self.info.items() if i.synthetic]

    def provenance(self) -> dict[str, dict[str, object]]:
        return {name: vars(i) for name, i in self.info.items()}


def load(*data_dirs: str | Path, validate_tables: bool = True, trust_cache: bool = True) -> Dataset:
    """Load every table found in the given folders; a later folder's table replaces an earlier one.

    `ucj.load("data/demo", "data/processed")` reads the demo data and puts imported real tables
    (say, BPS poverty) in place of the synthetic ones. A file that passed validation before (same
    sha256, same schema code) is not validated again unless `trust_cache` is False.
    """
    dirs = [Path(d) for d in (data_dirs or (DEFAULT_DATA_DIR,))]
    tables: dict[str, pd.DataFrame] = {}
    info: dict[str, TableInfo] = {}
    for d in dirs:
        if not d.is_dir():
            raise UcjInputError.one("data folder not found (run `make demo` to build the demo data)", file=str(d))
        for name in TABLES:
            path = d / f"{name}.parquet"
            if not path.exists():
                continue
            df = pd.read_parquet(path)
            digest = sha256_file(path)
            if validate_tables and not (trust_cache and _validated_before(digest, name)):
                df = validate(df, name, file=str(path))
                _remember_validated(digest, name)
            meta = read_parquet_metadata(path)
            sources = sorted(df["source"].unique().tolist()) if len(df) else []
            synthetic = bool(meta.get("synthetic")) or SYNTHETIC_SOURCE in sources
            df.attrs["synthetic"] = synthetic
            tables[name] = df
            info[name] = TableInfo(str(path), digest, len(df), synthetic, sources)
    if not tables:
        raise UcjInputError.one("no tables found", file=", ".join(map(str, dirs)))
    return Dataset(tables, info)


def _validation_marker(digest: str, table: str) -> Path:
    """A file that says: this exact file (by sha256) passed this exact schema (by its source hash)."""
    return cache_dir() / "validated" / f"{table}-{digest}-{_schema_fingerprint()}"


@lru_cache(maxsize=1)
def _schema_fingerprint() -> str:
    import ucj.registry
    import ucj.schema

    text = Path(ucj.schema.__file__).read_bytes() + Path(ucj.registry.__file__).read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


def _validated_before(digest: str, table: str) -> bool:
    return _validation_marker(digest, table).exists()


def _remember_validated(digest: str, table: str) -> None:
    marker = _validation_marker(digest, table)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only cache only costs a validation next time
