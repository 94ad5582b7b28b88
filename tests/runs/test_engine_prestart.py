"""A kernel started ahead (`engine.prestart`: `ucj report` starts it while it checks its parameters,
a local worker before its first job) is the one the first report warms and uses; one closed before
use (a refused command) is never reused."""

from __future__ import annotations

import json

import psutil
import pytest

from ucj.runs import engine
from ucj.runs.batch import plan
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow


def test_prestarted_kernel_makes_the_first_report(demo_dir):
    job = plan([validate_params("Boalemo", data_dir=str(demo_dir))])[0]
    try:
        engine.prestart()
        ahead = engine._LOCAL.kernel
        result = engine.render(job)
        assert result.entry["status"] == "ok", result.entry.get("error")
        assert engine.kernel_for(job.setup) is ahead and ahead.reports == 1
        assert json.loads(result.files["key_figures.json"])["district_code"] == "75.02"
        pid = ahead.pid
    finally:
        engine.close_kernels()
    assert pid is not None and not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_kernel_closed_before_use_is_not_reused(demo_dir):
    job = plan([validate_params("Boalemo", data_dir=str(demo_dir))])[0]
    try:
        engine.prestart()
        refused = engine._LOCAL.kernel
        engine.close_kernels()  # what `ucj report` does when its parameters are refused
        assert refused.closed and getattr(engine._LOCAL, "kernel", None) is None
        result = engine.render(job)
        assert result.entry["status"] == "ok", result.entry.get("error")
        assert engine.kernel_for(job.setup) is not refused
    finally:
        engine.close_kernels()
