"""Benchmark: one cold district report, from CLI start to the HTML written, against one naive report of
the same district in the same run (issue 23: at most 0.4x; it was 0.76x). Each `ucj report` is a new
process with a new kernel; the naive report is plain `papermill` then `jupyter nbconvert --no-input`.
Both medians are taken over `--repeat` runs, interleaved, so a busy machine slows both alike; only the
ratio counts. The naive report runs with the store of derived data off (UCJ_STORE=off: each report loads
and validates the data, as before the store); `ucj report` reads the store, filled once beforehand (as
any earlier report or batch on the same data leaves it).

Where the cold report's time goes is printed after the ratio: the median time of each step from CLI
start (UCJ_TIMELINE: the CLI, the engine and the kernel each mark the end of their steps), the cells'
own durations from the executed notebook (papermill's metadata), and `python -X importtime` for the
CLI's imports, the client libraries the CLI loads to run and export a notebook, and the kernel's imports
(milliseconds, by top-level package).

ucj's own modules are compiled to bytecode first (`compileall`), as a package installed by pip has them: where
PYTHONDONTWRITEBYTECODE is set (as on the project's shared machines) an editable install never writes its
`.pyc` files, so every process (the command, its kernel and the naive report's kernel) would compile ucj's
sources again, about 0.1 s each, which no installed copy pays. Both sides get the same bytecode.

Run with `python benchmarks/report_one.py --data-dir data/demo` (median of 5 each).
"""

from __future__ import annotations

import argparse
import json
import os
import re
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


def _steps(path: Path, t0: float) -> dict[str, float]:
    """Seconds from `t0` (the CLI's start) to the end of each step the timeline file records (the first
    time a step is marked)."""
    steps: dict[str, float] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        e = json.loads(line)
        steps.setdefault(e["step"], e["t"] - t0)
    return steps


def _cells(notebook: Path) -> tuple[float, float]:
    """Seconds the executed notebook's setup cells and its other cells took (papermill's metadata)."""
    nb = json.loads(notebook.read_text())
    setup = other = 0.0
    for cell in nb["cells"]:
        took = float(cell["metadata"].get("papermill", {}).get("duration") or 0.0)
        if "setup" in cell["metadata"].get("tags", []):
            setup += took
        else:
            other += took
    return setup, other


def import_breakdown(python: str, modules: str, top: int = 6) -> str:
    """`python -X importtime -c 'import MODULES'`: total milliseconds and the top packages by own time."""
    done = subprocess.run([python, "-X", "importtime", "-c", f"import {modules}"], capture_output=True, text=True)
    own: dict[str, int] = {}
    total = 0
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            own[m[4].split(".")[0]] = own.get(m[4].split(".")[0], 0) + int(m[1])
            total += int(m[1])
    shown = ", ".join(f"{k} {v / 1000:.0f}" for k, v in sorted(own.items(), key=lambda kv: -kv[1])[:top])
    return f"{total / 1000:.0f} ms ({shown})"


CLIENT_TOOLS = "ucj.runs.batch, ucj.runs.params, nbformat, nbclient, papermill.clientwrap, papermill.execute, " \
               "jupyter_client.manager, ucj.presentation.export, nbconvert"
KERNEL_IMPORTS = "ucj.presentation.district, ucj.runs.params, scipy.special"  # what the engine's kernel imports as it starts


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
    import compileall

    import ucj
    from ucj.core.config import notebook

    compiled = compileall.compile_dir(str(Path(ucj.__file__).parent), quiet=1)

    times: dict[str, list[float]] = {"ucj": [], "naive": []}
    cpu: dict[str, list[float]] = {"ucj": [], "naive": []}
    steps: list[dict[str, float]] = []
    cells: list[tuple[float, float]] = []
    try:
        started = time.perf_counter()
        subprocess.run([str(bin_dir / "ucj"), "report", "--district", args.district, "--data-dir", data_dir,
                        "--out", str(out), "--run", "fill"], check=True, capture_output=True, env=env)
        filled = time.perf_counter() - started
        for i in range(args.repeat):
            timeline = out / f"timeline{i}.jsonl"
            c0, t0, wall0 = _cpu(), time.perf_counter(), time.time()
            subprocess.run([str(bin_dir / "ucj"), "report", "--district", args.district, "--data-dir", data_dir,
                            "--out", str(out), "--run", f"r{i}"], check=True, capture_output=True,
                           env=env | {"UCJ_TIMELINE": str(timeline)})
            times["ucj"].append(time.perf_counter() - t0)
            cpu["ucj"].append(_cpu() - c0)
            assert list(out.glob(f"r{i}/*/report.html")), "no HTML written"
            steps.append(_steps(timeline, wall0) | {"process ended": time.time() - wall0})
            cells.append(_cells(next(out.glob(f"r{i}/*/report.ipynb"))))
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
          f"(the store filled by a first report, {filled:.2f} s; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"ucj's bytecode {'compiled beforehand' if compiled else 'NOT compiled: some sources failed to compile'})")
    print("  where the cold report's time goes (median over the runs; seconds from CLI start, and since the step "
          "before):")
    names = sorted({k for s in steps for k in s}, key=lambda k: statistics.median(s[k] for s in steps if k in s))
    before = 0.0
    for name in names:
        at = statistics.median(s[name] for s in steps if name in s)
        print(f"    {at:6.2f} s  +{at - before:5.2f} s  {name}")
        before = at
    print(f"  the executed notebook's cells (median): setup (data and all-district tables) "
          f"{statistics.median(c[0] for c in cells):.2f} s, the report's cells {statistics.median(c[1] for c in cells):.2f} s")
    python = sys.executable
    print(f"  imports (python -X importtime, own ms by package): CLI {import_breakdown(python, 'ucj.cli')}; "
          f"client tools to run and export {import_breakdown(python, CLIENT_TOOLS)}; "
          f"kernel {import_breakdown(python, KERNEL_IMPORTS)}")


if __name__ == "__main__":
    main()
