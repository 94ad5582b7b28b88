"""Numbers are never read as other numbers (issue 24, items 3, 4 and 12's target): BPS tables re-laid out
from the real raw files the way planners' copies come, with the expected values worked out from the raw
file here (x 1000, / 100), not taken from the importer."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import P0_CSV, POOR_CSV

# each test runs the ucj command in a process of its own (about 1.5 s): in make test, not test-fast
pytestmark = pytest.mark.slow
UCJ = str(Path(sys.executable).parent / "ucj")


def relaid(src: Path, dst: Path, title: str, cell) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The raw BPS table with another title and every value rewritten by `cell`; returns Bandung's 2024 cell."""
    rows = list(csv.reader(src.open(encoding="utf-8")))
    rows[0][1] = title
    years = rows[1]
    out, kept = [rows[0], rows[1]], {}
    for r in rows[2:]:
        new = [r[0]] + [cell(v) if re.fullmatch(r"\d+(\.\d+)?", v) else v for v in r[1:]]  # notes stay as written
        out.append(new)
        if r[0] == "Bandung":
            kept = {"raw": r[years.index("2024")], "written": new[years.index("2024")]}
    with dst.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(out)
    return kept


def imported(tmp_path: Path, f: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, "import", "bps-table", str(f), "--out", str(tmp_path / "out"), *more],
                          capture_output=True, text=True, timeout=300)


def test_persons_with_thousands_commas_are_read_as_thousands(tmp_path):
    f = tmp_path / "miskin_jiwa.csv"
    bandung = relaid(POOR_CSV, f, "Jumlah Penduduk Miskin (Jiwa) Menurut Kabupaten/Kota",
                     lambda v: f"{round(float(v) * 1000):,}")
    assert bandung == {"raw": "239.87", "written": "239,870"}
    run = imported(tmp_path, f)
    assert run.returncode == 0, run.stderr
    p = pd.read_parquet(tmp_path / "out" / "poverty.parquet")
    assert p.loc[(p["district_code"] == "32.04") & (p["year"] == 2024), "poor_population"].item() == 239_870


def test_an_undecidable_comma_is_refused_with_the_column_and_a_cell(tmp_path):
    f = tmp_path / "rumah_tangga.csv"
    relaid(POOR_CSV, f, "Jumlah Rumah Tangga Sasaran Menurut Kabupaten/Kota", lambda v: f"{round(float(v) * 1000):,}")
    run = imported(tmp_path, f, "--indicator", "rumah_tangga_sasaran")  # a title with no unit
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "cannot tell whether ',' groups thousands or marks decimals" in run.stderr
    assert "column '" in run.stderr and "e.g. '" in run.stderr
    assert not (tmp_path / "out" / "indicators.parquet").exists()


def test_p0_given_as_fractions_is_refused(tmp_path):
    f = tmp_path / "p0_fraction.csv"
    relaid(P0_CSV, f, "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen)",
           lambda v: f"{float(v) / 100:.4f}")
    run = imported(tmp_path, f)
    assert run.returncode == 2, run.stderr
    assert "every value is below 1" in run.stderr and "column 'p0'" in run.stderr
    assert not (tmp_path / "out" / "poverty.parquet").exists()


def test_a_target_written_as_a_share_is_refused(tmp_path):
    f = tmp_path / "targets.csv"
    f.write_text("district,target_year,coverage_target_pct,denominator,target_source\n"
                 "Banggai,2030,\"0,995\",working_population,RPJMD\nBoalemo,2029,\"0,439\",working_population,RPJMD\n",
                 encoding="utf-8")
    run = subprocess.run([UCJ, "import", "template", str(f), "--kind", "targets", "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "every value is below 1" in run.stderr


def test_a_bracket_glued_to_a_number_is_refused_not_read_as_another(tmp_path):
    """'45)' was read as 4 and '(5)' as empty (the footnote rule for names applied to values)."""
    for bad in ("45)", "(5)"):
        f = tmp_path / f"p0_{bad.strip('()')}.csv"
        relaid(P0_CSV, f, "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen)",
               lambda v, bad=bad: v)
        text = f.read_text(encoding="utf-8").splitlines()
        i = next(i for i, line in enumerate(text) if line.startswith("Bandung,"))
        cells = text[i].split(",")
        cells[-2] = bad  # 2024
        text[i] = ",".join(cells)
        f.write_text("\n".join(text) + "\n", encoding="utf-8")
        run = imported(tmp_path, f)
        assert run.returncode == 2 and "text in a numeric column" in run.stderr and repr(bad) in run.stderr, bad


def test_a_star_footnote_on_a_value_is_still_a_footnote(tmp_path):
    f = tmp_path / "p0_star.csv"
    relaid(P0_CSV, f, "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen)", lambda v: v + "*")
    assert imported(tmp_path, f).returncode == 0
    p = pd.read_parquet(tmp_path / "out" / "poverty.parquet")
    raw = next(r for r in csv.reader(P0_CSV.open(encoding="utf-8")) if r and r[0] == "Bandung")
    assert p.loc[(p["district_code"] == "32.04") & (p["year"] == 2024), "p0"].item() == float(raw[-2])
