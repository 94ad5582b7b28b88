"""Overviews on the warm engine (issue 23): two province overviews made by one kernel equal what plain
papermill makes from the same notebook, parameters and data (every cell's output and the key figures,
apart from the time they were made), and the executed notebook is papermill's own."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ucj.core.config import notebook
from ucj.data.registry import load_registry
from ucj.runs.batch import overview_params, run_overviews

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?")


def _untimed(text: str) -> str:
    return TIME.sub("<time>", text)


def _outputs(nb) -> list[str]:  # type: ignore[no-untyped-def]
    """Every code cell's outputs (text and images), in order, without times; the parameter cells left out
    (they name the data folder, given differently to the two runs)."""
    shown = []
    for c in nb.cells:
        if c.cell_type != "code" or {"parameters", "injected-parameters"} & set(c.metadata.get("tags", [])):
            continue
        shown.append(_untimed(json.dumps([dict(o) for o in c.outputs], sort_keys=True)))
    return shown


def _comparable(key: dict) -> dict:
    key = json.loads(json.dumps(key))
    key["provenance"].pop("generated_at", None)
    key["provenance"].get("stamp", {}).pop("generated_at", None)
    return key


def test_overviews_on_one_warm_kernel_equal_plain_papermill(demo_dir: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat

    monkeypatch.setenv("UCJ_STORE", str(tmp_path / "store"))
    registry = load_registry()
    wanted = [overview_params(p, registry, "id", str(demo_dir)) for p in ("Gorontalo", "Sulawesi Utara")]
    entries = run_overviews(wanted, tmp_path / "run")
    assert [e["status"] for e in entries] == ["ok", "ok"], entries
    for i, (p, entry) in enumerate(zip(wanted, entries)):
        folder = tmp_path / "run" / p.slug
        nb = nbformat.read(folder / "report.ipynb", as_version=4)
        assert nb.metadata["ucj"]["reports_before_in_this_kernel"] == i  # one kernel made both
        assert nb.metadata["papermill"]["input_path"] == "notebooks/province_overview.ipynb"
        assert nb.metadata["papermill"]["exception"] is None
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
        # plain papermill: a fresh kernel, the shipped notebook as it is, the store turned off
        plain = tmp_path / f"plain-{i}"
        plain.mkdir()
        done = subprocess.run([str(BIN / "papermill"), str(notebook("province_overview")), str(plain / "report.ipynb"),
                               "-r", "province", str(p.province_code), "-p", "lang", "id", "-p", "data_dir", str(demo_dir),
                               "-p", "output_dir", str(plain), "--no-progress-bar"],
                              capture_output=True, text=True, env={**__import__("os").environ, "UCJ_STORE": "off"})
        assert done.returncode == 0, done.stderr[-3000:]
        want = nbformat.read(plain / "report.ipynb", as_version=4)
        assert _outputs(nb) == _outputs(want)
        assert _comparable(json.loads((folder / "key_figures.json").read_text())) == \
            _comparable(json.loads((plain / "key_figures.json").read_text()))
        for png in plain.glob("*.png"):
            assert (folder / png.name).read_bytes() == png.read_bytes(), png.name
