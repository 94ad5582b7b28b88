"""nbconvert's last step of an HTML page, without building a BeautifulSoup tree (docs/speedt.md).

nbconvert's HTMLExporter (7.x) renders its template, then parses the whole page with BeautifulSoup
(``html.parser``), gives every ``img`` without an ``alt`` a placeholder text, marks the cells' input and
output areas focusable (``tabindex="0"`` on ``.jp-Notebook div.jp-Cell-inputWrapper`` and
``.jp-Notebook div.jp-OutputArea-output``) and writes the tree out again. A report's page (about 650 kB:
the theme's CSS, three inline PNGs, fourteen tables) spends most of its export there.

`soup_pass` gives the same text for the pages a report makes, in one pass over the markup: it reads the
markup as Python's ``html.parser`` reads it and writes each piece as BeautifulSoup's "minimal" formatter
writes it, with bs4's own tables and functions (its void elements, its multi-valued attributes, its
entity table and its attribute quoting). It handles only markup whose reading is unambiguous, a strict
subset of HTML: every start tag's attributes quoted and separated by ASCII whitespace, every element closed
by its own end tag in order (void elements never), text whose ``&`` starts a complete character reference,
``<style>``/``<script>`` raw text, comments without ``--`` and a doctype. For anything else (an unquoted
attribute, a repeated attribute, a stray ``<`` or ``&``, a tag left open or closed out of order, a
processing instruction, CDATA, an ``img`` without ``alt``: nbconvert also logs a warning for that, which
is left to it) it returns None and the caller runs nbconvert's own pass
(tests/presentation/test_speedt_soup_pass.py compares both on real pages and on generated markup)."""

from __future__ import annotations

import re
from html import unescape

from bs4 import BeautifulSoup
from bs4.builder import HTMLTreeBuilder
from bs4.dammit import EntitySubstitution, UnicodeDammit
from bs4.element import nonwhitespace_re
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter

# what the parse reads: one token at a position (text, a start tag, an end tag, a character reference, a
# comment, a doctype); a tag name ends where html.parser's ends it (ASCII whitespace, "/" or ">")
_TOKEN = re.compile(r"""
    (?P<text>[^<&]+)
  | <(?P<start>[a-zA-Z][a-zA-Z0-9]*)(?=[ \t\n\r\f/>])
     (?P<attrs>(?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"[^"]*"|'[^']*'))?)*)
     [ \t\n\r\f]*(?P<close>/?)>
  | </(?P<end>[a-zA-Z][a-zA-Z0-9]*)>
  | &(?:(?P<named>[a-zA-Z][a-zA-Z0-9]*)|\#(?P<dec>[0-9]{1,7})|\#[xX](?P<hex>[0-9a-fA-F]{1,6}));
  | <!--(?P<comment>(?:[^-]|-(?!-))*)-->
  | <!DOCTYPE\ (?P<doctype>[^<>]*)>
""", re.X)
_ATTR = re.compile(r"""[ \t\n\r\f]+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"([^"]*)"|'([^']*)'))?""")
_RAW_END = {name: re.compile(r"</\s*%s\s*>" % name, re.I) for name in ("script", "style")}  # html.parser's

_VOID = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())
_LISTS = HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES
_ANY_LIST = frozenset(_LISTS.get("*", ()))
_KEEP_SPACE = frozenset(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS)
_ASCII_SPACES = BeautifulSoup.ASCII_SPACES
_ENTITIES = EntitySubstitution.HTML_ENTITY_TO_CHARACTER
_xml = EntitySubstitution.substitute_xml
_quoted = EntitySubstitution.quoted_attribute_value

NOTEBOOK = "jp-Notebook"
FOCUSABLE = frozenset({"jp-Cell-inputWrapper", "jp-OutputArea-output"})
_CACHE_MAX = 4096  # start tags kept (by name, attribute text, inside the notebook); a long one is never kept
_CACHE_KEY_MAX = 512
_tags: dict[tuple[str, str, bool], tuple[str, bool] | None] = {}


class _Declined(Exception):
    """The markup is outside what soup_pass reads exactly: nbconvert's own pass makes the page."""


def _start_tag(name: str, attr_text: str, in_notebook: bool) -> tuple[str, bool]:
    """A start tag as BeautifulSoup writes it (attributes sorted by name, class-like lists joined by one
    space, values entity-substituted and quoted as bs4 quotes them, "/" before a void element's ">"), with
    nbconvert's tabindex where its selectors put one; and whether the element has the notebook's class."""
    attrs: dict[str, str] = {}
    for m in _ATTR.finditer(attr_text):
        key = m.group(1).lower()
        if key in attrs:  # bs4 keeps the last value in the first one's place: left to it
            raise _Declined
        value = m.group(2) if m.group(2) is not None else m.group(3)
        value = unescape(value) if value else ""  # html.parser unescapes a non-empty value
        attrs[key] = value
    lists = _LISTS.get(name)
    classes: list[str] = []
    for key, value in attrs.items():
        if key in _ANY_LIST or (lists and key in lists):
            parts = nonwhitespace_re.findall(value)
            attrs[key] = " ".join(parts)
            if key == "class":
                classes = parts
    if name == "meta" and "charset" in attrs:
        attrs["charset"] = "utf-8"  # bs4 writes the encoding it outputs (str(): utf-8)
    elif name == "meta" and "content" in attrs and "http-equiv" in attrs:
        raise _Declined  # bs4 may rewrite a content-type's charset: left to it
    if name == "img" and "alt" not in attrs:
        raise _Declined  # nbconvert adds a placeholder and logs a warning: left to it
    if name == "div" and in_notebook and not FOCUSABLE.isdisjoint(classes):
        attrs["tabindex"] = "0"
    text = "".join(f" {key}={_quoted(_xml(value))}" for key, value in sorted(attrs.items()))
    return f"<{name}{text}{'/' if name in _VOID else ''}>", NOTEBOOK in classes


def _collapse(data: str, keep_space: int) -> str:
    """A string as bs4 ends it (text, a comment's, a doctype's): nothing but ASCII whitespace, or nothing at all,
    becomes one newline (if it held one) or one space, except inside <pre>/<textarea>."""
    if not keep_space and not data.strip(_ASCII_SPACES):
        return "\n" if "\n" in data else " "
    return data


def soup_pass(html: str) -> str | None:
    """The page nbconvert's HTMLExporter makes of its template's `html` (its BeautifulSoup pass), or None when
    the markup is outside what this reads exactly (then nbconvert's pass makes it)."""
    try:
        return _soup_pass(html)
    except _Declined:
        return None


def _soup_pass(html: str) -> str:
    out: list[str] = []
    text: list[str] = []  # the current string's pieces, entities read
    stack: list[tuple[str, bool]] = []  # open elements: name, has the notebook's class
    notebooks = 0  # open elements with the notebook's class
    keep_space = 0  # open <pre>/<textarea>
    tags = _tags
    pos, n = 0, len(html)
    match = _TOKEN.match

    def flush() -> None:
        # a string as bs4 ends it (collapsed), escaped but inside <style>/<script>
        data = _collapse("".join(text), keep_space)
        text.clear()
        out.append(data if stack and stack[-1][0] in _RAW_END else _xml(data))

    while pos < n:
        m = match(html, pos)
        if m is None:
            raise _Declined
        kind = m.lastgroup
        pos = m.end()
        if kind == "text":
            text.append(m.group("text"))
        elif kind == "named":
            char = _ENTITIES.get(m.group("named"))
            if char is None:  # html.parser and bs4 keep an unknown name as text, without its ";"
                raise _Declined
            text.append(char)
        elif kind in ("dec", "hex"):
            char, replaced = UnicodeDammit.numeric_character_reference(int(m.group(kind), 10 if kind == "dec" else 16))
            if replaced or not char:
                raise _Declined
            text.append(char)
        elif kind in ("attrs", "close"):  # a start tag (its last group is its attributes or its "/")
            if text:
                flush()
            name = m.group("start").lower()
            if m.group("close") and name not in _VOID:
                raise _Declined  # "<div/>": opened and closed at once by bs4; not in a report
            attr_text = m.group("attrs")
            key = (name, attr_text, notebooks > 0)
            known = tags.get(key) if len(attr_text) <= _CACHE_KEY_MAX else None
            if known is None:
                known = _start_tag(name, attr_text, notebooks > 0)
                if len(attr_text) <= _CACHE_KEY_MAX:
                    if len(tags) >= _CACHE_MAX:
                        tags.clear()
                    tags[key] = known
            out.append(known[0])
            if name in _VOID:
                continue
            stack.append((name, known[1]))
            notebooks += known[1]
            keep_space += name in _KEEP_SPACE
            if name in _RAW_END:  # raw text up to the end tag html.parser finds
                end = _RAW_END[name].search(html, pos)
                if end is None:
                    raise _Declined
                if end.start() > pos:
                    text.append(html[pos:end.start()])
                    flush()
                out.append(f"</{name}>")
                stack.pop()
                notebooks -= known[1]
                pos = end.end()
        elif kind == "end":
            name = m.group("end").lower()
            if not stack or stack[-1][0] != name:  # a void element's or a stray end tag, or one out of order
                raise _Declined
            if text:
                flush()
            out.append(f"</{name}>")
            _, notebook = stack.pop()
            notebooks -= notebook
            keep_space -= name in _KEEP_SPACE
        elif kind == "comment":
            if text:
                flush()
            out.append(f"<!--{_collapse(m.group('comment'), keep_space)}-->")
        elif kind == "doctype":
            if text:
                flush()
            out.append(f"<!DOCTYPE {_collapse(m.group('doctype'), keep_space)}>\n")  # bs4's Doctype ends with a newline
        else:  # pragma: no cover - every group is handled above
            raise _Declined
    if stack:
        raise _Declined  # bs4 closes what is left open at the end: not in a report
    if text:
        flush()
    return "".join(out)



class _Rendered(TemplateExporter):  # type: ignore[misc]
    """Between HTMLExporter and TemplateExporter in PageExporter's method order: takes the rendered page."""

    _ucj_pages: list[str] | None = None  # set while PageExporter exports a page

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[no-untyped-def]
        html, resources = super().from_notebook_node(nb, resources, **kw)
        pages = self._ucj_pages
        page = soup_pass(html) if pages is not None else None
        if page is None:
            return html, resources  # nbconvert's pass makes the page
        pages.append(page)
        return "", resources  # what HTMLExporter parses in its stead


class PageExporter(HTMLExporter, _Rendered):  # type: ignore[misc]
    """nbconvert's HTMLExporter with `soup_pass` in place of its BeautifulSoup pass where soup_pass reads the
    page exactly (else nbconvert's pass runs, unchanged).

    HTMLExporter.from_notebook_node renders its template through ``super().from_notebook_node``, then parses
    what that returns. `_Rendered` sits between the two classes in this class's method order: it makes the
    rendered page with `soup_pass` and hands HTMLExporter an empty page in its stead (parsed in microseconds);
    when soup_pass declines, it hands over the page itself and nbconvert's pass makes it as always. No nbconvert
    code is repeated or patched: the filters, resources and template are nbconvert's own. Not thread-safe (no
    exporter is: it registers filters per page)."""

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[no-untyped-def]
        pages = self._ucj_pages = []
        try:
            html, resources = super().from_notebook_node(nb, resources, **kw)
        finally:
            self._ucj_pages = None
        return (pages[0] if pages else html), resources
