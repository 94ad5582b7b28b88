"""The overview's charts as they are drawn (matplotlib's own measure of every label and shape), the
print page rules, and the one-line errors of --pdf and --boundaries.

- The province scatter labels every district of the province (the registry's list, not the chart's),
  no two labels overlap, and every colour of dots is named in the legend.
- The map from a real boundaries file (../shared geo_ghapsara) fills its frame, for a wide area and a
  tall one, and a district with no value is named in the legend.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RAW

pytestmark = pytest.mark.slow  # seconds a test: make test only

BOUNDARIES = RAW / "geo_ghapsara" / "kabkot-simplifed-topo.json"
BIN = Path(sys.executable).parent


def _drawn(fig):  # type: ignore[no-untyped-def]
    """Draw the figure on an Agg canvas and return its renderer (so every box is where it is printed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


@pytest.mark.parametrize("province", ["Gorontalo", "Sulawesi Tengah", "Jawa Timur"])
def test_province_scatter_labels_every_district_apart(demo_ds, province):
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, province, "id")
    fig = ov.charts["scatter"]
    renderer = _drawn(fig)
    ax = fig.axes[0]
    # a regency's bare name, "Kab. X" where X is also a province's name or a kota's (reader 16, R16-10: "Gorontalo"
    # beside "Kota Gorontalo" read as the province), written out here from the registry's own lists
    reg = demo_ds.registry
    taken = {str(n).casefold() for n in reg.provinces["province_name"]} | \
        {d.full_name.removeprefix("Kota ").casefold() for d in reg.all() if d.full_name.startswith("Kota ")}

    def label(name: str) -> str:
        bare = name.removeprefix("Kabupaten ")
        return name if bare == name else (f"Kab. {bare}" if bare.casefold() in taken else bare)

    expected = {label(d.full_name) for d in reg.in_province(province)}
    labels = [x for x in ax.texts if x.get_text()]
    assert {x.get_text() for x in labels} == expected  # every district, once
    assert len(labels) == len(expected)
    boxes = [x.get_window_extent(renderer) for x in labels]
    frame = ax.get_window_extent(renderer)
    for a, b in itertools.combinations(range(len(boxes)), 2):
        assert not boxes[a].overlaps(boxes[b]), (labels[a].get_text(), labels[b].get_text())
    for x, box in zip(labels, boxes):  # inside the axes, where nothing else is drawn over them
        assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1 and frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, \
            x.get_text()
    # a legend entry for every colour of dots
    colours = {tuple(c.get_facecolor()[0][:3]) for c in ax.collections if len(c.get_offsets())}
    assert len(colours) == 2
    legend = fig.legends[0]
    named = {tuple(h.get_facecolor()[0][:3]) for h in legend.legend_handles}
    assert named == colours
    assert all(x.get_text().strip() for x in legend.get_texts())


def test_national_scatter_names_its_colours(demo_ds):
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, None, "en")
    fig = ov.charts["scatter"]
    _drawn(fig)
    ax = fig.axes[0]
    colours = {tuple(c.get_facecolor()[0][:3]) for c in ax.collections if len(c.get_offsets())}
    named = {tuple(h.get_facecolor()[0][:3]) for h in fig.legends[0].legend_handles}
    assert named == colours and len(colours) == 2
    assert [x.get_text() for x in fig.legends[0].get_texts()] == ["Districts", "The 3 districts with the highest coverage"]


@pytest.mark.parametrize("province", ["Gorontalo", "Sulawesi Tengah", None])
def test_map_fills_its_frame(demo_ds, raw, province):
    """The shapes cover the frame left to right (no empty half) and top to bottom, whatever the area's shape."""
    from matplotlib.collections import PolyCollection

    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, province, "id", boundaries=str(BOUNDARIES))
    fig = ov.charts["map"]
    renderer = _drawn(fig)
    ax = fig.axes[0]
    shapes = next(c for c in ax.collections if isinstance(c, PolyCollection))
    drawn = shapes.get_datalim(ax.transData).transformed(ax.transData)  # the shapes as drawn, in pixels
    width, height = fig.bbox.width, fig.bbox.height
    colourbar = fig.axes[1].get_window_extent(renderer)
    title = ax.title.get_window_extent(renderer)
    # across: from near the left edge to near the colour bar
    assert drawn.x0 < 0.06 * width, (province, drawn.x0 / width)
    assert drawn.width > 0.8 * (colourbar.x0 - 0.0), (province, drawn.width / colourbar.x0)
    # down: from under the title to near the bottom edge
    assert drawn.height > 0.75 * (title.y0 - 0.0), (province, drawn.height / title.y0)
    assert ov.boundaries is not None and ov.boundaries["file"] == BOUNDARIES.name
    # every district of the two provinces has its shape; over the country, the file (read by hand) lacks 7:
    # 31.01 (its geometry is empty), 61.71 (its shape is named "Mempawah", a kabupaten, under a kota's code)
    # and the five districts formed 2012-2014 (74.12-74.15, 92.12)
    missing = 0 if province else 7
    assert ov.boundaries["districts"] == len(ov.ranking)
    assert ov.boundaries["matched"] == len(ov.ranking) - missing


def test_map_names_grey_in_its_legend(demo_ds, raw):
    """A district with a shape but no value is grey, and the legend says so."""
    import numpy as np
    import pandas as pd

    from ucj.presentation.maps import choropleth, load_topojson

    shapes = load_topojson(BOUNDARIES, demo_ds.registry)
    codes = [d.code for d in demo_ds.registry.in_province("Gorontalo")]
    values = pd.Series(np.arange(len(codes), dtype=float), index=codes)
    assert choropleth(shapes, values, "id", "Cakupan", False, codes=codes).legends == []
    values.iloc[0] = np.nan
    fig = choropleth(shapes, values, "id", "Cakupan", False, codes=codes)
    assert [x.get_text() for x in fig.legends[0].get_texts()] == ["Tidak ada nilai"]


def test_page_rules_for_a_hand_written_header():
    from ucj.presentation.printing import page_rules

    rules = page_rules('Kota "Baru" \\ Timur · Periode terakhir 2025-12', "id", synthetic=True)
    assert '@top-left{content:"Kota \\"Baru\\" \\\\ Timur · Periode terakhir 2025-12"}' in rules
    assert '@bottom-right{content:"Halaman " counter(page) " dari " counter(pages)}' in rules
    assert '@bottom-left{content:"DATA SINTETIS (DEMO) – bukan statistik resmi"}' in rules
    english = page_rules("Kabupaten Boalemo", "en", synthetic=False)
    assert '@bottom-right{content:"Page " counter(page) " of " counter(pages)}' in english
    assert "@bottom-left" not in english


def _ucj(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ucj"), *args], capture_output=True, text=True, env=env)


@pytest.mark.slow  # runs the ucj command per case
def test_boundaries_errors_are_one_line(demo_dir, tmp_path):
    not_topo = tmp_path / "shapes.json"
    not_topo.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    cases = [
        (["report", "--province", "Gorontalo", "--boundaries", str(tmp_path / "missing.json")],
         "the boundaries file does not exist", "missing.json"),
        (["report", "--province", "Gorontalo", "--boundaries", str(not_topo)],
         "the boundaries file is not TopoJSON", "shapes.json"),
        (["report", "--district", "Boalemo", "--boundaries", str(not_topo)], "a district report draws no map", ""),
        (["reports", "--district", "Boalemo", "--boundaries", str(not_topo)], "--boundaries draws the map of an overview", ""),
    ]
    for args, rule, named in cases:
        run = _ucj(*args, "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"))
        assert run.returncode == 2, (args, run.stderr)
        assert rule in run.stderr and named in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("report.html"))


@pytest.mark.slow  # runs the ucj command per case
def test_pdf_without_its_engine_says_what_is_missing(demo_dir, tmp_path):
    """A machine without Pango: WeasyPrint's import fails as cffi fails to load the library; the command
    says so in one line, names the package to install, and starts nothing."""
    fake = tmp_path / "fake"
    (fake / "weasyprint").mkdir(parents=True)
    (fake / "weasyprint" / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file: "
        "No such file or directory\")\n")
    env = dict(os.environ, PYTHONPATH=str(fake))
    run = _ucj("report", "--district", "Boalemo", "--pdf", "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"),
               env=env)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --pdf cannot start WeasyPrint: cannot load library"), lines
    assert "apt-get install libpango-1.0-0" in lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.ipynb"))
