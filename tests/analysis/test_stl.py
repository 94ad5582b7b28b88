"""The batched STL of ucj.analysis.stl against statsmodels' STL (period 12, robust and not)."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.seasonal import STL

from ucj.analysis.stl import stl_seasonal


@pytest.mark.parametrize("n", [25, 30, 60, 84, 97])
@pytest.mark.parametrize("robust", [True, False])
def test_seasonal_component_equals_statsmodels(n, robust):
    """Trend, a yearly pattern and heavy-tailed noise (outliers the robust passes must weigh down).
    (Exactly 24 months is left out: with two points per calendar month the first pass fits every point,
    and statsmodels' robustness weights then come from rounding noise.)"""
    rng = np.random.default_rng(n)
    y = (np.cumsum(rng.normal(1, 1, (6, n)), axis=1) + 3 * np.sin(np.arange(n) / 12 * 2 * np.pi)
         + rng.standard_t(2, (6, n)))
    ours = stl_seasonal(y, period=12, robust=robust)
    ref = np.array([STL(row, period=12, robust=robust).fit().seasonal for row in y])
    assert np.abs(ours - ref).max() < 1e-8 * max(1.0, np.abs(ref).max())


def test_one_series_alone_equals_it_in_a_batch():
    rng = np.random.default_rng(2)
    y = np.cumsum(rng.normal(1, 1, (5, 84)), axis=1)
    batch = stl_seasonal(y)
    assert np.allclose(stl_seasonal(y[2:3])[0], batch[2], rtol=0, atol=1e-10)
