"""A one-report kernel (`ucj report`) is not reset after its report (issue 23: the reset's garbage collection
sat on the report's path). Should it be asked for another report after all (a report begun ahead for other
parameters), its namespace is put back as it stood after setup before that report runs: a name defined in
the kernel after the first report is gone when the second has run."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from ucj.runs import engine

pytestmark = pytest.mark.slow


def _globals_has(kernel: engine.WarmKernel, name: str) -> bool:
    reply = kernel._call(kernel.kc.execute_interactive(  # noqa: SLF001
        "", silent=True, store_history=False, user_expressions={"x": f"{name!r} in globals()"},
        output_hook=lambda msg: None, timeout=60))
    return reply["content"]["user_expressions"]["x"]["data"]["text/plain"] == "True"


def test_a_one_report_kernel_resets_before_a_second_report(demo_dir):
    from ucj.runs.batch import plan
    from ucj.runs.params import validate_params

    ahead_job, asked_job = plan([validate_params("Boalemo", data_dir=str(demo_dir)),
                                 validate_params("Minahasa", data_dir=str(demo_dir))])
    try:
        engine.prestart(launched=True, one_report=True)
        engine.prewarm(ahead_job)
        kernel = engine.kernel_for(asked_job.setup)
        assert kernel.one_report and kernel.ahead is not None
        kernel.ahead[2].result(timeout=300)  # Boalemo's report has run ahead, and was not reset after
        assert kernel.unreset and _globals_has(kernel, "report")
        kernel._call(kernel._hidden("_speedg_probe = 1"))  # noqa: SLF001 - left over from the first report
        assert _globals_has(kernel, "_speedg_probe")
        folder = Path(tempfile.mkdtemp())
        nb = kernel.run_report(asked_job.parameters, folder)
        key = json.loads((folder / "key_figures.json").read_text())
        assert key["district_name"] == asked_job.entry["district_name"] != ahead_job.entry["district_name"]
        assert nb.metadata["ucj"]["reports_before_in_this_kernel"] == 1
        assert not _globals_has(kernel, "_speedg_probe")  # reset before Minahasa's report
        assert _globals_has(kernel, "report")  # Minahasa's own, not reset after (one-report kernel)
    finally:
        engine.close_kernels()
