"""The batch index and its summary files, on hand-made entries (key figures written as a report
would write them), so every value shown can be checked against what was put in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ucj.presentation.i18n import XL_FORMATS, t
from ucj.runs.index_page import SUMMARY_CSV, SUMMARY_XLSX, write_index, write_summary


def _key(code: str, name: str, cov: float, projected: float | None, p0: float, claims: int, amount: int) -> dict:
    return {
        "district_code": code, "district_name": name, "province": "Gorontalo", "lang": "id",
        "last_period": "2025-12", "denominator": "working_population", "active": 1000.0,
        "denominator_value": 4000.0, "coverage_pct": cov, "target_pct": 43.92, "target_year": 2029,
        "projection": {"status": "within_reach" if projected else "not_fitted", "model_used": "ets_damped",
                       "projected_pct": projected, "lower_pct": (projected or 0) - 5, "upper_pct": (projected or 0) + 5,
                       "workers_needed_per_month": 120.4},
        "claims_12m": {"count": claims, "amount_rp": amount},
        "poverty": {"year": 2025, "p0": p0, "p1": 2.1, "p2": 0.5},
        "synthetic_tables": ["enrolment"],
        "provenance": {"tables": {"enrolment": {"sha256": "ab" * 32}}},
    }


@pytest.fixture
def run(tmp_path: Path):
    """A run folder with two finished reports (key_figures.json on disk) and one failure."""
    keys = {"7502-kabupaten-boalemo": _key("75.02", "Kabupaten Boalemo", 28.61, 35.2, 16.37, 1075, 4_960_000_000),
            "7571-kota-gorontalo": _key("75.71", "Kota Gorontalo", 62.4, None, 5.5, 12, 16_800_000)}
    entries = []
    for slug, key in keys.items():
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "key_figures.json").write_text(json.dumps(key))
        entries.append({"district": key["district_code"], "district_name": key["district_name"],
                        "province": "Gorontalo", "slug": slug, "status": "ok", "html": f"{slug}/report.html"})
    entries.append({"district": "75.04", "district_name": "Kabupaten Pohuwato", "province": "Gorontalo",
                    "slug": "7504-kabupaten-pohuwato", "status": "failed", "error": "KeyError: 'claims'"})
    return tmp_path, entries, keys


def test_index_shows_values_failures_and_links(run):
    folder, entries, _ = run
    page = write_index(folder / "index.html", entries, "id", True, "Daftar laporan").read_text()
    row = re.search(r"<tr><td[^>]*><a href=\"7502-kabupaten-boalemo/report.html\">.*?</tr>", page).group(0)
    for shown in ("28,6 % (2025-12)", "43,9 % (2029)", "35,2 % (30,2 %–40,2 %)", t("within_reach", "id"), "1.075",
                  "Rp4,96 M", "16,4 % (2025)"):
        assert shown in row, shown
    assert 'data-v="28.61"' in row and 'data-v="35.2"' in row  # raw values to sort on
    gorontalo = re.search(r"<tr><td[^>]*><a href=\"7571-kota-gorontalo/report.html\">.*?</tr>", page).group(0)
    assert t("not_fitted", "id") in gorontalo and 'data-v=""' in gorontalo
    failed = re.search(r'<tr class="ucj-failed">.*?</tr>', page).group(0)
    assert "Kabupaten Pohuwato" in failed and "gagal" in failed and "KeyError: &#x27;claims&#x27;" in failed
    assert "selesai" not in page  # no status repeated on every row
    assert f'href="{SUMMARY_CSV}"' in page and f'href="{SUMMARY_XLSX}"' in page
    assert "<script>" in page and "aria-sort" in page and "DATA SINTETIS" in page
    assert re.search(r"Dibuat \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d · ucj ", page)  # the stamp
    assert str(folder) not in page


def test_summary_files_hold_every_districts_key_figures(run):
    folder, entries, keys = run
    csv_path, xlsx_path = write_summary(folder, entries)
    df = pd.read_csv(csv_path, dtype={"district_code": str})
    assert list(df["district_code"]) == ["75.02", "75.71", "75.04"]
    boalemo = df.iloc[0]
    key = keys["7502-kabupaten-boalemo"]
    assert boalemo["coverage_pct_working_population"] == key["coverage_pct"] and boalemo["projected_pct_working_population"] == 35.2
    assert (boalemo["lower_pct_working_population"], boalemo["upper_pct_working_population"]) == (pytest.approx(30.2), pytest.approx(40.2))
    assert pd.isna(boalemo["projected_pct_potensi_pekerja"])  # a projection sits under its own pairing only
    assert boalemo["coverage_period_working_population"] == "2025-12"
    assert boalemo["claim_amount_rp"] == 4_960_000_000 and boalemo["p0"] == 16.37 and boalemo["target_year"] == 2029
    assert df.iloc[2]["error"] == "KeyError: 'claims'" and pd.isna(df.iloc[2]["coverage_pct_working_population"])
    ws = openpyxl.load_workbook(xlsx_path).active
    assert ws.title == t("sheet.summary", "id")
    headers = [c.value for c in ws[1]]
    from ucj.runs.index_page import pairing_label

    cov_header = pairing_label("working_population", "id")
    assert cov_header in headers and "coverage_pct" not in headers

    def cell(col: str):
        return ws.cell(2, headers.index(t(col, "id") if col != "coverage" else cov_header) + 1)

    assert cell("coverage").value == 28.61 and cell("coverage").number_format == XL_FORMATS["pct"]
    assert cell("target_year").value == 2029 and cell("target_year").number_format == "0"
    assert cell("claim_amount_rp").value == 4_960_000_000 and cell("claim_amount_rp").number_format == XL_FORMATS["rp"]
    from ucj.runs.index_page import pairing_words

    # the verdict under the pairing its projection is over (reader 11, L13)
    status_header = f"{t('status', 'id')} ({pairing_words('working_population', 'id')})"
    assert ws.cell(2, headers.index(status_header) + 1).value == t("within_reach", "id")
    assert boalemo["status_working_population"] == "within_reach" and pd.isna(boalemo["status_potensi_pekerja"])
    assert not list(folder.glob(".*.tmp"))  # written whole: no temporary file left


def test_run_json_text_is_json_dumps_and_never_stale():
    """run.json is rewritten after every report with each entry encoded once per batch; the text is the
    standard library's json.dumps(indent=2, sort_keys=True) of the whole document, also after an entry
    changes (a rerun of a failed report)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ucj.runs.index_page import Rendered, run_json_text

    leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(alphabet=st.characters(codec="utf-8"), max_size=8))
    value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=5), inner, max_size=3), max_leaves=8)
    entry = st.fixed_dictionaries({"slug": st.text(min_size=1, max_size=6)}, optional={"x": value, "y\n\"": value})

    @settings(max_examples=150, deadline=None)
    @given(st.lists(entry, max_size=4), st.lists(entry, max_size=2), st.dictionaries(st.text(max_size=5), value,
                                                                                     max_size=3))
    def check(reports, overviews, rest):
        doc = {k: v for k, v in rest.items() if k not in ("reports", "overviews")} | {
            "reports": reports, "overviews": overviews}
        rendered = Rendered()
        want = json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        assert run_json_text(doc, ("reports", "overviews"), rendered) == want
        assert run_json_text(doc, ("reports", "overviews"), rendered) == want  # from what it kept
        if reports:
            changed = dict(reports[0]) | {"status": "ok"}
            doc["reports"] = [changed] + reports[1:]
            want = json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
            assert run_json_text(doc, ("reports", "overviews"), rendered) == want

    check()
    # not json.dumps's equal: a value of another type in a new entry (1.0 for 1), and an entry changed
    # in place after it was written once; and top-level values that are not lists of entries
    rendered = Rendered()
    doc = {"reports": [{"slug": "a", "n": 1}], "overviews": None, "x": (1, 2)}
    assert run_json_text(doc, ("reports", "overviews", "x"), rendered) == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    doc["reports"] = [{"slug": "a", "n": 1.0}]
    assert '"n": 1.0' in run_json_text(doc, ("reports", "overviews"), rendered)
    doc["reports"][0]["n"] = 2
    assert '"n": 2' in run_json_text(doc, ("reports", "overviews"), rendered)
