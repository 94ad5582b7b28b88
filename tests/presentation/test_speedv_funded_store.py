"""The all-district budget-funded lapse rate (`all_funded_rate`, the lapse split's fallback) kept in the store
with the other all-district tables (PeerTables.funded_rate): a later process reads exactly the float computing
gives (its bits, NaN included), and another period, other segments or another dataset is computed, not read."""

from __future__ import annotations

import math
import shutil
import struct
from pathlib import Path

import pandas as pd
import pytest

from ucj.analysis.district import all_funded_rate
from ucj.data import store
from ucj.data.dataset import load, load_stored
from ucj.presentation import district as report_module
from ucj.presentation.district import PeerTables

pytestmark = pytest.mark.slow  # whole demo datasets loaded and stored: make test only


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


@pytest.fixture()
def store_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store"
    monkeypatch.setenv(store.STORE_ENV, str(root))
    return root


def test_a_stored_funded_rate_is_the_computed_one_and_a_new_key_is_computed(demo_dir: Path, store_root: Path,
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    plain = load(demo_dir)  # no store: the analysis function itself gives the expected figures
    last = pd.Timestamp(plain.enrolment["month"].max())
    earlier = last - pd.DateOffset(months=14)
    # one segment whose rate is not all segments' (so a key without the segments would give the wrong figure)
    segments = next((str(s),) for s in sorted(plain.enrolment["segment"].dropna().unique())
                    if _bits(all_funded_rate(plain.enrolment, last, (str(s),)))
                    != _bits(all_funded_rate(plain.enrolment, last, None)))
    keys = [(last, None), (last, segments), (earlier, None)]
    want = {k: all_funded_rate(plain.enrolment, *k) for k in keys}
    assert any(math.isfinite(v) for v in want.values())

    first = PeerTables(load_stored(demo_dir))
    got_first = {k: first.funded_rate(*k) for k in keys[:2]}  # computed, then stored
    entries = len(list(store_root.glob("*/*.pickle")))

    def refuse(*a: object, **kw: object) -> float:
        raise AssertionError("computed again although stored")

    monkeypatch.setattr(report_module, "all_funded_rate", refuse)
    later = PeerTables(load_stored(str(demo_dir)))  # as another process: a new PeerTables on the stored dataset
    got_later = {k: later.funded_rate(*k) for k in keys[:2]}
    assert len(list(store_root.glob("*/*.pickle"))) == entries
    for k in keys[:2]:
        assert _bits(got_first[k]) == _bits(got_later[k]) == _bits(want[k]), k
        assert type(got_later[k]) is float
    with pytest.raises(AssertionError, match="computed again"):
        later.funded_rate(*keys[2])  # another period: not in the store, so computed

    # another dataset (one byte of its workforce table changed, which the rate does not even read) is computed
    other = tmp_path / "other"
    shutil.copytree(demo_dir, other)
    wf = pd.read_parquet(other / "workforce.parquet")
    wf.loc[0, "working_population"] = wf.loc[0, "working_population"] + 1
    wf.to_parquet(other / "workforce.parquet", index=False)
    import json

    from ucj.core.files import sha256_file

    manifest = json.loads((other / "manifest.json").read_text())
    manifest["tables"]["workforce"]["sha256"] = sha256_file(other / "workforce.parquet")
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(AssertionError, match="computed again"):
        PeerTables(load_stored(other)).funded_rate(*keys[0])
    monkeypatch.undo()
    assert _bits(PeerTables(load(demo_dir)).funded_rate(*keys[2])) == _bits(want[keys[2]])  # no store at all
