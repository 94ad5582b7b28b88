"""Benchmark: the naive loop against `ucj reports` on the same districts (issue: at least 10x faster).

The naive loop is what users do by hand: plain `papermill` then `jupyter nbconvert --no-input`, one
district after another (a new kernel, imports and data load for every report). `ucj reports` runs
the same reports on warm workers (one kernel per worker, started once).

Run with `python benchmarks/report_batch.py --data-dir data/demo` (20 districts spread across the
country, 2 workers).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 10.0


def spread(n: int) -> list[str]:
    """`n` district codes spread across the country (every k-th in registry order)."""
    from ucj.data.registry import load_registry

    codes = [d.code for d in load_registry().all()]
    step = max(1, len(codes) // n)
    return codes[::step][:n]


def naive(codes: list[str], data_dir: str, out: Path) -> float:
    from ucj.core.config import notebook

    bin_dir = Path(sys.executable).parent
    started = time.perf_counter()
    for code in codes:
        folder = out / code
        folder.mkdir(parents=True)
        subprocess.run([str(bin_dir / "papermill"), str(notebook("district_report")), str(folder / "report.ipynb"),
                        "-p", "district", code, "-p", "data_dir", data_dir, "-p", "output_dir", str(folder),
                        "--no-progress-bar"], check=True, capture_output=True)
        subprocess.run([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(folder / "report.ipynb")], check=True, capture_output=True)
    return time.perf_counter() - started


def batch(codes: list[str], data_dir: str, out: Path, workers: int) -> float:
    args = [str(Path(sys.executable).with_name("ucj")), "reports", "--data-dir", data_dir, "--out", str(out),
            "--run", "batch", "--workers", str(workers), "--no-progress"]
    for code in codes:
        args += ["--district", code]
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    reports = json.loads((out / "batch" / "run.json").read_text())["reports"]
    assert [e["status"] for e in reports] == ["ok"] * len(codes), "a report failed"
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--districts", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    data_dir = str(Path(args.data_dir).resolve())
    codes = spread(args.districts)
    out = Path(tempfile.mkdtemp(prefix="ucj-bench-batch-"))
    try:
        slow = naive(codes, data_dir, out / "naive")
        fast = batch(codes, data_dir, out, args.workers)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    n = len(codes)
    ratio = slow / fast
    print(f"{n} district reports: naive papermill + nbconvert loop {slow:.1f} s ({slow / n:.2f} s per report); "
          f"ucj reports --workers {args.workers} {fast:.1f} s ({fast / n:.2f} s per report); "
          f"{ratio:.1f}x faster = {ratio / TARGET_RATIO:.2f} x the {TARGET_RATIO:.0f}x target "
          f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
