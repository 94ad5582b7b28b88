"""The store of derived data: what loading and the all-district analysis make from a data folder,
computed once per dataset rather than once per process (like jupyter-cache or Quarto's freeze).

An entry is keyed on every byte the computation reads (each table file, its cell provenance file and
the folder's manifest, in folder order), the district registry it was validated against, everything
ucj ships (its source, the schema and the analysis included, its resources, notebooks and published
facts) and the versions of Python, pandas, numpy and pyarrow. A changed byte, a changed line of code or a new library version is another key, so a stale
entry is never read: it is computed again. An entry holds exactly what computing returns (frames with
their dtypes and attrs), pickled, written atomically (ucj.core.files.atomic_path).

The store lives in the user's cache folder ($UCJ_STORE, else $XDG_CACHE_HOME/ucj/store, else
~/.cache/ucj/store), never inside a data folder: a data folder may be read-only (a reviewer's copy),
is copied into run bundles, and may come from someone else, and an entry is a pickle, which only the
user's own process may have written. `UCJ_STORE=off` turns it off. A store that cannot be written
(read-only, full) is skipped without a word: it only saves time, and deleting it changes no figure.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from pathlib import Path
from typing import Callable, TypeVar

STORE_ENV = "UCJ_STORE"
KEEP_BYTES = 2 << 30  # the store's size: the least recently used entries beyond it are removed
FORMAT = 1  # bumped when what an entry holds changes shape

T = TypeVar("T")
_CODE: list[str] = []


def store_dir() -> Path | None:
    """The store's folder, or None when it is turned off (UCJ_STORE=off)."""
    env = os.environ.get(STORE_ENV, "").strip()
    if env.lower() in ("off", "0", "no", "false"):
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "ucj" / "store"


def code_fingerprint() -> str:
    """sha256 of everything ucj ships: its Python source (schema, loading, analysis, ...), its resources
    (catalogues, stylesheets, templates, registry), its notebooks and its published facts. An edited line,
    a reworded catalogue entry or a corrected published figure is another key, even where the version
    number stays the same (an editable install). Computed once per process (about 2.6 MB read)."""
    if not _CODE:
        from ucj.core.config import notebooks_dir, published_file

        roots = [("ucj", Path(__file__).resolve().parents[1]), ("notebooks", notebooks_dir().resolve()),
                 ("published", published_file("national_figures.csv").resolve().parent)]
        h = hashlib.sha256()
        for label, root in roots:
            for path in sorted(p for p in root.rglob("*") if p.is_file() and _shipped(p)):
                h.update(f"{label}/{path.relative_to(root).as_posix()}".encode())
                h.update(path.read_bytes())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def _shipped(path: Path) -> bool:
    """A file ucj ships (not bytecode, not an editor's or the OS's leftovers)."""
    return "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo", ".swp"} \
        and not path.name.startswith(".")


def versions() -> dict[str, str]:
    """The versions an entry depends on besides the data: ucj's code, Python and the libraries."""
    import numpy
    import pandas
    import pyarrow

    ucj = sys.modules.get("ucj")  # the package itself (not imported from here: ucj imports the data layer)
    return {"format": str(FORMAT), "ucj": str(getattr(ucj, "__version__", "")), "code": code_fingerprint(),
            "python": ".".join(map(str, sys.version_info[:3])), "pandas": pandas.__version__,
            "numpy": numpy.__version__, "pyarrow": pyarrow.__version__}


def make_key(kind: str, inputs: object) -> str:
    """The key of an entry: its kind, its inputs (JSON-able: file hashes, parameters) and `versions()`."""
    text = json.dumps({"kind": kind, "inputs": inputs, "versions": versions()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _path(key: str) -> Path | None:
    root = store_dir()
    return None if root is None else root / key[:2] / f"{key}.pickle"


def get(key: str) -> object | None:
    """The entry under `key`, or None (no store, no entry, or an entry that cannot be read)."""
    path = _path(key)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            found = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged entry is a miss; the value is computed again
        return None
    try:
        os.utime(path)  # recently used: pruned last
    except OSError:
        pass
    return found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == key else None


def put(key: str, value: object) -> bool:
    """Write `value` under `key`, whole or not at all; False (and nothing written) where the store cannot
    be written."""
    from ucj.core.files import atomic_path

    path = _path(key)
    if path is None:
        return False
    try:
        path.parent.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                pickle.dump((key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.chmod(tmp, 0o600)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    _prune(path.parent.parent)
    return True


def cached(key: str, compute: Callable[[], T]) -> T:
    """The entry under `key`, else `compute()` stored under it."""
    found = get(key)
    if found is not None:
        return found  # type: ignore[return-value]
    value = compute()
    put(key, value)
    return value


def derived(dataset_key: str, kind: str, inputs: list[object], compute: Callable[[], T]) -> T:
    """`compute()` for a dataset read through the store (`dataset_key`: its Dataset.store_key), stored under
    the dataset's key, `kind` and `inputs` (JSON-able parameters); without a key, simply `compute()`."""
    if not dataset_key:
        return compute()
    return cached(make_key(kind, [dataset_key, *inputs]), compute)


def _prune(root: Path) -> None:
    """Remove the least recently used entries beyond KEEP_BYTES (a store grows by a few entries per
    dataset and version)."""
    try:
        entries = sorted(((p.stat(), p) for p in root.glob("*/*.pickle")), key=lambda e: e[0].st_mtime, reverse=True)
        total = 0
        for st, path in entries:
            total += st.st_size
            if total > KEEP_BYTES:
                path.unlink(missing_ok=True)
    except OSError:
        pass
