"""The language catalogue (ucj/resources/locale/id.po and en.po) against the code that uses it: every key
the code names exists in both languages, no key is unused, placeholders match, and babel reads both
files without a warning.

"Used" is read from the source with ast, not from the catalogue module: literal keys of t()/tf(), the
keys built from a prefix (t(f"table.{name}")) with their sources enumerated, and the words the code
passes on as data (column names, codes, statuses, published quantities) that the presentation layer
looks up by value."""

from __future__ import annotations

import ast
import csv
import json
import re
import warnings
from dataclasses import fields
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import REPO

LOCALE = REPO / "ucj" / "resources" / "locale"
SOURCES = sorted((REPO / "ucj").rglob("*.py"))
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _catalogue(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE / f"{lang}.po").open("rb") as f:
        return read_po(f, locale=lang, abort_invalid=True)


def _texts(lang: str) -> dict[str, str]:
    return {m.id: m.string for m in _catalogue(lang) if m.id}


def _trees() -> list[ast.AST]:
    trees: list[ast.AST] = [ast.parse(p.read_text(encoding="utf-8")) for p in SOURCES]
    for nb in NOTEBOOKS:
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                trees.append(ast.parse("\n".join(x for x in source.splitlines() if not x.lstrip().startswith(("%", "!")))))
    return trees


def _is_t_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id in ("t", "tf")) or (isinstance(f, ast.Attribute) and f.attr in ("t", "tf"))


def _pattern(node: ast.JoinedStr) -> str:
    return "".join("{}" if isinstance(v, ast.FormattedValue) else str(v.value) for v in node.values)


def _code_words() -> tuple[set[str], set[str], set[str]]:
    """(literal keys of t()/tf(), key patterns t() builds like 'table.{}', every word the code names:
    string constants, keyword names (df.assign(gap=...)) and dataclass fields)."""
    literal, patterns, words = set(), set(), set()
    for tree in _trees():
        for node in ast.walk(tree):
            if _is_t_call(node):
                first = node.args[0]  # type: ignore[attr-defined]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    literal.add(first.value)
                elif isinstance(first, ast.JoinedStr):
                    patterns.add(_pattern(first))
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words.add(node.value)
            elif isinstance(node, ast.keyword) and node.arg:
                words.add(node.arg)
            elif isinstance(node, ast.ClassDef):
                words.update(s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name))
    return literal, patterns, words


def _published_words() -> set[str]:
    """Column names and cells of the published tables shipped with the package (e.g. seed_facts' quantities)."""
    out: set[str] = set()
    for path in (REPO / "data" / "published").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                out.update(row)
    return out


def _source_fragments(words: set[str]) -> set[str]:
    """The pieces a data source string is looked up by (tables.source_text): 'BPS P0, poor (ref);
    synthetic-demo: P1, poverty line' gives 'P0', 'poor', 'synthetic-demo', 'P1', 'poverty line'."""
    out: set[str] = set()
    for w in words:
        for part in re.split(r"[;:,]", re.sub(r"\([^)]*\)", "", w)):
            out.add(part.strip().removeprefix("BPS ").strip())
    return out


def _enumerated() -> dict[str, set[str]]:
    """The keys built from a prefix, each from the source of its names."""
    from ucj.analysis.budget import Assumptions
    from ucj.data.schema import TABLES
    from ucj.presentation.explore import TABS
    from ucj.presentation.request import ReportParams

    charts = set()
    participant_codes = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # ov.charts["scatter"] = ...: the charts whose alt text t(f"chart_{name}_alt") gives
            if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "charts"
                    and isinstance(node.slice, ast.Constant) and isinstance(node.ctx, ast.Store)):
                charts.add(node.slice.value)
            # report.charts.add("coverage", coverage_figure, ...): the same, made when drawn (export.Charts)
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add"
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "charts"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                charts.add(node.args[0].value)
            # _r("nik_length", ...): the participants' reason codes
            if (path.name == "participants.py" and path.parent.name == "analysis" and isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) and node.func.id == "_r" and isinstance(node.args[0], ast.Constant)):
                participant_codes.add(node.args[0].value)
    params = {f.name for f in fields(ReportParams)} - {"registry"} | {"district_name", "data_dirs"}
    return {
        "table.{}": set(TABLES),
        "source.{}": set(Assumptions().describe()["assumption"]),  # the table shows each source by its assumption
        "tab_{}": set(TABS),
        "chart_{}_alt": charts,
        "param.{}": params,
        "participants.reason.{}": participant_codes,
        "participants.reason_short.{}": participant_codes,
    }


def test_both_files_parse_with_babel_without_warnings_and_hold_the_same_keys():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        catalogues = {lang: _catalogue(lang) for lang in ("id", "en")}
    for lang, cat in catalogues.items():
        assert [m.id for m in cat if m.id and (m.fuzzy or not m.string.strip())] == [], lang
        assert list(cat.obsolete) == [], lang
        assert [(m.id, e) for m, errors in cat.check() for e in errors] == [], lang
    assert {m.id for m in catalogues["id"]} == {m.id for m in catalogues["en"]}


def test_every_placeholder_matches_between_languages():
    ids, ens = _texts("id"), _texts("en")
    differ = {k: (sorted(re.findall(r"{(\w+)}", ids[k])), sorted(re.findall(r"{(\w+)}", ens[k])))
              for k in ids}
    assert {k: v for k, v in differ.items() if v[0] != v[1]} == {}


def test_every_key_the_code_names_is_in_both_languages():
    literal, patterns, _ = _code_words()
    enumerated = _enumerated()
    assert set(enumerated) <= patterns  # each enumerated family is one the code builds
    assert len(literal) > 150 and all(len(v) >= 3 for v in enumerated.values()), {k: len(v) for k, v in enumerated.items()}
    wanted = literal | {p.replace("{}", name) for p, names in enumerated.items() for name in names}
    for lang in ("id", "en"):
        assert sorted(wanted - set(_texts(lang))) == [], lang


def test_no_key_is_unused():
    """A key is used when the code names it: literally, as a word it passes on as data (a column, a
    code, a status, a published quantity, a piece of a source), or as prefix + a name the code holds."""
    literal, patterns, words = _code_words()
    words |= _published_words()
    words |= _source_fragments(words)
    regexes = [re.compile("^" + "(.+)".join(map(re.escape, p.split("{}"))) + "$") for p in patterns
               if p.replace("{}", "").strip(" .") and p.count("{}") == 1]

    def used(key: str) -> bool:
        if key in literal or key in words:
            return True
        return any((m := rx.match(key)) and m.group(1) in words for rx in regexes)

    assert sorted(k for k in _texts("id") if not used(k)) == []


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_dynamic_keys_are_found_by_the_checks(lang):
    """The checks see what they claim to: the data-dictionary tables, an assumption's source, a chart's alt text."""
    texts = _texts(lang)
    assert {"table.enrolment", "table.village_enrolment", "chart_coverage_alt", "tab_budget", "param.district"} <= set(texts)
    assert {"chart_coverage_alt", "participants.reason.nik_length"} <= {p.replace("{}", n) for p, names in _enumerated().items() for n in names}
