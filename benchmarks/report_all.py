"""Benchmark: every district report on two cores (issue: all 514 in at most 3 minutes, and each
worker's peak memory at most 600 MB, not growing with the number of reports).

Prints seconds per report and, after 100, 300 and all reports, each worker's peak resident memory
(its process plus its kernel, as /proc's VmHWM records them). Run with
`python benchmarks/report_all.py --data-dir data/demo` (`--limit 100` for a quicker look).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 180.0
TARGET_MB = 600.0
CHECKPOINTS = (100, 300, 514)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N districts (0: all)")
    args = ap.parse_args()
    from ucj.data.registry import load_registry

    codes = [d.code for d in load_registry().all()]
    if args.limit:
        codes = codes[: args.limit]
    out = Path(tempfile.mkdtemp(prefix="ucj-bench-all-"))
    cmd = [str(Path(sys.executable).with_name("ucj")), "reports", "--data-dir", args.data_dir, "--out", str(out),
           "--run", "all", "--workers", str(args.workers), "--no-progress"]
    cmd += ["--all"] if not args.limit else [a for c in codes for a in ("--district", c)]
    try:
        started = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        reports = json.loads((out / "all" / "run.json").read_text())["reports"]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    ok = sum(e["status"] == "ok" for e in reports)
    n = len(reports)
    target = TARGET_S * n / 514
    print(f"{n} district reports on {args.workers} workers: {elapsed:.1f} s, {elapsed / n:.3f} s per report, "
          f"{ok} ok (exit {run.returncode}) = {elapsed / target:.2f} x the {target:.0f} s budget "
          f"({TARGET_S:.0f} s for 514); CPU {cpu:.1f} s ({cpu / n:.3f} s per report), load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for mark in [c for c in CHECKPOINTS if c <= n] or [n]:
        peaks: dict[str, tuple[float, float]] = {}
        for e in reports:
            if e.get("batch_position", 0) <= mark and e.get("worker_peak_mb") and e.get("kernel_peak_mb"):
                w, k = peaks.get(e["worker"], (0.0, 0.0))
                peaks[e["worker"]] = (max(w, e["worker_peak_mb"]), max(k, e["kernel_peak_mb"]))
        shown = ", ".join(f"{w}: {p + k:.0f} MB ({p:.0f} + {k:.0f}) = {(p + k) / TARGET_MB:.2f} x {TARGET_MB:.0f} MB"
                          for w, (p, k) in sorted(peaks.items()))
        print(f"  after {mark} reports, peak memory per worker (process + kernel): {shown}")


if __name__ == "__main__":
    main()
