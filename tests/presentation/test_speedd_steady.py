"""The cheaper steady report (issue 23, speedd) shows what the plain computation shows: the charts' PNG has
savefig's pixels (RGB for an opaque chart, RGBA otherwise), each citation worked out once per process is
what working it out again gives (for every published source, language, kind of year and quantity), and a
district's coverage read from its own workforce rows equals the coverage over the whole table."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from ucj.analysis.coverage import PAIRINGS, coverage, coverage_at
from ucj.analysis.district import as_of, carry_segments, district_figures
from ucj.presentation import tables
from ucj.presentation.export import FIGURE_DPI, png_bytes


def _pixels(data: bytes) -> tuple[str, np.ndarray, object]:
    im = Image.open(io.BytesIO(data))
    return im.mode, np.asarray(im.convert("RGBA")), im.info.get("dpi")


def _savefig(fig: Figure, **kw: object) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, **kw)
    return buf.getvalue()


def _chart(facecolor: object = "white") -> Figure:
    fig = Figure(figsize=(4, 2), dpi=110, layout="constrained", facecolor=facecolor)
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [3, 1, 2], label="a")
    ax.set_title("Cakupan (%)", loc="left")
    ax.legend()
    return fig


def test_an_opaque_chart_is_rgb_with_savefigs_pixels_and_metadata():
    fig = _chart()
    ours, theirs = png_bytes(fig), _savefig(fig)
    mode, pixels, dpi = _pixels(ours)
    t_mode, t_pixels, t_dpi = _pixels(theirs)
    assert (mode, t_mode) == ("RGB", "RGBA")
    assert np.array_equal(pixels, t_pixels) and dpi == t_dpi
    assert Image.open(io.BytesIO(ours)).text == Image.open(io.BytesIO(theirs)).text  # matplotlib's Software chunk
    assert png_bytes(fig) == ours  # the figure is left as it was


def test_a_transparent_chart_keeps_its_alpha_channel():
    fig = _chart(facecolor=(1, 1, 1, 0))
    mode, pixels, _ = _pixels(png_bytes(fig))
    assert mode == "RGBA" and (pixels[..., 3] < 255).any()
    assert np.array_equal(pixels, _pixels(_savefig(fig))[1])


def test_report_charts_are_rgb_and_about_savefigs_size(demo_ds, demo_dir):
    from ucj.presentation import district
    from ucj.runs.params import validate_params

    report = district.build(demo_ds, validate_params("75.02", data_dir=str(demo_dir)))
    for name, fig in report.charts.items():
        ours, theirs = png_bytes(fig), _savefig(fig)
        assert _pixels(ours)[0] == "RGB" and np.array_equal(_pixels(ours)[1], _pixels(theirs)[1]), name
        assert 0.8 < len(ours) / len(theirs) < 1.2, (name, len(ours), len(theirs))


def _sources() -> list[str]:
    c, texts = tables.citations(), tables.source_texts()
    made = ["synthetic-demo: P1, P2", "BPS P0, poor (bps:visdati@ref)", "BPS table: Penduduk Miskin (p0 (2).csv)",
            "seed 003 (somewhere)", "see domain.md §3", "a plain source", ""]
    return sorted(set(c["source_article"].astype(str))) + sorted(set(texts["text"].astype(str))) + made


@pytest.mark.parametrize("lang", ["id", "en"])
def test_cached_citations_equal_citations_worked_out_again(lang):
    quantities = [None, ""] + sorted(set(tables.citations()["quantity"].astype(str)))[:4]
    years: list[object] = [None, 2024, 2024.0, "2024", pd.Timestamp("2023-05-01"), float("nan")]
    tables._cite_part_cached.cache_clear()  # noqa: SLF001
    for order in (1, -1):  # first computed, then served from the cache, in the other order
        for part in _sources()[::order]:
            for year in years:
                for quantity in quantities:
                    assert tables._cite_part_once(part, lang, year, quantity) == \
                        tables._cite_part(part, lang, year, quantity), (part, year, quantity)  # noqa: SLF001
    assert tables._cite_part_cached.cache_info().hits > 0  # noqa: SLF001
    # 2024 and 2024.0 are different keys (a year is printed as str(year)[:4]: "2024" against "2024")
    assert tables.cite("a plain source", lang, year=[2024]) == tables._cite_part("a plain source", lang, [2024], None)  # noqa: SLF001


@pytest.mark.parametrize("code", ["75.02", "71.02", "72.01", "11.01"])
def test_district_coverage_equals_coverage_over_the_whole_workforce(demo_ds, code):
    """What district_figures shows (the page's coverage, every pairing's, the monthly segments) against
    coverage_at and coverage given the whole workforce table, as they were called before."""
    fig = district_figures(demo_ds, code)
    period = fig.last_period
    view = as_of(demo_ds, period)
    e_d = view.enrolment[view.enrolment["district_code"] == code]
    now, den_year = coverage_at(e_d, view.workforce, code, fig.denominator, period)
    assert (now is None and np.isnan(fig.coverage_pct)) or float(now["coverage_pct"]) == fig.coverage_pct
    expected = carry_segments(coverage(e_d, view.workforce, fig.denominator, period="month", by_segment=True), den_year)
    pd.testing.assert_frame_equal(fig.coverage_by_segment_monthly, expected)  # values, order and dtypes
    for den in PAIRINGS:
        row, _ = coverage_at(e_d, view.workforce, code, den, period)
        if row is None:
            assert den not in fig.coverage_by_pairing
        else:
            got = fig.coverage_by_pairing[den]
            assert got.value == float(row["coverage_pct"]) and got.period == f"{pd.Timestamp(row['month']):%Y-%m}"


@pytest.mark.parametrize("code,lang", [("75.02", "id"), ("71.02", "en"), ("72.01", "id"), ("11.01", "en")])
def test_titles_given_their_place_draw_where_matplotlib_places_them(demo_ds, demo_dir, code, lang):
    """The district charts' titles (and the synthetic stamp) are given y = 1.0 (not placed again at each
    layout pass): the same pixels as with matplotlib's automatic title placement switched back on."""
    from ucj.presentation import district
    from ucj.runs.params import validate_params

    report = district.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    for name, fig in report.charts.items():
        fixed = png_bytes(fig)
        for ax in fig.axes:
            assert ax._autotitlepos is False, name  # noqa: SLF001
            ax._autotitlepos = True  # noqa: SLF001 - matplotlib's own placement, as before
        assert np.array_equal(_pixels(png_bytes(fig))[1], _pixels(fixed)[1]), name


def _rates(rates) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from dataclasses import asdict

    return [{k: ("nan" if isinstance(v, float) and v != v else v) for k, v in asdict(r).items()} for r in rates]


@pytest.mark.parametrize("code", ["75.02", "71.02", "72.01", "11.01"])
def test_cohorts_computed_once_give_the_rates_and_budget_computed_each_time(demo_ds, code):
    """Every district's APBD cohorts (the budget's claim rates) computed once and shared, as a batch kernel
    does (PeerTables, through the store), against credible_rates and district_figures computing them each
    time: the same rates, budget tables and assumptions, dtypes included."""
    from ucj.analysis.budget import Cohorts, credible_rates
    from ucj.presentation.district import PeerTables

    fresh = district_figures(demo_ds, code)
    period = fresh.last_period
    view = as_of(demo_ds, period)
    shared = PeerTables(demo_ds).cohorts(period)  # the dataset came through the store: a stored entry when found
    assert shared.period == period
    assert _rates(credible_rates(view.claims, view.enrolment, code, period=period, cohorts=shared)) == \
        _rates(credible_rates(view.claims, view.enrolment, code, period=period))
    given = district_figures(demo_ds, code, cohorts=shared)
    pd.testing.assert_frame_equal(given.budget, fresh.budget)
    pd.testing.assert_frame_equal(given.budget_plan, fresh.budget_plan)
    pd.testing.assert_frame_equal(given.assumptions, fresh.assumptions)
    assert given.key() == fresh.key()
    # cohorts of another period are not used: computed again for this one
    other = Cohorts.of(view.claims.iloc[:0], view.enrolment.iloc[:0], period - pd.DateOffset(months=1))
    assert district_figures(demo_ds, code, cohorts=other).key() == fresh.key()
