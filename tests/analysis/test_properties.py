"""Property-based tests (hypothesis): the readers, the number parser and the mapping loader take
random bytes, text and structures, and nothing but ucj's own input error ever escapes. Where a value
is readable, it must be read right: numbers written by Python's own formatting parse back."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucj.core.errors import UcjInputError
from ucj.core.numbers import parse_number
from ucj.data.registry import load_registry
from ucj.ingest.bps import import_bps_table, import_bps_webapi
from ucj.ingest.mapped import Mapping, import_mapped, import_template, template_columns
from ucj.ingest.reader import read_grid

FAST = settings(max_examples=int(__import__("os").environ.get("UCJ_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
REG = load_registry()


def refuses_or_reads(read, path, text: str) -> None:
    """Write `text` to `path` and read it: a result, or ucj's input error; nothing else may escape."""
    path.write_text(text, encoding="utf-8")
    try:
        read(path)
    except UcjInputError:
        pass


# -- the number parser ------------------------------------------------------------------------------
@FAST
@given(st.one_of(st.text(max_size=30), st.from_regex(r"[ +\-Rp]{0,3}[0-9.,]{1,14}\s?(rb|jt|M|T|%|k)?", fullmatch=True)),
       st.sampled_from([",", "."]))
def test_the_number_parser_returns_a_float_or_an_input_error(text, decimal):
    try:
        value = parse_number(text, decimal)
    except UcjInputError:
        return
    assert isinstance(value, float)


@FAST
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.booleans())
def test_numbers_written_by_python_parse_back(x, indonesian):
    """Python's formatting is the second implementation: '1,234,567.89' or '1.234.567,89'."""
    text = f"{x:,.2f}"
    if indonesian:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_number(text, "," if indonesian else ".") == pytest.approx(round(x, 2), abs=0.005)


@FAST
@given(st.integers(min_value=0, max_value=10**15))
def test_grouped_integers_parse_back_in_both_conventions(n):
    assert parse_number(f"{n:,}".replace(",", "."), ",") == n
    assert parse_number(f"{n:,}", ".") == n


# -- readers ----------------------------------------------------------------------------------------
@FAST
@given(st.binary(max_size=400), st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_read_grid_takes_random_bytes(tmp_path_factory, data, suffix):
    p = tmp_path_factory.mktemp("b") / f"f{suffix}"
    p.write_bytes(data)
    try:
        read_grid(p)
    except UcjInputError:
        pass


@FAST
@given(st.binary(max_size=300))
def test_a_damaged_workbook_is_an_input_error(tmp_path_factory, tail):
    """A real zip header followed by junk, or a real workbook cut short."""
    import io

    import openpyxl

    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(template_columns("enrolment"))
    wb.save(buf)
    whole = buf.getvalue()
    p = tmp_path_factory.mktemp("x") / "t.xlsx"
    p.write_bytes(whole[: len(tail) * 7 % len(whole)] + tail)
    try:
        read_grid(p)
    except UcjInputError:
        pass


_cell = st.one_of(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
                  st.sampled_from(["Boalemo", "Kota Bandung", "75.02", "2025-01", "BPU", "apbd", "-", "…", "NA",
                                   "1.000", "12,5", "1e300", "Infinity", "ACEH", "2024", "Catatan"]))
_table = st.lists(st.lists(_cell, min_size=0, max_size=9), min_size=0, max_size=8)


def _csv(rows, delimiter=","):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


@FAST
@given(_table, st.sampled_from([",", ";"]), st.one_of(st.none(), st.lists(st.sampled_from(template_columns("enrolment")),
                                                                         max_size=9)))
def test_templates_take_random_tables(tmp_path_factory, rows, delimiter, header):
    """Random cells under no header, the template's header, or its names shuffled, dropped and repeated."""
    if header is not None:
        rows = [header or template_columns("enrolment")] + rows
    refuses_or_reads(lambda p: import_template(p, "enrolment", registry=REG), tmp_path_factory.mktemp("t") / "t.csv",
                     _csv(rows, delimiter))


@FAST
@given(_table, st.booleans())
def test_bps_tables_take_random_tables(tmp_path_factory, rows, titled):
    if titled:
        rows = [["Provinsi/Kabupaten/Kota", "Persentase Penduduk Miskin (P0) Menurut Kabupaten/Kota"], ["", "2024"]] + rows
    refuses_or_reads(lambda p: import_bps_table(p, registry=REG), tmp_path_factory.mktemp("t") / "t.csv", _csv(rows))


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                     lambda inner: st.one_of(st.lists(inner, max_size=4),
                                             st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=20)
_webapi_key = st.sampled_from(["var", "vervar", "tahun", "turvar", "turtahun", "datacontent", "status"])


@FAST
@given(st.dictionaries(_webapi_key, _json, max_size=7) | _json)
def test_webapi_takes_random_json(tmp_path_factory, doc):
    refuses_or_reads(lambda p: import_bps_webapi(p, registry=REG), tmp_path_factory.mktemp("w") / "w.json",
                     json.dumps(doc))


# -- the mapping loader -----------------------------------------------------------------------------
_mapping_key = st.sampled_from(["table", "district", "columns", "province", "code_scheme", "district_name", "year",
                                "month", "wide", "fixed", "scale", "units", "decimal", "sheet", "header_row",
                                "source", "bare_kind", "other"])
_mapping_value = st.one_of(_json, st.sampled_from(["poverty", "enrolment", "kode_kab", "tahun", ",", ".", "bps",
                                                   "(?P<indicator>x)_(?P<year>\\d+)", "(", 2021]),
                           st.dictionaries(st.sampled_from(["persen_miskin", "p0", "x"]),
                                           st.sampled_from(["p0", "p1", 1000, -1, math.inf, "x"]), max_size=3))


@FAST
@given(st.dictionaries(_mapping_key, _mapping_value, max_size=10) | _json)
def test_the_mapping_loader_takes_random_structures(tmp_path_factory, spec):
    refuses_or_reads(Mapping.from_file, tmp_path_factory.mktemp("m") / "m.json", json.dumps(spec))


@FAST
@given(st.dictionaries(_mapping_key, _mapping_value, max_size=10))
def test_a_loaded_mapping_applies_or_refuses(tmp_path_factory, spec):
    """Whatever mapping passes the loader, applying it to a real file gives a result or an input error."""
    from conftest import LONG_CSV

    try:
        mapping = Mapping.from_dict(spec)
    except UcjInputError:
        return
    try:
        import_mapped(LONG_CSV, mapping, registry=REG)
    except UcjInputError:
        pass
