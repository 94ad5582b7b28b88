"""The kept Agg renderer answers matplotlib's question of a font's height (ascent, descent, line gap) from what it
read before for the same font and size (aggtext.ReplayTextRenderer._get_font_height_metrics, chartz): every text of
the report's charts is laid out as matplotlib lays it out on its own renderer, which reads the font's tables itself;
texts that differ in any one font property, drawn one after another on one renderer, each get their own font's
height; and a chart drawn after a changed setting is what savefig draws under it."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from ucj.presentation import aggtext
from ucj.presentation import district as district_report
from ucj.presentation.export import FIGURE_DPI, png_bytes
from ucj.runs.params import validate_params


def _texts(fig: Figure) -> list[Text]:
    return [a for a in fig.findobj(Text) if a.get_text()]


def _layouts(texts: list[Text], renderer: RendererAgg) -> list[object]:
    out = []
    for text in texts:
        bbox, lines, descent = text._get_layout(renderer)  # noqa: SLF001 - what drawing and measuring use
        out.append((bbox.bounds, [(s, wad, xy) for s, wad, xy in lines], descent))
    return out


@pytest.mark.parametrize("code,lang", [("75.02", "id"), ("71.02", "en"), ("91.71", "id")])
def test_chart_texts_laid_out_as_matplotlib_lays_them_out(demo_ds, demo_dir, code, lang):
    report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    for name, fig in report.charts.items():
        png_bytes(fig)  # drawn: its ticks made and labelled, its layout placed
        fig.set_dpi(FIGURE_DPI)
        w, h = fig.bbox.size
        kept, plain = aggtext.ReplayTextRenderer(w, h, FIGURE_DPI), RendererAgg(w, h, FIGURE_DPI)
        assert not hasattr(plain, "_get_font_height_metrics")  # matplotlib reads the font's tables itself
        texts = _texts(fig)
        assert len(texts) >= 8, name  # tick labels, title, stamp, legend
        first = _layouts(texts, kept)
        assert first == _layouts(texts, plain), (code, lang, name)
        assert _layouts(texts, kept) == first  # from what was kept: the same
        assert kept._heights  # noqa: SLF001 - the heights were answered by the kept renderer


def _varied() -> list[dict[str, object]]:
    """Font properties each differing from the first in one respect; matplotlib's fonts of different height among
    them (DejaVu's faces share one height, Computer Modern's and STIX's differ from it and from each other)."""
    cmb10 = next(f.fname for f in matplotlib.font_manager.fontManager.ttflist if f.fname.endswith("cmb10.ttf"))
    return [dict(size=9), dict(size=7), dict(size=11), dict(size=9, weight="bold"), dict(size=9, style="italic"),
            dict(size=9, family="serif"), dict(size=9, family="cmr10"), dict(size=9, family="STIXGeneral"),
            dict(size=9, family="DejaVu Sans Light"), dict(size=9, stretch="condensed"),
            dict(size=9, variant="small-caps"), dict(size=9, fname=cmb10), dict(size=9, math_fontfamily="cm")]


def test_each_font_property_has_its_own_height():
    fig = Figure(figsize=(4, 3), dpi=FIGURE_DPI)
    texts = [fig.text(0.1, 0.05 + 0.08 * i, "Cakupan\nlp 12,5 %", fontproperties=matplotlib.font_manager.
                      FontProperties(**props)) for i, props in enumerate(_varied())]
    w, h = fig.bbox.size
    kept = aggtext.ReplayTextRenderer(w, h, FIGURE_DPI)
    for text in [*texts, *reversed(texts)]:  # each after every other one, in both orders
        assert _layouts([text], kept) == _layouts([text], RendererAgg(w, h, FIGURE_DPI))
    heights = {kept._get_font_height_metrics(t.get_fontproperties()) for t in texts}  # noqa: SLF001
    assert len(heights) >= 6  # three sizes of DejaVu; Computer Modern, STIX, DejaVu Light, cmb10 by its file


def test_heights_at_the_renderers_resolution():
    prop = matplotlib.font_manager.FontProperties(size=9)
    low, high = aggtext.ReplayTextRenderer(100, 100, 72), aggtext.ReplayTextRenderer(100, 100, 144)
    a_low, d_low, g_low = low._get_font_height_metrics(prop)  # noqa: SLF001
    a_high, d_high, g_high = high._get_font_height_metrics(prop)  # noqa: SLF001
    assert a_high == pytest.approx(2 * a_low) and d_high == pytest.approx(2 * d_low) and g_high == pytest.approx(2 * g_low)
    # DejaVu Sans's OS/2 typographic ascender and descender are 1556 and -492 units of 2048 to the em: at 9 pt, 72 dpi
    assert (a_low, d_low) == pytest.approx((1556 / 2048 * 9, 492 / 2048 * 9))


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_changed_setting_is_savefigs(demo_ds, demo_dir):
    report = district_report.build(demo_ds, validate_params("75.02", lang="en", data_dir=str(demo_dir)))
    fig = report.charts["coverage"]
    png_bytes(fig)  # heights kept for the default font
    with matplotlib.rc_context({"font.family": "serif"}):
        data = png_bytes(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=FIGURE_DPI)
        assert np.array_equal(_pixels(data), _pixels(buf.getvalue()))
