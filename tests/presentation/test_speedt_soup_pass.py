"""The page made with `soup_pass` in place of nbconvert's BeautifulSoup pass is, byte for byte, the page nbconvert's
stock HTMLExporter makes: on district pages (their sections' real HTML, three districts, both languages), on
generated markup (where soup_pass either declines or gives what BeautifulSoup writes), and where it declines
(nbconvert's pass then runs, its warning included)."""

from __future__ import annotations

import copy
import functools
import logging

import nbformat
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from conftest import PAGE_SECTIONS
from ucj.presentation.export import PAGE_TEMPLATE, PAGE_TEMPLATE_TEXT, html_exporter, page_body
from ucj.presentation.soup_pass import PageExporter, soup_pass

TITLE = "Laporan: Kab. Boalemo"


def _stock_page(nb: nbformat.NotebookNode, lang: str) -> str:
    """The page as nbconvert makes it out of the box (test_speedb_export's reference): a deep copy, its
    TagRemovePreprocessor, its exporter with every default preprocessor and its BeautifulSoup pass."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = TITLE
    nb, _ = TagRemovePreprocessor(remove_cell_tags=["notebook-only", "parameters", "injected-parameters",
                                                    "papermill-error-cell-tag"]).preprocess(nb, {})
    exporter = _exporters()[0]
    exporter.language_code = lang
    return exporter.from_notebook_node(nb)[0]


@functools.cache
def _exporters() -> tuple[HTMLExporter, PageExporter]:
    """nbconvert's stock exporter and the page's, each built once (building one takes about 0.2 s)."""
    stock = HTMLExporter(template_name="lab", template_file=PAGE_TEMPLATE,
                         extra_loaders=[DictLoader({PAGE_TEMPLATE: PAGE_TEMPLATE_TEXT})], exclude_input=True,
                         exclude_input_prompt=True, exclude_output_prompt=True)
    return stock, html_exporter()  # type: ignore[return-value]


def _notebook(outputs: list[list[str]], lang: str, markdown: str = "") -> nbformat.NotebookNode:
    """An executed notebook laid out as the district report's: a parameters cell, then one code cell a section
    with each of its HTML pieces as an output, a markdown cell, a notebook-only cell."""
    v4 = nbformat.v4
    nb = v4.new_notebook(metadata={"papermill": {"parameters": {"lang": lang}},
                                   "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                   "language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    nb.cells = [v4.new_code_cell("district = 'x'", metadata={"tags": ["parameters"]}, execution_count=1)]
    for i, pieces in enumerate(outputs):
        nb.cells.append(v4.new_code_cell(f"report.section_{i}()", execution_count=i + 2, outputs=[
            v4.new_output("display_data", data={"text/html": html, "text/plain": "<IPython.core.display.HTML object>"})
            for html in pieces]))
    nb.cells.append(v4.new_markdown_cell(markdown or "Text *between* sections, with `code` & a [link](https://bps.go.id)."))
    nb.cells.append(v4.new_code_cell("report.save(d)", metadata={"tags": ["notebook-only"]}, execution_count=99,
                                     outputs=[v4.new_output("stream", name="stdout", text="saved\n")]))
    return nb


@pytest.mark.parametrize("code", ["75.02", "11.01"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_district_page_equals_the_stock_exporters(district_page, code, lang):
    page = district_page(code, lang)
    nb = _notebook([page.html((name,)) for name in PAGE_SECTIONS], lang)
    exporter = html_exporter()
    assert isinstance(exporter, PageExporter)
    ours, _ = page_body(nb, TITLE, exporter)
    assert ours == _stock_page(nb, lang)
    # soup_pass made it (nbconvert's pass would give the same page): the page's markup is within what it reads
    raw = super(HTMLExporter, exporter).from_notebook_node(copy.deepcopy(nb))[0]  # the template alone
    assert soup_pass(raw) is not None
    assert 'tabindex="0"' in ours and "<img " in ours and "<table " in ours


def test_markup_soup_pass_declines_is_left_to_nbconverts_pass_and_its_warning(caplog):
    pieces = ['<p>an image without alt <img src="data:image/png;base64,iVBORw0KGgo="></p>',  # nbconvert adds one
              '<p>unquoted <span class=x>value</span> and a stray & ampersand</p>', "<div>left open"]
    for piece in pieces:
        nb = _notebook([[piece]], "en")
        with caplog.at_level(logging.WARNING):
            caplog.clear()
            ours, _ = page_body(nb, TITLE, html_exporter())
        assert ours == _stock_page(nb, "en"), piece
    assert "No description has been provided for this image" in page_body(_notebook([[pieces[0]]], "en"), TITLE,
                                                                           html_exporter())[0]


def test_the_exporter_keeps_no_page_between_calls():
    exporter = html_exporter()
    first = page_body(_notebook([["<p>page-one-q7</p>"]], "id"), TITLE, exporter)[0]
    second = page_body(_notebook([["<p>page-two-q7</p>"]], "id"), TITLE, exporter)[0]
    assert "page-one-q7" in first and "page-two-q7" not in first
    assert "page-two-q7" in second and "page-one-q7" not in second
    assert exporter._ucj_pages is None  # noqa: SLF001


# -- generated markup: soup_pass gives BeautifulSoup's text or declines -------------------------------------
# pieces that each touch one rule of the reading or the writing (entities, quoting, sorting, void elements,
# class lists, whitespace-only strings, raw text, comments, pre), and some that must make it decline
PIECES = ["<p>", "</p>", "<div>", "</div>", "<span>", "</span>", "<pre>", "</pre>", "<textarea>", "</textarea>",
          "<br>", "<br/>", "<br />", "</br>", "<img alt='a' src=\"x\">", "<img src=x>", "<hr>", "<meta charset=\"UTF-8\">",
          '<td class=" b  a ">', "</td>", '<a title="x" href="y" rel=" n  f">', "</a>", '<p class="">', '<P ID="u">',
          "<div data-x='say \"hi\"'>", "<div title=\"it's &amp; &lt;b&gt;\">", "<div a=\"1\" a=\"2\">", "<div/>",
          "<style>a > b { c: '&amp;' }</style>", "<script>if (a < b && c) {}</script>", "<STYLE>x</style >",
          "<!-- a comment -->", "<!---->", "<!-- -- -->", "<!DOCTYPE html>", "<?php x ?>", "<![CDATA[x]]>",
          "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x27;", "&#X41;", "&nbsp;", "&eacute;", "&notanentity;",
          "&amp", "&#128;", "&#0;", " & ", " < ", ">", "a", "  ", "\n", " \t\n ", "\xa0", "\u202f", "x  y", "é",
          "\r\n", "<table border=\"0\" class=\"dataframe ucj-table\">", "</table>", "<th>", "</th>", "<tr style=\"text-align: right;\">",
          "</tr>", "<input disabled>", "<input value=''>", "<b\x0bclass=\"x\">", "<div\n  class=\"a\"\n>", "<i title = \"s\">", "</i>"]


def _bs4(markup: str) -> str:
    return str(BeautifulSoup(markup, features="html.parser"))


# well-formed markup, most of it read by soup_pass: elements (their start tags' attributes in any order, quoted
# either way, class lists with stray spaces) around text, entities, void elements, raw text and comments
OPEN = ['<p>', '<div class=" b  a ">', '<span title="it\'s &amp; &lt;b&gt;" id="s">', "<td data-x='say \"hi\"' class='c'>",
        '<a rel=" n  f" title="x" href="y?a=1&amp;b=2">', '<pre>', '<textarea>', '<P ID="u">', '<div\n  class="a"\n>',
        '<i title = "s" lang="id">', '<tr style="text-align: right;">', '<b class="">', '<th headers=" h1  h2 ">']
LEAVES = ["a", "x  y", "  ", "\n", " \t\n ", "\xa0", "\u202f", "é", "\r\n", ">", "&amp;", "&lt;", "&gt;", "&quot;",
          "&#39;", "&#x27;", "&#X41;", "&nbsp;", "&eacute;", "<br>", "<br/>", "<hr />", '<img alt="a" src="x">',
          '<meta charset="UTF-8">', "<input disabled>", "<input value=''>", "<!-- a comment -->", "<!---->",
          "<style>a > b { c: '&amp;' }</style>", "<script>if (a < b && c) {}</script>", "<STYLE>x</style >"]


def _close(start: str) -> str:
    return f"</{start[1:].split()[0].rstrip('>').lower()}>"


markup = st.recursive(st.sampled_from(LEAVES),
                      lambda inner: st.one_of(st.builds(lambda o, kids: o + "".join(kids) + _close(o),
                                                        st.sampled_from(OPEN), st.lists(inner, max_size=4)),
                                              st.lists(inner, min_size=2, max_size=4).map("".join)),
                      max_leaves=14)


@settings(max_examples=300, deadline=None)
@given(markup, st.sampled_from(["", "<!DOCTYPE html>\n", "<!DOCTYPE html>"]))
def test_well_formed_markup_is_written_as_beautifulsoup_writes_it(body, doctype):
    text = doctype + body
    ours = soup_pass(text)
    assert ours is not None, text  # within what soup_pass reads (nothing here carries nbconvert's classes)
    assert ours == _bs4(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(markup, st.sampled_from(PIECES)), max_size=6))
def test_generated_markup_is_written_as_beautifulsoup_writes_it_or_declined(pieces):
    text = "".join(pieces)
    ours = soup_pass(text)
    if ours is not None:  # no element here carries nbconvert's classes: its pass changes nothing else
        assert ours == _bs4(text), text


def test_well_formed_markup_is_read_not_declined():
    markup = ("<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\" />\n<style>a > b {}</style></head>"
              "<body class=\"jp-Notebook\"><main><div class=\"jp-Cell  jp-OutputArea-output \" id=\"c\">\n\n"
              "<p title=\"a &amp; b\" class=\"z a\">1 &lt; 2 &amp; 3 &gt; 2, it&#39;s&nbsp;so</p>  <br>"
              "<img class=\"f\" alt=\"Grafik\" src=\"data:image/png;base64,AAAA\">"
              "<pre>  \n  </pre><!-- note --></div></main></body>\n</html>\n")
    ours = soup_pass(markup)
    assert ours is not None
    soup = BeautifulSoup(markup, features="html.parser")
    for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):  # nbconvert's one change to this page
        elem.attrs["tabindex"] = "0"
    assert ours == str(soup)
    assert '<div class="jp-Cell jp-OutputArea-output" id="c" tabindex="0">' in ours


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ['<div class="jp-Cell-inputWrapper">', '<div class="x jp-OutputArea-output">',
                                          '<div class="jp-Notebook">']), max_size=10))
def test_generated_outputs_give_the_stock_exporters_page(pieces):
    """The whole exporter on generated outputs (inside and outside nbconvert's own elements): the stock page."""
    nb = _notebook([["".join(pieces)]], "en")
    assert page_body(nb, TITLE, _exporters()[1])[0] == _stock_page(nb, "en")
