"""Hierarchy of a recruitment forest given as a parent array.

A recruitment forest is stored as ``parent[v]`` (the upline's dense id, -1 for a
root). All kernels are iterative (no recursion: a 10-million-deep chain works)
and compiled with numba; none allocates a Python object per agent.

Counting follows the 2013 opinion of the SPC, SPP and MPS on organising or
leading pyramid-selling activities: a *level* is a layer of the
upline-downline relationship; the root (the organiser) is level 1, so
``level = depth + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numba as nb
import numpy as np

from agentgraph.graph.repair import Walk, break_cycles
from agentgraph.measure.groups import Groups

__all__ = ["Hierarchy", "downline_stats", "hierarchy"]


@nb.njit(cache=True, nogil=True)
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

    ``height[v]`` is the number of layers below ``v``; the agent's own downline
    spans ``height + 1`` levels. Agents are visited children first (``order``
    reversed, from :func:`break_cycles`), each adding itself to its upline:
    O(n) time and memory.
    """
    return _downline_stats(parent, order)


@dataclass(frozen=True)
class Hierarchy:
    """Per-agent hierarchy arrays (index = dense agent id)."""

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
        return self.roots[self.net]


def hierarchy(parent: np.ndarray, walk: Walk | None = None) -> Hierarchy:
    """All per-agent measures of an acyclic parent array. O(n).

    ``walk`` comes from :func:`break_cycles` when already known.
    Raises ValueError on a cycle (repair with :func:`break_cycles` first).
    """
    if walk is None:
        walk, cycles = break_cycles(parent.copy())
        if cycles:
            raise ValueError("parent array has cycles; use break_cycles")
    size, height, direct = downline_stats(parent, walk.order)
    return Hierarchy(walk.depth, walk.net, walk.roots, size, height, direct)
