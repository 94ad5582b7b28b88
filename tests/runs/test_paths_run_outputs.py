"""A real run (one Boalemo report, kernel): run.json records the sha256 of the run's index.html, summary.csv
and summary.xlsx, and `ucj verify` names each one changed or missing (issue 24, item 7); nothing the run
writes holds the host name (item 17)."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ucj.cli import app
from ucj.core.files import sha256_file

pytestmark = pytest.mark.slow
HOST = "ucjhost-zq9x"


@pytest.fixture(scope="module")
def made_run(demo_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    mp = pytest.MonkeyPatch()
    mp.setattr(socket, "gethostname", lambda: HOST)  # a name no file would hold by chance
    try:
        said = CliRunner().invoke(app, ["reports", "--district", "Boalemo", "--data-dir", str(demo_dir),
                                        "--out", str(out), "--run", "r", "--no-progress"])
    finally:
        mp.undo()
    assert said.exit_code == 0, said.output
    return out / "r"


def test_no_file_of_the_run_holds_the_host_name(made_run):
    assert not (made_run / ".lock").exists()  # removed when the run ended (its content while held: test_paths_run_folder)
    for path in [made_run / "run.json", made_run / "index.html", made_run / "summary.csv",
                 *sorted((made_run / "7502-kabupaten-boalemo").iterdir())]:
        assert HOST.encode() not in path.read_bytes(), path.name
    run = json.loads((made_run / "run.json").read_text())
    assert all(HOST not in str(e.get("worker")) for e in run["reports"])


def test_run_json_records_the_run_files(made_run):
    run = json.loads((made_run / "run.json").read_text())
    # recomputed here with hashlib (sha256_file), against the bytes on disk
    assert run["files"] == {n: sha256_file(made_run / n) for n in ("index.html", "summary.csv", "summary.xlsx")}


def test_verify_names_an_edited_summary_and_index(made_run, demo_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(made_run, copy)
    data = os.path.relpath(demo_dir)
    clean = CliRunner().invoke(app, ["verify", "--lang", "en", str(copy), "--data-dir", data, "--no-progress"])
    assert clean.exit_code == 0, clean.output
    text = (copy / "summary.csv").read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",", ",9", 1)  # a figure changed in the summary
    (copy / "summary.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    page = (copy / "index.html").read_text(encoding="utf-8")
    (copy / "index.html").write_text(page.replace("Boalemo", "Bolaang", 1), encoding="utf-8")
    (copy / "summary.xlsx").unlink()
    said = CliRunner().invoke(app, ["verify", "--lang", "en", str(copy), "--data-dir", data, "--no-progress"])
    assert said.exit_code == 1, said.output
    assert "NOT as the run wrote it: summary.csv is not the file the run wrote (its sha256 differs from " \
           "run.json's)" in said.output
    assert "NOT as the run wrote it: index.html is not the file the run wrote" in said.output
    assert "NOT as the run wrote it: summary.xlsx is missing (run.json records it)" in said.output
    v = json.loads((copy / "verify.json").read_text())
    assert not v["all_reproduced"] and len(v["run_files_altered"]) == 3
    assert "summary.csv is not the file the run wrote" in (copy / "verify.html").read_text()


def test_verify_fails_a_run_json_whose_file_record_was_deleted(made_run, demo_dir, tmp_path):
    """Red team: deleting run.json's `files` key, then editing summary.csv, passed with a warning (exit 0)."""
    copy = tmp_path / "copy"
    shutil.copytree(made_run, copy)
    run = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    del run["files"]
    (copy / "run.json").write_text(json.dumps(run), encoding="utf-8")
    (copy / "summary.csv").write_text("district_code\n99.99\n", encoding="utf-8")
    said = CliRunner().invoke(app, ["verify", "--lang", "en", str(copy), "--data-dir", os.path.relpath(demo_dir), "--no-progress"])
    assert said.exit_code == 1, said.output
    assert "run.json records no sha256 of index.html, summary.csv, summary.xlsx (every run ucj makes records " \
           "them)" in " ".join(said.output.split())
