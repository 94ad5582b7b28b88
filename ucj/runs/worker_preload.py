"""What a batch's fork server imports once, before it forks the batch's local workers (engine.worker_context):
the engine and every tool a worker uses to run and export notebooks (nbformat, nbclient, papermill, nbconvert,
the HTML exporter with its templates built), and what a kernel imports as it boots (ipykernel's kernel app, ucj's
report modules, pandas, matplotlib, scipy.special: kernel_fork.preload). Each worker forked from it starts with
them in memory instead of importing and building them itself (about 0.4 CPU-s a worker, on the cores its kernel
boots on), and forks its kernel from itself with the kernel's imports done (about 0.75 CPU-s a kernel).
Nothing here starts a thread, opens a socket or reads the data: a process that forks must hold none.

Ctrl-C is ignored from here on (the first module the server imports; ucj.cli comes after it): the server is in
the terminal's process group, and a Ctrl-C during its imports (about a second) raised KeyboardInterrupt there, whose
traceback the user saw as the command ended (red team). The command stops the batch and then the server
(engine.drop_local_workers). Once its imports are done multiprocessing's fork server ignores Ctrl-C anyway; its
workers start with the handler it found, now "ignored" where it was Python's, which each worker sets first thing
anyway (engine.init_local_worker: Ctrl-C is the batch's to handle), so a Ctrl-C as a worker starts is ignored too."""

from __future__ import annotations

import gc
import signal

try:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
except ValueError:  # imported by a thread other than the main one (not a fork server): nothing to guard
    pass
gc.disable()  # the objects the imports create are all kept: no collection while they are made
try:
    from ucj.core.timeline import mark

    mark("server: preload started")
    from ucj.runs import engine, kernel_fork

    try:
        engine._load_tools()
    except Exception:  # noqa: BLE001 - a worker loads the tools itself then, and says why if it cannot
        engine._TOOLS.clear()
    mark("server: tools loaded")
    if not kernel_fork._off():  # UCJ_FORK_KERNEL=off: the workers launch their kernels, so none is imported
        if kernel_fork.preload(engine.KERNEL_WARM_IMPORTS):
            mark("server: kernel's modules imported")
finally:
    gc.freeze()  # inherited by every worker: kept out of each later collection's sight (keep_for_good)
    gc.enable()
