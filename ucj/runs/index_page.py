"""The index of a batch of district reports, and its summary table for use outside the browser.

`write_index` writes index.html: one row per district with its values (coverage and target, each in
one column per pairing of participants over a denominator; projected value at the target year with
its interval, projection status, claims and P0), failed districts listed with their error, columns
sortable by a small inline script (no server, no library), and links to summary.csv and summary.xlsx.
`write_summary` writes those two files with every district's key figures. The figures are read from
each report's key_figures.json (DistrictFigures.key()); nothing is computed here.
"""

from __future__ import annotations

import copy
import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ucj.core.config import stylesheet
from ucj.core.files import write_csv, write_text
from ucj.core.stamp import stamp
from ucj.analysis.projection import INTERVAL
from ucj.presentation.i18n import (Lang, check_lang, claims_programme_words, denominator_periods, denominator_year_assumed,
                                   fmt_int, fmt_num, fmt_pct, fmt_rp, fmt_year, key_coverage_period_text, stamp_line, t,
                                   target_year_text, tf)
from ucj.presentation.tables import Shown

SUMMARY_CSV = "summary.csv"
SUMMARY_XLSX = "summary.xlsx"
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def safe_relative(value: object, suffix: str) -> str | None:
    """`value` if it is a plain relative path inside the run folder ending in `suffix` (a report's
    page or key figures), else None: run.json may have been edited, so its text never becomes a
    link to another scheme (javascript:, data:, http:), an absolute path or a parent folder."""
    text = str(value or "")
    parts = text.split("/")
    if not text.endswith(suffix) or not all(_SAFE_PART.fullmatch(p) for p in parts):
        return None
    return text

# the summary's columns: (column, where in key_figures.json, kind of number)
SUMMARY_COLUMNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("district_code", ("district_code",), "code"),
    ("district", ("district_name",), "text"),
    ("province", ("province",), "text"),
    ("last_period", ("last_period",), "text"),
    ("denominator", ("denominator",), "text"),
    ("target_year", ("target_year",), "year"),
    # true when the target's document sets no year and the year is assumed (the page's "(2029, assumed)", F9)
    ("target_year_assumed", ("target_year_assumed",), "bool"),
    ("interval_pct", ("projection", "interval_pct"), "pct0"),  # the level of the interval lower-upper
    ("claim_count", ("claims_12m", "count"), "count"),
    ("claim_amount_rp", ("claims_12m", "amount_rp"), "rp"),
    # the programmes the claim count and amount add up ("JKK+JKM+JKP": savings withdrawals, JHT and JP, apart;
    # reader 9, R4), from the programmes the report's claims exclude
    ("claims_programmes", ("claims_12m", "excludes"), "text"),
    # true when the district has no target of its own and the national default is shown (reader 9, R7)
    ("target_is_default", ("target_is_default",), "bool"),
    # each column's period (reader's finding 9): the months the need runs over and the claims' 12 months
    ("workers_needed_period", ("figures", "workers_net", "period"), "text"),
    ("claims_period", ("figures", "claims_12m", "period"), "text"),
    ("p0_year", ("poverty", "year"), "year"),  # the year of the P0 column (was `year`)
    ("p0", ("poverty", "p0"), "pct"),
)
# coverage is kept in one column per pairing (participants over a denominator), never mixed in one column:
# coverage over potensi pekerja of one district beside coverage over the working population of another
# would sort as if they measured the same thing
PAIRING_DENOMINATORS = ("working_population", "employees", "informal_workers", "potensi_pekerja")
# the verdict and the workers needed are over the pairing the report's projection is made over (Minahasa's need to
# 100 % of its potensi list is no need over the working population), so each sits in one column per pairing as
# coverage, target and projection do (reader 11, L13): (column prefix, where in key_figures.json, kind)
BY_PAIRING_COLUMNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("status", ("projection", "status"), "text"),
    ("workers_needed", ("projection", "workers_needed_per_month"), "count"),
    ("workers_needed_gross", ("workers_needed", "gross_per_month"), "count"),
)
PAIRING_NUMERATORS = {"working_population": "all_participants", "employees": "pu_participants",
                      "informal_workers": "bpu_participants", "potensi_pekerja": "all_participants"}


def coverage_by_pairing(key: dict[str, object] | None) -> dict[str, tuple[float | None, str | None]]:
    """{denominator: (coverage %, its month)} of a report's key figures: its coverage over every
    denominator the data has (`coverage_by_pairing`), else (older key figures, overviews) its one
    coverage over its own denominator."""
    if not key:
        return {}
    pairs = key.get("coverage_by_pairing")
    if isinstance(pairs, dict) and pairs:
        return {str(d): (_number(f.get("value")), f.get("period")) for d, f in pairs.items()  # type: ignore[union-attr]
                if isinstance(f, dict)}
    den = key.get("denominator")
    if den is None or _number(key.get("coverage_pct")) is None:
        return {}
    return {str(den): (_number(key.get("coverage_pct")), key.get("coverage_as_of") or key.get("last_period"))}


def by_pairing_values(key: dict[str, object] | None) -> dict[str, dict[str, object]]:
    """{denominator: {column prefix: value}} of BY_PAIRING_COLUMNS: the report's verdict and workers needed under
    the pairing its projection is over, as `projection_by_pairing`."""
    if not key:
        return {}
    den = str(key.get("denominator") or "working_population")
    return {den: {col: _get(key, where) for col, where, _ in BY_PAIRING_COLUMNS}}


def active_figure(key: dict[str, object] | None) -> tuple[float | None, str | None]:
    """(active participants, their month): the summary's `active` Figure, else the coverage numerator."""
    if not key:
        return None, None
    fig = _get(key, ("figures", "active"))
    if isinstance(fig, dict):
        return _number(fig.get("value")), fig.get("period")  # type: ignore[return-value]
    return _number(key.get("active")), key.get("coverage_as_of") or key.get("last_period")  # type: ignore[return-value]


def pairing_label(denominator: str, lang: Lang) -> str:
    """"Cakupan (semua peserta aktif / potensi pekerja)": a coverage column named by its pairing."""
    return f"{t('coverage_pct', lang)} ({pairing_words(denominator, lang)})"


def target_label(denominator: str, lang: Lang) -> str:
    """"Target (semua peserta aktif / potensi pekerja)": a target column named by the pairing its targets are
    over (a target of 100 % over potensi pekerja is not one of 100 % over the working population)."""
    return f"{t('target', lang)} ({pairing_words(denominator, lang)})"


def pairing_words(denominator: str, lang: Lang) -> str:
    return f"{t(PAIRING_NUMERATORS[denominator], lang)} / {t(denominator, lang)}"


def projection_label(denominator: str, lang: Lang) -> str:
    """"Proyeksi (semua peserta aktif / potensi pekerja) (interval prediksi 80 %)": a projection column named
    by its pairing and its interval level."""
    level = tf("interval_level", lang, level=fmt_num(100 * INTERVAL, lang, 0))
    return f"{t('projected', lang)} ({pairing_words(denominator, lang)}) ({level})"


def status_label(denominator: str, lang: Lang) -> str:
    """"Status (semua peserta aktif / potensi pekerja)": the verdict's column named by the pairing its projection
    is over (Minahasa's verdict over potensi pekerja never sorts with verdicts over the working population)."""
    return f"{t('status', lang)} ({pairing_words(denominator, lang)})"


def projection_by_pairing(key: dict[str, object] | None) -> dict[str, tuple[float | None, float | None, float | None]]:
    """{denominator: (projected %, lower, upper)}: a report's projection at its target year sits under the
    pairing it was made over, as its coverage and target (Minahasa's projection over potensi pekerja never
    sorts with projections over the working population)."""
    p = (key or {}).get("projection")
    if not isinstance(p, dict) or _number(p.get("projected_pct")) is None:
        return {}
    den = str((key or {}).get("denominator") or "working_population")
    return {den: (_number(p.get("projected_pct")), _number(p.get("lower_pct")), _number(p.get("upper_pct")))}


def target_by_pairing(key: dict[str, object] | None) -> dict[str, tuple[float | None, int | None]]:
    """{denominator: (target %, its year)}: a report's target sits under the pairing its coverage and
    projection are over (the key figures' denominator; key figures that name none are over the default,
    the working population)."""
    if not key:
        return {}
    target = _number(key.get("target_pct"))
    if target is None:
        return {}
    # under its own basis when it has one (Minahasa's 100 % of its potensi list never sits under the working
    # population, whatever the report's denominator); the national default under the report's pairing
    den = str(key.get("target_denominator") or key.get("denominator") or "working_population")
    year = key.get("target_year")
    return {den: (target, int(year) if _number(year) is not None else None)}  # type: ignore[arg-type]


# the sortable script: clicking a header sorts by each cell's data-v (a number, else the text)
SORT_SCRIPT = """
document.querySelectorAll('table.ucj-sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.setAttribute('aria-sort', 'none');
    th.setAttribute('tabindex', '0');
    function sort() {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var cell = row.cells[col];
        var v = cell ? cell.getAttribute('data-v') : null;
        if (v === null || v === '') { return null; }
        var n = Number(v);
        return isNaN(n) ? v.toLowerCase() : n;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null && y === null) { return 0; }
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        if (x < y) { return asc ? -1 : 1; }
        if (x > y) { return asc ? 1 : -1; }
        return 0;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
  });
});
"""


def index_figures(key: dict[str, object]) -> dict[str, object]:
    """The part of a report's key figures the index and the summary show (nested as in the file), so a
    batch can carry it in its entries instead of rereading every key_figures.json after each report."""
    out: dict[str, object] = {}
    paths = [where for _, where, _ in SUMMARY_COLUMNS] + [("target_pct",), ("projection", "likelihood"), ("lang",),
                                                           ("synthetic_tables",), ("level",), ("province_code",),
                                                           ("coverage_by_pairing",), ("figures", "active"),
                                                           ("coverage_pct",), ("coverage_as_of",), ("active",),
                                                           ("projection", "projected_pct"), ("projection", "lower_pct"),
                                                           ("projection", "upper_pct"), ("claims_12m", "from"),
                                                           ("claims_12m", "to"), ("target_is_default",),
                                                           ("target_year_assumed",), ("denominator_status",),
                                                           ("covers", "partial"),  # an overview of some districts
                                                           ("district_name",), ("denominator",),
                                                           ("denominator_period",), ("denominator_year_bound",),
                                                           ("period_rule",), ("districts_combined", "projected_pct"),
                                                           ("districts_combined", "year"),
                                                           ("districts_combined", "districts_used"),
                                                           ("districts_combined", "districts_total")]
    paths += [where for _, where, _ in BY_PAIRING_COLUMNS]
    for where in paths:
        value = _get(key, where)
        if value is None:  # missing and None read the same (_get)
            continue
        node = out
        for part in where[:-1]:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[where[-1]] = value
    tables = _get(key, ("provenance", "tables"))
    if isinstance(tables, dict):
        out["provenance"] = {"tables": {n: {"sha256": i.get("sha256")} for n, i in tables.items() if isinstance(i, dict)}}
    return out


def index_banner(keys: list[dict[str, object] | None], lang: Lang) -> str:
    """The synthetic-data banner of an index, naming the districts whose coverage denominator is real although the
    workforce table is made up (their pages say so too; reader 10, N1)."""
    from babel.lists import format_list

    real = [f"{k['district_name']} ({t(str(k.get('denominator')), lang)})" for k in keys
            if k and k.get("denominator_status") == "real"]
    text = t("synthetic_banner", lang)
    return text + (" " + tf("index_banner_real_denominators", lang, districts=format_list(real, locale=lang))
                   if real else "")


def claims_programmes(key: dict[str, object] | None) -> str | None:
    """"JKK+JKM+JKP": the programmes a report's 12-month claim count and amount add up, i.e. every programme
    but those its key figures say the claims exclude (the savings withdrawals, JHT and JP)."""
    excludes = _get(key or {}, ("claims_12m", "excludes"))
    if not isinstance(excludes, list):
        return None
    return claims_programme_words(excludes, "en")["programmes"]


def claims_headers(keys: list[dict[str, object]], lang: Lang) -> tuple[str, str] | None:
    """The claim count's and amount's headers with their basis ("Jumlah klaim JKK+JKM+JKP (12 bulan, tanpa
    pencairan JHT, JP)") when every report counts the same programmes; None when they differ or none says."""
    bases = {(claims_programmes(k), tuple(_get(k, ("claims_12m", "excludes")) or ())) for k in keys if k}
    if len(bases) != 1 or next(iter(bases))[0] is None:
        return None
    words = claims_programme_words(next(iter(bases))[1], lang)  # "JKK+JKM+JKP", "JHT dan JP"
    return tf("claims_count_basis_header", lang, **words), tf("claims_amount_basis_header", lang, **words)


def claims_period(key: dict[str, object] | None) -> str | None:
    """The 12 months of a report's claims columns, "YYYY-MM – YYYY-MM": a district's `claims_12m` figure, else
    (an overview) the window its key figures give."""
    if not key:
        return None
    period = _get(key, ("figures", "claims_12m", "period"))
    if period:
        return str(period)
    start, end = _get(key, ("claims_12m", "from")), _get(key, ("claims_12m", "to"))
    return f"{start} – {end}" if start and end else None


def _get(key: dict[str, object], path: tuple[str, ...]) -> object:
    value: object = key
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def entry_key(entry: dict[str, object], run_dir: Path) -> dict[str, object] | None:
    """The key figures of one batch entry: carried in the entry, or read from its key_figures.json."""
    for name in ("key", "key_figures"):
        if isinstance(entry.get(name), dict):
            return entry[name]  # type: ignore[return-value]
    rel = entry.get("key_figures") or (f"{entry['slug']}/key_figures.json" if entry.get("slug") else None)
    if not rel or entry.get("status") not in (None, "ok") or safe_relative(rel, ".json") is None:
        return None
    path = run_dir / str(rel)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _td(text: str, sort_value: object = None) -> str:
    v = "" if sort_value is None else html.escape(str(sort_value), quote=True)
    return f'<td data-v="{v}">{html.escape(text)}</td>'


def _row(entry: dict[str, object], key: dict[str, object] | None, lang: Lang,
         pairings: tuple[str, ...] = ("working_population",), claims_in_cells: bool = False) -> str:
    """One report's row; `claims_in_cells`: the claims cells carry their period (the reports' claims periods
    differ, so the headers cannot name one)."""
    name = str(entry.get("district_name") or (key or {}).get("district_name") or entry.get("district", ""))
    code = str(entry.get("district") or (key or {}).get("district_code") or entry.get("province_code") or "")
    prov = str(entry.get("province") or (key or {}).get("province") or "")
    href = safe_relative(entry.get("html"), ".html")
    link = (f'<a href="{html.escape(href, quote=True)}">{html.escape(name)}</a>'
            if href and entry.get("status", "ok") == "ok" else html.escape(name))
    head = (f'<td data-v="{html.escape(name, quote=True)}">{link}</td>'
            + _td(code, code) + _td(prov, prov))
    if key is None or entry.get("status", "ok") != "ok":
        cell = f" ({t('cell', lang)} {entry['cell']})" if entry.get("cell") else ""
        error = html.escape(f"{cell.strip()}: {entry.get('error') or ''}" if cell else str(entry.get("error") or ""))
        return (f'<tr class="ucj-failed">{head}<td colspan="{3 + 4 * len(pairings)}" data-v="">'
                f'<strong>{html.escape(t("failed", lang))}</strong>: {error}</td></tr>')
    p = key.get("projection") if isinstance(key.get("projection"), dict) else {}
    assert isinstance(p, dict)
    by_pair, targets, projections = coverage_by_pairing(key), target_by_pairing(key), projection_by_pairing(key)
    status = str(p.get("likelihood") or p.get("status") or "")
    claims = key.get("claims_12m") if isinstance(key.get("claims_12m"), dict) else {}
    pov = key.get("poverty") if isinstance(key.get("poverty"), dict) else {}
    assert isinstance(claims, dict) and isinstance(pov, dict)
    when = f" ({claims_period(key)})" if claims_in_cells and claims_period(key) else ""
    cov_cells = []
    for den in pairings:
        value, period = by_pair.get(den, (None, None))
        cov_cells.append(_td(coverage_cell(value, key, den, period, lang), value))
    target_cells = []
    for den in pairings:  # each target under its own pairing, as coverage
        target, year = targets.get(den, (None, None))
        year_text = target_year_text(year, key.get("target_year_assumed"), lang)  # "2029, assumed" as on the page
        if key.get("target_is_default"):  # which targets are the national default, in the row (reader 9, R7);
            # on the national overview the RPJMN figure is the nation's own target, named as its page names it (R17-8)
            covers = key.get("covers") if isinstance(key.get("covers"), dict) else {}
            words = ("national_target_name" if key.get("level") == "national" and not covers.get("partial")
                     else "default_target_short")  # an overview of some districts only: their shared default
            year_text += f", {t(words, lang)}"
        target_cells.append(_td(f"{fmt_pct(target, lang)} ({year_text})" if target is not None else "–", target))
    projection_cells = []
    for den in pairings:  # each projection under its own pairing, as coverage and target
        projected, lower, upper = projections.get(den, (None, None, None))
        shown = (f"{fmt_pct(projected, lang)} ({fmt_pct(lower, lang)}–{fmt_pct(upper, lang)})"
                 if projected is not None else "–")
        if projected is not None and den == (key.get("denominator") or "working_population"):
            shown += combined_text(key, lang)
        projection_cells.append(_td(shown, projected))
    own = str(key.get("denominator") or "working_population")  # the verdict is the projection's, under its pairing
    status_cells = [_td(t(status, lang) if status and den == own else "–", status if den == own else None)
                    for den in pairings]  # one status column per pairing, as coverage (reader 12, L6)
    cells = [
        *cov_cells,
        *target_cells,
        *projection_cells,
        *status_cells,
        _td(fmt_int(claims.get("count"), lang) + when, _number(claims.get("count"))),
        _td(fmt_rp(claims.get("amount_rp"), lang) + when, _number(claims.get("amount_rp"))),
        _td(f"{fmt_pct(pov.get('p0'), lang)} ({fmt_year(pov.get('year'))})", _number(pov.get("p0"))),
    ]
    return f"<tr>{head}{''.join(cells)}</tr>"


def combined_text(key: dict[str, object], lang: Lang) -> str:
    """"; proyeksi kabupaten/kota sendiri digabung 31,8 % (6 dari 6)": a province overview's districts' own
    projections combined, beside the area's projection in its index cell as on the overview page (the verdict
    stays the area's; pagesn); "" for a district, the nation, or when no district could be combined."""
    c = key.get("districts_combined")
    if not isinstance(c, dict) or _number(c.get("projected_pct")) is None:
        return ""
    return "; " + tf("index_districts_combined", lang, pct=fmt_pct(_number(c.get("projected_pct")), lang),
                     year=fmt_year(c.get("year")), used=fmt_int(c.get("districts_used"), lang),
                     total=fmt_int(c.get("districts_total"), lang))


def coverage_cell(value: float | None, key: dict[str, object], denominator: str, period: object, lang: Lang) -> str:
    """An index coverage cell: "52,4 % (2025-12)" when the denominator is of the participants' own year, else
    both periods, "74,9 % (peserta 2025-12 / potensi pekerja 2024)" (the period rule the banner states; reader
    11, M1), the year marked "diasumsikan" when its source states none: the periods as the district's card
    words them (`key_coverage_period_text`, one rule; reader 12, L7)."""
    if value is None:
        return "–"
    return f"{fmt_pct(value, lang)} ({key_coverage_period_text(key, denominator, period, lang)})"


def _data_hashes(keys: list[dict[str, object]]) -> dict[str, str]:
    """Each table's hash when all reports read the same file; otherwise the table is listed as mixed."""
    seen: dict[str, set[str]] = {}
    for k in keys:
        tables = _get(k, ("provenance", "tables"))
        if isinstance(tables, dict):
            for name, info in tables.items():
                if isinstance(info, dict) and info.get("sha256"):
                    seen.setdefault(name, set()).add(str(info["sha256"]))
    return {name: (next(iter(h)) if len(h) == 1 else "*") for name, h in seen.items()}


@dataclass
class Rendered:
    """What a batch keeps between rewrites of its index and run.json (after every report; the entries
    done before are unchanged): each entry's row and its run.json text, with the entry they were made
    from and a copy of it as it was then. A text is reused only for that very entry, still equal to
    its copy: a new entry (even one equal to the old) or one changed in place is rendered again."""

    rows: dict[tuple[str, str], tuple[object, object, str]] = field(default_factory=dict)
    json: dict[str, tuple[object, object, str]] = field(default_factory=dict)

    def entry_json(self, entry: dict[str, object]) -> str:
        """The entry as an item of a top-level list of run.json (json.dumps with indent=2, sort_keys=True,
        ensure_ascii=False, each line indented by 4), remembered."""
        ident = str(entry.get("slug"))
        hit = self.json.get(ident)
        if hit is None or hit[0] is not entry or hit[1] != entry:
            hit = (entry, copy.deepcopy(entry), _item_json(entry))
            self.json[ident] = hit
        return hit[2]


def _item_json(item: object) -> str:
    text = json.dumps(item, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return "    " + text.replace("\n", "\n    ")  # JSON text holds no raw newline inside a string


def _cached_row(entry: dict[str, object], key: dict[str, object] | None, lang: Lang,
                rendered: Rendered | None, pairings: tuple[str, ...] = ("working_population",),
                claims_in_cells: bool = False) -> str:
    """_row, remembered in `rendered` while the entry and its key figures are unchanged."""
    if rendered is None:
        return _row(entry, key, lang, pairings, claims_in_cells)
    ident = (lang, str(entry.get("slug") or entry.get("district")), pairings, claims_in_cells)
    hit = rendered.rows.get(ident)
    if hit is None or hit[0] is not entry or hit[1] != (entry, key):
        hit = (entry, copy.deepcopy((entry, key)), _row(entry, key, lang, pairings, claims_in_cells))
        rendered.rows[ident] = hit
    return hit[2]


def run_json_text(doc: dict[str, object], lists: tuple[str, ...], rendered: Rendered) -> str:
    """The text of json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, default=str) + newline,
    with the entries of the top-level lists named in `lists` taken from `rendered` (each encoded once
    per batch, not once per rewrite: a rewrite then costs the new entry, not the whole run)."""
    lists = tuple(k for k in lists if isinstance(doc.get(k), list) and doc[k])  # others: as json.dumps has them
    head = {k: ([] if k in lists else v) for k, v in doc.items()}
    text = json.dumps(head, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    for name in lists:
        items = doc[name]
        assert isinstance(items, list)
        parts = [rendered.entry_json(item) if isinstance(item, dict) and "slug" in item else _item_json(item)
                 for item in items]
        empty = f"\n  {json.dumps(name)}: []"
        if text.count(empty) != 1:  # cannot happen with sort_keys and a dict at the top; never guess
            return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n"
        text = text.replace(empty, f"\n  {json.dumps(name)}: [\n" + ",\n".join(parts) + "\n  ]")
    return text + "\n"


def write_index(path: str | Path, entries: list[dict[str, object]], lang: str, synthetic: bool,
                title: str, overviews: list[dict[str, object]] | None = None,
                rendered: Rendered | None = None) -> Path:
    """index.html of a batch: every district with its values, sortable, failures with their error; the
    province and national overviews of the run (entries of the same form) in a table of their own.
    `rendered` (optional) keeps rendered rows between calls: the same entry gives the same row."""
    lang_ok = check_lang(lang)
    path = Path(path)
    run_dir = path.parent
    keys = [entry_key(e, run_dir) for e in entries]
    over = [(e, entry_key(e, run_dir)) for e in overviews or []]
    pairings = batch_pairings([k for k in keys if k] + [k for _, k in over if k])
    # the claims columns' 12 months: in the header when every report has the same, else in each cell
    periods = {claims_period(k) for k in keys + [k for _, k in over] if k and claims_period(k)}
    in_cells = len(periods) > 1
    rows = "".join(_cached_row(e, k, lang_ok, rendered, pairings, in_cells) for e, k in zip(entries, keys))
    labels = [t(h, lang_ok) for h in ("district", "district_code", "province")]
    labels += [pairing_label(d, lang_ok) for d in pairings]
    labels += [target_label(d, lang_ok) for d in pairings]
    labels += [projection_label(d, lang_ok) for d in pairings]
    claims_when = f", {next(iter(periods))}" if len(periods) == 1 else ""
    based = claims_headers([k for k in keys if k] + [k for _, k in over if k], lang_ok)  # their basis (R4)
    count_head, amount_head = based or (f"{t('claim_count', lang_ok)} (12 {t('months', lang_ok).lower()})",
                                        t("claims_12m_label", lang_ok))
    labels += [status_label(d, lang_ok) for d in pairings]
    labels += [f"{count_head}{claims_when}", f"{amount_head}{claims_when}", t("p0", lang_ok)]
    head = "".join(f'<th scope="col">{html.escape(x)}</th>' for x in labels)
    # the overviews' table names its first column for provinces and the nation, not "District" (reader 9, R10)
    over_head = "".join(f'<th scope="col">{html.escape(x)}</th>' for x in [t("index_area", lang_ok), *labels[1:]])
    banner = (f'<div class="ucj-synthetic">{html.escape(index_banner(keys, lang_ok))}</div>'
              if synthetic else "")
    if entries:  # the coverage cells' period rule, said once above the table (reader 11, M1)
        banner += f"<p class='ucj-note'>{html.escape(t('index_period_rule', lang_ok))}</p>"
    st = stamp(_data_hashes([k for k in keys if k] + [k for _, k in over if k]))
    overview_table = ""
    if over:
        over_rows = "".join(_cached_row(e, k, lang_ok, rendered, pairings, in_cells) for e, k in over)
        overview_table = (f"<h2 class='ucj-h'>{html.escape(t('overviews', lang_ok))}</h2>"
                          f"<table id='ucj-overviews' class='ucj-table ucj-sortable'><thead><tr>{over_head}</tr></thead>"
                          f"<tbody>{over_rows}</tbody></table>")
    links = (f'<p class="ucj-links">{html.escape(t("summary_files", lang_ok))}: '
             f'<a href="{SUMMARY_CSV}">{SUMMARY_CSV}</a> · <a href="{SUMMARY_XLSX}">{SUMMARY_XLSX}</a></p>')
    districts_table = (f"<table id='ucj-districts' class='ucj-table ucj-sortable'><thead><tr>{head}</tr></thead>"
                       f"<tbody>{rows}</tbody></table>")
    if not entries and over:  # overviews only: no per-district summary is written, none is offered (F12)
        names = ", ".join(str(e.get("district_name") or (k or {}).get("district_name") or e.get("slug"))
                          for e, k in over)
        books = " · ".join(f'<a href="{html.escape(book, quote=True)}">{html.escape(book)}</a>' for e, _ in over
                           if (book := workbook_link(e)))  # each overview's tables.xlsx, linked (reader 9, R10)
        text = html.escape(tf("index_no_district_rows", lang_ok, overviews=names, workbooks="\x00"))
        text = text.replace("\x00", books or "tables.xlsx")
        links = f'<p class="ucj-links">{text}</p>'
        districts_table = ""
    if any(k and k.get("target_is_default") for k in keys + [k for _, k in over]):  # F18: the default's basis
        note = html.escape(t("index_default_target_note", lang_ok))
        overview_table += f"<p class='ucj-note'><small>{note}</small></p>"
    page = (f"<!DOCTYPE html><html lang='{lang_ok}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{stylesheet()}{stylesheet('page')}</style></head><body>"
            f"<h1 class='ucj-title'>{html.escape(title)}</h1>{banner}{links}"
            f"<p class='ucj-sort-hint'>{html.escape(t('sort_hint', lang_ok))}</p>"
            f"{districts_table}{overview_table}"
            f"<p class='ucj-stamp'>{html.escape(stamp_line(st, lang_ok))}</p>"
            f"<script>{SORT_SCRIPT}</script></body></html>")
    write_text(path, page)
    return path


def workbook_link(entry: dict[str, object]) -> str | None:
    """The relative link to a report's tables.xlsx, beside its page (None when the page has no safe link)."""
    href = safe_relative(entry.get("html"), ".html")
    if not href or entry.get("status", "ok") != "ok":
        return None
    return "/".join([*href.split("/")[:-1], "tables.xlsx"])


def batch_pairings(keys: list[dict[str, object]]) -> tuple[str, ...]:
    """The coverage columns of a batch: the working population always, and each other denominator a
    report of the batch was made over (its reports' own coverage), in a fixed order."""
    own = {str(k.get("denominator")) for k in keys if k.get("denominator")}
    return tuple(d for d in PAIRING_DENOMINATORS if d == "working_population" or d in own)


def summary_frame(entries: list[dict[str, object]], run_dir: Path) -> pd.DataFrame:
    """One row per district of the batch with its key figures (failed districts with their error): active
    participants with their month, and coverage in one column per pairing, each with its month."""
    rows = []
    for e in entries:
        key = entry_key(e, run_dir)
        row: dict[str, object] = {col: (_get(key, where) if key else None) for col, where, _ in SUMMARY_COLUMNS}
        row["active"], row["active_period"] = active_figure(key)
        pairs, den_periods = coverage_by_pairing(key), denominator_periods(key)
        for den in PAIRING_DENOMINATORS:
            row[f"coverage_pct_{den}"], row[f"coverage_period_{den}"] = pairs.get(den, (None, None))
            # the denominator's year beside the participants' month (reader 11, M1), only where there is coverage
            row[f"denominator_period_{den}"] = den_periods.get(den) if den in pairs else None
        row["denominator_year_assumed"] = denominator_year_assumed(key) if key else None
        split = by_pairing_values(key)
        for den in PAIRING_DENOMINATORS:
            for col, _, _ in BY_PAIRING_COLUMNS:
                row[f"{col}_{den}"] = split.get(den, {}).get(col)
        targets, projections = target_by_pairing(key), projection_by_pairing(key)
        for den in PAIRING_DENOMINATORS:
            row[f"target_pct_{den}"] = targets.get(den, (None, None))[0]
            (row[f"projected_pct_{den}"], row[f"lower_pct_{den}"],
             row[f"upper_pct_{den}"]) = projections.get(den, (None, None, None))
        row["claims_programmes"] = claims_programmes(key) if key else None
        row["target_is_default"] = bool(key.get("target_is_default")) if key else None
        row["district_code"] = row["district_code"] or e.get("district")
        row["district"] = row["district"] or e.get("district_name")
        row["province"] = row["province"] or e.get("province")
        row["synthetic"] = bool(key.get("synthetic_tables")) if key else None
        row["error"] = None if key and e.get("status", "ok") == "ok" else str(e.get("error") or "")
        rows.append(row)
    return pd.DataFrame(rows, columns=summary_columns())


def summary_columns() -> list[str]:
    """summary.csv's columns, in order."""
    cols = [c for c, _, _ in SUMMARY_COLUMNS]
    at = cols.index("denominator") + 1
    extra = ["denominator_year_assumed", "active", "active_period"]
    extra += [x for d in PAIRING_DENOMINATORS
              for x in (f"coverage_pct_{d}", f"coverage_period_{d}", f"denominator_period_{d}")]
    extra += [f"target_pct_{d}" for d in PAIRING_DENOMINATORS]  # one target column per pairing, as coverage
    extra += [x for d in PAIRING_DENOMINATORS for x in (f"projected_pct_{d}", f"lower_pct_{d}", f"upper_pct_{d}")]
    # the verdict and the workers needed, one column per pairing each, where the single columns were (L13)
    after = cols.index("interval_pct") + 1
    split = [f"{col}_{d}" for col, _, _ in BY_PAIRING_COLUMNS for d in PAIRING_DENOMINATORS]
    return cols[:at] + extra + cols[at:after] + split + cols[after:] + ["synthetic", "error"]


def write_summary(run_dir: str | Path, entries: list[dict[str, object]], lang: str | None = None) -> tuple[Path, Path]:
    """summary.csv (column codes, plain numbers) and summary.xlsx (headers and words in the run's language
    `lang`, else the reports', numbers with number formats), each written whole or not at all; text is never
    a formula. The workbook is written with XlsxWriter (xlsx.FastBook, as tables.xlsx): the cells openpyxl's
    `write_shown` gives, and the command no longer imports openpyxl for it (about 0.05 CPU-s of each command)."""
    from ucj.presentation.xlsx import FastBook, sheet_title

    run_dir = Path(run_dir)
    df, lang, shown = summary_sheet(entries, run_dir, lang)
    csv_path = run_dir / SUMMARY_CSV
    write_csv(csv_path, df)
    book = FastBook(run_dir / SUMMARY_XLSX)
    book.shown(book.sheet(sheet_title(t("sheet.summary", lang), set())), shown, lang)
    return csv_path, book.save()


def summary_sheet(entries: list[dict[str, object]], run_dir: Path, lang: str | None = None
                  ) -> tuple[pd.DataFrame, Lang, Shown]:
    """The summary's frame (summary.csv), the run's language and the table summary.xlsx shows (write_summary)."""
    df = summary_frame(entries, run_dir)
    langs = [k.get("lang") for e in entries if (k := entry_key(e, run_dir)) and k.get("lang")]
    lang = check_lang(lang or (str(langs[0]) if langs else "id"))  # the run's language, even without rows (F12)
    based = claims_headers([k for e in entries if (k := entry_key(e, run_dir))], lang)
    kinds = {c: [k] * len(df) for c, _, k in SUMMARY_COLUMNS} | {"synthetic": ["bool"] * len(df),
                                                                   "error": ["text"] * len(df),
                                                                   "active": ["count"] * len(df),
                                                                   "active_period": ["text"] * len(df),
                                                                   "denominator_year_assumed": ["bool"] * len(df)}
    for den in PAIRING_DENOMINATORS:
        kinds[f"coverage_pct_{den}"] = ["pct"] * len(df)
        kinds[f"coverage_period_{den}"] = ["text"] * len(df)
        kinds[f"denominator_period_{den}"] = ["text"] * len(df)
        for col, _, kind in BY_PAIRING_COLUMNS:
            kinds[f"{col}_{den}"] = [kind] * len(df)
        kinds[f"target_pct_{den}"] = ["pct"] * len(df)
        for part in ("projected_pct", "lower_pct", "upper_pct"):
            kinds[f"{part}_{den}"] = ["pct"] * len(df)
    values = df.copy()
    for col in ("denominator", *(f"status_{d}" for d in PAIRING_DENOMINATORS)):
        values[col] = values[col].map(lambda v: t(str(v), lang) if isinstance(v, str) else v)
    headers = []
    for c in df.columns:
        if c.startswith("coverage_pct_"):
            headers.append(pairing_label(c.removeprefix("coverage_pct_"), lang))
        elif c.startswith("target_pct_"):
            headers.append(target_label(c.removeprefix("target_pct_"), lang))
        elif c.startswith("projected_pct_"):
            headers.append(projection_label(c.removeprefix("projected_pct_"), lang))
        elif c.startswith(("lower_pct_", "upper_pct_")):
            part, den = c.split("_pct_")
            headers.append(f"{projection_label(den, lang)}: {t(part, lang)}")
        elif c.startswith("coverage_period_"):
            headers.append(f"{pairing_label(c.removeprefix('coverage_period_'), lang)}: {t('period', lang)}")
        elif c.startswith("denominator_period_"):
            headers.append(f"{pairing_label(c.removeprefix('denominator_period_'), lang)}: "
                           f"{t('denominator_year_header', lang)}")
        elif c == "denominator_year_assumed":
            headers.append(t("denominator_year_assumed_header", lang))
        elif (split_col := next((col for col, _, _ in BY_PAIRING_COLUMNS for d in PAIRING_DENOMINATORS
                                 if c == f"{col}_{d}"), None)) is not None:
            headers.append(f"{t(split_col, lang)} ({pairing_words(c.removeprefix(split_col + '_'), lang)})")
        elif c == "active_period":
            headers.append(f"{t('active', lang)}: {t('period', lang)}")
        elif c == "target_year_assumed":
            headers.append(t("target_year_assumed_header", lang))
        elif c in ("claim_count", "claim_amount_rp") and based:  # with their basis, as the index (R4)
            headers.append(based[0] if c == "claim_count" else based[1])
        elif c in ("claims_programmes", "target_is_default"):
            headers.append(t(f"{c}_header", lang))
        else:
            headers.append(t(c, lang))
    headers[headers.index(t("error", lang))] = t("failed", lang)
    return df, lang, Shown(values, kinds, headers)

