"""The district report's village section: BPU participants per desa (all, and those the APBD funds) against
the district's published quota where it has one (cited), the villages below it on both counts, and the change
since the same month a year before (from ucj.analysis.villages).

A unit of its own: it reads the typed VillageFigures and returns what to show; when the data has no
village table for the district it says so and what to give."""

from __future__ import annotations

import pandas as pd

from ucj.analysis.villages import QUOTA_SEGMENT, VillageFigures, VillageQuota
from ucj.presentation.i18n import Lang, fmt_int, t, tf

COLUMNS = ["kecamatan", "village", "kind", "bpu_active", "apbd_bpu_active", "previous_bpu_active", "change",
           "self_funded_bpu_change", "quota", "below_quota", "below_quota_all_bpu"]
CHANGE_COLUMNS = ("previous_bpu_active", "change", "self_funded_bpu_change")  # only with the year-before month
QUOTA_COLUMNS = ("quota", "below_quota", "below_quota_all_bpu")


def village_rows(f: VillageFigures) -> pd.DataFrame:
    """The section's table: every desa and kelurahan, the ones below the quota first; without a known quota
    no quota columns (no desa is judged against another district's quota)."""
    cols = [c for c in COLUMNS if f.previous_month is not None or c not in CHANGE_COLUMNS]
    if f.quota is None:
        return f.table.sort_values(["kecamatan", "village"])[[c for c in cols if c not in QUOTA_COLUMNS]] \
            .reset_index(drop=True)
    out = f.table.sort_values(["below_quota", "kecamatan", "village"], ascending=[False, True, True])
    out = out.assign(quota=out["quota"].astype("Int64").mask(out["kind"] == "kelurahan"),  # no quota: "–", not 0
                     below_quota=out["below_quota"].mask(out["kind"] == "kelurahan"),
                     below_quota_all_bpu=out["below_quota_all_bpu"].mask(out["kind"] == "kelurahan"))
    return out[cols].reset_index(drop=True)


def village_key(f: VillageFigures | None, lang: Lang = "id") -> dict[str, object]:
    """The section's key figures (key_figures.json): counts only, the quota with its basis and its source as a
    reader cites it."""
    if f is None:
        return {"villages": None}
    q = f.quota
    return {"villages": {"month": f"{f.month:%Y-%m}", "quota": None if q is None else q.quota,
                         "quota_basis": None if q is None else q.counts,
                         "quota_source": None if q is None else quota_citation(q, lang), "quota_date": None if q is None else q.date,
                         "segment": QUOTA_SEGMENT, "desa": f.desa, "desa_below_quota": f.villages_below_quota,
                         "desa_below_quota_lower_bound": f.published_village_workers is not None
                         and f.apbd_bpu_active > f.published_village_workers,
                         "desa_below_quota_all_bpu": f.villages_below_quota_all_bpu, "bpu_active": f.bpu_active,
                         "apbd_bpu_active": f.apbd_bpu_active, "all_active": f.all_active, "unplaced": f.unplaced,
                         "self_funded_bpu_active": f.self_funded_bpu_active,
                         "previous_self_funded_bpu_active": f.previous_self_funded_bpu_active,
                         "previous_month": None if f.previous_month is None else f"{f.previous_month:%Y-%m}"}}


def quota_citation(q: VillageQuota, lang: Lang) -> str:
    """Where a quota was published, as a reader cites it (outlet, title, date)."""
    from ucj.presentation.tables import cite

    return cite(q.source, lang)


def village_sentences(f: VillageFigures | None, lang: Lang, agreement_ends: pd.DataFrame | None = None) -> list[str]:
    """What the section says above its table (or that no village data was given): the quota with its source
    and basis and the desa below it on both counts, or that no quota is known for the district; under the
    change note, each end of a funding agreement between the year-before month and this one whose workers the
    year-before figure holds (`agreement_ends`: month, segment, funding, last_active_month, as the district's
    results give them), so the change is not read as the villages' own decline."""
    if f is None:
        return [t("villages_none", lang)]
    common = dict(month=f"{f.month:%Y-%m}", desa=fmt_int(f.desa, lang), kelurahan=fmt_int(f.kelurahan, lang),
                  bpu=fmt_int(f.bpu_active, lang),
                  apbd=fmt_int(f.apbd_bpu_active, lang), total=fmt_int(f.all_active, lang))
    if f.quota is not None:
        lines = [tf("villages_sentence_quota", lang, quota=fmt_int(f.quota.quota, lang), wording=f.quota.wording,
                    source=quota_citation(f.quota, lang), below=fmt_int(f.villages_below_quota, lang),
                    below_all=fmt_int(f.villages_below_quota_all_bpu, lang), **common)]
        if f.published_village_workers is not None and f.apbd_bpu_active > f.published_village_workers:
            lines.append(tf("villages_quota_lower_bound", lang, village=fmt_int(f.published_village_workers, lang),
                            source=quota_citation(f.quota, lang), below=fmt_int(f.villages_below_quota, lang), **common))
    else:
        lines = [tf("villages_sentence_no_quota", lang, **common)]
    if f.previous_month is not None:
        lines.append(tf("villages_change_note", lang, previous=f"{f.previous_month:%Y-%m}"))
        lines += agreement_end_notes(f, lang, agreement_ends)
        lines += agreement_start_notes(f, lang)
    if f.unknown_codes:
        lines.append(tf("villages_unknown_codes", lang, n=fmt_int(len(f.unknown_codes), lang),
                        persons=fmt_int(f.unplaced, lang)))
    return lines


def villages_sheet_note(f: VillageFigures | None, lang: Lang) -> str:
    """The workbook notes' line for the villages sheet, which gives no month in its headers (reader 15, R15-13): the
    month of its counts, the month its change columns compare with, and the quota with its source as the page
    cites it. "" without village data."""
    if f is None:
        return ""
    from ucj.presentation.i18n import period_sentence

    parts = [period_sentence(f"{f.month:%Y-%m}", lang)]
    if f.previous_month is not None:
        parts.append(tf("villages_sheet_change", lang, previous=f"{f.previous_month:%Y-%m}"))
    if f.quota is not None:
        parts.append(tf("villages_sheet_quota", lang, quota=fmt_int(f.quota.quota, lang),
                        wording=f.quota.wording, source=quota_citation(f.quota, lang)))
    return " ".join(parts)


def agreement_end_notes(f: VillageFigures, lang: Lang, agreement_ends: pd.DataFrame | None) -> list[str]:
    """One note per end of a BPU funding agreement after the year-before month and up to this month whose
    funded participants the year-before figure counts: how many, and that the change includes their leaving
    (reader 11, L7: Muna Barat's APBD agreement ended after 2024-12)."""
    if f.previous_month is None or agreement_ends is None or not len(agreement_ends):
        return []
    out = []
    for r in agreement_ends.itertuples():
        funded = f.previous_funded_bpu.get(str(r.funding), 0)
        if r.segment == QUOTA_SEGMENT and f.previous_month < pd.Timestamp(r.month) <= f.month and funded > 0:
            out.append(tf("villages_change_agreement_end", lang, previous=f"{f.previous_month:%Y-%m}",
                          funded=fmt_int(funded, lang), funding=t(str(r.funding), lang), last=r.last_active_month,
                          section=t("workers_needed", lang)))
    return out


def agreement_start_notes(f: VillageFigures, lang: Lang) -> list[str]:
    """One note per funder whose BPU participants rose since the year-before month (an agreement that started or
    grew in between): how many it funds now and then, and how the BPU participants without contribution
    assistance changed meanwhile, so the funded workers' start is not read as the villages' own growth
    (reader 12, M3: Boalemo's 5,000 APBD-funded workers from 2025-11 rose every desa while the others fell)."""
    if f.previous_month is None or f.previous_self_funded_bpu_active is None:
        return []
    out = []
    for funding, now in sorted(f.funded_bpu.items()):
        before = f.previous_funded_bpu.get(funding, 0)
        if now > before:
            change = f.self_funded_bpu_active - f.previous_self_funded_bpu_active
            out.append(tf("villages_change_agreement_start", lang, month=f"{f.month:%Y-%m}",
                          previous=f"{f.previous_month:%Y-%m}", funded=fmt_int(now, lang),
                          funded_before=fmt_int(before, lang), funding=t(funding, lang),
                          own_before=fmt_int(f.previous_self_funded_bpu_active, lang),
                          own_now=fmt_int(f.self_funded_bpu_active, lang),
                          own_change=("+" if change > 0 else "") + fmt_int(change, lang),
                          column=t("self_funded_bpu_change", lang)))
    return out
