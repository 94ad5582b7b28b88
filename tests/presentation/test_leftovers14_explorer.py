"""R17-10 (session 14, docs/leftovers.md): the explorer's headline verdict gave no interval where the page gives
one, and Minahasa's coverage headline named its pairing twice. The interval is checked against the page's
key_figures.json (written by `report.save`), each bound formatted here by hand; Minahasa's periods against the demo's
enrolment and workforce tables (pandas)."""

from __future__ import annotations

import json

import pytest

from ucj.analysis.district import district_figures
from ucj.presentation.explore import coverage_view

pytestmark = pytest.mark.slow  # each district's figures take seconds


def _pct(x: float, lang: str) -> str:
    text = f"{x:.1f} %"
    return text.replace(".", ",") if lang == "id" else text


@pytest.mark.parametrize("code", ["75.02", "32.71"])  # Boalemo: unlikely; Kota Bogor: cannot say yet
@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_headline_verdict_carries_the_pages_interval(demo_ds, district_page, code, lang):
    page = district_page(code, lang)
    key = json.loads((page.folder / "key_figures.json").read_text(encoding="utf-8"))
    p = key["projection"]
    fig = district_figures(demo_ds, code, denominator=key["denominator"])
    lines = coverage_view(demo_ds, fig, "all", lang).lines
    level = {"en": "80 % prediction interval", "id": "selang prediksi 80 %"}[lang]
    shown = f"{_pct(p['projected_pct'], lang)} ({level} {_pct(p['lower_pct'], lang)}–{_pct(p['upper_pct'], lang)})"
    assert shown in lines[1]
    assert shown in page.report.projection_text()  # the page's summary prints the same figure and interval
    assert p["interval_pct"] == 80


@pytest.mark.parametrize("lang", ["en", "id"])
def test_minahasas_coverage_headline_names_its_pairing_once(demo_ds, lang):
    """Minahasa's coverage is over its potensi list of an earlier year: both periods are said, the denominator once
    ("participants 2025-12 / potensi pekerja 2023, assumed, all segments, all active participants / potensi pekerja"
    before); a projection that cannot be made says so briefly, its reason under the headline."""
    e, w = demo_ds.enrolment, demo_ds.workforce
    month = f"{e.loc[e['district_code'] == '71.02', 'month'].max():%Y-%m}"
    year = int(w.loc[(w["district_code"] == "71.02") & w["potensi_pekerja"].notna(), "year"].max())
    fig = district_figures(demo_ds, "71.02")
    assert fig.denominator == "potensi_pekerja"
    view = coverage_view(demo_ds, fig, "all", lang)
    head, target = view.lines[:2]
    assert head.count("potensi pekerja") == 1  # en names it "potential workers – potensi pekerja"
    assert f"{month} / " in head and f"{year}, {'assumed' if lang == 'en' else 'diasumsikan'})" in head
    assert "(" not in target  # "no projection: cannot be projected", without the reason in brackets ...
    assert any("24" in n for n in view.notes)  # ... which is under the headline (months with a denominator: need 24)
