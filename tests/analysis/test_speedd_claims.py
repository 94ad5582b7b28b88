"""claims_summary, savings_withdrawals and heirs_benefits sum their columns with plain groupby sums (speedd, issue 23) instead of pandas' named
aggregation: the same frames, values, order and dtypes, checked against the named-aggregation version it
replaced, written out here, for every level, period, grouping and filter a report or an overview uses,
on whole tables, one district's rows and empty rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ucj.analysis.claims import (HEIRS_PROGRAMMES, SAVINGS_PROGRAMMES, _periods, _select, _time_cols, claims_summary,
                                 eligible, heirs_benefits, savings_withdrawals)
from ucj.analysis.coverage import with_geo
from ucj.analysis.reasons import reason as reason_code


def named_aggregation_claims_summary(claims, enrolment, *, level="district", period="year", by=("programme",),
                                     filters=None):  # type: ignore[no-untyped-def]
    """claims_summary as it was before (named aggregation)."""
    c, e = _select(claims, filters), _select(enrolment, filters)
    c, geo = with_geo(_periods(c, period), level)
    e, _ = with_geo(_periods(e, period), level)
    t = _time_cols(period)
    by = tuple(by)
    out = c.groupby(geo + t + list(by), observed=True).agg(
        claim_count=("claim_count", "sum"), claim_amount_rp=("claim_amount_rp", "sum")).reset_index()
    exposure_keys = [k for k in by if k in ("segment", "funding")]
    if "programme" in by:
        parts = []
        for prog in sorted(out["programme"].unique()):
            ee = e[eligible(e, prog)]
            ex = ee.groupby(geo + t + exposure_keys, observed=True).agg(
                participant_months=("active", "sum")).reset_index()
            parts.append(ex.assign(programme=prog))
        exposure = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=geo + t + exposure_keys + ["participant_months", "programme"])
        keys = geo + t + exposure_keys + ["programme"]
    else:
        exposure = e.groupby(geo + t + exposure_keys, observed=True).agg(
            participant_months=("active", "sum")).reset_index()
        keys = geo + t + exposure_keys
    out = out.merge(exposure, on=keys, how="left")
    out["participant_months"] = out["participant_months"].fillna(0).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["frequency_per_1000"] = 1000 * 12 * out["claim_count"] / out["participant_months"]
        out["mean_claim_rp"] = out["claim_amount_rp"] / out["claim_count"]
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="str")
    none = out["claim_count"] == 0
    out.loc[none, "mean_claim_rp"] = np.nan
    out.loc[none, "reason"] = reason_code("reason_no_claims")
    no_exp = out["participant_months"] == 0
    out.loc[no_exp, "frequency_per_1000"] = np.nan
    out.loc[no_exp, "reason"] = reason_code("reason_no_participants")
    return out.sort_values(geo + t + list(by)).reset_index(drop=True)


CASES = [dict(period="all", by=("programme",)), dict(period="all", by=(), filters={"funding": "apbd"}),
         dict(period="year", by=("programme",)), dict(period="month", by=("programme", "segment")),
         dict(period="year", by=("programme", "funding"), level="province"),
         dict(period="year", by=("segment",), level="national"), dict(period="all", by=("funding",)),
         dict(period="year", by=("programme",), filters={"funding": ["apbd", "csr"], "segment": "BPU"})]


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_claims_summary_equals_the_named_aggregation_version(demo_ds, case):
    claims, enrolment = demo_ds.claims, demo_ds.enrolment
    inputs = [(claims, enrolment)]
    for code in ("75.02", "71.02", "11.01"):  # one district's rows, as a report passes them (and its last 12 months)
        c, e = claims[claims["district_code"] == code], enrolment[enrolment["district_code"] == code]
        start = e["month"].max() - pd.DateOffset(months=11)
        inputs += [(c, e), (c[c["month"] >= start], e[e["month"] >= start])]
    inputs.append((claims.iloc[:0], enrolment.iloc[:0]))  # nothing
    inputs.append((claims[claims["district_code"] == "75.02"].iloc[:0], enrolment[enrolment["district_code"] == "75.02"]))
    for c, e in inputs:
        try:
            expected = named_aggregation_claims_summary(c, e, **case)
        except ValueError:  # no claims by month: the old version could not merge an empty month column
            assert len(c) == 0 and case["period"] == "month"
            try:
                assert claims_summary(c, e, **case).empty
            except ValueError:
                pass
            continue
        got = claims_summary(c, e, **case)
        pd.testing.assert_frame_equal(got, expected)  # values, column order, index and dtypes


def named_aggregation_savings(claims, *, level="district", period="year", filters=None):  # type: ignore[no-untyped-def]
    c = _select(claims[claims["programme"].isin(SAVINGS_PROGRAMMES)], filters)
    c, geo = with_geo(_periods(c, period), level)
    keys = geo + _time_cols(period) + ["programme"]
    return c.groupby(keys, observed=True).agg(claim_count=("claim_count", "sum"),
                                              claim_amount_rp=("claim_amount_rp", "sum")).reset_index()


def named_aggregation_heirs(claims, *, level="district", period="year", filters=None):  # type: ignore[no-untyped-def]
    c = _select(claims[claims["programme"].isin(HEIRS_PROGRAMMES)], filters)
    c, geo = with_geo(_periods(c, period), level)
    keys = geo + _time_cols(period)
    return c.groupby(keys, observed=True).agg(deaths=("claim_count", "sum"),
                                              paid_to_heirs_rp=("claim_amount_rp", "sum")).reset_index()


@pytest.mark.parametrize("case", [dict(period="all"), dict(period="year", level="province"),
                                  dict(period="month", filters={"funding": "apbd"}), dict(period="year", level="national")])
def test_savings_and_heirs_equal_the_named_aggregation_versions(demo_ds, case):
    claims = demo_ds.claims
    last = claims["month"].max() - pd.DateOffset(months=11)
    for c in (claims, claims[claims["district_code"] == "75.02"],
              claims[(claims["district_code"] == "71.02") & (claims["month"] >= last)], claims.iloc[:0]):
        for ours, theirs in ((savings_withdrawals, named_aggregation_savings), (heirs_benefits, named_aggregation_heirs)):
            try:
                expected = theirs(c, **case)
            except ValueError:  # the old version on no rows by month
                assert len(c) == 0
                continue
            pd.testing.assert_frame_equal(ours(c, **case), expected)
