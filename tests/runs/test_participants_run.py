"""`ucj participants check` end to end on the demo's synthetic Minahasa list: the run folder, the
personal-data files and their modes, the keyed hashes that compare a later list, and a search of every
other file and of everything printed for each NIK, name and birth date of the input: zero hits."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ucj.ingest.demo_participants import write_candidates
from ucj.ingest.participants import read_candidates

UCJ = str(Path(sys.executable).parent / "ucj")
PERSONAL_FILES = {"accepted.csv", "rejected.csv"}


@pytest.fixture(scope="module")
def demo_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_candidates(tmp_path_factory.mktemp("lists"))


def run_check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, UCJ_KEY_FILE=str(tmp_path / "secret" / "participants.key"))
    return subprocess.run([UCJ, "participants", "check", *args, "--district", "Minahasa", "--start", "2026-01",
                           "--out", str(tmp_path / "reports")], capture_output=True, text=True, env=env, timeout=300)


def secrets_of(path: Path) -> set[str]:
    rows = read_candidates([path]).rows
    out: set[str] = set()
    for nik in rows["nik"].dropna().astype(str):
        out.add(nik)
        digits = "".join(ch for ch in nik if ch.isdigit())
        if len(digits) >= 12:
            out.add(digits)
    out |= set(rows["name"].dropna().astype(str)) | set(rows["birth_date"].dropna().astype(str))
    return out


def texts_of(run_dir: Path) -> dict[str, str]:
    """Every file the run wrote, as text (XLSX unzipped), except the two personal-data lists."""
    out = {}
    for p in run_dir.rglob("*"):
        if not p.is_file() or p.name in PERSONAL_FILES:
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                out[str(p)] = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            out[str(p)] = p.read_bytes().decode("utf-8", "replace")
    return out


def found_in(text: str, secrets: set[str]) -> set[str]:
    """The secrets that occur in `text`: what `s in text` gives for each, found through the text's digit runs
    (NIKs) and its word starts (names, dates), not 40,000 scans of every file."""
    import re

    runs = [r for r in re.findall(r"\d{12,}", text)]
    by_first: dict[str, list[str]] = {}
    found = set()
    for s in secrets:
        if s.isdigit():
            if any(s in r for r in runs):
                found.add(s)
        elif s.split():
            by_first.setdefault(re.match(r"\w[\w-]*", s.strip()).group() if re.match(r"\w", s.strip()) else s, []).append(s)
    for m in re.finditer(r"\w[\w-]*", text):
        for s in by_first.get(m.group(), ()):
            if text.startswith(s.strip(), m.start()):
                found.add(s)
    return found


def test_the_leak_search_finds_what_is_there():
    text = 'x {"a": "Maria Johan Rumengan"} 1990-07-05 abc7102060507900001def 12'
    secrets = {"Maria Johan Rumengan", "1990-07-05", "7102060507900001", "Johan Rumengan", "Stevi X", "1990-07-06"}
    assert found_in(text, secrets) == {s for s in secrets if s in text}


@pytest.mark.slow
def test_the_demo_list_end_to_end_leaks_nothing(tmp_path, demo_list, demo_dir):
    run = run_check(tmp_path, str(demo_list), "--run", "minahasa", "--data-dir", str(demo_dir), "--lang", "id")
    assert run.returncode == 0, run.stderr
    run_dir = tmp_path / "reports" / "minahasa"
    personal = run_dir / "personal"
    # the personal-data folder and files are readable by their owner alone
    assert stat.S_IMODE(personal.stat().st_mode) == 0o700
    for name in ("accepted.csv", "rejected.csv", "README.txt"):
        assert stat.S_IMODE((personal / name).stat().st_mode) == 0o600, name
    key = tmp_path / "secret" / "participants.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and run_dir not in key.parents
    # the leak search: every NIK, name and birth date of the input, in every other file and in the output
    secrets = secrets_of(demo_list)
    assert len(secrets) > 40_000
    haystacks = texts_of(run_dir) | {"stdout": run.stdout, "stderr": run.stderr}
    assert set(haystacks) >= {str(run_dir / n) for n in ("summary.html", "summary.json", "summary.xlsx", "keys.txt",
                                                          "villages_below_quota.png")}
    hits = [(where, s) for where, text in haystacks.items() for s in found_in(text, secrets)]
    assert hits == []
    # ... while the personal files do hold them (the search would have found them)
    assert sum(s in (personal / "accepted.csv").read_text(encoding="utf-8") for s in list(secrets)[:200]) > 100
    # the summary: every village against its quota, the budget of the additional workers, the synthetic label
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["by_village"]) == 270 and summary["synthetic_files"] == [demo_list.name]
    c = summary["counts"]
    assert c["accepted"] + c["already_funded"] + c["rejected"] == c["rows"]
    b = summary["budget"]
    assert b["cost_rp"] == c["additional_apbd"] * 16_800 * 12  # workers x tariff x months, by hand
    assert b["coverage_before_pct"] is not None and b["coverage_after_pct"] > b["coverage_before_pct"]
    page = (run_dir / "summary.html").read_text(encoding="utf-8")
    assert "<html lang='id'>" in page and "DATA SINTETIS" in page and "Kuota" in page


@pytest.mark.slow
def test_a_later_list_sees_who_is_already_funded(tmp_path):
    head = "NIK,Nama,Tanggal Lahir,Jenis Kelamin,Desa,Kecamatan,Pekerjaan,Sumber Dana,Mulai\n"
    first = tmp_path / "2025.csv"
    first.write_text(head + "7102060507900001,Stevi Rumengan,1990-07-05,L,Tounelet,Kakas,petani,APBD,2026-01\n",
                     encoding="utf-8")
    later = tmp_path / "2026.csv"
    later.write_text(head + "7102060507900001,Stevi Rumengan,1990-07-05,L,Tounelet,Kakas,petani,APBD,2026-01\n"
                            "7102065203850002,Meiske Wenas,1985-03-12,P,Tounelet,Kakas,petani,APBD,2026-01\n",
                     encoding="utf-8")
    assert run_check(tmp_path, str(first), "--run", "y2025").returncode == 0
    keys = (tmp_path / "reports" / "y2025" / "keys.txt").read_text()
    assert "7102060507900001" not in keys and len(keys.split()) == 1 and len(keys.split()[0]) == 64
    run = run_check(tmp_path, str(later), "--run", "y2026", "--previous", str(tmp_path / "reports" / "y2025"))
    assert run.returncode == 0 and "1 accepted, 1 already funded" in run.stdout
    again = run_check(tmp_path, str(later), "--run", "y2026")  # a run is never overwritten silently
    assert again.returncode == 2 and "--force" in again.stderr


def test_a_run_that_fails_while_writing_leaves_nothing(tmp_path, monkeypatch):
    import pandas as pd

    from ucj.data.registry import load_registry
    from ucj.presentation import participants as view
    from ucj.runs import participants as runs

    f = tmp_path / "list.csv"
    f.write_text("NIK,Nama,Desa,Pekerjaan,Sumber Dana,Mulai\n7102060507900001,Stevi,Tounelet,petani,APBD,2026-01\n",
                 encoding="utf-8")
    d = load_registry().district("Minahasa")
    result, budget = runs.check([f], d, start=pd.Timestamp("2026-01-01"), key_file=tmp_path / "k")

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(view, "summary_xlsx", boom)
    with pytest.raises(OSError):
        runs.write_run(result, budget, d, tmp_path / "reports" / "r", "en")
    assert not (tmp_path / "reports" / "r").exists() or not any((tmp_path / "reports" / "r").iterdir())
    assert [p.name for p in (tmp_path / "reports").iterdir() if not p.name.endswith(".lock")] == []
