"""Reader 14, R14-8: a string left in a catalogue after its key was removed was read as the end of the entry
before it (the panel sheet's "Observations" header carried a reason sentence with its raw {n} and {need}). A
quoted line must follow a msgid, a msgstr or another quoted line, never a blank line; checked on the files' lines,
without the workbook's reader."""

from __future__ import annotations

from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "ucj" / "resources" / "locale"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_quoted_line_stands_alone(lang):
    lines = (LOCALE / f"{lang}.po").read_text(encoding="utf-8").splitlines()
    orphans = [i + 1 for i, line in enumerate(lines)
               if line.startswith('"') and i > 0 and not lines[i - 1].strip()]
    assert orphans == [], orphans
