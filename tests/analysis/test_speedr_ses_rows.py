"""SES errors series by series in Python floats (speedr): `ses_errors` on up to SES_ROWS_BY_ROW series gives the
same bits as its numpy filter over all series at once (the by-row path switched off), errors and levels,
for random series of many lengths and scales, with NaN values, series shorter than the frame (a length of 0
included), alphas at the bounds and a negative zero; and fit_ses_many's estimates are the same bits either way."""

from __future__ import annotations

import numpy as np
import pytest

from ucj.analysis import fitting


def numpy_filter(alpha, l0, y, lengths):  # type: ignore[no-untyped-def]
    """ses_errors through its numpy filter (every month one numpy step over all series), as it ran before the by-row
    path: the by-row path switched off for the call."""
    saved = fitting.SES_ROWS_BY_ROW
    fitting.SES_ROWS_BY_ROW = 0
    try:
        return fitting.ses_errors(alpha, l0, y, lengths)
    finally:
        fitting.SES_ROWS_BY_ROW = saved


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.int64), b.view(np.int64))


def test_by_row_gives_the_numpy_filters_bits() -> None:
    rng = np.random.default_rng(23)
    for _ in range(1500):
        n = int(rng.integers(1, fitting.SES_ROWS_BY_ROW + 1))
        width = int(rng.integers(1, 90))
        y = rng.normal(30, 10, (n, width)) * rng.choice([1e-6, 1.0, 1e6])
        y[rng.random((n, width)) < 0.05] = np.nan
        y[rng.random((n, width)) < 0.02] = -0.0
        lengths = rng.integers(0, width + 1, n)
        alpha = rng.uniform(0, 1, n)
        alpha[rng.random(n) < 0.2] = fitting.SES_LOWER
        alpha[rng.random(n) < 0.2] = fitting.SES_UPPER
        l0 = rng.normal(0, 50, n)
        l0[rng.random(n) < 0.1] = -0.0
        for got, want in zip(fitting.ses_errors(alpha, l0, y, lengths), numpy_filter(alpha, l0, y, lengths)):
            assert same_bits(got, want)


def test_fit_ses_many_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    t = np.arange(72)
    y = np.vstack([20 + 0.1 * t + rng.normal(0, s, 72) for s in (0.2, 1.0, 3.0)])
    lengths = np.array([72, 60, 40])
    fast = fitting.fit_ses_many(y, lengths)
    monkeypatch.setattr(fitting, "SES_ROWS_BY_ROW", 0)  # every call through the numpy filter
    slow = fitting.fit_ses_many(y, lengths)
    for a, b in zip(fast, slow):
        assert same_bits(np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64"))
