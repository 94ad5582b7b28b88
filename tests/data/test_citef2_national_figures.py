"""The national figures behind the budget assumptions and the default target (citef2, issue 18 F2): each is
the number its publication's own words state, each publication is cited with outlet or publisher, title and
date (or says which is missing), and the budget's arithmetic from them is worked by hand here. Oracles: the
publications' wording copied into data/published/national_figures.csv (parsed here, not by the workbook)
and hand arithmetic."""
from __future__ import annotations

import re

import pytest

from ucj.data.published import RPJMN_SOURCE, citations, national_figures

SCALE = {"juta": 1e6, "triliun": 1e12, "persen": 1.0}


@pytest.fixture(scope="module")
def figures():
    return national_figures().set_index("figure")


def _stated(wording: str) -> float:
    """The number an Indonesian sentence states, parsed by hand: "347.855" -> 347855; "61,08 juta" -> 61.08e6;
    "Rp2,7 triliun" -> 2.7e12; "Rp 16.800" -> 16800; "1 persen" -> 1. The last number with a scale word wins,
    else the first number (SPN writes "41.56 juta" with a decimal point: a point followed by 2 digits and a
    scale word is a decimal point)."""
    scaled = re.findall(r"(\d[\d.,]*)\s*(juta|triliun|persen)", wording)
    if scaled:
        num, word = scaled[-1]
        if re.fullmatch(r"\d+\.\d{1,2}", num):  # "41.56 juta": a decimal point
            return float(num) * SCALE[word]
        return float(num.replace(".", "").replace(",", ".")) * SCALE[word]
    num = re.search(r"\d[\d.]*", wording).group(0)  # type: ignore[union-attr]
    return float(num.replace(".", ""))


def test_each_figure_is_the_number_its_publication_states(figures):
    stated = figures[figures["wording"] != ""]
    assert len(stated) >= 15
    for figure, row in stated.iterrows():
        assert _stated(row["wording"]) == pytest.approx(row["value"], rel=1e-9), figure


def test_jkk_cases_2023_are_the_three_parts_published():
    f = national_figures().set_index("figure")["value"]
    assert 347_855 + 19_921 + 2_971 == 370_747  # by hand
    assert f["jkk_cases_pu_2023"] + f["jkk_cases_bpu_2023"] + f["jkk_cases_jakon_2023"] == f["jkk_cases_2023"]


def test_active_participants_2023_are_the_share_published():
    """SPN News: 68,05 % of 61,08 m are active, 41.56 m (to its rounding of 0.01 m)."""
    f = national_figures().set_index("figure")["value"]
    assert abs(0.6805 * f["participants_2023_12"] - f["active_participants_2023_12"]) <= 0.005e6 + 0.0005 * 61.08e6


def test_budget_rates_worked_by_hand():
    """4.28 JKK claims per 1,000 = 177,727 / 41.56 m (reader 12: claims, as for JKM and the districts' rates, not
    Kemnaker's 370,747 accident cases, 8.92); 1.66 JKM claims (deaths) per 1,000 = 69,029 / 41.56 m, a
    year's claims over the active participants at that year's end for both (issue 18: the JKM rate rests only on
    cited figures; before, 1.79 = Rp 2.7 tn / Rp 42 m / 35.86 m, whose 35.86 m had no publication);
    Rp 42 m = 20 + 10 + 12 m; Rp 16,800 = 1 % x Rp 1,000,000 + Rp 6,800, which Batakpost.com states itself;
    Rp 36,800 with JHT at 2 %. The budget's defaults are these."""
    from ucj.analysis import budget
    from ucj.data import programme

    f = national_figures().set_index("figure")["value"]
    assert round(1000 * 177_727 / 41_560_000, 2) == 4.28  # 4.2764
    assert round(1000 * 370_747 / 41_560_000, 2) == 8.92  # the accident cases' rate, not used
    assert (f["jkk_claims_2023"], f["jkk_claims_rp_2023"]) == (177_727, 3_030_000_000_000)
    assert round(3.03e12 / 177_727 / 1e6, 1) == 17.0  # national mean JKK claim, Rp m, quoted beside Rp 4 m
    assert round(1000 * 69_029 / 41_560_000, 2) == 1.66  # 1.6609
    assert (f["jkm_claims_2023"], f["active_participants_2023_12"]) == (69_029, 41_560_000)
    assert 20_000_000 + 10_000_000 + 12_000_000 == 42_000_000
    assert f["jkm_lump_sum_rp"] + f["jkm_funeral_rp"] + f["jkm_periodic_rp"] == f["jkm_benefit_rp"] == 42_000_000
    assert 0.01 * 1_000_000 + 6_800 == 16_800 == f["bpu_jkk_jkm_rp"]
    assert f["bpu_jkk_rate_pct"] / 100 * 1_000_000 + f["bpu_jkm_rp"] == f["bpu_jkk_jkm_rp"]
    assert 16_800 + f["bpu_jht_rate_pct"] / 100 * 1_000_000 == 36_800
    a = budget.Assumptions()
    assert (a.monthly_contribution_rp, a.jkm_deaths_per_1000, a.jkm_benefit_rp, a.jkk_cases_per_1000) == \
        (16_800, 1.66, 42_000_000, 4.28)
    assert budget.NATIONAL_RATE_YEAR == {"JKK": 2023, "JKM": 2023}  # both rates are for 2023, as published
    assert (programme.BPU_JKM_RP, programme.BPU_JKK_RATE, programme.JKM_BENEFIT_RP) == (6_800, 0.01, 42_000_000)


def test_jkm_claims_are_for_the_year_the_rate_says():
    """The 69,029 JKM claims are 2023's: in Bisnis.com the sentence follows "Pada 2023, klaim program JKK mencapai
    177.727" (its figure for 2024 to June is 38,214 claims; Kontan reports the same two figures). The page address
    carries the date cited (2 July 2024, the day of the hearing it reports)."""
    row = national_figures().set_index("figure").loc["jkm_claims_2023"]
    assert row["period"] == "2023" and row["unit"] == "cases"
    assert "/20240702/" in row["url"]
    cited = citations().set_index("source_article").loc[row["source_article"]]
    assert (cited["publisher"], cited["date"], cited["date_note"]) == ("Bisnis.com", "2024-07-02", "url")


def test_default_target_is_the_ministrys_published_figure():
    """The demo's default target (43.92 % by 2029) is the RPJMN figure Kemendagri stated as reported."""
    from ucj.ingest.demo import DEFAULT_TARGET

    f = national_figures().set_index("figure")
    assert (DEFAULT_TARGET[0], DEFAULT_TARGET[1]) == (2029, f.at["rpjmn_target_2029_pct", "value"])
    assert f.at["rpjmn_target_2025_pct", "value"] == 32.15
    assert f.at["rpjmn_target_2029_pct", "source_article"] == RPJMN_SOURCE


def test_every_publication_is_citable_or_says_what_is_missing(figures):
    """Each figure's publication is a citations.csv row with publisher and title, and a date or the note that
    its date was not found; the page address is recorded; every figure has one (the 2022 active participants,
    35.86 m, had none: the JKM rate no longer uses them, and no row is left without a publication)."""
    c = citations().set_index("source_article")
    missing = figures[figures["source_article"] == ""]
    assert list(missing.index) == []
    assert "active_participants_2022" not in figures.index
    for figure, row in figures[figures["source_article"] != ""].iterrows():
        cited = c.loc[row["source_article"]]
        assert cited["publisher"] and cited["title"], figure
        assert cited["date"] or cited["date_note"] == "not_recorded", figure
        assert row["title_from"] in ("page", "address"), figure
        assert row["url"].startswith("https://") or row["source_article"].startswith("seed 002"), figure
    assert set(c.loc[c["date_note"] == "not_recorded", "publisher"]) == {"Databoks (Katadata)", "GridStar.ID"}
    rpjmn = c.loc[RPJMN_SOURCE]
    assert (rpjmn["publisher"], rpjmn["date"]) == ("Kabaran.id", "2025-05-15")
