"""Writing outputs whole or not at all, and the manifest that records what made them."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # imported where used: a batch worker writes reports and hashes files, and needs neither
    import pandas as pd


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def short_digest(sha256: object, n: int) -> str:
    """A table's SHA-256 as a page prints it: its first `n` hex digits, each part's for a table merged from several
    folders ("<demo>+<imported>"), so a merged table never shows the digest of one of its parts alone (reader 17,
    R17-6: the demo merged with an imported P0 file was printed under the demo table's digest)."""
    return "+".join(part[:n] for part in str(sha256).split("+"))


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
    import pandas as pd

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
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"ucj"] = json.dumps(metadata, sort_keys=True).encode()
    table = table.replace_schema_metadata(meta)
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def read_parquet_metadata(path: str | os.PathLike[str]) -> dict[str, object]:
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"ucj")
    return json.loads(raw) if raw else {}


# -- folder transactions --------------------------------------------------------------------------
# A folder written whole (a participants run; imports use files_transaction below, which changes only
# their own files): the new state is built in a staged sibling folder and swapped in with one atomic
# rename (Linux renameat2 RENAME_EXCHANGE), under an exclusive flock on a sibling lock file so that
# concurrent writers into the same folder run one after the other, each on the other's result. A
# reader takes the same lock shared. kill -9 at any moment leaves the old or the new folder
# in place, plus at worst a stale staged folder that the next writer removes.

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


def _open_lock(lock: Path, shared: bool) -> "object | None":
    """Open the lock file and take the flock, making sure the file locked is still the one at `lock`: a holder
    removes it when it ends (below), so a waiter may wake holding a file no longer there; it then tries again.
    None where the lock cannot be had (a reader on a read-only share reads without it)."""
    import fcntl

    while True:
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fh = open(lock, "a+b")
        except OSError:
            if not shared:
                raise
            try:
                fh = open(lock, "rb")  # read-only folder: use a lock file a writer left, if any
            except OSError:
                return None
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(fh.fileno()), os.stat(lock))
        except OSError:
            same = False
        if same:
            return fh
        fh.close()


def _close_lock(fh: "object", lock: Path) -> None:
    """Release the lock and remove its file when no one else holds or waits on it: the lock file never stays
    beside the folder after the run. A kill -9 may leave it; the flock dies with the process, so a stale file
    never blocks, and the next holder removes it."""
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
        if os.path.samestat(os.fstat(fh.fileno()), os.stat(lock)):  # type: ignore[attr-defined]
            lock.unlink()
    except OSError:
        pass  # another process holds it (or waits): it removes the file when it ends
    finally:
        fh.close()  # type: ignore[attr-defined]


@contextmanager
def folder_lock(folder: str | os.PathLike[str], shared: bool = False) -> Iterator[None]:
    """Hold the folder's lock: exclusive for a writer, shared for a reader.

    The lock file sits beside the folder (`.NAME.lock`) only while someone holds it. A reader that cannot
    create it (a read-only share) reads without it.
    """
    folder = Path(folder).resolve()  # a symlinked folder: lock and swap its target
    lock = _lock_path(folder)
    fh = _open_lock(lock, shared)
    try:
        if fh is not None and shared and _journal_path(folder).exists():  # an import died committing: finish it
            _close_lock(fh, lock)
            fh = None
            try:
                with folder_lock(folder):
                    _recover_files(folder)
            except OSError:
                pass  # not writable here: read as it is
            fh = _open_lock(lock, shared)
        yield
    finally:
        if fh is not None:
            _close_lock(fh, lock)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system cannot (then the caller falls back)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    res = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not supported here
        return False
    raise OSError(err, os.strerror(err), str(a))


def _stale(folder: Path) -> list[Path]:
    return sorted(folder.parent.glob(f".{folder.name}.stage-*")) + sorted(folder.parent.glob(f".{folder.name}.old-*"))


def _recover(folder: Path) -> None:
    """Under the exclusive lock: finish or undo a swap interrupted by a crash, drop stale stages."""
    import shutil

    if not folder.exists():
        done = [p for p in _stale(folder) if p.name.startswith(f".{folder.name}.stage-") and (p / ".committed").exists()]
        old = [p for p in _stale(folder) if p.name.startswith(f".{folder.name}.old-")]
        if done:
            os.rename(done[0], folder)
            (folder / ".committed").unlink(missing_ok=True)
        elif old:
            os.rename(old[0], folder)
    for p in _stale(folder):
        shutil.rmtree(p, ignore_errors=True)


@contextmanager
def folder_transaction(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a staged copy of `folder` to change; if the block succeeds, the copy replaces the
    folder in one atomic step. If it fails (or the process dies), the folder is untouched."""
    import secrets
    import shutil

    from ucj.core.errors import UcjInputError

    folder = Path(folder).resolve()  # a symlinked folder: lock and swap its target
    if folder.exists() and not folder.is_dir():
        raise UcjInputError.one("the output folder is a file; name a folder", file=str(folder))
    with folder_lock(folder):
        _recover(folder)
        stage = folder.parent / f".{folder.name}.stage-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            if folder.exists():
                shutil.copytree(folder, stage, symlinks=True)
            else:
                stage.mkdir()
            yield stage
            _fsync_tree(stage)
            if not folder.exists():
                os.rename(stage, folder)
            elif _exchange(stage, folder):
                shutil.rmtree(stage, ignore_errors=True)  # now holds the old state
            else:  # two renames; _recover finishes the swap if a crash falls between them
                (stage / ".committed").touch()
                old = folder.parent / f".{folder.name}.old-{secrets.token_hex(4)}"
                os.rename(folder, old)
                os.rename(stage, folder)
                (folder / ".committed").unlink(missing_ok=True)
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise


def _fsync_tree(folder: Path) -> None:
    """Flush the staged files so the swap never exposes files the disk has not got."""
    for p in folder.iterdir():
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- file transactions ----------------------------------------------------------------------------
# An import owns a few files of its folder (its table, the CSV copy, the cell provenance, the manifest)
# and must change them together without touching anything else there (a log being written, another
# table, the folder itself: a shell may be standing in it). The new files are written into a staged
# sibling folder; the commit point is the atomic rename of a journal (beside the folder) naming them;
# each is then renamed over its target and the journal removed. Under the folder's exclusive lock, a
# writer (and a reader, see folder_lock) finishes a committed journal a killed process left and drops
# stages that never committed: kill -9 at any moment leaves the old or the new set of files.


def _journal_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.journal.json"


def _recover_files(folder: Path) -> None:
    """Under the exclusive lock: finish a committed file transaction, drop uncommitted stages."""
    import shutil

    journal = _journal_path(folder)
    if journal.exists():
        try:
            entry = json.loads(journal.read_text(encoding="utf-8"))
            stage, names = folder.parent / str(entry["stage"]), [str(n) for n in entry["files"]]
            remove = [str(n) for n in entry.get("remove", [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            stage, names, remove = None, [], []  # written by an atomic rename, so never half there; else drop it
        if stage is not None and names:
            folder.mkdir(parents=True, exist_ok=True)
            for name in names:
                if (stage / name).exists():
                    os.replace(stage / name, folder / name)
            _remove(folder, remove)
            _fsync_dir(folder)
        journal.unlink(missing_ok=True)
    for p in folder.parent.glob(f".{folder.name}.files-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in folder.parent.glob(f".{journal.name}.*.tmp"):  # a journal killed while being written: never committed
        p.unlink(missing_ok=True)


@contextmanager
def files_transaction(folder: str | os.PathLike[str], exact: bool = False) -> Iterator[Path]:
    """Yield an empty staged folder: files written there replace the files of the same names in `folder`
    together when the block succeeds (nothing else in `folder` is touched; `folder` is created if needed).
    If the block fails, or the process dies before the commit, `folder` is untouched; after it, a crash
    is finished by the next writer or reader. Concurrent transactions on one folder run one after the
    other (read the current files inside the block: they are the other transaction's result). `exact`:
    every other file of `folder` is removed in the same transaction, so it holds exactly the staged files."""
    import secrets
    import shutil

    from ucj.core.errors import UcjInputError

    folder = Path(folder).resolve()  # a symlinked folder: lock and change its target
    if folder.exists() and not folder.is_dir():
        raise UcjInputError.one("the output folder is a file; name a folder", file=str(folder))
    with folder_lock(folder):
        _recover(folder)
        _recover_files(folder)
        stage = folder.parent / f".{folder.name}.files-{os.getpid()}-{secrets.token_hex(4)}"
        stage.mkdir()
        committed = False
        try:
            yield stage
            names = sorted(p.name for p in stage.iterdir())
            for p in stage.iterdir():
                if p.is_dir():
                    raise UcjInputError.one("a file transaction holds files only", file=str(p))
            _fsync_tree(stage)
            folder.mkdir(parents=True, exist_ok=True)
            journal = _journal_path(folder)
            remove = sorted(p.name for p in folder.iterdir() if p.name not in names) if exact else []
            with atomic_path(journal) as tmp:  # the commit point
                with open(tmp, "w", encoding="utf-8") as fh:
                    json.dump({"stage": stage.name, "files": names, "remove": remove}, fh)
                    fh.flush()
                    os.fsync(fh.fileno())
            committed = True
            _fsync_dir(folder.parent)
            for name in names:
                os.replace(stage / name, folder / name)
            _remove(folder, remove)
            _fsync_dir(folder)
            journal.unlink()
            _fsync_dir(folder.parent)
            shutil.rmtree(stage, ignore_errors=True)
        except BaseException:
            if committed:  # the new set is decided: put every file in place now (or the next writer will)
                try:
                    _recover_files(folder)
                except OSError:
                    pass
            else:
                shutil.rmtree(stage, ignore_errors=True)
            raise


def _remove(folder: Path, names: list[str]) -> None:
    """Remove these entries of `folder` (files, links or folders; plain names only, never a path out of it)."""
    import shutil

    for name in names:
        if not name or "/" in name or name in (".", ".."):
            continue
        p = folder / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
