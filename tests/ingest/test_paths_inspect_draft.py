"""`ucj import inspect` only reads the raw file (issue 24, items 10 and 14): a --draft that is the inspected
file (by its path, another spelling of it, a symlink or a hard link) is refused and the file stays byte for
byte; the default draft goes to the current folder; a --draft naming a folder is one line, exit 2. The
input is the real BPS long table (../shared/data/raw/bps_muhlis000)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import LONG_CSV
from ucj.cli import app


@pytest.fixture()
def src(raw, tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    path = folder / "long.csv"
    path.write_bytes(LONG_CSV.read_bytes())
    return path


def _inspect(src: Path, *extra: str) -> object:
    return CliRunner().invoke(app, ["import", "inspect", str(src), *extra])


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_a_draft_over_the_inspected_file_is_refused(src, tmp_path, monkeypatch, spelling):
    monkeypatch.chdir(tmp_path)
    draft = {"same": src, "dotted": Path("raw/./../raw/long.csv"), "symlink": tmp_path / "link.csv",
             "hardlink": tmp_path / "hard.csv"}[spelling]
    if spelling == "symlink":
        draft.symlink_to(src)
    if spelling == "hardlink":
        os.link(src, draft)
    said = _inspect(src, "--draft", str(draft))
    assert said.exit_code == 2, said.output
    assert "option '--draft': is the file being inspected; raw files are only read" in said.output
    assert src.read_bytes() == LONG_CSV.read_bytes()


def test_the_default_draft_goes_to_the_current_folder(src, tmp_path, monkeypatch):
    here = tmp_path / "work"
    here.mkdir()
    monkeypatch.chdir(here)
    said = _inspect(src)
    assert said.exit_code == 0, said.output
    assert sorted(p.name for p in src.parent.iterdir()) == ["long.csv"]  # nothing written beside the raw file
    assert json.loads((here / "long.mapping.json").read_text())["columns"]["persen_miskin"] == "p0"
    assert "wrote a draft mapping to long.mapping.json" in said.output


def test_a_draft_naming_a_folder_is_one_line(src, tmp_path):
    said = _inspect(src, "--draft", str(tmp_path))
    assert said.exit_code == 2, said.output
    assert "option '--draft': names a folder; give the file to write the draft mapping to" in said.output
    assert "Error" not in said.output and "Traceback" not in said.output


def test_a_draft_over_another_existing_file_is_refused(tmp_path):
    """Red team: `--draft regencies.csv` replaced a raw CSV (not the inspected file) with JSON. Only an earlier
    draft mapping is replaced."""
    import shutil

    from typer.testing import CliRunner

    from conftest import P0_CSV
    from ucj.cli import app

    raw = tmp_path / "raw.csv"
    shutil.copy(P0_CSV, raw)
    other = tmp_path / "other.csv"
    other.write_text("kode,nama\n7502,Boalemo\n", encoding="utf-8")
    said = CliRunner().invoke(app, ["import", "inspect", str(raw), "--draft", str(other)])
    assert said.exit_code == 2 and "not a mapping" in said.output
    assert other.read_text(encoding="utf-8") == "kode,nama\n7502,Boalemo\n"
    first = tmp_path / "first.mapping.json"  # a long table's draft, written, then replaced by a second one
    assert CliRunner().invoke(app, ["import", "inspect", str(LONG_CSV), "--draft", str(first)]).exit_code == 0
    assert first.is_file()
    assert CliRunner().invoke(app, ["import", "inspect", str(LONG_CSV), "--draft", str(first)]).exit_code == 0
