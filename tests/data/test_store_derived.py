"""The store of derived data (ucj.data.store): what it returns equals what computing returns (frames
compared exactly, dtypes and attrs included), a changed byte or version is computed again, deleting
the store or turning it off changes nothing, and a store that cannot be written is skipped."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from ucj.core.files import sha256_file
from ucj.data import dataset as dataset_mod
from ucj.data import store
from ucj.data.dataset import load, load_stored

pytestmark = pytest.mark.slow  # seconds a test (whole demo pages, stores, workbooks): make test only


@pytest.fixture()
def store_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store"
    monkeypatch.setenv(store.STORE_ENV, str(root))
    return root


@pytest.fixture()
def data(demo_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(demo_dir, out)
    return out


@pytest.fixture()
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real loads (cache misses)."""
    calls: list[int] = []
    real = dataset_mod.load

    def counting(*a, **kw):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(dataset_mod, "load", counting)
    return calls


def assert_same_dataset(a, b) -> None:  # type: ignore[no-untyped-def]
    assert list(a.tables) == list(b.tables)
    for name in a.tables:
        pdt.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
        assert dict(a.tables[name].dtypes) == dict(b.tables[name].dtypes), name
        assert a.tables[name].attrs == b.tables[name].attrs, name
    assert {k: vars(v) for k, v in a.info.items()} == {k: vars(v) for k, v in b.info.items()}
    pdt.assert_frame_equal(a.registry.districts, b.registry.districts, check_exact=True)


def test_stored_dataset_equals_loaded(data: Path, store_root: Path, loads: list[int]) -> None:
    fresh = load(data)  # the module's own load, not counted
    first = load_stored(data)  # a miss: computed and stored
    again = load_stored(str(data))  # a hit, the folder named another way
    assert len(loads) == 1
    assert list(store_root.glob("*/*.pickle"))
    assert_same_dataset(fresh, first)
    assert_same_dataset(load(str(data)), again)
    assert first.store_key == again.store_key != ""
    assert not list(data.glob(".*")) or all(p.name.endswith(".lock") for p in data.glob(".*"))  # nothing written there


def test_stored_all_district_tables_equal_computed(data: Path, store_root: Path) -> None:
    from ucj.analysis.all_districts import district_table
    from ucj.analysis.district import AreaPoverty
    from ucj.analysis.district import as_of
    from ucj.presentation.district import PeerTables

    ds = load_stored(data)
    period = ds.enrolment["month"].max()
    PeerTables(ds).table(period, period.year, "working_population")  # computed, then stored
    PeerTables(ds).poverty(period)
    entries = len(list(store_root.glob("*/*.pickle")))
    stored = PeerTables(load_stored(data))
    got = stored.table(period, period.year, "working_population")
    pov = stored.poverty(period)
    assert len(list(store_root.glob("*/*.pickle"))) == entries == 3
    # computed independently, without the store: the analysis functions themselves on a plain load
    plain = load(data)
    want = district_table(as_of(plain, period), period.year, "working_population")
    pdt.assert_frame_equal(got.table, want, check_exact=True)
    assert got.table.attrs == want.attrs
    from ucj.analysis.peers import benchmark_all

    pdt.assert_frame_equal(got.benchmarks, benchmark_all(want), check_exact=True)
    want_pov = AreaPoverty.of(plain, pd.Timestamp(period))
    pdt.assert_frame_equal(pov.province, want_pov.province, check_exact=True)
    pdt.assert_frame_equal(pov.national, want_pov.national, check_exact=True)


def _rewrite_table(folder: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    """Change one table file (through pandas) and record its new hash in the folder's manifest."""
    path = folder / f"{name}.parquet"
    df = pd.read_parquet(path)
    change(df)
    df.to_parquet(path, index=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"][name]["sha256"] = sha256_file(path)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_changed_byte_misses(data: Path, store_root: Path, loads: list[int]) -> None:
    before = load_stored(data)
    assert len(loads) == 1
    row = before.workforce.index[0]

    def bump(df: pd.DataFrame) -> None:
        df.loc[0, "working_population"] = df.loc[0, "working_population"] + 1

    _rewrite_table(data, "workforce", bump)
    after = load_stored(data)
    assert len(loads) == 2  # computed again
    assert after.store_key != before.store_key
    assert after.workforce.loc[row, "working_population"] == before.workforce.loc[row, "working_population"] + 1
    assert_same_dataset(after, load(data))
    # one byte of the manifest alone (a space) is another key too
    (data / "manifest.json").write_text((data / "manifest.json").read_text() + " ")
    load_stored(data)
    assert len(loads) == 3


def test_changed_version_misses(data: Path, store_root: Path, loads: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    load_stored(data)
    load_stored(data)
    assert len(loads) == 1
    real = store.versions
    monkeypatch.setattr(store, "versions", lambda: real() | {"pandas": "0.0.1"})
    load_stored(data)
    assert len(loads) == 2
    monkeypatch.setattr(store, "code_fingerprint", lambda: "edited")
    monkeypatch.setattr(store, "versions", real)
    load_stored(data)
    assert len(loads) == 3


def test_deleting_or_turning_off_the_store_changes_nothing(data: Path, store_root: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from ucj.presentation.district import PeerTables

    ds = load_stored(data)
    period = ds.enrolment["month"].max()
    stored = PeerTables(ds).table(period, period.year, "working_population")
    shutil.rmtree(store_root)
    rebuilt = load_stored(data)
    assert_same_dataset(ds, rebuilt)
    pdt.assert_frame_equal(PeerTables(rebuilt).table(period, period.year, "working_population").table, stored.table,
                           check_exact=True)
    monkeypatch.setenv(store.STORE_ENV, "off")
    shutil.rmtree(store_root)
    off = load_stored(data)
    assert off.store_key == "" and not store_root.exists()
    assert_same_dataset(ds, off)


def test_unwritable_store_and_read_only_data(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(store.STORE_ENV, str(blocker / "store"))  # cannot be created
    before = sorted(p.name for p in data.iterdir())
    os.chmod(data, 0o555)
    try:
        ds = load_stored(data)
    finally:
        os.chmod(data, 0o755)
    assert_same_dataset(ds, load(data))
    assert sorted(p.name for p in data.iterdir()) == before


def test_damaged_entry_is_a_miss(data: Path, store_root: Path, loads: list[int]) -> None:
    load_stored(data)
    for entry in store_root.glob("*/*.pickle"):
        entry.write_bytes(entry.read_bytes()[:100])  # cut short, as by a full disk
    ds = load_stored(data)
    assert len(loads) == 2
    assert_same_dataset(ds, load(data))


def test_bad_file_raises_as_load_does(data: Path, store_root: Path) -> None:
    from ucj.core.errors import UcjInputError

    load_stored(data)
    (data / "poverty.parquet").write_bytes(b"not parquet")
    with pytest.raises(UcjInputError) as stored_err:
        load_stored(data)
    with pytest.raises(UcjInputError) as plain_err:
        load(data)
    assert str(stored_err.value) == str(plain_err.value)


def test_stored_national_ranking_and_panel_equal_computed(data: Path, store_root: Path) -> None:
    """The national overview's ranking table and fixed-effects estimate (seconds of least squares) are
    read back from the store exactly as computed on a plain load (no store key: nothing stored)."""
    from ucj.analysis.regions import region_figures

    plain = region_figures(load(data), None)  # computed, the store not involved
    assert not list(store_root.glob("*/*.pickle"))
    region_figures(load_stored(data), None)  # computed and stored
    stored = region_figures(load_stored(data), None)  # read back
    assert len(list(store_root.glob("*/*.pickle"))) == 3  # the dataset, the table, the estimate
    pdt.assert_frame_equal(stored.ranking, plain.ranking, check_exact=True)
    assert (stored.panel is None) == (plain.panel is None) and stored.panel_reason == plain.panel_reason
    if plain.panel is not None:
        pdt.assert_frame_equal(stored.panel.table(), plain.panel.table(), check_exact=True)
        assert (stored.panel.nobs, stored.panel.districts, stored.panel.years) == \
            (plain.panel.nobs, plain.panel.districts, plain.panel.years)
