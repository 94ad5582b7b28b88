"""The province and national overviews as reports (`ucj report --province`, `ucj reports --all`), their
key figures against plain pandas on the Parquet files and the published BPS file, their agreement with
the district reports of the same run, the batch index that lists them, and `ucj verify` on such a run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import REPO
from ucj.cli import app
from ucj.data.published import fact
from ucj.runs import batch
from ucj.presentation.i18n import t

BIN = Path(sys.executable).parent
GORONTALO = ["75.01", "75.02", "75.03", "75.04", "75.05", "75.71"]
SAVINGS = ("JHT", "JP")


def _by_hand(demo_dir: Path, codes: list[str] | None) -> dict[str, float]:
    """An area's figures at 2025-12 with plain pandas: coverage (all participants over the working
    population), the 12-month claims without savings withdrawals, and P0 as poor over population from
    the published BPS file."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    c = pd.read_parquet(demo_dir / "claims.parquet")
    bps = pd.read_csv(REPO / "data" / "published" / "bps_poverty_kabkota.csv", dtype={"district_code": str})
    if codes is not None:
        e, w, c = (df[df["district_code"].isin(codes)] for df in (e, w, c))
        bps = bps[bps["district_code"].isin(codes)]
    active = e[e["month"] == pd.Timestamp("2025-12-01")]["active"].sum()
    denominator = w[w["year"] == 2025]["working_population"].sum()
    c = c[(c["month"] >= pd.Timestamp("2025-01-01")) & ~c["programme"].isin(SAVINGS)]
    b = bps[bps["year"] == 2025]
    poor = b["poor_population_thousands"] * 1000
    return {"active": float(active), "denominator": float(denominator), "coverage": 100 * active / denominator,
            "claims": int(c["claim_count"].sum()), "amount": int(c["claim_amount_rp"].sum()),
            "p0": 100 * poor.sum() / (poor / (b["p0"] / 100)).sum()}


@pytest.fixture(scope="module")
def gorontalo(demo_ds):
    """Gorontalo's figures, computed once for the tests of this module."""
    from ucj.analysis.regions import area_figures

    return area_figures(demo_ds, "Gorontalo")


def test_province_figures_against_plain_pandas_and_the_bps_file(gorontalo, demo_dir):
    a = gorontalo
    hand = _by_hand(demo_dir, GORONTALO)
    assert a.province_code == "75" and a.pairing == "all_participants/working_population"
    assert a.active == hand["active"] and a.denominator_value == hand["denominator"]
    assert a.coverage_pct == pytest.approx(hand["coverage"], rel=1e-12)
    assert (a.claim_count, a.claim_amount_rp) == (hand["claims"], hand["amount"])
    assert a.poverty_year == 2025 and a.p0 == pytest.approx(hand["p0"], rel=1e-9)
    targets = pd.read_parquet(demo_dir / "targets.parquet")
    own = targets[targets["district_code"].isin(GORONTALO)]
    assert set(own["coverage_target_pct"]) == {a.target_pct} and set(own["target_year"]) == {a.target_year}
    p = a.projection
    assert p.lower_pct <= p.projected_pct <= p.upper_pct and p.interval == 0.8
    assert p.status == ("likely" if p.lower_pct >= a.target_pct else
                        "unlikely" if p.upper_pct < a.target_pct else "uncertain")
    rows = a.districts.set_index("district_code")
    assert sorted(rows.index) == GORONTALO
    assert rows["active"].sum() == a.active and rows["claim_count"].sum() == a.claim_count
    assert list(a.districts["coverage_pct"]) == sorted(a.districts["coverage_pct"], reverse=True)


def test_national_figures_against_plain_pandas_and_the_published_p0(demo_ds, demo_dir):
    from ucj.analysis.regions import area_figures

    a = area_figures(demo_ds, None)
    hand = _by_hand(demo_dir, None)
    assert a.province_code is None and a.districts is None
    assert a.coverage_pct == pytest.approx(hand["coverage"], rel=1e-12)
    assert (a.claim_count, a.claim_amount_rp) == (hand["claims"], hand["amount"])
    assert round(a.p0, 2) == fact("p0", None, "2025")  # BPS's published national P0, March 2025


def test_report_province_refuses_bad_input_in_one_line(demo_dir, tmp_path):
    runner = CliRunner()
    for args in (["--province", "Gorontalox"], ["--province", "Gorontalo", "--district", "Boalemo"], [],
                 ["--province", "Gorontalo", "--target-pct", "50"], ["--province", "Gorontalo", "--last-period", "2031-01"],
                 ["--province", "Gorontalo", "--denominator", "people"]):
        res = runner.invoke(app, ["report", *args, "--data-dir", str(demo_dir), "--out", str(tmp_path)])
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output
    res = runner.invoke(app, ["report", "--province", "Gorontalox", "--data-dir", str(demo_dir), "--out", str(tmp_path)])
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1 and "unknown province" in lines[0] and "Gorontalo" in lines[0]
    res = runner.invoke(app, ["report", "--province", "Gorontalox", "--last-period", "2031-01", "--lang", "fr",
                              "--data-dir", str(demo_dir), "--out", str(tmp_path)])
    assert res.exit_code == 2 and "province" in res.output and "period outside the data" in res.output
    assert "lang" in res.output  # every problem at once, one line each
    res = runner.invoke(app, ["reports", "--province", "Nowhere", "--data-dir", str(demo_dir), "--out", str(tmp_path)])
    assert res.exit_code == 2 and "unknown province" in res.output
    assert not list(tmp_path.glob("*/overview-*"))  # nothing was started


@pytest.mark.parametrize(("args", "expected"), [
    (["--all"], [None]), (["--province", "Gorontalo"], ["75"]), (["--province", "Gorontalo", "--no-overviews"], []),
    (["--district", "Boalemo", "--national"], [None]), (["--district", "Boalemo"], [])])
def test_reports_asks_for_the_overviews(args, expected, demo_dir, tmp_path, monkeypatch):
    """Which overviews `ucj reports` makes besides the districts (the batch itself is replaced here: --all on
    514 districts is a benchmark, not a test)."""
    asked: list[list[str | None]] = []
    monkeypatch.setattr(batch, "run_many", lambda params, run_dir, **kw: batch.BatchResult([]))
    monkeypatch.setattr(batch, "run_overviews", lambda wanted, run_dir, **kw: asked.append(
        [p.province_code for p in wanted]) or [])
    res = CliRunner().invoke(app, ["reports", *args, "--data-dir", str(demo_dir), "--out", str(tmp_path),
                                   "--run", "r", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert asked == ([expected] if expected else [])


# -- the reports themselves (kernels) -------------------------------------------------------------
@pytest.fixture(scope="module")
def province_run(demo_dir, tmp_path_factory):
    """Gorontalo's six district reports, its overview and the national overview, made by the CLI in one run."""
    out = tmp_path_factory.mktemp("overviews")
    run = subprocess.run([str(BIN / "ucj"), "reports", "--province", "Gorontalo", "--national", "--lang", "en",
                          "--data-dir", str(demo_dir), "--out", str(out), "--run", "r", "--workers", "2",
                          "--no-progress"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    return out / "r"


def _key(folder: Path) -> dict:
    return json.loads((folder / "key_figures.json").read_text())


@pytest.mark.slow
def test_province_overview_is_a_code_free_report_with_its_key_figures(province_run, demo_ds, demo_dir):
    from ucj.analysis.regions import area_figures

    folder = province_run / "overview-75-gorontalo"
    assert {"report.ipynb", "report.html", "tables.xlsx", "key_figures.json", "scatter.png"} <= {
        p.name for p in folder.iterdir()}
    nb = nbformat.read(folder / "report.ipynb", as_version=4)
    pm = nb.metadata["papermill"]
    assert pm["parameters"]["province"] == "75" and pm["input_path"] == "notebooks/province_overview.ipynb"
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    # the data folder relative to the overview's folder, never this machine's full path
    assert pm["parameters"]["data_dir"] == os.path.relpath(Path(demo_dir).resolve(), folder.resolve())
    assert str(Path(demo_dir).resolve()) not in (folder / "report.ipynb").read_text()
    page = (folder / "report.html").read_text()
    assert "build_overview" not in page and "show_summary" not in page  # no code
    for words in (t("methods", "en"), t("area_districts", "en"), "SYNTHETIC", "SP2020", "Made ", "prediction interval"):
        assert words in page, words
    key = _key(folder)
    hand = _by_hand(demo_dir, GORONTALO)
    assert key["coverage_pct"] == pytest.approx(hand["coverage"], rel=1e-12)
    assert key["pairing"] == "all_participants/working_population" and key["lang"] == "en"
    assert key["poverty"]["p0"] == pytest.approx(hand["p0"], rel=1e-9)
    assert key["claims_12m"]["count"] == hand["claims"]
    assert key["projection"]["status"] in ("likely", "uncertain", "unlikely")
    assert key["synthetic_tables"] and key["provenance"]["tables"]["enrolment"]["synthetic"] is True
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    assert {t("sheet.notes", "en"), t("sheet.area_districts", "en"), t("sheet.provenance", "en")} <= set(wb.sheetnames)
    for name in ("report.html", "key_figures.json"):
        assert str(demo_dir) not in (folder / name).read_text() and str(province_run) not in (folder / name).read_text()
    national = _key(province_run / "overview-national")
    assert national["level"] == "national" and round(national["poverty"]["p0"], 2) == fact("p0", None, "2025")
    assert national["coverage_pct"] == pytest.approx(_by_hand(demo_dir, None)["coverage"], rel=1e-12)


@pytest.mark.slow
def test_province_figures_agree_with_its_district_reports(province_run):
    """Every district row of the province report equals what that district's own report (made by the
    batch's warm kernels, not by the overview) recorded; the province's sums are the districts' sums."""
    province = _key(province_run / "overview-75-gorontalo")
    rows = {r["district_code"]: r for r in province["districts"]}
    run = json.loads((province_run / "run.json").read_text())
    assert sorted(e["district"] for e in run["reports"]) == GORONTALO == sorted(rows)
    actives, claims = 0.0, 0
    for e in run["reports"]:
        k = _key(province_run / e["slug"])
        r = rows[e["district"]]
        assert k["denominator"] == province["denominator"]  # the same pairing
        assert (r["active"], r["coverage_pct"], r["target_pct"], r["target_year"]) == (
            k["active"], k["coverage_pct"], k["target_pct"], k["target_year"])
        assert (r["projected_pct"], r["lower_pct"], r["upper_pct"], r["status"]) == (
            k["projection"]["projected_pct"], k["projection"]["lower_pct"], k["projection"]["upper_pct"],
            k["projection"]["status"])
        assert (r["claim_count"], r["claim_amount_rp"], r["p0"]) == (
            k["claims_12m"]["count"], k["claims_12m"]["amount_rp"], k["poverty"]["p0"])
        assert k["poverty"]["province_p0"] == pytest.approx(province["poverty"]["p0"], rel=1e-12)
        actives += k["active"]
        claims += k["claims_12m"]["count"]
    assert province["active"] == actives and province["claims_12m"]["count"] == claims


@pytest.mark.slow
def test_the_index_of_the_batch_lists_values_overviews_and_valid_summary_links(province_run):
    page = (province_run / "index.html").read_text()
    districts = re.search(r"<table id='ucj-districts'.*?</table>", page, re.S).group(0)
    overviews = re.search(r"<table id='ucj-overviews'.*?</table>", page, re.S).group(0)
    assert districts.count("<tr>") == 1 + 6 and overviews.count("<tr>") == 1 + 2
    for href in re.findall(r'href="([^"]+)"', page):
        assert (province_run / href).is_file(), href
    assert 'href="overview-75-gorontalo/report.html"' in overviews and 'href="overview-national/report.html"' in overviews
    summary = pd.read_csv(province_run / "summary.csv", dtype={"district_code": str}).set_index("district_code")
    run = json.loads((province_run / "run.json").read_text())
    for e in run["reports"]:
        k = _key(province_run / e["slug"])
        row = summary.loc[e["district"]]
        assert row[f"coverage_pct_{k['denominator']}"] == k["coverage_pct"] and row[f"projected_pct_{k['denominator']}"] == k["projection"]["projected_pct"]
        assert row["claim_count"] == k["claims_12m"]["count"] and row["p0"] == k["poverty"]["p0"]
        assert row[f"status_{k['denominator']}"] == k["projection"]["status"] and row["target_year"] == k["target_year"]
        shown = re.search(rf'<tr><td[^>]*><a href="{e["slug"]}/report.html">.*?</tr>', districts).group(0)
        assert f'data-v="{k["coverage_pct"]}"' in shown
    xlsx = openpyxl.load_workbook(province_run / "summary.xlsx").active
    assert xlsx.max_row == 1 + 6
    assert "<script>" in page and "aria-sort" in page and str(province_run) not in page


@pytest.mark.slow
def test_verify_reproduces_a_run_with_overviews(province_run, demo_dir):
    run = subprocess.run([str(BIN / "ucj"), "verify", "--lang", "en", str(province_run), "--data-dir", str(demo_dir),
                          "--no-progress", "--workers", "2"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "reproduced: Province overview: Gorontalo" in run.stdout
    assert "reproduced: National overview" in run.stdout and "8 of 8 reports reproduced" in run.stdout
    record = json.loads((province_run / "verify.json").read_text())
    assert record["all_reproduced"] and {r["slug"] for r in record["reports"]} >= {"overview-75-gorontalo",
                                                                                   "overview-national"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_overview_reads_in_one_language(demo_ds, gorontalo, lang):
    """Everything the province overview shows in words (title, key figures, methods, tables, stamp) holds
    none of the other language's catalogue sentences."""
    from test_report_text import _foreign_phrases
    from ucj.analysis.regions import region_figures
    from ucj.presentation.overview import Overview
    from ucj.presentation.tables import as_html_frame

    ov = Overview(lang, region_figures(demo_ds, "Gorontalo"), True, area=gorontalo,
                  parameters={"province": "Gorontalo", "lang": lang})
    parts = [ov.title, ov.stamp_text(), *ov.methods_lines()]
    parts += [f"{a} {b}" for a, b in ov.summary_items()]
    for name in ov.tables():
        frame = as_html_frame(ov.shown(name), lang)
        parts += list(frame.columns) + [str(v) for v in frame.to_numpy().ravel()]
    text = "\n".join(parts).replace("Gorontalo", " ")
    from ucj.data.published import citations
    from ucj.presentation.tables import BPS_TITLES

    cited = citations()  # cited titles and outlets stay as published (BPS's table titles are Indonesian)
    for title in sorted([x for x in list(cited["title"]) + list(cited["publisher"]) if x] + list(BPS_TITLES.values()),
                        key=len, reverse=True):
        text = text.replace(title, " ")
    found = [p for p in _foreign_phrases(lang) if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
    assert found == []
