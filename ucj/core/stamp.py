"""What made an output: when (with time zone), which ucj (version and git commit), from which data
(short table hashes), so every page can say when, from what and how it was made.

The commit comes from `git rev-parse` only when ucj runs from a source checkout (a folder holding
its pyproject.toml and .git); an installed wheel reports the commit recorded by pip in its
metadata (PEP 610 direct_url.json) when it was installed from a VCS URL, else none. Paths shown to a
reader are made relative (`portable_path`), never absolute paths of the machine.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import subprocess
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

SHORT_HASH = 12


def _checkout_root() -> Path | None:
    """The source checkout ucj runs from, if any (an editable install or a plain checkout)."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if (root / ".git").exists() and pyproject.is_file() and 'name = "ucj"' in pyproject.read_text("utf-8"):
        return root
    return None


def _git(root: Path, *args: str) -> str | None:
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout.strip() if run.returncode == 0 else None


def _version() -> str:
    """ucj's version from its installed metadata (the same as pyproject.toml's)."""
    try:
        return distribution("ucj").version
    except PackageNotFoundError:
        return "unknown"


def _commit_from_metadata() -> str | None:
    try:
        text = distribution("ucj").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    if not text:
        return None
    vcs = json.loads(text).get("vcs_info") or {}
    commit = vcs.get("commit_id")
    return str(commit)[:SHORT_HASH] if commit else None


def code_version() -> dict[str, object]:
    """ucj's version and git commit ({"ucj": "0.1.0", "commit": "1a2b3c4d5e6f", "dirty": False}), asked of git
    once per process, at its first output (two git commands, about 0.03 s of each report a warm kernel made):
    a process goes on running the code it imported, whatever is committed or edited in the checkout later."""
    return dict(_code_version())


@functools.lru_cache(maxsize=1)
def _code_version() -> dict[str, object]:
    root = _checkout_root()
    if root is not None:
        commit = _git(root, "rev-parse", f"--short={SHORT_HASH}", "HEAD")
        status = _git(root, "status", "--porcelain", "--untracked-files=no")
        return {"ucj": _version(), "commit": commit, "dirty": bool(status) if status is not None else None}
    return {"ucj": _version(), "commit": _commit_from_metadata(), "dirty": None}


def now_iso() -> str:
    """The current time with its UTC offset, to the second (e.g. 2026-11-22T10:05:03+00:00)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def stamp(table_hashes: dict[str, str] | None = None, generated_at: str | None = None) -> dict[str, object]:
    """The stamp of one output: generation time, code version and commit, short data table hashes."""
    # a table merged from several folders lists each file's short hash ("demo+imported"), not the first only
    tables = {name: "+".join(p[:SHORT_HASH] for p in str(h).split("+")) for name, h in sorted((table_hashes or {}).items())}
    return {"generated_at": generated_at or now_iso(), **code_version(), "tables": tables}


def portable_path(path: str | os.PathLike[str], base: str | os.PathLike[str] | None = None) -> str:
    """A path as a reader may see it: relative paths as given; absolute ones relative to `base`
    (default: the current folder) when both sit under a common folder other than the root;
    otherwise only the folder's own name. Always with forward slashes."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    b = Path(base or Path.cwd()).resolve()
    p = p.resolve()
    common = Path(os.path.commonpath([p, b]))
    if common != Path(common.anchor):
        return Path(os.path.relpath(p, b)).as_posix()
    return p.name


# A folder a report shows by its name alone, because no relative path from the report's folder could be
# formed (another drive, or a path that would climb to the file system's root and so spell out the
# machine's folders): "…/demo". The renderer says so in the reader's language.
NAME_ONLY = "…/"


def relative_folder(path: str | os.PathLike[str], start: str | os.PathLike[str], pathmod=os.path) -> str | None:  # type: ignore[no-untyped-def]
    """`path` relative to the folder `start` ('..' where needed, '/' separators); a relative `path` is
    first taken from the current folder. None when no relative path can be formed without revealing the
    machine's folders: the two are on different drives, or they share nothing but the root. `pathmod`
    is os.path (ntpath or posixpath to reason about another system's paths)."""
    real = pathmod.realpath if pathmod is os.path else pathmod.abspath
    a, b = real(os.fspath(path)), real(os.fspath(start))
    try:
        common = pathmod.commonpath([a, b])
        rel = pathmod.relpath(a, b)
    except ValueError:  # different drives (C: and D:), or one path absolute and the other not
        return None
    if pathmod.dirname(common) == common:  # only the root in common: '../../..' would spell out the machine's folders
        return None
    return rel.replace(pathmod.sep, "/")


def shown_folder_text(path: str | os.PathLike[str], start: str | os.PathLike[str], pathmod=os.path) -> str:  # type: ignore[no-untyped-def]
    """A data folder as a report in the folder `start` prints it: relative to that folder, else its name
    alone marked NAME_ONLY ("…/demo"), never an absolute path."""
    rel = relative_folder(path, start, pathmod)
    if rel is not None:
        return rel
    name = pathmod.basename(pathmod.normpath(os.fspath(path))) or os.fspath(path).strip("\\/:")
    return f"{NAME_ONLY}{name}"
