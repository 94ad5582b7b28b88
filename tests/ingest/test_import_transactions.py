"""Imports are transactions: all files of an import change together or none do, under kill -9 and
under two imports running at once into the same folder. The inputs are cut from the real BPS long
table (../shared/data/raw/bps_muhlis000)."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import ucj
from conftest import LONG_CSV
from ucj.core.errors import UcjInputError

UCJ = [sys.executable, "-m", "ucj.cli"]
KEY = ["district_code", "year"]


def _cut(raw_rows: list[dict[str, str]], tmp: Path, name: str, columns: list[str], n: int) -> Path:
    """A real 2024 cross-section of the first `n` districts with only the named value columns."""
    keep = ["tahun", "kode_kab", "nama_kab"] + columns
    path = tmp / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, keep, extrasaction="ignore")
        w.writeheader()
        w.writerows([r for r in raw_rows if r["tahun"] == "2024"][:n])
    return path


def _mapping(tmp: Path, name: str, columns: dict[str, str]) -> Path:
    path = tmp / name
    path.write_text(json.dumps({"table": "poverty", "district": "kode_kab", "code_scheme": "kemendagri",
                                "year": "tahun", "columns": columns, "decimal": ".", "source": name}))
    return path


@pytest.fixture()
def files(raw, tmp_path):
    rows = list(csv.DictReader(LONG_CSV.open(encoding="utf-8")))
    p0 = _cut(rows, tmp_path, "p0.csv", ["persen_miskin"], 60)
    p1 = _cut(rows, tmp_path, "p1.csv", ["Indeks Kedalaman Kemiskinan (P1)"], 60)
    m0 = _mapping(tmp_path, "p0.json", {"persen_miskin": "p0"})
    m1 = _mapping(tmp_path, "p1.json", {"Indeks Kedalaman Kemiskinan (P1)": "p1"})
    expected = {r["kode_kab"][:2] + "." + r["kode_kab"][2:]: (float(r["persen_miskin"]),
                                                              float(r["Indeks Kedalaman Kemiskinan (P1)"]))
                for r in rows if r["tahun"] == "2024"}
    return {"p0": (p0, m0), "p1": (p1, m1), "expected": expected}


def _import(file: Path, mapping: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(UCJ + ["import", "mapped", str(file), "--mapping", str(mapping), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _state(folder: Path) -> tuple[frozenset[str], pd.DataFrame | None]:
    """What a reader sees: the file names, and the poverty table (loaded and checked by ucj.load)."""
    names = frozenset(p.name for p in folder.iterdir()) if folder.exists() else frozenset()
    if not (folder / "poverty.parquet").exists():
        return names, None
    pov = ucj.load(folder).poverty.set_index(KEY).sort_index()
    return names, pov


def _same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0] or (a[1] is None) != (b[1] is None):
        return False
    return a[1] is None or a[1].equals(b[1])


def test_two_concurrent_imports_in_threads_both_land(files, tmp_path):
    """The lock is per open file, so two threads of one process also wait for each other."""
    from concurrent.futures import ThreadPoolExecutor

    from ucj.data.registry import load_registry
    from ucj.ingest.common import write_processed
    from ucj.ingest.mapped import Mapping, import_mapped

    reg = load_registry()
    results = [import_mapped(f, Mapping.from_file(m), registry=reg) for f, m in (files["p0"], files["p1"])]
    out = tmp_path / "out"
    for trial in range(3):
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda r: write_processed(r, out / str(trial)), results))
        pov = ucj.load(out / str(trial), registry=reg).poverty
        assert pov["p0"].notna().all() and pov["p1"].notna().all() and len(pov) == 60


@pytest.mark.slow
def test_two_concurrent_imports_both_land(files, tmp_path):
    """Two import commands into one folder at once: both columns survive, both report success."""
    (p0, m0), (p1, m1) = files["p0"], files["p1"]
    for trial in range(2):
        out = tmp_path / f"out{trial}"
        procs = [_import(p0, m0, out), _import(p1, m1, out)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        pov = ucj.load(out).poverty.set_index(KEY)
        assert len(pov) == 60
        for code, (v0, v1) in list(files["expected"].items())[:60]:
            assert pov.loc[(code, 2024), "p0"] == v0 and pov.loc[(code, 2024), "p1"] == v1
        manifest = json.loads((out / "manifest.json").read_text())
        assert len(manifest["imports"]) == 2
        assert manifest["tables"]["poverty"]["columns"]["p0"] == {"p0.json": 60}
        assert manifest["tables"]["poverty"]["columns"]["p1"] == {"p1.json": 60}
        assert set(pov["source"]) == {"p0.json; p1.json"}  # each source named once


def test_a_failed_import_changes_nothing(files, tmp_path):
    from ucj.ingest.common import write_processed
    from ucj.ingest.mapped import Mapping, import_mapped

    out = tmp_path / "out"
    (p0, m0), (p1, m1) = files["p0"], files["p1"]
    write_processed(import_mapped(p0, Mapping.from_file(m0)), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = import_mapped(p1, Mapping.from_file(m1))
    result.frame.loc[0, "p1"] = 250.0  # fails validation inside the transaction, after the merge
    with pytest.raises(UcjInputError, match="0 to 100"):
        write_processed(result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".out.stage-*"))


def test_an_output_folder_that_is_a_file_is_refused(files, tmp_path):
    (p0, m0) = files["p0"]
    target = tmp_path / "afile"
    target.write_text("x")
    from typer.testing import CliRunner

    from ucj.cli import app

    run = CliRunner().invoke(app, ["import", "mapped", str(p0), "--mapping", str(m0), "--out", str(target)])
    assert run.exit_code == 2 and "the output folder is a file" in run.output and "Traceback" not in run.output
    assert target.read_text() == "x"


def test_a_table_changed_behind_the_manifest_is_refused(files, tmp_path):
    from ucj.ingest.common import write_processed
    from ucj.ingest.mapped import Mapping, import_mapped

    out = tmp_path / "out"
    (p0, m0) = files["p0"]
    write_processed(import_mapped(p0, Mapping.from_file(m0)), out)
    data = (out / "poverty.parquet").read_bytes()
    (out / "poverty.parquet").write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(UcjInputError) as err:
        ucj.load(out)
    assert str(err.value) == "poverty.parquet: table 'poverty' does not match its manifest (sha256 differs: " \
                             "changed or half-written); re-run the import"


@pytest.mark.slow
def test_kill_9_at_random_points_leaves_the_old_or_the_new_state(files, tmp_path):
    """30 imports killed at random moments: the folder always reads as before or as after."""
    (p0, m0), (p1, m1) = files["p0"], files["p1"]
    base = tmp_path / "base"
    assert _import(p0, m0, base).wait(timeout=120) == 0
    old = _state(base)
    full = tmp_path / "full"
    subprocess.run(["cp", "-a", str(base), str(full)], check=True)
    t0 = time.monotonic()
    assert _import(p1, m1, full).wait(timeout=120) == 0
    duration = time.monotonic() - t0
    new = _state(full)
    assert not _same(old, new)
    rng = random.Random(20251122)
    seen = {"old": 0, "new": 0}
    out = tmp_path / "out"
    for trial in range(30):
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        subprocess.run(["cp", "-a", str(base), str(out)], check=True)
        proc = _import(p1, m1, out)
        time.sleep(rng.uniform(0.6, 1.15) * duration)  # most kills land in the late, writing part
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        state = _state(out)
        if _same(state, old):
            seen["old"] += 1
        else:
            assert _same(state, new), f"trial {trial}: folder is neither the old nor the new state: {sorted(state[0])}"
            seen["new"] += 1
        # the next import into the folder cleans what the killed one left beside it, and succeeds
        if trial % 10 == 0:
            assert _import(p1, m1, out).wait(timeout=120) == 0
            assert _same(_state(out), new) and not list(tmp_path.glob(".out.stage-*"))
    print(f"kill -9 trials ending in the old state: {seen['old']}, in the new state: {seen['new']}")
    assert seen["old"] + seen["new"] == 30


def test_merge_cells_by_hand():
    """A hand-worked merge: new filled cells win, every other cell stays, sources named once per row."""
    from ucj.data.dataset import merge_cells

    def frame(rows):
        df = pd.DataFrame(rows, columns=["district_code", "year", "p0", "p1", "source"])
        for c in ("p2", "poor_population", "poverty_line_rp", "extreme_poverty_pct"):
            df[c] = float("nan")
        df["extreme_poverty_basis"] = pd.Series([None] * len(df), dtype="str")
        return df

    nan = float("nan")
    old = frame([("75.02", 2024, 17.83, nan, "a"), ("71.02", 2024, 6.53, 1.38, "a")])
    new = frame([("75.02", 2024, nan, 3.75, "b"), ("72.01", 2024, 6.56, nan, "b"), ("71.02", 2024, nan, nan, "b")])
    merged, prov = merge_cells(old, new, "poverty")
    m = merged.set_index(KEY)
    assert m.loc[("75.02", 2024), ["p0", "p1", "source"]].tolist() == [17.83, 3.75, "a; b"]
    assert m.loc[("71.02", 2024), ["p0", "p1", "source"]].tolist() == [6.53, 1.38, "a"]  # nothing new filled
    assert m.loc[("72.01", 2024), "p0"] == 6.56 and m.loc[("72.01", 2024), "source"] == "b"
    p = prov.set_index(KEY)
    assert p.loc[("75.02", 2024), ["p0", "p1"]].tolist() == ["a", "b"]
    assert pd.isna(p.loc[("72.01", 2024), "p1"])
    # merging the same file again changes nothing and repeats no source
    again, _ = merge_cells(merged, new, "poverty", prov)
    pd.testing.assert_frame_equal(again, merged)


def test_an_import_through_a_symlinked_folder_changes_its_target(files, tmp_path):
    from ucj.ingest.common import write_processed
    from ucj.ingest.mapped import Mapping, import_mapped

    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    for f, m in (files["p0"], files["p1"]):
        write_processed(import_mapped(f, Mapping.from_file(m)), link)
    assert link.is_symlink() and (real / "poverty.parquet").exists()
    pov = ucj.load(link).poverty
    assert pov["p0"].notna().all() and pov["p1"].notna().all()
