"""Reader 12, M3 (issue 18, policy apart from trend): a funding agreement that starts between the year-before month
and the page's month raises every desa's BPU count; the village section says so, gives how the BPU participants
without contribution assistance changed meanwhile, and the table has that change per desa. Oracles: hand-made
figures for the sentence, and pandas over the demo's village table (not ucj) for Boalemo, whose 5,000
APBD-funded workers start in 2025-11."""
from __future__ import annotations

import html
import re

import openpyxl
import pandas as pd
import pytest

BOALEMO, MUNA_BARAT = "75.02", "74.13"


def _text(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))))


def _village_text(report) -> str:  # type: ignore[no-untyped-def]
    """The village section as the page's show_villages displays it (not among the shared page sections)."""
    from test_pagesp_pages import _village_lines

    return " ".join(_village_lines(report))


def _figures(funded_now: dict[str, int], funded_before: dict[str, int], own_now: int, own_before: int | None):
    from ucj.analysis.villages import VillageFigures

    return VillageFigures("75.02", pd.Timestamp("2025-12-01"), pd.Timestamp("2024-12-01"), None, pd.DataFrame(),
                          None, None, 82, 8_340, 5_000, 19_828, (), 0, 0, funded_before, funded_now, own_now,
                          own_before)


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Angka 2025-12 mencakup 5.000 peserta BPU yang dibiayai APBD (2024-12: 0): perubahan di setiap desa dan "
           "kelurahan mencakup mulai dibiayainya mereka, bukan hanya tren desa itu sendiri. Peserta BPU tanpa bantuan "
           "iuran berubah dari 3.827 pada 2024-12 menjadi 3.340 pada 2025-12 (−487); per desa/kelurahan lihat kolom "
           "“Perubahan peserta BPU tanpa bantuan iuran”."),
    ("en", "The 2025-12 figure includes 5,000 BPU participants funded by the APBD (2024-12: 0): the change in every "
           "desa and kelurahan includes their funding starting, not only the village's own trend. BPU participants "
           "without contribution assistance went from 3,827 in 2024-12 to 3,340 in 2025-12 (−487); per "
           "desa/kelurahan see the column “Change, BPU participants without contribution assistance”.")])
def test_an_agreement_start_is_named_with_the_others_change(lang, expected):
    """Hand-made: 0 funded in 2024-12, 5,000 in 2025-12; the others 3,827 -> 3,340 (-487, worked by hand)."""
    from ucj.presentation.villages_view import agreement_start_notes

    assert 3_340 - 3_827 == -487
    assert agreement_start_notes(_figures({"apbd": 5_000}, {}, 3_340, 3_827), lang) == [expected]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_start_note_when_the_funded_did_not_rise(lang):
    """Unchanged, fallen (an agreement end: its own note) or absent funded workers, or no year-before month:
    no start note."""
    from ucj.presentation.villages_view import agreement_start_notes

    assert agreement_start_notes(_figures({"apbd": 5_000}, {"apbd": 5_000}, 3_340, 3_827), lang) == []
    assert agreement_start_notes(_figures({}, {"apbd": 9_500}, 600, 700), lang) == []
    assert agreement_start_notes(_figures({}, {}, 600, 700), lang) == []
    assert agreement_start_notes(_figures({"apbd": 5_000}, {}, 3_340, None), lang) == []
    grown = agreement_start_notes(_figures({"apbd": 6_000, "csr": 10}, {"apbd": 5_000}, 3_340, 3_827), lang)
    assert len(grown) == 2 and ("(2024-12: 5.000)" if lang == "id" else "(2024-12: 5,000)") in grown[0]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_boalemo_village_change_apart_from_its_funded_workers(district_page, demo_dir, lang):
    """Boalemo, pandas over the demo village table: BPU without contribution assistance 2024-12 and 2025-12 summed
    (3,827 and 3,340 in reader 12's check), per desa the same difference; the page's sentence gives both
    sums, the Excel sheet has the column; Muna Barat (funded workers fell) gets no start note."""
    v = pd.read_parquet(demo_dir / "village_enrolment.parquet")
    b = v[(v["district_code"] == BOALEMO) & (v["segment"] == "BPU")]
    own = b[b["funding"] == "self_employer"]
    per = own.pivot_table(index="village_code", columns="month", values="active", aggfunc="sum", fill_value=0)
    before, now = per[pd.Timestamp("2024-12-01")], per[pd.Timestamp("2025-12-01")]
    funded_now = int(b[(b["month"] == "2025-12-01") & (b["funding"] == "apbd")]["active"].sum())
    funded_before = int(b[(b["month"] == "2024-12-01") & (b["funding"] == "apbd")]["active"].sum())
    assert (funded_before, funded_now) == (0, 5_000)
    page = district_page(BOALEMO, lang)
    f = page.report.villages
    sep = "." if lang == "id" else ","
    fmt = lambda n: f"{n:,}".replace(",", sep).replace("-", "−")  # noqa: E731
    text = _village_text(page.report)
    start = ("Angka 2025-12 mencakup 5.000 peserta BPU yang dibiayai APBD (2024-12: 0)" if lang == "id" else
             "The 2025-12 figure includes 5,000 BPU participants funded by the APBD (2024-12: 0)")
    assert start in text
    moved = (f"berubah dari {fmt(int(before.sum()))} pada 2024-12 menjadi {fmt(int(now.sum()))} pada 2025-12 "
             f"({fmt(int(now.sum() - before.sum()))})" if lang == "id" else
             f"went from {fmt(int(before.sum()))} in 2024-12 to {fmt(int(now.sum()))} in 2025-12 "
             f"({fmt(int(now.sum() - before.sum()))})")
    assert moved in text
    table = f.table.set_index("village_code")["self_funded_bpu_change"]
    expected = (now - before).reindex(table.index, fill_value=0)
    assert (table.astype("int64") == expected.astype("int64")).all()
    assert (f.table["change"] > 0).all() and (table < 0).sum() > len(table) / 2  # the total rose, the others fell
    sheet = "Desa" if lang == "id" else "Villages"
    ws = openpyxl.load_workbook(page.folder / "tables.xlsx", read_only=True)[sheet]
    header = next(ws.iter_rows(values_only=True))
    assert ("Perubahan peserta BPU tanpa bantuan iuran" if lang == "id" else
            "Change, BPU participants without contribution assistance") in header
    muna = _village_text(district_page(MUNA_BARAT, lang).report)
    assert ("9.500 peserta BPU" if lang == "id" else "9,500 BPU participants") in muna  # its end note instead
    assert ("mulai dibiayainya mereka" if lang == "id" else "their funding starting") not in muna
