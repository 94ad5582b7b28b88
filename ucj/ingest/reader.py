"""Reading raw CSV and XLSX files into text grids that remember each row's line in the file.

Everything an importer sees passes through here, so file-level problems (missing, empty, not
UTF-8, merged Excel headers) get one clear message each before any parsing starts. Raw files
are only ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ucj.core.errors import Problem, UcjInputError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class Grid:
    """All cells as text (None where blank), with the 1-based file row of each grid row."""

    file: str
    rows: list[list[str | None]]
    line_numbers: list[int]

    def frame(self, header_row: int = 0) -> pd.DataFrame:
        """A DataFrame of the rows below `header_row`, columns named by it, indexed by file row."""
        header = self.rows[header_row]
        names = [("" if h is None else str(h).strip()) for h in header]
        body = self.rows[header_row + 1 :]
        width = len(names)
        data = [(r + [None] * width)[:width] for r in body]
        df = pd.DataFrame(data, columns=names, dtype="object")
        df.index = pd.Index(self.line_numbers[header_row + 1 :], name="row")
        keep = ~df.isna().all(axis=1)  # fully blank lines carry nothing
        return df[keep]


def _fail(file: Path, rule: str, row: int | None = None, column: str | None = None) -> UcjInputError:
    return UcjInputError([Problem(rule, file=str(file), row=row, column=column)])


def decode(raw: bytes, file: Path) -> str:
    """Decode a text file: UTF-8 (a BOM is fine) or UTF-16 with a BOM; anything else is an error."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _fail(
            file,
            f"not UTF-8 text (byte 0x{raw[err.start]:02x} cannot be read); save the file as CSV UTF-8",
            row=line,
        ) from None


def read_grid(path: str | Path, sheet: str | int | None = None, header_rows: int = 1) -> Grid:
    """Read a CSV or XLSX file as a text grid. `header_rows` is checked for merged Excel cells."""
    file = Path(path)
    if not file.exists():
        raise _fail(file, "file not found")
    if file.is_dir():
        raise _fail(file, "expected a file, found a folder")
    suffix = file.suffix.lower()
    if suffix in CSV_SUFFIXES:
        grid = _read_csv(file)
    elif suffix in XLSX_SUFFIXES:
        grid = _read_xlsx(file, sheet, header_rows)
    else:
        raise _fail(file, f"unsupported file type '{suffix}'; use .csv or .xlsx")
    if not any(any(c not in (None, "") for c in r) for r in grid.rows):
        raise _fail(file, "file is empty")
    return grid


def _read_csv(file: Path) -> Grid:
    raw = file.read_bytes()
    if not raw.strip():
        raise _fail(file, "file is empty")
    text = decode(raw, file)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows, lines = [], []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for rec in reader:
            rows.append([c if c.strip() != "" else None for c in rec])
            lines.append(reader.line_num)
    except csv.Error as err:
        raise _fail(file, f"not a readable CSV: {err}", row=reader.line_num) from None
    return Grid(str(file), rows, lines)


def _read_xlsx(file: Path, sheet: str | int | None, header_rows: int) -> Grid:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only: formulas as the values Excel (or Google Sheets) last computed
        wb = openpyxl.load_workbook(file, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as err:
        raise _fail(file, f"not a readable Excel workbook ({type(err).__name__})") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            ws = wb[sheet]
    except (KeyError, IndexError):
        raise _fail(file, f"no sheet '{sheet}'; sheets: {', '.join(wb.sheetnames)}") from None
    rows, lines = [], []
    for r_idx, row in enumerate(ws.iter_rows(values_only=True), start=1):
        rows.append([None if v is None or (isinstance(v, str) and not v.strip()) else v for v in row])
        lines.append(r_idx)
    first = next((i for i, r in enumerate(rows) if any(c is not None for c in r)), 0)
    header_lines = set(lines[first : first + header_rows])
    merged = [str(m) for m in ws.merged_cells.ranges if set(range(m.min_row, m.max_row + 1)) & header_lines]
    if merged:
        raise UcjInputError(
            [
                Problem(
                    f"header cells {rng} are merged; put one column name in each cell of a single header row",
                    file=str(file),
                    row=int(rng.split(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                    column=rng.split(":")[0].rstrip("0123456789"),
                )
                for rng in merged
            ]
        )
    return Grid(str(file), rows[first:], lines[first:])
