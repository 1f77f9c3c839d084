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

import numba as nb
import numpy as np

__all__ = ["Hierarchy", "find_cycles", "depth_and_root", "downline_stats", "hierarchy"]


@nb.njit(cache=True, nogil=True)
def _find_cycles(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(parent)
    state = np.zeros(n, np.int8)  # 0 unseen, 1 on the current walk, 2 finished
    pos = np.empty(n, np.int64)
    path = np.empty(n, np.int32)
    members = np.empty(n, np.int32)
    starts = [0]
    m = 0
    for s in range(n):
        if state[s] != 0:
            continue
        top = 0
        v = s
        while v != -1 and state[v] == 0:
            state[v] = 1
            pos[v] = top
            path[top] = v
            top += 1
            v = parent[v]
        if v != -1 and state[v] == 1:
            for k in range(pos[v], top):
                members[m] = path[k]
                m += 1
            starts.append(m)
        for k in range(top):
            state[path[k]] = 2
    return members[:m].copy(), np.array(starts, dtype=np.int64)


def find_cycles(parent: np.ndarray) -> list[np.ndarray]:
    """Every cycle of the upline relation, each as its agents in upline order.

    Each agent has at most one upline, so the relation is a functional graph and
    every weakly connected component holds at most one cycle. Self-loops count
    as cycles of length 1. O(n) time and memory (one walk per agent, each
    agent visited once).
    """
    members, starts = _find_cycles(parent)
    return [members[starts[k]:starts[k + 1]] for k in range(len(starts) - 1)]


@nb.njit(cache=True, nogil=True)
def _depth_and_root(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(parent)
    depth = np.full(n, -1, np.int32)
    root = np.empty(n, np.int32)
    stack = np.empty(n, np.int32)
    for s in range(n):
        if depth[s] >= 0:
            continue
        top = 0
        v = s
        while depth[v] < 0 and parent[v] != -1:
            stack[top] = v
            top += 1
            v = parent[v]
        if depth[v] < 0:
            depth[v] = 0
            root[v] = v
        d = depth[v]
        r = root[v]
        while top > 0:
            top -= 1
            u = stack[top]
            d += 1
            depth[u] = d
            root[u] = r
    return depth, root


def depth_and_root(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Depth (root = 0) and root of every agent of an acyclic parent array.

    Walks up from each agent to the first agent of known depth and fills the
    path back, so every agent is touched about twice: O(n) time, O(n) memory.
    The caller must break cycles first (:func:`find_cycles`); on a cycle this
    would not terminate.
    """
    return _depth_and_root(parent)


@nb.njit(cache=True, nogil=True)
def _downline_stats(parent: np.ndarray, depth: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(parent)
    maxd = 0
    for v in range(n):
        if depth[v] > maxd:
            maxd = depth[v]
    start = np.zeros(maxd + 2, np.int64)
    for v in range(n):
        start[depth[v] + 1] += 1
    for d in range(maxd + 1):
        start[d + 1] += start[d]
    order = np.empty(n, np.int32)
    for v in range(n):
        d = depth[v]
        order[start[d]] = v
        start[d] += 1
    size = np.ones(n, np.int64)
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


def downline_stats(parent: np.ndarray, depth: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Downline size (the agent included), height and direct recruits per agent.

    ``height[v]`` is the number of layers below ``v``; the agent's own downline
    spans ``height + 1`` levels. Agents are visited deepest first (counting
    sort by depth), each adding itself to its upline: O(n) time and memory.
    """
    return _downline_stats(parent, depth)


@dataclass(frozen=True)
class Hierarchy:
    """Per-agent hierarchy arrays (index = dense agent id)."""

    depth: np.ndarray  # int32, root = 0; level = depth + 1
    root: np.ndarray  # int32, dense id of the network's root
    size: np.ndarray  # int64, downline size including the agent
    height: np.ndarray  # int32, layers below the agent
    direct: np.ndarray  # int32, direct recruits

    @property
    def level(self) -> np.ndarray:
        """Level of every agent, root = level 1 (2013 opinion)."""
        return self.depth + 1


def hierarchy(parent: np.ndarray) -> Hierarchy:
    """All per-agent measures of an acyclic parent array. O(n)."""
    depth, root = depth_and_root(parent)
    size, height, direct = downline_stats(parent, depth)
    return Hierarchy(depth, root, size, height, direct)
