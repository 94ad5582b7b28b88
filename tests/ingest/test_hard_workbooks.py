"""Issue 24 items 12 and 13, issue 20 item 8: workbooks. The first *visible* sheet is read (and named in the
manifest); a workbook far larger than a table (a formatted cell at XFD1048576, a zip bomb) is refused before it
is read; .xls and .ods are read. Every workbook is built from the real files in ../shared/data/raw: the BPS P0
and poor-population tables (bps_visdati) and the Sakernas TPT/TPAK workbook (tpt_tpak_jessch22). Expected
figures come from the CSV files themselves, read with the csv module (a second reader), or from SOURCES.md."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font
from typer.testing import CliRunner

from conftest import MAPPINGS, P0_CSV, POOR_CSV, TPT_XLSX
from ucj.cli import app
from ucj.core.errors import UcjInputError
from ucj.ingest.bps import import_bps_table
from ucj.ingest.common import write_processed
from ucj.ingest.mapped import Mapping, import_mapped
from ucj.ingest.reader import read_grid

pytestmark = pytest.mark.slow  # seconds a test (whole demo pages, stores, workbooks): make test only

BOALEMO = "75.02"
TPT_MAPPING = MAPPINGS / "sakernas_tpt_tpak_wide.json"


def bps_rows(path: Path) -> list[list[object]]:
    """A BPS CSV export as an XLSX export holds it: numbers as numbers, '-' and text as text."""
    out = []
    for row in csv.reader(path.open(encoding="utf-8")):
        cells: list[object] = []
        for cell in row:
            try:
                cells.append(int(cell) if re.fullmatch(r"\d{4}", cell) else float(cell))
            except ValueError:
                cells.append(cell if cell != "" else None)
        out.append(cells)
    return out


def csv_value(path: Path, name: str, year: int) -> float:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    col = rows[1].index(str(year))
    return float(next(r for r in rows if r[0] == name)[col])


def p0_of(result, code: str = BOALEMO, year: int = 2025) -> float:  # type: ignore[no-untyped-def]
    f = result.frame
    return float(f[(f["district_code"] == code) & (f["year"] == year)]["p0"].iloc[0])


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output  # stdout and stderr, as a terminal shows them


def hidden_first_xlsx(path: Path) -> Path:
    """A planner's workbook: last year's poor-population table kept as a hidden first sheet, the P0 table
    visible after it (the sheet Excel opens on)."""
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "Jumlah Miskin"
    for row in bps_rows(POOR_CSV):
        old.append(row)
    old.sheet_state = "hidden"
    new = wb.create_sheet("P0")
    for row in bps_rows(P0_CSV):
        new.append(row)
    wb.active = 1
    wb.save(path)
    return path


def test_the_first_visible_sheet_is_read_and_named(tmp_path):
    f = hidden_first_xlsx(tmp_path / "kemiskinan.xlsx")
    result = import_bps_table(f)
    assert result.table == "poverty" and result.frame["p0"].notna().any()
    assert p0_of(result) == pytest.approx(16.37)  # SOURCES.md: Boalemo P0 2025
    assert result.frame["poor_population"].isna().all()  # nothing of the hidden table
    assert result.read[str(f)] == {"sheet": "P0", "hidden_sheets_skipped": ["Jumlah Miskin"]}
    out = tmp_path / "out"
    write_processed(result, out)
    inputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["imports"][-1]["inputs"][0]
    assert inputs["sheet"] == "P0" and inputs["hidden_sheets_skipped"] == ["Jumlah Miskin"]


def test_the_cli_says_which_sheet_it_read(tmp_path):
    f = hidden_first_xlsx(tmp_path / "kemiskinan.xlsx")
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    assert code == 0, out
    assert "read sheet 'P0' of kemiskinan.xlsx (the first visible one; hidden sheets passed over: Jumlah Miskin)" in out


def test_a_hidden_sheet_named_by_the_user_is_read(tmp_path):
    f = hidden_first_xlsx(tmp_path / "kemiskinan.xlsx")
    result = import_bps_table(f, sheet="Jumlah Miskin")
    got = result.frame.set_index(["district_code", "year"])["poor_population"]
    assert got[(BOALEMO, 2025)] == pytest.approx(csv_value(POOR_CSV, "Boalemo", 2025) * 1000)
    assert result.read[str(f)] == {"sheet": "Jumlah Miskin"}


def test_inspect_looks_at_the_visible_sheet(tmp_path):
    from ucj.ingest.inspect import inspect_file

    r = inspect_file(hidden_first_xlsx(tmp_path / "kemiskinan.xlsx"))
    assert r.indicator == "p0"
    assert "note: read sheet 'P0' (the first visible one; hidden sheets passed over: Jumlah Miskin)" in r.render()


# -- limits -------------------------------------------------------------------------------------------
def populasi_values() -> list[list[object]]:
    wb = openpyxl.load_workbook(TPT_XLSX, data_only=True)  # the cached values of the Google Sheets export
    return [list(r) for r in wb["Populasi"].iter_rows(values_only=True)]


def tpt_workbook(path: Path, far_cell: bool = False, dimension: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Populasi"
    for row in populasi_values():
        ws.append(row)
    if far_cell:
        ws["XFD1048576"].font = Font(bold=True)  # one formatted, empty cell in the last row and column
    wb.save(path)
    if not dimension:  # the <dimension> element is optional: the sheet's real extent must be checked too
        _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    return path


def _rewrite(path: Path, member: str, change) -> None:  # type: ignore[no-untyped-def]
    parts = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            parts[info.filename] = z.read(info.filename)
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.fixture
def full_loads(monkeypatch):
    """Records every openpyxl load that would read cells (not read-only): a refusal must come before one."""
    calls = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not kwargs.get("read_only"):
            calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    return calls


def test_a_formatted_cell_at_xfd1048576_is_refused_before_reading(tmp_path, full_loads):
    f = tpt_workbook(tmp_path / "tpt.xlsx", far_cell=True)
    assert f.stat().st_size < 60_000
    code, out = cli("import", "mapped", str(f), "--mapping", str(TPT_MAPPING), "--out", str(tmp_path / "out"))
    assert code == 2, out
    lines = [line for line in out.splitlines() if "tpt.xlsx" in line]
    assert len(lines) == 1 and "A1:XFD1048576" in lines[0] and "1,048,576 rows" in lines[0], out
    assert "UCJ_MAX_ROWS" in lines[0] and "Traceback" not in out
    assert [c for c in full_loads if Path(c[0]).name == "tpt.xlsx"] == []  # refused before a cell was read


def test_without_a_dimension_element_the_real_extent_is_checked(tmp_path):
    f = tpt_workbook(tmp_path / "tpt.xlsx", far_cell=True, dimension=False)
    with pytest.raises(UcjInputError) as err:
        import_mapped(f, Mapping.from_file(TPT_MAPPING))
    assert len(err.value.problems) == 1
    assert "has cells up to 1,048,576 rows" in str(err.value), str(err.value)


def test_the_same_workbook_without_the_far_cell_imports(tmp_path):
    f = tpt_workbook(tmp_path / "tpt.xlsx")
    got = import_mapped(f, Mapping.from_file(TPT_MAPPING)).frame
    want = import_mapped(TPT_XLSX, Mapping.from_file(TPT_MAPPING)).frame
    assert len(got) == len(want) > 1000
    assert got["value"].sum() == pytest.approx(want["value"].sum())


def zip_bomb(path: Path, megabytes: int = 120) -> Path:
    """A valid XLSX of the real TPT table whose sheet XML is padded with whitespace (legal between XML
    elements) to `megabytes` unpacked: a few hundred KB on disk."""
    tpt_workbook(path)
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info, data in parts:
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, data)
                continue
            cut = data.index(b"</sheetData>")
            with z.open(info.filename, "w", force_zip64=True) as out:
                out.write(data[:cut])
                block = b" " * 1_000_000
                for _ in range(megabytes):
                    out.write(block)
                out.write(data[cut:])
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, full_loads, monkeypatch):
    f = zip_bomb(tmp_path / "bom.xlsx")
    assert f.stat().st_size < 400_000
    code, out = cli("import", "mapped", str(f), "--mapping", str(TPT_MAPPING), "--out", str(tmp_path / "out"))
    assert code == 2, out
    lines = [line for line in out.splitlines() if "bom.xlsx" in line]
    assert len(lines) == 1 and "unpacks to 120 MB" in lines[0] and "xl/worksheets/sheet1.xml" in lines[0], out
    assert "UCJ_MAX_UNPACKED_MB" in lines[0]
    assert [c for c in full_loads if Path(c[0]).name == "bom.xlsx"] == []
    # the refusal is the size rule's: with the limit raised, the same (valid) workbook reads whole
    monkeypatch.setenv("UCJ_MAX_UNPACKED_MB", "200")
    assert len(read_grid(f).rows) == sum(any(c is not None for c in r) for r in populasi_values())


def test_the_limits_can_be_raised_or_lowered(tmp_path, monkeypatch):
    f = tpt_workbook(tmp_path / "tpt.xlsx")
    monkeypatch.setenv("UCJ_MAX_ROWS", "100")
    with pytest.raises(UcjInputError) as err:
        read_grid(f, sheet="Populasi")
    assert "more than the 100 rows" in str(err.value) and "UCJ_MAX_ROWS" in str(err.value)
    with pytest.raises(UcjInputError) as err:
        read_grid(P0_CSV)  # a CSV too
    assert "past line 101, more than the 100 rows" in str(err.value) and "UCJ_MAX_ROWS" in str(err.value)
    monkeypatch.setenv("UCJ_MAX_ROWS", "1000")
    assert len(read_grid(f).rows) == sum(any(c is not None for c in r) for r in populasi_values())
    monkeypatch.setenv("UCJ_MAX_COLUMNS", "10")
    with pytest.raises(UcjInputError) as err:
        read_grid(f)
    assert "columns" in str(err.value) and "UCJ_MAX_COLUMNS" in str(err.value)


def test_a_bad_limit_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("UCJ_MAX_UNPACKED_MB", "lots")
    code, out = cli("import", "bps-table", str(P0_CSV), "--out", str(tmp_path / "out"))
    assert code == 2 and "environment variable 'UCJ_MAX_UNPACKED_MB': must be a whole number" in out, out


# -- .xls and .ods ------------------------------------------------------------------------------------
def xls_file(path: Path, sheets: list[tuple[str, Path, bool]]) -> Path:
    """An Excel 97-2003 workbook (xlwt) with the given BPS tables, each hidden or not."""
    import xlwt

    wb = xlwt.Workbook()
    first_visible = next(i for i, (_, _, hidden) in enumerate(sheets) if not hidden)
    for i, (name, source, hidden) in enumerate(sheets):
        ws = wb.add_sheet(name)
        for r, row in enumerate(bps_rows(source)):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
        ws.visibility = 1 if hidden else 0
        ws.set_selected(i == first_visible)
    wb.set_active_sheet(first_visible)
    wb.save(str(path))
    return path


def test_an_xls_export_is_read(tmp_path):
    f = xls_file(tmp_path / "p0.xls", [("P0", P0_CSV, False)])
    result = import_bps_table(f)
    assert p0_of(result) == pytest.approx(16.37)
    assert p0_of(result, "71.02", 2024) == pytest.approx(6.53)  # SOURCES.md: Minahasa 2024
    assert result.read[str(f)] == {"sheet": "P0"}


def test_an_xls_with_a_hidden_first_sheet_reads_the_visible_one(tmp_path):
    f = xls_file(tmp_path / "kemiskinan.xls", [("Jumlah Miskin", POOR_CSV, True), ("P0", P0_CSV, False)])
    result = import_bps_table(f)
    assert p0_of(result) == pytest.approx(16.37)
    assert result.read[str(f)] == {"sheet": "P0", "hidden_sheets_skipped": ["Jumlah Miskin"]}


def ods_file(path: Path, sheets: list[tuple[str, list[list[object]], bool]], trailing_blank: bool = True) -> Path:
    """An OpenDocument spreadsheet (odfpy) as LibreOffice writes one: hidden sheets by a table style, and the
    rest of the sheet as one repeated, formatted blank row of 1,024 cells."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden_style = Style(name="ta_hidden", family="table")
    hidden_style.addElement(TableProperties(display="false"))
    shown_style = Style(name="ta_shown", family="table")
    shown_style.addElement(TableProperties(display="true"))
    doc.automaticstyles.addElement(hidden_style)
    doc.automaticstyles.addElement(shown_style)
    for name, rows, hidden in sheets:
        table = Table(name=name, stylename=hidden_style if hidden else shown_style)
        for row in rows:
            tr = TableRow()
            for value in row:
                if value is None:
                    tr.addElement(TableCell())
                elif isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
            table.addElement(tr)
        if trailing_blank:
            tr = TableRow(numberrowsrepeated=1048576 - len(rows))
            tr.addElement(TableCell(numbercolumnsrepeated=1024))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def test_an_ods_with_a_hidden_first_sheet_reads_the_visible_one(tmp_path):
    f = ods_file(tmp_path / "kemiskinan.ods", [("Jumlah Miskin", bps_rows(POOR_CSV), True),
                                               ("P0", bps_rows(P0_CSV), False)])
    result = import_bps_table(f)
    assert p0_of(result) == pytest.approx(16.37)
    assert result.read[str(f)] == {"sheet": "P0", "hidden_sheets_skipped": ["Jumlah Miskin"]}


def test_an_ods_of_the_sakernas_table_imports_like_the_xlsx(tmp_path):
    f = ods_file(tmp_path / "tpt.ods", [("Populasi", populasi_values(), False)])
    got = import_mapped(f, Mapping.from_file(TPT_MAPPING)).frame
    want = import_mapped(TPT_XLSX, Mapping.from_file(TPT_MAPPING)).frame
    keys = ["district_code", "year", "indicator"]
    assert got.set_index(keys)["value"].sort_index().equals(want.set_index(keys)["value"].sort_index())


def test_the_cli_imports_an_ods(tmp_path):
    f = ods_file(tmp_path / "p0.ods", [("P0", bps_rows(P0_CSV), False)])
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    assert code == 0, out
    assert "read sheet 'P0' of p0.ods" in out


def test_an_ods_with_values_far_out_is_refused(tmp_path, monkeypatch):
    rows = bps_rows(P0_CSV)
    rows[2] = rows[2] + [None] * 1200 + ["stray"]  # a value in column 1,224
    f = ods_file(tmp_path / "p0.ods", [("P0", rows, False)])
    with pytest.raises(UcjInputError) as err:
        import_bps_table(f)
    assert "sheet 'P0' has values up to 1,224 columns" in str(err.value), str(err.value)


# -- damaged and odd workbooks: one line each, never a traceback ---------------------------------------
def _edited_xlsx(tmp_path: Path, member: str, old: bytes, new: bytes) -> Path:
    f = hidden_first_xlsx(tmp_path / "edited.xlsx")
    _rewrite(f, member, lambda xml: xml.replace(old, new))
    return f


def test_a_workbook_whose_sheets_are_all_hidden_asks_for_a_sheet(tmp_path):
    f = _edited_xlsx(tmp_path, "xl/workbook.xml", b'name="P0" sheetId="2" state="visible"',
                     b'name="P0" sheetId="2" state="hidden"')
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    assert code == 2 and "edited.xlsx: every sheet is hidden (Jumlah Miskin, P0); name one with --sheet" in out, out
    code, out = cli("import", "bps-table", str(f), "--sheet", "P0", "--out", str(tmp_path / "out"))
    assert code == 0, out


@pytest.mark.parametrize("member, old, new", [
    ("xl/workbook.xml", b'state="hidden"', b'state="hidden" state="hidden"'),  # XML that does not parse
    ("xl/worksheets/sheet2.xml", b"<sheetData>", b"<sheetData><row r='x'>"),
])
def test_a_damaged_xlsx_is_one_line(tmp_path, member, old, new):
    f = _edited_xlsx(tmp_path, member, old, new)
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    lines = [line for line in out.splitlines() if "edited.xlsx" in line]
    assert code == 2 and len(lines) == 1 and "not a readable Excel workbook" in lines[0], out


def test_a_damaged_ods_is_one_line(tmp_path):
    f = ods_file(tmp_path / "p0.ods", [("P0", bps_rows(P0_CSV)[:30], False)], trailing_blank=False)
    _rewrite(f, "content.xml", lambda xml: xml.replace(b"<table:table-row>", b'<table:table-row '
                                                       b'table:number-rows-repeated="many">', 1))
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    assert code == 2 and "p0.ods: not a readable OpenDocument spreadsheet (a repeat count 'many')" in out, out


@pytest.mark.parametrize("name, make, expected", [
    ("x.xls", lambda t: hidden_first_xlsx(t / "w.xlsx").read_bytes(), "an Excel .xlsx workbook named .xls"),
    ("c.xls", lambda t: xls_file(t / "w.xls", [("P0", P0_CSV, False)]).read_bytes()[:3000],
     "not a readable Excel 97-2003 workbook"),
    ("t.xls", lambda t: P0_CSV.read_bytes(), "not an Excel 97-2003 workbook: the file is text"),
    ("c.ods", lambda t: ods_file(t / "w.ods", [("P0", bps_rows(P0_CSV)[:30], False)]).read_bytes()[:2000],
     "not a readable OpenDocument spreadsheet"),
])
def test_a_wrong_or_cut_short_old_format_is_one_line(tmp_path, name, make, expected):
    f = tmp_path / name
    f.write_bytes(make(tmp_path))
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    lines = [line for line in out.splitlines() if name in line]
    assert code == 2 and len(lines) == 1 and expected in lines[0], out
