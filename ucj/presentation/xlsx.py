"""Excel workbooks (openpyxl): numbers stay numbers with a number format by kind, text from the data
is always text, never a formula.

A string beginning with =, +, -, @, a tab or a carriage return could run as a formula in a
spreadsheet ("=HYPERLINK(...)" in a mapping's source). Such cells are stored as text with Excel's
quote prefix, so neither opening nor editing the cell turns them into a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from ucj.core.files import FORMULA_START, atomic_path
from ucj.presentation.i18n import XL_FORMATS, Lang, fmt_bool, t
from ucj.presentation.tables import Shown

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _cell_value(value: object, kind: str, lang: Lang) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "bool":
        return fmt_bool(value, lang)
    if kind == "month":
        return pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]
    if kind in ("pct", "pct0", "pct2", "rp", "count", "num", "year"):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)
        if math.isinf(number):  # no cell holds it as a number (Excel has no infinity): as the page prints it, e.g. a
            return "∞" if number > 0 else "−∞"  # Bühlmann k when the cohorts spread no more than chance
        if kind in ("rp", "count", "year") and number.is_integer():
            return int(number)
        return number
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()  # type: ignore[union-attr]
    if isinstance(value, (int, float, dt.date)):
        return value
    return str(value)


def _cells(s: Shown, lang: Lang) -> list[list[object]]:
    """The table's rows as the cells `write_shown` stores (`_cell_value` of each value by its kind), each
    column read from the frame once (not one pandas lookup per cell: a third of a report's Excel time)."""
    columns = [[_cell_value(v, k, lang) for v, k in zip(col.array, s.kinds[c])]
               for c, col in s.values.items()]  # each column as iloc[:, j] gives it, without iloc's indexing
    return [list(row) for row in zip(*columns)] if columns else [[] for _ in range(len(s.values))]


def xl_format(kind: str, lang: Lang) -> str | None:
    """The Excel number format of a kind of number in the reader's language (percentage points read
    "poin persen" in Indonesian, "pp" in English, as on the page)."""
    if kind in ("pp", "pp0", "pp2"):
        unit, d = t("pp", lang).replace('"', ""), {"pp0": "0", "pp2": "0.00"}.get(kind, "0.0")
        return f'+{d}" {unit}";-{d}" {unit}";{d}" {unit}"'
    return XL_FORMATS.get(kind)


def write_rows(ws, header: list[str], rows: list[list[object]]) -> None:  # type: ignore[no-untyped-def]
    """Write plain rows (text and numbers) with safe text cells."""
    ws.append(header)
    for r in rows:
        ws.append([None if isinstance(v, float) and math.isnan(v) else v for v in r])
    _safe_text(ws)


def write_shown(ws, s: Shown, lang: Lang) -> None:  # type: ignore[no-untyped-def]
    """One table on one sheet: localised headers, numbers with their kind's number format."""
    from openpyxl.utils import get_column_letter

    ws.append(s.headers)
    cols = list(s.values.columns)
    for row in _cells(s, lang):
        ws.append(row)
    for j, c in enumerate(cols, start=1):
        for i, kind in enumerate(s.kinds[c], start=2):
            fmt = xl_format(kind, lang)
            cell = ws.cell(i, j)
            if fmt and isinstance(cell.value, (int, float, dt.datetime)):
                cell.number_format = fmt
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(s.headers[j - 1]) + 2))
    _safe_text(ws)


def _safe_text(ws) -> None:  # type: ignore[no-untyped-def]
    """Every string cell is text: never a formula, and marked so Excel keeps it text when edited."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and (cell.data_type == "f" or cell.value.startswith(FORMULA_START)):
                cell.data_type = "s"
                cell.quotePrefix = True


class FastBook:
    """tables.xlsx written with XlsxWriter, which writes a workbook in about half openpyxl's time (its XML is
    formatted as text, not built as a tree): the same sheets, cells, number formats and text kept text as
    `write_rows` and `write_shown` give an openpyxl workbook (tests/presentation/test_speedf_xlsx.py compares the
    two cell for cell). Column widths are given in the same units; XlsxWriter stores them with Excel's cell
    padding added, as Excel itself does."""

    DATE_FORMAT = "yyyy-mm-dd h:mm:ss"  # openpyxl's format of a date cell given none

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.path = path
        # in_memory: each part of the file (a sheet's XML, the styles) is zipped from memory, not written to a
        # temporary file, timestamped and read back (about 30 files a report's workbook)
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                    "strings_to_numbers": False, "in_memory": True})
        self._formats: dict[tuple[str | None, bool], object] = {}

    def _format(self, number_format: str | None, quote: bool = False) -> object:
        key = (number_format, quote)
        if key not in self._formats:
            props: dict[str, object] = {"quote_prefix": True} if quote else {}
            if number_format:
                props["num_format"] = number_format
            self._formats[key] = self.book.add_format(props) if props else None
        return self._formats[key]

    def sheet(self, title: str):  # type: ignore[no-untyped-def]
        return self.book.add_worksheet(title)

    def row(self, ws, r: int, values: list[object], formats: list[str | None] | None = None) -> None:  # type: ignore[no-untyped-def]
        """Row `r` (0-based) of `ws`: each value as openpyxl stores it (None, "" and an infinite number: an
        empty cell, which openpyxl reads back as None either way)."""
        for j, v in enumerate(values):
            if v is None or (isinstance(v, str) and not v):
                continue
            if hasattr(v, "item") and not isinstance(v, (str, dt.datetime)):  # a numpy number, as openpyxl takes it
                v = v.item()  # type: ignore[union-attr]
            fmt = formats[j] if formats else None
            if isinstance(v, str):
                if v.startswith(FORMULA_START):
                    ws.write_string(r, j, v, self._format(None, True))
                else:
                    ws.write_string(r, j, v)
            elif isinstance(v, bool):
                ws.write_boolean(r, j, v)
            elif isinstance(v, dt.datetime):
                ws.write_datetime(r, j, v, self._format(fmt or self.DATE_FORMAT))
            elif isinstance(v, dt.date):
                ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), self._format(fmt or "yyyy-mm-dd"))
            elif isinstance(v, float) and not math.isfinite(v):
                continue  # an infinite number: openpyxl writes the cell without a value, read back as nothing
            elif isinstance(v, (int, float)):
                ws.write_number(r, j, v, self._format(fmt))
            else:
                raise TypeError(f"tables.xlsx: no cell for a {type(v).__name__}")

    def rows(self, ws, header: list[str], rows: list[list[object]]) -> int:  # type: ignore[no-untyped-def]
        """`write_rows`: the header, then plain rows (NaN as no cell); returns the next free row."""
        self.row(ws, 0, header)  # type: ignore[arg-type]
        for i, r in enumerate(rows, start=1):
            self.row(ws, i, [None if isinstance(v, float) and math.isnan(v) else v for v in r])
        return len(rows) + 1

    def shown(self, ws, s: Shown, lang: Lang) -> int:  # type: ignore[no-untyped-def]
        """`write_shown`: localised headers, each number in its kind's format, the column widths; returns the
        next free row."""
        cols = list(s.values.columns)
        self.row(ws, 0, s.headers)  # type: ignore[arg-type]
        formats = [[xl_format(k, lang) for k in s.kinds[c]] for c in cols]
        for i, row in enumerate(_cells(s, lang)):
            self.row(ws, i + 1, row, [formats[j][i] for j in range(len(cols))])
        for j in range(len(cols)):
            ws.set_column(j, j, max(12, min(40, len(s.headers[j]) + 2)))
        return len(s.values) + 1

    def save(self) -> Path:
        """Write the workbook whole or not at all."""
        with atomic_path(self.path) as tmp:
            self.book.filename = str(tmp)
            self.book.close()
        return self.path


def save_workbook(wb, path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Save whole or not at all."""
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def workbook_bytes(sheets: dict[str, Shown], lang: Lang, notes: list[list[object]] | None = None) -> bytes:
    """A workbook in memory (the explorer's downloads): a notes sheet when `notes` are given (what the table
    is, the synthetic-data label), then one sheet per table written by `write_shown`, as in tables.xlsx."""
    import io

    from openpyxl import Workbook

    from ucj.presentation.i18n import t

    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    first = True
    if notes:
        ws.title = sheet_title(t("sheet.notes", lang), taken)
        write_rows(ws, [t("data_notes", lang), ""], notes)
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 100
        first = False
    for name, s in sheets.items():
        sheet = ws if first else wb.create_sheet()
        sheet.title = sheet_title(name, taken)
        write_shown(sheet, s, lang)
        first = False
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(s: Shown, lang: Lang) -> bytes:
    """The table as CSV (UTF-8, comma-separated, "." for decimals): the cells `write_shown` stores, numbers as
    plain numbers, months as YYYY-MM, and text that could run as a formula quoted (ucj.core.files)."""
    from ucj.core.files import safe_csv_frame

    cols = list(s.values.columns)
    rows = [[f"{v:%Y-%m}" if isinstance(v, dt.datetime) and s.kinds[c][i] == "month" else v for c, v in zip(cols, row)]
            for i, row in enumerate(_cells(s, lang))]
    frame = pd.DataFrame(rows, columns=s.headers).astype(object)
    return safe_csv_frame(frame).to_csv(index=False).encode("utf-8")
