"""A funding agreement renewed for fewer workers (a partial cut) is an agreement end, not an ordinary lapse:
hand-worked series, each figure worked out in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from ucj.analysis.coverage import agreement_ends, is_partial_cut
from ucj.analysis.district import LAPSE_FUNDED_OWN, lapse_split

MONTHS = list(pd.date_range("2024-10-01", periods=6, freq="MS"))  # 2024-10 .. 2025-03


def cell(funding: str, active: list[int], lapsed: list[int], new: list[int], code: str = "75.02") -> pd.DataFrame:
    return pd.DataFrame({"district_code": code, "segment": "BPU", "funding": funding, "month": MONTHS,
                         "active": active, "lapsed": lapsed, "new_registrations": new})


# 5,000 APBD workers; January 2025 the agreement is renewed for 4,000: 1,010 lapse (10 ordinary + 1,000 cut),
# 10 are registered, and the level stays down (4,000, then 3,990)
CUT = cell("apbd", [5000, 5000, 5000, 4000, 3990, 3990], [0, 10, 10, 1010, 10, 10], [0, 10, 10, 10, 0, 10])


def test_a_renewal_for_fewer_workers_is_an_agreement_end():
    ends = agreement_ends(CUT)
    # 1,010 of 5,000 (20 %) < half: the old rule missed it; >= max(10, 1 % of 5,000 = 50) and active fell by 1,000
    assert ends[["month", "funding", "workers", "active_before"]].values.tolist() == [
        [pd.Timestamp("2025-01-01"), "apbd", 1010, 5000]]
    assert is_partial_cut(1010, 5000) and not is_partial_cut(3000, 5000)


@pytest.mark.parametrize("rows, why", [
    # 50 of 1,000 lapse in January but 50 are registered: the level holds, turnover, not a cut
    (cell("apbn", [1000] * 6, [0, 2, 2, 50, 2, 2], [0, 2, 2, 50, 2, 2]), "replaced"),
    # 3 of 100 lapse unreplaced (3 %): fewer than 10 workers, within what ordinary lapses give a small cell
    (cell("csr", [100, 100, 100, 97, 97, 97], [0, 0, 0, 3, 0, 0], [0] * 6), "too few"),
    # the self-funded are never an agreement: 300 of 1,000 leave in one month
    (cell("self_employer", [1000, 1000, 1000, 700, 700, 700], [0, 0, 0, 300, 0, 0], [0] * 6), "self-funded"),
])
def test_what_is_not_a_cut(rows, why):
    assert agreement_ends(rows).empty, why


def test_the_whole_agreement_ending_is_still_an_end_and_not_a_partial_cut():
    rows = cell("apbd", [5000, 5000, 5000, 0, 0, 0], [0, 10, 10, 5000, 0, 0], [0, 10, 10, 0, 0, 0])
    ends = agreement_ends(rows)
    assert ends[["workers", "active_before"]].values.tolist() == [[5000, 5000]]
    assert not is_partial_cut(5000, 5000)


def test_the_funded_lapse_rate_leaves_the_cut_out():
    period = MONTHS[-1]
    split = lapse_split(CUT, period, agreement_ends(CUT), CUT)
    # participant-months: the month before's active of 2024-11 .. 2025-03 = 5,000 + 5,000 + 5,000 + 4,000 + 3,990
    assert split.funded_exposure == 22_990 and split.funded_basis == LAPSE_FUNDED_OWN  # >= 12,000: its own rate
    # ordinary lapses: 10 + 10 + (1,010 - 1,010 cut) + 10 + 10 = 40; 40 / 22,990 = 0.174 % a month
    assert split.funded_lapses == 40
    assert split.funded_rate_pct == pytest.approx(100 * 40 / 22_990)
    # (the old 50 % rule counted the cut as lapses: 1,050 / 22,990 = 4.57 % a month, 26 times the ordinary rate)
