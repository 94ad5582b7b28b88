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
    widths: list[int] | None = None  # cells each CSV line really had (None for Excel)

    def ragged_rows(self, header_row: int = 0) -> list[Problem]:
        """Rows with more filled cells than the header has columns, or (CSV) fewer cells than it."""
        width = len(self.rows[header_row])
        while width and self.rows[header_row][width - 1] is None:
            width -= 1
        problems = []
        for i in range(header_row + 1, len(self.rows)):
            row = self.rows[i]
            if all(c is None for c in row):
                continue
            extra = [c for c in row[width:] if c is not None]
            if extra:
                problems.append(Problem(f"row has more cells than the header has columns ({width}); a delimiter "
                                        "inside a value?", file=self.file, row=self.line_numbers[i],
                                        value=extra[0]))
            elif self.widths is not None and self.widths[i] < width:
                problems.append(Problem(f"row has {self.widths[i]} cells, the header {width}; a cell is missing",
                                        file=self.file, row=self.line_numbers[i]))
        return problems

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
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _fail(file, "not readable UTF-16 text (cut short or damaged); save the file as CSV UTF-8") from None
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _fail(file, "this is an Excel workbook, not text; name it .xlsx (or save it as CSV UTF-8)")
    if b"\x00" in raw[:4096]:
        zeros = raw[:4096].count(b"\x00")
        what = "UTF-16 text without a byte-order mark" if zeros * 4 >= len(raw[:4096]) else "binary data"
        raise _fail(file, f"this looks like {what}; save the file as CSV UTF-8", row=1)
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
    """Read a CSV or XLSX file as a text grid. `header_rows` is checked for merged Excel cells (0: not
    checked, for layouts such as BPS tables whose merged title cells carry no column names)."""
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
    dialect = _dialect(text, file)
    rows, lines, widths = [], [], []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for rec in reader:
            rows.append([c if c.strip() != "" else None for c in rec])
            lines.append(reader.line_num)
            widths.append(len(rec))
    except csv.Error as err:
        raise _fail(file, f"not a readable CSV: {err}", row=reader.line_num) from None
    return Grid(str(file), rows, lines, widths)


def _dialect(text: str, file: Path) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter: of ',', ';' and tab, the one that splits the first lines into the same number
    of cells (Indonesian Excel saves CSV with ';'); refused when two of them would (ambiguous)."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    header = lines[0] if lines else ""
    used = [d for d in (",", ";", "\t") if d in header]
    if len(used) > 1:
        consistent = [d for d in used if len({len(next(csv.reader([line], delimiter=d))) for line in lines}) == 1]
        if len(consistent) != 1:
            raise _fail(file, f"cannot tell the delimiter: the header line has {' and '.join(repr(u) for u in used)}; "
                              "save the file with one delimiter (',' or ';')", row=1)
        used = consistent
    if not used:
        return csv.excel

    class Found(csv.excel):
        delimiter = used[0]

    return Found


def _read_xlsx(file: Path, sheet: str | int | None, header_rows: int) -> Grid:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    import zipfile

    with open(file, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise _fail(file, "file is empty")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(file, "an old Excel 97-2003 workbook (.xls); save it as .xlsx or CSV UTF-8")
    if not head.startswith(b"PK"):
        raise _fail(file, "not an Excel workbook: the file is text or another format (a CSV renamed .xlsx?); "
                          "name it .csv or save it as a real .xlsx")
    try:
        # data_only: formulas as the values Excel (or Google Sheets) last computed
        wb = openpyxl.load_workbook(file, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError, TypeError,
            AttributeError, IndexError) as err:
        raise _fail(file, f"not a readable Excel workbook ({type(err).__name__}); damaged or cut short?") from None
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
