"""The batch's workers are asked to stop while its last index is written (batch._Closing): what close() raises
still reaches the batch, the join waits for the close, and a Dask client is closed on the batch's own thread."""

from __future__ import annotations

import threading

import pytest

from ucj.runs.batch import DaskExecutor, LocalExecutor, _Closing


class _Local(LocalExecutor):
    def __init__(self, fail: bool = False) -> None:  # no pool: only close() is used here
        self.fail = fail
        self.started = threading.Event()
        self.release = threading.Event()
        self.closed_on: threading.Thread | None = None

    def close(self, cancel: bool = False) -> None:
        self.closed_on = threading.current_thread()
        self.started.set()
        self.release.wait(10)
        if self.fail:
            raise OSError("a worker could not be stopped")


class _Dask(DaskExecutor):
    def __init__(self) -> None:
        self.closed_on: threading.Thread | None = None

    def close(self, cancel: bool = False) -> None:
        self.closed_on = threading.current_thread()


def test_local_workers_close_while_the_batch_goes_on_and_join_waits_for_them():
    ex = _Local()
    closing = _Closing(ex)
    assert ex.started.wait(10)  # the close runs before join() is called ...
    assert ex.closed_on is not threading.current_thread()
    done = threading.Event()
    joiner = threading.Thread(target=lambda: (closing.join(), done.set()))
    joiner.start()
    assert not done.wait(0.3)  # ... and join() does not return while it still runs
    ex.release.set()
    joiner.join(10)
    assert done.is_set()


def test_what_the_close_raised_is_raised_by_join():
    ex = _Local(fail=True)
    ex.release.set()
    closing = _Closing(ex)
    with pytest.raises(OSError, match="could not be stopped"):
        closing.join()


def test_a_dask_client_is_closed_in_join_on_the_calling_thread():
    ex = _Dask()
    closing = _Closing(ex)
    assert ex.closed_on is None
    closing.join()
    assert ex.closed_on is threading.current_thread()


def test_no_executor_is_nothing_to_close():
    _Closing(None).join()
