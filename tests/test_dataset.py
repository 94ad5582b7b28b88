"""Loading: validation on load, provenance, and the data dictionary kept in step with the schemas."""

import shutil

import pandas as pd
import pytest

import ucj
from conftest import REPO
from ucj.errors import UcjInputError
from ucj.io.files import write_parquet
from ucj.schema import describe


def test_data_dictionary_matches_the_schemas():
    text = (REPO / "data" / "README.md").read_text()
    section = text.split("<!-- schema:start -->\n")[1].split("<!-- schema:end -->")[0]
    assert section == describe()


def test_load_reports_provenance(demo_ds, demo_dir):
    info = demo_ds.provenance()
    assert info["claims"]["rows"] == len(demo_ds.claims)
    assert len(info["claims"]["sha256"]) == 64 and info["claims"]["synthetic"] is True


def test_a_tampered_table_fails_on_load(demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "d")
    df = pd.read_parquet(tmp_path / "d" / "poverty.parquet")
    df.loc[5, "p0"] = 140.0
    df.loc[7, "district_code"] = "99.99"
    write_parquet(tmp_path / "d" / "poverty.parquet", df, {"synthetic": True})
    with pytest.raises(UcjInputError) as err:
        ucj.load(tmp_path / "d")
    rules = {(p.row, p.column, p.rule) for p in err.value.problems}
    assert (5, "p0", "0 to 100") in rules
    assert (7, "district_code", "a Kemendagri kab/kota code in the registry") in rules


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(UcjInputError, match="data folder not found"):
        ucj.load(tmp_path / "nowhere")
