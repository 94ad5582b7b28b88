"""The claims chart (constrained layout) placed by the layout engine alone before its drawing (speeds), instead of
savefig's first pass of a whole drawing with nothing painted, has savefig's pixels: districts across the country
in both languages, Minahasa among them (its last tick label reaches the edge, so one layout pass does not settle
it: reader 15, R15-1)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ucj.presentation import district as district_report
from ucj.presentation.export import FIGURE_DPI, png_bytes
from ucj.runs.params import validate_params


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.mark.parametrize("code,lang", [("71.02", "en"), ("71.02", "id"), ("11.01", "id"), ("32.04", "en"),
                                       ("31.71", "id"), ("53.01", "en"), ("75.02", "id"), ("94.01", "en")])
def test_claims_chart_has_savefigs_pixels(demo_ds, demo_dir, code, lang):
    report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    fig = report.charts["claims"]
    assert fig.get_layout_engine() is not None  # the chart this concerns: laid out by constrained layout
    ours = png_bytes(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI)  # matplotlib's own: a pass with nothing painted, then the drawing
    assert np.array_equal(_pixels(ours), _pixels(buf.getvalue())), (code, lang)
