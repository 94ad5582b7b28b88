"""Reader 9's findings on the district pages (R1, R2, R5, R6, R8, R9, S8, S11), read as a reader reads them:
the page's HTML as its notebook shows it, its tables.xlsx and key_figures.json, in Bahasa Indonesia and English.

What a page should say is worked out here from the demo's raw parquet files with plain pandas (which workforce
column is made up, which month the funded cohort is active) or from the page's own other sentences, never from
the figures ucj computes for the page."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import t

LANGS = ("id", "en")
MINAHASA, BOALEMO, BANGGAI, MUNA_BARAT = "71.02", "75.02", "72.01", "74.13"
SECTIONS = ("show_banner", "show_summary", "show_seed_facts", "show_coverage", "show_workers_needed",
            "show_claims", "show_poverty", "show_peers", "show_budget", "show_data_notes")


class _Page:
    """A district page built as `ucj report` builds it (used when tests/conftest.py has no `district_page`)."""

    def __init__(self, report, folder: Path):  # type: ignore[no-untyped-def]
        import IPython.display

        self.report, self.folder, self._sections = report, folder, {}
        saved = IPython.display.display
        try:
            for name in SECTIONS:
                parts = self._sections.setdefault(name, [])
                IPython.display.display = lambda obj, parts=parts: parts.append(obj.data)
                getattr(report, name)()
        finally:
            IPython.display.display = saved

    def html(self, sections=SECTIONS) -> list[str]:  # type: ignore[no-untyped-def]
        return [part for name in sections for part in self._sections[name]]


@pytest.fixture(scope="module")
def page(request, demo_dir, demo_ds, tmp_path_factory):  # type: ignore[no-untyped-def]
    """(code, lang) -> the built page: the session's `district_page` when conftest has it, else built here."""
    try:
        return request.getfixturevalue("district_page")
    except pytest.FixtureLookupError:
        from ucj.presentation import district as district_report
        from ucj.runs.params import validate_params

        cache: dict[tuple[str, str], _Page] = {}

        def get(code: str, lang: str) -> _Page:
            if (code, lang) not in cache:
                report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
                folder = tmp_path_factory.mktemp(f"pagesm{code.replace('.', '')}{lang}")
                report.save(folder)
                cache[code, lang] = _Page(report, folder)
            return cache[code, lang]

        return get


def text_of(parts: list[str]) -> str:
    """The words a reader sees: tags dropped, entities decoded, white space collapsed."""
    words = html_lib.unescape(re.sub(r"<style.*?</style>|<script.*?</script>", " ", "".join(parts), flags=re.S))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", words))


def workbook_cells(folder: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def key_figures(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))


# -- R1: the banner and the methods follow the status of the column coverage divides by ------------------------

def _workforce_origin(demo_dir: Path, code: str, column: str) -> bool:
    """True when every filled cell of `column` in the district's workforce rows is made up, read with pandas
    from the row's source text ("synthetic-demo" alone, or a mixed row naming the column after it)."""
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    own = w[(w["district_code"] == code) & w[column].notna()]
    made_up = []
    for src in own["source"].astype(str):
        synthetic_part = src.split("synthetic-demo", 1)[1] if "synthetic-demo" in src else None
        made_up.append(synthetic_part is not None and (synthetic_part.strip() == "" or column in synthetic_part))
    assert made_up, f"no {column} cell for {code}"
    return all(made_up)


@pytest.mark.parametrize("lang", LANGS)
def test_r1_minahasa_banner_and_methods_call_its_real_denominator_real(page, demo_dir, lang):
    """Minahasa's coverage divides by its potensi pekerja list (real: ANTARA Sulut), while its working
    population is made up: neither the banner nor the methods may call the denominator synthetic; Boalemo's
    denominator (working population) is made up and both still say so. Page, workbook and JSON alike."""
    assert not _workforce_origin(demo_dir, MINAHASA, "potensi_pekerja")  # the data: potensi real ...
    assert _workforce_origin(demo_dir, MINAHASA, "working_population")  # ... working population made up
    assert _workforce_origin(demo_dir, BOALEMO, "working_population")
    mina = page(MINAHASA, lang)
    text = text_of(mina.html())
    assert t("synthetic_banner", lang) not in text  # the general banner names the denominator made up
    assert t("workforce_source_synthetic", lang) not in text
    den = t("potensi_pekerja", lang)
    banner = text_of(re.findall(r'<div class="ucj-synthetic">.*?</div>', "".join(mina.html(("show_banner",))))).strip()
    # the banner names the real denominator among the real things, and the made-up working population
    real_part = banner.split(";", 1)[1]
    assert den in real_part and t("working_population", lang) in banner.split(";", 1)[0]
    methods = text_of(mina.html(("show_data_notes",)))
    assert den in methods and t("working_population", lang) in methods
    notes = workbook_cells(mina.folder)[next(s for s in workbook_cells(mina.folder) if s.startswith(
        t("sheet.notes", lang)[:10]))]
    assert notes[1][1] == banner and t("synthetic_banner", lang) not in str(notes)
    assert key_figures(mina.folder)["denominator_status"] == "real"
    boalemo = page(BOALEMO, lang)
    assert t("synthetic_banner", lang) in text_of(boalemo.html(("show_banner",)))
    assert t("workforce_source_synthetic", lang) in text_of(boalemo.html(("show_data_notes",)))
    assert key_figures(boalemo.folder)["denominator_status"] == "synthetic"
