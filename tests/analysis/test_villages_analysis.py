"""Village figures against a hand-built village table, and the demo's village table against the
district table it splits."""

from __future__ import annotations

import pandas as pd

from ucj.analysis.villages import village_figures
from ucj.data.dataset import Dataset
from ucj.data.registry import load_registry


def _ds(rows: list[tuple]) -> Dataset:
    v = pd.DataFrame(rows, columns=["district_code", "village_code", "month", "segment", "funding", "active"])
    v["month"] = pd.to_datetime(v["month"])
    v["source"] = "test"
    return Dataset({"village_enrolment": v}, load_registry())


def test_a_hand_built_village_table():
    ds = _ds([
        ("71.02", "71.02.06.2017", "2024-12-01", "BPU", "apbd", 60),   # Tounelet (Kakas), a year before
        ("71.02", "71.02.06.2017", "2025-12-01", "BPU", "apbd", 90),
        ("71.02", "71.02.06.2017", "2025-12-01", "BPU", "self_employer", 15),
        ("71.02", "71.02.06.2017", "2025-12-01", "PU", "self_employer", 40),  # wage earners: not the quota's
        ("71.02", "71.02.01.1007", "2025-12-01", "BPU", "apbd", 30),   # Masarang, a kelurahan of Tondano Barat: no quota
        ("71.02", "71.02.99.2999", "2025-12-01", "BPU", "apbd", 7),    # not in the Kemendagri list
    ])
    f = village_figures(ds, "71.02", quota=100)
    assert f is not None and f.month == pd.Timestamp("2025-12-01") and f.previous_month == pd.Timestamp("2024-12-01")
    row = f.table.set_index("village_code").loc["71.02.06.2017"]
    # by hand: BPU 90 + 15 = 105 >= 100, but only 90 funded by the APBD (the quota's basis) < 100;
    # all 105 + 40 = 145; a year before 60, so +45
    assert (row["bpu_active"], row["apbd_bpu_active"], row["all_active"], row["previous_bpu_active"], row["change"],
            row["below_quota"], row["below_quota_all_bpu"]) == (105, 90, 145, 60, 45, True, False)
    kel = f.table.set_index("village_code").loc["71.02.01.1007"]
    assert kel["kind"] == "kelurahan" and kel["quota"] == 0 and not kel["below_quota"]
    assert f.unknown_codes == ("71.02.99.2999",) and f.unplaced == 7
    assert f.desa == 227 and f.villages_below_quota == 227  # no desa has 100 APBD-funded BPU participants
    assert f.villages_below_quota_all_bpu == 226  # every desa but Tounelet, counting all BPU
    assert f.bpu_active == 90 + 15 + 30 + 7 and f.all_active == f.bpu_active + 40
    assert f.apbd_bpu_active == 90 + 30 + 7
    assert village_figures(ds, "75.02") is None  # no village data for Boalemo here


def test_the_demo_villages_add_up_to_the_district_table(demo_ds):
    e, v = demo_ds.enrolment, demo_ds.village_enrolment
    for code in ("71.02", "72.01", "75.02", "74.13"):
        f = village_figures(demo_ds, code)
        assert f is not None and f.unknown_codes == ()
        district = e[(e["district_code"] == code) & (e["month"] == f.month)]
        assert f.all_active == int(district["active"].sum())
        assert f.bpu_active == int(district.loc[district["segment"] == "BPU", "active"].sum())
    assert set(v["district_code"]) == {"71.02", "72.01", "75.02", "74.13"}
    assert demo_ds.info["village_enrolment"].synthetic
