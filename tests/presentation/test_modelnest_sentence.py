"""The page's model sentence for the nested models (docs/modelnest.md), in both languages: which model was used
and why, in one plain sentence, from a demo district's real projection."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ucj.analysis import projection
from ucj.presentation.district import DistrictReport


def _sentence(p, lang: str) -> str:  # type: ignore[no-untyped-def]
    page = SimpleNamespace(projection=p, lang=lang)
    page._nested_sentence = lambda: DistrictReport._nested_sentence(page)  # type: ignore[attr-defined]
    return DistrictReport._model_choice_sentence(page)  # type: ignore[arg-type]


@pytest.mark.parametrize("model", ["random_walk", "ets_level"])
def test_nested_model_sentence_in_both_languages(demo_ds, model: str) -> None:  # type: ignore[no-untyped-def]
    for code in sorted(demo_ds.targets["district_code"].unique()):
        p = projection.project_district(demo_ds, code)
        if p.model_used == model:
            break
    else:
        pytest.fail(f"no demo district uses {model}")
    damped = next(f for f in p.fits if f.model == "ets_damped")
    assert damped.rejection == "reason_ets_damping_low(value=0.80)"  # the demo's usual case
    en, id_ = _sentence(p, "en"), _sentence(p, "id")
    assert en.count(". ") == 0 and en.endswith(".") and id_.count(". ") == 0 and id_.endswith(".")
    # reader 12, M2: not "the data do not support a lasting trend", which the drift then carries on
    assert "damping sat at its lower limit (0.8), so how fast the trend fades cannot be estimated from these data" in en
    assert ("peredam tren model ETS berada di batas bawahnya (0,8), sehingga seberapa cepat tren melemah tidak dapat "
            "diperkirakan dari data ini") in id_
    assert "lasting trend" not in en and "tidak mendukung tren" not in id_
    if model == "random_walk":
        assert en.startswith("The projection uses the random walk with drift")
        assert "the level moves as a random walk" in en
        # each reason names its own model (reader 7, N6): the level's smoothing belongs to the level-only fit
        assert ("in the damped-trend ETS, the damped trend's damping sat at its lower limit (0.8)" in en
                and ", and in the level without trend (simple exponential smoothing, ETS(A,N,N)), the level's "
                    "smoothing sat at its upper limit (1)" in en)
        assert ("pada model ETS tren teredam, peredam tren" in id_
                and ", dan pada model level tanpa tren (pemulusan eksponensial sederhana, ETS(A,N,N)), pemulusan "
                    "level berada di batas atasnya (1)" in id_)
        assert id_.startswith("Proyeksi memakai model langkah acak dengan drift")
        assert "level bergerak sebagai langkah acak" in id_
    else:
        assert en.startswith("The projection uses the level without trend (simple exponential smoothing")
        assert "random walk" not in en
        assert id_.startswith("Proyeksi memakai model level tanpa tren")
    assert "logistic" in en and "logistik" in id_.lower()
