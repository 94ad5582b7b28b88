"""`ucj reports` asks its fork server for its workers from a thread (engine.start_local_workers): the server
reads no request until it has imported its tools, and the command checks its parameters, plans its run and
writes its manifest and index meanwhile instead of waiting (warm_local_workers hands the workers their warm-up
once they exist). Spawned workers (no fork server) are still started by the calling thread, whose
PR_SET_PDEATHSIG they follow."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from ucj.runs import engine

pytestmark = pytest.mark.slow  # starts worker processes and their kernels


def test_the_command_goes_on_while_the_server_imports_and_takes_its_workers_after(monkeypatch, tmp_path):
    monkeypatch.delenv(engine.FORKSERVER_ENV, raising=False)
    ctx = engine.worker_context()
    if ctx.get_start_method() != "forkserver":
        pytest.skip("workers are spawned on this platform")
    from multiprocessing import forkserver

    engine.stop_worker_server()
    flag = tmp_path / "imports-may-end"
    # a server whose imports end only when this test says so: a start that waited for them would not return
    (tmp_path / "ucj_test_held_preload.py").write_text(
        "import os, time\n"
        "open(os.environ['UCJ_TEST_PRELOAD_FLAG'] + '-held', 'w').close()\n"
        "while not os.path.exists(os.environ['UCJ_TEST_PRELOAD_FLAG']):\n"
        "    time.sleep(0.05)\n")
    # the server is a fresh interpreter that ignores this process's sys.path (Python 3.11): PYTHONPATH
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("UCJ_TEST_PRELOAD_FLAG", str(flag))
    preload = list(forkserver._forkserver._preload_modules)
    ctx.set_forkserver_preload([*preload, "ucj_test_held_preload"])
    monkeypatch.setattr(engine, "worker_context", lambda: ctx)
    warmed: list[tuple[object, int, object]] = []
    monkeypatch.setattr(engine, "_warm_pool", lambda pool, size, setup: warmed.append((pool, size, setup)))
    setup = object()  # what the batch planned: handed to the workers' warm-up once they exist
    pool = None
    try:
        engine.start_worker_server()
        returned = threading.Event()
        threading.Thread(target=lambda: (engine.start_local_workers(2), engine.warm_local_workers(setup),
                                         returned.set()), daemon=True).start()
        came_back = returned.wait(60)
        for _ in range(600):  # the server is holding its imports (the module above runs), not done with them
            if Path(str(flag) + "-held").exists():
                break
            time.sleep(0.1)
        assert Path(str(flag) + "-held").exists() and not flag.exists()
        flag.touch()  # the server's imports end now, whatever happened above
        assert came_back, "start_local_workers or warm_local_workers waited for the fork server's imports"
        assert not engine._EARLY_POOL and not warmed  # the pool is still being asked for, from the thread
        taken = engine.take_local_workers(2)  # waits for that thread
        assert taken is not None and taken[1] == 2
        pool = taken[0]
        assert warmed == [(pool, 2, setup)]  # the warm-up went to the workers once they were there
        server = forkserver._forkserver._forkserver_pid
        parents = {pool.submit(os.getppid).result(timeout=120) for _ in range(4)}
        assert parents == {server}  # forked by the server, as before
    finally:
        flag.touch()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        engine.drop_local_workers()
        ctx.set_forkserver_preload(preload)


def test_spawned_workers_are_started_by_the_calling_thread(monkeypatch):
    monkeypatch.setenv(engine.FORKSERVER_ENV, "off")
    try:
        engine.start_local_workers(2)
        assert not engine._STARTING and len(engine._EARLY_POOL) == 1  # started before it returned
        pool, size = engine._EARLY_POOL[0]
        assert size == 2 and os.getpid() in {pool.submit(os.getppid).result(timeout=120) for _ in range(2)}
    finally:
        engine.drop_local_workers()
