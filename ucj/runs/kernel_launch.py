"""Launching a Jupyter kernel's process, light enough to run first: a cold `ucj report` launches its kernel
before it imports anything else (ucj.cli), so the kernel boots on the other core while the command imports
typer, asyncio and jupyter_client and checks its parameters. Only the standard library's process and socket
modules are imported here; ucj.runs.engine hands the launched process to jupyter_client (_adopting_manager).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import tempfile
from pathlib import Path

KERNEL = "python3"
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
PR_SET_PDEATHSIG = 1

# Run by the kernel as it boots (IPython's exec_lines: after ipykernel has set up matplotlib's inline
# backend, before it answers its first message), so the kernel imports at once, on its own core, instead of
# waiting for a request after its readiness handshake. The first line makes it die with the process that
# started it (JPY_PARENT_PID: this worker; besides ipykernel's own poller). scipy.special: what the
# projection of every report imports when it first runs (ucj.analysis.projection). The garbage collector
# is off while the kernel imports (KERNEL_BOOT turns it off before ipykernel loads, the first line here
# otherwise): the hundreds of thousands of objects imports create are all kept, and collecting them over and
# over cost about 0.1 s of each kernel's start. They are then frozen (out of every later collection's sight,
# as keep_for_good does after warm-up) and the collector is switched back on, in a line of its own, which
# runs even if an import failed. Collection changes no result: only when memory is freed. A kernel forked from a
# preloaded worker (ucj.runs.kernel_fork) has imported all this already; kernel_fork.booted then puts the imports'
# warning filters where these imports put them in a launched kernel (it does nothing in a launched kernel).
KERNEL_BOOT_LINES = [
    f"import ctypes as _c, gc as _g, os as _o, sys as _s\n"
    f"_g.disable()\n"
    f"if _s.platform.startswith('linux'):\n    _c.CDLL(None).prctl({PR_SET_PDEATHSIG}, 9, 0, 0, 0)\n"
    f"if _o.environ.get('JPY_PARENT_PID', '').isdigit() and _o.getppid() != int(_o.environ['JPY_PARENT_PID']):\n"
    f"    _o._exit(1)\n"
    f"del _c, _g, _o, _s",
    "__import__('ucj.core.timeline').core.timeline.mark('kernel: booted')",
    "import ucj.presentation.district, ucj.runs.params, scipy.special",
    "__import__('ucj.runs.kernel_fork').runs.kernel_fork.booted()",
    "__import__('gc').freeze(); __import__('gc').enable()",
    "__import__('ucj.core.timeline').core.timeline.mark('kernel: ucj imported')",
    "__import__('ucj.runs.engine').runs.engine.warm_in_kernel()",
]
KERNEL_LAUNCH_ARGS = [*KERNEL_ARGS, "--HistoryManager.hist_file=:memory:",
                      *(f"--IPKernelApp.exec_lines={line}" for line in KERNEL_BOOT_LINES)]

# How a kernel launched ahead (_launch_ahead) starts: the kernel spec's own command, with ipykernel's
# debugger switched off first. Importing debugpy costs about 0.1 s of every kernel start, and nothing here
# debugs a kernel; without it the kernel runs the same code (kernel_info no longer lists "debugger"
# among its features). debugpy stays importable by cells: only ipykernel's check at its import is refused.
KERNEL_BOOT = ("import gc, os, runpy, sys\n"
               "gc.disable()\n"  # until the boot lines have imported (KERNEL_BOOT_LINES)
               "sys.modules['debugpy'] = None\n"
               "import ipykernel.debugger\n"
               "del sys.modules['debugpy']\n"
               "module = sys.argv[2]\n"
               "sys.argv[:3] = ['-m']\n"
               "sys.path[0] = os.getcwd()\n"
               "runpy._run_module_as_main(module)\n")


def _boot_command(cmd: list[str]) -> list[str]:
    """`cmd` (python ... -m ipykernel_launcher ...) started through KERNEL_BOOT, as `python -m` would run
    it; any other command as it is."""
    try:
        at = cmd.index("-m")
    except ValueError:
        return cmd
    import runpy

    if at == 0 or cmd[at + 1:at + 2] != ["ipykernel_launcher"] or not hasattr(runpy, "_run_module_as_main"):
        return cmd
    return [*cmd[:at], "-c", KERNEL_BOOT, *cmd[at:]]


def _launch_ahead(kernel_name: str, folder: Path, fork: bool = False) -> tuple[subprocess.Popen, Path] | None:
    """Launch the kernel's process at once with plain subprocess, as jupyter_client would launch it
    (the kernel spec's command with its connection file, JPY_PARENT_PID, a session of its own), before
    jupyter_client is even imported: importing it and starting a kernel through it cost about 0.65 CPU-s,
    during which the kernel could already boot on the other core. Only for the plain case (the kernel spec
    in this Python's prefix, no JUPYTER_PATH, no user spec of that name, no env stanza); None otherwise,
    and the regular start runs. `_adopting_manager` then hands the process to jupyter_client, which checks
    that it is the command it would have run. `fork`: the kernel is forked from this process where that applies
    (a batch's worker forked from its preloading server: ucj.runs.kernel_fork), and launched otherwise."""
    import json as _json
    import socket
    import uuid

    spec_file = Path(sys.prefix) / "share" / "jupyter" / "kernels" / kernel_name / "kernel.json"
    user_spec = Path.home() / ".local" / "share" / "jupyter" / "kernels" / kernel_name
    if os.environ.get("JUPYTER_PATH") or os.environ.get("JUPYTER_DATA_DIR") or user_spec.exists() or \
            not spec_file.is_file():
        return None
    try:
        spec = _json.loads(spec_file.read_text(encoding="utf-8"))
        argv = list(spec["argv"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if spec.get("env") or spec.get("interrupt_mode", "signal") != "signal" or "{connection_file}" not in argv:
        return None
    ports = []
    sockets = []
    for _ in range(5):  # free ports, as jupyter_client picks them (bound, read, released)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\0" * 8)
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    info = dict(zip(["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"], ports),
                ip="127.0.0.1", key=str(uuid.uuid4()), transport="tcp", signature_scheme="hmac-sha256",
                kernel_name=kernel_name)
    connection = folder / f"kernel-{uuid.uuid4()}.json"
    fd = os.open(connection, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        _json.dump(info, fh)
    env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))
    env.pop("PYTHONEXECUTABLE", None)
    cmd = [os.path.expanduser(a.replace("{connection_file}", str(connection))) for a in argv] + KERNEL_LAUNCH_ARGS
    if fork:
        from ucj.core.timeline import mark
        from ucj.runs import kernel_fork

        refused = kernel_fork.refusal(cmd)
        forked = None if refused else kernel_fork.fork(cmd, folder)
        if forked is not None:
            mark("kernel: forked")
            return forked, connection  # type: ignore[return-value]  # Popen-like (kernel_fork.ForkedKernel)
        mark(f"kernel: launched, not forked ({refused or 'fork failed'})")
    try:
        process = subprocess.Popen(_boot_command(cmd), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=str(folder), env=env, start_new_session=True)
    except OSError:
        connection.unlink(missing_ok=True)
        return None
    process.ucj_command = cmd  # type: ignore[attr-defined]  # the command jupyter_client would run (adoption)
    return process, connection



# A kernel launched by launch_early, until WarmKernel takes it: (kernel name, process, connection file, folder).
_EARLY: list[tuple[str, subprocess.Popen, Path, Path]] = []


def launch_early(kernel_name: str = KERNEL) -> bool:
    """Launch `kernel_name`'s process now, in a working folder of its own, for the WarmKernel this process
    makes next (take_early); False where the plain launch does not apply (_launch_ahead). A kernel never
    taken is killed, and reaped, when this process exits. Call it from the thread that later drives the kernel
    (the process's main thread): the kernel's PR_SET_PDEATHSIG follows it."""
    if _EARLY:
        return True
    folder = Path(tempfile.mkdtemp(prefix="ucj-kernel-"))
    ahead = _launch_ahead(kernel_name, folder)
    if ahead is None:
        os.rmdir(folder)
        return False
    _EARLY.append((kernel_name, ahead[0], ahead[1], folder))
    atexit.register(_drop_early)
    from ucj.core.timeline import mark

    mark("kernel: process launched")
    return True


def take_early(kernel_name: str) -> tuple[subprocess.Popen, Path, Path] | None:
    """The kernel launch_early launched, if it is `kernel_name`'s and still running: (process, connection file,
    its working folder), now the caller's to stop; None otherwise (an early kernel of another name is stopped)."""
    if not _EARLY:
        return None
    name, process, connection, folder = _EARLY.pop()
    if name == kernel_name and process.poll() is None:
        return process, connection, folder
    _stop(process, folder)
    return None


def _drop_early() -> None:
    while _EARLY:
        _, process, _, folder = _EARLY.pop()
        _stop(process, folder)


def _stop(process: subprocess.Popen, folder: Path) -> None:
    import shutil

    if process.poll() is None:
        process.kill()
    process.wait()
    shutil.rmtree(folder, ignore_errors=True)
