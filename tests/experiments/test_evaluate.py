"""The pure estimators: Prop 99 against the published numbers, hand-computed cases, properties, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.experiments import evaluate
from commonweal.experiments.evaluate import Panel, PanelError

# Arkhangelsky et al. (2021), Table 1, to the digits synthdid prints; synthetic control as synthdid.
PUBLISHED = {"did": -27.34911, "sdid": -15.60383, "sc": -19.61966}
TOLERANCE = 2e-3


@pytest.fixture(scope="module")
def prop99(shared_data) -> Panel:
    return evaluate.load_panel_csv(
        shared_data("experiments/california_prop99.csv"),
        unit="State", period="Year", value="PacksPerCapita", treated="treated", sep=";",
    )


def make_panel(values, treated_rows: int = 1, start: int | None = None) -> Panel:
    """The last `treated_rows` rows are treated from column `start` (the last column by default)."""
    values = np.asarray(values, dtype=float)
    n, t = values.shape
    treated = np.zeros((n, t), dtype=bool)
    treated[n - treated_rows:, (t - 1 if start is None else start):] = True
    units = tuple(f"area {i}" for i in range(n))
    return Panel(units, tuple(str(2000 + j) for j in range(t)), values, treated)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "panel.csv"
    path.write_text(text, encoding="utf-8")
    return path


# --- Prop 99 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["did", "sdid", "sc"])
def test_prop99_effect_matches_the_published_estimate(prop99: Panel, method: str) -> None:
    assert evaluate.estimate(prop99, method).effect == pytest.approx(PUBLISHED[method], abs=TOLERANCE)


def test_prop99_sdid_weights_are_synthdids(prop99: Panel) -> None:
    result = evaluate.estimate(prop99, "sdid")

    assert result.unit_weights["Nevada"] == pytest.approx(0.124, abs=1e-3)
    assert result.unit_weights["New Hampshire"] == pytest.approx(0.105, abs=1e-3)
    assert {p for p, w in result.time_weights.items() if w > 0} == {"1986", "1987", "1988"}
    assert result.time_weights["1988"] == pytest.approx(0.427, abs=1e-3)
    assert sum(result.unit_weights.values()) == pytest.approx(1)


def test_prop99_verdict_counts_the_comparable_places(prop99: Panel) -> None:
    result = evaluate.estimate(prop99, "sdid")

    assert result.se_method == "placebo"
    assert len(result.placebo_effects) == 38
    assert "larger than in 37 of 38 comparable places" in result.verdict
    assert result.interval[0] < result.effect < result.interval[1]


def test_prop99_comparison_path_averages_to_the_effect_after_the_change(prop99: Panel) -> None:
    result = evaluate.estimate(prop99, "sdid")
    paths = zip(result.treated_path, result.comparison_path, result.periods, strict=True)
    later = [a - b for a, b, p in paths if p >= "1989"]

    assert np.mean(later) == pytest.approx(result.effect, abs=1e-9)


# --- hand-computed cases ----------------------------------------------------------------------


def test_did_is_the_difference_of_before_after_differences() -> None:
    values = [[10, 12, 15], [20, 21, 25], [30, 33, 45]]

    result = evaluate.estimate(make_panel(values), "did")

    # treated: 45 − 31.5 = 13.5; comparisons: (15 − 11 + 25 − 20.5) / 2 = 4.25
    assert result.effect == pytest.approx(13.5 - 4.25)
    assert result.unit_weights == {"area 0": 0.5, "area 1": 0.5}
    assert result.time_weights == {"2000": 0.5, "2001": 0.5}


def test_synthetic_control_finds_the_mix_that_matches_the_treated_area() -> None:
    rng = np.random.default_rng(3)
    a, b, c = rng.normal(50, 5, (3, 12))
    treated = 0.7 * a + 0.3 * b
    treated[8:] += 4.0

    result = evaluate.estimate(make_panel([a, b, c, treated], start=8), "sc")

    assert result.unit_weights["area 0"] == pytest.approx(0.7, abs=0.02)
    assert result.effect == pytest.approx(4.0, abs=0.1)
    assert set(result.time_weights.values()) == {0.0}


def test_several_treated_areas_use_the_fixed_weights_jackknife() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(0, 1, (8, 6)) + np.arange(6)
    panel = make_panel(values, treated_rows=3, start=4)

    result = evaluate.estimate(panel, "did")

    # Algorithm 3 by hand: leave each area out, recompute the DiD, spread of the eight estimates.
    def did(rows_c, rows_t):
        gap = lambda r: r[4:].mean() - r[:4].mean()  # noqa: E731
        return np.mean([gap(r) for r in rows_t]) - np.mean([gap(r) for r in rows_c])

    controls, treated = values[:5], values[5:]
    u = [did(np.delete(controls, i, 0), treated) for i in range(5)]
    u += [did(controls, np.delete(treated, i, 0)) for i in range(3)]
    expected = math.sqrt(7 / 8 * ((np.array(u) - np.mean(u)) ** 2).sum())
    assert result.se_method == "jackknife"
    assert result.se == pytest.approx(expected)
    assert result.effect == pytest.approx(did(controls, treated))


def test_pooled_effect_is_dersimonian_laird_by_hand() -> None:
    pooled = evaluate.pool_replications([1.0, 3.0], [1.0, 1.0])

    # w = 1, 1; fixed = 2; Q = 2; C = 1; τ² = (2 − 1)/1 = 1; w* = ½, ½; pooled 2, se = 1.
    assert pooled.effect == pytest.approx(2.0)
    assert pooled.tau_squared == pytest.approx(1.0)
    assert pooled.se == pytest.approx(1.0)
    assert pooled.i_squared == pytest.approx(0.5)
    assert pooled.interval == pytest.approx((2 - 1.959964, 2 + 1.959964), abs=1e-6)


def test_pooling_identical_replications_shows_no_variation() -> None:
    pooled = evaluate.pool_replications([2.0, 2.0, 2.0], [1.0, 2.0, 1.0])

    assert pooled.tau_squared == 0.0
    assert pooled.i_squared == 0.0
    assert pooled.effect == pytest.approx(2.0)


# --- properties ---------------------------------------------------------------------------------

panels = st.integers(min_value=0, max_value=10_000).map(
    lambda seed: np.random.default_rng(seed).normal(50, 10, (6, 6))
)


@settings(max_examples=15, deadline=None)
@given(values=panels, shift=st.floats(-50, 50), method=st.sampled_from(["did", "sc", "sdid"]))
def test_adding_an_effect_to_the_treated_cells_moves_the_estimate_by_exactly_that(values, shift, method):
    base = make_panel(values, start=4)
    moved = Panel(base.units, base.periods, base.values + shift * base.treated, base.treated)

    before = evaluate.estimate(base, method).effect
    after = evaluate.estimate(moved, method).effect

    assert after - before == pytest.approx(shift, abs=1e-6)


@settings(max_examples=15, deadline=None)
@given(values=panels, levels=st.lists(st.floats(-100, 100), min_size=6, max_size=6),
       method=st.sampled_from(["did", "sdid"]))
def test_area_levels_do_not_change_estimators_with_intercepts(values, levels, method):
    base = make_panel(values, start=4)
    shifted = Panel(base.units, base.periods, base.values + np.array(levels)[:, None], base.treated)

    assert evaluate.estimate(shifted, method).effect == pytest.approx(
        evaluate.estimate(base, method).effect, abs=1e-4
    )


@settings(max_examples=15, deadline=None)
@given(values=panels, method=st.sampled_from(["did", "sc", "sdid"]))
def test_weights_lie_on_the_simplex(values, method):
    result = evaluate.estimate(make_panel(values, start=3), method)

    for weights in (result.unit_weights, result.time_weights if method != "sc" else {"": 1.0}):
        assert min(weights.values()) >= 0
        assert sum(weights.values()) == pytest.approx(1)


# --- coverage of the intervals ----------------------------------------------------------------


def test_did_placebo_intervals_cover_the_planted_effect_in_90_to_99_percent_of_200_runs() -> None:
    covered = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        values = rng.normal(50, 5, (25, 1)) + rng.normal(0, 2, (1, 10)) + rng.normal(0, 1, (25, 10))
        panel = make_panel(values, start=6)
        panel = Panel(panel.units, panel.periods, panel.values + 3.0 * panel.treated, panel.treated)
        low, high = evaluate.estimate(panel, "did", seed=seed).interval
        covered += low <= 3.0 <= high
    assert 180 <= covered <= 198


def test_sdid_scan_intervals_cover_a_true_zero_in_90_to_99_percent_of_200_areas() -> None:
    rng = np.random.default_rng(11)
    loadings = rng.normal(1, 0.5, (200, 1))
    values = (rng.normal(50, 5, (200, 1)) + rng.normal(0, 1, (1, 12)).cumsum(axis=1) * loadings
              + rng.normal(0, 1, (200, 12)))

    results = evaluate.scan(values, [str(i) for i in range(200)], 8)

    covered = sum(abs(r.effect) <= evaluate.Z95 * r.se for r in results)
    assert 180 <= covered <= 198


def test_scan_gives_each_area_the_estimate_it_would_get_alone() -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(50, 5, (12, 1)) + rng.normal(0, 1, (12, 8)).cumsum(axis=1)

    scanned = evaluate.scan(values, [f"area {i}" for i in range(12)], 5)

    alone = evaluate.estimate(
        Panel(tuple(f"area {i}" for i in range(12)), tuple(str(p) for p in range(8)), values,
              np.isin(np.arange(12), [3])[:, None] & (np.arange(8) >= 5)[None, :])
    )
    assert scanned[3].effect == pytest.approx(alone.effect, abs=1e-9)


def test_scan_standard_errors_are_the_refitted_placebos_estimate_gives_each_area() -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(50, 5, (12, 1)) + rng.normal(0, 1, (12, 8)).cumsum(axis=1)
    units = tuple(f"area {i}" for i in range(12))

    scanned = evaluate.scan(values, units, 5, replications=50, seed=4)

    later = (np.arange(8) >= 5)[None, :]
    for area in range(12):
        treated = (np.arange(12) == area)[:, None] & later
        panel = Panel(units, tuple(str(p) for p in range(8)), values, treated)
        alone = evaluate.estimate(panel, replications=50, seed=4)
        assert scanned[area].se == pytest.approx(alone.se, abs=1e-9)


def test_prop99_placebo_error_matches_frank_wolfe_refits(prop99: Panel) -> None:
    # 10.3047 is the SE with every placebo's unit weights refitted by synthdid's Frank–Wolfe (seed 0).
    assert evaluate.estimate(prop99, "sdid").se == pytest.approx(10.3047, rel=1e-3)


def test_exact_unit_weights_meet_the_optimality_conditions_and_beat_frank_wolfe() -> None:
    rng = np.random.default_rng(8)
    values = rng.normal(0, 1, (40, 1)) + rng.normal(0, 1, (40, 10)).cumsum(axis=1)
    rows = values - values.mean(axis=1, keepdims=True)
    gram = rows @ rows.T
    targets = np.arange(40)
    allowed = ~np.eye(40, dtype=bool)
    eta = np.full(40, 10 * 0.5**2)
    start = evaluate.sum_normalize(allowed.astype(float))

    x = evaluate.simplex_weights_exact(rows, targets, allowed, eta, start)

    # KKT: the gradient η x + G x − G[:, target] is equal on the weights in use, no lower elsewhere.
    gradient = eta[:, None] * x + x @ gram - gram[targets]
    used = x > 0
    assert np.allclose(x.sum(axis=1), 1) and (x >= 0).all() and not (x * ~allowed).any()
    for g, on, ok in zip(gradient, used, allowed, strict=True):
        assert np.ptp(g[on]) < 1e-9
        assert (g[ok & ~on] >= g[on].max() - 1e-9).all()
    frank_wolfe = evaluate.fit_weights(
        gram, gram[targets], gram[targets, targets], 10, 0.5, start, allowed, 1e-6
    )
    loss = lambda w: eta * (w * w).sum(1) + (w * (w @ gram)).sum(1) - 2 * (w * gram[targets]).sum(1)  # noqa: E731
    assert (loss(x) <= loss(frank_wolfe) + 1e-12).all()


# --- reading panels and bad input ---------------------------------------------------------------

GOOD = "area;year;value;treated\n" + "".join(
    f"{a};{y};{v};{int(a == 'C' and y >= 2003)}\n"
    for a, base in (("A", 10), ("B", 20), ("C", 30))
    for y, v in ((y, base + y - 2000) for y in range(2000, 2005))
)


def load(path: Path) -> Panel:
    return evaluate.load_panel_csv(
        path, unit="area", period="year", value="value", treated="treated", sep=";"
    )


def test_a_long_csv_becomes_a_balanced_panel_in_period_order(tmp_path: Path) -> None:
    lines = GOOD.splitlines()
    panel = load(write(tmp_path, "\n".join([lines[0], *reversed(lines[1:])]) + "\n"))

    assert panel.periods == ("2000", "2001", "2002", "2003", "2004")
    assert panel.treated_units == ("C",)
    assert panel.first_treated_period == "2003"


def test_a_missing_row_is_named_as_an_unbalanced_panel(tmp_path: Path) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if line != "B;2002;22;0") + "\n"

    with pytest.raises(PanelError, match=r"panel\.csv: B has no value for 2002; the panel must be balanced"):
        load(write(tmp_path, text))


def test_a_non_numeric_value_is_named_by_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("B;2002;22;0", "B;2002;twenty;0")

    with pytest.raises(PanelError, match=r"panel.csv line 9: value 'twenty' is not a number"):
        load(write(tmp_path, text))


def test_a_treated_area_without_earlier_periods_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace(";0\n", ";1\n").replace("A;", "X;")
    lines = text.splitlines()
    text = "\n".join(line[:-1] + "0" if line.startswith(("X;", "B;")) else line for line in lines)

    with pytest.raises(PanelError, match="C is treated from 2000 with no earlier period"):
        load(write(tmp_path, text + "\n"))


def test_fewer_than_two_comparison_areas_is_refused(tmp_path: Path) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith("A;")) + "\n"

    with pytest.raises(PanelError, match="only 1 comparison area; at least two"):
        load(write(tmp_path, text))


def test_a_repeated_row_names_both_lines(tmp_path: Path) -> None:
    with pytest.raises(PanelError, match="line 17: C in 2000 is already on line 12"):
        load(write(tmp_path, GOOD + "C;2000;31;0\n"))


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(PanelError, match="line 1: no column 'treated'"):
        load(write(tmp_path, GOOD.replace("treated", "policy")))


def test_areas_starting_in_different_periods_are_refused() -> None:
    values = np.arange(20.0).reshape(4, 5)
    treated = np.zeros((4, 5), dtype=bool)
    treated[2, 3:] = True
    treated[3, 4:] = True

    with pytest.raises(PanelError, match="every changed area must start in the same period"):
        evaluate.estimate(Panel(("a", "b", "c", "d"), tuple("12345"), values, treated))


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(PanelError, match="method must be one of sdid, sc, did"):
        evaluate.estimate(make_panel(np.ones((3, 4))), "synth")
