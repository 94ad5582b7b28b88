"""Running many district reports: warm workers, local or on a Dask cluster, into a crash-safe run folder.

`run_many` plans one job per district, skips the ones already done with the same inputs (resume),
sends the rest to workers (ucj.runs.engine: one warm kernel each), and writes what comes back.
Local worker processes (`workers=N`) and a Dask cluster (`scheduler="tcp://host:port"`) go through
the same loop; only the executor differs. The client is the only writer:

- each report folder is written under a temporary name and renamed, so it appears whole or not at all;
- `run.json` and `index.html` are rewritten (atomically) after every report, so a crash leaves a
  valid index of what is done;
- a lock file (fcntl.flock, with the holder's pid) refuses a second batch into a run in progress;
- a report whose files cannot be written fails with a one-line reason; the rest go on.

A rerun with the same run name skips every report whose inputs (notebook sha256, ucj version, table
hashes, everything ucj ships, parameters) are unchanged and whose files still match their recorded sha256; `force` redoes all.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import time
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ucj import __version__
from ucj.core.config import notebook
from ucj.core.errors import UcjInputError
from ucj.core.timeline import mark
from ucj.core.files import sha256_file, write_json, write_text
from ucj.core.stamp import shown_folder_text
from ucj.data.registry import Registry
from ucj.data.store import code_fingerprint
from ucj.data.schema import TABLES
from ucj.runs.bundle import DATA_MANIFEST, data_manifest, environment, relative
from ucj.runs.engine import (DataSpec, Job, Result, Setup, init_local_worker, record_parameters, render, stage,
                             take_local_workers, warm_local_workers)
from ucj.presentation.i18n import Lang, t
from ucj.runs.index_page import SUMMARY_CSV, SUMMARY_XLSX, Rendered, index_figures, run_json_text
from ucj.runs.params import ReportParams, validate_params

DISTRICT_NOTEBOOK = "district_report"
LOCK_NAME = ".lock"
TMP_PREFIX = ".tmp-"
OLD_PREFIX = ".old-"
RUN_JSON = "run.json"
RETRIES_LOST = 1  # a report whose local worker process died is given to a new worker once
INDEX = "index.html"
OVERVIEWS = "overviews"  # run.json's list of province and national overview reports
RUN_OUTPUTS = (INDEX, SUMMARY_CSV, SUMMARY_XLSX)  # the run's own pages and tables: run.json records their sha256
SUMMARY_EVERY_S = 30.0  # summary.csv / summary.xlsx are rewritten at most this often during a batch


def run_name() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


# One rule for run names (a folder inside --out, shown on the index page and in run.json): 1 to 100 letters,
# digits, '-', '_' or '.', beginning with a letter or digit. No '/', '..', space, newline or HTML.
RUN_NAME_MAX = 100
RUN_NAME_RULE = (f"a run name is 1 to {RUN_NAME_MAX} letters, digits, '-', '_' or '.', beginning with a letter or "
                 "digit (no '/', space, newline or HTML)")
_RUN_NAME = re.compile(r"[^\W_][\w.-]*")


def check_run_name(name: str) -> str:
    """The run name if it follows the rule (RUN_NAME_RULE); else a one-line error naming the option."""
    if not (_RUN_NAME.fullmatch(name) and len(name) <= RUN_NAME_MAX and ".." not in name):
        raise UcjInputError.one(RUN_NAME_RULE, value=name, column="--run", label="option")
    return name


class RunBusy(UcjInputError):
    """Another batch holds the run folder."""


# -- planning -----------------------------------------------------------------------------------
def notebook_parameters(params: ReportParams) -> dict[str, object]:
    """The notebook's parameters for one report, except data_dir and output_dir (the worker sets those)."""
    return {
        "district": params.district.code,
        "last_period": f"{params.last_period:%Y-%m}",
        "denominator": params.denominator or "",
        "target_pct": params.target_pct if params.target_pct is not None else -1.0,
        "target_year": params.target_year if params.target_year is not None else -1,
        "lang": params.lang,
    }


def data_spec(data_dirs: tuple[str, ...]) -> DataSpec:
    """The data folders (resolved) and the sha256 of each table file found in them."""
    folders = tuple(str(Path(d).resolve()) for d in data_dirs)
    files = tuple((i, f"{name}.parquet", sha256_file(Path(d) / f"{name}.parquet"))
                  for i, d in enumerate(folders) for name in TABLES if (Path(d) / f"{name}.parquet").is_file())
    return DataSpec(folders, files)


def inputs_digest(setup: Setup, parameters: dict[str, object], recorded: tuple[tuple[str, object], ...] = ()) -> str:
    """What a report depends on: notebook, ucj version and everything ucj ships (its code, catalogues,
    templates and published facts: an edited line or wording makes the report again, even where the version
    number stays the same), table hashes and parameters, and the parameters its notebook shows (the data folder relative to the report: a moved run or data folder, or a notebook
    that gave the full path, is made again)."""
    text = json.dumps({"notebook": setup.notebook_sha256, "ucj": setup.ucj_version, "code": code_fingerprint(),
                       "tables": setup.data.content_digest, "parameters": parameters,
                       "recorded": dict(recorded)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def plan(params_list: list[ReportParams], run_dir: Path | None = None, pdf: bool = False,
         shown: dict[str, str] | None = None) -> list[Job]:
    """One job per report; the notebook is read once, each data folder hashed once. With `run_dir`, each
    executed notebook records its data folders relative to its own folder there (record_parameters), and
    the report prints them so (the notebook's `data_dir_shown`, worked out here on the client: a kernel
    works in a temporary folder, and a Dask worker reads a copy of the data); `shown` (by report folder
    name) gives that text instead (ucj verify: as the report being checked printed it). With `pdf`, each
    report is also printed to report.pdf (a report made without one is made again)."""
    specs: dict[tuple[str, ...], Setup] = {}
    jobs = []
    for p in params_list:
        if p.data_dirs not in specs:
            specs[p.data_dirs] = district_setup(p.data_dirs)
        setup = specs[p.data_dirs]
        d = p.district
        parameters = notebook_parameters(p)
        if run_dir is not None:
            parameters["data_dir_shown"] = (shown or {}).get(d.slug) or shown_dirs(setup.data.folders,
                                                                                  Path(run_dir) / d.slug)
        entry = {"district": d.code, "district_name": d.full_name, "province": d.province_name, "slug": d.slug}
        recorded = _recorded_dirs(setup.data.folders, run_dir, d.slug)
        digest = inputs_digest(setup, parameters | ({"pdf": True} if pdf else {}), recorded)
        jobs.append(Job(d.slug, parameters, f"{t('report_title', p.lang)}: {d.full_name}", entry, setup,
                        digest, recorded, pdf))
    return jobs


def district_setup(data_dirs: tuple[str, ...]) -> Setup:
    """What a kernel making district reports on `data_dirs` is warmed with (each of plan's jobs carries it)."""
    return Setup(notebook(DISTRICT_NOTEBOOK).read_text(encoding="utf-8"), data_spec(data_dirs))


def shown_dirs(folders: tuple[str, ...], report_dir: Path) -> str:
    """The data folders as the report in `report_dir` prints them, ";"-separated: each relative to that
    folder, or its name alone marked as such where no relative path can be formed (core.stamp)."""
    return ";".join(shown_folder_text(f, report_dir) for f in folders)


def _recorded_dirs(folders: tuple[str, ...], run_dir: Path | None, slug: str) -> tuple[tuple[str, object], ...]:
    """The data_dir an executed notebook in run_dir/slug shows: its data folders relative to that folder."""
    if run_dir is None:
        return ()
    return (("data_dir", ";".join(relative(f, Path(run_dir) / slug) for f in folders)),)


# -- the run folder -----------------------------------------------------------------------------
def _holder(lock: Path) -> str:
    try:
        info = json.loads(lock.read_text())
        return f"process {int(info['pid'])} (started {info['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def locked(run_dir: Path) -> Iterator[None]:
    """Hold the run folder for this batch; refuse if another batch holds it (naming that process).

    The lock file records the holder's pid, when it started and a random token (never the host name: a run
    folder is shared); the flock itself ends with the process, so a stale lock needs no detection. A folder
    this call created is removed again if nothing but the lock was left in it (a full disk, a refused
    batch): a failed start leaves nothing behind."""
    path = run_dir / LOCK_NAME
    created = [p for p in [run_dir, *run_dir.parents] if not p.exists()]  # the folders this call makes
    fd = -1
    held = False
    try:
        while not held:  # the holder removes the lock file when it ends: a file locked after that is not the lock
            try:
                run_dir.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as err:
                _remove_if_empty(run_dir, created)
                raise UcjInputError.one(os_reason(err, run_dir)) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunBusy.one(f"this run is in progress in {_holder(path)}; wait for it to finish or choose "
                                  f"another --run", file=str(run_dir)) from None
            held = _is_the_lock(fd, path)
            if not held:
                os.close(fd)
                fd = -1
        info = {"pid": os.getpid(), "token": secrets.token_hex(8),
                "started": dt.datetime.now().isoformat(timespec="seconds")}
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(info).encode())
        except OSError as err:
            raise UcjInputError.one(os_reason(err, run_dir)) from None
        yield
    finally:
        if held:
            _remove_if_empty(run_dir, created)
            if _is_the_lock(fd, path):  # no lock file stays in the run folder (a kill -9 may leave one; it never blocks)
                path.unlink(missing_ok=True)
        if fd >= 0:
            os.close(fd)  # releases the lock


def _is_the_lock(fd: int, path: Path) -> bool:
    """Whether the open file `fd` is still the file at `path` (not one an ending holder has removed)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def _remove_if_empty(run_dir: Path, created: list[Path]) -> None:
    """Remove a run folder this process created if it holds nothing but its lock (and half-written files),
    and the empty folders above it that it created too."""
    if not created:
        return
    try:
        if run_dir.exists():
            rest = [p for p in run_dir.iterdir() if p.name != LOCK_NAME and not
                    (p.name.startswith(".") and p.name.endswith(".tmp"))]
            if rest:
                return
            for p in run_dir.iterdir():
                p.unlink(missing_ok=True)
        for folder in created:  # run_dir first, then upwards
            if folder.exists():
                folder.rmdir()  # fails (and stops) where something else is in it
    except OSError:
        pass


def clean_partial(run_dir: Path) -> None:
    """Remove what a killed batch left half-written: temporary report folders and files."""
    for p in run_dir.iterdir():
        if p.name.startswith((TMP_PREFIX, OLD_PREFIX)) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(".") and p.name.endswith(".tmp") and p.is_file():
            try:
                p.unlink(missing_ok=True)
            except OSError:
                pass


def previous_entries(run_dir: Path, part: str = "reports") -> dict[str, dict[str, object]]:
    """The reports (or, with part="overviews", the overviews) a previous batch recorded in run.json
    (by folder name); nothing if unreadable."""
    try:
        data = json.loads((run_dir / RUN_JSON).read_text(encoding="utf-8"))
        return {str(e["slug"]): e for e in data.get(part, []) if isinstance(e, dict) and "slug" in e}
    except (OSError, ValueError, TypeError):
        return {}


def is_current(entry: dict[str, object] | None, job: Job, run_dir: Path) -> bool:
    """Whether a recorded report can be kept: made from the same inputs, every file there and unchanged."""
    if not entry or entry.get("status") != "ok" or entry.get("inputs") != job.inputs:
        return False
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return False
    folder = run_dir / job.slug
    try:
        return all(sha256_file(folder / name) == digest for name, digest in files.items())
    except OSError:
        return False


def write_report(run_dir: Path, slug: str, files: dict[str, bytes]) -> dict[str, str]:
    """Write a report folder whole or not at all (temporary folder, then rename); return file hashes."""
    tmp = run_dir / f"{TMP_PREFIX}{slug}-{uuid.uuid4().hex[:8]}"
    old = run_dir / f"{OLD_PREFIX}{slug}-{uuid.uuid4().hex[:8]}"
    target = run_dir / slug
    try:
        tmp.mkdir()
        hashes = {}
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
            hashes[name] = hashlib.sha256(data).hexdigest()
        if target.exists():
            target.rename(old)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return hashes


def os_reason(err: OSError, where: Path) -> str:
    """One line for a write that failed (full disk, no permission, a file in the way)."""
    what = {errno.ENOSPC: "no space left on the disk", errno.EDQUOT: "disk quota exceeded",
            errno.EACCES: "permission denied", errno.EROFS: "read-only file system",
            errno.EEXIST: "a file is in the way", errno.ENOTDIR: "a file is in the way",
            errno.EFBIG: "a file is larger than this system allows (file size limit)"}.get(
        err.errno or 0, err.strerror or type(err).__name__)
    return f"cannot write {where}: {what}"


# -- executors ----------------------------------------------------------------------------------
class LocalExecutor:
    """Worker processes on this machine (forked from a fresh fork server, or spawned: engine.worker_context; so
    they inherit no lock or open file), each dying
    with this process; `workers == 1` runs in this process (no start-up cost for a single report)."""

    def __init__(self, workers: int, setup: Setup | None = None,
                 early: tuple[cf.ProcessPoolExecutor, int] | None = None) -> None:
        self.workers = workers
        self.setup = setup  # what each worker's kernel warms up with as it starts (the batch's first job's)
        self.pool: cf.ProcessPoolExecutor | None = None
        if early is not None:  # started before the batch was planned (engine.start_local_workers): its workers
            self.pool, self.workers = early  # warm their kernels for `setup` when their first job comes
        elif workers > 1:
            self._new_pool()

    def _new_pool(self) -> None:
        from ucj.runs.engine import worker_context

        self.pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=worker_context(),
                                           initializer=init_local_worker, initargs=(os.getpid(), self.setup))

    def lost(self, err: BaseException) -> bool:
        """Whether a worker process died under the job (killed, out of memory): the pool is then broken,
        and the next submit starts a new one."""
        from concurrent.futures.process import BrokenProcessPool

        return isinstance(err, BrokenProcessPool)

    def forgotten(self, future: object) -> bool:
        """Whether the job's task was dropped with its inputs (Dask only: see DaskExecutor.forgotten)."""
        return False

    @property
    def slots(self) -> int:
        return self.workers

    @property
    def window(self) -> int:
        """Jobs handed out at once: one each, and one waiting per worker so none idles."""
        return 1 if self.pool is None else 2 * self.workers

    def submit(self, job: Job) -> cf.Future:
        if self.pool is None:
            fut: cf.Future = cf.Future()
            try:
                fut.set_result(render(job))
            except BaseException as err:  # noqa: BLE001
                fut.set_exception(err)
            return fut
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.pool.submit(render, job)
        except BrokenProcessPool:  # a worker died: the old pool is done, its workers are gone
            self.pool.shutdown(wait=False, cancel_futures=True)
            self._new_pool()
            assert self.pool is not None
            return self.pool.submit(render, job)

    def wait(self, futures: set) -> set:
        return cf.wait(futures, return_when=cf.FIRST_COMPLETED)[0]

    def close(self, cancel: bool = False) -> None:
        from ucj.runs.engine import close_kernels, stop_worker_server

        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            stop_worker_server()
        else:  # the kernel of this process's reports; with a pool, a kernel here is another's (prestart)
            close_kernels()


class DaskExecutor:
    """An existing Dask cluster: the data is sent to the workers once (scatter, broadcast), each task
    returns its report's files as bytes; nothing is read or written on the workers' disks but temp."""

    CONNECT_TIMEOUT_S = 15

    def __init__(self, scheduler: str | object) -> None:
        from distributed import Client

        self.own_client = not hasattr(scheduler, "submit")
        if self.own_client:
            try:
                self.client = Client(scheduler, set_as_default=False, timeout=f"{self.CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError) as err:  # no scheduler there, a wrong address or port
                reason = "no answer" if isinstance(err, (OSError, TimeoutError)) else str(err)
                raise UcjInputError.one(
                    f"cannot reach the Dask scheduler ({reason} within {self.CONNECT_TIMEOUT_S} s); start it with "
                    "`dask scheduler`, and check the address, the port and that this machine may connect to it",
                    column=str(scheduler), label="scheduler") from None
        else:
            self.client = scheduler
        self.payloads: dict[str, object] = {}

    @property
    def slots(self) -> int:
        return max(1, sum(self.client.nthreads().values()))  # type: ignore[attr-defined]

    @property
    def window(self) -> int:
        return 2 * self.slots

    def submit(self, job: Job) -> object:
        digest = job.setup.data.content_digest
        held = self.payloads.get(digest)
        if held is None or getattr(held, "status", "finished") != "finished":  # never sent, or lost with a worker
            self.payloads[digest] = self._scatter(job.setup.data.payload())
        return self.client.submit(render, job, self.payloads[digest], pure=False,  # type: ignore[attr-defined]
                                  key=f"ucj-report-{job.slug}-{uuid.uuid4().hex[:8]}")

    SCATTER_TRIES = 5
    SCATTER_PAUSE_S = 0.5

    def _scatter(self, payload: object) -> object:
        """Send the payload to every worker; when a worker dies during the send, send it again. The scheduler
        sends to each worker it still lists as running; one that died before the scheduler noticed breaks the
        send, and the scheduler then closes the caller's connection too (CommClosedError, 'Stream is closed'; full
        CI run 2026-12-06, the data's holder killed between reports). A pause lets the scheduler drop the dead
        worker (its connection closes at once); nothing was recorded of the broken send, so a new one is whole."""
        from distributed.comm.core import CommClosedError

        tries = 0
        while True:
            try:
                # one future for the whole payload (a dict given to scatter is split into one task per key, named
                # by the keys: "digest" and "files", the same names for every batch on a shared scheduler)
                return self.client.scatter([payload], broadcast=True, hash=False)[0]  # type: ignore[attr-defined]
            except CommClosedError:  # only a broken connection: "no valid workers" (a TimeoutError after the
                tries += 1  # client's timeout, red30) is said at once, not five timeouts later
                if tries >= self.SCATTER_TRIES:
                    raise
                time.sleep(self.SCATTER_PAUSE_S * tries)

    def lost(self, err: BaseException) -> bool:
        return False  # Dask gives a lost worker's tasks to other workers itself

    def forgotten(self, future: object) -> bool:
        """Whether the scheduler dropped the task because its input went with a worker: the data is scattered to
        every worker, but the scheduler's active memory manager keeps one copy of it (ReduceReplicas), and when the
        worker holding that copy dies the data cannot be recomputed, so every task needing it is forgotten
        ("cancelled: already forgotten"; full test run 2026-12-05). The batch sends the data again and gives the
        job to another worker once."""
        return bool(getattr(future, "cancelled", lambda: False)())

    def wait(self, futures: set) -> set:
        from distributed import wait

        # wait() finds its client as the default one; this client is not (set_as_default=False, so a
        # batch never changes what the caller's own Dask code uses): make it current for the call
        from distributed.client import FuturesCancelledError

        with self.client.as_current():  # type: ignore[attr-defined]
            try:
                return set(wait(list(futures), return_when="FIRST_COMPLETED").done)
            except FuturesCancelledError:  # some were dropped (see `forgotten`): done, the batch decides
                return {f for f in futures if f.done()}  # type: ignore[attr-defined]

    def close(self, cancel: bool = False) -> None:
        if self.own_client and self.client.status not in ("closing", "closed"):  # type: ignore[attr-defined]
            self.client.close()  # type: ignore[attr-defined]


# -- the batch ----------------------------------------------------------------------------------
@dataclass
class Progress:
    """Counts shown on the bar and in the closing line."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)
    bar: object = None

    def start(self, show: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=self.total, initial=self.skipped, unit="report", disable=not show,
                        dynamic_ncols=True, smoothing=0.1)
        self._postfix()

    def _postfix(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"done {self.done}, skipped {self.skipped}, failed {self.failed}",  # type: ignore[attr-defined]
                                     refresh=False)

    def add(self, ok: bool) -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        self._postfix()
        if self.bar is not None:
            self.bar.update()  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()  # type: ignore[attr-defined]

    def summary(self, stopped: str = "", workers: str = "") -> str:
        seconds = time.perf_counter() - self.started
        made = self.done + self.failed
        rate = f", {seconds / made:.2f} s per report" if made else ""
        line = (f"{self.total} reports: {self.done} made, {self.skipped} skipped (unchanged), "
                f"{self.failed} failed in {seconds:.1f} s{rate}{workers}")
        return f"{line}; {stopped}" if stopped else line


def _sort(entries: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    return sorted(entries.values(), key=lambda e: str(e.get("district")))


def _write_index(run_dir: Path, entries: dict[str, dict[str, object]], lang: Lang, title: str,
                 params_list: list[ReportParams], finished: bool, bundle: dict[str, object] | None = None,
                 overviews: dict[str, dict[str, object]] | None = None,
                 recorded: list[dict[str, object]] | None = None, summary: bool = True,
                 rendered: Rendered | None = None) -> str | None:
    """Rewrite run.json, index.html and summary.csv / summary.xlsx (each atomically); return a one-line
    reason if that failed. `bundle` is what the run records for reviewers (environment, data folders,
    started_at); `overviews` the run's province and national overviews (kept apart from the districts);
    `recorded` the districts' parameters as run.json has them (when `params_list` is not at hand);
    `summary` False leaves the summary files as they are (they cost more than the index: a batch
    rewrites them at its start and end and at most every SUMMARY_EVERY_S between); `rendered` keeps the
    index rows and run.json entries already rendered in this batch (index_page.Rendered)."""
    from ucj.runs.index_page import write_index, write_summary

    reports = _sort(entries)
    shown = sorted((overviews or {}).values(), key=lambda e: str(e.get("slug")))
    try:
        if reports and (summary or not (run_dir / SUMMARY_CSV).is_file()):  # no district rows: no empty summary
            write_summary(run_dir, reports, lang)
        write_index(run_dir / INDEX, reports, lang, any(e.get("synthetic_tables") for e in reports + shown), title,
                    overviews=shown, rendered=rendered)
        files = {name: sha256_file(run_dir / name) for name in RUN_OUTPUTS if (run_dir / name).is_file()}
        write_text(run_dir / RUN_JSON, run_json_text({
            "ucj_version": __version__, **(bundle or {}), "reports": reports, "overviews": shown, "files": files,
            "updated_at": dt.datetime.now().isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now().isoformat(timespec="seconds") if finished else None,
            "parameters": recorded if recorded is not None else
            [p.as_dict() | {"data_dirs": [relative(d, run_dir) for d in p.data_dirs]} for p in params_list]},
            ("reports", "overviews"), rendered or Rendered()))
        return None
    except OSError as err:
        return os_reason(err, run_dir)


def _bundle(run_dir: Path, spec: DataSpec | None, lang: Lang = "id") -> dict[str, object]:
    """Write the data manifest (the tables of the run's data folders `spec`) and return what run.json
    records for reviewers: the environment, the data folders (relative) and when the batch started."""
    bundle: dict[str, object] = {"started_at": dt.datetime.now().isoformat(timespec="seconds"),
                                 "environment": environment()}
    if spec is not None:
        write_json(run_dir / DATA_MANIFEST, data_manifest(spec.folders, spec.files, run_dir, lang))
        bundle |= {"data_dirs": [relative(f, run_dir) for f in spec.folders], "data_manifest": DATA_MANIFEST}
    return bundle


def _recorded(job: Job, files: dict[str, bytes]) -> dict[str, object]:
    """What run.json records of one report for reviewers: its parameters, the notebook's sha256 and
    each data table it read (sha256, rows, sources, synthetic), from its key figures' provenance."""
    out: dict[str, object] = {"parameters": job.parameters, "notebook_sha256": job.setup.notebook_sha256}
    try:
        key = json.loads(files["key_figures.json"])
        tables = key["provenance"]["tables"]
        out["tables"] = {name: {k: t[k] for k in ("file", "sha256", "rows", "sources", "synthetic") if k in t}
                         for name, t in tables.items()}
        out["key"] = index_figures(key)  # what the index and summary show, so they need not reread every report
    except (KeyError, ValueError, TypeError):
        pass
    return out


def run_many(params_list: list[ReportParams], run_dir: Path, workers: int | None = None,
             progress: bool = True, title: str | None = None, *, scheduler: str | object | None = None,
             force: bool = False, max_failures: int | None = None,
             echo: Callable[[str], None] | None = None, pdf: bool = False,
             shown: dict[str, str] | None = None) -> "BatchResult":
    """Make many district reports into `run_dir`, resuming a previous batch of the same run; return
    the index entries of the reports of this batch (made, skipped or failed). `pdf`: a report.pdf too;
    `shown`: the data folders as given reports print them (plan)."""
    run_dir = Path(run_dir)
    jobs = plan(params_list, run_dir, pdf, shown)
    if jobs and scheduler is None:
        warm_local_workers(jobs[0].setup)  # workers started early warm their kernels while the run is set up
    say = echo or (lambda line: print(line, file=sys.stderr))
    # reach the scheduler before anything is written or shown: an unreachable one is one line, not a batch of 0
    connected = DaskExecutor(scheduler) if scheduler is not None and jobs else None
    try:
        return _run_locked(jobs, run_dir, connected, workers, progress, title, force, max_failures, say, params_list)
    finally:
        if connected is not None:
            connected.close()  # a refused lock or an empty batch; closing twice is harmless


def _run_locked(jobs: list[Job], run_dir: Path, connected: DaskExecutor | None, workers: int | None,
                progress: bool, title: str | None, force: bool, max_failures: int | None,
                say: Callable[[str], None], params_list: list[ReportParams]) -> "BatchResult":
    """run_many's body, under the run folder's lock."""
    lang: Lang = params_list[0].lang if params_list else "id"
    title = title or t("index_title", lang)
    with locked(run_dir):
        clean_partial(run_dir)
        entries = previous_entries(run_dir)
        overviews = previous_entries(run_dir, OVERVIEWS)
        todo = [j for j in jobs if force or not is_current(entries.get(j.slug), j, run_dir)]
        prog = Progress(total=len(jobs), skipped=len(jobs) - len(todo))
        try:
            bundle = _bundle(run_dir, jobs[0].setup.data if jobs else None, lang)
        except OSError as err:
            bundle = {"error": os_reason(err, run_dir)}
        mark("batch: environment and data manifest recorded")
        rendered = Rendered()  # index rows and run.json entries rendered in this batch
        unwritable = _write_index(run_dir, entries, lang, title, params_list, finished=False, bundle=bundle,
                                  overviews=overviews, rendered=rendered)
        if unwritable:  # a full disk or a read-only folder: say so before any kernel starts
            raise UcjInputError.one(unwritable)
        mark("batch: planned, index written")
        prog.start(progress)
        summary_at = time.monotonic()
        stopped = ""
        executor: LocalExecutor | DaskExecutor | None = None
        slots = 0
        try:
            if todo:
                count = max(1, min(len(todo), workers or os.cpu_count() or 1))
                early = take_local_workers(count) if connected is None and count > 1 else None
                executor = connected if connected is not None else LocalExecutor(count, todo[0].setup, early)
                slots = executor.slots

            pending, running, tries = deque(todo), {}, {}
            while pending or running:
                assert executor is not None
                while pending and len(running) < executor.window and not stopped:
                    job = pending.popleft()
                    running[executor.submit(job)] = job
                if not running:
                    break
                for fut in executor.wait(set(running)):
                    job = running.pop(fut)
                    err = None if fut.cancelled() else fut.exception()
                    if (executor.forgotten(fut) or (err is not None and executor.lost(err))) \
                            and tries.get(job.slug, 0) < RETRIES_LOST:
                        tries[job.slug] = tries.get(job.slug, 0) + 1
                        pending.appendleft(job)  # its worker died under it: once more, on a new worker
                        continue
                    result = _result(fut, job)
                    if hasattr(fut, "release"):  # Dask: let go of the result, or a lost worker would recompute it
                        fut.release()
                    entry = result.entry | {"inputs": job.inputs, "batch_position": prog.done + prog.failed + 1} \
                        | _recorded(job, result.files)
                    if result.files:
                        try:
                            entry["files"] = write_report(run_dir, job.slug, result.files)
                            mark("report: files written")
                        except OSError as err:
                            entry |= {"status": "failed", "error": os_reason(err, run_dir / job.slug)}
                            entry.pop("files", None)
                    entries[job.slug] = entry
                    prog.add(entry.get("status") == "ok")
                    if pending or running:  # after the last report, the final index (below) follows at once
                        due = time.monotonic() - summary_at >= SUMMARY_EVERY_S
                        summary_at = time.monotonic() if due else summary_at
                        _write_index(run_dir, entries, lang, title, params_list, finished=False, bundle=bundle,
                                     overviews=overviews, summary=due, rendered=rendered)
                    if max_failures is not None and prog.failed >= max_failures and not stopped:
                        stopped = f"stopped after {prog.failed} failed (--max-failures {max_failures})"
                        pending.clear()
        except KeyboardInterrupt:
            stopped = "interrupted"
            if executor is not None:
                executor.close(cancel=True)
                executor = None
            raise
        finally:
            # the workers are asked to stop while the final index is written (each waits on the other's I/O: ~0.06 s
            # a batch on 2 cores), and the index of the last report is written as soon as its files are (once, with
            # the summary), never after the kernels' shutdown
            closing = _Closing(executor)
            try:
                index_error = _write_index(run_dir, entries, lang, title, params_list, finished=not stopped,
                                           bundle=bundle, overviews=overviews, rendered=rendered)
            finally:
                closing.join()
                prog.close()
            say(prog.summary(stopped, f" on {slots} workers" if slots else ""))
            if index_error:
                say(f"error: {index_error}")
    made = {j.slug for j in todo}
    return BatchResult([dict(entries[j.slug]) | ({} if j.slug in made else {"skipped": True}) if j.slug in entries
                        else {**j.entry, "status": "failed", "error": stopped or "not run"} for j in jobs],
                       index_error)


class _Closing:
    """An executor's close() begun now and ended by join(), which raises what it raised: a pool's workers end their
    kernels and exit on a thread of their own (a stdlib future) while the batch writes its last index. Anything else
    is closed in join(), on the batch's thread: a Dask client (its close waits on its own event loop), and the
    reports' kernel of a batch without a pool, which is this thread's (close_kernels from another thread would leave
    this thread holding the closed kernel: the next prestart here then started none; full run of 2026-12-06)."""

    def __init__(self, executor: LocalExecutor | DaskExecutor | None) -> None:
        pooled = isinstance(executor, LocalExecutor) and executor.pool is not None
        self.later = None if pooled else executor
        self.future: cf.Future | None = None
        if pooled:
            assert executor is not None
            closer = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ucj-close-workers")
            self.future = closer.submit(executor.close)
            closer.shutdown(wait=False)  # its one thread ends once the close has run

    def join(self) -> None:
        if self.future is not None:
            self.future.result()
        if self.later is not None:
            self.later.close()


class BatchResult(list):  # type: ignore[type-arg]
    """The entries of a batch's reports, and why its index could not be written (None if it was)."""

    def __init__(self, entries: list[dict[str, object]], index_error: str | None = None) -> None:
        super().__init__(entries)
        self.index_error = index_error


def _result(fut: object, job: Job) -> Result:
    """What a worker sent back; a lost worker or a crash in it becomes a failed entry."""
    try:
        return fut.result()  # type: ignore[attr-defined]
    except Exception as err:  # noqa: BLE001 - a lost worker must not stop the batch
        reason = " ".join(f"{type(err).__name__}: {err}".split())[:300]
        return Result(dict(job.entry) | {"status": "failed", "error": f"worker lost: {reason}"})


def run_district(params: ReportParams, run_dir: Path) -> dict[str, object]:
    """One report, made in this process (one kernel, started here); return its index entry."""
    return run_many([params], run_dir, workers=1, progress=False, echo=lambda line: None)[0]


def params_for(districts: list[str], registry: Registry, **kw: object) -> list[ReportParams]:
    """Validate the parameters of every district before any kernel starts."""
    return [validate_params(d, registry=registry, **kw) for d in districts]  # type: ignore[arg-type]


def districts_in(province: str | None, registry: Registry) -> list[str]:
    reg = registry
    if province is None:
        return [d.code for d in reg.all()]
    return [d.code for d in reg.in_province(province)]


# -- the province and national overviews ------------------------------------------------------------
OVERVIEW_NOTEBOOKS = {"province": "province_overview", "national": "national_overview"}


@dataclass(frozen=True)
class OverviewParams:
    """One overview report, validated: a province (its code) or the nation (None)."""

    province_code: str | None
    province_name: str | None
    lang: Lang
    data_dirs: tuple[str, ...]
    last_period: str = ""  # YYYY-MM, or "" for the latest month in the data
    denominator: str = ""  # "" for the working population
    boundaries: str = ""  # a TopoJSON boundaries file (full path) for the map, or "" for none

    @property
    def notebook(self) -> str:
        return OVERVIEW_NOTEBOOKS["national" if self.province_code is None else "province"]

    @property
    def slug(self) -> str:
        if self.province_code is None:
            return "overview-national"
        import re

        name = re.sub(r"[^a-z0-9]+", "-", str(self.province_name).lower()).strip("-")
        return f"overview-{self.province_code}-{name}"

    def title(self) -> str:
        if self.province_code is None:
            return t("national_overview", self.lang)
        return f"{t('province_overview', self.lang)}: {self.province_name}"

    def parameters(self) -> dict[str, object]:
        """The notebook's parameters (without data_dir and output_dir, which the run sets)."""
        base: dict[str, object] = {"lang": self.lang}
        base |= {k: v for k, v in (("last_period", self.last_period), ("denominator", self.denominator),
                                    ("boundaries", self.boundaries)) if v}
        return base if self.province_code is None else {"province": self.province_code} | base


def overview_params(province: str | None, registry: Registry, lang: str = "id", data_dir: str = "",
                    last_period: str = "", denominator: str = "", boundaries: str = "") -> OverviewParams:
    """Check an overview's parameters before any kernel starts, all problems at once (unknown province:
    the closest names; a period outside the data: its span; a boundaries file that is missing or not
    TopoJSON)."""
    from ucj.analysis.coverage import check_denominator
    from ucj.core.errors import Problem
    from ucj.presentation.i18n import check_lang
    from ucj.runs.params import check_period, collect, split_dirs

    problems: list[Problem] = []
    lang_ok = collect(problems, "lang", lambda: check_lang(lang))
    code = collect(problems, "province", lambda: registry.resolve_province(province)) if province is not None else None
    if denominator:
        collect(problems, "denominator", lambda: check_denominator(denominator))
    dirs = split_dirs(data_dir)
    period = check_period(last_period, dirs, problems)
    last_period = f"{period:%Y-%m}" if last_period.strip() and period is not None else ""
    if boundaries:
        from ucj.presentation.maps import check_topojson

        boundaries = collect(problems, "boundaries", lambda: check_topojson(boundaries)) or ""
    if problems:
        raise UcjInputError(problems)
    return OverviewParams(str(code) if code else None, registry.province_name(str(code)) if code else None,
                          lang_ok, dirs, last_period, denominator, boundaries)  # type: ignore[arg-type]


def render_overview(p: OverviewParams, setup: Setup, recorded: tuple[tuple[str, object], ...] = (),
                    pdf: bool = False) -> Result:
    """Execute the overview notebook on this thread's warm kernel (ucj.runs.engine: papermill's own cell
    loop and format, so a reviewer reruns it with plain papermill; the kernel's imports are paid once,
    the data comes from the store the district reports filled) in a temporary folder, export the
    code-free HTML (and with `pdf` print it to report.pdf); return every file as bytes. `recorded`: the
    parameters the executed notebook shows (engine.record_parameters)."""
    import tempfile

    entry: dict[str, object] = {"kind": "overview", "level": "national" if p.province_code is None else "province",
                                "province_code": p.province_code, "district_name": p.title(),
                                "province": p.province_name or t("national", p.lang), "slug": p.slug}
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix=f"ucj-{p.slug}-"))
    try:
        from ucj.runs.engine import kernel_for

        kernel = kernel_for(setup)
        import nbformat
        from papermill.exceptions import PapermillExecutionError
        from papermill.execute import raise_for_execution_errors

        from ucj.presentation.export import notebook_html

        stage("compute")
        nb = kernel.run_report(p.parameters(), folder)
        try:
            raise_for_execution_errors(nb, None)
        except PapermillExecutionError as err:
            return Result(entry | {"status": "failed", "error": " ".join(f"{err.ename}: {err.evalue}".split())[:500],
                                   "cell": err.exec_count})
        nb.metadata["papermill"]["input_path"] = f"notebooks/{p.notebook}.ipynb"  # no path of this machine
        nb.metadata["papermill"]["output_path"] = "report.ipynb"
        key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
        nb.metadata["ucj"] = dict(nb.metadata.get("ucj") or {}) | {"key_figures": key}
        record_parameters(nb, dict(recorded))
        covers = key.get("covers") if isinstance(key.get("covers"), dict) else {}
        title = p.title()
        if p.province_code is None and covers.get("partial"):  # the nation's overview of some districts only: the
            title = str(key.get("title") or title)  # index and the page's <title> name what it covers, as its page
            entry |= {"district_name": title, "province": ", ".join(map(str, covers.get("provinces") or []))}
        stage("export")
        files = {"report.ipynb": nbformat.writes(nb).encode(),
                 "report.html": notebook_html(nb, title, key=key).encode()}
        if pdf:
            from ucj.presentation.printing import pdf_bytes

            stage("pdf")
            files["report.pdf"] = pdf_bytes(files["report.html"].decode())
            entry["pdf"] = f"{p.slug}/report.pdf"
        for f in sorted(folder.iterdir()):
            if f.is_file() and not f.name.startswith(".") and f.name not in files:
                files[f.name] = f.read_bytes()
        entry |= {"status": "ok", "html": f"{p.slug}/report.html", "synthetic_tables": key.get("synthetic_tables")}
        return Result(entry, files)
    except Exception as err:  # noqa: BLE001 - a failed overview is listed, like a failed district
        return Result(entry | {"status": "failed", "error": " ".join(f"{type(err).__name__}: {err}".split())[:500]})
    finally:
        entry["seconds"] = round(time.perf_counter() - started, 2)
        shutil.rmtree(folder, ignore_errors=True)


def run_overviews(overviews: list[OverviewParams], run_dir: Path, *, force: bool = False,
                  title: str | None = None, pdf: bool = False) -> list[dict[str, object]]:
    """Make overview reports into `run_dir` (skipping those whose inputs and files are unchanged), record
    them in run.json and list them on the index; return their entries. `pdf`: a report.pdf too."""
    run_dir = Path(run_dir)
    out = []
    try:
        return _run_overviews(overviews, run_dir, out, force, title, pdf)
    finally:
        from ucj.runs.engine import close_kernels

        close_kernels()  # the overviews' kernel (started here, or ahead by the batch: prestart)


def _run_overviews(overviews: list[OverviewParams], run_dir: Path, out: list[dict[str, object]], force: bool,
                   title: str | None, pdf: bool) -> list[dict[str, object]]:
    with locked(run_dir):
        clean_partial(run_dir)
        entries = previous_entries(run_dir)
        done = previous_entries(run_dir, OVERVIEWS)
        try:
            run = json.loads((run_dir / RUN_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            run = {}
        for p in overviews:
            setup = Setup(notebook(p.notebook).read_text(encoding="utf-8"), data_spec(p.data_dirs), name=p.notebook)
            recorded = _recorded_dirs(setup.data.folders, run_dir, p.slug)
            shown, extra = p.parameters(), {"pdf": True} if pdf else {}
            if p.boundaries:  # recorded relative to the report, like the data; its content is an input
                shown["boundaries"] = relative(p.boundaries, run_dir / p.slug)
                recorded += (("boundaries", shown["boundaries"]),)
                extra["boundaries_sha256"] = sha256_file(Path(p.boundaries))
            job = Job(p.slug, shown, p.title(), {}, setup, inputs_digest(setup, shown | extra, recorded), recorded)
            if not force and is_current(done.get(p.slug), job, run_dir):
                out.append(dict(done[p.slug]) | {"skipped": True})
                continue
            result = render_overview(p, setup, recorded, pdf)
            entry = result.entry | {"inputs": job.inputs} | _recorded(job, result.files)
            if result.files:
                try:
                    entry["files"] = write_report(run_dir, p.slug, result.files)
                except OSError as err:
                    entry |= {"status": "failed", "error": os_reason(err, run_dir / p.slug)}
            done[p.slug] = entry
            out.append(entry)
        lang = overviews[0].lang if overviews else "id"
        bundle = {k: run[k] for k in ("started_at", "environment", "data_dirs", "data_manifest") if k in run}
        if not bundle and overviews:
            bundle = _bundle(run_dir, data_spec(overviews[0].data_dirs), lang)
        error = _write_index(run_dir, entries, lang, title or t("index_title", lang), [], finished=True,
                             bundle=bundle, overviews=done, recorded=list(run.get("parameters") or []))
    if error:
        raise UcjInputError.one(error)
    return out
