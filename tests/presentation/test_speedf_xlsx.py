"""tables.xlsx written with XlsxWriter (speedf) holds, cell for cell, what openpyxl's `write_rows` /
`write_shown` make (the explorer's downloads, `workbook_bytes`, still use them): every value, data type,
number format and quote prefix, on every sheet in the same order, and the same column widths (XlsxWriter adds
Excel's cell padding, as Excel does); text that could run as a formula stays text."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from ucj.presentation import district as district_report
from ucj.presentation.export import write_tables_xlsx
from ucj.presentation.i18n import t
from ucj.presentation.tables import Shown
from ucj.presentation.xlsx import write_rows, write_shown
from ucj.runs.params import validate_params


def _cells(wb) -> list[tuple[str, list[tuple[object, ...]], dict[str, float]]]:  # type: ignore[no-untyped-def]
    out = []
    for ws in wb.worksheets:
        cells = [(c.coordinate, c.value, c.data_type, c.number_format, bool(c.quotePrefix)) if c.value is not None
                 else (c.coordinate, None)  # an empty cell, however stored
                 for row in ws.iter_rows() for c in row]
        widths = {get_column_letter(i): d.width for d in ws.column_dimensions.values() if d.customWidth
                  for i in range(d.min, d.max + 1)}  # a range of columns of one width, column by column
        out.append((ws.title, cells, widths))
    return out


def _normal(path, tables: dict[str, Shown], report) -> None:  # type: ignore[no-untyped-def]
    """The same workbook by the normal (not write-only) writer: the notes sheet as written, then each table."""
    written = load_workbook(path)
    notes_ws = written.worksheets[0]
    rows = [[c.value for c in r] for r in notes_ws.iter_rows()]
    wb = Workbook()
    ws = wb.active
    ws.title = notes_ws.title
    write_rows(ws, [rows[0][0], ""], rows[1:])  # the header as written: the data notes' title and ""
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 100
    for (name, s), title in zip(tables.items(), written.sheetnames[1:]):
        sheet = wb.create_sheet(title)
        write_shown(sheet, s, report.lang)
        if len(s.values) == 0:
            sheet.append([report.empty_reasons().get(name) or t("empty_table", report.lang)])
    buf = io.BytesIO()
    wb.save(buf)
    return load_workbook(buf)


@pytest.mark.parametrize("code,lang", [("75.02", "id"), ("71.02", "en")])
def test_write_only_tables_xlsx_equals_the_normal_workbook(demo_ds, demo_dir, tmp_path, code, lang):
    report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    tables = {n: report.shown(n) for n in report.tables}
    # a table of awkward cells: formula-like text, NaN and infinite numbers, a month, an empty text
    odd = pd.DataFrame({"label": ["=HYPERLINK(\"x\")", "+62 811", "-", "@a", "plain", ""],
                        "coverage_pct": [1.5, float("nan"), 100.0, -0.25, float("inf"), float("-inf")],
                        "month": pd.to_datetime(["2024-01-01", None, "2024-03-01", "2024-04-01", "2024-05-01",
                                                 "2024-06-01"]),
                        "active": [1, 2, 3, 4, 5, 6]})
    from ucj.presentation.tables import shown

    tables["odd"] = shown("odd", odd, lang)
    tables["none"] = shown("none", odd.iloc[:0], lang)
    path = write_tables_xlsx(tmp_path / "tables.xlsx", tables, lang, report.synthetic_tables, report.key,
                             report.stamp_text(), table_status=report.results.table_status,
                             parameters=report.parameters_text(), empty_reasons={"none": "no rows"},
                             sheet_notes={"agreement_ends": report.agreement_end_lines()})
    got = _cells(load_workbook(path))
    report.empty_reasons = lambda: {"none": "no rows"}  # type: ignore[method-assign]
    want = _cells(_normal(path, tables, report))
    assert [g[0] for g in got] == [w[0] for w in want]
    for (title, g_cells, g_widths), (_, w_cells, w_widths) in zip(got, want):
        assert sorted(g_widths) == sorted(w_widths), title
        for col, width in w_widths.items():  # XlsxWriter stores a width with Excel's padding of 5 pixels
            assert 0.5 < g_widths[col] - width < 0.75, (title, col, g_widths[col], width)
        assert g_cells == w_cells, title
    odd_cells = dict((c[0], c) for c in got[-2][1])
    assert odd_cells["A2"][1:] == ('=HYPERLINK("x")', "s", "General", True)  # text, never a formula
    assert sum(len(c) for _, c, _ in got) > 300
