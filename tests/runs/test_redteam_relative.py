"""Paths recorded in a run never climb to the file system's root (red team: run.json recorded
"../../../../../../work/shared/data/raw/geo_ghapsara/kabkot-simplifed-topo.json")."""

from pathlib import Path

from ucj.runs.bundle import relative


def test_a_path_sharing_only_the_root_is_recorded_by_its_name(tmp_path):
    run = tmp_path / "reports" / "r"
    assert relative(tmp_path / "data" / "demo", run) == "../../data/demo"  # a bundle can follow it
    assert relative("/work/shared/data/raw/geo.json", Path("/tmp/x/main/reports/r")) == "geo.json"
    assert relative("/etc", tmp_path) == "etc"
