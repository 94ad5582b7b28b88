"""Figures for reports and notebooks (matplotlib Figures, not pyplot, so nothing shows twice).

Labels come from `ucj.presentation.i18n` in the report's language; numbers on axes follow the locale.
Colours are the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
Scatter labels are moved apart with adjustText. The synthetic-data stamp sits in the title row,
right-aligned, outside the axes, where it covers no label.
"""

from __future__ import annotations

import functools
import threading

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from matplotlib.ticker import FuncFormatter

from ucj.presentation.i18n import Lang, fmt_int, fmt_num, fmt_pct, fmt_rp, fmt_year, t, target_year_text, tf

# Okabe & Ito (2008), "Color Universal Design": safe for protanopia, deuteranopia and tritanopia
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
             "grey": "#7F7F7F"}
SEGMENT_COLOURS = {"PU": OKABE_ITO["blue"], "BPU": OKABE_ITO["green"], "Jakon": OKABE_ITO["orange"],
                   "PMI": OKABE_ITO["purple"]}
STAMP_COLOUR = "#B00020"
# The titles of a district's charts sit on the axes' top edge (their pad above it), where matplotlib's
# automatic placement leaves them: it moves a title up only past tick labels or an offset text at the top,
# which these charts never have. Given as a number, the title is not placed again at each layout pass and
# drawing (a third of the measuring of the y axis a chart costs); tests/presentation/test_speedd_steady.py
# checks the pixels against matplotlib's automatic placement.
TITLE_Y = 1.0


# Where constrained layout puts the axes of a district's coverage and poverty charts (figure fractions: left,
# bottom, width, height), the same for every district and both languages of the demo data (measured at
# FIGURE_DPI): the y labels are percentages of the same width ("100,0 %", "20,0 %"), the title row and the
# x axis's years are of one height. These two charts are drawn there without the layout engine, which
# measured every label twice per drawing (a quarter of a chart's time). Should any label, title, text or
# legend fall outside the figure (numbers wider than these), the chart is drawn again with constrained
# layout (FixedLayoutFigure). The claims chart keeps constrained layout: its right margin follows the bar
# labels and the largest amount, which differ from district to district. docs/speedh.md.
FIXED_AXES: dict[str, tuple[float, float, float, float]] = {
    "coverage": (0.09065698232323231, 0.07716141975308642, 0.9041342676767675, 0.8552871492704825),
    "poverty": (0.09062096681096682, 0.08680659722222224, 0.903426176046161, 0.8371980429292928),
}


class FixedLayoutFigure(Figure):
    """A figure whose one axes is placed at a fixed position (no layout engine) and drawn again with
    constrained layout when something drawn does not fit inside the figure."""

    def draw(self, renderer):  # type: ignore[no-untyped-def]
        super().draw(renderer)
        if self.get_layout_engine() is None and not _fits(self, renderer):
            self.relayout()
            if hasattr(renderer, "clear"):  # Agg: paint again on a clean canvas
                renderer.clear()
            super().draw(renderer)

    def relayout(self) -> None:
        """Place the axes by constrained layout from now on, as a figure made with it would be."""
        self.set_layout_engine("constrained")
        for ax in self.axes:
            ax._set_position(ax.get_subplotspec().get_position(self))  # noqa: SLF001 - not set_position, which
            ax.set_in_layout(True)  # takes the axes out of the layout


def _fits(fig: Figure, renderer) -> bool:  # type: ignore[no-untyped-def]
    """Whether every text drawn (tick labels within the view, titles, axis labels, texts) and the legend
    lie inside the figure: measured from what the drawing laid out (matplotlib keeps each text's layout)."""
    box = fig.bbox
    for ax in fig.axes:
        texts = [ax.title, ax._left_title, ax._right_title, *ax.texts]  # noqa: SLF001
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            texts.append(axis.label)
            texts.extend(t.label1 for t in axis.majorTicks if lo <= t.get_loc() <= hi)
        extents = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
        if ax.get_legend() is not None:
            extents.append(ax.get_legend().get_window_extent(renderer))
        for e in extents:
            if e.x0 < box.x0 or e.y0 < box.y0 or e.x1 > box.x1 or e.y1 > box.y1:
                return False
    return True


def _new(width: float = 8.0, height: float = 3.6, fixed: str | None = None) -> tuple[Figure, object]:
    """A figure and its axes: at the fixed place of chart `fixed` (FIXED_AXES), else by constrained layout. While a
    report's chart is drawn for its PNG alone (`export.Charts.png`), this thread's figure of the same size and place
    (FigurePool), cleared as a new one stands, if it has one."""
    pool = getattr(_POOL, "active", None)
    kept = pool.take((width, height, fixed)) if pool is not None else None
    if kept is not None:
        fig, ax = kept
    elif fixed is None:
        fig = Figure(figsize=(width, height), dpi=FIGURE_DPI_MADE, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = FixedLayoutFigure(figsize=(width, height), dpi=FIGURE_DPI_MADE, layout="none")
        ax = fig.add_subplot()
        ax._set_position(Bbox.from_bounds(*FIXED_AXES[fixed]))  # noqa: SLF001 - stays in the layout for relayout()
    if pool is not None:
        if kept is None:  # what _clear_as_new puts back: each axis's tick settings and callbacks, and the plain
            # settings of the axes and its axis objects, as they stand new
            ax._ucj_fresh = [(dict(a._major_tick_kw), dict(a._minor_tick_kw), a.callbacks)  # noqa: SLF001
                             for a in (ax.xaxis, ax.yaxis)] + [(o, _plain(o)) for o in (ax, ax.xaxis, ax.yaxis)]
        pool.lent.append(((width, height, fixed), fig, ax))
    return fig, ax


# This thread's FigurePool (`figures`) and, while a report's chart is made for its PNG alone, the pool `_new` takes
# figures from (`active`).
_POOL = threading.local()
FIGURE_DPI_MADE = 110  # the resolution `_new` makes a figure at (png_bytes draws it at FIGURE_DPI and puts this back)


class FigurePool:
    """This thread's figures of the district charts, one per size and place (`_new`'s arguments), each taken back for
    the next report's chart of that kind instead of a new figure: the figure, its axes, spines and axis objects, and the
    axes' tick objects, which matplotlib makes at a chart's first drawing (about 25 of the 190 CPU-ms a report's three
    charts cost; docs/steadyc.md).

    A figure given back is cleared as a new one stands (`_clear_as_new`: `Axes.clear` drops every artist, title,
    limit, scale, unit, locator, formatter, margin and grid setting of the axes; what it leaves behind, the data
    limits, each axis's tick settings and callbacks and the plain settings, is put back as it stood new, and so is the
    axes' place), keeping only the two axes' lists of tick objects. A kept tick is what a new one would be as long as
    each chart sets its ticks' properties the same way every time (coverage and poverty: `grid(axis="y", alpha=0.3)`,
    unconditionally; claims: none): the tick's label, place and lines are set again at every drawing. A figure that
    is not as `_new` made it after its drawing (drawn
    again by constrained layout because its labels did not fit, another size or resolution, other artists on the
    figure) is not kept; nor are any when matplotlib's settings or fonts change. A figure is lent to one chart at a
    time. tests/presentation/test_steadyc_reuse.py compares each chart with the same chart on a new figure and
    with matplotlib's savefig."""

    def __init__(self) -> None:
        from ucj.presentation.aggtext import Settings

        self.settings = Settings()
        self.figures: dict[tuple[float, float, str | None], tuple[Figure, object]] = {}
        self.lent: list[tuple[tuple[float, float, str | None], Figure, object]] = []

    def take(self, key: tuple[float, float, str | None]) -> tuple[Figure, object] | None:
        """This pool's figure of `_new(*key)`, taken out of the pool, or None (then `_new` makes one)."""
        if self.settings.changed():
            self._renew()
        return self.figures.pop(key, None)

    def _renew(self) -> None:
        from ucj.presentation.aggtext import Settings

        self.figures.clear()
        self.settings = Settings()

    def give_back(self) -> None:
        """Keep the figures lent since the last call, each cleared as a new one stands, where they can be."""
        lent, self.lent = self.lent, []
        if self.settings.changed():
            self._renew()
            return
        for key, fig, ax in lent:
            if _clear_as_new(fig, ax, key):
                self.figures[key] = (fig, ax)

    def drop_lent(self) -> None:
        self.lent = []


def figure_pool() -> FigurePool:
    """This thread's FigurePool."""
    pool = getattr(_POOL, "figures", None)
    if pool is None:
        pool = _POOL.figures = FigurePool()
    return pool


def _clear_as_new(fig: Figure, ax, key: tuple[float, float, str | None]) -> bool:  # type: ignore[no-untyped-def]
    """Clear `fig` as `_new(*key)` makes it, keeping its axes' tick objects; False (left as it is) when it is not as
    `_new` made it."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    width, height, fixed = key
    engine = fig.get_layout_engine()
    if (type(fig) is not (Figure if fixed is None else FixedLayoutFigure) or fig.axes != [ax] or ax.child_axes
            or fig.legends or fig.texts or fig.lines or fig.patches or fig.images or fig.artists or fig.subfigs
            or fig.dpi != FIGURE_DPI_MADE or tuple(fig.get_size_inches()) != (width, height)
            or (engine is not None if fixed is not None else type(engine) is not ConstrainedLayoutEngine)):
        return False
    fresh = getattr(ax, "_ucj_fresh", None)
    if fresh is None:
        return False
    axes = (ax.xaxis, ax.yaxis)
    for axis in axes:  # clear() without replacing the tick lists by new ones (Axis.reset_ticks drops them and makes a
        axis.reset_ticks = _ticks_kept  # new major and minor tick at once, to clip them: 4 new ticks an axes)
    try:
        ax.clear()  # clips the kept ticks to the axes' new background patch, as it clips a new axes' ticks
    finally:
        for axis in axes:
            del axis.reset_ticks
    # What clear() leaves otherwise than a new axes has it: the data limits (a chart that adds no data, such as a
    # claims chart without claims, would be scaled to the previous chart's), and what Axes.__init__ sets after its
    # clear(): each axis's tick settings (the rc's tick sides and labels) and its callbacks (the axes' handler of a
    # change of units), put back as they stood when the axes was new (`_new`)
    ax.dataLim.set_points(Bbox.null().get_points())
    for obj, plain in fresh[2:]:  # the axes' and its axis objects' plain settings (a label set by hand, a tick side)
        for name in _plain(obj).keys() - plain.keys():
            delattr(obj, name)
        for name, value in plain.items():
            setattr(obj, name, value)
    for axis, (major_kw, minor_kw, callbacks) in zip(axes, fresh[:2]):
        axis._major_tick_kw, axis._minor_tick_kw = dict(major_kw), dict(minor_kw)  # noqa: SLF001
        axis.callbacks = callbacks
    position = Bbox.from_bounds(*FIXED_AXES[fixed]) if fixed is not None else ax.get_subplotspec().get_position(fig)
    ax._set_position(position)  # noqa: SLF001 - as _new and add_subplot place it (both the active and original place)
    return True


def _ticks_kept() -> None:
    """Stands in for an axis's `reset_ticks` while `_clear_as_new` clears its axes: the tick lists are kept."""


def _plain(obj: object) -> dict[str, object]:
    """An object's attributes that hold a plain value (None, a bool, a number, a text)."""
    return {k: v for k, v in vars(obj).items() if v is None or isinstance(v, (bool, int, float, str))}


STAMP_TEXTS = {t("synthetic_stamp", "id"), t("synthetic_stamp", "en")}  # the stamp as drawn, either language


def mark_synthetic(ax, synthetic: bool, lang: Lang):  # type: ignore[no-untyped-def]
    """The synthetic-data stamp in the right slot of the title row (outside the axes; the title is left)."""
    if synthetic:
        return ax.set_title(t("synthetic_stamp", lang), loc="right", fontsize=8, color=STAMP_COLOUR,
                            fontweight="bold")
    return None


def _label(kind: str, value: float, lang: Lang) -> str:
    if kind == "pct":
        return fmt_pct(value, lang)
    if kind == "rp":
        return fmt_rp(value, lang, 1)
    return fmt_year(value)


# A tick label, formatted once per process: matplotlib formats every tick several times per drawing (layout,
# then drawing), and each formatting through Babel costs about 0.1 ms. The label is the text the formatter
# gives (`fmt_pct`, `fmt_rp`, `fmt_year` are pure functions of their arguments).
_tick = functools.lru_cache(maxsize=4096)(_label)


def _ticks(kind: str, lang: Lang) -> FuncFormatter:
    """A tick formatter of `kind` ("pct", "rp", "year"). Zero (0.0 and -0.0 are one key to a cache, not
    always one label) and NaN are formatted each time."""
    def label(v: float, _: object) -> str:
        v = float(v)
        return _tick(kind, v, lang) if v == v and v != 0 else _label(kind, v, lang)

    return FuncFormatter(label)


def _pct_axis(axis, lang: Lang) -> None:  # type: ignore[no-untyped-def]
    axis.set_major_formatter(_ticks("pct", lang))


def _fan(ax, forecast: pd.DataFrame, lang: Lang) -> None:  # type: ignore[no-untyped-def]
    """The projection fan: the band only in the months where the interval is informative (`informative`),
    labelled with its level; the total projection (self-enrolled + budget-funded) and, where the forecast
    has it, the self-enrolled part the model projects; a bound cut at 0 or 100 says so in the legend."""
    shown = forecast["informative"].astype(bool).to_numpy() if "informative" in forecast else np.ones(len(forecast),
                                                                                                     dtype=bool)
    label = t("interval", lang)
    if "interval_pct" in forecast and len(forecast):
        label = t("interval_level", lang).format(level=fmt_num(float(forecast["interval_pct"].iloc[0]), lang, 0))
    for col in ("lower_cut_at_0", "upper_cut_at_100"):  # a bound cut at 0 or at 100 says so (reader 17, R17-2)
        if col in forecast and bool(forecast.loc[shown, col].astype(bool).any()):
            label += "; " + t(col, lang).lower()
    if shown.any():
        ax.fill_between(forecast["month"], forecast["lower"], forecast["upper"], where=shown, color=OKABE_ITO["grey"],
                        alpha=0.3, label=label)
    if not shown.all():  # the months without a band, said in the legend
        ax.plot([], [], " ", label=t("chart_band_hidden", lang))
    total = "chart_total_projection" if "organic_mean" in forecast else "projection"
    ax.plot(forecast["month"], forecast["mean"], color=OKABE_ITO["black"], lw=1.5, ls="--", label=t(total, lang))
    if "organic_mean" in forecast and "funded_pct" in forecast and bool((forecast["funded_pct"] > 0).any()):
        ax.plot(forecast["month"], forecast["organic_mean"], color=OKABE_ITO["black"], lw=1.0, ls=":",
                label=t("chart_organic", lang))


def coverage_figure(by_segment: pd.DataFrame, forecast: pd.DataFrame, target_pct: float, target_year: int,
                    lang: Lang, synthetic: bool, title: str, target_year_assumed: bool = False) -> Figure:
    """Monthly coverage by segment (stacked), the projection fan and the target (its year "assumed" when the
    target's source gives none, as the card and the index say it: reader 9, R8)."""
    fig, ax = _new(fixed="coverage")
    # a month without a denominator has no coverage: left out, never drawn as 0 %
    wide = by_segment.pivot(index="month", columns="segment", values="coverage_pct").dropna(how="all").fillna(0)
    cols = [c for c in SEGMENT_COLOURS if c in wide.columns]
    ax.stackplot(wide.index, *[wide[c] for c in cols], labels=[t(c, lang) for c in cols],
                 colors=[SEGMENT_COLOURS[c] for c in cols], alpha=0.85)
    if len(forecast):
        _fan(ax, forecast, lang)
    if np.isfinite(target_pct):
        ax.scatter([pd.Timestamp(int(target_year), 12, 1)], [target_pct], marker="*", s=140,
                   color=OKABE_ITO["vermillion"], zorder=5,
                   label=f"{t('target', lang)} {fmt_pct(target_pct, lang)} "
                         f"({target_year_text(target_year, target_year_assumed, lang)})")
    _pct_axis(ax.yaxis, lang)
    ax.set_ylim(0, max(100.0, float(np.nanmax([target_pct or 0, 0])) + 5) if np.isfinite(target_pct) else None)
    ax.set_title(title, fontsize=11, loc="left", y=TITLE_Y)
    ax.legend(fontsize=7, loc="upper left", ncols=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    mark_synthetic(ax, synthetic, lang)
    return fig


def coverage_alt(forecast: pd.DataFrame, target_pct: float, lang: Lang) -> str:
    """The coverage chart's alt text, naming only what `coverage_figure` draws from the same inputs (reader 15,
    R15-12: Minahasa's alt text promised a projection and an interval the chart does not draw): the projection
    with its band where the band is drawn (all months, some, none), else that no projection is drawn; the
    target's star when there is a target."""
    drawn = []
    if len(forecast):
        shown = forecast["informative"].astype(bool) if "informative" in forecast else pd.Series(True, forecast.index)
        drawn.append(t("alt_projection_band" if shown.all() else "alt_projection_band_part" if shown.any()
                       else "alt_projection_no_band", lang))
    if np.isfinite(target_pct):
        drawn.append(t("alt_target", lang))
    text = (t("chart_coverage_alt", lang) if not drawn
            else tf("alt_coverage_one" if len(drawn) == 1 else "alt_coverage_two", lang, one=drawn[0], two=drawn[-1]))
    return text if len(forecast) else f"{text} {t('alt_no_projection', lang)}"


def stamped(fig: Figure) -> bool:
    """Whether a chart carries the synthetic-data stamp (`mark_synthetic`'s title in the right slot of an axes)."""
    return any(ax.get_title(loc="right") in STAMP_TEXTS for ax in fig.axes)


def alt_text(text: str, fig: Figure | bool | None, lang: Lang) -> str:
    """A chart's alt text ending with "(synthetic demo data)" when the chart drawn carries the synthetic stamp, so a
    reader who cannot see the red stamp is told too (reader 15, R15-12). `fig`: the chart, or whether it is stamped."""
    if fig is None or fig is False or (fig is not True and not stamped(fig)):
        return text
    return tf("alt_synthetic", lang, alt=text.rstrip(". "))


def claims_figure(claims: pd.DataFrame, lang: Lang, synthetic: bool, title: str) -> Figure:
    """Claims by programme: amount paid (bars) with the number of claims written on each bar."""
    fig, ax = _new(7.0, 3.2)
    data = claims.sort_values("claim_amount_rp")
    bars = ax.barh(data["programme"], data["claim_amount_rp"], color=OKABE_ITO["blue"])
    for bar, n in zip(bars, data["claim_count"]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {fmt_int(n, lang)} {t('claims_count_label', lang)}", va="center", fontsize=8)
    ax.xaxis.set_major_formatter(_ticks("rp", lang))
    ax.set_xlabel(t("chart_claims_amount", lang))
    ax.set_title(title, fontsize=11, loc="left", y=TITLE_Y)
    ax.margins(x=0.25)
    mark_synthetic(ax, synthetic, lang)
    return fig


def poverty_figure(series: dict[str, pd.DataFrame], lang: Lang, synthetic: bool, title: str,
                   break_year: int = 2021) -> Figure:
    """P0 for the district, its province and the nation; the 2021 level break is marked."""
    fig, ax = _new(7.0, 3.2, fixed="poverty")
    styles = {0: dict(color=OKABE_ITO["vermillion"], lw=2.2), 1: dict(color=OKABE_ITO["blue"], lw=1.4),
              2: dict(color=OKABE_ITO["black"], lw=1.4, ls="--")}
    for i, (label, df) in enumerate(series.items()):
        df = df[df["p0"].notna()].sort_values("year")  # the rows with a P0 (dropna(subset=...): 3 times the time)
        ax.plot(df["year"], df["p0"], marker="o", ms=3, label=label, **styles.get(i, {}))
    ax.axvline(break_year - 0.5, color=OKABE_ITO["grey"], ls=":", lw=1)
    ax.text(break_year - 0.45, ax.get_ylim()[1], "SP2020", fontsize=7, va="top", color=OKABE_ITO["grey"])
    _pct_axis(ax.yaxis, lang)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_ticks("year", lang))
    ax.set_title(title, fontsize=11, loc="left", y=TITLE_Y)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    mark_synthetic(ax, synthetic, lang)
    return fig


def short_name(name: str) -> str:
    """A district's name as a chart labels it: "Kabupaten Pohuwato" -> "Pohuwato" ("Kota Gorontalo" stays, so a
    regency and the city of the same name remain apart), but "Kabupaten Gorontalo" -> "Kab. Gorontalo": a bare name
    that is also a province's or a kota's would read as that province or city (reader 16, R16-10)."""
    text = str(name)
    bare = text.removeprefix("Kabupaten ").removeprefix("Kab. ")
    if bare == text:  # a kota, or a name without the prefix
        return text
    return f"Kab. {bare}" if bare.casefold() in _names_taken() else bare


@functools.cache
def _names_taken() -> frozenset[str]:
    """Every province's name and every kota's bare name in the district registry (casefolded): the bare names a
    regency's label must not take on its own."""
    from ucj.data.registry import KOTA, load_registry

    reg = load_registry()
    return frozenset({str(n).casefold() for n in reg.provinces["province_name"]}
                     | {d.name.casefold() for d in reg.all() if d.kind == KOTA})


def scatter_figure(df: pd.DataFrame, x: str, y: str, label_col: str, lang: Lang, synthetic: bool, title: str,
                   highlight: list[str] | None = None, label_all: bool = False, xlabel: str | None = None) -> Figure:
    """Coverage against poverty, one dot per district; the `highlight`ed districts in a second colour,
    each colour named in the legend. Labels (moved apart by adjustText so none overlaps another): every
    district with `label_all` (a province), else the highlighted ones (the nation's 514). `xlabel`: the x
    axis named with its pairing ("Coverage (all active participants / working population)")."""
    from adjustText import adjust_text

    # a district without both values has no dot (imported data may cover one province while BPS's P0 covers every
    # district: a national overview's ranking then holds 514 rows, few with coverage); adjustText refuses NaN
    df = df[np.isfinite(df[x].to_numpy(dtype=float)) & np.isfinite(df[y].to_numpy(dtype=float))]
    n = len(df)
    fig, ax = _new(7.5, 4.4 if not label_all or n <= 12 else 5.6)
    marked = df[df[label_col].isin(highlight or [])]
    rest = df[~df[label_col].isin(highlight or [])]
    ax.scatter(rest[x], rest[y], s=16 if label_all else 14, color=OKABE_ITO["blue"], alpha=0.75 if label_all else 0.6,
               label=t("scatter_other_districts", lang))
    if len(marked):
        ax.scatter(marked[x], marked[y], s=26, color=OKABE_ITO["vermillion"], zorder=3,
                   label=tf("scatter_top_coverage", lang, n=fmt_int(len(marked), lang)))
    _pct_axis(ax.xaxis, lang)
    _pct_axis(ax.yaxis, lang)
    ax.set_xlabel(xlabel or t("coverage_pct", lang))
    ax.set_ylabel(t("p0", lang))
    ax.set_title(title, fontsize=11, loc="left")
    ax.grid(alpha=0.3)
    ax.margins(0.12)
    fig.legend(fontsize=7, loc="outside lower center", ncols=2, frameon=False)  # below the axes: covers nothing
    mark_synthetic(ax, synthetic, lang)
    fig.draw_without_rendering()  # settle the layout first, so the labels are placed where they will be drawn
    shown = df if label_all else marked
    size = 7 if len(shown) <= 12 else 6
    labels = [ax.text(float(px), float(py), short_name(str(name)), fontsize=size)
              for px, py, name in zip(shown[x], shown[y], shown[label_col])]
    for _ in range(4):  # adjustText stops when its forces settle; a pair still touching gets another round
        if not labels or (_ > 0 and not _touching(labels)):
            break
        adjust_text(labels, x=df[x].to_numpy(dtype=float), y=df[y].to_numpy(dtype=float), ax=ax,
                    expand=(1.25, 1.5), ensure_inside_axes=True, max_move=None,
                    arrowprops=dict(arrowstyle="-", color=OKABE_ITO["grey"], lw=0.5))
    return fig


def _touching(labels: list) -> bool:  # type: ignore[type-arg]
    """Whether any two labels' boxes, as drawn, overlap."""
    boxes = [x.get_window_extent() for x in labels]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
