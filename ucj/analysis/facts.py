"""Published facts beside what the data says: each seed article's figures, next to the same quantity
computed from the tables, so a reader sees both on the page (and any gap between them).

The published value is read from data/published/seed_facts.csv, never retyped; the data value is
computed here from the dataset. Where the data has no counterpart the data value is NaN with a reason.
"""

from __future__ import annotations

import math

import pandas as pd

from ucj.analysis.claims import claims_summary
from ucj.analysis.coverage import coverage
from ucj.analysis.reasons import reason as reason_code
from ucj.data.dataset import Dataset
from ucj.data.published import published_facts

# Quantities a seed fact can name, and how the data value is found (see _data_value).
NO_COUNTERPART = reason_code("no_counterpart")


def _month(date: str, last: pd.Timestamp) -> pd.Timestamp:
    """The month a fact's date points to: its month (YYYY-MM), else December of its year; never after `last`."""
    d = str(date)
    m = pd.Timestamp(d[:7] + "-01") if len(d) >= 7 else pd.Timestamp(f"{d[:4]}-12-01")
    return min(m, last)


def _active(ds: Dataset, code: str, month: pd.Timestamp, funding: str | None = None) -> tuple[float, str]:
    e = ds.enrolment[ds.enrolment["district_code"] == code]
    e = e[e["month"] <= month]
    if e.empty:
        return math.nan, reason_code("reason_no_enrolment_then")
    m = e["month"].max()
    sel = e[e["month"] == m]
    if funding is not None:
        sel = sel[sel["funding"] == funding]
    return float(sel["active"].sum()), f"{m:%Y-%m}"


def _data_value(ds: Dataset, code: str, fact: pd.Series, last: pd.Timestamp) -> tuple[float, str]:
    """(value, as-of or reason) of the data's counterpart of one published fact."""
    q, date = str(fact["quantity"]), str(fact["date"]) if pd.notna(fact["date"]) else ""
    if q == "covered_workers":
        return _active(ds, code, _month(date, last))
    if q in ("apbd_funded_workers", "planned_apbd_workers"):
        return _active(ds, code, _month(date, last), "apbd")
    if q == "potensi_pekerja":
        w = ds.workforce[(ds.workforce["district_code"] == code) & (ds.workforce["year"] == int(date[:4]))]
        v = w["potensi_pekerja"].dropna()
        return (float(v.iloc[0]), date[:4]) if len(v) else (math.nan, reason_code("reason_no_potensi"))
    if q == "coverage_pct":
        month = _month(date, last)
        cov = coverage(ds.enrolment[(ds.enrolment["district_code"] == code) & (ds.enrolment["month"] <= month)],
                       ds.workforce, "potensi_pekerja", period="month").dropna(subset=["coverage_pct"])
        return (float(cov["coverage_pct"].iloc[-1]), f"{cov['month'].iloc[-1]:%Y-%m}") if len(cov) else (
            math.nan, reason_code("reason_no_potensi"))
    if q in ("p0", "poverty_target_pct"):
        p = ds.poverty[(ds.poverty["district_code"] == code)].dropna(subset=["p0"])
        if q == "p0":
            p = p[p["year"] == int(date[:4])]
        if p.empty:
            return math.nan, reason_code("reason_no_p0")
        row = p.sort_values("year").iloc[-1]
        return float(row["p0"]), str(int(row["year"]))
    if q in ("claim_count", "claim_amount_rp"):
        c = ds.claims[(ds.claims["district_code"] == code) & (ds.claims["funding"] == "apbd")]
        c = c[c["month"] <= _month(date, last)]
        s = claims_summary(c, ds.enrolment[ds.enrolment["district_code"] == code], period="all", by=())
        if s.empty:
            return math.nan, reason_code("reason_no_apbd_claims")
        months = c.loc[c["claim_count"] > 0, "month"]
        span = f"{months.min():%Y-%m} – {months.max():%Y-%m}" if len(months) else ""
        return float(s[q].iloc[0]), span
    if q == "coverage_target_pct":
        t = ds.targets[ds.targets["district_code"] == code]
        return (float(t["coverage_target_pct"].iloc[-1]), reason_code("targets_table_year", year=int(t['target_year'].iloc[-1]))) \
            if len(t) else (math.nan, reason_code("reason_no_target"))
    return math.nan, NO_COUNTERPART


def seed_facts(ds: Dataset, code: str, last_period: pd.Timestamp, facts: pd.DataFrame | None = None
               ) -> pd.DataFrame:
    """The district's published facts with the data's value beside each (empty if it has none).

    Columns: quantity, published, unit, date, source, data, data_as_of. Where the district's potensi
    pekerja and covered workers are both published, a derived row `uncovered_workers` (their
    difference) is added, computed from the published values.
    """
    f = published_facts() if facts is None else facts
    f = f[f["district_code"] == code]
    rows = []
    for _, r in f.iterrows():
        value, as_of = _data_value(ds, code, r, last_period)
        rows.append({"quantity": r["quantity"], "published": float(r["value"]), "unit": r["unit"],
                     "date": "" if pd.isna(r["date"]) else str(r["date"]), "source": r["source_article"],
                     "data": value, "data_as_of": as_of})
    out = pd.DataFrame(rows, columns=["quantity", "published", "unit", "date", "source", "data", "data_as_of"])
    q = out.set_index("quantity")
    if {"potensi_pekerja", "covered_workers"} <= set(q.index):
        pot, cov = q.loc["potensi_pekerja"], q.loc["covered_workers"]
        data = pot["data"] - cov["data"] if math.isfinite(pot["data"]) and math.isfinite(cov["data"]) else math.nan
        out.loc[len(out)] = {"quantity": "uncovered_workers", "published": pot["published"] - cov["published"],
                             "unit": "persons", "date": cov["date"], "source": cov["source"], "data": data,
                             "data_as_of": cov["data_as_of"]}
        share = 100 * cov["published"] / pot["published"]
        out.loc[len(out)] = {"quantity": "coverage_of_potensi_pct", "published": share, "unit": "%",
                             "date": cov["date"], "source": cov["source"],
                             "data": 100 * cov["data"] / pot["data"] if math.isfinite(data) else math.nan,
                             "data_as_of": cov["data_as_of"]}
    return out
