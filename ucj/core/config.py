"""The one place that knows where things are.

Resources ship inside the package and are found with importlib.resources, so an installed wheel
works from any folder: the report notebooks (`ucj.notebooks`, built from the top-level
`notebooks/` folder), the published facts (`ucj.published`, from `data/published/`) and the
report stylesheet (`ucj.resources`). Working folders (demo data, processed imports, reports) are
relative to the current folder unless the caller names them.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

DEMO_DIR = Path("data/demo")
PROCESSED_DIR = Path("data/processed")
RAW_DIR = Path("data/raw")  # files as fetched (ucj fetch bps), only ever read after
REPORTS_DIR = Path("reports")
DATA_DIR_ENV = "UCJ_DATA_DIR"


def _resource(package: str, name: str) -> Path:
    path = Path(str(files(package) / name))
    if not path.exists():
        raise FileNotFoundError(f"ucj resource missing from the installation: {package}/{name}")
    return path


def notebook(name: str) -> Path:
    """A report notebook shipped with ucj, e.g. notebook("district_report")."""
    return _resource("ucj.notebooks", f"{name}.ipynb")


def notebooks_dir() -> Path:
    return notebook("district_report").parent


def published_file(name: str) -> Path:
    """A file of published facts (data/published in the source tree)."""
    return _resource("ucj.published", name)


def resource(name: str) -> Path:
    """A file shipped in ucj.resources (e.g. the district registry snapshot)."""
    return _resource("ucj.resources", name)


def stylesheet(name: str = "report") -> str:
    """A stylesheet: `report` for every report view (notebook and page), `page` for code-free pages only."""
    return _resource("ucj.resources", f"{name}.css").read_text(encoding="utf-8")


def default_data_dirs(start: Path | None = None) -> tuple[str, ...]:
    """Where to read data when none is named.

    UCJ_DATA_DIR (folders separated by ';') if set; else the first `data/demo` found in the current
    folder or above it, so that a notebook opened in `notebooks/` and papermill run from the
    repository root find the same demo data; else `data/demo` (reported missing when loaded).
    """
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return tuple(p.strip() for p in env.split(";") if p.strip())
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DEMO_DIR).is_dir():
            # relative to the current folder, so no machine path reaches a report's parameters
            return (os.path.relpath(folder / DEMO_DIR, here) if start is None else str(folder / DEMO_DIR),)
    return (str(DEMO_DIR),)


MAPPINGS_DIR = Path("data/mappings")


def mappings_dir(start: Path | None = None) -> Path | None:
    """The example column mappings (data/mappings) in the current folder or above it, if any: the
    importers name one that fits a file they cannot read."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MAPPINGS_DIR).is_dir():
            return folder / MAPPINGS_DIR
    return None


def source_checkout() -> Path | None:
    """The git checkout ucj runs from (an editable install), or None for an installed wheel."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / ".git").exists() and (root / "pyproject.toml").is_file() else None


def requirements_lock() -> Path | None:
    """The checkout's requirements.lock (the pinned libraries), or None outside a checkout."""
    root = source_checkout()
    return root / "requirements.lock" if root is not None and (root / "requirements.lock").is_file() else None


def split_dirs(data_dir: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Data folders from a ';'-separated text or a list; empty means the default (ucj.core.config)."""
    if isinstance(data_dir, (list, tuple)):
        dirs = tuple(str(d) for d in data_dir)
    else:
        dirs = tuple(p.strip() for p in str(data_dir or "").split(";") if p.strip())
    return dirs or default_data_dirs()


def participants_key_file() -> Path:
    """The secret key of the keyed NIK hashes (HMAC-SHA256) that let a candidate list be compared with
    earlier ones without keeping raw NIKs: $UCJ_KEY_FILE, else $XDG_CONFIG_HOME/ucj/participants.key
    (~/.config/ucj/...). It lives outside every run folder, so a run copied elsewhere carries no key."""
    env = os.environ.get("UCJ_KEY_FILE", "").strip()
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "ucj" / "participants.key"


BPS_KEY_ENV = "UCJ_BPS_KEY"


def bps_key_file() -> Path:
    """The user's BPS WebAPI key (ucj fetch bps), when not in $UCJ_BPS_KEY: $UCJ_BPS_KEY_FILE, else
    $XDG_CONFIG_HOME/ucj/bps.key (~/.config/ucj/bps.key). Outside every data and run folder, so no copy of
    the data carries it; the file must be readable by its owner only (mode 0600)."""
    env = os.environ.get("UCJ_BPS_KEY_FILE", "").strip()
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "ucj" / "bps.key"
