"""Hierarchy of a recruitment forest given as a parent array.

A recruitment forest is stored as ``parent[v]`` (the upline's dense id, -1 for a
root). All kernels are iterative (no recursion: a 10-million-deep chain works)
and compiled with numba; none allocates a Python object per agent.

Counting follows the 2013 opinion of the SPC, SPP and MPS on organising or
leading pyramid-selling activities: a *level* is a layer of the
upline-downline relationship; the root (the organiser) is level 1, so
``level = depth + 1``.

References
----------
.. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
   适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
   organising or leading pyramid selling), 2013, §1: levels counted from the
   organiser as level 1.

Examples
--------
>>> import numpy as np
>>> from agentgraph.measure.hierarchy import hierarchy
>>> hierarchy(np.array([-1, 0, 0, 1], np.int32)).level.tolist()
[1, 2, 2, 3]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from agentgraph.compiled import kernel
from agentgraph.errors import ArgumentError
from agentgraph.graph.repair import Walk, break_cycles
from agentgraph.measure.groups import Groups

__all__ = ["Hierarchy", "downline_stats", "hierarchy"]


@kernel(cache=True, nogil=True)
def _downline_stats(
    parent: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(parent)
    size = np.ones(n, np.int32)
    height = np.zeros(n, np.int32)
    direct = np.zeros(n, np.int32)
    for k in range(n - 1, -1, -1):
        v = order[k]
        p = parent[v]
        if p >= 0:
            size[p] += size[v]
            direct[p] += 1
            if height[v] + 1 > height[p]:
                height[p] = height[v] + 1
    return size, height, direct


def downline_stats(
    parent: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Downline size (the agent included), height and direct recruits per agent.

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root; acyclic.
    order : ndarray of int32
        Every agent after its upline (``Walk.order`` from
        :func:`~agentgraph.graph.repair.break_cycles`).

    Returns
    -------
    size : ndarray of int32
        Downline size of every agent, the agent included.
    height : ndarray of int32
        Layers below every agent; its own downline spans ``height + 1`` levels.
    direct : ndarray of int32
        Direct recruits of every agent.

    Notes
    -----
    Agents are visited children first (``order`` reversed), each adding itself
    to its upline: O(n) time and memory, one iterative numba loop (no recursion).

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.measure.hierarchy import downline_stats
    >>> parent = np.array([-1, 0, 0, 1], np.int32)
    >>> size, height, direct = downline_stats(parent, np.array([0, 1, 2, 3], np.int32))
    >>> size.tolist(), height.tolist(), direct.tolist()
    ([4, 2, 1, 1], [2, 1, 0, 0], [2, 1, 0, 0])
    """
    size, height, direct = _downline_stats(parent, order)
    return size, height, direct


@dataclass(frozen=True)
class Hierarchy:
    """Per-agent hierarchy arrays (index = dense agent id).

    Attributes
    ----------
    depth : ndarray of int32
        Depth of every agent, root = 0; its level is ``depth + 1``.
    net : ndarray of int32
        Network number of every agent (networks ordered by root dense id).
    roots : ndarray of int32
        Root dense id of each network.
    size : ndarray of int32
        Downline size of every agent, the agent included.
    height : ndarray of int32
        Layers below every agent.
    direct : ndarray of int32
        Direct recruits of every agent.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
       organising or leading pyramid selling), 2013, §1: levels counted from the
       organiser as level 1.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.measure.hierarchy import hierarchy
    >>> h = hierarchy(np.array([-1, 0, 0, 1, -1], np.int32))
    >>> h.level.tolist(), h.root.tolist(), h.roots.tolist()
    ([1, 2, 2, 3, 1], [0, 0, 0, 0, 4], [0, 4])
    >>> h.by_network.rows(0).tolist(), h.by_network.rows(1).tolist()
    ([0, 1, 2, 3], [4])
    """

    depth: np.ndarray  # int32, root = 0; level = depth + 1
    net: np.ndarray  # int32, network number (networks ordered by root dense id)
    roots: np.ndarray  # int32, root dense id of each network
    size: np.ndarray  # int32, downline size including the agent
    height: np.ndarray  # int32, layers below the agent
    direct: np.ndarray  # int32, direct recruits

    @property
    def level(self) -> np.ndarray:
        """Level of every agent, root = level 1 (2013 opinion)."""
        return self.depth + 1

    @cached_property
    def by_network(self) -> Groups:
        """Agents grouped by network, ascending dense ids (built once, O(n log n))."""
        return Groups.of(self.net, len(self.roots))

    @cached_property
    def root(self) -> np.ndarray:
        """Dense id of every agent's root. O(n) gather from the small ``roots``."""
        root: np.ndarray = self.roots[self.net]
        return root


def hierarchy(parent: np.ndarray, walk: Walk | None = None) -> Hierarchy:
    """All per-agent measures of an acyclic parent array.

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root. Not changed.
    walk : Walk, optional
        The walk from :func:`~agentgraph.graph.repair.break_cycles` when already
        known (``RecruitmentGraph.walk``); computed otherwise.

    Returns
    -------
    Hierarchy
        Depth, network, roots, downline size, height and direct recruits.

    Raises
    ------
    ArgumentError
        ``parent`` has a cycle (repair it with
        :func:`~agentgraph.graph.repair.break_cycles` first). Also a ValueError.

    Notes
    -----
    O(n) time and memory: one walk (unless given) and one children-first pass,
    both iterative numba kernels (no recursion: a 10-million-deep chain works).
    Levels count the root as level 1 (2013 SPC/SPP/MPS opinion).

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
       organising or leading pyramid selling), 2013, §1: levels counted from the
       organiser as level 1.

    Examples
    --------
    A root 0 with recruits 1 and 2; 1 recruited 3:

    >>> import numpy as np
    >>> from agentgraph.measure.hierarchy import hierarchy
    >>> h = hierarchy(np.array([-1, 0, 0, 1], np.int32))
    >>> h.depth.tolist(), h.level.tolist()
    ([0, 1, 1, 2], [1, 2, 2, 3])
    >>> h.size.tolist(), h.height.tolist(), h.direct.tolist()
    ([4, 2, 1, 1], [2, 1, 0, 0], [2, 1, 0, 0])
    """
    if walk is None:
        walk, cycles = break_cycles(parent.copy())
        if cycles:
            raise ArgumentError("parent array has cycles; use break_cycles")
    size, height, direct = downline_stats(parent, walk.order)
    return Hierarchy(walk.depth, walk.net, walk.roots, size, height, direct)
