"""Issue 24 item 15 and issue 20 item 8: text files in the encodings planners' machines write, read right or
refused for the right cause. Every file is the real BPS P0 table (../shared/data/raw/bps_visdati) re-saved;
the expected figure is the one SOURCES.md checked by hand: Boalemo P0 2025 = 16.37 %."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import LONG_CSV, P0_CSV
from ucj.cli import app
from ucj.core.errors import UcjInputError
from ucj.ingest.bps import import_bps_table
from ucj.ingest.common import write_processed
from ucj.ingest.mapped import Mapping, import_mapped
from ucj.ingest.reader import read_grid

BOALEMO = "75.02"
NOTE = 'Catatan,"Tidak ada data'
# what a planner's Windows Excel leaves in the note line: a curly apostrophe and an accented letter
NOTE_1252 = 'Catatan,"Kab Nduga’s data diolah oleh Bappeda (café ‘Kopi’) – Tidak ada data'


def p0_text() -> str:
    return P0_CSV.read_text(encoding="utf-8")


def boalemo_2025(result) -> float:  # type: ignore[no-untyped-def]
    f = result.frame
    return float(f[(f["district_code"] == BOALEMO) & (f["year"] == 2025)]["p0"].iloc[0])


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output  # stdout and stderr, as a terminal shows them


def test_utf32_with_a_bom_is_read_and_named(tmp_path):
    f = tmp_path / "p0_utf32.csv"
    f.write_bytes(p0_text().encode("utf-32"))  # with its byte-order mark, as Python and some exports write it
    result = import_bps_table(f)
    assert boalemo_2025(result) == pytest.approx(16.37)
    assert result.read[str(f)]["encoding"] == "utf-32-le"


def test_utf32_without_a_bom_names_the_encoding_not_the_layout(tmp_path):
    f = tmp_path / "p0_utf32.csv"
    f.write_bytes(p0_text().encode("utf-32-le"))
    with pytest.raises(UcjInputError) as err:
        import_bps_table(f)
    assert "UTF-32 text without a byte-order mark" in str(err.value) and "years" not in str(err.value)


def test_windows_1252_is_read_and_the_manifest_names_it(tmp_path):
    f = tmp_path / "p0_windows.csv"
    text = p0_text()
    assert NOTE in text
    f.write_bytes(text.replace(NOTE, NOTE_1252, 1).encode("cp1252"))
    result = import_bps_table(f)
    assert boalemo_2025(result) == pytest.approx(16.37)
    assert result.read[str(f)]["encoding"].startswith("cp1252")
    assert "read p0_windows.csv as cp1252" in result.summary()
    out = tmp_path / "out"
    write_processed(result, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["imports"][-1]["inputs"][0]["encoding"].startswith("cp1252")


def test_windows_1252_letters_arrive_intact(tmp_path):
    f = tmp_path / "p0_windows.csv"
    f.write_bytes(p0_text().replace(NOTE, NOTE_1252, 1).encode("cp1252"))
    grid = read_grid(f)
    note = next(r for r in grid.rows if r[0] == "Catatan")
    assert note[1].startswith("Kab Nduga’s data diolah oleh Bappeda (café ‘Kopi’) – Tidak")


def test_windows_1252_through_the_cli(tmp_path):
    f = tmp_path / "p0_windows.csv"
    f.write_bytes(p0_text().replace(NOTE, NOTE_1252, 1).encode("cp1252"))
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    assert code == 0, out
    assert "as cp1252 (Windows-1252" in out


@pytest.mark.parametrize("encoding, name", [("mac_roman", "Mac Roman"), ("cp1251", "Cyrillic")])
def test_a_reading_that_would_give_wrong_letters_is_refused(tmp_path, encoding, name):
    """Mac Roman's ’ and é are Õ and Ž in Windows-1252; Cyrillic reads as runs of accented letters."""
    f = tmp_path / "p0.csv"
    note = NOTE_1252 if encoding == "mac_roman" else 'Catatan,"Привет Tidak ada data'
    f.write_bytes(p0_text().replace(NOTE, note, 1).encode(encoding))
    with pytest.raises(UcjInputError) as err:
        import_bps_table(f)
    text = str(err.value)
    assert len(err.value.problems) == 1 and "row 556" in text and "encoding cannot be told" in text, (name, text)


def test_an_ambiguous_reading_is_refused_naming_both(tmp_path):
    """'ã' is 0xE3 in Windows-1252 but 'ă' in Windows-1250, and charset-normalizer prefers the latter:
    two plausible readings, so the file is refused, not guessed."""
    f = tmp_path / "p0.csv"
    f.write_bytes(p0_text().replace(NOTE, 'Catatan,"São Tidak ada data', 1).encode("cp1252"))
    with pytest.raises(UcjInputError) as err:
        import_bps_table(f)
    text = str(err.value)
    assert "encoding is ambiguous" in text and "'ã' in Windows-1252" in text and "row 556" in text, text


def test_an_unbalanced_quote_is_reported_where_it_opens(tmp_path):
    lines = p0_text().splitlines(keepends=True)
    assert lines[177].startswith("Bandung,")
    lines[177] = lines[177].replace(",", ',"', 1)  # a stray quote before Bandung's 2004 value, row 178
    f = tmp_path / "p0_quote.csv"
    f.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(UcjInputError) as err:
        import_bps_table(f)
    assert len(err.value.problems) == 1
    p = err.value.problems[0]
    assert p.row == 178 and p.column == "column 2" and "quote" in p.rule and "line 556" in p.rule, str(err.value)


def test_a_quoted_header_cell_over_two_lines_is_still_read(tmp_path):
    """A quoted cell with a line break but no delimiter inside (Excel's wrapped header) is legitimate."""
    text = LONG_CSV.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    f = tmp_path / "wrapped.csv"
    f.write_text(header.replace("persen_miskin", '"persen\nmiskin"', 1) + "\n" + rest, encoding="utf-8")
    grid = read_grid(f)
    assert grid.rows[0][5] == "persen\nmiskin" and grid.line_numbers[:2] == [1, 3]


def test_a_mapped_file_in_windows_1252_is_read(tmp_path):
    """The real long table with a note column in curly quotes and a dash, saved by Windows Excel."""
    rows = LONG_CSV.read_text(encoding="utf-8").splitlines()
    text = "\n".join([rows[0] + ",keterangan"] + [r + ",“data BPS” – diolah" for r in rows[1:7]]) + "\n"
    f = tmp_path / "long_windows.csv"
    f.write_bytes(text.encode("cp1252"))
    m = Mapping.from_dict({"table": "poverty", "district": "kode_kab", "code_scheme": "kemendagri", "year": "tahun",
                           "columns": {"persen_miskin": "p0"}})
    result = import_mapped(f, m)
    first = rows[1].split(",")
    got = result.frame[result.frame["district_code"] == f"{first[1][:2]}.{first[1][2:]}"]["p0"].iloc[0]
    assert got == float(first[5]) and result.read[str(f)]["encoding"].startswith("cp1252")


@pytest.mark.parametrize("note", [NOTE_1252, 'Catatan,"Kab Nduga’s Tidak ada data'])
def test_utf8_with_one_stray_windows_byte_is_refused_not_turned_into_mojibake(tmp_path, note):
    """A UTF-8 file (its note with a curly apostrophe) with one Windows-1252 'é' pasted in: read as Windows-1252
    the UTF-8 letters would become 'â€™' and the like, so the file is refused, naming both rows."""
    text = p0_text().replace(NOTE, note, 1)
    raw = text.encode("utf-8").replace(b"Boalemo,", "Boalémo,".encode("cp1252"), 1)
    f = tmp_path / "p0_mixed.csv"
    f.write_bytes(raw)
    with pytest.raises(UcjInputError) as err:
        import_bps_table(f)
    assert len(err.value.problems) == 1
    p = err.value.problems[0]
    boalemo = next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith("Boalemo,"))
    assert p.row == 556 and "mixes UTF-8 with another encoding" in p.rule, str(err.value)
    assert "'’' as UTF-8 but 'â€™' as Windows-1252" in p.rule and f"on row {boalemo} is not UTF-8" in p.rule


@pytest.mark.parametrize("word", ["Peñalosa", "Müller", "Ängel", "Ñusa", "José’s"])
def test_mac_roman_letters_are_refused_not_read_as_other_letters(tmp_path, word):
    """Excel for Mac's old "CSV (Macintosh)" writes Mac Roman: its 'ñ', 'ü', 'Ä', 'Ñ', 'é' read in Windows-1252
    as '–', 'Ÿ', '€', '„', 'Ž'; each such file is refused rather than read into those."""
    f = tmp_path / "p0_mac.csv"
    f.write_bytes(p0_text().replace(NOTE, f'Catatan,"diolah {word} Tidak ada data', 1).encode("mac_roman"))
    with pytest.raises(UcjInputError) as err:
        read_grid(f)
    assert err.value.problems[0].row == 556 and "encoding cannot be told" in str(err.value), str(err.value)


# -- a byte run shaped like UTF-8 that is not UTF-8 (found by test_properties' random bytes) -------------------
@pytest.mark.parametrize("raw", [b"\xe0\x80\x80", b"\xed\xa0\x80"])
def test_an_overlong_or_surrogate_run_is_read_as_windows_1252_not_a_traceback(tmp_path, raw):
    """E0 80 80 (an overlong form) and ED A0 80 (a surrogate) look like UTF-8 but are none: the file is not
    UTF-8, and its Windows-1252 reading (Python's codec) is plausible. Before, the mixed-encoding check took
    such a run for UTF-8 and decoding it raised UnicodeDecodeError out of the reader."""
    f = tmp_path / "p0.csv"
    f.write_bytes(b"kode,nama\n75.02," + raw + b"\n")
    grid = read_grid(f)
    assert grid.rows[1] == ["75.02", raw.decode("cp1252")] and grid.encoding.startswith("cp1252")
    code, out = cli("import", "bps-table", str(f), "--out", str(tmp_path / "out"))
    assert code == 2 and "Traceback" not in out and len(out.strip().splitlines()) == 1, out  # not a BPS table


def test_real_utf8_beside_such_a_run_is_still_refused_as_mixed(tmp_path):
    f = tmp_path / "p0.csv"
    f.write_bytes(b"kode,nama\n75.02,\xc3\xa9 \xe0\x80\x80\n")  # UTF-8's "é", then the overlong run
    with pytest.raises(UcjInputError) as err:
        read_grid(f)
    assert len(err.value.problems) == 1 and "mixes UTF-8" in str(err.value) and "bytes c3 a9" in str(err.value)


def test_what_is_taken_for_utf8_is_exactly_what_pythons_codec_decodes():
    """The mixed-encoding check's pattern against Python's UTF-8 codec (the reference): every code point from
    U+0080 to U+10FFFF but the surrogates encodes to a run it matches whole, and no two- to four-byte run it
    does not decode is matched (every lead byte with every continuation pattern)."""
    from ucj.ingest.reader import _UTF8_SEQUENCE

    for cp in list(range(0x80, 0xD800)) + list(range(0xE000, 0x110000, 7)) + [0xFFFF, 0x10FFFF]:
        b = chr(cp).encode("utf-8")
        assert _UTF8_SEQUENCE.fullmatch(b), hex(cp)
    for lead in range(0xC0, 0x100):
        for second in range(0x80, 0xC0):
            for run in (bytes([lead, second]), bytes([lead, second, 0x80]), bytes([lead, second, 0x80, 0x80])):
                try:
                    run.decode("utf-8")
                    valid = True
                except UnicodeDecodeError:
                    valid = False
                assert bool(_UTF8_SEQUENCE.fullmatch(run)) == valid, run.hex(" ")
