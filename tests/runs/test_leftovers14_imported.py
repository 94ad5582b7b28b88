"""R17-6 on the real path (session 14, docs/leftovers.md): BPS's real P0 and poor-population files imported with
`ucj import bps-table` beside the demo, as reader 17 did, then `ucj report` for Boalemo in both languages. The
2024-2025 poverty rows cited the imported P0 file, the demo's BPS table (for P0, P1, P2 and the poor) and the
imported poor file, BPS named three times; now each table once, BPS named once, the demo's table only for the P1
and P2 it still gives. Titles are read from the raw files' own header line; which years have P1 from the demo's
poverty table (pandas)."""

from __future__ import annotations

import csv
import json
import re
import subprocess

import openpyxl
import pandas as pd
import pytest

from conftest import P0_CSV, POOR_CSV, REPO

pytestmark = pytest.mark.slow
UCJ = str(REPO / ".venv" / "bin" / "ucj")
# BPS's own titles of its district P1 and P2 tables (the demo's long table gives both for 2024 and 2025)
P1_TITLE = "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota"
P2_TITLE = "Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota"


def _title(raw_file) -> str:
    """A BPS dynamic table's title, as its CSV's first line gives it (second cell)."""
    with open(raw_file, encoding="utf-8") as f:
        return next(csv.reader(f))[1].strip()


@pytest.fixture(scope="module")
def reports(demo_dir, tmp_path_factory):
    work = tmp_path_factory.mktemp("leftovers14")
    out = work / "imported"
    for raw_file in (P0_CSV, POOR_CSV):
        run = subprocess.run([UCJ, "import", "bps-table", str(raw_file), "--out", str(out), "-q"],
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
    folders = {}
    for lang in ("en", "id"):
        run = subprocess.run([UCJ, "report", "--district", "75.02", "--data-dir", f"{demo_dir};{out}", "--out",
                              str(work / lang), "--lang", lang], capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        folders[lang] = next((work / lang).glob("*/7502-*"))
    return folders


def _poverty_rows(page: str) -> dict[str, str]:
    """The poverty table's source cell by year, from the page's HTML (the table whose last header is the source)."""
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        cells = [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
        if len(cells) == 8 and re.fullmatch(r"20\d\d", cells[0]):
            rows[cells[0]] = cells[-1]
    return rows


@pytest.mark.parametrize("lang", ["en", "id"])
def test_each_poverty_row_names_each_bps_table_once(reports, demo_dir, lang):
    import html

    p0, poor = _title(P0_CSV), _title(POOR_CSV)
    demo = pd.read_parquet(demo_dir / "poverty.parquet")
    # the years whose P1 the demo takes from BPS (its row's BPS part names P1; before 2024 its P1 is made up, and a
    # real import replaces a made-up row whole)
    real_p1 = demo["source"].astype(str).str.match(r"BPS [^(;]*\bP1\b")
    with_p1 = sorted(demo.loc[(demo["district_code"] == "75.02") & demo["p1"].notna() & real_p1, "year"].astype(int))
    assert with_p1 == [2024, 2025] and p0.endswith("(Persen)")
    folder = reports[lang]
    rows = _poverty_rows(html.unescape((folder / "report.html").read_text(encoding="utf-8")))
    assert len(rows) == 22  # 2004-2025, the P0 file's years
    for year, cell in rows.items():
        expected = (f"BPS, {p0}; {P1_TITLE}; {P2_TITLE}; {poor}" if int(year) in with_p1 else f"BPS, {p0}; {poor}")
        assert cell == expected, year
    # the workbook's Poverty sheet cites each row alike
    sheet = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True).worksheets[8 - 1]
    assert sheet.title in ("Poverty", "Kemiskinan")
    cited = {str(r[0]): r[-1] for r in sheet.iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert cited == rows


def test_the_provenance_lists_only_value_columns(reports):
    """key_figures.json's poverty provenance listed every district code and year as a sourced "column" of the
    merged table; now only the table's value columns, P0 and the poor from the imported files' cells."""
    key = json.loads((reports["en"] / "key_figures.json").read_text(encoding="utf-8"))
    columns = key["provenance"]["tables"]["poverty"]["columns"]
    assert "district_code" not in columns and "year" not in columns
    assert set(columns) <= {"p0", "p1", "p2", "poor_population", "poverty_line_rp", "extreme_poverty_pct",
                            "extreme_poverty_basis"}
    p0 = pd.read_csv(P0_CSV, skiprows=1, dtype=str)
    # each column's rows per source, a list of records since R18-6 (the same key paths in every language)
    assert sum(r["rows"] for r in columns["p0"]) <= (p0.iloc[:, 1:] != "-").sum().sum()  # no more than the file has
