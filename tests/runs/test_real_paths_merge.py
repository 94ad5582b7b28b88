"""Issue 20 item 7: on the real-data path (the real BPS P0 and poor files imported over the demo), the real
P1 and P2 the demo carries for 2024-25 are kept (a merge never loses a real value a lower folder had), and
the stamp names the hash of every file of the merged table."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import ucj
from conftest import LONG_CSV, P0_CSV, POOR_CSV
from ucj.core.stamp import stamp

pytestmark = pytest.mark.slow  # seconds a test: make test only


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from typer.testing import CliRunner

    from ucj.cli import app

    out = tmp_path_factory.mktemp("processed")
    for raw in (P0_CSV, POOR_CSV):
        res = CliRunner().invoke(app, ["import", "bps-table", str(raw), "--out", str(out)])
        assert res.exit_code == 0, res.output
    return out


def test_real_p1_p2_of_the_demo_survive_an_import_of_p0_and_poor(demo_dir, imported):
    ds = ucj.load(str(demo_dir), str(imported))
    pov = ds.poverty.assign(district_code=lambda d: d["district_code"].astype(str))
    # the published P1 and P2 (muhlis000 copy of BPS, Kemendagri code 7502 = Boalemo), read independently
    raw = pd.read_csv(LONG_CSV)
    boalemo = raw[raw["kode_kab"] == 7502].set_index("tahun")
    for year in (2024, 2025):
        row = pov[(pov["district_code"] == "75.02") & (pov["year"] == year)].iloc[0]
        assert row["p1"] == pytest.approx(boalemo.loc[year, "Indeks Kedalaman Kemiskinan (P1)"])
        assert row["p2"] == pytest.approx(boalemo.loc[year, "Indeks Keparahan Kemiskinan (P2)"])
        assert row["p0"] == pytest.approx(boalemo.loc[year, "persen_miskin"])
        assert "synthetic" not in row["source"] and pd.isna(row["poverty_line_rp"])  # made-up values still dropped
    assert not ds.info["poverty"].synthetic


def test_the_stamp_names_every_file_of_a_merged_table(demo_dir, imported):
    ds = ucj.load(str(demo_dir), str(imported))
    demo = hashlib.sha256((demo_dir / "poverty.parquet").read_bytes()).hexdigest()
    real = hashlib.sha256((imported / "poverty.parquet").read_bytes()).hexdigest()
    assert ds.info["poverty"].sha256 == f"{demo}+{real}"
    shown = stamp({"poverty": ds.info["poverty"].sha256})["tables"]["poverty"]
    assert shown == f"{demo[:len(shown.split('+')[0])]}+{real[:len(shown.split('+')[1])]}"
