"""Batched least-squares fits for the projection: ETS(A,Ad,N) and the logistic curve, many series at once.

Every district's coverage series is fitted by the same code whether one district or all 514 are
asked for: the series are stacked in a (series x month) array, padded on the right where a series is
shorter, and each series' problem is solved independently (its own damping, step and stopping),
so a district gets the same fit alone as in the batch. The numbers are numpy arrays throughout, so
the per-district cost is a few vector operations rather than a Python optimiser call.

- ETS(A,Ad,N) is estimated by maximum likelihood with the variance concentrated out, which is least
  squares on the one-step errors, over the same parameters and bounds as statsmodels' ETSModel
  (smoothing level alpha and beta/alpha in [1e-4, 1 - 1e-4], damping phi in [0.8, 0.98], initial level
  and trend free). The errors and their exact derivatives come from one forward recursion.
- The logistic curve is fitted by least squares within the bounds the projection sets, as scipy's
  curve_fit does, and its covariance is computed as curve_fit computes it.

Both use a bounded Levenberg-Marquardt (`levenberg_marquardt`) started from several points; the best
least-squares value wins. tests/analysis/test_fitting.py checks the results against statsmodels and scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

ETS_PARAM_NAMES = ("smoothing_level", "smoothing_trend", "damping_trend", "initial_level", "initial_trend")
# bounds on the internal parameters (alpha, beta / alpha, phi, l0, b0), as statsmodels' ETSModel sets them
ETS_LOWER = np.array([1e-4, 1e-4, 0.8, -np.inf, -np.inf])
ETS_UPPER = np.array([1 - 1e-4, 1 - 1e-4, 0.98, np.inf, np.inf])
# the search for (alpha, beta / alpha, phi) starts from the best points of this grid (initial states
# solved for at each): a start in the right basin, where statsmodels' single default start
# (0.1, 0.1, 0.98) sometimes leads to a worse local maximum of the likelihood
ETS_GRID = tuple((a, bs, phi) for a in (0.3, 0.6, 0.85, 0.99) for bs in (0.01, 0.05, 0.15, 0.4)
                 for phi in (0.8, 0.88, 0.94, 0.98))
ETS_GRID_STARTS = 2  # how many of the best grid points start a search
LOGISTIC_LOWER = np.array([1e-6, 1e-4, -100.0])
LOGISTIC_UPPER = np.array([100.0, 10.0, 200.0])

ResidJac = Callable[[np.ndarray, np.ndarray, bool], tuple[np.ndarray, np.ndarray | None]]


def levenberg_marquardt(fun: ResidJac, x0: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                        max_iter: int = 100, rtol: float = 1e-10, xtol: float = 1e-8, secant: bool = True
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Minimise sum(r**2) for each row of `x0` (one problem a row) within the box [lower, upper].

    `fun(x, rows, jac)` returns the residuals (rows x points) of problems `rows` at parameters `x`, and
    their Jacobian (rows x points x params) when `jac`. Levenberg-Marquardt with Marquardt-scaled
    damping per problem, on J'J plus a structured secant estimate of the second-order term
    (Dennis, Gay and Welsch 1981, as in NL2SOL): the residuals here are not small, and J'J alone
    zigzags along the valleys of the ETS likelihood (`secant=False`: J'J alone, which suits the
    logistic curve better). A parameter on a bound whose gradient points outwards is held there for
    the step. A problem stops when an accepted step lowers its sum of
    squares by less than `rtol` relative or moves no parameter by more than `xtol` relative, or when
    no step helps. Returns (parameters, sum of squares).
    """
    x = np.clip(np.asarray(x0, dtype="float64"), lower, upper)
    n, k = x.shape
    r, J = fun(x, np.arange(n), True)
    assert J is not None
    cost = (r * r).sum(axis=1)
    lam = np.full(n, 1e-3)
    second = np.zeros((n, k, k))  # secant estimate of sum_t r_t d2 r_t
    todo = np.isfinite(cost)
    eye = np.eye(k)
    for _ in range(max_iter):
        ia = np.flatnonzero(todo)
        if ia.size == 0:
            break
        Ja, ra, xa = J[ia], r[ia], x[ia]
        Jta = Ja.transpose(0, 2, 1)
        g = (Jta @ ra[..., None])[..., 0]
        jtj = Jta @ Ja
        H = jtj + second[ia] if secant else jtj
        held = ((xa <= lower) & (g > 0)) | ((xa >= upper) & (g < 0))
        free = (~held).astype("float64")
        diag = np.einsum("bpp->bp", jtj)
        d = np.maximum(diag, 1e-12 * np.maximum(diag.max(axis=1, keepdims=True), 1e-300))
        A = H * free[:, :, None] * free[:, None, :] + eye * (lam[ia, None] * d * free + (1 - free))[:, None, :]
        try:
            step = np.linalg.solve(A, (-g * free)[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(m, v, rcond=None)[0] for m, v in zip(A, -g * free)])
        xt = np.clip(xa + step, lower, upper)
        rt, Jt = fun(xt, ia, True)
        assert Jt is not None
        ct = (rt * rt).sum(axis=1)
        better = np.isfinite(ct) & (ct < cost[ia])
        small = better & ((cost[ia] - ct <= rtol * cost[ia])
                          | np.all(np.abs(xt - xa) <= xtol * (1 + np.abs(xa)), axis=1))
        stuck = ~better & ((lam[ia] > 1e12) | np.all(np.abs(xt - xa) <= 1e-15 * (1 + np.abs(xa)), axis=1))
        if secant:  # update the second-order term where the step was taken
            second[ia[better]] = _secant_update(second[ia[better]], (xt - xa)[better], g[better], Ja[better],
                                                Jt[better], rt[better])
        up = ia[better]
        x[up], r[up], J[up], cost[up] = xt[better], rt[better], Jt[better], ct[better]
        lam[ia] = np.where(better, np.maximum(lam[ia] / 3, 1e-12), lam[ia] * 4)
        todo[ia[small | stuck]] = False
    return x, cost


def _secant_update(S: np.ndarray, step: np.ndarray, g: np.ndarray, J: np.ndarray, Jt: np.ndarray, rt: np.ndarray
                   ) -> np.ndarray:
    """Dennis-Gay-Welsch update of S (the estimate of sum_t r_t d2 r_t) after a step from J (gradient g)
    to Jt with residuals rt: S s matches (Jt - J)' rt, the change in gradient J'J does not explain."""
    gt = (Jt.transpose(0, 2, 1) @ rt[..., None])[..., 0]
    y = gt - g
    u = gt - (J.transpose(0, 2, 1) @ rt[..., None])[..., 0] - (S @ step[..., None])[..., 0]
    ys = np.einsum("bp,bp->b", y, step)
    ok = ys > 1e-12 * np.sqrt(np.einsum("bp,bp->b", y, y) * np.einsum("bp,bp->b", step, step))
    ys = np.where(ok, ys, 1.0)[:, None, None]
    upd = (u[:, :, None] * y[:, None, :] + y[:, :, None] * u[:, None, :]) / ys \
        - np.einsum("bp,bp->b", u, step)[:, None, None] * y[:, :, None] * y[:, None, :] / ys**2
    return np.where(ok[:, None, None], S + upd, S)


def _best_start(fun: ResidJac, starts: list[np.ndarray], lower: np.ndarray, upper: np.ndarray, **lm: object
                ) -> tuple[np.ndarray, np.ndarray]:
    """`levenberg_marquardt` from each of `starts` (series x params each), all in one batch; for each
    series the parameters and sum of squares of the start that ends lowest. `fun(x, series, jac)` gets
    the series each row of x belongs to."""
    n = len(starts[0])
    which = np.tile(np.arange(n), len(starts))
    x, cost = levenberg_marquardt(lambda x, rows, jac: fun(x, which[rows], jac), np.concatenate(starts),
                                  lower, upper, **lm)  # type: ignore[arg-type]
    cost = np.where(np.isfinite(cost), cost, np.inf).reshape(len(starts), n)
    best = np.argmin(cost, axis=0)
    return x.reshape(len(starts), n, -1)[best, np.arange(n)], cost[best, np.arange(n)]


# -- ETS(A,Ad,N) --------------------------------------------------------------------------------------
def _mask(lengths: np.ndarray, width: int) -> np.ndarray:
    return np.arange(width)[None, :] < np.asarray(lengths)[:, None]


def ets_errors(params: np.ndarray, y: np.ndarray, lengths: np.ndarray, jac: bool = False
               ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """One-step errors of ETS(A,Ad,N) for each row of `y` (first `lengths` months), error-correction form:
    yhat_t = l + phi b, e_t = y_t - yhat_t, l_t = yhat_t + alpha e_t, b_t = phi b + beta e_t.

    `params` rows are (alpha, beta, phi, l0, b0). Returns errors (0 past each length), their Jacobian
    with respect to the five parameters when `jac`, and the level and trend after each month."""
    n, width = y.shape
    if n <= ETS_ROWS_BY_ROW:
        return _ets_errors_by_row(params, y, lengths, jac)
    a, beta, phi, level, trend = (params[:, i].copy() for i in range(5))
    # time-major inside (each month's row contiguous), series-major out
    mask = np.ascontiguousarray(_mask(lengths, width).T)
    yz = np.ascontiguousarray(np.where(mask.T, y, 0.0).T)
    err, levels, trends = np.empty((width, n)), np.empty((width, n)), np.empty((width, n))
    de_all = np.empty((width, n, 5)) if jac else None
    if jac:
        dl = np.zeros((n, 5))
        db = np.zeros((n, 5))
        dl[:, 3] = 1.0
        db[:, 4] = 1.0
        a_, beta_, phi_ = a[:, None], beta[:, None], phi[:, None]
    for t in range(width):
        yhat = level + phi * trend
        e = np.where(mask[t], yz[t] - yhat, 0.0)
        err[t] = e
        if jac:
            dyhat = dl + phi_ * db
            dyhat[:, 2] += trend
            de = -dyhat * mask[t][:, None]
            de_all[t] = de  # type: ignore[index]
            dl = dyhat + a_ * de
            dl[:, 0] += e
            db = phi_ * db + beta_ * de
            db[:, 2] += trend
            db[:, 1] += e
        level, trend = yhat + a * e, phi * trend + beta * e
        levels[t], trends[t] = level, trend
    return err.T, None if de_all is None else de_all.transpose(1, 0, 2), levels.T, trends.T


# Up to this many series, `ets_errors` runs each series' months as Python floats (`_ets_errors_by_row`): the search
# filters 1 to 12 series at a time (2 starts of the whole and the early series, 3 runs each for the initial states),
# where each month's ~25 numpy operations on arrays of a few values cost about 1 us each against ~0.03 us a value
# in Python. The same operations in the same order on the same IEEE doubles (numpy's elementwise +, - and * round
# as Python's do; no fused multiply-add), also past a series' length, into arrays of the same memory layout
# (time-major, returned transposed: numpy's sums over the months run in the same order), so the same bits:
# tests/analysis/test_etsfast_rows.py. The grid (128 series) stays in numpy, where the operations are the cheaper.
ETS_ROWS_BY_ROW = 12


def _ets_errors_by_row(params: np.ndarray, y: np.ndarray, lengths: np.ndarray, jac: bool
                       ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """`ets_errors`, series by series in Python floats (see ETS_ROWS_BY_ROW)."""
    n, width = y.shape
    p_rows = np.asarray(params, dtype="float64")[:, :5].tolist()
    y_rows = np.asarray(y, dtype="float64").tolist()
    n_rows = np.broadcast_to(np.asarray(lengths), (n,)).tolist()
    # time-major storage, returned transposed, as `ets_errors` lays its arrays out
    err, levels, trends = np.empty((width, n)), np.empty((width, n)), np.empty((width, n))
    de_all = np.empty((width, n, 5)) if jac else None
    for i, ((a, beta, phi, level, trend), ys, m) in enumerate(zip(p_rows, y_rows, n_rows)):
        errs, lv, tr = [0.0] * width, [0.0] * width, [0.0] * width
        if not jac:
            for t in range(width):
                yhat = level + phi * trend
                e = ys[t] - yhat if t < m else 0.0
                level, trend = yhat + a * e, phi * trend + beta * e
                errs[t], lv[t], tr[t] = e, level, trend
        else:
            des: list[float] = []
            # d level / d (alpha, beta, phi, l0, b0) and d trend / d (...), one name each: unrolled, as lists
            # would cost an index a value
            dl0 = dl1 = dl2 = dl4 = db0 = db1 = db2 = db3 = 0.0
            dl3 = db4 = 1.0
            for t in range(width):
                yhat = level + phi * trend
                d0, d1, d2 = dl0 + phi * db0, dl1 + phi * db1, dl2 + phi * db2 + trend
                d3, d4 = dl3 + phi * db3, dl4 + phi * db4
                if t < m:
                    e = ys[t] - yhat
                    de0, de1, de2, de3, de4 = -d0, -d1, -d2, -d3, -d4
                else:  # past the length: the error 0, the derivatives times a mask of 0 (their signed zeros)
                    e = 0.0
                    de0, de1, de2, de3, de4 = -d0 * 0.0, -d1 * 0.0, -d2 * 0.0, -d3 * 0.0, -d4 * 0.0
                des += (de0, de1, de2, de3, de4)
                dl0, dl1, dl2 = d0 + a * de0 + e, d1 + a * de1, d2 + a * de2
                dl3, dl4 = d3 + a * de3, d4 + a * de4
                db0, db1 = phi * db0 + beta * de0, phi * db1 + beta * de1 + e
                db2 = phi * db2 + beta * de2 + trend
                db3, db4 = phi * db3 + beta * de3, phi * db4 + beta * de4
                level, trend = yhat + a * e, phi * trend + beta * e
                errs[t], lv[t], tr[t] = e, level, trend
            de_all[:, i, :] = np.array(des, dtype="float64").reshape(width, 5)  # type: ignore[index]
        err[:, i], levels[:, i], trends[:, i] = errs, lv, tr
    return err.T, None if de_all is None else de_all.transpose(1, 0, 2), levels.T, trends.T


def _ets_concentrated(smooth: np.ndarray, y: np.ndarray, lengths: np.ndarray,
                      unit: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For smoothing parameters `smooth` (rows of alpha, beta, phi) and series `y`: the initial level and
    trend that minimise the sum of squares, and that sum. The errors are linear in the initial states:
    one run of the filter on the data from zero states, and the errors of a unit initial level and of
    a unit initial trend with no data (`unit`, when already known for these rows), then a 2 x 2 solve."""
    n, width = y.shape
    zeros, ones = np.zeros(n), np.ones(n)
    if unit is None and 3 * n <= ETS_ROWS_BY_ROW:
        ey, el, eb = _ets_runs_by_row(smooth, y, lengths)
    elif unit is None:
        params = np.concatenate([np.column_stack([smooth, zeros, zeros]), np.column_stack([smooth, ones, zeros]),
                                 np.column_stack([smooth, zeros, ones])])
        e, _, _, _ = ets_errors(params, np.concatenate([y, np.zeros((2 * n, width))]), np.tile(lengths, 3))
        ey, el, eb = e[:n], e[n:2 * n], e[2 * n:]
    else:
        ey = ets_errors(np.column_stack([smooth, zeros, zeros]), y, lengths)[0]
        mask = _mask(lengths, width)
        el, eb = unit[0] * mask, unit[1] * mask
    a11, a12, a22 = (el * el).sum(1), (el * eb).sum(1), (eb * eb).sum(1)
    r1, r2 = -(el * ey).sum(1), -(eb * ey).sum(1)
    det = a11 * a22 - a12**2
    ok = det > 1e-12 * np.maximum(a11 * a22, 1e-300)
    l0 = np.where(ok, (a22 * r1 - a12 * r2) / np.where(ok, det, 1.0), 0.0)
    b0 = np.where(ok, (a11 * r2 - a12 * r1) / np.where(ok, det, 1.0), 0.0)
    sse = ((ey + l0[:, None] * el + b0[:, None] * eb) ** 2).sum(1)
    return np.column_stack([smooth, l0, b0]), np.where(ok & np.isfinite(sse), sse, np.inf)


def _ets_runs_by_row(smooth: np.ndarray, y: np.ndarray, lengths: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three runs `_ets_concentrated` makes (the data from zero states, a unit initial level and a unit initial
    trend on no data) for a few series (3 x series <= ETS_ROWS_BY_ROW), the three in one pass over each series'
    months (half the time of three runs of `_ets_errors_by_row`): the same operations on the same doubles as
    `ets_errors` (the data as 0.0), into one array laid out as its errors for the 3 x series rows, so the same bits
    (tests/analysis/test_etsfast_rows.py)."""
    n, width = y.shape
    s_rows = np.asarray(smooth, dtype="float64")[:, :3].tolist()
    y_rows = np.asarray(y, dtype="float64").tolist()
    n_rows = np.broadcast_to(np.asarray(lengths), (n,)).tolist()
    out = np.empty((width, 3 * n))  # time-major, as `ets_errors` stores its errors
    for i, ((a, beta, phi), ys, m) in enumerate(zip(s_rows, y_rows, n_rows)):
        m = min(max(m, 0), width)
        ey, el, eb = [], [], []
        ly, ty, ll, tl, lb, tb = 0.0, 0.0, 1.0, 0.0, 0.0, 1.0
        for yt in ys[:m]:  # past the length each error is 0 (the states after the length are not returned)
            h = ly + phi * ty
            e = yt - h
            ly, ty = h + a * e, phi * ty + beta * e
            ey.append(e)
            h = ll + phi * tl
            e = 0.0 - h
            ll, tl = h + a * e, phi * tl + beta * e
            el.append(e)
            h = lb + phi * tb
            e = 0.0 - h
            lb, tb = h + a * e, phi * tb + beta * e
            eb.append(e)
        pad = [0.0] * (width - m)
        out[:, i], out[:, n + i], out[:, 2 * n + i] = ey + pad, el + pad, eb + pad
    e3 = out.T
    return e3[:n], e3[n:2 * n], e3[2 * n:]


def _ets_grid_sse(y: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Sum of squares at each point of ETS_GRID (initial states solved for): grid points x series.
    The errors of unit initial states do not depend on the data, so they are run once per grid point."""
    n, width = y.shape
    smooth = _smoothing(np.asarray(ETS_GRID, dtype="float64"))
    g = len(smooth)
    zeros, ones = np.zeros(g), np.ones(g)
    unit = ets_errors(np.concatenate([np.column_stack([smooth, ones, zeros]), np.column_stack([smooth, zeros, ones])]),
                      np.zeros((2 * g, width)), np.full(2 * g, width))[0]
    rows = np.repeat(np.arange(g), n)
    _, sse = _ets_concentrated(smooth[rows], np.tile(y, (g, 1)), np.tile(lengths, g),
                               (unit[:g][rows], unit[g:][rows]))
    return sse.reshape(g, n)


def _smoothing(theta: np.ndarray) -> np.ndarray:
    """(alpha, beta / alpha, phi) -> (alpha, beta, phi)."""
    return np.column_stack([theta[:, 0], theta[:, 0] * theta[:, 1], theta[:, 2]])


def fit_ets_many(y: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares (= maximum-likelihood) ETS(A,Ad,N) for each row of `y` over its first `lengths` months.

    The initial level and trend enter the errors linearly, so they are solved for at every trial of
    (alpha, beta / alpha, phi) (variable projection, Kaufman's Jacobian), and the search runs over those
    three only. Started from the ETS_GRID_STARTS best points of a coarse grid (ETS_GRID); the lowest
    sum of squares is kept. Returns the parameters (alpha, beta, phi, l0, b0) and the sum of squared
    one-step errors."""
    y = np.asarray(y, dtype="float64")
    lengths = np.asarray(lengths)
    grid = np.asarray(ETS_GRID, dtype="float64")
    order = np.argsort(_ets_grid_sse(y, lengths), axis=0, kind="stable")

    def fun(theta: np.ndarray, series: np.ndarray, jac: bool) -> tuple[np.ndarray, np.ndarray | None]:
        yr, lr = y[series], lengths[series]
        full, _ = _ets_concentrated(_smoothing(theta), yr, lr)
        e, de, _, _ = ets_errors(full, yr, lr, jac)
        if de is None:
            return e, None
        jt = de[:, :, :3].copy()  # chain rule to (alpha, beta / alpha, phi)
        jt[:, :, 0] += theta[:, None, 1] * de[:, :, 1]
        jt[:, :, 1] = theta[:, None, 0] * de[:, :, 1]
        a = de[:, :, 3:]  # d e / d (l0, b0): project them out (Kaufman)
        at = a.transpose(0, 2, 1)
        coef = np.linalg.solve(at @ a + 1e-300 * np.eye(2), at @ jt)
        return e, jt - a @ coef

    theta, _ = _best_start(fun, [grid[order[k]] for k in range(ETS_GRID_STARTS)], ETS_LOWER[:3], ETS_UPPER[:3])
    params, sse = _ets_concentrated(_smoothing(theta), y, lengths)
    return params, sse


def ets_forecast_many(params: np.ndarray, level: np.ndarray, trend: np.ndarray, mse: np.ndarray, horizon: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Point forecasts and forecast variances, h = 1..horizon (Hyndman et al. 2008, class 1, closed form)."""
    a, b, phi = params[:, 0:1], params[:, 1:2], params[:, 2:3]
    h = np.arange(1, horizon + 1)[None, :]
    mean = level[:, None] + phi * (1 - phi**h) / (1 - phi) * trend[:, None]
    c = a + b * phi * (1 - phi ** h[:, :-1]) / (1 - phi)  # c_j, j = 1..h-1
    var = mse[:, None] * (1 + np.concatenate([np.zeros((len(mse), 1)), np.cumsum(c**2, axis=1)], axis=1))
    return mean, var


# -- the logistic curve ---------------------------------------------------------------------------------
def logistic(t: np.ndarray, capacity: np.ndarray | float, rate: np.ndarray | float, midpoint: np.ndarray | float
             ) -> np.ndarray:
    """Coverage (%) on a logistic curve: capacity / (1 + exp(-rate (t - midpoint))), t in years."""
    return capacity / (1.0 + np.exp(-rate * (t - midpoint)))


def logistic_jacobian(t: np.ndarray, params: np.ndarray) -> np.ndarray:
    """d logistic / d (capacity, rate, midpoint), rows of `params` against columns of `t` (rows x t x 3)."""
    cap, rate, mid = params[:, 0:1], params[:, 1:2], params[:, 2:3]
    with np.errstate(over="ignore"):
        e = np.exp(-rate * (t - mid))
    d = 1.0 + e
    # far on the flat tail e and d**2 overflow (inf / inf): each derivative's limit there is 0, set below
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.stack([1.0 / d, cap * (t - mid) * e / d**2, -cap * rate * e / d**2], axis=-1)
    return np.where(np.isfinite(out), out, 0.0)


def fit_logistic_many(t: np.ndarray, y: np.ndarray, lengths: np.ndarray, starts: list[np.ndarray]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares logistic curve for each row of `y` (times `t`, first `lengths` points) within
    LOGISTIC_LOWER..LOGISTIC_UPPER, from each of `starts` (rows x 3; NaN: the first start's); the lowest
    sum of squares is kept. Returns parameters, covariance (as scipy's curve_fit: the pseudo-inverse
    of J'J from the singular values, times the residual variance SSE / (n - 3)) and the sum of squares."""
    y = np.asarray(y, dtype="float64")
    lengths = np.asarray(lengths)
    mask = _mask(lengths, y.shape[1])

    def fun(p: np.ndarray, series: np.ndarray, jac: bool) -> tuple[np.ndarray, np.ndarray | None]:
        m = mask[series]
        with np.errstate(over="ignore"):
            r = np.where(m, y[series] - logistic(t[None, :], p[:, 0:1], p[:, 1:2], p[:, 2:3]), 0.0)
        return r, (-logistic_jacobian(t[None, :], p) * m[..., None]) if jac else None

    p, sse = _best_start(fun, [np.where(np.isfinite(s), s, starts[0]) for s in starts], LOGISTIC_LOWER,
                         LOGISTIC_UPPER, max_iter=300, secant=False)
    J = logistic_jacobian(t[None, :], p) * mask[..., None]
    _, s, vt = np.linalg.svd(J, full_matrices=False)
    keep = s > np.finfo(float).eps * np.maximum(lengths, 3)[:, None] * s[:, :1]  # curve_fit's cut-off
    inv_s2 = np.where(keep, 1.0 / np.where(keep, s, 1.0) ** 2, 0.0)
    pcov = np.einsum("bkp,bk,bkq->bpq", vt, inv_s2, vt) * (sse / np.maximum(lengths - 3, 1))[:, None, None]
    return p, pcov, sse


# -- residual check -------------------------------------------------------------------------------------
def ljung_box_pvalue(resid: np.ndarray, lags: int) -> float:
    """Ljung-Box p-value at `lags` lags (sample autocorrelations of the demeaned series, chi-squared)."""
    from scipy.special import chdtrc

    x = np.asarray(resid, dtype="float64")
    x = x - x.mean()
    n = x.size
    acov = np.array([x[: n - k] @ x[k:] for k in range(lags + 1)])
    r = acov[1:] / acov[0]
    q = n * (n + 2) * float(np.sum(r**2 / (n - np.arange(1, lags + 1))))
    return float(chdtrc(lags, q))


# -- ETS(A,N,N): simple exponential smoothing, the damped trend's nested model ---------------------------
# Own optimiser, not statsmodels' ETSModel(trend=None).fit: one statsmodels fit costs ~30 ms, ~15 s for all 514
# districts and their holdout fits; here the one smoothing parameter is searched for every series at once.
# tests/analysis/test_modelnest_fallbacks.py checks the estimates, forecasts and intervals against statsmodels.
SES_LOWER, SES_UPPER = 1e-4, 1 - 1e-4  # statsmodels' ETSModel bounds on smoothing_level
SES_GRID = np.linspace(SES_LOWER, SES_UPPER, 61)


def ses_errors(alpha: np.ndarray, l0: np.ndarray, y: np.ndarray, lengths: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """One-step errors (0 past each length) and the level after each month of ETS(A,N,N):
    e_t = y_t - l_{t-1}, l_t = l_{t-1} + alpha e_t."""
    n, width = y.shape
    if n <= SES_ROWS_BY_ROW:
        return _ses_errors_by_row(alpha, l0, y, lengths)
    mask = _mask(lengths, width)
    yz = np.where(mask, y, 0.0)
    err, levels = np.empty((n, width)), np.empty((n, width))
    level = np.asarray(l0, dtype="float64").copy()
    for t in range(width):
        e = np.where(mask[:, t], yz[:, t] - level, 0.0)
        level = level + alpha * e
        err[:, t], levels[:, t] = e, level
    return err, levels


# Up to this many series, `ses_errors` runs each series' months as Python floats (`_ses_errors_by_row`): the golden
# section search and the forecasts filter one to a few series at a time, where each month's numpy operations on
# arrays of one or two values cost about 5 us against 0.1 us a value in Python (about 10 ms a report). The same
# operations in the same order on the same IEEE doubles (a subtraction, then a product added), also past a
# series' length (an error of 0 added), so the same bits: tests/analysis/test_speedr_ses_rows.py.
SES_ROWS_BY_ROW = 16


def _ses_errors_by_row(alpha: np.ndarray, l0: np.ndarray, y: np.ndarray, lengths: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """`ses_errors`, series by series in Python floats (see SES_ROWS_BY_ROW)."""
    n, width = y.shape
    a_rows = np.broadcast_to(np.asarray(alpha, dtype="float64"), (n,)).tolist()
    l_rows = np.broadcast_to(np.asarray(l0, dtype="float64"), (n,)).tolist()
    y_rows = np.asarray(y, dtype="float64").tolist()
    n_rows = np.broadcast_to(np.asarray(lengths), (n,)).tolist()
    err_rows, level_rows = [], []
    for a, level, ys, m in zip(a_rows, l_rows, y_rows, n_rows):
        errs, levels = [0.0] * width, [0.0] * width
        for t in range(width):
            e = ys[t] - level if t < m else 0.0
            level = level + a * e
            errs[t], levels[t] = e, level
        err_rows.append(errs)
        level_rows.append(levels)
    return (np.array(err_rows, dtype="float64").reshape(n, width),
            np.array(level_rows, dtype="float64").reshape(n, width))


def _ses_concentrated(alpha: np.ndarray, y: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row's alpha: the initial level minimising the sum of squares (the errors are linear in it:
    e = e(data, l0 = 0) - (1 - alpha)^t l0), and that sum."""
    ey, _ = ses_errors(alpha, np.zeros(len(alpha)), y, lengths)
    t = np.arange(y.shape[1])[None, :]
    el = -np.where(_mask(lengths, y.shape[1]), (1 - alpha[:, None]) ** t, 0.0)
    l0 = -(ey * el).sum(1) / (el * el).sum(1)
    sse = ((ey + l0[:, None] * el) ** 2).sum(1)
    return l0, np.where(np.isfinite(sse), sse, np.inf)


def fit_ses_many(y: np.ndarray, lengths: np.ndarray, iterations: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares (= maximum-likelihood, variance concentrated out) ETS(A,N,N) for each row of `y`, alpha in
    [SES_LOWER, SES_UPPER] and the initial level free, as statsmodels' ETSModel(error="add", trend=None).

    The initial level is solved for at each alpha (`_ses_concentrated`); alpha is searched on a grid
    (SES_GRID), then by golden section between the best grid point's neighbours, all series at once; a bound
    is kept when it is at least as good. Returns (alpha, initial level, sum of squares)."""
    y = np.asarray(y, dtype="float64")
    lengths = np.asarray(lengths)
    n, g = len(y), len(SES_GRID)
    _, sse_grid = _ses_concentrated(np.repeat(SES_GRID, n), np.tile(y, (g, 1)), np.tile(lengths, g))
    best = np.argmin(sse_grid.reshape(g, n), axis=0)
    lo, hi = SES_GRID[np.maximum(best - 1, 0)], SES_GRID[np.minimum(best + 1, g - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fc, fd = _ses_concentrated(c, y, lengths)[1], _ses_concentrated(d, y, lengths)[1]
    for _ in range(iterations):
        left = fc < fd
        hi, lo = np.where(left, d, hi), np.where(left, lo, c)
        c_new, d_new = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        probe = np.where(left, c_new, d_new)
        fp = _ses_concentrated(probe, y, lengths)[1]
        c, d = np.where(left, c_new, d), np.where(left, c, d_new)
        fc, fd = np.where(left, fp, fd), np.where(left, fc, fp)
    alpha = (lo + hi) / 2
    for bound in (SES_LOWER, SES_UPPER):  # the search only approaches a bound; take it when no worse
        at = np.full(n, bound)
        _, f_at = _ses_concentrated(at, y, lengths)
        _, f_a = _ses_concentrated(alpha, y, lengths)
        alpha = np.where(f_at <= f_a, at, alpha)
    l0, sse = _ses_concentrated(alpha, y, lengths)
    return alpha, l0, sse


def ses_alpha_se(alpha: np.ndarray, y: np.ndarray, lengths: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Standard error of alpha from the curvature of the profile log-likelihood (initial level and variance
    concentrated out; the Schur complement of the full Hessian, so the same as inverting it): NaN when
    alpha is within `step` of a bound, where no two-sided curvature exists (a parameter on a bound has
    no usable standard error)."""
    n_obs = np.asarray(lengths, dtype="float64")
    inside = (alpha - step > SES_LOWER - 1e-15) & (alpha + step < SES_UPPER + 1e-15)
    a = np.clip(alpha, SES_LOWER + step, SES_UPPER - step)

    def llf(x: np.ndarray) -> np.ndarray:
        return -n_obs / 2 * np.log(_ses_concentrated(x, y, lengths)[1] / n_obs)

    curv = (llf(a + step) - 2 * llf(a) + llf(a - step)) / step**2
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.where(inside & (curv < 0), 1 / np.sqrt(np.where(curv < 0, -curv, 1.0)), np.nan)
    return se
