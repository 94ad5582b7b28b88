"""Interactive exploration for planners (ipywidgets): pick a district, segment and denominator, and
the coverage plot and the table of latest figures update."""

from __future__ import annotations

import io

import pandas as pd

from ucj.analysis.coverage import coverage, latest_coverage
from ucj.data.dataset import Dataset
from ucj.data.registry import Registry
from ucj.data.schema import DENOMINATORS, SEGMENTS
from ucj.report.i18n import Lang, fmt_int, fmt_pct, t
from ucj.report.plots import OKABE_ITO, mark_synthetic


def district_options(registry: Registry) -> list[tuple[str, str]]:
    return [(f"{d.full_name} ({d.province_name})", d.code) for d in registry.all()]


def coverage_view(ds: Dataset, district_code: str, segment: str, denominator: str, lang: Lang
                  ) -> tuple[pd.DataFrame, bytes]:
    """Monthly coverage of one district (one segment or all), as a table and a PNG line chart."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    e = ds.enrolment[ds.enrolment["district_code"] == district_code]
    if segment != "all":
        e = e[e["segment"] == segment]
    cov = coverage(e, ds.workforce, denominator, period="month")
    last = latest_coverage(e, ds.workforce, district_code, denominator)
    fig = Figure(figsize=(7.5, 3.2), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(cov["month"], cov["coverage_pct"], color=OKABE_ITO["blue"])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v, lang)))
    name = ds.registry.get(district_code).full_name
    ax.set_title(f"{name}: {t('coverage_pct', lang)} ({t(denominator, lang)}, "
                 f"{t(segment, lang) if segment != 'all' else 'PU+BPU+Jakon+PMI'})", fontsize=10, loc="left")
    ax.grid(alpha=0.3)
    mark_synthetic(ax, ds.any_synthetic, lang)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    rows = [] if last is None else [(f"{last['month']:%Y-%m}", fmt_int(last["active"], lang),
                                     fmt_pct(last["coverage_pct"], lang))]
    table = pd.DataFrame(rows, columns=[t("month", lang), t("active", lang), t("coverage_pct", lang)])
    return table, buf.getvalue()


def explorer(ds: Dataset, lang: Lang = "id", district_code: str = "75.02"):  # type: ignore[no-untyped-def]
    """The widget: three pickers and an output area that redraws on every change."""
    import ipywidgets as w
    from IPython.display import HTML, Image, display

    district = w.Dropdown(options=district_options(ds.registry), value=district_code, description=t("district", lang))
    segment = w.Dropdown(options=[("PU+BPU+Jakon+PMI", "all")] + [(t(s, lang), s) for s in SEGMENTS],
                         value="all", description=t("segment", lang))
    denominator = w.Dropdown(options=[(t(d, lang), d) for d in DENOMINATORS], value="working_population",
                             description=t("denominator", lang))
    out = w.Output()

    def redraw(*_: object) -> None:
        table, png = coverage_view(ds, district.value, segment.value, denominator.value, lang)
        out.clear_output(wait=True)
        with out:
            display(Image(data=png, format="png"))
            display(HTML(table.to_html(index=False, escape=True, classes="ucj-table", border=0, na_rep="–")))

    for widget in (district, segment, denominator):
        widget.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([district, segment, denominator]), out])
