"""One aggregate, one number: province and national values as ratios of sums.

A province's or the nation's rate is never the simple mean of its districts' rates (small poor
districts would count as much as big cities). It is sum(rate x weight) / sum(weight) over the
districts that have both, with the weight the rate's own base: population for poverty indices,
the denominator for coverage. Every aggregate in the analysis layer goes through `ratio_of_sums`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ratio_of_sums(df: pd.DataFrame, values: list[str], weight: str | pd.Series, by: list[str]) -> pd.DataFrame:
    """Weighted aggregate of each column in `values` by `by`: sum(value x weight) / sum(weight).

    Each column is aggregated over the rows that have that column and a positive weight, so a
    column missing for some districts (P1/P2 before 2024) does not blank the others. Returns, per
    group, each value, `n_<value>` (districts used) and `districts` (rows in the group).
    """
    w = df[weight] if isinstance(weight, str) else weight
    w = pd.to_numeric(w, errors="coerce").astype("float64")
    w = w.where(w > 0)
    keys = df[by]
    parts = {}
    for col in values:
        v = pd.to_numeric(df[col], errors="coerce").astype("float64")
        ok = v.notna() & w.notna()
        num = (v * w).where(ok)
        den = w.where(ok)
        g = pd.DataFrame({"num": num, "den": den, "n": ok.astype("int64")}).join(keys).groupby(by, observed=True)
        s = g[["num", "den", "n"]].sum(min_count=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            parts[col] = s["num"] / s["den"]
        parts[f"n_{col}"] = s["n"].fillna(0).astype("int64")
    out = pd.DataFrame(parts)
    out["districts"] = keys.groupby(by, observed=True).size()
    return out.reset_index()
