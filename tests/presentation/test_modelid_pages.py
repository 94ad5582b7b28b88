"""Issue 18, "only identifiable models give verdicts", on the page a reader gets (built in-process, both
languages): a district whose ETS fit sits on its damping bound reads "cannot say yet" with the reason in one
plain sentence and the rule beside the model table; Minahasa shows no interval; a district with only 30 months
says its series is not seasonally adjusted. Oracles: statsmodels' ETSModel, the catalogue's own words."""

from __future__ import annotations

import html as html_lib
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from ucj.presentation import district as district_report
from ucj.presentation.i18n import fmt_int, reason_text, t, tf
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow  # whole demo pages, a few seconds each: make test only

ON_BOUND = "72.02"  # a demo district whose ETS fit ends on the damping bound (statsmodels' too, checked below)
MINAHASA, BOALEMO = "71.02", "75.02"


def _page(ds, code: str, lang: str, data_dir: str):  # type: ignore[no-untyped-def]
    """The report and the visible text of its summary, coverage and workers-needed sections."""
    import IPython.display

    report = district_report.build(ds, validate_params(code, lang=lang, data_dir=data_dir))
    shown: list[str] = []
    mp = pytest.MonkeyPatch()
    mp.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    try:
        for name in ("show_summary", "show_coverage", "show_workers_needed"):
            getattr(report, name)()
    finally:
        mp.undo()
    page = re.sub(r"<style>.*?</style>", " ", "\n".join(shown), flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "\n", page))
    return report, re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_fit_on_its_damping_bound_reads_cannot_say_yet(demo_ds, demo_dir, lang):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    from ucj.analysis.projection import series_to_fit

    y = series_to_fit(demo_ds, ON_BOUND)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ETSModel(pd.Series(y, index=pd.date_range("2019-01-01", periods=len(y), freq="MS")), error="add",
                       trend="add", damped_trend=True).fit(disp=False)
    assert dict(zip(ref.model.param_names, np.asarray(ref.params)))["damping_trend"] == pytest.approx(0.98, abs=1e-6)
    report, text = _page(demo_ds, ON_BOUND, lang, str(demo_dir))
    p = report.projection
    assert (p.status, p.model_used) == ("cannot_say", None)
    why = reason_text("reason_ets_damping_on_bound(value=0.98)", lang)
    assert tf("cannot_say_no_model_sentence", lang, why=reason_text(p.reason, lang)) in text
    assert why in text and ("0,98" if lang == "id" else "0.98") in why
    assert f"– ({t('cannot_say', lang)})" in text  # the summary's projected value: none, and why in a word
    assert report.model_rules_text() in text
    assert ("0,0001" if lang == "id" else "0.0001") in report.model_rules_text() and "10⁻¹²" in report.model_rules_text()
    other = "en" if lang == "id" else "id"
    assert reason_text("reason_ets_damping_on_bound(value=0.98)", other) not in text  # one language a page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_minahasa_shows_no_degenerate_interval(demo_ds, demo_dir, lang):
    """The second reading's N1 (72.4 [71.5, 73.2] % in 2029): the page now gives no interval at all and says why."""
    report, text = _page(demo_ds, MINAHASA, lang, str(demo_dir))
    p = report.projection
    assert p.model_used is None and np.isnan(p.lower_pct) and np.isnan(p.upper_pct)
    assert reason_text(p.reason, lang) in text
    for shown in ("71,5", "73,2", "72,4") if lang == "id" else ("71.5", "73.2", "72.4"):
        assert f"{shown} %" not in text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_thirty_months_are_fitted_unadjusted_and_the_page_says_so(demo_ds, demo_dir, lang):
    """Boalemo's enrolment cut to its last 30 months (2023-07 on), as an imported history that short would be:
    fewer than the 36 months STL needs, so the series is fitted as observed, and the page says so in both the
    model sentence and the organic/funded sentence, never "seasonally adjusted"."""
    e = demo_ds.enrolment
    cut = e[(e["district_code"] != BOALEMO) | (e["month"] >= pd.Timestamp("2023-07-01"))]
    ds = demo_ds.replace({"enrolment": cut})
    report, text = _page(ds, BOALEMO, lang, str(demo_dir))
    p = report.projection
    assert p.months_fitted == 30 and not p.seasonally_adjusted
    note = tf("not_seasonally_adjusted_note", lang, n=fmt_int(30, lang), need=fmt_int(36, lang))
    assert note in text and note in report.model_sentence()
    # the sentence that calls the series seasonally adjusted never appears on this page
    assert ("deret yang disesuaikan musiman yang diteruskan model" if lang == "id"
            else "the seasonally adjusted series the model continues") not in text
    if p.model_used:
        assert ("deret tidak disesuaikan musiman" if lang == "id" else "the series is not seasonally adjusted") in text
