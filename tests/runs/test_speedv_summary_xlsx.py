"""summary.xlsx written with XlsxWriter (index_page.write_summary, xlsx.FastBook) holds, cell for cell, what
openpyxl's `write_shown` makes of the same table: every value, data type, number format and quote prefix, the
sheet's title, and the column widths (XlsxWriter adds Excel's cell padding, as Excel does); text that could run
as a formula stays text. Reports in both languages, a failed report whose names came from the data, and a run
without reports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from ucj.presentation.i18n import t
from ucj.presentation.xlsx import sheet_title, write_shown
from ucj.runs.index_page import index_figures, summary_sheet, write_summary

pytestmark = pytest.mark.slow  # the district figures of four districts


def _cells(wb) -> list[tuple[str, list[tuple[object, ...]], dict[str, float]]]:  # type: ignore[no-untyped-def]
    out = []
    for ws in wb.worksheets:
        cells = [(c.coordinate, c.value, c.data_type, c.number_format, bool(c.quotePrefix)) if c.value is not None
                 else (c.coordinate, None)
                 for row in ws.iter_rows() for c in row]
        widths = {get_column_letter(i): d.width for d in ws.column_dimensions.values() if d.customWidth
                  for i in range(d.min, d.max + 1)}
        out.append((ws.title, cells, widths))
    return out


def _openpyxl_summary(entries: list[dict[str, object]], run_dir: Path, lang: str | None):  # type: ignore[no-untyped-def]
    """The workbook as write_summary wrote it with openpyxl before (write_shown on the same table)."""
    _, lang, shown = summary_sheet(entries, run_dir, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(t("sheet.summary", lang), set())
    write_shown(ws, shown, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return load_workbook(buf)


def _entries(demo_ds, lang: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from ucj.analysis.district import district_figures

    out: list[dict[str, object]] = []
    for code in ("75.02", "71.02", "11.01"):
        key = dict(district_figures(demo_ds, code).key(), lang=lang)
        out.append({"district": code, "status": "ok", "key": index_figures(key)})
    evil = '=HYPERLINK("http://example.invalid","click")'
    out.append({"district": "72.01", "district_name": evil, "province": "+cmd", "status": "failed",
                "error": "-1+1"})
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
def test_summary_xlsx_equals_openpyxls_workbook(demo_ds, tmp_path, lang):
    entries = _entries(demo_ds, lang)
    for name, rows in (("reports", entries), ("none", [])):
        run_dir = tmp_path / f"{lang}-{name}"
        run_dir.mkdir()
        _, xlsx = write_summary(run_dir, rows, lang)
        got, want = _cells(load_workbook(xlsx)), _cells(_openpyxl_summary(rows, run_dir, lang))
        assert [g[0] for g in got] == [w[0] for w in want] == [t("sheet.summary", lang)[:31]]
        (_, g_cells, g_widths), (_, w_cells, w_widths) = got[0], want[0]
        assert g_cells == w_cells
        assert sorted(g_widths) == sorted(w_widths) and w_widths
        for col, width in w_widths.items():  # XlsxWriter stores a width with Excel's padding of 5 pixels
            assert 0.5 < g_widths[col] - width < 0.75, (col, g_widths[col], width)
        if rows:
            assert len(g_cells) > 100
            risky = [c for c in g_cells if c[1:] and isinstance(c[1], str) and c[1][:1] in "=+-@"]
            assert len(risky) >= 3 and all(c[2] == "s" and c[4] for c in risky)  # text, never a formula
