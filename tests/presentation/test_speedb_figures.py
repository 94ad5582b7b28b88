"""The report's charts drawn the cheaper way are the same PNG, byte for byte: png_bytes (one Agg draw)
against matplotlib's own savefig; the tick labels formatted once per process against the catalogue's
formatters called directly; and a district drawn again after another one (another language) in the same
process against its first drawing and a fresh process's."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys

import pytest
from matplotlib.ticker import FuncFormatter

from ucj.presentation import district as district_report
from ucj.presentation.export import FIGURE_DPI, png_bytes
from ucj.presentation.i18n import fmt_pct, fmt_rp, fmt_year
from ucj.runs.params import validate_params


def _report(ds, demo_dir, code: str, lang: str = "id"):  # type: ignore[no-untyped-def]
    return district_report.build(ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))


def _savefig(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI)
    return buf.getvalue()


def _same_picture(ours: bytes, theirs: bytes) -> bool:
    """The same image: every pixel and the resolution (png_bytes writes an opaque chart as RGB at another
    zlib level than savefig's RGBA, so the files differ while the pictures do not; test_speedd_png.py)."""
    import numpy as np
    from PIL import Image

    a, b = Image.open(io.BytesIO(ours)), Image.open(io.BytesIO(theirs))
    return a.size == b.size and a.info.get("dpi") == b.info.get("dpi") and \
        np.array_equal(np.asarray(a.convert("RGBA")), np.asarray(b.convert("RGBA")))


@pytest.mark.parametrize("code,lang", [("75.02", "id"), ("71.02", "en")])
def test_png_bytes_equal_matplotlibs_savefig(demo_ds, demo_dir, code, lang):
    report = _report(demo_ds, demo_dir, code, lang)
    assert set(report.charts) == {"coverage", "claims", "poverty"}
    for name, fig in report.charts.items():
        fast = png_bytes(fig)
        assert fast[:8] == b"\x89PNG\r\n\x1a\n" and len(fast) > 10_000
        assert _same_picture(fast, _savefig(fig)), name
        assert png_bytes(fig) == fast  # the figure is left as it was: drawing it again gives the same bytes


def _plain_formatters(report, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The tick formatters as they were before the cache: the catalogue's formatters called directly."""
    direct = {"coverage": {"y": lambda v, _: fmt_pct(v, lang)},
              "claims": {"x": lambda v, _: fmt_rp(v, lang, 1)},
              "poverty": {"y": lambda v, _: fmt_pct(v, lang), "x": lambda v, _: fmt_year(v)}}
    for name, axes in direct.items():
        ax = report.charts[name].axes[0]
        for which, fn in axes.items():
            (ax.yaxis if which == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fn))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_cached_tick_labels_draw_what_the_direct_formatters_draw(demo_ds, demo_dir, lang):
    cached = _report(demo_ds, demo_dir, "75.02", lang)
    direct = _report(demo_ds, demo_dir, "75.02", lang)
    _plain_formatters(direct, lang)
    for name in cached.charts:
        labels = [t.get_text() for t in cached.charts[name].axes[0].get_yticklabels()]
        assert png_bytes(cached.charts[name]) == png_bytes(direct.charts[name]), name
    assert labels  # the poverty chart's percentage labels were drawn
    sep = "," if lang == "id" else "."
    assert all(sep in x and x.endswith("%") for x in labels if x), labels


FRESH = """
import hashlib, json, sys
from ucj.presentation import district
from ucj.runs.params import validate_params
ds = district.load_data(sys.argv[1])
r = district.build(ds, validate_params("75.02", data_dir=sys.argv[1]))
print(json.dumps({n: hashlib.sha256(r.png(n)).hexdigest() for n in r.charts}))
"""


def test_a_district_drawn_after_another_equals_its_first_drawing_and_a_fresh_process(demo_ds, demo_dir):
    """A (Boalemo, id), B (Minahasa, en: other ticks, other words), A again in this process; then A in a
    fresh process: the same PNG bytes each time, so nothing a report leaves behind (the tick-label cache)
    changes the next one's figures."""
    def digests(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {n: hashlib.sha256(report.png(n)).hexdigest() for n in report.charts}

    first = digests(_report(demo_ds, demo_dir, "75.02"))
    other = digests(_report(demo_ds, demo_dir, "71.02", "en"))
    again = digests(_report(demo_ds, demo_dir, "75.02"))
    assert again == first
    assert all(other[n] != first[n] for n in first)
    run = subprocess.run([sys.executable, "-c", FRESH, str(demo_dir)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == first


@pytest.mark.parametrize("province,lang", [("75", "id"), (None, "en")])
def test_overview_charts_png_bytes_equal_matplotlibs_savefig(demo_ds, province, lang):
    """The overviews' charts too: the scatter (labels placed by adjustText, legend outside the axes) of a
    province and of the nation, and the map where one is drawn."""
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, province, lang)
    assert "scatter" in ov.charts
    for name, fig in ov.charts.items():
        assert _same_picture(png_bytes(fig), _savefig(fig)), name


@pytest.mark.parametrize("lang", ["id", "en"])
def test_cached_tick_labels_equal_the_formatters_in_any_order(lang):
    """The cache never gives one value's label to another that compares equal: 0.0 and -0.0 (which the
    formatters write differently) in either order, and NaN."""
    from ucj.presentation.plots import _ticks

    values = [0.0, -0.0, 12.5, -0.0, 0.0, float("nan"), 2019.0, 1.5e9, -3.25, 12.5]
    direct = {"pct": lambda v: fmt_pct(v, lang), "rp": lambda v: fmt_rp(v, lang, 1), "year": fmt_year}
    for kind, fn in direct.items():
        fmt = _ticks(kind, lang)
        for v in values + values[::-1]:
            assert fmt(v, None) == fn(v), (kind, v)
    assert _ticks("pct", lang)(-0.0, None) != _ticks("pct", lang)(0.0, None)  # the case the cache must not merge
