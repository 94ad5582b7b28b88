"""Re-lay out the real raw files (../shared/data/raw) the way other publishers lay them out: a
provincial BPS office's export, an older BPS table in capitals, an English BPS export, and an
open-data portal's long table. Every value written is a cell of a raw file; `raw_cells` reads those
cells back as the independent expectation."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from conftest import RAW
from ucj.data.registry import KABUPATEN, load_registry

KEMENDAGRI_REGENCIES = RAW / "wilayah_kemendagri_idn_area_data" / "regencies.csv"
BPS_REGENCIES = RAW / "wilayah_bps_edwardsamuel" / "regencies.csv"


def read_bps_csv(path: Path) -> tuple[list[str], list[int], list[list[str]]]:
    """(title line, years, rows of [name, cell, cell, ...]) of a BPS dynamic-table CSV, up to its note."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    title, years = lines[0], [int(y) for y in lines[1][1:] if y.strip()]
    rows = []
    for rec in lines[2:]:
        if not rec or not rec[0].strip():
            continue
        if rec[0].startswith("Catatan"):
            break
        rows.append(rec[: len(years) + 1])
    return title, years, rows


def blocks(rows: list[list[str]]) -> list[tuple[list[str], list[list[str]]]]:
    """[(province row, its district rows)] in file order (province rows are in capitals)."""
    out: list[tuple[list[str], list[list[str]]]] = []
    for rec in rows:
        if rec[0].upper() == rec[0]:
            out.append((rec, []))
        else:
            out[-1][1].append(rec)
    return out


def raw_cells(path: Path) -> dict[tuple[str, int], float]:
    """{(district code, year): value} of every filled district cell of a raw BPS CSV (mixed case, as stored)."""
    reg = load_registry()
    _, years, rows = read_bps_csv(path)
    out = {}
    for prov, districts in blocks(rows):
        province = reg.resolve_province(prov[0])
        for rec in districts:
            code = reg.resolve(rec[0], province=province, bare_kind=KABUPATEN)
            for y, cell in zip(years, rec[1:]):
                if cell.strip() not in ("-", ""):
                    out[(code, y)] = float(cell)
    return out


def provincial_export(src: Path, province: str, out: Path, capitals: bool = False) -> Path:
    """A provincial BPS office's XLSX: one province's districts, the province total in ordinary case as
    the last row, the title merged across the year columns, every value a text cell, a source line."""
    title, years, rows = read_bps_csv(src)
    prov, districts = next(b for b in blocks(rows) if b[0][0] == province.upper())
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.cell(1, 1, "Kabupaten/Kota")
    ws.cell(1, 2, title[1])
    ws.merge_cells(start_row=1, start_column=2, end_row=1, end_column=len(years) + 1)
    for j, y in enumerate(years, start=2):
        ws.cell(2, j, y)
    body = districts + [[province] + prov[1:]]  # the total, in ordinary case, last
    for i, rec in enumerate(body, start=3):
        ws.cell(i, 1, rec[0].upper() if capitals else rec[0])
        for j, cell in enumerate(rec[1:], start=2):
            ws.cell(i, j, cell).number_format = "@"  # stored as text, as the offices' sheets are
    ws.cell(len(body) + 4, 1, f"Sumber: Badan Pusat Statistik Provinsi {province}")
    wb.save(out)
    return out


# Kalimantan Utara split from Kalimantan Timur (first published for 2013); Papua Selatan, Tengah and
# Pegunungan from Papua and Papua Barat Daya from Papua Barat (2023 in ucj's province history).
SPLITS = {"KALIMANTAN UTARA": ("KALIMANTAN TIMUR", 2013), "PAPUA SELATAN": ("PAPUA", 2023),
          "PAPUA TENGAH": ("PAPUA", 2023), "PAPUA PEGUNUNGAN": ("PAPUA", 2023),
          "PAPUA BARAT DAYA": ("PAPUA BARAT", 2023)}


def capitals_table(src: Path, out: Path) -> tuple[Path, list[str]]:
    """An older BPS CSV: every name in capitals, an INDONESIA row, and the districts of each split
    province listed twice: under the old province up to the split year, under the new one from it
    (both rows carry the split year's value, as such tables do). Returns the file and the relisted names."""
    title, years, rows = read_bps_csv(src)
    parts = blocks(rows)
    moved = {new: dist for (p, dist) in parts for new in [p[0]] if new in SPLITS}
    relisted = []
    lines = [[title[0]] + title[1:], [""] + [str(y) for y in years],
             ["INDONESIA"] + ["-"] * len(years)]  # skipped by the importer; its values are not read
    for prov, dist in parts:
        lines.append([prov[0].upper()] + prov[1:])
        for rec in dist:
            lines.append([rec[0].upper()] + [c if prov[0] not in SPLITS or y >= SPLITS[prov[0]][1] else "-"
                                              for y, c in zip(years, rec[1:])])
        for new, (old, split) in SPLITS.items():
            if old == prov[0]:
                for rec in moved[new]:
                    relisted.append(rec[0])
                    lines.append([rec[0].upper()] + [c if y <= split else "-" for y, c in zip(years, rec[1:])])
    lines += [[""] * (len(years) + 1), ["Catatan", "Sumber: Badan Pusat Statistik"]]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(lines)
    return out, relisted


def english_export(src: Path, title: str, out: Path) -> Path:
    """The English BPS export (bps.go.id/en) of a raw table: English title merged over the year columns,
    'Province/Regency/City' as row label, the note in English."""
    _, years, rows = read_bps_csv(src)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(1, 1, "Province/Regency/City")
    ws.cell(1, 2, title)
    ws.merge_cells(start_row=1, start_column=2, end_row=1, end_column=len(years) + 1)
    for j, y in enumerate(years, start=2):
        ws.cell(2, j, y)
    for i, rec in enumerate(rows, start=3):
        ws.cell(i, 1, rec[0])
        for j, cell in enumerate(rec[1:], start=2):
            ws.cell(i, j, float(cell) if cell.strip() not in ("-", "") else "-")
    ws.cell(len(rows) + 4, 1, "Note: Source: BPS-Statistics Indonesia")
    wb.save(out)
    return out


def tpt_cells(xlsx: Path) -> dict[tuple[str, str, int], float]:
    """{(province, kab_kota, year): TPT} of the real Sakernas workbook (sheet Populasi)."""
    ws = openpyxl.load_workbook(xlsx, data_only=True)["Populasi"]
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in rows[0]]
    out = {}
    for rec in rows[1:]:
        for h, v in zip(head, rec):
            if h.startswith("TPT_") and isinstance(v, (int, float)):
                out[(str(rec[0]), str(rec[1]), int(h[4:]))] = float(v)
    return out


def open_data_table(xlsx: Path, province_code: str, out: Path) -> tuple[Path, dict[tuple[str, int], float]]:
    """An open-data portal's long table (Satu Data style) of TPT for one province: id, kode_provinsi,
    nama_provinsi, kode_kabupaten_kota, nama_kabupaten_kota, tingkat_pengangguran_terbuka, satuan, tahun;
    codes and names from the Kemendagri list, names in capitals. Returns it and {(code, year): value}."""
    reg = load_registry()
    with open(KEMENDAGRI_REGENCIES, encoding="utf-8") as fh:
        official = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    rows, expected = [], {}
    for (prov, name, year), value in sorted(tpt_cells(xlsx).items(), key=lambda kv: (kv[0][2], kv[0][1])):
        code = reg.resolve(name, province=prov, bare_kind=KABUPATEN)
        if not code.startswith(province_code + "."):
            continue
        rows.append([province_code, reg.province_name(province_code).upper(), code.replace(".", ""),
                     official[code].upper(), f"{value:g}", "PERSEN", str(year)])
        expected[(code, year)] = value
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota",
                    "tingkat_pengangguran_terbuka", "satuan", "tahun"])
        w.writerows([i] + r for i, r in enumerate(rows, start=1))
    return out, expected


def open_data_table_bps_codes(xlsx: Path, year: int, out: Path) -> tuple[Path, dict[str, float]]:
    """The same open-data layout for all districts, with BPS codes and names from the BPS list (2018):
    the numbering differs from Kemendagri's for about 200 districts. Returns it and {code: value}."""
    reg = load_registry()
    with open(BPS_REGENCIES, encoding="utf-8") as fh:
        by_district = {reg.resolve_bps(code, name): (code, name) for code, _, name in csv.reader(fh)}
    rows, expected = [], {}
    for (prov, name, y), value in tpt_cells(xlsx).items():
        code = reg.resolve(name, province=prov, bare_kind=KABUPATEN)
        if y != year or code not in by_district:
            continue
        bps_code, bps_name = by_district[code]
        rows.append([bps_code[:2], prov, bps_code, bps_name, f"{value:g}", "PERSEN", str(y)])
        expected[code] = value
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota",
                    "tingkat_pengangguran_terbuka", "satuan", "tahun"])
        w.writerows([i] + r for i, r in enumerate(rows, start=1))
    return out, expected
