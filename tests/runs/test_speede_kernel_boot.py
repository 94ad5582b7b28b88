"""How a kernel boots (issue 23): launched ahead through KERNEL_BOOT it runs ipykernel_launcher as
`python -m` would, without ipykernel's debugger, and has imported what the setup cell imports by the time
it first answers (KERNEL_BOOT_LINES); a report begun ahead for other parameters is not taken for the one
asked for."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ucj.runs import engine

PROBE = ("import json, sys, ipykernel.debugger\n"
         "print(json.dumps({'argv0': sys.argv[0], 'path': sys.path, 'cwd': __import__('os').getcwd(),\n"
         "                  'debugger': ipykernel.debugger._is_debugpy_available,\n"
         "                  'imported': 'ucj.presentation.district' in sys.modules,\n"
         "                  'debugpy_importable': __import__('importlib.util').util.find_spec('debugpy') is not None}))")


def test_only_the_ipykernel_launcher_command_is_wrapped():
    cmd = ["/x/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "/tmp/k.json", "--a=b"]
    booted = engine._boot_command(cmd)  # noqa: SLF001
    assert booted == ["/x/python", "-Xfrozen_modules=off", "-c", engine.KERNEL_BOOT, "-m", "ipykernel_launcher",
                      "-f", "/tmp/k.json", "--a=b"]
    for other in (["/x/python", "-m", "other_kernel", "-f", "k.json"], ["/x/kernel", "-f", "k.json"],
                  ["/x/python", "-m"]):
        assert engine._boot_command(other) == other  # noqa: SLF001


async def _probe(km, **start) -> dict:  # type: ignore[no-untyped-def]
    """Start the kernel through the manager, wait until it answers, and run PROBE in it."""
    await km.start_kernel(extra_arguments=engine.KERNEL_LAUNCH_ARGS, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, **start)
    kc = km.client()
    kc.start_channels()
    said: list[str] = []
    try:
        reply = await engine._wait_for_ready(kc, timeout=120)  # noqa: SLF001
        assert reply["content"]["language_info"]["name"] == "python"
        done = await kc.execute_interactive(PROBE, timeout=60,
                                            output_hook=lambda msg: said.append(msg["content"].get("text", "")))
        assert done["content"]["status"] == "ok", done["content"]
        return json.loads("".join(said))
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


@pytest.mark.slow
def test_a_kernel_launched_ahead_boots_as_python_m_without_the_debugger(tmp_path):
    from jupyter_client.manager import AsyncKernelManager

    ahead = engine._launch_ahead(engine.KERNEL, tmp_path)  # noqa: SLF001
    if ahead is None:
        pytest.skip("this Python has no kernel spec of its own in its prefix (the regular start runs)")
    process, connection = ahead
    assert process.args[process.args.index("-c") + 1] == engine.KERNEL_BOOT  # launched through the boot code
    km = engine._adopting_manager(AsyncKernelManager, engine.KERNEL, process, connection)  # noqa: SLF001
    booted = asyncio.run(_probe(km))
    assert process.poll() is not None  # the process launched ahead was the kernel (shut down with the manager)
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    plain = asyncio.run(_probe(AsyncKernelManager(kernel_name=engine.KERNEL), cwd=str(plain_dir)))
    # the same launcher, and the same module path (each kernel's own working folder aside)
    assert booted["argv0"] == plain["argv0"] and booted["argv0"].endswith("ipykernel_launcher.py")
    assert [p.replace(booted["cwd"], "<cwd>") for p in booted["path"]] == \
        [p.replace(plain["cwd"], "<cwd>") for p in plain["path"]]
    # the boot lines ran before the kernel first answered, in both
    assert booted["imported"] and plain["imported"]
    # only ipykernel's debugger is off, and only in the kernel launched ahead; cells can still import debugpy
    assert booted["debugger"] is False
    assert plain["debugger"] is plain["debugpy_importable"]
    assert booted["debugpy_importable"] is plain["debugpy_importable"]


@pytest.mark.slow
def test_a_report_begun_ahead_for_other_parameters_is_not_taken(demo_dir):
    from ucj.runs.batch import plan
    from ucj.runs.params import validate_params

    ahead_job, asked_job = plan([validate_params("Boalemo", data_dir=str(demo_dir)),
                                 validate_params("Minahasa", data_dir=str(demo_dir))])
    assert ahead_job.setup.key == asked_job.setup.key
    try:
        engine.prestart(launched=True)
        engine.prewarm(ahead_job)  # the kernel starts on Boalemo as soon as it is ready
        kernel = engine.kernel_for(asked_job.setup)  # the same warm kernel
        assert kernel.ahead is not None
        folder = Path(tempfile.mkdtemp())
        nb = kernel.run_report(asked_job.parameters, folder)
        key = json.loads((folder / "key_figures.json").read_text())
        assert key["district_name"] == asked_job.entry["district_name"] != ahead_job.entry["district_name"]
        assert nb.metadata["papermill"]["parameters"]["district"] == asked_job.parameters["district"]
        assert nb.metadata["ucj"]["reports_before_in_this_kernel"] == 1  # Boalemo's ran first, then was reset
        assert kernel.ahead is None and not list(kernel.scratch.glob("ucj-ahead-*"))  # its files were dropped
    finally:
        engine.close_kernels()


@pytest.mark.slow
def test_a_worker_warms_its_kernel_before_its_first_job(demo_dir):
    """What a batch worker's initialiser does with the batch's setup (init_local_worker): the setup cells are
    under way before any job arrives, and the first job's kernel is that one, warm."""
    from ucj.runs.batch import LocalExecutor, plan
    from ucj.runs.params import validate_params

    job = plan([validate_params("Boalemo", data_dir=str(demo_dir))])[0]
    assert LocalExecutor(1, job.setup).setup is job.setup  # what its workers are started with
    try:
        engine.prestart(launched=True)
        engine._prewarm_setup(job.setup)  # noqa: SLF001
        started = engine._LOCAL.kernel  # noqa: SLF001
        assert started.warming is not None and started.ahead is None  # setup cells only: no report guessed
        result = engine.render(job)
        assert result.entry["status"] == "ok", result.entry
        assert result.entry["kernel_report"] == 1 and engine._LOCAL.kernel is started  # noqa: SLF001
    finally:
        engine.close_kernels()
