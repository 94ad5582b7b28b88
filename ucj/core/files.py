"""Writing outputs whole or not at all, and the manifest that records what made them."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# A cell beginning with one of these can run as a formula when a spreadsheet opens a CSV or XLSX file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_csv_text(value: object) -> object:
    """Text from the data made safe for a CSV a spreadsheet may open: a string beginning with =, +, -, @,
    a tab or a carriage return gets a leading apostrophe (OWASP "CSV injection"), so it is read as text,
    never run as a formula. Other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell passed through `safe_csv_text` (numbers untouched)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_csv_text)
    return out


def write_csv(target: str | os.PathLike[str], df: pd.DataFrame) -> None:
    """A CSV file with safe text cells, written whole or not at all."""
    with atomic_path(target) as tmp:
        safe_csv_frame(df).to_csv(tmp, index=False)


def write_text(target: str | os.PathLike[str], text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(target: str | os.PathLike[str], data: object) -> None:
    write_text(target, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n")


def write_parquet(target: str | os.PathLike[str], df: pd.DataFrame, metadata: dict[str, object]) -> None:
    """Write a table with our metadata (e.g. the synthetic label) inside the file itself."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"ucj"] = json.dumps(metadata, sort_keys=True).encode()
    table = table.replace_schema_metadata(meta)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def read_parquet_metadata(path: str | os.PathLike[str]) -> dict[str, object]:
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"ucj")
    return json.loads(raw) if raw else {}
