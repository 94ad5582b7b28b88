"""What a run folder records so a reviewer can copy it elsewhere and check it (`ucj verify`).

`run.json` gets the environment (ucj version and git commit, Python, the locked libraries, the
platform) and, per report, its parameters, the notebook's sha256, each data table's sha256, rows,
sources and synthetic flag, each output file's sha256 and the timings. `data_manifest.json` lists the
tables the run read and how to get them again. Every path written is relative to the run folder.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from ucj import __version__
from ucj.core.config import requirements_lock, source_checkout
from ucj.core.stamp import relative_folder

DATA_MANIFEST = "data_manifest.json"


def relative(path: str | os.PathLike[str], start: Path) -> str:
    """`path` relative to `start` (with '..' where needed), in '/' form: what a copied bundle can follow.
    When the two share nothing but the file system's root (a data folder in /tmp, the run in /home), the
    '..' chain would only spell out this machine's folders: the name alone is recorded (outputs never carry
    a machine's paths; a reviewer names the data folders anyway)."""
    rel = relative_folder(path, start)
    return Path(path).resolve().name if rel is None else rel


def locked_names() -> list[str]:
    """The libraries whose versions a run records: those pinned in requirements.lock (source checkout),
    else ucj's declared dependencies (installed wheel)."""
    lock = requirements_lock()
    if lock is not None:
        names = [m.group(1) for line in lock.read_text(encoding="utf-8").splitlines()
                 if (m := re.match(r"\s*([A-Za-z0-9_.\-]+)\s*==", line))]
    else:
        try:
            names = [re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0] for r in metadata.requires("ucj") or []]
        except metadata.PackageNotFoundError:
            names = []
    return sorted({n.lower().replace("_", "-") for n in names if n})


def git_commit() -> str | None:
    """The source checkout's commit, with '-dirty' if it has uncommitted changes; None outside git."""
    root = source_checkout()
    if root is None:
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        # GIT_OPTIONAL_LOCKS=0: a probe never writes the checkout's index (a process killed or limited while
        # git refreshed it would leave index.lock behind and block the user's next commit)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True,
                               env=dict(os.environ, GIT_OPTIONAL_LOCKS="0")).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-dirty" if dirty else head


def library_version(name: str) -> str | None:
    """`importlib.metadata.version(name)`, None when it is not installed, read from the metadata's header alone:
    `version` parses the whole METADATA file as an e-mail message, its long description included (most of the
    0.06 CPU-s a command spent on some 200 libraries). The header ends at the first empty line, and the version
    is its `Version` field, parsed by the same e-mail parser, so the value is the same."""
    import email.parser

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    if text is None:
        return metadata.version(name)
    header = text.replace("\r\n", "\n").split("\n\n", 1)[0]
    value = email.parser.HeaderParser().parsestr(header).get("Version")
    return metadata.version(name) if value is None else value


def environment() -> dict[str, object]:
    """What the run was made with; `ucj verify` lists any difference from the reviewer's as a warning."""
    libraries = {name: library_version(name) for name in locked_names()}
    return {"ucj": __version__, "git_commit": git_commit(), "python": platform.python_version(),
            "implementation": sys.implementation.name, "platform": platform.platform(),
            "machine": platform.machine(), "libraries": libraries}


def _folder_info(folder: Path) -> dict[str, object]:
    import json

    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict):
        return {}
    return {k: manifest[k] for k in ("synthetic", "seed", "generator", "notice") if k in manifest}


def table_sources(path: Path) -> tuple[int, list[str]]:
    """Rows and distinct `source` values of a table file (its row count from the footer, one column read).
    The column is read through ParquetFile, dictionary-encoded: pq.read_table would import Arrow's dataset
    layer and decode every row's text (about 0.19 CPU-s of a batch's start on the demo data, where this
    takes 0.01; the same values)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rows = pq.read_metadata(path).num_rows
    try:
        col = pq.ParquetFile(path, read_dictionary=["source"]).read(columns=["source"]).column("source")
        return rows, sorted(str(v) for v in pc.unique(col).to_pylist() if v is not None)
    except (KeyError, ValueError):
        return rows, []


def data_manifest(folders: tuple[str, ...], files: tuple[tuple[int, str, str], ...], run_dir: Path,
                  lang: str = "en") -> dict[str, object]:
    """The tables a run read (the later folder's wins, as ucj.load does) and how to get them again; each
    table's sources as a reader cites them in the run's language (never an internal name)."""
    from ucj.core.files import read_parquet_metadata
    from ucj.data.schema import SYNTHETIC_SOURCE
    from ucj.presentation.i18n import check_lang
    from ucj.presentation.tables import source_text

    tables: dict[str, dict[str, object]] = {}
    infos = [_folder_info(Path(f)) for f in folders]
    for i, name, digest in files:
        rows, sources = table_sources(Path(folders[i]) / name)
        one = {"file": name, "folder": relative(folders[i], run_dir), "sha256": digest, "rows": rows,
               # labelled as ucj.load labels it: the table's own metadata, or a synthetic source row
               "sources": sorted({source_text(x, check_lang(lang)) for x in sources}),
               "synthetic": bool(read_parquet_metadata(Path(folders[i]) / name).get("synthetic"))
               or SYNTHETIC_SOURCE in sources}
        table = name.removesuffix(".parquet")
        if table in tables:  # the same table in a later folder: ucj.load merges it into the earlier one
            merged = tables[table]
            parts = merged.pop("merged_from", None) or [dict(merged)]
            tables[table] = {"file": " + ".join(str(p["file"]) for p in [*parts, one]),
                             "sha256": "+".join(str(p["sha256"]) for p in [*parts, one]),
                             "sources": sorted({s for p in [*parts, one] for s in p["sources"]}),  # type: ignore[attr-defined]
                             "synthetic": any(bool(p["synthetic"]) for p in [*parts, one]),
                             "merged_from": [*parts, one]}
        else:
            tables[table] = one
    for info in infos:  # the demo's notice in the run's language (F11: run records in the run's language)
        if info.get("notice") and str(info.get("generator", "")).startswith("ucj.ingest.demo"):
            from ucj.presentation.i18n import t

            info["notice"] = t("manifest.demo_notice", check_lang(lang))
    return {"folders": [{"path": relative(f, run_dir)} | info for f, info in zip(folders, infos)],
            "tables": dict(sorted(tables.items())), "how_to_get": how_to_get(folders, infos, run_dir, lang)}


def how_to_get(folders: tuple[str, ...], infos: list[dict[str, object]], run_dir: Path,
               lang: str = "en") -> list[str]:
    """One line per data folder saying how a reviewer gets the same bytes, in the run's language."""
    from ucj.presentation.i18n import check_lang, tf

    lines = []
    for f, info in zip(folders, infos):
        rel = relative(f, run_dir)
        if info.get("synthetic") and "seed" in info:
            lines.append(tf("manifest.how_to_get_demo", check_lang(lang), folder=rel, seed=info["seed"]))
        else:
            lines.append(tf("manifest.how_to_get_real", check_lang(lang), folder=rel))
    return lines
