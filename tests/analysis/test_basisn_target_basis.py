"""A district's own coverage target has a recorded basis (targets.denominator); over another denominator no verdict,
probability or target-based need is computed against it (issue 18: "a verdict comes only from a model that can be
estimated", "no coverage column mixes pairings"). The national default target has no recorded basis and is applied
to any pairing on purpose; a target given as a parameter likewise.

Oracles: the targets table read here with pandas from the demo's Parquet file (which basis the district's target
has), a hand-written targets table on the demo's other tables, and the same projection with the target given as a
parameter (a second path to the point and interval, which the basis rule must leave unchanged)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ucj.analysis.reasons import parse

VERDICTS = {"likely", "uncertain", "unlikely", "cannot_say"}
MINAHASA, BOLAANG_MONGONDOW, BOALEMO = "71.02", "71.01", "75.02"


def _targets(demo_dir) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.read_parquet(demo_dir / "targets.parquet")


def test_minahasa_over_the_working_population_is_not_judged_and_says_why(demo_ds, demo_dir):
    from ucj.analysis.district import district_figures

    own = _targets(demo_dir).set_index("district_code").loc[MINAHASA]
    assert own["denominator"] == "potensi_pekerja" and float(own["coverage_target_pct"]) == 100.0
    fig = district_figures(demo_ds, MINAHASA, denominator="working_population")
    p = fig.projection
    assert p.status == "other_basis"
    codes = dict(parse(p.reason))
    assert codes["reason_target_other_basis"] == {"basis": own["denominator"], "denominator": "working_population"}
    # no verdict, no chance, no need against a target set on the potensi list
    assert math.isnan(p.probability_reaching_target)
    assert math.isnan(p.workers_needed_total) and math.isnan(p.workers_needed_per_month)
    assert math.isnan(fig.workers_needed_gross_per_month)
    assert fig.budget_plan.empty
    assert p.scenarios.empty or p.scenarios["probability_pct"].isna().all()
    # the projection itself is kept: a point inside its interval
    assert p.model_used and p.lower_pct <= p.projected_pct <= p.upper_pct
    key = fig.key()
    assert key["projection"]["status"] == "other_basis"  # type: ignore[index]
    assert key["target_denominator"] == "potensi_pekerja" and key["denominator"] == "working_population"
    assert key["target_year_assumed"] is True  # its article sets no year
    assert key["workers_needed"]["net_per_month"] is None  # type: ignore[index]  # NaN -> null in JSON


def test_minahasa_over_its_own_potensi_basis_is_as_before(demo_ds, demo_dir):
    """Over its target's own basis nothing changes: it cannot be projected (12 months of its potensi list), for
    that reason alone, and the need is still computed."""
    from ucj.analysis.district import district_figures

    fig = district_figures(demo_ds, MINAHASA)
    p = fig.projection
    assert fig.denominator == _targets(demo_dir).set_index("district_code").at[MINAHASA, "denominator"]
    assert p.status == "not_fitted"
    assert [code for code, _ in parse(p.reason)] == ["reason_denominator_short"]
    assert p.workers_needed_per_month > 0
    assert fig.key()["target_denominator"] == "potensi_pekerja"  # its basis recorded, the same as the figures'


def test_the_default_target_over_another_denominator_still_gets_its_verdict(demo_ds, demo_dir):
    """The national default has no recorded basis: applied to employees (PU over employees) it is judged."""
    from ucj.analysis.district import district_figures
    from ucj.data.published import is_default_target

    row = _targets(demo_dir).set_index("district_code").loc[BOLAANG_MONGONDOW]
    assert is_default_target(row["target_source"]) and row["denominator"] == "working_population"
    fig = district_figures(demo_ds, BOLAANG_MONGONDOW, denominator="employees")
    p = fig.projection
    assert p.status in VERDICTS | {"not_fitted"}
    assert "reason_target_other_basis" not in str(p.reason)
    if p.model_used:
        assert 0.0 <= p.probability_reaching_target <= 1.0
    assert math.isfinite(p.workers_needed_per_month)
    key = fig.key()
    assert "target_denominator" in key and key["target_denominator"] is None


def _hand_made(demo_ds, codes: list[str], denominator: str, assumed: bool = False):  # type: ignore[no-untyped-def]
    """The demo with a hand-written targets table: each of `codes` has its own 60 % by 2030 over `denominator`."""
    rows = pd.DataFrame({"district_code": codes, "target_year": 2030, "coverage_target_pct": 60.0,
                         "denominator": denominator, "target_source": "Perbup (hand-written test row)",
                         "target_year_assumed": assumed, "source": "hand-written test row"})
    return demo_ds.replace({"targets": rows.astype({"target_year": "int64"})})


def test_a_hand_written_target_over_employees_is_judged_only_over_employees(demo_ds):
    from ucj.analysis.district import district_figures

    ds = _hand_made(demo_ds, [BOALEMO], "employees")
    own = district_figures(ds, BOALEMO)  # the target's own basis: a verdict as before
    assert own.denominator == "employees" and own.projection.status in VERDICTS | {"not_fitted"}
    assert "reason_target_other_basis" not in str(own.projection.reason)

    other = district_figures(ds, BOALEMO, denominator="working_population")
    p = other.projection
    assert p.status == "other_basis"
    assert dict(parse(p.reason))["reason_target_other_basis"]["basis"] == "employees"
    assert math.isnan(p.probability_reaching_target) and math.isnan(p.workers_needed_per_month)
    # the same target given as a parameter has no basis: judged, and its point and interval are the ones kept
    given = district_figures(ds, BOALEMO, denominator="working_population", target_pct=60.0, target_year=2030)
    q = given.projection
    assert q.status in VERDICTS | {"not_fitted"} and given.key()["target_denominator"] is None
    assert (p.projected_pct, p.lower_pct, p.upper_pct) == pytest.approx((q.projected_pct, q.lower_pct, q.upper_pct),
                                                                        nan_ok=True)
    assert p.model_used == q.model_used


def test_a_province_sharing_a_target_over_another_basis_is_not_judged(demo_ds):
    """Every Gorontalo district with its own 60 % over employees (year assumed): the province's projection over
    the working population is not judged, each district row says so and carries the assumed year."""
    from ucj.analysis.regions import area_figures

    reg = demo_ds.registry.districts
    codes = [str(c) for c in reg.loc[reg["province_code"] == "75", "code"]]
    ds = _hand_made(demo_ds, codes, "employees", assumed=True)
    a = area_figures(ds, "Gorontalo", denominator="working_population")
    assert a.projection.status == "other_basis" and a.target_year_assumed is True
    assert a.key()["target_year_assumed"] is True
    rows = a.districts
    assert rows is not None and len(rows) == len(codes)
    assert set(rows["status"]) == {"other_basis"}
    assert rows["target_year_assumed"].all()
    assert all("basis=employees" in r for r in rows["reason"])
