"""What a batch's fork server imports once, before it forks the batch's local workers (engine.worker_context):
the engine and every tool a worker uses to run and export notebooks (nbformat, nbclient, papermill, nbconvert,
the HTML exporter with its templates built). Each worker forked from it starts with them in memory instead of
importing and building them itself (about 0.4 CPU-s a worker, on the cores its kernel boots on).
Nothing here starts a thread, opens a socket or reads the data: a process that forks must hold none."""

from __future__ import annotations

import gc

gc.disable()  # the objects the imports create are all kept: no collection while they are made
try:
    from ucj.runs import engine

    try:
        engine._load_tools()
    except Exception:  # noqa: BLE001 - a worker loads the tools itself then, and says why if it cannot
        engine._TOOLS.clear()
finally:
    gc.freeze()  # inherited by every worker: kept out of each later collection's sight (keep_for_good)
    gc.enable()
