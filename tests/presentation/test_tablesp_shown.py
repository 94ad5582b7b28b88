"""tables.shown without pandas' per-column overhead (issue 23, tablesp) gives what pandas' own path gives: each
column read with `out[col]` and translated with `Series.map`, the hidden columns dropped one by one (written out
here as `_pandas_shown`, the function as it stood at 761cc84). Checked on every table of district pages in both
languages, on a dataset imported through `ucj import` (no demo data) and on hand-made columns of each dtype the
shorter path takes or leaves to pandas (text with NaN, pandas' NA, object, categorical, bool, nullable bool).
`rows_cited`'s "every other row cites these sources too" is checked against a plain Python set of the other rows."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import P0_CSV, REPO
from ucj.presentation import tables
from ucj.presentation.i18n import column_kind, t, tf
from ucj.presentation.tables import AS_PUBLISHED, HIDDEN, ROW_UNITS, Shown


def _pandas_shown(table: str, df: pd.DataFrame, lang: str) -> Shown:
    """`tables.shown` by pandas' path (as at 761cc84): out[col] per use, Series.map, one drop per hidden column."""
    out = (tables.scenario_labels(df, lang) if table == "budget" else df).copy()
    if table == "assumptions" and "source" in out.columns:
        out["source"] = [s if f"source.{s}" in tables.LABELS else a for a, s in zip(out["assumption"], out["source"])]
    kinds: dict[str, list[str]] = {}
    unit_col, mixed = ROW_UNITS.get(table, (None, ()))
    for col in out.columns:
        if col in mixed and unit_col in df.columns:
            kinds[col] = [tables._row_kind(table, k, str(col)) for k in df[unit_col]]  # noqa: SLF001
            continue
        kind = "num" if col == "percentile" else column_kind(str(col), out[col])
        kinds[col] = [kind] * len(out)
        if kind in ("text", "bool"):
            out[col] = out[col].map(lambda v, c=col: tables._translate(str(c), v, lang, table))  # noqa: SLF001
    if table in AS_PUBLISHED and "rounding" in df.columns and "unit" in df.columns:
        published, computed = AS_PUBLISHED[table]
        for col in published + computed:
            if col in kinds:
                kinds[col] = [tables._published_kind(k, r, col in published, two=table == "seed_facts")  # noqa: SLF001
                              for k, r in zip(kinds[col], df["rounding"])]
        if "rounding" in kinds:
            kinds["rounding"] = ["count" if pd.notna(r) and float(r) >= 1 else k
                                 for k, r in zip(kinds["rounding"], df["rounding"])]
    if table == "seed_facts" and "data_basis" in df.columns and "difference" in out.columns:
        why = [tables.not_compared_text(b, lang) for b in df["data_basis"]]
        out["difference"] = pd.Series([w or v for w, v in zip(why, out["difference"])], index=out.index, dtype=object)
        kinds["difference"] = ["text" if w else k for w, k in zip(why, kinds["difference"])]
    if table == "poverty" and "source" in out.columns:
        out["source"] = [tables.cite_bps_once(v, lang) if isinstance(v, str) else o
                         for v, o in zip(df["source"], out["source"])]
    for col in HIDDEN.get(table, ()):
        if col in out.columns:
            out = out.drop(columns=col)
            kinds.pop(col)
    return Shown(out, kinds, [t(str(c), lang) for c in out.columns])


def _same(table: str, df: pd.DataFrame, lang: str) -> None:
    before = df.copy(deep=True)
    got, want = tables.shown(table, df, lang), _pandas_shown(table, df, lang)
    pd.testing.assert_frame_equal(got.values, want.values, check_exact=True)  # values, dtypes, index, columns
    assert got.kinds == want.kinds and got.headers == want.headers, table
    for col in got.values.columns:  # the cells as the page and the workbook read them, type for type
        assert [type(v) for v in got.values[col].array] == [type(v) for v in want.values[col].array], (table, col)
    pd.testing.assert_frame_equal(df, before, check_exact=True)  # the table given is left as it was


@pytest.mark.parametrize("code", ["75.02", "71.02", "11.01", "94.01", "32.71"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_table_of_a_district_page_is_pandas_path(demo_ds, demo_dir, code, lang):
    from ucj.presentation import district
    from ucj.runs.params import validate_params

    report = district.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
    assert len(report.tables) >= 15
    for name, frame in report.tables.items():
        _same(name, frame, lang)
    _same("budget_plan", report.tables["budget_plan"].head(1), lang)  # one row, as the total row's table


LABELLED = ["PU", "apbd", "x & y", "PU"]  # two catalogue labels (translated) and text that is not one


@pytest.mark.parametrize("values", [
    pd.array(LABELLED, dtype="str"),  # pandas' text dtype: translated
    pd.array(["PU", np.nan, "apbd", "PU"], dtype="str"),  # with a missing value
    pd.array(["a", "b", np.nan, "c"], dtype="str"),  # nothing to translate: the column as it stands
    pd.array([np.nan] * 4, dtype="str"),  # nothing but missing values
    pd.array(["PU", pd.NA, "apbd", "x"], dtype="string[pyarrow]"),  # pandas' NA: left to map
    pd.array(["PU", None, "apbd", "x"], dtype="string[python]"),
    np.array(["PU", None, "apbd", 3], dtype=object),  # object: left to map
    np.array(["a", "b", "c", "d"], dtype=object),
    pd.Categorical(LABELLED),  # categorical: left to map
    np.array([True, False, True, True]),  # numpy's bool: nothing to translate
    pd.array([True, None, False, True], dtype="boolean"),  # nullable bool: left to map
])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_each_dtype_is_what_pandas_map_gives(values, lang):
    df = pd.DataFrame({"segment": values, "value": [1.0, 2.0, 3.0, 4.0]}, index=[3, 1, 2, 7])
    _same("coverage_by_segment", df, lang)
    mapped = df["segment"].map(lambda v: tables._translate("segment", v, lang, "t"))  # noqa: SLF001
    short = tables._translated(df["segment"], lambda v: tables._translate("segment", v, lang, "t"))  # noqa: SLF001
    pd.testing.assert_series_equal(df["segment"] if short is None else short, mapped, check_exact=True)


def test_a_translated_text_column_is_worded_by_the_catalogue():
    df = pd.DataFrame({"segment": pd.array(["PU", np.nan], dtype="str")})
    s = tables.shown("coverage_by_segment", df, "en")
    assert s.values["segment"].iloc[0] == t("PU", "en") != "PU"  # the catalogue's words, not the code
    assert s.values["segment"].isna().iloc[1] and s.values["segment"].dtype == df["segment"].dtype


def _rows_cell_every(ds, code: str, lang: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each own-row table's cell, the other rows' sources as a plain Python set (not pandas' unique)."""
    from ucj.presentation.district import OWN_ROW_TABLES
    from ucj.presentation.tables import sources_cell

    out = {}
    for table in OWN_ROW_TABLES:
        df = getattr(ds, table)
        own = [str(c) == code for c in df["district_code"]]
        mine = [s for s, o in zip(df["source"], own) if o and isinstance(s, str)]
        others = {s for s, o in zip(df["source"], own) if not o and isinstance(s, str)}
        if mine:
            key = "rows_cell_every" if others <= set(mine) else (
                "own_target_cell" if table == "targets" else "own_rows_cell")
            out[table] = tf(key, lang, sources=sources_cell(list(dict.fromkeys(mine)), lang))
    return out


def _imported(demo_dir: Path, folder: Path) -> Path:
    """Gorontalo's six districts imported through `ucj import template` (each file its own source) and BPS P0."""
    out = folder / "imported"
    for name in ("enrolment", "claims", "contributions", "workforce"):
        d = pd.read_parquet(demo_dir / f"{name}.parquet")
        d = d[d["district_code"].str.startswith("75.")].drop(columns="source")
        d = d.rename(columns={"district_code": "district"})
        if "month" in d:
            d["month"] = d["month"].dt.strftime("%Y-%m")
        d.to_csv(folder / f"{name}.csv", index=False)
        run = subprocess.run([str(REPO / ".venv/bin/ucj"), "import", "template", str(folder / f"{name}.csv"),
                              "--kind", name, "--out", str(out), "-q"], capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
    run = subprocess.run([str(REPO / ".venv/bin/ucj"), "import", "bps-table", str(P0_CSV), "--out", str(out), "-q"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


@pytest.mark.slow
def test_an_imported_dataset_is_pandas_path(demo_dir, tmp_path):
    from ucj.data.dataset import load
    from ucj.presentation import district
    from ucj.presentation.district import rows_cited
    from ucj.runs.params import validate_params

    folder = _imported(demo_dir, tmp_path)
    ds = load(folder)
    assert not {"enrolment", "claims", "contributions", "workforce"} & set(ds.synthetic_tables())  # imported
    for code in ("75.01", "75.02"):
        for lang in ("id", "en"):
            report = district.build(ds, validate_params(code, lang=lang, data_dir=str(folder)))
            for name, frame in report.tables.items():
                _same(name, frame, lang)
            cited = rows_cited(ds, code, lang)
            assert {k: v.cell for k, v in cited.items() if v.rows} == _rows_cell_every(ds, code, lang)
    assert tf("rows_cell_every", "en", sources="")[:12] in rows_cited(ds, "75.02", "en")["workforce"].cell  # one file


@pytest.mark.parametrize("code", ["75.02", "71.02", "32.71"])
def test_rows_cited_other_rows_as_a_set(demo_ds, code):
    from ucj.presentation.district import rows_cited

    for lang in ("id", "en"):
        cited = rows_cited(demo_ds, code, lang)
        assert {k: v.cell for k, v in cited.items() if v.rows} == _rows_cell_every(demo_ds, code, lang)
