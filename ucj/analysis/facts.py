"""Published facts beside what the data says: each seed article's figures, next to the same quantity
computed from the tables, so a reader sees both on the page (and any gap between them).

The published value is read from data/published/seed_facts.csv, never retyped; the data value is
computed here from the dataset. Where the data has no counterpart the data value is NaN with a reason.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ucj.analysis.claims import claims_summary
from ucj.analysis.coverage import agreement_ends, coverage, coverage_at, is_partial_cut
from ucj.analysis.reasons import reason as reason_code
from ucj.data.dataset import Dataset, source_is_synthetic
from ucj.data.published import (AGREEMENT_ENDED, BOUNDED_DATE_NOTES, AgreementEvent, agreement_events, citations,
                                fact_wording, published_facts)

# Quantities a seed fact can name, and how the data value is found (see _data_value).
NO_COUNTERPART = reason_code("no_counterpart")
# the two Minahasa counts the data holds only as their sum (APBD-funded vulnerable workers)
COUNTED_TOGETHER = ("vulnerable_workers", "vulnerable_village_workers")
SUM_QUANTITY = "apbd_vulnerable_workers_sum"
# a sum's wording: the two quotes it adds up, each closed and opened again ("a” + “b" -> “a” + “b”)
WORDING_JOIN = "” + “"
KINDS = ("fact", "plan", "target")
# a published change of the poverty rate over a year ("turun 2 %", Boalemo 2025: reader 13, R13-8)
P0_CHANGE = "p0_change_pp"  # a plan or a target is not a fact to check against the data


# a figure's period with a bound: the source gives no date of its own, only a date it is published no later than
# (a listing dated then, or the end of the term of an office holder it quotes: BOUNDED_DATE_NOTES)
PERIOD_NO_LATER_THAN = "no_later_than"
_SEED_NAME = re.compile(r"seed \d{3}\b")


def fact_period(source: str, date: str, quantity: str = "", cites: pd.DataFrame | None = None) -> tuple[str, str]:
    """(period, bound) of a published figure, one granularity for every row: the month (YYYY-MM) of the
    date its source states it on (the article's date, or the meeting it reports, as data/published/
    citations.csv records them), with bound "no_later_than" when the source gives only a date it is published no
    later than (a listing dated then, or the end of the term of the office holder it quotes: ANTARA Sulut's
    Minahasa article says only "Minggu" and quotes Bupati Royke Roring, in office to 2023-09-24); a source without a recorded date (BPS tables) gives the fact's
    own month (a March Susenas figure: YYYY-03). Never a finer date than the source gives: a fact dated by
    year only gives (YYYY, "")."""
    c = citations() if cites is None else cites
    rows = c[c["source_article"] == source]
    if rows.empty and _SEED_NAME.match(source):
        rows = c[c["source_article"].str.startswith(_SEED_NAME.match(source).group(0))]  # type: ignore[union-attr]
    if len(rows) > 1:
        own = rows[rows["quantity"] == quantity]
        rows = own if len(own) else rows[rows["quantity"] == ""]
    if len(rows) and rows["date"].iloc[0]:
        note = str(rows["date_note"].iloc[0])
        return str(rows["date"].iloc[0])[:7], PERIOD_NO_LATER_THAN if note in BOUNDED_DATE_NOTES else ""
    return str(date)[:7], ""


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


def funded_in_data(ds: Dataset, code: str, last: pd.Timestamp, funding: str = "apbd") -> tuple[float, str]:
    """(participants, as-of month) funded by `funding` in the data at the report's month: what a published
    allocation's row sets beside it, and the row the page adds when no article gives one (reader 13, R13-9)."""
    return _active(ds, code, last, funding)


def _data_value(ds: Dataset, code: str, fact: pd.Series, last: pd.Timestamp) -> tuple[float, str]:
    """(value, as-of or reason) of the data's counterpart of one published fact."""
    q, date = str(fact["quantity"]), str(fact["date"]) if pd.notna(fact["date"]) else ""
    if q == "covered_workers":
        return _active(ds, code, _month(date, last))
    if q == "uncovered_workers":
        month = _month(date, last)
        active, as_of = _active(ds, code, month)
        w = ds.workforce[(ds.workforce["district_code"] == code) & (ds.workforce["year"] == month.year)]
        v = w["potensi_pekerja"].dropna()
        if not len(v) or not math.isfinite(active):
            return math.nan, reason_code("reason_no_potensi")
        return float(v.iloc[0]) - active, as_of
    if q in COUNTED_TOGETHER:
        return math.nan, reason_code("reason_counted_together")
    if q == SUM_QUANTITY:
        return _active(ds, code, _month(date, last), "apbd")
    if q == "jkm_benefit_rp":  # the mean JKM claim of the 12 months to the report's period (the claims table's)
        start = last - pd.DateOffset(months=11)
        c = ds.claims[(ds.claims["district_code"] == code) & (ds.claims["programme"] == "JKM")
                      & (ds.claims["month"] >= start) & (ds.claims["month"] <= last)]
        n = float(c["claim_count"].sum())
        if n == 0:
            return math.nan, reason_code("reason_no_jkm_claims")
        return float(c["claim_amount_rp"].sum()) / n, f"{start:%Y-%m} – {last:%Y-%m}"
    if q in ("apbd_funded_workers", "planned_apbd_workers"):  # plans: the APBD-funded participants now
        return _active(ds, code, last, "apbd")
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
    if q == P0_CHANGE:  # the fact's year's P0 minus the year before's, in percentage points (BPS, March Susenas)
        pair = _p0_pair(ds, code, date, last)
        if pair is None:
            return math.nan, reason_code("reason_no_p0")
        year, before, after = pair
        return after - before, f"{year - 1} – {year}"
    if q in ("p0", "poverty_target_pct"):
        p = ds.poverty[(ds.poverty["district_code"] == code) & (ds.poverty["year"] <= last.year)].dropna(subset=["p0"])
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
    if q == "coverage_target_pct":  # a target is set against today's coverage over the target's denominator
        t = ds.targets[ds.targets["district_code"] == code].sort_values("target_year")
        if t.empty:
            return math.nan, reason_code("reason_no_target")
        den = str(t["denominator"].iloc[-1]) if "denominator" in t and pd.notna(t["denominator"].iloc[-1]) \
            else "working_population"
        now, _ = coverage_at(ds.enrolment[ds.enrolment["district_code"] == code], ds.workforce, code, den, last)
        if now is None or pd.isna(now["coverage_pct"]):
            return math.nan, reason_code("reason_no_denominator")
        return float(now["coverage_pct"]), f"{pd.Timestamp(now['month']):%Y-%m}"
    return math.nan, NO_COUNTERPART


def seed_facts(ds: Dataset, code: str, last_period: pd.Timestamp, facts: pd.DataFrame | None = None,
               wording: pd.DataFrame | None = None) -> pd.DataFrame:
    """The district's published facts with the data's value beside each (empty if it has none).

    Columns: quantity, kind (fact, plan, target), published, wording (the article's own words), unit,
    date (the key of seed_facts.csv), period and period_bound (the figure's month as its source dates it, and
    "no_later_than" where the source bounds it: see `fact_period`), source, rounding, note_id, note_en,
    data, data_as_of (a period, or a reason code), difference
    (data minus published, facts only) and agreement ("consistent" when the difference is within half
    the article's rounding unit, "differs" otherwise; None without a computed value or for a plan or a
    target, which are not checked against the data, or when the computed side is synthetic or the article's
    own figure: data_basis, a catalogue key, says what it rests on). Where Minahasa's two APBD-funded counts
    are both published, a row for their sum is added (the data counts them together).
    """
    f = published_facts() if facts is None else facts
    f = f[f["district_code"] == code]
    w = fact_wording() if wording is None else wording
    w = w[w["district_code"] == code].set_index(["quantity", "date"])
    rows = []
    for _, r in f.iterrows():
        date = "" if pd.isna(r["date"]) else str(r["date"])
        how = w.loc[(r["quantity"], date)] if (r["quantity"], date) in w.index else None
        rows.append({"quantity": r["quantity"], "kind": "fact" if how is None else str(how["kind"]),
                     "published": float(r["value"]), "wording": "" if how is None else str(how["wording"]),
                     "unit": r["unit"], "date": date, "source": r["source_article"],
                     "rounding": math.nan if how is None else float(how["rounding"]),
                     "note_id": "" if how is None else str(how["note_id"]),
                     "note_en": "" if how is None else str(how["note_en"])})
    q = {r["quantity"]: r for r in rows}
    if all(x in q for x in COUNTED_TOGETHER):
        a, b = (q[x] for x in COUNTED_TOGETHER)
        rows.append(a | {"quantity": SUM_QUANTITY, "published": a["published"] + b["published"],
                         # the article's two wordings, each as written (never a sum it did not write)
                         "wording": f"{a['wording']}{WORDING_JOIN}{b['wording']}" if a["wording"] and b["wording"]
                         else "", "rounding": 1.0,
                         "note_id": "", "note_en": ""})
    cites = citations()
    for r in rows:  # each figure's period, from its source's own date (reader's findings 5 and 19)
        r["period"], r["period_bound"] = fact_period(str(r["source"]), r["date"], str(r["quantity"]), cites)
    for r in rows:
        value, as_of = _data_value(ds, code, pd.Series(r | {"date": r["date"] or None}), last_period)
        r["data"], r["data_as_of"] = value, as_of
        diff = value - r["published"] if r["kind"] == "fact" and math.isfinite(value) else math.nan
        r["difference"] = diff
        r["data_basis"] = data_basis(ds, code, str(r["quantity"]), str(r["source"])) if math.isfinite(value) else ""
        # only real data independent of the article can agree with it or not (reader 3, finding 4)
        r["agreement"] = None if not math.isfinite(diff) or r["data_basis"] != "basis_data" else (
            "consistent" if abs(diff) <= _half(r["rounding"]) or _change_of_rounded_levels(ds, code, r, last_period)
            else "differs")
    cols = ["quantity", "kind", "published", "wording", "unit", "date", "period", "period_bound", "source", "rounding",
            "note_id", "note_en", "data", "data_as_of", "difference", "agreement", "data_basis"]
    return pd.DataFrame(rows, columns=cols)


# The table cells a quantity's data value is read from (see _data_value): (table, column) pairs.
_ENROLMENT = (("enrolment", "active"),)
_POTENSI = (("workforce", "potensi_pekerja"),)
READ_FROM: dict[str, tuple[tuple[str, str], ...]] = {
    "covered_workers": _ENROLMENT, "uncovered_workers": _ENROLMENT + _POTENSI, SUM_QUANTITY: _ENROLMENT,
    "apbd_funded_workers": _ENROLMENT, "planned_apbd_workers": _ENROLMENT, "potensi_pekerja": _POTENSI,
    "coverage_pct": _ENROLMENT + _POTENSI, "jkm_benefit_rp": (("claims", "claim_amount_rp"),),
    "claim_count": (("claims", "claim_count"),), "claim_amount_rp": (("claims", "claim_amount_rp"),),
    "p0": (("poverty", "p0"),), "poverty_target_pct": (("poverty", "p0"),), P0_CHANGE: (("poverty", "p0"),),
    "coverage_target_pct": _ENROLMENT + (("workforce", "working_population"),) + _POTENSI,
}


def data_basis(ds: Dataset, code: str, quantity: str, fact_source: str) -> str:
    """What the computed value of a published fact rests on, from the `source` of the district's rows it is
    read from: "synthetic" when any of those cells is made up (demo data, some built to equal the article:
    agreement there confirms nothing), "same_source" when every cell comes from the fact's own article (the
    article's figure read back), else "data" (real data, an independent check)."""
    sources: set[str] = set()
    for table, column in READ_FROM.get(quantity, ()):
        df = getattr(ds, table, None)
        if df is None or "source" not in df.columns or column not in df.columns:
            continue
        rows = df[(df["district_code"] == code) & df[column].notna()]
        for src in rows["source"].astype("object").dropna().astype(str).unique():
            if source_is_synthetic(src, column):
                return "basis_synthetic"
            sources.add(src)
    if sources and all(fact_source and (s == fact_source or s.startswith(fact_source + ";")) for s in sources):
        return "basis_same_source"
    return "basis_data"


def _change_of_rounded_levels(ds: Dataset, code: str, r: dict[str, object], last_period: pd.Timestamp) -> bool:
    """A published change in P0 written beside a rounded level ("turun 2 % (Sebelumnya 18%)") is the change of two
    levels rounded to the article's unit: it agrees with the data when BPS's two levels, rounded to that unit,
    differ by the published change (reader 15, R15-2: 17.83 -> 16.37 rounds to 18 -> 16, a change of 2, exactly
    the article's, though 1.46 itself rounds to 1). Only for P0 changes with a rounding unit."""
    unit = float(r["rounding"]) if r.get("rounding") is not None else math.nan  # type: ignore[arg-type]
    if r["quantity"] != P0_CHANGE or not math.isfinite(unit) or unit <= 0:
        return False
    pair = _p0_pair(ds, code, str(r["date"] or ""), last_period)
    if pair is None:
        return False
    _, before, after = pair

    def rounded(x: float) -> float:  # half away from zero, as an article rounds (not Python's half to even)
        return math.copysign(math.floor(abs(x) / unit + 0.5) * unit, x)

    return abs(rounded(after) - rounded(before) - float(r["published"])) < 1e-9  # type: ignore[arg-type]


def _p0_pair(ds: Dataset, code: str, date: str, last: pd.Timestamp) -> tuple[int, float, float] | None:
    """The fact's year (its date's, at most the period's) and the district's P0 of the year before and of that
    year; None when either is missing. What a published P0 change is read against."""
    year = min(int(date[:4]) if date else last.year, last.year)
    p = ds.poverty[(ds.poverty["district_code"] == code) & ds.poverty["year"].isin([year - 1, year])]
    p = p.dropna(subset=["p0"]).set_index("year")["p0"]
    if year not in p.index or year - 1 not in p.index:
        return None
    return year, float(p[year - 1]), float(p[year])


def _half(rounding: float) -> float:
    """Half the article's rounding unit (a computed value that close agrees); exact when none is recorded."""
    return (rounding / 2 if math.isfinite(rounding) else 0.0) + 1e-9


def _plain(value: float) -> str:
    """A count as the articles write it (Indonesian thousands separator): 15000 -> "15.000"."""
    return f"{int(value):,}".replace(",", ".")


# how a published agreement event stands in the data (`agreement_event_table`'s status)
END_IN_DATA = "end_in_data"  # the data show the agreement's workers leaving the month after its last month
END_NOT_IN_DATA = "end_not_in_data"  # the data show no end of that funding then
END_AFTER_PERIOD = "end_after_period"  # the end falls after the report's month: the data cannot show it yet
FUNDED_IN_DATA = "funded_in_data"  # a renewal announced: the data hold workers funded so at the report's month
NONE_FUNDED_IN_DATA = "none_funded_in_data"  # ... and none


def agreement_event_table(code: str, ends: pd.DataFrame | None, enrolment: pd.DataFrame, period: pd.Timestamp,
                          events: list[AgreementEvent] | None = None) -> pd.DataFrame:
    """The district's published funding-agreement events (ucj.data.published.agreement_events) beside the data:
    event, funding, period, wording, source, note_id, note_en, status (END_IN_DATA, END_NOT_IN_DATA,
    END_AFTER_PERIOD, FUNDED_IN_DATA, NONE_FUNDED_IN_DATA), data and data_as_of. An end is in the data when `ends`
    (coverage.agreement_ends of the district's participants, every month; None: computed from `enrolment`, every
    segment) holds a whole end of that funding whose last active month is the published one (data: the workers who left the month after); an end whose month after is later than `period` is
    one the data cannot show yet (data: the workers funded so at `period`); otherwise data is the workers funded so
    in the month after. An announced renewal sets beside it the workers funded so at `period` (the report's month)."""
    cols = ["event", "funding", "period", "wording", "source", "note_id", "note_en", "status", "data", "data_as_of"]
    rows = []
    events = agreement_events(code) if events is None else events
    if events and ends is None:  # None: every segment's ends of `enrolment`
        ends = agreement_ends(enrolment[enrolment["district_code"] == code])
    for ev in events:
        row = {"event": ev.event, "funding": ev.funding, "period": ev.period, "wording": ev.wording,
               "source": ev.source_article, "note_id": ev.note_id, "note_en": ev.note_en}
        if ev.event == AGREEMENT_ENDED:
            after = pd.Timestamp(ev.period + "-01") + pd.DateOffset(months=1)
            match = (ends[(ends["funding"] == ev.funding) & (pd.to_datetime(ends["month"]) == after)]
                     if len(ends) else ends)
            match = match[[not is_partial_cut(w, a) for w, a in zip(match["workers"], match["active_before"])]]
            if len(match):
                row |= {"status": END_IN_DATA, "data": float(match["workers"].sum()), "data_as_of": f"{after:%Y-%m}"}
            elif after > period:  # a report of an earlier month: not "no such end", an end still to come
                value, as_of = _funded(enrolment, code, period, ev.funding)
                row |= {"status": END_AFTER_PERIOD, "data": value, "data_as_of": as_of}
            else:
                value, as_of = _funded(enrolment, code, min(after, period), ev.funding)
                row |= {"status": END_NOT_IN_DATA, "data": value, "data_as_of": as_of}
        else:
            value, as_of = _funded(enrolment, code, period, ev.funding)
            row |= {"status": FUNDED_IN_DATA if value > 0 else NONE_FUNDED_IN_DATA, "data": value,
                    "data_as_of": as_of}
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def _funded(enrolment: pd.DataFrame, code: str, month: pd.Timestamp, funding: str) -> tuple[float, str]:
    """(workers funded by `funding` in the district's latest month up to `month`, that month); (0, "") without one."""
    e = enrolment[(enrolment["district_code"] == code) & (enrolment["month"] <= month)]
    if e.empty:
        return 0.0, ""
    last = e["month"].max()
    return float(e.loc[(e["month"] == last) & (e["funding"] == funding), "active"].sum()), f"{last:%Y-%m}"
