"""Defect repair on the upline relation: cycles found and broken, walk order.

Each agent has at most one upline, so the upline relation is a functional graph
whose weakly connected components hold at most one cycle each. One iterative walk
(numba, no recursion: a 10-million-deep chain works) yields every agent's depth,
its network and a parents-first order, and breaks every cycle at its smallest
dense id, which becomes a root (the repair :mod:`agentgraph.graph.model` reports
as a ``cycle`` data issue).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentgraph.compiled import kernel
from agentgraph.errors import ArgumentError

__all__ = ["Walk", "break_cycles", "depth_and_root", "find_cycles"]


def find_cycles(parent: np.ndarray) -> list[np.ndarray]:
    """Every cycle of the upline relation, each as its agents in upline order.

    Parameters
    ----------
    parent : ndarray of int32
        ``parent[v]`` is the upline's dense id of agent ``v``, -1 for a root. Not
        changed (the walk runs on a copy).

    Returns
    -------
    list of ndarray of int32
        One array per cycle, its agents in walk order (each agent followed by its
        upline), cycles in the order the walk meets them.

    Notes
    -----
    Each agent has at most one upline, so the relation is a functional graph and
    every weakly connected component holds at most one cycle. Self-loops count
    as cycles of length 1. O(n) time and memory (one walk per agent, each
    agent visited once); iterative numba kernel, no recursion.

    Examples
    --------
    A self-loop at 0 and a 2-cycle 2 <-> 3 below nothing:

    >>> import numpy as np
    >>> from agentgraph.graph.repair import find_cycles
    >>> [c.tolist() for c in find_cycles(np.array([0, -1, 3, 2], np.int32))]
    [[0], [2, 3]]
    """
    _, _, _, _, members, starts = _walk(parent.copy(), False)
    return [members[starts[k] : starts[k + 1]] for k in range(len(starts) - 1)]


@kernel(cache=True, nogil=True)
def _walk(
    parent: np.ndarray, break_cycles: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Depth, root and a parents-first order in one pass; cycles broken on the way.

    From each agent of unknown depth, walk up (marking the path) to the first
    agent of known depth or a root, then fill the path back. Meeting a marked
    agent means a cycle: its members are recorded, the cycle is broken at its
    smallest dense id (``parent[head] = -1``, in place) and the walk restarts.
    """
    n = len(parent)
    # depth, network and upline side by side (16 bytes an agent): a step up the walk
    # costs one cache miss. Networks are numbered in the order their roots are
    # found (renumbered by the caller).
    dr = np.empty((n, 4), np.int32)
    dr[:, 0] = -1
    dr[:, 2] = parent
    found = np.empty(16, np.int32)
    n_found = 0
    order = np.empty(n, np.int32)
    stack = np.empty(n, np.int32)
    members = np.empty(16, np.int32)
    starts = np.zeros(1, np.int64)
    n_members = 0
    m = 0
    for s in range(n):
        if dr[s, 0] >= 0:
            continue
        top = 0
        v = s
        while True:
            dv = dr[v, 0]
            if dv >= 0:
                break
            if dv == -2:  # v is on this walk: a cycle
                k = top - 1
                while stack[k] != v:
                    k -= 1
                head = stack[k]
                for i in range(k, top):
                    u = stack[i]
                    if u < head:
                        head = u
                    if n_members == len(members):
                        grown = np.empty(2 * len(members), np.int32)
                        grown[:n_members] = members[:n_members]
                        members = grown
                    members[n_members] = u
                    n_members += 1
                starts = np.append(starts, n_members)
                if not break_cycles:
                    for i in range(top):
                        dr[stack[i], 0] = 0  # mark seen; depths are meaningless here
                    top = 0
                    break
                parent[head] = -1
                dr[head, 2] = -1
                for i in range(top):
                    dr[stack[i], 0] = -1
                top = 0
                v = s
                continue
            if dr[v, 2] == -1:
                dr[v, 0] = 0
                if n_found == len(found):
                    grown_f = np.empty(2 * len(found), np.int32)
                    grown_f[:n_found] = found[:n_found]
                    found = grown_f
                found[n_found] = v
                dr[v, 1] = n_found
                n_found += 1
                order[m] = v
                m += 1
                break
            dr[v, 0] = -2
            stack[top] = v
            top += 1
            v = dr[v, 2]
        if top == 0:
            continue
        d = dr[v, 0]
        r = dr[v, 1]
        while top > 0:
            top -= 1
            u = stack[top]
            d += 1
            dr[u, 0] = d
            dr[u, 1] = r
            order[m] = u
            m += 1
    depth = dr[:, 0].copy()
    net = dr[:, 1].copy()
    return depth, net, order, found[:n_found].copy(), members[:n_members].copy(), starts


@dataclass(frozen=True)
class Walk:
    """What one walk over the upline relation yields (see :func:`break_cycles`).

    Attributes
    ----------
    depth : ndarray of int32
        Depth of every agent, root = 0 (its level is ``depth + 1``).
    net : ndarray of int32
        Network number of every agent; networks are numbered by their root's dense id.
    order : ndarray of int32
        Every agent after its upline (parents first).
    roots : ndarray of int32
        Dense id of the root of each network, ascending.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.graph.repair import break_cycles
    >>> walk, _ = break_cycles(np.array([-1, 0, 0, 1, -1], np.int32))
    >>> walk.depth.tolist(), walk.net.tolist(), walk.roots.tolist()
    ([0, 1, 1, 2, 0], [0, 0, 0, 0, 1], [0, 4])
    """

    depth: np.ndarray  # int32, root = 0
    net: np.ndarray  # int32, network number: networks numbered by their root's dense id
    order: np.ndarray  # int32, every agent after its upline
    roots: np.ndarray  # int32, dense id of the root of each network, ascending


def break_cycles(parent: np.ndarray) -> tuple[Walk, list[np.ndarray]]:
    """Depth (root = 0), network and a parents-first order of every agent; cycles broken.

    Parameters
    ----------
    parent : ndarray of int32
        ``parent[v]`` is the upline's dense id of agent ``v``, -1 for a root.
        Changed in place: each cycle's smallest dense id gets -1.

    Returns
    -------
    walk : Walk
        Depth, network, parents-first order and roots of the repaired forest.
    cycles : list of ndarray of int32
        The cycles broken, each as its agents in walk order.

    Notes
    -----
    Each agent has at most one upline, so the relation is a functional graph and
    each weakly connected component holds at most one cycle. Every cycle is
    broken in place at its smallest dense id (the first listed agent), which
    becomes a root.

    Walks up from each agent to the first agent of known depth and fills the
    path back, so every agent is touched about twice: O(n) time and memory, no
    recursion (an iterative numba kernel: a 10-million-deep chain works).
    Networks are numbered by their root's dense id.

    Examples
    --------
    A 3-cycle 0 -> 1 -> 2 -> 0 with agent 3 recruited by 0: the cycle is broken
    at agent 0, which becomes the root.

    >>> import numpy as np
    >>> from agentgraph.graph.repair import break_cycles
    >>> parent = np.array([1, 2, 0, 0], np.int32)
    >>> walk, cycles = break_cycles(parent)
    >>> [c.tolist() for c in cycles], parent.tolist()
    ([[0, 1, 2]], [-1, 2, 0, 0])
    >>> walk.depth.tolist(), walk.roots.tolist(), walk.order.tolist()
    ([0, 2, 1, 1], [0], [0, 2, 1, 3])
    """
    depth, found_net, order, found, members, starts = _walk(parent, True)
    cycles = [members[starts[k] : starts[k + 1]] for k in range(len(starts) - 1)]
    rank = np.argsort(found, kind="stable")
    renumber = np.empty(len(found), np.int32)
    renumber[rank] = np.arange(len(found), dtype=np.int32)
    net = renumber[found_net]  # gather from a small array: cache-resident
    return Walk(depth, net, order, found[rank]), cycles


def depth_and_root(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Depth (root = 0) and root of every agent of an acyclic parent array.

    Parameters
    ----------
    parent : ndarray of int32
        ``parent[v]`` is the upline's dense id of agent ``v``, -1 for a root. Not
        changed.

    Returns
    -------
    depth : ndarray of int32
        Depth of every agent, root = 0.
    root : ndarray of int32
        Dense id of every agent's root.

    Raises
    ------
    ArgumentError
        ``parent`` has a cycle (repair it with :func:`break_cycles` first).

    Notes
    -----
    O(n) time and memory: one :func:`break_cycles` walk over a copy.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.graph.repair import depth_and_root
    >>> depth, root = depth_and_root(np.array([-1, 0, 0, 1, -1, 4], np.int32))
    >>> depth.tolist(), root.tolist()
    ([0, 1, 1, 2, 0, 1], [0, 0, 0, 0, 4, 4])
    """
    walk, cycles = break_cycles(parent.copy())
    if cycles:
        raise ArgumentError("parent array has cycles; use break_cycles")
    return walk.depth, walk.roots[walk.net]
