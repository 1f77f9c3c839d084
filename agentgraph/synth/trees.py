"""Tree layouts: networks as compact integer arrays, each parent row before its children.

Every generator of :mod:`agentgraph.synth` lays its networks out here first (a
``parent`` row index and a ``depth`` per row) and turns them into a member table
only at the end (:func:`agentgraph.synth.members.member_table`), so nothing loops
per agent: loops run per tier, per level or per network kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agentgraph.errors import ArgumentError

__all__ = ["IntArray", "Tree", "block", "concat", "prefix"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Tree:
    """Networks laid out contiguously, each parent row before its children.

    Attributes
    ----------
    parent : int64 array
        Row of each row's upline; -1 marks a root.
    depth : int64 array
        Depth of each row: 0 for roots (level 1), 1 for their recruits, ...
    sizes : int64 array
        Rows of each network, in order (the rows of network ``i`` follow those
        of network ``i - 1``).

    Examples
    --------
    >>> import numpy as np
    >>> t = Tree(np.array([-1, 0, 0]), np.array([0, 1, 1]), np.array([3]))
    >>> int(t.depth.max()) + 1  # levels, the root counted
    2
    """

    parent: IntArray
    depth: IntArray
    sizes: IntArray


def _depths(parent: IntArray) -> IntArray:
    """Depth of every row by pointer doubling: O(n log d) for maximum depth d."""
    depth = (parent >= 0).astype(np.int64)
    jump = parent.copy()
    active = np.flatnonzero(jump >= 0)
    while active.size:
        hop = jump[active]
        depth[active] += depth[hop]
        jump[active] = jump[hop]
        active = active[jump[active] >= 0]
    return depth


def block(
    kind: str, sizes: IntArray, rng: np.random.Generator, branching: IntArray | None = None
) -> Tree:
    """Many networks of one kind at once: ``star``, ``chain``, ``pyramid``, ``rr``.

    Parameters
    ----------
    kind : {"star", "chain", "pyramid", "rr"}
        ``star``: a root and every other row below it; ``chain``: each row below
        the previous one; ``pyramid``: a complete ``b``-ary tree in breadth-first
        order; ``rr``: a random recursive tree, each row below a uniformly random
        earlier row.
    sizes : int64 array
        Rows of each network.
    rng : numpy.random.Generator
        Draws one uniform number per row for ``rr``; untouched by the other kinds.
    branching : int64 array, optional
        Branching ``b`` of each network (``pyramid`` only).

    Returns
    -------
    Tree
        The networks in the order of ``sizes``.

    Raises
    ------
    ArgumentError
        Unknown ``kind``.

    Notes
    -----
    O(n) time and memory for ``star`` and ``chain``; O(n * levels) for
    ``pyramid`` (one pass per tier); O(n log d) for ``rr`` of depth d (pointer
    doubling).

    Examples
    --------
    >>> import numpy as np
    >>> t = block("pyramid", np.array([7]), np.random.default_rng(0), np.array([2]))
    >>> t.parent.tolist(), t.depth.tolist()
    ([-1, 0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 2, 2, 2])
    >>> block("chain", np.array([3, 2]), np.random.default_rng(0)).parent.tolist()
    [-1, 0, 1, -1, 3]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    base = np.repeat(np.cumsum(sizes) - sizes, sizes)
    k = np.arange(total, dtype=np.int64) - base  # row number inside its network
    if kind == "star":
        local, depth = np.zeros(total, np.int64), (k > 0).astype(np.int64)
    elif kind == "chain":
        local, depth = k - 1, k
    elif kind == "pyramid":  # complete b-ary tree in breadth-first order
        assert branching is not None
        b = np.repeat(np.asarray(branching, dtype=np.int64), sizes)
        local, depth = (k - 1) // b, np.zeros(total, np.int64)
        width, first = b.copy(), np.ones(total, np.int64)
        while (more := k >= first).any():  # one pass per tier
            depth += more
            first += width
            width *= b
    elif kind == "rr":  # each row picks a uniformly random earlier row
        local, depth = (rng.random(total) * k).astype(np.int64), np.empty(0, np.int64)
    else:
        raise ArgumentError(f"unknown block kind {kind!r}")
    parent = np.where(k > 0, base + local, -1)
    if kind == "rr":
        depth = _depths(parent)
    return Tree(parent, depth, sizes)


def concat(trees: list[Tree]) -> Tree:
    """The networks of several layouts, one after the other.

    Parameters
    ----------
    trees : list of Tree
        Layouts to join, in order.

    Returns
    -------
    Tree
        Every network of ``trees``; parent rows shifted by the rows before them.

    Notes
    -----
    O(n) time and memory.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = concat([block("star", np.array([3]), rng), block("chain", np.array([2]), rng)])
    >>> t.parent.tolist(), t.sizes.tolist()
    ([-1, 0, 0, -1, 3], [3, 2])
    """
    offsets = np.cumsum([0] + [t.parent.size for t in trees[:-1]])
    parent = np.concatenate(
        [np.where(t.parent >= 0, t.parent + off, -1) for t, off in zip(trees, offsets, strict=True)]
    )
    return Tree(
        parent, np.concatenate([t.depth for t in trees]), np.concatenate([t.sizes for t in trees])
    )


def prefix(tree: Tree, rows: int) -> Tree:
    """The first ``rows`` rows of a one-network tree (still a tree: parents come first).

    Parameters
    ----------
    tree : Tree
        A layout of one network.
    rows : int
        Rows to keep (at most ``tree.parent.size``).

    Returns
    -------
    Tree
        One network of ``rows`` rows.

    Notes
    -----
    O(1): views of the arrays.

    Examples
    --------
    >>> import numpy as np
    >>> t = block("pyramid", np.array([7]), np.random.default_rng(0), np.array([2]))
    >>> prefix(t, 4).parent.tolist(), prefix(t, 4).sizes.tolist()
    ([-1, 0, 0, 1], [4])
    """
    return Tree(tree.parent[:rows], tree.depth[:rows], np.array([rows], np.int64))
