"""Notebooks run for real: nbval on every notebook, plain papermill for two districts, the CLI, the
real-data path, and the error paths. Kernels are real; these tests take a while."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from babel.numbers import format_decimal

from conftest import P0_CSV, RAW, REPO
from ucj.data.published import fact
from ucj.ingest.bps import import_bps_table
from ucj.ingest.common import write_processed
from ucj.runs.params import validate_params

NOTEBOOKS = REPO / "notebooks"
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def _set_param(nb, name: str, value: str) -> None:
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    lines = [f'{name}: str = {value!r}  # set by the test' if line.startswith(f"{name}:") else line
             for line in cell.source.splitlines()]
    cell.source = "\n".join(lines)


def _coverage_by_hand(demo_dir: Path, year: int) -> pd.DataFrame:
    """Second implementation: December active participants (all segments) over the working population,
    from the Parquet files with plain pandas."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    w = pd.read_parquet(demo_dir / "workforce.parquet")
    dec = e[e["month"] == pd.Timestamp(f"{year}-12-01")].groupby("district_code")["active"].sum()
    wp = w[w["year"] == year].set_index("district_code")["working_population"]
    return pd.DataFrame({"active": dec, "coverage": 100 * dec / wp}).dropna()


def _num(value: float, digits: int = 2) -> str:
    return format_decimal(value, format="#,##0." + "0" * digits, locale="id_ID")


def _expected_outputs(name: str, demo_dir: Path) -> str:
    """What the checked cell of each notebook must print: figures from the published files (BPS poverty,
    seed facts, the domain notes' contribution rate) or computed here with plain pandas; the labels are the
    catalogue's, the numbers are formatted here with babel."""
    from ucj.presentation.i18n import t

    names = pd.read_csv(RAW / "wilayah_kemendagri_idn_area_data" / "regencies.csv", dtype=str).set_index("code")
    if name == "district_report":  # Boalemo, 2025-12, its target's denominator (the default: working population)
        cov = _coverage_by_hand(demo_dir, 2025).loc["75.02"]
        bps = pd.read_csv(REPO / "data" / "published" / "bps_poverty_kabkota.csv", dtype={"district_code": str})
        p0 = bps[(bps["district_code"] == "75.02") & (bps["year"] == 2025)]["p0"].item()
        # Boalemo's 5,000 APBD workers are a plan ("bakal dilindungi ... tahap penganggaran",
        # data/published/fact_wording.csv): a plan is not a published fact, so no line checks it
        lines = [f"{t('active')} 2025-12: {format_decimal(int(cov['active']), locale='id_ID')}",
                 f"{t('coverage_pct')} ({t('all_participants')} / {t('working_population')}): {_num(cov['coverage'])} %",
                 f"{t('p0')} 2025: {_num(p0)} %",
                 f"{t('national_p0')} 2025: {_num(fact('p0', None, '2025'))} %"]
        return "\n".join(lines) + "\n"
    if name in ("province_overview", "national_overview"):
        cov = _coverage_by_hand(demo_dir, 2025)
        if name == "province_overview":  # Gorontalo
            cov = cov[cov.index.str.startswith("75.")]
        best = cov["coverage"].idxmax()
        return "\n".join([f"{t('district')}: {len(cov)}",
                          f"{t('coverage_pct')} #1: {names.at[best, 'name']} {_num(cov.at[best, 'coverage'])} %",
                          f"{t('coverage_pct')} median: {_num(cov['coverage'].median())} %"]) + "\n"
    if name == "budget_scenarios":  # Boalemo, 5,000 and 10,000 workers for 1 year at Rp 16,800 a month (§1)
        return "\n".join(f"{format_decimal(n, locale='id_ID')} {t('workers').lower()} × 1 {t('year').lower()}: "
                         f"Rp{format_decimal(n * 16_800 * 12, locale='id_ID')}" for n in (5_000, 10_000)) + "\n"
    if name == "participants_check":  # rows counted with openpyxl; Minahasa's villages from domain notes §7
        import openpyxl

        from ucj.presentation.i18n import tf

        ws = openpyxl.load_workbook(demo_dir / "participants_minahasa.xlsx", read_only=True).active
        rows = sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r))
        return tf("participants.key_figures", "id", rows=format_decimal(rows, locale="id_ID"),
                  files="participants_minahasa.xlsx", district="Kabupaten Minahasa", villages="270", desa="227",
                  kelurahan="43") + "\n"
    return ""


def test_every_notebook_is_stored_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def test_nbval_runs_every_notebook_and_checks_the_key_figures(demo_dir, tmp_path):
    """nbval in lax mode: every cell must run; cells marked NBVAL_CHECK_OUTPUT must print exactly the
    published figures or those computed here without ucj (the expected text is put into a copy of the stored
    notebook)."""
    copies = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        _set_param(nb, "data_dir", str(demo_dir))
        expected = _expected_outputs(path.stem, demo_dir)
        checked = [c for c in nb.cells if c.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in c.source]
        for c in checked:
            c.outputs = [nbformat.v4.new_output("stream", name="stdout", text=expected)]
            c.execution_count = 1  # nbval compares only cells that were run in the reference
        if path.stem != "explore":
            assert checked, f"{path.name} has no checked key-figure cell"
        copy = tmp_path / path.name
        nbformat.write(nb, copy)
        copies.append(str(copy))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                          "--nbval-current-env", *copies], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


def _papermill(tmp_path: Path, demo_dir: Path, name: str, **params: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / name
    args = [str(BIN / "papermill"), str(NOTEBOOKS / "district_report.ipynb"), str(out / "report.ipynb"),
            "-p", "data_dir", str(demo_dir), "-p", "output_dir", str(out), "--cwd", str(NOTEBOOKS)]
    for k, v in params.items():
        args += ["-p", k, v]
    out.mkdir(parents=True, exist_ok=True)
    return subprocess.run(args, capture_output=True, text=True), out


@pytest.fixture(scope="module")
def two_reports(demo_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pm")
    runs = {}
    for name, params in (("muna_barat", {"district": "Muna Barat"}),
                         # the month of Minahasa's article (no later than 2023-09: the Bupati it quotes, in office to
                         # 24 September 2023), whose 100,841 the demo places there
                         ("minahasa", {"district": "71.02", "last_period": "2023-09",
                                       "denominator": "potensi_pekerja", "lang": "en"})):
        run, out = _papermill(tmp, demo_dir, name, **params)
        assert run.returncode == 0, run.stderr[-3000:]
        runs[name] = (out, json.loads((out / "key_figures.json").read_text()), params)
    return runs


def test_plain_papermill_key_figures_match_independent_figures(two_reports, demo_dir):
    """The key figures papermill wrote, against the published files and plain pandas on the Parquet files."""
    bps = pd.read_csv(REPO / "data" / "published" / "bps_poverty_kabkota.csv", dtype={"district_code": str})
    p0 = bps.set_index(["district_code", "year"])["p0"]
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    for out, key, params in two_reports.values():
        code, month = key["district_code"], pd.Timestamp(key["coverage_as_of"] + "-01")
        active = e[(e["district_code"] == code) & (e["month"] == month)]["active"].sum()
        assert key["active"] == active
        year = key["poverty"]["year"]
        assert key["poverty"]["p0"] == p0[(code, year)]
        assert round(key["poverty"]["national_p0"], 2) == fact("p0", None, str(year))
        assert {"tables.xlsx", "coverage.png", "claims.png", "poverty.png"} <= {f.name for f in out.iterdir()}
    mb, mi = two_reports["muna_barat"][1], two_reports["minahasa"][1]
    w = pd.read_parquet(demo_dir / "workforce.parquet").set_index(["district_code", "year"])
    assert mb["coverage_pct"] == pytest.approx(100 * mb["active"] / w.loc[("74.13", 2025), "working_population"])
    assert mi["pairing"] == "all_participants/potensi_pekerja"


def test_seed_facts_show_in_the_reports(two_reports):
    mb = two_reports["muna_barat"][1]
    assert (mb["apbd_claims_all"]["count"], mb["apbd_claims_all"]["amount_rp"]) == (120, 4_960_000_000)
    assert round(mb["apbd_claims_all"]["mean_claim_rp"] / 1e6, 1) == 41.3
    facts = {f["quantity"]: f for f in mb["seed_facts"]}
    assert (facts["claim_count"]["published"], facts["claim_amount_rp"]["published"]) == (120, 4_960_000_000)
    mi = two_reports["minahasa"][1]
    assert mi["active"] == 100_841 and round(mi["coverage_pct"], 1) == 76.3
    facts = {f["quantity"]: f for f in mi["seed_facts"]}
    assert (facts["covered_workers"]["published"], facts["potensi_pekerja"]["published"]) == (100_841, 132_104)
    assert mi["denominator"] == "potensi_pekerja" and mi["lang"] == "en"
    assert mi["synthetic_tables"] and mi["provenance"]["versions"]["ucj"]


def test_excel_tables_carry_the_synthetic_notice(two_reports):
    import openpyxl

    from ucj.presentation.i18n import t

    wb = openpyxl.load_workbook(two_reports["minahasa"][0] / "tables.xlsx")  # an English report
    notes = " ".join(str(c.value) for row in wb[t("sheet.notes", "en")].iter_rows() for c in row)
    assert "SYNTHETIC" in notes and {t(f"sheet.{n}", "en") for n in ("claims_12m", "budget", "peers")} <= set(
        wb.sheetnames)
    budget = wb[t("sheet.budget", "en")]
    cost = [c.value for c in budget[1]].index(t("cost_rp", "en")) + 1
    assert budget.cell(2, cost).number_format == '"Rp"#,##0'


def test_bad_parameters_fail_inside_the_notebook_too(demo_dir, tmp_path):
    run, _ = _papermill(tmp_path, demo_dir, "bad", district="Kupang")
    assert run.returncode != 0
    assert "UcjInputError" in run.stderr and "ambiguous district" in run.stderr and "Kota Kupang" in run.stderr
    marker = tmp_path / "pwned"
    run, _ = _papermill(tmp_path, demo_dir, "inject", district=f'x"\nopen("{marker}", "w")\n#', lang="id")
    assert run.returncode != 0 and not marker.exists()


def test_cli_report_real_poverty_data(demo_dir, raw, tmp_path):
    processed = tmp_path / "processed"
    write_processed(import_bps_table(P0_CSV), processed)
    run = subprocess.run([str(BIN / "ucj"), "report", "--district", "Boalemo", "--last-period", "2024-12",
                          "--data-dir", f"{demo_dir};{processed}", "--out", str(tmp_path / "reports"),
                          "--run", "real"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    folder = tmp_path / "reports" / "real" / "7502-kabupaten-boalemo"
    key = json.loads((folder / "key_figures.json").read_text())
    assert key["poverty"]["year"] == 2024 and key["poverty"]["p0"] == 17.83
    assert "poverty" in key["real_tables"] and "poverty" not in key["synthetic_tables"]
    assert "enrolment" in key["synthetic_tables"]
    page = (folder / "report.html").read_text()
    assert "DATA SINTETIS" in page and "nyata" in page and "sintetis" in page
    assert "17,8 %" in page  # P0 17.83, a percentage: one decimal and the sign
    assert "def " not in page and "report.show_" not in page  # no code in the HTML


def test_cli_errors_before_any_kernel(demo_dir, tmp_path):
    cases = [
        (["report", "--district", "Bandung"], "ambiguous district"),
        (["report", "--district", "Boalemmo"], "closest: Kabupaten Boalemo"),
        (["report", "--district", "Boalemo", "--last-period", "2031-01"], "period outside the data"),
        (["report", "--district", "Boalemo", "--denominator", "penduduk"], "unknown denominator"),
        (["report", "--district", "Boalemo", "--lang", "fr"], "unknown lang 'fr'"),
        (["reports", "--province", ""], "province is empty"),
        (["reports", "--province", "Atlantis"], "unknown province"),
    ]
    for args, message in cases:
        run = subprocess.run([str(BIN / "ucj"), *args, "--data-dir", str(demo_dir), "--out", str(tmp_path)],
                             capture_output=True, text=True)
        assert run.returncode == 2, (args, run.stderr)
        assert message in run.stderr and "Traceback" not in run.stderr, (args, run.stderr)
    assert not any(tmp_path.iterdir())  # nothing was started or written


def test_batch_index_lists_reports_and_survives_a_failure(demo_dir, tmp_path):
    from ucj.runs.params import validate_params
    from ucj.runs.batch import run_many

    good = validate_params("Boalemo", data_dir=str(demo_dir))
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    (broken_dir / "enrolment.parquet").write_bytes((demo_dir / "enrolment.parquet").read_bytes())
    bad = validate_params("Banggai", data_dir=str(broken_dir))  # passes checks, then lacks the other tables
    entries = run_many([good, bad], tmp_path / "run", workers=2, progress=False)
    status = {e["district"]: e["status"] for e in entries}
    assert status == {"75.02": "ok", "72.01": "failed"}
    index = (tmp_path / "run" / "index.html").read_text()
    assert "7502-kabupaten-boalemo/report.html" in index and "Kabupaten Banggai" in index and "gagal" in index
    run_json = json.loads((tmp_path / "run" / "run.json").read_text())
    assert len(run_json["reports"]) == 2


def test_html_escapes_text_from_the_data(demo_dir, tmp_path):
    import pandas as pd

    from ucj.core.files import write_parquet

    data = tmp_path / "data"
    data.mkdir()
    for f in demo_dir.glob("*.parquet"):
        (data / f.name).write_bytes(f.read_bytes())
    targets = pd.read_parquet(data / "targets.parquet")
    targets.loc[targets["district_code"] == "75.02", "target_source"] = '<script>alert("x")</script> & co'
    write_parquet(data / "targets.parquet", targets, {"synthetic": True})
    run = subprocess.run([str(BIN / "ucj"), "report", "--district", "Boalemo", "--data-dir", str(data),
                          "--out", str(tmp_path / "r"), "--run", "x"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    page = next((tmp_path / "r" / "x").glob("*/report.html")).read_text()
    assert "&lt;script&gt;alert" in page and '<script>alert("x")' not in page
