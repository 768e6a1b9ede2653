"""Did a local change work? Difference-in-differences, synthetic control and synthetic DiD.

Pure numpy: a balanced panel of areas × periods in, an estimate with its weights, standard error,
interval and a plain-English verdict out. The estimators are those of Arkhangelsky, Athey,
Hirshberg, Imbens and Wager, "Synthetic Difference-in-Differences", American Economic Review 111(12),
2021, as their R package synthdid computes them: unit and time weights by Frank–Wolfe with exact
line search, sparsified once, with the package's regularisation and stopping rule; synthetic
control and DiD as the special cases the package defines. Standard errors are the paper's placebo
(Algorithm 4, one treated area) and fixed-weights jackknife (Algorithm 3, several treated areas).
Replications of one innovation are pooled by DerSimonian and Laird's random-effects model.

The weight problems are solved from their Gram matrices (A'A, A'b, b'b) rather than from A, so
that many of them — every placebo, every area of a national scan — run as one batch.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

METHODS = ("sdid", "sc", "did")
METHOD_NAMES = {
    "sdid": "synthetic difference-in-differences",
    "sc": "synthetic control",
    "did": "difference-in-differences",
}
# synthdid's defaults: 100 Frank–Wolfe steps, sparsify, then up to 10,000 more.
STEPS_BEFORE_SPARSIFY = 100
MAX_STEPS = 10_000
REPLICATIONS = 200
Z95 = float(stats.norm.ppf(0.975))
MIN_PLACES_FOR_RANK = 19


class PanelError(ValueError):
    """A panel that cannot be evaluated; the message says where and what to change."""


@dataclass(frozen=True)
class Panel:
    """A balanced panel: one value per area and period, and which cells are under the change."""

    units: tuple[str, ...]
    periods: tuple[str, ...]
    values: np.ndarray  # (units, periods) float
    treated: np.ndarray  # (units, periods) bool

    @property
    def treated_units(self) -> tuple[str, ...]:
        return tuple(u for u, row in zip(self.units, self.treated, strict=True) if row.any())

    @property
    def first_treated_period(self) -> str:
        return self.periods[int(np.argmax(self.treated.any(axis=0)))]


@dataclass(frozen=True)
class Estimate:
    """An estimated effect of the change on the treated areas, averaged over the later periods."""

    method: str
    effect: float
    se: float
    interval: tuple[float, float]
    unit_weights: dict[str, float]  # comparison area -> weight (they sum to 1)
    time_weights: dict[str, float]  # earlier period -> weight (sum to 1; all 0 for synthetic control)
    treated_units: tuple[str, ...]
    periods: tuple[str, ...]
    first_treated_period: str
    treated_path: tuple[float, ...]  # the treated areas' mean in every period
    comparison_path: tuple[float, ...]  # the weighted comparison, shifted by the intercept
    se_method: str  # "placebo" or "jackknife"
    placebo_effects: dict[str, float] = field(default_factory=dict)  # comparison area as if treated
    verdict: str = ""

    @property
    def method_name(self) -> str:
        return METHOD_NAMES[self.method]

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "effect": self.effect,
            "se": self.se,
            "interval": list(self.interval),
            "se_method": self.se_method,
            "treated_units": list(self.treated_units),
            "first_treated_period": self.first_treated_period,
            "unit_weights": self.unit_weights,
            "time_weights": self.time_weights,
            "periods": list(self.periods),
            "treated_path": list(self.treated_path),
            "comparison_path": list(self.comparison_path),
            "placebo_effects": self.placebo_effects,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Pooled:
    """Replications of one innovation pooled by random effects (DerSimonian–Laird)."""

    effect: float
    se: float
    interval: tuple[float, float]
    tau_squared: float  # between-replication variance of the true effects
    i_squared: float  # share of the variation that is real rather than chance, 0 to 1
    q: float
    studies: int


# ---------------------------------------------------------------------------------------------
# Reading panels


def load_panel_csv(
    path: str | Path, *, unit: str, period: str, value: str, treated: str, sep: str = ","
) -> Panel:
    """Read a long-format panel (one row per area and period); PanelError names file, line and field."""
    path = Path(path)
    name = path.name
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=sep)
        header = reader.fieldnames or []
        missing = [c for c in (unit, period, value, treated) if c not in header]
        if missing:
            raise PanelError(
                f"{name} line 1: no column {', '.join(repr(m) for m in missing)}; "
                f"the columns are {', '.join(repr(h) for h in header) or 'none'}"
            )
        rows = [
            (line, row[unit], row[period], row[value], row[treated])
            for line, row in enumerate(reader, start=2)
        ]
    return panel_from_rows(rows, source=name, value_name=value, treated_name=treated)


def panel_from_rows(
    rows: Iterable[tuple[int, str, str, object, object]],
    *,
    source: str = "panel",
    value_name: str = "value",
    treated_name: str = "treated",
) -> Panel:
    """Build and check a panel from (line, unit, period, value, treated) rows.

    Values may be numbers or text holding a number; treated is 0/1 (or true/false). Every
    problem names the source and line, so a person can find and fix it.
    """
    cells: dict[tuple[str, str], tuple[int, float, bool]] = {}
    units: dict[str, None] = {}
    periods: dict[str, None] = {}
    for line, unit, period, raw_value, raw_treated in rows:
        where = f"{source} line {line}"
        unit, period = str(unit).strip(), str(period).strip()
        if not unit or not period:
            raise PanelError(f"{where}: enter both the area and the period")
        number = _number(raw_value)
        if number is None:
            raise PanelError(f"{where}: {value_name} {str(raw_value).strip()!r} is not a number")
        flag = _flag(raw_treated)
        if flag is None:
            raise PanelError(f"{where}: {treated_name} {str(raw_treated).strip()!r} must be 0 or 1")
        if (unit, period) in cells:
            first = cells[(unit, period)][0]
            raise PanelError(f"{where}: {unit} in {period} is already on line {first}; give each once")
        cells[(unit, period)] = (line, number, flag)
        units.setdefault(unit)
        periods.setdefault(period)
    if not cells:
        raise PanelError(f"{source}: there are no rows to evaluate")
    period_order = _sorted_periods(list(periods))
    unit_order = list(units)
    values = np.empty((len(unit_order), len(period_order)))
    treated = np.zeros(values.shape, dtype=bool)
    for i, u in enumerate(unit_order):
        for t, p in enumerate(period_order):
            cell = cells.get((u, p))
            if cell is None:
                raise PanelError(
                    f"{source}: {u} has no value for {p}; the panel must be balanced, "
                    "with every area measured in every period"
                )
            values[i, t], treated[i, t] = cell[1], cell[2]
    panel = Panel(tuple(unit_order), tuple(period_order), values, treated)
    check_design(panel, source)
    return panel


def check_design(panel: Panel, source: str = "panel") -> None:
    """The design the estimators need: areas that start together, earlier periods, comparisons."""
    rows = panel.treated
    if not rows.any():
        raise PanelError(f"{source}: no area is marked as treated; mark the changed area's later periods 1")
    treated_rows = rows[rows.any(axis=1)]
    first = int(np.argmax(rows.any(axis=0)))
    for unit, row in zip(panel.units, rows, strict=True):
        if not row.any():
            continue
        start = int(np.argmax(row))
        if start != first:
            raise PanelError(
                f"{source}: {unit} starts in {panel.periods[start]} but another area starts in "
                f"{panel.periods[first]}; every changed area must start in the same period"
            )
        if not row[start:].all():
            stop = start + int(np.argmin(row[start:]))
            raise PanelError(
                f"{source}: {unit} is treated from {panel.periods[start]} but not in "
                f"{panel.periods[stop]}; once started, a change must run to the last period"
            )
    if first < 2:
        unit = panel.units[int(np.argmax(rows[:, first]))]
        raise PanelError(
            f"{source}: {unit} is treated from {panel.periods[first]} with "
            f"{'no earlier period' if first == 0 else 'only one earlier period'}; "
            "at least two periods before the change are needed to compare trends"
        )
    controls = len(panel.units) - len(treated_rows)
    if controls < 2:
        raise PanelError(
            f"{source}: only {controls} comparison area{'s' if controls != 1 else ''}; "
            "at least two areas without the change are needed"
        )
    if not np.isfinite(panel.values).all():
        raise PanelError(f"{source}: every value must be a finite number")


def _number(raw: object) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(raw) else None
    text = str(raw).strip().replace(",", "") if raw is not None else ""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _flag(raw: object) -> bool | None:
    text = str(raw).strip().lower()
    if text in {"1", "1.0", "true", "yes"}:
        return True
    if text in {"0", "0.0", "false", "no"}:
        return False
    return None


def _sorted_periods(periods: list[str]) -> list[str]:
    # Years sort as numbers (999 before 1000); anything else (2024-25, 2025-Q1) sorts as text.
    try:
        return sorted(periods, key=float)
    except ValueError:
        return sorted(periods)


# ---------------------------------------------------------------------------------------------
# The weights: Frank–Wolfe on the simplex, many problems at once


def sum_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; a row of zeros becomes uniform (synthdid's sum_normalize)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    total = x.sum(axis=1, keepdims=True)
    uniform = np.full_like(x, 1.0 / x.shape[1])
    return np.where(total != 0, x / np.where(total != 0, total, 1.0), uniform)


def sparsify(x: np.ndarray) -> np.ndarray:
    """Zero the weights at most a quarter of the largest, then rescale (synthdid's sparsify_function)."""
    x = np.where(x <= x.max(axis=1, keepdims=True) / 4, 0.0, x)
    return x / x.sum(axis=1, keepdims=True)


def simplex_weights(
    gram: np.ndarray,
    cross: np.ndarray,
    base: np.ndarray,
    rows: np.ndarray | float,
    zeta: np.ndarray | float,
    start: np.ndarray,
    allowed: np.ndarray | None = None,
    min_decrease: np.ndarray | float = 1e-3,
    max_iter: int = 1_000,
) -> np.ndarray:
    """Frank–Wolfe with exact line search for  min_x ζ²‖x‖² + ‖Ax − b‖²/n  over the simplex.

    Each row of `start` is one problem, given by A'A (`gram`: one (k, k) matrix shared by all, or
    (B, k, k)), A'b (`cross`, (B, k)), b'b (`base`) and n (`rows`). `allowed` masks the weights a
    problem may use. A problem stops, as in synthdid's sc.weight.fw, once an iteration lowers the
    objective by no more than min_decrease², or after max_iter iterations.
    """
    batch = start.shape[0]
    shared = gram.ndim == 2
    as_batch = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (batch,)).copy()  # noqa: E731
    rows_b, zeta_b, stop_b = as_batch(rows), as_batch(zeta), as_batch(min_decrease) ** 2
    eta_b = rows_b * zeta_b**2
    out = np.asarray(start, dtype=float).copy()
    x = out.copy()
    gx = x @ gram if shared else np.einsum("bk,bkj->bj", x, gram)
    c = np.asarray(cross, dtype=float).copy()
    bb = as_batch(base)
    # x'Gx, x'c and x'x are carried from step to step, so a step costs a few passes over (B, k).
    xgx, xc, xx = (x * gx).sum(1), (x * c).sum(1), (x * x).sum(1)
    if allowed is not None:
        c = np.where(allowed, c, -1e300)  # a blocked weight's gradient is then never the least
    live = np.arange(batch)
    previous = np.full(batch, np.inf)
    running = np.ones(batch, dtype=bool)
    step_count = 0
    while step_count < max_iter and live.size:
        step_count += 1
        index = np.arange(live.size)
        eta = eta_b[live]
        grad = gx - c
        grad += eta[:, None] * x
        i = np.argmin(grad, axis=1)
        gram_row = gram[i] if shared else gram[live, i]
        g_ii = gram_row[index, i]
        gx_i, x_i, c_i = gx[index, i], x[index, i], c[index, i]
        # Along d = e_i − x: ‖A d‖² = G_ii − 2(Gx)_i + x'Gx, ‖d‖² = x'x − 2x_i + 1, slope = grad·d.
        slope = gx_i - c_i + eta * x_i - (xgx - xc + eta * xx)
        curvature = g_ii - 2 * gx_i + xgx + eta * (xx - 2 * x_i + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(curvature > 0, -slope / curvature, 0.0)
        step = np.clip(step, 0.0, 1.0) * running[live]
        keep = 1.0 - step
        x *= keep[:, None]
        x[index, i] += step
        gx *= keep[:, None]
        gx += step[:, None] * gram_row
        xgx = keep**2 * xgx + 2 * step * keep * gx_i + step**2 * g_ii
        xc = keep * xc + step * c_i
        xx = keep**2 * xx + 2 * step * keep * x_i + step**2
        value = zeta_b[live] ** 2 * xx + (xgx - 2 * xc + bb[live]) / rows_b[live]
        if step_count >= 2:
            running[live] &= previous[live] - value > stop_b[live]
        previous[live] = value
        done = ~running[live]
        if done.any() and (done.sum() * 8 >= live.size or step_count % 25 == 0):
            out[live[done]] = x[done]
            kept = ~done
            live, x, gx, c = live[kept], x[kept], gx[kept], c[kept]
            xgx, xc, xx = xgx[kept], xc[kept], xx[kept]
    out[live] = x
    return out


def fit_weights(
    gram: np.ndarray,
    cross: np.ndarray,
    base: np.ndarray,
    rows: np.ndarray | float,
    zeta: np.ndarray | float,
    start: np.ndarray,
    allowed: np.ndarray | None,
    min_decrease: np.ndarray | float,
) -> np.ndarray:
    """synthdid's two passes: 100 steps, sparsify, then on to convergence from the sparse start."""
    first = simplex_weights(
        gram, cross, base, rows, zeta, start, allowed, min_decrease, STEPS_BEFORE_SPARSIFY
    )
    return simplex_weights(gram, cross, base, rows, zeta, sparsify(first), allowed, min_decrease, MAX_STEPS)


def simplex_weights_exact(
    rows: np.ndarray,
    targets: np.ndarray,
    allowed: np.ndarray,
    eta: np.ndarray,
    start: np.ndarray,
    max_iter: int = 100,
) -> np.ndarray:
    """min_x η‖x‖² + ‖Σ_k x_k a_k − a_target‖² over the simplex, solved exactly from its dual.

    `rows` holds the vectors a_k (N, p); problem b may use the rows in allowed[b]. The optimum is
    x = P_Δ(A'u) with u = (a_target − Ax)/η (the KKT conditions), so semismooth Newton on that
    p-dimensional u with a backtracking line search (Qi and Sun, Math. Programming 58, 1993)
    reaches it in a few steps where Frank–Wolfe takes thousands; warm started from `start`.
    """
    p = rows.shape[1]
    outer = np.einsum("ni,nj->nij", rows, rows).reshape(len(rows), p * p)
    goal = rows[targets]
    eta = np.asarray(eta, dtype=float)
    u = (goal - start @ rows) / eta[:, None]
    # Stop once the KKT residual is at rounding level for the data's scale.
    tolerance = 1e-10 * (1.0 + float(np.abs(rows).max(initial=0.0)))
    out = np.empty_like(start, dtype=float)
    live = np.arange(len(u))

    def dual(u: np.ndarray, live: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = _project_to_simplex(u @ rows.T, allowed[live])
        residual = x @ rows - goal[live] + eta[live, None] * u  # the dual gradient, halved
        # The dual objective (convex in u), whose gradient is twice the residual above.
        objective = (
            -(x * x).sum(1) + 2 * (u * (x @ rows - goal[live])).sum(1) + eta[live] * (u * u).sum(1)
        )
        return x, residual, objective

    x, residual, objective = dual(u, live)
    for _ in range(max_iter):
        done = np.abs(residual).max(axis=1) <= tolerance
        out[live[done]] = x[done]
        keep = ~done
        live, u, x, residual, objective = live[keep], u[keep], x[keep], residual[keep], objective[keep]
        if not live.size:
            break
        # The generalised Hessian (halved): A_S (I − 11'/|S|) A_S' + ηI on the support S of x.
        support = (x > 0).astype(float)
        spread = support @ rows
        hessian = (support @ outer).reshape(-1, p, p)
        hessian -= np.einsum("bi,bj->bij", spread, spread) / support.sum(1)[:, None, None]
        hessian += eta[live, None, None] * np.eye(p)
        direction = -np.linalg.solve(hessian, residual[..., None])[..., 0]
        slope = 2 * (residual * direction).sum(1)
        step = np.ones(len(live))
        pending = np.arange(len(live))
        for _ in range(40):  # Armijo backtracking; the full step is almost always taken
            trial = u[pending] + step[pending, None] * direction[pending]
            new = dual(trial, live[pending])
            slack = 1e-4 * step[pending] * slope[pending] + 1e-13 * np.abs(objective[pending])
            ok = new[2] <= objective[pending] + slack
            taken = pending[ok]
            u[taken] = trial[ok]
            x[taken], residual[taken], objective[taken] = (part[ok] for part in new)
            pending = pending[~ok]
            if not pending.size:
                break
            step[pending] /= 2
    out[live] = x
    return out


def _project_to_simplex(v: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Each row's nearest point on the simplex of its allowed entries (Held, Wolfe and Crowder 1974)."""
    v = np.where(allowed, v, -np.inf)
    ordered = -np.sort(-v, axis=1)
    totals = np.cumsum(np.where(np.isfinite(ordered), ordered, 0.0), axis=1)
    count = np.arange(1, v.shape[1] + 1)
    with np.errstate(invalid="ignore"):
        size = (ordered - (totals - 1) / count > 0).sum(axis=1)
    shift = (totals[np.arange(len(v)), size - 1] - 1) / size
    return np.maximum(v - shift[:, None], 0.0)


def noise_level(control_pre: np.ndarray) -> float:
    """The standard deviation of period-to-period changes among comparison areas before the change."""
    changes = np.diff(control_pre, axis=-1)
    return float(np.std(changes, ddof=1)) if changes.size > 1 else 0.0


# ---------------------------------------------------------------------------------------------
# One treated series against comparison areas: the batched estimator


@dataclass(frozen=True)
class _Settings:
    method: str
    zeta_omega: np.ndarray
    zeta_lambda: np.ndarray
    min_decrease: np.ndarray


def _settings(method: str, noise: np.ndarray, treated_count: int, post_count: int) -> _Settings:
    noise = np.asarray(noise, dtype=float)
    # ζ_ω = (N_tr·T_post)^¼ σ (AER 2021, eq. 2.2); a vanishing ζ for λ and for synthetic control.
    omega_scale = (treated_count * post_count) ** 0.25 if method == "sdid" else 1e-6
    return _Settings(method, omega_scale * noise, 1e-6 * noise, 1e-5 * noise)


def _solve(
    values: np.ndarray,
    pre: int,
    targets: np.ndarray,
    excluded: np.ndarray,
    settings: _Settings,
    omega_start: np.ndarray | None = None,
    lambda_start: np.ndarray | None = None,
    exact_units: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Problem b treats row targets[b] of `values` and compares it with every row not excluded[b].

    Returns unit weights (B, N) (zero on excluded rows), time weights (B, pre) and effects (B,).
    With `exact_units`, SDID's unit weights are solved exactly (`simplex_weights_exact`), not by
    Frank–Wolfe, whose answer depends on where it starts by about 1e-2 of an effect.
    """
    batch = len(targets)
    post_mean = values[:, pre:].mean(axis=1)
    allowed = ~excluded
    donors = allowed.sum(axis=1)

    if settings.method == "did":
        omega = allowed / donors[:, None]
        lam = np.full((batch, pre), 1.0 / pre)
    else:
        if settings.method == "sdid":
            lam = _time_weights(values, pre, post_mean, allowed, donors, settings, lambda_start)
        else:
            lam = np.zeros((batch, pre))
        centred = values[:, :pre]
        if settings.method == "sdid":  # an intercept: only the shape of each area's path matters
            centred = centred - centred.mean(axis=1, keepdims=True)
        start = allowed / donors[:, None] if omega_start is None else omega_start
        if exact_units and settings.method == "sdid":
            eta = pre * settings.zeta_omega**2
            omega = simplex_weights_exact(centred, targets, allowed, eta, start)
        else:  # synthetic control's vanishing ζ would leave the exact solver's dual ill-conditioned
            gram = centred @ centred.T
            omega = fit_weights(
                gram, gram[targets], gram[targets, targets], pre, settings.zeta_omega, start, allowed,
                settings.min_decrease,
            )
    # τ = (ȳ_tr,post − λ'y_tr,pre) − Σ ω_i (ȳ_i,post − λ'y_i,pre)
    gap = post_mean[None, :] - lam @ values[:, :pre].T  # (B, N)
    effect = gap[np.arange(batch), targets] - (omega * gap).sum(axis=1)
    return omega, lam, effect


def _time_weights(
    values: np.ndarray,
    pre: int,
    post_mean: np.ndarray,
    allowed: np.ndarray,
    donors: np.ndarray,
    settings: _Settings,
    start: np.ndarray | None,
) -> np.ndarray:
    # Rows: comparison areas; columns: earlier periods, then the later periods' mean. The centred
    # Gram over each problem's comparison areas comes from sums, as S − n m m'.
    z = np.column_stack([values[:, :pre], post_mean])
    z = z - z.mean(axis=0)  # shifting first keeps the subtraction below well conditioned
    weight = allowed.astype(float)
    sums = weight @ z  # (B, pre+1)
    squares = np.einsum("bn,ni,nj->bij", weight, z, z) if len(weight) < 64 else _gram_by_removal(z, allowed)
    centred = squares - np.einsum("bi,bj->bij", sums, sums) / donors[:, None, None]
    gram, cross, base = centred[:, :pre, :pre], centred[:, :pre, pre], centred[:, pre, pre]
    batch = len(allowed)
    start = np.full((batch, pre), 1.0 / pre) if start is None else start
    return fit_weights(gram, cross, base, donors, settings.zeta_lambda, start, None, settings.min_decrease)


def _gram_by_removal(z: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    # Most problems leave out one or two areas: start from all areas and take those away.
    total = z.T @ z
    out = np.broadcast_to(total, (len(allowed), *total.shape)).copy()
    left_out = np.nonzero(~allowed)
    np.subtract.at(out, left_out[0], np.einsum("ni,nj->nij", z[left_out[1]], z[left_out[1]]))
    return out


# ---------------------------------------------------------------------------------------------
# The public estimator


def estimate(
    panel: Panel, method: str = "sdid", *, replications: int = REPLICATIONS, seed: int = 0
) -> Estimate:
    """Estimate the change's effect on the treated areas by `method` ("sdid", "sc" or "did").

    One treated area: placebo standard error (Algorithm 4): each comparison area in turn is
    treated as if it had changed, its estimate made with the original ζ and weights as a start,
    and `replications` draws of those placebo estimates give the spread. Several treated areas:
    the fixed-weights jackknife (Algorithm 3). Interval: estimate ± 1.96 standard errors.
    """
    if method not in METHODS:
        raise PanelError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    check_design(panel)
    is_treated = panel.treated.any(axis=1)
    controls = np.flatnonzero(~is_treated)
    treated = np.flatnonzero(is_treated)
    pre = int(np.argmax(panel.treated.any(axis=0)))
    post = len(panel.periods) - pre
    y_controls = panel.values[controls]
    treated_mean = panel.values[treated].mean(axis=0)
    values = np.vstack([y_controls, treated_mean])  # the treated areas' mean is one target row
    n0 = len(controls)
    noise = noise_level(y_controls[:, :pre])
    settings = _settings(method, np.array([noise]), len(treated), post)
    excluded = np.zeros((1, n0 + 1), dtype=bool)
    excluded[0, n0] = True
    omega, lam, effect = _solve(values, pre, np.array([n0]), excluded, settings)
    omega, lam, tau = omega[0, :n0], lam[0], float(effect[0])

    control_names = [panel.units[i] for i in controls]
    placebos: dict[str, float] = {}
    if len(treated) == 1:
        effects = placebo_effects(y_controls, pre, settings, omega, lam)
        placebos = dict(zip(control_names, effects.tolist(), strict=True))
        se = float(placebo_se(effects[placebo_draws(n0, replications, seed)]))
        se_method = "placebo"
    else:
        se = jackknife_se(y_controls, panel.values[treated], pre, omega, lam)
        se_method = "jackknife"

    offset = float(lam @ (treated_mean[:pre] - omega @ y_controls[:, :pre]))
    comparison = omega @ y_controls + offset
    interval = (tau - Z95 * se, tau + Z95 * se)
    result = Estimate(
        method=method,
        effect=tau,
        se=se,
        interval=interval,
        unit_weights=dict(zip(control_names, omega.tolist(), strict=True)),
        time_weights=dict(zip(panel.periods[:pre], lam.tolist(), strict=True)),
        treated_units=tuple(panel.units[i] for i in treated),
        periods=panel.periods,
        first_treated_period=panel.periods[pre],
        treated_path=tuple(treated_mean.tolist()),
        comparison_path=tuple(comparison.tolist()),
        se_method=se_method,
        placebo_effects=placebos,
    )
    return _with_verdict(result)


def placebo_effects(
    y_controls: np.ndarray, pre: int, settings: _Settings, omega: np.ndarray, lam: np.ndarray
) -> np.ndarray:
    """Each comparison area's estimate as if it alone had made the change, the rest comparing.

    As synthdid's placebo_se: both weights refitted with the original ζ, from the original unit
    weights (less the placebo area, rescaled) and time weights; SDID's unit weights exactly.
    """
    n0 = len(y_controls)
    targets = np.arange(n0)
    excluded = np.eye(n0, dtype=bool)
    start = sum_normalize(np.where(excluded, 0.0, omega[None, :]))
    lambda_start = np.repeat(lam[None, :], n0, axis=0)
    each = _pick(settings, np.zeros(n0, dtype=int))
    return _solve(y_controls, pre, targets, excluded, each, start, lambda_start, exact_units=True)[2]


def placebo_draws(count: int, replications: int, seed: int) -> np.ndarray:
    """Which comparison area (by position) each placebo replication treats, drawn with replacement."""
    return np.random.default_rng(seed).integers(count, size=replications)


def placebo_se(draws: np.ndarray) -> np.ndarray:
    """The placebo standard error over the last axis: √((B−1)/B) × sd (Algorithm 4, as synthdid)."""
    count = draws.shape[-1]
    return math.sqrt((count - 1) / count) * np.std(draws, axis=-1, ddof=1)


def _pick(settings: _Settings, index: np.ndarray) -> _Settings:
    """The settings of problem index[b] for each problem b of a new batch."""
    return _Settings(
        settings.method, settings.zeta_omega[index], settings.zeta_lambda[index], settings.min_decrease[index]
    )


def jackknife_se(
    y_controls: np.ndarray, y_treated: np.ndarray, pre: int, omega: np.ndarray, lam: np.ndarray
) -> float:
    """Fixed-weights jackknife over every area (Algorithm 3); NaN where it is undefined."""
    n0, n1 = len(y_controls), len(y_treated)
    if n1 < 2 or np.count_nonzero(omega) <= 1:
        return float("nan")
    gap_c = y_controls[:, pre:].mean(axis=1) - y_controls[:, :pre] @ lam
    gap_t = y_treated[:, pre:].mean(axis=1) - y_treated[:, :pre] @ lam
    without_control = []
    for i in range(n0):
        weights = np.delete(omega, i)
        weights = weights / weights.sum()
        without_control.append(gap_t.mean() - weights @ np.delete(gap_c, i))
    without_treated = (gap_t.sum() - gap_t) / (n1 - 1) - omega @ gap_c
    u = np.concatenate([without_control, without_treated])
    n = len(u)
    return float(math.sqrt((n - 1) / n * ((u - u.mean()) ** 2).sum()))


# ---------------------------------------------------------------------------------------------
# Reading the result


def verdict(result: Estimate, unit: str = "") -> str:
    """A sentence a resident can read: how big, how sure, and against how many places."""
    places = "the changed area" if len(result.treated_units) == 1 else "the changed areas"
    direction = "rose" if result.effect > 0 else "fell"
    size = f"{abs(result.effect):,.{_places(result.effect)}f}{unit}"
    low, high = result.interval
    sentence = (
        f"Compared with similar places, the measure in {places} {direction} by {size} "
        f"(95% interval {low:,.{_places(low)}f} to {high:,.{_places(high)}f})."
    )
    if result.placebo_effects:
        values = np.abs(np.fromiter(result.placebo_effects.values(), float))
        larger = int((values < abs(result.effect)).sum())
        total = len(values)
        sentence += f" The change is larger than in {larger} of {total} comparable places"
        # A rank among n places can only reach 1 in n: below 19 places, 5% is out of reach.
        chance = (total - larger) / total
        sentence += (
            "; with so few places to compare, chance cannot be ruled out." if total < MIN_PLACES_FOR_RANK
            else ", so it is unlikely to be chance." if chance <= 0.05
            else ", so chance could explain it." if chance > 0.2
            else ", which is suggestive but could still be chance."
        )
    elif math.isnan(result.se):
        sentence += " There are too few areas to say how sure this is."
    else:
        excludes_zero = low > 0 or high < 0
        sentence += (
            " The interval does not include zero, so it is unlikely to be chance." if excludes_zero
            else " The interval includes zero, so chance could explain it."
        )
    return sentence


def _with_verdict(result: Estimate) -> Estimate:
    from dataclasses import replace

    return replace(result, verdict=verdict(result))


def _places(value: float) -> int:
    return 0 if abs(value) >= 100 else 1 if abs(value) >= 1 else 2


def pool_replications(effects: Sequence[float], ses: Sequence[float]) -> Pooled:
    """Random-effects pooled effect (DerSimonian and Laird, Controlled Clinical Trials 7, 1986)."""
    y = np.asarray(effects, dtype=float)
    s = np.asarray(ses, dtype=float)
    if len(y) != len(s) or len(y) == 0:
        raise ValueError("give one standard error for each effect, and at least one effect")
    if (s <= 0).any() or not np.isfinite(s).all():
        raise ValueError("every standard error must be a positive number")
    w = 1.0 / s**2
    fixed = float((w * y).sum() / w.sum())
    q = float((w * (y - fixed) ** 2).sum())
    df = len(y) - 1
    c = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q - df) / c) if c > 0 else 0.0
    w_star = 1.0 / (s**2 + tau2)
    pooled = float((w_star * y).sum() / w_star.sum())
    se = float(1.0 / math.sqrt(w_star.sum()))
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return Pooled(pooled, se, (pooled - Z95 * se, pooled + Z95 * se), tau2, i2, q, len(y))


# ---------------------------------------------------------------------------------------------
# A national scan: every area in turn as if it alone had changed


@dataclass(frozen=True)
class ScanResult:
    unit: str
    effect: float
    se: float


def scan(
    panel_values: np.ndarray,
    units: Sequence[str],
    pre: int,
    *,
    replications: int = REPLICATIONS,
    seed: int = 0,
    batch_size: int = 16_384,
) -> list[ScanResult]:
    """SDID with placebo standard errors for every area in turn, the others as its comparisons.

    Each area's estimate and standard error are `estimate`'s with that area treated and the same
    seed: its placebo draws refit SDID, unit and time weights, with a drawn comparison area as if
    treated and the rest comparing (Algorithm 4). Only the distinct areas drawn are fitted (about
    146 of 299 for 200 draws), all areas' placebos as batches of `batch_size` fits. Placebo j of
    area i differs from area j's own fit only by dropping area i, so that fit, less i, starts the
    exact unit-weight solve a Newton step or two from its answer.
    """
    values = np.asarray(panel_values, dtype=float)
    count, periods = values.shape
    if count < 3 or not 2 <= pre < periods:
        raise PanelError("a scan needs three areas or more, two periods before the change and one after")
    post = periods - pre
    noise = np.array([noise_level(np.delete(values[:, :pre], i, axis=0)) for i in range(count)])
    settings = _settings("sdid", noise, 1, post)
    omega, lam, effects = _solve(values, pre, np.arange(count), np.eye(count, dtype=bool), settings)
    # Every area draws the same positions among its comparisons, as `estimate` with this seed would.
    drawn, which = np.unique(placebo_draws(count - 1, replications, seed), return_inverse=True)
    treated = np.repeat(np.arange(count), len(drawn))
    position = np.tile(drawn, count)
    placebo = position + (position >= treated)  # the position-th area other than the treated one
    placebos = np.empty(len(treated))
    for first in range(0, len(treated), batch_size):
        i, j = treated[first:first + batch_size], placebo[first:first + batch_size]
        excluded = np.zeros((len(i), count), dtype=bool)
        excluded[np.arange(len(i)), i] = excluded[np.arange(len(i)), j] = True
        start = sum_normalize(np.where(excluded, 0.0, omega[j]))
        placebos[first:first + batch_size] = _solve(
            values, pre, j, excluded, _pick(settings, i), start, lam[i], exact_units=True
        )[2]
    ses = placebo_se(placebos.reshape(count, len(drawn))[:, which])
    return [ScanResult(unit, float(e), float(s)) for unit, e, s in zip(units, effects, ses, strict=True)]
