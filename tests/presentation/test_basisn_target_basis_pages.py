"""What a reader sees when a district's own target was set over another denominator than the figures use (issue 18):
Minahasa's 100 % of its potensi pekerja list, shown over the working population. Its page (Bahasa Indonesia and
English), key_figures.json, the index and summary of a batch, and the Sulawesi Utara overview built through the CLI
as a user builds it give the projection without a verdict, say why in the reader's language naming the target's
basis, and give the target's year as assumed. Over its own basis the page is as before.

Oracles: the demo's targets table read with pandas (the target's basis and whether its year is assumed), the other
districts' rows of the same overview (the national default, judged), and the catalogue's words for each verdict."""

from __future__ import annotations

import html as html_lib
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import sections_html
from ucj.presentation.i18n import t

LANGS = ("id", "en")
MINAHASA = "71.02"
VERDICT_WORDS = ("likely", "uncertain", "unlikely", "cannot_say")


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def _own_target(demo_dir: Path) -> pd.Series:
    return pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code").loc[MINAHASA]


@pytest.fixture(scope="module")
def pages(demo_ds, demo_dir, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Minahasa's page over the working population in both languages, built and saved as `ucj report` does."""
    from ucj.presentation import district as district_report
    from ucj.runs.params import validate_params

    out = {}
    for lang in LANGS:
        report = district_report.build(demo_ds, validate_params(MINAHASA, lang=lang, data_dir=str(demo_dir),
                                                                denominator="working_population"))
        folder = tmp_path_factory.mktemp(f"basisn{lang}")
        report.save(folder)
        out[lang] = (report, folder, _text(" ".join(sections_html(report))))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_minahasa_page_over_the_working_population_gives_no_verdict_and_says_why(pages, demo_dir, lang):
    report, _, page = pages[lang]
    own = _own_target(demo_dir)
    basis = t(f"reason_param.{own['denominator']}", lang)  # the target's basis, in the reader's words
    projected = report.projection_text()
    assert projected in [value for _, value in report.summary_items()]  # the summary's projection cell
    assert t("other_basis", lang) in projected
    assert t("probability_reaching_target", lang) not in projected
    for verdict in VERDICT_WORDS:
        assert t(verdict, lang) not in projected
    assert basis in page and t("working_population", lang) in page  # both bases named where it says why
    sentence = report.coverage_sentence()
    assert basis in sentence and t("probability_reaching_target", lang) not in sentence
    # the year of a target whose article sets none reads as assumed, as the targets table records it
    assert bool(own["target_year_assumed"])
    assert f"2029, {t('target_year_assumed', lang)}" in report.target_text()
    # no need is computed against that target: a sentence why, never "– workers a month"
    assert basis in report.workers_needed_sentence()


def test_minahasa_key_figures_over_the_working_population(pages, demo_dir):
    _, folder, _ = pages["en"]
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    own = _own_target(demo_dir)
    assert key["denominator"] == "working_population"
    assert key["target_denominator"] == own["denominator"]
    p = key["projection"]
    assert p["status"] == "other_basis" and f"basis={own['denominator']}" in p["reason"]
    assert p["probability_reaching_target"] is None and p["workers_needed_per_month"] is None
    assert p["projected_pct"] is not None and p["lower_pct"] <= p["projected_pct"] <= p["upper_pct"]


@pytest.mark.parametrize("lang", LANGS)
def test_index_and_summary_keep_the_target_under_its_own_basis(pages, tmp_path, lang):
    """The batch index and summary: Minahasa's coverage sits under the working population, its target under the
    potensi list it was set over (never beside coverage of another pairing), its status in the reader's words."""
    from ucj.runs.index_page import summary_frame, write_index

    report, folder, _ = pages[lang]
    slug = "71-02-kabupaten-minahasa"
    (tmp_path / slug).mkdir()
    (tmp_path / slug / "key_figures.json").write_bytes((folder / "key_figures.json").read_bytes())
    entries = [{"district": MINAHASA, "slug": slug, "status": "ok"}]
    df = summary_frame(entries, tmp_path)
    row = df.iloc[0]
    assert row["target_pct_potensi_pekerja"] == 100.0 and pd.isna(row["target_pct_working_population"])
    assert row["coverage_pct_working_population"] == pytest.approx(report.results.coverage_pct)
    # the verdict under the pairing the report's projection is over, never under the potensi list's (reader 11, L13)
    assert row["status_working_population"] == "other_basis" and bool(row["target_year_assumed"])
    assert pd.isna(row["status_potensi_pekerja"])
    index = _text(write_index(tmp_path / "index.html", entries, lang, True, "t").read_text(encoding="utf-8"))
    assert t("other_basis", lang) in index
    assert not any(t(v, lang) in index for v in ("likely", "unlikely"))


def test_minahasa_over_its_own_basis_is_as_before(district_page, demo_dir):
    """Its own page (over its potensi list): cannot be projected, for the reason it had, and no word of another
    basis."""
    built = district_page(MINAHASA, "en")
    report = built.report
    assert report.results.denominator == _own_target(demo_dir)["denominator"]
    assert report.projection.status == "not_fitted"
    assert t("not_fitted", "en") in report.projection_text()
    assert t("other_basis", "en") not in _text(" ".join(built.html()))
    key = json.loads((built.folder / "key_figures.json").read_text(encoding="utf-8"))
    assert key["projection"]["reason"].startswith("reason_denominator_short")
    assert key["target_denominator"] == "potensi_pekerja"


def test_sulawesi_utara_overview_built_by_the_cli(demo_dir, tmp_path):
    """`ucj report --province "Sulawesi Utara" --lang en`: Minahasa's row gives no verdict, names its target's
    basis and the assumed year; the other rows (the national default, no recorded basis) keep their verdicts."""
    run = subprocess.run([str(Path(sys.executable).parent / "ucj"), "report", "--province", "Sulawesi Utara",
                          "--lang", "en", "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "s"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    folder = next((tmp_path / "s").glob("overview-*"))
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    rows = {r["district_code"]: r for r in key["districts"]}
    targets = pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code")
    assert rows[MINAHASA]["status"] == "other_basis" and rows[MINAHASA]["target_year_assumed"] is True
    assert "basis=potensi_pekerja" in rows[MINAHASA]["reason"]
    others = [c for c in rows if c != MINAHASA]
    assert others and all(rows[c]["status"] in (*VERDICT_WORDS, "not_fitted") for c in others)
    assert all(rows[c]["target_year_assumed"] is bool(targets.at[c, "target_year_assumed"]) for c in others)
    page = _text((folder / "report.html").read_text(encoding="utf-8"))
    start = page.index("Kabupaten Minahasa ")
    row = page[start:page.index("71.", start + 20)]  # up to the next district's code
    assert "2029, assumed" in row
    assert "not judged: its target is set over the potential workers list" in row
    assert not any(t(v, "en") in row for v in VERDICT_WORDS)
    assert t("unlikely", "en") in page  # the other districts are still judged


def test_sulawesi_utara_overview_in_bahasa_indonesia(demo_ds):
    from ucj.presentation.overview import build_overview

    o = build_overview(demo_ds, "Sulawesi Utara", "id", figures=True)
    rows = o.tables()["area_districts"].set_index("district_code")
    assert rows.at[MINAHASA, "target_year"] == "2029, diasumsikan"
    assert rows.at[MINAHASA, "status"] == "tidak dinilai: targetnya ditetapkan atas daftar potensi pekerja"
    assert "reason" not in rows.columns and "target_year_assumed" not in rows.columns


def test_explorer_over_the_working_population_gives_no_verdict_or_need_for_minahasa(demo_ds, demo_dir):
    """Over the working population (the explorer now opens on the page's pairing, the potensi list, R16-8; a planner
    switches): Minahasa's coverage tab gives its projection without a verdict
    and its budget tab no workers needed, each naming the potensi list its target was set over, in both languages;
    a planner switching to the potensi list gets the page's own reading back (no projection, the need computed)."""
    from ucj.analysis.explore import budget_plan
    from ucj.presentation.explore import Explorer

    ex = Explorer(demo_ds, "en", MINAHASA)
    basis = _own_target(demo_dir)["denominator"]
    assert ex.denominator.value == basis  # the page's pairing (R16-8)
    ex.denominator.value = "working_population"
    for lang in LANGS:
        ex.language.value = lang
        coverage, budget = ex.view("coverage"), ex.view("budget")
        words = t(f"reason_param.{basis}", lang)
        assert t("other_basis", lang) in coverage.lines[1] and words in coverage.lines[1]
        assert not any(t(v, lang) in coverage.lines[1] for v in VERDICT_WORDS)
        assert words in budget.lines[1] and t("workers_needed_net", lang).lower() not in budget.lines[1]
    fig = ex.figures()  # the figures the tabs show
    assert fig.denominator == "working_population" and fig.projection.status == "other_basis"
    assert math.isnan(budget_plan(fig, 5_000, 12, 16_800, 2029).net_per_month)
    ex.denominator.value = basis
    ex.language.value = "en"
    assert t("other_basis", "en") not in " ".join(ex.view("coverage").lines)
