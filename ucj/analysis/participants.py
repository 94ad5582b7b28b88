"""Checking candidate lists: each row accepted or rejected with reason codes, and the counts a
planner budgets from (per village against its quota, per reason, per occupation and funding).

Every reason is a code with its parameters (`Reason`); the presentation layer renders it in each
language. NIKs are parsed with lokal-id's parser (structure only: 16 digits, a real birth date with
day + 40 for women, a known province, non-zero regency and kecamatan parts, a non-zero serial).
Spreadsheet damage (a NIK stored as a number, in scientific notation, with lost digits) is explained,
never repaired by guessing. Duplicates: the same NIK twice (exact); the same normalised name and birth
date under two NIKs (a possible duplicate, kept for a person to decide, never dropped).

Personal data (NIK, name, birth date) stays in `CheckResult.rows`, which only the personal-data files
receive; every other table here holds counts.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from ucj.analysis.villages import VillageQuota
from ucj.data.programme import AGE_RULES
from ucj.data.registry import Registry
from ucj.data.villages import DistrictVillages, VillageRegistry, name_key

ACCEPTED, ALREADY_FUNDED, REJECTED = "accepted", "already_funded", "rejected"
FUNDING = {"apbd": "apbd", "apbdes": "apbdes", "danadesa": "apbdes", "dd": "apbdes", "csr": "csr",
           "mandiri": "own", "sendiri": "own", "own": "own", "self": "own", "pribadi": "own"}

_SCI = re.compile(r"^\s*'?\d+([.,]\d+)?[eE][+]?\d+\s*$")
_FLOAT_TEXT = re.compile(r"^\s*\d{15,17}[.,]0+\s*$")
_CLEANABLE = re.compile(r"^[\s'’]*\d[\d\s]*$")


@dataclass(frozen=True)
class Reason:
    """A reason code with its parameters (values that are never personal data)."""

    code: str
    params: tuple[tuple[str, object], ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, **dict(self.params)}


def _r(code: str, **params: object) -> Reason:
    return Reason(code, tuple(sorted(params.items())))


@dataclass(frozen=True)
class AgeRule:
    name: str
    years: int
    source: str | None

    @property
    def assumption(self) -> bool:
        return self.source is None


RULES = tuple(AgeRule(n, y, s) for n, y, s in AGE_RULES)


@dataclass
class CheckResult:
    """What a check found. `rows` holds personal data; every other field holds counts only."""

    district_code: str
    start: pd.Timestamp
    quota: int
    rows: pd.DataFrame  # one row a candidate: personal columns, status, reasons, warnings, village_code, key
    by_village: pd.DataFrame
    by_reason: pd.DataFrame
    by_occupation: pd.DataFrame
    by_funding: pd.DataFrame
    by_kecamatan: pd.DataFrame = field(default_factory=pd.DataFrame)
    rules: tuple[AgeRule, ...] = RULES
    files: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    synthetic_files: tuple[str, ...] = ()
    published_quota: VillageQuota | None = None  # the district's published quota used; None: given by the user


@functools.lru_cache(maxsize=4096)  # a list holds a handful of start months
def _month(s: str) -> pd.Timestamp | None:
    for pattern, order in ((r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", "ym"), (r"(\d{1,2})[/-](\d{4})", "my")):
        m = re.fullmatch(pattern, s)
        if m:
            y, mth = (m.group(1), m.group(2)) if order == "ym" else (m.group(2), m.group(1))
            if 1 <= int(mth) <= 12:
                return pd.Timestamp(int(y), int(mth), 1)
    return None


def parse_month(text: object) -> pd.Timestamp | None:
    """'2026-01', '01/2026', '2026-01-15' or a date -> the first of that month; None if unreadable."""
    return None if text is None else _month(str(text).strip())


def parse_date(text: object) -> dt.date | None:
    """A birth date as 'YYYY-MM-DD' or 'DD-MM-YYYY' / 'DD/MM/YYYY' (Indonesian order); None if unreadable."""
    if text is None:
        return None
    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", s)
    parts = (m.group(1), m.group(2), m.group(3)) if m else None
    if parts is None:
        m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", s)
        parts = (m.group(3), m.group(2), m.group(1)) if m else None
    if parts is None:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _age(born: dt.date, at: pd.Timestamp) -> int:
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


def check_nik(text: object, stored: str, reference: dt.date) -> tuple[str | None, list[Reason], list[Reason], dict[str, object]]:
    """The NIK's 16 digits (None when rejected), its rejections, its warnings and what it encodes."""
    from lokal.nik import parse_nik

    if text is None:
        return None, [_r("nik_missing")], [], {}
    s = str(text)
    if _SCI.match(s):
        return None, [_r("nik_scientific")], [], {}
    if stored == "number" or _FLOAT_TEXT.match(s):
        return None, [_r("nik_stored_as_number")], [], {}
    warnings = []
    digits = s
    if not re.fullmatch(r"\d+", s):
        if not _CLEANABLE.match(s):
            return None, [_r("nik_not_digits")], [], {}
        digits = re.sub(r"[\s'’]", "", s)
        warnings.append(_r("nik_cleaned"))
    if len(digits) != 16:
        return None, [_r("nik_length", digits=len(digits))], [], {}
    info = parse_nik(digits, reference_date=reference)
    codes = {i.code for i in info.errors}
    rejections = [_r(c) for code, c in (("province", "nik_bad_province"), ("wilayah", "nik_bad_region"),
                                        ("birth_date", "nik_bad_birth_date"), ("serial", "nik_bad_serial"))
                  if code in codes]
    if rejections:
        return None, rejections, warnings, {}
    return digits, [], warnings, {"regency": info.regency_code, "birth_date": info.birth_date, "sex": info.gender}


def check_candidates(
    rows: pd.DataFrame,
    district_code: str,
    *,
    villages: VillageRegistry,
    registry: Registry,
    start: pd.Timestamp,
    quota: int | VillageQuota,
    keyed: Callable[[str], str],
    previous: frozenset[str] = frozenset(),
    files: tuple[str, ...] = (),
    synthetic_files: tuple[str, ...] = (),
) -> CheckResult:
    """Check every candidate row (see the module docstring); `keyed` turns a NIK into its keyed hash,
    and `previous` holds the keyed hashes of workers already funded (earlier lists or runs). `quota` is the
    candidates per desa: the district's published quota (a VillageQuota, kept with the result so that the
    summary cites it) or a number the user gave; there is no default (no publication sets one for every district)."""
    published = quota if isinstance(quota, VillageQuota) else None
    quota = published.quota if published is not None else int(quota)
    resolver = villages.resolver(district_code)
    elsewhere = _village_index_elsewhere(villages, district_code)
    out = rows.copy()
    statuses, reasons_col, warnings_col, vcodes, kcodes, ages, niks, keys, born_col = ([] for _ in range(9))
    today = dt.date(start.year, start.month, 1)
    for rec in rows.itertuples(index=False):
        rej: list[Reason] = []
        warn: list[Reason] = []
        row_start = parse_month(rec.start) if rec.start is not None else start
        if row_start is None:
            rej.append(_r("start_invalid"))
            row_start = start
        nik, nik_rej, nik_warn, encoded = check_nik(rec.nik, rec.nik_stored, today)
        rej += nik_rej
        warn += nik_warn
        if nik is not None and encoded.get("regency") and encoded["regency"] != district_code:
            known = encoded["regency"] in registry
            warn.append(_r("nik_other_district", district=registry.get(encoded["regency"]).full_name)
                        if known else _r("nik_region_unknown"))
        born = parse_date(rec.birth_date) if rec.birth_date is not None else None
        if rec.birth_date is not None and born is None:
            rej.append(_r("birth_date_unreadable"))
        nik_born = dt.date.fromisoformat(str(encoded["birth_date"])) if encoded.get("birth_date") else None
        if born is not None and nik_born is not None and (born.month, born.day, born.year % 100) != (
                nik_born.month, nik_born.day, nik_born.year % 100):
            warn.append(_r("birth_date_differs_from_nik"))
        born = born or nik_born
        sex = _sex(rec.sex)
        if sex and encoded.get("sex") and sex != encoded["sex"]:
            warn.append(_r("sex_differs_from_nik"))
        age = _age(born, row_start) if born else None
        for rule in RULES:
            if age is not None and rule.name == "min_age" and age < rule.years:
                rej.append(_r("age_below", age=age, years=rule.years))
            if age is not None and rule.name == "max_age" and age > rule.years:
                rej.append(_r("age_above", age=age, years=rule.years))
        vcode = kcode = None
        if rec.village is None:
            rej.append(_r("village_missing"))
        else:
            res = resolver.resolve(rec.village, rec.kecamatan)
            if res.village is not None:
                vcode, kcode = res.village.code, res.village.kecamatan_code
            elif res.reason == "ambiguous" and len({v.kecamatan_code for v in res.candidates}) == 1:
                rej.append(_r("village_ambiguous_code", codes=", ".join(v.code for v in res.candidates)))
            elif res.reason == "ambiguous":
                rej.append(_r("village_ambiguous", kecamatan=", ".join(v.kecamatan for v in res.candidates)))
            elif name_key(rec.village) in elsewhere:
                rej.append(_r("village_other_district",
                              district=registry.get(elsewhere[name_key(rec.village)]).full_name
                              if elsewhere[name_key(rec.village)] in registry else elsewhere[name_key(rec.village)]))
            else:
                rej.append(_r("village_unknown", suggestions=", ".join(v.name for v in res.candidates) or "–"))
        funding = FUNDING.get(re.sub(r"[^a-z]", "", str(rec.funding or "").lower()))
        if funding is None:
            rej.append(_r("funding_unknown"))
        statuses.append(REJECTED if rej else ACCEPTED)
        reasons_col.append(rej)
        warnings_col.append(warn)
        vcodes.append(vcode)
        kcodes.append(kcode)
        ages.append(age)
        niks.append(nik)
        keys.append(keyed(nik) if nik else None)
        born_col.append(born)
    out["status"], out["reasons"], out["warnings"] = statuses, reasons_col, warnings_col
    for name, values in (("village_code", vcodes), ("kecamatan_code", kcodes), ("age", ages), ("nik_clean", niks),
                         ("key", keys), ("born", born_col)):
        out[name] = pd.Series(values, index=out.index, dtype=object)  # None stays None
    out["funding_code"] = [FUNDING.get(re.sub(r"[^a-z]", "", str(f or "").lower())) for f in rows["funding"]]
    _duplicates(out)
    _already_funded(out, previous)
    result = _summarise(out, district_code, start, quota, villages, files)
    result.published_quota = published
    result.synthetic_files = synthetic_files
    return result


def _sex(text: object) -> str | None:
    low = re.sub(r"[^a-z]", "", str(text or "").lower())
    return {"l": "L", "lakilaki": "L", "pria": "L", "male": "L", "m": "L",
            "p": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P"}.get(low)


def _village_index_elsewhere(villages: VillageRegistry, district_code: str) -> dict[str, str]:
    """Village name keys of other districts of the same province -> that district's code (the first)."""
    out: dict[str, str] = {}
    for code in villages.district_codes(district_code[:2]):
        if code == district_code:
            continue
        for v in villages.in_district(code):
            out.setdefault(name_key(v.name), code)
    return out


def _person_key(name: object) -> str:
    """A name reduced for matching: case, accents, punctuation, titles and word order do not count."""
    low = name_key(" ".join(sorted(re.sub(r"[^A-Za-z\s]", " ", str(name or "")).lower().split())))
    return low


def _duplicates(out: pd.DataFrame) -> None:
    """Same NIK twice: the same person listed again (the later rows rejected) or two people sharing a
    NIK (every such row rejected: one of them is wrong). Same name and birth date under different NIKs:
    a possible duplicate, flagged on each row for a person to decide."""
    from rapidfuzz import fuzz

    where = (out["file"].astype(str) + ", " + out["row"].astype(str)).tolist()
    reasons, warnings = out["reasons"].tolist(), out["warnings"].tolist()
    status = out["status"].tolist()
    persons = [_person_key(n) for n in out["name"]]
    niks = out["nik_clean"].tolist()
    by_nik: dict[str, list[int]] = {}
    for i, nik in enumerate(niks):
        if nik is not None:
            by_nik.setdefault(nik, []).append(i)
    for rows in by_nik.values():
        if len(rows) < 2:
            continue
        same = len({persons[i] for i in rows}) == 1
        for i in rows[1:] if same else rows:
            other = rows[0] if i != rows[0] else rows[1]
            reasons[i] = [*reasons[i], _r("duplicate_nik" if same else "nik_shared", other=where[other])]
            status[i] = REJECTED
    by_born: dict[object, list[int]] = {}
    for i, (born, nik) in enumerate(zip(out["born"], niks)):
        if born is not None and nik is not None:
            by_born.setdefault(born, []).append(i)
    for rows in by_born.values():  # a birth date is shared by a handful of people: pairs stay few
        for a in range(len(rows)):
            for b in range(a + 1, len(rows)):
                i, j = rows[a], rows[b]
                if niks[i] != niks[j] and fuzz.ratio(persons[i], persons[j]) >= 90:
                    warnings[i] = [*warnings[i], _r("possible_duplicate", other=where[j])]
                    warnings[j] = [*warnings[j], _r("possible_duplicate", other=where[i])]
    out["reasons"], out["warnings"], out["status"] = reasons, warnings, status


def _already_funded(out: pd.DataFrame, previous: frozenset[str]) -> None:
    if not previous:
        return
    hit = (out["status"] == ACCEPTED) & out["key"].isin(previous)
    out.loc[hit, "status"] = ALREADY_FUNDED


def _summarise(out: pd.DataFrame, district_code: str, start: pd.Timestamp, quota: int,
               villages: VillageRegistry, files: tuple[str, ...]) -> CheckResult:
    codes = [r.code for rs in out["reasons"] for r in rs]
    warn_codes = [r.code for rs in out["warnings"] for r in rs]
    by_reason = pd.DataFrame(
        [("rejection", c, codes.count(c)) for c in dict.fromkeys(codes)]
        + [("warning", c, warn_codes.count(c)) for c in dict.fromkeys(warn_codes)],
        columns=["kind", "reason", "rows"]).sort_values(["kind", "rows", "reason"], ascending=[False, False, True],
                                                        ignore_index=True)
    vill = pd.DataFrame([(v.code, v.name, v.kecamatan_code, v.kecamatan, v.kind)
                         for v in villages.in_district(district_code)],
                        columns=["village_code", "village", "kecamatan_code", "kecamatan", "kind"])
    placed = out[out["village_code"].notna()]
    counts = (placed.assign(n=1).pivot_table(index="village_code", columns="status", values="n", aggfunc="sum",
                                             fill_value=0)
              .reindex(columns=[ACCEPTED, ALREADY_FUNDED, REJECTED], fill_value=0))
    by_village = vill.merge(counts, left_on="village_code", right_index=True, how="left")
    by_village[[ACCEPTED, ALREADY_FUNDED, REJECTED]] = by_village[[ACCEPTED, ALREADY_FUNDED, REJECTED]].fillna(0).astype(int)
    by_village = by_village.rename(columns={ACCEPTED: "additional", ALREADY_FUNDED: "already_funded",
                                            REJECTED: "rejected"})
    by_village["valid"] = by_village["additional"] + by_village["already_funded"]
    # the quota is the desa's ("satu desa mendaftarkan minimal 100 pekerja rentan", ANTARA, no later than Sep 2023):
    # a kelurahan is an urban ward without village funds or a village head, so it has none
    by_village["quota"] = [int(quota) if kind != "kelurahan" else 0 for kind in by_village["kind"]]
    by_village["below_quota"] = by_village["valid"] < by_village["quota"]
    by_village["shortfall"] = (by_village["quota"] - by_village["valid"]).clip(lower=0)
    by_village = by_village.sort_values(["kecamatan", "village"], ignore_index=True)
    valid = out[out["status"] != REJECTED]
    by_occ = (valid.assign(occupation=valid["occupation"].fillna("").astype(str).str.strip().str.lower())
              .groupby(["occupation"], as_index=False).size().rename(columns={"size": "workers"})
              .sort_values(["workers", "occupation"], ascending=[False, True], ignore_index=True))
    by_funding = (valid.assign(funding=valid["funding_code"]).groupby(["funding", "status"], as_index=False).size()
                  .rename(columns={"size": "workers"}).sort_values(["funding", "status"], ignore_index=True))
    counts_all = {"rows": len(out), "accepted": int((out["status"] == ACCEPTED).sum()),
                  "already_funded": int((out["status"] == ALREADY_FUNDED).sum()),
                  "rejected": int((out["status"] == REJECTED).sum()),
                  "possible_duplicates": int(sum(any(r.code == "possible_duplicate" for r in ws) for ws in out["warnings"])),
                  "villages": len(by_village), "villages_below_quota": int(by_village["below_quota"].sum()),
                  "additional_apbd": int(((out["status"] == ACCEPTED) & (out["funding_code"] == "apbd")).sum())}
    sums = ["valid", "additional", "already_funded", "rejected", "shortfall"]
    by_kec = by_village.groupby("kecamatan", as_index=False)[sums].sum()
    by_kec["villages_below_quota"] = by_village.groupby("kecamatan")["below_quota"].sum().to_numpy()
    return CheckResult(district_code, start, int(quota), out, by_village, by_reason, by_occ, by_funding,
                       by_kecamatan=by_kec, files=files, counts=counts_all)


@dataclass(frozen=True)
class AdditionalBudget:
    """What the APBD pays for the additional APBD-funded workers of a checked list, and the district's
    coverage before and after them (None when no coverage figure is in the data)."""

    workers: int
    months: int
    monthly_contribution_rp: int
    cost_rp: int
    coverage_month: pd.Timestamp | None
    denominator: str
    coverage_before_pct: float | None
    coverage_after_pct: float | None


def additional_budget(result: CheckResult, months: int, *, enrolment: pd.DataFrame | None = None,
                      workforce: pd.DataFrame | None = None,
                      denominator: str = "working_population") -> AdditionalBudget:
    """Workers x tariff x months for the list's additional APBD-funded workers (ucj.analysis.budget's
    scenario, the budget tab's arithmetic), and coverage over `denominator` before and after them."""
    from ucj.analysis.budget import Assumptions, scenario
    from ucj.analysis.coverage import latest_coverage

    workers = result.counts["additional_apbd"]
    last = (latest_coverage(enrolment, workforce, result.district_code, denominator)
            if enrolment is not None and workforce is not None else None)
    plan = scenario(workers, months, current_active=int(last["active"]) if last is not None else None,
                    denominator_value=float(last["denominator_value"]) if last is not None else None)
    return AdditionalBudget(workers, int(months), Assumptions().monthly_contribution_rp, int(plan["cost_rp"]),  # type: ignore[arg-type]
                            pd.Timestamp(last["month"]) if last is not None else None, denominator,
                            plan.get("coverage_before_pct"), plan.get("coverage_after_pct"))  # type: ignore[arg-type]
