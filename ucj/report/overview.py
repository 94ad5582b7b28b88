"""Province and national overviews: ranking tables, coverage against poverty, and a map when a
boundaries file is given. Used by province_overview.ipynb and national_overview.ipynb."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

import pandas as pd

from ucj.analysis.regions import RegionFigures, region_figures
from ucj.core.config import stylesheet
from ucj.data.dataset import Dataset
from ucj.report.i18n import Lang, check_lang, fmt_int, fmt_num, t
from ucj.report.tables import as_html_frame, shown
from ucj.report.plots import scatter_figure


@dataclass
class Overview:
    """An overview of one province (or the nation when `province_code` is None)."""

    lang: Lang
    results: RegionFigures
    synthetic: bool
    charts: dict[str, object] = field(default_factory=dict)
    unmatched_shapes: pd.DataFrame | None = None

    @property
    def ranking(self) -> pd.DataFrame:
        return self.results.ranking

    @property
    def title(self) -> str:
        r = self.results
        if r.province_code is None:
            return f"{t('national_overview', self.lang)} {r.year}"
        return f"{t('province_overview', self.lang)}: {r.province_name}, {r.year}"

    def show_header(self) -> None:
        from IPython.display import HTML, display

        banner = (f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", self.lang))}</div>'
                  if self.synthetic else "")
        display(HTML(f"<style>{stylesheet()}</style><h1 class='ucj-title'>{html.escape(self.title)}</h1>{banner}"))

    def show_ranking(self, top: int | None = None) -> None:
        from IPython.display import HTML, display

        df = self.display_ranking()
        display(HTML(df.head(top).to_html(index=False, escape=True, classes="ucj-table", border=0, na_rep="–")))

    def display_ranking(self) -> pd.DataFrame:
        """The ranking as localised text, one formatting rule per kind of number."""
        return as_html_frame(shown("ranking", self.ranking, self.lang), self.lang)

    def panel_table(self) -> pd.DataFrame | None:
        """The national fixed-effects estimate as shown (None for a province or without a panel)."""
        panel, lang = self.results.panel, self.lang
        if panel is None:
            return None
        reg = panel.coef.index[0]
        rows = [
            (t("panel_coef", lang), fmt_num(float(panel.coef[reg]), lang, 3)),
            (t("panel_se_clustered", lang), fmt_num(float(panel.se[reg]), lang, 3)),
            (t("p_value", lang), fmt_num(float(panel.pvalues[reg]), lang, 3)),
            (t("panel_districts", lang), fmt_int(panel.districts, lang)),
            (t("panel_years", lang), f"{min(panel.years)}–{max(panel.years)} ({fmt_int(len(panel.years), lang)})"),
            (t("panel_nobs", lang), fmt_int(panel.nobs, lang)),
        ]
        return pd.DataFrame(rows, columns=[t("indicator", lang), t("value", lang)])

    def show_panel(self) -> None:
        """The national fixed-effects estimate with its caveat: an association, not an effect."""
        from IPython.display import HTML, display

        lang = self.lang
        if self.results.province_code is not None:
            return
        head = f"<h2>{html.escape(t('panel_title', lang))}</h2>"
        table = self.panel_table()
        if table is None:
            display(HTML(head + f"<p>{html.escape(t('panel_missing', lang))}: "
                                f"{html.escape(str(self.results.panel_reason))}</p>"))
            return
        display(HTML(head + table.to_html(index=False, escape=True, classes="ucj-table", border=0)
                     + f"<p class='ucj-note'>{html.escape(t('panel_caveat', lang))}</p>"))

    def show_figure(self, name: str) -> None:
        """The figure as an <img> with alt text (kept in the code-free page)."""
        from IPython.display import HTML, display

        buf = io.BytesIO()
        self.charts[name].savefig(buf, format="png")  # type: ignore[attr-defined]
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        alt = html.escape(t(f"chart_{name}_alt", self.lang))
        display(HTML(f'<img class="ucj-figure" alt="{alt}" src="data:image/png;base64,{data}">'))

    def key_figures_text(self) -> str:
        r = self.results
        lang = self.lang  # two decimals: nbval checks these against a second computation
        return "\n".join([
            f"{t('district', lang)}: {r.districts}",
            f"{t('coverage_pct', lang)} #1: {r.best['district']} {fmt_num(r.best['coverage_pct'], lang, 2)} %",
            f"{t('coverage_pct', lang)} {t('median', lang)}: {fmt_num(r.median_coverage_pct, lang, 2)} %",
        ])


def build_overview(ds: Dataset, province: str | None, lang: str = "id", year: int | None = None,
                   boundaries: str | None = None) -> Overview:
    """The overview of a province (or all), from the analysis layer's ranking, with its charts."""
    lang_ok = check_lang(lang)
    fig = region_figures(ds, province, year)
    ranking = fig.ranking
    ov = Overview(lang_ok, fig, ds.any_synthetic)
    ov.charts["scatter"] = scatter_figure(ranking, "coverage_pct", "p0", "district", lang_ok,
                                          "enrolment" in ds.synthetic_tables(),
                                          f"{t('coverage_vs_poverty', lang_ok)}, {fig.year}",
                                          highlight=ranking["district"].head(3).tolist())
    if boundaries:
        from ucj.report.maps import choropleth, load_topojson

        shapes = load_topojson(boundaries, ds.registry)
        values = ranking.set_index("district_code")["coverage_pct"]
        ov.charts["map"] = choropleth(shapes, values, lang_ok, f"{t('coverage_pct', lang_ok)}, {fig.year}",
                                      ov.synthetic, codes=list(ranking["district_code"]))
        ov.unmatched_shapes = shapes.unmatched
    return ov
