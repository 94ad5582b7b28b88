"""`ucj participants check`: a candidate list checked into a run folder, written whole or not at all.

    reports/<run>/
      summary.html, summary.xlsx, summary.json   # counts only: no NIK, name or birth date
      villages_below_quota.png
      keys.txt                                   # keyed hashes (HMAC-SHA256) of the valid NIKs, for later lists
      personal/                                  # PERSONAL DATA (UU 27/2022): mode 0700, files 0600
        README.txt, accepted.csv, rejected.csv

The key of the hashes is created on first use (mode 0600) outside the run folder
(ucj.core.config.participants_key_file): a later list is compared with this one through keys.txt
without keeping raw NIKs anywhere but the personal files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Callable

import pandas as pd

from ucj.analysis.participants import (ALREADY_FUNDED, CheckResult, additional_budget, check_candidates,
                                       check_nik)
from ucj.analysis.villages import VillageQuota, published_quota
from ucj.core.config import REPORTS_DIR, participants_key_file
from ucj.core.errors import UcjInputError
from ucj.core.files import folder_transaction
from ucj.data.registry import District, load_registry
from ucj.data.villages import load_villages
from ucj.ingest.participants import read_candidates
from ucj.presentation.i18n import Lang
from ucj.presentation import participants as view

PERSONAL_DIR = "personal"
KEYS_FILE = "keys.txt"


def keyed_hasher(key_file: Path | None = None) -> Callable[[str], str]:
    """NIK -> HMAC-SHA256 hex under the local key, created on first use with mode 0600."""
    path = key_file or participants_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) < 16:
        raise UcjInputError.one("the key file is damaged (shorter than 16 bytes); restore it from a backup, or "
                                "delete it to start a new key (earlier runs then no longer match)", file=str(path))
    return lambda nik: hmac.new(key, nik.encode("ascii"), hashlib.sha256).hexdigest()


def previous_keys(paths: list[Path], keyed: Callable[[str], str], start: pd.Timestamp) -> frozenset[str]:
    """Keyed hashes of the workers already funded: a run folder's keys.txt, or a candidate file's valid NIKs."""
    keys: set[str] = set()
    files = []
    for p in paths:
        if p.is_dir():
            if not (p / KEYS_FILE).is_file():
                raise UcjInputError.one(f"no {KEYS_FILE} in this folder: name a run folder of "
                                        "`ucj participants check` or a candidate file", file=str(p))
            keys |= {line.strip() for line in (p / KEYS_FILE).read_text().splitlines() if line.strip()}
        else:
            files.append(p)
    if files:
        ref = start.date()
        earlier = read_candidates(files).rows
        for nik, stored in zip(earlier["nik"], earlier["nik_stored"]):
            digits, rejected, _, _ = check_nik(nik, stored, ref)
            if digits is not None and not rejected:
                keys.add(keyed(digits))
    return frozenset(keys)


def village_quota(district: District, quota: int | None) -> "int | VillageQuota":
    """The candidates each desa should register: the number the user gave, else the district's published quota
    (data/published/village_quotas.csv, cited in the summary). A district without one has no default: a quota is
    the district's own agreement (Minahasa's 100 per desa, ANTARA Sulut, no later than September 2023, binds no other district),
    so the user must give one (one-line error, exit 2)."""
    if quota is not None:
        return int(quota)
    published = published_quota(district.code)
    if published is None:
        raise UcjInputError.one(f"no village quota is published for {district.full_name} (a quota is the "
                                "district's own agreement, not a national rule): give the number with --quota",
                                column="quota", label="option")
    return published


def check(files: list[Path], district: District, *, start: pd.Timestamp, quota: int | None = None, months: int = 12,
          previous: list[Path] = (), data_dirs: tuple[str, ...] = (), lang: Lang = "id",  # type: ignore[assignment]
          key_file: Path | None = None, data_named: bool = False) -> tuple[CheckResult, object]:
    """Read, check and budget a candidate list (nothing written). Coverage before and after comes from
    `data_dirs`; when they were not named by the user (`data_named`), missing data only leaves it out.
    `quota` None: the district's published quota, or an error where none is published (`village_quota`)."""
    per_desa = village_quota(district, quota)
    registry = load_registry()
    keyed = keyed_hasher(key_file)
    rows = read_candidates(files)
    result = check_candidates(rows.rows, district.code, villages=load_villages(), registry=registry, start=start,
                              quota=per_desa, keyed=keyed, previous=previous_keys(list(previous), keyed, start),
                              files=rows.files, synthetic_files=rows.synthetic_files)
    enrolment = workforce = None
    if data_dirs:
        import ucj

        try:
            ds = ucj.load(*data_dirs)
            enrolment, workforce = ds.enrolment, ds.workforce
        except UcjInputError:
            if data_named:
                raise
            enrolment = workforce = None  # no data where none was named: the summary says coverage is not known
    return result, additional_budget(result, months, enrolment=enrolment, workforce=workforce)


def write_run(result: CheckResult, budget: object, district: District, run_dir: Path, lang: Lang,
              force: bool = False, inputs: list[Path] = ()) -> Path:  # type: ignore[assignment]
    """Write the run folder whole or not at all (staged, then swapped in; see ucj.core.files)."""
    run_dir = Path(run_dir)
    if run_dir.exists() and any(run_dir.iterdir()) and not force:
        raise UcjInputError.one("this run folder exists already; choose another --run, or --force to replace it",
                                file=str(run_dir))
    with folder_transaction(run_dir) as stage:
        for old in list(stage.iterdir()):  # a replaced run keeps nothing of the old one
            _remove(old)
        _write(stage, result, budget, district, lang, _provenance(list(inputs)))
    return run_dir


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def _private_file(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _provenance(inputs: list[Path]) -> dict[str, object]:
    """What made the run: the ucj version, when, and each input file by name and sha256 (no paths)."""
    import datetime as dt

    from ucj import __version__
    from ucj.core.files import sha256_file

    return {"ucj": __version__, "generated_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "inputs": [{"file": p.name, "sha256": sha256_file(p)} for p in inputs]}


def _write(stage: Path, result: CheckResult, budget: object, district: District, lang: Lang,
           provenance: dict[str, object]) -> None:
    from ucj.core.files import safe_csv_frame

    personal = stage / PERSONAL_DIR
    personal.mkdir(mode=0o700)
    os.chmod(personal, 0o700)
    accepted, rejected = view.personal_lists(result, lang)
    _private_file(personal / "README.txt", view.personal_readme(lang))
    _private_file(personal / "accepted.csv", safe_csv_frame(accepted).to_csv(index=False))
    _private_file(personal / "rejected.csv", safe_csv_frame(rejected).to_csv(index=False))
    valid = result.rows[result.rows["status"].isin(["accepted", ALREADY_FUNDED]) & result.rows["key"].notna()]
    (stage / KEYS_FILE).write_text("".join(f"{k}\n" for k in sorted(set(valid["key"]))), encoding="utf-8")
    summary = view.summary_document(result, budget, district, lang) | {"provenance": provenance, "lang": lang}
    (stage / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    png = view.below_quota_png(result, district, lang)
    (stage / "villages_below_quota.png").write_bytes(png)
    (stage / "summary.html").write_text(view.summary_html(result, budget, district, lang, png), encoding="utf-8")
    view.summary_xlsx(stage / "summary.xlsx", result, budget, district, lang)


def default_run_dir(district: District, run: str | None) -> Path:
    return REPORTS_DIR / (run or f"participants-{district.slug}")


def check_from_parameters(district: str, files: str, previous: str, quota: int | None, start: str, months: int,
                          lang: str, data_dir: str) -> "view.Checked":
    """The notebook's parameters, checked the way the CLI checks them, then the check (nothing written).
    An empty `files` means the demo's synthetic list in the (first) data folder; `quota` None or "" means the
    district's published quota (an error where none is published)."""
    from ucj.analysis.participants import parse_month
    from ucj.core.config import split_dirs
    from ucj.ingest.demo_participants import FILE
    from ucj.presentation.i18n import check_lang

    lang_ok = check_lang(lang)
    d = load_registry().district(district)
    first = parse_month(start)
    if first is None:
        raise UcjInputError.one("the start month must be YYYY-MM", column="start", label="parameter", value=start)
    dirs = split_dirs(data_dir)
    paths = [Path(p.strip()) for p in files.split(";") if p.strip()] or [Path(dirs[0]) / FILE]
    earlier = [Path(p.strip()) for p in previous.split(";") if p.strip()]
    result, budget = check(paths, d, start=first,
                           quota=None if quota is None or quota == "" else int(quota), months=int(months), previous=earlier,
                           data_dirs=dirs, lang=lang_ok, data_named=bool(data_dir))
    mine = load_villages().in_district(d.code)
    counts = (sum(v.kind != "kelurahan" for v in mine), sum(v.kind == "kelurahan" for v in mine))
    return view.Checked(result, budget, d, lang_ok, counts)  # type: ignore[arg-type]
