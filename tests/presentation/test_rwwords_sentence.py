"""Reader 12, M2 (issue 18): the words for a random walk with drift match the model. The reason no longer says the
data "do not support a lasting trend" (the drift carries the past average change on); the sentence gives the drift
and how long it is carried; a model that passes the residual check only under the seasonally adjusted limit says
its interval may be too narrow. Oracles: statsmodels' ARIMA(0,1,0) with drift on the series the model fits, hand-made
projections and hand-worked dates, and reader 12's own figure for Gorontalo (+0.0998 pp a month, ARIMA(0,1,0) +
drift on the STL-adjusted series, computed without ucj)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from ucj.analysis import projection
from ucj.analysis.projection import ModelFit
from ucj.presentation.district import DistrictReport
from ucj.presentation.i18n import t


def _words(p, lang: str) -> str:  # type: ignore[no-untyped-def]
    page = SimpleNamespace(projection=p, lang=lang)
    for name in ("_nested_sentence", "_model_choice_sentence", "_drift_sentence", "_narrow_residuals_sentence",
                 "_calibration_sentence"):
        setattr(page, name, getattr(DistrictReport, name).__get__(page))
    return DistrictReport.model_sentence(page)  # type: ignore[arg-type]


def _fake(model: str, drift: float, pvalue: float, months: int = 84, remaining: int = 48,
          seasonally_adjusted: bool = True):
    fits = [ModelFit("random_walk", True, params={"drift": drift, "sigma2": 0.01}, residual_pvalue=pvalue)]
    return SimpleNamespace(model_used=model, fits=fits, last_month=pd.Timestamp("2025-12-01"), months_fitted=months,
                           months_remaining=remaining, target_year=2029, residual_pvalue=pvalue,
                           seasonally_adjusted=seasonally_adjusted, choice="choice_default", organic_fitted=True,
                           interval_scale=1.0, holdout_from=())  # not widened (docs/calib.md)


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Its drift is the average monthly change of the series the model fits (the coverage of the participants "
           "without contribution assistance, seasonally adjusted) from 2019-01 to 2025-12, +0.10 pp "
           "a month, carried on for the 48 months to 2029-12: this projection assumes that past average change goes on."),
    ("id", "Drift-nya adalah rata-rata perubahan bulanan deret yang dipakai model (cakupan peserta tanpa bantuan iuran, "
           "disesuaikan musiman) dari 2019-01 sampai 2025-12, "
           "+0,10 poin persen per bulan, dan diteruskan selama 48 bulan hingga 2029-12: proyeksi ini menganggap "
           "perubahan rata-rata masa lalu itu berlanjut.")])
def test_the_drift_sentence_hand_worked(lang, expected):
    """84 months ending 2025-12 start in 2019-01 (by hand: 7 years); 0.0998 rounds to +0.10; 48 months to 2029-12."""
    page = SimpleNamespace(projection=_fake("random_walk", 0.0998, 0.2), lang=lang)
    assert DistrictReport._drift_sentence(page) == " " + expected  # type: ignore[arg-type]
    for other in ("ets_level", "ets_damped", "logistic", None):
        page = SimpleNamespace(projection=_fake(other, 0.0998, 0.2), lang=lang)  # type: ignore[arg-type]
        assert DistrictReport._drift_sentence(page) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_narrow_residual_pass_is_said(lang):
    """p 8e-12 (the national overview's, reader 12: 8.00e-12 with statsmodels' acorr_ljungbox) is below 0.0001,
    the limit for a series fitted as observed: said, with the p; p 0.254 (Boalemo's): nothing."""
    page = SimpleNamespace(projection=_fake("random_walk", -0.02, 8.0e-12), lang=lang)
    s = DistrictReport._narrow_residuals_sentence(page)  # type: ignore[arg-type]
    assert ("p ≈ 8,0 · 10⁻¹²" if lang == "id" else "p ≈ 8.0 · 10⁻¹²") in s
    assert ("mungkin terlalu sempit" if lang == "id" else "may be too narrow") in s
    assert ("0,0001" if lang == "id" else "0.0001") in s
    page = SimpleNamespace(projection=_fake("ets_damped", 0.0, 0.254), lang=lang)
    assert DistrictReport._narrow_residuals_sentence(page) == ""  # type: ignore[arg-type]
    page = SimpleNamespace(projection=_fake(None, 0.0, 1e-20), lang=lang)  # type: ignore[arg-type]
    assert DistrictReport._narrow_residuals_sentence(page) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_words_no_longer_contradict_the_drift(lang):
    """The reason for leaving the damped trend, and the province note on its districts combined."""
    reason = t("reason_ets_damping_low", lang)
    combined = t("districts_combined_note", lang)
    assert "lasting trend" not in reason and "tidak mendukung tren" not in reason
    assert "past growth forward as one trend" not in combined and "pertumbuhan masa lalu" not in combined
    assert ("dengan modelnya sendiri" if lang == "id" else "by its own model") in combined


@pytest.mark.slow
def test_a_random_walk_district_states_the_drift_statsmodels_estimates(demo_ds, random_walk_district):
    """A demo district on the random walk: the drift its sentence gives is statsmodels' ARIMA(0,1,0) with drift
    (trend "t") on the series the model fits (`series_to_fit`), to the two decimals shown; its first month is
    the series' length back from its last."""
    from statsmodels.tsa.arima.model import ARIMA

    code, p = random_walk_district
    y = projection.series_to_fit(demo_ds, code)
    drift = float(ARIMA(y, order=(0, 1, 0), trend="t").fit().params[0])
    start = pd.Timestamp(p.last_month) - pd.DateOffset(months=len(y) - 1)
    shown = f"{'+' if round(drift, 2) > 0 else '−' if round(drift, 2) < 0 else ''}{abs(drift):.2f}"
    en = _words(p, "en")
    assert f"from {start:%Y-%m} to {p.last_month:%Y-%m}, {shown} pp a month" in en, (en, drift)
    id_ = _words(p, "id")
    assert f"dari {start:%Y-%m} sampai {p.last_month:%Y-%m}, {shown.replace('.', ',')} poin persen per bulan" in id_


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_gorontalo_overview_gives_reader_12s_drift(demo_ds, lang):
    """Gorontalo's area projection is a random walk whose drift reader 12 computed without ucj: +0.0998 pp a
    month (shown +0.10), and whose residual p (≈ 7.9 · 10⁻⁸) is below 0.0001: both sentences show."""
    from ucj.analysis.regions import area_figures
    from ucj.presentation.overview import _ModelWords

    area = area_figures(demo_ds, "Gorontalo")
    s = _ModelWords(area.projection, lang).model_sentence()
    assert area.projection.model_used == "random_walk"
    assert ("+0,10 poin persen per bulan" if lang == "id" else "+0.10 pp a month") in s
    assert ("mungkin terlalu sempit" if lang == "id" else "may be too narrow") in s
