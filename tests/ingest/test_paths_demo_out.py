"""`ucj demo --out FOLDER` never wipes data it did not write (issue 24, item 11): a folder holding imported
tables or other files is refused unless --replace; with it (or over an older demo), the folder then holds
exactly the new demo, byte for byte what the same seed writes into an empty folder. The imported table is
the real BPS P0 table (../shared/data/raw/bps_visdati)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import P0_CSV
from ucj.cli import app
import pytest

pytestmark = pytest.mark.slow  # seconds a test (whole demo pages, stores, workbooks): make test only


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _demo(out: Path, *extra: str) -> object:
    return CliRunner().invoke(app, ["demo", "--out", str(out), *extra])


def _with_import(demo_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(demo_dir, out)
    said = CliRunner().invoke(app, ["import", "bps-table", str(P0_CSV), "--out", str(out)])
    assert said.exit_code == 0, said.output
    return out


def test_a_folder_with_imported_data_is_refused(raw, demo_dir, tmp_path):
    out = _with_import(demo_dir, tmp_path)
    before = _files(out)
    said = _demo(out)
    assert said.exit_code == 2, said.output
    assert "the folder holds data the demo did not write (imported tables in manifest.json: poverty, " \
           "poverty.cells.parquet, poverty.csv)" in " ".join(said.output.split())
    assert "--replace" in said.output
    assert _files(out) == before


def test_a_folder_with_other_files_is_refused(demo_dir, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    said = _demo(out)
    assert said.exit_code == 2 and "(notes.txt)" in said.output
    assert _files(out) == {"notes.txt": b"mine"}
    (out / "sub").mkdir()
    said = _demo(out, "--replace")  # a folder in it: refused even with --replace
    assert said.exit_code == 2 and "holds folders (sub/)" in said.output and (out / "notes.txt").exists()


def test_replace_leaves_exactly_the_new_demo(raw, demo_dir, tmp_path):
    out = _with_import(demo_dir, tmp_path)
    (out / "notes.txt").write_text("mine")
    said = _demo(out, "--replace")
    assert said.exit_code == 0, said.output
    assert _files(out) == _files(demo_dir)  # the default seed, as conftest's demo_dir was written
    assert json.loads((out / "manifest.json").read_text())["synthetic"] is True


def test_stale_files_of_an_older_demo_are_removed(demo_dir, tmp_path):
    out = tmp_path / "demo"
    shutil.copytree(demo_dir, out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["tables"]["old_table"] = {"file": "old_table.parquet", "rows": 1, "sha256": "0" * 64}
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "old_table.parquet").write_bytes(b"an older demo's table")
    said = _demo(out)
    assert said.exit_code == 0, said.output
    assert _files(out) == _files(demo_dir)
