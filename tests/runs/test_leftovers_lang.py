"""`ucj summary` and `ucj verify` in both languages: every line from the catalogue (an Indonesian output holds
no sentence of the English catalogue and the other way round), and the same figures in both (parsed back with
babel), checked against pandas by hand on the demo data."""

from __future__ import annotations

import json
import re
import string
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from babel.numbers import parse_decimal
from typer.testing import CliRunner

from ucj.cli import app
from ucj.presentation.i18n import LABELS
from ucj.runs import verify as v

OTHER = {"id": "en", "en": "id"}
LOCALE = {"id": "id_ID", "en": "en"}
# a number as each language writes it: grouped thousands and a decimal part, or plain digits
NUMBER = {"id": r"(?<![\w.,])−?\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\w])|(?<![\w.,])−?\d+(?:,\d+)?(?![\w])",
          "en": r"(?<![\w.,])−?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])−?\d+(?:\.\d+)?(?![\w])"}


def fragments(prefixes: tuple[str, ...], lang: str) -> set[str]:
    """The literal pieces of the catalogue's sentences under `prefixes` in `lang` (the text between the
    placeholders) of two words or more that the other language's sentence for the same key does not hold."""
    out = set()
    for key, texts in LABELS.items():
        if not key.startswith(prefixes):
            continue
        for literal, _, _, _ in string.Formatter().parse(texts[lang]):
            piece = literal.strip(" :;,.()*")
            if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2 and piece not in texts[OTHER[lang]]:
                out.add(piece)
    return out


def numbers(text: str, lang: str) -> list[Decimal]:
    """The numbers of a text as babel reads them in `lang`; a district code (75.02) is a name, not a number."""
    text = re.sub(r"\(\d{2}\.\d{2}\)", "", text)
    return [parse_decimal(m.replace("−", "-"), locale=LOCALE[lang]) for m in re.findall(NUMBER[lang], text)]


def page_words(page: str) -> str:
    """A page's text as a reader sees it: no stylesheet, no tags, entities read."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "\n", re.sub(r"<style>.*?</style>", "", page, flags=re.S)))


def assert_one_language(said: dict[str, str], prefixes: tuple[str, ...]) -> None:
    for lang in ("id", "en"):
        own, other = fragments(prefixes, lang), fragments(prefixes, OTHER[lang])
        assert len(other) >= 5, other  # the check has sentences to look for
        assert sorted(f for f in other if f in said[lang]) == [], lang
        assert any(f in said[lang] for f in own), lang  # ... and finds its own language's (it can see)


# -- ucj summary ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def summaries(demo_dir) -> dict[str, str]:
    out = {}
    for lang in ("id", "en"):
        res = CliRunner().invoke(app, ["summary", "--data-dir", str(demo_dir), "--lang", lang])
        assert res.exit_code == 0, res.output
        out[lang] = res.output
    return out


def test_summary_speaks_one_language(summaries):
    assert_one_language(summaries, ("summary.",))
    assert "Tabel:" in summaries["id"] and "Tables:" in summaries["en"]


def test_summary_figures_are_the_same_in_both_languages_and_pandas_agrees(summaries, demo_dir):
    id_lines, en_lines = summaries["id"].splitlines(), summaries["en"].splitlines()
    assert len(id_lines) == len(en_lines)
    for a, b in zip(id_lines, en_lines):
        if "sha256" in a:  # a table's line: its row count (the digest is not a number)
            a, b = a.split("sha256")[0], b.split("sha256")[0]
        assert numbers(a, "id") == numbers(b, "en"), (a, b)
    # by hand: the enrolment's rows and the national active participants of 2023 (mean of months, millions)
    e = pd.read_parquet(Path(demo_dir) / "enrolment.parquet")
    line = next(x for x in en_lines if x.strip().startswith("enrolment"))
    assert numbers(line.split("sha256")[0], "en") == [len(e)]
    monthly = e[e["month"].dt.year == 2023].groupby("month")["active"].sum()
    row = next(x for x in id_lines if x.strip().startswith("2023 "))
    assert numbers(row, "id")[-1] == Decimal(f"{monthly.mean() / 1e6:.2f}")  # the total column
    assert numbers(row, "id")[0] == 2023


def test_an_unknown_language_is_one_line(demo_dir):
    res = CliRunner().invoke(app, ["summary", "--data-dir", str(demo_dir), "--lang", "fr"])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1 and "fr" in res.output


# -- ucj verify: every sentence it can say, rendered from a verification made by hand ----------------------
def _every_note() -> list[v.Note]:
    """One Note of each code in the catalogue, numbers where a placeholder counts, names elsewhere."""
    counts = {"cell": 3, "executed": 12, "shipped": 11, "width": 1200, "height": 800, "width_now": 1201,
              "height_now": 800, "share": 12.5}
    notes = []
    for key in LABELS:
        if key.startswith("verify.note."):
            fields = [f for _, f, _, _ in string.Formatter().parse(LABELS[key]["en"]) if f]
            notes.append(v.Note(key.removeprefix("verify.note."),
                                **{f: counts.get(f, f"x-{f}.json") for f in fields}))
    return notes


def _hand_made() -> v.Verification:
    notes = _every_note()
    bad = v.ReportCheck("7502-kabupaten-boalemo", "75.02", "Kabupaten Boalemo", figures=1234,
                        differences=[v.Difference("coverage_pct", 28.5, 1028.75, 1000.25),
                                     v.Difference("report.html (text)", v.Note("shipped_page"), v.Note("page_differs")),
                                     v.Difference("tables.notes[2]", None, "x"),
                                     v.Difference("coverage.png (pixels)", v.Note("shipped_figure"),
                                                  v.Note("png_pixels", share=3.5))])
    failed = v.ReportCheck("7501-kabupaten-boalemo", "75.01", "Kabupaten Gorontalo", figures=0,
                           error=v.Note.joined(notes[:3]))
    good = v.ReportCheck("7201-kabupaten-banggai", "72.01", "Kabupaten Banggai", figures=4321)
    return v.Verification("r", ["data/demo"], notes, [bad, failed, good], checked_at="2026-12-05T01:00:00",
                          altered=[v.Note("missing", file="summary.xlsx")])


def test_verify_page_and_lines_speak_one_language_with_the_same_figures():
    result = _hand_made()
    said = {}
    for lang in ("id", "en"):
        all_good = v.Verification("r", ["data/demo"], [], [result.reports[-1]], checked_at="2026-12-05T01:00:00")
        lines = [line for line, _ in v.cli_lines(result, lang)] + [v.verdict(result, lang), v.verdict(all_good, lang)]
        lines += [w.text(lang) for w in result.warnings] + [v.done_line(result, Path("r/verify.html"), lang)]
        page = page_words(v.verify_html(result, lang))
        said[lang] = "\n".join(lines) + "\n" + page
    assert_one_language(said, ("verify.",))
    # every sentence of verify's catalogue is said (the hand-made verification holds every kind)
    assert all(any(f in said[lang] for lang in ("id", "en")) for f in fragments(("verify.",), "en") | fragments(("verify.",), "id"))
    # the same figures, in the same order, in both languages: parsed back with babel
    id_numbers, en_numbers = numbers(said["id"], "id"), numbers(said["en"], "en")
    assert id_numbers == en_numbers and len(id_numbers) > 20
    assert Decimal("1028.75") in en_numbers and Decimal("1000.25") in en_numbers and 1234 in en_numbers
    assert "1.028,75" in said["id"] and "1,028.75" in said["en"]  # babel's grouping and decimal mark


def test_verify_json_keeps_the_english_record():
    d = _hand_made().as_dict()
    text = json.dumps(d)
    assert "the shipped page" in text and "halaman" not in text
    assert d["run_files_altered"] == ["summary.xlsx is missing (run.json records it)"]


# -- ucj verify end to end: a real run with one changed figure, verified in both languages -----------------
@pytest.mark.slow
def test_verify_on_a_real_run_in_both_languages(demo_dir, tmp_path):
    from ucj.runs.batch import run_many
    from ucj.runs.params import validate_params

    run_dir = tmp_path / "r"
    (entry,) = run_many([validate_params("Boalemo", data_dir=str(demo_dir))], run_dir, workers=1, progress=False,
                        echo=lambda line: None)
    assert entry["status"] == "ok", entry
    key_path = run_dir / str(entry["slug"]) / "key_figures.json"
    key = json.loads(key_path.read_text())
    recorded = round(key["coverage_pct"] + 1000.5, 6)  # grouped in both languages: 1.0xx,x / 1,0xx.x
    key["coverage_pct"] = recorded
    key_path.write_text(json.dumps(key))
    said = {}
    for lang in ("id", "en"):
        res = CliRunner().invoke(app, ["verify", str(run_dir), "--data-dir", str(demo_dir), "--no-progress",
                                       "--lang", lang])
        assert res.exit_code == 1, res.output
        page = page_words((run_dir / "verify.html").read_text(encoding="utf-8"))
        said[lang] = res.output + "\n" + page
    assert_one_language(said, ("verify.",))
    assert numbers(said["id"].split("\n", 1)[0], "id") == numbers(said["en"].split("\n", 1)[0], "en")
    line = {lang: next(x for x in said[lang].splitlines() if "coverage_pct:" in x) for lang in ("id", "en")}
    assert numbers(line["id"], "id") == numbers(line["en"], "en")
    assert Decimal(str(recorded)) in numbers(line["en"], "en")
