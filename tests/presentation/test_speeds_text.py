"""A text drawn again from what matplotlib's own Agg drawing of it did the first time (ucj.presentation.aggtext,
speeds) gives matplotlib's pixels: the report's charts drawn a second time (their texts replayed) against
savefig (matplotlib's own canvas and renderer); the same text at the same place in another colour; a changed
setting (hinting), after which neither the glyphs kept nor matplotlib's measured texts are used; mathtext, which is not kept; a drawing that did
anything else than blend glyphs, which is not kept; the bound on what is kept."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from PIL import Image

from ucj.presentation import aggtext, export
from ucj.presentation import district as district_report
from ucj.presentation.export import FIGURE_DPI, png_bytes
from ucj.runs.params import validate_params


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _savefig(fig: Figure) -> np.ndarray:
    """matplotlib's own drawing: savefig's canvas and renderer (a new RendererAgg, nothing kept)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI)
    return _pixels(buf.getvalue())


def _renderer(fig: Figure) -> aggtext.ReplayTextRenderer:
    """The kept renderer png_bytes draws this figure on."""
    w, h = fig.get_size_inches() * FIGURE_DPI
    kept = export._RENDERERS.by_size  # noqa: SLF001
    return next(r for (rw, rh, dpi), r in kept.items() if dpi == FIGURE_DPI and (round(rw), round(rh)) == (round(w), round(h)))


@pytest.mark.parametrize("code,lang", [("75.02", "id"), ("71.02", "en"), ("11.01", "en"), ("91.71", "id")])
def test_charts_drawn_again_from_kept_texts_are_matplotlibs_pixels(demo_ds, demo_dir, code, lang):
    report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    replayed = 0
    for name, fig in report.charts.items():
        first = png_bytes(fig)
        renderer = _renderer(fig)
        before = renderer.replayed
        second = png_bytes(fig)
        assert renderer.replayed > before, name  # drawn again from what was kept (the claims chart's layout moves
        replayed += renderer.replayed - before  # some of its texts by a fraction of a pixel: those are drawn anew)
        assert second == first, name
        assert np.array_equal(_pixels(second), _savefig(fig)), (code, lang, name)
    assert replayed >= 25  # tick labels, titles, legends, the stamp


def _text_figure(colour: str, text: str = "Cakupan 12,5 % (2024)") -> Figure:
    fig = Figure(figsize=(3.3, 1.1), dpi=110)
    fig.text(0.1, 0.4, text, color=colour, fontsize=9)
    fig.text(0.1, 0.1, text, color=colour, fontsize=9, alpha=0.5, rotation=3)
    return fig


def test_the_same_text_in_another_colour_is_drawn_in_that_colour():
    red = png_bytes(_text_figure("red"))
    renderer = _renderer(_text_figure("red"))
    before = renderer.replayed
    blue_fig = _text_figure("#0072B2")
    blue = png_bytes(blue_fig)
    assert renderer.replayed - before == 2  # both texts drawn from the red figure's glyphs
    assert np.array_equal(_pixels(blue), _savefig(blue_fig))
    assert not np.array_equal(_pixels(blue), _pixels(red))


def test_a_changed_setting_is_drawn_as_matplotlib_draws_it_then():
    fig = _text_figure("black", "Hinting 0123456789 wxyz")
    plain = png_bytes(fig)
    assert np.array_equal(_pixels(plain), _savefig(fig))
    with matplotlib.rc_context({"text.hinting": "none"}):
        unhinted = png_bytes(fig)
        expected = _savefig(fig)
    assert not np.array_equal(expected, _pixels(plain))  # the setting changes the glyphs: kept ones would be wrong
    assert np.array_equal(_pixels(unhinted), expected)
    assert png_bytes(fig) == plain  # and back


def test_mathtext_is_drawn_by_matplotlib_and_not_kept():
    fig = _text_figure("black", r"$x^2 + \alpha$")
    png_bytes(fig)
    renderer = _renderer(fig)
    assert all(r"\alpha" not in key[0] for key in renderer._texts)  # noqa: SLF001
    assert np.array_equal(_pixels(png_bytes(fig)), _savefig(fig))


def test_a_drawing_that_does_more_than_blend_glyphs_is_not_kept(monkeypatch):
    def other_drawing(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # type: ignore[no-untyped-def]
        self._renderer.clear()  # noqa: SLF001 - anything but draw_text_image

    renderer = aggtext.ReplayTextRenderer(200, 100, 100)
    monkeypatch.setattr(RendererAgg, "draw_text", other_drawing)
    gc = renderer.new_gc()
    renderer.draw_text(gc, 10.0, 50.0, "abc", matplotlib.font_manager.FontProperties(), 0.0)
    assert renderer._texts == {}  # noqa: SLF001


def test_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(aggtext, "MAX_TEXTS", 4)
    renderer = aggtext.ReplayTextRenderer(300, 100, 100)
    gc = renderer.new_gc()
    prop = matplotlib.font_manager.FontProperties()
    for i in range(10):
        renderer.draw_text(gc, 10.0 + i, 50.0, f"t{i}", prop, 0.0)
        renderer.draw_text(gc, 5.0, 80.0, "again", prop, 0.0)  # drawn after each new one: never the oldest
        assert len(renderer._texts) <= 4  # noqa: SLF001
    assert [key[:3] for key in renderer._texts][-2:] == [("t9", 19.0, 50.0), ("again", 5.0, 80.0)]  # noqa: SLF001
    assert renderer.replayed == 9
