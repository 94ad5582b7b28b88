"""Claims: counts and Rupiah by programme, frequency per 1,000 participants, severity, loss ratio,
and benefits paid to heirs.

Frequency follows the ILO incidence rate: claims per 1,000 participants per year, with the exposure
taken from the enrolment table: the participant-months of the participants eligible for the
programme (JP and JKP: wage earners only; see ucj.data.programme.ELIGIBLE), in every month of the
period, so months without claims count as zero rather than vanishing. The loss ratio is for the
risk programmes (JKK+JKM) against the part of the contributions that pays for them; JHT and JP
payments are the worker's own savings paid back and are reported apart as withdrawals.
Rp amounts stay exact integers; ratios are floats. Figures that cannot be computed (no claims,
no contributions, no participants) are NaN with a reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ucj.analysis.coverage import Level, with_geo
from ucj.data.programme import BPU_JKK_JKM_RP, ELIGIBLE, PU_RISK_SHARE, RISK_PROGRAMMES, SAVINGS_PROGRAMMES
from ucj.analysis.reasons import reason as reason_code

HEIRS_PROGRAMMES = ("JKM",)
# Benefits to heirs count JKM death benefits; JKK death benefits are not separated from other JKK claims in
# the claims table, so they are not included (the report says so: catalogue key heirs_note).


def programme_kind(programme: str) -> str:
    """risk (JKK, JKM), savings (JHT, JP: withdrawals of the worker's own savings) or job_loss (JKP)."""
    if programme in RISK_PROGRAMMES:
        return "risk"
    return "savings" if programme in SAVINGS_PROGRAMMES else "job_loss"


def eligible(enrolment: pd.DataFrame, programme: str) -> pd.Series:
    """True for the enrolment rows whose participants are eligible for `programme`."""
    mask = pd.Series(False, index=enrolment.index)
    for seg, fund in ELIGIBLE[programme]:
        m = enrolment["segment"] == seg
        if fund is not None:
            m &= enrolment["funding"] == fund
        mask |= m
    return mask


def _periods(df: pd.DataFrame, period: str) -> pd.DataFrame:
    if period == "year":
        return df.assign(year=df["month"].dt.year)
    if period == "all":
        return df.assign(period="all")
    return df


def _select(df: pd.DataFrame, filters: dict[str, object] | None) -> pd.DataFrame:
    """Rows matching every filter (a value or a list of values per column); columns absent are ignored."""
    for col, val in (filters or {}).items():
        if col in df.columns:
            df = df[df[col].isin(val if isinstance(val, (list, tuple, set)) else [val])]
    return df


def _time_cols(period: str) -> list[str]:
    return {"year": ["year"], "month": ["month"], "all": ["period"]}[period]


def _grouped_exposure(ee: pd.DataFrame, keys: list[str], programme: str) -> pd.DataFrame:
    """One programme's exposure from its eligible rows `ee`, grouped by `keys`."""
    ex = ee.groupby(keys, observed=True)["active"].sum().rename("participant_months").reset_index()
    return ex.assign(programme=programme)


def _eligible_exposure(e: pd.DataFrame, keys: list[str], programmes: list[str]) -> pd.DataFrame:
    """Each programme's exposure: the participant-months (`active` summed) of its eligible rows by `keys`, one
    frame (keys, participant_months, programme), programme after programme, each in `keys` order.

    Written by hand for speed (a report's claims table by programme): the rows are grouped once and each
    programme's integer sums taken with numpy over its eligible rows, where a groupby per programme cost about
    1.5 ms each (five programmes; 8 ms of a report). The same frame as grouping each programme's rows: the
    groups of the whole rows in the same order, kept where the programme has an eligible row
    (tests/analysis/test_speedp_exposure.py compares the two, written out there, for every level, period and
    grouping; test_speedd_claims.py the whole claims_summary). Sums that are not of integers (a float `active`)
    and a programme without an eligible row go through the groupby, as before."""
    parts = []
    if e["active"].dtype.kind in "iu" and programmes:
        grouped = e.groupby(keys, observed=True)
        ids = grouped.ngroup().to_numpy()  # each row's group, numbered in the groups' sorted order (-1: a NA key)
        # the groups' keys in that order, as a groupby's frame has them (its columns' dtype included)
        cells = grouped["active"].sum().rename("participant_months").reset_index()
        active = e["active"].to_numpy(dtype="int64")
        for prog in programmes:
            mask = eligible(e, prog).to_numpy()
            rows = mask & (ids >= 0)
            if not rows.any():  # nothing to sum: the empty frame the groupby makes (its categories' codes too)
                parts.append(_grouped_exposure(e[mask], keys, prog))
                continue
            sums = np.zeros(len(cells), dtype="int64")
            np.add.at(sums, ids[rows], active[rows])
            present = np.bincount(ids[rows], minlength=len(cells)) > 0
            parts.append(cells[present].assign(participant_months=sums[present], programme=prog))
    else:
        parts = [_grouped_exposure(e[eligible(e, prog)], keys, prog) for prog in programmes]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=keys + ["participant_months", "programme"])


def claims_summary(
    claims: pd.DataFrame,
    enrolment: pd.DataFrame,
    *,
    level: Level = "district",
    period: str = "year",
    by: tuple[str, ...] = ("programme",),
    filters: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Claims count and amount, frequency per 1,000 participants per year, and mean claim.

    `by` adds any of programme, segment, funding. `filters` selects rows first, e.g.
    {"district_code": "74.13", "funding": "apbd"}. `period` is year, month or all. The exposure is
    every month of `enrolment` in the period (pass the enrolment of the same window as the claims),
    over the participants eligible for each programme; without `programme` in `by`, every participant.
    """
    c, e = _select(claims, filters), _select(enrolment, filters)
    c, geo = with_geo(_periods(c, period), level)
    e, _ = with_geo(_periods(e, period), level)
    t = _time_cols(period)
    by = tuple(by)
    # plain column sums, not named aggregation: the same frame, without pandas' per-call renaming machinery
    # (about half of this function's time; tests/analysis/test_speedd_claims.py compares the two)
    out = c.groupby(geo + t + list(by), observed=True)[["claim_count", "claim_amount_rp"]].sum().reset_index()
    exposure_keys = [k for k in by if k in ("segment", "funding")]
    if "programme" in by:
        exposure = _eligible_exposure(e, geo + t + exposure_keys, sorted(out["programme"].unique()))
        keys = geo + t + exposure_keys + ["programme"]
    else:
        exposure = e.groupby(geo + t + exposure_keys, observed=True)["active"].sum().rename(
            "participant_months").reset_index()
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


PROGRAMME_COLUMNS = ["programme", "claim_count", "claim_amount_rp", "participant_months", "frequency_per_1000",
                     "mean_claim_rp"]


def programme_claims(claims: pd.DataFrame, enrolment: pd.DataFrame) -> pd.DataFrame:
    """One district's claims by programme over all the rows given (a report's 12 months): `claims_summary(claims,
    enrolment, period="all", by=("programme",))[PROGRAMME_COLUMNS]`, the same frame (dtypes and row order
    included).

    Summed here with numpy when every row is one district's, with integer counts, amounts and participants and
    categorical segments, fundings and programmes without a missing value (a report's rows): a few hundred rows,
    where pandas' grouping, merge, sorting and reasons took about 11 ms a report against 1. Anything else goes
    through `claims_summary`. The sums and ratios are the same integer sums and float64 divisions; the rows the
    programmes with a row in `claims`, in text order (claims_summary sorts its programme text);
    tests/analysis/test_steadya_claims.py compares the two and a hand-worked example."""
    fast = _one_district_rows(claims, enrolment)
    if fast is None:
        out = claims_summary(claims, enrolment, period="all", by=("programme",))
        return out[PROGRAMME_COLUMNS].reset_index(drop=True)
    prog = claims["programme"]
    codes = prog.cat.codes.to_numpy()
    names = np.asarray(prog.cat.categories, dtype=object)
    count = np.zeros(len(names), dtype="int64")
    amount = np.zeros(len(names), dtype="int64")
    np.add.at(count, codes, claims["claim_count"].to_numpy(dtype="int64"))
    np.add.at(amount, codes, claims["claim_amount_rp"].to_numpy(dtype="int64"))
    present = sorted(range(len(names)), key=lambda i: str(names[i])) if len(codes) else []
    present = [i for i in present if (codes == i).any()]
    active = enrolment["active"].to_numpy(dtype="int64")
    seg = enrolment["segment"].to_numpy(dtype=object)
    fund = enrolment["funding"].to_numpy(dtype=object)
    months = []
    for i in present:  # each programme's eligible participant-months (claims.eligible, on plain arrays)
        mask = np.zeros(len(active), dtype=bool)
        for s_, f_ in ELIGIBLE[str(names[i])]:
            mask |= (seg == s_) if f_ is None else ((seg == s_) & (fund == f_))
        months.append(int(active[mask].sum()))
    c, a, m = count[present], amount[present], np.array(months, dtype="int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        frequency = 1000 * 12 * c / m
        mean = a / c
    frequency[m == 0] = np.nan
    mean[c == 0] = np.nan
    return pd.DataFrame({"programme": pd.array([str(names[i]) for i in present], dtype="str"), "claim_count": c,
                         "claim_amount_rp": a, "participant_months": m, "frequency_per_1000": frequency,
                         "mean_claim_rp": mean})


def _one_district_rows(claims: pd.DataFrame, enrolment: pd.DataFrame) -> bool | None:
    """True when `programme_claims` may sum the rows itself (see there), else None."""
    for df, cols in ((claims, ("programme", "segment", "funding")), (enrolment, ("segment", "funding"))):
        if not all(isinstance(df[c].dtype, pd.CategoricalDtype) and not df[c].isna().any() for c in cols):
            return None
    if not (claims["claim_count"].dtype == "int64" and claims["claim_amount_rp"].dtype == "int64"
            and enrolment["active"].dtype == "int64"):
        return None
    codes = set(claims["district_code"].unique()) | set(enrolment["district_code"].unique())
    if len(codes) != 1 or not len(claims) or not len(enrolment) or claims["district_code"].isna().any():
        return None
    return True


def severity(claims: pd.DataFrame, by: tuple[str, ...] = ("programme",)) -> pd.DataFrame:
    """Mean claim, and the median of monthly mean claims, by `by` (Rp per claim).

    The claims table holds monthly totals, not single claims, so the true median claim cannot be
    computed; `median_monthly_mean_claim_rp` is the claim-weighted median of the monthly means.
    """
    c = claims[claims["claim_count"] > 0].copy()
    c["monthly_mean"] = c["claim_amount_rp"] / c["claim_count"]
    rows = []
    for key, g in c.groupby(list(by), observed=True):
        g = g.sort_values("monthly_mean")
        cum = g["claim_count"].cumsum()
        median = float(g["monthly_mean"].iloc[int(np.searchsorted(cum, cum.iloc[-1] / 2))])
        rows.append((*(key if isinstance(key, tuple) else (key,)), int(g["claim_count"].sum()),
                     int(g["claim_amount_rp"].sum()), g["claim_amount_rp"].sum() / g["claim_count"].sum(), median))
    return pd.DataFrame(rows, columns=[*by, "claim_count", "claim_amount_rp", "mean_claim_rp",
                                       "median_monthly_mean_claim_rp"])


def risk_contributions(contributions: pd.DataFrame, enrolment: pd.DataFrame) -> pd.DataFrame:
    """The contributions with `contribution_rp` cut to the part that pays JKK+JKM (see
    ucj.data.programme.SOURCES): PU x PU_RISK_SHARE; BPU at most Rp 16,800 per active participant;
    construction (Jakon) and migrant (PMI) contributions whole (they are JKK+JKM)."""
    cell = ["district_code", "month", "segment", "funding"]
    k = contributions.merge(enrolment[cell + ["active"]], on=cell, how="left")
    amount = k["contribution_rp"].astype("float64")
    bpu_cap = k["active"].fillna(0).astype("float64") * BPU_JKK_JKM_RP
    amount = amount.where(k["segment"] != "PU", amount * PU_RISK_SHARE)
    amount = amount.where(k["segment"] != "BPU", np.minimum(amount, bpu_cap))
    return k.drop(columns="active").assign(contribution_rp=np.round(amount).astype("int64"))


def loss_ratio(
    claims: pd.DataFrame,
    contributions: pd.DataFrame,
    enrolment: pd.DataFrame,
    *,
    level: Level = "district",
    period: str = "year",
    by: tuple[str, ...] = ("segment", "funding"),
    filters: dict[str, object] | None = None,
) -> pd.DataFrame:
    """JKK+JKM claims paid over the contributions that pay for them, same period and cells
    (1.0 = break-even). JHT and JP are savings, not losses: see `savings_withdrawals`."""
    c = _select(claims[claims["programme"].isin(RISK_PROGRAMMES)], filters)
    k = _select(risk_contributions(contributions, enrolment), filters)
    c, geo = with_geo(_periods(c, period), level)
    k, _ = with_geo(_periods(k, period), level)
    keys = geo + _time_cols(period) + list(by)
    paid = c.groupby(keys, observed=True)["claim_amount_rp"].sum()
    due = k.groupby(keys, observed=True)["contribution_rp"].sum()
    out = pd.concat([paid, due], axis=1).fillna(0).astype("int64").reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["loss_ratio"] = out["claim_amount_rp"] / out["contribution_rp"]
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="str")
    zero = out["contribution_rp"] == 0
    out.loc[zero, "loss_ratio"] = np.nan
    out.loc[zero, "reason"] = reason_code("reason_no_contributions")
    return out.sort_values(keys).reset_index(drop=True)


LOSS_COLUMNS = ["segment", "funding", "claim_amount_rp", "contribution_rp", "loss_ratio"]


def cell_loss_ratio(claims: pd.DataFrame, contributions: pd.DataFrame, enrolment: pd.DataFrame) -> pd.DataFrame:
    """One district's loss ratio by segment and funding over all the rows given (a report's 12 months):
    `loss_ratio(claims, contributions, enrolment, period="all")[LOSS_COLUMNS]`, the same frame (dtypes and row order
    included).

    Summed here with numpy when every row is one district's, the segments and fundings categorical of one dtype in
    the three tables without a missing value, the amounts and participants integers, and each enrolment cell
    (month, segment, funding) one row (a report's rows): pandas' merge, two groupings, the join and the sorting took
    about 9 ms a report against 1. Anything else goes through `loss_ratio`. The same risk shares of the
    contributions (`risk_contributions`: the same float64 operations, rounded), integer sums and float64 ratio; the
    cells with a claim or a contribution row, in the categories' order (loss_ratio sorts them so);
    tests/analysis/test_steadya_claims.py compares the two and a hand-worked example."""
    if not _one_district_cells(claims, contributions, enrolment):
        out = loss_ratio(claims, contributions, enrolment, period="all")
        return out[LOSS_COLUMNS].reset_index(drop=True)
    seg_t, fund_t = claims["segment"].dtype, claims["funding"].dtype
    nf = len(fund_t.categories)
    c = claims[claims["programme"].isin(RISK_PROGRAMMES)]
    c_cell = c["segment"].cat.codes.to_numpy().astype("int64") * nf + c["funding"].cat.codes.to_numpy()
    k_seg = contributions["segment"].cat.codes.to_numpy().astype("int64")
    k_cell = k_seg * nf + contributions["funding"].cat.codes.to_numpy()
    # each contribution row's active participants in its enrolment cell (risk_contributions' merge; 0 without one)
    e_cell = enrolment["segment"].cat.codes.to_numpy().astype("int64") * nf + enrolment["funding"].cat.codes.to_numpy()
    active_of = dict(zip(zip(enrolment["month"].to_numpy().tolist(), e_cell.tolist()),
                         enrolment["active"].to_numpy(dtype="int64").tolist()))
    k_active = np.array([float(active_of.get(key, 0)) for key in zip(contributions["month"].to_numpy().tolist(),
                                                                     k_cell.tolist())], dtype="float64")
    amount = contributions["contribution_rp"].to_numpy(dtype="int64").astype("float64")
    seg_names = np.asarray(seg_t.categories, dtype=object)[k_seg]
    amount = np.where(seg_names != "PU", amount, amount * PU_RISK_SHARE)
    amount = np.where(seg_names != "BPU", amount, np.minimum(amount, k_active * BPU_JKK_JKM_RP))
    due_rows = np.round(amount).astype("int64")
    cells = sorted(set(c_cell.tolist()) | set(k_cell.tolist()))
    at = {cell: i for i, cell in enumerate(cells)}
    paid, due = np.zeros(len(cells), dtype="int64"), np.zeros(len(cells), dtype="int64")
    np.add.at(paid, [at[x] for x in c_cell.tolist()], c["claim_amount_rp"].to_numpy(dtype="int64"))
    np.add.at(due, [at[x] for x in k_cell.tolist()], due_rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = paid / due
    ratio[due == 0] = np.nan
    keys = np.array(cells, dtype="int64")
    return pd.DataFrame({"segment": pd.Categorical.from_codes(keys // nf, dtype=seg_t),
                         "funding": pd.Categorical.from_codes(keys % nf, dtype=fund_t),
                         "claim_amount_rp": paid, "contribution_rp": due, "loss_ratio": ratio})


def _one_district_cells(claims: pd.DataFrame, contributions: pd.DataFrame, enrolment: pd.DataFrame) -> bool:
    """Whether `cell_loss_ratio` may sum the rows itself (see there)."""
    tables = (claims, contributions, enrolment)
    for col in ("segment", "funding"):
        dtype = claims[col].dtype
        if not isinstance(dtype, pd.CategoricalDtype) or any(df[col].dtype != dtype or df[col].isna().any()
                                                              for df in tables):
            return False
    if not (claims["claim_amount_rp"].dtype == "int64" and contributions["contribution_rp"].dtype == "int64"
            and enrolment["active"].dtype == "int64" and isinstance(claims["programme"].dtype, pd.CategoricalDtype)):
        return False
    codes = set().union(*(set(df["district_code"].unique()) for df in tables))
    if len(codes) != 1 or any(df["district_code"].isna().any() for df in tables):
        return False
    if not len(contributions) or not len(claims[claims["programme"].isin(RISK_PROGRAMMES)]):
        return False
    return not enrolment.duplicated(["month", "segment", "funding"]).any()


def savings_withdrawals(claims: pd.DataFrame, *, level: Level = "district", period: str = "year",
                        filters: dict[str, object] | None = None) -> pd.DataFrame:
    """JHT and JP payments (the worker's own savings paid back), by programme: count and Rp."""
    c = _select(claims[claims["programme"].isin(SAVINGS_PROGRAMMES)], filters)
    c, geo = with_geo(_periods(c, period), level)
    keys = geo + _time_cols(period) + ["programme"]
    return c.groupby(keys, observed=True)[["claim_count", "claim_amount_rp"]].sum().reset_index()  # as claims_summary


def programme_withdrawals(claims: pd.DataFrame) -> pd.DataFrame:
    """One district's JHT and JP withdrawals over all the rows given (a report's 12 months): `savings_withdrawals(
    claims, period="all")[["programme", "claim_count", "claim_amount_rp"]]`, the same frame, summed with numpy when
    the rows are one district's with categorical programmes and integer counts and amounts (about 3 ms a report in
    pandas against 0.3); anything else through `savings_withdrawals` (tests/analysis/test_steadya_claims.py)."""
    cols = ["programme", "claim_count", "claim_amount_rp"]
    prog = claims["programme"]
    if not (isinstance(prog.dtype, pd.CategoricalDtype) and claims["claim_count"].dtype == "int64"
            and claims["claim_amount_rp"].dtype == "int64" and claims["district_code"].nunique(dropna=False) == 1):
        return savings_withdrawals(claims, period="all")[cols].reset_index(drop=True)
    rows = prog.isin(SAVINGS_PROGRAMMES).to_numpy()
    codes = prog.cat.codes.to_numpy()[rows]
    n = len(prog.cat.categories)
    count, amount = np.zeros(n, dtype="int64"), np.zeros(n, dtype="int64")
    np.add.at(count, codes, claims["claim_count"].to_numpy(dtype="int64")[rows])
    np.add.at(amount, codes, claims["claim_amount_rp"].to_numpy(dtype="int64")[rows])
    present = np.flatnonzero(np.bincount(codes, minlength=n) > 0)  # the programmes with a row, in category order
    return pd.DataFrame({"programme": pd.Categorical.from_codes(present, dtype=prog.dtype),
                         "claim_count": count[present], "claim_amount_rp": amount[present]})


def heirs_benefits(claims: pd.DataFrame, *, level: Level = "district", period: str = "year",
                   filters: dict[str, object] | None = None) -> pd.DataFrame:
    """Benefits paid to heirs (JKM death benefits): count of deaths and Rp paid."""
    c = _select(claims[claims["programme"].isin(HEIRS_PROGRAMMES)], filters)
    c, geo = with_geo(_periods(c, period), level)
    keys = geo + _time_cols(period)
    out = c.groupby(keys, observed=True)[["claim_count", "claim_amount_rp"]].sum().reset_index().rename(
        columns={"claim_count": "deaths", "claim_amount_rp": "paid_to_heirs_rp"})  # plain sums, as claims_summary
    return out
