"""Benchmark: 100,000 candidate rows over Minahasa's 227 desa checked (read, every rule, duplicates,
summary) and the run folder written (issue 19: at most 10 s on 2 cores).

Run with `make bench` (or `python benchmarks/participants_check.py`). The list is the demo's synthetic
Minahasa list repeated with new NIKs and names until it has 100,000 rows, as CSV (the format most lists
arrive in). Prints the median of several runs and its ratio to the 10 s budget.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from ucj.data.registry import load_registry
from ucj.ingest.demo_participants import candidate_rows
from ucj.runs import participants as runs

BUDGET_S = 10.0


def _word(n: int) -> str:
    """A made-up family name per repetition, far from the others (no two read as one person)."""
    syllables = ("ka", "lo", "mi", "ren", "tu", "wa", "si", "po", "ngan", "de")
    return "".join(syllables[(n * 7 + k * 3) % len(syllables)].title() if k == 0 else
                   syllables[(n // (k + 1) + k) % len(syllables)] for k in range(3)) + "x" * (n % 4)


def big_list(folder: Path, rows: int) -> Path:
    base = candidate_rows()
    header, body = base[0], [r for r in base[1:] if str(r[0]).isdigit() and len(str(r[0])) == 16]
    out = folder / "calon_100k.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            r = list(body[i % len(body)])
            r[0] = f"{str(r[0])[:12]}{(i % 9999) + 1:04d}"  # a new serial: another person
            r[1] = f"{r[1]} {_word(i // len(body))}" if i >= len(body) else r[1]
            w.writerow(r)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    district = load_registry().district("71.02")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = big_list(folder, args.rows)
        times = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            result, budget = runs.check([path], district, start=pd.Timestamp("2026-01-01"),
                                        key_file=folder / "key")
            runs.write_run(result, budget, district, folder / f"run{i}", "id")
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"participants check, {result.counts['rows']:,} rows over {len(result.by_village)} villages "
          f"({result.counts['rejected']:,} rejected): median {med:.2f} s (min {min(times):.2f}, max {max(times):.2f}) "
          f"= {med / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget")


if __name__ == "__main__":
    main()
