"""Candidate-list checks on hand-worked lists: every rule, with the expected outcome written out here
(worked from the NIK structure PPRRSS DDMMYY XXXX and the Kemendagri village list by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ucj.analysis.participants import ACCEPTED, ALREADY_FUNDED, REJECTED, check_candidates, check_nik
from ucj.data.registry import load_registry
from ucj.data.villages import load_villages
from ucj.ingest.participants import read_candidates

HEAD = "NIK,Nama,Tanggal Lahir,Jenis Kelamin,Desa,Kecamatan,Pekerjaan,Sumber Dana,Mulai\n"
START = pd.Timestamp("2026-01-01")


def keyed(nik: str) -> str:  # a stand-in for the keyed hash: reversible here, fine for a test
    return f"k{nik}"


def run(tmp_path: Path, text: str, previous: frozenset[str] = frozenset()):  # type: ignore[no-untyped-def]
    f = tmp_path / "desa.csv"
    f.write_text(HEAD + text, encoding="utf-8")
    rows = read_candidates([f]).rows
    return check_candidates(rows, "71.02", villages=load_villages(), registry=load_registry(), start=START,
                            quota=3, keyed=keyed, previous=previous, files=("desa.csv",))


def codes(result, i: int, field: str = "reasons") -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in result.rows[field].iloc[i]]


def test_nik_structure_by_hand():
    ref = START.date()
    # Kakas (71.02.06), a man born 5 July 1990, serial 0001
    digits, rej, warn, enc = check_nik("7102060507900001", "text", ref)
    assert (digits, rej, warn) == ("7102060507900001", [], []) and enc == {
        "regency": "71.02", "birth_date": "1990-07-05", "sex": "L"}
    # a woman born 12 March 1985: the day is written 12 + 40 = 52
    assert check_nik("7102065203850002", "text", ref)[3] == {"regency": "71.02", "birth_date": "1985-03-12", "sex": "P"}
    # day 32 is no date for a man (and 72 none for a woman)
    assert [r.code for r in check_nik("7102063207900003", "text", ref)[1]] == ["nik_bad_birth_date"]
    assert [r.code for r in check_nik("7102067207900003", "text", ref)[1]] == ["nik_bad_birth_date"]
    # province 00 does not exist; regency 00 is not a regency; serial 0000 is not a serial
    assert [r.code for r in check_nik("0002060507900001", "text", ref)[1]] == ["nik_bad_province"]
    assert [r.code for r in check_nik("7100060507900001", "text", ref)[1]] == ["nik_bad_region"]
    assert [r.code for r in check_nik("7102060507900000", "text", ref)[1]] == ["nik_bad_serial"]


@pytest.mark.parametrize("cell, stored, code", [
    ("7,10206E+15", "text", "nik_scientific"),       # a CSV saved by Excel with Indonesian settings
    ("7.10206E+15", "text", "nik_scientific"),
    ("7102060507900000", "number", "nik_stored_as_number"),  # an Excel number cell: 15 digits kept
    ("7102060507900001.0", "text", "nik_stored_as_number"),  # a float written out as text
    ("710206050790001", "text", "nik_length"),      # a digit lost
    ("71020605079000012", "text", "nik_length"),
    ("71O2060507900001", "text", "nik_not_digits"),  # a letter O for a zero
])
def test_spreadsheet_damage_is_explained_never_repaired(cell, stored, code):
    digits, rej, _, _ = check_nik(cell, stored, START.date())
    assert digits is None and [r.code for r in rej] == [code]


def test_a_leading_apostrophe_and_spaces_are_removed_with_a_flag():
    digits, rej, warn, _ = check_nik("'7102 0605 0790 0001", "text", START.date())
    assert digits == "7102060507900001" and rej == [] and [w.code for w in warn] == ["nik_cleaned"]


def test_every_rule_on_a_hand_worked_list(tmp_path):
    res = run(tmp_path, "\n".join([
        "7102060507900001,Stevi Rumengan,1990-07-05,L,Tounelet,Kakas,petani,APBD,2026-01",          # 0 ok
        "7102065203850002,Meiske Wenas,12-03-1985,P,Tounelet,Kakas,petani,APBD,2026-01",             # 1 ok (woman)
        "7102060507900001,Stevi Rumengan,1990-07-05,L,Tounelet,Kakas,petani,APBD,2026-01",          # 2 same person again
        "7102060303800003,Johan Lumi,1980-03-03,L,Tounelet,Kakas,petani,APBD,2026-01",              # 3 one NIK ...
        "7102060303800003,Ferdy Kalangi,1980-03-03,L,Tounelet,Kakas,petani,APBD,2026-01",           # 4 ... two people
        "7102061111750004,Maria Pesik,1975-11-11,P,Tounelet,Kakas,nelayan,APBD,2026-01",            # 5 NIK day 11: sex P
        "7102065111750005,Vonny Supit,1975-11-11,P,Tounelet,Kakas,nelayan,CSR,2026-01",             # 6 one person ...
        "7102065111750006,vonny  SUPIT,,P,Tounelet,Kakas,nelayan,CSR,2026-01",                      # 7 ... two NIKs
        "7102060903140007,Arie Mandagi,2014-03-09,L,Tounelet,Kakas,pekerja desa,APBD,2026-01",      # 8 a child (11)
        "7102060101500008,Hendrik Lasut,1950-01-01,L,Tounelet,Kakas,petani,APBD,2026-01",           # 9 76 years old
        "7102060507910009,Olvie Kaunang,1991-07-05,P,Tounelet,,petani,APBD,2026-01",                # 10 sex vs NIK; ambiguous
        "7173010101800010,Recky Warouw,1980-01-01,L,Kakaskasen,,petani,APBD,2026-01",               # 11 Tomohon's village
        "7102060202820011,Deisy Pangemanan,1982-02-02,P,Tounelett,Kakas,petani,APBD,2026-01",       # 12 misspelt village
        "7102060303830012,Denny Lengkong,1983-03-03,L,Tounelet,Kakas,petani,Dana Kampung,2026-13",  # 13 funding, month
        "7,10206E+15,Rolly Sondakh,1980-01-01,L,Tounelet,Kakas,petani,APBD,2026-01",               # 14 (quoted below)
    ]).replace("7,10206E+15,Rolly", '"7,10206E+15",Rolly') + "\n")
    status = list(res.rows["status"])
    assert status == [ACCEPTED, ACCEPTED, REJECTED, REJECTED, REJECTED, ACCEPTED, ACCEPTED, ACCEPTED, REJECTED,
                      REJECTED, REJECTED, REJECTED, REJECTED, REJECTED, REJECTED]
    assert codes(res, 2) == ["duplicate_nik"] and dict(res.rows["reasons"].iloc[2][0].params) == {"other": "desa.csv, 2"}
    assert codes(res, 3) == codes(res, 4) == ["nik_shared"]
    assert codes(res, 5, "warnings") == ["sex_differs_from_nik"]
    assert codes(res, 6, "warnings") == codes(res, 7, "warnings") == ["possible_duplicate"]
    assert codes(res, 8) == ["age_below"] and dict(res.rows["reasons"].iloc[8][0].params) == {"age": 11, "years": 15}
    assert codes(res, 9) == ["age_above"] and dict(res.rows["reasons"].iloc[9][0].params) == {"age": 76, "years": 65}
    assert codes(res, 10) == ["village_ambiguous"] and codes(res, 10, "warnings") == ["sex_differs_from_nik"]
    assert dict(res.rows["reasons"].iloc[10][0].params) == {"kecamatan": "Kakas, Langowan Barat"}
    assert codes(res, 11) == ["village_other_district"] and codes(res, 11, "warnings") == ["nik_other_district"]
    assert dict(res.rows["reasons"].iloc[11][0].params) == {"district": "Kota Tomohon"}
    assert codes(res, 12) == ["village_unknown"] and "Tounelet" in dict(res.rows["reasons"].iloc[12][0].params)["suggestions"]
    assert codes(res, 13) == ["start_invalid", "funding_unknown"]
    assert codes(res, 14) == ["nik_scientific"]
    # Tounelet in Kakas is 71.02.06.2017; the accepted and the possible duplicates all sit there
    placed = res.by_village.set_index("village_code").loc["71.02.06.2017"]
    # rejected there: rows 2, 3, 4, 8, 9, 13 and 14 (10 is ambiguous, 11 and 12 are not placed)
    assert (placed["additional"], placed["rejected"], placed["valid"], placed["shortfall"]) == (5, 7, 5, 0)
    assert res.counts == {"rows": 15, "accepted": 5, "already_funded": 0, "rejected": 10, "possible_duplicates": 2,
                          "villages": 270, "villages_below_quota": 226, "additional_apbd": 3}


def test_a_worker_of_an_earlier_list_is_already_funded(tmp_path):
    res = run(tmp_path, "7102060507900001,Stevi Rumengan,1990-07-05,L,Tounelet,Kakas,petani,APBD,2026-01\n"
                        "7102065203850002,Meiske Wenas,1985-03-12,P,Tounelet,Kakas,petani,APBD,2026-01\n",
              previous=frozenset({"k7102060507900001"}))
    assert list(res.rows["status"]) == [ALREADY_FUNDED, ACCEPTED]
    assert res.counts["additional_apbd"] == 1


def test_two_villages_of_one_name_in_one_kecamatan_need_the_code(tmp_path):
    # Kemendagri lists "Tounelet Satu" twice in Sonder (71.02.11.2003 and .2018): only the code can say which
    res = run(tmp_path, "7102110507900001,Stevi Rumengan,1990-07-05,L,Tounelet Satu,Sonder,petani,APBD,2026-01\n"
                        "7102110507900002,Johan Rumengan,1990-07-05,L,71.02.11.2018,Sonder,petani,APBD,2026-01\n")
    assert codes(res, 0) == ["village_ambiguous_code"] and list(res.rows["status"]) == [REJECTED, ACCEPTED]
    assert list(res.rows["village_code"]) == [None, "71.02.11.2018"]
