"""The batch's workers are asked to stop while its last index is written (batch._Closing): what close() raises
still reaches the batch, the join waits for the close, and a Dask client is closed on the batch's own thread."""

from __future__ import annotations

import threading

import pytest

from ucj.runs.batch import DaskExecutor, LocalExecutor, _Closing


class _Local(LocalExecutor):
    def __init__(self, fail: bool = False, pool: object = "a pool") -> None:  # only close() and pool are used
        self.pool = pool
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


def test_a_batch_without_a_pool_closes_its_kernel_on_its_own_thread_in_join():
    # its kernel is this thread's (engine._LOCAL): closed from another thread, this thread kept the closed kernel
    ex = _Local(pool=None)
    ex.release.set()
    closing = _Closing(ex)
    assert ex.closed_on is None
    closing.join()
    assert ex.closed_on is threading.current_thread()


def test_no_executor_is_nothing_to_close():
    _Closing(None).join()


class _Client:
    """A Dask client whose scatter raises the given errors in turn, then returns a future."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def scatter(self, data, broadcast=False, hash=True):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return ["future"]


def _dask_with(client: _Client) -> DaskExecutor:
    ex = DaskExecutor.__new__(DaskExecutor)  # no scheduler: only _scatter is used here
    ex.client = client
    ex.SCATTER_PAUSE_S = 0.0
    return ex


def test_a_send_broken_by_a_closed_connection_is_tried_again_up_to_five_times():
    from distributed.comm.core import CommClosedError

    client = _Client(CommClosedError("Stream is closed"), CommClosedError("Stream is closed"))
    assert _dask_with(client)._scatter({"digest": "x"}) == "future"
    assert client.calls == 3
    client = _Client(*[CommClosedError("Stream is closed")] * 5)
    with pytest.raises(CommClosedError):
        _dask_with(client)._scatter({"digest": "x"})
    assert client.calls == 5


def test_no_valid_workers_is_said_at_once_not_after_five_timeouts():
    # distributed raises TimeoutError("No valid workers found") after the client's timeout; TimeoutError is an OSError
    client = _Client(TimeoutError("No valid workers found"))
    with pytest.raises(TimeoutError):
        _dask_with(client)._scatter({"digest": "x"})
    assert client.calls == 1
