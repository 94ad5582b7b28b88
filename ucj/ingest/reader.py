"""Reading raw CSV, XLSX, XLS and ODS files into text grids that remember each row's line in the file.

Everything an importer sees passes through here, so file-level problems (missing, empty, an
encoding that cannot be told, merged Excel headers, a workbook far larger than a table of
districts) get one clear message each before any parsing starts. Raw files are only ever opened
for reading. What was read (the sheet, the text encoding) is kept on the grid for the manifest.
"""

from __future__ import annotations

import codecs
import os
import re
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ucj.core.errors import Problem, UcjInputError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
XLS_SUFFIXES = {".xls"}
ODS_SUFFIXES = {".ods"}
WORKBOOK_SUFFIXES = XLSX_SUFFIXES | XLS_SUFFIXES | ODS_SUFFIXES


@dataclass
class Grid:
    """All cells as text (None where blank), with the 1-based file row of each grid row."""

    file: str
    rows: list[list[str | None]]
    line_numbers: list[int]
    widths: list[int] | None = None  # cells each CSV line really had (None for Excel)
    sheet: str | None = None  # the workbook sheet read (None for text files)
    encoding: str | None = None  # the text encoding read (None for workbooks)
    skipped_sheets: list[str] | None = None  # hidden sheets passed over to reach `sheet`

    def read_as(self) -> dict[str, object]:
        """What was read, for the import manifest: the sheet (and hidden ones skipped) or the encoding."""
        out: dict[str, object] = {}
        if self.sheet is not None:
            out["sheet"] = self.sheet
        if self.skipped_sheets:
            out["hidden_sheets_skipped"] = list(self.skipped_sheets)
        if self.encoding is not None:
            out["encoding"] = self.encoding
        return out

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

    def header_problems(self, header_row: int = 0) -> list[Problem]:
        """A header name written twice, or a blank header cell over a column that holds data: which column
        a name means would be unclear. One problem per name (a blank column with no data is fine)."""
        from openpyxl.utils import get_column_letter

        header = self.rows[header_row]
        names = [("" if h is None else str(h).strip()) for h in header]
        body = self.rows[header_row + 1:]
        problems = []
        for j, name in enumerate(names):
            if name:
                continue
            filled = next(((self.line_numbers[header_row + 1 + i], r[j]) for i, r in enumerate(body)
                           if j < len(r) and r[j] is not None), None)
            if filled:
                problems.append(Problem(f"the header cell is blank but the column holds data (e.g. {filled[1]!r} in "
                                        f"row {filled[0]}); give the column a name", file=self.file,
                                        row=self.line_numbers[header_row], column=get_column_letter(j + 1)))
        seen: dict[str, list[int]] = {}
        for j, name in enumerate(names):
            if name:
                seen.setdefault(name, []).append(j)
        for name, where in seen.items():
            if len(where) > 1:
                cols = " and ".join(get_column_letter(j + 1) for j in where)
                problems.append(Problem(f"the column name appears {len(where)} times in the header (columns {cols}); "
                                        "rename or remove all but one", file=self.file,
                                        row=self.line_numbers[header_row], column=name))
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


# -- limits -----------------------------------------------------------------------------------------
# A table of districts is small: 514 kab/kota times a few dozen years or indicators, a participant
# list some tens of thousands of rows. A file past these limits is refused before it is read, so a
# 5 KB workbook with one formatted cell at XFD1048576, or a zip bomb, cannot exhaust memory.
# Each can be raised with its environment variable (docs/ingest-hard.md).
LIMIT_DEFAULTS = {"rows": 200_000, "columns": 1_000, "megabytes": 100}
LIMIT_ENV = {"rows": "UCJ_MAX_ROWS", "columns": "UCJ_MAX_COLUMNS", "megabytes": "UCJ_MAX_UNPACKED_MB"}


@dataclass(frozen=True)
class Limits:
    """Most rows, columns and megabytes (unpacked) a file may have to be read."""

    rows: int
    columns: int
    megabytes: int

    @property
    def bytes(self) -> int:
        return self.megabytes * 1_000_000

    def how_to_raise(self, what: str) -> str:
        return f"set {LIMIT_ENV[what]} to read more"


def limits() -> Limits:
    """The limits in force: the defaults, or whole numbers given in UCJ_MAX_ROWS, UCJ_MAX_COLUMNS and
    UCJ_MAX_UNPACKED_MB."""
    values = {}
    for key, default in LIMIT_DEFAULTS.items():
        text = os.environ.get(LIMIT_ENV[key], "").strip()
        if not text:
            values[key] = default
            continue
        if not text.isdigit() or int(text) < 1:
            raise UcjInputError.one(f"must be a whole number of at least 1 (default {default:,})",
                                    column=LIMIT_ENV[key], value=text, label="environment variable")
        values[key] = int(text)
    return Limits(**values)


def _too_big(file: Path, what: str, found: str, limit: int, unit: str) -> UcjInputError:
    """One line: what the file holds, the limit, that nothing was read, and how to raise the limit."""
    return _fail(file, f"{found}, more than the {limit:,} {unit} a table is read with; refused before reading "
                       f"(a formatted cell far out, or a zip bomb?); {limits().how_to_raise(what)}")


# -- text -------------------------------------------------------------------------------------------
# Characters a Windows-1252 reading may hold besides ASCII: Latin letters and the punctuation Excel and
# Word put in Indonesian and English text. Anything else in a non-UTF-8 file is refused, not guessed.
_PUNCTUATION = set("\u00a0\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u2022\u20ac\u00b0\u00b7\u00ab\u00bb"
                   "\u00a1\u00bf\u00a9\u00ae\u2122\u00b1\u00d7\u00f7\u00a7\u00b2\u00b3\u00b9\u00bd\u00bc\u00be\u00b5")
LEGACY_ENCODING = "cp1252"  # the ANSI code page of Windows in Indonesian and English
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629's table: no overlong forms, no surrogates, nothing
# past U+10FFFF, e.g. E0 80 80 is not one); in real Windows-1252 text such pairs ("Ã©", "â€™") are what UTF-8
# looks like when read as Windows-1252, so a file holding one alongside invalid bytes is mixed.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]"
                            rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
                            rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}")


def decode(raw: bytes, file: Path) -> str:
    """Decode a text file (see decode_text)."""
    return decode_text(raw, file)[0]


def decode_text(raw: bytes, file: Path) -> tuple[str, str]:
    """Decode a text file and name its encoding: UTF-8 (a BOM is fine), UTF-16 or UTF-32 with a BOM, or
    Windows-1252 when every non-ASCII byte reads as a Latin letter or common punctuation in a plausible
    place and charset-normalizer finds no other reading; any other file is refused, naming a row."""
    if raw.startswith(codecs.BOM_UTF8):
        return _strict(raw[len(codecs.BOM_UTF8):], "utf-8", file), "utf-8 (with BOM)"
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):  # UTF-32's little-endian mark begins with UTF-16's: tried first
            try:
                return raw.decode(name), f"{name}-{'le' if bom[0] == 0xFF else 'be'}"
            except UnicodeDecodeError:
                raise _fail(file, f"not readable {name.upper()} text (cut short or damaged); save the file as "
                                  "CSV UTF-8") from None
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _fail(file, "this is a workbook (Excel or OpenDocument), not text; name it .xlsx, .xls or .ods (or save it as CSV UTF-8)")
    head = raw[:4096]
    if b"\x00" in head:
        zeros = head.count(b"\x00")
        what = ("UTF-32 text without a byte-order mark" if zeros * 4 >= len(head) * 3 - 8 else
                "UTF-16 text without a byte-order mark" if zeros * 4 >= len(head) else "binary data")
        raise _fail(file, f"this looks like {what}; save the file as CSV UTF-8", row=1)
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        return _legacy(raw, err, file)


def _strict(raw: bytes, name: str, file: Path) -> str:
    try:
        return raw.decode(name)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _fail(file, f"not {name.upper()} text after its byte-order mark (byte 0x{raw[err.start]:02x} cannot be "
                          "read); save the file as CSV UTF-8", row=line) from None


def _legacy(raw: bytes, utf8_error: UnicodeDecodeError, file: Path) -> tuple[str, str]:
    """A file that is not UTF-8: Windows-1252 if that reading is plausible and uncontested, else refused."""
    from charset_normalizer import from_bytes

    def line_of(pos: int) -> int:
        return raw[:pos].count(b"\n") + 1

    try:
        text = raw.decode(LEGACY_ENCODING)
    except UnicodeDecodeError as err:
        raise _fail(file, f"not UTF-8 text (byte 0x{raw[err.start]:02x} cannot be read) and not Windows-1252 either; "
                          "cannot tell the encoding: save the file as CSV UTF-8", row=line_of(err.start)) from None
    mixed = _UTF8_SEQUENCE.search(raw)
    if mixed is not None:  # some of the file is UTF-8 after all: two encodings in one file
        seq = mixed.group()
        raise _fail(file, f"the file mixes UTF-8 with another encoding: bytes {seq.hex(' ')} read "
                          f"{seq.decode('utf-8')!r} as UTF-8 but {seq.decode(LEGACY_ENCODING, 'replace')!r} as "
                          f"Windows-1252, and byte 0x{raw[utf8_error.start]:02x} on row "
                          f"{line_of(utf8_error.start)} is not UTF-8; save the whole file as CSV UTF-8",
                    row=line_of(mixed.start()))
    odd = _implausible(text)
    if odd is not None:  # the word goes in the value, which a reader of personal data can leave out
        pos, why, shown = odd
        byte_pos = len(text[:pos].encode(LEGACY_ENCODING))
        raise UcjInputError([Problem(f"not UTF-8 text; read as Windows-1252 it gives {why}: the encoding cannot be "
                                     "told (Mac Roman, another code page?); save the file as CSV UTF-8",
                                     file=str(file), row=line_of(byte_pos), value=shown)])
    best = from_bytes(raw).best()
    if best is not None and str(best) != text and _implausible(str(best)) is None:
        other = str(best)
        pos = next(i for i, (a, b) in enumerate(zip(text, other)) if a != b) if len(other) == len(text) else \
            next((i for i, (a, b) in enumerate(zip(text, other)) if a != b), 0)
        byte_pos = len(text[:pos].encode(LEGACY_ENCODING))
        raise _fail(file, f"not UTF-8 text, and its encoding is ambiguous: byte 0x{raw[byte_pos]:02x} reads "
                          f"{text[pos]!r} in Windows-1252 but {other[pos]!r} in {best.encoding}; save the file as "
                          "CSV UTF-8", row=line_of(byte_pos))
    return text, f"{LEGACY_ENCODING} (Windows-1252, detected: not UTF-8)"


# Letters Windows-1252 has only for Central European and French text; in an Indonesian or English file they are
# what another code page's letters turn into (Mac Roman's 'é' and 'ä' read as 'Ž' and 'Š').
_RARE_LETTERS = set("ŠŒŽšœžŸƒ")


def _implausible(text: str) -> tuple[int, str, str] | None:
    """The first non-ASCII character that no Indonesian or English text holds where it stands: not a Latin
    letter or common punctuation, a rare letter (Ž), punctuation other than an apostrophe inside a word
    ("Pe–a": Mac Roman's 'ñ'), a capital after a small letter ("SimŽulue"), or three accented letters in a row ("Ïðèâåò": another script read as Latin).
    Position, why, and the word (for the problem's value)."""
    import unicodedata

    def letter(j: int) -> bool:
        return 0 <= j < len(text) and text[j].isalpha()

    run, last = 0, -2
    for m in re.finditer(r"[^\x00-\x7f]", text):  # only the characters outside ASCII are looked at
        i, ch = m.start(), m.group()
        if i != last + 1:
            run = 0
        last = i
        if ch in _PUNCTUATION:
            run = 0
            if ch != "\u2019" and letter(i - 1) and letter(i + 1):
                return i, f"the punctuation {ch!r} inside a word", _word(text, i - 1)
            if ch in "\u20ac\u2022\u201e\u201a" and letter(i + 1):  # "€ngel": Mac Roman's 'Ä'
                return i, f"the sign {ch!r} before a letter", _word(text, i + 1)
            continue
        name = unicodedata.name(ch, "")
        if not (name.startswith("LATIN") and ch.isalpha()) or ch in _RARE_LETTERS:
            return i, f"the character {ch!r} ({name.lower() or 'a control character'})", ch
        if ch.isupper() and letter(i - 1) and text[i - 1].islower():
            return i, f"a capital {ch!r} inside a word", _word(text, i)
        run += 1
        if run >= 3:
            return i, "three accented letters in a row", _word(text, i)
    return None


def _word(text: str, i: int) -> str:
    """The word around position i (for a message)."""
    start, end = i, i
    while start > 0 and text[start - 1].isalpha() and i - start < 20:
        start -= 1
    while end < len(text) and text[end].isalpha() and end - i < 20:
        end += 1
    return text[start:end]


def json_depth(text: str) -> int:
    """How deep brackets nest in a JSON text (strings skipped), for a message about a too-deep file."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def read_grid(path: str | Path, sheet: str | int | None = None, header_rows: int = 1) -> Grid:
    """Read a CSV, XLSX, XLS or ODS file as a text grid. `header_rows` is checked for merged cells (0: not
    checked, for layouts such as BPS tables whose merged title cells carry no column names). A workbook's
    first visible sheet is read unless `sheet` names one."""
    file = Path(path)
    if not file.exists():
        raise _fail(file, "file not found")
    if file.is_dir():
        raise _fail(file, "expected a file, found a folder")
    suffix = file.suffix.lower()
    cap = limits()
    if suffix in CSV_SUFFIXES:
        grid = _read_csv(file, cap)
    elif suffix in XLSX_SUFFIXES:
        grid = _read_xlsx(file, sheet, header_rows, cap)
    elif suffix in XLS_SUFFIXES:
        grid = _read_xls(file, sheet, header_rows, cap)
    elif suffix in ODS_SUFFIXES:
        grid = _read_ods(file, sheet, cap)
    else:
        raise _fail(file, f"unsupported file type '{suffix}'; use .csv, .xlsx, .xls or .ods")
    if not any(any(c not in (None, "") for c in r) for r in grid.rows):
        raise _fail(file, "file is empty")
    return grid


def _read_csv(file: Path, cap: Limits) -> Grid:
    size = file.stat().st_size
    if size > cap.bytes:
        raise _too_big(file, "megabytes", f"the text file holds {size / 1e6:,.0f} MB", cap.megabytes, "MB")
    raw = file.read_bytes()
    if not raw.strip():
        raise _fail(file, "file is empty")
    text, encoding = decode_text(raw, file)
    dialect = _dialect(text, file)
    rows: list[list[str | None]] = []
    lines: list[int] = []
    widths: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    delimiter = dialect.delimiter
    start = 1
    try:
        for rec in reader:
            if len(rows) >= cap.rows:
                raise _too_big(file, "rows", f"the file goes on past line {start:,}", cap.rows, "rows")
            if len(rec) > cap.columns:
                raise _too_big(file, "columns", f"line {start:,} has {len(rec):,} cells", cap.columns, "columns")
            _check_quotes(rec, start, reader.line_num, delimiter, file)
            rows.append([c if c.strip() != "" else None for c in rec])
            lines.append(start)
            widths.append(len(rec))
            start = reader.line_num + 1
    except csv.Error as err:
        raise _fail(file, f"not a readable CSV: {err}; a quote opened on this line is not closed", row=start) from None
    return Grid(str(file), rows, lines, widths, encoding=encoding)


def _check_quotes(rec: list[str], start: int, end: int, delimiter: str, file: Path) -> None:
    """A quote that opens a cell and closes only lines later, swallowing rows (lines holding the delimiter)
    into one cell, is reported on the line where it opens, not where the damage ends."""
    if end == start:
        return
    for j, cell in enumerate(rec):
        later = cell.split("\n")[1:]
        if any(delimiter in part for part in later):
            raise _fail(file, f"a quote (\") opens a cell here and closes only on line {end}, so "
                              f"{end - start} lines were read as one cell; remove the stray quote or close it",
                        row=start, column=f"column {j + 1}")


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


# -- workbooks --------------------------------------------------------------------------------------
def _pick_sheet(file: Path, names: list[str], hidden: list[bool], sheet: str | int | None) -> tuple[int, list[str]]:
    """The sheet to read: the one named, else the first visible one; and the hidden sheets passed over."""
    if sheet is None:
        index = next((i for i, h in enumerate(hidden) if not h), None)
        if index is None:
            raise _fail(file, f"every sheet is hidden ({', '.join(names)}); name one with --sheet")
        return index, [n for n, h in zip(names[:index], hidden[:index]) if h]
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return sheet, []
    if isinstance(sheet, str) and sheet in names:
        return names.index(sheet), []
    listed = ", ".join(n + (" (hidden)" if h else "") for n, h in zip(names, hidden))
    raise _fail(file, f"no sheet '{sheet}'; sheets: {listed}")


def _check_zip(file: Path, cap: Limits, kind: str = "Excel workbook") -> None:
    """Refuse a zip (XLSX, ODS) whose parts would unpack past the limit, before anything is unpacked; the
    sizes are the ones the zip declares, which Python's zipfile also enforces while reading."""
    import zipfile

    try:
        with zipfile.ZipFile(file) as zf:
            total = sum(max(i.file_size, 0) for i in zf.infolist())
            biggest = max(zf.infolist(), key=lambda i: i.file_size, default=None)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _fail(file, f"not a readable {kind} (its zip is damaged or cut short)") from None
    if total > cap.bytes:
        where = f"its largest part, {biggest.filename}, " if biggest is not None else ""
        raise _fail(file, f"the workbook unpacks to {total / 1e6:,.0f} MB ({where}{biggest.file_size / 1e6:,.0f} MB; "
                          f"packed {file.stat().st_size / 1e6:,.1f} MB), more than the {cap.megabytes:,} MB a "
                          f"table is read with; refused before reading (a zip bomb?); {cap.how_to_raise('megabytes')}")


def _check_extent(file: Path, sheet: str, rows: int, columns: int, cap: Limits, what: str = "spans") -> None:
    if rows > cap.rows:
        raise _fail(file, f"sheet '{sheet}' {what} {rows:,} rows, more than the {cap.rows:,} rows a table is read "
                          f"with; refused before reading (a formatted cell far down?); {cap.how_to_raise('rows')}")
    if columns > cap.columns:
        raise _fail(file, f"sheet '{sheet}' {what} {columns:,} columns, more than the {cap.columns:,} columns a table "
                          f"is read with; refused before reading (a formatted cell far right?); "
                          f"{cap.how_to_raise('columns')}")


def _merged_header(file: Path, ranges: list[tuple[str, int, int, int]], rows: list[list[object]], lines: list[int],
                   header_rows: int) -> None:
    """Refuse merged cells in the header lines: (range text, first row, last row, first column)."""
    first = next((i for i, r in enumerate(rows) if any(c is not None for c in r)), 0)
    header_lines = set(lines[first: first + header_rows])
    merged = [m for m in ranges if set(range(m[1], m[2] + 1)) & header_lines]
    if merged:
        from openpyxl.utils import get_column_letter

        raise UcjInputError([
            Problem(f"header cells {rng} are merged; put one column name in each cell of a single header row",
                    file=str(file), row=r0, column=get_column_letter(c0))
            for rng, r0, _, c0 in merged
        ])


def _trimmed(rows: list[list[object]], lines: list[int]) -> tuple[list[list[object]], list[int]]:
    first = next((i for i, r in enumerate(rows) if any(c is not None for c in r)), 0)
    return rows[first:], lines[first:]


def _cell(v: object) -> object:
    return None if v is None or (isinstance(v, str) and not v.strip()) else v


def _head(file: Path) -> bytes:
    """The first bytes of a workbook (its format's signature); an empty file is refused."""
    with open(file, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise _fail(file, "file is empty")
    return head


def _read_xlsx(file: Path, sheet: str | int | None, header_rows: int, cap: Limits) -> Grid:
    import zipfile

    import openpyxl
    from openpyxl.utils import range_boundaries
    from openpyxl.utils.exceptions import InvalidFileException

    head = _head(file)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(file, "an old Excel 97-2003 workbook (.xls) named .xlsx; name it .xls")
    if not head.startswith(b"PK"):
        raise _fail(file, "not an Excel workbook: the file is text or another format (a CSV renamed .xlsx?); "
                          "name it .csv or save it as a real .xlsx")
    _check_zip(file, cap)
    # a damaged part can raise almost anything from openpyxl (a ParseError from its XML, a KeyError for a
    # missing part, ...): each is one line, never a traceback
    errors = (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError, TypeError,
              AttributeError, IndexError, SyntaxError, LookupError, ArithmeticError)
    try:
        # read-only first: the sheet names, which are hidden, and the chosen sheet's declared dimension
        peek = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            names = list(peek.sheetnames)
            hidden = [getattr(ws, "sheet_state", "visible") != "visible" for ws in peek.worksheets]
            index, skipped = _pick_sheet(file, names, hidden, sheet)
            try:
                dim = peek.worksheets[index].calculate_dimension()
            except (ValueError, TypeError):
                dim = None
        finally:
            peek.close()
    except UcjInputError:
        raise
    except errors as err:
        raise _fail(file, f"not a readable Excel workbook ({type(err).__name__}); damaged or cut short?") from None
    if dim:
        try:
            c0, r0, c1, r1 = range_boundaries(dim)
        except (ValueError, TypeError):
            c0 = None
        if c0 is not None and r1 is not None and c1 is not None:
            _check_extent(file, names[index], r1, c1, cap, what=f"declares the range {dim}, that is")
    try:
        # data_only: formulas as the values Excel (or Google Sheets) last computed
        wb = openpyxl.load_workbook(file, data_only=True)
    except errors as err:
        raise _fail(file, f"not a readable Excel workbook ({type(err).__name__}); damaged or cut short?") from None
    ws = wb[names[index]]
    _check_extent(file, names[index], ws.max_row, ws.max_column, cap, what="has cells up to")
    rows, lines = [], []
    for r_idx, row in enumerate(ws.iter_rows(values_only=True), start=1):
        rows.append([_cell(v) for v in row])
        lines.append(r_idx)
    ranges = [(str(m), m.min_row, m.max_row, m.min_col) for m in ws.merged_cells.ranges]
    _merged_header(file, ranges, rows, lines, header_rows)
    rows, lines = _trimmed(rows, lines)
    return Grid(str(file), rows, lines, sheet=names[index], skipped_sheets=skipped)


def _whole(v: object) -> object:
    """A whole float as an int, as openpyxl reads an XLSX number written without decimals (2030, not 2030.0)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _read_xls(file: Path, sheet: str | int | None, header_rows: int, cap: Limits) -> Grid:
    """An Excel 97-2003 workbook (xlrd). It is not compressed: its size on disk bounds what is read."""
    import xlrd

    head = _head(file)
    if head.startswith(b"PK"):
        raise _fail(file, "an Excel .xlsx workbook named .xls; name it .xlsx")
    if not head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(file, "not an Excel 97-2003 workbook: the file is text or another format (a CSV or an HTML "
                          "page renamed .xls?); name it .csv or save it as .xlsx")
    size = file.stat().st_size
    if size > cap.bytes:
        raise _too_big(file, "megabytes", f"the workbook holds {size / 1e6:,.0f} MB", cap.megabytes, "MB")
    try:
        book = xlrd.open_workbook(str(file), formatting_info=True, on_demand=True, logfile=io.StringIO())
    except Exception as err:  # noqa: BLE001 - xlrd raises many kinds on a damaged file
        raise _fail(file, f"not a readable Excel 97-2003 workbook ({type(err).__name__}); damaged or cut short?") \
            from None
    try:
        names = book.sheet_names()
        hidden = [bool(v) for v in book._sheet_visibility]  # 0 visible, 1 hidden, 2 very hidden
        index, skipped = _pick_sheet(file, names, hidden, sheet)
        ws = book.sheet_by_index(index)
        _check_extent(file, names[index], ws.nrows, ws.ncols, cap, what="has cells up to")
        rows, lines = [], []
        for r in range(ws.nrows):
            cells: list[object] = []
            for c in range(ws.ncols):
                kind, value = ws.cell_type(r, c), ws.cell_value(r, c)
                if kind == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                elif kind == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif kind == xlrd.XL_CELL_ERROR:
                    value = xlrd.error_text_from_code.get(value, "#ERROR")
                elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                cells.append(_cell(_whole(value)))
            rows.append(cells)
            lines.append(r + 1)
        ranges = [(f"{_a1(c0, r0)}:{_a1(c1 - 1, r1 - 1)}", r0 + 1, r1, c0 + 1) for r0, r1, c0, c1 in ws.merged_cells]
    except UcjInputError:
        raise
    except Exception as err:  # noqa: BLE001
        raise _fail(file, f"not a readable Excel 97-2003 workbook ({type(err).__name__}); damaged?") from None
    finally:
        book.release_resources()
    _merged_header(file, ranges, rows, lines, header_rows)
    rows, lines = _trimmed(rows, lines)
    return Grid(str(file), rows, lines, sheet=names[index], skipped_sheets=skipped)


def _a1(col0: int, row0: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col0 + 1)}{row0 + 1}"


def _read_ods(file: Path, sheet: str | int | None, cap: Limits) -> Grid:
    """An OpenDocument spreadsheet (odfpy). Repeated rows and cells are counted before they are expanded,
    and blank ones at the end of a row or of the sheet are never expanded."""
    with open(file, "rb") as fh:
        head = fh.read(4)
    if not head:
        raise _fail(file, "file is empty")
    if not head.startswith(b"PK"):
        raise _fail(file, "not an OpenDocument spreadsheet: the file is text or another format; name it .csv or "
                          "save it as .ods or .xlsx")
    _check_zip(file, cap, "OpenDocument spreadsheet")
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table

    try:
        doc = load(str(file))
    except Exception as err:  # noqa: BLE001 - odfpy raises many kinds on a damaged file
        raise _fail(file, f"not a readable OpenDocument spreadsheet ({type(err).__name__}); damaged?") from None
    hidden_styles = set()
    for style in doc.automaticstyles.childNodes:
        for prop in getattr(style, "childNodes", []):
            if prop.attributes.get((TABLENS, "display")) == "false":
                hidden_styles.add(style.attributes.get(("urn:oasis:names:tc:opendocument:xmlns:style:1.0", "name")))
    tables = doc.spreadsheet.getElementsByType(Table)
    names = [str(t.getAttribute("name")) for t in tables]
    hidden = [t.getAttribute("stylename") in hidden_styles for t in tables]
    if not tables:
        raise _fail(file, "the spreadsheet has no sheet")
    index, skipped = _pick_sheet(file, names, hidden, sheet)
    try:
        rows = _ods_rows(file, names[index], tables[index], cap)
    except UcjInputError:
        raise
    except Exception as err:  # noqa: BLE001 - a damaged content.xml: one line, never a traceback
        raise _fail(file, f"not a readable OpenDocument spreadsheet ({type(err).__name__}); damaged?") from None
    return Grid(str(file), *_trimmed(rows, list(range(1, len(rows) + 1))), sheet=names[index], skipped_sheets=skipped)


def _ods_rows(file: Path, name: str, table: object, cap: Limits) -> list[list[object]]:
    from odf.namespaces import OFFICENS, TABLENS, TEXTNS

    rows: list[list[object]] = []
    pending_blank = 0  # blank rows kept only if a filled row follows

    def walk(node: object) -> None:
        nonlocal pending_blank
        for child in node.childNodes:  # type: ignore[attr-defined]
            qname = getattr(child, "qname", None)
            if qname in ((TABLENS, "table-row-group"), (TABLENS, "table-header-rows"), (TABLENS, "table-rows")):
                walk(child)
            elif qname == (TABLENS, "table-row"):
                repeat = _repeat(file, child.attributes.get((TABLENS, "number-rows-repeated")))
                cells = _ods_cells(file, name, child, cap, OFFICENS, TABLENS, TEXTNS)
                if not any(c is not None for c in cells):
                    pending_blank += repeat
                    continue
                total = len(rows) + pending_blank + repeat
                _check_extent(file, name, total, len(cells), cap, what="has values up to")
                rows.extend([[None]] * pending_blank)
                pending_blank = 0
                rows.extend([list(cells) for _ in range(repeat)])

    walk(table)
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _ods_cells(file: Path, name: str, row: object, cap: Limits, office: str, tablens: str, textns: str
               ) -> list[object]:
    cells: list[object] = []
    pending = 0  # blank cells kept only if a filled one follows
    for cell in row.childNodes:  # type: ignore[attr-defined]
        if getattr(cell, "qname", None) not in ((tablens, "table-cell"), (tablens, "covered-table-cell")):
            continue
        repeat = _repeat(file, cell.attributes.get((tablens, "number-columns-repeated")))
        value = _ods_value(cell, office, textns)
        if value is None:
            pending += repeat
            continue
        _check_extent(file, name, 1, len(cells) + pending + repeat, cap, what="has values up to")
        cells.extend([None] * pending)
        pending = 0
        cells.extend([value] * repeat)
    return cells


def _repeat(file: Path, text: object) -> int:
    """A number-rows/columns-repeated attribute: a whole number of at least 1."""
    if text is None or text == "":
        return 1
    if not str(text).isdigit() or int(str(text)) < 1:
        raise _fail(file, f"not a readable OpenDocument spreadsheet (a repeat count {str(text)[:20]!r}); damaged?")
    return int(str(text))


def _ods_value(cell: object, office: str, textns: str) -> object:
    attrs = cell.attributes  # type: ignore[attr-defined]
    kind = attrs.get((office, "value-type"))
    if kind in ("float", "percentage", "currency"):
        try:
            return _whole(float(attrs.get((office, "value"))))
        except (TypeError, ValueError):
            return None
    if kind == "boolean":
        return attrs.get((office, "boolean-value")) == "true"
    if kind == "date":
        text = attrs.get((office, "date-value"))
        try:
            return pd.Timestamp(text).to_pydatetime() if text else None
        except ValueError:
            return text
    parts = []
    for p in cell.childNodes:  # type: ignore[attr-defined]
        if getattr(p, "qname", None) == (textns, "p"):
            parts.append(_ods_text(p))
    return _cell("\n".join(parts)) if parts else None


def _ods_text(node: object) -> str:
    """The text of a text:p, with text:s (spaces) and text:tab expanded."""
    from odf.namespaces import TEXTNS

    out = []
    for child in node.childNodes:  # type: ignore[attr-defined]
        if child.nodeType == child.TEXT_NODE:
            out.append(str(child.data))
        elif getattr(child, "qname", None) == (TEXTNS, "s"):
            out.append(" " * int(child.attributes.get((TEXTNS, "c"), 1) or 1))
        elif getattr(child, "qname", None) == (TEXTNS, "tab"):
            out.append("\t")
        else:
            out.append(_ods_text(child))
    return "".join(out)
