"""Benchmark: every indicator for all 514 districts (issue: at most 10 s on this machine).

Run with `python benchmarks/analysis_all.py --data-dir data/demo`. Prints the time of each part
and the total as a ratio to the 10 s budget, and beside it the CPU seconds used (this process and any
child processes; the projections now run in this process, batched): on a machine shared with other
jobs the wall time depends on their load, the CPU time much less. The load average is printed with it.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import ucj
from ucj.analysis.claims import claims_summary, heirs_benefits, loss_ratio
from ucj.analysis.coverage import coverage
from ucj.analysis.all_districts import district_table
from ucj.analysis.peers import benchmark_all
from ucj.analysis.poverty import poverty_trends
from ucj.analysis.projection import project_all

BUDGET_S = 10.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    args = ap.parse_args()
    ds = ucj.load(args.data_dir)
    year = int(ds.enrolment["month"].max().year)
    parts = {
        "coverage": lambda: (coverage(ds.enrolment, ds.workforce),
                             coverage(ds.enrolment, ds.workforce, by_segment=True)),
        "projections": lambda: project_all(ds),
        "claims": lambda: (claims_summary(ds.claims, ds.enrolment), loss_ratio(ds.claims, ds.contributions, ds.enrolment),
                           heirs_benefits(ds.claims)),
        "poverty": lambda: poverty_trends(ds.poverty),
        "peers": lambda: benchmark_all(district_table(ds, year)),
    }
    total = cpu_total = 0.0
    for name, run in parts.items():
        t0, c0 = time.perf_counter(), _cpu()
        run()
        dt, cpu = time.perf_counter() - t0, _cpu() - c0
        total += dt
        cpu_total += cpu
        print(f"{name:<12}{dt:7.2f} s   cpu {cpu:7.2f} s")
    print(f"{'total':<12}{total:7.2f} s = {total / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget (514 districts)"
          f"   cpu {cpu_total:7.2f} s = {cpu_total / BUDGET_S:.2f} x the budget")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
