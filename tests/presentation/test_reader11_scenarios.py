"""Reader 11, L1: Muna Barat's agreement has ended, so no row of its scenario table may speak of renewing
today's agreements (the plans row included); a district whose agreement runs keeps today's wording.
The premise comes from the demo's enrolment file, the expected labels are written out here."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.presentation.test_reader10_pages import _text  # the page's words without tags or styles

MUNA_BARAT, BOALEMO = "74.13", "75.02"
PLAN_ROW = {"en": "with plans not yet budgeted (no agreement runs today; plans from their year)",
            "id": "dengan rencana yang belum dianggarkan (tidak ada perjanjian yang berjalan saat ini; "
                  "rencana mulai tahun rencana)"}
RENEWED = {"en": "agreements renewed", "id": "diperpanjang"}


def _labels(page) -> list[str]:
    return [str(x) for x in page.report.shown("projection_scenarios").values.iloc[:, 0]]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_muna_barat_plan_row_renews_no_agreement(district_page, demo_dir, lang):
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    mb = e[(e["district_code"] == MUNA_BARAT) & (e["month"] == e["month"].max())]
    assert mb.loc[mb["funding"] != "self_employer", "active"].sum() == 0  # nobody funded today, from the data
    labels = _labels(district_page(MUNA_BARAT, lang))
    assert PLAN_ROW[lang] in labels
    assert not any(RENEWED[lang] in x for x in labels), labels
    boalemo = _labels(district_page(BOALEMO, lang))  # an agreement runs: today's wording stays
    assert PLAN_ROW[lang] not in boalemo and any(RENEWED[lang] in x for x in boalemo)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_summary_card_names_the_claims_programmes_as_the_index_does(district_page, demo_dir, lang):
    """Reader 11, M5: the card's claims label names the programmes it adds up, in the index's words."""
    said = {"id": "Nilai klaim JKK+JKM+JKP (12 bulan, tanpa pencairan JHT dan JP)",
            "en": "Amount of claims paid JKK+JKM+JKP (12 months, without JHT and JP withdrawals)"}[lang]
    c = pd.read_parquet(demo_dir / "claims.parquet")
    assert set(c["programme"]) == {"JKK", "JKM", "JKP", "JHT", "JP"}  # the five programmes, two of them savings
    labels = [k for k, _ in district_page(BOALEMO, lang).report.summary_items()]
    assert any(k.startswith(said + ", 2025-01 – 2025-12") for k in labels), labels


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_budget_notes_say_what_the_rates_are_blended_with_and_mark_the_jkk_benefit(district_page, lang):
    """Reader 11, M4: the note said own experience is blended with the national rates while the claim-rate table
    (and budget.buhlmann_straub) blends it with the APBD cohorts' collective rate; L6: the Rp 4 m mean JKK benefit
    is the workbook's own assumption, and says so. Expected words written out here."""
    text = _text(district_page(BOALEMO, lang).html())
    if lang == "id":
        assert "digabung dengan laju nasional menurut" not in text
        assert "dengan laju kolektif kohort APBD semua kabupaten/kota" in text
        assert "asumsi buku kerja ini sendiri, bukan dari publikasi: rata-rata manfaat JKK" in text
    else:
        assert "blended with the national rates by their credibility weight" not in text
        assert "with the collective rate of all districts' APBD cohorts" in text
        assert "this workbook's own assumption, not from a publication: mean JKK benefit" in text
