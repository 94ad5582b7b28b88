"""A district page's sections are shown as one output per heading (issue 23, speedn): each output is a display
message between the kernel and whoever runs the notebook, so a report sends about 20 instead of about 75. The
outputs joined are the HTML the sections showed piece by piece (the old `_html`, one display per piece, run
again here), each heading still opens an output, and what a failing section held is still shown."""

from __future__ import annotations

import IPython.display
import pytest

from conftest import PAGE_SECTIONS
from ucj.presentation.district import DistrictReport

HEADING = '<h2 class="ucj-h">'


def _shown(report, name: str, one_by_one: bool, monkeypatch: pytest.MonkeyPatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The HTML of each output section `name` displays; `one_by_one`: as before, one display per piece."""
    parts: list[str] = []
    with monkeypatch.context() as m:
        m.setattr(IPython.display, "display", lambda obj: parts.append(obj.data))
        if one_by_one:  # the `_html` of before this change: every piece displayed at once
            m.setattr(DistrictReport, "_html", lambda self, body: IPython.display.display(IPython.display.HTML(body)))
        getattr(report, name)()
    return parts


@pytest.mark.parametrize(("code", "lang"), [("75.02", "id"), ("31.71", "en")])
def test_sections_show_the_same_html_in_fewer_outputs(district_page, code, lang, monkeypatch):
    report = district_page(code, lang).report
    grouped_n = pieces_n = 0
    for name in PAGE_SECTIONS:
        grouped = _shown(report, name, False, monkeypatch)
        pieces = _shown(report, name, True, monkeypatch)
        assert "".join(grouped) == "".join(pieces), name
        # an output per heading, and one for what comes before the first heading (the banner, the key figures)
        headings = sum(p.startswith(HEADING) for p in pieces)
        assert len(grouped) == headings + (not pieces[0].startswith(HEADING)), name
        assert all(g.startswith(HEADING) for g in grouped[1:]), name
        assert all(g.count(HEADING) <= 1 for g in grouped), name
        grouped_n, pieces_n = grouped_n + len(grouped), pieces_n + len(pieces)
    assert grouped_n < pieces_n / 2, (grouped_n, pieces_n)


def test_a_failing_section_still_shows_what_it_held(district_page, monkeypatch):
    report = district_page("75.02", "id").report
    shown: list[str] = []

    def fails() -> str:
        raise RuntimeError("no sentence")

    with monkeypatch.context() as m:
        m.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
        m.setattr(report, "coverage_sentence", fails)
        with pytest.raises(RuntimeError, match="no sentence"):
            report.show_coverage()
    # the heading, the figure and the table were shown (one output), the section's sentence was not
    assert len(shown) == 1 and shown[0].startswith(HEADING) and 'class="ucj-figure"' in shown[0]
    assert report._held is None  # the next section starts afresh
    assert "".join(_shown(report, "show_coverage", False, monkeypatch)).startswith(shown[0])
