"""Bad candidate files: one line naming file, row and column, exit status 2, and never a NIK, name or
birth date in the message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# each test runs the ucj command in a process of its own (about 1.5 s): in make test, not test-fast
pytestmark = pytest.mark.slow
UCJ = str(Path(sys.executable).parent / "ucj")
NIK = "7102060507900001"
HEAD = "NIK,Nama,Tanggal Lahir,Jenis Kelamin,Desa,Kecamatan,Pekerjaan,Sumber Dana,Mulai\n"
ROW = f"{NIK},Stevi Rumengan,1990-07-05,L,Tounelet,Kakas,petani,APBD,2026-01\n"


def check(tmp_path: Path, *files: Path, district: str = "Minahasa") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, UCJ_KEY_FILE=str(tmp_path / "key"))
    return subprocess.run([UCJ, "participants", "check", *map(str, files), "--district", district, "--start",
                           "2026-01", "--out", str(tmp_path / "reports")], capture_output=True, text=True, env=env,
                          timeout=120)


def no_personal_data(text: str) -> None:
    for secret in (NIK, "Stevi", "Rumengan", "1990-07-05"):
        assert secret not in text


@pytest.mark.parametrize("name, content, expected", [
    ("empty.csv", "", "file is empty"),
    ("no_nik.csv", "Nama,Desa,Pekerjaan,Sumber Dana,Mulai\nStevi Rumengan,Tounelet,petani,APBD,2026-01\n",
     "no column for 'nik' (nik)"),
    ("header_only.csv", HEAD, "the file has a header but no candidate rows"),
    ("two_nik.csv", "NIK,No KTP,Nama,Desa,Pekerjaan,Sumber Dana,Mulai\n" + f"{NIK},{NIK},Stevi,Tounelet,petani,APBD,2026-01\n",
     "two columns mean 'nik'"),
    ("broken.xlsx", None, "not a readable Excel workbook"),
])
def test_a_bad_file_gets_one_line_and_exit_2(tmp_path, name, content, expected):
    f = tmp_path / name
    if content is None:
        f.write_bytes(b"PK\x03\x04" + b"\x00" * 40)  # a zip cut short
    else:
        f.write_text(content, encoding="utf-8")
    run = check(tmp_path, f)
    assert run.returncode == 2, run.stderr
    assert expected in run.stderr and name in run.stderr and "Traceback" not in run.stderr
    no_personal_data(run.stderr + run.stdout)
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_a_list_of_another_district_is_rejected_row_by_row(tmp_path):
    """A Tomohon list checked as Minahasa's: its villages are not Minahasa's, so nothing is accepted."""
    f = tmp_path / "tomohon.csv"
    f.write_text(HEAD + "7173010101800010,Recky Warouw,1980-01-01,L,Kakaskasen,,petani,APBD,2026-01\n", encoding="utf-8")
    run = check(tmp_path, f)
    assert run.returncode == 0 and "0 accepted" in run.stdout and "1 rejected" in run.stdout
    no_personal_data(run.stdout + run.stderr)


def test_a_nik_column_read_as_numbers_is_explained(tmp_path):
    """An XLSX whose NIK column holds numbers: every row rejected as "stored as a number", none guessed."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEAD.strip().split(","))
    ws.append([float(NIK), "Stevi Rumengan", "1990-07-05", "L", "Tounelet", "Kakas", "petani", "APBD", "2026-01"])
    f = tmp_path / "angka.xlsx"
    wb.save(f)
    run = check(tmp_path, f)
    assert run.returncode == 0 and "0 accepted" in run.stdout and "1 rejected" in run.stdout
    rejected = next((tmp_path / "reports").glob("*/personal/rejected.csv")).read_text(encoding="utf-8")
    assert "Excel" in rejected and "15" in rejected  # the sentence explains the 15 digits Excel keeps


def test_an_unknown_district_lists_the_closest(tmp_path):
    f = tmp_path / "ok.csv"
    f.write_text(HEAD + ROW, encoding="utf-8")
    run = check(tmp_path, f, district="Minahassa")
    assert run.returncode == 2 and "Kabupaten Minahasa" in run.stderr


def test_a_named_data_folder_that_is_missing_is_an_error(tmp_path):
    f = tmp_path / "ok.csv"
    f.write_text(HEAD + ROW, encoding="utf-8")
    env = dict(os.environ, UCJ_KEY_FILE=str(tmp_path / "key"))
    run = subprocess.run([UCJ, "participants", "check", str(f), "--district", "Minahasa", "--start", "2026-01",
                          "--out", str(tmp_path / "reports"), "--data-dir", str(tmp_path / "nowhere")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    no_personal_data(run.stderr + run.stdout)


def test_an_unexpected_error_never_prints_its_message(tmp_path, monkeypatch):
    """A message of an unexpected error could quote a cell; the command names only the error's type."""
    from typer.testing import CliRunner

    from ucj.cli import app
    from ucj.runs import participants as runs

    def broken(*a, **k):  # type: ignore[no-untyped-def]
        raise ValueError(f"cannot convert {NIK} (Stevi Rumengan, 1990-07-05)")

    monkeypatch.setattr(runs, "check", broken)
    monkeypatch.setenv("UCJ_KEY_FILE", str(tmp_path / "key"))
    f = tmp_path / "ok.csv"
    f.write_text(HEAD + ROW, encoding="utf-8")
    res = CliRunner().invoke(app, ["participants", "check", str(f), "--district", "Minahasa", "--out",
                                   str(tmp_path / "r")])
    assert res.exit_code == 1 and "ValueError" in res.output
    no_personal_data(res.output)
