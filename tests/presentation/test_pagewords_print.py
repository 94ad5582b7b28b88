"""Reader 3's item 17: printed (WeasyPrint), narrow table columns no longer break short words mid-word
("se-suai", "Ta-hun", "Tang-gal"): only a word of 9 letters or more may break, with 4 or more letters on each
side. The page is printed with the report's own stylesheets and read back with pdfplumber; the same page with
unrestricted hyphenation is the control that shows the check can fail."""

from __future__ import annotations

import io

import pytest

from ucj.core.config import stylesheet
from ucj.presentation.printing import engine_problem, pdf_bytes

pytestmark = pytest.mark.slow

HYPHENS = ("\u2010", "-", "\u00ad")  # what a hyphenated break leaves at the end of a line's word
WORDS = ["Tanggal", "Selisih", "sesuai", "Rencana", "Tahun", "Dipublikasikan", "Keterangan", "Sumber",
         "Dihitung", "Besaran", "penganggaran", "kemiskinan"]


# a long cell (as the citations are in the published-facts table) takes the width the short columns need
LONG = ("hariantoday.com, Optimalkan Jamsostek, Pemkab Boalemo Gelar Monev Implementasi Inpres No 2 tahun 2021, "
        "5 Oktober 2025; sebanyak 5000 pekerja rentan bakal dilindungi dan sudah masuk pada tahap penganggaran ") * 3


def _page(extra_css: str = "") -> str:
    head = "".join(f"<th>{w}</th>" for w in [*WORDS, "Sumber (media/penerbit, tanggal)"])
    rows = "".join("<tr>" + "".join(f"<td>{w} {w.lower()}</td>" for w in WORDS) + f"<td>{LONG}</td></tr>"
                   for _ in range(3))
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>t</title>'
            f"<style>{stylesheet()}{stylesheet('page')}{extra_css}</style></head><body>"
            f'<table class="ucj-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>')


def _words(pdf: bytes) -> list[dict]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [w | {"page_width": page.width} for page in doc.pages for w in page.extract_words()]


def _broken_words(pdf: bytes) -> list[str]:
    return [w["text"] for w in _words(pdf) if len(w["text"]) > 1 and w["text"].endswith(HYPHENS)]


def _broken_short_words(pdf: bytes) -> list[str]:
    """Breaks that split a word of 8 letters or fewer, or leave fewer than 4 letters before the break."""
    short = {w.lower() for w in WORDS if len(w) <= 8}
    out = []
    for frag in _broken_words(pdf):
        head = frag.rstrip("".join(HYPHENS)).lower()
        if len(head) < 4 or any(w.startswith(head) for w in short):
            out.append(frag)
    return out


def test_narrow_columns_do_not_hyphenate_short_words():
    if engine_problem():
        pytest.skip(engine_problem())
    control = _broken_short_words(pdf_bytes(_page("html body table.ucj-table td,html body table.ucj-table th"
                                                  "{hyphenate-limit-chars:auto!important}")))
    assert control, "the control should split short words: without it this test could not fail"
    pdf = pdf_bytes(_page())
    assert _broken_short_words(pdf) == []
    margin = 12 / 25.4 * 72  # page.css: 12 mm either side; the unhyphenated columns still fit the page
    assert all(margin - 1 <= w["x0"] and w["x1"] <= w["page_width"] - margin + 1 for w in _words(pdf))
