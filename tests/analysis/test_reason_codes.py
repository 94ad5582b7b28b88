"""The analysis layer returns reason codes, never sentences (issue 22): every reason and choice the
projections and the published-fact comparison give for the demo's seed districts is a code of
ucj.analysis.reasons with a sentence in both catalogues; and no analysis module holds a sentence
outside its docstrings, comments and error messages (those go to a person as they are)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO
from ucj.analysis.reasons import is_code, parse, reason
from ucj.presentation.i18n import LABELS

SEEDS = ("71.02", "72.01", "75.02", "74.13")


def test_a_reason_round_trips():
    text = reason("reason_too_short", n=12, need=24)
    assert text == "reason_too_short(n=12, need=24)" and is_code(text) and not is_code("series too short to fit")
    assert parse(f"{text}; reason_no_data") == [("reason_too_short", {"n": "12", "need": "24"}), ("reason_no_data", {})]
    with pytest.raises(ValueError):
        reason("Series too short")


def test_every_reason_the_demo_gives_is_a_code_with_words(demo_ds):
    from ucj.analysis.district import district_figures

    seen = []
    for code in SEEDS:
        fig = district_figures(demo_ds, code)
        p = fig.projection
        seen += [r for r in (p.reason, p.choice) if r]
        seen += [f.reason for f in p.fits if f.reason]
        facts = fig.tables().get("seed_facts")
        if facts is not None:
            seen += [str(v) for v in facts["data_as_of"] if not str(v)[:4].isdigit()]
    assert seen, "the demo gives no reason at all: the test would pass vacuously"
    for text in seen:
        assert is_code(text), text
        assert all(code in LABELS for code, _ in parse(text)), text


def _prose(module: Path) -> list[str]:
    """String constants of four or more words that are neither docstrings nor error messages."""
    tree = ast.parse(module.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.Raise) or (isinstance(node, ast.Call) and getattr(node.func, "attr", "") in
                                           ("one", "warn", "debug", "info", "warning")):
            skip |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value.split()) >= 4 \
                and "~" not in node.value and "C(" not in node.value:  # a statsmodels formula is code
            out.append(f"{module.name}:{node.lineno}: {node.value[:50]!r}")
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if len(text.split()) >= 4 and "~" not in text and "C(" not in text:  # formulas are code
                out.append(f"{module.name}:{node.lineno}: f{text[:50]!r}")
    return out


def test_no_analysis_module_holds_a_sentence():
    # sources and notes quoted from the documents they cite are data, not the workbook's words
    allowed = {"budget.py", "national.py"}
    found = [p for m in sorted((REPO / "ucj" / "analysis").glob("*.py")) if m.name not in allowed for p in _prose(m)]
    assert found == []
