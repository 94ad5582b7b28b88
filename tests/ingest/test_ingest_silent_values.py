"""Issue 24, items 12, 15 and 16: cases that were read silently wrong (or refused for the wrong
reason) on the mapped-import path. Inputs are cut from the real long table in ../shared/data/raw
(bps_muhlis000, Kemendagri codes and district names)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import LONG_CSV
from ucj.cli import app
from ucj.core.errors import UcjInputError
from ucj.ingest.common import write_processed
from ucj.ingest.mapped import Mapping, import_mapped

MAPPING = {"table": "poverty", "district": "kode_kab", "code_scheme": "kemendagri", "year": "tahun",
           "columns": {"persen_miskin": "p0", "jumlah_miskin (000)": "poor_population"},
           "scale": {"poor_population": 1000}, "decimal": "."}


def long_file(tmp: Path, n: int | None = 6, edit=None) -> Path:
    rows = list(csv.DictReader(LONG_CSV.open(encoding="utf-8")))
    rows = rows if n is None else rows[:n]
    if edit:
        edit(rows)
    p = tmp / "long.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return p


def test_mapping_json_with_a_bom_is_read_like_a_csv_with_one(tmp_path):
    m = tmp_path / "m.json"
    m.write_bytes(b"\xef\xbb\xbf" + json.dumps(MAPPING).encode("utf-8"))
    mapping = Mapping.from_file(m)
    got = import_mapped(long_file(tmp_path), mapping).frame
    first = next(csv.DictReader(LONG_CSV.open(encoding="utf-8")))
    row = got[got["district_code"] == f"{first['kode_kab'][:2]}.{first['kode_kab'][2:]}"].iloc[0]
    assert row["p0"] == float(first["persen_miskin"])


@pytest.mark.parametrize("key, hint", [("poor_pop", "one of p0, poor_population"),
                                       ("jumlah_miskin (000)", "keyed by the field, here 'poor_population'"),
                                       ("p1", "one of p0, poor_population")])
def test_a_scale_key_that_scales_nothing_is_refused(key, hint):
    with pytest.raises(UcjInputError) as err:
        Mapping.from_dict(dict(MAPPING, scale={key: 1000}))
    text = str(err.value)
    assert "key 'scale'" in text and f"scale names '{key}'" in text and hint in text, text


def test_a_code_that_disagrees_with_its_name_is_refused(tmp_path):
    def to_merauke(rows):
        rows[1]["nama_kab"] = "Merauke"

    path = long_file(tmp_path, edit=to_merauke)
    with pytest.raises(UcjInputError) as err:
        import_mapped(path, Mapping.from_dict(dict(MAPPING, district_name="nama_kab")))
    text = str(err.value)
    assert "row 3" in text and "column 'nama_kab'" in text and "names another district" in text, text
    assert "Merauke" in text and "Aceh Tenggara" in text


def test_every_real_code_agrees_with_its_name(tmp_path):
    """The whole real file (514 districts, two years): no false refusal from the name check."""
    path = long_file(tmp_path, n=None)
    got = import_mapped(path, Mapping.from_dict(dict(MAPPING, district_name="nama_kab"))).frame
    rows = list(csv.DictReader(LONG_CSV.open(encoding="utf-8")))
    assert len(got) == len(rows)


def test_processed_csv_neutralises_formulas_the_parquet_keeps_the_text(tmp_path):
    source = "=HYPERLINK(\"http://x.example\",\"BPS\")"
    result = import_mapped(long_file(tmp_path), Mapping.from_dict(dict(MAPPING, source=source)))
    out = tmp_path / "out"
    write_processed(result, out)
    with (out / "poverty.csv").open(encoding="utf-8", newline="") as fh:
        cells = [r["source"] for r in csv.DictReader(fh)]
    assert cells and all(c == "'" + source for c in cells)
    assert set(pd.read_parquet(out / "poverty.parquet")["source"]) == {source}


def test_the_command_refuses_a_disagreeing_code_with_exit_2(tmp_path):
    def swap(rows):
        rows[0]["nama_kab"] = "Nabire"

    m = tmp_path / "m.json"
    m.write_text(json.dumps(dict(MAPPING, district_name="nama_kab")), encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "mapped", str(long_file(tmp_path, edit=swap)), "--mapping", str(m),
                                      "--out", str(tmp_path / "o")])
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, out
    assert "names another district" in out and "Traceback" not in out
    assert not (tmp_path / "o").exists()


def test_a_percent_sign_in_a_count_column_is_refused(tmp_path):
    def pct(rows):
        rows[2]["jumlah_miskin (000)"] = "50%"

    with pytest.raises(UcjInputError) as err:
        import_mapped(long_file(tmp_path, edit=pct), Mapping.from_dict(MAPPING))
    text = str(err.value)
    assert "row 4" in text and "column 'jumlah_miskin (000)'" in text and "percent sign" in text, text


def test_a_percent_sign_in_a_percent_column_is_read(tmp_path):
    first = next(csv.DictReader(LONG_CSV.open(encoding="utf-8")))

    def pct(rows):
        rows[0]["persen_miskin"] = rows[0]["persen_miskin"] + "%"

    got = import_mapped(long_file(tmp_path, edit=pct), Mapping.from_dict(MAPPING)).frame
    assert float(first["persen_miskin"]) in set(got["p0"])


def test_a_webapi_file_whose_keys_match_nothing_is_refused(tmp_path):
    from conftest import WEBAPI_JSON
    from ucj.ingest.bps import import_bps_webapi

    doc = json.loads(WEBAPI_JSON.read_text(encoding="utf-8"))
    doc["datacontent"] = {"9" + k: v for k, v in doc["datacontent"].items()}  # a shifted key scheme
    p = tmp_path / "gk.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(UcjInputError) as err:
        import_bps_webapi(p)
    text = str(err.value)
    assert "gk.json, column 'datacontent': no datacontent key matches" in text, text
