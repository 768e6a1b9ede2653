"""Input checks shared by the statistics: each failure names the argument and says what to enter."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]


def _first_bad(mask: NDArray[np.bool_]) -> str:
    index = np.argwhere(mask)[0]
    return "" if index.size == 0 else f" at position {tuple(int(i) for i in index)}"


def numbers(name: str, value: ArrayLike, *, allow_missing: bool = False) -> Floats:
    """`value` as a float array; NaN is refused unless the caller lets missing values through."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Enter {name} as numbers: {error}") from None
    # One pass for the common case of clean data; the diagnosis only runs when something is wrong.
    if np.isfinite(array).all():
        return array
    if not allow_missing and np.isnan(array).any():
        raise ValueError(f"Enter a value for {name}: it is missing (NaN){_first_bad(np.isnan(array))}")
    if np.isinf(array).any():
        raise ValueError(f"Enter {name} as a finite number: it is infinite{_first_bad(np.isinf(array))}")
    return array


def counts(name: str, value: ArrayLike, *, allow_missing: bool = False) -> Floats:
    """A count of 0 or more."""
    array = numbers(name, value, allow_missing=allow_missing)
    negative = array < 0
    if negative.any():
        raise ValueError(f"Enter {name} as a count of 0 or more: it is negative{_first_bad(negative)}")
    return array


def positive(name: str, value: ArrayLike, *, allow_missing: bool = False) -> Floats:
    """A number above 0, such as a population or an expected count."""
    array = numbers(name, value, allow_missing=allow_missing)
    not_positive = array <= 0
    if not_positive.any():
        raise ValueError(f"Enter {name} as a number above 0{_first_bad(not_positive)}")
    return array


def not_above(name: str, value: Floats, limit_name: str, limit: Floats) -> None:
    """Refuse a numerator above its denominator: a proportion cannot exceed 1."""
    above = value > limit
    if above.any():
        raise ValueError(f"Enter {name} no larger than {limit_name}: it is larger{_first_bad(above)}")


def same_shape(**arrays: Floats) -> tuple[int, ...]:
    """The broadcast shape of the arrays, or an error naming the ones that do not fit together."""
    try:
        return np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        described = ", ".join(f"{name} {a.shape}" for name, a in arrays.items())
        raise ValueError(f"Give arrays of matching shapes: {described} do not broadcast together") from None


def confidence_level(confidence: float) -> float:
    """A two-sided confidence level strictly between 0 and 1, as 0.95 or 0.998."""
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        level = float("nan")
    if not 0 < level < 1:
        raise ValueError(f"Enter confidence as a number between 0 and 1, like 0.95: got {confidence!r}")
    return level


def scalar_out(array: np.ndarray) -> np.ndarray | np.generic:
    """Scalars in give scalars out: a 0-d array becomes a numpy scalar."""
    return array[()] if array.ndim == 0 else array
