"""Reader 9's findings on the district pages (R1, R2, R5, R6, R8, R9, S8, S11), read as a reader reads them:
the page's HTML as its notebook shows it, its tables.xlsx and key_figures.json, in Bahasa Indonesia and English.

What a page should say is worked out here from the demo's raw parquet files with plain pandas (which workforce
column is made up, which month the funded cohort is active) or from the page's own other sentences, never from
the figures ucj computes for the page."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import t

LANGS = ("id", "en")
MINAHASA, BOALEMO, BANGGAI, MUNA_BARAT = "71.02", "75.02", "72.01", "74.13"


@pytest.fixture
def page(district_page):  # type: ignore[no-untyped-def]
    """(code, lang) -> the demo page as `ucj report` builds it (tests/conftest.py's session `district_page`)."""
    return district_page


def text_of(parts: list[str]) -> str:
    """The words a reader sees: tags dropped, entities decoded, white space collapsed."""
    words = html_lib.unescape(re.sub(r"<style.*?</style>|<script.*?</script>", " ", "".join(parts), flags=re.S))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", words))


def workbook_cells(folder: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def key_figures(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))


# -- R1: the banner and the methods follow the status of the column coverage divides by ------------------------

def _workforce_origin(demo_dir: Path, code: str, column: str) -> bool:
    """True when every filled cell of `column` in the district's workforce rows is made up, read with pandas
    from the row's source text ("synthetic-demo" alone, or a mixed row naming the column after it)."""
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    own = w[(w["district_code"] == code) & w[column].notna()]
    made_up = []
    for src in own["source"].astype(str):
        synthetic_part = src.split("synthetic-demo", 1)[1] if "synthetic-demo" in src else None
        made_up.append(synthetic_part is not None and (synthetic_part.strip() == "" or column in synthetic_part))
    assert made_up, f"no {column} cell for {code}"
    return all(made_up)


@pytest.mark.parametrize("lang", LANGS)
def test_r1_minahasa_banner_and_methods_call_its_real_denominator_real(page, demo_dir, lang):
    """Minahasa's coverage divides by its potensi pekerja list (real: ANTARA Sulut), while its working
    population is made up: neither the banner nor the methods may call the denominator synthetic; Boalemo's
    denominator (working population) is made up and both still say so. Page, workbook and JSON alike."""
    assert not _workforce_origin(demo_dir, MINAHASA, "potensi_pekerja")  # the data: potensi real ...
    assert _workforce_origin(demo_dir, MINAHASA, "working_population")  # ... working population made up
    assert _workforce_origin(demo_dir, BOALEMO, "working_population")
    mina = page(MINAHASA, lang)
    text = text_of(mina.html())
    assert t("synthetic_banner", lang) not in text  # the general banner names the denominator made up
    assert t("workforce_source_synthetic", lang) not in text
    den = t("potensi_pekerja", lang)
    banner = text_of(re.findall(r'<div class="ucj-synthetic">.*?</div>', "".join(mina.html(("show_banner",))))).strip()
    # the banner names the real denominator among the real things, and the made-up working population
    real_part = banner.split(";", 1)[1]
    assert den in real_part and t("working_population", lang) in banner.split(";", 1)[0]
    methods = text_of(mina.html(("show_data_notes",)))
    assert den in methods and t("working_population", lang) in methods
    notes = workbook_cells(mina.folder)[next(s for s in workbook_cells(mina.folder) if s.startswith(
        t("sheet.notes", lang)[:10]))]
    assert notes[1][1] == banner and t("synthetic_banner", lang) not in str(notes)
    assert key_figures(mina.folder)["denominator_status"] == "real"
    boalemo = page(BOALEMO, lang)
    assert t("synthetic_banner", lang) in text_of(boalemo.html(("show_banner",)))
    assert t("workforce_source_synthetic", lang) in text_of(boalemo.html(("show_data_notes",)))
    assert key_figures(boalemo.folder)["denominator_status"] == "synthetic"


# -- R2: the funded cohort's two exposures are named apart --------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r2_boalemo_lapse_exposure_is_named_as_the_previous_months_actives(page, demo_dir, lang):
    """Boalemo's budget-funded workers (5,000 in 2025-11 and 2025-12, read with pandas): the lapse rate rests on
    the previous month's actives (5,000 participant-months: only December has a funded previous month), the
    claim-rate table on each month's own (10,000 participant-months = 833.33 worker-years). Both numbers are
    on the page; the lapse sentence says which exposure it counts and that the claim table's differs."""
    from ucj.presentation.i18n import fmt_int, fmt_num

    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    last = pd.Timestamp(e["month"].max())
    funded = (e[(e["district_code"] == BOALEMO) & (e["funding"] != "self_employer")]
              .groupby("month")["active"].sum().sort_index())
    window = funded[funded.index > last - pd.DateOffset(months=12)]
    previous = funded.shift().reindex(window.index).fillna(0)
    lapse_exposure, claim_exposure = int(previous.sum()), int(window.sum())
    assert (lapse_exposure, claim_exposure) == (5000, 10000)  # the data as reader 9 found it
    text = text_of(page(BOALEMO, lang).html())
    assert fmt_num(claim_exposure / 12, lang, 2) in text  # the claim-rate table's worker-years
    unit = "peserta-bulan" if lang == "id" else "participant-months"
    sentence = next(s for s in re.split(r"(?<=\.) ", text) if f"{fmt_int(lapse_exposure, lang)} {unit}" in s)
    previous_month, claim_table = (("bulan sebelumnya", "tabel laju klaim") if lang == "id"
                                   else ("previous month", "claim-rate table"))
    assert previous_month in sentence and claim_table in sentence


# -- R5: one name for the projected group -------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r5_the_projected_group_has_one_name_everywhere(page, demo_dir, lang):
    """The projected group (funding "self_employer" in the data) holds Boalemo's 9,978 wage earners (PU), whom
    employers register: "self-enrolled"/"mendaftar sendiri"/"peserta mandiri" misnames it. Page, workbook
    (projection and budget sheets) and key_figures.json call it by the page's name only."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    last = e[(e["district_code"] == BOALEMO) & (e["month"] == e["month"].max()) & (e["funding"] == "self_employer")]
    assert int(last.loc[last["segment"] == "PU", "active"].sum()) > 0  # employers' registrations in the group
    wrong = re.compile(r"self-enrol|mendaftar sendiri|peserta mandiri", re.I)
    name = "tanpa bantuan iuran" if lang == "id" else "without contribution assistance"
    for code in (BOALEMO, MINAHASA):
        built = page(code, lang)
        text = text_of(built.html())
        cells = workbook_cells(built.folder)
        json_text = (built.folder / "key_figures.json").read_text(encoding="utf-8")
        for where, words in (("page", text), ("workbook", json.dumps(cells, default=str, ensure_ascii=False)),
                             ("json", json_text)):
            # the name's one explanation (who is in the group) is no second name
            words = words.replace("self-enrolled or registered by their employer", "")
            assert not wrong.search(words), (code, where, wrong.search(words).group(0))
    boalemo = workbook_cells(page(BOALEMO, lang).folder)
    projection = boalemo[t("sheet.projection", lang)[:31]]
    assert any(name in str(h) for h in projection[0])  # the projected group's columns carry the page's name


# -- R6: key_figures.json quotes the wording as the page does ---------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r6_json_wording_is_quoted_as_the_page_renders_it(page, lang):
    """Every seed fact's wording in key_figures.json has balanced typographic quotes and appears, as written, on
    the page (Minahasa's sum row: “pekerja rentan 15.000 tenaga kerja” + “pekerja rentan desa 16.777 tenaga
    kerja”, where the file had the inner quotes only)."""
    built = page(MINAHASA, lang)
    text = text_of(built.html())
    words = [str(r["wording"]) for r in key_figures(built.folder)["seed_facts"] if r.get("wording")]
    assert any("” + “" in w for w in words)  # the sum row is there
    for w in words:
        assert w.startswith("“") and w.endswith("”") and w.count("“") == w.count("”"), w
        assert w in text, w


# -- R8: the chart's legend says the target year is assumed -----------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r8_coverage_chart_legend_says_the_year_is_assumed(page, demo_dir, lang):
    """Minahasa's target has no year in its article (targets.parquet: target_year_assumed): the chart's legend
    says "(2029, assumed)" as the card does; Boalemo's default target (year given) does not."""
    targets = pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code")
    assumed = t("target_year_assumed", lang)
    for code in (MINAHASA, BOALEMO):
        fig = page(code, lang).report.charts["coverage"]
        labels = [lab for ax in fig.axes for lab in ax.get_legend_handles_labels()[1]]
        target = next(lab for lab in labels if lab.startswith(t("target", lang)))
        year = int(targets.loc[code, "target_year"])
        if bool(targets.loc[code, "target_year_assumed"]):
            assert target.endswith(f"({year}, {assumed})"), target
        else:
            assert target.endswith(f"({year})"), target


# -- R9: the rounding note's example is no district's figure ------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_r9_consistent_note_quotes_no_seed_districts_wording(page, lang):
    """The "sesuai"/"consistent" note's examples are not the quoted words of any seed district's published facts
    (data/published/fact_wording.csv, read with pandas): Minahasa's own rows of those words are "not compared",
    so its figures as the note's example contradicted the page."""
    wording = pd.read_csv(Path(__file__).parents[2] / "data" / "published" / "fact_wording.csv", dtype=str)
    published = [str(w) for w in wording["wording"].dropna()]
    for code in (MINAHASA, BANGGAI):
        text = text_of(page(code, lang).html(("show_seed_facts",)))
        note = t("published_rounding_note", lang)
        assert note in text
        examples = re.findall(r"“([^”]+)”", note)
        assert examples
        for ex in examples:
            assert not any(ex in w or w in ex for w in published), ex


# -- S8: no nested parentheses around the pairing's name ---------------------------------------------------

def _nested(text: str) -> list[str]:
    """The parenthesised spans that sit inside another parenthesis (a model's notation such as ETS(A,N,N) aside)."""
    text = re.sub(r"[A-Z]+\([A-Z,]+\)", "", text)
    out, opened = [], []
    for i, ch in enumerate(text):
        if ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            start = opened.pop()
            if opened:  # closed inside another
                out.append(text[start:i + 1])
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_s8_minahasa_pairing_name_has_no_nested_parentheses(page, lang):
    """Minahasa's pairing (all active participants over potensi pekerja) in the card, the verdict sentence, the
    chart's title and the methods: no "(… (potensi pekerja))"."""
    built = page(MINAHASA, lang)
    den = t("potensi_pekerja", lang)
    raw = html_lib.unescape(re.sub(r"<style.*?</style>|<script.*?</script>", " ", "".join(built.html()), flags=re.S))
    nodes = [n for n in re.split(r"<[^>]+>", raw) if n.strip()]  # each paragraph, cell and heading on its own
    assert any(den in n for n in nodes)
    spans = [s for n in nodes for s in _nested(n) if den in s or "potensi pekerja" in s]
    assert not spans, spans[:3]
    title = built.report.charts["coverage"].axes[0].get_title(loc="left")
    assert den in title and not _nested(title)


# -- S11: the no-projection reason once --------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_s11_minahasa_says_why_it_has_no_projection_once(page, demo_dir, lang):
    """Minahasa's potensi list has one year (12 months with their own denominator, counted here with pandas):
    the reason ("only 12 months ... (need 24)") is said once on the page; the workers-needed section and the
    methods refer to it instead of repeating it."""
    from ucj.presentation.i18n import fmt_int

    w = pd.read_parquet(demo_dir / "workforce.parquet")
    years = w[(w["district_code"] == MINAHASA) & w["potensi_pekerja"].notna()]["year"].nunique()
    months = 12 * years
    text = text_of(page(MINAHASA, lang).html())
    reason = (f"hanya {fmt_int(months, lang)} bulan memiliki" if lang == "id"
              else f"only {fmt_int(months, lang)} months have")
    assert text.count(reason) == 1, text.count(reason)
    section = t("coverage_by_segment", lang)
    # the methods name the section and the sentence that says it; the model sentence, just below that sentence,
    # quotes how it begins (reader 12, L8)
    assert text.count(f"“{section}”") == 1
    start = "No projection can be made because" if lang == "en" else "Proyeksi tidak dapat dibuat karena"
    assert text.count(f"“{start} …”") == 2


@pytest.mark.parametrize("lang", LANGS)
def test_r1_wording_follows_the_denominator_status_by_case(lang):
    """The three cases, from key figures as a district's build records them: the denominator made up (the
    general banner), real with other columns made up (Minahasa), and real with every own workforce column real
    (a district's workforce imported over the demo): only the first calls the workforce made up."""
    from ucj.presentation.district import banner_text, workforce_source

    tables = ["enrolment", "workforce"]
    made_up = {"denominator": "working_population", "denominator_status": "synthetic",
               "synthetic_workforce_columns": ["working_population", "employees"]}
    mixed = {"denominator": "potensi_pekerja", "denominator_status": "real",
             "synthetic_workforce_columns": ["working_population"]}
    real = {"denominator": "working_population", "denominator_status": "real", "synthetic_workforce_columns": []}
    assert banner_text(tables, made_up, lang) == t("synthetic_banner", lang)
    assert workforce_source(tables, lang, made_up) == t("workforce_source_synthetic", lang)
    for key in (mixed, real):
        banner, methods = banner_text(tables, key, lang), workforce_source(tables, lang, key)
        den = t(str(key["denominator"]), lang)
        assert banner != t("synthetic_banner", lang) and methods != t("workforce_source_synthetic", lang)
        # the denominator is named among the real things (after the ";"), never among the made-up ones
        assert den in banner.split(";", 1)[1] and den not in banner.split(";", 1)[0]
        assert den in methods.split(":", 1)[0] + methods.split(";", 1)[0]
    assert t("working_population", lang) in banner_text(tables, mixed, lang).split(";", 1)[0]
