"""R17-6 by hand (session 14, docs/leftovers.md): a row merged from the demo and imported BPS files names each
source once, with only the columns it still gives, and the page cites BPS once before the titles of its tables.
The real path (imported files, `ucj report`) is tests/runs/test_leftovers14_imported.py."""

from __future__ import annotations

import pandas as pd

from ucj.data.dataset import merge_cells

DEMO_2024 = "BPS P0, P1, P2, poor (bps:long@abc); synthetic-demo: poverty line, extreme poverty"
P0_FILE = "BPS table: Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen) (p0 file.csv)"
POOR_FILE = "BPS table: Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota (poor.csv)"


def _row(source: str, **values: float) -> dict[str, object]:
    cols = ("p0", "p1", "p2", "poor_population", "poverty_line_rp", "extreme_poverty_pct")
    return {"district_code": "75.02", "year": 2024, **{c: values.get(c) for c in cols},
            "extreme_poverty_basis": None, "source": source}


def _merged(old: list[dict[str, object]], *new: list[dict[str, object]]) -> pd.DataFrame:
    df, prov = pd.DataFrame(old), None
    for rows in new:
        df, prov = merge_cells(df, pd.DataFrame(rows), "poverty", prov, None)
    return df


def test_a_merged_row_names_the_demo_table_for_the_columns_it_still_gives():
    """The demo's 2024 row gives P0, P1, P2, the poor, a made-up poverty line; the P0 and poor files imported over
    it give P0 and the poor: the row is real (the made-up cells go, issue 18), P1 and P2 stay the demo's BPS
    table's, and that table is named for P1 and P2 only (it was named for P0 and the poor too)."""
    demo = _row(DEMO_2024, p0=17.83, p1=3.75, p2=1.12, poor_population=25.3, poverty_line_rp=500000.0,
                extreme_poverty_pct=1.0)
    out = _merged([demo], [_row(P0_FILE, p0=17.83)], [_row(POOR_FILE, poor_population=25.31)])
    assert out.loc[0, "source"] == f"{P0_FILE}; BPS P1, P2 (bps:long@abc); {POOR_FILE}"
    assert (out.loc[0, "p1"], out.loc[0, "p2"], out.loc[0, "poor_population"]) == (3.75, 1.12, 25.31)
    assert pd.isna(out.loc[0, "poverty_line_rp"])  # a made-up cell never kept beside real ones


def test_a_row_of_one_source_keeps_its_source_whole():
    """Nothing merged into a row: its source as the file gave it, columns and all (the demo's pages unchanged)."""
    demo = _row(DEMO_2024, p0=17.83, p1=3.75, p2=1.12, poor_population=25.3, poverty_line_rp=500000.0)
    other = {**_row(DEMO_2024, p0=16.4), "year": 2025}
    out = _merged([demo], [other | {"district_code": "75.01"}])
    assert out.loc[out["district_code"] == "75.02", "source"].tolist() == [DEMO_2024]


def test_bps_is_named_once_before_its_tables():
    from ucj.presentation.tables import cite_bps_once

    cell = cite_bps_once(f"{P0_FILE}; BPS P1, P2 (bps:long@abc); {POOR_FILE}", "en")
    assert cell == ("BPS, Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen); Indeks Kedalaman "
                    "Kemiskinan (P1) Menurut Kabupaten/Kota; Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota; "
                    "Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota")
    # another source between BPS's tables: BPS named again after it
    mixed = cite_bps_once(f"{P0_FILE}; synthetic-demo: P1; {POOR_FILE}", "en")
    assert mixed == ("BPS, Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen); synthetic demo data "
                     "(ucj demo): P1; BPS, Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota")
