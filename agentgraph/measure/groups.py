"""Rows grouped by a small integer key (a network number), for per-group lookups.

Reports ask, for each listed network ``j``, which payments, orders or agents
belong to it. Scanning a whole column per network (``np.flatnonzero(net == j)``)
is O(rows) per network and O(rows x networks) per report, which is quadratic on
a forest of many small flagged networks. :class:`Groups` sorts the keys once
(a stable counting sort: O(rows + groups)) and answers each lookup in O(rows of
that group), rows in their original order. :meth:`Groups.pick` answers the same
question for many groups at once, column-wise (:class:`Picked`): the evidence of
every flagged network in one pass instead of one Python call per network.

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

from agentgraph.compiled import kernel

__all__ = ["Groups", "Mask", "Picked"]

# a boolean array over all rows, or a function of some rows' positions giving their
# booleans (so a derived condition is only computed on the group's rows)
Mask = np.ndarray | Callable[[np.ndarray], np.ndarray]


@kernel(cache=True, nogil=True)
def _counting_order(keys: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Stable counting sort: positions of the keys in ``[0, groups)``, by key. O(rows)."""
    k = len(starts) - 1
    fill = starts[:-1].copy()
    order = np.empty(starts[k], np.int64)
    for i in range(len(keys)):
        g = keys[i]
        if g >= 0 and g < k:
            order[fill[g]] = i
            fill[g] += 1
    return order


def _segments(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concat(arange(s, s + n) for s, n in zip(starts, lengths))``, vectorised."""
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    shift = np.repeat(np.asarray(starts, np.int64) - (ends - lengths), lengths)
    out: np.ndarray = shift + np.arange(total, dtype=np.int64)
    return out


@dataclass(frozen=True)
class Picked:
    """Rows picked from several groups at once (:meth:`Groups.pick`), back to back.

    Attributes
    ----------
    counts : ndarray of int64
        Per group asked for: its rows where the mask holds (all of them, not only
        those picked).
    rows : ndarray of int64
        The picked row positions: group after group, ascending within each.
    offsets : ndarray of int64
        ``rows[offsets[k]:offsets[k + 1]]`` are the rows picked from the k-th group.

    Notes
    -----
    Plain arrays; :meth:`lists` turns them into Python lists in O(rows picked).

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.measure.groups import Groups
    >>> p = Groups.of(np.array([1, -1, 0, 1, 0, 1]), 2).pick(np.ones(6, bool), [1, 0], 2)
    >>> p.counts.tolist(), p.lists(), p.lists(base=1)
    ([3, 2], [[0, 3], [2, 4]], [[1, 4], [3, 5]])
    >>> p.head(1).lists()
    [[0], [2]]
    """

    counts: np.ndarray
    rows: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        """Groups asked for."""
        return len(self.offsets) - 1

    def lists(self, base: int = 0) -> list[list[int]]:
        """The picked rows of every group as Python ints (``+ base``), one list per group.

        Parameters
        ----------
        base : int, default 0
            Added to every row (1: 1-based rows, as reports cite them).

        Returns
        -------
        list of list of int

        Notes
        -----
        O(rows picked): one conversion, then list slices.

        Examples
        --------
        >>> import numpy as np
        >>> from agentgraph.measure.groups import Groups
        >>> Groups.of(np.array([0, 0, 1]), 2).pick(np.ones(3, bool), [0, 1]).lists()
        [[0, 1], [2]]
        """
        flat = (self.rows + base).tolist() if base else self.rows.tolist()
        off = self.offsets.tolist()
        return [flat[off[k] : off[k + 1]] for k in range(len(off) - 1)]

    def head(self, limit: int) -> Picked:
        """The first ``limit`` picked rows of every group (counts unchanged).

        Parameters
        ----------
        limit : int
            Rows kept per group.

        Returns
        -------
        Picked

        Notes
        -----
        O(groups + rows kept).

        Examples
        --------
        >>> import numpy as np
        >>> from agentgraph.measure.groups import Groups
        >>> g = Groups.of(np.array([0, 0, 0, 1]), 2)
        >>> g.pick(np.ones(4, bool), [0, 1]).head(2).rows.tolist()
        [0, 1, 3]
        """
        have = np.diff(self.offsets)
        keep = np.minimum(have, max(0, limit))
        off = np.zeros(len(keep) + 1, np.int64)
        np.cumsum(keep, out=off[1:])
        return Picked(self.counts, self.rows[_segments(self.offsets[:-1], keep)], off)

    def sums(self, values: np.ndarray) -> list[float]:
        """Per group, the sum of ``values`` over its picked rows, as ``values[rows].sum()``.

        Parameters
        ----------
        values : numpy.ndarray
            float64 per row (all rows of the grouped column).

        Returns
        -------
        list of float

        Notes
        -----
        One gather, then one ``numpy.sum`` per group with rows, so every sum is the
        same float a per-group ``values[rows].sum()`` gives (numpy's pairwise
        summation; a segmented ``reduceat`` would round differently). O(rows picked
        + groups).

        Examples
        --------
        >>> import numpy as np
        >>> from agentgraph.measure.groups import Groups
        >>> g = Groups.of(np.array([0, 1, 0]), 3)
        >>> g.pick(np.ones(3, bool), [0, 2]).sums(np.array([1.5, 2.0, 0.25]))
        [1.75, 0.0]
        """
        got = values[self.rows]
        off = self.offsets.tolist()
        return [
            float(got[off[k] : off[k + 1]].sum()) if off[k + 1] > off[k] else 0.0
            for k in range(len(off) - 1)
        ]


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
    Built in O(rows + groups) by :meth:`of` (a counting sort); each lookup is
    O(rows of the group), and :meth:`pick` over many groups O(their rows + groups).

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
    keys: np.ndarray | None = None  # the key of every row, as grouped (for pick)

    @classmethod
    def of(cls, keys: np.ndarray, n_groups: int) -> Groups:
        """Group the rows of ``keys`` (ints in ``[-1, n_groups)``).

        O(rows + groups): one counting pass and one stable counting sort (keys outside
        ``[0, n_groups)`` belong to no group).
        """
        keys = np.asarray(keys)
        if keys.dtype.kind not in "iu":
            keys = keys.astype(np.int64)
        valid = (keys >= 0) & (keys < n_groups)
        counts = np.bincount(keys[valid], minlength=n_groups)[:n_groups]
        starts = np.zeros(n_groups + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        return cls(order=_counting_order(keys, starts), starts=starts, keys=keys)

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

    def pick(self, mask: Mask, groups: np.ndarray | list[int], limit: int | None = None) -> Picked:
        """Rows where ``mask`` holds in each of ``groups``: counts and the first ``limit``.

        Column-wise: the rows of all the groups are gathered and tested at once,
        so asking for every flagged network costs one pass, not one call each.

        Parameters
        ----------
        mask : Mask
            Boolean array over all rows, or a function of row positions.
        groups : array of int
            Group numbers, in the order wanted (repeats allowed; out of range: empty).
        limit : int, optional
            Most rows picked per group (all when None).

        Returns
        -------
        Picked
            ``counts`` per group (every row under the mask) and the picked rows,
            ascending within each group.

        Notes
        -----
        O(rows of the groups + groups); when the groups hold most rows, the mask is
        tested once over all rows in their order instead and only its hits are grouped
        (a counting sort: O(rows + hits + groups)).

        Examples
        --------
        >>> import numpy as np
        >>> from agentgraph.measure.groups import Groups
        >>> g = Groups.of(np.array([1, -1, 0, 1, 0, 1]), 2)
        >>> p = g.pick(np.array([1, 1, 0, 1, 1, 1], bool), [1, 0, 5], limit=2)
        >>> p.counts.tolist(), p.lists()
        ([3, 1, 0], [[0, 3], [4], []])
        """
        js = np.asarray(groups, np.int64).reshape(-1)
        n_groups = len(self.starts) - 1
        ok = (js >= 0) & (js < n_groups)
        jj = np.where(ok, js, 0)
        lo = np.where(ok, self.starts[jj], 0)
        size = np.where(ok, self.starts[jj + 1], 0) - lo
        if self.keys is not None and int(size.sum()) * 2 > len(self.order):
            # most rows: test the mask once, in row order, and group only the hits
            n_rows = len(self.keys)
            found = np.flatnonzero(_at(mask, np.arange(n_rows)) if callable(mask) else mask)
            inner = Groups.of(self.keys[found], n_groups)
            hits = found[inner.order]
            start = np.where(ok, inner.starts[jj], 0)
            counts = np.where(ok, inner.starts[jj + 1], 0) - start
        else:
            rows = self.order[_segments(lo, size)]
            hit = _at(mask, rows)
            cum = np.zeros(len(hit) + 1, np.int64)
            np.cumsum(hit, out=cum[1:])
            first = np.cumsum(size) - size
            start = cum[first]
            counts = cum[first + size] - start
            hits = rows[hit]
        take = counts if limit is None else np.minimum(counts, max(0, limit))
        off = np.zeros(len(js) + 1, np.int64)
        np.cumsum(take, out=off[1:])
        return Picked(counts=counts, rows=hits[_segments(start, take)], offsets=off)


def _at(mask: Mask, rows: np.ndarray) -> np.ndarray:
    return np.asarray(mask(rows) if callable(mask) else mask[rows], np.bool_)
