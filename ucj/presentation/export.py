"""Writing what sits beside each report: code-free HTML, Excel tables, PNG figures and key-figure JSON
(the index of a batch is ucj.runs.index_page). Every file is written to a temporary name and renamed."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ucj.presentation.tables import Shown

from ucj.presentation.i18n import Lang, t, tf
from ucj.core.config import stylesheet

NOTEBOOK_ONLY_TAG = "notebook-only"
# Figures are drawn at this resolution: a figure 7 inches wide or more prints across the A4 text
# column (186 mm) at 200 dpi or more; on screen page.css shows it at its size in inches.
FIGURE_DPI = 220
# zlib level of the charts' PNG files (an RGB chart at 3 is about the size savefig's RGBA gives at 6; docs/speedd.md;
# unfiltered, a little smaller still: docs/speedq.md)
PNG_COMPRESS_LEVEL = 3

# The code-free page: nbconvert's lab template without what it loads from the internet (require.js,
# MathJax, Mermaid and the widget manager, all from a CDN, none of which a report uses), so a report
# opens offline with nothing missing.
PAGE_TEMPLATE = "ucj_report.html.j2"
PAGE_TEMPLATE_TEXT = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def png_bytes(figure: object) -> bytes:
    """A matplotlib figure as PNG bytes at FIGURE_DPI (shown inline in the page and saved beside the report).

    The pixels are what `savefig(format="png", dpi=FIGURE_DPI)` draws (tests/presentation/
    test_speedb_figures.py and test_speedd_steady.py), drawn once instead of twice: savefig draws a figure with
    a layout engine once to place it and again to paint it; the Agg canvas's own draw places and paints in
    one pass. An opaque figure (every chart: white background) is written as RGB, not RGBA (a quarter of the
    data is an alpha channel that is 255 everywhere), by `png_rgb`: unfiltered rows at zlib level
    PNG_COMPRESS_LEVEL, the same pixels in fewer bytes and under half the time of Pillow's encoder
    (docs/speedq.md). A figure that is not opaque is written as RGBA by Pillow, as savefig writes it."""
    import io

    import numpy as np
    from PIL import Image, PngImagePlugin

    from ucj.presentation.plots import FixedLayoutFigure

    canvas, dpi = figure.canvas, figure.dpi  # type: ignore[attr-defined]
    try:
        agg = _canvas_class()(figure)
        figure.set_dpi(FIGURE_DPI)  # type: ignore[attr-defined]
        if figure.get_layout_engine() is not None and not isinstance(figure, FixedLayoutFigure):  # type: ignore[attr-defined]
            # a layout engine's chart (the claims chart) is placed first, as savefig places it: one pass does not
            # always settle constrained layout (Minahasa's claims chart, whose last tick label reaches the edge,
            # moved a bar's end by a pixel; reader 15, R15-1's demo). A fixed-place chart drawn again with
            # constrained layout keeps its one pass, the layout its fixed place was measured from (docs/speedh.md).
            # savefig's first pass is a whole drawing with nothing painted, of which only the layout moves anything
            # the second pass reads: the layout alone places the axes where savefig's does (docs/speeds.md)
            figure.get_layout_engine().execute(figure)  # type: ignore[attr-defined]
        agg.draw()
        rgba = np.asarray(agg.buffer_rgba())
        height, width = rgba.shape[:2]
        if opaque(rgba):
            # the RGB bytes, the alpha channel dropped by Pillow's unpacker in C (a fraction of numpy's strided
            # copy of three planes)
            rgb = Image.frombuffer("RGB", (width, height), rgba, "raw", "RGBX", 0, 1).tobytes("raw", "RGB")
            return png_rgb(rgb, width, height, FIGURE_DPI, {"Software": _software()})
        image = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    finally:
        figure.set_dpi(dpi)  # type: ignore[attr-defined]
        figure.set_canvas(canvas)  # type: ignore[attr-defined]
    info = PngImagePlugin.PngInfo()  # the text chunk savefig writes
    info.add_text("Software", _software())
    buf = io.BytesIO()
    image.save(buf, format="png", dpi=(FIGURE_DPI, FIGURE_DPI), pnginfo=info, compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


class Charts(Mapping):  # type: ignore[type-arg]
    """A report's charts by name. Each is made as a matplotlib Figure of its own when asked for (`charts[name]`,
    kept), or, for its PNG alone (`png`), on this thread's figure of its kind (plots.FigurePool), taken back
    afterwards: no report's figure is another's, and a PNG is the same either way."""

    def __init__(self) -> None:
        self._recipes: dict[str, tuple[Callable[..., Figure], tuple[object, ...], dict[str, object]]] = {}
        self._figures: dict[str, Figure] = {}
        self._stamped: dict[str, bool] = {}

    def add(self, name: str, make: Callable[..., Figure], *args: object, **kwargs: object) -> None:
        """The chart `name` is `make(*args, **kwargs)` (a chart function of ucj.presentation.plots)."""
        self._recipes[name] = (make, args, kwargs)
        self._figures.pop(name, None)

    def __setitem__(self, name: str, fig: Figure) -> None:
        self._recipes[name] = (lambda: fig, (), {})
        self._figures[name] = fig

    def __getitem__(self, name: str) -> Figure:
        if name not in self._figures:
            make, args, kwargs = self._recipes[name]
            self._figures[name] = make(*args, **kwargs)
        return self._figures[name]

    def __contains__(self, name: object) -> bool:
        return name in self._recipes

    def __iter__(self) -> Iterator[str]:
        return iter(self._recipes)

    def __len__(self) -> int:
        return len(self._recipes)

    def png(self, name: str) -> bytes:
        """The chart as PNG bytes (`png_bytes`): its figure's, when it was asked for, else drawn on this thread's
        figure of its kind."""
        from ucj.presentation import plots

        if name in self._figures:
            return png_bytes(self._figures[name])
        make, args, kwargs = self._recipes[name]
        pool = plots.figure_pool()
        before, plots._POOL.active = getattr(plots._POOL, "active", None), pool  # noqa: SLF001 - _new takes from it
        try:
            fig = make(*args, **kwargs)
        except BaseException:
            pool.drop_lent()
            raise
        finally:
            plots._POOL.active = before  # noqa: SLF001
        try:
            self._stamped[name] = plots.stamped(fig)
            data = png_bytes(fig)
        except BaseException:
            pool.drop_lent()
            raise
        pool.give_back()
        return data

    def stamped(self, name: str) -> bool:
        """Whether the chart carries the synthetic-data stamp (`plots.stamped`), as drawn."""
        from ucj.presentation.plots import stamped

        if name not in self._figures and name in self._stamped:
            return self._stamped[name]
        return stamped(self[name])


def _software() -> str:
    """The Software text savefig writes into a PNG."""
    import matplotlib

    return f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"


def opaque(rgba: object) -> bool:
    """Whether every pixel of an (height, width, 4) uint8 RGBA array has alpha 255: read four bytes at a time
    as a little-endian integer, whose top byte is the alpha (a third of the time of comparing the strided alpha
    plane)."""
    import numpy as np

    return bool((np.ascontiguousarray(rgba).view("<u4") >= 0xFF000000).all())


def png_rgb(rgb: bytes, width: int, height: int, dpi: int, text: dict[str, str],
            level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """An 8-bit RGB PNG of `rgb` (rows top to bottom, 3 bytes a pixel): the header, the resolution and the text
    chunks in the order Pillow writes them, then every row unfiltered (PNG filter type 0) in one zlib stream.

    Written here rather than by Pillow for speed: Pillow tries four PNG filters on every row and keeps the
    one it guesses compresses best, which is most of its time on a chart (about 60 %); a chart's flat colours
    compress as well or better unfiltered (about 6 % fewer bytes at the same level). Checked against Pillow's
    decoder, pixel for pixel (tests/presentation/test_speedq_png.py)."""
    import struct
    import zlib

    import numpy as np

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = np.empty((height, 1 + 3 * width), np.uint8)
    rows[:, 0] = 0  # each row's filter type: none
    rows[:, 1:] = np.frombuffer(rgb, np.uint8).reshape(height, 3 * width)
    per_metre = int(dpi / 0.0254 + 0.5)  # pixels a metre, rounded as Pillow rounds them
    return b"".join([b"\x89PNG\r\n\x1a\n",
                     chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),  # 8 bits, RGB
                     *(chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
                       for key, value in text.items()),
                     chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),  # unit: the metre
                     chunk(b"IDAT", zlib.compress(rows, level)),
                     chunk(b"IEND", b"")])


_RENDERERS = threading.local()  # this thread's Agg renderers by (width, height, dpi): at most a few sizes


@functools.cache
def _canvas_class() -> type:
    """An Agg canvas that draws on this thread's renderer of the figure's size, kept from one report to
    the next: matplotlib caches each text's measured size per renderer, so the tick labels, titles and
    legends a report shares with the previous one are measured once, and the renderer draws a text it drew
    before at the same place from that drawing's glyphs (ucj.presentation.aggtext). A renderer is cleared
    before each drawing, so nothing drawn carries over (the A, B, A test in test_speedb_figures.py), and
    replaced when matplotlib's settings change (test_speeds_text.py)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from ucj.presentation.aggtext import ReplayTextRenderer

    class SharedRendererCanvas(FigureCanvasAgg):
        def get_renderer(self):  # type: ignore[no-untyped-def]
            w, h = self.figure.bbox.size
            key = (w, h, self.figure.dpi)
            kept = getattr(_RENDERERS, "by_size", None)
            if kept is None:
                kept = _RENDERERS.by_size = {}
            renderer = kept.get(key)
            if renderer is None or renderer.settings_changed():  # a renderer serves one state of matplotlib's
                if len(kept) >= 4:  # settings: its kept glyphs and matplotlib's measured texts belong to it
                    kept.clear()
                renderer = kept[key] = ReplayTextRenderer(w, h, self.figure.dpi)
            self.renderer = renderer
            return self.renderer

    return SharedRendererCanvas


def write_key_figures(path: Path, key: dict[str, object]) -> Path:
    from ucj.core.files import write_json

    write_json(path, key)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    from ucj.core.files import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_tables_xlsx(path: Path, tables: dict[str, Shown], lang: Lang, synthetic: list[str],
                      key: dict[str, object], stamp: str = "", subject: str | None = None,
                      table_status: dict[str, str] | None = None, parameters: str = "",
                      table_notes: dict[str, str] | None = None, empty_reasons: dict[str, str] | None = None,
                      sheet_notes: dict[str, list[str]] | None = None, banner: str = "") -> Path:
    """One sheet per table, named in the report's language, with localised headers and numbers kept as
    numbers (number format by kind), plus a notes sheet with the stamp. Text is never a formula.
    `subject` names what the report is about (default: the district in `key`); `table_status` labels each
    table real, synthetic or partly synthetic on the notes sheet (default: the `synthetic` list); `parameters`,
    the report's parameters as its page prints them (data folders relative to the report), go there too.
    `table_notes` ({table: sentence}) give a table's period and rows on the notes sheet where the key figures'
    `table_periods` do not; a table without rows gets the sentence of `empty_reasons` saying why (else the
    catalogue's general one) under its headers, never headers alone. `sheet_notes` (table name -> lines): the
    page's sentences that explain a sheet's figures, each beside the sheet's name (a sheet present in `tables`
    only). `banner`: the page's synthetic-data banner when it is not the catalogue's general one."""
    from ucj.presentation.xlsx import FastBook, sheet_title

    about = subject or f"{key.get('district_name')} ({key.get('district_code')})"
    notes: list[list[object]] = [[t("report_title", lang) if subject is None else t("overview_report", lang), about],
                                 [t("last_period", lang), str(key.get("last_period"))]]
    if synthetic:
        notes.insert(0, ["!", banner or t("synthetic_banner", lang)])
    if table_status:  # each table labelled as it is: real, synthetic, or partly synthetic (column by column)
        for status in ("synthetic", "partly_synthetic", "real"):
            names = [n for n, s in table_status.items() if s == status]
            if names:
                notes.append([t(status, lang), ", ".join(t(f"table.{n}", lang) for n in names)])
    elif synthetic:
        notes.append([t("synthetic", lang), ", ".join(t(f"table.{n}", lang) for n in synthetic)])
    if parameters:
        notes.append([t("parameters", lang), parameters])
    for line in key.get("budget_plan_text") or []:  # type: ignore[union-attr]
        notes.append([t("budget_plan", lang), str(line)])  # the budget plan's rule and notes, as the page words them
    if stamp:
        notes.append([t("generated_at", lang), stamp])
    for name in (key.get("table_periods") or {}):  # type: ignore[union-attr]
        from ucj.presentation.i18n import table_period_text

        text = table_period_text(name, key, lang)  # the page's period line (each claim rate's, each peer column's)
        notes.append([t(f"sheet.{name}", lang), text])  # every sheet's period
    for name, note in (table_notes or {}).items():
        if name in tables:
            notes.append([t(f"sheet.{name}", lang), note])
    if key.get("period_rule_text"):
        notes.append([t("period", lang), str(key["period_rule_text"])])
    for name, lines in (sheet_notes or {}).items():
        if name in tables:
            notes.extend([t(f"sheet.{name}", lang), line] for line in lines)
    book = FastBook(path)  # XlsxWriter: the cells openpyxl's write_rows / write_shown give, in half the time
    taken: set[str] = set()
    ws = book.sheet(sheet_title(t("sheet.notes", lang), taken))
    book.rows(ws, [t("data_notes", lang), ""], notes)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 100)
    for name, shown_table in tables.items():
        sheet = book.sheet(sheet_title(t(f"sheet.{name}", lang), taken))
        below = book.shown(sheet, shown_table, lang)
        if len(shown_table.values) == 0:  # why the sheet has no rows, in one sentence under its headers
            book.row(sheet, below, [(empty_reasons or {}).get(name) or t("empty_table", lang)])
    return book.save()


# Cells the page leaves out: notebook-only cells, the parameters, papermill's error marker.
PAGE_REMOVED_TAGS = frozenset({NOTEBOOK_ONLY_TAG, "parameters", "injected-parameters", "papermill-error-cell-tag"})
# The preprocessors nbconvert's exporters run by default that are switched on (the others are off unless
# configured, and this exporter is never configured). nbconvert validates the whole notebook after each
# preprocessor it runs, on or off: 12 validations of a page where these 3 give the same page
# (tests/presentation/test_speedb_export.py checks the list against nbconvert's own defaults).
PAGE_PREPROCESSORS = ["nbconvert.preprocessors.TagRemovePreprocessor",
                      "nbconvert.preprocessors.RegexRemovePreprocessor",
                      "nbconvert.preprocessors.HighlightMagicsPreprocessor"]


def html_exporter() -> object:
    """The code-free HTML exporter (nbconvert, in-process, nothing loaded from the internet); build it
    once and reuse it for many reports. nbconvert's HTMLExporter, its BeautifulSoup pass over the page made
    by `ucj.presentation.soup_pass` (the same page in a seventh of the time; docs/speedt.md)."""
    from jinja2 import DictLoader

    from ucj.presentation.soup_pass import PageExporter

    return PageExporter(template_name="lab", template_file=PAGE_TEMPLATE,
                        extra_loaders=[DictLoader({PAGE_TEMPLATE: PAGE_TEMPLATE_TEXT})], exclude_input=True,
                        exclude_input_prompt=True, exclude_output_prompt=True,
                        default_preprocessors=PAGE_PREPROCESSORS)


def _page_lang(nb: object, key: dict[str, object] | None) -> Lang:
    """The report's language: its key figures', else its notebook's `lang` parameter, else English."""
    papermill = nb.metadata.get("papermill") or {}  # type: ignore[attr-defined]
    lang = (key or {}).get("lang") or (papermill.get("parameters") or {}).get("lang")
    return "id" if lang == "id" else "en"


def page_body(nb: object, title: str, exporter: object | None = None,
              key: dict[str, object] | None = None) -> tuple[str, str]:
    """The page as nbconvert exports it (the part of notebook_html that needs only the cells the page shows),
    and the language it was exported in. A worker calls it as soon as those cells have run, while the kernel
    runs the notebook-only cells after them (ucj.runs.engine.PageSlot), then notebook_html(..., body=...)."""
    from nbformat import NotebookNode

    lang = _page_lang(nb, key)
    # the page's notebook: the cells it shows and the title; a shallow copy, as the exporter works on a
    # deep copy of its own (one deep copy of the report per page, not two)
    cells = [c for c in nb.cells if not PAGE_REMOVED_TAGS.intersection(c.get("metadata", {}).get("tags", []))]  # type: ignore[attr-defined]
    page = NotebookNode({**nb, "cells": cells, "metadata": NotebookNode({**nb.metadata, "title": title})})  # type: ignore[attr-defined]
    exporter = exporter or html_exporter()
    exporter.language_code = lang  # type: ignore[attr-defined]
    body, _ = exporter.from_notebook_node(page)  # type: ignore[attr-defined]
    return body, lang


def notebook_html(nb: object, title: str, exporter: object | None = None,
                  key: dict[str, object] | None = None, body: tuple[str, str] | None = None) -> str:
    """A code-free, print-ready HTML page from an executed notebook (a NotebookNode, left unchanged),
    in the report's language (html lang), with its author and subject as metadata (a PDF made from the
    page carries them) and, given its key figures, the running header of its printed pages. `body`: what
    page_body gave for this notebook's page cells before its last cells ran (used when in the same language)."""
    import html

    from ucj import __version__
    from ucj.presentation.printing import page_rules, running_header

    lang = _page_lang(nb, key)
    if body is None or body[1] != lang:
        body = page_body(nb, title, exporter, key)
    page_html = body[0]
    header = running_header(key, lang) if key else title
    synthetic = bool((key or {}).get("synthetic_tables"))
    meta = "".join(f'<meta name="{name}" content="{html.escape(value)}">' for name, value in (
        ("author", t("report_author", lang)), ("description", header), ("generator", f"ucj {__version__}")))
    return page_html.replace("</head>", f"{meta}<style>{stylesheet('page')}{page_rules(header, lang, synthetic)}"
                                        "</style></head>", 1)


def notebook_to_html(notebook: Path, target: Path, title: str) -> Path:
    """A code-free, print-friendly HTML page from an executed notebook file."""
    import nbformat

    from ucj.core.files import write_text

    write_text(target, notebook_html(nbformat.read(notebook, as_version=4), title))
    return target
