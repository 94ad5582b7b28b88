"""Benchmark: one cold district report, from CLI start to the HTML written, against one naive report of
the same district in the same run (issue 23: at most 0.4x; it was 0.76x). Each `ucj report` is a new
process with a new kernel; the naive report is plain `papermill` then `jupyter nbconvert --no-input`.
Both medians are taken over `--repeat` runs, interleaved, so a busy machine slows both alike; only the
ratio counts. The naive report runs with the store of derived data off (UCJ_STORE=off: each report loads
and validates the data, as before the store); `ucj report` reads the store, filled once beforehand (as
any earlier report or batch on the same data leaves it).

Run with `python benchmarks/report_one.py --data-dir data/demo` (median of 5 each).
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

TARGET_RATIO = 0.4


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--district", default="Boalemo")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    bin_dir = Path(sys.executable).parent
    data_dir = str(Path(args.data_dir).resolve())
    out = Path(tempfile.mkdtemp(prefix="ucj-bench-"))
    store = out / "store"
    env = {**os.environ, "UCJ_STORE": str(store)}
    naive_env = {**os.environ, "UCJ_STORE": "off"}
    from ucj.core.config import notebook

    times: dict[str, list[float]] = {"ucj": [], "naive": []}
    cpu: dict[str, list[float]] = {"ucj": [], "naive": []}
    try:
        started = time.perf_counter()
        subprocess.run([str(bin_dir / "ucj"), "report", "--district", args.district, "--data-dir", data_dir,
                        "--out", str(out), "--run", "fill"], check=True, capture_output=True, env=env)
        filled = time.perf_counter() - started
        for i in range(args.repeat):
            c0, t0 = _cpu(), time.perf_counter()
            subprocess.run([str(bin_dir / "ucj"), "report", "--district", args.district, "--data-dir", data_dir,
                            "--out", str(out), "--run", f"r{i}"], check=True, capture_output=True, env=env)
            times["ucj"].append(time.perf_counter() - t0)
            cpu["ucj"].append(_cpu() - c0)
            assert list(out.glob(f"r{i}/*/report.html")), "no HTML written"
            folder = out / f"naive{i}"
            folder.mkdir()
            c0, t0 = _cpu(), time.perf_counter()
            subprocess.run([str(bin_dir / "papermill"), str(notebook("district_report")), str(folder / "report.ipynb"),
                            "-p", "district", args.district, "-p", "data_dir", data_dir, "-p", "output_dir",
                            str(folder), "--no-progress-bar"], check=True, capture_output=True, env=naive_env)
            subprocess.run([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                            str(folder / "report.ipynb")], check=True, capture_output=True, env=naive_env)
            times["naive"].append(time.perf_counter() - t0)
            cpu["naive"].append(_cpu() - c0)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["ucj"] / med["naive"]
    print(f"one cold report, CLI start to HTML: median {med['ucj']:.2f} s over {args.repeat} runs (min "
          f"{min(times['ucj']):.2f}, max {max(times['ucj']):.2f}; CPU {statistics.median(cpu['ucj']):.2f} s) against "
          f"one naive papermill + nbconvert report {med['naive']:.2f} s (CPU {statistics.median(cpu['naive']):.2f} s): "
          f"{ratio:.2f}x = {ratio / TARGET_RATIO:.2f} x the {TARGET_RATIO}x target "
          f"(the store filled by a first report, {filled:.2f} s; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
