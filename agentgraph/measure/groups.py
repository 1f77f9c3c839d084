"""Rows grouped by a small integer key (a network number), for per-group lookups.

Reports ask, for each listed network ``j``, which payments, orders or agents
belong to it. Scanning a whole column per network (``np.flatnonzero(net == j)``)
is O(rows) per network and O(rows x networks) per report, which is quadratic on
a forest of many small flagged networks. :class:`Groups` sorts the keys once
(a stable sort: O(rows log rows)) and answers each lookup in O(rows of that
group), rows in their original order.

Examples
--------
>>> import numpy as np
>>> from agentgraph.measure.groups import Groups
>>> Groups.of(np.array([1, -1, 0, 1, 0]), 2).rows(1).tolist()
[0, 3]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Groups", "Mask"]

# a boolean array over all rows, or a function of some rows' positions giving their
# booleans (so a derived condition is only computed on the group's rows)
Mask = np.ndarray | Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Groups:
    """Row positions grouped by key; keys < 0 (no group) are left out.

    Parameters
    ----------
    order : ndarray of int64
        Row positions sorted by key, stable (ascending positions within a key).
    starts : ndarray of int64
        ``order[starts[j]:starts[j + 1]]`` are the rows of key ``j``.

    Notes
    -----
    Built in O(rows log rows + groups) by :meth:`of`; each lookup is O(rows of
    the group).

    Examples
    --------
    Rows 0 and 3 belong to network 1, rows 2 and 4 to network 0, row 1 to none:

    >>> import numpy as np
    >>> from agentgraph.measure.groups import Groups
    >>> g = Groups.of(np.array([1, -1, 0, 1, 0]), 2)
    >>> g.rows(0).tolist(), g.rows(1).tolist(), g.rows(7).tolist()
    ([2, 4], [0, 3], [])
    >>> big = np.array([5.0, 1.0, 2.0, 9.0, 0.5]) > 1
    >>> g.where(big, 1).tolist(), g.count(big, 0), g.count(lambda rows: rows > 2, 1)
    ([0, 3], 1, 1)
    """

    order: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, n_groups: int) -> Groups:
        """Group the rows of ``keys`` (ints in ``[-1, n_groups)``).

        O(rows log rows + groups): one stable sort.
        """
        keys = np.asarray(keys)
        valid = keys >= 0
        counts = np.bincount(keys[valid], minlength=n_groups)[:n_groups]
        starts = np.zeros(n_groups + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        order = np.flatnonzero(valid)
        order = order[np.argsort(keys[order], kind="stable")]
        return cls(order=order, starts=starts)

    def rows(self, j: int) -> np.ndarray:
        """Positions of the rows of group ``j``, ascending. O(1) (a view)."""
        if j < 0 or j + 1 >= len(self.starts):
            return self.order[:0]
        return self.order[self.starts[j] : self.starts[j + 1]]

    def where(self, mask: Mask, j: int, limit: int | None = None) -> np.ndarray:
        """Positions in group ``j`` where ``mask`` holds, ascending, at most ``limit``.

        O(rows of the group).
        """
        rows = self.rows(j)
        hit: np.ndarray = rows[_at(mask, rows)]
        return hit if limit is None else hit[:limit]

    def count(self, mask: Mask, j: int) -> int:
        """How many rows of group ``j`` ``mask`` holds for. O(rows of the group)."""
        rows = self.rows(j)
        return int(np.count_nonzero(_at(mask, rows)))


def _at(mask: Mask, rows: np.ndarray) -> np.ndarray:
    return np.asarray(mask(rows) if callable(mask) else mask[rows], np.bool_)
