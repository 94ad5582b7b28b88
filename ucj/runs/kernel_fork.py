"""A batch worker's kernel forked from the worker itself, instead of launched as a fresh interpreter.

A fresh kernel boots ipykernel and imports ucj, pandas, matplotlib and scipy.special: about 0.9-1.0 CPU-s each,
every kernel of a batch repeating the first one's work. A batch's workers are forked from one fork server
(engine.worker_context), which imports those modules once (`preload`, run by ucj.runs.worker_preload), so each
worker already holds them, shared with the server: forking the kernel from the worker takes a few milliseconds
of wall time and no measurable CPU, and the kernel then runs ipykernel's app (what `python -m ipykernel_launcher`
runs) with the command line jupyter_client would have given it (`fork`).

The kernel is the worker's child, as a launched one is: JPY_PARENT_PID, PR_SET_PDEATHSIG (the boot lines) and the
worker's waitpid work as before. In the child: a session of its own (as start_new_session), stdin, stdout and
stderr on /dev/null, every other inherited file descriptor closed (the worker's pipes to the batch, the server's
"alive" pipe: else a dead worker would not be seen as dead), Python's signal handlers back to the default, the
environment, working folder, sys.path[0] and sys.argv as the launched command gives them; it always ends with
os._exit, never the worker's exit handlers. The worker hands jupyter_client a Popen-like `ForkedKernel`
(engine._adopting_manager checks the command it would run, as for a launched kernel).

Only where it applies (`applies`): Linux, a worker forked from a server whose preload succeeded, no thread in the
worker but its parent watch, the plain kernel spec whose interpreter is this one, and UCJ_FORK_KERNEL not "off".
Everywhere else (spawned workers, Dask, the cold `ucj report`) kernels are launched as before.
Only the standard library is imported here; `preload` imports the kernel's modules.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

FORK_KERNEL_ENV = "UCJ_FORK_KERNEL"  # "off": a forked worker launches its kernel as a fresh interpreter
PR_SET_PDEATHSIG = 1
MPL_INLINE = "module://matplotlib_inline.backend_inline"  # what ipykernel sets MPLBACKEND to when it is unset
# Interpreter options a kernel spec's command may carry and a forked kernel may leave out: ipykernel's installer
# adds -Xfrozen_modules=off so that its debugger can step into the standard library; the debugger is refused in
# ucj's kernels (kernel_launch.KERNEL_BOOT), and frozen or not, those modules run the same code.
IGNORED_OPTIONS = ("-Xfrozen_modules=off",)
# What a kernel's first report imports when its cells first run (a fresh kernel pays them in that report): imported
# by `preload` too, so each forked kernel holds them. Importing a module earlier changes none of its results.
FIRST_REPORT_IMPORTS = ("matplotlib.backends.backend_agg", "threadpoolctl", "ucj.analysis.stl",
                        "ucj.presentation.aggtext", "ucj.presentation.export", "PIL.features", "babel.lists")
_PRELOADED: list[bool] = []  # [True] once `preload` has imported everything (inherited by forked workers)
# The warning filters the boot lines' imports added in `preload` (numpy's, scipy's). A launched kernel adds them when
# its boot lines run, after ipykernel's shell has added its own; a forked kernel takes them out as it starts and puts
# them back when its boot lines run (`booted`), so its filters stand in a launched kernel's order.
_BOOT_FILTERS: list[object] = []
_STASHED: list[object] = []


def preload(warm_imports: tuple[str, ...] = ()) -> bool:
    """Import, in a process that will fork kernels (a batch's fork server), what a ucj kernel imports as it boots:
    ipykernel's kernel app (with its debugger refused, as kernel_launch.KERNEL_BOOT refuses it), then the boot
    lines' imports and the kernel's warm imports (`warm_imports`: engine.KERNEL_WARM_IMPORTS, passed in, as
    engine imports this module), then what a first report imports (FIRST_REPORT_IMPORTS). matplotlib is imported
    with the MPLBACKEND a fresh kernel has (ipykernel sets the inline backend when it is unset), which is removed
    afterwards, so this process's environment stays as it was. Nothing here starts a thread, opens a socket or
    an event loop, or reads data; if any import fails, or a thread was started, kernels are launched as before.
    True when every import succeeded."""
    if _PRELOADED:
        return True
    if "debugpy" in sys.modules or "ipykernel.debugger" in sys.modules:
        return False  # imported here before: a forked kernel would not refuse the debugger as a launched one does
    import importlib
    import tempfile

    threads = threading.active_count()
    unset = not os.environ.get("MPLBACKEND")
    if unset:
        os.environ["MPLBACKEND"] = MPL_INLINE
    # Imported in an empty folder, as a launched kernel imports in its own new folder: matplotlib reads a
    # ./matplotlibrc when it is imported, and the server's sys.path begins with the current folder (python -c), so
    # the folder `ucj reports` was run in must change neither the charts nor what is imported (red team, redfork).
    here = os.getcwd()
    empty = tempfile.mkdtemp(prefix="ucj-preload-")
    os.chdir(empty)
    try:
        sys.modules["debugpy"] = None  # type: ignore[assignment]
        try:
            import ipykernel.debugger  # noqa: F401
        finally:
            del sys.modules["debugpy"]
        from ipykernel import kernelapp  # noqa: F401  (what ipykernel_launcher imports)

        import warnings

        before = list(warnings.filters)
        for name in ("ucj.presentation.district", "ucj.runs.params", "scipy.special", *warm_imports):
            importlib.import_module(name)
        added = len(warnings.filters) - len(before)
        if added > 0 and all(a is b for a, b in zip(warnings.filters[added:], before)):  # all put on top
            _BOOT_FILTERS[:] = warnings.filters[:added]
        for name in FIRST_REPORT_IMPORTS:  # (they add no warning filter)
            importlib.import_module(name)
        _warm_caches()
    except Exception:  # noqa: BLE001 - the workers launch their kernels then, as before
        return False
    finally:
        if unset:
            os.environ.pop("MPLBACKEND", None)
        os.chdir(here)
        os.rmdir(empty)
    if threading.active_count() != threads:
        return False
    _PRELOADED.append(True)
    return True


def _warm_caches() -> None:
    """Fill the process-wide caches a kernel's first report fills, where they hold only what the code and the
    installed libraries give (the same in every process; no file of the batch, no open file left behind): the
    libraries' versions a page names (district._versions: a METADATA file parsed per library) and babel's locale
    data for both languages (pickles loaded once per process). The equality tests against launched kernels and
    plain papermill show the pages unchanged."""
    from babel import localedata

    from ucj.presentation import district, i18n

    district._versions()
    for lang in i18n.LANGS:
        localedata.load(i18n._LOCALE[lang])


def _off() -> bool:
    return os.environ.get(FORK_KERNEL_ENV, "").strip().lower() in ("off", "0", "no", "false")


def applies(cmd: list[str]) -> bool:
    """Whether this process may fork the kernel `cmd` (the kernel spec's command, as kernel_launch builds it)
    instead of launching it: see the module's docstring."""
    return not refusal(cmd)


def refusal(cmd: list[str]) -> str:
    """Why this process may not fork the kernel `cmd` ("" when it may): a reason code the timeline records
    ("kernel: launched, not forked (...)"), so a batch that lost its forked kernels says why."""
    if _off():
        return "UCJ_FORK_KERNEL=off"
    if not _PRELOADED:
        return "not preloaded"
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return "not Linux"
    if any(t is not threading.main_thread() and t.name != "ucj-parent-watch" for t in threading.enumerate()) or \
            threading.current_thread() is not threading.main_thread():
        return "threads: " + ", ".join(sorted(t.name for t in threading.enumerate() if t is not threading.main_thread()))
    try:
        at = cmd.index("-m")
    except ValueError:
        return "not a module command"
    if cmd[at + 1:at + 2] != ["ipykernel_launcher"] or not sys.executable or \
            os.path.normpath(os.path.abspath(cmd[0])) != os.path.normpath(os.path.abspath(sys.executable)) or \
            any(a not in IGNORED_OPTIONS for a in cmd[1:at]):
        return "another kernel command"
    flags = sys.flags
    if flags.optimize or flags.isolated or flags.no_site or flags.ignore_environment or flags.no_user_site or \
            sys.warnoptions or set(getattr(sys, "_xoptions", {})) - {"frozen_modules"}:
        return "interpreter options"  # (-X options: the command's reach its workers, never a launched kernel)
    return ""


class ForkedKernel:
    """The Popen-like handle jupyter_client is given for a forked kernel (what its provisioner calls: poll, wait,
    send_signal, terminate, kill, pid, returncode, args), through os.waitpid; `ucj_command` is the command it
    stands for (engine._adopting_manager compares it with the one jupyter_client would run)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, cmd: list[str]) -> None:
        self.pid = pid
        self.args = list(cmd)
        self.ucj_command = list(cmd)
        self.returncode: int | None = None
        self._lock = threading.Lock()

    def _reap(self, flags: int) -> int | None:
        with self._lock:
            if self.returncode is not None:
                return self.returncode
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:  # reaped elsewhere: its status is gone (as subprocess.Popen says then)
                self.returncode = 0
                return self.returncode
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def poll(self) -> int | None:
        return self._reap(os.WNOHANG)

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None:
            while (code := self._reap(0)) is None:  # pragma: no cover - waitpid(0) returns only once it ended
                pass
            return code
        deadline = time.monotonic() + timeout
        while (code := self.poll()) is None:
            if time.monotonic() >= deadline:
                import subprocess

                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.005)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def fork(cmd: list[str], folder: Path) -> ForkedKernel | None:
    """Fork the kernel `cmd` (`python [options] -m ipykernel_launcher -f CONNECTION ...`, where `applies`) from this
    process, its working folder `folder`; its handle, or None if the fork failed (launch it then)."""
    at = cmd.index("-m")
    args = cmd[at + 2:]
    parent = os.getpid()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    ready, told = os.pipe()  # closed by the child once it has a session of its own (its pgid is then its pid)
    try:
        pid = os.fork()
    except OSError:
        os.close(ready)
        os.close(told)
        return None
    if pid == 0:  # pragma: no cover - the child (measured by the tests through the kernel it becomes)
        _child(args, folder, parent)
    os.close(told)
    try:  # jupyter_client signals the kernel's process group (interrupt, kill): never the worker's
        while os.read(ready, 64):
            pass
    finally:
        os.close(ready)
    return ForkedKernel(pid, cmd)


def _child(args: list[str], folder: Path, parent: int) -> None:  # pragma: no cover - runs in the forked kernel
    code = 1
    try:
        if sys.platform.startswith("linux"):  # die with the worker from now on (the boot lines set it again)
            import ctypes

            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
        os.setsid()  # before the descriptors are closed: that tells the worker (fork) its process group is its own
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        for fd in _open_fds():  # the worker's pipes, the server's alive fd, /dev/null's spare descriptor
            if fd > 2:
                try:
                    os.close(fd)
                except OSError:
                    pass
        try:
            signal.set_wakeup_fd(-1)
        except (ValueError, OSError):
            pass
        for sig in signal.valid_signals():  # Python's handlers of the worker back to the default; an ignored
            try:  # signal stays ignored, as it would through exec (a launched kernel inherits it so)
                handler = signal.getsignal(sig)
                if handler not in (signal.SIG_DFL, signal.SIG_IGN, None):
                    signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError, RuntimeError):
                pass
        _as_main_process()
        _stash_boot_filters()
        numpy = sys.modules.get("numpy")
        if numpy is not None:  # numpy's global generator from fresh entropy, as a launched kernel's first use seeds it
            numpy.random.seed()  # (Python's random is reseeded by the fork itself); else every kernel draws the same
        os.environ["JPY_PARENT_PID"] = str(parent)
        os.environ.pop("PYTHONEXECUTABLE", None)
        os.chdir(folder)
        import gc
        import runpy

        gc.disable()  # until the boot lines have imported, as in a launched kernel (kernel_launch.KERNEL_BOOT)
        sys.path[0] = os.getcwd()  # as `python -m` has it (ipykernel_launcher removes it again)
        sys.argv[:] = ["-m", *args]  # runpy puts ipykernel_launcher's file in sys.argv[0]
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - a kernel that cannot start ends; its worker sees it dead
        code = 1
    finally:
        os._exit(code)


def _stash_boot_filters() -> None:  # pragma: no cover - runs in the forked kernel
    import warnings

    if _BOOT_FILTERS and all(a is b for a, b in zip(warnings.filters, _BOOT_FILTERS)):
        _STASHED[:] = warnings.filters[:len(_BOOT_FILTERS)]
        del warnings.filters[:len(_BOOT_FILTERS)]
        warnings._filters_mutated()  # type: ignore[attr-defined]


def booted() -> None:
    """Run by a kernel's boot lines right after their imports (kernel_launch.KERNEL_BOOT_LINES): in a forked kernel,
    the warning filters those imports added in the preloading process are put back on top, where the imports put
    them in a launched kernel; in a launched kernel nothing happens."""
    if _STASHED:
        import warnings

        warnings.filters[:0] = _STASHED
        warnings._filters_mutated()  # type: ignore[attr-defined]
        _STASHED.clear()


def _as_main_process() -> None:  # pragma: no cover - runs in the forked kernel
    """multiprocessing's view of this process as a fresh interpreter has it: the main process, no parent, no
    children, no finalizers, and no fork server or resource tracker yet (the worker's descriptors to them are
    closed); started again on first use, as in a launched kernel. Only modules already imported are touched."""
    import itertools

    process = sys.modules.get("multiprocessing.process")
    if process is not None:
        class _MainProcess(process.BaseProcess):  # type: ignore[name-defined, misc]  # as multiprocessing.process's
            def __init__(self) -> None:
                self._identity = ()
                self._name = "MainProcess"
                self._parent_pid = None
                self._popen = None
                self._closed = False
                self._config = {"authkey": process.AuthenticationString(os.urandom(32)), "semprefix": "/mp"}

            def close(self) -> None:
                pass

        process._current_process = _MainProcess()  # type: ignore[attr-defined]
        process._parent_process = None  # type: ignore[attr-defined]
        process._children = set()  # type: ignore[attr-defined]
        process._process_counter = itertools.count(1)  # type: ignore[attr-defined]
    util = sys.modules.get("multiprocessing.util")
    if util is not None:
        util._finalizer_registry.clear()  # type: ignore[attr-defined]
    for name, attr, cls in (("multiprocessing.forkserver", "_forkserver", "ForkServer"),
                            ("multiprocessing.resource_tracker", "_resource_tracker", "ResourceTracker")):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, attr) and hasattr(module, cls):
            getattr(module, attr).__dict__.update(getattr(module, cls)().__dict__)


def _open_fds() -> list[int]:  # pragma: no cover - runs in the forked kernel
    """This process's open file descriptors (/proc: a handful, where closing every possible one can take a
    million calls)."""
    try:
        return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    except OSError:
        return list(range(3, 65536))
