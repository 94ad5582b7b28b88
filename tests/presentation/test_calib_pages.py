"""The pages say where an interval was widened by its holdout, with the evidence, and Methods state the rule once
(docs/calib.md; reader 16, R16-7). Numbers from the independent rebuild (tests/holdout_oracle.py)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from holdout_oracle import rw_holdout, organic_series, summary

from ucj.presentation.i18n import fmt_num, t

LANGS = ("id", "en")


def _text(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))))


@pytest.mark.parametrize("lang", LANGS)
def test_kabupaten_gorontalo_says_its_interval_was_widened(district_page, demo_ds, lang):
    """The task's sentence, with the drift method's figures: widened 1.95 times, from 2024-01 and 2025-01,
    RMSE 2.09 where the model expected 1.07, 4 of 24 inside the 80 % interval."""
    o = summary(*rw_holdout(organic_series(demo_ds, "75.01").to_numpy()))
    text = _text(district_page("75.01", lang).html())
    expected = {"en": f"The interval is widened {fmt_num(o['ratio'], lang, 2)} times: forecast from 2024-01 and "
                      f"2025-01, the model missed the 24 held-out months by {fmt_num(o['rmse'], lang, 2)} pp (RMSE) "
                      f"where its own interval expected {fmt_num(o['sd'], lang, 2)}, and only {o['inside']} of them "
                      "fell inside its 80 % interval.",
                "id": f"Selang diperlebar {fmt_num(o['ratio'], lang, 2)} kali: diramalkan dari 2024-01 dan 2025-01, "
                      f"model meleset pada 24 bulan uji sebesar {fmt_num(o['rmse'], lang, 2)} poin persen (RMSE), "
                      f"padahal selangnya sendiri memperkirakan {fmt_num(o['sd'], lang, 2)}, dan hanya {o['inside']} "
                      "bulan di antaranya berada di dalam selang 80 %-nya."}[lang]
    assert expected in text
    assert t("uncertain", lang) in _text(district_page("75.01", lang).html(("show_summary",)))


@pytest.mark.parametrize("lang", LANGS)
def test_rule_stated_once_and_no_sentence_where_not_widened(district_page, lang):
    """Methods state the rule once on every fitted page; Bone Bolango (ratio 0.95) and Boalemo (1.29) say nothing
    about widening."""
    rule = t("calibration_rule_note", lang).split("{factor}")[0]
    widened = t("calibration_widened_sentence", lang).split("{ratio}")[0]
    for code in ("75.03", "75.02", "75.71"):
        text = _text(district_page(code, lang).html())
        assert text.count(rule) == 1, code
        assert (widened in text) == (code == "75.71"), code
