"""The worker side of report batches: a warm kernel that runs one district report after another.

A worker (a local process, or a thread of a Dask worker on another machine) starts one Jupyter kernel,
runs the notebook's `setup` cells once (imports, loading and validating the data, the all-district
tables), then for each report runs only the district's cells, in papermill's own format: the
parameters cell injected by papermill's `parameterize_notebook`, papermill's notebook and cell
metadata and its error markers, so any executed notebook can be rerun with plain `papermill`.
Between reports the kernel's namespace is put back as it stood after setup, so nothing leaks.

The worker writes nothing the client sees: `render` returns each report's files as bytes (the
executed notebook, the HTML exported here with nbconvert in-process, and what the notebook saved),
and the client is the only writer. Kernels are shut down by message (no interrupt, so no
"KeyboardInterrupt caught in kernel" noise), and die with their worker when it is killed
(ipykernel's parent poller); local workers die with the batch (PR_SET_PDEATHSIG and a watch thread).
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ucj import __version__
from ucj.core.timeline import mark
from ucj.runs.kernel_launch import (KERNEL, KERNEL_ARGS, KERNEL_BOOT, KERNEL_BOOT_LINES,  # noqa: F401  (ucj.runs.engine's names)
                                    KERNEL_LAUNCH_ARGS, PR_SET_PDEATHSIG, _boot_command, _launch_ahead, take_early)

SETUP_TAG = "setup"
CELL_TIMEOUT_S = 600
HIDDEN_ALIVE_EVERY_S = 0.5  # how often a housekeeping call (WarmKernel._hidden) checks that its kernel still lives
NOTEBOOK_SOURCE = "notebooks/district_report.ipynb"  # recorded as papermill's input_path (no machine path)
# How long a thread of a process that drives a kernel may hold the interpreter lock while another waits for it
# (Python's default is 5 ms). The kernel's messages are handled by a thread of their own (WarmKernel), while
# the process's main thread imports, plans or exports a page; each message handled waits for the lock, often
# more than once, so the kernel waited for its next cell 10 to 30 ms at each of a report's round trips.
LOOP_SWITCH_INTERVAL_S = 0.0005
FORKSERVER_ENV = "UCJ_FORKSERVER"  # "off": a batch's local workers are spawned, each a fresh interpreter


@dataclass(frozen=True)
class DataSpec:
    """The data folders of a batch and the sha256 of every table file in them (folder index, name, hash)."""

    folders: tuple[str, ...]
    files: tuple[tuple[int, str, str], ...]

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps([self.folders, self.files]).encode()).hexdigest()

    @property
    def content_digest(self) -> str:
        """Hash of the tables alone (not where they sit): what the figures depend on."""
        return hashlib.sha256(json.dumps([[i, n, h] for i, n, h in self.files]).encode()).hexdigest()

    def payload(self) -> dict[str, object]:
        """The files' bytes, to send to workers that do not share this machine's folders."""
        return {"digest": self.content_digest,
                "files": [(i, name, (Path(self.folders[i]) / name).read_bytes()) for i, name, _ in self.files]}


@dataclass(frozen=True)
class Setup:
    """What a kernel is warmed with: the notebook (text, so remote workers need no copy) and the data."""

    notebook: str
    data: DataSpec
    kernel_name: str = KERNEL
    ucj_version: str = __version__
    name: str = "district_report"  # the shipped notebook's name: papermill's input_path shows notebooks/NAME.ipynb

    @property
    def notebook_sha256(self) -> str:
        return hashlib.sha256(self.notebook.encode()).hexdigest()

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.notebook_sha256} {self.data.digest} {self.kernel_name}".encode()).hexdigest()


@dataclass(frozen=True)
class Job:
    """One report: its folder name, notebook parameters (without data_dir and output_dir), page title and
    the entry fields the index shows."""

    slug: str
    parameters: dict[str, object]
    title: str
    entry: dict[str, object]
    setup: Setup
    inputs: str = ""
    recorded: tuple[tuple[str, object], ...] = ()  # parameters as the executed notebook shows them (record_parameters)
    pdf: bool = False  # also print the page to report.pdf (ucj.presentation.printing)


class PageSlot:
    """Where a report's cells hand over the page before the notebook ends: once the last cell the page shows
    has run (the cells after it are notebook-only: the save cell writing the Excel, PNG and JSON files), a
    copy of the notebook as it then stands is put here, so the caller can export the page while the kernel
    still runs those cells. `done` is set then, or when the report ends without it (a failed cell)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.notebook: object = None


@dataclass
class Result:
    """A report as the worker made it: the index entry and every file, as bytes."""

    entry: dict[str, object]
    files: dict[str, bytes] = field(default_factory=dict)


# Run in the kernel once after setup: what a report may leave behind (its names, figures, warnings
# already shown, working folder) is put back as it stood after setup by _ucj_reset.
RESET_CODE = """
from ucj.runs.engine import keep_for_good as _ucj_keep, trim_memory as _ucj_trim


def _ucj_reset(folder, _keep=set(globals()) | {"_ucj_reset"}, _filters=list(__import__("warnings").filters)):
    import os, sys, warnings
    os.chdir(folder)
    g = globals()
    for name in [n for n in g if n not in _keep]:
        del g[name]
    warnings.resetwarnings()
    warnings.filters[:] = _filters
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    _ucj_trim()

"""


# -- what a report is doing (ucj report shows it on a terminal) -------------------------------------
_STAGES: list[Callable[[str], None]] = []


def on_stage(say: Callable[[str], None] | None) -> None:
    """Have each step of the reports made in this process said as it starts ("kernel", "data", "compute",
    "export", "pdf"); None: say nothing again."""
    _STAGES[:] = [say] if say is not None else []


def stage(name: str) -> None:
    for say in list(_STAGES):
        say(name)


# -- dying with the parent ------------------------------------------------------------------------
def die_with_parent(parent_pid: int, sig: int = signal.SIGKILL) -> None:
    """Make this process die when `parent_pid` does: PR_SET_PDEATHSIG on Linux (with `sig`: SIGTERM lets
    a server shut its kernels down), and a watch thread everywhere (it also covers the moment before the
    signal was armed)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread below still watches
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        if sig == signal.SIGKILL:
            os._exit(1)
        os.kill(os.getpid(), sig)

    threading.Thread(target=watch, name="ucj-parent-watch", daemon=True).start()


def init_local_worker(parent_pid: int, setup: Setup | None = None) -> None:
    """Initialiser of a local worker process: die with the batch, leave Ctrl-C to the batch, and shut
    the kernels down cleanly when the pool ends. With the batch's `setup`, the kernel runs its setup cells
    as soon as it has booted, while this process builds its exporter, before the first job arrives."""
    from multiprocessing import util

    mark("worker: started")
    die_with_parent(_forked_by_server(parent_pid))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    util.Finalize(None, stop_kernels, exitpriority=100)
    util.Finalize(None, _end_worker_now, exitpriority=-100)  # the last thing a worker does
    # the kernel boots and imports while the first job is on its way and the tools load (launched first:
    # started alongside the tools' imports, its launch waited behind them for the interpreter lock)
    prestart(launched=True, fork=True)  # forked from this process where it can be (ucj.runs.kernel_fork)
    if setup is not None:
        try:
            _prewarm_setup(setup)
        except Exception:  # noqa: BLE001 - the first job warms the kernel (or says why it cannot)
            pass
        load_tools()
    # else (started before its batch was planned: start_local_workers): the tools load when the setup comes
    # (warm_worker, or the first job), while the kernel runs the setup cells, not before this worker takes it
    keep_for_good()  # this process keeps its modules and templates for good


def worker_context() -> object:
    """The multiprocessing context a batch's local workers start in: a fork server that has imported the
    engine and built the notebook tools once (ucj.runs.worker_preload), each worker forked from it, where the
    platform is Linux and UCJ_FORKSERVER is not "off"; fresh interpreters (spawn) otherwise.
    Either way a worker inherits no lock or open file of the command (the server is a fresh process too)."""
    import multiprocessing as mp

    # Linux only: a forked worker checks that its parent is the batch's server through /proc, and dies with it
    # through PR_SET_PDEATHSIG (_forked_by_server); elsewhere workers are spawned, as before
    if os.environ.get(FORKSERVER_ENV, "").strip().lower() in ("off", "0", "no", "false") or \
            not sys.platform.startswith("linux") or "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    # ucj.cli: a worker imports the command's main module again as it starts (multiprocessing's preparation;
    # Python 3.11's fork server does not preload "__main__" itself), which is then already imported. After
    # worker_preload, which first of all has the server ignore Ctrl-C while it imports.
    ctx.set_forkserver_preload(["ucj.runs.worker_preload", "ucj.cli"])
    return ctx


def start_worker_server() -> None:
    """Start the fork server of worker_context now, if that is how workers start here (a pool starts it at its
    first worker otherwise): it then imports the tools while the caller goes on."""
    ctx = worker_context()
    if getattr(ctx, "_name", "") == "forkserver":
        from multiprocessing import forkserver

        try:
            forkserver.ensure_running()
        except OSError:  # the pool tries again when it starts its first worker, and says why if it cannot
            pass


def stop_worker_server() -> None:
    """Stop this process's fork server once its workers are gone (a pool shut down and waited for), so the
    next batch's server starts with the environment and code of its own time; nothing when none runs."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    if pid is None or not hasattr(server, "_stop"):
        return
    try:  # killed, not asked: a server no batch used may still be importing (it would finish first)
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        server._stop()  # type: ignore[union-attr]  # closes its "alive" pipe and reaps it
    except OSError:
        pass


def _forked_by_server(parent_pid: int) -> int:
    """The process a local worker dies with: the batch's (`parent_pid`) when it was spawned by it; when it was
    forked by the batch's fork server, that server, which ends as soon as the batch does (once this worker has
    closed its copy of the server's "alive" pipe, which only a process starting workers of its own needs)."""
    server_pid = os.getppid()
    if server_pid == parent_pid:
        return parent_pid
    try:  # the server's own parent: the batch, unless the server has died (this worker then has another parent)
        with open(f"/proc/{server_pid}/stat", "rb") as fh:
            server_parent = int(fh.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        server_parent = None
    if server_parent != parent_pid:
        os._exit(1)
    _SERVER[:] = [server_pid]
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        try:
            os.close(alive)
        except OSError:
            pass
        server._forkserver_alive_fd = None  # type: ignore[union-attr]
    return server_pid


_SERVER: list[int] = []  # the fork server's pid, in a worker forked from it (engine.memory: its PSS)
_EARLY_POOL: list[tuple[object, int]] = []  # worker processes start_local_workers started, until a batch takes them
_STARTING: list[threading.Thread] = []  # the thread start_local_workers starts them from (forked workers)
_WARM_LATER: list[Setup] = []  # setups warm_local_workers was given before that thread had its pool
_START_LOCK = threading.Lock()


def start_local_workers(workers: int) -> None:
    """Start `workers` local worker processes now (spawned, each with its kernel launched at once, as a batch's
    LocalExecutor starts them), before the batch that will use them has checked its parameters and planned its
    run: a CLI's second or so of imports and checks, during which the workers import and their kernels boot on
    the other cores. Their kernels run the notebook's setup cells once the batch is planned (warm_local_workers:
    the setup is not known yet). Only this module and the standard library are imported here, so the workers
    start first thing.
    A batch in this process takes them (take_local_workers); drop_local_workers stops them otherwise, and they
    die with this process in any case."""
    import concurrent.futures as cf

    _drop_pools()  # not the fork server: the command may have started it first thing (ucj.cli)
    if workers < 2:
        return  # one worker runs in the command's own process
    context = worker_context()
    mark("batch: workers asked for")

    def start() -> None:
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                      initializer=init_local_worker, initargs=(os.getpid(), None))
        for _ in range(workers):  # a process pool starts its processes as jobs arrive: one trivial job each
            pool.submit(os.getpid)
        with _START_LOCK:
            _EARLY_POOL.append((pool, workers))
            for setup in _WARM_LATER:  # the batch was planned while the workers were being asked for
                _warm_pool(pool, workers, setup)
            _WARM_LATER.clear()

    if getattr(context, "_name", "") != "forkserver":
        start()  # spawned workers are this thread's children: their PR_SET_PDEATHSIG follows the thread
        return

    # Forked workers are the fork server's children, so a thread may ask for them: asking waits until the
    # server has finished its imports (about 0.5 s, while it reads no request), and the command checks its
    # parameters and plans its run meanwhile instead of waiting with a core idle. A pool that could not start
    # is left out (the batch then starts its own, and says why if it cannot).
    def start_quietly() -> None:
        try:
            start()
        except Exception:  # noqa: BLE001 - see above
            pass

    thread = threading.Thread(target=start_quietly, name="ucj-start-workers", daemon=True)
    thread.start()
    _STARTING.append(thread)


def _started() -> None:
    """Wait until the workers start_local_workers asks for from a thread have been started."""
    while _STARTING:
        _STARTING.pop().join()


def warm_local_workers(setup: Setup) -> None:
    """Have the workers start_local_workers started run `setup`'s setup cells in their kernels now, as soon as the
    batch is planned (its first jobs come only once its run folder is set up: the data manifest, the index): one
    warm-up task per worker. A worker handed two runs the second as a no-op, and the other warms at its first
    job, as before. Workers still being asked for from the fork server (start_local_workers) get these tasks
    once they are, without the batch waiting for them here: it writes its manifest and index meanwhile."""
    with _START_LOCK:
        if not _EARLY_POOL and any(thread.is_alive() for thread in _STARTING):
            _WARM_LATER.append(setup)
            return
        pools = list(_EARLY_POOL)
    for pool, size in pools:
        _warm_pool(pool, size, setup)


def _warm_pool(pool: object, size: int, setup: Setup) -> None:
    for _ in range(size):
        pool.submit(warm_worker, setup)  # type: ignore[attr-defined]


def warm_worker(setup: Setup) -> int:
    """This worker's kernel, warmed for `setup` (kernel_for), and its tools loaded; its process id."""
    kernel_for(setup)
    keep_for_good()  # what the warm-up loaded stays for good (as init_local_worker's does)
    return os.getpid()


def take_local_workers(workers: int) -> tuple[object, int] | None:
    """The pool start_local_workers started and its size, if it has at least `workers` workers (a resumed batch
    may have fewer reports left than workers) and none has died; None otherwise (a pool not taken is stopped)."""
    _started()
    if not _EARLY_POOL:
        return None
    pool, size = _EARLY_POOL.pop()
    if size >= workers and not getattr(pool, "_broken", False):
        return pool, size
    pool.shutdown(wait=True, cancel_futures=True)  # type: ignore[attr-defined]
    return None


def drop_local_workers() -> None:
    """Stop the workers start_local_workers started that no batch took (refused parameters, nothing to make),
    and the fork server (the batch is over)."""
    _drop_pools()
    stop_worker_server()


def _drop_pools() -> None:
    _started()
    _WARM_LATER.clear()
    while _EARLY_POOL:
        _EARLY_POOL.pop()[0].shutdown(wait=True, cancel_futures=True)  # type: ignore[attr-defined]


def _end_worker_now() -> None:
    """A local worker that is done (its kernel stopped, its exit handlers run) ends at once, without the
    interpreter's teardown of its modules (about 0.5 s, which the batch waits for); not when it ends
    with an exception, nor while another of its threads still works."""
    import atexit

    if sys.exc_info()[0] is not None or \
            any(th is not threading.main_thread() and not th.daemon for th in threading.enumerate()):
        return
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:
        return
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


# -- the warm kernel ------------------------------------------------------------------------------
class WarmKernel:
    """One kernel that has run a notebook's setup cells and runs its district cells for one report at a time.

    The kernel is driven from one event loop in one thread of its own, whichever thread calls: Dask runs
    each task in a fresh context (which would give every task a new loop and move the kernel's sockets
    between loops), and PR_SET_PDEATHSIG follows the thread that started the kernel, which lives as long
    as the kernel does."""

    def __init__(self, setup: Setup | None, data_dir: str = "", kernel_name: str = KERNEL,
                 launch_ahead: bool = False, fork: bool = False) -> None:
        self.setup = setup
        self.data_dir = data_dir
        self.kernel_name = setup.kernel_name if setup is not None else kernel_name
        self.reports = 0
        self.closed = False
        # a kernel this process launched first thing (kernel_launch.launch_early: `ucj report`) is this one
        early = take_early(self.kernel_name) if setup is None and launch_ahead else None
        self.scratch = early[2] if early is not None else Path(tempfile.mkdtemp(prefix="ucj-kernel-"))
        self.setup_cells: dict[int, object] = {}
        self.language_info: dict[str, object] = {}
        self.km: object = None
        self.kc: object = None
        self.one_report = False  # `ucj report`: stopped as soon as its one report's cells have run (retire)
        self.unreset = False  # a one-report kernel's namespace still holds its report (no reset after it)
        self.retired: object = None  # the shutdown under way (retire), awaited by close
        self.warming: object = None  # the setup cells under way (begin_warm), awaited by finish_warm
        self.ahead: tuple[dict[str, object], Path, object, PageSlot] | None = None  # a report begun ahead (begin_report)
        self.early_page: object = None  # what run_report's on_page made of the report's page (render: its HTML)
        self.launched = threading.Event()  # the kernel's process exists (or its start failed)
        self._ahead: tuple[subprocess.Popen, Path] | None = None  # launched here before jupyter_client loads
        if early is not None:
            self._ahead = early[:2]
            self.launched.set()
        elif setup is None and launch_ahead:
            self._ahead = _launch_ahead(self.kernel_name, self.scratch, fork=fork)
            if self._ahead is not None:
                self.launched.set()
                mark("kernel: process launched")  # or forked (kernel_fork.ForkedKernel)
        if sys.getswitchinterval() > LOOP_SWITCH_INTERVAL_S:
            sys.setswitchinterval(LOOP_SWITCH_INTERVAL_S)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ucj-kernel-loop", daemon=True)
        self._thread.start()
        # The kernel starts first and imports ucj at once; the caller goes on (a CLI checks its
        # parameters) until `warm` needs the kernel, and the client libraries (nbformat, nbclient,
        # papermill, nbconvert: seconds of imports) load then, while the kernel is still importing.
        self._started = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        if setup is not None:
            self.warm(setup, data_dir)

    def warm(self, setup: Setup, data_dir: str) -> None:
        """Run the notebook's setup cells for `setup` (once); the kernel is closed if that fails."""
        self.begin_warm(setup, data_dir)
        self.finish_warm()

    def begin_warm(self, setup: Setup, data_dir: str, export_tools: bool = True) -> None:
        """Load the client tools, then have the kernel run the notebook's setup cells as soon as it is ready,
        without waiting for them (`finish_warm` waits): a CLI plans its run meanwhile. `export_tools` False
        leaves the HTML exporter to be built later (`load_tools`), so the kernel gets its setup cells
        sooner. The kernel is closed if the tools cannot load."""
        try:
            if setup.kernel_name != self.kernel_name:
                raise RuntimeError(f"this kernel is {self.kernel_name}, the batch needs {setup.kernel_name}")
            _load_tools(export=export_tools)
            mark("worker: client tools loaded")
            import nbformat

            self.setup, self.data_dir = setup, data_dir
            self.base = nbformat.reads(setup.notebook, as_version=4)
            if not self._loop.is_running():
                raise RuntimeError("this kernel has been closed")
            self.warming = asyncio.run_coroutine_threadsafe(self._warm_when_started(), self._loop)
        except BaseException:
            self.close()
            raise

    def finish_warm(self) -> None:
        """Wait for the setup cells `begin_warm` started; the kernel is closed (and the error raised) if they
        failed."""
        warming, self.warming = self.warming, None
        if warming is None:
            return
        try:
            warming.result()  # type: ignore[attr-defined]
        except BaseException:
            self.close()
            raise

    async def _warm_when_started(self) -> None:
        await asyncio.wrap_future(self._started)
        stage("data")
        await self._warm_up()

    def _call(self, coro: object) -> object:
        if not self._loop.is_running():
            coro.close()  # type: ignore[attr-defined]
            raise RuntimeError("this kernel has been closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()  # type: ignore[arg-type]

    async def _start(self) -> None:
        try:
            from jupyter_client.manager import AsyncKernelManager

            if self._ahead is not None:
                self.km = km = _adopting_manager(AsyncKernelManager, self.kernel_name, *self._ahead)
            else:
                self.km = km = AsyncKernelManager(kernel_name=self.kernel_name)
            # the kernel's own stdout and stderr are not the user's terminal: what a cell prints comes over the
            # kernel's channels, and a kernel stopped while it boots (a CLI that refused its parameters) must not
            # print its traceback ("Event loop is closed") under the command's one-line error
            await km.start_kernel(extra_arguments=KERNEL_LAUNCH_ARGS, cwd=str(self.scratch),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            if not self.launched.is_set():
                self.launched.set()
                mark("kernel: process launched")
        self.kc = kc = km.client()
        kc.start_channels()
        # the kernel has run its boot lines (KERNEL_BOOT_LINES: it dies with this worker, it has imported what
        # the setup cell imports) before it answers, so no round trip of ours waits for them
        reply = await _wait_for_ready(kc, timeout=120)
        mark("kernel: ready")
        kc.allow_stdin = False
        self.language_info = reply["content"]["language_info"]

    @property
    def setup_free(self) -> bool:
        """Whether this kernel holds nothing of its notebook: warmed for a notebook without setup cells
        (an overview), it can be warmed again for another such notebook or other data, as a fresh one."""
        return self.setup is not None and not self.setup_cells

    @property
    def pid(self) -> int | None:
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def _notebook(self, parameters: dict[str, object]) -> object:
        from papermill import __version__ as pm_version
        from papermill.execute import prepare_notebook_metadata
        from papermill.parameterize import parameterize_notebook

        nb = copy.deepcopy(self.base)
        # the metadata papermill's load_notebook_node gives a notebook it reads
        nb.metadata["papermill"] = {"default_parameters": {}, "parameters": {}, "environment_variables": {},
                                    "version": pm_version}
        for cell in nb.cells:
            cell.metadata.setdefault("tags", [])
            cell.metadata.setdefault("papermill", {})
        nb = parameterize_notebook(nb, parameters, kernel_name=self.kernel_name, language="python")
        source = f"notebooks/{self.setup.name}.ipynb" if self.setup is not None else NOTEBOOK_SOURCE
        return prepare_notebook_metadata(nb, source, "report.ipynb")

    async def _run(self, nb: object, skip_setup: bool, page: PageSlot | None = None) -> object:
        """Run the notebook's cells with papermill's execution manager (papermill's own cell loop, on this
        kernel); setup cells run only at warm-up, later notebooks show what they did then. With `page`, a copy
        of the notebook is handed over there as soon as the last cell its page shows has run (PageSlot)."""
        from nbclient.exceptions import CellExecutionError
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager

        from ucj.presentation.export import PAGE_REMOVED_TAGS

        nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=False, autosave_cell_every=0)
        nb_man.notebook_start()
        client = PapermillNotebookClient(nb_man, km=self.km, kernel_name=self.kernel_name,
                                         timeout=CELL_TIMEOUT_S)
        client.kc = self.kc
        client.reset_execution_trackers()
        count = 0
        last_setup = max((i for i, c in enumerate(nb.cells)  # type: ignore[attr-defined]
                          if SETUP_TAG in c.metadata.get("tags", [])), default=-1)
        last_shown = max((i for i, c in enumerate(nb.cells)  # type: ignore[attr-defined]
                          if not PAGE_REMOVED_TAGS.intersection(c.metadata.get("tags", []))), default=-1)
        failed = False
        try:
            for index, cell in enumerate(nb.cells):  # type: ignore[attr-defined]
                if cell.cell_type == "code" and cell.source.strip():
                    count += 1
                is_setup = SETUP_TAG in cell.metadata.get("tags", [])
                if is_setup and skip_setup:
                    done = self.setup_cells[index]
                    cell.outputs = copy.deepcopy(done.outputs)  # type: ignore[attr-defined]
                    cell.execution_count = count
                    cell.metadata.papermill = copy.deepcopy(done.metadata.papermill)  # type: ignore[attr-defined]
                    cell.metadata["ucj"] = {"setup": "run once when this worker's kernel started, "
                                                     "then shared by its reports"}
                    continue
                if not skip_setup and index > last_setup:
                    break
                try:
                    nb_man.cell_start(cell, index)
                    await client.async_execute_cell(cell, index, store_history=False,
                                                    execution_count=count if cell.cell_type == "code" else None)
                except CellExecutionError as ex:
                    failed = True
                    nb_man.cell_exception(nb.cells[index], cell_index=index, exception=ex)  # type: ignore[attr-defined]
                    break
                finally:
                    nb_man.cell_complete(nb.cells[index], cell_index=index)  # type: ignore[attr-defined]
                if page is not None and index == last_shown and not failed and index < len(nb.cells) - 1:  # type: ignore[attr-defined]
                    page.notebook = self._page_now(nb, last_shown)
                    page.done.set()
        finally:
            nb_man.notebook_complete()
            if page is not None:
                page.done.set()
        nb.metadata["language_info"] = self.language_info  # type: ignore[attr-defined]
        return nb

    def _page_now(self, nb: object, last_shown: int) -> object:
        """The notebook as its page stands once cell `last_shown` has run, for exporting while the kernel runs
        the cells after it. Those cells (notebook-only, which the page leaves out) and the notebook's metadata
        change from here on; the page's cells are final and never touched again. So the copy shares the page's
        cells and holds copies of the rest: a few milliseconds, where a deep copy of the whole notebook (every
        output of every cell) took about 20 ms before the next cell could be sent to the kernel."""
        from nbformat import NotebookNode

        cells = list(nb.cells[:last_shown + 1])  # type: ignore[attr-defined]
        metadata = copy.deepcopy(nb.metadata)  # type: ignore[attr-defined]
        metadata["language_info"] = self.language_info
        return NotebookNode({**nb, "cells": cells, "metadata": metadata})  # type: ignore[arg-type]

    async def _warm_up(self) -> None:
        nb = await self._run(self._notebook({"data_dir": self.data_dir}), skip_setup=False)
        failed = [c for c in nb.cells if c.metadata.get("papermill", {}).get("exception")]  # type: ignore[attr-defined]
        if failed:
            err = next((o for o in failed[0].outputs if o.output_type == "error"), None)
            raise RuntimeError(f"the notebook's setup failed: {err.ename}: {err.evalue}" if err else
                               "the notebook's setup failed")
        # setup cells sit at the same index in every report's notebook (after the injected parameters)
        self.setup_cells = {i: c for i, c in enumerate(nb.cells)  # type: ignore[attr-defined]
                            if SETUP_TAG in c.metadata.get("tags", [])}
        mark("kernel: setup cells run")
        await self._hidden(RESET_CODE)
        if not self.one_report:  # a kernel for one report (`ucj report`) ends after it: nothing to keep for good
            await self._hidden("_ucj_keep()")  # the modules, the data and the shared tables stay for good
        mark("kernel: warm")

    async def _hidden(self, code: str) -> None:
        """Run code in the kernel without recording it (namespace reset, working folder). jupyter_client's
        execute_interactive waits for the reply until its timeout (CELL_TIMEOUT_S, 600 s) without checking that
        the kernel lives, so a kernel that died between two reports stalled its worker that long: the kernel's
        process is checked every HIDDEN_ALIVE_EVERY_S meanwhile (as nbclient checks it during a cell), and a dead
        kernel is said at once."""
        request = asyncio.ensure_future(self.kc.execute_interactive(  # type: ignore[attr-defined]
            code, silent=True, store_history=False, timeout=CELL_TIMEOUT_S, output_hook=lambda msg: None))
        try:
            while not (await asyncio.wait({request}, timeout=HIDDEN_ALIVE_EVERY_S))[0]:
                if not await self.km.is_alive():  # type: ignore[attr-defined]
                    raise RuntimeError("the kernel died (its process ended while a housekeeping call waited)")
        finally:
            if not request.done():
                request.cancel()
        reply = request.result()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel housekeeping failed: {reply['content'].get('ename')}: "
                               f"{reply['content'].get('evalue')}")

    async def _report(self, parameters: dict[str, object], folder: Path, page: PageSlot | None = None) -> object:
        if self.unreset:  # a one-report kernel asked for another report: put its namespace back first
            await self._hidden(f"_ucj_reset({str(self.scratch)!r})")
            self.unreset = False
        await self._hidden(f"__import__('os').chdir({str(folder)!r})")
        try:
            nb = await self._run(self._notebook(parameters | {"data_dir": self.data_dir, "output_dir": "."}),
                                 skip_setup=True, page=page)
            nb.metadata["ucj"] = {"engine": "warm kernel (ucj.runs.engine)",  # type: ignore[attr-defined]
                                  "reports_before_in_this_kernel": self.reports}
            return nb
        finally:
            if page is not None:
                page.done.set()
            self.reports += 1
            if self.one_report:  # `ucj report`: the kernel is stopped after this report; the reset (a full
                self.unreset = True  # garbage collection, about 0.1 s) waits until another report is asked for
            else:
                await self._hidden(f"_ucj_reset({str(self.scratch)!r})")

    def begin_report(self, parameters: dict[str, object]) -> None:
        """Have the kernel run a report's cells as soon as its setup cells (begin_warm) have run, in a working
        folder of its own, without waiting (a CLI writes its run's index meanwhile); `run_report` with the
        same parameters then takes that report instead of running it again."""
        warming = self.warming
        if warming is None or self.ahead is not None or not self._loop.is_running():
            return
        folder = Path(tempfile.mkdtemp(prefix="ucj-ahead-", dir=self.scratch))
        page = PageSlot()

        async def after_warm() -> object:
            try:
                await asyncio.wrap_future(warming)  # type: ignore[arg-type]
            except BaseException:
                page.done.set()  # the setup failed: nobody waits for a page that will not come
                raise
            return await self._report(parameters, folder, page)

        self.ahead = (copy.deepcopy(parameters), folder, asyncio.run_coroutine_threadsafe(after_warm(), self._loop),
                      page)

    def run_report(self, parameters: dict[str, object], folder: Path,
                   on_page: Callable[[object], object] | None = None) -> object:
        """Run one report's cells in `folder` (the kernel's working folder for it); return the notebook. A
        report begun ahead (begin_report) with these parameters is taken instead, its files moved to `folder`.
        `on_page` is called in this thread with a copy of the notebook once the last cell its page shows has
        run, while the kernel runs the notebook-only cells after it (PageSlot); what it returns is kept in
        `self.early_page` (None when it was not called or failed)."""
        self.early_page = None
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            given, made_in, future, page = ahead
            try:
                if given == parameters:
                    self._take_page(page, on_page, future)
                    nb = future.result()  # type: ignore[attr-defined]
                    for f in made_in.iterdir():
                        shutil.move(str(f), str(Path(folder) / f.name))
                    return nb
                try:  # another report than this one: let it finish (the kernel resets after it), then run this
                    future.result()  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001 - not the report asked for: its failure is not this one's
                    pass
            finally:
                shutil.rmtree(made_in, ignore_errors=True)
        if on_page is None or not self._loop.is_running():
            return self._call(self._report(parameters, folder))
        page = PageSlot()
        future = asyncio.run_coroutine_threadsafe(self._report(parameters, folder, page), self._loop)
        self._take_page(page, on_page, future)
        return future.result()

    def _take_page(self, page: PageSlot, on_page: Callable[[object], object] | None, report: object) -> None:
        """Wait for the page's cells (or the report's end) and hand the page to `on_page` (kept in early_page)."""
        if on_page is None:
            return
        while not page.done.wait(0.05):
            if report.done():  # type: ignore[attr-defined]  # ended (or cancelled) without reaching the page
                break
        if page.notebook is not None:
            try:
                self.early_page = on_page(page.notebook)
            except Exception:  # noqa: BLE001 - the page is then exported from the finished notebook, as before
                self.early_page = None
            page.notebook = None

    def alive(self) -> bool:
        try:
            return self.km is not None and self._loop.is_running() and \
                bool(self._call(self.km.is_alive()))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001
            return False

    def retire(self) -> None:
        """Stop the kernel now, without waiting (its one report's cells have run: the export and the files
        are written meanwhile); `close` waits for it. The kernel is killed, not asked to shut down: it holds
        nothing to save (its report's files are written, its history is in memory), and ipykernel's own
        shutdown (its exit handlers and the interpreter's teardown) cost 0.15 to 0.3 s the command waited for.
        The process is reaped here, so none is left once the command ends."""
        if self.retired is None and self._loop.is_running():
            self.retired = asyncio.run_coroutine_threadsafe(self._close(kill=True), self._loop)

    async def _close(self, kill: bool = False) -> None:
        if self.kc is not None:
            self.kc.stop_channels()  # type: ignore[attr-defined]
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if kill and process is not None and self.km.has_kernel:  # type: ignore[attr-defined]
            process.kill()
            process.wait(timeout=5)  # a few milliseconds; the provisioner's own wait polls every 0.1 s
            await self.km.provisioner.wait()  # type: ignore[attr-defined]  # closes its pipes, forgets the process
            await self.km.cleanup_resources()  # type: ignore[attr-defined]
            return
        if self.km is not None and self.km.has_kernel:  # type: ignore[attr-defined]
            await self.km.request_shutdown()  # type: ignore[attr-defined]
            await self.km.finish_shutdown(waittime=0.5, pollinterval=0.05)  # type: ignore[attr-defined]
            await self.km.cleanup_resources()  # type: ignore[attr-defined]

    def close(self, kill: bool = False) -> None:
        """Ask the kernel to shut down (by message: no interrupt, so no "KeyboardInterrupt caught in kernel"),
        give it a moment, then kill it: it holds nothing that needs saving. `kill`: killed at once (as `retire`
        does), not asked: a batch's worker that ends (stop_kernels)."""
        self.closed = True
        try:
            if self._loop.is_running():
                self._started.cancel()  # still starting (a CLI refused its parameters): stop waiting for it
                if self.warming is not None:
                    self.warming.cancel()  # type: ignore[attr-defined]  # its setup cells: not awaited any more
                if self.ahead is not None:
                    self.ahead[2].cancel()  # type: ignore[attr-defined]  # a report begun ahead, never taken
                try:
                    self._started.result(timeout=120)
                except BaseException:  # noqa: BLE001 - cancelled or failed: what did start is shut down below
                    pass
                closing = self.retired or asyncio.run_coroutine_threadsafe(self._close(kill=kill), self._loop)
                closing.result(timeout=15)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - best effort; the kernel also dies with this process
            pass
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            if self._ahead is not None and self._ahead[0].poll() is None and \
                    getattr(getattr(self.km, "provisioner", None), "process", None) is not self._ahead[0]:
                self._ahead[0].kill()  # launched ahead, never adopted (closed while jupyter_client loaded)
                self._ahead[0].wait()
            shutil.rmtree(self.scratch, ignore_errors=True)


# What a report's cells import the first time they run, after the kernel's boot lines: the Excel writer (the save
# cell). A kernel imports them in a thread of its own once it has booted (warm_in_kernel). Not Arrow's dataset
# layer: the data's months are read through ParquetFile (ucj.runs.params) and the data from the store, so a
# report never imports it, and importing it anyway cost each kernel about 0.1 CPU-s of a busy start.
KERNEL_WARM_IMPORTS = ("xlsxwriter", "ucj.presentation.xlsx")


def warm_in_kernel(modules: tuple[str, ...] = KERNEL_WARM_IMPORTS) -> threading.Thread:
    """Import `modules` in a daemon thread of this kernel, started by its last boot line: the kernel then answers
    its client and waits for the notebook's first cells (its setup, then the report's), and these imports (about
    0.05 s) run in those waits instead of in the first report's cells. Importing them changes no output; a module
    that fails to import here is imported (or refused) by the cell that needs it, as before. The thread leaves
    no name in the notebook's namespace."""
    import importlib

    def imports() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a warm-up only (see above)
                pass

    thread = threading.Thread(target=imports, name="ucj-kernel-warm", daemon=True)
    thread.start()
    return thread


async def _wait_for_ready(kc: object, timeout: float) -> dict:
    """Wait until the kernel answers kernel_info with its IOPub channel connected (as jupyter_client's
    wait_for_ready does), and return that reply; without jupyter_client's final 0.2 s wait for IOPub to
    fall silent: what the kernel still publishes about this request is ignored by every later request
    (each reads only the replies to its own message)."""
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()  # type: ignore[attr-defined]
        try:
            msg = await kc.shell_channel.get_msg(timeout=1)  # type: ignore[attr-defined]
        except Empty:
            msg = None
        if msg is not None and msg["msg_type"] == "kernel_info_reply":
            try:
                await kc.iopub_channel.get_msg(timeout=0.2)  # type: ignore[attr-defined]
            except Empty:
                pass  # IOPub not connected yet: ask again
            else:
                kc._handle_kernel_info_reply(msg)  # type: ignore[attr-defined]  # noqa: SLF001 - as wait_for_ready does
                return msg
        if not await kc._async_is_alive():  # type: ignore[attr-defined]  # noqa: SLF001
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def _adopting_manager(base: type, kernel_name: str, process: subprocess.Popen, connection: Path) -> object:
    """A jupyter_client kernel manager for the process `_launch_ahead` started: it reads that process's
    connection file, and where it would launch the kernel it takes the running process instead, if the
    command it would run is the one that process runs and no transport encryption is configured (else it
    stops that process, writes the connection file again and launches its own)."""

    class AdoptingKernelManager(base):  # type: ignore[misc, valid-type]
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: object) -> None:
            expected = [os.path.expanduser(a) for a in kernel_cmd]
            plain = getattr(self, "curve_publickey", None) is None  # no transport encryption configured
            if process.poll() is None and plain and expected == list(getattr(process, "ucj_command", process.args)):  # type: ignore[arg-type]
                prov = self.provisioner
                prov.process, prov.pid = process, process.pid
                try:
                    prov.pgid = os.getpgid(process.pid)
                except OSError:
                    prov.pgid = None
                prov.cwd = kw.get("cwd")
                self._reconcile_connection_info(prov.connection_info)
                return
            process.kill()
            process.wait()
            # the connection file is written again as jupyter_client would write it (keys included)
            self._connection_file_written = False
            Path(self.connection_file).unlink(missing_ok=True)
            self.write_connection_file()
            self.provisioner.connection_info = self.get_connection_info()
            await super()._async_launch_kernel(kernel_cmd, **kw)

    km = AdoptingKernelManager(kernel_name=kernel_name, connection_file=str(connection))
    km.cache_ports = False  # the ports are the connection file's
    km.load_connection_file()
    km._connection_file_written = True  # noqa: SLF001 - written ahead: jupyter_client must not pick new ports
    return km


def _load_tools(export: bool = True) -> None:
    """Import what running notebooks needs (nbformat, nbclient, papermill) and, with `export`, what
    exporting them needs, building the HTML exporter's templates once per process. Thread-safe: a CLI
    builds the exporter in its main thread while its kernel runs the report."""
    if "exporter" in _TOOLS or (not export and "run" in _TOOLS):
        return
    with _TOOLS_LOCK:
        if "run" not in _TOOLS:
            import nbformat  # noqa: F401
            from nbclient import NotebookClient  # noqa: F401

            _import_papermill_io()
            from papermill.clientwrap import PapermillNotebookClient  # noqa: F401
            from papermill.execute import prepare_notebook_metadata  # noqa: F401

            _TOOLS["run"] = True
        if export and "exporter" not in _TOOLS:
            import nbformat

            from ucj.presentation.export import html_exporter, notebook_html

            exporter = html_exporter()
            notebook_html(nbformat.v4.new_notebook(), "", exporter)
            _TOOLS["exporter"] = exporter


def load_tools() -> None:
    """Load every client tool now, the HTML exporter included (a CLI, while its kernel works)."""
    _load_tools()
    mark("worker: export tools loaded")


def _import_papermill_io() -> None:
    """Import papermill's file layer without Arrow, where Arrow is not loaded yet (a batch worker): papermill
    imports pyarrow.fs only for hdfs:// notebook paths, which ucj never uses (it hands papermill notebooks
    in memory), and Arrow with numpy is about 50 MB of each worker's memory and 0.06 CPU-s of its start. Only
    this import goes without it: pyarrow.fs imports as usual afterwards (pandas reading a parquet file)."""
    if "papermill.iorw" in sys.modules or "pyarrow" in sys.modules or "pyarrow.fs" in sys.modules:
        return
    sys.modules["pyarrow.fs"] = None  # type: ignore[assignment] - papermill then leaves hdfs:// out
    try:
        import papermill.iorw  # noqa: F401
    finally:
        if sys.modules.get("pyarrow.fs", 0) is None:
            del sys.modules["pyarrow.fs"]


# -- per-thread kernels ---------------------------------------------------------------------------
# One kernel per worker thread: a local worker process has one thread, a Dask worker one per slot.
_LOCAL = threading.local()
_EXPORT_LOCK = threading.Lock()
_TOOLS: dict[str, object] = {}  # the HTML exporter, built once per process (it holds only templates)
_TOOLS_LOCK = threading.Lock()
_ALL: list[WarmKernel] = []
_ALL_LOCK = threading.Lock()


def close_kernels(kill: bool = False) -> None:
    """Stop every kernel of this process: asked to shut down (WarmKernel.close), or with `kill` killed at once."""
    with _ALL_LOCK:
        kernels = list(_ALL)
        _ALL.clear()
    for k in kernels:
        k.close(kill=kill)
    if getattr(_LOCAL, "kernel", None) in kernels:
        _LOCAL.kernel = None


def stop_kernels() -> None:
    """A batch's local worker that ends (its pool shut down, its reports all made) kills its kernel. Asked to shut
    down, a kernel ran ipykernel's shutdown (its exit handlers, its interpreter's teardown) while jupyter_client
    polled for its end every 0.05 s: about 0.1 s (killed: 0.02 s) that the batch's end waited for (the pool waits
    for its workers), for nothing: the kernel holds nothing to save (its reports' files were sent, its history is
    in memory), as `retire` says of a one-report kernel."""
    close_kernels(kill=True)
    mark("worker: kernel stopped")


def _materialize(payload: dict[str, object], spec: DataSpec) -> str:
    """Write the data a client sent into this machine's temp folder (once per content); return data_dir."""
    root = Path(tempfile.gettempdir()) / f"ucj-data-{str(payload['digest'])[:24]}"
    if not root.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix=".ucj-data-", dir=root.parent))
        for i, name, data in payload["files"]:  # type: ignore[union-attr]
            (tmp / str(i)).mkdir(exist_ok=True)
            (tmp / str(i) / name).write_bytes(data)
        try:
            tmp.rename(root)
        except OSError:  # another worker thread got there first
            shutil.rmtree(tmp, ignore_errors=True)
    from ucj.core.files import sha256_file

    for i, name, digest in spec.files:
        if sha256_file(root / str(i) / name) != digest:
            raise RuntimeError(f"data sent to this worker does not match its sha256: {name}")
    return ";".join(str(root / str(i)) for i in range(len(spec.folders)))


def prestart(kernel_name: str = KERNEL, *, launched: bool = False, one_report: bool = False,
             fork: bool = False) -> None:
    """Start this thread's kernel now, before its setup is known (a CLI checks parameters meanwhile;
    a local worker starts one before its first job); `kernel_for` then warms it instead of starting one.
    `launched`: return only once the kernel's process exists, so that it boots on another core while
    this process imports and checks (started alongside them, the kernel's launch waited for the
    interpreter lock behind them); the process is then launched by this thread itself (_launch_ahead),
    so call it from a thread that lives as long as the kernel (a process's main thread), which its
    PR_SET_PDEATHSIG follows. `one_report`: the kernel makes one report and is shut down as soon as its
    cells have run (`ucj report`). `fork` (with `launched`; a batch's local worker): the kernel is forked from this
    process where that applies (ucj.runs.kernel_fork), launched otherwise."""
    if getattr(_LOCAL, "kernel", None) is None:
        kernel = WarmKernel(None, kernel_name=kernel_name, launch_ahead=launched, fork=fork)
        kernel.one_report = one_report
        _LOCAL.kernel = kernel
        with _ALL_LOCK:
            _ALL.append(kernel)
        if launched:
            kernel.launched.wait(120)


def prewarm(job: Job) -> None:
    """Have this thread's kernel, started by `prestart`, run the setup cells of `job` as soon as it has
    booted, then the job's report cells, while the caller goes on (a CLI plans its run and writes its index,
    then `render(job)` takes that report). Only the tools to run notebooks are loaded here (the kernel waits
    for them); call `load_tools` next for the exporter. Nothing happens when there is no such kernel
    (kernel_for starts one then)."""
    current: WarmKernel | None = getattr(_LOCAL, "kernel", None)
    if current is None or current.closed or current.setup is not None:
        return
    _prewarm_setup(job.setup)
    if current.warming is None:
        return
    current.begin_report(job.parameters)


def _prewarm_setup(setup: Setup) -> None:
    """This thread's kernel (prestart) begins `setup`'s setup cells once it has booted; only the tools to
    run notebooks are loaded first."""
    current: WarmKernel | None = getattr(_LOCAL, "kernel", None)
    if current is None or current.closed or current.setup is not None:
        return
    try:  # the data folder as kernel_for gives it, for a batch on this machine
        current.begin_warm(setup, ";".join(setup.data.folders), export_tools=False)
    except BaseException:
        _forget(current)
        raise


def _forget(kernel: WarmKernel) -> None:
    kernel.close()
    if getattr(_LOCAL, "kernel", None) is kernel:
        _LOCAL.kernel = None
    with _ALL_LOCK:
        if kernel in _ALL:
            _ALL.remove(kernel)


def kernel_for(setup: Setup, payload: dict[str, object] | None = None) -> WarmKernel:
    """This thread's warm kernel for `setup`, started (or restarted for other data) when needed."""
    current: WarmKernel | None = getattr(_LOCAL, "kernel", None)
    if current is not None and current.warming is not None and not current.closed:  # warmed ahead (prewarm)
        try:
            current.finish_warm()
        except BaseException:
            _forget(current)
            raise
    if current is not None and current.closed:  # closed by close_kernels (in another thread, or a CLI that ended)
        _forget(current)
        current = None
    if current is not None and current.setup is not None and current.setup.key == setup.key and current.alive():
        return current
    if setup.ucj_version != __version__:
        raise RuntimeError(f"this worker has ucj {__version__}, the batch was started with ucj {setup.ucj_version}")
    reusable = current is not None and current.setup_free and current.kernel_name == setup.kernel_name and \
        current.alive() and \
        not any(SETUP_TAG in c.get("metadata", {}).get("tags", []) for c in json.loads(setup.notebook)["cells"])
    if current is not None and not reusable and (current.setup is not None or current.kernel_name != setup.kernel_name):
        _forget(current)
        current = None
    data_dir = _materialize(payload, setup.data) if payload is not None else ";".join(setup.data.folders)
    if current is not None:  # started ahead by prestart (or setup-free): warm it for this setup
        try:
            current.begin_warm(setup, data_dir, export_tools=False)
            load_tools()  # the exporter (if not built yet) is built while the kernel runs the setup cells
            current.finish_warm()
        except BaseException:
            _forget(current)
            raise
        return current
    kernel = WarmKernel(setup, data_dir)
    _LOCAL.kernel = kernel
    with _ALL_LOCK:
        _ALL.append(kernel)
    return kernel


def _peak_mb(pid: int) -> float | None:
    """Peak resident memory of a process (VmHWM), in MB; None where /proc does not tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _pss_mb(pid: int) -> float | None:
    """Proportional set size of a process now (/proc's smaps_rollup: its private pages, plus each shared page
    divided among the processes sharing it), in MB; None where /proc does not tell."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def memory(kernel: WarmKernel | None) -> dict[str, float | None]:
    """Peak resident memory so far (VmHWM) of this worker process and of its kernel, in MB, and their proportional
    set size now (PSS), with the fork server's when this worker was forked from one. A worker forked from the
    server, and a kernel forked from the worker, share the modules the server imported: VmHWM counts those pages
    in full in each process, PSS divides them among the processes sharing them, so PSS sums honestly."""
    kernel_pid = kernel.pid if kernel is not None and kernel.pid else None
    return {"worker_peak_mb": _peak_mb(os.getpid()),
            "kernel_peak_mb": _peak_mb(kernel_pid) if kernel_pid else None,
            "worker_pss_mb": _pss_mb(os.getpid()),
            "kernel_pss_mb": _pss_mb(kernel_pid) if kernel_pid else None,
            "server_pss_mb": _pss_mb(_SERVER[0]) if _SERVER else None}


def trim_memory() -> None:
    """Free a report's objects and give the memory back to the system (Arrow's pool when Arrow is loaded,
    and glibc's malloc_trim), so resident memory does not creep up report after report. A worker calls
    it after each report, and so does its kernel (RESET_CODE)."""
    import gc

    gc.collect()
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the collection above is all there is
        pass


def keep_for_good() -> None:
    """After warm-up: free what it left behind, then freeze what stays (modules, data, shared tables) out
    of the collector's sight, so each report's collection looks at that report's objects only. Only in
    ucj's own worker processes and kernels: frozen objects are never collected."""
    import gc

    trim_memory()
    gc.freeze()


def record_parameters(nb: object, recorded: dict[str, object], kernel_name: str = KERNEL) -> None:
    """Show `recorded` in the executed notebook's injected parameters cell and papermill's metadata in place
    of what the kernel was given: the data folder relative to the report's own folder (as run.json gives
    it relative to the run), not the absolute or temporary folder of the machine that made it. The
    cell is written by papermill's own translator, as papermill would have injected these values."""
    if not recorded:
        return
    from papermill.translators import translate_parameters

    params = dict(nb.metadata["papermill"].get("parameters") or {}) | recorded  # type: ignore[attr-defined]
    for cell in nb.cells:  # type: ignore[attr-defined]
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = translate_parameters(kernel_name, "python", params, "Parameters")
    nb.metadata["papermill"]["parameters"] = params  # type: ignore[attr-defined]
    nb.metadata.setdefault("ucj", {})["data_dir"] = (  # type: ignore[attr-defined]
        "relative to this notebook's folder; the kernel was given the same folder by its full path")


# Which worker made a report, as run.json records it: a random id per process and its pid (never the host name,
# which a run folder must not carry); workers on different machines get different ids.
WORKER_ID = os.urandom(4).hex()


def _new_worker_id() -> None:
    """A forked process (a batch's worker, forked from its fork server) draws an id of its own."""
    global WORKER_ID
    WORKER_ID = os.urandom(4).hex()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_worker_id)


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(str(text).split())[:limit]


def render(job: Job, payload: dict[str, object] | None = None) -> Result:
    """Make one report on this worker: run its cells in the warm kernel, export the HTML, and return
    every file as bytes with the index entry. Never raises for a report that fails: the entry says why."""
    started = time.perf_counter()
    entry = dict(job.entry) | {"worker": f"{WORKER_ID}:{os.getpid()}"}
    kernel: WarmKernel | None = None
    folder = Path(tempfile.mkdtemp(prefix=f"ucj-{job.slug}-"))
    files: dict[str, bytes] = {}
    nb = None
    try:
        kernel = kernel_for(job.setup, payload)
        # the client libraries: loaded by `warm` (_load_tools) already, so these cost nothing now
        import nbformat
        from papermill.exceptions import PapermillExecutionError
        from papermill.execute import raise_for_execution_errors

        from ucj.presentation.export import html_exporter, notebook_html, page_body

        exporter = _TOOLS.get("exporter")

        def export_early(shown: object) -> tuple[str, str]:
            """The page, exported while the kernel still runs the notebook-only cells after its last shown cell
            (the save cell: Excel, PNG and JSON files): the same page, off the report's critical path."""
            with _EXPORT_LOCK:
                body = page_body(shown, job.title, exporter)
            mark("report: page exported while the save cell runs")
            return body

        entry["kernel_report"] = kernel.reports + 1
        stage("compute")
        nb = kernel.run_report(job.parameters, folder, on_page=export_early if exporter is not None else None)
        mark("report: cells run")
        if kernel.one_report:
            kernel.retire()  # its only report's cells have run: it stops while the page is exported
        record_parameters(nb, dict(job.recorded), kernel.kernel_name)
        try:
            raise_for_execution_errors(nb, None)
            error = None
        except PapermillExecutionError as err:
            error = err
        if error is not None:
            files["report.ipynb"] = nbformat.writes(nb).encode()
            entry |= {"status": "failed", "error": _one_line(f"{error.ename}: {error.evalue}"),
                      "cell": error.exec_count, "notebook": f"{job.slug}/report.ipynb"}
        else:
            for f in sorted(folder.iterdir()):
                if f.is_file() and not f.name.startswith("."):
                    files[f.name] = f.read_bytes()
            key = json.loads(files["key_figures.json"])
            stage("export")
            with _EXPORT_LOCK:  # one exporter per process, used by one thread at a time
                files["report.html"] = notebook_html(nb, job.title, exporter or html_exporter(), key,
                                                     body=kernel.early_page).encode()  # type: ignore[arg-type]
                if job.pdf:
                    from ucj.presentation.printing import pdf_bytes

                    stage("pdf")
                    files["report.pdf"] = pdf_bytes(files["report.html"].decode())
            # the key figures ride in the notebook too, so a reviewer given only report.ipynb can verify it
            nb.metadata["ucj"]["key_figures"] = key  # type: ignore[attr-defined]
            files["report.ipynb"] = nbformat.writes(nb).encode()
            mark("report: exported")
            entry |= {"pdf": f"{job.slug}/report.pdf"} if job.pdf else {}
            entry |= {"status": "ok", "html": f"{job.slug}/report.html", "coverage_pct": key["coverage_pct"],
                      "target_pct": key["target_pct"], "target_year": key["target_year"],
                      "projection_status": key["projection"]["status"],
                      "synthetic_tables": key["synthetic_tables"]}
    except Exception as err:  # noqa: BLE001 - one bad report must not stop a batch
        entry |= {"status": "failed", "error": _one_line(f"{type(err).__name__}: {err}")}
        if nb is not None and "report.ipynb" not in files:
            files["report.ipynb"] = nbformat.writes(nb).encode()
        if kernel is not None and kernel.retired is None and not kernel.alive():
            entry["error"] = _one_line(f"the kernel died while making this report ({entry['error']})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        nb = None
        if kernel is None or not kernel.one_report:  # a one-report command ends next: nothing to give back
            trim_memory()
    entry["seconds"] = round(time.perf_counter() - started, 2)
    entry |= memory(kernel)
    return Result(entry, files)
