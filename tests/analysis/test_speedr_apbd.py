"""A district's APBD-funded claims summed directly (speedr): `apbd_claims_all` gives what the report computed with
`claims_summary` over the district's claims and enrolment (written out here as it stood), for every district of the
demo data (every fourth, across the country) at its latest month and two years earlier, and for hand-made rows: no APBD row, APBD rows without a claim,
a count of 0 with an amount."""

from __future__ import annotations

import json
import math

import pandas as pd

from ucj.analysis.claims import claims_summary
from ucj.analysis.district import apbd_claims_all, as_of, jsonable


def as_summary(c_d: pd.DataFrame, e_d: pd.DataFrame) -> dict[str, object]:
    """The figures as district_figures computed them before."""
    apbd = claims_summary(c_d, e_d, period="all", by=(), filters={"funding": "apbd"})
    apbd_months = c_d[(c_d["funding"] == "apbd") & (c_d["claim_count"] > 0)]["month"]
    return {
        "count": int(apbd["claim_count"].sum()) if len(apbd) else 0,
        "amount_rp": int(apbd["claim_amount_rp"].sum()) if len(apbd) else 0,
        "mean_claim_rp": float(apbd["mean_claim_rp"].iloc[0]) if len(apbd) else math.nan,
        "first_month": f"{apbd_months.min():%Y-%m}" if len(apbd_months) else None,
        "last_month": f"{apbd_months.max():%Y-%m}" if len(apbd_months) else None,
    }


def same(got: dict[str, object], want: dict[str, object]) -> bool:
    """Equal values and types (NaN equal to NaN; a mean compared bit for bit through its repr)."""
    return (json.dumps(jsonable(got), sort_keys=True) == json.dumps(jsonable(want), sort_keys=True)
            and {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in want.items()}
            and repr(got["mean_claim_rp"]) == repr(want["mean_claim_rp"]))


def test_every_district_as_the_summary_gave(demo_ds) -> None:
    latest = pd.Timestamp(demo_ds.enrolment["month"].max())
    seen_value = False
    for period in (latest, latest - pd.DateOffset(years=2)):
        view = as_of(demo_ds, period)
        claims, enrolment = view.claims, view.enrolment
        for n, (code, c_d) in enumerate(claims.groupby("district_code", observed=True)):
            if n % 4:
                continue
            e_d = enrolment[enrolment["district_code"] == code]
            got, want = apbd_claims_all(c_d), as_summary(c_d, e_d)
            assert same(got, want), (code, period, got, want)
            seen_value |= not math.isnan(float(want["mean_claim_rp"]))  # type: ignore[arg-type]
    assert seen_value


def test_hand_made_rows() -> None:
    def rows(funding: list[str], count: list[int], amount: list[int]) -> pd.DataFrame:
        n = len(funding)
        return pd.DataFrame({
            "district_code": pd.Categorical(["71.02"] * n), "month": pd.date_range("2024-01-01", periods=n, freq="MS"),
            "segment": pd.Categorical(["BPU"] * n), "funding": pd.Categorical(funding, categories=["apbd", "self_employer"]),
            "programme": pd.Categorical(["JKK"] * n), "claim_count": pd.array(count, dtype="int64"),
            "claim_amount_rp": pd.array(amount, dtype="int64"), "source": pd.Categorical(["x"] * n)})

    enrolment = pd.DataFrame({"district_code": pd.Categorical(["71.02"]), "month": pd.to_datetime(["2024-01-01"]),
                              "segment": pd.Categorical(["BPU"]), "funding": pd.Categorical(["apbd"]),
                              "active": pd.array([10], dtype="int64")})
    cases = [rows(["self_employer"] * 3, [1, 2, 3], [10, 20, 30]),  # no APBD row
             rows(["apbd", "apbd", "self_employer"], [0, 0, 4], [0, 0, 40]),  # APBD rows without a claim
             rows(["apbd", "apbd"], [0, 3], [7, 1_000_003]),  # a month with a count of 0 and an amount
             rows(["apbd", "self_employer"], [0, 2], [5, 9]),  # no APBD claim, an APBD amount all the same
             rows(["apbd", "apbd", "apbd"], [3, 0, 7], [1_000_001, 0, 2_000_003])]
    for c_d in cases:
        assert same(apbd_claims_all(c_d), as_summary(c_d, enrolment)), c_d
