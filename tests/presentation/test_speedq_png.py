"""The charts' PNG written by ucj's own encoder (unfiltered rows in one zlib stream, speedq) is the picture the
old way wrote: decoded by Pillow, every pixel, the resolution and the text chunk equal what Pillow's encoder
makes of the same Agg drawing, written out here as png_bytes did before; hand-made images of odd sizes and
incompressible noise decode to their own bytes; the opaque test equals the plain rule (every alpha is 255)."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image, PngImagePlugin

from ucj.presentation import district
from ucj.presentation.export import FIGURE_DPI, PNG_COMPRESS_LEVEL, opaque, png_bytes, png_rgb
from ucj.runs.params import validate_params


def _old_way(fig: Figure) -> bytes:
    """png_bytes before speedq: matplotlib's Agg canvas at FIGURE_DPI, the RGB image by Pillow, Pillow's encoder."""
    dpi, canvas = fig.dpi, fig.canvas
    try:
        agg = FigureCanvasAgg(fig)
        fig.set_dpi(FIGURE_DPI)
        agg.draw()
        image = Image.fromarray(np.array(agg.buffer_rgba())[..., :3].copy(), "RGB")
    finally:
        fig.set_dpi(dpi)
        fig.set_canvas(canvas)
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/")
    buf = io.BytesIO()
    image.save(buf, format="png", dpi=(FIGURE_DPI, FIGURE_DPI), pnginfo=info, compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def _decoded(data: bytes) -> Image.Image:
    Image.open(io.BytesIO(data)).verify()  # every chunk's CRC and the stream's end checked by Pillow
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("code,lang", [("75.02", "id"), ("71.02", "en"), ("31.71", "en")])
def test_report_charts_are_the_old_ways_picture(demo_ds, demo_dir, code, lang):
    report = district.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    assert set(report.charts) == {"coverage", "claims", "poverty"}
    for name, fig in report.charts.items():
        ours, old = png_bytes(fig), _old_way(fig)
        assert ours != old  # another encoding: the test below compares what a reader sees
        a, b = _decoded(ours), _decoded(old)
        assert (a.mode, a.size, a.info.get("dpi"), a.text) == (b.mode, b.size, b.info.get("dpi"), b.text), name
        assert np.array_equal(np.asarray(a), np.asarray(b)), name
        assert len(ours) < 1.05 * len(old), (name, len(ours), len(old))  # no bigger files to speak of


@pytest.mark.parametrize("width,height", [(1, 1), (7, 3), (3, 7), (640, 480)])
def test_png_rgb_decodes_to_its_own_bytes(width, height):
    rng = np.random.default_rng(width * 1000 + height)
    noise = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)  # incompressible
    flat = np.full((height, width, 3), 255, np.uint8)
    flat[height // 2:, : max(1, width // 3)] = (0, 114, 178)  # a bar on white, as a chart's
    for pixels in (noise, flat):
        for level in (0, 1, PNG_COMPRESS_LEVEL, 9):
            image = _decoded(png_rgb(pixels.tobytes(), width, height, 220, {"Software": "x y", "Comment": "é"},
                                     level))
            assert image.mode == "RGB" and image.size == (width, height)
            assert np.array_equal(np.asarray(image), pixels)
            assert image.text == {"Software": "x y", "Comment": "é"}
            assert image.info["dpi"] == pytest.approx((220, 220), abs=0.02)  # 8661 pixels a metre


def test_png_rgb_resolution_as_pillow_writes_it():
    pixels = np.zeros((2, 3, 3), np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="png", dpi=(FIGURE_DPI, FIGURE_DPI))
    assert _decoded(png_rgb(pixels.tobytes(), 3, 2, FIGURE_DPI, {})).info["dpi"] == _decoded(buf.getvalue()).info["dpi"]


def test_opaque_is_every_alpha_255():
    rng = np.random.default_rng(3)
    cases = [np.full((4, 5, 4), 255, np.uint8)]
    for alpha in (0, 1, 127, 254):
        a = np.full((4, 5, 4), 255, np.uint8)
        a[2, 3, 3] = alpha  # one pixel not opaque, its colour white
        cases.append(a)
    b = rng.integers(0, 256, size=(6, 7, 4), dtype=np.uint8)
    b[..., 3] = 255  # opaque, any colour (a colour byte of 255 next to a lower alpha must not pass)
    cases.append(b)
    c = b.copy()
    c[0, 0] = (255, 255, 255, 0)
    cases.append(c)
    cases.append(rng.integers(0, 256, size=(6, 7, 4), dtype=np.uint8))
    cases.append(np.ascontiguousarray(b[:, ::-1]))  # another memory order
    cases.append(b[:, ::2])  # a strided view
    for a in cases:
        assert opaque(a) == bool((a[..., 3] == 255).all())
    assert [opaque(a) for a in cases[:6]] == [True, False, False, False, False, True]


def test_a_figure_with_a_transparent_pixel_keeps_pillows_rgba():
    fig = Figure(figsize=(2, 1), dpi=110, facecolor="white")
    ax = fig.add_subplot()
    ax.plot([0, 1], [1, 0])
    ax.set_facecolor((1, 1, 1, 0.5))
    fig.patch.set_alpha(0.99)
    image = _decoded(png_bytes(fig))
    assert image.mode == "RGBA" and (np.asarray(image)[..., 3] < 255).any()
