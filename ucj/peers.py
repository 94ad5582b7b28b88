"""Peers: a district against its province, the nation and its k most similar districts.

Similar means close in poverty rate (P0) and workforce size (log of the working population),
both standardised across districts, in the chosen year.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ucj.claims import claims_summary
from ucj.coverage import coverage
from ucj.dataset import Dataset
from ucj.errors import UcjInputError
from ucj.registry import get_registry

HIGHER_IS_BETTER = {"coverage_pct": True, "p0": False, "jkk_per_1000": False, "apbd_share_pct": True}


def indicators(ds: Dataset, year: int, denominator: str = "working_population") -> pd.DataFrame:
    """One row per district for `year`: coverage, P0, JKK frequency, APBD-funded share, workforce."""
    cov = coverage(ds.enrolment, ds.workforce, denominator)
    cov = cov[cov["year"] == year].set_index("district_code")
    pov = ds.poverty[ds.poverty["year"] == year].set_index("district_code")
    wf = ds.workforce[ds.workforce["year"] == year].set_index("district_code")
    e = ds.enrolment[ds.enrolment["month"].dt.year == year]
    c = ds.claims[(ds.claims["month"].dt.year == year) & (ds.claims["programme"] == "JKK")]
    jkk = claims_summary(c, e, by=("programme",)).set_index("district_code")
    last = e[e["month"] == e["month"].max()]
    apbd = last[last["funding"] == "apbd"].groupby("district_code")["active"].sum()
    total = last.groupby("district_code")["active"].sum()
    reg = get_registry().districts.set_index("code")
    out = pd.DataFrame(index=reg.index.rename("district_code"))
    out["province_code"] = reg["province_code"]
    out["coverage_pct"] = cov["coverage_pct"]
    out["p0"] = pov["p0"]
    out["jkk_per_1000"] = jkk["frequency_per_1000"]
    out["apbd_share_pct"] = 100 * apbd / total.replace(0, np.nan)
    out["working_population"] = wf["working_population"].astype("float64")
    out["year"] = year
    return out


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


def benchmark(ds: Dataset, district_code: str, year: int, *, k: int = 5,
              denominator: str = "working_population", table: pd.DataFrame | None = None) -> pd.DataFrame:
    """One district's rows of `benchmark_all`, with its peers listed in `attrs["peers"]`."""
    table = indicators(ds, year, denominator) if table is None else table
    if district_code not in table.index:
        raise UcjInputError.one(f"unknown district {district_code}")
    out = benchmark_all(table, k)
    out = out[out["district_code"] == district_code].drop(columns="district_code").reset_index(drop=True)
    out.attrs["peers"] = similar_districts(table, district_code, k)["district_code"].tolist()
    return out
