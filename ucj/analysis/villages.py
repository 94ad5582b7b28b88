"""Participants by village (desa and kelurahan) against the village quota, from the optional
village_enrolment table (a branch office's "rekap per desa").

A quota is a district's own agreement, known only where it was published (data/published/village_quotas.csv):
Minahasa's "satu desa mendaftarkan minimal 100 pekerja rentan di desa" (ANTARA Sulut, no later than September 2023). A
district without one is not judged against any quota (reader 3, item 3: Minahasa's 100 was applied to
every district). The quota counts the "pekerja rentan desa" the district protects: BPU participants whose
contributions the APBD pays (`QUOTA_BASIS`); every BPU participant, the self-paying ones included, is counted
beside it, and the desa below the quota are given on both counts. A kelurahan has no quota. The change is
against the same month a year before, the previous yearly list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ucj.data.dataset import Dataset
from ucj.data.villages import villages_in

QUOTA_SEGMENT = "BPU"
QUOTA_FUNDING = "apbd"  # the quota's participants: BPU funded by the APBD (the district's "pekerja rentan desa")
QUOTA_BASIS = "apbd_funded_bpu"
SELF_FUNDED = "self_employer"  # participants without contribution assistance (no budget pays for them)
PUBLISHED = "published"  # village_figures(quota=PUBLISHED): the district's published quota, or none


@dataclass(frozen=True)
class VillageQuota:
    """A district's published village quota: participants per desa, who counts, and where it was published."""

    quota: int
    counts: str  # QUOTA_BASIS
    wording: str  # the article's own words
    date: str
    source: str  # as the published tables name it (cited through citations.csv)


def published_quota(district_code: str) -> VillageQuota | None:
    """The district's published village quota (data/published/village_quotas.csv), None when none is known."""
    from ucj.data.published import village_quotas

    q = village_quotas()
    q = q[q["district_code"] == district_code]
    if q.empty:
        return None
    r = q.iloc[-1]
    return VillageQuota(int(r["quota"]), str(r["counts"]), str(r["wording"]), str(r["date"]), str(r["source_article"]))


@dataclass(frozen=True)
class VillageFigures:
    """One district's villages in one month: BPU participants (all, and those the APBD funds) against the
    district's quota when it has one, and the year's change.

    `table` has one row per desa/kelurahan of the district (Kemendagri list), with columns village_code,
    village, kecamatan, kind, bpu_active, apbd_bpu_active, all_active, previous_bpu_active (None without that
    month), change, self_funded_bpu_change (the change of the BPU participants without contribution assistance,
    funding self_employer; NA without that month), quota (NA without a quota, 0 for a kelurahan), below_quota (APBD-funded BPU below the
    quota; NA without a quota) and below_quota_all_bpu (every BPU participant counted). `unknown_codes` are
    codes in the data that the Kemendagri list lacks (their participants are in `unplaced`)."""

    district_code: str
    month: pd.Timestamp
    previous_month: pd.Timestamp | None
    quota: VillageQuota | None
    table: pd.DataFrame
    villages_below_quota: int | None  # desa whose APBD-funded BPU are below the quota (None: no quota)
    villages_below_quota_all_bpu: int | None  # the same, every BPU participant counted
    desa: int
    bpu_active: int
    apbd_bpu_active: int
    all_active: int
    unknown_codes: tuple[str, ...]
    unplaced: int
    kelurahan: int = 0  # the district's kelurahan (Kemendagri list): counted beside the desa, never among them
    # the year-before month's BPU participants by who funds them (budget funding only: apbd, apbn, csr), so the
    # change can be read against the end of a funding agreement in between (reader 11, L7)
    previous_funded_bpu: dict[str, int] = field(default_factory=dict)
    # this month's budget-funded BPU participants by funder, and the BPU participants without contribution
    # assistance now and a year before, so a funding agreement that starts in between is not read as the
    # villages' own growth (reader 12, M3: Boalemo's 5,000 APBD-funded workers from 2025-11)
    funded_bpu: dict[str, int] = field(default_factory=dict)
    self_funded_bpu_active: int = 0
    previous_self_funded_bpu_active: int | None = None
    # the district's "pekerja rentan desa" as published (seed_facts.csv, vulnerable_village_workers), None when not
    # published: the data's APBD funding code cannot tell them from the district's other APBD-funded workers, so
    # with more APBD-funded BPU than that the desa below the quota are a lower bound (reader 13, R13-4)
    published_village_workers: int | None = None


def village_figures(ds: Dataset, district_code: str, last_period: pd.Timestamp | None = None,
                    quota: int | VillageQuota | str | None = PUBLISHED) -> VillageFigures | None:
    """The district's village figures in its latest month with village data (up to `last_period`);
    None when the data has no village rows for the district. `quota`: PUBLISHED (the district's published
    quota, or none), a VillageQuota, a number of APBD-funded BPU participants per desa, or None (no quota)."""
    v = ds.village_enrolment
    v = v[v["district_code"] == district_code]
    if last_period is not None:
        v = v[v["month"] <= pd.Timestamp(last_period)]
    if v.empty:
        return None
    if isinstance(quota, str):
        quota = published_quota(district_code)
    elif isinstance(quota, int):
        quota = VillageQuota(int(quota), QUOTA_BASIS, "", "", "")
    month = pd.Timestamp(v["month"].max())
    prev = month - pd.DateOffset(years=1)
    has_prev = bool((v["month"] == prev).any())
    now = v[v["month"] == month]
    is_bpu = now["segment"] == QUOTA_SEGMENT
    bpu = now[is_bpu].groupby("village_code")["active"].sum()
    apbd = now[is_bpu & (now["funding"] == QUOTA_FUNDING)].groupby("village_code")["active"].sum()
    every = now.groupby("village_code")["active"].sum()
    before = (v[(v["month"] == prev) & (v["segment"] == QUOTA_SEGMENT)].groupby("village_code")["active"].sum()
              if has_prev else None)
    was = v[(v["month"] == prev) & (v["segment"] == QUOTA_SEGMENT) & (v["funding"] != SELF_FUNDED)]
    funded_before = {str(k): int(n) for k, n in was.groupby("funding", observed=True)["active"].sum().items()
                     if n > 0} if has_prev else {}
    funded_now = {str(k): int(n) for k, n in now[is_bpu & (now["funding"] != SELF_FUNDED)]
                  .groupby("funding", observed=True)["active"].sum().items() if n > 0}
    own = now[is_bpu & (now["funding"] == SELF_FUNDED)].groupby("village_code")["active"].sum()
    own_before = (v[(v["month"] == prev) & (v["segment"] == QUOTA_SEGMENT) & (v["funding"] == SELF_FUNDED)]
                  .groupby("village_code")["active"].sum() if has_prev else None)
    listed = villages_in(district_code)
    table = pd.DataFrame([(x.code, x.name, x.kecamatan, x.kind) for x in listed],
                         columns=["village_code", "village", "kecamatan", "kind"])
    table["bpu_active"] = table["village_code"].map(bpu).fillna(0).astype("int64")
    table["apbd_bpu_active"] = table["village_code"].map(apbd).fillna(0).astype("int64")
    table["all_active"] = table["village_code"].map(every).fillna(0).astype("int64")
    if before is not None:
        table["previous_bpu_active"] = table["village_code"].map(before).fillna(0).astype("int64")
        table["change"] = table["bpu_active"] - table["previous_bpu_active"]
        table["self_funded_bpu_change"] = (table["village_code"].map(own).fillna(0).astype("int64")
                                           - table["village_code"].map(own_before).fillna(0).astype("int64"))
    else:
        table["previous_bpu_active"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["change"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["self_funded_bpu_change"] = pd.array([pd.NA] * len(table), dtype="Int64")
    desa = table["kind"] != "kelurahan"
    if quota is not None:
        table["quota"] = pd.array([int(quota.quota) if d else 0 for d in desa], dtype="Int64")
        table["below_quota"] = pd.array(table["apbd_bpu_active"] < table["quota"], dtype="boolean")
        table["below_quota_all_bpu"] = pd.array(table["bpu_active"] < table["quota"], dtype="boolean")
    else:
        table["quota"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["below_quota"] = pd.array([pd.NA] * len(table), dtype="boolean")
        table["below_quota_all_bpu"] = pd.array([pd.NA] * len(table), dtype="boolean")
    known = set(table["village_code"])
    unknown = tuple(sorted(set(every.index) - known))
    below = int(table["below_quota"].sum()) if quota is not None else None
    below_all = int(table["below_quota_all_bpu"].sum()) if quota is not None else None
    return VillageFigures(district_code, month, prev if has_prev else None, quota,
                          table.sort_values(["kecamatan", "village"], ignore_index=True), below, below_all,
                          int(desa.sum()), int(bpu.sum()), int(apbd.sum()), int(every.sum()), unknown,
                          int(every[list(unknown)].sum()) if unknown else 0, int((~desa).sum()), funded_before,
                          funded_now, int(own.sum()), int(own_before.sum()) if own_before is not None else None,
                          _published_village_workers(district_code) if quota is not None else None)


def _published_village_workers(district_code: str) -> int | None:
    """The district's published count of vulnerable village workers (None when none is recorded)."""
    from ucj.data.published import fact

    try:
        return int(fact("vulnerable_village_workers", district_code))
    except KeyError:
        return None


def kecamatan_rows(f: VillageFigures) -> pd.DataFrame:
    """The village figures summed by kecamatan: desa, BPU (all and APBD-funded) and all participants, desa below
    the quota (NA without a quota)."""
    t = f.table.assign(is_desa=f.table["kind"] != "kelurahan")
    out = t.groupby("kecamatan", as_index=False).agg(desa=("is_desa", "sum"), bpu_active=("bpu_active", "sum"),
                                                      apbd_bpu_active=("apbd_bpu_active", "sum"),
                                                      all_active=("all_active", "sum"),
                                                      desa_below_quota=("below_quota", "sum"))
    out = out.astype({"desa": "int64", "desa_below_quota": "Int64"})
    if f.quota is None:  # no quota: no desa is below it
        out["desa_below_quota"] = pd.array([pd.NA] * len(out), dtype="Int64")
    return out.sort_values("kecamatan", ignore_index=True)
