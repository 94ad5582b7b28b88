"""`ucj participants check` without --quota: the district's published village quota, cited, or a one-line error
where none is published. Checked against the seed article itself (ANTARA Sulut's "minimal 100 pekerja rentan"
per desa, its "227 desa", the Bupati it quotes, in office until his successor was sworn in on 25 September 2023)
and against shortfalls worked out by hand."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from ucj.cli import app

SEED_003 = next((REPO.parent / "shared" / "seeds").glob("003_*.txt"))
HEAD = "NIK,Nama,Tanggal Lahir,Jenis Kelamin,Desa,Kecamatan,Pekerjaan,Sumber Dana,Mulai\n"
MINAHASA = HEAD + ("7102060507900001,Stevi Rumengan,1990-07-05,L,Tounelet,Kakas,petani,APBD,2026-01\n"
                   "7102065203850002,Meiske Wenas,1985-03-12,P,Tounelet,Kakas,petani,APBD,2026-01\n")
BOALEMO = HEAD + "7502010507900001,Yusuf Hasan,1990-07-05,L,Bongo Nol,Paguyaman,petani,APBD,2026-01\n"


def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, district: str, *extra: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("UCJ_KEY_FILE", str(tmp_path / "secret" / "participants.key"))
    lst = tmp_path / "list.csv"
    lst.write_text(text, encoding="utf-8")
    return CliRunner().invoke(app, ["participants", "check", str(lst), "--district", district, "--start", "2026-01",
                                    "--out", str(tmp_path / "reports"), "--run", "r", *extra])


def _article_quota() -> tuple[int, int, str, str]:
    """The seed article's quota per desa, its number of desa, the date it is no later than (it quotes "Bupati
    Minahasa Royke Roring", whose successor was sworn in on 25 September 2023: suluttempo.com, 25 September 2023;
    reader 15, R15-1) and the latest date of the listing under it (not the article's)."""
    article = SEED_003.read_text(encoding="utf-8")
    quota = int(re.search(r"satu desa mendaftarkan minimal (\d+) pekerja rentan", article).group(1))
    desa = int(re.search(r"di (\d+) desa yang ada di Kabupaten Minahasa", article).group(1))
    assert "Bupati Minahasa Royke Roring" in article.split("Berita Terkait", 1)[0]
    bound = date(2023, 9, 25) - timedelta(days=1)
    months = {"Oktober": 10, "November": 11}  # the months the listing shows
    dates = [(int(y), months[m], int(d)) for d, m, y in re.findall(r"(\d{1,2}) (Oktober|November) (\d{4})", article)]
    y, m, d = max(dates)
    return quota, desa, f"{bound.day} {calendar.month_name[bound.month]} {bound.year}", \
        f"{d} {calendar.month_name[m]} {y}"


def test_minahasa_takes_its_published_quota_and_cites_it(tmp_path, monkeypatch):
    quota, desa, listed, listing = _article_quota()
    assert (quota, desa, listed, listing) == (100, 227, "24 September 2023", "14 November 2024")  # as read
    res = _check(tmp_path, monkeypatch, MINAHASA, "Minahasa", "--lang", "en")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "reports" / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["quota"] == quota
    # cited as a reader cites it: outlet and date, no internal name
    assert "ANTARA Sulut" in summary["quota_source"] and listed in summary["quota_source"]
    assert "seed" not in summary["quota_source"] and listing not in summary["quota_source"]
    assert f"quota: {quota} a desa, published: ANTARA Sulut" in res.output and listed in res.output
    # every desa is judged against the article's 100, a kelurahan against none; Tounelet's shortfall by hand
    by_village = {(r["village"], r["kecamatan"]): r for r in summary["by_village"]}
    tounelet = by_village["Tounelet", "Kakas"]
    assert (tounelet["valid"], tounelet["quota"], tounelet["shortfall"]) == (2, 100, 100 - 2)
    desa_rows = [r for r in summary["by_village"] if r["kind"] != "kelurahan"]
    assert len(desa_rows) == desa and all(r["quota"] == quota for r in desa_rows)
    assert all(r["quota"] == 0 for r in summary["by_village"] if r["kind"] == "kelurahan")
    assert summary["counts"]["villages_below_quota"] == desa  # 2 candidates in one desa: every desa below 100
    page = (tmp_path / "reports" / "r" / "summary.html").read_text(encoding="utf-8")
    assert "published agreement" in page and "minimal 100 pekerja rentan" in page and listed in page


def test_a_district_without_a_published_quota_needs_one(tmp_path, monkeypatch):
    res = _check(tmp_path, monkeypatch, BOALEMO, "Boalemo")
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "--quota" in lines[0] and "Boalemo" in lines[0] and "published" in lines[0]
    assert not (tmp_path / "reports" / "r").exists()  # nothing written
    assert not (tmp_path / "secret").exists()  # not even the key: the quota is checked first


def test_a_quota_given_is_the_user_s_and_says_so(tmp_path, monkeypatch):
    res = _check(tmp_path, monkeypatch, BOALEMO, "Boalemo", "--quota", "3", "--lang", "id")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "reports" / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["quota"] == 3 and summary["quota_source"] is None
    bongo = next(r for r in summary["by_village"] if r["village"] == "Bongo Nol")
    assert (bongo["valid"], bongo["shortfall"]) == (1, 3 - 1)
    assert "given with --quota" in res.output
    page = (tmp_path / "reports" / "r" / "summary.html").read_text(encoding="utf-8")
    assert "diberikan oleh pengguna (--quota)" in page and "ANTARA" not in page


def test_minahasa_with_its_own_number_uses_the_number(tmp_path, monkeypatch):
    res = _check(tmp_path, monkeypatch, MINAHASA, "Minahasa", "--quota", "5")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "reports" / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["quota"] == 5 and summary["quota_source"] is None
    tounelet = next(r for r in summary["by_village"] if r["village"] == "Tounelet")
    assert tounelet["shortfall"] == 5 - 2
