"""A district chart drawn for its PNG on this thread's figure of its kind, reused from one report to the next
(plots.FigurePool, export.Charts; steadyc), is the chart drawn on a new figure of its own: the same PNG bytes, and
matplotlib's own savefig's pixels. Checked for districts across the country in both languages drawn one after
another, for a chart drawn after another of very different data (no projection, missing months, one segment, long
titles and labels, one bar, no district series) and again after it, for a chart that does not fit its fixed place,
a changed setting and a chart function that fails half-way; and no report's `charts[name]` is another's figure."""

from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.cbook import CallbackRegistry
from matplotlib.transforms import BboxBase
from PIL import Image

from ucj.presentation import district as district_report
from ucj.presentation import plots
from ucj.presentation.export import FIGURE_DPI, Charts, png_bytes
from ucj.presentation.plots import claims_figure, coverage_figure, figure_pool, poverty_figure
from ucj.runs.params import validate_params


def _pixels(data: bytes) -> tuple[tuple[int, int], np.ndarray]:
    im = Image.open(io.BytesIO(data))
    return im.size, np.asarray(im.convert("RGB"))


def _savefig(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI)
    return buf.getvalue()


def _same_as_new(charts: Charts, name: str, make, *args, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
    """The chart's PNG as `charts` draws it (on the reused figure), checked against the same chart made on a
    figure of its own: png_bytes's bytes and savefig's pixels and size."""
    reused = charts.png(name)
    fresh = make(*args, **kwargs)
    assert reused == png_bytes(fresh), name
    size, pixels = _pixels(reused)
    t_size, t_pixels = _pixels(_savefig(make(*args, **kwargs)))
    assert size == t_size and np.array_equal(pixels, t_pixels), name
    assert charts.stamped(name) == plots.stamped(fresh), name
    return reused


def _pooled(key: tuple[float, float, str | None]):  # type: ignore[no-untyped-def]
    got = figure_pool().figures.get(key)
    return None if got is None else got[0]


# Minahasa, Banggai, Boalemo, Muna Barat, Kota Bogor, Aceh Selatan, Kota Jayapura; two in both languages
DISTRICTS = [("71.02", "id"), ("72.01", "en"), ("75.02", "id"), ("74.13", "en"), ("32.71", "id"), ("11.01", "en"),
             ("91.71", "id"), ("71.02", "en"), ("75.02", "en")]


def test_reports_drawn_one_after_another_on_reused_figures_are_their_own_charts(demo_ds, demo_dir):
    peers = district_report.PeerTables(demo_ds)
    seen: dict[str, object] = {}
    for code, lang in DISTRICTS:
        params = validate_params(code, "", "", -1.0, -1, lang, str(demo_dir), registry=demo_ds.registry)
        report = district_report.build(demo_ds, params, comparison=peers)
        fresh = district_report.build(demo_ds, params, comparison=peers)
        for name in ("coverage", "claims", "poverty"):
            png = report.png(name)  # on the reused figure (nobody asked for the report's Figure)
            assert png == png_bytes(fresh.charts[name]), (code, lang, name)
            size, pixels = _pixels(png)
            t_size, t_pixels = _pixels(_savefig(fresh.charts[name]))
            assert size == t_size and np.array_equal(pixels, t_pixels), (code, lang, name)
            assert report.alt_text(name) == fresh.alt_text(name)
        figures = {k: v[0] for k, v in figure_pool().figures.items()}
        assert len(figures) == 3
        if seen:
            assert all(figures[k] is seen[k] for k in figures), (code, lang)  # the same three figures, reused
        seen = figures
    # a report's charts[name] is a figure of its own, never the pool's, and draws the report's PNG
    figure = report.charts["coverage"]
    assert all(figure is not f for f in seen.values())
    assert report.charts["coverage"] is figure and png_bytes(figure) == report.png("coverage")


def _real(demo_ds, demo_dir, code: str, lang: str = "id"):  # type: ignore[no-untyped-def]
    return district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))


LONG = "Cakupan kepesertaan menurut segmen, sebuah judul yang sangat panjang sekali untuk menguji tata letak " * 2


def test_a_chart_drawn_after_very_different_data_and_again(demo_ds, demo_dir):
    """A (Boalemo), then B (the same kind of chart from very different data), then A again, for each B: A's bytes
    every time, and B's the chart drawn on a new figure."""
    boalemo = _real(demo_ds, demo_dir, "75.02")
    res = boalemo.results
    proj = res.projection
    seg = res.coverage_by_segment_monthly
    months = sorted(seg["month"].unique())
    a_cov = (seg, proj.forecast, proj.target_pct, proj.target_year, "id", True, "Cakupan (%)")
    b_cov = [
        # one segment, every other month missing, no projection, no target, no stamp
        (seg[(seg["segment"] == "PU") & seg["month"].isin(months[::2])], proj.forecast.iloc[:0], float("nan"),
         proj.target_year, "en", False, "Coverage by segment (employees)"),
        # a title longer than the chart (drawn again by constrained layout: not kept)
        (seg, proj.forecast, proj.target_pct, proj.target_year, "id", True, LONG),
        # a target above 100 %, a band nowhere informative
        (seg, proj.forecast.assign(informative=False), 140.0, 2031, "en", True, "Coverage"),
        # a few months only
        (seg[seg["month"].isin(months[-3:])], proj.forecast, proj.target_pct, proj.target_year, "id", True, "x"),
    ]
    head = res.claims_12m[res.claims_12m["kind"] != "savings"]
    a_cla = (head, "id", True, "Klaim")
    b_cla = [
        (pd.DataFrame({"programme": ["Jaminan Kecelakaan Kerja dan Kematian, sebuah nama program yang panjang"],
                       "claim_amount_rp": [4.2e13], "claim_count": [123456]}), "en", False, LONG),
        (head.iloc[:0], "id", True, "Klaim (tidak ada)"),
        (head.assign(programme=[f"P{i}" for i in range(len(head))]), "en", True, "Claims"),
    ]
    pov = {k: v for k, v in zip(["d", "p", "n"], [res.poverty_district, res.poverty_province, res.poverty_national])}
    a_pov = ({"Boalemo": pov["d"], "Gorontalo": pov["p"], "Nasional": pov["n"]}, "id", True, "P0")
    b_pov = [
        # no district series, no stamp
        ({"Kabupaten Tanpa Data": pov["d"].assign(p0=np.nan), "Provinsi": pov["p"], "Nasional": pov["n"]}, "en", False,
         "P0 (%)"),
        ({"Only the nation": pov["n"][pov["n"]["year"] >= 2022]}, "en", True, "P0"),
        # a title longer than the chart (drawn again by constrained layout: not kept)
        ({"Boalemo": pov["d"], "Gorontalo": pov["p"], "Nasional": pov["n"]}, "id", True, LONG),
    ]
    for name, make, a, bs, key in (("coverage", coverage_figure, a_cov, b_cov, (8.0, 3.6, "coverage")),
                                   ("claims", claims_figure, a_cla, b_cla, (7.0, 3.2, None)),
                                   ("poverty", poverty_figure, a_pov, b_pov, (7.0, 3.2, "poverty"))):
        charts = Charts()
        charts.add(name, make, *a)
        first = _same_as_new(charts, name, make, *a)
        assert _pooled(key) is not None
        reused = 0
        for b in bs:
            other = Charts()
            other.add(name, make, *b)
            assert _same_as_new(other, name, make, *b) != first
            kept = _pooled(key)  # None when B did not fit the fixed place (the long title): not kept
            again = Charts()
            again.add(name, make, *a)
            assert again.png(name) == first, name
            assert kept is None or _pooled(key) is kept
            reused += kept is not None
        assert reused >= 2, name  # A drawn again on the figure B was drawn on


def _wide_poverty(scale: float) -> tuple[object, ...]:
    years = pd.DataFrame({"year": [2019, 2020, 2021, 2022], "p0": [10.0, 12.5, 11.0, 9.5]})
    series = {"Kabupaten Contoh": years.assign(p0=years["p0"] * scale), "Provinsi": years, "Nasional": years}
    return (series, "id", True, "P0")


def test_a_chart_that_does_not_fit_its_place_is_not_kept():
    """A poverty chart whose labels do not fit its fixed place is drawn again by constrained layout (speedh): that
    figure is not kept, and the next chart of the kind is drawn as on a new figure."""
    key = (7.0, 3.2, "poverty")
    for scale in (1.0, 1e9, 1.0, 2.0):
        args = _wide_poverty(scale)
        before = _pooled(key)
        charts = Charts()
        charts.add("poverty", poverty_figure, *args)
        _same_as_new(charts, "poverty", poverty_figure, *args)
        if scale == 1e9:
            assert _pooled(key) is None  # drawn by constrained layout: dropped
        else:
            assert _pooled(key) is not None and (before is None or _pooled(key) is before)


def test_a_changed_setting_drops_the_kept_figures():
    """Figures (and their ticks) made under other settings are not reused: the chart is what savefig draws under the
    settings in force, and the same as before once they are put back."""
    args = _wide_poverty(1.0)
    charts = Charts()
    charts.add("poverty", poverty_figure, *args)
    before = _same_as_new(charts, "poverty", poverty_figure, *args)
    kept = _pooled((7.0, 3.2, "poverty"))
    with matplotlib.rc_context({"xtick.major.width": 3.0, "ytick.major.size": 9.0, "axes.linewidth": 2.5}):
        changed = Charts()
        changed.add("poverty", poverty_figure, *args)
        assert _same_as_new(changed, "poverty", poverty_figure, *args) != before
        assert _pooled((7.0, 3.2, "poverty")) is not kept
    again = Charts()
    again.add("poverty", poverty_figure, *args)
    assert _same_as_new(again, "poverty", poverty_figure, *args) == before


def test_a_chart_function_that_fails_leaves_no_figure_behind():
    args = _wide_poverty(1.0)
    good = Charts()
    good.add("poverty", poverty_figure, *args)
    first = good.png("poverty")
    kept = _pooled((7.0, 3.2, "poverty"))

    def half_drawn() -> object:
        fig, ax = plots._new(7.0, 3.2, fixed="poverty")  # noqa: SLF001 - takes the kept figure
        ax.plot([0, 1], [5, 6], color="red")
        ax.set_title("half drawn")
        raise ValueError("failed half-way")

    bad = Charts()
    bad.add("poverty", half_drawn)
    with pytest.raises(ValueError):
        bad.png("poverty")
    assert _pooled((7.0, 3.2, "poverty")) is None  # the half-drawn figure was not given back
    again = Charts()
    again.add("poverty", poverty_figure, *args)
    assert _same_as_new(again, "poverty", poverty_figure, *args) == first
    assert _pooled((7.0, 3.2, "poverty")) is not kept


def _plain(v: object, depth: int = 0) -> object:
    """A value as far as it can be compared (numbers, texts, boxes' corners, each signal's number of callbacks,
    lists and dicts of those); another object by its type."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return "nan" if math.isnan(v) else v
    if isinstance(v, np.ndarray):
        return ("array", v.shape, v.tolist())
    if isinstance(v, BboxBase):
        return ("box", np.asarray(v.get_points()).tolist())
    if isinstance(v, CallbackRegistry):
        return ("callbacks", sorted((signal, len(c)) for signal, c in v.callbacks.items()))
    if depth < 2 and isinstance(v, (list, tuple)):
        return (type(v).__name__, [_plain(x, depth + 1) for x in v])
    if depth < 2 and isinstance(v, dict):
        return {str(k): _plain(x, depth + 1) for k, x in v.items()}
    return type(v).__name__


# Where a figure given back may differ from a new one: its kept tick lists (by design), the pool's record of the new
# state, pyplot's record of how an axes was made (pyplot never sees these figures), staleness, and a spine's place,
# which matplotlib sets to ("outward", 0) at its first drawing when none was given
DIFFER = {"majorTicks", "minorTicks", "_ucj_fresh", "_projection_init", "_stale", "stale", "_position@spine"}


def test_a_figure_given_back_stands_as_a_new_one(demo_ds, demo_dir):
    """Every attribute of the figure, its axes, axis objects, labels, titles, background and spines after two reports
    were drawn on it equals a new figure's (plain values, boxes, settings dicts, callbacks), but for DIFFER: what
    Axes.clear() alone leaves behind (the data limits, the axes' tick settings and unit callbacks, a label set by
    hand) is found here."""
    for code in ("75.02", "71.02"):
        report = _real(demo_ds, demo_dir, code)
        for name in report.charts:
            report.png(name)
    assert len(figure_pool().figures) == 3
    for key, (fig, ax) in figure_pool().figures.items():
        new_fig, new_ax = plots._new(*key)  # noqa: SLF001 - outside a report's drawing: a new figure
        pairs = [("figure", fig, new_fig), ("axes", ax, new_ax)]
        for which in ("xaxis", "yaxis"):
            axis, new_axis = getattr(ax, which), getattr(new_ax, which)
            pairs += [(which, axis, new_axis), (f"{which} label", axis.label, new_axis.label),
                      (f"{which} offset", axis.offsetText, new_axis.offsetText)]
        pairs += [(f"title {i}", a, b) for i, (a, b) in enumerate(zip(
            (ax.title, ax._left_title, ax._right_title), (new_ax.title, new_ax._left_title, new_ax._right_title)))]  # noqa: SLF001
        pairs += [("patch", ax.patch, new_ax.patch)]
        pairs += [(f"spine {side}", ax.spines[side], new_ax.spines[side]) for side in ax.spines.keys()]
        for what, a, b in pairs:
            state_a = {k: _plain(v) for k, v in vars(a).items()}
            state_b = {k: _plain(v) for k, v in vars(b).items()}
            differ = {k for k in state_a.keys() | state_b.keys() if state_a.get(k, "-") != state_b.get(k, "-")}
            allowed = {k for k in differ if k in DIFFER or f"{k}@{what.split()[0]}" in DIFFER}
            assert differ == allowed, (key, what, {k: (state_a.get(k), state_b.get(k)) for k in differ - allowed})
