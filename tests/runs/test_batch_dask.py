"""The same batch on a Dask cluster: a LocalCluster of two worker processes on 127.0.0.1. The workers
read the data the client sent them (not the client's folder), the client writes every file, and a
worker killed mid-batch does not stop the batch."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest

from ucj.runs.batch import run_many
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow
DISTRICTS = ["Boalemo", "Banggai", "Minahasa", "Muna Barat", "Kota Kupang", "Kabupaten Aceh Selatan"]


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=50) as lc, Client(lc) as client:
        yield lc, client


def _worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def test_a_batch_runs_on_a_dask_cluster_and_survives_a_killed_worker(cluster, demo_dir, tmp_path):
    lc, client = cluster
    params = [validate_params(d, data_dir=str(demo_dir)) for d in DISTRICTS]
    run_dir = tmp_path / "dask"
    pids = _worker_pids(client)
    assert len(pids) == 2
    victim = sorted(pids.values())[0]
    killed = threading.Event()

    def kill_one_worker_mid_batch() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                done = json.loads((run_dir / "run.json").read_text())["reports"]
            except (OSError, ValueError, KeyError):
                done = []
            if len(done) >= 1:
                os.kill(victim, signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_one_worker_mid_batch, daemon=True)
    killer.start()
    entries = run_many(params, run_dir, scheduler=client, progress=False, echo=lambda line: None)
    killer.join(5)
    assert killed.is_set(), "the batch ended before a worker could be killed"
    assert [e["status"] for e in entries] == ["ok"] * len(DISTRICTS), [e.get("error") for e in entries]
    reports = json.loads((run_dir / "run.json").read_text())["reports"]
    assert len(reports) == len(DISTRICTS)
    for e in reports:
        folder = run_dir / e["slug"]
        assert {"report.html", "report.ipynb", "key_figures.json", "tables.xlsx"} <= {f.name for f in folder.iterdir()}
        nb = nbformat.read(folder / "report.ipynb", as_version=4)
        data_dir = nb.metadata["papermill"]["parameters"]["data_dir"]
        # the kernel read the copy the client sent (its key figures name the folder it read), not the
        # client's folder; the notebook names the client's folder, relative to the report's
        read = json.loads((folder / "key_figures.json").read_text())["provenance"]["parameters"]["data_dirs"]
        # the page shows the client's folder relative to the report's (worked out on the client), not the copy's
        assert read == [data_dir] and str(demo_dir) not in read[0] and "ucj-data-" not in read[0]
        assert data_dir == os.path.relpath(Path(demo_dir).resolve(), folder.resolve())
    # the reports were made by more than one worker, and the batch went on after one was killed
    workers = {e["worker"] for e in reports}
    assert len(workers) >= 2


def test_dask_and_local_workers_give_the_same_key_figures(cluster, demo_dir, tmp_path):
    _, client = cluster
    params = [validate_params(d, data_dir=str(demo_dir)) for d in DISTRICTS[:2]]
    on_dask = run_many(params, tmp_path / "d", scheduler=client, progress=False, echo=lambda line: None)
    local = run_many(params, tmp_path / "l", workers=1, progress=False, echo=lambda line: None)
    for a, b in zip(on_dask, local):
        ka = json.loads((tmp_path / "d" / a["slug"] / "key_figures.json").read_text())
        kb = json.loads((tmp_path / "l" / b["slug"] / "key_figures.json").read_text())
        # the same data folder, shown relative to each report's folder (both two levels below tmp_path)
        assert ka["provenance"]["parameters"]["data_dirs"] == kb["provenance"]["parameters"]["data_dirs"] == \
            [os.path.relpath(Path(demo_dir).resolve(), (tmp_path / "d" / a["slug"]).resolve())]
        for k in (ka, kb):  # when each was made is not a figure
            k["provenance"].pop("generated_at")
            k["provenance"].get("stamp", {}).pop("generated_at", None)
            k["provenance"]["parameters"].pop("data_dirs")
        assert ka == kb
