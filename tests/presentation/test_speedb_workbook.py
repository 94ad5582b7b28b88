"""tables.xlsx written column by column holds, cell for cell, what the table's values give one cell at a
time: each value by its kind (`_cell_value` of the frame's cell, read with .iloc), its number format,
and text that could run as a formula kept as text."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from openpyxl import load_workbook

from ucj.presentation import district as district_report
from ucj.presentation.i18n import t
from ucj.presentation.xlsx import _cell_value, csv_bytes, sheet_title, xl_format
from ucj.runs.params import validate_params


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    if isinstance(a, float) and isinstance(b, (int, float)):  # openpyxl writes a float with 16 significant digits
        return math.isclose(a, b, rel_tol=1e-15)
    return a == b and (isinstance(a, (int, float)) == isinstance(b, (int, float)))


@pytest.mark.parametrize("code,lang", [("75.02", "id"), ("71.02", "en")])
def test_tables_xlsx_holds_each_cell_by_its_kind(demo_ds, demo_dir, tmp_path, code, lang):
    report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    report.save(tmp_path)
    wb = load_workbook(tmp_path / "tables.xlsx")
    taken = {sheet_title(t("sheet.notes", lang), set()).lower()}
    checked = 0
    for name in report.tables:
        s = report.shown(name)
        ws = wb[sheet_title(t(f"sheet.{name}", lang), taken)]
        rows = list(ws.iter_rows(min_row=1))
        assert [c.value for c in rows[0]][:len(s.headers)] == s.headers
        if s.values.empty:  # an empty table's sheet says why in one sentence under its headers
            assert len(rows) == 2 and isinstance(rows[1][0].value, str) and rows[1][0].value.strip(), name
            assert all(c.value is None for c in rows[1][1:]), name
            continue
        assert len(rows) - 1 == len(s.values), name
        for i in range(len(s.values)):
            for j, col in enumerate(s.values.columns):
                kind = s.kinds[col][i]
                want = _cell_value(s.values[col].iloc[i], kind, lang)  # one cell at a time, as before
                cell = rows[i + 1][j]
                if isinstance(want, str) and want == "":
                    want = None  # openpyxl reads an empty text cell back as nothing
                assert _same(cell.value, want), (name, i, col, cell.value, want)
                fmt = xl_format(kind, lang)
                if fmt and isinstance(want, (int, float, dt.datetime)) and not isinstance(want, bool):
                    assert cell.number_format == fmt, (name, col)
                if isinstance(want, str) and want[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert cell.data_type == "s" and cell.quotePrefix, (name, col, want)
                checked += 1
    assert checked > 200


def test_csv_bytes_give_the_cells_one_cell_at_a_time(demo_ds, demo_dir):
    import csv
    import io

    report = district_report.build(demo_ds, validate_params("75.02", data_dir=str(demo_dir)))
    s = report.shown("coverage_by_segment")
    got = list(csv.reader(io.StringIO(csv_bytes(s, "id").decode("utf-8"))))
    assert got[0] == s.headers and len(got) == len(s.values) + 1
    for i in range(len(s.values)):
        for j, col in enumerate(s.values.columns):
            v = _cell_value(s.values[col].iloc[i], s.kinds[col][i], "id")
            want = f"{v:%Y-%m}" if isinstance(v, dt.datetime) and s.kinds[col][i] == "month" else v
            assert got[i + 1][j] == ("" if want is None else str(want)), (i, col)
