"""Peers: a district against its province, the nation and its k most similar districts.

Similar means close in poverty rate (P0) and workforce size (log of the working population),
both standardised across districts, in the chosen year.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ucj.core.errors import UcjInputError

HIGHER_IS_BETTER = {"coverage_pct": True, "p0": False, "jkk_per_1000": False, "apbd_share_pct": True}


def _features(table: pd.DataFrame) -> pd.DataFrame:
    feats = pd.DataFrame({"p0": table["p0"], "log_work": np.log(table["working_population"])}).dropna()
    return (feats - feats.mean()) / feats.std(ddof=0)


def similar_districts(table: pd.DataFrame, district_code: str, k: int = 5) -> pd.DataFrame:
    """The k districts nearest in (P0, log working population), standardised; with their distance."""
    z = _features(table)
    if district_code not in z.index:
        raise UcjInputError.one(f"district {district_code} lacks P0 or working population for peer matching")
    dist = np.sqrt(((z - z.loc[district_code]) ** 2).sum(axis=1)).drop(district_code)
    near = dist.nsmallest(k)
    return pd.DataFrame({"district_code": near.index, "distance": near.to_numpy()})


def benchmark_all(table: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """Every district against its province, the nation and its k peers, for every indicator (long).

    Rank 1 is the best (highest coverage, lowest poverty); `percentile` is the share of districts the
    district does better than or equal to. Province and national values are means over districts.
    """
    z = _features(table)
    codes = z.index.to_numpy()
    zz = z.to_numpy()
    dist = np.sqrt(((zz[:, None, :] - zz[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(dist, np.inf)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    rows = []
    for ind, higher_better in HIGHER_IS_BETTER.items():
        col = table[ind]
        vals = col.reindex(codes).to_numpy(dtype="float64")
        with warnings.catch_warnings():  # all peers lacking a value gives NaN, as it should
            warnings.simplefilter("ignore", RuntimeWarning)
            peers = pd.Series(np.nanmean(vals[nearest], axis=1), index=codes)
        rank = col.rank(ascending=not higher_better, method="min")
        pct = 100 * col.rank(ascending=higher_better, method="max", pct=True)
        province = col.groupby(table["province_code"]).transform("mean")
        national = col.mean()
        df = pd.DataFrame({
            "district_code": table.index, "indicator": ind, "value": col.to_numpy(),
            "province": province.to_numpy(), "national": national,
            "peers": peers.reindex(table.index).to_numpy(), "rank": rank.to_numpy(),
            "of": int(col.notna().sum()), "percentile": pct.to_numpy(),
        })
        rows.append(df)
    out = pd.concat(rows, ignore_index=True)
    for ref in ("province", "national", "peers"):
        out[f"gap_{ref}"] = out["value"] - out[ref]
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="str")
    out.loc[out["value"].isna(), "reason"] = "no value for the district"
    out["rank"] = out["rank"].astype("Int64")
    return out


def benchmark(table: pd.DataFrame, district_code: str, *, k: int = 5) -> pd.DataFrame:
    """One district's rows of `benchmark_all` over the all-district `table` (see
    ucj.analysis.all_districts.district_table), with its peers listed in `attrs["peers"]`."""
    if district_code not in table.index:
        raise UcjInputError.one(f"unknown district {district_code}")
    out = benchmark_all(table, k)
    out = out[out["district_code"] == district_code].drop(columns="district_code").reset_index(drop=True)
    out.attrs["peers"] = similar_districts(table, district_code, k)["district_code"].tolist()
    return out
