"""The demo's village table: the seed districts' participants split over their desa and kelurahan.

A branch office can export participants per village ("rekap per desa"); the demo makes one up for the
four seed districts, for 2024 and 2025, so the district report's village section and the participant
checks have something to show. Every district row (month x segment x funding) is split over the
district's villages with a multinomial draw around fixed village weights, so the villages add up to the
district table exactly. Synthetic, like the rest of the demo's enrolment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ucj.data.schema import SYNTHETIC_SOURCE

SEED_VILLAGE_DISTRICTS = ("71.02", "72.01", "75.02", "74.13")  # Minahasa, Banggai, Boalemo, Muna Barat
FIRST = pd.Timestamp("2024-01-01")


def village_table(enrolment: pd.DataFrame, seed: int) -> pd.DataFrame:
    """village_enrolment rows whose sums per district, month, segment and funding equal `enrolment`'s."""
    from ucj.data.villages import load_villages

    villages = load_villages()
    rng = np.random.default_rng([seed, 19])
    frames = []
    for code in SEED_VILLAGE_DISTRICTS:
        vs = villages.in_district(code)
        weights = rng.gamma(4.0, 1.0, len(vs))  # a village's size, the same every month
        weights = weights / weights.sum()
        rows = enrolment[(enrolment["district_code"] == code) & (enrolment["month"] >= FIRST)]
        for r in rows.itertuples(index=False):
            split = rng.multinomial(int(r.active), weights)
            frames.append(pd.DataFrame({"district_code": code, "village_code": [v.code for v in vs],
                                        "month": r.month, "segment": r.segment, "funding": r.funding,
                                        "active": split.astype("int64")}))
    out = pd.concat(frames, ignore_index=True)
    out = out[out["active"] > 0].reset_index(drop=True)
    out["month"] = out["month"].astype("datetime64[ns]")
    out["source"] = SYNTHETIC_SOURCE
    return out
