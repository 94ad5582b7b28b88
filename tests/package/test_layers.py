"""The package's layers: imports run one way (import-linter contracts in pyproject.toml), no module
imports itself back through others, and the report layer does no arithmetic on the data."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from conftest import REPO


def test_import_contracts_are_kept(tmp_path):
    """import-linter checks the contracts in pyproject.toml (layers; no drawing below the report layer)."""
    run = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--config", str(REPO / "pyproject.toml"),
                          "--no-cache"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout and "2 kept" in run.stdout


def test_no_import_cycles():
    graph = grimp.build_graph("ucj", include_external_packages=False)
    modules = sorted(m for m in graph.modules if m.startswith("ucj"))
    cycles = []
    for a, b in itertools.permutations(modules, 2):
        if b in graph.find_modules_directly_imported_by(a) and graph.find_shortest_chain(importer=b, imported=a):
            cycles.append((a, b))
    assert cycles == []


AGGREGATIONS = {"groupby", "sum", "mean", "median", "merge", "pivot_table", "cumsum", "resample", "agg",
                "transform", "diff", "pct_change", "rolling", "polyfit", "average"}
ALLOWED = {("maps.py", "cumsum"): "decoding TopoJSON arc deltas into coordinates is drawing, not a figure"}


@pytest.mark.parametrize("module", sorted([*(REPO / "ucj" / "presentation").glob("*.py"), *(REPO / "ucj" / "runs").glob("*.py")]), ids=lambda p: p.name)
def test_report_layer_does_not_aggregate_data(module):
    """Presentation formats what the analysis layer returns: it never groups, sums, averages or merges."""
    tree = ast.parse(module.read_text())
    found = [f"line {node.lineno}: .{node.attr}" for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr in AGGREGATIONS
             and (module.name, node.attr) not in ALLOWED]
    assert found == [], f"{module.name} computes: {found}"


def test_a_batch_worker_process_does_not_import_pandas():
    """A local batch worker only drives its kernel and exports HTML; the analysis runs in the kernel.
    Keeping pandas (and pyarrow's pandas shim) out of the worker process is part of the per-worker memory
    budget (issue 10), so the modules the worker loads must not import it at import time."""
    code = ("import sys; from ucj.runs import engine; engine._load_tools(); "
            "import ucj.core.files, ucj.presentation.export; print(sorted(m for m in ('pandas', 'matplotlib', 'statsmodels') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
