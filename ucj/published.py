"""Published figures (data/published): the facts the seed articles and domain notes state.

Tests and reports use them as checks against what the workbook computes; they never stand in
for a computed figure.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PUBLISHED_DIR = Path(__file__).resolve().parents[1] / "data" / "published"


def published_facts(path: str | Path | None = None) -> pd.DataFrame:
    """One row per published fact: district_code (empty for national), quantity, value, unit, date, source."""
    df = pd.read_csv(path or PUBLISHED_DIR / "seed_facts.csv", dtype={"district_code": "str", "date": "str"})
    return df


def fact(quantity: str, district_code: str | None = None, date: str | None = None) -> float:
    """The value of one published fact (raises KeyError if it is not recorded)."""
    df = published_facts()
    sel = df["quantity"] == quantity
    sel &= df["district_code"].isna() if district_code is None else df["district_code"] == district_code
    if date is not None:
        sel &= df["date"].fillna("").str.startswith(date)
    rows = df[sel]
    if len(rows) != 1:
        raise KeyError(f"{quantity} {district_code} {date}: {len(rows)} published rows")
    return float(rows["value"].iloc[0])
