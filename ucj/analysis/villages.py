"""Participants by village (desa and kelurahan) against the village quota, from the optional
village_enrolment table (a branch office's "rekap per desa").

The quota counts vulnerable workers, the BPU segment ("pekerja rentan": not wage earners), per desa
("satu desa mendaftarkan minimal 100 pekerja rentan", ANTARA, Nov 2024); a kelurahan has no quota.
The change is against the same month a year before, the previous yearly list.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ucj.data.dataset import Dataset
from ucj.data.villages import villages_in

QUOTA_SEGMENT = "BPU"
DEFAULT_QUOTA = 100


@dataclass(frozen=True)
class VillageFigures:
    """One district's villages in one month: BPU participants against the quota, and the year's change.

    `table` has one row per desa/kelurahan of the district (Kemendagri list), with columns village_code,
    village, kecamatan, kind, bpu_active, all_active, previous_bpu_active (None without that month),
    change, quota, below_quota. `unknown_codes` are codes in the data that the Kemendagri list lacks
    (their participants are in `unplaced`)."""

    district_code: str
    month: pd.Timestamp
    previous_month: pd.Timestamp | None
    quota: int
    table: pd.DataFrame
    villages_below_quota: int
    desa: int
    bpu_active: int
    all_active: int
    unknown_codes: tuple[str, ...]
    unplaced: int


def village_figures(ds: Dataset, district_code: str, last_period: pd.Timestamp | None = None,
                    quota: int = DEFAULT_QUOTA) -> VillageFigures | None:
    """The district's village figures in its latest month with village data (up to `last_period`);
    None when the data has no village rows for the district."""
    v = ds.village_enrolment
    v = v[v["district_code"] == district_code]
    if last_period is not None:
        v = v[v["month"] <= pd.Timestamp(last_period)]
    if v.empty:
        return None
    month = pd.Timestamp(v["month"].max())
    prev = month - pd.DateOffset(years=1)
    has_prev = bool((v["month"] == prev).any())
    now = v[v["month"] == month]
    bpu = now[now["segment"] == QUOTA_SEGMENT].groupby("village_code")["active"].sum()
    every = now.groupby("village_code")["active"].sum()
    before = (v[(v["month"] == prev) & (v["segment"] == QUOTA_SEGMENT)].groupby("village_code")["active"].sum()
              if has_prev else None)
    listed = villages_in(district_code)
    table = pd.DataFrame([(x.code, x.name, x.kecamatan, x.kind) for x in listed],
                         columns=["village_code", "village", "kecamatan", "kind"])
    table["bpu_active"] = table["village_code"].map(bpu).fillna(0).astype("int64")
    table["all_active"] = table["village_code"].map(every).fillna(0).astype("int64")
    if before is not None:
        table["previous_bpu_active"] = table["village_code"].map(before).fillna(0).astype("int64")
        table["change"] = table["bpu_active"] - table["previous_bpu_active"]
    else:
        table["previous_bpu_active"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["change"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["quota"] = [int(quota) if k != "kelurahan" else 0 for k in table["kind"]]
    table["below_quota"] = table["bpu_active"] < table["quota"]
    known = set(table["village_code"])
    unknown = tuple(sorted(set(every.index) - known))
    return VillageFigures(district_code, month, prev if has_prev else None, int(quota),
                          table.sort_values(["kecamatan", "village"], ignore_index=True),
                          int(table["below_quota"].sum()), int((table["kind"] != "kelurahan").sum()),
                          int(bpu.sum()), int(every.sum()), unknown, int(every[list(unknown)].sum()) if unknown else 0)


def kecamatan_rows(f: VillageFigures) -> pd.DataFrame:
    """The village figures summed by kecamatan: desa, BPU and all participants, desa below the quota."""
    t = f.table.assign(is_desa=f.table["kind"] != "kelurahan")
    out = t.groupby("kecamatan", as_index=False).agg(desa=("is_desa", "sum"), bpu_active=("bpu_active", "sum"),
                                                      all_active=("all_active", "sum"),
                                                      desa_below_quota=("below_quota", "sum"))
    return out.astype({"desa": "int64", "desa_below_quota": "int64"}).sort_values("kecamatan", ignore_index=True)
