"""Targets never mix pairings (issue 18): in the index, summary.csv and summary.xlsx a target sits in the
column of the pairing it is over, as coverage does. Minahasa's 100 % is over its potensi pekerja list, the
other seed districts' targets over the working population; a column sorting both would rank a 100 % over
one denominator against 43.9 % over another.

The expected targets are read here with plain pandas from the demo's targets table (the data a planner
supplies), never from ucj's key figures."""

from __future__ import annotations

import html as html_lib
import re

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import fmt_pct, t

SEEDS = ("71.02", "72.01", "74.13", "75.02")


def test_a_target_goes_to_the_column_of_its_pairing_and_old_key_figures_to_the_default(tmp_path):
    """Hand-made key figures: a target over potensi pekerja, one over the working population, and one from
    key figures that name no denominator (made before reports had other pairings: the working population)."""
    from ucj.runs.index_page import summary_frame

    keys = [{"district_code": "1", "denominator": "potensi_pekerja", "target_pct": 100.0, "target_year": 2029},
            {"district_code": "2", "denominator": "working_population", "target_pct": 43.92, "target_year": 2029},
            {"district_code": "3", "target_pct": 50.0, "target_year": 2030}]
    df = summary_frame([{"district": k["district_code"], "status": "ok", "key": k} for k in keys], tmp_path)
    got = df.set_index("district_code")[["target_pct_working_population", "target_pct_potensi_pekerja",
                                         "target_pct_employees", "target_pct_informal_workers"]]
    assert got.fillna(-1).values.tolist() == [[-1, 100.0, -1, -1], [43.92, -1, -1, -1], [50.0, -1, -1, -1]]


def test_a_projection_goes_to_the_column_of_its_pairing(tmp_path):
    """Hand-made key figures: Minahasa-like projection over potensi pekerja and one over the working population
    land in different columns, bounds with them; the index heads each projection column with its pairing
    and its interval level, and no projection cell of one pairing holds the other's value."""
    from ucj.runs.index_page import index_figures, summary_frame, write_index

    keys = [{"district_code": "1", "district_name": "A", "denominator": "potensi_pekerja",
             "projection": {"projected_pct": 81.0, "lower_pct": 70.0, "upper_pct": 90.0}},
            {"district_code": "2", "district_name": "B", "denominator": "working_population",
             "projection": {"projected_pct": 30.5, "lower_pct": 25.0, "upper_pct": 36.0}}]
    entries = [{"district": k["district_code"], "status": "ok", "key": index_figures(k)} for k in keys]  # as a batch
    df = summary_frame(entries, tmp_path).set_index("district_code")
    cols = ["projected_pct_working_population", "lower_pct_working_population", "upper_pct_working_population",
            "projected_pct_potensi_pekerja", "lower_pct_potensi_pekerja", "upper_pct_potensi_pekerja"]
    assert df[cols].fillna(-1).values.tolist() == [[-1, -1, -1, 81.0, 70.0, 90.0], [30.5, 25.0, 36.0, -1, -1, -1]]
    page = html_lib.unescape(write_index(tmp_path / "index.html", entries, "en", False, "x").read_text())
    heads = re.findall(r'<th scope="col">([^<]*)</th>', page)
    projection_heads = [h for h in heads if h.startswith(t("projected", "en"))]
    assert len(projection_heads) == 2 and all("80 %" in h for h in projection_heads)
    assert any(t("potensi_pekerja", "en") in h for h in projection_heads)
    row_a = re.search(r"<tr><td[^>]*>A</td>.*?</tr>", page).group(0)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row_a)
    at = heads.index(projection_heads[0])  # the working-population projection column
    assert cells[at] == "–" and "81.0 %" in cells[heads.index(projection_heads[1])]


@pytest.fixture(scope="module")
def batch(demo_dir, demo_ds, tmp_path_factory):
    """The four seed districts' reports (presentation layer, no kernel), their key figures carried in the
    entries as a batch carries them, and the index and summary files written from them."""
    from ucj.presentation import district as district_report
    from ucj.runs.index_page import write_index, write_summary
    from ucj.runs.params import validate_params

    run = tmp_path_factory.mktemp("targets")
    peers = district_report.PeerTables(demo_ds)
    entries = []
    for code in SEEDS:
        report = district_report.build(demo_ds, validate_params(code, lang="id", data_dir=str(demo_dir),
                                                                registry=demo_ds.registry), comparison=peers)
        entries.append({"district": code, "district_name": report.params.district.full_name, "slug": code,
                        "status": "ok", "html": f"{code.replace('.', '')}/report.html", "key": report.key})
    write_summary(run, entries)
    page = html_lib.unescape(write_index(run / "index.html", entries, "id", True, "x").read_text())
    return run, page


def _targets(demo_dir) -> pd.DataFrame:
    t_ = pd.read_parquet(demo_dir / "targets.parquet")
    return t_[t_["district_code"].isin(SEEDS)].set_index("district_code")


@pytest.mark.slow
def test_summary_csv_has_one_target_column_per_pairing(batch, demo_dir):
    run, _ = batch
    want = _targets(demo_dir)
    assert want.at["71.02", "denominator"] == "potensi_pekerja"  # the data's own: the case this test is about
    df = pd.read_csv(run / "summary.csv", dtype={"district_code": str}).set_index("district_code")
    assert "target_pct" not in df.columns  # no column mixing the pairings
    for code in SEEDS:
        den = want.at[code, "denominator"]
        assert df.at[code, f"target_pct_{den}"] == pytest.approx(want.at[code, "coverage_target_pct"]), code
        others = [c for c in df.columns if c.startswith("target_pct_") and c != f"target_pct_{den}"]
        assert df.loc[code, others].isna().all(), code
        assert df.at[code, "target_year"] == want.at[code, "target_year"]
        assert df.at[code, "denominator"] == den  # the row's coverage and projection are over the same
    assert df.at["71.02", "target_pct_potensi_pekerja"] == 100.0
    assert df.loc[["72.01", "74.13", "75.02"], "target_pct_working_population"].tolist() == [99.5, 43.92, 43.92]


@pytest.mark.slow
def test_index_and_summary_xlsx_name_each_target_column_by_its_pairing(batch, demo_dir):
    """The same columns, with the same headings, in index.html and summary.xlsx; Minahasa's cell in the
    potensi pekerja column, a dash in the working-population one."""
    from ucj.runs.index_page import target_label

    run, page = batch
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    wp, pot = target_label("working_population", "id"), target_label("potensi_pekerja", "id")
    assert (wp, pot) == ("Target (semua peserta aktif / penduduk bekerja)", "Target (semua peserta aktif / potensi pekerja)")
    assert wp in heads and pot in heads and t("target", "id") not in heads
    ws = openpyxl.load_workbook(run / "summary.xlsx").active
    xl_heads = [c.value for c in ws[1]]
    # every target column of the index is a column of summary.xlsx, headed the same
    assert [h for h in heads if h.startswith(t("target", "id"))] == \
        [h for h in xl_heads if str(h).startswith(t("target", "id")) and h in heads]
    assert {wp, pot} <= set(xl_heads)
    col = {h: i for i, h in enumerate(xl_heads)}
    rows = {str(r[col[t("district_code", "id")]]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    want = _targets(demo_dir)
    assert rows["71.02"][col[pot]] == 100.0 and rows["71.02"][col[wp]] is None
    assert rows["75.02"][col[wp]] == pytest.approx(want.at["75.02", "coverage_target_pct"])
    assert rows["75.02"][col[pot]] is None
    # the index row: Minahasa's target under potensi pekerja, with its year
    mina = re.search(r"<tr><td[^>]*><a href=\"7102/report.html\">.*?</tr>", page).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", mina)
    # the article gives no year: 2029 is assumed, and the index says so as the page does (pagesg, reader 5 F9)
    assert cells[heads.index(pot)] == f"{fmt_pct(100.0, 'id')} (2029, {t('target_year_assumed', 'id')})"
    assert cells[heads.index(wp)] == "–"
    boalemo = re.findall(r"<td[^>]*>(.*?)</td>",
                         re.search(r"<tr><td[^>]*><a href=\"7502/report.html\">.*?</tr>", page).group(0))
    # Boalemo has no target of its own: the national default, marked so in its row (reader 9, R7)
    assert boalemo[heads.index(wp)] == f"{fmt_pct(43.92, 'id')} (2029, {t('default_target_short', 'id')})"
    assert boalemo[heads.index(pot)] == "–"


def test_an_assumed_target_year_reaches_the_index_a_batch_writes(tmp_path):
    """A batch carries only index_figures(key) in its entries (not the whole key figures): the mark that the
    article gives no target year must be among them, or the index says "(2029)" while the page says
    "(2029, assumed)" (reader 7: F9 was fixed on the page, not in the index make run writes)."""
    from ucj.runs.index_page import index_figures, write_index

    key = {"district_code": "1", "district_name": "A", "denominator": "potensi_pekerja", "target_pct": 100.0,
           "target_year": 2029, "target_year_assumed": True, "target_is_default": False}
    entries = [{"district": "1", "status": "ok", "key": index_figures(key)}]
    page = html_lib.unescape(write_index(tmp_path / "index.html", entries, "en", False, "x").read_text())
    assert f"100.0 % (2029, {t('target_year_assumed', 'en')})" in page
