"""Benchmark: the naive loop against `ucj reports` on the same districts (issue: at least 10x faster).

The naive loop is what users do by hand: plain `papermill` then `jupyter nbconvert --no-input`, one
district after another (a new kernel, imports and data load for every report), with the store of
derived data off (UCJ_STORE=off: every report loads, validates and computes the all-district tables,
as before the store). `ucj reports` runs the same reports on warm workers (one kernel per worker,
started once), reading the data and the all-district tables from a store in a temporary folder that
the profiled reports filled first (as any earlier report or batch on the same data leaves it).
First steady reports (a warm kernel's third report on) are measured unprofiled (CPU-s of the worker and its
kernel per report), then one is profiled (cProfile) and its CPU printed by phase (analysis, figures, tables
and text, Excel, HTML export, kernel round trips) with the profiles' top lines: where a report's time goes.

Run with `python benchmarks/report_batch.py --data-dir data/demo` (8 and 20 districts spread across
the country, 2 workers, one naive loop over both sets).
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
from typing import Callable

TARGET_RATIO = 10.0
TARGET_MB = 500.0
PROFILE_LINES = 12
NAIVE_ENV = {**os.environ, "UCJ_STORE": "off"}


def children_cpu() -> float:
    """CPU seconds of every finished child process (and theirs): papermill, nbconvert, kernels, workers."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def spread(n: int) -> list[str]:
    """`n` district codes spread across the country (every k-th in registry order)."""
    from ucj.data.registry import load_registry

    codes = [d.code for d in load_registry().all()]
    step = max(1, len(codes) // n)
    return codes[::step][:n]


def naive(codes: list[str], data_dir: str, out: Path) -> dict[str, float]:
    """Seconds each report of the loop took, papermill and nbconvert (absent: it failed)."""
    from ucj.core.config import notebook

    bin_dir = Path(sys.executable).parent
    took: dict[str, float] = {}
    for code in codes:
        started = time.perf_counter()
        folder = out / code
        folder.mkdir(parents=True)
        pm = subprocess.run([str(bin_dir / "papermill"), str(notebook("district_report")), str(folder / "report.ipynb"),
                             "-p", "district", code, "-p", "data_dir", data_dir, "-p", "output_dir", str(folder),
                             "--no-progress-bar"], capture_output=True, text=True, env=NAIVE_ENV)
        if pm.returncode:
            print(f"  naive loop: papermill failed for {code}: {pm.stderr.strip().splitlines()[-1:]}")
            continue
        nbc = subprocess.run([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                              str(folder / "report.ipynb")], capture_output=True, env=NAIVE_ENV)
        if nbc.returncode == 0:
            took[code] = time.perf_counter() - started
    return took


def batch(codes: list[str], data_dir: str, out: Path, workers: int, run: str = "batch"
          ) -> tuple[float, int, dict[str, float]]:
    """Seconds for `ucj reports`, how many reports it made, and each worker's peak memory (its process
    plus its kernel, MB, as run.json records it). Prints each worker's start-up: its first report's seconds
    (from the job's arrival; the wait for its kernel's boot and setup cells included) against its later ones'."""
    args = [str(Path(sys.executable).with_name("ucj")), "reports", "--data-dir", data_dir, "--out", str(out),
            "--run", run, "--workers", str(workers), "--no-progress"]
    for code in codes:
        args += ["--district", code]
    timeline = out / f"{run}-timeline.jsonl"
    started, wall = time.perf_counter(), time.time()
    subprocess.run(args, capture_output=True, env=os.environ | {"UCJ_TIMELINE": str(timeline)})
    elapsed = time.perf_counter() - started
    worker_steps(timeline, wall)
    reports = json.loads((out / run / "run.json").read_text())["reports"]
    peaks: dict[str, float] = {}
    by_worker: dict[str, list[tuple[int, float]]] = {}
    for e in reports:
        if e.get("status") == "ok" and e.get("worker") and e.get("seconds") is not None:
            by_worker.setdefault(e["worker"], []).append((int(e.get("kernel_report") or 0), float(e["seconds"])))
    starts = []
    for w, made in sorted(by_worker.items()):
        made.sort()
        later = sorted(s for _, s in made[1:])
        steady = f"{later[len(later) // 2]:.2f} s median of its {len(later)} later" if later else "no later report"
        starts.append(f"{w}: first {made[0][1]:.2f} s, {steady}")
    print(f"  start-up per worker (each report's seconds in its worker, the first waiting for its kernel): "
          f"{'; '.join(starts)}")
    for e in reports:
        if e["status"] != "ok":
            print(f"  ucj reports: failed for {e['district']}: {e.get('error')}")
        if e.get("worker_peak_mb") and e.get("kernel_peak_mb"):
            peaks[e["worker"]] = max(peaks.get(e["worker"], 0.0), e["worker_peak_mb"] + e["kernel_peak_mb"])
    pss = pss_per_worker(reports)
    if pss:
        print("  largest PSS per worker (process + kernel + its share of the fork server; VmHWM below counts the "
              "pages they share twice): " + ", ".join(f"{w}: {t:.0f} MB ({p:.0f} + {k:.0f} + {s:.0f})"
                                                      for w, (t, p, k, s) in sorted(pss.items())))
    return elapsed, sum(e["status"] == "ok" for e in reports), peaks


# Why two memory figures: a batch's workers are forked from one fork server and each forks its kernel from itself,
# so the server, the workers and the kernels share the pages of the modules the server imported. VmHWM (peak
# resident memory) counts each shared page in full in every process that maps it, so "process + kernel" counts them
# twice (and the server's copy not at all); PSS divides each shared page among the processes sharing it, so the
# PSS of worker + kernel + (server / workers) adds up to what the batch holds. The 500 MB target is judged on PSS.
PSS_NOTE = ("  memory: VmHWM counts pages shared between the fork server, a worker and its kernel in full in each "
            "process (twice in process + kernel); PSS splits them among their sharers, so the target is judged on "
            "PSS (process + kernel + the server's PSS divided among the workers)")


def pss_per_worker(reports: list[dict]) -> dict[str, tuple[float, float, float, float]]:
    """Per worker, the largest PSS sampled after one of its reports: (total, process, kernel, server share), in MB;
    the server's PSS (sampled by each worker) divided among the workers that recorded one."""
    workers = {e["worker"] for e in reports if e.get("worker_pss_mb") is not None}
    out: dict[str, tuple[float, float, float, float]] = {}
    for e in reports:
        if e.get("worker_pss_mb") is None or e.get("kernel_pss_mb") is None:
            continue
        share = (e.get("server_pss_mb") or 0.0) / max(1, len(workers))
        total = e["worker_pss_mb"] + e["kernel_pss_mb"] + share
        if total > out.get(e["worker"], (0.0,))[0]:
            out[e["worker"]] = (total, e["worker_pss_mb"], e["kernel_pss_mb"], share)
    return out


# A worker's start, in the order it runs (ucj.core.timeline marks; the kernel's are its own process's)
WORKER_STEPS = [("worker: started", "worker process up"), ("kernel: process launched", "kernel launched"),
                ("kernel: booted", "kernel booted"), ("kernel: ucj imported", "kernel imported ucj"),
                ("worker: client tools loaded", "client tools loaded"), ("kernel: data loaded", "data loaded"),
                ("kernel: setup cells run", "setup cells run"), ("worker: export tools loaded", "exporter built"),
                ("kernel: all-district table (comparison)", "all-district tables read"),
                ("report: cells run", "first report's cells run")]
# The command's own start (its process: imports, parameters, the run's records), before and while the workers start
COMMAND_STEPS = [("cli: imported", "imported"), ("cli: parameters checked", "parameters checked"),
                 ("batch: environment and data manifest recorded", "environment and data manifest recorded"),
                 ("batch: planned, index written", "index written"), ("cli: exit handlers run", "ended")]


def _phases(seen: dict[str, tuple[float, float]], steps: list[tuple[str, str]]) -> str:
    """`label at` seconds from the command's start `(+CPU-s` of that process since its previous step`)`."""
    shown, cpu = [], 0.0
    for step, label in steps:
        if step in seen:
            at, used = seen[step]
            shown.append(f"{label} {at:.2f} (+{max(0.0, used - cpu):.2f} CPU)")
            cpu = used
    return ", ".join(shown)


def worker_steps(timeline: Path, wall: float) -> None:
    """Print the command's and each worker's start-up from the batch's timeline (UCJ_TIMELINE): seconds from the
    command's start to each step of COMMAND_STEPS and WORKER_STEPS, and the CPU seconds the process that marked it
    used since its previous step (a worker's and its kernel's counted apart: a kernel's marks carry the worker's
    pid as their parent). Where a batch's start goes: before a worker's first report is done, nothing of the batch
    is; and on a busy machine every CPU-second any of them spends is wall time for all."""
    if not timeline.exists():
        return
    marks = [json.loads(line) for line in timeline.read_text().splitlines()]
    workers = sorted({m["pid"] for m in marks if m["step"] == "worker: started"})
    command = next((m["pid"] for m in marks if m["step"] == "cli: imported" and m["pid"] not in workers), None)

    def seen_by(pids: set[int]) -> dict[str, tuple[float, float]]:
        seen: dict[str, tuple[float, float]] = {}
        for m in marks:
            if m["pid"] in pids and m["step"] not in seen:
                seen[m["step"]] = (m["t"] - wall, float(m.get("cpu", 0.0)))
        return seen

    if command is not None:
        print(f"  command start-up (seconds from its start, +CPU-s of the command since the step before): "
              f"{_phases(seen_by({command}), COMMAND_STEPS)}")
    for n, pid in enumerate(workers, 1):
        kernel = {m["pid"] for m in marks if m.get("ppid") == pid}
        worker_side = [s for s in WORKER_STEPS if not s[0].startswith("kernel: ") or s[0] in (
            "kernel: process launched", "kernel: setup cells run")]
        print(f"  worker {n} start-up: its process {_phases(seen_by({pid}), worker_side)}; its kernel "
              f"{_phases(seen_by(kernel), [s for s in WORKER_STEPS if s not in worker_side])}")


def _top(stats: "pstats.Stats", title: str, lines: int) -> None:
    """The profile's top functions by own time, and ucj's by cumulative time, as `lines` lines each."""
    import pstats  # noqa: F401

    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, (_, _, tt, _, _) in rows.items())
    print(f"  {title}: {total:.2f} CPU-s; top functions by own time:")
    for (file, line, fn), (_, calls, tt, ct, _) in sorted(rows.items(), key=lambda r: -r[1][2])[:lines]:
        print(f"    {tt:6.3f} s own {ct:6.3f} s cum {calls:7d} calls  {Path(file).name}:{line}({fn})")
    ours = [(k, v) for k, v in rows.items() if "/ucj/" in k[0]]
    print(f"  {title}: ucj's functions by cumulative time:")
    for (file, line, fn), (_, calls, tt, ct, _) in sorted(ours, key=lambda r: -r[1][3])[:lines]:
        print(f"    {ct:6.3f} s cum {calls:7d} calls  {file.split('/ucj/')[-1]}:{line}({fn})")


def _entered(stats: "pstats.Stats", inside: Callable[[tuple[str, int, str]], bool],
             caller: Callable[[tuple[str, int, str]], bool]) -> float:
    """CPU seconds spent in the functions `inside` when called by a `caller` function (cumulative, so what
    they call counts too; calls between two inside functions, or from code neither side, count once)."""
    total = 0.0
    for func, (_, _, _, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if inside(func):
            total += sum(edge[3] for who, edge in callers.items() if caller(who) and not inside(who))
    return total


def _cum(stats: "pstats.Stats", where: str, *names: str) -> float:
    """Cumulative CPU seconds of ucj's functions `names` in the module file ending in `where`."""
    return sum(v[3] for (file, _, fn), v in stats.stats.items()  # type: ignore[attr-defined]
               if file.endswith(where) and fn in names)


def _own(stats: "pstats.Stats") -> float:
    return sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]


def _is_cell(func: tuple[str, int, str]) -> bool:
    """A notebook cell's code, as ipykernel compiles it (a file named after the cell's hash)."""
    return "ipykernel_" in func[0]


def phases(kernel: "pstats.Stats", worker: "pstats.Stats", loop: "pstats.Stats") -> list[tuple[str, float]]:
    """One steady report's CPU seconds by phase, from the three profiles (kernel, worker main thread, worker
    kernel-loop thread). Each phase is the cumulative time of where it is entered:
    analysis = ucj.analysis called from the presentation layer or a cell; figures = the chart functions
    of ucj.presentation.plots, png_bytes and export.Charts.png, which calls both and gives the reused figure back
    (matplotlib's layout, drawing, PNG encoding, the figure cleared); Excel =
    write_tables_xlsx (openpyxl); tables and text = the rest of the notebook's cells (HTML tables,
    sentences, key figures, the JSON); kernel round trips = what the kernel does outside the cells
    (ipykernel's messages, display publishing) plus the worker's cell loop (papermill and nbclient,
    message parsing); HTML export = page_body and notebook_html in the worker (nbconvert, its template,
    BeautifulSoup; mostly run early, while the kernel runs the save cell);
    worker files = the rest of the worker's render (the executed notebook written, memory trimmed)."""
    ucj_caller = lambda f: "/ucj/presentation/" in f[0] or "/ucj/runs/" in f[0] or _is_cell(f)  # noqa: E731
    analysis = _entered(kernel, lambda f: "/ucj/analysis/" in f[0], ucj_caller)
    # the chart functions and png_bytes, called by a report's Charts.png (which also gives the figure back to the pool,
    # cleared) or on their own; each counted once
    figures = _entered(kernel, lambda f: (f[0].endswith("presentation/plots.py") and f[2] in (
        "coverage_figure", "claims_figure", "poverty_figure")) or (
        f[0].endswith("presentation/export.py") and f[2] in ("png_bytes", "png")), lambda f: True)
    excel = _cum(kernel, "presentation/export.py", "write_tables_xlsx")
    # the cells' code as IPython runs it, statement by statement (a cell's statements share one label in the
    # profile, so they cannot be summed by their code); less the namespace reset between two reports
    cells = min(_own(kernel), _cum(kernel, "IPython/core/interactiveshell.py", "run_code")) - \
        sum(v[3] for f, v in kernel.stats.items() if f[2] == "_ucj_reset")  # type: ignore[attr-defined]
    # the page: exported early (page_body, while the save cell runs) and finished (notebook_html), counted once
    export = _entered(worker, lambda f: f[0].endswith("presentation/export.py") and f[2] in ("page_body", "notebook_html"),
                      lambda f: True)
    return [("analysis (ucj.analysis: the district's figures)", analysis),
            ("figures (3 charts: build, layout, draw, PNG)", figures),
            ("tables and text (the cells' HTML tables and sentences)", max(0.0, cells - analysis - figures - excel)),
            ("Excel (tables.xlsx)", excel),
            ("HTML export (nbconvert, in the worker)", export),
            ("kernel round trips (ipykernel outside the cells, the worker's cell loop)",
             max(0.0, _own(kernel) - cells) + _own(loop)),
            ("worker files (executed notebook written, memory trimmed)", max(0.0, _own(worker) - export))]


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profile_steady(data_dir: str, codes: list[str], lines: int = PROFILE_LINES, steady: int = 3) -> None:
    """Measure then profile steady reports: a warm kernel makes two reports first, then `steady` reports
    are timed unprofiled (CPU of the worker process and its kernel), then one more is profiled (cProfile)
    in the kernel (the notebook's cells) and in the worker (papermill's cell loop, messages, the HTML
    export); its CPU by phase and the top lines of each profile are printed."""
    import cProfile
    import pstats
    import statistics

    from ucj.runs.batch import plan
    from ucj.runs.engine import close_kernels, keep_for_good, kernel_for, render
    from ucj.runs.params import validate_params

    jobs = plan([validate_params(c, data_dir=data_dir) for c in codes[:3 + steady]])
    out = Path(tempfile.mkdtemp(prefix="ucj-bench-profile-"))
    cpus: list[float] = []
    try:
        for job in jobs[:2]:
            render(job)
        keep_for_good()  # as a worker process does once it is up (else each report's collection scans this process)
        kernel = kernel_for(jobs[0].setup)
        for job in jobs[2:2 + steady]:
            c0, k0 = time.process_time(), _proc_cpu(kernel.pid)
            assert render(job).entry["status"] == "ok"
            cpus.append(time.process_time() - c0 + _proc_cpu(kernel.pid) - k0)
        dump = out / "kernel.prof"
        kernel._call(kernel._hidden("import cProfile as _c, sys as _s, time as _t\n_s._ucj_prof = _c.Profile(_t.thread_time)\n"  # noqa: SLF001
                                    "_s._ucj_prof.enable()\ndel _c, _s, _t"))
        # the worker's side runs in two threads: this one (export) and the kernel's event loop (the cell loop)
        worker, loop = cProfile.Profile(time.thread_time), cProfile.Profile(time.thread_time)

        async def switch(on: bool) -> None:
            loop.enable() if on else loop.disable()

        kernel._call(switch(True))  # noqa: SLF001
        started = time.process_time()
        worker.enable()
        result = render(jobs[-1])
        worker.disable()
        kernel._call(switch(False))  # noqa: SLF001
        cpu = time.process_time() - started
        kernel._call(kernel._hidden(f"import sys as _s\n_s._ucj_prof.disable()\n"  # noqa: SLF001
                                    f"_s._ucj_prof.dump_stats({str(dump)!r})\ndel _s._ucj_prof, _s"))
        assert result.entry["status"] == "ok", result.entry
    finally:
        close_kernels()
    print(f"steady reports in a warm kernel (reports 3 to {2 + steady}, unprofiled): CPU-s per report "
          f"(worker + kernel) median {statistics.median(cpus):.2f}, each {', '.join(f'{c:.2f}' for c in cpus)}")
    kstats, wstats, lstats = pstats.Stats(str(dump)), pstats.Stats(worker), pstats.Stats(loop)
    split = phases(kstats, wstats, lstats)
    total = sum(s for _, s in split)
    print(f"one steady report profiled ({jobs[-1].entry['district_name']}): {result.entry['seconds']:.2f} s wall, "
          f"worker CPU {cpu:.2f} s; CPU by phase (cProfile: {total:.2f} CPU-s in all, slower than unprofiled, "
          f"Python-heavy phases more so; the shares are what counts):")
    for name, seconds in split:
        print(f"    {100 * seconds / total:5.1f} %  {seconds:6.3f} s  {name}")
    _top(kstats, "kernel (the notebook's cells)", lines)
    _top(wstats, "worker, main thread (HTML export, files)", lines)
    _top(lstats, "worker, kernel loop thread (papermill's cell loop, messages)", lines)
    shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--districts", type=int, nargs="+", default=[8, 20],
                    help="batch sizes, each measured against the naive loop in the same run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile-only", action="store_true", help="only profile one steady report")
    args = ap.parse_args()
    data_dir = str(Path(args.data_dir).resolve())
    import compileall

    import ucj

    # ucj's bytecode, as an installed package has it (see benchmarks/report_one.py), for both sides
    compileall.compile_dir(str(Path(ucj.__file__).parent), quiet=1)
    sets = {n: spread(n) for n in args.districts}
    union = sorted({c for codes in sets.values() for c in codes})
    out = Path(tempfile.mkdtemp(prefix="ucj-bench-batch-"))
    os.environ["UCJ_STORE"] = str(out / "store")  # this process, its kernels and the batch; not the naive loop
    try:
        profile_steady(data_dir, union)
        if args.profile_only:
            return
        cpu0 = children_cpu()
        took = naive(union, data_dir, out / "naive")
        naive_cpu = (children_cpu() - cpu0) / len(union)
        for n, codes in sets.items():
            cpu1 = children_cpu()
            fast, fast_ok, peaks = batch(codes, data_dir, out, args.workers, f"batch{n}")
            cpu = children_cpu() - cpu1
            slow = sum(took.get(c, float("nan")) for c in codes)
            ratio = slow / fast
            print(f"{n} district reports: naive papermill + nbconvert loop {slow:.1f} s ({slow / n:.2f} s per report, "
                  f"{sum(c in took for c in codes)} made); ucj reports --workers {args.workers} {fast:.1f} s "
                  f"({fast / n:.2f} s per report, {fast_ok} made); "
                  f"{ratio:.1f}x faster = {ratio / TARGET_RATIO:.2f} x the {TARGET_RATIO:.0f}x target "
                  f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f})")
            print(f"  CPU seconds per report: naive {naive_cpu:.2f}, ucj reports {cpu / n:.2f}: "
                  f"{naive_cpu * n / max(cpu, 1e-9):.1f}x less CPU")
            shown = ", ".join(f"{w}: {mb:.0f} MB = {mb / TARGET_MB:.2f} x {TARGET_MB:.0f} MB"
                              for w, mb in sorted(peaks.items()))
            print(f"  peak memory per worker (process + kernel): {shown}")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
