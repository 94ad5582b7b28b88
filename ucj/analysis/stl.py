"""STL (Cleveland et al. 1990) for many monthly series at once, in numpy: the same algorithm and
defaults as statsmodels' `STL(y, period, robust=...)` (seasonal 7, trend and low-pass windows from
the period, local-linear loess, jumps of 1; robust: 2 inner and 15 outer passes), so the seasonal
component is the one statsmodels gives (tests/analysis/test_stl.py checks it), without fitting the series
one at a time or loading statsmodels.

Every loess value is a weighted sum over a window of fixed positions; the windows and distance
weights depend only on the length of the series, so they are built once per length, and the
robustness weights of each series enter as a factor.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

SEASONAL = 7


def _weights(n: int, length: int, xs: np.ndarray, nleft: np.ndarray, nright: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Distance (tricube) weights of loess with window `length` on n points, at positions xs (1-based)
    with windows [nleft, nright], as a dense (positions x n) matrix; and the bandwidth h of each."""
    j = np.arange(1, n + 1)[None, :]
    h = np.maximum(xs - nleft, nright - xs).astype("float64")
    if length > n:
        h = h + (length - n) // 2
    r = np.abs(j - xs[:, None]).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(r <= 0.001 * h[:, None], 1.0, (1.0 - (r / h[:, None]) ** 3) ** 3)
    inside = (j >= nleft[:, None]) & (j <= nright[:, None]) & (r <= 0.999 * h[:, None])
    return np.where(inside, w, 0.0), h


@lru_cache(maxsize=64)
def _ess_design(n: int, length: int) -> Design:
    """Positions, weights and bandwidths of statsmodels' `_ess` (jump 1) at every point 1..n."""
    xs = np.arange(1, n + 1)
    if length >= n:
        nleft, nright = np.ones(n, dtype=int), np.full(n, n)
    else:
        nsh = (length + 2) // 2
        nleft = np.clip(xs - nsh + 1, 1, n - length + 1)
        nright = nleft + length - 1
    w, h = _weights(n, length, xs, nleft, nright)
    return _with_terms(xs.astype("float64"), w, h)


@lru_cache(maxsize=64)
def _ss_design(k: int, length: int) -> Design:
    """The same for a cycle-subseries of k points: its own points, one before and one after (`_ss`)."""
    xs_in, w_in, h_in, _ = _ess_design(k, length)
    w0, h0 = _weights(k, length, np.array([0]), np.array([1]), np.array([min(length, k)]))
    w1, h1 = _weights(k, length, np.array([k + 1]), np.array([max(1, k - length + 1)]), np.array([k]))
    return _with_terms(np.concatenate([[0.0], xs_in, [k + 1.0]]), np.concatenate([w0, w_in, w1]),
                       np.concatenate([h0, h_in, h1]))


Design = tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, ...]]


def _with_terms(xs: np.ndarray, w: np.ndarray, h: np.ndarray) -> Design:
    """A design (positions, weights, bandwidths) with what `_loess` multiplies by at every call, built once with
    it (the design is cached): the weights times 1, t and t^2 (t = 1..n) transposed, where a local line is
    possible (h > 0) and the positions as a row. The same arrays `_loess` built at each call, so the same
    numbers (read-only: the cache shares them)."""
    pos = np.arange(1.0, w.shape[1] + 1)
    terms = (w.T, (w * pos).T, (w * pos**2).T, (h > 0)[None, :], xs[None, :])
    for a in (xs, w, h, *terms):
        a.setflags(write=False)
    return xs, w, h, terms


def _loess(y: np.ndarray, rw: np.ndarray | None, design: Design) -> np.ndarray:
    """Local-linear loess of each row of y at the design's positions (NaN where no weight), as `_est`:
    the weighted sums it needs are matrix products with the distance weights."""
    _, _, _, (w_t, w1_t, w2_t, line_h, xs_row) = design
    n = y.shape[1]
    v = np.ones_like(y) if rw is None else rw
    wy = v * y
    s0, s1, s2 = v @ w_t, v @ w1_t, v @ w2_t
    t0, t1 = wy @ w_t, wy @ w1_t
    ok = s0 > 0
    s0 = np.where(ok, s0, 1.0)
    mean = s1 / s0
    c = s2 / s0 - mean**2
    linear = line_h & (np.sqrt(np.maximum(c, 0.0)) > 0.001 * (n - 1.0))
    slope = np.where(linear, (xs_row - mean) / np.where(linear, c, 1.0), 0.0)
    out = t0 / s0 + slope * (t1 / s0 - mean * t0 / s0)
    return np.where(ok, out, np.nan)


def _ess(y: np.ndarray, length: int, rw: np.ndarray | None) -> np.ndarray:
    out = _loess(y, rw, _ess_design(y.shape[1], length))
    return np.where(np.isnan(out), y, out)


def _moving_average(x: np.ndarray, length: int) -> np.ndarray:
    c = np.cumsum(np.concatenate([np.zeros((x.shape[0], 1)), x], axis=1), axis=1)
    return (c[:, length:] - c[:, :-length]) / length


def _seasonal_smooth(y: np.ndarray, period: int, rw: np.ndarray | None) -> np.ndarray:
    """Each cycle-subseries smoothed and extended one cycle at each end: length n + 2 period (`_ss`)."""
    b, n = y.shape
    out = np.empty((b, n + 2 * period))
    for j in range(period):
        pts = np.arange(j, n, period)
        k = pts.size
        sub = y[:, pts]
        design = _ss_design(k, SEASONAL)
        s = _loess(sub, None if rw is None else rw[:, pts], design)
        inner = s[:, 1:k + 1]
        inner = np.where(np.isnan(inner), sub, inner)
        first = np.where(np.isnan(s[:, 0]), inner[:, 0], s[:, 0])
        last = np.where(np.isnan(s[:, k + 1]), inner[:, k - 1], s[:, k + 1])
        out[:, j::period][:, :k + 2] = np.column_stack([first, inner, last])
    return out


def stl_seasonal(y: np.ndarray, period: int = 12, robust: bool = True) -> np.ndarray:
    """The seasonal component of each row of `y` (rows of the same length, no missing values), as
    statsmodels' `STL(row, period=period, robust=robust).fit().seasonal`.

    The matrix products are small: BLAS runs them on one thread for the call (more threads only
    wait on each other), and goes back to its setting after."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _stl_seasonal(np.asarray(y, dtype="float64"), period, robust)


def _stl_seasonal(y: np.ndarray, period: int, robust: bool) -> np.ndarray:
    b, n = y.shape
    trend_len = int(math.ceil(1.5 * period / (1 - 1.5 / SEASONAL)))
    trend_len += trend_len % 2 == 0
    low_pass = period + 1 + ((period + 1) % 2 == 0)
    inner, outer = (2, 15) if robust else (5, 0)
    trend = np.zeros((b, n))
    season = np.zeros((b, n))
    rw: np.ndarray | None = None
    for k in range(outer + 1):
        for _ in range(inner):
            cycle = _seasonal_smooth(y - trend, period, rw)
            low = _moving_average(_moving_average(_moving_average(cycle, period), period), 3)
            low = _ess(low, low_pass, None)
            season = cycle[:, period:period + n] - low
            trend = _ess(y - season, trend_len, rw)
        if k == outer:
            break
        r = np.abs(y - trend - season)
        part = np.sort(r, axis=1)
        cmad = 3.0 * (part[:, n // 2] + part[:, n - n // 2 - 1])
        safe = np.where(cmad == 0, 1.0, cmad)[:, None]
        rw = np.where(r <= 0.001 * safe, 1.0, np.where(r <= 0.999 * safe, (1 - (r / safe) ** 2) ** 2, 0.0))
        rw = np.where((cmad == 0)[:, None], 1.0, rw)
    return season
