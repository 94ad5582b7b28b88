"""A report built with shared all-district tables (PeerTables) asks the analysis once: the table it
hands over is the one district_figures itself picks (peer year and denominator), found beforehand, for
districts with their own targets' denominators, another denominator given, and an earlier period."""

from __future__ import annotations

import pytest

from ucj.analysis import district as analysis
from ucj.presentation import district as report_module
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow  # seconds a test (whole demo pages, stores, workbooks): make test only

CASES = [("Minahasa", {}), ("Banggai", {}), ("Boalemo", {}), ("Muna Barat", {}), ("Kota Kupang", {}),
         ("Kabupaten Aceh Selatan", {}), ("Boalemo", {"denominator": "employees"}),
         ("Minahasa", {"last_period": "2024-06"}), ("Banggai", {"target_pct": 50.0, "target_year": 2030})]


def test_the_shared_table_is_the_one_the_analysis_picks(demo_ds, demo_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int, str]] = []
    real = report_module.district_figures

    def counted(ds, code, **kw):  # type: ignore[no-untyped-def]
        fig = real(ds, code, **kw)
        calls.append((code, int(fig.peer_year), fig.denominator))
        return fig

    monkeypatch.setattr(report_module, "district_figures", counted)
    tables = report_module.PeerTables(demo_ds)
    denominators = set()
    for name, kw in CASES:
        params = validate_params(name, data_dir=str(demo_dir), registry=demo_ds.registry, **kw)
        before = len(calls)
        fig = report_module._figures(demo_ds, params, tables)  # noqa: SLF001
        assert len(calls) == before + 1, (name, kw)  # one call: the guessed table was the right one
        # the same figures as the analysis alone, with no table handed over (it builds its own)
        alone = analysis.district_figures(demo_ds, params.district.code, last_period=params.last_period,
                                          denominator=params.denominator, target_pct=params.target_pct,
                                          target_year=params.target_year)
        assert (fig.peer_year, fig.denominator) == (alone.peer_year, alone.denominator)
        assert fig.peers.equals(alone.peers) and fig.key() == alone.key()
        denominators.add(fig.denominator)
    assert len(denominators) >= 2  # the cases do switch between tables
