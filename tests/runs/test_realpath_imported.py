"""The paths a user takes on data they imported (issue 18's notes, realpath): Gorontalo's six districts written
from the demo as a branch office fills the templates (`ucj import template`), BPS's real P0 table (`ucj import
bps-table`) and a targets file naming one district, then

1. `ucj reports --province Gorontalo --national --workers 2`, the run folder copied elsewhere and `ucj verify`-ed;
2. the same batch on a Dask scheduler and workers started with the `dask` command: the same pages and figures;
3. the province and national overviews of that batch;
4. the pages' P0 that the data cannot give (no number of poor imported) said with the catalogue's reason.

Every figure is checked against the imported files and the raw BPS file read with pandas here, not against ucj."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from babel.messages.pofile import read_po

from conftest import P0_CSV, REPO
from test_dask_real_scheduler import dask_processes  # noqa: F401 - the fixture: `dask scheduler` + two `dask worker`

pytestmark = pytest.mark.slow
UCJ = str(Path(sys.executable).parent / "ucj")
GORONTALO = {"75.01": "Gorontalo", "75.02": "Boalemo", "75.03": "Bone Bolango", "75.04": "Pohuwato",
             "75.05": "Gorontalo Utara", "75.71": "Kota Gorontalo"}  # code -> the raw BPS file's row name
KINDS = ("enrolment", "claims", "contributions", "workforce")
STAMP = re.compile(r'<p class="ucj-stamp">.*?</p>', re.S)


def ucj(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, *args], capture_output=True, text=True, timeout=900, cwd=cwd)


def text_of(page: Path) -> str:
    """A page's words, tags dropped and spaces collapsed."""
    import html

    raw = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def catalogue(lang: str, key: str) -> str:
    """A catalogue sentence read from the .po file with babel (not through ucj's i18n)."""
    with open(REPO / "ucj" / "resources" / "locale" / f"{lang}.po", encoding="utf-8") as f:
        return str(read_po(f)[key].string)


@pytest.fixture(scope="module")
def imported(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the imported folder, the folder of the filled templates)."""
    work = tmp_path_factory.mktemp("realpath")
    filled, out = work / "filled", work / "imported"
    filled.mkdir()
    for kind in KINDS:
        d = pd.read_parquet(demo_dir / f"{kind}.parquet")
        d = d[d["district_code"].isin(list(GORONTALO))].drop(columns="source").rename(columns={"district_code": "district"})
        if "month" in d:
            d["month"] = d["month"].dt.strftime("%Y-%m")
        d.to_csv(filled / f"{kind}.csv", index=False)
        made = ucj("import", "template", str(filled / f"{kind}.csv"), "--kind", kind, "--out", str(out), "-q")
        assert made.returncode == 0, made.stderr
    assert ucj("import", "bps-table", str(P0_CSV), "--out", str(out), "-q").returncode == 0
    (filled / "targets.csv").write_text('district,target_year,coverage_target_pct,denominator,target_source\n'
                                        'Boalemo,2029,"43,9",working_population,RPJMD Kabupaten Boalemo\n',
                                        encoding="utf-8")
    made = ucj("import", "template", str(filled / "targets.csv"), "--kind", "targets", "--out", str(out), "-q")
    assert made.returncode == 0, made.stderr
    return out, filled


@pytest.fixture(scope="module")
def local_run(imported: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    made = ucj("reports", "--province", "Gorontalo", "--national", "--workers", "2", "--data-dir", str(imported[0]),
               "--out", str(out), "--run", "local", "--lang", "en", "--no-progress")
    assert made.returncode == 0, made.stderr[-3000:]
    assert "6 reports: 6 made" in made.stderr + made.stdout
    return out / "local"


def _key(folder: Path) -> dict:
    return json.loads((folder / "key_figures.json").read_text(encoding="utf-8"))


def test_every_district_and_both_overviews_are_made(local_run):
    # before: a targets file naming Boalemo alone failed the five other districts in cell 4 ("no target in the
    # data") and the national overview's scatter ("data must be finite")
    run = json.loads((local_run / "run.json").read_text())
    assert sorted((e["district"], e["status"]) for e in run["reports"]) == [(c, "ok") for c in sorted(GORONTALO)]
    assert sorted((e["slug"], e["status"]) for e in run["overviews"]) == [("overview-75-gorontalo", "ok"),
                                                                          ("overview-national", "ok")]
    assert (local_run / "overview-national" / "scatter.png").stat().st_size > 0


def test_the_figures_are_those_of_the_imported_files(local_run, imported):
    filled = imported[1]
    e = pd.read_csv(filled / "enrolment.csv", dtype={"district": str})
    w = pd.read_csv(filled / "workforce.csv", dtype={"district": str})
    c = pd.read_csv(filled / "claims.csv", dtype={"district": str})
    raw = pd.read_csv(P0_CSV, skiprows=1, dtype=str)  # BPS's own file: a province's districts follow its row
    at = raw.index[raw.iloc[:, 0] == "GORONTALO"][0]
    bps = raw.iloc[at + 1: at + 7].set_index(raw.columns[0])["2025"].astype(float)
    nat = pd.read_csv(REPO / "data" / "published" / "national_figures.csv", dtype=str).set_index("figure")
    last = e["month"].max()
    window = c[(c["month"] > f"{int(last[:4]) - 1}{last[4:]}") & ~c["programme"].isin(["JHT", "JP"])]
    folders = {json.loads((p / "key_figures.json").read_text())["district_code"]: p for p in local_run.glob("75*")}
    for code, name in GORONTALO.items():
        k = _key(folders[code])
        active = e.loc[(e["district"] == code) & (e["month"] == last), "active"].sum()
        wp = w[w["district"] == code].sort_values("year")["working_population"].iloc[-1]
        assert (k["last_period"], k["active"]) == (last, active)
        assert k["coverage_pct"] == pytest.approx(100 * active / wp, rel=1e-12)
        assert k["claims_12m"]["amount_rp"] == window.loc[window["district"] == code, "claim_amount_rp"].sum()
        assert k["poverty"]["p0"] == bps[name]
        if code == "75.02":  # its own target, as imported
            assert (k["target_pct"], k["target_year"], k["target_is_default"]) == (43.9, 2029, False)
        else:  # the national RPJMN target, cited as such
            assert (k["target_pct"], k["target_year"], k["target_is_default"]) == (
                float(nat.at["rpjmn_target_2029_pct", "value"]), int(nat.at["rpjmn_target_2029_pct", "period"]), True)
    # the overviews: sums over the six districts (the data holds no other), claims without JHT and JP withdrawals
    sel = e["month"] == last
    latest_wp = w.sort_values("year").groupby("district").tail(1)["working_population"].sum()
    for slug in ("overview-75-gorontalo", "overview-national"):
        k = _key(local_run / slug)
        assert k["active"] == e.loc[sel, "active"].sum()
        assert k["coverage_pct"] == pytest.approx(100 * e.loc[sel, "active"].sum() / latest_wp, rel=1e-12)
        assert (k["claims_12m"]["count"], k["claims_12m"]["amount_rp"]) == (window["claim_count"].sum(),
                                                                            window["claim_amount_rp"].sum())
        # the denominator carried to the target year grows as the six districts' summed working population did over
        # its last six years (the nation's grew 0 % before: its sum needed all 514 districts)
        by_year = w.groupby("year")["working_population"].sum().sort_index().tail(6)
        span = by_year.index[-1] - by_year.index[0]
        assert k["projection"]["denominator_growth_pct_per_year"] == pytest.approx(
            100 * ((by_year.iloc[-1] / by_year.iloc[0]) ** (1 / span) - 1), rel=1e-12), slug


def test_a_copied_run_is_proven_elsewhere(local_run, imported, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(local_run, elsewhere / "received")
    shutil.copytree(imported[0], elsewhere / "data")
    done = ucj("verify", "received", "--data-dir", "data", "--lang", "en", "--no-progress", cwd=elsewhere)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "8 of 8 reports reproduced" in done.stdout + done.stderr
    found = json.loads((elsewhere / "received" / "verify.json").read_text())
    assert found["all_reproduced"] is True and found["reports_checked"] == found["reproduced"] == 8


def _cells(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _figures(key: dict) -> dict:
    out = dict(key)
    out.pop("provenance", None)  # when, where and with which commit it was made: not a figure
    return out


def test_the_same_batch_on_dask_makes_the_same_pages_and_figures(local_run, imported, dask_processes, tmp_path):  # noqa: F811
    address, _ = dask_processes
    made = ucj("reports", "--province", "Gorontalo", "--national", "--scheduler", address, "--data-dir",
               str(imported[0]), "--out", str(tmp_path), "--run", "ondask", "--lang", "en", "--no-progress")
    assert made.returncode == 0, made.stderr[-3000:]
    on_dask = tmp_path / "ondask"
    slugs = sorted(p.name for p in local_run.iterdir() if (p / "key_figures.json").is_file())
    assert slugs == sorted(p.name for p in on_dask.iterdir() if (p / "key_figures.json").is_file())
    assert len(slugs) == 8
    for slug in slugs:
        a, b = local_run / slug, on_dask / slug
        assert _figures(_key(a)) == _figures(_key(b)), slug
        assert STAMP.sub("", (a / "report.html").read_text()) == STAMP.sub("", (b / "report.html").read_text()), slug
        stamp_rows = {catalogue("en", "generated_at")}  # the notes sheet's row of when it was made
        assert ({s: [r for r in rows if not (r and r[0] in stamp_rows)] for s, rows in _cells(a / "tables.xlsx").items()}
                == {s: [r for r in rows if not (r and r[0] in stamp_rows)]
                    for s, rows in _cells(b / "tables.xlsx").items()}), slug
        assert sorted(p.name for p in a.glob("*.png")) == sorted(p.name for p in b.glob("*.png")), slug


def test_each_p0_the_data_cannot_give_is_said_with_its_reason(local_run, imported, tmp_path):
    """Only BPS's P0 is imported, not the number of poor: a province's or the nation's P0 (the poor over the
    population, summed over districts) cannot be computed. The pages said "National P0 –" with no reason."""
    why = catalogue("en", "reason_no_poor_counts")
    boalemo = text_of(next(local_run.glob("7502-*")) / "report.html")
    assert f"National P0, 2025 – ({why})" in boalemo
    assert re.search(r"National P0 – ", boalemo) is None  # no bare dash left
    assert f"Province P0 (today's districts), National P0: “–” in every year ({why})." in boalemo
    assert (f"P1 (depth), P2 (severity): “–” in every year ({catalogue('en', 'reason_not_in_data')})."
            in boalemo)  # BPS's P0 table gives neither index
    # the comparison's P0 row: the province's, the nation's and the peers' P0 are weighted by population (from the poor)
    assert f"P0 (poverty headcount): the province's, the nation's and the similar districts' values are “–” ({why})." \
        in boalemo
    for slug in ("overview-75-gorontalo", "overview-national"):
        page = text_of(local_run / slug / "report.html")
        assert f"P0 (poverty headcount) 2025 – ({why})" in page, slug  # the year of the districts' latest P0
        assert _key(local_run / slug)["poverty"]["p0_reason"] == "reason_no_poor_counts"
        assert "Susenas March 2025." in page, slug  # was "Susenas March –"
    assert f"National P0 2025 – ({why})" in text_of(local_run / "overview-75-gorontalo" / "report.html")
    # the sources cite the one BPS table imported, not BPS's tables of the poor, P1 or P2 (cited before for its years)
    assert "Indeks Kedalaman" not in boalemo and "Jumlah Penduduk Miskin (Ribu" not in boalemo
    # in Indonesian too
    made = ucj("report", "--district", "75.02", "--data-dir", str(imported[0]), "--out", str(tmp_path), "--lang", "id")
    assert made.returncode == 0, made.stderr[-3000:]
    page = text_of(next(tmp_path.glob("*/7502-*")) / "report.html")
    assert f"P0 nasional, 2025 – ({catalogue('id', 'reason_no_poor_counts')})" in page


def test_the_national_overview_ranks_only_the_districts_with_data(local_run):
    """BPS's P0 lists all 514 districts, the imported enrolment Gorontalo's 6: the "25 districts with the highest
    coverage" were 6 and then 19 rows of "–", and the area's target "the target of 5 of 514 districts"."""
    page = text_of(local_run / "overview-national" / "report.html")
    assert "The 6 of 514 districts with the highest coverage, 2025-12" in page
    note = catalogue("en", "ranking_unranked").format(missing="508", total="514", ranked="6",
                                                      reason=catalogue("en", "reason_no_enrolment"))
    assert note in page
    k = _key(local_run / "overview-national")
    assert (k["target_districts"], k["area_districts"]) == (5, 6)  # Boalemo has its own; 508 have no data at all


def test_data_without_a_targets_file_takes_the_national_default_and_verifies(imported, tmp_path):
    """No targets file at all: every report failed in cell 4 ("the data has no 'targets' table"). The districts
    with data take the national RPJMN target; no targets file is recorded, and the run verifies."""
    data = tmp_path / "data"
    for kind in KINDS:
        assert ucj("import", "template", str(imported[1] / f"{kind}.csv"), "--kind", kind, "--out", str(data),
                   "-q").returncode == 0
    assert ucj("import", "bps-table", str(P0_CSV), "--out", str(data), "-q").returncode == 0
    made = ucj("reports", "--district", "75.02", "--district", "75.71", "--workers", "2", "--data-dir", str(data),
               "--out", str(tmp_path), "--run", "r", "--lang", "en", "--no-progress")
    assert made.returncode == 0, made.stderr[-3000:]
    nat = pd.read_csv(REPO / "data" / "published" / "national_figures.csv", dtype=str).set_index("figure")
    for folder in (tmp_path / "r").glob("75*"):
        k = _key(folder)
        assert (k["target_pct"], k["target_year"], k["target_is_default"]) == (
            float(nat.at["rpjmn_target_2029_pct", "value"]), int(nat.at["rpjmn_target_2029_pct", "period"]), True)
        assert "targets" not in k["provenance"]["tables"]  # no file was read for it
        assert "the national RPJMN target, used as a default" in text_of(folder / "report.html")
    done = ucj("verify", str(tmp_path / "r"), "--data-dir", str(data), "--lang", "en", "--no-progress")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 of 2 reports reproduced" in done.stdout + done.stderr


def test_a_national_overview_of_one_province_says_what_it_covers(local_run, imported, tmp_path):
    """Session 14 (docs/leftovers.md): the national overview made from Gorontalo's six districts was titled and
    worded "National overview", its target "the national RPJMN target" with the nation's path. It now names what it
    covers, page and workbook, in both languages; the counts come from the filled templates (pandas) and BPS's file."""
    e = pd.read_csv(imported[1] / "enrolment.csv", dtype={"district": str})
    covered = sorted(e["district"].unique())
    names = pd.read_csv(P0_CSV, skiprows=1, dtype=str).iloc[:, 0].dropna()
    names = names.loc[:names.index[names == "Catatan"][0] - 1]  # the notes under the table are not rows
    total = int((~names.str.isupper()).sum())  # BPS's file: every district, under its province in capitals
    assert (len(covered), total) == (6, 514)

    def title(lang: str) -> str:
        where = catalogue(lang, "covered_province_one").format(name="Gorontalo")
        return catalogue(lang, "data_overview_title").format(districts="6", total="514", provinces=where, year=2025)

    folder = local_run / "overview-national"
    page, key = text_of(folder / "report.html"), _key(folder)
    assert page.count(title("en")) >= 2  # <title> and heading
    assert catalogue("en", "national_overview") not in page
    assert key["covers"] == {"districts": 6, "of": 514, "provinces": ["Gorontalo"], "partial": True}
    assert key["title"] == title("en")
    scope = catalogue("en", "data_overview_scope").split("{names}")[0].format(districts="6", total="514")
    assert scope in page
    named = page.split(scope)[1].split("(")[0]  # the names up to "(province Gorontalo)"
    assert all(name in named for name in GORONTALO.values()) and named.count("Kabupaten ") == 5
    # not the nation's own target and its RPJMN/RKP path: the default the six share, counted
    assert catalogue("en", "national_target_name") not in page and "national_target_path" not in key
    assert "(5 of 6)" in page
    notes = {r[0]: r[1] for r in _cells(folder / "tables.xlsx")["Notes"] if r and r[0]}
    assert notes[catalogue("en", "overview_report")] == title("en")
    sheet_notes = [r[1] for r in _cells(folder / "tables.xlsx")["Notes"] if r and r[0] == catalogue("en", "sheet.key_figures")]
    assert any(str(x).startswith(scope) for x in sheet_notes)
    index = text_of(local_run / "index.html")
    assert title("en") in index and f"(2029, {catalogue('en', 'default_target_short')})" in index
    # in Indonesian
    made = ucj("reports", "--district", "75.02", "--national", "--data-dir", str(imported[0]), "--out", str(tmp_path),
               "--run", "id", "--lang", "id", "--no-progress")
    assert made.returncode == 0, made.stderr[-3000:]
    page_id = text_of(tmp_path / "id" / "overview-national" / "report.html")
    assert title("id") in page_id and catalogue("id", "national_overview") not in page_id
    assert catalogue("id", "data_overview_scope").split("{names}")[0].format(districts="6", total="514") in page_id


def test_an_imported_target_row_says_what_its_file_gives(local_run, imported):
    """The "Plans and targets" row of Boalemo's imported target showed "–" under the source's words: it now gives
    the document the targets file names (read here from the filled file) and that the file records no words."""
    document = pd.read_csv(imported[1] / "targets.csv").loc[0, "target_source"]
    words = catalogue("en", "target_words_not_recorded").format(document=document)
    folder = next(local_run.glob("7502-*"))
    assert words in text_of(folder / "report.html")
    rows = _cells(folder / "tables.xlsx")[catalogue("en", "sheet.plans")]
    assert any(words in r and 43.9 in r for r in rows)


def test_the_workbooks_say_why_a_p0_is_missing(local_run):
    """The pages gave the reason for the P0 a P0 table alone cannot give (province, nation, peers); the workbooks
    left the cells empty. Now the notes sheet says it of the Poverty and Comparison sheets, and the overviews' key
    figures sheet (which has no P0 row) gives the summary's P0 with its reason."""
    why = catalogue("en", "reason_no_poor_counts")
    boalemo = _cells(next(local_run.glob("7502-*")) / "tables.xlsx")
    notes = {(r[0], r[1]) for r in boalemo["Notes"] if r and r[0]}
    poverty = [n for s, n in notes if s == catalogue("en", "sheet.poverty")]
    assert any("National P0" in n and why in n for n in poverty)
    assert boalemo[catalogue("en", "sheet.poverty")][1][6] is None  # the cell itself stays empty, not a made-up 0
    assert any(s == catalogue("en", "sheet.peers") and why in n for s, n in notes)
    for slug in ("overview-75-gorontalo", "overview-national"):
        rows = _cells(local_run / slug / "tables.xlsx")["Notes"]
        lines = [r[1] for r in rows if r and r[0] == catalogue("en", "sheet.key_figures")]
        assert f"P0 (poverty headcount) 2025: – ({why})" in lines, slug
