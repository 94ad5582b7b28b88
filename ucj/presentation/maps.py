"""Choropleth maps from a TopoJSON boundaries file (no GIS stack needed).

Boundary files name districts by BPS code (e.g. "75-01") and name; each shape is resolved to the
registry like any imported row, and shapes that cannot be matched are listed, never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from ucj.core.errors import UcjInputError
from ucj.presentation.i18n import Lang, fmt_pct, t
from ucj.presentation.plots import mark_synthetic
from ucj.data.registry import Registry


@dataclass
class Shapes:
    """Polygons (lon/lat rings) per district code, and the shapes that matched no district."""

    rings: dict[str, list[np.ndarray]]
    unmatched: pd.DataFrame


def _decode_arcs(topo: dict) -> list[np.ndarray]:
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype="float64")
        if tr:
            a = np.cumsum(a, axis=0) * np.asarray(tr["scale"]) + np.asarray(tr["translate"])
        out.append(a)
    return out


def _ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for k, i in enumerate(indices):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if k == 0 else a[1:])
    return np.vstack(parts)


def load_topojson(path: str | Path, registry: Registry, object_name: str | None = None) -> Shapes:
    """Read district polygons from TopoJSON; ids are BPS codes like '75-01' with a `kabkot` name."""
    p = Path(path)
    if not p.exists():
        raise UcjInputError.one("boundaries file not found", file=str(p))
    try:
        topo = json.loads(p.read_text(encoding="utf-8"))
        obj = topo["objects"][object_name or next(iter(topo["objects"]))]
    except (json.JSONDecodeError, KeyError, StopIteration) as err:
        raise UcjInputError.one(f"not a TopoJSON file ({type(err).__name__})", file=str(p)) from None
    arcs = _decode_arcs(topo)
    reg = registry
    rings: dict[str, list[np.ndarray]] = {}
    unmatched = []
    for g in obj["geometries"]:
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        gid = str(g.get("id", "")).replace("-", "")
        name = str((g.get("properties") or {}).get("kabkot", ""))
        try:
            code = reg.resolve_bps(gid, name)
        except UcjInputError as err:
            unmatched.append((g.get("id"), name, err.problems[0].rule))
            continue
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        rings.setdefault(code, []).extend(_ring(poly[0], arcs) for poly in polys)
    return Shapes(rings, pd.DataFrame(unmatched, columns=["id", "name", "reason"]))


def check_topojson(path: str | Path) -> str:
    """The full path of a readable TopoJSON boundaries file (checked before any report starts), or a
    one-line error naming the file and what is wrong with it."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise UcjInputError.one("the boundaries file does not exist (give a TopoJSON file of district shapes)",
                                value=Path(str(path)).name)
    try:
        topo = json.loads(p.read_text(encoding="utf-8"))
        ok = topo.get("type") == "Topology" and bool(topo.get("objects")) and isinstance(topo.get("arcs"), list)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        ok = False
    if not ok:
        raise UcjInputError.one("the boundaries file is not TopoJSON (a 'Topology' with objects and arcs)",
                                value=Path(str(path)).name)
    return str(p.resolve())


MAP_WIDTH_IN = 7.5  # the map's width; its height follows the area's shape (see choropleth)


def choropleth(shapes: Shapes, values: pd.Series, lang: Lang, title: str, synthetic: bool,
               codes: list[str] | None = None) -> Figure:
    """Fill each district by `values` (indexed by district code); grey where there is no value (named in
    the legend). The figure takes the area's shape (longitude shortened by the cosine of the latitude,
    as on a map), so the area fills its frame whether it is wide like Indonesia or tall like a province."""
    from matplotlib.patches import Patch

    keep = codes if codes is not None else list(shapes.rings)
    polys, vals = [], []
    for code in keep:
        for ring in shapes.rings.get(code, []):
            polys.append(ring)
            vals.append(values.get(code, np.nan))
    points = np.vstack(polys) if polys else np.zeros((1, 2))
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    stretch = 1 / max(np.cos(np.radians((y0 + y1) / 2)), 0.2)  # y units per x unit on the page
    shape = (y1 - y0) * stretch / max(x1 - x0, 1e-9)  # height / width of the area as drawn
    # the axes take about 80 % of the width (the colour bar the rest) and the title and legend 1.1 in
    height = float(np.clip(MAP_WIDTH_IN * 0.8 * shape + 1.1, 2.6, 9.0))
    fig = Figure(figsize=(MAP_WIDTH_IN, height), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    array = np.ma.masked_invalid(np.asarray(vals, dtype="float64"))
    coll = PolyCollection(polys, array=array, cmap="viridis", edgecolors="#ffffff", linewidths=0.2)
    coll.set_cmap(coll.get_cmap().with_extremes(bad="#dddddd"))
    ax.add_collection(coll)
    pad_x, pad_y = 0.01 * (x1 - x0), 0.01 * (y1 - y0)
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_aspect(stretch, adjustable="box", anchor="C")
    ax.set_axis_off()
    cb = fig.colorbar(coll, ax=ax, shrink=0.8, fraction=0.05, pad=0.02)
    cb.ax.yaxis.set_major_formatter(lambda v, _: fmt_pct(v, lang))
    if np.ma.count_masked(array):
        fig.legend(handles=[Patch(facecolor="#dddddd", edgecolor="#999999", label=t("map_no_value", lang))],
                   fontsize=7, loc="outside lower left", frameon=False)
    ax.set_title(title, fontsize=11, loc="left")
    mark_synthetic(ax, synthetic, lang)
    return fig
