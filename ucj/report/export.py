"""Writing what sits beside each report: code-free HTML, Excel tables, PNG figures, key-figure JSON,
and the index of a batch. Every file is written to a temporary name and renamed."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from ucj.report.i18n import Lang, fmt_pct, t
from ucj.core.config import stylesheet

NOTEBOOK_ONLY_TAG = "notebook-only"



def write_key_figures(path: Path, key: dict[str, object]) -> Path:
    from ucj.core.files import write_json

    write_json(path, key)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    from ucj.core.files import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_tables_xlsx(path: Path, tables: dict[str, pd.DataFrame], lang: Lang, synthetic: list[str],
                      key: dict[str, object]) -> Path:
    """One sheet per table with localised headers and Rupiah/percent number formats, plus a notes sheet."""
    import pandas as pd  # here, not at the top: batch workers export HTML without loading pandas
    from ucj.core.files import atomic_path
    from openpyxl.utils import get_column_letter

    notes = [(t("report_title", lang), f"{key.get('district_name')} ({key.get('district_code')})"),
             (t("last_period", lang), str(key.get("last_period")))]
    if synthetic:
        notes.insert(0, ("!", t("synthetic_banner", lang)))
        notes.append((t("synthetic", lang), ", ".join(synthetic)))
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            pd.DataFrame(notes, columns=[t("data_notes", lang), ""]).to_excel(xw, sheet_name="notes", index=False)
            for name, df in tables.items():
                out = df.copy()
                for c in out.columns:
                    if isinstance(out[c].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(out[c]):
                        out[c] = out[c].dt.strftime("%Y-%m")
                    elif out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
                        out[c] = out[c].map(lambda v: t(str(v), lang) if isinstance(v, str) else v)
                out.columns = [t(c, lang) for c in df.columns]
                sheet = name[:31]
                out.to_excel(xw, sheet_name=sheet, index=False)
                ws = xw.sheets[sheet]
                for j, col in enumerate(df.columns, start=1):
                    fmt = None
                    if col.endswith("_rp"):
                        fmt = '"Rp"#,##0'
                    elif col.endswith("_pct") or col in ("p0", "p1", "p2", "percentile"):
                        fmt = "0.00"
                    elif pd.api.types.is_integer_dtype(df[col]):
                        fmt = "#,##0"
                    if fmt:
                        for cell in ws[get_column_letter(j)][1:]:
                            cell.number_format = fmt
                    ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(str(out.columns[j - 1])) + 2))
    return path


def html_exporter() -> object:
    """The code-free HTML exporter (nbconvert, in-process); build it once and reuse it for many reports."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def notebook_html(nb: object, title: str, exporter: object | None = None) -> str:
    """A code-free, print-friendly HTML page from an executed notebook (a NotebookNode, left unchanged)."""
    import copy

    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title  # type: ignore[attr-defined]
    remover = TagRemovePreprocessor(remove_cell_tags=[NOTEBOOK_ONLY_TAG, "parameters", "injected-parameters",
                                                      "papermill-error-cell-tag"])
    nb, _ = remover.preprocess(nb, {})
    body, _ = (exporter or html_exporter()).from_notebook_node(nb)  # type: ignore[attr-defined]
    return body.replace("</head>", f"<style>{stylesheet('page')}</style></head>", 1)


def notebook_to_html(notebook: Path, target: Path, title: str) -> Path:
    """A code-free, print-friendly HTML page from an executed notebook file."""
    import nbformat

    from ucj.core.files import write_text

    write_text(target, notebook_html(nbformat.read(notebook, as_version=4), title))
    return target


def write_index(path: Path, entries: list[dict[str, object]], lang: Lang, synthetic: bool, title: str) -> Path:
    """index.html linking every report of a batch, with failures listed and explained."""
    from ucj.core.files import write_text

    rows = []
    for e in entries:
        name = html.escape(str(e.get("district_name", e.get("district"))))
        prov = html.escape(str(e.get("province", "")))
        if e.get("status") == "ok":
            link = f'<a href="{html.escape(str(e["html"]))}">{name}</a>'
            status = t("ok", lang)
            figures = (f"<td>{fmt_pct(e.get('coverage_pct'), lang)}</td>"
                       f"<td>{fmt_pct(e.get('target_pct'), lang)} ({e.get('target_year')})</td>"
                       f"<td>{html.escape(t(str(e.get('projection_status')), lang))}</td>")
        else:
            link = name
            cell = f" (cell {e['cell']})" if e.get("cell") else ""
            status = f"{t('failed', lang)}{cell}: {html.escape(str(e.get('error', '')))}"
            figures = "<td></td><td></td><td></td>"
        rows.append(f"<tr><td>{link}</td><td>{prov}</td>{figures}<td>{status}</td></tr>")
    banner = f'<div class="ucj-synthetic">{html.escape(t("synthetic_banner", lang))}</div>' if synthetic else ""
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{stylesheet()}{stylesheet('page')}</style></head><body><h1 class='ucj-title'>{html.escape(title)}</h1>"
            f"{banner}<table class='ucj-table'><tr><th>{t('district', lang)}</th><th>{t('province', lang)}</th>"
            f"<th>{t('coverage_pct', lang)}</th><th>{t('target', lang)}</th><th>{t('projected', lang)}</th>"
            f"<th>{t('status', lang)}</th></tr>{''.join(rows)}</table></body></html>")
    write_text(path, page)
    return path
