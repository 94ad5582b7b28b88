"""District pages, key_figures.json, the batch summary and the targets table tell one story (issue 18; reader 7:
F4 in the JSON, F9 in the summary, N7, Minahasa's target text).

Oracles are independent of ucj's code: the demo's Parquet files read with plain pandas (each poverty row's
source names its made-up columns; the workforce rows' sources), BPS's own table titles, and hand-known facts of
the seed articles (Minahasa's article sets no target year; Banggai's names the RPJMD 2025-2030, not a year; the
RPJMN 2029)."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import ucj
from ucj.presentation import district as district_report
from ucj.presentation.i18n import t
from ucj.runs.params import validate_params

MINAHASA, BOALEMO, BANGGAI = "71.02", "75.02", "72.01"
# BPS's own titles of its dynamic tables (the raw files' names, with the slash BPS writes)
BPS = {"p0": "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota",
       "poor_population": "Jumlah Penduduk Miskin (Ribu Jiwa) Menurut Kabupaten/Kota",
       "p1": "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota",
       "p2": "Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota"}
# how the demo's poverty rows name a made-up column after "synthetic-demo: "
MADE_UP_NAME = {"p0": "P0", "p1": "P1", "p2": "P2", "poor_population": "poor", "poverty_line_rp": "poverty line",
                "extreme_poverty_pct": "extreme poverty", "extreme_poverty_basis": "extreme poverty"}


@pytest.fixture(scope="module")
def built(district_page):
    """(code, lang) -> report, its citable key figures, page text and tables.xlsx, built as `ucj report` does."""
    cache: dict = {}

    def get(code: str, lang: str) -> dict:
        if (code, lang) not in cache:
            page_ = district_page(code, lang)
            report, folder = page_.report, page_.folder
            page = "\n".join(page_.html())
            page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
            text = html_lib.unescape(re.sub(r"<[^>]+>", "\n", page))
            cache[code, lang] = {"report": report, "key": json.loads((folder / "key_figures.json").read_text()),
                                 "text": text, "lines": [x.strip() for x in text.splitlines() if x.strip()],
                                 "xlsx": openpyxl.load_workbook(folder / "tables.xlsx")}
        return cache[code, lang]

    return get


def _span(years: pd.Series) -> str:
    lo, hi = int(years.min()), int(years.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _expected_columns(demo_dir: Path, lang: str) -> dict[str, dict[str, int]]:
    """Per poverty column: each origin (a BPS table, or the demo) with the years and number of its filled cells,
    read from the rows' own sources with plain pandas."""
    pov = pd.read_parquet(demo_dir / "poverty.parquet")
    made_up_part = pov["source"].str.partition("synthetic-demo: ")[2]
    out = {}
    for col, name in MADE_UP_NAME.items():
        made_up = made_up_part.map(lambda s, n=name: n in [x.strip() for x in s.split(",")])
        filled = pov[col].notna()
        cells = {}
        real, fake = pov[filled & ~made_up], pov[filled & made_up]
        if len(real):
            cells[f"BPS, {BPS[col]}, {_span(real['year'])}"] = len(real)
        if len(fake):
            cells[f"{t('synthetic-demo', lang)}, {_span(fake['year'])}"] = len(fake)
        out[col] = cells
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pagesj_key_figures_cite_poverty_yearly_once_per_table_and_per_column(built, demo_dir, lang):
    """F4 in the JSON: the district key_figures.json names each poverty column's source with its years (P1: BPS
    2024-2025, the demo 2019-2023), never one column as both BPS and made up for the same rows, and the table's
    sources are the page's one yearly cell."""
    expected = _expected_columns(demo_dir, lang)
    assert set(expected["p1"]) == {f"BPS, {BPS['p1']}, 2024–2025", f"{t('synthetic-demo', lang)}, 2019–2023"}
    for code in (BOALEMO, MINAHASA):
        b = built(code, lang)
        poverty = b["key"]["provenance"]["tables"]["poverty"]
        # records of the cited source and its rows, the same keys in both languages (reader 18, R18-6)
        assert {c: {r["source"]: r["rows"] for r in v} for c, v in poverty["columns"].items()} == expected, code
        # the sources list: one text, the one the page's sources table shows, each BPS table once with its years
        (cell,) = poverty["sources"]
        assert cell in b["lines"], code
        for col in ("p0", "p1", "p2", "poor_population"):
            assert cell.count(BPS[col]) == 1
        assert f"{BPS['p1']}, 2024–2025" in cell and "P1 (2019–2023)" in cell
        # the poverty block's own `source` is that same cell: no internal key, no row-level jumble (reader 8, S3)
        assert b["key"]["poverty"]["source"] == cell, code
        assert not re.search(r"bps:|@[0-9a-f]{7}|synthetic-demo|BPS P0", b["key"]["poverty"]["source"])


def test_pagesj_targets_table_has_a_target_year_assumed_column(demo_dir):
    """The demo's targets table says in a column of its own which year is assumed: Minahasa's (its article sets
    no year; 2029 is assumed) and Banggai's (its article names the RPJMD 2025-2030, not a year: 2030 assumed),
    none other (the RPJMN sets 2029)."""
    targets = pd.read_parquet(demo_dir / "targets.parquet")
    assert targets["target_year_assumed"].dtype == bool
    # Banggai's 2030 is the end of the RPJMD 2025-2030 the article names, not a year it states (reader 12, L5)
    assert sorted(targets.loc[targets["target_year_assumed"], "district_code"]) == [MINAHASA, BANGGAI]
    row = targets.set_index("district_code").loc[MINAHASA]
    assert int(row["target_year"]) == 2029
    assert int(targets.set_index("district_code").loc[BANGGAI, "target_year"]) == 2030


def test_pagesj_the_analysis_reads_the_column_not_the_source_text(demo_ds):
    """Minahasa's source text without the old 'sets no year' words but the column true: assumed; Boalemo's
    column set true: assumed; Minahasa's column false with the old words still in its text: not assumed."""
    from ucj.analysis.district import district_figures

    targets = demo_ds.targets.copy()
    mina = targets["district_code"] == MINAHASA
    targets.loc[mina, "target_source"] = "Bupati Minahasa: every listed worker"
    targets.loc[targets["district_code"] == BOALEMO, "target_year_assumed"] = True
    ds = demo_ds.replace({"targets": targets})
    assert district_figures(ds, MINAHASA).key()["target_year_assumed"] is True
    assert district_figures(ds, BOALEMO).key()["target_year_assumed"] is True
    targets = demo_ds.targets.copy()
    targets.loc[targets["district_code"] == MINAHASA, "target_year_assumed"] = False
    assert "sets no year" in targets.loc[targets["district_code"] == MINAHASA, "target_source"].iloc[0]
    assert district_figures(demo_ds.replace({"targets": targets}), MINAHASA).key()["target_year_assumed"] is False
    # a year given as a parameter is never assumed
    assert district_figures(demo_ds, MINAHASA, target_year=2030).key()["target_year_assumed"] is False


def _write_targets(path: Path, header: str, row: str) -> Path:
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    return path


def test_pagesj_ucj_import_reads_target_year_assumed_and_a_file_without_it(demo_dir, tmp_path):
    """`ucj import template --kind targets`: a file without the column imports with false; a file with it reads
    'ya' as true, and a report over demo + import then shows the year as assumed (both languages); a value that
    is not true/false is one line naming file, row and column, exit status 2."""
    from ucj.cli import app

    runner = CliRunner()
    plain = _write_targets(tmp_path / "plain.csv", "district,target_year,coverage_target_pct,denominator,target_source",
                           'Boalemo,2029,"60,0",working_population,RPJMD Kabupaten Boalemo')
    res = runner.invoke(app, ["import", "template", str(plain), "--kind", "targets", "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert pd.read_parquet(tmp_path / "a" / "targets.parquet")["target_year_assumed"].tolist() == [False]

    header = "district,target_year,coverage_target_pct,denominator,target_source,target_year_assumed"
    flagged = _write_targets(tmp_path / "flag.csv", header,
                             'Boalemo,2029,"60,0",working_population,Bupati Boalemo (no year),ya')
    res = runner.invoke(app, ["import", "template", str(flagged), "--kind", "targets", "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert pd.read_parquet(tmp_path / "b" / "targets.parquet")["target_year_assumed"].tolist() == [True]
    ds = ucj.load(demo_dir, tmp_path / "b")
    for lang, word in (("id", "diasumsikan"), ("en", "assumed")):
        report = district_report.build(ds, validate_params(BOALEMO, lang=lang, data_dir=f"{demo_dir};{tmp_path / 'b'}"))
        assert report.key["target_year_assumed"] is True
        items = dict(report.summary_items())
        assert any(v.startswith("60,0 %" if lang == "id" else "60.0 %") and f"(2029, {word})" in v
                   for v in items.values()), items

    bad = _write_targets(tmp_path / "bad.csv", header, 'Boalemo,2029,"60,0",working_population,RPJMD,mungkin')
    res = runner.invoke(app, ["import", "template", str(bad), "--kind", "targets", "--out", str(tmp_path / "c")])
    assert res.exit_code == 2
    lines = [x.strip() for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1 and "bad.csv" in lines[0] and "row 2" in lines[0] and "target_year_assumed" in lines[0]
    assert "Traceback" not in res.output and not (tmp_path / "c" / "targets.parquet").exists()


def test_pagesj_an_old_targets_file_without_the_column_still_loads(demo_dir, tmp_path):
    """A data folder written before the column existed: it loads; the year the old source text marks as assumed
    (Minahasa's) stays assumed, every other is not."""
    from ucj.core.files import read_parquet_metadata, sha256_file, write_parquet

    old = tmp_path / "old"
    shutil.copytree(demo_dir, old)
    path = old / "targets.parquet"
    frame = pd.read_parquet(path).drop(columns="target_year_assumed")
    write_parquet(path, frame, read_parquet_metadata(path))
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["tables"]["targets"]["sha256"] = sha256_file(path)
    (old / "manifest.json").write_text(json.dumps(manifest))
    targets = ucj.load(old).targets
    assert targets.loc[targets["target_year_assumed"], "district_code"].tolist() == [MINAHASA]


def test_pagesj_summary_has_target_year_assumed(built, demo_dir, tmp_path):
    """F9: summary.csv and summary.xlsx carry target_year_assumed beside target_year, as the targets table has it
    (read here with pandas), headed in the run's language."""
    from ucj.runs.index_page import write_summary

    want = pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code")["target_year_assumed"]
    for lang in ("id", "en"):
        run = tmp_path / lang
        run.mkdir()
        entries = [{"district": c, "slug": c, "status": "ok", "key": built(c, lang)["report"].key}
                   for c in (MINAHASA, BOALEMO)]
        write_summary(run, entries, lang)
        df = pd.read_csv(run / "summary.csv", dtype={"district_code": str}).set_index("district_code")
        cols = list(df.columns)
        assert cols.index("target_year_assumed") == cols.index("target_year") + 1
        for code in (MINAHASA, BOALEMO):
            assert bool(df.at[code, "target_year_assumed"]) == bool(want[code])
        ws = openpyxl.load_workbook(run / "summary.xlsx").active
        heads = [c.value for c in ws[1]]
        header = {"id": "Tahun target diasumsikan", "en": "Target year assumed"}[lang]
        assert header in heads
        rows = {str(r[heads.index(t("district_code", lang))]): r for r in ws.iter_rows(min_row=2, values_only=True)}
        yes, no = rows[MINAHASA][heads.index(header)], rows[BOALEMO][heads.index(header)]
        assert yes != no and yes not in (None, "", False)


def _provenance_rows(b: dict) -> dict[str, tuple[str, str]]:
    """The sources table as the page shows it: table label -> (sources cell, status)."""
    df = b["report"].display_table("provenance")
    return {str(r.iloc[0]): (str(r.iloc[1]), str(r.iloc[3])) for _, r in df.iterrows()}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pagesj_a_row_citing_this_districts_rows_is_one_cell_and_labelled_by_them(built, demo_dir, lang):
    """N7: the workforce sources cell is one readable cell (no ') (' of two parentheses in a row), on the page and
    in tables.xlsx; its status describes this district's rows: Boalemo's only source is the demo (synthetic),
    Minahasa's rows hold its article's potensi list beside made-up counts (partly synthetic)."""
    wf = pd.read_parquet(demo_dir / "workforce.parquet")
    sources = {c: set(wf.loc[wf["district_code"] == c, "source"]) for c in (BOALEMO, MINAHASA)}
    assert sources[BOALEMO] == {"synthetic-demo"}  # the oracle: only the demo
    assert any(s.startswith("seed 003") and "synthetic-demo: " in s for s in sources[MINAHASA])  # a mixed row
    label = t("table.workforce", lang)
    for code, status in ((BOALEMO, "synthetic"), (MINAHASA, "partly_synthetic")):
        b = built(code, lang)
        rows = _provenance_rows(b)
        cell, shown_status = rows[label]
        assert ") (" not in cell and cell in b["lines"], cell
        assert shown_status == t(status, lang), (code, shown_status)
        assert b["key"]["own_rows_status"]["workforce"] == status
        sheet = b["xlsx"][t("sheet.provenance", lang)]
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert cell in cells and not any(") (" in c for c in cells if c.startswith(cell[:20]))
    assert _provenance_rows(built(BOALEMO, lang))[label][0].count(t("synthetic-demo", lang)) == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pagesj_minahasa_target_reads_the_same_on_page_and_in_key_figures(built, lang):
    """Minahasa's key_figures.json tells its target as the page does: `target_source` is the page's target
    sentence text, `target_description` the plans-and-targets table's note, `target_citation` the article as
    cited; the old description ('universal worker coverage ...') is in neither."""
    b = built(MINAHASA, lang)
    key = b["key"]
    assert key["target_source"] == f"{key['target_description']}; {key['target_citation']}"
    assert f"({key['target_source']})" in b["text"].replace("\n", " ")  # the coverage sentence
    assert key["target_description"] in b["lines"]  # the plans-and-targets table's note cell
    assert key["target_citation"].startswith("ANTARA Sulut") and "24 September 2023" in key["target_citation"]
    old = {"id": "Bupati Minahasa: perlindungan bagi seluruh pekerja",  # the old description (the article's own
           "en": "Bupati Minahasa: universal worker coverage"}[lang]     # quoted words may say "universal worker")
    assert old not in b["text"] and old not in json.dumps(key, ensure_ascii=False)
    assert key["target_year_assumed"] is True
    # a district on the national default keeps its default text; no description or citation of its own
    boalemo = built(BOALEMO, lang)["key"]
    assert boalemo["target_description"] is None and boalemo["target_source"].startswith(t("target_default", lang))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_pagesj_notes_sheet_labels_workforce_as_the_sources_sheet_does(built, demo_dir, lang):
    """Reader 8, S2: Boalemo's workforce rows are all made up (the demo's Parquet says so row by row): the notes
    sheet lists the workforce among the synthetic tables, as the sources sheet labels its row, never as partly."""
    wf = pd.read_parquet(demo_dir / "workforce.parquet")
    assert set(wf.loc[wf["district_code"] == BOALEMO, "source"]) == {"synthetic-demo"}
    wb = built(BOALEMO, lang)["xlsx"]
    rows = {str(a): str(b) for a, b in wb[t("sheet.notes", lang)[:31]].iter_rows(min_col=1, max_col=2, values_only=True)}
    label = t("table.workforce", lang)
    assert label in rows[t("synthetic", lang)].split(", ")
    assert label not in rows.get(t("partly_synthetic", lang), "").split(", ")
