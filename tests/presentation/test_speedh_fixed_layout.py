"""The district's coverage and poverty charts drawn at a fixed place (speedh) give the PNG that matplotlib's
constrained layout gives the same chart, byte for byte, for districts across the country in both languages;
a chart whose labels would not fit there is drawn by constrained layout instead, and is then that PNG too."""

from __future__ import annotations

import pandas as pd
import pytest

from ucj.presentation import district as report_module
from ucj.presentation.export import png_bytes
from ucj.presentation.plots import FixedLayoutFigure, poverty_figure
from ucj.runs.params import validate_params


def _constrained(fig: FixedLayoutFigure) -> bytes:
    """The chart as a figure made with constrained layout draws it (the layout the fixed place was measured from)."""
    fig.relayout()
    return png_bytes(fig)


@pytest.fixture(scope="module")
def peer_tables(demo_ds):  # type: ignore[no-untyped-def]
    return report_module.PeerTables(demo_ds)


# a spread of provinces (Aceh, West Java, Jakarta's cities, Bali, Papua) and Minahasa (potensi pekerja target)
@pytest.mark.parametrize("code,lang", [("11.01", "id"), ("32.04", "en"), ("31.71", "id"), ("51.71", "en"),
                                       ("91.71", "en"), ("71.02", "id"), ("75.02", "en")])
def test_fixed_place_draws_the_constrained_layouts_png(demo_ds, demo_dir, peer_tables, code, lang):
    params = validate_params(code, "", "", -1.0, -1, lang, str(demo_dir), registry=demo_ds.registry)
    fixed = report_module.build(demo_ds, params, comparison=peer_tables)
    again = report_module.build(demo_ds, params, comparison=peer_tables)
    for name in ("coverage", "poverty"):
        fig = fixed.charts[name]
        assert isinstance(fig, FixedLayoutFigure)
        png = png_bytes(fig)
        assert fig.get_layout_engine() is None  # drawn at its fixed place, not laid out again
        assert png == _constrained(again.charts[name]), (code, lang, name)


def _wide_poverty(scale: float) -> FixedLayoutFigure:
    years = pd.DataFrame({"year": [2019, 2020, 2021, 2022], "p0": [10.0, 12.5, 11.0, 9.5]})
    series = {"Kabupaten Contoh": years.assign(p0=years["p0"] * scale), "Provinsi": years, "Nasional": years}
    return poverty_figure(series, "id", True, "P0")  # type: ignore[return-value]


def test_a_chart_whose_labels_do_not_fit_is_laid_out_by_constrained_layout():
    fig = _wide_poverty(1e9)  # y tick labels like "12.000.000.000,0 %": far wider than the fixed left margin
    png = png_bytes(fig)
    assert fig.get_layout_engine() is not None  # fell back
    assert png == _constrained(_wide_poverty(1e9))
    assert fig.axes[0].get_position().x0 > 0.2  # the axes moved right to make room for the labels
    fits = _wide_poverty(1.0)
    png_bytes(fits)
    assert fits.get_layout_engine() is None


@pytest.mark.parametrize("synthetic", [True, False])  # real data: no stamp in the title row
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("scale", [0.3, 1.0, 3.0])  # P0 about 3 %, 10 %, 35 %
def test_fixed_place_for_real_data_and_other_poverty_levels(synthetic, lang, scale):
    from ucj.presentation.i18n import t

    years = pd.DataFrame({"year": [2019, 2020, 2021, 2022, 2023, 2024], "p0": [10.0, 12.5, 11.0, 9.5, 9.0, 8.7]})
    series = {"Kabupaten Contoh": years.assign(p0=years["p0"] * scale), "Provinsi": years.assign(p0=years["p0"] * 1.1),
              "Nasional": years}
    fixed = poverty_figure(series, lang, synthetic, t("p0", lang))
    laid_out = poverty_figure(series, lang, synthetic, t("p0", lang))
    assert png_bytes(fixed) == _constrained(laid_out)  # type: ignore[arg-type]
    assert fixed.get_layout_engine() is None
