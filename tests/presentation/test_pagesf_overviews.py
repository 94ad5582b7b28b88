"""Reader 5's findings F1, F4, F5, F7, F13 (the province and national overviews) and F10 (the model words of every
page): the overviews say which model was used and why, as the district pages do, with AIC and Ljung-Box behind a
details line and the reasons on the workbook's models sheet; the methods name the chain of models actually tried;
the interval level reads "80 %"; the poverty sources give each BPS table once with its years, on the page and in
key_figures.json; the denominator's header carries its own (yearly) period; the key figures' target source speaks of
the area; the SP2020 note points at no chart the overview does not draw.

The oracles are independent of ucj: statsmodels (ETSModel, ARIMA) fitted to the area's series built here with
pandas from the Parquet files, the raw BPS file in ../shared, and the workforce table's own years."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import sections_html
from ucj.presentation.i18n import fmt_num, t

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
AREAS = {"Gorontalo": "75.", None: ""}
LANGS = ("id", "en")


@pytest.fixture(scope="module")
def overviews(demo_ds):  # type: ignore[no-untyped-def]
    from ucj.presentation.overview import build_overview

    return {(area, lang): build_overview(demo_ds, area, lang, figures=True) for area in AREAS for lang in LANGS}


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _methods(ov) -> str:  # type: ignore[no-untyped-def]
    """What the overview's "Methods and sources" section displays, as text."""
    return " ".join(_text(h) for h in sections_html(ov, ("show_methods",)))


def _statsmodels_chain(demo_dir: Path, prefix: str) -> dict[str, object]:
    """The nested chain of docs/modelnest.md rebuilt with statsmodels alone on the area's organic coverage (self-
    and employer-enrolled active over the working population interpolated between mid-years, seasonal part removed
    by STL): the damped fit's parameters, the SES alpha, and each model's AIC."""
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.seasonal import STL

    enr = pd.read_parquet(demo_dir / "enrolment.parquet")
    wf = pd.read_parquet(demo_dir / "workforce.parquet")
    e = enr[enr["district_code"].str.startswith(prefix)]
    act = e.groupby("month")["active"].sum()
    org = e[e["funding"] == "self_employer"].groupby("month")["active"].sum().reindex(act.index).fillna(0)
    w = wf[wf["district_code"].str.startswith(prefix)].groupby("year")["working_population"].sum()
    months = act.index
    pos = np.arange(len(months))
    years = np.array(sorted(set(months.year)))
    knots = np.array([pos[months.year == y].mean() for y in years])
    den = np.interp(pos, knots, w[years].to_numpy(dtype=float))
    seasonal = STL(org.to_numpy(dtype=float), period=12, robust=True).fit().seasonal
    y = pd.Series(100 * (org.to_numpy() - seasonal) / den,
                  index=pd.date_range(months[0], periods=len(months), freq="MS"))
    damped = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
    ses = ETSModel(y, error="add", trend=None).fit(disp=False)
    rw = ARIMA(y, order=(0, 1, 0), trend="t").fit()
    return {"params": dict(zip(damped.param_names, damped.params)), "alpha_ses": float(ses.params[0]), "series": y,
            "aic": {"ets_damped": damped.aic, "ets_level": ses.aic, "random_walk": rw.aic}}


# -- F1 and F5: which model and why, the details line, the chain, "80 %" ------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("area", list(AREAS))
def test_overview_methods_say_which_model_and_why_as_statsmodels_finds(overviews, demo_dir, area, lang):
    ov = overviews[area, lang]
    page = _methods(ov)
    ref = _statsmodels_chain(Path(demo_dir), AREAS[area])
    params = ref["params"]
    assert abs(params["damping_trend"] - 0.8) < 1e-4  # statsmodels: the damping on its lower bound ...
    assert abs(ref["alpha_ses"] - 0.9999) < 1e-4  # ... and the level-only alpha on its upper one: a random walk
    uses = "Proyeksi memakai model " if lang == "id" else "The projection uses the "
    assert uses + t("random_walk", lang) in page  # the model used, in a plain sentence ...
    assert ("batas bawahnya (0,8)" if lang == "id" else "lower limit (0.8)") in page  # ... and why (the bounds)
    assert ("batas atasnya (1)" if lang == "id" else "upper limit (1)") in page
    details = re.search(r"(Rincian|Details): ([^.]|\.\d)*\.", page)
    assert details, page  # the details line: every fitted model's AIC as statsmodels computes it, and Ljung-Box
    for model, aic in ref["aic"].items():  # type: ignore[union-attr]
        assert f"{t(model, lang)}: AIC {fmt_num(aic, lang, 1)}" in page, (model, aic)
    assert page.count("Ljung-Box") >= 4
    # the rule that decides when a model is not used, with the limits the details line is read against
    third = "pemulusan trennya sama dengan pemulusan level" if lang == "id" else "trend smoothing equals the level's"
    assert third in page
    # the methods name the chain actually tried (docs/modelnest.md), never "two models"
    assert not re.search(r"dua model|two models", page)
    for words in ("ETS(A,N,N)", "drift", t("ets_damped", lang)):
        assert words in page
    # F5: the interval level by the one rule the summary uses ("80 %"), never "80,0 %"
    assert not re.search(r"80[,.]0 %", page) and "80 %" in page


@pytest.mark.parametrize("lang", LANGS)
def test_overview_models_sheet_gives_each_models_reason(overviews, tmp_path, lang):
    ov = overviews["Gorontalo", lang]
    ov.save(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    rows = list(wb[t("sheet.model_fits", lang)].iter_rows(values_only=True))
    head, body = rows[0], rows[1:]
    assert t("reason", lang) in head, head
    reason = head.index(t("reason", lang))
    used = head.index(t("used", lang))
    yes = t("yes", lang)
    for row in body:
        if row[used] == yes:
            assert row[reason] in (None, "", "–")
        else:  # every model not used says why
            assert row[reason] and len(str(row[reason])) > 20, row
    damped = next(r for r in body if r[0] == t("ets_damped", lang))
    assert ("0,8" if lang == "id" else "0.8") in damped[reason]


# -- F4: the poverty sources as the district pages cite them, with their years ------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("area", list(AREAS))
def test_overview_poverty_sources_name_each_table_once_with_its_years(overviews, demo_dir, area, lang):
    ov = overviews[area, lang]
    raw = pd.read_csv(SHARED / "data" / "raw" / "bps_muhlis000" / "kemiskinan_kabkota_2024_2025.csv")
    bps_years = sorted(raw["tahun"].unique())  # the years the BPS P1/P2 file gives
    demo_years = sorted(pd.read_parquet(Path(demo_dir) / "poverty.parquet")["year"].unique())
    made_up = [y for y in demo_years if y not in bps_years]
    span = lambda ys: f"{ys[0]}–{ys[-1]}"  # noqa: E731
    page = "".join(sections_html(ov, ("show_methods",)))
    row = re.search(r"<tr>(?:(?!</tr>).)*\(P1\)(?:(?!</tr>).)*</tr>", page, flags=re.S)
    assert row, "no poverty row in the sources table"
    cells = {"page": _text(row.group(0)),
             "key_figures": " ".join(ov.key()["provenance"]["tables"]["poverty"]["sources"])}  # type: ignore[index]
    line, extreme = ("garis kemiskinan", "kemiskinan ekstrem") if lang == "id" else ("poverty line", "extreme poverty")
    for where, cell in cells.items():
        assert f"Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota, {span(bps_years)}" in cell, (where, cell)
        assert f"Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota, {span(bps_years)}" in cell, (where, cell)
        assert f"P1 ({span(made_up)})" in cell and f"P2 ({span(made_up)})" in cell, (where, cell)
        for words in ("(P1) Menurut", "(P2) Menurut", line, extreme, "ucj demo"):  # each once: no list twice
            assert cell.count(words) == 1, (where, words, cell)


# -- F7: the denominator's own period; the overview's target wording in key_figures.json ---------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_overview_districts_denominator_header_gives_its_yearly_period(overviews, demo_dir, lang):
    ov = overviews["Gorontalo", lang]
    e = pd.read_parquet(Path(demo_dir) / "enrolment.parquet")
    w = pd.read_parquet(Path(demo_dir) / "workforce.parquet")
    year = int(e["month"].max().year)
    assert year in set(w["year"])  # the working population of the numerator's year exists: a yearly figure
    heads = ov.shown("area_districts").headers
    word = "penyebut" if lang == "id" else "denominator"
    den = [h for h in heads if f"({word})" in h]
    assert den == [f"{t('working_population', lang)[:1].upper()}{t('working_population', lang)[1:]} ({word}), {year}"]
    national = overviews[None, lang].shown("ranking").headers  # one rule for both overviews
    assert den[0] in national


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("area", list(AREAS))
def test_overview_key_figures_target_source_uses_the_overviews_words(overviews, area, lang):
    ov = overviews[area, lang]
    key = ov.key()
    shown = dict(ov.summary_items())[t("target", lang)]
    # what the page says of the target, before the basis note the summary adds (the citation says it too)
    # (the nation's own target is named, then cited in brackets on the page: its name is the words; R14-10)
    words = shown.split(" – ", 1)[1].split("; ", 1)[0].split(" (", 1)[0]
    # "<words>: <citation>", as the district pages write it (reader 8), not "<words> (<citation>)"
    assert key["target_source"].startswith(words + ": "), (key["target_source"], words)
    assert "Rencana Pembangunan Jangka Menengah Nasional" in key["target_source"]
    assert t("target_default", lang) not in json.dumps(key, ensure_ascii=False)  # a district's words, not an area's


# -- F13: no reference to a chart the overview does not draw -------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("area", list(AREAS))
def test_overview_sp2020_note_points_at_no_missing_chart(overviews, area, lang):
    ov = overviews[area, lang]
    assert "poverty" not in ov.charts  # the overview draws no P0 line chart
    page = _methods(ov)
    assert "SP2020" in page
    assert not re.search(r"garis putus|dotted line|grafik|chart", page, flags=re.I), page


# -- F10: the nesting rule's three conditions; the logistic's saturation a parameter --------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_the_rule_note_names_every_condition_the_code_nests_on(lang):
    from ucj.analysis.projection import nests_to_level
    from ucj.presentation.i18n import tf

    # the three conditions, each alone, by hand: damping at 0.8; level smoothing at 0.9999; beta equal to alpha
    assert nests_to_level({"smoothing_level": 0.5, "smoothing_trend": 0.1, "damping_trend": 0.8})
    assert nests_to_level({"smoothing_level": 0.9999, "smoothing_trend": 0.1, "damping_trend": 0.9})
    assert nests_to_level({"smoothing_level": 0.5, "smoothing_trend": 0.5, "damping_trend": 0.9})
    note = tf("model_rules_note_nested", lang, limit="0,0001", limit_adjusted="10⁻¹²", lags="12", need="36")
    if lang == "id":
        for words in ("peredam tren berada di tepi bawahnya", "pemulusan levelnya di tepi atas",
                      "pemulusan trennya sama dengan pemulusan level"):
            assert words in note
    else:
        for words in ("damping sits at its lower edge", "level smoothing sits at its upper edge",
                      "trend smoothing equals the level's"):
            assert words in note


@pytest.mark.parametrize("lang", LANGS)
def test_boalemo_logistic_is_not_named_saturating_at_100(demo_ds, demo_dir, lang):
    """Boalemo's logistic fit has its saturation level well below 100 (a parameter, hand-checked below): the page
    names the curve "saturation at most 100 %", never "saturating at 100 %"."""
    from ucj.presentation import district as report_module
    from ucj.runs.params import validate_params

    params = validate_params("Boalemo", "", "", "", "", lang, str(demo_dir), registry=demo_ds.registry)
    r = report_module.build(demo_ds, params)
    logistic = next(f for f in r.projection.fits if f.model == "logistic")
    capacity = logistic.params["capacity"]
    assert capacity < 90  # the fitted saturation level is not 100
    text = " ".join([r.model_sentence(), r.model_details(), r.model_rules_text(), *r.methods_lines()])
    text += " ".join(str(x) for x in r.tables["model_fits"]["model"].map(lambda m: t(m, lang)))
    assert not re.search(r"jenuh 100 %|saturating at 100 %", text), text
    assert ("tingkat jenuh paling tinggi 100 %" if lang == "id" else "saturation at most 100 %") in text


# -- the path a user takes: `ucj report --province Gorontalo` in Bahasa Indonesia, the built page and files --------
@pytest.mark.slow
def test_province_overview_built_by_the_cli_reads_one_story_in_bahasa_indonesia(demo_dir, tmp_path):
    import subprocess
    import sys

    run = subprocess.run([str(Path(sys.executable).parent / "ucj"), "report", "--province", "Gorontalo", "--lang", "id",
                          "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "r"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    folder = next((tmp_path / "r").glob("overview-*"))
    page = _text((folder / "report.html").read_text(encoding="utf-8"))
    ref = _statsmodels_chain(Path(demo_dir), "75.")
    assert "Proyeksi memakai model " + t("random_walk", "id") in page and "Rincian: " in page
    assert f"{t('ets_damped', 'id')}: AIC {fmt_num(ref['aic']['ets_damped'], 'id', 1)}" in page  # type: ignore[index]
    assert not re.search(r"80,0 %|dua model|garis putus|jenuh 100 %", page)
    assert "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota, 2024–2025" in page
    assert "Penduduk bekerja (penyebut), 2025-12" not in page and "Penduduk bekerja (penyebut), 2025" in page
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    assert key["target_source"].startswith(t("default_target_area", "id"))
    assert [s.count("(P1) Menurut") for s in key["provenance"]["tables"]["poverty"]["sources"]] == [1]
    wb = openpyxl.load_workbook(folder / "tables.xlsx")
    head = next(wb[t("sheet.model_fits", "id")].iter_rows(values_only=True))
    assert t("reason", "id") in head


# -- the details line's Ljung-Box p, readable against the rule's limits (reader 7, N1) -----------------------------
def test_residual_pvalue_shows_its_order_of_magnitude_hand_worked():
    from ucj.presentation.district import _residual_pvalue

    assert _residual_pvalue(0.194, "id") == "= 0,194" and _residual_pvalue(0.194, "en") == "= 0.194"
    assert _residual_pvalue(7.9998e-12, "id") == "≈ 8,0 · 10⁻¹²" and _residual_pvalue(7.9998e-12, "en") == "≈ 8.0 · 10⁻¹²"
    assert _residual_pvalue(9.6e-5, "en") == "≈ 9.6 · 10⁻⁵"  # just below the 0.0001 limit: never reads as 10⁻⁴
    assert _residual_pvalue(0.0, "en") == "< 10⁻¹⁵"


@pytest.mark.parametrize("lang", LANGS)
def test_national_details_give_the_random_walks_ljung_box_p_as_statsmodels_finds(overviews, demo_dir, lang):
    """The random walk the national overview uses: its Ljung-Box p (statsmodels' acorr_ljungbox on the ARIMA(0,1,0)
    with drift's residuals at min(12, n/5) lags) is printed to two significant digits, not "< 0.001", and the page
    says the series was seasonally adjusted, so the reader knows the 10⁻¹² limit applies."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.arima.model import ARIMA

    from ucj.presentation.district import _residual_pvalue

    ref = _statsmodels_chain(Path(demo_dir), "")
    y = ref["series"]
    resid = ARIMA(y, order=(0, 1, 0), trend="t").fit().resid.to_numpy()[1:]  # the first is the level itself
    p = float(acorr_ljungbox(resid, lags=[min(12, len(resid) // 5)])["lb_pvalue"].iloc[0])
    assert p < 1e-3
    page = _methods(overviews[None, lang])
    walk = page[page.index(f"{t('random_walk', lang)}: AIC"):]
    assert f" p {_residual_pvalue(p, lang)}" in walk[:walk.index(";")], (p, walk[:200])
    assert t("model_details_adjusted", lang).split("{")[0] in page
