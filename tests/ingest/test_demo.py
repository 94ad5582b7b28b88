"""The demo dataset: deterministic, labelled synthetic, plausible, and carrying the seed facts."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from ucj.ingest import demo
from ucj.core.files import read_parquet_metadata
from ucj.data.published import fact, published_facts
from ucj.analysis.national import national_active_by_year
from conftest import REPO

MINAHASA, BANGGAI, BOALEMO, MUNA_BARAT = "71.02", "72.01", "75.02", "74.13"


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*"))}


@pytest.mark.slow  # builds the whole demo again (about 5 s): in make test, not test-fast
def test_same_seed_gives_byte_identical_files(demo_dir, tmp_path):
    demo.write(tmp_path / "again")
    assert _hashes(tmp_path / "again") == _hashes(demo_dir)


def test_another_seed_gives_other_numbers(demo_ds):
    other = demo.generate(seed=7)
    assert not other.enrolment["active"].equals(demo_ds.enrolment["active"])


def test_every_table_is_labelled_synthetic_where_it_is(demo_dir, demo_ds):
    assert set(demo_ds.synthetic_tables()) == {"enrolment", "workforce", "contributions", "claims", "poverty",
                                                "village_enrolment"}
    for name in demo_ds.tables:
        meta = read_parquet_metadata(demo_dir / f"{name}.parquet")
        if name == "plans":  # published plans only, each row with its article
            assert meta["synthetic"] is False and "synthetic-demo" not in set(demo_ds.plans["source"])
            assert demo_ds.plans["source"].str.startswith("seed 00").all()
            continue
        if name == "targets":  # the real RPJMN default and the seed districts' own targets (reader 3, finding 3)
            assert meta["synthetic"] is False and "synthetic-demo" not in set(demo_ds.targets["source"])
            continue
        assert meta["synthetic"] is True and "SYNTHETIC" in meta["notice"]
        if name == "workforce":  # Minahasa's potensi is the article's: its row says which columns are made up
            w = demo_ds.workforce
            mixed = w["source"] != "synthetic-demo"
            assert (w.loc[mixed, "district_code"] == MINAHASA).all() and mixed.sum() == 1
            assert w.loc[mixed, "source"].iloc[0].startswith("seed 003")
        elif name != "poverty":
            assert set(demo_ds[name]["source"].unique()) == {"synthetic-demo"}
    # poverty: every row says which columns are BPS and which synthetic
    p = demo_ds.poverty
    assert p["source"].str.contains("BPS P0").all() and p["source"].str.contains("synthetic-demo").all()
    assert p.loc[p["year"] >= 2024, "source"].str.contains("BPS P0, P1, P2").all()
    assert p.loc[p["year"] < 2024, "source"].str.contains("synthetic-demo: P1, P2").all()
    # targets: the national default is labelled a default; the seed districts' own carry their article
    t = demo_ds.targets.set_index("district_code")
    assert t.loc[BOALEMO, "target_source"].startswith("default: ") and t.loc[BOALEMO, "source"].startswith("RPJMN")
    assert t.loc[BANGGAI, "source"].startswith("seed 001") and t.loc[MINAHASA, "source"].startswith("seed 003")
    assert "SYNTHETIC" in (demo_dir / "README.md").read_text()


def test_poverty_is_the_bps_figure_wherever_bps_publishes_it(demo_ds):
    real = pd.read_csv(REPO / "data" / "published" / "bps_poverty_kabkota.csv", dtype={"district_code": "str"})
    got = demo_ds.poverty.merge(real, on=["district_code", "year"], validate="1:1")
    assert len(got) == 514 * 7
    assert (got["p0_x"] == got["p0_y"]).all()
    assert np.allclose(got["poor_population"], got["poor_population_thousands"] * 1000)
    recent = got[got["year"] >= 2024]
    assert (recent["p1_x"] == recent["p1_y"]).all() and (recent["p2_x"] == recent["p2_y"]).all()
    boalemo = got.set_index(["district_code", "year"]).loc[(BOALEMO, 2025)]
    assert boalemo["p0_x"] == 16.37  # BPS, March 2025
    assert got.set_index(["district_code", "year"]).loc[(BANGGAI, 2019), "p0_x"] == 7.80


@pytest.mark.parametrize("code, real_population_2024", [(MUNA_BARAT, 84_902.8), (BOALEMO, 176_836.8),
                                                        (MINAHASA, 348_851.5)])
def test_district_sizes_follow_the_real_population(demo_ds, code, real_population_2024):
    """Real population implied by BPS 2024 (poor / P0, worked out from the raw files): the demo's working
    population is a plausible share of it (national employed / population: 144.64 m / 279.3 m = 0.52)."""
    p = demo_ds.poverty.set_index(["district_code", "year"]).loc[(code, 2024)]
    implied = 100 * p["poor_population"] / p["p0"]
    assert abs(implied / real_population_2024 - 1) < 0.10
    w = demo_ds.workforce.set_index(["district_code", "year"]).loc[(code, 2024), "working_population"]
    assert 0.40 < w / real_population_2024 < 0.65


def test_all_districts_and_months_present(demo_ds):
    e = demo_ds.enrolment
    assert e["district_code"].nunique() == 514
    assert e["month"].min() == pd.Timestamp("2019-01-01") and e["month"].max() == pd.Timestamp("2025-12-01")
    assert sorted(demo_ds.poverty["year"].unique()) == list(range(2019, 2026))


def test_national_active_within_two_percent_of_published(demo_ds):
    nat = national_active_by_year(demo_ds.enrolment)
    facts = published_facts()
    national = facts[facts["district_code"].isna() & (facts["quantity"] == "active_participants")]
    assert len(national) == 7
    for row in national.itertuples():
        year = int(row.date[:4])
        if row.date == "2025-02":
            e = demo_ds.enrolment
            got = e[e["month"] == pd.Timestamp("2025-02-01")]["active"].sum()
        else:
            got = nat.loc[year, "total"]
        assert abs(got / row.value - 1) < 0.02, (year, got, row.value)


def test_national_december_is_the_published_year_end_figure(demo_ds):
    """The reports read December: for 2019-2024 the December national total is the published figure (domain
    notes §6) as well as the yearly mean, so December never falls where the published figures rise."""
    e = demo_ds.enrolment
    facts = published_facts()
    national = facts[facts["district_code"].isna() & (facts["quantity"] == "active_participants")]
    monthly = e.groupby("month")["active"].sum()
    decembers = {}
    for row in national.itertuples():
        if len(str(row.date)) != 4:
            continue
        year = int(row.date)
        decembers[year] = monthly[pd.Timestamp(year, 12, 1)]
        assert abs(decembers[year] / row.value - 1) < 0.005, (year, decembers[year], row.value)
    assert decembers[2024] > decembers[2023]


def test_minahasa_has_no_unsourced_step_after_its_article(demo_ds):
    """No article reports a change in Minahasa's participants after the seed article's month (2023-09): from it
    on, each month stays within 5 % of the month before (no step) and each December within 5 % of the December
    before (pandas on the tables)."""
    e = demo_ds.enrolment[demo_ds.enrolment["district_code"] == MINAHASA]
    total = e.groupby("month")["active"].sum()
    after = total[total.index >= pd.Timestamp("2023-09-01")]
    assert (after.pct_change().dropna().abs() <= 0.05).all()
    for year in (2024, 2025):
        assert abs(total[pd.Timestamp(f"{year}-12-01")] / total[pd.Timestamp(f"{year - 1}-12-01")] - 1) <= 0.05


@pytest.mark.parametrize("year, shares", [(2022, {"PU": 22.83, "BPU": 6.0, "Jakon": 7.02}),
                                          (2023, {"PU": 25.0, "BPU": 9.19, "Jakon": 7.36}),
                                          (2024, {"PU": 29.3, "BPU": 9.9, "Jakon+PMI": 6.0})])
def test_segment_shares_resemble_published(demo_ds, year, shares):
    nat = national_active_by_year(demo_ds.enrolment).loc[year]
    nat["Jakon+PMI"] = nat["Jakon"] + nat["PMI"]
    published_total = sum(shares.values())
    for seg, value in shares.items():
        assert abs(nat[seg] / nat["total"] - value / published_total) < 0.03, seg


def test_enrolment_flows_add_up(demo_ds):
    e = demo_ds.enrolment.sort_values(["district_code", "segment", "funding", "month"])
    prev = e.groupby(["district_code", "segment", "funding"])["active"].shift()
    later = prev.notna()
    assert (e["active"][later] == (prev + e["new_registrations"] - e["lapsed"])[later]).all()


def test_jkm_pays_42_million_per_death(demo_ds):
    jkm = demo_ds.claims[demo_ds.claims["programme"] == "JKM"]
    assert (jkm["claim_amount_rp"] == jkm["claim_count"] * 42_000_000).all()
    assert jkm["claim_count"].sum() > 0


def test_claim_frequencies_are_of_the_published_order(demo_ds):
    c, e = demo_ds.claims, demo_ds.enrolment
    for year in (2023, 2024):
        active = e[e["month"].dt.year == year]["active"].sum() / 12
        jkk = c[(c["month"].dt.year == year) & (c["programme"] == "JKK")]["claim_count"].sum()
        per_1000 = jkk / active * 1000
        assert 4 < per_1000 < 15, per_1000  # national JKK 2023: ~8.9 per 1,000


def test_apbd_funding_enters_in_steps(demo_ds):
    e = demo_ds.enrolment
    apbd = e[e["funding"] == "apbd"].pivot(index="month", columns="district_code", values="active")
    changes = apbd.diff().iloc[1:] != 0
    by_month = changes.sum(axis=1).groupby(changes.index.month).sum()
    assert by_month.loc[[1, 7]].sum() > 0.95 * by_month.sum()  # budgets start in January or July
    assert (apbd.iloc[-1] > 0).sum() > 200


def test_monthly_seasonality_is_visible(demo_ds):
    e = demo_ds.enrolment
    bpu = e[(e["segment"] == "BPU") & (e["funding"] == "self_employer")].groupby("month")["active"].sum()
    ratio = bpu / bpu.rolling(12, center=True).mean()
    profile = ratio.groupby(ratio.index.month).mean()
    assert profile.max() - profile.min() > 0.02


def test_districts_differ(demo_ds):
    e, w = demo_ds.enrolment, demo_ds.workforce
    active = e[e["month"] == pd.Timestamp("2024-12-01")].groupby("district_code")["active"].sum()
    work = w[w["year"] == 2024].set_index("district_code")["working_population"]
    coverage = active / work
    assert coverage.std() / coverage.mean() > 0.2
    assert work.max() / work.min() > 50


def test_poverty_is_plausible(demo_ds):
    p = demo_ds.poverty
    assert p["p0"].quantile(0.02) < 4 and p["p0"].quantile(0.98) > 25
    assert 1.5 <= p["p0"].min() and p["p0"].max() <= 45
    wide = p.pivot(index="district_code", columns="year", values="p0")
    assert (wide[2025] < wide[2019]).mean() > 0.8  # slowly down
    # the 2021 level break: 2021 rises against 2020 although the trend falls
    assert (wide[2021] / wide[2020]).median() > 1.0 > (wide[2023] / wide[2022]).median()
    assert set(p.loc[p["year"] <= 2024, "extreme_poverty_basis"]) == {"ppp2011_1.90"}
    assert set(p.loc[p["year"] == 2025, "extreme_poverty_basis"]) == {"ppp2017_2.15"}


def test_seed_minahasa(demo_ds):
    """Seed 003 quotes Bupati Royke Roring, whose successor was sworn in on 25 September 2023 (suluttempo.com, 25
    September 2023): its 100,841 covered are placed in 2023-09, its 15,000 + 16,777 APBD-funded workers both
    active then ("saat ini"), its potensi list (132,104) in 2023 and no other year (reader 15, R15-1). Numbers
    from the article, months from the term's end, sums by pandas on the tables."""
    e, w = demo_ds.enrolment, demo_ds.workforce
    mina = e[e["district_code"] == MINAHASA]
    at = mina[mina["month"] == pd.Timestamp("2023-09-01")]
    assert at["active"].sum() == 100_841
    assert at.loc[at["funding"] == "apbd", "active"].sum() == 15_000 + 16_777
    potensi = w[(w["district_code"] == MINAHASA) & w["potensi_pekerja"].notna()]
    assert potensi["year"].tolist() == [2023] and potensi["potensi_pekerja"].tolist() == [132_104]


def test_seed_boalemo_apbd_after_its_budgeting(demo_ds):
    """Seed 002 (5 Oct 2025): the 5,000 "bakal dilindungi ... sudah masuk pada tahap penganggaran", still being
    budgeted in October 2025: none before November 2025, and no APBD claims before they are covered."""
    e = demo_ds.enrolment
    apbd = e[(e["district_code"] == BOALEMO) & (e["funding"] == "apbd")].set_index("month")["active"]
    assert (apbd[apbd.index >= "2025-11-01"] == fact("apbd_funded_workers", BOALEMO)).all()
    assert (apbd[apbd.index < "2025-11-01"] == 0).all()
    c = demo_ds.claims
    claims = c[(c["district_code"] == BOALEMO) & (c["funding"] == "apbd") & (c["month"] < "2025-11-01")]
    assert claims["claim_count"].sum() == 0


def test_seed_muna_barat_claims(demo_ds):
    c = demo_ds.claims
    mb = c[(c["district_code"] == MUNA_BARAT) & (c["funding"] == "apbd")]
    assert mb["claim_count"].sum() == fact("claim_count", MUNA_BARAT)
    assert mb["claim_amount_rp"].sum() == fact("claim_amount_rp", MUNA_BARAT)


def test_seed_banggai_target(demo_ds):
    t = demo_ds.targets.set_index("district_code").loc[BANGGAI]
    assert (t["target_year"], t["coverage_target_pct"]) == (2030, fact("coverage_target_pct", BANGGAI))


def test_seed_minahasa_target_is_universal_coverage_of_its_potensi_list(demo_ds):
    t = demo_ds.targets.set_index("district_code").loc[MINAHASA]
    assert (t["coverage_target_pct"], t["denominator"]) == (100.0, "potensi_pekerja")
    assert "no year" in t["target_source"]  # the assumed year is said to be assumed


def test_seed_poverty_rates_are_the_published_ones(demo_ds):
    facts = published_facts()
    p0 = facts[(facts["quantity"] == "p0") & facts["district_code"].notna()]
    pov = demo_ds.poverty.set_index(["district_code", "year"])["p0"]
    assert len(p0) == 10
    for row in p0.itertuples():
        assert pov.loc[(row.district_code, int(row.date[:4]))] == pytest.approx(row.value)


def test_money_is_exact_integers(demo_ds):
    assert demo_ds.contributions["contribution_rp"].dtype == np.int64
    assert demo_ds.claims["claim_amount_rp"].dtype == np.int64
    sponsored = demo_ds.contributions[demo_ds.contributions["funding"] == "apbd"]
    active = demo_ds.enrolment[demo_ds.enrolment["funding"] == "apbd"]["active"].to_numpy()
    assert (sponsored["contribution_rp"].to_numpy() == active * 16_800).all()
