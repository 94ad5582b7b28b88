"""The village index read back from the store of derived data (ucj.data.store) is what parsing the
snapshot gives (same codes, names, dtypes, spans and kecamatan), a changed snapshot byte is another key,
and with the store off or deleted the index is simply parsed again."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas.testing as pdt
import pytest

from ucj.core.config import resource
from ucj.data import store
from ucj.data import villages as villages_mod

pytestmark = pytest.mark.slow  # parses the 83,762-village snapshot several times (seconds): make test only


@pytest.fixture()
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(store.STORE_ENV, str(tmp_path / "store"))
    villages_mod._village_index.cache_clear()  # noqa: SLF001
    yield tmp_path / "store"
    villages_mod._village_index.cache_clear()  # noqa: SLF001


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    pdt.assert_extension_array_equal(a[0], b[0])
    pdt.assert_extension_array_equal(a[1], b[1])
    assert a[0].dtype == b[0].dtype and a[1].dtype == b[1].dtype
    assert a[2] == b[2] and a[3] == b[3]


def test_stored_village_index_equals_the_parsed_one(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = villages_mod._build_village_index(resource(villages_mod.SNAPSHOT))  # noqa: SLF001
    first = villages_mod._village_index()  # noqa: SLF001 - parsed, and written to the store
    assert list(fresh.glob("*/*.pickle")), "the index was not stored"
    villages_mod._village_index.cache_clear()  # noqa: SLF001
    calls: list[int] = []
    real = villages_mod._build_village_index  # noqa: SLF001
    monkeypatch.setattr(villages_mod, "_build_village_index", lambda p: calls.append(1) or real(p))
    again = villages_mod._village_index()  # noqa: SLF001 - read back
    assert calls == [], "the stored index was parsed again"
    _same(first, parsed)
    _same(again, parsed)
    assert len(again[0]) == 83762  # the snapshot's count, as the module's docstring gives it
    shutil.rmtree(fresh)  # deleting the store: parsed again, the same index
    villages_mod._village_index.cache_clear()  # noqa: SLF001
    _same(villages_mod._village_index(), parsed)  # noqa: SLF001
    assert calls == [1]


def test_a_changed_snapshot_byte_misses_the_stored_index(fresh: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    villages_mod._village_index()  # noqa: SLF001 - the shipped snapshot, stored
    original = gzip.decompress(resource(villages_mod.SNAPSHOT).read_bytes())
    changed = tmp_path / villages_mod.SNAPSHOT
    edited = original.replace(b'"Tounelet"', b'"Tounelex"', 1)
    assert edited != original
    changed.write_bytes(gzip.compress(edited))
    monkeypatch.setattr("ucj.core.config.resource", lambda name: changed if name == villages_mod.SNAPSHOT
                        else resource(name))
    villages_mod._village_index.cache_clear()  # noqa: SLF001
    codes, names, _, _ = villages_mod._village_index()  # noqa: SLF001
    assert "Tounelex" in set(names.tolist())  # the edited snapshot, not the stored index of the shipped one
    assert len(list(fresh.glob("*/*.pickle"))) == 2  # two snapshots, two entries


def test_store_off_parses_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(store.STORE_ENV, "off")
    villages_mod._village_index.cache_clear()  # noqa: SLF001
    try:
        assert villages_mod.villages_in("71.02")
    finally:
        villages_mod._village_index.cache_clear()  # noqa: SLF001
