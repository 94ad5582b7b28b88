"""Loading: validation on load, provenance, and the data dictionary kept in step with the schemas."""

import shutil

import pandas as pd
import pytest

import ucj
from conftest import REPO
from ucj.core.errors import UcjInputError
from ucj.core.files import write_parquet
from ucj.data.schema import describe


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
    with pytest.raises(UcjInputError, match=r"poverty.parquet: table 'poverty' does not match its manifest"):
        ucj.load(tmp_path / "d")
    # with the manifest brought up to date, the schema still refuses the values
    import json

    from ucj.core.files import sha256_file

    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    manifest["tables"]["poverty"]["sha256"] = sha256_file(tmp_path / "d" / "poverty.parquet")
    (tmp_path / "d" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UcjInputError) as err:
        ucj.load(tmp_path / "d")
    rules = {(p.row, p.column, p.rule) for p in err.value.problems}
    assert (5, "p0", "0 to 100") in rules
    assert (7, "district_code", "a Kemendagri kab/kota code in the registry") in rules


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(UcjInputError, match="data folder not found"):
        ucj.load(tmp_path / "nowhere")


def _fingerprint(ds) -> dict:
    return {name: (dict(df.dtypes.astype(str)), int(pd.util.hash_pandas_object(df, index=True).sum()))
            for name, df in ds.tables.items()}


def _dtype_key(dtype) -> tuple:
    """A dtype with what == leaves out: a categorical's categories in their order, and their own dtype."""
    if isinstance(dtype, pd.CategoricalDtype):
        return ("category", dtype.ordered, str(dtype.categories.dtype), list(dtype.categories))
    return (str(dtype),)


def test_two_loads_are_equal_dtypes_included(demo_dir):
    """The same files give equal frames on every call (no validation cache changes the dtypes)."""
    first, second = ucj.load(demo_dir), ucj.load(demo_dir)
    for name in first.tables:
        # DataFrame.equals compares values, index and columns (NaN equal to NaN) but not every dtype
        # detail, so the dtypes (categories and their order included) are compared on their own; 0.01 s
        # where assert_frame_equal on the categoricals took 70 s.
        a, b = first[name], second[name]
        assert a.equals(b), name
        assert list(a.columns) == list(b.columns) and a.index.equals(b.index), name
        assert [_dtype_key(x) for x in a.dtypes] == [_dtype_key(y) for y in b.dtypes], name
        assert _dtype_key(a.index.dtype) == _dtype_key(b.index.dtype), name
    assert first["workforce"]["employees"].dtype == "Int64"  # the schema's nullable integer, every time


def test_a_load_in_another_process_is_equal(demo_dir):
    import json
    import subprocess
    import sys

    code = ("import json, sys, pandas as pd, ucj\n"
            "ds = ucj.load(sys.argv[1])\n"
            "print(json.dumps({n: [dict(df.dtypes.astype(str)), int(pd.util.hash_pandas_object(df, index=True).sum())]"
            " for n, df in ds.tables.items()}))")
    run = subprocess.run([sys.executable, "-c", code, str(demo_dir)], capture_output=True, text=True, check=True)
    other = {k: (v[0], v[1]) for k, v in json.loads(run.stdout).items()}
    assert other == _fingerprint(ucj.load(demo_dir))
