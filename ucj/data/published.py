"""Published figures (data/published): the facts the seed articles and domain notes state, and the
real BPS poverty figures by district.

Seed facts are checks: tests and reports set them beside what the workbook computes; they never
stand in for a computed figure. The BPS poverty table is data: the demo uses it as its poverty
table and to size its districts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ucj.core.config import published_file

# Each published file as read, by its path, its bytes and how it is read: a report reads seed_facts.csv,
# fact_wording.csv and bps_poverty_province.csv once each (about 1 ms each with read_csv); a kernel making many
# reports reads each once. A changed byte is another key (tests/data/test_speedr_published.py).
_READ: dict[tuple[str, bytes, str], pd.DataFrame] = {}


def _read_csv(path: str | Path, **kw: object) -> pd.DataFrame:
    """`pd.read_csv(path, **kw)`, kept by the file's content: a deep copy of the frame read from the same bytes
    with the same options (a caller may change its copy)."""
    import hashlib
    import io

    data = Path(path).read_bytes()
    key = (str(path), hashlib.sha256(data).digest(), repr(sorted(kw.items())))
    if key not in _READ:
        if len(_READ) >= 64:  # a few files; a process reading many versions of them starts again
            _READ.clear()
        _READ[key] = pd.read_csv(io.BytesIO(data), **kw)  # type: ignore[call-overload]
    return _READ[key].copy(deep=True)


def published_facts(path: str | Path | None = None) -> pd.DataFrame:
    """One row per published fact: district_code (empty for national), quantity, value, unit, date, source."""
    return _read_csv(path or published_file("seed_facts.csv"), dtype={"district_code": "str", "date": "str"})


def bps_poverty(path: str | Path | None = None) -> pd.DataFrame:
    """Real BPS poverty by district and year 2019-2025 (data/published/bps_poverty_kabkota.csv, written by
    ucj.ingest.published_extract): p0 (%), poor_population_thousands, p1, p2 (2024-2025), source."""
    return pd.read_csv(path or published_file("bps_poverty_kabkota.csv"), dtype={"district_code": "str"})


def fact(quantity: str, district_code: str | None = None, date: str | None = None,
         facts: pd.DataFrame | None = None) -> float:
    """The value of one published fact (raises KeyError if it is not recorded)."""
    df = published_facts() if facts is None else facts
    sel = df["quantity"] == quantity
    sel &= df["district_code"].isna() if district_code is None else df["district_code"] == district_code
    if date is not None:
        sel &= df["date"].fillna("").str.startswith(date)
    rows = df[sel]
    if len(rows) != 1:
        raise KeyError(f"{quantity} {district_code} {date}: {len(rows)} published rows")
    return float(rows["value"].iloc[0])


def facts_by_year(quantity: str, district_code: str | None, facts: pd.DataFrame | None = None) -> dict[int, float]:
    """A published quantity by year (the first four characters of its date)."""
    df = published_facts() if facts is None else facts
    sel = (df["quantity"] == quantity) & (df["district_code"].isna() if district_code is None
                                          else df["district_code"] == district_code)
    return {int(str(d)[:4]): float(v) for d, v in zip(df.loc[sel, "date"], df.loc[sel, "value"])}


DEFAULT_TARGET_PREFIX = "default: "
# the national RPJMN 2025-2029 coverage target's source key (cited through citations.csv)
RPJMN_SOURCE = "RPJMN 2025-2029 (national UCJ target)"


# how a target's source text says its year is assumed, not given (the source_texts.csv note of such a target).
# The targets table's `target_year_assumed` column says it; this mark is read only for data folders written
# before that column existed (ucj.data.dataset.with_defaults).
TARGET_YEAR_ASSUMED_MARK = "the article sets no year"


def target_year_assumed(target_source: str) -> bool:
    """True when a target's source says its year is assumed (the article gives none), e.g. Minahasa's 2029:
    for old data folders without the targets table's `target_year_assumed` column only."""
    return TARGET_YEAR_ASSUMED_MARK in str(target_source)


# the national figure the default target is (data/published/national_figures.csv), its year the figure's period
DEFAULT_TARGET_FIGURE = "rpjmn_target_2029_pct"


def default_target() -> tuple[int, float, str, str]:
    """(year, pct, denominator, target_source) of the national RPJMN target as the default of a district without a
    target of its own: the demo's rows and, on imported data, the districts a targets file leaves out
    (ucj.data.dataset.with_default_targets). Its rows cite RPJMN_SOURCE."""
    f = national_figures().set_index("figure")
    pct, year = float(f.at[DEFAULT_TARGET_FIGURE, "value"]), int(f.at[DEFAULT_TARGET_FIGURE, "period"])
    return (year, pct, "working_population",
            f"{DEFAULT_TARGET_PREFIX}RPJMN 2025-2029 national UCJ target ({pct:g} % by {year}), applied to a district "
            "without a target of its own")


def is_default_target(target_source: str) -> bool:
    """True when a target's source marks it as the national default applied to a district without its own."""
    return str(target_source).startswith(DEFAULT_TARGET_PREFIX)


def fact_wording(path: str | Path | None = None) -> pd.DataFrame:
    """How each published fact reads in its article (data/published/fact_wording.csv): district_code,
    quantity, date (the keys of seed_facts.csv), kind (fact, plan or target), wording (the article's own
    words, quoted as published), rounding (the article's rounding unit: a computed value within half of it
    agrees) and note_id / note_en (what the fact is, in each language)."""
    return _read_csv(path or published_file("fact_wording.csv"),
                     dtype={"district_code": "str", "date": "str", "wording": "str", "note_id": "str",
                            "note_en": "str"}, keep_default_na=False, na_values={"rounding": [""]})


# the date_note kinds whose date is a bound (published no later than it), not the article's own date
BOUNDED_DATE_NOTES = ("listing", "office_term")


def citations(path: str | Path | None = None) -> pd.DataFrame:
    """How a reader cites each source named in the published tables (data/published/citations.csv):
    source_article (as the tables name it), quantity (blank: any), publisher, title (blank: unknown),
    date (ISO; blank: the year of the fact) and date_note ("meeting": the date of the event reported;
    "listing": the article gives no date of its own, only a listing dated then: published no later than that;
    "office_term": the article gives no date of its own but quotes an office holder by title (`office`, e.g.
    "Bupati"): published no later than the last day of that holder's term, the date recorded, the term's end
    cited through `office_source` (another row of this table; ANTARA Sulut's Minahasa article, which quotes
    Bupati Royke Roring, whose successor was sworn in on 25 September 2023: no later than 2023-09-24);
    "undated": no date known; "not_recorded": the publication's date was not found, said so where it is cited;
    "event": the date of the event the article reports (e.g. a public expose), the article's own not found;
    "url": the date in the page's address, the page text shows none; "default_target": the workbook's default
    target, cited to the ministry's statement of it as reported, whose RPJMN text and coverage basis are not
    recorded, said so where it is cited); url (the page's address, where recorded: ANTARA Sulut's Minahasa
    article, whose title is the headline its address spells, verified against the stored page)."""
    return pd.read_csv(path or published_file("citations.csv"), dtype="str", keep_default_na=False)


def source_texts(path: str | Path | None = None) -> pd.DataFrame:
    """Notes that come with the data (a target's or plan's source text) in both languages
    (data/published/source_texts.csv): text (as in the data), text_id, text_en."""
    return pd.read_csv(path or published_file("source_texts.csv"), dtype="str", keep_default_na=False)


def bps_poverty_province(path: str | Path | None = None) -> pd.DataFrame:
    """BPS's own province P0 rows 2019-2025 (data/published/bps_poverty_province.csv, written by
    ucj.ingest.published_extract): province_code, year, p0, source; each row on the boundaries of its year."""
    return _read_csv(path or published_file("bps_poverty_province.csv"), dtype={"province_code": "str"})


def village_quotas(path: str | Path | None = None) -> pd.DataFrame:
    """Village quotas a district has published (data/published/village_quotas.csv): district_code, quota
    (participants per `per`, a desa), counts (who counts towards it: apbd_funded_bpu, the BPU participants whose
    contributions the APBD pays, the "pekerja rentan desa" the district protects), wording (the article's own
    words), date and source_article (cited through citations.csv). A district not listed has no known quota."""
    return pd.read_csv(path or published_file("village_quotas.csv"), dtype={"district_code": "str", "date": "str"},
                       keep_default_na=False)


def national_figures(path: str | Path | None = None) -> pd.DataFrame:
    """The national figures behind the budget assumptions and the default target, each with the publication
    that states it (data/published/national_figures.csv, documented in national_figures.md): figure (key,
    also the placeholder the catalogue's source sentences cite it by), value, unit, period, wording (the
    publication's own words; blank for a total the workbook adds up from its parts), source_article (cited
    through citations.csv; blank: no publication recorded), url and title_from ("page": the headline is in
    the stored page text; "address": the title is the page address's words, the stored text shows none)."""
    return _read_csv(path or published_file("national_figures.csv"),
                     dtype={"figure": "str", "unit": "str", "period": "str", "wording": "str",
                            "source_article": "str", "url": "str", "title_from": "str"},
                     keep_default_na=False, na_values={"value": [""]})


# the national UCJ coverage as published, oldest first; the national target's path as the same statement gives it
# (RPJMN 2025, RKP 2026, RPJMN 2029), by year (national_figures.csv keys; reader 16, R16-3; reader 17, R17-4)
PUBLISHED_NATIONAL_COVERAGE = ("ucj_coverage_2025_04_pct", "ucj_coverage_2025_10_pct")
NATIONAL_TARGET_PATH = ("rpjmn_target_2025_pct", "rkp_target_2026_pct", "rpjmn_target_2029_pct")


@dataclass(frozen=True)
class PublishedFigure:
    """One national figure as its publication states it (national_figures.csv: value, unit, period, the
    publication's own words) with that publication's citation fields (citations.csv: publisher or outlet, title,
    date, address). key_figures.json carries it as typed fields, and the overview's page and workbook are worded
    from it (reader 17, R17-4: one source of truth, no figure only inside a sentence)."""

    figure: str
    value: float
    unit: str
    period: str
    wording: str
    source_article: str
    publisher: str
    title: str
    date: str
    date_note: str
    url: str

    @property
    def plan(self) -> str:
        """The planning document a target figure belongs to ("RPJMN 2025–2029", "RKP 2026"); "" for a published
        figure that is no target."""
        if self.figure.startswith("rpjmn_target_"):
            return "RPJMN 2025–2029"
        if self.figure.startswith("rkp_target_"):
            return f"RKP {self.period}"
        return ""

    def key(self) -> dict[str, object]:
        """The figure as plain JSON values (key_figures.json)."""
        return {"figure": self.figure, "value": self.value, "unit": self.unit, "period": self.period,
                **({"plan": self.plan} if self.plan else {}), "wording": self.wording,
                "source": {"publisher": self.publisher, "title": self.title, "date": self.date,
                           "date_note": self.date_note, "url": self.url}}


def published_figures(names: tuple[str, ...] | list[str]) -> list[PublishedFigure]:
    """The national figures `names` (national_figures.csv keys), in that order, each with its publication's
    citation fields (citations.csv; the first row for its source article)."""
    figures = national_figures().set_index("figure")
    # through the shared reader (a page asks for these figures several times: read once per process)
    cites = _read_csv(published_file("citations.csv"), dtype="str", keep_default_na=False)
    cites = cites.drop_duplicates("source_article").set_index("source_article")
    out = []
    for name in names:
        row = figures.loc[name]
        source = str(row["source_article"])
        c = cites.loc[source] if source in cites.index else None
        out.append(PublishedFigure(
            figure=name, value=float(row["value"]), unit=str(row["unit"]), period=str(row["period"]),
            wording=str(row["wording"]), source_article=source,
            publisher="" if c is None else str(c["publisher"]), title="" if c is None else str(c["title"]),
            date="" if c is None else str(c["date"]), date_note="" if c is None else str(c["date_note"]),
            url=str(row["url"]) or ("" if c is None else str(c["url"]))))
    return out


# what a source can report of a district's funding agreement (funding_agreements.csv `event`)
AGREEMENT_ENDED = "agreement_ended"
RENEWAL_ANNOUNCED = "agreement_renewal_announced"
AGREEMENT_EVENTS = (AGREEMENT_ENDED, RENEWAL_ANNOUNCED)


@dataclass(frozen=True)
class AgreementEvent:
    """A district's funding agreement as its source reports it (data/published/funding_agreements.csv): its end
    (`period` the agreement's last month, YYYY-MM) or an announced renewal (`period` the year it is announced for),
    with the source's own words. A fact with a month, not a number: seed_facts.csv holds numbers (reader 18, R18-1:
    Muna Barat's PKS ended December 2024, the PPID article says, yet the page stated the end without its source)."""

    district_code: str
    funding: str
    event: str
    period: str
    wording: str
    source_article: str
    note_id: str
    note_en: str


def funding_agreements(path: str | Path | None = None) -> pd.DataFrame:
    """The published ends and announced renewals of districts' funding agreements (funding_agreements.csv,
    documented in funding_agreements.md): district_code, funding, event (AGREEMENT_EVENTS), period, wording (the
    source's own words), source_article (cited through citations.csv), note_id, note_en."""
    return _read_csv(path or published_file("funding_agreements.csv"), dtype="str", keep_default_na=False)


def agreement_events(district_code: str, path: str | Path | None = None) -> list[AgreementEvent]:
    """The district's published funding-agreement events, oldest first (none for most districts)."""
    df = funding_agreements(path)
    rows = df[df["district_code"] == district_code].sort_values(["period", "event"])
    return [AgreementEvent(**{k: str(v) for k, v in r.items()}) for r in rows.to_dict(orient="records")]
