"""The budget's wording on a dataset a planner imported (the real path, not the demo): enrolment, claims,
contributions and workforce through `ucj import template`, the real BPS P0 table through `ucj import bps-table`, a
target through `ucj import template --kind targets`, then `ucj report` from the command line. Nothing in it is
synthetic, so the page says the budget's claim rates come from the data's APBD cohorts with no "synthetic" words
(reader 14's R14-1 wording was tested on the demo only), and the ratio beside them at the national rates is the
one worked by hand from the national figures the assumptions table prints."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from conftest import P0_CSV, REPO

pytestmark = pytest.mark.slow
BIN = REPO / ".venv" / "bin"


def _template(demo_dir: Path, name: str, folder: Path) -> Path:
    """Gorontalo's six districts from a demo table, written as the branch office fills the template (district
    codes, months as YYYY-MM, no source column: the import names the file as the source)."""
    d = pd.read_parquet(demo_dir / f"{name}.parquet")
    d = d[d["district_code"].str.startswith("75.")].drop(columns="source").rename(columns={"district_code": "district"})
    if "month" in d:
        d["month"] = d["month"].dt.strftime("%Y-%m")
    path = folder / f"{name}.csv"
    d.to_csv(path, index=False)
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ucj"), *args], capture_output=True, text=True, timeout=600)


def test_an_imported_dataset_gets_the_budget_wording_without_synthetic(raw, demo_dir, tmp_path):
    out = tmp_path / "imported"
    for kind in ("enrolment", "claims", "contributions", "workforce"):
        run = _run("import", "template", str(_template(demo_dir, kind, tmp_path)), "--kind", kind, "--out", str(out),
                   "-q")
        assert run.returncode == 0, run.stderr
    assert _run("import", "bps-table", str(P0_CSV), "--out", str(out), "-q").returncode == 0
    targets = tmp_path / "targets.csv"
    targets.write_text('district,target_year,coverage_target_pct,denominator,target_source\n'
                       'Boalemo,2029,"43,9",working_population,RPJMD Kabupaten Boalemo\n', encoding="utf-8")
    assert _run("import", "template", str(targets), "--kind", "targets", "--out", str(out), "-q").returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert not any("synthetic" in json.dumps(v) for v in manifest.get("tables", {}).values())  # nothing made up

    nat = pd.read_csv(REPO / "data" / "published" / "national_figures.csv", dtype=str)
    for lang, basis, synthetic in (("en", "from the APBD cohorts' claims in the data.", "synthetic"),
                                   ("id", "dari klaim kohort APBD dalam data.", "sintetis")):
        run = _run("report", "--district", "75.02", "--data-dir", str(out), "--out", str(tmp_path / f"r{lang}"),
                   "--lang", lang)
        assert run.returncode == 0, run.stderr
        folder = next((tmp_path / f"r{lang}").glob("*/7502-*"))
        key = json.loads((folder / "key_figures.json").read_text())
        b = key["benefit_cost"]
        assert b["rates_synthetic"] is False
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (folder / "report.html").read_text(encoding="utf-8")))
        i = text.index(basis)
        sentence = text[text.rindex(". ", 0, i - 300) if ". " in text[:i] else 0: i + 400]
        assert synthetic not in sentence.lower(), sentence
        # the national rates and ratio by hand from data/published/national_figures.csv: 2023 claims over the active
        # participants of December 2023, per 1,000, rounded as printed; benefits (the JKM benefit, the workbook's
        # own Rp 4 m a JKK case) over a year of the BPU JKK+JKM contribution
        fig = dict(zip(nat["figure"], nat["value"].astype(float)))
        jkk = round(fig["jkk_claims_2023"] / fig["active_participants_2023_12"] * 1000, 2)
        jkm = round(fig["jkm_claims_2023"] / fig["active_participants_2023_12"] * 1000, 2)
        assert (b["national_jkk_per_1000"], b["national_jkm_per_1000"]) == (jkk, jkm) == (4.28, 1.66)
        by_hand = (jkk * 4_000_000 + jkm * fig["jkm_benefit_rp"]) / 1000 / (fig["bpu_jkk_jkm_rp"] * 12)
        assert b["national"] == pytest.approx(by_hand, rel=1e-9)
        shown = f"{by_hand:.2f}" if lang == "en" else f"{by_hand:.2f}".replace(".", ",")
        assert shown in sentence
        # the sources table: every workforce row is the one imported file (pandas), so the cell says so and does
        # not send the reader to "the table's other rows" (they cite the same file)
        wf = pd.read_parquet(out / "workforce.parquet")
        assert wf["source"].nunique() == 1
        row = re.search(r"(?:Workforce|Angkatan kerja) (workforce\.csv[^\d]*)", text)  # the sources table's row
        assert row and {"en": "(every row of the table)", "id": "(semua baris tabel ini)"}[lang] in row.group(1), row
        assert {"en": "other rows cite their own", "id": "mengutip sumbernya sendiri"}[lang] not in row.group(1)
        # Methods cite the workforce rows' source; the import is the planner's file, not assumed to be the Sakernas
        assert "Sakernas" not in text and {"en": "from the source cited in the sources table",
                                           "id": "dari sumber yang dikutip pada tabel sumber"}[lang] in text
