"""The report page made the cheaper way (the exporter running only nbconvert's switched-on preprocessors,
the cells filtered on a shallow copy) is the page nbconvert's stock exporter makes from a deep copy with
its own TagRemovePreprocessor, byte for byte; and the notebook is left unchanged."""

from __future__ import annotations

import base64
import copy
import io
import re

import nbformat
import pytest
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.utils.importstring import import_item

from ucj.presentation.export import (PAGE_PREPROCESSORS, PAGE_TEMPLATE, PAGE_TEMPLATE_TEXT, html_exporter,
                                     notebook_html)


def test_the_pages_preprocessors_are_nbconverts_switched_on_defaults():
    stock = HTMLExporter()
    on = [path for path in stock.default_preprocessors if import_item(path)(parent=stock).enabled]
    assert on == PAGE_PREPROCESSORS


def _png() -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _executed(lang: str) -> nbformat.NotebookNode:
    """A small executed notebook as papermill leaves one: tagged cells the page drops, HTML, text, a
    figure and a stream in the cells it keeps."""
    v4 = nbformat.v4
    nb = v4.new_notebook(metadata={"papermill": {"parameters": {"lang": lang}},
                                   "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                   "language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    html_out = v4.new_output("display_data", data={"text/html": "<h2 class=\"ucj-h\">Ringkasan &amp; data</h2>"
                                                                 "<table class=\"ucj-table\"><tr><td>1,5 %</td></tr></table>",
                                                   "text/plain": "<IPython.core.display.HTML object>"})
    img = v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"})
    nb.cells = [
        v4.new_markdown_cell("# Notes for the planner", metadata={"tags": ["notebook-only"]}),
        v4.new_code_cell("district = 'x'", metadata={"tags": ["parameters"]}, execution_count=1),
        v4.new_code_cell("district = '75.02'", metadata={"tags": ["injected-parameters"]}, execution_count=2),
        v4.new_code_cell("report.show_summary()", execution_count=3, outputs=[html_out, img]),
        v4.new_markdown_cell("Text *between* sections, with `code` and a [link](https://bps.go.id)."),
        v4.new_code_cell("print('only-in-the-notebook')", execution_count=4, metadata={"tags": ["notebook-only"]},
                         outputs=[v4.new_output("stream", name="stdout", text="only-in-the-notebook\n")]),
        v4.new_code_cell("%%time\nreport.show_peers()", execution_count=5,
                         outputs=[v4.new_output("stream", name="stdout", text="a line\n"), html_out]),
    ]
    nbformat.validate(nb)
    return nb


def _stock_page(nb: nbformat.NotebookNode, title: str, lang: str) -> str:
    """The page as nbconvert makes it out of the box: a deep copy, its TagRemovePreprocessor, its exporter
    with every default preprocessor."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    nb, _ = TagRemovePreprocessor(remove_cell_tags=["notebook-only", "parameters", "injected-parameters",
                                                    "papermill-error-cell-tag"]).preprocess(nb, {})
    exporter = HTMLExporter(template_name="lab", template_file=PAGE_TEMPLATE,
                            extra_loaders=[DictLoader({PAGE_TEMPLATE: PAGE_TEMPLATE_TEXT})], exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.language_code = lang
    return exporter.from_notebook_node(nb)[0]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_page_equals_the_stock_exporters_and_leaves_the_notebook_unchanged(lang):
    nb = _executed(lang)
    before = copy.deepcopy(nb)
    exporter = html_exporter()
    page = notebook_html(nb, "Laporan: Kab. Boalemo", exporter, key={"lang": lang, "district_name": "Boalemo"})
    again = notebook_html(nb, "Laporan: Kab. Boalemo", exporter, key={"lang": lang, "district_name": "Boalemo"})
    assert nb == before and page == again
    # what ucj adds to the head (author, description, the page's style) aside, the stock page byte for byte
    ours = re.sub(r'<meta name="author".*?</style></head>', "</head>", page, count=1, flags=re.S)
    assert ours != page and '<meta name="generator" content="ucj ' in page
    assert ours == _stock_page(nb, "Laporan: Kab. Boalemo", lang)
    assert "Ringkasan &amp; data" in page and "data:image/png;base64," in page and "a line" in page
    assert "Notes for the planner" not in page and "only-in-the-notebook" not in page and f'lang="{lang}"' in page
