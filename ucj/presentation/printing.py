"""Printing a report: the page style of one report on paper (A4, a running header with the area and
period, page numbers, the synthetic-data notice in the footer) and its PDF.

The PDF is made by WeasyPrint from the very HTML page the report writes, with the print rules of
ucj/resources/page.css (docs/print.md says why WeasyPrint rather than a browser). It installs from
PyPI with ucj and needs only the Pango text library of the system (in Debian's base image), so `make
run` makes PDFs on a machine with nothing but python3 and make. The page fetches nothing: images
are inline, and any other address is refused while printing.
"""

from __future__ import annotations

from ucj.presentation.i18n import Lang, t, tf

ENGINE = "WeasyPrint"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF (structure tree, /Lang, title shown), with PDF/UA identification
PANGO_HINT = ("install the Pango text library (Debian/Ubuntu: apt-get install libpango-1.0-0 "
              "libpangoft2-1.0-0; other systems: see docs/print.md)")


class PdfUnavailable(RuntimeError):
    """The PDF engine cannot run on this machine; the message names what is missing."""


def engine_problem() -> str | None:
    """Why a PDF cannot be made on this machine (one line naming what is missing), or None if it can."""
    try:
        import weasyprint  # noqa: F401 - loads Pango through cffi: an OSError names the missing library
    except ImportError:
        return (f"--pdf needs the Python package weasyprint, which is not installed; run `make setup` "
                f"(or pip install ucj again)")
    except OSError as err:
        return f"--pdf cannot start {ENGINE}: {' '.join(str(err).split())[:200]}; {PANGO_HINT}"
    return None


def css_string(text: str) -> str:
    """A CSS string literal (for `content:`), quotes, backslashes and line ends escaped."""
    out = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")
    return f'"{out}"'


def running_header(key: dict[str, object], lang: Lang) -> str:
    """The area and the period a report is about, for the top of every printed page: "Kabupaten
    Boalemo, Gorontalo · Periode terakhir 2025-12" (a district) or "Ikhtisar provinsi: Gorontalo, 2025 ·
    ..." (an overview)."""
    if key.get("district_name"):
        area = f"{key['district_name']}, {key['province']}" if key.get("province") else str(key["district_name"])
    else:
        area = str(key.get("title") or key.get("province") or "")
    period = key.get("last_period")
    return f"{area} · {t('last_period', lang)} {period}" if period else area


def page_rules(header: str, lang: Lang, synthetic: bool) -> str:
    """The @page rules of one report: its running header, page numbers ("Halaman 2 dari 9") and, when
    any of its data is synthetic, the synthetic-data notice in the footer of every page. Static rules
    (sizes, fonts, what breaks where) are in page.css."""
    # "Halaman {page} dari {pages}": the words around the placeholders, and the page counters in them
    page = tf("print_page", lang, page="\x00", pages="\x01")
    numbering = []
    before, _, rest = page.partition("\x00")
    middle, _, after = rest.partition("\x01")
    if before:
        numbering.append(css_string(before))
    numbering.append("counter(page)")
    if middle:
        numbering.append(css_string(middle))
    numbering.append("counter(pages)")
    if after:
        numbering.append(css_string(after))
    footer = f"@bottom-left{{content:{css_string(t('print_synthetic_footer', lang))}}}" if synthetic else ""
    return (f"@media print{{@page{{@top-left{{content:{css_string(header)}}}"
            f"@bottom-right{{content:{' '.join(numbering)}}}{footer}}}}}")


def pdf_bytes(page_html: str) -> bytes:
    """The PDF of a report page (the HTML as the report writes it): A4, tagged, with the page's title,
    language, author and description as the PDF's metadata."""
    problem = engine_problem()
    if problem:
        raise PdfUnavailable(problem)
    import logging

    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its notes on CSS it skips are not the user's
    inline_only = URLFetcher(allowed_protocols={"data"})  # a printed report fetches nothing
    return HTML(string=page_html, url_fetcher=inline_only).write_pdf(pdf_variant=PDF_VARIANT)
