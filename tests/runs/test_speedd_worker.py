"""A batch worker loads its tools (papermill, nbclient, nbconvert, the page exporter) without Arrow and numpy
(about 50 MB of each worker's memory, issue 23), and Arrow still imports as usual afterwards."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = """
import json, sys
from ucj.runs.engine import _load_tools
_load_tools()
loaded = sorted(m for m in ("pyarrow", "pyarrow.fs", "numpy", "pandas") if m in sys.modules)
from papermill.parameterize import parameterize_notebook
import nbformat
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})])
nb.metadata["papermill"] = {}
nb = parameterize_notebook(nb, {"x": 2}, kernel_name="python3", language="python")
injected = [c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
import pyarrow.fs, pandas as pd
pd.read_parquet(sys.argv[1]).shape
print(json.dumps({"loaded": loaded, "injected": injected, "fs": pyarrow.fs.LocalFileSystem.__name__}))
"""


def test_worker_tools_load_without_arrow_and_arrow_imports_afterwards(demo_dir):
    run = subprocess.run([sys.executable, "-c", CHECK, str(demo_dir / "targets.parquet")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["loaded"] == []  # no Arrow, numpy or pandas in a worker that only runs and exports notebooks
    assert out["injected"] and "x = 2" in out["injected"][0]  # papermill's parameters work as before
    assert out["fs"] == "LocalFileSystem"  # pyarrow.fs was not left blocked
