"""Benchmark: `ucj explore` from launch to the first page a browser can paint (issue 21: at most 5 s on 2
cores), median of three launches.

Timed from starting the command to the end of the first GET of the page with its token, cookies kept as a
browser keeps them: Voilà answers once the notebook has run in its kernel, so the page's HTML then holds the
app's widgets (checked). The time until the address is printed is shown too (the address is printed only
once the server answers, so a first click never meets "connection refused").

Run with `python benchmarks/explore_first_paint.py --data-dir data/demo`.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TARGET_S = 5.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(data_dir: str) -> tuple[float, float]:
    """Seconds from launch to the printed address, and to the whole first page."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(Path(tmp, "cfg")), JUPYTER_RUNTIME_DIR=str(Path(tmp, "rt")))
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(Path(sys.executable).parent / "ucj"), "explore", "--data-dir", data_dir,
                                 "--port", str(_free_port())], stdout=subprocess.PIPE, text=True, env=env)
        try:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            printed = time.perf_counter() - t0
            m = re.search(r"http://\S+", line)
            if not m:
                raise SystemExit(f"ucj explore printed no address: {line!r}")
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            with opener.open(m.group(0), timeout=300) as r:
                body = r.read()
            painted = time.perf_counter() - t0
            if b"application/vnd.jupyter.widget-view+json" not in body:
                raise SystemExit("the first page holds no widgets")
            return printed, painted
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default="data/demo")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs = [launch(str(Path(args.data_dir).resolve())) for _ in range(args.repeat)]
    printed = statistics.median(r[0] for r in runs)
    painted = statistics.median(r[1] for r in runs)
    print(f"explorer: address printed after {printed:.1f} s; first page whole after {painted:.1f} s "
          f"(median of {len(runs)} launches) = {painted / TARGET_S:.2f} x the {TARGET_S:.0f} s target")


if __name__ == "__main__":
    main()
