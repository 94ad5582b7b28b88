"""Writing what sits beside each report: code-free HTML, Excel tables, PNG figures and key-figure JSON
(the index of a batch is ucj.runs.index_page). Every file is written to a temporary name and renamed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ucj.presentation.tables import Shown

from ucj.presentation.i18n import Lang, t
from ucj.core.config import stylesheet

NOTEBOOK_ONLY_TAG = "notebook-only"



def png_bytes(figure: object) -> bytes:
    """A matplotlib figure as PNG bytes (shown inline in the page and saved beside the report)."""
    import io

    buf = io.BytesIO()
    figure.savefig(buf, format="png")  # type: ignore[attr-defined]
    return buf.getvalue()


def write_key_figures(path: Path, key: dict[str, object]) -> Path:
    from ucj.core.files import write_json

    write_json(path, key)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    from ucj.core.files import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_tables_xlsx(path: Path, tables: dict[str, Shown], lang: Lang, synthetic: list[str],
                      key: dict[str, object], stamp: str = "", subject: str | None = None) -> Path:
    """One sheet per table, named in the report's language, with localised headers and numbers kept as
    numbers (number format by kind), plus a notes sheet with the stamp. Text is never a formula.
    `subject` names what the report is about (default: the district in `key`)."""
    from openpyxl import Workbook

    from ucj.presentation.xlsx import save_workbook, sheet_title, write_rows, write_shown

    about = subject or f"{key.get('district_name')} ({key.get('district_code')})"
    notes: list[list[object]] = [[t("report_title", lang) if subject is None else t("overview_report", lang), about],
                                 [t("last_period", lang), str(key.get("last_period"))]]
    if synthetic:
        notes.insert(0, ["!", t("synthetic_banner", lang)])
        notes.append([t("synthetic", lang), ", ".join(t(f"table.{n}", lang) for n in synthetic)])
    if stamp:
        notes.append([t("generated_at", lang), stamp])
    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = sheet_title(t("sheet.notes", lang), taken)
    write_rows(ws, [t("data_notes", lang), ""], notes)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 100
    for name, shown_table in tables.items():
        write_shown(wb.create_sheet(sheet_title(t(f"sheet.{name}", lang), taken)), shown_table, lang)
    return save_workbook(wb, path)


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
