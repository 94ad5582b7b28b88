"""The district report's village section: shown from the village table when given (figures recomputed
here from the table with pandas), and a sentence saying what to give when not."""

from __future__ import annotations

import pandas as pd

from ucj.presentation import district as report_module
from ucj.runs.params import validate_params


def _report(demo_ds, demo_dir, district: str, lang: str = "id"):  # type: ignore[no-untyped-def]
    params = validate_params(district, "", "", "", "", lang, str(demo_dir), registry=demo_ds.registry)
    return report_module.build(demo_ds, params)


def test_the_village_section_of_a_seed_district(demo_ds, demo_dir):
    report = _report(demo_ds, demo_dir, "Boalemo")
    v = pd.read_parquet(demo_dir / "village_enrolment.parquet")
    v = v[(v["district_code"] == "75.02") & (v["month"] == v["month"].max()) & (v["segment"] == "BPU")]
    per_village = v.groupby("village_code")["active"].sum()
    key = report.key["villages"]
    assert key["month"] == f"{v['month'].max():%Y-%m}" and key["bpu_active"] == int(per_village.sum())
    # Boalemo has no published village quota (reader 3, item 3): no desa is judged against Minahasa's
    assert key["quota"] is None and key["desa_below_quota"] is None
    shown = report.display_table("villages")
    assert len(shown) == len(report.villages.table) and shown.columns[0] == "Kecamatan"
    assert "Kuota" not in shown.columns


def test_a_district_without_village_data_says_what_to_give(demo_ds, demo_dir):
    report = _report(demo_ds, demo_dir, "Kab. Bandung", "en")
    assert report.key["villages"] is None and "villages" not in report.tables
    from ucj.presentation.villages_view import village_sentences

    assert village_sentences(report.villages, "en") == [
        "No village data was given for this district: add a village_enrolment table (the branch office's rekap "
        "per desa; template: ucj templates) to see participants per desa/kelurahan (and each desa against a quota, "
        "where the district has one)."]  # no quota is known for it: the quota is conditional (reader 14, R14-9)
