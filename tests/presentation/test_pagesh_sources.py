"""Reader 5's findings F2 and F18 (issue 18: every page tells one true story): the budget assumptions' and the
default target's sources say what they are and how a planner replaces them, never an invented title or date;
the default target's basis is said not to be its source's. Oracles: the project's domain notes and SOURCES.md
in ../shared (what is recorded), data/published/citations.csv, and the CLI's own help (the commands named)."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from ucj.cli import app
from ucj.presentation import district as district_report
from ucj.presentation.i18n import t, tf
from ucj.runs.params import validate_params
from tests.conftest import sections_html

SHARED = Path(__file__).resolve().parents[3] / "shared"
BOALEMO = "75.02"


@pytest.fixture(scope="module")
def boalemo(demo_dir, demo_ds):
    return {lang: district_report.build(demo_ds, validate_params(BOALEMO, lang=lang, data_dir=str(demo_dir),
                                                                  registry=demo_ds.registry)) for lang in ("id", "en")}


def _text(html_parts: list[str]) -> str:
    import html as h

    return h.unescape(re.sub(r"<[^>]+>", " ", " ".join(html_parts)))


def test_nothing_is_recorded_so_nothing_is_invented():
    """The premise, read from ../shared: the domain notes record the budget figures without titles or dates,
    SOURCES.md has no BPJS file; the citations table then gives the RPJMN no regulation (citef2: it cites
    the ministry's statement of the target as reported, with that report's date)."""
    notes = (SHARED / "docs" / "domain.md").read_text(encoding="utf-8")
    for figure in ("370,747", "35.86 m", "41.56 m", "Rp 42 million", "Rp 6,800", "43.92 % (2029)"):
        assert figure in notes
    assert "BPJS Ketenagakerjaan participation/claims by province or kab/kota: none" in \
        (SHARED / "data" / "raw" / "SOURCES.md").read_text(encoding="utf-8")
    import pandas as pd

    c = pd.read_csv(Path(__file__).resolve().parents[2] / "data" / "published" / "citations.csv", dtype=str,
                    keep_default_na=False)
    from ucj.data.published import RPJMN_SOURCE

    rpjmn = c[c["source_article"] == RPJMN_SOURCE].iloc[0]
    # cited to the ministry's statement as reported (citef2), never to a regulation the workbook has not recorded
    assert rpjmn["date_note"] == "default_target" and "Perpres" not in rpjmn["title"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_budget_assumptions_say_what_they_are_once_on_page_and_in_excel(boalemo, lang, tmp_path):
    """F2: one sentence under the assumptions table (not one per row) says they are the workbook's defaults
    whose publication is not recorded, and how to replace each; the Excel notes sheet carries it beside the
    assumptions sheet."""
    r = boalemo[lang]
    note = t("assumptions_sources_note", lang)
    page = " ".join(sections_html(r, ("show_budget",)))
    import html as h

    assert h.unescape(page).count(note) == 1
    said = "Yang belum tercatat" if lang == "id" else "Not recorded"  # what still lacks a publication (citef2)
    assert said in note
    r.save(tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "tables.xlsx")[t("sheet.notes", lang)[:31]]
    rows = [(a.value, b.value) for a, b in ws.iter_rows(min_col=1, max_col=2)]
    assert (t("sheet.assumptions", lang), note) in rows


def test_the_commands_the_documentation_names_exist():
    """F2: the page's note points to the documentation (it names no command or code: reader 8, S1); every command
    the documentation (docs/pagesh.md) tells a planner to type is a real one (the CLI's own help), the code path
    it names exists, and it does not pretend a command replaces the national rates."""
    runner = CliRunner()
    note = t("assumptions_sources_note", "en")
    assert "documentation" in note and "`" not in note
    doc = (Path(__file__).resolve().parents[2] / "docs" / "pagesh.md").read_text(encoding="utf-8")
    kinds = re.findall(r"--kind (\w+)", doc)
    assert kinds[:2] == ["claims", "enrolment"] and "**no command**" in doc
    help_text = runner.invoke(app, ["import", "template", "--help"]).output
    assert all(k in help_text for k in kinds)
    assert runner.invoke(app, ["explore", "--help"]).exit_code == 0
    from dataclasses import fields

    from ucj.analysis.budget import Assumptions

    names = {f.name for f in fields(Assumptions)}
    assert {"jkk_cases_per_1000", "jkm_deaths_per_1000", "jkm_benefit_rp", "monthly_contribution_rp"} <= names
    report_help = runner.invoke(app, ["report", "--help"]).output
    assert "--target-pct" in report_help and "--target-year" in report_help
    assert "targets" in help_text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_default_target_basis_is_said_beside_it(boalemo, lang):
    """F18 and F2's RPJMN: the summary's target says its source states no basis and names the pairing it is
    applied to; its citation (target sentence, targets row, key figures) says the regulation and date are
    not recorded, not a bare "undated", and how to set a sourced target."""
    r = boalemo[lang]
    assert r.key["target_is_default"]
    pairing = f"{t('all_participants', lang)} / {t('working_population', lang)}"
    summary = _text(sections_html(r, ("show_summary",)))
    assert tf("default_target_basis", lang, pairing=pairing) in summary
    cited = r.target_source_text()
    assert t("citation_default_target", lang) in cited and t("citation_undated", lang) + ")" not in cited
    plans = r.tables["provenance"].set_index("table").at["targets", "source"]
    assert t("citation_default_target", lang) in plans
    assert t("citation_default_target", lang) in r.citable_key()["target_source"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_explorer_says_the_default_targets_basis(demo_ds, lang):
    """F18 in the planner's explorer: the coverage view's note on the default target names the pairing it is
    applied to and says its source states no basis."""
    from ucj.analysis.district import district_figures
    from ucj.presentation.explore import coverage_view

    fig = district_figures(demo_ds, BOALEMO)
    assert fig.target_is_default
    view = coverage_view(demo_ds, fig, "all", lang)
    pairing = f"{t('all_participants', lang)} / {t('working_population', lang)}"
    assert f"{t('default_target', lang)}; {tf('default_target_basis', lang, pairing=pairing)}" in view.notes


@pytest.mark.parametrize(("province", "lang"), [(None, "id"), ("Gorontalo", "en")])
def test_overview_default_target_says_its_basis(demo_ds, province, lang):
    """F18 on the national and province overviews: the summary's target names its pairing and says its source
    states no basis."""
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, province, lang, figures=True)
    target = dict(ov.summary_items())[t("target", lang)]
    pairing = f"{t('all_participants', lang)} / {t('working_population', lang)}"
    # the share of districts using it, counted (reader 8, S6): all of Gorontalo's, most of the nation's
    latest = demo_ds.targets.sort_values("target_year").groupby("district_code").tail(1)
    share = int(latest.groupby(["coverage_target_pct", "target_year"]).size().max())
    if province:
        words = t("default_target_area", lang)
        assert target.endswith(f"{words}; {tf('default_target_basis', lang, pairing=pairing)}")
    else:  # the nation's own target (reader 14, R14-10): named and cited; the pairing it is applied to here
        assert share < len(demo_ds.registry.districts)  # the nation's target is not "most districts'" to say
        assert "RPJMN 2025–2029" in target and "Kabaran.id" in target
        assert ("tidak tercatat" if lang == "id" else "not recorded") in target  # its basis, as F18 asks
        assert target.endswith(tf("target_applied_here", lang, pairing=pairing))
