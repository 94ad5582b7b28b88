"""Peers: a district against its province, the nation and its k most similar districts.

Similar means alike in structure, not in the outcomes then compared: population (log; the working
population where the poverty table has no numbers of poor), the informal share of the working
population, and the province. Population and informal share are
standardised across districts; a district in another province is `OTHER_PROVINCE_PENALTY`
standard deviations further away, so peers come from the same province when it has close ones.

Province, national and peer values are ratios of sums (`ratio_of_sums`), each indicator weighted
by its own base (`WEIGHTS`), never simple means of district rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ucj.analysis.aggregate import ratio_of_sums
from ucj.core.errors import UcjInputError
from ucj.analysis.reasons import reason as reason_code

HIGHER_IS_BETTER = {"coverage_pct": True, "p0": False, "jkk_per_1000": False, "apbd_share_pct": True}
# The base each indicator is a rate of: its weight in any aggregate.
WEIGHTS = {"coverage_pct": "denominator_value", "p0": "population", "jkk_per_1000": "jkk_participant_months",
           "apbd_share_pct": "active_total"}
OTHER_PROVINCE_PENALTY = 1.0


def _features(table: pd.DataFrame) -> pd.DataFrame:
    """Standardised log size and informal share (districts lacking either are left out).

    Size is the population (poor / P0); where the poverty table has no numbers of poor (a P0-only
    import), the working population stands in for every district, so all are measured alike."""
    pop = table["population"] if "population" in table else pd.Series(np.nan, index=table.index)
    work = table["working_population"]
    size = pop if pop.notna().sum() >= work.notna().sum() else work
    feats = pd.DataFrame({"log_size": np.log(size.where(size > 0)),
                          "informal_share": table["informal_share"]}).dropna()
    return (feats - feats.mean()) / feats.std(ddof=0)


def _distances(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    z = _features(table)
    zz = z.to_numpy()
    dist = np.sqrt(((zz[:, None, :] - zz[None, :, :]) ** 2).sum(axis=2))
    prov = table["province_code"].reindex(z.index).to_numpy()
    dist = dist + OTHER_PROVINCE_PENALTY * (prov[:, None] != prov[None, :])
    np.fill_diagonal(dist, np.inf)
    return z.index.to_numpy(), dist


def similar_districts(table: pd.DataFrame, district_code: str, k: int = 5) -> pd.DataFrame:
    """The k districts nearest in structure (population, informal share, province); with their distance."""
    codes, dist = _distances(table)
    if district_code not in set(codes):
        raise UcjInputError.one(f"district {district_code} lacks population or informal share for peer matching")
    i = int(np.flatnonzero(codes == district_code)[0])
    order = np.argsort(dist[i], kind="stable")[:k]
    return pd.DataFrame({"district_code": codes[order], "distance": dist[i, order]})


def nearest_peers(table: pd.DataFrame, k: int = 5) -> dict[str, list[str]]:
    """Every district's k nearest districts (`similar_districts`' codes, in its order), from one distance matrix:
    what a caller comparing many districts over one table computes once, where `similar_districts` builds the
    whole matrix for each district (about 8 ms a report; tests/analysis/test_speedr_peers.py compares the two)."""
    codes, dist = _distances(table)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return {str(c): [str(x) for x in codes[row]] for c, row in zip(codes, nearest)}


def benchmark_all(table: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """Every district against its province, the nation and its k peers, for every indicator (long).

    Rank 1 is the best (highest coverage, lowest poverty); districts with the same value share the group's best
    rank, and `tied` counts them (1: no tie); `percentile` is the share of districts the district does better
    than or equal to. Province, national and peer values are ratios of sums.
    """
    codes, dist = _distances(table)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    geo = table[["province_code"]].assign(country="ID")
    rows = []
    for ind, higher_better in HIGHER_IS_BETTER.items():
        col = table[ind]
        weight = table[WEIGHTS[ind]].astype("float64")
        both = table[[ind]].join(geo).assign(w=weight)
        province = ratio_of_sums(both, [ind], "w", ["province_code"]).set_index("province_code")[ind]
        national = float(ratio_of_sums(both, [ind], "w", ["country"])[ind].iloc[0])
        vals = col.reindex(codes).to_numpy(dtype="float64")
        w = weight.reindex(codes).to_numpy(dtype="float64")
        ok = np.isfinite(vals) & np.isfinite(w) & (w > 0)
        vw, ww = np.where(ok, vals * w, 0.0), np.where(ok, w, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            peer_vals = vw[nearest].sum(axis=1) / ww[nearest].sum(axis=1)
        peers = pd.Series(np.where(ww[nearest].sum(axis=1) > 0, peer_vals, np.nan), index=codes)
        rank = col.rank(ascending=not higher_better, method="min")  # a tie shares its group's best rank
        tied = col.map(col.value_counts())  # districts with exactly the same value (the district itself included)
        pct = 100 * col.rank(ascending=higher_better, method="max", pct=True)
        df = pd.DataFrame({
            "district_code": table.index, "indicator": ind, "value": col.to_numpy(),
            "province": table["province_code"].map(province).to_numpy(), "national": national,
            "peers": peers.reindex(table.index).to_numpy(), "rank": rank.to_numpy(),
            "of": int(col.notna().sum()), "percentile": pct.to_numpy(), "tied": tied.to_numpy(),
        })
        rows.append(df)
    out = pd.concat(rows, ignore_index=True)
    for ref in ("province", "national", "peers"):
        out[f"gap_{ref}"] = out["value"] - out[ref]
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="str")
    out.loc[out["value"].isna(), "reason"] = reason_code("reason_no_value")
    out["rank"] = out["rank"].astype("Int64")
    out["tied"] = out["tied"].astype("Int64")
    return out


def benchmark(table: pd.DataFrame, district_code: str, *, k: int = 5,
              all_rows: pd.DataFrame | None = None, peers: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """One district's rows of `benchmark_all` over the all-district `table` (see
    ucj.analysis.all_districts.district_table), with its peers listed in `attrs["peers"]`.
    `all_rows` is `benchmark_all(table, k)` and `peers` is `nearest_peers(table, k)` when a caller comparing many
    districts has them already."""
    if district_code not in table.index:
        raise UcjInputError.one(f"unknown district {district_code}")
    out = benchmark_all(table, k) if all_rows is None else all_rows
    out = out[out["district_code"] == district_code].drop(columns="district_code").reset_index(drop=True)
    if peers is not None and district_code in peers:
        out.attrs["peers"] = list(peers[district_code])
    else:  # raises for a district lacking population or informal share, as before
        out.attrs["peers"] = similar_districts(table, district_code, k)["district_code"].tolist()
    return out
