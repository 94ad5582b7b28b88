"""Reader 11's M1, L13, L4 and L5 (helper pageso), in both languages, against oracles worked out here: pandas over
the demo's Parquet files, the Bühlmann-Straub estimator written out in pandas, and the expected words written out.

- M1: the index and summary.csv/xlsx said Minahasa's coverage over its potensi list was "(2025-12)" without saying
  the list is of 2024; now each coverage column has its denominator's year beside it, the index cell names both
  periods and the index states the rule.
- L13: `status`, `workers_needed`, `workers_needed_gross` were single columns mixing pairings; now one per pairing.
- L4: Boalemo's gross-need sentence said "each group's own monthly rate", then used all districts' rate for its
  funded workers; the first sentence now says so.
- L5: the scenario table used the claim rates rounded to 2 decimals, the year-by-year plan unrounded ones."""

from __future__ import annotations

import html as html_lib
import re

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import t

MINAHASA, BOALEMO = "71.02", "75.02"
LANGS = ["id", "en"]


def _text(page: str) -> str:
    page = re.sub(r"<(style|script)>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))


def _run(district_page, tmp_path, lang):
    """A run folder holding the Minahasa and Boalemo pages' key figures, its index and summary files."""
    from ucj.runs.index_page import write_index, write_summary

    entries = []
    for code in (MINAHASA, BOALEMO):
        built = district_page(code, lang)
        slug = code.replace(".", "")
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "key_figures.json").write_bytes((built.folder / "key_figures.json").read_bytes())
        entries.append({"district": code, "slug": slug, "status": "ok", "html": f"{slug}/report.html"})
    index = write_index(tmp_path / "index.html", entries, lang, True, "t").read_text(encoding="utf-8")
    csv_path, xlsx_path = write_summary(tmp_path, entries, lang)
    years = {f"denominator_period_{d}": str for d in ("working_population", "employees", "informal_workers",
                                                       "potensi_pekerja")}  # "2024", as written
    return index, pd.read_csv(csv_path, dtype={"district_code": str} | years).set_index("district_code"), xlsx_path


def _oracle(demo_dir):
    """Minahasa's coverage over its potensi list and over the working population in 2025-12, and the year of each
    denominator, from the Parquet files with pandas."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    last = e["month"].max()
    active = e[(e["district_code"] == MINAHASA) & (e["month"] == last)]["active"].sum()
    wm = w[w["district_code"] == MINAHASA]
    out = {"last": f"{last:%Y-%m}", "active": active}
    for den in ("potensi_pekerja", "working_population"):
        rows = wm[wm[den].notna() & (wm[den] > 0) & (wm["year"] <= last.year)]
        year = int(rows["year"].max())
        out[den] = (100 * active / float(rows.loc[rows["year"] == year, den].iloc[0]), year,
                    float(rows.loc[rows["year"] == year, den].iloc[0]))
    return out


def _pct(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return (text.replace(".", ",") if lang == "id" else text) + " %"


@pytest.mark.parametrize("lang", LANGS)
def test_m1_the_index_and_summary_name_the_denominators_year(district_page, demo_dir, tmp_path, lang):
    o = _oracle(demo_dir)
    pot, pot_year, _ = o["potensi_pekerja"]
    wp, wp_year, _ = o["working_population"]
    assert pot_year < int(o["last"][:4]) == wp_year  # the premise: the potensi list lags, the working population not
    index, df, xlsx_path = _run(district_page, tmp_path, lang)
    text = _text(index)
    potensi = {"id": "potensi pekerja", "en": "potential workers – potensi pekerja"}[lang]
    cell = {"id": f"{_pct(pot, lang)} (peserta {o['last']} / {potensi} {pot_year}, diasumsikan)",
            "en": f"{_pct(pot, lang)} (participants {o['last']} / {potensi} {pot_year}, assumed)"}[lang]
    assert cell in text, text[:3000]
    assert f"{_pct(wp, lang)} ({o['last']})" in text  # the working population is of the month's own year
    assert f"{_pct(pot, lang)} ({o['last']})" not in text  # never the month alone over a 2024 list
    rule = {"id": "Bila angka penyebut terakhir adalah untuk tahun yang lebih awal (misalnya daftar potensi "
                  "pekerja), sel itu memuat peserta terbaru dibagi angka terakhir itu dan menyebut kedua periodenya",
            "en": "Where a denominator's latest figure is for an earlier year (for example a potensi pekerja list), "
                  "the cell gives the latest participants over that latest figure and names both periods"}[lang]
    assert rule in text
    m = df.loc[MINAHASA]
    assert m["coverage_pct_potensi_pekerja"] == pytest.approx(pot, rel=1e-12)
    assert (m["coverage_period_potensi_pekerja"], str(m["denominator_period_potensi_pekerja"])) == (o["last"],
                                                                                                 str(pot_year))
    assert str(m["denominator_period_working_population"]) == str(wp_year)
    assert bool(m["denominator_year_assumed"]) is True  # the article states no year: 2023 is assumed (M2, R15-1)
    b = df.loc[BOALEMO]
    assert str(b["denominator_period_working_population"]) == o["last"][:4] and not bool(b["denominator_year_assumed"])
    assert pd.isna(b["denominator_period_potensi_pekerja"])  # no potensi list, no year
    headers = [c.value for c in openpyxl.load_workbook(xlsx_path).active[1]]
    year_head = {"id": "tahun penyebut", "en": "denominator's year"}[lang]
    assert any(h.endswith(f"/ {potensi}): {year_head}") for h in headers), headers


@pytest.mark.parametrize("lang", LANGS)
def test_l13_the_need_and_the_verdict_sit_under_their_pairing(district_page, demo_dir, tmp_path, lang):
    """Minahasa's need is to 100 % of its potensi list: (list - active) / the 48 months 2025-12 to 2029-12, worked
    out with pandas; it sits in the potensi columns only, Boalemo's in the working population's only."""
    o = _oracle(demo_dir)
    _, _, potensi_value = o["potensi_pekerja"]
    _, df, xlsx_path = _run(district_page, tmp_path, lang)
    assert not {"status", "workers_needed", "workers_needed_gross"} & set(df.columns)
    m, b = df.loc[MINAHASA], df.loc[BOALEMO]
    assert m["workers_needed_potensi_pekerja"] == pytest.approx((potensi_value - o["active"]) / 48, rel=1e-9)
    assert m["workers_needed_gross_potensi_pekerja"] > m["workers_needed_potensi_pekerja"]
    assert isinstance(m["status_potensi_pekerja"], str)
    for col in ("status", "workers_needed", "workers_needed_gross"):
        assert pd.isna(m[f"{col}_working_population"]) and pd.isna(b[f"{col}_potensi_pekerja"]), col
        assert not pd.isna(b[f"{col}_working_population"]), col
    headers = [c.value for c in openpyxl.load_workbook(xlsx_path).active[1]]
    words = {"id": "semua peserta aktif / potensi pekerja", "en": "all active participants / potential workers"}[lang]
    assert any(h.startswith(t("workers_needed_gross", lang)) and words in h for h in headers), headers


@pytest.mark.parametrize("lang", LANGS)
def test_l4_the_gross_need_sentence_says_whose_rate_is_used(district_page, demo_dir, lang):
    """Boalemo's budget-funded workers are too few for a rate of their own (fewer than 12,000 participant-months
    in 2025, from the enrolment file): its first sentence no longer says every group's rate is its own.
    Minahasa's funded cohort is large enough, so its sentence keeps "each group's own rate"."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    in_2025 = e[(e["funding"] == "apbd") & (e["month"].dt.year == 2025)]
    assert in_2025[in_2025["district_code"] == BOALEMO]["active"].sum() < 12_000
    assert in_2025[in_2025["district_code"] == MINAHASA]["active"].sum() >= 12_000
    own = {"id": "dengan laju bulanan tiap kelompok selama", "en": "each group's own monthly rate"}[lang]
    # the median month named, with its window (reader 18, R18-5)
    pooled = {"id": "untuk peserta yang dibiayai anggaran, yang terlalu sedikit untuk memberi laju sendiri, laju "
                    "bulanan median peserta yang dibiayai anggaran di semua kabupaten/kota selama 2025-01 – 2025-12 "
                    "(lihat di bawah)",
              "en": "for the budget-funded participants, too few to give a rate of their own, the median monthly rate "
                    "of the budget-funded participants of all districts over 2025-01 – 2025-12 (see below)"}[lang]
    boalemo = _text(" ".join(district_page(BOALEMO, lang).html()))
    assert pooled in boalemo and own not in boalemo
    minahasa = _text(" ".join(district_page(MINAHASA, lang).html()))
    assert own in minahasa and pooled not in minahasa


def _credible_rate(demo_dir, code: str, prog: str) -> float:
    """The Bühlmann-Straub rate per 1,000 written out in pandas over every district's APBD cohort (as
    tests/analysis/test_pagesd_credibility.py): the collective mean, the unbiased VHM, k and the weight."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    claims = pd.read_parquet(demo_dir / "claims.parquet")
    e = e[e["funding"] == "apbd"]
    c = claims[(claims["funding"] == "apbd") & (claims["programme"] == prog)
               & claims["month"].between(e["month"].min(), e["month"].max())]
    m = e.groupby("district_code", observed=True)["active"].sum() / 12
    n = c.groupby("district_code", observed=True)["claim_count"].sum().reindex(m.index, fill_value=0)
    m, n = m[m > 0], n[m > 0]
    mu = n.sum() / m.sum()
    vhm = ((m * (n / m - mu) ** 2).sum() - (len(m) - 1) * mu) / (m.sum() - (m ** 2).sum() / m.sum())
    # an estimated VHM of 0 or below (the cohorts spread no more than chance: the demo's JKM since R15-1 moved
    # Minahasa's village workers into 2023) gives no weight to the own experience (Bühlmann-Straub's rule)
    z = m[code] / (m[code] + mu / vhm) if vhm > 0 else 0.0
    return 1000 * (z * n[code] / m[code] + (1 - z) * mu)


def test_l5_both_budget_tables_use_the_same_unrounded_rate(district_page, demo_dir):
    """Minahasa: the scenario rows' expected deaths and JKK cases are workers x the rate written out here, unrounded
    (the rounded rate would differ); the year-by-year plan uses the same rates (deaths per case alike)."""
    fig = district_page(MINAHASA, "en").report.results
    jkm, jkk = _credible_rate(demo_dir, MINAHASA, "JKM"), _credible_rate(demo_dir, MINAHASA, "JKK")
    for rate in (jkm, jkk):  # the premise: rounding to 2 decimals changes the expected claims
        assert abs(round(rate, 2) - rate) > 1e-4
    for row in fig.budget.itertuples():
        assert row.expected_jkm_deaths == pytest.approx(row.workers * jkm / 1000, rel=1e-9)
        assert row.expected_jkk_cases == pytest.approx(row.workers * jkk / 1000, rel=1e-9)
    plan = fig.budget_plan
    assert len(plan)
    for row in plan.itertuples():  # the plan's worker-years cancel out: deaths over cases is the rates' ratio
        assert row.expected_jkm_deaths / row.expected_jkk_cases == pytest.approx(jkm / jkk, rel=1e-9)
    shown = fig.assumptions.set_index("assumption")["value"]
    assert shown["jkm_deaths_per_1000_used"] == pytest.approx(jkm, rel=1e-9)  # rounded only where displayed
