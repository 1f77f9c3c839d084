"""Array kernels of the live index (:mod:`agentgraph.live`).

- :class:`HashedIds`: find an agent's dense id from its id string through the
  engine's id hash (:func:`agentgraph.graph.strings.hash_strings`, its top 32 bits),
  kept sorted: O(log n) per lookup, 8 bytes per agent, no Python object per agent;
- :func:`add_leaf`: the downline sizes and heights along the upline chain of a
  new agent, O(depth) (an iterative numba loop, no recursion);
- :func:`grow` and :func:`contiguous`: room for more agents, and id columns as
  one Arrow array.

Pure numpy/numba/pyarrow.

Examples
--------
>>> import pyarrow as pa
>>> from agentgraph.live.kernels import HashedIds
>>> HashedIds(pa.array(["001", "002", "007"])).find("007")
2
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from agentgraph.compiled import kernel
from agentgraph.graph.strings import hash_span, hash_strings

__all__ = ["chain_depth", "HashedIds", "add_leaf", "grow", "contiguous"]


@kernel(cache=True, nogil=True)
def _hash_one(data: np.ndarray) -> tuple[np.uint64, np.uint64]:
    return hash_span(data, 0, len(data))


@kernel(cache=True, nogil=True)
def chain_depth(parent: np.ndarray, v: int) -> int:
    """Depth of ``v`` (a root is 0): the steps up to its root.

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root.
    v : int
        The agent.

    Returns
    -------
    int

    Notes
    -----
    O(depth), an iterative numba loop: the live index keeps no depth array (40 MB at
    10M agents) since every recruitment walks the chain anyway.

    Examples
    --------
    >>> import numpy as np
    >>> int(chain_depth(np.array([-1, 0, 1, 1], np.int32), 3))
    2
    """
    d = 0
    while parent[v] >= 0:
        v = parent[v]
        d += 1
    return d


@kernel(cache=True, nogil=True)
def add_leaf(parent: np.ndarray, size: np.ndarray, height: np.ndarray, p: int) -> None:
    """Downline size + 1 and height >= distance along the chain ``p`` .. root.

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root.
    size : ndarray of int32
        Downline size of every agent (the agent included); changed in place.
    height : ndarray of int32
        Layers below every agent; changed in place.
    p : int
        The upline of the new agent (a leaf).

    Notes
    -----
    O(depth of ``p``): one iterative walk up (numba, no recursion).

    Examples
    --------
    A chain 0 <- 1 whose agent 1 recruits a new agent:

    >>> import numpy as np
    >>> from agentgraph.live.kernels import add_leaf
    >>> parent = np.array([-1, 0], np.int32)
    >>> size, height = np.array([2, 1], np.int64), np.array([1, 0], np.int32)
    >>> add_leaf(parent, size, height, 1)
    >>> size.tolist(), height.tolist()
    ([3, 2], [2, 1])
    """
    u = p
    dist = 1
    while u != -1:
        size[u] += 1
        if height[u] < dist:
            height[u] = dist
        u = parent[u]
        dist += 1


def contiguous(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous Arrow array of ``values``.

    Parameters
    ----------
    values : pyarrow.Array or pyarrow.ChunkedArray
        A column, in one chunk or several.

    Returns
    -------
    pyarrow.Array
        The same values; ``take`` on it costs O(values taken), not O(n) per call.

    Notes
    -----
    O(1) for one chunk, O(n) to combine several.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.live.kernels import contiguous
    >>> contiguous(pa.chunked_array([["A"], ["B", "C"]])).to_pylist()
    ['A', 'B', 'C']
    """
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def grow(a: np.ndarray, cap: int) -> np.ndarray:
    """A copy of ``a`` with room for ``cap`` entries (the tail uninitialised).

    Parameters
    ----------
    a : ndarray
        The array to copy, ``len(a) <= cap``.
    cap : int
        The new length.

    Returns
    -------
    ndarray
        Same dtype; ``out[:len(a)] == a``.

    Notes
    -----
    O(cap). Doubling the capacity when full makes appends amortised O(1).

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.live.kernels import grow
    >>> out = grow(np.array([3, 4], np.int32), 4)
    >>> len(out), out[:2].tolist(), out.dtype.name
    (4, [3, 4], 'int32')
    """
    out = np.empty(cap, a.dtype)
    out[: len(a)] = a
    return out


class HashedIds:
    """Dense ids of id strings, found through their two engine hashes kept sorted.

    Parameters
    ----------
    ids : pyarrow.Array
        ``ids[v]`` is agent ``v``'s id string (one contiguous array: see
        :func:`contiguous`).

    Attributes
    ----------
    ids : pyarrow.Array
        As given; a hash match is confirmed against it.

    Notes
    -----
    Built in O(n log n) (one hash pass and one stable sort), 8 bytes per agent (the
    top 32 bits of the first hash and the dense id); each :meth:`find` is O(log n):
    a binary search on those bits, then the string itself compared (about one
    string per lookup: 10M ids share a 32-bit key with another id about 0.2% of the
    time).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.live.kernels import HashedIds
    >>> index = HashedIds(pa.array(["001", "002", "007", "7"]))
    >>> index.find("007"), index.find("7"), index.find("008"), len(index)
    (2, 3, -1, 4)
    """

    def __init__(self, ids: pa.Array) -> None:
        self.ids = ids
        n = len(ids)
        h1 = hash_strings(ids)[0] if n else np.zeros(0, np.uint64)
        top = (h1 >> np.uint64(32)).astype(np.uint32)  # a match is confirmed on the string
        order = np.argsort(top, kind="stable").astype(np.int32)
        self._h1, self._order = top[order], order

    def __len__(self) -> int:
        """Number of ids indexed."""
        return len(self._h1)

    def find(self, agent_id: str) -> int:
        """Dense id of ``agent_id``, or -1 when it is not one of the ids. O(log n)."""
        if not len(self._h1):
            return -1
        h1, _ = _hash_one(np.frombuffer(agent_id.encode("utf-8"), np.uint8))
        a = np.uint32(int(h1) >> 32)  # a Python int would make numpy cast the array
        lo = int(self._h1.searchsorted(a, "left"))
        while lo < len(self._h1) and self._h1[lo] == a:
            cand = int(self._order[lo])
            if self.ids[cand].as_py() == agent_id:
                return cand
            lo += 1
        return -1
        h1, h2 = _hash_one(np.frombuffer(agent_id.encode("utf-8"), np.uint8))
        a, b = np.uint64(h1), np.uint64(h2)  # a Python int would make numpy cast the array
        lo = int(self._h1.searchsorted(a, "left"))
        while lo < len(self._h1) and self._h1[lo] == a:
            if self._h2[lo] == b:
                cand = int(self._order[lo])
                if self.ids[cand].as_py() == agent_id:
                    return cand
            lo += 1
        return -1
