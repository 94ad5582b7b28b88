"""A synthetic candidate list for Kabupaten Minahasa, with the faults real lists have.

Village heads send spreadsheets; this one is made up (every person, NIK and name is invented) and
marked so inside the workbook (its keywords say SYNTHETIC_KEYWORD, which `ucj participants check`
reads and shows as the synthetic banner). Faults planted, each on a few rows: a NIK in scientific
notation or stored as a number, a NIK with 15 digits, an impossible birth date in a NIK, the same
person twice, two people with one NIK, one person under two NIKs, a village of another district
(Tomohon), a village name found in two kecamatan without the kecamatan, a misspelt village, a child
under the age rule and an unknown funding source.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

SYNTHETIC_KEYWORD = "ucj-synthetic-demo"
DISTRICT = "71.02"
FILE = "participants_minahasa.xlsx"
FIRST = ("Maria", "Johan", "Stevi", "Ferdy", "Meiske", "Yohanis", "Novita", "Jemmy", "Olvie", "Recky", "Deisy",
         "Hendrik", "Vonny", "Arie", "Lenny", "Frangky", "Sisca", "Denny", "Femmy", "Rolly")
LAST = ("Rumengan", "Tumbelaka", "Wenas", "Kalangi", "Lumi", "Sondakh", "Pangemanan", "Tangkilisan", "Mandagi",
        "Rondonuwu", "Lengkong", "Supit", "Runtuwene", "Kaunang", "Mamesah", "Warouw", "Pesik", "Lasut")
OCCUPATIONS = ("petani", "pemanjat kelapa", "nelayan", "pekerja desa", "pedagang kecil", "buruh harian",
               "kelompok tani")
FUNDING = ("APBD",) * 8 + ("APBDes", "CSR")


def _nik(rng: np.random.Generator, kecamatan: str, born: dt.date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def candidate_rows(seed: int = 20251209) -> list[list[object]]:
    """The list's rows (header first), deterministic for a seed."""
    from ucj.data.villages import load_villages

    rng = np.random.default_rng(seed)
    villages = [v for v in load_villages().in_district(DISTRICT) if v.kind == "desa"]
    twice = {(v.name, v.kecamatan_code) for v in villages
             if sum((w.name, w.kecamatan_code) == (v.name, v.kecamatan_code) for w in villages) > 1}
    rows: list[list[object]] = [["NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Desa", "Kecamatan", "Pekerjaan",
                                 "Sumber Dana", "Mulai"]]
    serial = 1
    for v in villages:
        for _ in range(int(rng.integers(70, 131))):
            born = dt.date(int(rng.integers(1962, 2008)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
            female = bool(rng.random() < 0.45)
            name = (f"{FIRST[int(rng.integers(len(FIRST)))]} {FIRST[int(rng.integers(len(FIRST)))]} "
                    f"{LAST[int(rng.integers(len(LAST)))]}")
            rows.append([_nik(rng, v.kecamatan_code, born, female, serial), name, born.isoformat(),
                         "P" if female else "L",
                         v.code if (v.name, v.kecamatan_code) in twice else v.name,  # the list names it twice
                         v.kecamatan, OCCUPATIONS[int(rng.integers(len(OCCUPATIONS)))],
                         FUNDING[int(rng.integers(len(FUNDING)))], "2026-01"])
            serial = serial % 9999 + 1
    body = rows[1:]
    picks = rng.choice(len(body), size=60, replace=False)
    faults = iter(int(i) for i in picks)
    for _ in range(4):  # scientific notation, as a CSV saved from Excel shows it
        r = body[next(faults)]
        r[0] = f"{float(r[0]):.5E}".replace("E+", "E+")
    for _ in range(4):  # stored as a number: Excel keeps 15 significant digits
        r = body[next(faults)]
        r[0] = float(f"{float(r[0]):.15g}")
    for _ in range(3):  # a digit lost
        r = body[next(faults)]
        r[0] = str(r[0])[:-1]
    for _ in range(2):  # an impossible birth date (day 32)
        r = body[next(faults)]
        r[0] = f"{str(r[0])[:6]}32{str(r[0])[8:]}"
    for _ in range(3):  # the same person listed again
        body.append(list(body[next(faults)]))
    for _ in range(2):  # another person under an existing NIK
        r = list(body[next(faults)])
        r[1] = f"{FIRST[int(rng.integers(len(FIRST)))]} Lain"
        body.append(r)
    for _ in range(2):  # one person under two NIKs
        r = list(body[next(faults)])
        r[0] = str(r[0])[:-4] + f"{(int(str(r[0])[-4:]) + 5000) % 9999 + 1:04d}"
        body.append(r)
    for village, kecamatan in (("Kakaskasen", ""), ("Tounelet", ""), ("Tounelett", "Kakas")):
        r = body[next(faults)]  # Tomohon's village; a name in two kecamatan; a misspelling
        r[4], r[5] = village, kecamatan
    for _ in range(2):  # a child
        r = body[next(faults)]
        born = dt.date(2014, 3, 9)
        r[0] = _nik(rng, str(r[0])[:6][:2] + "." + str(r[0])[2:4] + "." + str(r[0])[4:6], born, False, 77)
        r[2], r[3] = born.isoformat(), "L"
    body[next(faults)][7] = "Dana Kampung"
    return [rows[0], *body]


def write_candidates(out_dir: str | Path, seed: int = 20251209) -> Path:
    """The synthetic list as an XLSX (NIK cells as text except the planted numbers), marked synthetic."""
    from openpyxl import Workbook

    from ucj.core.files import atomic_path

    wb = Workbook(write_only=True)  # streamed: a third of the time of a workbook held in memory
    ws = wb.create_sheet("calon")
    for row in candidate_rows(seed):
        ws.append(row)
    wb.properties.keywords = SYNTHETIC_KEYWORD
    wb.properties.title = "DATA SINTETIS / SYNTHETIC: calon peserta Kabupaten Minahasa (ucj demo)"
    wb.properties.creator = "ucj demo"
    wb.properties.created = dt.datetime(2025, 12, 9)
    target = Path(out_dir) / FILE
    with atomic_path(target) as tmp:
        tmp.write_bytes(_fixed_zip(wb))
    return target


def _fixed_zip(wb: object) -> bytes:
    """The workbook's bytes with every zip entry and the modified date fixed at 2025-12-09, so the same
    seed gives the same file (openpyxl stamps both with the time of saving)."""
    import io
    import re
    import zipfile

    raw = io.BytesIO()
    wb.save(raw)  # type: ignore[attr-defined]
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 12, 9, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-12-09T00:00:00Z", data)
            dst.writestr(fixed, data)
    return out.getvalue()
