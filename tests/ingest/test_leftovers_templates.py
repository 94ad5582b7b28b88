"""`ucj templates` shows every column the importer accepts, the optional ones marked, and a filled-in template
imports cleanly through `ucj import template` (the planner's path). The columns are checked against the data
dictionary `ucj schema` prints, not against the template code."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from ucj.cli import app

KINDS = ("enrolment", "claims", "contributions", "workforce", "targets", "village_enrolment")


def schema_columns(kind: str) -> tuple[list[str], set[str], list[str]]:
    """From `ucj schema`: the table's columns, the optional ones (rule "... absent: ...") and its unique key."""
    text = CliRunner().invoke(app, ["schema"]).output
    section = text.split(f"### `{kind}`", 1)[1].split("### ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| [^|]* \| [^|]* \| ([^|]*) \|", section, flags=re.M)
    key = re.search(r"Unique key: ([\w, ]+)\.", section).group(1).split(", ")
    return [c for c, _ in rows], {c for c, rule in rows if "absent" in rule}, key


def expected_header(kind: str) -> tuple[set[str], set[str]]:
    """What a template must show: the district (name or code), the period, every value column; source is the
    importer's own (the file's name or the mapping's citation)."""
    columns, optional, key = schema_columns(kind)
    period = {c for c in ("month", "year") if c in key}
    return {"district"} | period | (set(columns) - {"district_code", "source"} - period), optional


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    res = CliRunner().invoke(app, ["templates", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    return out


def _import(path: Path, kind: str, out: Path) -> pd.DataFrame:
    res = CliRunner().invoke(app, ["import", "template", str(path), "--kind", kind, "--out", str(out)])
    assert res.exit_code == 0, res.output
    return pd.read_parquet(out / f"{kind}.parquet")


def test_the_targets_schema_has_an_optional_column():
    _, optional, _ = schema_columns("targets")
    assert optional == {"target_year_assumed"}  # the check below has something to find


@pytest.mark.parametrize("kind", KINDS)
def test_every_column_the_importer_accepts_is_in_the_template_and_marked(templates, kind):
    wanted, optional = expected_header(kind)
    with (templates / f"{kind}_template.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert set(header) == wanted and len(header) == len(wanted)
    xlsx = openpyxl.load_workbook(templates / f"{kind}_template.xlsx", read_only=True)
    assert [c for c in next(xlsx["data"].iter_rows(values_only=True))] == header
    marked = {r[0] for r in xlsx["example"].iter_rows(min_row=2, values_only=True)} | \
             {r[0] for r in xlsx["columns"].iter_rows(min_row=2, values_only=True)}
    assert {f"{c} (optional)" for c in optional} <= marked  # the optional columns say so on both sheets
    assert not {c for c in wanted - optional if f"{c} (optional)" in marked}  # and no required one does
    notes = {r[0]: r[2] for r in xlsx["columns"].iter_rows(min_row=2, values_only=True)}
    assert all(notes[f"{c} (optional)"].startswith("OPTIONAL") for c in optional)


@pytest.mark.parametrize("kind", KINDS)
def test_the_filled_template_imports_cleanly(templates, kind, tmp_path):
    """The worked example as a CSV, and the same row typed into the XLSX template's data sheet."""
    example = pd.read_csv(templates / f"{kind}_example.csv", dtype=str, keep_default_na=False)
    from_csv = _import(templates / f"{kind}_example.csv", kind, tmp_path / "csv")
    wb = openpyxl.load_workbook(templates / f"{kind}_template.xlsx")
    wb["data"].append(list(example.iloc[0]))
    wb.save(tmp_path / "filled.xlsx")
    from_xlsx = _import(tmp_path / "filled.xlsx", kind, tmp_path / "xlsx")
    assert len(from_csv) == len(from_xlsx) == 1
    value_cols = [c for c in from_csv.columns if c != "source"]
    pd.testing.assert_frame_equal(from_csv[value_cols], from_xlsx[value_cols])


def test_the_targets_example_reads_as_written_and_the_optional_cell_may_be_empty_or_true(templates, tmp_path):
    frame = _import(templates / "targets_example.csv", "targets", tmp_path / "a")
    row = frame.iloc[0]
    # the worked example: Banggai (72.01), 99.5 % (seed 001, "99,5" with the Indonesian comma), its year 2030 the
    # end of the RPJMD 2025-2030 the article names, so assumed (reader 12, L5)
    assert (row["district_code"], row["target_year"], row["coverage_target_pct"]) == ("72.01", 2030, 99.5)
    assert frame["target_year_assumed"].dtype == bool and row["target_year_assumed"]
    text = (templates / "targets_example.csv").read_text(encoding="utf-8")
    for cell, want, name in (("", False, "empty"), ("false", False, "false")):
        filled = tmp_path / f"{name}.csv"
        filled.write_text(re.sub(r",true\n$", f",{cell}\n", text), encoding="utf-8")
        assert bool(_import(filled, "targets", tmp_path / name)["target_year_assumed"].iloc[0]) is want
