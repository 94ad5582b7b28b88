"""Published ends and announced renewals of funding agreements (reader 18, R18-1): the recorded rows are the seed
articles' own words, and each is set beside the data as worked out by hand here."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import REPO

SEEDS = REPO.parent / "shared" / "seeds"


def _seed_text() -> str:
    return re.sub(r"\s+", " ", " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")))


def test_each_recorded_event_is_its_article_s_own_words_and_citable():
    """Every wording is found as written in a seed article; every source has a citation (publisher, title, date);
    every event and period has the documented form (funding_agreements.md)."""
    from ucj.data.published import AGREEMENT_EVENTS, citations, funding_agreements

    rows, text = funding_agreements(), _seed_text()
    assert len(rows) >= 2
    cites = citations()
    for r in rows.itertuples():
        assert r.wording and r.wording in text, r.wording
        assert r.event in AGREEMENT_EVENTS
        assert re.fullmatch(r"\d{4}-\d{2}" if r.event == "agreement_ended" else r"\d{4}", r.period), r.period
        assert r.funding in ("apbd", "apbn", "apbdes")
        cited = cites[cites["source_article"] == r.source_article]
        assert len(cited) and cited["publisher"].iloc[0] and cited["title"].iloc[0] and cited["date"].iloc[0]
        assert r.note_id and r.note_en


def test_muna_barat_s_pks_ended_december_2024_and_a_new_one_is_announced_for_2025():
    """The PPID article: "Karena Perjanjian Kerja Sama (PKS) berakhir Desember 2024, maka di tahun 2025 ini akan
    dibuat Perjanjian Kerja Sama (PKST) yang baru" (read by hand)."""
    from ucj.data.published import agreement_events

    got = [(e.event, e.funding, e.period) for e in agreement_events("74.13")]
    assert got == [("agreement_ended", "apbd", "2024-12"), ("agreement_renewal_announced", "apbd", "2025")]
    assert agreement_events("71.02") == []


def _enrolment(apbd: list[int], lapsed: list[int]) -> pd.DataFrame:
    months = pd.date_range("2024-10-01", periods=len(apbd), freq="MS")
    rows = [("74.13", m, "BPU", "apbd", a, 0, x) for m, a, x in zip(months, apbd, lapsed)]
    rows += [("74.13", m, "BPU", "self_employer", 500, 10, 10) for m in months]
    return pd.DataFrame(rows, columns=["district_code", "month", "segment", "funding", "active", "new_registrations",
                                       "lapsed"])


@pytest.mark.parametrize(("apbd", "lapsed", "expected"), [
    # 9,500 active to 2024-12, all 9,500 gone in 2025-01: the published end is in the data (9,500 left then);
    # none funded at the report's month 2025-03
    ([9500, 9500, 9500, 0, 0, 0], [0, 0, 0, 9500, 0, 0],
     [("end_in_data", 9500.0, "2025-01"), ("none_funded_in_data", 0.0, "2025-03")]),
    # the agreement ran on (a branch office's data): no end; 9,480 funded in 2025-01 and still at 2025-03
    ([9500, 9500, 9500, 9480, 9480, 9480], [0, 0, 0, 20, 0, 0],
     [("end_not_in_data", 9480.0, "2025-01"), ("funded_in_data", 9480.0, "2025-03")]),
    # ended a month later than published (last month 2025-01): not the published end
    ([9500, 9500, 9500, 9500, 0, 0], [0, 0, 0, 0, 9500, 0],
     [("end_not_in_data", 9500.0, "2025-01"), ("none_funded_in_data", 0.0, "2025-03")]),
])
def test_each_event_beside_the_data_as_worked_by_hand(apbd, lapsed, expected):
    from ucj.analysis.coverage import agreement_ends
    from ucj.analysis.facts import agreement_event_table

    e = _enrolment(apbd, lapsed)
    table = agreement_event_table("74.13", agreement_ends(e), e, pd.Timestamp("2025-03-01"))
    assert list(zip(table["status"], table["data"], table["data_as_of"])) == expected


def test_an_end_after_the_report_s_month_is_one_the_data_cannot_show_yet():
    """A report of 2024-06 (before the published end, 2024-12): not "no such end" but an end still to come, beside
    the 9,500 funded in 2024-06 (worked by hand)."""
    from ucj.analysis.coverage import agreement_ends
    from ucj.analysis.facts import agreement_event_table

    e = _enrolment([9500] * 9, [0] * 9)  # 2024-10 .. 2025-06, as the report sees it up to 2024-12 at most
    e = e[e["month"] <= "2024-11-01"]
    table = agreement_event_table("74.13", agreement_ends(e), e, pd.Timestamp("2024-11-01"))
    assert list(zip(table["status"], table["data"], table["data_as_of"])) == [
        ("end_after_period", 9500.0, "2024-11"), ("funded_in_data", 9500.0, "2024-11")]


def test_without_a_month_of_data_the_events_say_so():
    """No enrolment rows up to the report's month: no count is set beside either event (data_as_of empty), and the
    page's lines then say the data hold no month to set beside them (catalogue keys *_no_data)."""
    from ucj.analysis.facts import agreement_event_table
    from ucj.presentation.district import EVENT_NO_DATA_KEYS
    from ucj.presentation.i18n import t

    e = _enrolment([9500], [0]).iloc[0:0]
    table = agreement_event_table("74.13", None, e, pd.Timestamp("2025-03-01"))
    assert list(table["data_as_of"]) == ["", ""] and list(table["status"]) == ["end_not_in_data",
                                                                                  "none_funded_in_data"]
    assert all("data hold no month" in t(EVENT_NO_DATA_KEYS[ev], "en") for ev in table["event"])
