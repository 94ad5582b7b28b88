"""The kernel process launched ahead with plain subprocess (ucj.runs.engine._launch_ahead) is the one
jupyter_client manages and talks to; a process that does not run the command jupyter_client would have
run is stopped, and jupyter_client launches its own."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from jupyter_client.manager import AsyncKernelManager

from ucj.runs import engine

pytestmark = pytest.mark.slow


async def _kernel_pid(km) -> int:  # type: ignore[no-untyped-def]
    """Start the kernel through the manager and ask it for its process id (over its channels)."""
    await km.start_kernel(extra_arguments=engine.KERNEL_LAUNCH_ARGS, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    said: list[str] = []
    try:
        await kc.wait_for_ready(timeout=120)
        reply = await kc.execute_interactive("import os; print(os.getpid())", timeout=60,
                                             output_hook=lambda msg: said.append(msg["content"].get("text", "")))
        assert reply["content"]["status"] == "ok"
        return int("".join(said).strip())
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def test_the_process_launched_ahead_is_the_managed_kernel(tmp_path):
    ahead = engine._launch_ahead(engine.KERNEL, tmp_path)  # noqa: SLF001
    if ahead is None:
        pytest.skip("this Python has no kernel spec of its own in its prefix (the regular start runs)")
    process, connection = ahead
    km = engine._adopting_manager(AsyncKernelManager, engine.KERNEL, process, connection)  # noqa: SLF001
    assert asyncio.run(_kernel_pid(km)) == process.pid  # the kernel answering is the process launched ahead
    assert process.wait(timeout=30) is not None  # and it was shut down with the manager


def test_a_process_running_another_command_is_replaced(tmp_path):
    ahead = engine._launch_ahead(engine.KERNEL, tmp_path)  # noqa: SLF001
    if ahead is None:
        pytest.skip("this Python has no kernel spec of its own in its prefix (the regular start runs)")
    process, connection = ahead
    process.kill()
    process.wait()
    impostor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        km = engine._adopting_manager(AsyncKernelManager, engine.KERNEL, impostor, connection)  # noqa: SLF001
        assert asyncio.run(_kernel_pid(km)) != impostor.pid  # a kernel of jupyter_client's own answers
        assert impostor.poll() is not None  # and the impostor was stopped: not the command it would have run
    finally:
        if impostor.poll() is None:
            impostor.kill()
        impostor.wait()


def test_with_transport_encryption_configured_jupyter_client_starts_its_own(tmp_path):
    import zmq

    if not zmq.has("curve"):
        pytest.skip("this zmq has no CurveZMQ")
    ahead = engine._launch_ahead(engine.KERNEL, tmp_path)  # noqa: SLF001
    if ahead is None:
        pytest.skip("this Python has no kernel spec of its own in its prefix (the regular start runs)")
    process, connection = ahead
    km = engine._adopting_manager(AsyncKernelManager, engine.KERNEL, process, connection)  # noqa: SLF001
    if not hasattr(km, "transport_encryption"):
        pytest.skip("this jupyter_client has no transport encryption")
    km.transport_encryption = "auto"  # as a user's jupyter configuration may set it
    try:
        assert asyncio.run(_kernel_pid(km)) != process.pid  # an encrypted kernel of its own answers
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
