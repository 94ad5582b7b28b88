"""ETS(A,Ad,N) errors series by series in Python floats (etsfast): `ets_errors` on up to ETS_ROWS_BY_ROW series
against independent computations: the recursion written plainly here (one series at a time, the error-correction
form of Hyndman et al. 2008 and its derivatives by the chain rule), statsmodels' ETSModel errors at the same
parameters, and central differences for the Jacobian; and against its own numpy filter over all series at once
(the by-row path switched off) bit for bit, with the same memory layout, for series shorter than the frame."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from ucj.analysis import fitting


def plain(p: list[float], y: list[float], m: int, width: int) -> tuple[list[float], list[list[float]], list[float],
                                                                         list[float]]:
    """One series: yhat = l + phi b, e = y - yhat, l' = yhat + alpha e, b' = phi b + beta e, for the first m months
    (error 0 after); d e / d (alpha, beta, phi, l0, b0) carried as lists of five."""
    a, beta, phi, level, trend = p
    dl, db = [0.0, 0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0]
    errs, jac, levels, trends = [], [], [], []
    for t in range(width):
        keep = 1.0 if t < m else 0.0
        yhat = level + phi * trend
        dyhat = [dl[k] + phi * db[k] for k in range(5)]
        dyhat[2] = dyhat[2] + trend  # d (phi b) / d phi
        e = y[t] - yhat if t < m else 0.0
        de = [-dyhat[k] * keep for k in range(5)]
        dl = [dyhat[k] + a * de[k] for k in range(5)]
        dl[0] = dl[0] + e  # d (alpha e) / d alpha
        db_new = [phi * db[k] + beta * de[k] for k in range(5)]
        db_new[2] = db_new[2] + trend
        db_new[1] = db_new[1] + e
        db = db_new
        level, trend = yhat + a * e, phi * trend + beta * e
        errs.append(e)
        jac.append(de)
        levels.append(level)
        trends.append(trend)
    return errs, jac, levels, trends


def numpy_filter(*args, **kw):  # type: ignore[no-untyped-def]
    """ets_errors through its numpy filter (every month one numpy step over all series), as it ran before the by-row
    path."""
    saved = fitting.ETS_ROWS_BY_ROW
    fitting.ETS_ROWS_BY_ROW = 0
    try:
        return fitting.ets_errors(*args, **kw)
    finally:
        fitting.ETS_ROWS_BY_ROW = saved


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return (a.shape == b.shape and a.dtype == b.dtype and a.strides == b.strides
            and np.array_equal(a.view(np.int64), b.view(np.int64)))


def random_case(rng: np.random.Generator, n: int, nan: bool = False
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    width = int(rng.integers(1, 90))
    y = rng.normal(30, 10, (n, width)) * rng.choice([1e-6, 1.0, 1e6])
    y[rng.random((n, width)) < 0.02] = -0.0
    if nan:
        y[rng.random((n, width)) < 0.05] = np.nan
    lengths = rng.integers(0, width + 1, n)  # a length of 0 included; NaN past each length as the batch pads
    y[np.arange(width)[None, :] >= lengths[:, None]] = np.nan
    p = np.column_stack([rng.uniform(0, 1, n), rng.uniform(0, 0.5, n), rng.uniform(0.8, 0.98, n),
                         rng.normal(0, 50, n), rng.normal(0, 2, n)])
    p[rng.random((n, 5)) < 0.05] = -0.0
    p[rng.random(n) < 0.2, 0] = fitting.ETS_UPPER[0]
    p[rng.random(n) < 0.2, 2] = fitting.ETS_LOWER[2]
    return p, y, lengths


@pytest.mark.parametrize("rows", [1, 4, fitting.ETS_ROWS_BY_ROW, 40])  # 40: the numpy filter
def test_errors_jacobian_and_states_equal_the_plain_recursion(rows: int) -> None:
    rng = np.random.default_rng(rows)
    for _ in range(60):
        p, y, lengths = random_case(rng, rows)
        width = y.shape[1]
        err, de, levels, trends = fitting.ets_errors(p, y, lengths, jac=True)
        err_only = fitting.ets_errors(p, y, lengths)[0]
        assert de is not None
        for i in range(rows):
            e, j, lv, tr = plain(p[i].tolist(), y[i].tolist(), int(lengths[i]), width)
            assert np.array_equal(err[i], e) and np.array_equal(err_only[i], e)
            assert np.array_equal(de[i], np.array(j).reshape(width, 5))
            assert np.array_equal(levels[i], lv) and np.array_equal(trends[i], tr)
            assert np.all(err[i, lengths[i]:] == 0)


def test_by_row_gives_the_numpy_filters_bits_and_layout() -> None:
    rng = np.random.default_rng(23)
    for k in range(600):
        n = int(rng.integers(1, fitting.ETS_ROWS_BY_ROW + 1))
        p, y, lengths = random_case(rng, n, nan=k % 3 == 0)
        for jac in (False, True):
            for got, want in zip(fitting.ets_errors(p, y, lengths, jac), numpy_filter(p, y, lengths, jac)):
                if got is None or want is None:
                    assert got is None and want is None and not jac
                elif k % 3:
                    assert same_bits(got, want)
                else:  # NaN inside a series: NaN where the numpy filter has NaN (its sign and payload may differ)
                    assert got.strides == want.strides and np.array_equal(got, want, equal_nan=True)


def test_errors_equal_statsmodels_at_the_same_parameters() -> None:
    rng = np.random.default_rng(7)
    months = pd.date_range("2019-01-01", periods=84, freq="MS")
    p = np.array([[0.6, 0.05, 0.9, 20.0, 0.3], [0.2, 0.02, 0.95, 35.0, -0.1], [0.9999, 1e-4 * 0.9999, 0.8, 5.0, 1.0]])
    lengths = np.array([84, 60, 37])
    y = np.full((3, 84), np.nan)
    for i, n in enumerate(lengths):
        y[i, :n] = 20 + 0.3 * np.arange(n) + np.cumsum(rng.normal(0, 0.5, n))
    err, _, levels, trends = fitting.ets_errors(p, y, lengths)
    for i, n in enumerate(lengths):
        model = ETSModel(pd.Series(y[i, :n], index=months[:n]), error="add", trend="add", damped_trend=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.smooth(p[i])
        assert np.allclose(err[i, :n], np.asarray(res.resid), rtol=1e-9, atol=1e-9)
        states = res.states  # after each month, as ours
        assert np.allclose(levels[i, :n], states["level"].to_numpy(), rtol=1e-9)
        assert np.allclose(trends[i, :n], states["trend"].to_numpy(), rtol=1e-9, atol=1e-12)


def test_jacobian_equals_central_differences() -> None:
    rng = np.random.default_rng(3)
    lengths = np.array([84, 60, 30])
    y = np.full((3, 84), np.nan)
    for i, n in enumerate(lengths):
        y[i, :n] = 40 + np.cumsum(rng.normal(0.2, 0.6, n))
    p = np.array([[0.5, 0.1, 0.9, 40.0, 0.2], [0.3, 0.05, 0.85, 38.0, 0.1], [0.8, 0.3, 0.95, 41.0, 0.0]])
    _, de, _, _ = fitting.ets_errors(p, y, lengths, jac=True)
    assert de is not None
    for k in range(5):
        h = 1e-6 * max(1.0, abs(p[:, k]).max())
        up, down = p.copy(), p.copy()
        up[:, k] += h
        down[:, k] -= h
        fd = (fitting.ets_errors(up, y, lengths)[0] - fitting.ets_errors(down, y, lengths)[0]) / (2 * h)
        assert np.allclose(de[:, :, k], fd, rtol=1e-5, atol=1e-5 * np.abs(fd).max())


def test_concentrated_runs_by_row_give_the_numpy_filters_bits() -> None:
    """`_ets_concentrated` on up to ETS_ROWS_BY_ROW / 3 series (its three runs in one pass a series) against its three
    runs through the numpy filter: the initial states and sums of squares, bit for bit; and the errors at those
    initial states equal the plain recursion's sum of squares."""
    rng = np.random.default_rng(41)
    for _ in range(300):
        n = int(rng.integers(1, fitting.ETS_ROWS_BY_ROW // 3 + 1))
        p, y, lengths = random_case(rng, n)
        smooth = p[:, :3]
        got = fitting._ets_concentrated(smooth, y, lengths)
        saved = fitting.ETS_ROWS_BY_ROW
        fitting.ETS_ROWS_BY_ROW = 0
        try:
            want = fitting._ets_concentrated(smooth, y, lengths)
        finally:
            fitting.ETS_ROWS_BY_ROW = saved
        for g, w in zip(got, want):
            assert same_bits(g, w)
        for i in range(n):
            if np.isfinite(got[1][i]) and lengths[i] > 0:
                e = np.array(plain(got[0][i].tolist(), y[i].tolist(), int(lengths[i]), y.shape[1])[0])
                assert np.sum(e**2) == pytest.approx(got[1][i], rel=1e-6, abs=1e-9 * np.nanmax(np.abs(y[i]))**2)
