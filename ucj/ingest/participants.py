"""Reading candidate lists that village heads send in (CSV or XLSX), one row a person.

Headers are matched the way a village head writes them (NIK, Nama, Tanggal Lahir, Jenis Kelamin,
Desa, Kecamatan, Pekerjaan, Sumber Dana, Mulai), regardless of case, spaces and underscores, with
English aliases. Each cell keeps the form it had in the file: a NIK that Excel stored as a number is
remembered as such, so the checks can explain the damage instead of guessing the lost digits.

These files hold personal data: nothing read here is ever put in an error message. A file-level
problem names the file, row and column, never a cell's value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ucj.core.errors import Problem, UcjInputError
from ucj.ingest.reader import read_grid

# column -> the header spellings accepted for it (compared after dropping case, spaces, '_', '/', '.', '-')
COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "noktp", "nomorktp", "nomorindukkependudukan", "nationalid", "idnumber"),
    "name": ("nama", "namalengkap", "name", "fullname"),
    "birth_date": ("tanggallahir", "tgllahir", "tgllhr", "birthdate", "dateofbirth", "dob"),
    "sex": ("jeniskelamin", "jk", "lp", "kelamin", "sex", "gender"),
    "village": ("desa", "desakelurahan", "kelurahan", "desakel", "village"),
    "kecamatan": ("kecamatan", "kec", "subdistrict"),
    "occupation": ("pekerjaan", "kelompokpekerjaan", "jenispekerjaan", "occupation", "occupationgroup"),
    "funding": ("sumberdana", "sumberiuran", "pendanaan", "funding", "fundingsource"),
    "start": ("mulai", "bulanmulai", "mulaibulan", "start", "startmonth"),
}
REQUIRED = ("nik", "name", "village", "occupation", "funding", "start")
PERSONAL = ("nik", "name", "birth_date")  # what never leaves the personal-data files

# How the NIK cell was stored: as text, or as a number (Excel keeps 15 significant digits of a number).
NIK_TEXT, NIK_NUMBER = "text", "number"


def header_key(text: object) -> str:
    return re.sub(r"[\s_/.\-]+", "", str(text)).lower()


_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


@dataclass(frozen=True)
class CandidateList:
    """The rows of one or more candidate files, with where each came from.

    `rows` has the columns of COLUMNS (text, or None where blank) plus `file` (the file's name only),
    `row` (1-based, as a spreadsheet shows it) and `nik_stored` (text or number).
    """

    rows: pd.DataFrame
    files: tuple[str, ...]
    synthetic_files: tuple[str, ...] = ()  # files marked as made up (the demo's list)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # type: ignore[union-attr]
    text = str(value).strip()
    return text or None


def read_candidates(paths: list[str | Path]) -> CandidateList:
    """Read every candidate file; a missing required column or an unreadable file stops with one line each."""
    frames, problems = [], []
    for path in paths:
        try:
            frames.append(_read_one(Path(path)))
        except UcjInputError as err:  # the reader's messages may quote a cell: keep only where and what
            problems += [Problem(p.rule, file=p.file, row=p.row, column=p.column, label=p.label) for p in err.problems]
    if problems:
        raise UcjInputError(problems)
    rows = pd.concat(frames, ignore_index=True)
    return CandidateList(rows, tuple(Path(p).name for p in paths),
                         tuple(Path(p).name for p in paths if _marked_synthetic(Path(p))))


def _marked_synthetic(file: Path) -> bool:
    """True for a workbook whose keywords carry the demo's synthetic mark (ucj.ingest.demo_participants)."""
    from ucj.ingest.demo_participants import SYNTHETIC_KEYWORD

    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    import openpyxl

    wb = openpyxl.load_workbook(file, read_only=True)
    try:
        return SYNTHETIC_KEYWORD in str(wb.properties.keywords or "")
    finally:
        wb.close()


def _read_one(file: Path) -> pd.DataFrame:
    grid = read_grid(file)
    header = grid.rows[0]
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        column = _ALIASES.get(header_key(cell)) if cell is not None else None
        if column is None:
            continue
        if column in found:
            raise UcjInputError.one(f"two columns mean '{column}' (columns {found[column] + 1} and {i + 1}); keep one",
                                    file=str(file), row=grid.line_numbers[0])
        found[column] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        names = ", ".join(f"'{c}' ({COLUMNS[c][0]})" for c in missing)
        raise UcjInputError.one(f"no column for {names}; the template (ucj participants template) shows the headers",
                                file=str(file), row=grid.line_numbers[0])
    records = []
    for cells, line in zip(grid.rows[1:], grid.line_numbers[1:]):
        if not any(c is not None for c in cells):
            continue
        rec: dict[str, object] = {c: None for c in COLUMNS}
        for column, i in found.items():
            rec[column] = _cell_text(cells[i]) if i < len(cells) else None
        nik_cell = cells[found["nik"]] if found["nik"] < len(cells) else None
        rec["nik_stored"] = NIK_NUMBER if isinstance(nik_cell, (int, float)) and not isinstance(nik_cell, bool) else NIK_TEXT
        rec["file"], rec["row"] = file.name, int(line)
        records.append(rec)
    if not records:
        raise UcjInputError.one("the file has a header but no candidate rows", file=str(file), row=grid.line_numbers[0])
    columns = [*COLUMNS, "nik_stored", "file"]
    out = pd.DataFrame({c: pd.Series([r[c] for r in records], dtype=object) for c in columns})
    out["row"] = pd.Series([r["row"] for r in records], dtype="int64")
    return out  # blank cells stay None (object columns), never NaN


# The template's headers as a village head writes them, and a worked example (made-up people: the NIKs
# follow the structure, 71.02 = Kabupaten Minahasa, but belong to no one).
TEMPLATE_HEADERS = ("NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Desa", "Kecamatan", "Pekerjaan",
                    "Sumber Dana", "Mulai")
TEMPLATE_EXAMPLE = (
    ("7102014507900001", "Contoh Satu", "1990-07-05", "P", "Tounelet", "Kakas", "petani", "APBD", "2026-01"),
    ("7102011203850002", "Contoh Dua", "1985-03-12", "L", "Tounelet", "Langowan Barat", "pemanjat kelapa", "APBD",
     "2026-01"),
)
TEMPLATE_NOTES = (
    ("NIK", "16 digits, as text (format the column as Text before typing; a number loses its last digits)"),
    ("Nama", "full name as on the ID card"),
    ("Tanggal Lahir", "optional; YYYY-MM-DD or DD-MM-YYYY (checked against the NIK)"),
    ("Jenis Kelamin", "optional; L or P (checked against the NIK: day + 40 for women)"),
    ("Desa", "desa or kelurahan name as Kemendagri writes it"),
    ("Kecamatan", "optional; needed when the village name exists in two kecamatan"),
    ("Pekerjaan", "occupation group, e.g. petani, nelayan, pemanjat kelapa, pekerja desa"),
    ("Sumber Dana", "APBD, APBDes, CSR or mandiri"),
    ("Mulai", "start month YYYY-MM"),
)


def write_template(out_dir: str | Path) -> list[Path]:
    """The candidate-list template: an empty CSV, a worked example CSV, and an XLSX whose NIK column is
    formatted as text, with the example and a sheet explaining each column. Each file whole or not at all."""
    from openpyxl import Workbook

    from ucj.core.files import atomic_path

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UcjInputError.one("--out must be a folder, not a file", file=str(out))
    written = []
    empty = pd.DataFrame(columns=list(TEMPLATE_HEADERS))
    example = pd.DataFrame(list(TEMPLATE_EXAMPLE), columns=list(TEMPLATE_HEADERS))
    for name, frame in (("participants_template.csv", empty), ("participants_example.csv", example)):
        with atomic_path(out / name) as tmp:
            frame.to_csv(tmp, index=False)
        written.append(out / name)
    wb = Workbook()
    ws = wb.active
    ws.title = "calon"
    ws.append(list(TEMPLATE_HEADERS))
    for row in TEMPLATE_EXAMPLE:
        ws.append(list(row))
    for r in range(2, 1002):  # the NIK column stays text when typed into
        ws.cell(r, 1).number_format = "@"
    ws.column_dimensions["A"].width = 20
    notes = wb.create_sheet("petunjuk")
    notes.append(["kolom", "isi / what to write"])
    for row in TEMPLATE_NOTES:
        notes.append(list(row))
    with atomic_path(out / "participants_template.xlsx") as tmp:
        wb.save(tmp)
    written.append(out / "participants_template.xlsx")
    return written
