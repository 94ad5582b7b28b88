"""Extract the real BPS district poverty figures the demo uses into data/published/.

    python -m ucj.ingest.published_extract ../shared/data/raw data/published data/mappings/bps_kemiskinan_long.json

Reads the two BPS visdati tables (P0 and number of poor, 2004-2025, names only) with the BPS
importer and the muhlis000 long table (P0, P1, P2 and poor, 2024-2025, Kemendagri codes) with its
mapping, checks that they agree exactly where they overlap, and writes one row per district and
year 2019-2025 to `bps_poverty_kabkota.csv` with the attribution beside it
(`bps_poverty_kabkota.md`). Values are copied unchanged; nothing is estimated. The raw files
themselves are never copied. tests/ingest/test_published_extract.py re-derives every value from the raw
files without ucj.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ucj.core.errors import UcjInputError
from ucj.core.files import write_text
from ucj.ingest.bps import import_bps_table
from ucj.ingest.mapped import Mapping, import_mapped

YEARS = range(2019, 2026)
FILE = "bps_poverty_kabkota.csv"
P0_FILE = Path("bps_visdati") / "Persentase Penduduk Miskin (P0) Menurut KabupatenKota.csv"
POOR_FILE = Path("bps_visdati") / "Jumlah Penduduk Miskin (Ribu Jiwa) Menurut KabupatenKota.csv"
LONG_FILE = Path("bps_muhlis000") / "kemiskinan_kabkota_2024_2025.csv"
SRC_VISDATI = "bps:visdati@2e55fd5"
SRC_BOTH = "bps:visdati@2e55fd5+muhlis000@1e26fdb"
COLUMNS = ["district_code", "year", "p0", "poor_population_thousands", "p1", "p2", "source"]
ATTRIBUTION = f"""# bps_poverty_kabkota.csv: real BPS poverty figures by kabupaten/kota, 2019-2025

Written by `python -m ucj.ingest.published_extract <raw> data/published`; checked against the raw files
by tests/ingest/test_published_extract.py. Unlike seed_facts.csv (figures used as checks), these figures are
**data**: the demo dataset uses them as its poverty table and to size its districts (population = poor / P0).

Poverty headcount (P0, %), number of poor (thousands), poverty depth (P1) and severity (P2) indices by
kabupaten/kota, March Susenas 2019-2025. Source: Badan Pusat Statistik (BPS), dynamic tables
"Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota" (var 621) and "Jumlah Penduduk Miskin
(Ribu Jiwa) Menurut Kabupaten/Kota" (var 619), via github.com/muhammadludviarg/visdati (commit 2e55fd5);
P1/P2 2024-2025 via github.com/muhlis000/visdat-welfare-indonesia (commit 1e26fdb). Districts matched to
Kemendagri codes by province and name. Values are unchanged; 2019-2023 district figures are in BPS's
current (back-cast, 38-province) presentation. Neither repository states a licence; the data are BPS
official statistics.

Columns: {", ".join(COLUMNS)}. `source` per row: `{SRC_VISDATI}` (2019-2023, P1/P2 empty) or
`{SRC_BOTH}` (2024-2025; the two sources agree exactly on P0 and the number of poor).

Known features kept as published: Kota Tarakan (65.71) 2025 P1 = 0.038 and P2 = 0.000 (every other
district has P1/P0 between 0.04 and 0.34); implied population has a level break in 2021 (SP2020 weights).
"""


def extract(raw: str | Path, mapping_file: str | Path) -> pd.DataFrame:
    """The published table from the raw folder (../shared/data/raw) and the long table's mapping
    (data/mappings/bps_kemiskinan_long.json), checked for agreement and completeness."""
    raw = Path(raw)
    mapping = Mapping.from_file(mapping_file)
    p0 = import_bps_table(raw / P0_FILE).frame[["district_code", "year", "p0"]]
    poor = import_bps_table(raw / POOR_FILE).frame[["district_code", "year", "poor_population"]]
    long = import_mapped(raw / LONG_FILE, mapping).frame[["district_code", "year", "p0", "p1", "p2",
                                                           "poor_population"]]
    df = p0.merge(poor, on=["district_code", "year"], validate="1:1")
    df = df[df["year"].isin(YEARS)].copy()
    df["poor_population_thousands"] = (df.pop("poor_population") / 1000).round(2)
    both = df.merge(long, on=["district_code", "year"], suffixes=("", "_long"), validate="1:1")
    if len(both) != len(long) or not (both["p0"] == both["p0_long"]).all() or not (
            (both["poor_population"] / 1000).round(2) == both["poor_population_thousands"]).all():
        raise UcjInputError.one("the visdati and muhlis000 poverty tables disagree for 2024-2025", file=str(LONG_FILE))
    df = df.merge(long[["district_code", "year", "p1", "p2"]], on=["district_code", "year"], how="left")
    df["source"] = df["p1"].notna().map({True: SRC_BOTH, False: SRC_VISDATI})
    df = df[COLUMNS].sort_values(["district_code", "year"]).reset_index(drop=True)
    if df[["p0", "poor_population_thousands"]].isna().any().any():
        raise UcjInputError.one("P0 or the number of poor is missing for some district-year 2019-2025")
    return df


def write(raw: str | Path, out_dir: str | Path, mapping_file: str | Path) -> Path:
    """Write the CSV and its attribution (each whole or not at all)."""
    out = Path(out_dir)
    df = extract(raw, mapping_file)
    path = out / FILE
    write_text(path, df.to_csv(index=False, lineterminator="\n"))
    write_text(out / FILE.replace(".csv", ".md"), ATTRIBUTION)
    return path


PROVINCE_FILE = "bps_poverty_province.csv"
PROVINCE_COLUMNS = ["province_code", "year", "p0", "source"]
PROVINCE_ATTRIBUTION = f"""# bps_poverty_province.csv: BPS's published province poverty rows, 2019-2025

Written by `python -m ucj.ingest.published_extract <raw> data/published <mapping>` beside
bps_poverty_kabkota.csv; checked against the raw file by tests/presentation/test_pages_one_story.py.

The province rows (upper-case names) of BPS's dynamic table "Persentase Penduduk Miskin (P0) Menurut
Kabupaten/Kota" (var 621), via github.com/muhammadludviarg/visdati (commit 2e55fd5), matched to
Kemendagri province codes by name. Values are unchanged; a year BPS leaves empty ("-") has no row.

Each row is on the boundaries of its year: Papua's rows for 2019-2023 cover the province before its 2022
split (today's Papua, Papua Selatan, Papua Tengah and Papua Pegunungan), Papua Barat's before Papua Barat
Daya was formed. Reports show these rows as BPS published them, beside the aggregate rebuilt from today's
districts, and say which is which.

Columns: {", ".join(PROVINCE_COLUMNS)}; `source` is `{SRC_VISDATI}`.
"""


def extract_provinces(raw: str | Path, registry: object | None = None) -> pd.DataFrame:
    """BPS's own province rows of the P0 table, 2019-2025 (upper-case names in the raw file), with
    Kemendagri province codes; years BPS leaves empty are left out."""
    from ucj.data.registry import load_registry

    reg = registry or load_registry()
    table = pd.read_csv(Path(raw) / P0_FILE, skiprows=1, dtype=str)
    names = table.iloc[:, 0].astype(str).str.strip()
    rows = table[(names == names.str.upper()) & names.str.contains(r"[A-Z]", regex=True)]
    out = []
    for _, r in rows.iterrows():
        code = reg.resolve_province(str(r.iloc[0]).strip())  # type: ignore[attr-defined]
        for year in YEARS:
            v = str(r.get(str(year), "")).strip()
            if v and v != "-":
                out.append({"province_code": code, "year": year, "p0": float(v), "source": SRC_VISDATI})
    return pd.DataFrame(out, columns=PROVINCE_COLUMNS).sort_values(["province_code", "year"]).reset_index(drop=True)


def write_provinces(raw: str | Path, out_dir: str | Path) -> Path:
    """Write the province rows and their attribution (each whole or not at all)."""
    out = Path(out_dir)
    path = out / PROVINCE_FILE
    write_text(path, extract_provinces(raw).to_csv(index=False, lineterminator="\n"))
    write_text(out / PROVINCE_FILE.replace(".csv", ".md"), PROVINCE_ATTRIBUTION)
    return path


if __name__ == "__main__":  # <raw> <out> <mapping>: the district table and the province rows
    print(write(sys.argv[1], sys.argv[2], sys.argv[3]))
    print(write_provinces(sys.argv[1], sys.argv[2]))
    print(write(sys.argv[1], sys.argv[2], sys.argv[3]))
