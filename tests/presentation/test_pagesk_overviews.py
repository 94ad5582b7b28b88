"""Reader 7's findings on the province and national overviews: a province overview cites only its own districts'
rows of the district tables (N3), the model sentence names the model each reason belongs to (N6, tested in
test_modelnest_sentence.py), the overviews state the verdict rule the district pages state (N8), the districts'
note gives the denominator its own yearly period (F7a), and an overview's key_figures.json maps the poverty
columns to their sources with years, as a district's does (F4).

The oracles are the demo's Parquet files read here with pandas: which rows belong to the province, which
articles other provinces' rows cite, and the workforce table's years."""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import sections_html
from ucj.presentation.i18n import t

LANGS = ("id", "en")
# words of each article as cited (publisher or outlet), for the seed rows outside Gorontalo (75)
OUTSIDE = {"71": "ANTARA Sulut", "74": "PPID", "72": "Metro Sulteng"}


@pytest.fixture(scope="module")
def overviews(demo_ds):  # type: ignore[no-untyped-def]
    from ucj.presentation.overview import build_overview

    return {(area, lang): build_overview(demo_ds, area, lang, figures=True)
            for area in ("Gorontalo", None) for lang in LANGS}


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _outside_sources(demo_dir: Path) -> dict[str, list[str]]:
    """Per district table, the raw source strings of rows outside province 75 that no row inside it shares."""
    out = {}
    for name in ("workforce", "plans", "targets"):
        df = pd.read_parquet(Path(demo_dir) / f"{name}.parquet")
        inside = set(df.loc[df["district_code"].str.startswith("75."), "source"])
        out[name] = sorted(set(df.loc[~df["district_code"].str.startswith("75."), "source"]) - inside)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_province_overview_cites_only_its_districts_rows(overviews, demo_dir, lang):
    outside = _outside_sources(demo_dir)
    assert any(outside.values())  # the demo has other provinces' articles to leave out
    prov = overviews["Gorontalo", lang].tables()["provenance"].set_index("table")
    for name, sources in outside.items():
        cell = str(prov.loc[name, "source"])
        for outlet in OUTSIDE.values():
            if any(outlet in raw for raw in sources):  # an article of another province's row
                assert outlet not in cell, (name, cell)
        assert cell.startswith(t("area_rows_cell", lang).split("{")[0]), cell
    # Boalemo (75.02) is in Gorontalo: its plan's article is cited
    assert "hariantoday.com" in str(prov.loc["plans", "source"])
    # the national overview keeps every row's source
    nat = overviews[None, lang].tables()["provenance"].set_index("table")
    assert "Metro Sulteng" in str(nat.loc["targets", "source"]) and "ANTARA Sulut" in str(nat.loc["targets", "source"])


@pytest.mark.parametrize("lang", LANGS)
def test_overviews_state_the_verdict_rule_once(overviews, lang):
    rule = t("verdict_definition", lang).split("{")[0]  # "Arti penilaian: " / "What the verdict means: "
    prov, nat = overviews["Gorontalo", lang], overviews[None, lang]
    prov_page = " ".join(_text(h) for h in sections_html(prov, ("show_districts", "show_methods")))
    assert prov_page.count(rule) == 1  # under the districts' verdicts, not again in the methods
    assert prov.table_notes()["area_districts"].count(rule) == 1
    assert rule not in prov.table_notes()["projection"]
    years = sorted(set(prov.area.districts["target_year"].tolist()))
    assert years == [2029] and "2029-12" in prov.verdict_definition()  # the demo's Gorontalo districts: RPJMN 2029
    nat_page = " ".join(_text(h) for h in sections_html(nat, ("show_methods",)))
    assert nat_page.count(rule) == 1 and rule in nat.table_notes()["projection"]


def test_verdict_rule_names_each_target_year_when_they_differ(overviews):
    """Hand-worked: districts aiming at 2029 and 2030 give "December of its target year (2029, 2030)"."""
    import copy

    import dataclasses

    ov = copy.copy(overviews["Gorontalo", "en"])
    d = ov.area.districts.copy()
    d.loc[d.index[0], "target_year"] = 2030
    ov.area = dataclasses.replace(ov.area, districts=d)
    text = ov.verdict_definition()
    assert "for December of its target year (2029, 2030)" in text and "-12" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_districts_note_gives_the_denominator_its_yearly_period(overviews, demo_dir, lang):
    wf = pd.read_parquet(Path(demo_dir) / "workforce.parquet")
    year = int(wf.loc[wf["district_code"].str.startswith("75."), "year"].max())
    note = overviews["Gorontalo", lang].table_notes()["area_districts"]
    want = {"id": f"penyebut untuk periode {year};", "en": f"denominator for {year};"}[lang]
    assert want in note
    assert not re.search(r"penyebut dan cakupan per|denominator and coverage as of", note)


def test_overview_key_figures_map_poverty_columns_with_years(overviews):
    key = overviews["Gorontalo", "en"].key()
    cols = key["provenance"]["tables"]["poverty"]["columns"]
    p0 = " ".join(r["source"] for r in cols["p0"])  # records: [{"source", "rows"}] (reader 18, R18-6)
    assert re.search(r"\(P0\).*2019–2025", p0) and "synthetic" not in p0
    p1 = [r["source"] for r in cols["p1"]]
    assert any("(P1)" in k and "2024–2025" in k for k in p1) and any("synthetic" in k and "2019–2023" in k for k in p1)


@pytest.mark.slow
def test_gorontalo_overview_built_by_the_cli_cites_no_other_province(demo_dir, tmp_path):
    """The path a user takes: `ucj report --province Gorontalo` in Bahasa Indonesia; the page and the workbook's
    sources sheet name no article of Sulawesi Utara, Tenggara or Tengah, and state the verdict rule."""
    run = subprocess.run([str(Path(sys.executable).parent / "ucj"), "report", "--province", "Gorontalo", "--lang", "id",
                          "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "r"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    folder = next((tmp_path / "r").glob("overview-*"))
    page = _text((folder / "report.html").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    sheet = " ".join(str(c) for row in wb[t("sheet.provenance", "id")].iter_rows(values_only=True) for c in row)
    notes = " ".join(str(c) for row in wb[t("sheet.notes", "id")].iter_rows(values_only=True) for c in row)
    for outlet in OUTSIDE.values():
        assert outlet not in page and outlet not in sheet
    assert "hariantoday.com" in page and "hariantoday.com" in sheet
    assert page.count("Arti penilaian:") == 1 and notes.count("Arti penilaian:") == 1
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    assert all("synthetic" not in r["source"] and "sintetis" not in r["source"]
               for r in key["provenance"]["tables"]["poverty"]["columns"]["p0"])


@pytest.mark.parametrize("lang", LANGS)
def test_budget_assumptions_note_names_no_command_or_code(lang):
    """A planner reads the budget note: no command line, no Python name, and no claim that every row says what its
    citation lacks (reader 8, S1 and N2)."""
    note = t("assumptions_sources_note", lang)
    assert not re.search(r"`|ucj[ .]|--kind|Assumptions|tiap baris|each row says", note), note


def test_methods_name_the_workforce_source_by_the_tables_status():
    """Hand-worked: a synthetic workforce table is never said to come from the Sakernas (reader 8, S4); a real one is
    cited by its rows' sources, never assumed to be the Sakernas (a planner's own import need not be)."""
    from ucj.presentation.district import workforce_source

    assert workforce_source([], "id") == ("Angkatan kerja (penyebut cakupan): dari sumber yang dikutip pada tabel "
                                          "sumber (baris Angkatan kerja).")
    assert "Sakernas" not in workforce_source(["workforce"], "id").split(",")[0]
    assert "synthetic demo data" in workforce_source(["enrolment", "workforce"], "en")
