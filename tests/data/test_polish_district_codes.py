"""A district code written without a dot is never read in one numbering silently: BPS 7501 is Kabupaten
Boalemo, Kemendagri 75.01 is Kabupaten Gorontalo (../shared/data/raw/SOURCES.md: the WebAPI answer's
`7501 Boalemo`, idn-area-data's `75.02 Kabupaten Boalemo`). The command line refuses such a code in one line
naming both readings; a file's column that declares its numbering keeps working; one that does not is refused
with file, row, column and rule. The shipped BPS list is checked against the public lists, read here with
nothing of ucj but the snapshot's loader."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import LONG_CSV, MAPPINGS, RAW
from ucj.data.bps_numbering import load_crosswalk
from ucj.data.registry import load_bps_codes

UCJ = str(Path(sys.executable).parent / "ucj")
# BPS lists still carry the old names of these districts (renamed since; checked by hand against the
# Kemendagri list): BPS code -> (BPS name, Kemendagri name)
RENAMED = {"1206": ("Toba Samosir", "Toba"), "6104": ("Pontianak", "Mempawah"), "6302": ("Kota Baru", "Kotabaru"),
           "6411": ("Mahakam Hulu", "Mahakam Ulu"), "7108": ("Siau Tagulandang Biaro", "Kepulauan Siau Tagulandang Biaro"),
           "7605": ("Mamuju Utara", "Pasangkayu"), "8101": ("Maluku Tenggara Barat", "Kepulauan Tanimbar")}


def _ucj(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UCJ, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def _key(name: str) -> str:
    name = re.sub(r"<[^>]+>", "", name).upper()
    return re.sub(r"[^A-Z]", "", re.sub(r"^(KABUPATEN|KOTA)\s+(ADMINISTRASI\s+)?", "", name))


def test_the_bps_list_matches_the_public_lists_by_name(raw):
    kemendagri = {r["code"]: r["name"] for r in csv.DictReader(open(RAW / "wilayah_kemendagri_idn_area_data" /
                                                                    "regencies.csv", encoding="utf-8"))}
    webapi = json.loads((RAW / "bps_webapi_rasyidarfan" / "Garis Kemiskinan.json").read_text(encoding="utf-8"))
    bps = {str(v["val"]): v["label"] for v in webapi["vervar"] if not str(v["val"]).endswith("00")}
    assert len(bps) == 514
    with open(RAW / "wilayah_bps_edwardsamuel" / "regencies.csv", encoding="utf-8") as fh:
        for code, _, name in csv.reader(fh):
            bps.setdefault(code, name)  # the 2018 list: the Papua codes before the 2022 split
    crosswalk = load_crosswalk()
    assert set(crosswalk) == set(bps)
    for code, target in crosswalk.items():
        if code in RENAMED:
            assert (_key(bps[code]), _key(kemendagri[target])) == tuple(_key(n) for n in RENAMED[code]), code
        else:
            assert _key(bps[code]) == _key(kemendagri[target]), (code, bps[code], target, kemendagri[target])
        assert (int(code[2:]) >= 71) == kemendagri[target].startswith("Kota "), code  # BPS numbers kota from 71
    assert crosswalk["7501"] == "75.02" and kemendagri["75.01"] == "Kabupaten Gorontalo"
    differ = [c for c in crosswalk if f"{c[:2]}.{c[2:]}" in kemendagri and crosswalk[c] != f"{c[:2]}.{c[2:]}"]
    assert len(differ) > 100  # why a bare number cannot be taken in one numbering


def test_an_undotted_code_meaning_two_districts_is_refused_in_one_line():
    run = _ucj("district", "7501")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: "), run.stderr
    line = run.stderr
    assert "Kabupaten Gorontalo, Gorontalo in Kemendagri numbering" in line
    assert "Kabupaten Boalemo, Gorontalo in BPS numbering" in line
    assert "write 75.01 for the Kemendagri code or bps:7501 for the BPS code" in line
    assert _ucj("district", "75-01").returncode == 2  # a dash names no numbering either (BPS maps write 75-01)


@pytest.mark.parametrize(("typed", "shown"), [
    ("75.01", "75.01  Kabupaten Gorontalo, Gorontalo"),
    ("bps:7501", "75.02  Kabupaten Boalemo, Gorontalo"),
    ("BPS:75-01", "75.02  Kabupaten Boalemo, Gorontalo"),
    ("kemendagri:7501", "75.01  Kabupaten Gorontalo, Gorontalo"),
    ("bps:1173", "11.74  Kota Langsa, Aceh"),
    ("11.73", "11.73  Kota Lhokseumawe, Aceh"),
])
def test_a_code_that_says_its_numbering_resolves(typed, shown):
    run = _ucj("district", typed)
    assert run.returncode == 0 and run.stdout.strip() == shown, run.stderr


def test_an_undotted_code_both_numberings_agree_on_resolves_and_v_says_how():
    run = _ucj("-v", "district", "7571")
    assert run.returncode == 0 and run.stdout.strip() == "75.71  Kota Gorontalo, Gorontalo"
    assert "debug: district code '7571' read as Kota Gorontalo [75.71]: the same district in Kemendagri and BPS " \
           "numbering" in run.stderr
    only_bps = _ucj("-v", "district", "9101")  # Kemendagri has no 91.01; BPS 9101 is Fakfak
    assert only_bps.returncode == 0 and only_bps.stdout.strip() == "92.03  Kabupaten Fak Fak, Papua Barat"
    assert "in BPS numbering (Kemendagri has no code 91.01)" in only_bps.stderr
    assert _ucj("district", "9999").stderr.startswith("error: no district has this code in Kemendagri (99.99) or "
                                                       "BPS (9999) numbering")


def test_report_and_reports_refuse_it_before_any_report(demo_dir, tmp_path):
    for cmd in (["report", "--district", "7501"], ["reports", "--district", "Boalemo", "--district", "7501",
                                                   "--no-progress"]):
        run = _ucj(*cmd, "--data-dir", str(demo_dir), "--out", str(tmp_path / "out"), "--run", "r")
        assert run.returncode == 2, run.stderr
        lines = [x for x in run.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and "bps:7501" in lines[0] and "75.01" in lines[0], run.stderr
        assert not (tmp_path / "out" / "r").exists()


def _table(tmp_path: Path, codes: list[str]) -> Path:
    p = tmp_path / "tpt.csv"
    p.write_text("kode,tahun,tpt\n" + "".join(f"{c},2024,{4 + i / 10:.1f}\n" for i, c in enumerate(codes)),
                 encoding="utf-8")
    return p


def _mapping(tmp_path: Path, **extra: object) -> Path:
    m = {"table": "indicators", "district": "kode", "year": "tahun", "columns": {"tpt": "value"},
         "fixed": {"indicator": "tpt", "unit": "%"}, "source": "a test table", **extra}
    p = tmp_path / f"m{len(extra)}{'-'.join(map(str, extra.values()))}.json"
    p.write_text(json.dumps(m), encoding="utf-8")
    return p


def test_a_file_column_without_a_numbering_is_refused_naming_file_row_column_and_rule(tmp_path):
    data = _table(tmp_path, ["7571", "7501"])  # 7571 agrees in both numberings; 7501 does not
    run = _ucj("import", "mapped", str(data), "--mapping", str(_mapping(tmp_path)), "--out", str(tmp_path / "p"))
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error: tpt.csv, row 3, column 'kode': 7501 is Kabupaten Gorontalo, Gorontalo in "
                                 "Kemendagri numbering but Kabupaten Boalemo"), run.stderr
    assert '"code_scheme": "kemendagri" or "bps"' in run.stderr and run.stderr.count("\n") == 1
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(("scheme", "expected"), [("kemendagri", ["75.71", "75.01"]), ("bps", ["75.71", "75.02"])])
def test_a_file_column_that_declares_its_numbering_is_read_in_it(tmp_path, scheme, expected):
    data = _table(tmp_path, ["7571", "7501"])
    out = tmp_path / "p"
    run = _ucj("-q", "import", "mapped", str(data), "--mapping", str(_mapping(tmp_path, code_scheme=scheme)),
               "--out", str(out))
    assert run.returncode == 0 and run.stdout == "" and run.stderr == "", run.stderr
    got = pd.read_parquet(out / "indicators.parquet").sort_values("value")
    assert got["district_code"].tolist() == expected and got["value"].tolist() == [4.0, 4.1]


def test_the_real_kemendagri_long_table_still_imports_with_its_mapping(raw, tmp_path):
    """bps_muhlis000 writes Kemendagri codes without a dot (1101 Aceh Selatan); its mapping says so."""
    out = tmp_path / "p"
    run = _ucj("import", "mapped", str(LONG_CSV), "--mapping", str(MAPPINGS / "bps_kemiskinan_long.json"),
               "--out", str(out))
    assert run.returncode == 0, run.stderr
    got = pd.read_parquet(out / "poverty.parquet")
    with open(LONG_CSV, encoding="utf-8") as fh:
        first = next(r for r in csv.DictReader(fh) if r["kode_kab"] == "1101" and r["tahun"] == "2024")
    row = got[(got["district_code"] == "11.01") & (got["year"] == 2024)]
    assert first["nama_kab"] == "Aceh Selatan" and len(row) == 1
    assert row["p0"].iloc[0] == pytest.approx(float(first["persen_miskin"]))


def test_inspect_leaves_the_numbering_to_the_user_when_nothing_in_the_file_says_it(tmp_path):
    data = _table(tmp_path, ["7571", "7501", "7502"])
    run = _ucj("import", "inspect", str(data), "--draft", str(tmp_path / "draft.json"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    draft = json.loads((tmp_path / "draft.json").read_text())
    assert draft["code_scheme"] == "?"
    assert "set code_scheme to kemendagri or bps" in run.stdout


def test_the_bps_province_list_matches_the_public_lists_by_name(raw):
    kemendagri = {r["code"]: r["name"] for r in csv.DictReader(open(RAW / "wilayah_kemendagri_idn_area_data" /
                                                                    "provinces.csv", encoding="utf-8"))}
    webapi = json.loads((RAW / "bps_webapi_rasyidarfan" / "Garis Kemiskinan.json").read_text(encoding="utf-8"))
    bps = {str(v["val"])[:2]: v["label"] for v in webapi["vervar"] if str(v["val"]).endswith("00")}
    shipped = load_bps_codes("provinces")
    assert set(shipped) == set(bps) and len(bps) == 38
    # BPS abbreviates three names (checked by hand): BPS name -> Kemendagri name
    abbreviated = {"KEP. BANGKA BELITUNG": "Kepulauan Bangka Belitung", "DKI JAKARTA": "Daerah Khusus Ibukota Jakarta",
                   "D I YOGYAKARTA": "Daerah Istimewa Yogyakarta"}
    for code, target in shipped.items():
        label = re.sub(r"<[^>]+>", "", bps[code])
        assert _key(abbreviated.get(label, label)) == _key(kemendagri[target]), (code, bps[code], target)
    assert shipped["94"] == "91" and kemendagri["94"] == "Papua Tengah"  # BPS 94 is Papua


def test_a_province_code_that_means_two_provinces_is_refused_on_the_command_line(tmp_path):
    for cmd in (["district", "Mimika", "--province", "94"],
                ["report", "--province", "94", "--out", str(tmp_path / "out")],
                ["reports", "--province", "94", "--out", str(tmp_path / "out")]):
        run = _ucj(*cmd)
        assert run.returncode == 2 and run.stderr == (
            "error: option '--province': 94 is Papua Tengah in Kemendagri numbering but Papua in BPS numbering; "
            "write the name, or kemendagri:94 or bps:94 (value: '94')\n"), (cmd, run.stderr)
    assert not (tmp_path / "out").exists()
    for said in ("bps:96", "kemendagri:94", "Papua Tengah"):
        run = _ucj("district", "Mimika", "--province", said)
        assert run.returncode == 0 and run.stdout.strip() == "94.04  Kabupaten Mimika, Papua Tengah", run.stderr
    assert _ucj("district", "Boalemo", "--province", "75").returncode == 0  # Gorontalo is 75 in both
