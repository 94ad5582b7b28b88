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

import copy
import ctypes
import hashlib
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ucj import __version__

KERNEL = "python3"
SETUP_TAG = "setup"
CELL_TIMEOUT_S = 600
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
NOTEBOOK_SOURCE = "notebooks/district_report.ipynb"  # recorded as papermill's input_path (no machine path)
PR_SET_PDEATHSIG = 1


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


@dataclass
class Result:
    """A report as the worker made it: the index entry and every file, as bytes."""

    entry: dict[str, object]
    files: dict[str, bytes] = field(default_factory=dict)


# -- dying with the parent ------------------------------------------------------------------------
def die_with_parent(parent_pid: int) -> None:
    """Make this process die when `parent_pid` does: PR_SET_PDEATHSIG on Linux, and a watch thread
    everywhere (it also covers the moment before the signal was armed)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread below still watches
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ucj-parent-watch", daemon=True).start()


def init_local_worker(parent_pid: int) -> None:
    """Initialiser of a local worker process: die with the batch, leave Ctrl-C to the batch, and shut
    the kernels down cleanly when the pool ends."""
    from multiprocessing import util

    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    util.Finalize(None, close_kernels, exitpriority=100)


# -- the warm kernel ------------------------------------------------------------------------------
class WarmKernel:
    """One kernel that has run a notebook's setup cells and runs its district cells for one report at a time."""

    def __init__(self, setup: Setup, data_dir: str) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.setup = setup
        self.data_dir = data_dir
        self.reports = 0
        self.scratch = Path(tempfile.mkdtemp(prefix="ucj-kernel-"))
        # The kernel starts first; the client libraries (nbformat, nbclient, papermill, nbconvert: seconds
        # of imports) load in a thread meanwhile, and the kernel imports ucj while they do.
        tools = threading.Thread(target=_load_tools, name="ucj-load-tools", daemon=True)
        tools.start()
        self.km = AsyncKernelManager(kernel_name=setup.kernel_name)
        run_sync(self.km.start_kernel)(extra_arguments=[*KERNEL_ARGS, "--HistoryManager.hist_file=:memory:"],
                                       cwd=str(self.scratch))
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=120)
        self.kc.allow_stdin = False
        self.hidden("import ucj.report.district, ucj.report.params")  # what the setup cell imports, ahead
        tools.join()
        import nbformat

        self.base = nbformat.reads(setup.notebook, as_version=4)
        self.setup_cells: dict[int, object] = {}
        self.language_info: dict[str, object] = {}
        self._warm_up()

    @property
    def pid(self) -> int | None:
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def _notebook(self, parameters: dict[str, object]) -> object:
        from papermill.execute import prepare_notebook_metadata
        from papermill.iorw import load_notebook_node  # noqa: F401 - papermill's own metadata layout
        from papermill.parameterize import parameterize_notebook
        from papermill import __version__ as pm_version

        nb = copy.deepcopy(self.base)
        nb.metadata["papermill"] = {"default_parameters": {}, "parameters": {}, "environment_variables": {},
                                    "version": pm_version}
        for cell in nb.cells:
            cell.metadata.setdefault("tags", [])
            cell.metadata.setdefault("papermill", {})
        nb = parameterize_notebook(nb, parameters, kernel_name=self.setup.kernel_name, language="python")
        return prepare_notebook_metadata(nb, NOTEBOOK_SOURCE, "report.ipynb")

    def _run(self, nb: object, skip_setup: bool) -> object:
        """Run the notebook's cells with papermill's execution manager; setup cells are run only when
        `skip_setup` is false (warm-up), otherwise they show what they did at warm-up."""
        from nbclient.exceptions import CellExecutionError
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager

        nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=False, autosave_cell_every=0)
        nb_man.notebook_start()
        client = PapermillNotebookClient(nb_man, km=self.km, kernel_name=self.setup.kernel_name,
                                         timeout=CELL_TIMEOUT_S)
        client.kc = self.kc
        client.reset_execution_trackers()
        count = 0
        last_setup = max((i for i, c in enumerate(nb.cells)  # type: ignore[attr-defined]
                          if SETUP_TAG in c.metadata.get("tags", [])), default=-1)
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
                    client.execute_cell(cell, index, execution_count=count if cell.cell_type == "code" else None,
                                        store_history=False)
                except CellExecutionError as ex:
                    nb_man.cell_exception(nb.cells[index], cell_index=index, exception=ex)  # type: ignore[attr-defined]
                    break
                finally:
                    nb_man.cell_complete(nb.cells[index], cell_index=index)  # type: ignore[attr-defined]
        finally:
            nb_man.notebook_complete()
        nb.metadata["language_info"] = self.language_info  # type: ignore[attr-defined]
        return nb

    def _warm_up(self) -> None:
        from jupyter_core.utils import run_sync

        msg_id = self.kc.kernel_info()
        reply: dict = {"parent_header": {}}
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = run_sync(self.kc.get_shell_msg)(timeout=CELL_TIMEOUT_S)
        self.language_info = reply["content"]["language_info"]
        nb = self._notebook({"data_dir": self.data_dir})
        nb = self._run(nb, skip_setup=False)
        failed = [c for c in nb.cells if c.metadata.get("papermill", {}).get("exception")]  # type: ignore[attr-defined]
        if failed:
            err = next((o for o in failed[0].outputs if o.output_type == "error"), None)
            raise RuntimeError(f"the notebook's setup failed: {err.ename}: {err.evalue}" if err else
                               "the notebook's setup failed")
        # setup cells sit at the same index once the injected parameters cell is in place
        self.setup_cells = {i: c for i, c in enumerate(nb.cells)  # type: ignore[attr-defined]
                            if SETUP_TAG in c.metadata.get("tags", [])}
        self.hidden("_ucj_keep = set(globals()) | {'_ucj_keep'}")

    def hidden(self, code: str) -> None:
        """Run code in the kernel without recording it (namespace reset, working folder)."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False,
                                                      timeout=CELL_TIMEOUT_S, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel housekeeping failed: {reply['content'].get('ename')}: "
                               f"{reply['content'].get('evalue')}")

    def reset(self) -> None:
        """Put the namespace back as it stood after setup: nothing a report defined survives it."""
        self.hidden("for _n in [n for n in globals() if n not in _ucj_keep]:\n    del globals()[_n]\n"
                    "import gc as _gc\n_gc.collect()\ndel _gc, _n\n"
                    "import sys as _s\nif 'matplotlib.pyplot' in _s.modules:\n"
                    "    _s.modules['matplotlib.pyplot'].close('all')\ndel _s")

    def run_report(self, parameters: dict[str, object], folder: Path) -> object:
        """Run one report's cells in `folder` (the kernel's working folder for it); return the notebook."""
        self.hidden(f"import os as _os\n_os.chdir({str(folder)!r})\ndel _os")
        try:
            nb = self._notebook(parameters | {"data_dir": self.data_dir, "output_dir": "."})
            nb = self._run(nb, skip_setup=True)
            nb.metadata["ucj"] = {"engine": "warm kernel (ucj.report.engine)",  # type: ignore[attr-defined]
                                  "reports_before_in_this_kernel": self.reports}
            return nb
        finally:
            self.reports += 1
            self.hidden(f"import os as _os\n_os.chdir({str(self.scratch)!r})\ndel _os")
            self.reset()

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def close(self) -> None:
        """Ask the kernel to shut down (by message: no interrupt, so no "KeyboardInterrupt caught in kernel"),
        give it a moment, then kill it: it holds nothing that needs saving."""
        from jupyter_core.utils import run_sync

        try:
            self.kc.stop_channels()
            run_sync(self.km.request_shutdown)()
            run_sync(self.km.finish_shutdown)(waittime=0.5, pollinterval=0.05)
            run_sync(self.km.cleanup_resources)()
        except Exception:  # noqa: BLE001 - best effort; the kernel also dies with this process
            pass
        shutil.rmtree(self.scratch, ignore_errors=True)


def _load_tools() -> None:
    """Import what running and exporting notebooks needs, and build the HTML exporter's templates once."""
    import nbformat
    from nbclient import NotebookClient  # noqa: F401
    from papermill.clientwrap import PapermillNotebookClient  # noqa: F401
    from papermill.execute import prepare_notebook_metadata  # noqa: F401

    from ucj.report.export import html_exporter, notebook_html

    exporter = html_exporter()
    notebook_html(nbformat.v4.new_notebook(), "", exporter)
    _TOOLS["exporter"] = exporter


# -- per-thread kernels ---------------------------------------------------------------------------
# One kernel per worker thread: a local worker process has one thread, a Dask worker one per slot.
_LOCAL = threading.local()
_EXPORT_LOCK = threading.Lock()
_TOOLS: dict[str, object] = {}  # the HTML exporter, built once per process (it holds only templates)
_ALL: list[WarmKernel] = []
_ALL_LOCK = threading.Lock()


def close_kernels() -> None:
    with _ALL_LOCK:
        kernels = list(_ALL)
        _ALL.clear()
    for k in kernels:
        k.close()


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


def kernel_for(setup: Setup, payload: dict[str, object] | None = None) -> WarmKernel:
    """This thread's warm kernel for `setup`, started (or restarted for other data) when needed."""
    current: WarmKernel | None = getattr(_LOCAL, "kernel", None)
    if current is not None and current.setup.key == setup.key and current.alive():
        return current
    if current is not None:
        current.close()
        with _ALL_LOCK:
            if current in _ALL:
                _ALL.remove(current)
    if setup.ucj_version != __version__:
        raise RuntimeError(f"this worker has ucj {__version__}, the batch was started with ucj {setup.ucj_version}")
    data_dir = _materialize(payload, setup.data) if payload is not None else ";".join(setup.data.folders)
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


def memory(kernel: WarmKernel | None) -> dict[str, float | None]:
    """Peak resident memory so far of this worker process and of its kernel, in MB."""
    return {"worker_peak_mb": _peak_mb(os.getpid()),
            "kernel_peak_mb": _peak_mb(kernel.pid) if kernel is not None and kernel.pid else None}


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(str(text).split())[:limit]


def render(job: Job, payload: dict[str, object] | None = None) -> Result:
    """Make one report on this worker: run its cells in the warm kernel, export the HTML, and return
    every file as bytes with the index entry. Never raises for a report that fails: the entry says why."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    from ucj.report.export import html_exporter, notebook_html

    started = time.perf_counter()
    entry = dict(job.entry) | {"worker": f"{socket.gethostname()}:{os.getpid()}"}
    kernel: WarmKernel | None = None
    folder = Path(tempfile.mkdtemp(prefix=f"ucj-{job.slug}-"))
    files: dict[str, bytes] = {}
    try:
        kernel = kernel_for(job.setup, payload)
        entry["kernel_report"] = kernel.reports + 1
        nb = kernel.run_report(job.parameters, folder)
        try:
            raise_for_execution_errors(nb, None)
            error = None
        except PapermillExecutionError as err:
            error = err
        files["report.ipynb"] = nbformat.writes(nb).encode()
        if error is not None:
            entry |= {"status": "failed", "error": _one_line(f"{error.ename}: {error.evalue}"),
                      "cell": error.exec_count, "notebook": f"{job.slug}/report.ipynb"}
        else:
            with _EXPORT_LOCK:  # one exporter per process, used by one thread at a time
                files["report.html"] = notebook_html(nb, job.title, _TOOLS.get("exporter") or html_exporter()).encode()
            for f in sorted(folder.iterdir()):
                if f.is_file() and not f.name.startswith("."):
                    files[f.name] = f.read_bytes()
            key = json.loads(files["key_figures.json"])
            entry |= {"status": "ok", "html": f"{job.slug}/report.html", "coverage_pct": key["coverage_pct"],
                      "target_pct": key["target_pct"], "target_year": key["target_year"],
                      "projection_status": key["projection"]["status"],
                      "synthetic_tables": key["synthetic_tables"]}
    except Exception as err:  # noqa: BLE001 - one bad report must not stop a batch
        entry |= {"status": "failed", "error": _one_line(f"{type(err).__name__}: {err}")}
        if kernel is not None and not kernel.alive():
            entry["error"] = _one_line(f"the kernel died while making this report ({entry['error']})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    entry["seconds"] = round(time.perf_counter() - started, 2)
    entry |= memory(kernel)
    return Result(entry, files)
