"""Reader 18, R18-1 (session 14): Muna Barat's APBD agreement ended after 2024-12, as the PPID article says; the page,
the "Agreement ends" sheet and key_figures.json cite that article and its words beside the data's (synthetic) count,
and the article's announced new agreement for 2025 stands beside the workers the data fund at the report's month.
Expected texts are the article's own words and its citation written out by hand; counts from the parquet files."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import P0_CSV

pytestmark = pytest.mark.slow
CODE = "74.13"
WORDS = "Karena Perjanjian Kerja Sama (PKS) berakhir Desember 2024"
RENEWAL = "maka di tahun 2025 ini akan dibuat Perjanjian Kerja Sama (PKST) yang baru"
TITLE = ("Pemda Muna Barat dan BPJS Ketenagakerjaan Sultra Gelar Rakor Monev Pelaksanaan Inpres No. 2 Tahun 2021 "
         "dan UC Jamsostek")
CITED = {"id": f"PPID Kabupaten Muna Barat, {TITLE}, rapat 30 Juli 2025",
         "en": f"PPID Kabupaten Muna Barat, {TITLE}, meeting of 30 July 2025"}
SYNTHETIC = {"id": "sintetis", "en": "synthetic"}


def _text(parts: list[str]) -> str:
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))))


def _apbd(frame: pd.DataFrame, month: str) -> int:
    e = frame[(frame["district_code"] == CODE) & (frame["funding"] == "apbd") & (frame["month"] == month)]
    return int(e["active"].sum())


def _int(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", "." if lang == "id" else ",")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_end_line_cites_the_article_and_its_words(demo_ds, district_page, lang):
    page = district_page(CODE, lang)
    text = _text(page.html())
    active = _int(_apbd(demo_ds.enrolment, "2024-12-01"), lang)  # 9,500 in the demo
    the = "the " if lang == "en" else ""
    assert f"(“{WORDS}”: {CITED[lang]}): {the}{active} ({SYNTHETIC[lang]})" in text
    # the announced renewal, beside the APBD-funded workers the data hold at the report's month (none in the demo)
    last = demo_ds.enrolment["month"].max()
    now = _int(_apbd(demo_ds.enrolment, last), lang)
    # its source is the line before's: named so, not cited whole twice in a row
    same = {"id": "sumber yang sama dengan kalimat sebelumnya", "en": "the same source as the line before"}[lang]
    assert f"(“{RENEWAL}”: {same})" in text
    said = {"id": f"data memuat {now} ({SYNTHETIC[lang]}) pekerja yang dibiayai APBD pada {last:%Y-%m}",
            "en": f"the data hold {now} ({SYNTHETIC[lang]}) workers funded by the APBD in {last:%Y-%m}"}[lang]
    assert said in text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_sheet_and_key_figures_cite_the_same_article(district_page, lang):
    page = district_page(CODE, lang)
    wb = openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)
    name = {"id": "Perjanjian berakhir", "en": "Agreement ends"}[lang]
    cells = [str(c) for row in wb[name].iter_rows(values_only=True) for c in row if c is not None]
    assert CITED[lang] in cells  # the source column of the end's row
    rows = [r for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]
    # the notes sheet: the page's line beside the sheet's name
    assert any(r[:1] == (name,) and WORDS in str(r[1]) and CITED[lang] in str(r[1]) for r in rows if len(r) > 1)
    key = json.loads((page.folder / "key_figures.json").read_text(encoding="utf-8"))
    assert [e["end_month_source"] for e in key["agreement_ends"]] == [CITED[lang]]
    demo = {"id": "data demo sintetis", "en": "synthetic demo data"}[lang]  # what the counts rest on
    assert all(e["data_basis"].startswith(demo) for e in key["agreement_ends"] + key["agreement_events"])
    assert [(e["event"], e["period"], e["wording"], e["source"], e["status"]) for e in key["agreement_events"]] == [
        ("agreement_ended", "2024-12", WORDS, CITED[lang], "end_in_data"),
        ("agreement_renewal_announced", "2025", RENEWAL, CITED[lang], "none_funded_in_data")]


def test_imported_data_whose_agreement_ran_on_say_the_data_show_no_end(demo_dir: Path, tmp_path: Path):
    """The real path: a branch office's Muna Barat files through `ucj import template`, its APBD workers still funded
    in 2025 (the new agreement in the data), then `ucj report`: the page sets the article's end beside the data's
    workers, with no synthetic mark (imported data), and the renewal beside today's funded workers."""
    ucj = str(Path(sys.executable).parent / "ucj")
    filled, out = tmp_path / "filled", tmp_path / "imported"
    filled.mkdir()
    for kind in ("enrolment", "claims", "contributions", "workforce"):
        d = pd.read_parquet(demo_dir / f"{kind}.parquet")
        d = d[d["district_code"] == CODE].drop(columns="source")
        if kind == "enrolment":  # the agreement ran on: 2024-12's APBD workers stay, 15 leave and 15 join a month
            after = (d["funding"] == "apbd") & (d["month"] >= "2025-01-01")
            kept = d[(d["funding"] == "apbd") & (d["month"] == "2024-12-01")].set_index("segment")["active"]
            d.loc[after, "active"] = d.loc[after, "segment"].map(kept).fillna(0).astype("int64")
            d.loc[after, ["lapsed", "new_registrations"]] = 15
        d = d.rename(columns={"district_code": "district"})
        if "month" in d:
            d["month"] = d["month"].dt.strftime("%Y-%m")
        d.to_csv(filled / f"{kind}.csv", index=False)
        made = subprocess.run([ucj, "import", "template", str(filled / f"{kind}.csv"), "--kind", kind, "--out",
                               str(out), "-q"], capture_output=True, text=True, timeout=600)
        assert made.returncode == 0, made.stderr
    made = subprocess.run([ucj, "import", "bps-table", str(P0_CSV), "--out", str(out), "-q"], capture_output=True,
                          text=True, timeout=600)  # BPS's real P0 table, as a planner adds it
    assert made.returncode == 0, made.stderr
    made = subprocess.run([ucj, "report", "--district", "Muna Barat", "--data-dir", str(out), "--out",
                           str(tmp_path / "runs"), "--lang", "en"], capture_output=True, text=True, timeout=900)
    assert made.returncode == 0, made.stderr[-3000:]
    folder = next((tmp_path / "runs").glob("*/7413-*"))
    text = _text([(folder / "report.html").read_text(encoding="utf-8")])
    kept = pd.read_csv(filled / "enrolment.csv")
    kept = kept[(kept["funding"] == "apbd") & (kept["month"] == "2025-01")]["active"].sum()
    last = pd.read_csv(filled / "enrolment.csv")["month"].max()
    now = pd.read_csv(filled / "enrolment.csv").query("funding == 'apbd' and month == @last")["active"].sum()
    assert (f"By its source the APBD agreement ended after 2024-12 (“{WORDS}”: {CITED['en']}), but the data show no "
            f"such end: {_int(int(kept), 'en')} workers funded by the APBD in 2025-01.") in text
    assert f"the data hold {_int(int(now), 'en')} workers funded by the APBD in {last}." in text
    key = json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in key["agreement_events"]] == ["end_not_in_data", "funded_in_data"]


def test_an_end_only_the_data_show_is_sourced_to_the_data(district_page):
    """Kota Gorontalo's APBD cut (reader 14, R14-7) has no published source: its sheet row says the month is the
    data's, and key_figures gives no source."""
    page = district_page("75.71", "en")
    wb = openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)
    rows = list(wb["Agreement ends"].iter_rows(values_only=True))
    col = rows[0].index("Source of the end month (the counts are the data's)")
    assert len(rows) > 1 and {r[col] for r in rows[1:]} == {"the data (no published source)"}
    key = json.loads((page.folder / "key_figures.json").read_text(encoding="utf-8"))
    assert key["agreement_ends"] and all(e["end_month_source"] is None for e in key["agreement_ends"])
    assert key["agreement_events"] == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_announced_agreement_is_a_row_of_plans_and_targets(demo_ds, district_page, lang):
    """Reader 19, R19-1: the page sends a reader to "Plans and targets" for plans, so the announced new PKS is a row
    there (page and workbook): the article's words, its year, no number, and the APBD-funded workers in the data at
    the report's month (pandas) marked synthetic; the methods section says where agreement ends are quoted."""
    page = district_page(CODE, lang)
    last = demo_ds.enrolment["month"].max()
    now = _int(_apbd(demo_ds.enrolment, last), lang)
    label = {"id": "Perjanjian pendanaan baru diumumkan", "en": "New funding agreement announced"}[lang]
    for rows in ([r for r in page.report.plans_table().itertuples(index=False)],
                 list(openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)[
                     {"id": "Rencana dan target", "en": "Plans and targets"}[lang]].iter_rows(values_only=True))):
        row = [r for r in rows if r and r[0] == label]
        assert len(row) == 1, rows
        cells = [str(c) for c in row[0]]
        assert f"“{RENEWAL}”" in cells and "2025" in cells and any(c.startswith(now) for c in cells)
    text = _text(page.html(("show_data_notes",)))
    where = {"id": "dikutip beserta sumbernya di bagian “Tambahan pekerja yang diperlukan per bulan”",
             "en": "it is quoted with its source in the section “Additional workers needed per month”"}[lang]
    assert where in text


@pytest.mark.parametrize(("code", "parts", "note"), [
    ("72.01", ("3,375", "1,595", "4,969"), True),  # reader 19, R19-3: 3,374.9 + 1,594.6 = 4,969.5, each rounded apart
    ("75.02", ("476", "579", "1,055"), False),  # adds up as printed: no note
])
def test_a_gross_need_whose_rounded_parts_do_not_add_up_says_so(district_page, code, parts, note):
    text = _text(district_page(code, "en").html(("show_workers_needed",)))
    net, lapsed, gross = parts
    assert f"{net} workers a month" in text and f"({lapsed} a month), {gross} workers a month" in text
    said = "Each of these figures is rounded on its own, so the two parts printed may differ by 1 from the total."
    assert (said in text) is note


def test_the_budget_says_its_years_add_the_unrounded_months(district_page):
    """Reader 20, R20-3: Banggai's yearly gross registrations (59,634) are 12 x 4,969.49 (net 3,374.93 + lapses
    1,594.55 a month, reader 19's rebuild), not 12 x the summary's 4,969: the budget's notes say so."""
    text = _text(district_page("72.01", "en").html(("show_budget",)))
    assert ("Each year's gross registrations add the unrounded months (4,969.5 a month, shown as 4,969 in the "
            "summary)") in text


@pytest.mark.parametrize(("lang", "pointer"), [
    ("id", "lihat baris pekerja rentan yang dilindungi Pemkab (15.000 + 16.777)"),
    ("en", "see the row of vulnerable workers the regency government protects (15,000 + 16,777)")])
def test_minahasa_s_counted_together_rows_point_to_the_row_by_its_label(district_page, lang, pointer):
    """Reader 20, R20-1: the 15,000 and 16,777 rows name the summed row by the label it has (R19-4)."""
    page = district_page("71.02", lang)
    text = _text(page.html(("show_seed_facts",)))
    label = {"id": "Pekerja rentan yang dilindungi Pemkab (15.000 + 16.777; dalam data: dibiayai APBD)",
             "en": "Vulnerable workers the regency government protects (15,000 + 16,777; in the data: APBD-funded)"}
    assert text.count(pointer) >= 2 and label[lang] in text


def test_a_report_before_the_published_end_does_not_say_the_data_show_no_end(demo_dir: Path, demo_ds, tmp_path):
    """`ucj report --last-period 2024-06`: the PKS ended after 2024-12, after the report's month, so the page says
    the end is still to come beside the APBD workers of 2024-06 (pandas), never "the data show no such end"."""
    ucj = str(Path(sys.executable).parent / "ucj")
    made = subprocess.run([ucj, "report", "--district", CODE, "--last-period", "2024-06", "--data-dir", str(demo_dir),
                           "--out", str(tmp_path), "--lang", "en"], capture_output=True, text=True, timeout=900)
    assert made.returncode == 0, made.stderr[-3000:]
    text = _text([next(tmp_path.glob("*/7413-*/report.html")).read_text(encoding="utf-8")])
    then = _int(_apbd(demo_ds.enrolment, "2024-06-01"), "en")
    assert (f"By its source the APBD agreement ended after 2024-12 (“{WORDS}”: {CITED['en']}), after this report's "
            f"last month: the data hold {then} (synthetic) workers funded by the APBD in 2024-06.") in text
    assert "no such end" not in text


def test_a_coverage_over_employees_still_sets_the_published_end_beside_the_data(demo_dir: Path, demo_ds, tmp_path):
    """`--denominator employees` counts no BPU participants, yet Muna Barat's APBD (BPU) workers left in 2025-01: the
    page says so beside the article (9,500 from the parquet file), never "the data show no such end"."""
    ucj = str(Path(sys.executable).parent / "ucj")
    made = subprocess.run([ucj, "report", "--district", CODE, "--denominator", "employees", "--data-dir",
                           str(demo_dir), "--out", str(tmp_path), "--lang", "en"], capture_output=True, text=True,
                          timeout=900)
    assert made.returncode == 0, made.stderr[-3000:]
    text = _text([next(tmp_path.glob("*/7413-*/report.html")).read_text(encoding="utf-8")])
    left = _int(_apbd(demo_ds.enrolment, "2024-12-01") - _apbd(demo_ds.enrolment, "2025-01-01"), "en")
    assert (f"By its source the APBD agreement ended after 2024-12 (“{WORDS}”: {CITED['en']}); the data show {left} "
            "(synthetic) workers funded by the APBD leaving in 2025-01.") in text
    assert "no such end" not in text
