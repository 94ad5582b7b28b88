"""The explorer's coverage tab drills down to kecamatan and desa (issue 19), from the village table: the
figures recomputed here from the village table with pandas."""

from __future__ import annotations

import pandas as pd

from ucj.analysis.district import district_figures
from ucj.presentation.explore import Explorer, coverage_view


def test_kecamatan_and_desa_levels_of_minahasa(demo_ds, demo_dir):
    fig = district_figures(demo_ds, "71.02")
    v = pd.read_parquet(demo_dir / "village_enrolment.parquet")
    v = v[(v["district_code"] == "71.02") & (v["month"] == v["month"].max())]
    kec = coverage_view(demo_ds, fig, "all", "en", level="kecamatan")
    assert kec.name == "coverage-kecamatan" and len(kec.table) == 25  # Minahasa's 25 kecamatan (domain notes §7)
    total = kec.table["All participants"].str.replace(",", "").astype(int).sum()
    assert total == int(v["active"].sum())
    desa = coverage_view(demo_ds, fig, "all", "id", level="village")
    assert len(desa.table) == 270 and set(desa.table["Di bawah kuota (BPU dibiayai APBD)"]) <= {"ya", "tidak"}
    assert any("desa" in line for line in desa.lines)


def test_a_district_without_villages_says_what_to_add(demo_ds):
    fig = district_figures(demo_ds, "32.04")  # Kabupaten Bandung: no village table in the demo
    view = coverage_view(demo_ds, fig, "all", "en", level="kecamatan")
    assert view.table.empty and any("No village data was given" in line for line in view.lines)


def test_the_explorer_has_the_level_control(demo_ds):
    ex = Explorer(demo_ds, "en", "71.02")
    assert [o[1] for o in ex.level.options] == ["district", "kecamatan", "village"]
    ex.level.value = "kecamatan"
    assert ex.view("coverage").name == "coverage-kecamatan"
