"""Timestamps of a command's steps, for the benchmarks (benchmarks/report_one.py, report_batch.py): with
UCJ_TIMELINE=FILE set, each step appends one JSON line (wall-clock time, the process's CPU seconds so far, process
id and its parent's, step name) to FILE; without it, nothing is written and a mark costs one environment look-up.
Kernels inherit the variable, so their steps land in the same file. Only step names and seconds: never a path, a name or a figure."""

from __future__ import annotations

import json
import os
import time

TIMELINE_ENV = "UCJ_TIMELINE"


def mark(step: str) -> None:
    """Record that `step` ends now (when UCJ_TIMELINE names a file)."""
    path = os.environ.get(TIMELINE_ENV)
    if not path:
        return
    line = json.dumps({"t": time.time(), "cpu": round(time.process_time(), 4), "pid": os.getpid(), "ppid": os.getppid(),
                       "step": step}) + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # one write per line: lines never mix
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError:
        pass  # a diagnostic only: it never stops a command
