"""Province and national overviews: ranking tables, coverage against poverty, and a map when a
boundaries file is given. Used by province_overview.ipynb and national_overview.ipynb."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field

import pandas as pd

from ucj.dataset import Dataset
from ucj.i18n import Lang, check_lang, fmt_int, fmt_num, t
from ucj.peers import indicators
from ucj.plots import scatter_figure
from ucj.registry import get_registry
from ucj.report.district import REPORT_CSS


@dataclass
class Overview:
    """An overview of one province (or the nation when `province_code` is None)."""

    lang: Lang
    year: int
    province_code: str | None
    ranking: pd.DataFrame
    synthetic: bool
    figures: dict[str, object] = field(default_factory=dict)
    unmatched_shapes: pd.DataFrame | None = None

    @property
    def title(self) -> str:
        if self.province_code is None:
            return f"{t('national_overview', self.lang)} {self.year}"
        name = get_registry().province_name(self.province_code)
        return f"{t('province_overview', self.lang)}: {name}, {self.year}"

    def show_header(self) -> None:
        from IPython.display import HTML, display

        banner = (f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", self.lang))}</div>'
                  if self.synthetic else "")
        display(HTML(f"<style>{REPORT_CSS}</style><h1 class='ucj-title'>{html.escape(self.title)}</h1>{banner}"))

    def show_ranking(self, top: int | None = None) -> None:
        from IPython.display import HTML, display

        df = self.display_ranking()
        display(HTML(df.head(top).to_html(index=False, escape=True, classes="ucj-table", border=0, na_rep="–")))

    def display_ranking(self) -> pd.DataFrame:
        lang, df = self.lang, self.ranking.copy()
        df["working_population"] = df["working_population"].map(lambda v: fmt_int(v, lang))
        for c in ("coverage_pct", "p0", "apbd_share_pct", "jkk_per_1000"):
            df[c] = df[c].map(lambda v: fmt_num(v, lang, 2))
        df.columns = [t(c, lang) for c in df.columns]
        return df

    def show_figure(self, name: str) -> None:
        from IPython.display import Image, display

        buf = io.BytesIO()
        self.figures[name].savefig(buf, format="png")  # type: ignore[attr-defined]
        display(Image(data=buf.getvalue(), format="png"))

    def key_figures_text(self) -> str:
        r = self.ranking
        best = r.iloc[0]
        return "\n".join([
            f"{t('district', self.lang)}: {len(r)}",
            f"{t('coverage_pct', self.lang)} #1: {best['district']} {fmt_num(best['coverage_pct'], self.lang, 2)} %",
            f"{t('coverage_pct', self.lang)} median: {fmt_num(r['coverage_pct'].median(), self.lang, 2)} %",
        ])


def build_overview(ds: Dataset, province: str | None, lang: str = "id", year: int | None = None,
                   boundaries: str | None = None) -> Overview:
    """Rank the districts of a province (or all) by coverage, with P0 and the APBD-funded share."""
    reg = get_registry()
    lang_ok = check_lang(lang)
    prov = reg.resolve_province(province) if province is not None else None
    year = year or int(ds.enrolment["month"].max().year)
    table = indicators(ds, year)
    if prov is not None:
        table = table[table["province_code"] == prov]
    names = reg.districts.set_index("code")
    ranking = table.assign(district=names["kind"].reindex(table.index) + " " + names["name"].reindex(table.index))
    ranking = ranking.reset_index()[["district_code", "district", "coverage_pct", "p0", "apbd_share_pct",
                                     "jkk_per_1000", "working_population"]]
    ranking = ranking.sort_values("coverage_pct", ascending=False, na_position="last").reset_index(drop=True)
    synthetic = ds.any_synthetic
    ov = Overview(lang_ok, year, prov, ranking, synthetic)
    ov.figures["scatter"] = scatter_figure(ranking, "coverage_pct", "p0", "district", lang_ok,
                                           "enrolment" in ds.synthetic_tables(),
                                           f"{t('coverage_vs_poverty', lang_ok)}, {year}",
                                           highlight=ranking["district"].head(3).tolist())
    if boundaries:
        from ucj.maps import choropleth, load_topojson

        shapes = load_topojson(boundaries)
        values = ranking.set_index("district_code")["coverage_pct"]
        ov.figures["map"] = choropleth(shapes, values, lang_ok, f"{t('coverage_pct', lang_ok)}, {year}",
                                       synthetic, codes=list(ranking["district_code"]))
        ov.unmatched_shapes = shapes.unmatched
    return ov
