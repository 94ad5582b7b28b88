"""The citations' look-up by source (tables._citation_rows, a dict index built once; issue 23's cold report)
gives the rows a pandas filter of citations.csv gives, for every source the table names, seed articles named
otherwise, and sources it does not name; and it follows the table `citations()` returns."""

from __future__ import annotations

import pandas as pd

from ucj.presentation import tables


def _filtered(c: pd.DataFrame, part: str) -> list[dict[str, str]]:
    """The reference: the table filtered as _cite_part filtered it before the index (pandas boolean masks)."""
    rows = c[c["source_article"] == part]
    seed = tables._SEED.match(part)
    if rows.empty and seed:
        rows = c[c["source_article"].str.startswith(seed.group(0))]
    return rows.to_dict("records")


def _parts(c: pd.DataFrame) -> list[str]:
    named = list(dict.fromkeys(c["source_article"]))
    seeds = sorted({m.group(0) for p in named if (m := tables._SEED.match(p))})
    # a seed named otherwise than the table names it, a seed the table lacks, a source it lacks, nothing
    return named + [f"{s} (named otherwise)" for s in seeds] + ["seed 999 (none)", "not a source", ""]


def test_every_source_gives_the_rows_a_pandas_filter_gives() -> None:
    c = tables.citations()
    parts = _parts(c)
    assert any(len(_filtered(c, p)) > 1 for p in parts)  # a source with several rows (by quantity) is covered
    assert any(p.endswith("(named otherwise)") and _filtered(c, p) for p in parts)  # and the seed fallback
    for part in parts:
        assert list(tables._citation_rows(part)) == _filtered(c, part), part


def test_the_index_follows_the_table_citations_returns(monkeypatch) -> None:
    c = tables.citations()
    tables._citation_rows(str(c["source_article"].iloc[0]))  # the index built for the real table
    other = pd.DataFrame([{**{k: "" for k in c.columns}, "source_article": "seed 042 (Kompas; 1 Jan 2026)",
                           "publisher": "Kompas", "title": "Judul", "date": "2026-01-01"}], dtype="str")
    monkeypatch.setattr(tables, "citations", lambda: other)
    assert [r["publisher"] for r in tables._citation_rows("seed 042 (Kompas, 2026)")] == ["Kompas"]
    assert tables._citation_rows(str(c["source_article"].iloc[0])) == ()
    assert tables._cite_part("seed 042 (Kompas; 1 Jan 2026)", "en", None, None).startswith("Kompas, Judul, ")
