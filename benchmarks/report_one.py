"""Benchmark: one district report end to end, from CLI start to the HTML written (issue 10: at most
3 s cold on this machine; it was 4.8 s). Each run is a new `ucj report` process with a new kernel.
Prints wall seconds and the CPU seconds of the command and its kernel (the machine may be shared: the
load average is printed too; CPU seconds move less with it).

Run with `python benchmarks/report_one.py --data-dir data/demo`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 3.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--district", default="Boalemo")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    ucj = Path(sys.executable).with_name("ucj")
    times, cpu = [], []
    out = Path(tempfile.mkdtemp(prefix="ucj-bench-"))
    try:
        for i in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([str(ucj), "report", "--district", args.district, "--data-dir", args.data_dir,
                            "--out", str(out), "--run", f"r{i}"], check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            assert list(out.glob(f"r{i}/*/report.html")), "no HTML written"
    finally:
        shutil.rmtree(out, ignore_errors=True)
    med = statistics.median(times)
    print(f"one report, CLI start to HTML: median {med:.2f} s over {len(times)} cold runs "
          f"(min {min(times):.2f}, max {max(times):.2f}) = {med / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget; "
          f"CPU {statistics.median(cpu):.2f} s (command and kernel, median); load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
