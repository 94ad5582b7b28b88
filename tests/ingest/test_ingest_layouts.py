"""Real BPS layouts: the real files in ../shared/data/raw, re-laid out as BPS exports them (one or
many years, CSV or XLSX, national row, footnote marks, missing marks, the 34-province grouping of
older years), must import to the same values as the original files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import LONG_CSV, MAPPINGS, P0_CSV, POOR_CSV, REPO, TPT_XLSX, WEBAPI_JSON
from ucj.core.errors import UcjInputError
from ucj.data.registry import load_registry
from ucj.ingest.bps import import_bps_table, import_bps_webapi
from ucj.ingest.mapped import Mapping, import_mapped

pytestmark = pytest.mark.slow  # seconds a test: make test only

KEY = ["district_code", "year"]
P0_TITLE = "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen)"
POOR_TITLE = "Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota"
# the 2022 split, undone: where a district sat in the 34-province tables of 2021 and before
OLD_PROVINCE = {"PAPUA SELATAN": "PAPUA", "PAPUA TENGAH": "PAPUA", "PAPUA PEGUNUNGAN": "PAPUA",
                "PAPUA BARAT DAYA": "PAPUA BARAT"}
KALTARA = {"Malinau", "Bulungan", "Tana Tidung", "Nunukan", "Kota Tarakan"}


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def visdati(path: Path) -> tuple[str, list[int], list[tuple[str, str | None, list[str]]]]:
    """(title, years, [(label, province header, cells)]) of a visdati export, read with csv only."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    title, years = lines[0][1], [int(y) for y in lines[1][1:]]
    rows, province = [], None
    for line in lines[2:]:
        if not line[0]:
            break
        if line[0] == line[0].upper():
            province = line[0]
        rows.append((line[0], province, line[1:]))
    return title, years, rows


def bps_grid(title: str, years: list[int], rows: list[tuple[str, list[object]]], *, single: bool,
             national: list[object] | None = None) -> list[list[object]]:
    """Lay rows out as BPS does: multi-year (title line, years line) or single-year (row label, title,
    year), optional national row, then the blank line and the note."""
    width = len(years) + 1
    if single:
        head = [["Provinsi/Kabupaten/Kota"] + [None] * len(years), [None, title] + [None] * (len(years) - 1),
                [None] + years]
    else:
        head = [["Provinsi/Kabupaten/Kota", title] + [None] * (len(years) - 1), [None] + years]
    body = ([["INDONESIA"] + national] if national is not None else []) + [[label] + cells for label, cells in rows]
    return head + body + [[None] * width, ["Catatan", "Sumber: BPS, Susenas Maret"] + [None] * (width - 2)]


def write_csv(path: Path, grid: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([["" if c is None else c for c in r] for r in grid])
    return path


def write_xlsx(path: Path, grid: list[list[object]], merge_title: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in grid:
        ws.append(r)
    if merge_title:  # as BPS's XLSX export does: the title over all year columns
        ws.merge_cells(start_row=1, start_column=2, end_row=1, end_column=len(grid[0]))
    wb.save(path)
    return path


def number(cell: str) -> object:
    """A cell as Excel holds it: a number where it is one, else the text ('-')."""
    try:
        return float(cell)
    except ValueError:
        return cell


@pytest.fixture(scope="module")
def p0_ref(raw):
    return import_bps_table(P0_CSV).frame.set_index(KEY).sort_index()


@pytest.fixture(scope="module")
def poor_ref(raw):
    return import_bps_table(POOR_CSV).frame.set_index(KEY).sort_index()


def _same(frame: pd.DataFrame, ref: pd.DataFrame, column: str) -> None:
    got = frame.set_index(KEY)[column].sort_index()
    pd.testing.assert_series_equal(got, ref[column].reindex(got.index), check_names=False)


def test_single_year_csv_with_three_header_lines(p0_ref, tmp_path):
    title, years, rows = visdati(P0_CSV)
    j = years.index(2021)
    grid = bps_grid(title, [2021], [(label, [cells[j]]) for label, _, cells in rows], single=True)
    r = import_bps_table(write_csv(tmp_path / "p0_2021.csv", grid))
    assert r.unmatched.empty and r.frame["district_code"].nunique() == 514 and set(r.frame["year"]) == {2021}
    _same(r.frame, p0_ref, "p0")
    assert r.frame.set_index(KEY).loc[("75.02", 2021), "p0"] == 19.00  # Boalemo, BPS


def test_single_year_xlsx_with_national_row_footnotes_and_missing_marks(poor_ref, tmp_path):
    title, years, rows = visdati(POOR_CSV)
    j = years.index(2015)
    marked = []
    for label, _, cells in rows:
        cell: object = number(cells[j])
        if cell == "-":
            cell = "…"
        if label == "Nduga":  # BPS marks Nduga 2015 (the 2014 figure) with a note
            label, cell = "Nduga*)", f"{cells[j]}*"
        if label == "Kota Baru":
            label = "Kota Baru\u00b9"
        marked.append((label, [cell]))
    grid = bps_grid(title, [2015], marked, single=True, national=[28513.57])
    r = import_bps_table(write_xlsx(tmp_path / "poor_2015.xlsx", grid))
    assert r.unmatched.empty and r.frame["district_code"].nunique() == 514
    _same(r.frame, poor_ref, "poor_population")
    assert r.frame["poor_population"].isna().sum() == 3  # the three districts created in 2014
    assert r.frame.set_index(KEY).loc[("63.02", 2015), "poor_population"] > 0  # Kotabaru, footnoted


def test_a_csv_saved_by_indonesian_excel(p0_ref, tmp_path):
    """';' between cells and ',' as the decimal mark, as Excel in an Indonesian locale saves CSV."""
    title, years, rows = visdati(P0_CSV)
    grid = bps_grid(title, years, [(label, [c.replace(".", ",") for c in cells]) for label, _, cells in rows],
                    single=False)
    path = tmp_path / "p0_id.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows([["" if c is None else c for c in r] for r in grid])
    r = import_bps_table(path)
    assert r.frame["district_code"].nunique() == 514
    _same(r.frame, p0_ref, "p0")


def test_multi_year_xlsx_with_na_marks(p0_ref, tmp_path):
    title, years, rows = visdati(P0_CSV)
    laid = [(label, [("NA" if c == "-" else number(c)) for c in cells]) for label, _, cells in rows]
    r = import_bps_table(write_xlsx(tmp_path / "p0.xlsx", bps_grid(title, years, laid, single=False), merge_title=True))
    assert len(r.frame) == 514 * len(years)
    _same(r.frame, p0_ref, "p0")


def _old_grouping(rows, j: int, year: int, kaltara_under_kaltim: bool = False):
    """The rows of one year as a table of that year lists them: 34 provinces, Papua not split."""
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    for label, prov, cells in rows:
        if label == prov:
            continue
        old = OLD_PROVINCE.get(prov, prov)
        if kaltara_under_kaltim and prov == "KALIMANTAN UTARA":
            old = "KALIMANTAN TIMUR"
        groups.setdefault(old, []).append((label, [cells[j]]))
    out = []
    for prov, members in groups.items():
        out.append((prov, ["-"]))
        out += members
    return out


def test_a_2021_table_in_the_34_province_grouping_resolves_all_514(p0_ref, tmp_path):
    title, years, rows = visdati(P0_CSV)
    laid = _old_grouping(rows, years.index(2021), 2021)
    assert sum(1 for label, _ in laid if label == label.upper()) == 34
    r = import_bps_table(write_csv(tmp_path / "p0_2021_34.csv", bps_grid(title, [2021], laid, single=True)))
    assert r.unmatched.empty and r.frame["district_code"].nunique() == 514
    _same(r.frame, p0_ref, "p0")
    assert r.frame.set_index(KEY).loc[("94.04", 2021), "p0"] > 0  # Mimika, listed under PAPUA


def test_a_2010_table_lists_kalimantan_utara_under_kalimantan_timur(p0_ref, tmp_path):
    title, years, rows = visdati(P0_CSV)
    laid = _old_grouping(rows, years.index(2010), 2010, kaltara_under_kaltim=True)
    r = import_bps_table(write_csv(tmp_path / "p0_2010.csv", bps_grid(title, [2010], laid, single=True)),
                         allow_unmatched=False)
    codes = r.frame.set_index("district_code")
    assert {c for c in codes.index if c.startswith("65.")} == {"65.01", "65.02", "65.03", "65.04", "65.71"}
    _same(r.frame, p0_ref, "p0")


def test_province_history_is_year_aware(reg):
    assert reg.resolve("Mimika", province="PAPUA", year=2021) == "94.04"
    assert reg.resolve("Kota Tarakan", province="KALIMANTAN TIMUR", year=2010) == "65.71"
    with pytest.raises(UcjInputError, match=r"no such district in Papua in 2024; found elsewhere: "
                                            r"Kabupaten Mimika, Papua Tengah \[94.04\]"):
        reg.resolve("Mimika", province="PAPUA", year=2024)


def test_a_mapped_2021_file_with_a_province_column_resolves_all_514(p0_ref, tmp_path):
    title, years, rows = visdati(P0_CSV)
    j = years.index(2021)
    path = tmp_path / "p0_2021_long.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["tahun", "provinsi", "kabupaten_kota", "p0"])
        for label, prov, cells in rows:
            if label != prov:
                w.writerow([2021, OLD_PROVINCE.get(prov, prov).title(), label, cells[j]])
    mapping = Mapping(table="poverty", district="kabupaten_kota", province="provinsi", year="tahun",
                      columns={"p0": "p0"}, bare_kind="Kabupaten")
    r = import_mapped(path, mapping)
    assert r.unmatched.empty and r.frame["district_code"].nunique() == 514
    _same(r.frame, p0_ref, "p0")


def test_indicator_is_recognised_from_the_title_p1_p2(raw, tmp_path):
    long = import_mapped(LONG_CSV, Mapping.from_file(MAPPINGS / "bps_kemiskinan_long.json")).frame
    src = list(csv.DictReader(LONG_CSV.open(encoding="utf-8")))
    for column, title, field in (
        ("p1", "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota", "Indeks Kedalaman Kemiskinan (P1)"),
        ("p2", "Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota", "Indeks Keparahan Kemiskinan (P2)"),
    ):
        laid, province = [], None
        for rec in (x for x in src if x["tahun"] == "2025"):
            if rec["nama_prov"] != province:
                province = rec["nama_prov"]
                laid.append((province.upper(), ["-"]))
            laid.append((rec["nama_kab"], [rec[field]]))
        grid = bps_grid(title, [2025], laid, single=True)
        r = import_bps_table(write_csv(tmp_path / f"{column}.csv", grid))
        assert r.table == "poverty" and r.unmatched.empty
        _same(r.frame, long[long["year"] == 2025].set_index(KEY), column)


def test_indicator_is_recognised_from_the_title_poverty_line(raw, tmp_path):
    api = import_bps_webapi(WEBAPI_JSON).frame
    doc = json.loads(WEBAPI_JSON.read_text(encoding="utf-8"))
    laid = []
    for region in doc["vervar"]:
        key = f"{region['val']}624{doc['turvar'][0]['val']}{doc['tahun'][0]['val']}{doc['turtahun'][0]['val']}"
        label = region["label"].replace("<b>", "").replace("</b>", "")
        laid.append((label, [doc["datacontent"].get(key, "-")]))
    grid = bps_grid("Garis Kemiskinan (Rupiah/Kapita/Bulan) Menurut Kabupaten/Kota", [2025], laid, single=True)
    r = import_bps_table(write_xlsx(tmp_path / "gk.xlsx", grid))
    assert r.unmatched.empty and r.frame["district_code"].nunique() == 514
    _same(r.frame, api.set_index(KEY), "poverty_line_rp")


def test_indicator_is_recognised_from_the_title_tpt_tpak(raw, tmp_path):
    ref = import_mapped(TPT_XLSX, Mapping.from_file(MAPPINGS / "sakernas_tpt_tpak_wide.json")).frame
    ws = openpyxl.load_workbook(TPT_XLSX, data_only=True)["Populasi"]
    sheet = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in sheet[0]]
    for name, title in (("TPT", "Tingkat Pengangguran Terbuka (TPT) Menurut Kabupaten/Kota (Persen)"),
                        ("TPAK", "Tingkat Partisipasi Angkatan Kerja (TPAK) Menurut Kabupaten/Kota (Persen)")):
        cols = [(j, int(h.split("_")[1])) for j, h in enumerate(header) if h.startswith(name + "_")]
        laid, province = [], None
        for rec in sheet[1:]:
            if rec[0] is None:
                continue
            if rec[0] != province:
                province = rec[0]
                laid.append((str(province).upper(), ["-"] * len(cols)))
            laid.append((rec[1], [("-" if rec[j] in (None, "") else rec[j]) for j, _ in cols]))
        r = import_bps_table(write_xlsx(tmp_path / f"{name}.xlsx", bps_grid(title, [y for _, y in cols], laid,
                                                                             single=False)))
        assert r.table == "indicators" and set(r.frame["indicator"]) == {name.lower()}
        got = r.frame.set_index(KEY)["value"].sort_index()
        want = ref[ref["indicator"] == name.lower()].set_index(KEY)["value"].reindex(got.index)
        pd.testing.assert_series_equal(got, want, check_names=False)


def test_a_cross_section_without_a_year_line_takes_year(p0_ref, tmp_path):
    title, years, rows = visdati(P0_CSV)
    j = years.index(2023)
    grid = [["Kabupaten/Kota", title]] + [[label, cells[j]] for label, _, cells in rows]
    path = write_csv(tmp_path / "p0_cross.csv", grid)
    with pytest.raises(UcjInputError, match="give --year YYYY"):
        import_bps_table(path)
    r = import_bps_table(path, year=2023)
    assert set(r.frame["year"]) == {2023} and r.frame["district_code"].nunique() == 514
    _same(r.frame, p0_ref, "p0")


def test_year_picks_one_column_of_a_multi_year_table(p0_ref):
    r = import_bps_table(P0_CSV, year=2019)
    assert set(r.frame["year"]) == {2019} and len(r.frame) == 514


def test_an_unknown_title_asks_for_the_indicator(tmp_path):
    title, years, rows = visdati(P0_CSV)
    grid = bps_grid("Angka Harapan Hidup Menurut Kabupaten/Kota", [2021],
                    [(label, [cells[years.index(2021)]]) for label, _, cells in rows], single=True)
    path = write_csv(tmp_path / "ahh.csv", grid)
    with pytest.raises(UcjInputError, match="indicator not recognised from the title 'Angka Harapan Hidup"):
        import_bps_table(path)
    r = import_bps_table(path, indicator="ahh")
    assert r.table == "indicators" and set(r.frame["indicator"]) == {"ahh"}


def test_a_long_table_given_to_bps_table_gets_a_hint(raw, monkeypatch):
    monkeypatch.chdir(REPO)
    with pytest.raises(UcjInputError) as err:
        import_bps_table(LONG_CSV)
    assert len(err.value.problems) == 1
    msg = str(err.value)
    assert "this is a long table (one row per district and year; columns: tahun, kode_kab" in msg
    assert "ucj import mapped FILE --mapping data/mappings/bps_kemiskinan_long.json" in msg
