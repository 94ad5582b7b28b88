"""Benchmark: load and validate the full demo panel (issue: at most 1 s on this machine).

Run with `make bench` (or `python benchmarks/load_demo.py --data-dir data/demo`). Prints the
median of several runs and its ratio to the 1 s budget.
"""

from __future__ import annotations

import argparse
import statistics
import time

import ucj
from ucj.data.registry import load_registry

BUDGET_S = 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    registry = load_registry()  # built once per process and passed, as a worker does
    ucj.load(args.data_dir, registry=registry)  # warm: imports, file cache
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ds = ucj.load(args.data_dir, registry=registry)
        times.append(time.perf_counter() - t0)
    rows = sum(len(df) for df in ds.tables.values())
    med = statistics.median(times)
    print(f"load + validate {rows:,} rows in {len(ds.tables)} tables: median {med:.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}) = {med / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget")


if __name__ == "__main__":
    main()
