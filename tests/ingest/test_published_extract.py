"""The real BPS poverty figures in data/published/ against the raw files, re-derived here without ucj
(csv module, the Kemendagri regencies list, five hand-checked renames), so a regression in the
importers or the registry cannot hide behind itself; and the national P0 against BPS's published rates."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from conftest import LONG_CSV, MAPPINGS, P0_CSV, POOR_CSV, RAW, REPO
from ucj.data.published import published_facts

PUBLISHED = REPO / "data" / "published" / "bps_poverty_kabkota.csv"
REGENCIES = RAW / "wilayah_kemendagri_idn_area_data" / "regencies.csv"
PROVINCES = RAW / "wilayah_kemendagri_idn_area_data" / "provinces.csv"
PROVINCE_ALIAS = {"KEP. BANGKA BELITUNG": "19", "DKI JAKARTA": "31", "D I YOGYAKARTA": "34"}
RENAMED = {("12", "Toba Samosir"): "Kabupaten Toba",
           ("71", "Siau Tagulandang Biaro"): "Kabupaten Kepulauan Siau Tagulandang Biaro",
           ("76", "Mamuju Utara"): "Kabupaten Pasangkayu",
           ("81", "Maluku Tenggara Barat"): "Kabupaten Kepulauan Tanimbar",
           ("63", "Kota Baru"): "Kabupaten Kotabaru"}  # a kabupaten, not a city


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("administrasi", ""))


def _kemendagri() -> tuple[dict[str, str], dict[tuple[str, str, str], str]]:
    provinces = {_key(r["name"]): r["code"] for r in csv.DictReader(PROVINCES.open(encoding="utf-8"))}
    districts: dict[tuple[str, str, str], str] = {}
    for r in csv.DictReader(REGENCIES.open(encoding="utf-8")):
        kind, _, bare = r["name"].partition(" ")
        districts[(r["province_code"], kind, _key(bare))] = r["code"]
    return provinces, districts


def _read_visdati(path) -> dict[tuple[str, int], float | None]:
    provinces, districts = _kemendagri()
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[1] == [""] + [str(y) for y in range(2004, 2026)]
    out: dict[tuple[str, int], float | None] = {}
    prov = None
    for row in rows[2:]:
        label = row[0]
        if not label:
            break
        if label == label.upper():
            prov = PROVINCE_ALIAS.get(label) or provinces[_key(label)]
            continue
        name = RENAMED.get((prov, label), label if label.startswith("Kota ") else f"Kabupaten {label}")
        kind, _, bare = name.partition(" ")
        code = districts[(prov, kind, _key(bare))]
        for year, cell in zip(range(2004, 2026), row[1:]):
            out[(code, year)] = None if cell == "-" else float(cell)
    assert len({c for c, _ in out}) == 514
    return out


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED, dtype={"district_code": "str"})


def test_every_published_value_equals_the_raw_files(raw, published):
    p0, poor = _read_visdati(P0_CSV), _read_visdati(POOR_CSV)
    long = pd.read_csv(LONG_CSV, dtype={"kode_kab": "str"})
    long["district_code"] = long["kode_kab"].str[:2] + "." + long["kode_kab"].str[2:]
    long = long.set_index(["district_code", "tahun"])
    assert len(published) == 514 * 7 and published["district_code"].nunique() == 514
    assert sorted(published["year"].unique()) == list(range(2019, 2026))
    for r in published.itertuples():
        assert r.p0 == p0[(r.district_code, r.year)]
        assert r.poor_population_thousands == poor[(r.district_code, r.year)]
        if r.year >= 2024:
            src = long.loc[(r.district_code, r.year)]
            assert (r.p0, r.p1, r.p2) == (src["persen_miskin"], src["Indeks Kedalaman Kemiskinan (P1)"],
                                          src["Indeks Keparahan Kemiskinan (P2)"])
            assert r.poor_population_thousands == src["jumlah_miskin (000)"]
            assert r.source == "bps:visdati@2e55fd5+muhlis000@1e26fdb"
        else:
            assert pd.isna(r.p1) and pd.isna(r.p2) and r.source == "bps:visdati@2e55fd5"


@pytest.mark.parametrize("year,official", [(2019, 9.41), (2020, 9.78), (2021, 10.14), (2022, 9.54), (2023, 9.36),
                                           (2024, 9.03), (2025, 8.47)])
def test_national_ratio_of_sums_is_the_official_rate(published, year, official):
    """BPS's national March rate (domain notes §6) is the ratio of sums over the 514 districts."""
    from ucj.analysis.national import poverty_rate_by_year

    g = published[published["year"] == year]
    poor = g["poor_population_thousands"] * 1000
    by_hand = 100 * poor.sum() / (poor * 100 / g["p0"]).sum()
    assert round(by_hand, 2) == official
    table = published.assign(poor_population=published["poor_population_thousands"] * 1000)
    assert poverty_rate_by_year(table)[year] == pytest.approx(by_hand)
    assert g["p0"].mean() > official + 1.5  # the simple mean would be wrong by about two points


def test_the_seed_districts_published_p0_equal_the_file(published):
    facts = published_facts()
    p0 = facts[(facts["quantity"] == "p0") & facts["district_code"].notna()]
    table = published.set_index(["district_code", "year"])["p0"]
    assert len(p0) == 10
    for r in p0.itertuples():
        assert table[(r.district_code, int(r.date[:4]))] == r.value


def test_the_extractor_writes_the_same_file(raw, tmp_path):
    from ucj.ingest.published_extract import write

    path = write(raw, tmp_path, MAPPINGS / "bps_kemiskinan_long.json")
    assert path.read_bytes() == PUBLISHED.read_bytes()
    assert "Badan Pusat Statistik" in (tmp_path / "bps_poverty_kabkota.md").read_text()
