"""A report's 12-month claims summed with numpy (steadya, issue 23): `programme_claims`, `cell_loss_ratio` and
`programme_withdrawals` give the frames `claims_summary`, `loss_ratio` and `savings_withdrawals` give for one
district's rows (dtypes and row order included) for every fourth district of the demo data at three periods, and
the figures of a plain per-row computation written out here and of hand-worked examples; rows they do not take
(two districts, no rows) go through pandas' code. The benefits to heirs a report sums from its JKM rows equal
`heirs_benefits`' sums."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.claims import (HEIRS_PROGRAMMES, LOSS_COLUMNS, PROGRAMME_COLUMNS, _one_district_cells,
                                 _one_district_rows, cell_loss_ratio, claims_summary, heirs_benefits, loss_ratio,
                                 programme_claims, programme_withdrawals, savings_withdrawals)
from ucj.analysis.district import as_of
from ucj.data.programme import BPU_JKK_JKM_RP, ELIGIBLE, PU_RISK_SHARE, RISK_PROGRAMMES, SAVINGS_PROGRAMMES


_WINDOWS: dict[tuple[int, pd.Timestamp], tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}


def twelve_months(ds, code: str, period: pd.Timestamp):  # type: ignore[no-untyped-def]
    """A report's rows: the district's claims, enrolment and contributions of the 12 months to `period`."""
    key = (id(ds), period)
    if key not in _WINDOWS:  # the 12 months of every district, cut once per dataset and period
        view = as_of(ds, period)
        start = period - pd.DateOffset(months=11)
        _WINDOWS[key] = tuple(df[df["month"] >= start] for df in (view.claims, view.enrolment, view.contributions))
    return tuple(df[df["district_code"] == code] for df in _WINDOWS[key])


def periods(ds) -> list[pd.Timestamp]:  # type: ignore[no-untyped-def]
    latest = pd.Timestamp(ds.enrolment["month"].max())
    return [latest, latest - pd.DateOffset(years=2), pd.Timestamp(latest.year, 1, 1)]


def by_hand_programmes(claims: pd.DataFrame, enrolment: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """(count, amount, eligible participant-months) by programme, row by row in plain Python."""
    out: dict[str, list[int]] = {}
    for r in claims.itertuples():
        got = out.setdefault(str(r.programme), [0, 0, 0])
        got[0] += int(r.claim_count)
        got[1] += int(r.claim_amount_rp)
    for prog, got in out.items():
        got[2] = sum(int(r.active) for r in enrolment.itertuples()
                     if any(str(r.segment) == s and (f is None or str(r.funding) == f) for s, f in ELIGIBLE[prog]))
    return {p: (c, a, m) for p, (c, a, m) in out.items()}


def test_programme_claims_are_claims_summarys_and_the_rows_sums(demo_ds) -> None:
    codes = [d.code for d in demo_ds.registry.all()][::4]
    for period in periods(demo_ds):
        for code in codes:
            c12, e12, _ = twelve_months(demo_ds, code, period)
            assert _one_district_rows(c12, e12)  # numpy's sums, not claims_summary's
            got = programme_claims(c12, e12)
            want = claims_summary(c12, e12, period="all", by=("programme",))[PROGRAMME_COLUMNS].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want, check_exact=True)
            hand = by_hand_programmes(c12, e12)
            assert list(got["programme"]) == sorted(hand)
            for r in got.itertuples():
                count, amount, months = hand[r.programme]
                assert (r.claim_count, r.claim_amount_rp, r.participant_months) == (count, amount, months)
                assert r.frequency_per_1000 == (1000 * 12 * count / months if months else None) or (
                    not months and math.isnan(r.frequency_per_1000))
                assert r.mean_claim_rp == (amount / count if count else None) or (
                    not count and math.isnan(r.mean_claim_rp))


def _cat(values: list[str], categories: list[str]) -> pd.Categorical:
    return pd.Categorical(values, categories=categories)


SEGMENTS, FUNDINGS = ["BPU", "Jakon", "PMI", "PU"], ["apbd", "apbn", "csr", "self_employer"]
PROGRAMMES = ["JHT", "JKK", "JKM", "JKP", "JP"]


def hand_rows() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One district, two months: claims, enrolment and contributions small enough to work out by hand."""
    m1, m2 = pd.to_datetime(["2025-01-01", "2025-02-01"]).as_unit("ns")  # the data's unit
    enrolment = pd.DataFrame({
        "district_code": _cat(["11.01"] * 4, ["11.01", "11.02"]), "month": [m1, m2, m1, m2],
        "segment": _cat(["PU", "PU", "BPU", "BPU"], SEGMENTS),
        "funding": _cat(["self_employer", "self_employer", "apbd", "apbd"], FUNDINGS),
        "active": np.array([10, 20, 2, 3], dtype="int64")})
    claims = pd.DataFrame({
        "district_code": _cat(["11.01"] * 4, ["11.01", "11.02"]), "month": [m1, m2, m1, m2],
        "segment": _cat(["PU", "PU", "BPU", "PU"], SEGMENTS),
        "funding": _cat(["self_employer", "self_employer", "apbd", "self_employer"], FUNDINGS),
        "programme": _cat(["JKK", "JKK", "JKM", "JHT"], PROGRAMMES),
        "claim_count": np.array([1, 2, 1, 0], dtype="int64"),
        "claim_amount_rp": np.array([100, 200, 5_000, 0], dtype="int64")})
    contributions = pd.DataFrame({
        "district_code": _cat(["11.01"] * 3, ["11.01", "11.02"]), "month": [m1, m2, m2],
        "segment": _cat(["PU", "PU", "BPU"], SEGMENTS),
        "funding": _cat(["self_employer", "self_employer", "apbd"], FUNDINGS),
        "contribution_rp": np.array([1_000, 1_000, 60_000], dtype="int64")})
    return claims, enrolment, contributions


def test_programme_claims_worked_by_hand() -> None:
    claims, enrolment, _ = hand_rows()
    assert _one_district_rows(claims, enrolment)  # numpy's sums
    got = programme_claims(claims, enrolment)
    # JHT: PU (any funding) and BPU self-employed: 10 + 20; JKK, JKM: every segment: 10 + 20 + 2 + 3
    assert list(got["programme"]) == ["JHT", "JKK", "JKM"]
    assert list(got["claim_count"]) == [0, 3, 1] and list(got["claim_amount_rp"]) == [0, 300, 5_000]
    assert list(got["participant_months"]) == [30, 35, 35]
    assert got["frequency_per_1000"].tolist() == [0.0, 36_000 / 35, 12_000 / 35]
    assert math.isnan(got["mean_claim_rp"].iloc[0]) and got["mean_claim_rp"].tolist()[1:] == [100.0, 5_000.0]
    pd.testing.assert_frame_equal(got, claims_summary(claims, enrolment, period="all", by=("programme",))[
        PROGRAMME_COLUMNS].reset_index(drop=True), check_exact=True)


def test_cell_loss_ratio_worked_by_hand() -> None:
    claims, enrolment, contributions = hand_rows()
    assert _one_district_cells(claims, contributions, enrolment)
    got = cell_loss_ratio(claims, contributions, enrolment)
    # PU self-employed: JKK 300 over the risk share of 2 x Rp 1,000; BPU APBD: JKM 5,000 over at most Rp 16,800 a
    # participant (3 in February: 50,400 of the 60,000); the JHT claim is savings, not a loss
    pu = round(1_000 * PU_RISK_SHARE)
    assert BPU_JKK_JKM_RP == 16_800 and pu == 85
    assert [(str(s), str(f)) for s, f in zip(got["segment"], got["funding"])] == [("BPU", "apbd"),
                                                                                  ("PU", "self_employer")]
    assert list(got["claim_amount_rp"]) == [5_000, 300] and list(got["contribution_rp"]) == [50_400, 2 * pu]
    assert got["loss_ratio"].tolist() == [5_000 / 50_400, 300 / (2 * pu)]
    pd.testing.assert_frame_equal(got, loss_ratio(claims, contributions, enrolment, period="all")[LOSS_COLUMNS]
                                  .reset_index(drop=True), check_exact=True)
    # a cell with claims and no contribution: no ratio
    no_pay = cell_loss_ratio(claims, contributions.iloc[:2], enrolment)
    assert math.isnan(no_pay["loss_ratio"].iloc[0]) and no_pay["contribution_rp"].iloc[0] == 0


def test_cell_loss_ratio_is_loss_ratios(demo_ds) -> None:
    codes = [d.code for d in demo_ds.registry.all()][::4]
    for period in periods(demo_ds):
        for code in codes:
            c12, e12, k12 = twelve_months(demo_ds, code, period)
            assert _one_district_cells(c12, k12, e12)
            got = cell_loss_ratio(c12, k12, e12)
            want = loss_ratio(c12, k12, e12, period="all")[LOSS_COLUMNS].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want, check_exact=True)
            risk = c12[c12["programme"].isin(RISK_PROGRAMMES)]
            assert got["claim_amount_rp"].sum() == risk["claim_amount_rp"].sum()


def test_withdrawals_and_heirs(demo_ds) -> None:
    codes = [d.code for d in demo_ds.registry.all()][::4]
    for period in periods(demo_ds):
        for code in codes:
            c12, _, _ = twelve_months(demo_ds, code, period)
            got = programme_withdrawals(c12)
            want = savings_withdrawals(c12, period="all")[["programme", "claim_count", "claim_amount_rp"]]
            pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_exact=True)
            for prog in SAVINGS_PROGRAMMES:  # the rows' own sums
                rows = c12[c12["programme"] == prog]
                shown = got[got["programme"] == prog]
                assert len(shown) == (1 if len(rows) else 0)
                if len(rows):
                    assert int(shown["claim_count"].iloc[0]) == sum(int(x) for x in rows["claim_count"])
            heirs = heirs_benefits(c12, period="all")
            jkm = c12[c12["programme"].isin(HEIRS_PROGRAMMES)]
            assert int(jkm["claim_count"].sum()) == (int(heirs["deaths"].sum()) if len(heirs) else 0)
            assert int(jkm["claim_amount_rp"].sum()) == (int(heirs["paid_to_heirs_rp"].sum()) if len(heirs) else 0)


@pytest.mark.parametrize("rows", ["two_districts", "empty", "float_active"])
def test_other_rows_go_through_pandas(demo_ds, rows: str) -> None:
    period = pd.Timestamp(demo_ds.enrolment["month"].max())
    codes = [d.code for d in demo_ds.registry.all()][:2]
    parts = [twelve_months(demo_ds, c, period) for c in codes]
    c12, e12, k12 = (pd.concat([p[i] for p in parts]) for i in range(3))
    if rows == "empty":
        c12, e12, k12 = c12.iloc[:0], e12.iloc[:0], k12.iloc[:0]
    if rows == "float_active":
        c12, e12, k12 = parts[0]
        e12 = e12.assign(active=e12["active"].astype("float64"))
    assert _one_district_rows(c12, e12) is None and not _one_district_cells(c12, k12, e12)
    pd.testing.assert_frame_equal(programme_claims(c12, e12), claims_summary(
        c12, e12, period="all", by=("programme",))[PROGRAMME_COLUMNS].reset_index(drop=True), check_exact=True)
    pd.testing.assert_frame_equal(cell_loss_ratio(c12, k12, e12), loss_ratio(
        c12, k12, e12, period="all")[LOSS_COLUMNS].reset_index(drop=True), check_exact=True)
    if rows != "float_active":
        pd.testing.assert_frame_equal(programme_withdrawals(c12), savings_withdrawals(c12, period="all")[
            ["programme", "claim_count", "claim_amount_rp"]].reset_index(drop=True), check_exact=True)
