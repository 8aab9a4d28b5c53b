"""Input checks shared by the models: each names the field (and the element) that is wrong."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from omnicase.wfm.errors import WfmInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _where(field: str, bad: BoolArray) -> str:
    if bad.ndim == 0:
        return field
    index = np.argwhere(bad)[0]
    return field + "".join(f"[{int(i)}]" for i in index)


def floats(field: str, value: npt.ArrayLike) -> FloatArray:
    """``value`` as a float array, refusing NaN and text."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise WfmInputError(field, "must be a number") from exc
    bad = np.isnan(arr)
    if bad.any():
        raise WfmInputError(_where(field, bad), "must be a number, not NaN")
    return arr


def nonnegative(field: str, value: npt.ArrayLike, *, finite: bool = True) -> FloatArray:
    arr = floats(field, value)
    bad = arr < 0
    if bad.any():
        raise WfmInputError(_where(field, bad), "must not be negative")
    if finite and np.isinf(arr).any():
        raise WfmInputError(_where(field, np.isinf(arr)), "must be finite")
    return arr


def positive(field: str, value: npt.ArrayLike) -> FloatArray:
    arr = floats(field, value)
    bad = ~(arr > 0) | np.isinf(arr)
    if bad.any():
        raise WfmInputError(_where(field, bad), "must be greater than 0 (and finite)")
    return arr


def agents(field: str, value: npt.ArrayLike) -> FloatArray:
    """Whole numbers of agents (kept as floats: the formulas need them so)."""
    arr = nonnegative(field, value)
    bad = arr != np.floor(arr)
    if bad.any():
        raise WfmInputError(_where(field, bad), "must be a whole number of agents")
    return arr


def fraction(
    field: str, value: float, *, allow_zero: bool = False, allow_one: bool = False
) -> float:
    """A share such as a service-level target or shrinkage, written 0.8 for 80 %."""
    v = float(value)
    if np.isnan(v):
        raise WfmInputError(field, "must be a number")
    low_ok = v >= 0 if allow_zero else v > 0
    high_ok = v <= 1 if allow_one else v < 1
    if not (low_ok and high_ok):
        low = "0" if allow_zero else "above 0"
        high = "100 %" if allow_one else "below 100 %"
        raise WfmInputError(
            field, f"must be a fraction from {low} to {high} (write 80 % as 0.8), got {v:g}"
        )
    return v
