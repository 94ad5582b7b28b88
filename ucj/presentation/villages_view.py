"""The district report's village section: BPU participants per desa against the quota, the villages
below it, and the change since the same month a year before (from ucj.analysis.villages).

A unit of its own: it reads the typed VillageFigures and returns what to show; when the data has no
village table for the district it says so and what to give."""

from __future__ import annotations

import pandas as pd

from ucj.analysis.villages import QUOTA_SEGMENT, VillageFigures
from ucj.presentation.i18n import Lang, fmt_int, t, tf

COLUMNS = ["kecamatan", "village", "kind", "bpu_active", "previous_bpu_active", "change", "quota", "below_quota"]


def village_rows(f: VillageFigures) -> pd.DataFrame:
    """The section's table: every desa and kelurahan, the ones below the quota first."""
    out = f.table.sort_values(["below_quota", "kecamatan", "village"], ascending=[False, True, True])
    cols = COLUMNS if f.previous_month is not None else [c for c in COLUMNS if c not in ("previous_bpu_active",
                                                                                         "change")]
    out = out.assign(quota=out["quota"].astype("Int64").mask(out["kind"] == "kelurahan"))  # no quota: "–", not 0
    return out[cols].reset_index(drop=True)


def village_key(f: VillageFigures | None) -> dict[str, object]:
    """The section's key figures (key_figures.json): counts only."""
    if f is None:
        return {"villages": None}
    return {"villages": {"month": f"{f.month:%Y-%m}", "quota": f.quota, "segment": QUOTA_SEGMENT,
                         "desa": f.desa, "desa_below_quota": f.villages_below_quota, "bpu_active": f.bpu_active,
                         "all_active": f.all_active, "unplaced": f.unplaced,
                         "previous_month": None if f.previous_month is None else f"{f.previous_month:%Y-%m}"}}


def village_sentences(f: VillageFigures | None, lang: Lang) -> list[str]:
    """What the section says above its table (or that no village data was given)."""
    if f is None:
        return [t("villages_none", lang)]
    lines = [tf("villages_sentence", lang, month=f"{f.month:%Y-%m}", below=fmt_int(f.villages_below_quota, lang),
                desa=fmt_int(f.desa, lang), quota=fmt_int(f.quota, lang), bpu=fmt_int(f.bpu_active, lang),
                total=fmt_int(f.all_active, lang))]
    if f.previous_month is not None:
        lines.append(tf("villages_change_note", lang, previous=f"{f.previous_month:%Y-%m}"))
    if f.unknown_codes:
        lines.append(tf("villages_unknown_codes", lang, n=fmt_int(len(f.unknown_codes), lang),
                        persons=fmt_int(f.unplaced, lang)))
    return lines
