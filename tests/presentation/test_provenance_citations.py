"""Issue 18, reader 3's findings 3, 4, 5, 11 and 12: every source citable, synthetic data labelled synthetic
exactly where it shows, real figures with their real source. Oracles are independent of the code under test:
the seed article files' text, the project's domain notes, SOURCES.md and the raw BPS files in ../shared."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from ucj.presentation import district as district_report
from ucj.presentation.i18n import t
from ucj.runs.params import validate_params

SHARED = Path(__file__).resolve().parents[3] / "shared"
INTERNAL = ("seed 0", "domain.md", "§", "domain notes", "catatan domain", "synthetic-demo")
MINAHASA, BOALEMO, MUNA_BARAT = "71.02", "75.02", "74.13"


def _seed(prefix: str) -> str:
    return next((SHARED / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reports(demo_dir, demo_ds):
    cache: dict = {}

    def get(code: str, lang: str, ds=None, dirs=None):
        key = (code, lang, dirs)
        if key not in cache:
            cache[key] = district_report.build(ds or demo_ds, validate_params(
                code, lang=lang, data_dir=dirs or str(demo_dir), registry=(ds or demo_ds).registry))
        return cache[key]
    return get


def _row(report, quantity: str, lang: str) -> pd.Series:
    table = report.published_table()
    return table[table[t("quantity", lang)] == t(quantity, lang)].iloc[0]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rpjmn_default_target_carries_the_rpjmn_not_the_demo(demo_ds, reports, lang):
    """Finding 3: the default target is the real RPJMN figure of the domain notes (43.92 % by 2029, read from
    the notes' text), its 512 rows cite the RPJMN, never the demo; the page's target source names it."""
    notes = (SHARED / "docs" / "domain.md").read_text(encoding="utf-8")
    pct, year = re.search(r"RPJMN [\d.]+ % \(2025\) -> ([\d.]+) % \((\d{4})\)", notes).groups()
    from ucj.data.dataset import source_is_synthetic

    tg = demo_ds.targets
    default = tg[(tg["coverage_target_pct"] == float(pct)) & (tg["target_year"] == int(year))]
    assert len(default) == 512
    assert not any(source_is_synthetic(s, "coverage_target_pct") for s in default["source"])
    r = reports(BOALEMO, lang)
    cited = r.target_source_text()
    assert "Rencana Pembangunan Jangka Menengah Nasional" in cited and "RPJMN" in cited and "2025–2029" in cited
    # its recorded publication (data/published/citations.csv: Kabaran.id, 15 May 2025; citef2), then what is not
    # recorded (the RPJMN text and the percentage's basis)
    assert "Kabaran.id" in cited and t("citation_default_target", lang) in cited
    prov = r.tables["provenance"].set_index("table")
    assert prov.at["targets", "synthetic"] == t("real", lang)
    assert t("synthetic-demo", lang) not in prov.at["targets", "source"]
    # the page's target source only: not the other districts' articles (Banggai's target is Metro Sulteng's)
    assert "Rencana Pembangunan Jangka Menengah Nasional" in prov.at["targets", "source"]
    assert "Metro Sulteng" not in prov.at["targets", "source"] and "ANTARA" not in prov.at["targets", "source"]
    banggai = reports("72.01", lang).tables["provenance"].set_index("table").at["targets", "source"]
    assert "Metro Sulteng" in banggai and "RPJMN" not in banggai
    assert "Rakor Disnakertrans Banggai Targetkan 99,50 Persen" in _seed("001").splitlines()[0]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_minahasa_potensi_is_the_articles_not_synthetic(demo_ds, reports, lang):
    """Finding 3: Minahasa's potensi is the ANTARA article's number (read from the seed file); its cell cites
    the article, while the row's made-up columns stay synthetic; on the page its computed side says it is the
    article's own figure, not a check."""
    from ucj.data.dataset import source_is_synthetic

    potensi = int(re.search(r"dari ([\d.]+) potensi pekerja", _seed("003")).group(1).replace(".", ""))
    w = demo_ds.workforce
    row = w[(w["district_code"] == MINAHASA) & w["potensi_pekerja"].notna()].iloc[0]
    assert int(row["potensi_pekerja"]) == potensi
    assert not source_is_synthetic(row["source"], "potensi_pekerja")
    assert source_is_synthetic(row["source"], "working_population")
    r = reports(MINAHASA, lang)
    cell = _row(r, "potensi_pekerja", lang)
    assert cell[t("difference", lang)] == t("basis_same_source_difference", lang)
    assert "ANTARA Sulut" in r.tables["provenance"].set_index("table").at["workforce", "source"]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("code,quantities", [(MINAHASA, ["covered_workers", "coverage_pct",
                                                         "apbd_vulnerable_workers_sum"]),
                                              (MUNA_BARAT, ["claim_count", "claim_amount_rp"]),
                                              (BOALEMO, ["jkm_benefit_rp"])])
def test_synthetic_computed_side_is_marked_on_its_row(reports, raw, code, quantities, lang):
    """Finding 4: a computed value from the demo (built to equal the article) says so on its own row and never
    reads "consistent"; the same table's P0 rows, from the real BPS file (read here with pandas), do."""
    r = reports(code, lang)
    for q in quantities:
        row = _row(r, q, lang)
        assert row[t("difference", lang)] == t("basis_synthetic_difference", lang), q
        assert row[t("data", lang)].endswith(f"({t('basis_synthetic_short', lang)})"), q
    p0 = pd.read_csv(raw / "bps_visdati" / "Persentase Penduduk Miskin (P0) Menurut KabupatenKota.csv", header=1,
                     dtype=str)
    facts = r.tables["seed_facts"]
    real = facts[facts["quantity"] == "p0"]
    assert len(real)
    name = {MINAHASA: "Minahasa", MUNA_BARAT: "Muna Barat", BOALEMO: "Boalemo"}[code]
    line = p0[p0.iloc[:, 0].astype(str).str.strip() == name].iloc[0]
    for _, f in real.iterrows():
        published = float(line[str(f["figure_period"])[:4]])  # the BPS figure's period, e.g. 2023-03
        assert f["data"] == pytest.approx(published) and f["data_basis"] == "basis_data"
    table = r.published_table()
    p0_rows = table[table[t("quantity", lang)] == t("p0", lang)]
    assert (p0_rows[t("difference", lang)] == t("consistent", lang)).all()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_published_numbers_keep_the_articles_precision(reports, lang):
    """Finding 12: "76 persen" reads 76 %, not 76,0 %; "sekitar 30 ribu" reads ≈ 30.000 (the words are found in
    the seed file)."""
    seed = _seed("003")
    assert "76 persen" in seed and "sekitar 30 ribu" in seed
    r = reports(MINAHASA, lang)
    assert _row(r, "coverage_pct", lang)[t("published", lang)] == "76 %"
    assert _row(r, "uncovered_workers", lang)[t("published", lang)] == ("≈ 30.000" if lang == "id" else "≈ 30,000")
    assert _row(r, "covered_workers", lang)[t("published", lang)] == ("100.841" if lang == "id" else "100,841")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_citations_a_planner_can_complete(reports, lang):
    """Finding 11: the ANTARA article (our copy has no headline: it opens with the dateline) says its title is not
    recorded; the JKM rate names the outlet that reported the expose; the JKK count says what is not recorded;
    the poverty sources cell names each BPS table once with the years the raw files give."""
    from ucj.presentation.tables import cite

    assert _seed("003").startswith("Manado (ANTARA)")
    antara = cite("seed 003 (ANTARA Sulut; no later than 24 Sep 2023)", lang)
    # its headline, as the stored page's address spells it (manado.antaranews.com/berita/229437; reader 11, M2)
    assert antara.startswith("ANTARA Sulut, Bupati Minahasa targetkan seluruh pekerja dilindungi BPJAMSOSTEK, ")
    from ucj.presentation.tables import assumption_source

    assert "Bisnis.com" in assumption_source("jkm_deaths_per_1000", lang)
    assert "2 Juli 2024" in assumption_source("jkm_deaths_per_1000", "id")
    # the JKK count's Databoks page shows no date: said so (citef2)
    assert t("citation_date_not_recorded", lang) in assumption_source("jkk_cases_per_1000", lang)
    r = reports(BOALEMO, lang)
    cell = r.tables["provenance"].set_index("table").at["poverty", "source"]
    sources_md = (SHARED / "data" / "raw" / "SOURCES.md").read_text(encoding="utf-8")
    for title in ("Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota", "Jumlah Penduduk Miskin (Ribu Jiwa)"):
        assert cell.count(title) == 1, cell
    assert "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota (Persen)" in sources_md
    assert "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota, 2019–2025" in cell
    assert "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota, 2024–2025" in cell  # 2024, 2025 in muhlis000


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("province", [None, "Gorontalo"])
def test_overview_key_figures_hold_no_internal_names(demo_ds, province, lang):
    """Finding 5: the overviews' key_figures.json cite their sources as the district pages do: no seed file, no
    notes, no raw source key; the target source is in the reader's language."""
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, province, lang, figures=True)
    key = ov.key()
    text = json.dumps(key, ensure_ascii=False)
    assert not [bad for bad in INTERNAL if bad in text], [bad for bad in INTERNAL if bad in text]
    # the overview's own words for the default (reader 5, F7), not a district's "the district has no target"
    # a province: the share of its districts (counted, S6); the nation: its own RPJMN target (reader 14, R14-10)
    words = t("default_target_area", lang).split(",")[0] if province else "RPJMN 2025–2029"
    assert words in key["target_source"].split(":")[0]
    assert "Rencana Pembangunan Jangka Menengah Nasional" in key["target_source"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_data_manifest_cites_sources(demo_dir, tmp_path, lang):
    """Finding 5: data_manifest.json lists each table's sources as cited, never an internal name, and still
    flags the synthetic tables."""
    from ucj.runs.bundle import data_manifest

    files = tuple((0, p.name, "0" * 64) for p in sorted(Path(demo_dir).glob("*.parquet")))
    m = data_manifest((str(demo_dir),), files, tmp_path, lang)
    text = json.dumps(m, ensure_ascii=False)
    assert not [bad for bad in INTERNAL if bad in text]
    assert m["tables"]["enrolment"]["synthetic"] and not m["tables"]["targets"]["synthetic"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_real_bps_import_rows_read_as_data(merged_bps, reports, lang):
    """On the demo merged with the real BPS imports (`ucj import bps-table`, as a planner does): P0 rows are
    checked against the imported file and read "consistent"; the demo's rows stay marked synthetic."""
    ds, dirs = merged_bps
    r = reports(BOALEMO, lang, ds=ds, dirs=dirs)
    facts = r.tables["seed_facts"]
    assert set(facts.loc[facts["quantity"] == "p0", "data_basis"]) == {"basis_data"}
    assert _row(r, "p0", lang)[t("difference", lang)] == t("consistent", lang)
    assert _row(r, "jkm_benefit_rp", lang)[t("difference", lang)] == t("basis_synthetic_difference", lang)
    assert "BPS" in r.tables["provenance"].set_index("table").at["poverty", "source"]


@pytest.fixture(scope="module")
def merged_bps(demo_dir, tmp_path_factory):
    from typer.testing import CliRunner

    import ucj
    from conftest import P0_CSV, POOR_CSV
    from ucj.cli import app

    out = tmp_path_factory.mktemp("bps_prov")
    for raw_file in (P0_CSV, POOR_CSV):
        res = CliRunner().invoke(app, ["import", "bps-table", str(raw_file), "--out", str(out)])
        assert res.exit_code == 0, res.output
    return ucj.load(str(demo_dir), str(out)), f"{demo_dir};{out}"
