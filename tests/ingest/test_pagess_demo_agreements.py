"""Reader 13, R13-11: the demo registers no budget-funded worker after a funding agreement's last month. Checked
with pandas on the generated enrolment, and Muna Barat's end against seed 004's own words ("Perjanjian Kerja Sama
(PKS) berakhir Desember 2024")."""

from __future__ import annotations

import re

import pandas as pd
from conftest import REPO

MUNA_BARAT = "74.13"
MONTHS_ID = ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober",
             "november", "desember"]


def _series(demo_dir) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    funded = e[e["funding"] != "self_employer"]
    return (funded.groupby(["district_code", "segment", "funding", "month"])[["active", "new_registrations", "lapsed"]]
            .sum().reset_index().sort_values(["district_code", "segment", "funding", "month"]))


def test_no_funded_registration_after_an_agreements_last_month(demo_dir):
    """Every month after an agreement's last month with workers (active falls to 0) until a new one starts has no
    registrations; the month the workers leave, those active the month before lapse, and no more."""
    g = _series(demo_dir)
    keys = ["district_code", "segment", "funding"]
    g["before"] = g.groupby(keys)["active"].shift(1)
    off = g[(g["active"] == 0) & g["before"].notna()]
    assert len(off) > 0  # the demo has agreements that end (Muna Barat's at least)
    assert (off["new_registrations"] == 0).all(), off[off["new_registrations"] > 0].head()
    ends = off[off["before"] > 0]
    assert (ends["lapsed"] == ends["before"]).all(), ends[ends["lapsed"] != ends["before"]].head()


def test_muna_barat_apbd_ends_in_the_month_seed_004_names(demo_dir):
    text = next((REPO.parent / "shared" / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    month, year = re.search(r"\(PKS\) berakhir (\w+) (\d{4})", text).groups()  # type: ignore[union-attr]
    last = pd.Timestamp(int(year), MONTHS_ID.index(month.lower()) + 1, 1)
    g = _series(demo_dir)
    apbd = g[(g["district_code"] == MUNA_BARAT) & (g["funding"] == "apbd")].set_index("month")
    assert apbd.loc[last, "active"] > 0
    after = apbd[apbd.index > last]
    assert len(after) and (after["active"] == 0).all() and (after["new_registrations"] == 0).all()
    assert after["lapsed"].sum() == apbd.loc[last, "active"]  # all who were active at the end, none registered later
