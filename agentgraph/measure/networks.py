"""Per-network measures: one network is the tree under one root.

A network's *members* include its root; its *levels* are the number of layers
counted from the root as level 1 (2013 SPC/SPP/MPS opinion), i.e. the largest
depth + 1; ``tier_counts[k]`` is the number of members at level ``k + 1``.

Structure classes: ``single_tier`` (levels <= 2: an organiser and one agent
tier), ``multi_level`` (3 or 4 levels), ``five_tier_plus`` (>= 5 levels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from agentgraph.measure.hierarchy import Hierarchy

__all__ = [
    "Networks",
    "network_stats",
    "networks_of",
    "structure_class",
    "upline_chain",
    "deepest_chain",
    "chains",
]


@nb.njit(cache=True, nogil=True)
def _network_stats(
    depth: np.ndarray, net: np.ndarray, roots: np.ndarray, direct: np.ndarray
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    k = len(roots)
    members = np.zeros(k, np.int64)
    levels = np.ones(k, np.int32)
    deepest = roots.copy()
    max_direct = np.zeros(k, np.int32)
    recruiters = np.zeros(k, np.int64)
    for v in range(len(depth)):
        j = net[v]
        members[j] += 1
        if direct[v] > 0:
            recruiters[j] += 1
        if depth[v] + 1 > levels[j]:
            levels[j] = depth[v] + 1
            deepest[j] = v
        if direct[v] > max_direct[j]:
            max_direct[j] = direct[v]
    offsets = np.zeros(k + 1, np.int64)
    for j in range(k):
        offsets[j + 1] = offsets[j] + levels[j]
    tiers = np.zeros(offsets[k], np.int64)
    for v in range(len(depth)):
        tiers[offsets[net[v]] + depth[v]] += 1
    return roots, members, levels, deepest, max_direct, offsets, tiers, recruiters


@dataclass(frozen=True)
class Networks:
    """Per-network arrays (index = network number, roots in dense-id order)."""

    roots: np.ndarray  # dense id of each root
    members: np.ndarray  # members including the root
    levels: np.ndarray  # layers, root = level 1
    deepest: np.ndarray  # dense id of the first deepest member
    max_direct: np.ndarray  # largest number of direct recruits of any member
    tier_offsets: np.ndarray  # tier_counts of network j = tiers[off[j]:off[j+1]]
    tiers: np.ndarray
    recruiters: np.ndarray  # members with at least one direct recruit

    def mean_branching(self, j: int) -> float:
        """Direct recruits per recruiting member of network ``j`` (0 for a lone root)."""
        r = int(self.recruiters[j])
        return round((int(self.members[j]) - 1) / r, 3) if r else 0.0

    def __len__(self) -> int:
        return len(self.roots)

    def tier_counts(self, j: int) -> list[int]:
        """Members per level of network ``j`` (index 0 = the root's level)."""
        return self.tiers[self.tier_offsets[j] : self.tier_offsets[j + 1]].tolist()


def network_stats(
    parent: np.ndarray, depth: np.ndarray, root: np.ndarray, direct: np.ndarray
) -> Networks:
    """Members, levels, tier counts, deepest member and branching of every network.

    Networks are numbered by their root's dense id. Two sequential passes over
    the agents: O(n + total levels) time and memory.
    """
    roots = np.flatnonzero(parent == -1).astype(np.int32)
    number = np.full(len(parent), -1, np.int32)
    number[roots] = np.arange(len(roots), dtype=np.int32)
    return Networks(*_network_stats(depth, number[root], roots, direct))


def networks_of(h: Hierarchy) -> Networks:
    """:func:`network_stats` from a :class:`~agentgraph.measure.hierarchy.Hierarchy`, which
    already knows every agent's network. O(n + total levels).
    """
    return Networks(*_network_stats(h.depth, h.net, h.roots, h.direct))


def structure_class(levels: int) -> str:
    """``single_tier`` (<= 2 levels), ``multi_level`` (3-4) or ``five_tier_plus`` (>= 5)."""
    if levels <= 2:
        return "single_tier"
    if levels <= 4:
        return "multi_level"
    return "five_tier_plus"


@nb.njit(cache=True, nogil=True)
def _chain(parent: np.ndarray, v: int) -> np.ndarray:
    n = 0
    u = v
    while u != -1:
        n += 1
        u = parent[u]
    out = np.empty(n, np.int32)
    u = v
    for k in range(n - 1, -1, -1):
        out[k] = u
        u = parent[u]
    return out


@nb.njit(cache=True, nogil=True)
def _chains(
    parent: np.ndarray, ends: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(ends) + 1, np.int64)
    for k in range(len(ends)):
        offsets[k + 1] = offsets[k] + lengths[k]
    flat = np.empty(offsets[-1], np.int32)
    for k in range(len(ends)):
        u = ends[k]
        for i in range(offsets[k + 1] - 1, offsets[k] - 1, -1):
            flat[i] = u
            u = parent[u]
    return flat, offsets


def chains(
    parent: np.ndarray, ends: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Root .. ``ends[k]`` chains of known ``lengths`` (depth + 1), flattened.

    Returns ``(flat, offsets)``: chain ``k`` is ``flat[offsets[k]:offsets[k+1]]``.
    O(total length), one compiled call however many chains.
    """
    return _chains(parent, np.asarray(ends, np.int32), np.asarray(lengths, np.int64))


def upline_chain(parent: np.ndarray, v: int) -> np.ndarray:
    """Dense ids from the root down to ``v`` (both included). O(depth)."""
    return _chain(parent, v)


def deepest_chain(parent: np.ndarray, networks: Networks, j: int) -> np.ndarray:
    """Root .. first deepest member of network ``j``. O(levels)."""
    return _chain(parent, int(networks.deepest[j]))
