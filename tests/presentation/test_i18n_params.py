"""Locale formats, labels in both languages, and report parameter checks."""

import pytest

from ucj.core.errors import UcjInputError
from ucj.presentation.i18n import LABELS, fmt_int, fmt_pct, fmt_rp, fmt_rp_full
from ucj.runs.params import validate_params


@pytest.mark.parametrize("value, lang, text", [
    (4_960_000_000, "id", "Rp4,96 M"), (1_500_000_000, "id", "Rp1,5 M"), (1_500_000_000, "en", "Rp 1.5 bn"),
    (42_000_000, "id", "Rp42 jt"), (42_000_000, "en", "Rp 42 m"), (16_800, "id", "Rp16.800"),
])
def test_rupiah(value, lang, text):
    assert fmt_rp(value, lang) == text


def test_percent_and_counts():
    assert fmt_pct(76.334, "id") == "76,3 %" and fmt_pct(76.334, "en") == "76.3 %"
    assert fmt_int(100841, "id") == "100.841" and fmt_int(100841, "en") == "100,841"
    assert fmt_rp_full(1_008_000_000, "id") == "Rp1.008.000.000"
    assert fmt_pct(float("nan"), "id") == "–"


def test_every_label_exists_in_both_languages():
    for key, entry in LABELS.items():
        assert set(entry) == {"id", "en"} and all(entry.values()), key


def test_good_parameters(demo_dir):
    p = validate_params("Kab. Boalemo", "2024-12", "", -1, -1, "en", str(demo_dir))
    assert p.district.code == "75.02" and f"{p.last_period:%Y-%m}" == "2024-12" and p.lang == "en"
    assert p.target_pct is None and p.denominator is None


def _rules(**kw):
    with pytest.raises(UcjInputError) as err:
        validate_params(**kw)
    return {(p.column, p.rule.split(";")[0].split(" (")[0]) for p in err.value.problems}, str(err.value)


def test_unknown_district_suggests_close_matches(demo_dir):
    rules, text = _rules(district="Boalemmo", data_dir=str(demo_dir))
    assert ("district", "unknown district") in rules and "Kabupaten Boalemo" in text
    assert "parameter 'district'" in text


def test_ambiguous_district(demo_dir):
    rules, text = _rules(district="Kupang", data_dir=str(demo_dir))
    assert ("district", "ambiguous district") in rules and "Kota Kupang" in text


def test_period_outside_the_data_and_bad_values(demo_dir):
    rules, _ = _rules(district="Boalemo", last_period="2031-01", denominator="penduduk", lang="fr",
                      target_pct=140, target_year=1999, data_dir=str(demo_dir))
    assert {c for c, _ in rules} == {"last_period", "denominator", "lang", "target_pct", "target_year"}
    rules, _ = _rules(district="Boalemo", last_period="Desember 2024", data_dir=str(demo_dir))
    assert ("last_period", "period must be written YYYY-MM") in rules


def test_code_in_a_parameter_is_only_a_name(demo_dir, tmp_path):
    marker = tmp_path / "pwned"
    rules, _ = _rules(district=f'Boalemo"); open("{marker}", "w"); ("', data_dir=str(demo_dir))
    assert ("district", "unknown district") in rules and not marker.exists()


def test_data_months_span_every_folder(tmp_path):
    """Folders merge on load, so a later folder holding two months of one district does not shorten the
    period the reports may cover."""
    import pandas as pd

    from ucj.runs.params import data_months

    demo, extra = tmp_path / "demo", tmp_path / "extra"
    demo.mkdir()
    extra.mkdir()
    pd.DataFrame({"month": pd.date_range("2019-01-01", "2025-12-01", freq="MS")}).to_parquet(demo / "enrolment.parquet")
    pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"])}).to_parquet(extra / "enrolment.parquet")
    assert data_months((str(demo), str(extra))) == (pd.Timestamp("2019-01-01"), pd.Timestamp("2025-12-01"))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_budget_table_formats_the_funded_and_additional_columns(lang):
    """10,000 workers of whom 5,000 are already funded, 12 months at Rp16,800 a month (hand-worked):
    5,000 additional workers costing Rp1,008,000,000; every header and row label translated."""
    from babel.numbers import format_decimal

    from ucj.analysis.budget import NEEDED, scenario_table
    from ucj.presentation.budget_view import scenario_display_table
    from ucj.presentation.i18n import t

    table = scenario_table([10_000], 12, needed=2_000, current_active=20_000, denominator_value=100_000.0,
                           already_funded=5_000)
    shown = scenario_display_table(table, lang).set_index(t("label", lang))
    loc = "id_ID" if lang == "id" else "en"
    first = shown.loc[t("scenario", lang)]
    assert first[t("workers", lang)] == format_decimal(10_000, locale=loc)
    assert first[t("already_funded", lang)] == format_decimal(5_000, locale=loc)
    assert first[t("additional_workers", lang)] == format_decimal(5_000, locale=loc)
    assert first[t("additional_cost_rp", lang)] == {"id": "Rp1,01 M", "en": "Rp 1.01 bn"}[lang]
    needed = shown.loc[t(NEEDED, lang)]
    assert needed[t("workers", lang)] == format_decimal(7_000, locale=loc)
    assert needed[t("additional_workers", lang)] == format_decimal(2_000, locale=loc)
    assert all(c in {v[lang] for v in LABELS.values()} for c in shown.reset_index().columns)
