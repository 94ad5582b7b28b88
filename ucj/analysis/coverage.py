"""Coverage: active participants over a denominator the caller names, the numerator following it.

Published coverage figures disagree mostly over the denominator (working population, employees,
informal workers or a branch "potensi pekerja" list), so every figure here carries its
denominator's name. The numerator follows the denominator (domain notes §2, `PAIRINGS`):
wage-earner (PU) participants over employees; BPU participants (all of whom hold JKK+JKM) over
informal workers; all participants over the working population or a potensi pekerja list.
Where a figure cannot be computed it is NaN with a `reason`, never a guess. A value over 100 %
is kept and carries `OVER_100_NOTE`: participants are counted where they register, Sakernas
counts workers where they live.

Yearly coverage uses the active participants of the last month of the year present in the data
(December for a full year) over that year's denominator. Monthly coverage uses the month's
active participants over the denominator of the month's year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ucj.core.errors import UcjInputError
from ucj.data.schema import DENOMINATORS
from ucj.analysis.reasons import reason as reason_code

Level = Literal["district", "province", "national"]


@dataclass(frozen=True)
class Pairing:
    """Which participants a denominator is divided into."""

    denominator: str
    numerator: str  # a name the report translates, e.g. "pu_participants"
    segments: tuple[str, ...] | None  # None: every segment

    @property
    def name(self) -> str:
        """e.g. "pu_participants/employees" (the report translates both halves)."""
        return f"{self.numerator}/{self.denominator}"


PAIRINGS: dict[str, Pairing] = {
    "employees": Pairing("employees", "pu_participants", ("PU",)),
    "informal_workers": Pairing("informal_workers", "bpu_participants", ("BPU",)),
    "working_population": Pairing("working_population", "all_participants", None),
    "potensi_pekerja": Pairing("potensi_pekerja", "all_participants", None),
}
# Over 100 %: participants are counted where they register, Sakernas counts workers where they live, so
# commuters and branch-registered firms can push a district above 100 % (worded by the catalogue).
OVER_100_NOTE = reason_code("over_100_note")


def pairing(denominator: str) -> Pairing:
    """The numerator that goes with a denominator (see PAIRINGS)."""
    return PAIRINGS[check_denominator(denominator)]


def numerator_rows(enrolment: pd.DataFrame, denominator: str) -> pd.DataFrame:
    """The enrolment with `active` set to 0 where the row does not count towards coverage over
    `denominator` (so a district with no participants of the paired segment shows 0 %, not a gap)."""
    segs = pairing(denominator).segments
    if segs is None:
        return enrolment
    return enrolment.assign(active=enrolment["active"].where(enrolment["segment"].isin(segs), 0))
Period = Literal["year", "month"]

REASON_NO_DENOMINATOR = reason_code("reason_no_denominator")
REASON_ZERO_DENOMINATOR = reason_code("reason_zero_denominator")
REASON_NO_ENROLMENT = reason_code("reason_no_enrolment")


def check_denominator(denominator: str) -> str:
    if denominator not in DENOMINATORS:
        raise UcjInputError.one(f"unknown denominator '{denominator}'; one of {', '.join(DENOMINATORS)}",
                                column="denominator")
    return denominator


def with_geo(df: pd.DataFrame, level: Level) -> tuple[pd.DataFrame, list[str]]:
    if level == "district":
        return df, ["district_code"]
    if level == "province":  # a Kemendagri kab/kota code starts with its province's code
        return df.assign(province_code=df["district_code"].str[:2]), ["province_code"]
    if level == "national":
        return df.assign(country="ID"), ["country"]
    raise UcjInputError.one(f"unknown level '{level}'; one of district, province, national")


def active_by_period(enrolment: pd.DataFrame, period: Period = "year", by_segment: bool = False) -> pd.DataFrame:
    """Active participants per district and period (yearly: the last month of the year present)."""
    keys = ["district_code", "month"] + (["segment"] if by_segment else [])
    monthly = enrolment.groupby(keys, observed=True, sort=False)["active"].sum().reset_index()
    monthly["year"] = monthly["month"].dt.year
    if period == "month":
        return monthly
    last = monthly.groupby("year")["month"].transform("max")
    out = monthly[monthly["month"] == last].drop(columns="month")
    out["as_of"] = monthly.loc[out.index, "month"]
    return out


def coverage(
    enrolment: pd.DataFrame,
    workforce: pd.DataFrame,
    denominator: str = "working_population",
    *,
    level: Level = "district",
    period: Period = "year",
    by_segment: bool = False,
) -> pd.DataFrame:
    """Coverage (%) by district, province or nation, by year or month, optionally by segment.

    Only the participants that go with the denominator count (`PAIRINGS`). By segment, each
    segment's active participants are divided by the whole denominator, so the segments add up to
    the total coverage. An aggregate (province, nation) is the ratio of sums, NaN when any of its
    districts lacks the denominator, with the count in `reason`. `note` carries OVER_100_NOTE.
    """
    pair = pairing(denominator)
    if level == "district" and period == "month":
        one = _one_district_months(enrolment, workforce, denominator, by_segment)
        if one is not None:
            return one
    active = active_by_period(numerator_rows(enrolment, denominator), period, by_segment)
    if by_segment and pair.segments is not None:
        active = active[active["segment"].isin(pair.segments)]
    denom = workforce[["district_code", "year", denominator]].rename(columns={denominator: "denominator_value"})
    df = active.merge(denom, on=["district_code", "year"], how="left")
    df["denominator_value"] = df["denominator_value"].astype("float64")
    df, geo = with_geo(df, level)
    time_cols = ["year"] if period == "year" else ["year", "month"]
    seg = ["segment"] if by_segment else []
    if level != "district":
        wf, _ = with_geo(denom, level)
        years = df["year"].unique()
        wf = wf[wf["year"].isin(years)]
        denoms = wf.groupby(geo + ["year"], observed=True).agg(
            denominator_value=("denominator_value", "sum"),
            missing=("denominator_value", lambda s: int(s.isna().sum())),
            districts=("district_code", "nunique"),
        ).reset_index()
        act = df.groupby(geo + time_cols + seg, observed=True).agg(
            active=("active", "sum"), reporting=("district_code", "nunique")).reset_index()
        df = act.merge(denoms, on=geo + ["year"], how="left")
        df.loc[df["missing"] > 0, "denominator_value"] = np.nan
    df["denominator"] = denominator
    df["pairing"] = pair.name
    with np.errstate(divide="ignore", invalid="ignore"):
        df["coverage_pct"] = 100 * df["active"] / df["denominator_value"]
    df["reason"] = pd.Series(pd.NA, index=df.index, dtype="str")
    missing = df["denominator_value"].isna()
    if level != "district":
        df.loc[missing, "reason"] = (  # reason_no_denominator_districts(missing=3, of=10)
            "reason_no_denominator_districts" + "(missing=" + df["missing"].astype("Int64").astype("str") + ", of="
            + df["districts"].astype("str") + ")"
        )
        short = df["reporting"] < df["districts"]
        df.loc[short, "reason"] = (  # reason_no_enrolment_districts(missing=3, of=10)
            "reason_no_enrolment_districts" + "(missing=" + (df["districts"] - df["reporting"]).astype("str") + ", of="
            + df["districts"].astype("str") + ")"
        )
        missing = missing | short
        df = df.drop(columns=["missing", "districts", "reporting"])
    else:
        df.loc[missing, "reason"] = REASON_NO_DENOMINATOR
    zero = df["denominator_value"] == 0
    df.loc[zero, "reason"] = REASON_ZERO_DENOMINATOR
    df.loc[missing | zero, "coverage_pct"] = np.nan
    df["note"] = pd.Series(pd.NA, index=df.index, dtype="str")
    df.loc[df["coverage_pct"] > 100, "note"] = OVER_100_NOTE
    cols = geo + time_cols + seg + ["active", "denominator", "pairing", "denominator_value", "coverage_pct", "reason",
                                    "note"]
    return df[cols].sort_values(geo + time_cols + seg).reset_index(drop=True)


def _one_district_months(enrolment: pd.DataFrame, workforce: pd.DataFrame, denominator: str,
                         by_segment: bool) -> pd.DataFrame | None:
    """`coverage(enrolment, workforce, denominator, period="month", by_segment=by_segment)` of one district's rows,
    computed with numpy: a report asks for its district's monthly coverage (in all and by segment) several times,
    each a few hundred rows, where pandas' grouping, merge, assignments and sorting took about 7 ms a call against
    1. The same frame (its columns, dtypes and row order): the month's (and segment's) active participants summed,
    those `numerator_rows` does not count as 0, over the denominator of the month's year (the district's one
    workforce row of that year), the same reasons and note. None (then the general code runs) unless the rows are
    one district's, with categorical codes and segments, integer participants, no missing key and at most one
    workforce row a year, and the workforce's codes pandas' text (tests/analysis/test_steadya_coverage.py compares
    the two for every district and denominator, and a hand-worked example)."""
    codes = enrolment["district_code"]
    if (not len(enrolment) or not isinstance(codes.dtype, pd.CategoricalDtype) or codes.isna().any()
            or not isinstance(enrolment["segment"].dtype, pd.CategoricalDtype) or enrolment["segment"].isna().any()
            or enrolment["active"].dtype != "int64" or enrolment["month"].dtype != "datetime64[ns]"
            or enrolment["month"].isna().any() or str(workforce["district_code"].dtype) != "str"
            or workforce["year"].dtype != "int64" or denominator not in workforce.columns):
        return None
    code = codes.unique()
    if len(code) != 1:
        return None
    code = str(code[0])
    w = workforce[workforce["district_code"] == code]
    if w["year"].duplicated().any():
        return None
    segs = pairing(denominator).segments
    seg_codes = enrolment["segment"].cat.codes.to_numpy().astype("int64")
    active = enrolment["active"].to_numpy(dtype="int64")
    if segs is not None:  # numerator_rows: the rows this pairing does not count are 0
        counted = enrolment["segment"].isin(segs).to_numpy()
        active = np.where(counted, active, 0)
    months = enrolment["month"].to_numpy().view("int64")
    n_seg = len(enrolment["segment"].cat.categories)
    key = months * n_seg + seg_codes if by_segment else months
    cells, inverse = np.unique(key, return_inverse=True)
    total = np.zeros(len(cells), dtype="int64")
    np.add.at(total, inverse, active)
    cell_month = cells // n_seg if by_segment else cells
    cell_seg = cells % n_seg if by_segment else None
    if by_segment and segs is not None:  # only the pairing's segments
        keep = np.isin(np.asarray(enrolment["segment"].cat.categories, dtype=object)[cell_seg], list(segs))
        total, cell_month, cell_seg = total[keep], cell_month[keep], cell_seg[keep]
    month = pd.DatetimeIndex(cell_month.astype("datetime64[ns]"))
    year = month.year
    den_of = dict(zip(w["year"].tolist(), w[denominator].astype("float64").tolist()))
    den = np.array([den_of.get(y, np.nan) for y in year.tolist()], dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100 * total / den
    missing, zero = np.isnan(den), den == 0
    reason = np.where(zero, REASON_ZERO_DENOMINATOR, np.where(missing, REASON_NO_DENOMINATOR, None))
    pct = np.where(missing | zero, np.nan, pct)
    note = np.where(pct > 100, OVER_100_NOTE, None)
    cols: dict[str, object] = {"district_code": pd.array([code] * len(total), dtype="str"), "year": year,
                               "month": month}
    if by_segment:
        cols["segment"] = pd.Categorical.from_codes(cell_seg, dtype=enrolment["segment"].dtype)
    cols |= {"active": total, "denominator": pd.array([denominator] * len(total), dtype="str"),
             "pairing": pd.array([pairing(denominator).name] * len(total), dtype="str"), "denominator_value": den,
             "coverage_pct": pct, "reason": pd.array(reason, dtype="str"), "note": pd.array(note, dtype="str")}
    return pd.DataFrame(cols)


def district_coverage_series(enrolment: pd.DataFrame, workforce: pd.DataFrame, district_code: str,
                             denominator: str = "working_population", *,
                             monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    """One district's monthly coverage over the full month range of the data.

    Months missing for the district (e.g. before it existed) are rows with NaN and a reason. `monthly`: the
    district's `coverage(..., period="month")` of the same rows and denominator when the caller has it
    (`district_monthly`: a report computes it once for its coverage and its projection).
    """
    cov = district_monthly(enrolment, workforce, district_code, denominator) if monthly is None else monthly
    months = pd.date_range(enrolment["month"].min(), enrolment["month"].max(), freq="MS")
    out = cov.set_index("month").reindex(months)
    out.index.name = "month"
    gap = out["active"].isna()
    out.loc[gap, "reason"] = REASON_NO_ENROLMENT
    out["district_code"] = district_code
    out["denominator"] = denominator
    out["pairing"] = pairing(denominator).name
    out["year"] = out.index.year
    return out.reset_index()


def district_monthly(enrolment: pd.DataFrame, workforce: pd.DataFrame, district_code: str,
                     denominator: str = "working_population") -> pd.DataFrame:
    """One district's monthly coverage rows, `coverage(..., period="month")` of its enrolment rows: what its
    coverage series and its latest coverage both start from."""
    return coverage(enrolment[enrolment["district_code"] == district_code], workforce, denominator, period="month")


def latest_coverage(enrolment: pd.DataFrame, workforce: pd.DataFrame, district_code: str,
                    denominator: str = "working_population", until: pd.Timestamp | None = None, *,
                    monthly: pd.DataFrame | None = None) -> pd.Series | None:
    """The district's monthly coverage row (month, active, denominator_value, coverage_pct) in its latest
    month with a valid figure, up to `until`; None if there is none. `monthly`: `district_monthly` of the same
    rows and denominator when the caller has it, used when none of its months is after `until` (else computed
    here from the rows up to `until`, as without it)."""
    if monthly is not None and (until is None or not (monthly["month"] > until).any()):
        cov = monthly.dropna(subset=["coverage_pct"])
        return None if cov.empty else cov.iloc[-1]
    e = enrolment[enrolment["district_code"] == district_code]
    if until is not None:
        e = e[e["month"] <= until]
    cov = coverage(e, workforce, denominator, period="month").dropna(subset=["coverage_pct"])
    return None if cov.empty else cov.iloc[-1]


# Ends of funding agreements: a budget-funded cell (district x segment x funding other than self/employer) in
# which at least this share of the month before's active participants lapse in one month. These are budget
# decisions (a PKS ending, a budget not renewed), not ordinary lapses, and the gross need leaves them out.
AGREEMENT_END_SHARE = 0.5
# A partial cut (an agreement renewed for fewer workers) is a budget decision too: a funded cell whose lapses in
# one month reach PARTIAL_CUT_SHARE of the month before's active (and at least MIN_CUT_WORKERS) without being
# replaced (active falls by as much). Ordinary funded lapses are about 0.2 % a month and replaced within the month
# (the level holds); in the demo every funded cell-month the rule flags is such a step down in a January (a new
# budget year), and it flags 505 of the 512 January step-downs of 10 workers or more: docs/leftovers.md.
PARTIAL_CUT_SHARE = 0.01
MIN_CUT_WORKERS = 10


def is_partial_cut(workers: float, active_before: float) -> bool:
    """True when an agreement end of `workers` lapses from `active_before` workers is a partial cut (fewer than
    AGREEMENT_END_SHARE of them left), not the agreement's end."""
    return workers < AGREEMENT_END_SHARE * active_before


def funded_cells(enrolment: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The budget-funded rows sorted by cell (district, segment, funding) and month, with each row's month-before
    active in its cell (NaN after a gap in the cell or at its first row): what `agreement_ends` and `funding_rises`
    compare a month with."""
    keys = ["district_code", "segment", "funding"]
    e = enrolment[enrolment["funding"] != "self_employer"].sort_values([*keys, "month"])
    cells = e.groupby(keys, observed=True)
    gap = e["month"] != cells["month"].shift() + pd.DateOffset(months=1)
    return e, cells["active"].shift().where(~gap)


def agreement_ends(enrolment: pd.DataFrame, cells: tuple[pd.DataFrame, pd.Series] | None = None) -> pd.DataFrame:
    """The ends of funding agreements in the enrolment, partial cuts included: district_code, month, segment,
    funding, workers (the participants who lapsed in that month in that cell), active_before (the month
    before's active), registered (the cell's registrations that month) and not_replaced (workers - registered, at
    least 0: a partial cut's workers not replaced; reader 14, R14-7). An end: at least AGREEMENT_END_SHARE of the
    cell lapsed; a partial cut: at least PARTIAL_CUT_SHARE (and MIN_CUT_WORKERS) lapsed and the cell's active fell by
    as much (not replaced). `cells`: `funded_cells(enrolment)` when the caller has it (a report's figures sort
    the district's funded cells once for its ends and its rises)."""
    cols = ["district_code", "month", "segment", "funding", "workers", "active_before", "registered", "not_replaced"]
    e, prev = funded_cells(enrolment) if cells is None else cells
    if e.empty:
        return pd.DataFrame(columns=cols)
    cut = np.maximum(MIN_CUT_WORKERS, PARTIAL_CUT_SHARE * prev)
    partial = (e["lapsed"] >= cut) & (prev - e["active"] >= cut)
    end = (prev > 0) & ((e["lapsed"] >= AGREEMENT_END_SHARE * prev) | partial)
    registered = e.loc[end, "new_registrations"].astype("int64") if "new_registrations" in e else 0
    out = e[end].assign(workers=e.loc[end, "lapsed"].astype("int64"), active_before=prev[end].astype("int64"),
                        registered=registered)
    # the month's lapses less its registrations: the workers a partial cut left without replacing
    out["not_replaced"] = (out["workers"] - out["registered"]).clip(lower=0)
    return out[cols].reset_index(drop=True)


def funding_rises(enrolment: pd.DataFrame, cells: tuple[pd.DataFrame, pd.Series] | None = None) -> pd.DataFrame:
    """The starts and enlargements of funding agreements in the enrolment, the mirror of `agreement_ends`:
    district_code, month, segment, funding, active_before (the month before's active; 0 for a cell that starts after
    the data's first month), active and registered: the cell's active rose by at least max(MIN_CUT_WORKERS,
    PARTIAL_CUT_SHARE of the month before) and at least as many were registered that month (reader 16, R16-12:
    Pohuwato's APBN workers from 2025-01 and its larger APBD agreement from 2025-07 were nowhere on its page).
    `cells`: as `agreement_ends` takes it."""
    cols = ["district_code", "month", "segment", "funding", "active_before", "active", "registered"]
    e, prev = funded_cells(enrolment) if cells is None else cells
    if e.empty or "new_registrations" not in e:
        return pd.DataFrame(columns=cols)
    # a cell first seen after the data's first month starts then (from nobody); a gap in a cell is not read as a rise
    first = e.groupby(["district_code", "segment", "funding"], observed=True).cumcount() == 0
    prev = prev.where(~first | (e["month"] == e["month"].min()), 0.0)
    cut = np.maximum(MIN_CUT_WORKERS, PARTIAL_CUT_SHARE * prev)
    rise = prev.notna() & (e["active"] - prev >= cut) & (e["new_registrations"] >= cut)
    out = e[rise].assign(active_before=prev[rise].astype("int64"), registered=e.loc[rise, "new_registrations"])
    return out[cols].astype({"active": "int64", "registered": "int64"}).reset_index(drop=True)


def coverage_at(enrolment: pd.DataFrame, workforce: pd.DataFrame, code: str, denominator: str,
                period: pd.Timestamp, *, monthly: pd.DataFrame | None = None) -> tuple[pd.Series | None, int | None]:
    """The district's coverage in `period` by the page's period rule: the month's active participants over
    the denominator of its year, or, when the denominator lags (its latest year is earlier), over the latest
    denominator. Returns the row (month, active, denominator_value, coverage_pct) and the denominator's year
    when it was carried forward (None when it is the month's own); (None, None) without a figure. `monthly`: as
    `latest_coverage` takes it."""
    now = latest_coverage(enrolment, workforce, code, denominator, until=period, monthly=monthly)
    if now is None or pd.Timestamp(now["month"]) >= period:
        return now, None
    num = numerator_rows(enrolment[enrolment["month"] == period], denominator)
    if num.empty or not float(now["denominator_value"]) > 0:
        return now, None
    active = float(num["active"].sum())
    den = float(now["denominator_value"])
    row = pd.Series({"month": period, "active": active, "denominator_value": den, "coverage_pct": 100 * active / den})
    return row, int(pd.Timestamp(now["month"]).year)


def carry_latest_denominator(frame: pd.DataFrame) -> tuple[pd.DataFrame, int | None]:
    """The page's period rule for a denominator that lags the participants (e.g. a potensi pekerja list of 2024
    while participants run to 2025-12), in one place: the rows after the last month with a denominator (> 0) that
    have active participants get that month's denominator, and their coverage is the latest numerator over the
    latest denominator (their reason cleared), so nothing already observed is left blank or projected as future.
    One row a month (a district's series) or several (by segment); columns month, active, denominator_value,
    coverage_pct (and reason). Returns the frame and the denominator's year when it was carried, else None.
    Used by `carry_segments` (the page's chart and segment table) and `projection.carry_denominator`."""
    den = pd.to_numeric(frame["denominator_value"], errors="coerce")
    have = den.notna() & (den > 0)
    if not have.any():
        return frame, None
    last = frame.loc[have, "month"].max()
    after = (frame["month"] > last) & frame["active"].notna()
    if not after.any():
        return frame, None
    last_den = float(den[have & (frame["month"] == last)].iloc[0])
    out = frame.copy()
    out["denominator_value"] = den
    out["coverage_pct"] = pd.to_numeric(out["coverage_pct"], errors="coerce").astype("float64")
    out.loc[after, "denominator_value"] = last_den
    out.loc[after, "coverage_pct"] = 100 * out.loc[after, "active"].astype("float64") / last_den
    if "reason" in out.columns:
        out.loc[after, "reason"] = None
    return out, int(pd.Timestamp(last).year)


def coverage_pct_at(enrolment: pd.DataFrame, workforce: pd.DataFrame, denominators: list[str],
                    period: pd.Timestamp) -> dict[str, tuple[float, pd.Timestamp] | None]:
    """`coverage_at` for one district and several denominators at once, only its coverage_pct and month
    ({denominator: (coverage_pct, month)}, None without a figure): the same arithmetic on plain arrays (one
    pass over the district's rows instead of one `coverage` frame per denominator; a report's coverage by
    every pairing). `enrolment` and `workforce` hold one district's rows. tests/analysis/test_speedf_pairings.py
    compares it with `coverage_at` for every district and pairing. Rows the arrays cannot take exactly (active
    not integers, a year given twice) go through `coverage_at` itself."""
    period = pd.Timestamp(period)
    codes = enrolment["district_code"].unique()
    if (len(codes) != 1 or enrolment["active"].dtype.kind not in "iu"
            or workforce["year"].duplicated().any()):
        code = str(codes[0]) if len(codes) else ""
        out: dict[str, tuple[float, pd.Timestamp] | None] = {}
        for den in denominators:
            row = coverage_at(enrolment, workforce, code, den, period)[0]
            out[den] = None if row is None else (float(row["coverage_pct"]), pd.Timestamp(row["month"]))
        return out
    months = enrolment["month"].to_numpy()
    active = enrolment["active"].to_numpy()
    segment = enrolment["segment"].astype(str).to_numpy()
    keep = months <= np.datetime64(period)
    month_values, at = np.unique(months[keep], return_inverse=True)  # sorted, as `coverage` sorts its rows
    years = pd.DatetimeIndex(month_values).year.to_numpy()
    wf_years = workforce["year"].to_numpy()
    now_rows = months == np.datetime64(period)
    out = {}
    for den in denominators:
        segs = pairing(den).segments
        counted = active if segs is None else np.where(np.isin(segment, list(segs)), active, 0)
        per_month = np.zeros(len(month_values), dtype="int64")
        np.add.at(per_month, at, counted[keep])
        values = workforce[den].astype("float64").to_numpy()
        den_by_year = dict(zip(wf_years.tolist(), values.tolist()))
        den_month = np.array([den_by_year.get(int(y), np.nan) for y in years], dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = 100 * per_month / den_month
        pct[np.isnan(den_month) | (den_month == 0)] = np.nan
        valid = np.flatnonzero(~np.isnan(pct))
        if not len(valid):
            out[den] = None
            continue
        last = valid[-1]
        month, value, den_value = pd.Timestamp(month_values[last]), float(pct[last]), float(den_month[last])
        if month < period and now_rows.any() and den_value > 0:  # the period rule: the latest denominator carried
            value = float(100 * float(counted[now_rows].sum()) / den_value)
            month = period
        out[den] = (value, month)
    return out


@dataclass(frozen=True)
class FundedRun:
    """The district's current unbroken run of `funding`-funded participants: the month it began and its
    workers then, and the month its latest count began and that count (e.g. Minahasa's APBD workers: 15,000 from
    2022-01, 31,777 from 2023-01). `start` is None when the run goes back to the data's first month."""

    start: pd.Timestamp | None
    start_workers: int
    level_since: pd.Timestamp
    workers: int


def funded_run(enrolment: pd.DataFrame, code: str, funding: str) -> FundedRun | None:
    """The district's current run of `funding`-funded participants up to the data's last month (see FundedRun);
    None when nobody is so funded in the last month."""
    e = enrolment[(enrolment["district_code"] == code)]
    if e.empty:
        return None
    months = e.groupby("month")["active"].size().index.sort_values()
    funded = e[e["funding"] == funding].groupby("month")["active"].sum().reindex(months, fill_value=0)
    if not len(funded) or funded.iloc[-1] <= 0:
        return None
    off = funded[funded <= 0]
    run = funded[funded.index > off.index.max()] if len(off) else funded
    changed = run[run != run.shift()]  # the months a new count began (the run's first month included)
    return FundedRun(start=pd.Timestamp(run.index[0]) if len(off) else None, start_workers=int(run.iloc[0]),
                     level_since=pd.Timestamp(changed.index[-1]), workers=int(run.iloc[-1]))

