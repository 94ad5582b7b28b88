"""An Agg renderer that draws a text it has drawn before at the same place by repeating what matplotlib's own
`draw_text` did the first time: the same glyph images blended at the same pixels with this drawing's colour.

matplotlib's Agg `draw_text` lays the string out with FreeType and renders each glyph (at 220 dpi about 40 us a
glyph; a district's coverage chart has about 330 glyphs in its tick labels, legend, title and stamp), then
blends each glyph's coverage image into the canvas with `draw_text_image`. Given the same string, font, size,
angle, antialiasing and position (the exact floats), the glyph images and their pixel positions are the same,
so the first drawing's calls are kept (the images copied) and later drawings make exactly those calls again,
with their own graphics context (colour, alpha, clip). Most of a fixed-place chart's texts (tick labels,
legend, stamp) sit at the same place in every district's chart. docs/speeds.md.

Nothing of matplotlib's code is repeated here: the first drawing is matplotlib's `draw_text` itself, its calls
to the C renderer (`RendererAgg._renderer`) seen through a recorder. A text whose drawing does anything else
than `draw_text_image` (mathtext's boxes, a future matplotlib drawing otherwise) is not kept, and is drawn by
matplotlib each time. What is kept belongs to one renderer and is dropped when matplotlib's settings (rcParams)
or its font list change (tests/presentation/test_speeds_text.py compares against matplotlib's own renderer)."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg

# Texts kept per renderer, the least recently drawn dropped first (half of them at a time). A report's charts
# draw about 60 texts, most of them again in the next report; a district's titles and the claims chart's labels
# (placed by its layout) are new each time. A text is its glyph images, about 0.5 kB a glyph at 220 dpi:
# at most about 15 MB per renderer.
MAX_TEXTS = 1024


class _Recorder:
    """Stands in for matplotlib's C renderer while `draw_text` runs: passes every call on, keeps the glyph
    images drawn, and notes whether anything else was called."""

    __slots__ = ("real", "calls", "other")

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[np.ndarray, Any, Any, Any]] = []
        self.other = False

    def draw_text_image(self, image: Any, x: Any, y: Any, angle: Any, gc: Any) -> Any:
        self.calls.append((np.array(image, copy=True), x, y, angle))
        return self.real.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name: str) -> Any:  # anything else: passed on, and the text is not kept
        self.other = True
        return getattr(self.real, name)


def _fonts() -> tuple[int, int, int]:
    """matplotlib's font list, as far as a kept text's glyphs depend on it: which manager, how many fonts."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    return (id(manager), len(manager.ttflist), len(manager.afmlist))


class Settings:
    """matplotlib's settings (rcParams) and font list as they stood when made; `changed()` says whether they changed
    since (a comparison of two dicts). What is kept from one drawing to the next (a renderer's glyphs, a chart's figure
    and its ticks: ucj.presentation.plots.FigurePool) was made under them and is dropped when they change."""

    __slots__ = ("rc", "fonts")

    def __init__(self) -> None:
        self.rc = dict.copy(matplotlib.rcParams)  # the settings as stored (no validation on reading)
        self.fonts = _fonts()

    def changed(self) -> bool:
        if _fonts() != self.fonts:
            return True
        try:
            return not dict.__eq__(matplotlib.rcParams, self.rc)
        except (TypeError, ValueError):  # a setting whose comparison is not a bool (an array): taken as changed
            return True


class ReplayTextRenderer(RendererAgg):
    """matplotlib's Agg renderer, drawing a text again from what its first drawing at the same place did. It
    serves one state of matplotlib's settings: whoever keeps it asks `settings_changed()` before a drawing and
    makes a new renderer if so (which also starts matplotlib's own cache of measured texts afresh)."""

    def __init__(self, width: float, height: float, dpi: float) -> None:
        super().__init__(width, height, dpi)
        self._texts: dict[tuple[object, ...], list[tuple[np.ndarray, Any, Any, Any]]] = {}
        self._settings = Settings()
        self._heights: dict[tuple[object, ...], tuple[float | None, float | None, float | None]] = {}
        self.replayed = 0  # texts drawn from what was kept (for the tests)

    def settings_changed(self) -> bool:
        """Whether matplotlib's settings or fonts changed since this renderer was made."""
        return self._settings.changed()

    def _get_font_height_metrics(self, prop):  # type: ignore[no-untyped-def]
        """A font's ascent, descent and line gap in pixels, as `Text._get_layout` reads them from the font's tables
        for every text it lays out (each time looking the font up: `findfont` and its key of eleven settings,
        `get_font`, two tables read; about 5 % of a chart's drawing), here read once per font and size.

        matplotlib asks a renderer that has this method (its PDF and PostScript renderers answer from AFM
        metrics) and reads the tables itself when the answer is None. The values are what its reading gives:
        the OS/2 table's typographic ascender, descender and line gap, else the hhea table's, in font units
        scaled by the size in points and the resolution (`_font_height_metrics`); tests/presentation/
        test_chartz_metrics.py compares each text's layout with matplotlib's own on a renderer without this
        method. The resolution is this renderer's, which is its figure's: the canvas picks the renderer by the
        figure's size and resolution (`ucj.presentation.export._canvas_class`). Kept per renderer, which serves
        one state of matplotlib's settings and font list."""
        key = (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
               prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())
        metrics = self._heights.get(key)
        if metrics is None:
            metrics = self._heights[key] = _font_height_metrics(prop, self.dpi)
        return metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # type: ignore[no-untyped-def]
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = (s, float(x), float(y), float(angle), bool(gc.get_antialiased()), float(self.dpi), float(self.height),
               tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
               prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily(),
               _features(mtext), _language(mtext))
        calls = self._texts.pop(key, None)
        real = self._renderer
        if calls is not None:
            self._texts[key] = calls  # now the most recently drawn
            for image, cx, cy, cangle in calls:
                real.draw_text_image(image, cx, cy, cangle, gc)
            self.replayed += 1
            return None
        recorder = _Recorder(real)
        self._renderer = recorder
        try:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        finally:
            self._renderer = real
        if not recorder.other:
            if len(self._texts) >= MAX_TEXTS:
                for old in list(self._texts)[: MAX_TEXTS // 2]:
                    del self._texts[old]
            self._texts[key] = recorder.calls
        return None


# The font tables Text._get_layout reads a font's height from, the first present (matplotlib 3.11): (table, line gap,
# ascent, descent).
_HEIGHT_TABLES = (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"), ("hhea", "lineGap", "ascent", "descent"))


def _font_height_metrics(prop: Any, dpi: float) -> tuple[float | None, float | None, float | None]:
    """(ascent, descent, line gap) in pixels at `dpi` of the font matplotlib picks for `prop`, scaled as
    `Text._get_layout` scales them (the same operations in the same order, so the same floats); (None, None, None)
    when the font has neither table (matplotlib then measures a text instead)."""
    from matplotlib import font_manager

    font = font_manager.get_font(font_manager.fontManager._find_fonts_by_props(prop))  # noqa: SLF001 - as _get_layout
    for name, gap_key, ascent_key, descent_key in _HEIGHT_TABLES:
        table = font.get_sfnt_table(name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


def _features(mtext: Any) -> object:
    get = getattr(mtext, "get_fontfeatures", None)
    features = get() if get is not None else None
    return tuple(features) if features is not None else None


def _language(mtext: Any) -> object:
    get = getattr(mtext, "get_language", None)
    language = get() if get is not None else None
    if isinstance(language, list):  # [(language, start, end), ...]
        return tuple(tuple(part) if isinstance(part, list) else part for part in language)
    return language
