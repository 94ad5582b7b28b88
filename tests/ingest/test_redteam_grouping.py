"""A mark that could group thousands or be a decimal mark typed the other way is refused, not guessed (red
team on the merged main): the real BPS long table (muhlis000), '.' for decimals, with Boalemo's 2024 number
of poor (thousands) typed "3,153" was read as 3,153,000 people."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ucj.cli import app
from ucj.core.errors import UcjInputError
from ucj.core.numbers import ambiguous_grouping
from ucj.ingest.mapped import Mapping, import_mapped

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "raw" / "bps_muhlis000" / \
    "kemiskinan_kabkota_2024_2025.csv"
MAPPING = Path(__file__).resolve().parents[2] / "data" / "mappings" / "bps_kemiskinan_long.json"
COLUMN = "jumlah_miskin (000)"


def _with(tmp: Path, cell: str) -> Path:
    rows = list(csv.DictReader(REAL.open(encoding="utf-8")))
    hit = [r for r in rows if r["kode_kab"] == "7502" and r["tahun"] == "2024"]
    assert hit and hit[0][COLUMN] == "31.53"  # the raw file's own value
    hit[0][COLUMN] = cell
    out = tmp / "kemiskinan.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out


def test_a_comma_among_decimal_points_is_refused_naming_the_cell(tmp_path):
    f = _with(tmp_path, "3,153")
    with pytest.raises(UcjInputError) as err:
        import_mapped(f, Mapping.from_file(MAPPING))
    [p] = [p for p in err.value.problems if "ambiguous number" in p.rule]
    assert p.column == COLUMN and p.value == "3,153" and p.row is not None
    run = CliRunner().invoke(app, ["import", "mapped", str(f), "--mapping", str(MAPPING), "--out",
                                   str(tmp_path / "out")])
    assert run.exit_code == 2 and "3,153" in run.output and "Traceback" not in run.output
    assert not (tmp_path / "out" / "poverty.parquet").exists()


def test_the_real_file_and_proven_grouping_still_read(tmp_path):
    """The untouched file imports (31.53 thousand = 31,530); a column that shows ',' grouping elsewhere
    ("1,234.5") decides, and a column with no decimals at all is a count."""
    frame = import_mapped(REAL, Mapping.from_file(MAPPING)).frame
    got = frame[(frame["district_code"] == "75.02") & (frame["year"] == 2024)]["poor_population"]
    assert got.tolist() == [pytest.approx(31_530)]
    assert ambiguous_grouping(["3,153", "1,234.5", "2.95"], ".") is None
    assert ambiguous_grouping(["3,153", "12", "40"], ".") is None
    assert ambiguous_grouping(["3,153", "29.40"], ".") == "3,153"
    assert ambiguous_grouping(["3.153", "29,40"], ",") == "3.153"


def test_the_drafts_reminder_is_never_cited_as_the_source(tmp_path):
    """Red team: inspect's draft imported unchanged put "… (say who published it, and when)" on the pages as
    the data's source. The file's name stands in, and the import says what to add."""
    from ucj.ingest.inspect import inspect_file

    draft = inspect_file(REAL).draft
    assert "say who published it" in str(draft["source"])  # the draft reminds the user
    got = import_mapped(REAL, Mapping.from_dict(draft))
    assert set(got.frame["source"]) == {REAL.name}
    assert any("names no source" in n for n in got.notes)
    named = import_mapped(REAL, Mapping.from_dict(dict(draft, source="BPS, Jumlah Penduduk Miskin, 2025")))
    assert set(named.frame["source"]) == {"BPS, Jumlah Penduduk Miskin, 2025"} and not named.notes
