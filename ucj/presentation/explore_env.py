"""What `ucj explore` and its server need to know of the explorer without loading it: the environment
variables that carry `--lang` and `--district` to the notebook, and the language chosen.

Kept apart from ucj.presentation.explore, whose imports (pandas, matplotlib, the analysis layer) take
seconds: the command and the server import only this, so neither waits for them before the page's
kernel starts (issue 21, first paint)."""

from __future__ import annotations

import os

from ucj.presentation.i18n import Lang, check_lang

LANG_ENV = "UCJ_LANG"  # `ucj explore --lang` passes the language to the notebook this way
DISTRICT_ENV = "UCJ_DISTRICT"  # and `--district` the district shown first


def default_lang(lang: str = "") -> Lang:
    """The language asked for, else $UCJ_LANG, else Bahasa Indonesia."""
    return check_lang(lang or os.environ.get(LANG_ENV, "") or "id")
