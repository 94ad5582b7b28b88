"""Reader 9's findings on a batch's index.html, summary.csv and summary.xlsx (R4, R7, R10), in both languages.

The expected facts are read with plain pandas from the demo's parquet files (which districts have a target row
of their own, which programmes' claims add up to the count), never from ucj's key figures."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import fmt_int, t

SEEDS = ("71.02", "72.01", "74.13", "75.02")
LANGS = ("id", "en")


@pytest.fixture(scope="module")
def runs(demo_dir, demo_ds, tmp_path_factory):  # type: ignore[no-untyped-def]
    """{lang: (run folder, index text)}: the four seed districts' reports (presentation layer, no kernel) with
    their key figures carried in the entries as a batch carries them, and the index and summary written."""
    from ucj.presentation import district as district_report
    from ucj.runs.index_page import index_figures, write_index, write_summary
    from ucj.runs.params import validate_params

    peers = district_report.PeerTables(demo_ds)
    out = {}
    for lang in LANGS:
        run = tmp_path_factory.mktemp(f"pagesmrun{lang}")
        entries = []
        for code in SEEDS:
            report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir),
                                                                    registry=demo_ds.registry), comparison=peers)
            entries.append({"district": code, "district_name": report.params.district.full_name, "slug": code,
                            "status": "ok", "html": f"{code.replace('.', '')}/report.html",
                            "key": index_figures(report.key)})
        write_summary(run, entries)
        out[lang] = (run, html_lib.unescape(write_index(run / "index.html", entries, lang, True, "x").read_text()))
    return out


def heads_of(page: str, table_id: str) -> list[str]:
    table = re.search(rf"<table id='{table_id}'.*?</table>", page, re.S).group(0)
    return re.findall(r'<th scope="col">([^<]*)</th>', table)


def row_cells(page: str, name: str) -> list[str]:
    row = re.search(rf"<tr><td[^>]*>(?:<a [^>]*>)?{re.escape(name)}(?:</a>)?</td>.*?</tr>", page).group(0)
    return re.findall(r"<td[^>]*>(?:<a [^>]*>)?([^<]*)", row)


def _names(demo_dir: Path) -> dict[str, str]:
    from ucj.data.registry import load_registry

    reg = load_registry()
    return {c: reg.get(c).full_name for c in SEEDS}


@pytest.mark.parametrize("lang", LANGS)
def test_r4_claims_columns_say_which_programmes_they_count(runs, demo_dir, lang):
    """The claims count column counts JKK, JKM and JKP (JHT and JP withdrawals apart): the header says so, and
    Minahasa's cell equals those programmes' claims summed by hand (not all five programmes'); summary.csv
    carries the basis in `claims_programmes` and summary.xlsx in its headers."""
    run, page = runs[lang]
    heads = heads_of(page, "ucj-districts")
    # the claims count and amount follow the status columns, one per pairing since reader 12's L6
    at = max(i for i, h in enumerate(heads) if h.startswith(f"{t('status', lang)} ("))
    count_head, amount_head = heads[at + 1], heads[at + 2]
    for head in (count_head, amount_head):
        assert "JKK+JKM+JKP" in head and "JHT" in head and "JP" in head
    claims = pd.read_parquet(demo_dir / "claims.parquet")
    last = pd.Timestamp(claims["month"].max())
    own = claims[(claims["district_code"] == "71.02") & (claims["month"] > last - pd.DateOffset(months=12))]
    counted = int(own.loc[own["programme"].isin(["JKK", "JKM", "JKP"]), "claim_count"].sum())
    assert counted != int(own["claim_count"].sum())  # the basis matters: JHT and JP claims are many more
    cells = row_cells(page, _names(demo_dir)["71.02"])
    assert cells[heads.index(count_head)] == fmt_int(counted, lang)
    csv = pd.read_csv(run / "summary.csv", dtype={"district_code": str}).set_index("district_code")
    assert set(csv["claims_programmes"]) == {"JKK+JKM+JKP"} and csv.loc["71.02", "claim_count"] == counted
    ws = openpyxl.load_workbook(run / "summary.xlsx", read_only=True).worksheets[0]
    xl_heads = [c for c in next(ws.iter_rows(values_only=True))]
    # the index's headers carry the one claims period (12 months); summary.xlsx has a column for it
    period = f", {last - pd.DateOffset(months=11):%Y-%m} – {last:%Y-%m}"
    assert count_head.endswith(period) and amount_head.endswith(period)
    assert count_head.removesuffix(period) in xl_heads and amount_head.removesuffix(period) in xl_heads


@pytest.mark.parametrize("lang", LANGS)
def test_r7_default_targets_are_marked_in_their_rows_and_in_summary(runs, demo_dir, lang):
    """A district whose target is the national default (its targets row cites the RPJMN default, read with
    pandas) has it said in its own index row; summary.csv/xlsx carry a `target_is_default` column."""
    run, page = runs[lang]
    targets = pd.read_parquet(demo_dir / "targets.parquet").set_index("district_code")
    default = {c: str(targets.loc[c, "target_source"]).startswith("default:") for c in SEEDS}
    assert sorted(default.values()) == [False, False, True, True]  # two own targets, two national defaults
    heads = heads_of(page, "ucj-districts")
    names = _names(demo_dir)
    for code in SEEDS:
        cells = row_cells(page, names[code])
        target_cells = [c for h, c in zip(heads, cells) if h.startswith(t("target", lang) + " (")]
        assert len(target_cells) == 1 or any(c != "–" for c in target_cells)
        shown = next(c for c in target_cells if c != "–")
        assert (t("default_target_short", lang) in shown) == default[code], (code, shown)
    csv = pd.read_csv(run / "summary.csv", dtype={"district_code": str}).set_index("district_code")
    assert {c: bool(csv.loc[c, "target_is_default"]) for c in SEEDS} == default
    ws = openpyxl.load_workbook(run / "summary.xlsx", read_only=True).worksheets[0]
    assert t("target_is_default_header", lang) in next(ws.iter_rows(values_only=True))


@pytest.mark.parametrize("lang", LANGS)
def test_r10_overview_only_index_links_its_workbook_and_names_its_first_column(demo_ds, tmp_path, lang):
    """The Gorontalo overview alone (a run of one province overview, as `ucj report --province`): the index
    speaks the page's language (no English "Run" on the Indonesian page), links the overview's tables.xlsx
    relative to the index, and heads its first column for an area, not "District"."""
    from ucj.presentation.overview import build_overview
    from ucj.runs.index_page import index_figures, write_index

    ov = build_overview(demo_ds, "Gorontalo", lang, figures=True)
    name = f"{t('province_overview', lang)}: Gorontalo"
    entry = {"kind": "overview", "level": "province", "province_code": "75", "district_name": name,
             "province": "Gorontalo", "slug": "overview-75-gorontalo", "status": "ok",
             "html": "overview-75-gorontalo/report.html", "key": index_figures(ov.key())}
    raw = write_index(tmp_path / "index.html", [], lang, True, "x", overviews=[entry]).read_text()
    page = html_lib.unescape(raw)
    words = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script).*?</\1>", " ", page, flags=re.S))
    if lang == "id":
        assert not re.search(r"\bRun\b", words)
    assert 'href="overview-75-gorontalo/tables.xlsx"' in raw
    heads = heads_of(page, "ucj-overviews")
    assert heads[0] == t("index_area", lang) and heads[0] != t("district", lang)
    assert row_cells(page, name)[0] == name
