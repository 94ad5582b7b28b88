"""Issue 18 / reader 3 item 2: the gross need's lapses are each funding group's rate on its own stock.

Oracles: the demo's enrolment.parquet read with pandas alone (no ucj function), the reader's published figures
(Boalemo self-funded 3.84 % x 14,828 = 569 a month; 10 funded lapses), and a hand-worked table."""

from __future__ import annotations

import pandas as pd
import pytest

BOALEMO = "75.02"
WINDOW = ("2025-01-01", "2025-12-01")


def _enrolment(demo_dir) -> pd.DataFrame:
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    e["month"] = pd.to_datetime(e["month"])
    e["funding"] = e["funding"].astype(str)
    return e


def _cell_ends(rows: pd.DataFrame) -> pd.DataFrame:
    """Own rule for agreement ends: a funded cell losing at least half its month-before active in one month, or
    a partial cut (renewed for fewer): at least 1 % and 10 workers lapse and active falls by as much."""
    f = rows[rows["funding"] != "self_employer"].sort_values("month")
    out = []
    for _, cell in f.groupby(["district_code", "segment", "funding"], observed=True):
        cell = cell.set_index("month")
        before = cell["active"].shift()
        cut = [max(10.0, 0.01 * b) for b in before]
        partial = (cell["lapsed"] >= cut) & (before - cell["active"] >= cut)
        hit = (before > 0) & ((cell["lapsed"] >= 0.5 * before) | partial)
        out += [(m, int(cell.at[m, "lapsed"])) for m in cell.index[hit]]
    return pd.DataFrame(out, columns=["month", "workers"])


def _rate(rows: pd.DataFrame, ends: pd.DataFrame | None = None) -> tuple[float, float, float]:
    """(rate %, lapses, participant-months) over the window: lapses over the month before's active."""
    m = rows.groupby("month")[["active", "lapsed"]].sum().sort_index()
    if ends is not None and len(ends):
        m["lapsed"] -= ends.groupby("month")["workers"].sum().reindex(m.index, fill_value=0)
    m["base"] = m["active"].shift()
    w = m.loc[WINDOW[0]:WINDOW[1]]
    return 100 * w["lapsed"].sum() / w["base"].sum(), float(w["lapsed"].sum()), float(w["base"].sum())


def test_boalemo_two_rates_and_gross_need_from_the_demo_files(demo_dir, demo_ds):
    from ucj.analysis.district import MIN_FUNDED_EXPOSURE, district_figures

    e = _enrolment(demo_dir)
    b = e[e["district_code"] == BOALEMO]
    org, fun = b[b["funding"] == "self_employer"], b[b["funding"] != "self_employer"]
    assert _cell_ends(b[b["month"] <= WINDOW[1]]).empty  # Boalemo's funded workers had no agreement end
    org_rate, _, _ = _rate(org)
    own_rate, fun_lapses, exposure = _rate(fun)
    now = b[b["month"] == WINDOW[1]]
    org_now = now.loc[now["funding"] == "self_employer", "active"].sum()
    fun_now = now.loc[now["funding"] != "self_employer", "active"].sum()
    # the reader's figures: 3.84 % x 14,828 = 569 a month; 5,000 funded, 10 lapses, one month in the base
    assert round(org_rate, 2) == 3.84 and org_now == 14_828 and round(org_rate / 100 * org_now) == 569
    assert fun_now == 5_000 and fun_lapses == 10 and exposure == 5_000 < MIN_FUNDED_EXPOSURE
    # too little exposure: the fallback is the median month of all districts' funded rate, ends excluded
    allf = e[(e["funding"] != "self_employer") & (e["month"] <= WINDOW[1])]
    ends = _cell_ends(allf)
    m = allf.groupby("month")[["active", "lapsed"]].sum().sort_index()
    m["lapsed"] -= ends.groupby("month")["workers"].sum().reindex(m.index, fill_value=0)
    m["base"] = m["active"].shift()
    w = m.loc[WINDOW[0]:WINDOW[1]]
    fallback = float((100 * w["lapsed"] / w["base"]).median())
    assert 0.1 < fallback < 0.3  # ordinary funded lapses are rare; January's partial cuts are not in the median

    fig = district_figures(demo_ds, BOALEMO)
    s = fig.lapses
    assert s is not None and s.funded_basis == "all_districts_median_month"
    assert s.organic_rate_pct == pytest.approx(org_rate)
    assert s.funded_own_rate_pct == pytest.approx(own_rate) and s.funded_exposure == exposure
    assert s.funded_rate_pct == pytest.approx(fallback)
    lapses = org_rate / 100 * org_now + fallback / 100 * fun_now
    assert fig.lapsed_per_month == pytest.approx(lapses)
    assert 570 < fig.lapsed_per_month < 585  # about 575, not the pooled 742
    assert fig.workers_needed_gross_per_month == pytest.approx(fig.projection.workers_needed_per_month + lapses)
    # the pooled rate the page used to apply to all 19,828 would give about 742 a month
    pooled, _, _ = _rate(b)
    assert round(pooled / 100 * (org_now + fun_now)) == 742
    # the budget's gross column carries the same lapses: the reader read 14,610 a year (58,440 over 48 months)
    # with the pooled rate on all 19,828; each full year now has 12 x (pooled - split) fewer
    pooled_lapses = pooled / 100 * (org_now + fun_now)
    plan = fig.budget_plan
    assert plan["months"].tolist() == [12, 12, 12, 12]
    for gross in plan["gross_additional"]:
        assert gross == pytest.approx(14_610 - 12 * (pooled_lapses - lapses), abs=1.5)
    assert 58_440 - int(plan["gross_additional"].sum()) > 7_500  # the reader's "about 8,000 too high"
    key = fig.key()["workers_needed"]["lapses_by_funding"]
    assert key["organic"]["rate_pct"] == pytest.approx(org_rate)
    assert key["funded"]["basis"] == "all_districts_median_month" and key["funded"]["participant_months"] == 5_000


def _rows(code, funding, active, lapsed, segment="BPU"):
    months = pd.date_range("2024-12-01", periods=len(active), freq="MS")
    return pd.DataFrame({"district_code": code, "month": months, "segment": segment, "funding": funding,
                         "active": active, "lapsed": lapsed})


def test_hand_worked_split_with_an_agreement_end():
    """Self-funded 1,000 a month losing 20 -> 80 / 4,000 = 2 %; APBD 4,000 losing 4 a month and a CSR cell of
    100 ending in March (its 100 lapses left out): 16 / (16,000 + 300) = 0.0982 % on today's 4,000 funded.
    Lapses a month: 1,000 x 2 % + 4,000 x 16 / 16,300 = 20 + 3.926."""
    from ucj.analysis.coverage import agreement_ends
    from ucj.analysis.district import lapse_split

    e = pd.concat([_rows("99.01", "self_employer", [1000] * 5, [0, 20, 20, 20, 20]),
                   _rows("99.01", "apbd", [4000] * 5, [0, 4, 4, 4, 4]),
                   _rows("99.01", "csr", [100, 100, 100, 0, 0], [0, 0, 0, 100, 0])], ignore_index=True)
    ends = agreement_ends(e)
    assert len(ends) == 1 and ends.loc[0, "workers"] == 100
    s = lapse_split(e, pd.Timestamp("2025-04-01"), ends, e)
    assert s.funded_basis == "own" and s.funded_exposure == 16_300
    assert s.organic_rate_pct == pytest.approx(2.0)
    assert s.funded_rate_pct == pytest.approx(100 * 16 / 16_300)
    assert s.per_month == pytest.approx(20 + 4000 * 16 / 16_300)


def test_hand_worked_fallback_below_the_exposure_rule():
    """1,000 funded workers for 4 months (4,000 participant-months < 12,000): the rate used is the median month of
    all districts' funded participants: 10 000-strong, losing 10, 20, 30, 40 -> 0.1, 0.2, 0.3, 0.4 % -> 0.25 %."""
    from ucj.analysis.district import lapse_split

    small = pd.concat([_rows("99.01", "self_employer", [500] * 5, [0, 5, 5, 5, 5]),
                       _rows("99.01", "apbd", [1000] * 5, [0, 0, 0, 0, 0])], ignore_index=True)
    big = _rows("99.02", "apbd", [10_000] * 5, [0, 10, 20, 30, 40])
    s = lapse_split(small, pd.Timestamp("2025-04-01"), pd.DataFrame(columns=["month", "workers"]),
                    pd.concat([small, big], ignore_index=True))
    assert s.funded_basis == "all_districts_median_month" and s.funded_own_rate_pct == 0.0
    # all districts' months: (0 + 10) / 11,000, (0 + 20) / 11,000, ... -> median of the middle two
    assert s.funded_rate_pct == pytest.approx(100 * (20 + 30) / 2 / 11_000)
    assert s.per_month == pytest.approx(500 * 0.01 + 1000 * (20 + 30) / 2 / 11_000)
