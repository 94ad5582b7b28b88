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
from ucj.presentation.i18n import Lang, fmt_pct
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


def choropleth(shapes: Shapes, values: pd.Series, lang: Lang, title: str, synthetic: bool,
               codes: list[str] | None = None) -> Figure:
    """Fill each district by `values` (indexed by district code); grey where there is no value."""
    fig = Figure(figsize=(9, 4.2), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    keep = codes if codes is not None else list(shapes.rings)
    polys, vals = [], []
    for code in keep:
        for ring in shapes.rings.get(code, []):
            polys.append(ring)
            vals.append(values.get(code, np.nan))
    coll = PolyCollection(polys, array=np.ma.masked_invalid(np.asarray(vals, dtype="float64")), cmap="viridis",
                          edgecolors="#ffffff", linewidths=0.2)
    coll.cmap.set_bad("#dddddd")
    ax.add_collection(coll)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    cb = fig.colorbar(coll, ax=ax, shrink=0.7)
    cb.ax.yaxis.set_major_formatter(lambda v, _: fmt_pct(v, lang))
    ax.set_title(title, fontsize=11, loc="left")
    mark_synthetic(ax, synthetic, lang)
    return fig
