"""Reader 17's findings mended by the lead (session 13). R17-3: the demo's assumed start month of budget-funded
workers stands beside the count that began in it, not beside today's count when that came later (Minahasa's first
15,000 APBD workers and its 31,777)."""
from __future__ import annotations

import pandas as pd
import pytest

slow = pytest.mark.slow


def _frame(apbd: list[int]) -> pd.DataFrame:
    months = pd.date_range("2025-01-01", periods=len(apbd), freq="MS")
    rows = [("1", m, "BPU", "apbd", a) for m, a in zip(months, apbd)]
    rows += [("1", m, "BPU", "self_employer", 100) for m in months]
    return pd.DataFrame(rows, columns=["district_code", "month", "segment", "funding", "active"])


def test_funded_run_gives_the_start_and_the_latest_count_by_hand():
    """Worked by hand: APBD 0, 50, 50, 80, 80 -> from 2025-02 with 50, 80 since 2025-04; 0, 50, 50 -> one count
    (since == start); 30, 0, 40, 40, 60 -> the run after the gap, 40 from 2025-03, 60 from 2025-05; 10, 10 from
    the data's first month -> no start; none now -> None."""
    from ucj.analysis.coverage import funded_run

    run = funded_run(_frame([0, 50, 50, 80, 80]), "1", "apbd")
    assert (run.start, run.start_workers, run.level_since, run.workers) == (
        pd.Timestamp("2025-02-01"), 50, pd.Timestamp("2025-04-01"), 80)
    run = funded_run(_frame([0, 50, 50]), "1", "apbd")
    assert run.level_since == run.start == pd.Timestamp("2025-02-01")
    run = funded_run(_frame([30, 0, 40, 40, 60]), "1", "apbd")
    assert (run.start, run.start_workers, run.level_since, run.workers) == (
        pd.Timestamp("2025-03-01"), 40, pd.Timestamp("2025-05-01"), 60)
    assert funded_run(_frame([10, 10]), "1", "apbd").start is None
    assert funded_run(_frame([10, 0]), "1", "apbd") is None


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "synthetic; in the data from 2025-02 (1,050 workers), 1,080 from 2025-04: these months are the demo's "
           "assumption"),
    ("id", "sintetis; dalam data sejak 2025-02 (1.050 pekerja), 1.080 sejak 2025-04: bulan-bulan ini asumsi data "
           "demo"),
])
def test_the_start_mark_names_each_count_with_its_month(lang, expected):
    from ucj.analysis.coverage import funded_run
    from ucj.presentation.district import funded_start_mark

    assert funded_start_mark(funded_run(_frame([0, 1050, 1050, 1080]), "1", "apbd"), lang) == expected


@slow
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("code", ["71.02", "75.71", "75.01"])
def test_the_plans_table_dates_the_funded_count_it_shows(demo_ds, district_page, code, lang):
    """The plans-and-targets row of APBD-funded workers: the month printed beside today's count is the month that
    count began, read from the enrolment table with pandas (the first month of the latest unchanged total of the
    current APBD run), and the run's first month with its count when they differ."""
    e = demo_ds.enrolment
    apbd = (e[(e["district_code"] == code) & (e["funding"] == "apbd")].groupby("month")["active"].sum()
            .reindex(sorted(e["month"].unique()), fill_value=0))
    run = apbd[apbd.index > apbd[apbd <= 0].index.max()] if (apbd <= 0).any() else apbd
    now = int(run.iloc[-1])
    since = run[run == now].index.min()  # the demo's counts are steps: the latest count began here
    plans = district_page(code, lang).report.tables["plans"]
    row = plans[plans["quantity"] == "apbd_funded_workers"].iloc[0]
    sep = "," if lang == "en" else "."
    assert f"{now:,}".replace(",", sep) in str(row["data_now"]) or int(row["data_now"]) == now
    mark = str(row["data_basis"])
    word = {"en": "from", "id": "sejak"}[lang]
    assert f"{now:,}".replace(",", sep) + f" {word} {since:%Y-%m}" in mark or (
        since == run.index[0] and f"{since:%Y-%m}" in mark), mark
    if since != run.index[0]:
        assert f"{run.index[0]:%Y-%m} ({int(run.iloc[0]):,}".replace(",", sep) in mark, mark


@slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_repeated_citation_points_to_its_first_row_and_the_workbook_keeps_it_whole(district_page, lang):
    """R17-11: Minahasa's published table cites the ANTARA Sulut article in most rows. On the page the first row
    gives it whole and the later rows name that row; the workbook's sheet (read with pandas) keeps every row's
    citation whole, and the page's first full citation is the workbook's, row for row where it is whole."""
    from ucj.presentation.i18n import t, tf

    page = district_page("71.02", lang)
    shown = page.report.published_table()
    source, quantity = t("citation", lang), t("quantity", lang)
    sheet = pd.read_excel(page.folder / "tables.xlsx", sheet_name=None)
    book = next(v for v in sheet.values() if source in v.columns and t("published", lang) in v.columns
                and t("wording", lang) in v.columns)
    assert list(book[quantity]) == list(shown[quantity])
    full = list(book[source])
    antara = [c for c in full if str(c).startswith("ANTARA Sulut")]
    assert len(antara) >= 5 and len(set(antara)) == 1  # the same article in most rows, whole in the workbook
    first = full.index(antara[0])
    for i, (cell, whole) in enumerate(zip(shown[source], full)):
        if i == first or whole != antara[0]:
            assert cell == whole, (i, cell)
        else:
            assert cell == tf("same_source_as_row", lang, quantity=shown[quantity].iloc[first]), (i, cell)
    assert antara[0] in " ".join(page.html(("show_seed_facts",)))


def test_a_year_without_a_held_bps_province_row_is_not_called_unpublished():
    """R17-5, worked by hand: province P0 rebuilt for 2017-2020; the workbook holds BPS's province rows from 2019
    (2019 has none for this province, 2020 agrees): 2017-2018 are "not held", 2019 "not published"."""
    from ucj.analysis.district import province_boundary_note

    pov = pd.DataFrame({"year": [2017, 2018, 2019, 2020], "province_p0": [20.0, 19.0, 18.0, 17.0],
                        "bps_province_p0_pct": [float("nan"), float("nan"), float("nan"), 17.1]})
    note = province_boundary_note(pov, {2019, 2020, 2021})
    assert note == "province_not_published(years=2019); province_rows_not_held(years=2017–2018)"
    assert province_boundary_note(pov.iloc[3:], {2019, 2020}) is None


@slow
def test_an_imported_p0_file_reaching_back_does_not_say_bps_published_nothing(demo_dir, tmp_path):
    """R17-5 on the real path: the real BPS P0 and poor-population files imported (`ucj import bps-table`, as
    reader 17 did) beside the demo, `ucj report` for Boalemo in both languages. The years before the first year of data/published/bps_poverty_province.csv
    (read with pandas) are said to be not held by the workbook, never "BPS published no figure"."""
    import hashlib
    import re
    import subprocess

    from conftest import P0_CSV, POOR_CSV, REPO
    from ucj.presentation.i18n import t

    ucj = str(REPO / ".venv" / "bin" / "ucj")
    out = tmp_path / "imported"
    for raw_file in (P0_CSV, POOR_CSV):
        run = subprocess.run([ucj, "import", "bps-table", str(raw_file), "--out", str(out), "-q"],
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
    first_held = int(pd.read_csv(REPO / "data" / "published" / "bps_poverty_province.csv")["year"].min())
    imported = pd.read_parquet(out / "poverty.parquet")
    first_imported = int(imported.loc[imported["district_code"].astype(str).str.startswith("75."), "year"].min())
    assert first_imported < first_held  # the file reaches back before the province rows the workbook holds
    for lang in ("id", "en"):
        run = subprocess.run([ucj, "report", "--district", "75.02", "--data-dir", f"{demo_dir};{out}", "--out",
                              str(tmp_path / lang), "--lang", lang], capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        page = next((tmp_path / lang).glob("*/7502-*")) / "report.html"
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
        years = f"{first_imported}–{first_held - 1}"
        assert t("province_rows_not_held", lang).format(years=years) in text
        assert t("province_not_published", lang).split("{years}")[1][:25] not in text
        # R17-6: the merged poverty table is printed under both files' digests (hashlib), never the demo's alone
        both = "+".join(hashlib.sha256(f.read_bytes()).hexdigest()[:12]
                        for f in (demo_dir / "poverty.parquet", out / "poverty.parquet"))
        assert f"| {both} |" in re.sub(r"\s*</?t[dh][^>]*>\s*", " | ", page.read_text(encoding="utf-8"))
        assert f"{t('table.poverty', lang)} {both[:8]}+{both[13:21]}" in text  # the page's footer stamp


def test_a_merged_tables_digest_keeps_every_part():
    """R17-6, by hand: one table's digest cut to n digits; a merged table's ("<a>+<b>") each part cut alike."""
    from ucj.core.files import short_digest

    assert short_digest("0123456789abcdef", 8) == "01234567"
    assert short_digest("0123456789abcdef+fedcba9876543210", 4) == "0123+fedc"
