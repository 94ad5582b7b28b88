"""Benchmark: every district report plus the national overview on two workers (issue 23: at least 16x
the naive loop's time per report x 514, with each worker's peak memory at most 500 MB and flat from
report 100 to 514).

The naive loop's time per report is measured in the same run on a sample of `--sample` districts
spread across the country (plain papermill then `jupyter nbconvert --no-input`, store of derived data
off: see report_batch.py). Then `ucj reports --all` (with `--limit N`: the first N districts, and the
national overview only with `--all`) runs on a store the sample's profile left empty: the first
reports of each worker fill it. Prints the ratio and, after 100, 300 and all reports, each worker's
peak resident memory (its process plus its kernel, as /proc's VmHWM records them) and its proportional set size
(PSS: its process plus its kernel plus its share of the fork server, the largest sampled after a report).
Run with `python benchmarks/report_all.py --data-dir data/demo` (`--limit 100` for a quicker look).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_batch import PSS_NOTE, naive, pss_per_worker, spread  # noqa: E402

TARGET_RATIO = 16.0
TARGET_MB = 500.0
CHECKPOINTS = (100, 300, 514)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample", type=int, default=8, help="districts in the naive loop's sample (at least 8)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N districts, no overview (0: all)")
    args = ap.parse_args()
    from ucj.data.registry import load_registry

    data_dir = str(Path(args.data_dir).resolve())
    codes = [d.code for d in load_registry().all()]
    if args.limit:
        codes = codes[: args.limit]
    out = Path(tempfile.mkdtemp(prefix="ucj-bench-all-"))
    env = {**os.environ, "UCJ_STORE": str(out / "store")}
    cmd = [str(Path(sys.executable).with_name("ucj")), "reports", "--data-dir", data_dir, "--out", str(out),
           "--run", "all", "--workers", str(args.workers), "--no-progress"]
    cmd += ["--all"] if not args.limit else [a for c in codes for a in ("--district", c)]
    try:
        took = naive(spread(args.sample), data_dir, out / "naive")
        per_report = sum(took.values()) / max(1, len(took))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
        data = json.loads((out / "all" / "run.json").read_text())
        reports, overviews = data["reports"], data.get("overviews", [])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    ok = sum(e["status"] == "ok" for e in reports)
    n = len(reports)
    ratio = per_report * n / elapsed
    shown_ov = ", ".join(f"{e['slug']} {e['status']} in {e.get('seconds')} s" for e in overviews) or "none"
    print(f"{n} district reports on {args.workers} workers (overviews: {shown_ov}): {elapsed:.1f} s, "
          f"{elapsed / n:.3f} s per report, {ok} ok (exit {run.returncode}); the naive loop {per_report:.2f} s per "
          f"report on {len(took)} districts, x {n} = {per_report * n:.0f} s: {ratio:.1f}x = "
          f"{ratio / TARGET_RATIO:.2f} x the {TARGET_RATIO:.0f}x target; CPU {cpu:.1f} s ({cpu / n:.3f} s per report), "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(PSS_NOTE)
    for mark in [c for c in CHECKPOINTS if c <= n] or [n]:
        peaks: dict[str, tuple[float, float]] = {}
        for e in reports:
            if e.get("batch_position", 0) <= mark and e.get("worker_peak_mb") and e.get("kernel_peak_mb"):
                w, k = peaks.get(e["worker"], (0.0, 0.0))
                peaks[e["worker"]] = (max(w, e["worker_peak_mb"]), max(k, e["kernel_peak_mb"]))
        shown = ", ".join(f"{w}: {p + k:.0f} MB ({p:.0f} + {k:.0f})" for w, (p, k) in sorted(peaks.items()))
        print(f"  after {mark} reports, peak memory per worker (VmHWM, process + kernel): {shown}")
        pss = pss_per_worker([e for e in reports if e.get("batch_position", 0) <= mark])
        shown = ", ".join(f"{w}: {t:.0f} MB ({p:.0f} + {k:.0f} + {s:.0f}) = {t / TARGET_MB:.2f} x {TARGET_MB:.0f} MB"
                          for w, (t, p, k, s) in sorted(pss.items()))
        print(f"  after {mark} reports, largest PSS per worker (process + kernel + its share of the fork server): "
              f"{shown or 'not recorded'}")


if __name__ == "__main__":
    main()
