"""What the pages say about the early fit the holdout scores (R17-1), an upper bound cut at 100 % (R17-2) and a
"cannot say yet" verdict, which gives no probability (R17-9); both languages, page, workbook and key figures. The
figures come from statsmodels alone (tests/holdout_oracle.py), never from the page's own projection."""

from __future__ import annotations

import html as html_lib
import json
import re

import openpyxl
import pytest
from holdout_oracle import Z80, damped_at_target, organic_series, statsmodels_early_rule

from ucj.presentation.i18n import fmt_num, fmt_pct, t

LANGS = ("id", "en")
BOGOR, BEKASI, DENPASAR = "32.71", "32.75", "51.71"


def _text(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))))


def _sheet(page, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)
    return [r for r in wb[name].iter_rows(values_only=True)]


@pytest.mark.parametrize("lang", LANGS)
def test_nested_early_model_named_with_its_ratio(district_page, demo_ds, lang):
    """Kota Bekasi: the sentence says the early damped fit is not scored and that ETS(A,N,N) is, then the widening
    by statsmodels' ETS(A,N,N) holdout ratio (2.53)."""
    used, o = statsmodels_early_rule(organic_series(demo_ds, BEKASI))
    assert used == "ets_level" and o is not None
    text = _text(district_page(BEKASI, lang).html())
    lead = t("calibration_early_nested_sentence", lang).split("{model}")[0]
    assert lead in text and t("ets_level", lang) in text.split(lead)[1][:400]
    widened = t("calibration_widened_sentence", lang).split("{ratio}")[0] + fmt_num(o["ratio"], lang, 2)
    assert widened in text


@pytest.mark.parametrize("lang", LANGS)
def test_bogor_not_checked_and_no_probability(district_page, demo_ds, lang):
    """Kota Bogor: the early fit is a fixed trend line, so the page says the interval is not checked; its interval is
    statsmodels' whole damped fit's own, and "cannot say yet" prints no probability anywhere on the page, in the
    scenario table, the workbook or the key figures (which keep it as probability_not_a_verdict)."""
    page = district_page(BOGOR, lang)
    text = _text(page.html())
    assert t("calibration_not_checked_sentence", lang).split("{model}")[0] in text
    assert t("calibration_widened_sentence", lang).split("{ratio}")[0] not in text
    y = organic_series(demo_ds, BOGOR)
    p = page.report.projection
    mean, sd = damped_at_target(demo_ds, BOGOR, y, p.months_remaining, p.target_year)
    interval = f"{fmt_pct(mean - Z80 * sd, lang)}–{fmt_pct(mean + Z80 * sd, lang)}"
    summary = _text(page.html(("show_summary",)))
    assert interval in summary and t("cannot_say", lang) in summary
    chance = t("probability_reaching_target", lang)
    assert chance not in summary.lower() and chance[0].upper() + chance[1:] not in summary
    assert t("projection_sentence_cannot_say", lang).split("{status}")[1].split(",")[0] in text
    reason = t("probability_not_given_short", lang)
    rows = _sheet(page, t("sheet.projection_scenarios", lang))
    col = rows[0].index(t("probability_pct", lang))
    assert all(r[col] == "–" + reason for r in rows[1:])
    key = json.loads((page.folder / "key_figures.json").read_text(encoding="utf-8"))
    assert key["projection"]["probability_reaching_target"] is None
    assert isinstance(key["projection"]["probability_not_a_verdict"], float)
    assert all(r["probability_pct"] is None for r in key["projection_scenarios"])


@pytest.mark.parametrize("lang", LANGS)
def test_upper_bound_cut_at_100_is_said(district_page, demo_ds, lang):
    """Kota Denpasar: statsmodels' whole fit widened by the random walk's holdout ratio (3.83) reaches above 100 %
    and below 0: both cuts are said in the summary, with their notes in the text, in the workbook's projection sheet
    (a column like the lower cut's) and in the key figures."""
    y = organic_series(demo_ds, DENPASAR)
    used, o = statsmodels_early_rule(y)
    assert used == "random_walk" and o is not None
    page = district_page(DENPASAR, lang)
    p = page.report.projection
    mean, sd = damped_at_target(demo_ds, DENPASAR, y, p.months_remaining, p.target_year)
    assert mean + Z80 * sd * o["ratio"] > 100 and mean - Z80 * sd * o["ratio"] < 0
    summary = _text(page.html(("show_summary",)))
    cuts = f"({t('lower_cut_at_0', lang).lower()}; {t('upper_cut_at_100', lang).lower()})"
    assert cuts in summary
    text = _text(page.html())
    assert t("upper_cut_note", lang) in text and t("lower_cut_note", lang) in text
    rows = _sheet(page, t("sheet.projection", lang))
    col = rows[0].index(t("upper_cut_at_100", lang))
    assert rows[-1][col] in (t("yes", lang), True)
    key = json.loads((page.folder / "key_figures.json").read_text(encoding="utf-8"))
    assert key["projection"]["upper_cut_at_100"] is True and key["projection"]["lower_cut_at_0"] is True
