"""Fresh BPS data in one command (`ucj fetch bps`): ask the BPS WebAPI for the kab/kota tables the
workbook uses, keep each answer as a raw file with its URL (key removed), retrieval time and sha256,
then import them all through the WebAPI importer (ucj.ingest.bps.import_bps_webapi) in ONE import
transaction: every table lands, or none does.

The user's key comes from $UCJ_BPS_KEY or a key file (ucj.core.config.bps_key_file), never from the
command line; it is part of the request path (that is how the WebAPI takes it), so every URL that is
shown, logged or saved is the redacted one, and every error text is scrubbed of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import logging
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import httpx

from ucj import __version__
from ucj.core.config import BPS_KEY_ENV, PROCESSED_DIR, RAW_DIR, bps_key_file
from ucj.core.errors import Problem, UcjInputError
from ucj.core.files import atomic_path, write_json
from ucj.data.registry import load_registry
from ucj.ingest.bps import _check_webapi_shape, import_bps_webapi
from ucj.ingest.common import ImportResult, write_processed_all

BASE_URL = "https://webapi.bps.go.id/v1/api"  # as the stadata client (bps-statistics/stadata, main.py) calls it
DOMAIN = "0000"  # BPS national domain: its kab/kota tables list every province, then its districts
RAW_SUBDIR = "bps_webapi"
REDACTED = "KEY-REMOVED"


@dataclass(frozen=True)
class Indicator:
    """A BPS dynamic table (variable) by the name the workbook gives it."""

    name: str
    var: int | None  # None: no kab/kota table id could be confirmed from a public source
    title: str


# Variable ids of BPS dynamic tables by kabupaten/kota in domain 0000. Where each id comes from:
# - 621, 619: ../shared/data/raw/SOURCES.md (bps_visdati exports of BPS tables "var 621" and "var 619"), and
#   the BPS table pages www.bps.go.id/id/statistics-table/2/NjIxIzI= and .../NjE5IzI= (the path segment is
#   base64 of "621#2" and "619#2"), cited in public dashboards built on these tables.
# - 622, 623: www.bps.go.id/id/statistics-table/2/NjIyIzI= "Indeks Kedalaman Kemiskinan (P1) Menurut
#   Kabupaten/Kota" and .../NjIzIzI= "Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota" (base64 of
#   "622#2" and "623#2"), cited with those titles in a public P1/P2 dashboard's data sources.
# - 624: the recorded WebAPI response itself (../shared/data/raw/bps_webapi_rasyidarfan, var[0].val = 624,
#   "Garis Kemiskinan Menurut Kabupaten/Kota").
# Left out (var None): TPT, TPAK and working population. BPS var 543 is TPT by PROVINCE, not kab/kota; the
# kab/kota TPT tables found are provincial offices' (e.g. BPS Jawa Barat var 788, BPS Jawa Tengah var 1862,
# in their own domains) and no national kab/kota id could be confirmed. Give such a table with --var.
INDICATORS: dict[str, Indicator] = {
    "p0": Indicator("p0", 621, "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota"),
    "p1": Indicator("p1", 622, "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota"),
    "p2": Indicator("p2", 623, "Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota"),
    "poor_population": Indicator("poor_population", 619, "Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota"),
    "poverty_line": Indicator("poverty_line", 624, "Garis Kemiskinan Menurut Kabupaten/Kota"),
    "tpt": Indicator("tpt", None, "Tingkat Pengangguran Terbuka (TPT) menurut Kabupaten/Kota"),
    "tpak": Indicator("tpak", None, "Tingkat Partisipasi Angkatan Kerja (TPAK) menurut Kabupaten/Kota"),
    "working_population": Indicator("working_population", None, "Penduduk Bekerja menurut Kabupaten/Kota"),
}
ALIASES = {"poverty_line_rp": "poverty_line", "garis_kemiskinan": "poverty_line", "jumlah_miskin": "poor_population"}

# The WebAPI's period id of a year is the year minus 1900: the recorded response has tahun val 125 = "2025",
# and public clients of var 543 map th 121..125 to 2021..2025. The answer's own tahun label is checked too.
TH_OFFSET = 1900

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRIES = 3  # after the first try, on a timeout, 5xx or 429 only: waits of 1, 2, 4 s unless the server says how long
BACKOFF_S = 1.0
WAIT_BUDGET_S = 30.0  # all the waiting between tries; a Retry-After beyond what is left is reported, not slept


# What the command uses when the caller gives none: tests replay recorded answers by setting these
# (httpx.MockTransport, a sleep that only records), never the network.
TRANSPORT: httpx.BaseTransport | None = None
SLEEP: Callable[[float], None] = time.sleep


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class FetchError(Exception):
    """A fetch that cannot go on: one line for the user (never holding the key)."""


@dataclass(frozen=True)
class Fetched:
    indicator: Indicator
    var: int
    year: int
    content: bytes
    url: str  # with the key removed
    retrieved_at: str
    cells: int


@dataclass
class FetchResult:
    saved: list[tuple[Fetched, Path]]
    results: list[ImportResult]
    out: Path


def api_key() -> str:
    """The key from $UCJ_BPS_KEY, else from the key file, which only its owner may read."""
    key = os.environ.get(BPS_KEY_ENV, "").strip()
    where = f"${BPS_KEY_ENV}"
    if not key:
        path = bps_key_file()
        where = str(path)
        if not path.is_file():
            raise FetchError(f"no BPS WebAPI key: set {BPS_KEY_ENV}, or put the key in {path} (chmod 600); "
                             f"get one at https://webapi.bps.go.id/developer/")
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise FetchError(f"the key file {path} can be read by others (mode {mode:o}); run: chmod 600 {path}")
        key = path.read_text(encoding="utf-8", errors="replace").strip()
    if not re.fullmatch(r"[A-Za-z0-9]{8,128}", key):
        raise FetchError(f"the BPS WebAPI key in {where} is not a key (8 to 128 letters and digits; the "
                         f"WebAPI's keys are 32)")
    return key


def _url(var: int, year: int, key: str) -> str:
    return (f"{BASE_URL}/list/model/data/lang/ind/domain/{DOMAIN}/var/{var}/th/{year - TH_OFFSET}"
            f"/key/{key}/")


def redact(text: str, key: str) -> str:
    return text.replace(key, REDACTED) if key else text


def _retry_after(resp: httpx.Response, now: Callable[[], dt.datetime]) -> float | None:
    """Seconds the server asks us to wait (Retry-After: seconds, or an HTTP date), if it says."""
    value = resp.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - now()).total_seconds())


def _get(client: httpx.Client, url: str, shown: str, key: str, sleep: Callable[[float], None],
         now: Callable[[], dt.datetime]) -> httpx.Response:
    """GET with timeouts and a few retries, within WAIT_BUDGET_S of waiting: on 5xx, 429 (honouring
    Retry-After) and timeouts. A connection that cannot be made (refused, no route, no DNS: offline) fails at
    once, since trying again a second later would not change it."""
    waited = 0.0
    for attempt in range(RETRIES + 1):
        wait = BACKOFF_S * 2 ** attempt
        try:
            resp = client.get(url)
        except httpx.TimeoutException:
            why = f"BPS WebAPI did not answer in time ({TIMEOUT.read:g} s), {attempt + 1} tries: {shown}"
        except httpx.TransportError as err:
            detail = redact(str(err), key) or type(err).__name__
            raise FetchError(f"cannot reach webapi.bps.go.id (offline, or DNS, a proxy or a firewall failing: "
                             f"{detail})") from None
        else:
            code = resp.status_code
            if code == 429 or 500 <= code < 600:
                asked = _retry_after(resp, now)
                wait = asked if asked is not None else wait
                why = (f"BPS WebAPI answered HTTP {code} ({'too many requests' if code == 429 else 'server error'})"
                       f", {attempt + 1} tries: {shown}")
                if asked is not None and waited + asked > WAIT_BUDGET_S:
                    raise FetchError(f"{why}; it asks to wait {asked:.0f} s: try again later")
            elif code in (401, 403):
                raise FetchError(f"BPS WebAPI refused the key (HTTP {code}): check ${BPS_KEY_ENV} or "
                                 f"{bps_key_file().name}; keys are managed at https://webapi.bps.go.id/developer/")
            elif code != 200:
                raise FetchError(f"BPS WebAPI answered HTTP {code}: {shown}")
            else:
                return resp
        if attempt == RETRIES or waited + wait > WAIT_BUDGET_S:
            raise FetchError(why)
        sleep(wait)
        waited += wait
    raise AssertionError("unreachable")


# Loggers of the HTTP client: httpx logs each request's URL (INFO), httpcore its connection steps (DEBUG).
HTTP_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2",
                "httpcore.proxy", "httpcore.socks")


class HideKey(logging.Filter):
    """Replaces the key in a log record's text with KEY-REMOVED (the URL carries it in its path), whoever
    handles the record: ucj's -v log, a notebook's logging, pytest's capture."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.key and self.key in text:
            record.msg, record.args = redact(text, self.key), ()
        return True


class _IntoUcjLog(logging.Handler):
    """httpx's request lines into ucj's log at debug level, so that -v shows each request (without the key)."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger("ucj.http").debug("%s: %s", record.name, record.getMessage())


@contextlib.contextmanager
def key_hidden_in_logs(key: str) -> Iterator[None]:
    """While fetching: every HTTP log record has the key replaced, and with -v ucj's log shows the requests.
    The loggers' levels and handlers are put back after (nothing is silenced for the rest of the process)."""
    hide = HideKey(key)
    loggers = [logging.getLogger(n) for n in HTTP_LOGGERS]
    levels = {lg.name: lg.level for lg in loggers}
    forward = _IntoUcjLog()
    forward.addFilter(hide)
    verbose = logging.getLogger("ucj").isEnabledFor(logging.DEBUG)
    for lg in loggers:
        lg.addFilter(hide)
    httpx_log = logging.getLogger("httpx")
    if verbose:
        httpx_log.addHandler(forward)
        if httpx_log.getEffectiveLevel() > logging.INFO:
            httpx_log.setLevel(logging.INFO)
    try:
        yield
    finally:
        httpx_log.removeHandler(forward)
        for lg in loggers:
            lg.removeFilter(hide)
            lg.setLevel(levels[lg.name])


def _check(resp: httpx.Response, ind: Indicator, var: int, year: int, shown: str, key: str) -> int:
    """The answer is a table of this variable and year with cells; else one line saying what it is."""
    what = f"var {var} ({ind.name}) {year}"
    try:
        doc = json.loads(resp.content)
    except ValueError:
        kind = resp.headers.get("content-type", "no content type").split(";")[0]
        raise FetchError(f"BPS WebAPI answered {what} with something that is not JSON ({kind}): {shown}") from None
    if isinstance(doc, dict) and doc.get("status") not in (None, "OK"):
        message = redact(str(doc.get("message", "")), key)[:200]
        if re.search(r"\b(key|token|apikey|unauthori[sz]ed)\b", message, re.IGNORECASE):
            raise FetchError(f"BPS WebAPI refused the key: {message!r}; check ${BPS_KEY_ENV} or "
                             f"{bps_key_file().name}")
        raise FetchError(f"BPS WebAPI answered {what} with status {doc.get('status')!r}: {message!r}")
    if isinstance(doc, dict) and (doc.get("data-availability") not in (None, "available")
                                  or doc.get("datacontent") in ({}, [], None)):
        raise FetchError(f"BPS WebAPI answered {what} with an empty table (data-availability "
                         f"{doc.get('data-availability')!r}): BPS has not published it for that year, or the "
                         f"variable has no kab/kota table")
    try:
        _check_webapi_shape(doc, what)
    except UcjInputError as err:
        p = err.problems[0]
        where = f" at '{p.column}'" if p.column else ""
        raise FetchError(f"BPS WebAPI answered {what} with an unexpected shape{where}: {p.rule}") from None
    if int(doc["var"][0]["val"]) != var:
        raise FetchError(f"BPS WebAPI answered {what} with another variable ({doc['var'][0]['val']})")
    labels = [str(t["label"]).strip()[:4] for t in doc["tahun"]]
    if str(year) not in labels:
        raise FetchError(f"BPS WebAPI answered {what} with other years ({', '.join(labels)})")
    if key.encode() in resp.content:
        raise FetchError(f"BPS WebAPI's answer to {what} contains the key; not saved")
    return len(doc["datacontent"])


def _targets(names: list[str], var_ids: list[int]) -> list[tuple[Indicator, int]]:
    wanted = []
    for raw in names:
        name = raw.strip().lower()
        if name == "all":
            wanted += [(i, i.var) for i in INDICATORS.values() if i.var is not None]
            continue
        ind = INDICATORS.get(ALIASES.get(name, name))
        if ind is None:
            raise FetchError(f"unknown indicator {raw!r}: use one of {', '.join(INDICATORS)}, 'all', or --var ID")
        if ind.var is None:
            raise FetchError(f"no BPS kab/kota table id for {ind.name} could be confirmed (see docs/fetch.md); "
                             f"if you know the table's variable id, give it with --var ID")
        wanted.append((ind, ind.var))
    for var in var_ids:
        known = next((i for i in INDICATORS.values() if i.var == var), None)
        wanted.append((known or Indicator(f"var {var}", var, ""), var))
    seen, out = set(), []
    for ind, var in wanted:
        if var not in seen:
            seen.add(var)
            out.append((ind, var))
    if not out:
        raise FetchError("say what to fetch: --indicator NAME (p0, p1, p2, poor_population, poverty_line, or "
                         "all) or --var ID")
    return out


def parse_years(texts: list[str]) -> list[int]:
    """'2025', '2021-2025' (a range) or '2023,2024' -> sorted distinct years."""
    years: set[int] = set()
    for text in texts:
        for part in str(text).split(","):
            part = part.strip()
            m = re.fullmatch(r"(\d{4})(?:\s*[-:]\s*(\d{4}))?", part)
            if not m:
                raise FetchError(f"year {part!r} is not a year like 2025 or a range like 2021-2025")
            a, b = int(m.group(1)), int(m.group(2) or m.group(1))
            if a > b or not (1990 <= a and b <= 2100):
                raise FetchError(f"years {part!r}: give years from 1990 on, the first not after the last")
            years.update(range(a, b + 1))
    if not years:
        raise FetchError("say which years: --year 2025 or --year 2021-2025")
    return sorted(years)


def _stamp(at: str) -> str:
    return at.replace("-", "").replace(":", "").replace("+0000", "Z").replace("+00:00", "Z")


def _save(f: Fetched, raw_dir: Path) -> Path:
    """The answer byte for byte, and beside it <name>.meta.json: URL without key, time, sha256."""
    import hashlib

    name = f"bps_webapi_var{f.var}_{f.year}_{_stamp(f.retrieved_at)}.json"
    target = raw_dir / name
    with atomic_path(target) as tmp:
        tmp.write_bytes(f.content)
    write_json(target.with_name(name + ".meta.json"), {
        "file": name,
        "url": f.url,
        "retrieved_at": f.retrieved_at,
        "sha256": hashlib.sha256(f.content).hexdigest(),
        "bytes": len(f.content),
        "indicator": f.indicator.name,
        "variable": f.var,
        "year": f.year,
        "datacontent_cells": f.cells,
        "fetched_by": f"ucj.ingest.fetch_bps {__version__}",
    })
    return target


def fetch_bps(names: list[str], var_ids: list[int], years: list[int], *, out: str | Path = PROCESSED_DIR,
              raw_dir: str | Path | None = None, allow_unmatched: bool = False, key: str | None = None,
              transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] | None = None,
              now: Callable[[], dt.datetime] = _utcnow,
              say: Callable[[str], None] = lambda _line: None) -> FetchResult:
    """Fetch every (table, year), save each answer, then import them all in one transaction.

    Nothing is saved unless every answer came back as a table; nothing is imported unless every saved
    answer imports (an import error names the saved file, kept for a look)."""
    targets = _targets(names, var_ids)
    key = key or api_key()
    transport = transport or TRANSPORT
    sleep = sleep or SLEEP
    raw = Path(raw_dir) if raw_dir is not None else RAW_DIR / RAW_SUBDIR
    fetched: list[Fetched] = []
    headers = {"Accept": "application/json", "User-Agent": f"ucj/{__version__} (ucj fetch bps)"}
    try:
        with key_hidden_in_logs(key), httpx.Client(transport=transport, timeout=TIMEOUT, headers=headers, follow_redirects=False) as client:
            for ind, var in targets:
                for year in years:
                    shown = _url(var, year, REDACTED)
                    resp = _get(client, _url(var, year, key), shown, key, sleep, now)
                    cells = _check(resp, ind, var, year, shown, key)
                    at = now().astimezone(dt.timezone.utc).isoformat(timespec="seconds")
                    fetched.append(Fetched(ind, var, year, resp.content, shown, at, cells))
                    say(f"fetched var {var} ({ind.name}) {year}: {cells} cells")
    except FetchError as err:
        raise FetchError(redact(str(err), key)) from None
    saved = [(f, _save(f, raw)) for f in fetched]
    for f, path in saved:
        say(f"saved {path} (sha256 and URL without key in {path.name}.meta.json)")
    registry = load_registry()
    try:
        results = [import_bps_webapi(path, allow_unmatched=allow_unmatched, registry=registry) for _, path in saved]
    except UcjInputError as err:
        raise UcjInputError([*err.problems, Problem(f"nothing was imported (all answers or none); the answers "
                                                    f"fetched are kept in {raw.name}/ for a look")]) from None
    write_processed_all(results, out)
    return FetchResult(saved, results, Path(out))
