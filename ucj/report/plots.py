"""Figures for reports and notebooks (matplotlib Figures, not pyplot, so nothing shows twice).

Labels come from `ucj.report.i18n` in the report's language; numbers on axes follow the locale.
"""

from __future__ import annotations

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ucj.report.i18n import Lang, fmt_num, fmt_pct, fmt_rp, t

SEGMENT_COLOURS = {"PU": "#1f4e79", "BPU": "#2e8b57", "Jakon": "#d98c1f", "PMI": "#8e5ea2"}
SYNTH_NOTE = {"id": "data sintetis", "en": "synthetic data"}


def _new(width: float = 8.0, height: float = 3.6) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    return fig, fig.add_subplot()


def _mark_synthetic(fig: Figure, synthetic: bool, lang: Lang) -> None:
    if synthetic:
        fig.text(0.995, 0.01, SYNTH_NOTE[lang], ha="right", va="bottom", fontsize=7, color="#b00020", alpha=0.8)


def coverage_figure(by_segment: pd.DataFrame, forecast: pd.DataFrame, target_pct: float, target_year: int,
                    lang: Lang, synthetic: bool, title: str) -> Figure:
    """Monthly coverage by segment (stacked), the projection fan and the target."""
    fig, ax = _new()
    wide = by_segment.pivot(index="month", columns="segment", values="coverage_pct").fillna(0)
    cols = [c for c in SEGMENT_COLOURS if c in wide.columns]
    ax.stackplot(wide.index, *[wide[c] for c in cols], labels=[t(c, lang) for c in cols],
                 colors=[SEGMENT_COLOURS[c] for c in cols], alpha=0.85)
    if len(forecast):
        ax.fill_between(forecast["month"], forecast["lower"], forecast["upper"], color="#999999", alpha=0.3,
                        label=t("interval", lang))
        ax.plot(forecast["month"], forecast["mean"], color="#333333", lw=1.5, ls="--", label=t("projection", lang))
    if np.isfinite(target_pct):
        ax.scatter([pd.Timestamp(int(target_year), 12, 1)], [target_pct], marker="*", s=140, color="#c00000",
                   zorder=5, label=f"{t('target', lang)} {fmt_pct(target_pct, lang)} ({target_year})")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
    ax.set_ylim(0, max(100.0, float(np.nanmax([target_pct or 0, 0])) + 5) if np.isfinite(target_pct) else None)
    ax.set_title(title, fontsize=11, loc="left")
    ax.legend(fontsize=7, loc="upper left", ncols=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    _mark_synthetic(fig, synthetic, lang)
    return fig


def claims_figure(claims: pd.DataFrame, lang: Lang, synthetic: bool, title: str) -> Figure:
    """Claims by programme: amount paid (bars) with the number of claims written on each bar."""
    fig, ax = _new(7.0, 3.2)
    data = claims.sort_values("claim_amount_rp")
    bars = ax.barh(data["programme"], data["claim_amount_rp"], color="#1f4e79")
    for bar, n in zip(bars, data["claim_count"]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {fmt_num(n, lang, 0)} {t('claim_count', lang).lower()}",
                va="center", fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_rp(v, lang, 1)))
    ax.set_title(title, fontsize=11, loc="left")
    ax.margins(x=0.25)
    _mark_synthetic(fig, synthetic, lang)
    return fig


def poverty_figure(series: dict[str, pd.DataFrame], lang: Lang, synthetic: bool, title: str,
                   break_year: int = 2021) -> Figure:
    """P0 for the district, its province and the nation; the 2021 level break is marked."""
    fig, ax = _new(7.0, 3.2)
    styles = {0: dict(color="#c00000", lw=2.2), 1: dict(color="#1f4e79", lw=1.4), 2: dict(color="#777777", lw=1.4)}
    for i, (label, df) in enumerate(series.items()):
        df = df.dropna(subset=["p0"]).sort_values("year")
        ax.plot(df["year"], df["p0"], marker="o", ms=3, label=label, **styles.get(i, {}))
    ax.axvline(break_year - 0.5, color="#999999", ls=":", lw=1)
    ax.text(break_year - 0.45, ax.get_ylim()[1], "SP2020", fontsize=7, va="top", color="#777777")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title(title, fontsize=11, loc="left")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    _mark_synthetic(fig, synthetic, lang)
    return fig


def scatter_figure(df: pd.DataFrame, x: str, y: str, label_col: str, lang: Lang, synthetic: bool, title: str,
                   highlight: list[str] | None = None) -> Figure:
    """Coverage against poverty, one dot per district."""
    fig, ax = _new(7.0, 4.2)
    ax.scatter(df[x], df[y], s=14, color="#1f4e79", alpha=0.6)
    for _, row in df[df[label_col].isin(highlight or [])].iterrows():
        ax.annotate(str(row[label_col]), (row[x], row[y]), fontsize=7)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang, 0)))
    ax.set_xlabel(t("coverage_pct", lang))
    ax.set_ylabel(t("p0", lang))
    ax.set_title(title, fontsize=11, loc="left")
    ax.grid(alpha=0.3)
    _mark_synthetic(fig, synthetic, lang)
    return fig
