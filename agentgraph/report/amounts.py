"""Money totals: added exactly, rounded once.

Each amount is taken to 0.0001 yuan (0.01 fen) and the units added as integers, so a
total does not depend on the order of its additions: the in-process report and the
Spark engine (which adds its partitions' totals) give the same cent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["UNITS", "cents", "summed"]

UNITS = 10_000
"""Totals are added exactly in units of 0.0001 yuan (0.01 fen), then rounded."""
_EXACT_UP_TO = 9.0e14  # yuan a total may reach in int64 units


def summed(amount: np.ndarray, mask: np.ndarray | None = None, digits: int | None = 2) -> Any:
    """The total of ``amount[mask]``, added exactly, rounded to ``digits`` decimals.

    Each amount is taken to 0.0001 yuan and the units are added as integers, so the
    total does not depend on the order of the additions: the Spark engine adds its
    partitions' totals and gets the same cent. (Totals over 9e14 yuan are added as
    floats.)

    Parameters
    ----------
    amount : numpy.ndarray
        float64 amounts in yuan.
    mask : numpy.ndarray, optional
        The payments to add (default all).
    digits : int or None, default 2
        Decimals of the result; None gives the total in units of 0.0001 yuan (an int,
        or a float past the exact range), to be added up before rounding.

    Returns
    -------
    float or int

    Notes
    -----
    O(len(amount)).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([47.319, 51.182, 75.516, 95.046, 3.486, 14.416])
    >>> summed(a), summed(a[:3], None, None) + summed(a[3:], None, None)
    (286.96, 2869650)
    """
    a = amount if mask is None else amount[mask]
    if a.size and float(np.abs(a).max()) * a.size >= _EXACT_UP_TO:
        units: Any = float(a.sum()) * UNITS
    else:
        units = int(np.rint(a * UNITS).astype(np.int64).sum())
    return units if digits is None else round(units / UNITS, digits)


def cents(value: float, digits: int | None = 2) -> float:
    """``value`` rounded to ``digits`` decimals (None: as it is).

    Parameters
    ----------
    value : float
        An amount.
    digits : int or None, default 2
        Decimals kept; None keeps the value as it is.

    Returns
    -------
    float

    Notes
    -----
    O(1). The report rounds amounts to the cent once, after they are summed.

    Examples
    --------
    >>> cents(0.125 + 0.001), cents(1 / 3, None) == 1 / 3
    (0.13, True)
    """
    return value if digits is None else round(value, digits)
