"""Per-network measures: one network is the tree under one root.

A network's *members* include its root; its *levels* are the number of layers
counted from the root as level 1 (2013 SPC/SPP/MPS opinion), i.e. the largest
depth + 1; ``tier_counts[k]`` is the number of members at level ``k + 1``.

Structure classes: ``single_tier`` (levels <= 2: an organiser and one agent
tier), ``multi_level`` (3 or 4 levels), ``five_tier_plus`` (>= 5 levels).

References
----------
.. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
   适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
   organising or leading pyramid selling), 2013, §1.

Examples
--------
>>> import numpy as np
>>> from agentgraph.measure.hierarchy import hierarchy
>>> from agentgraph.measure.networks import networks_of
>>> nets = networks_of(hierarchy(np.array([-1, 0, 0, 1, -1, 4], np.int32)))
>>> nets.members.tolist(), nets.levels.tolist(), nets.tier_counts(0)
([4, 2], [3, 2], [1, 2, 1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentgraph.compiled import kernel
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


@kernel(cache=True, nogil=True)
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
    """Per-network arrays (index = network number, roots in dense-id order).

    Attributes
    ----------
    roots : ndarray of int32
        Dense id of each root.
    members : ndarray of int64
        Members including the root.
    levels : ndarray of int32
        Layers, root = level 1.
    deepest : ndarray of int32
        Dense id of the first deepest member.
    max_direct : ndarray of int32
        Largest number of direct recruits of any member.
    tier_offsets : ndarray of int64
        The tier counts of network ``j`` are ``tiers[tier_offsets[j]:tier_offsets[j + 1]]``.
    tiers : ndarray of int64
        Members per level of every network, back to back.
    recruiters : ndarray of int64
        Members with at least one direct recruit.
    accounts : ndarray of int64 or None
        When ``members`` counts participants (``counted == "participants"``, see
        :mod:`agentgraph.evidence.participants`): the accounts of each network.
    counted : str
        What ``members`` and ``levels`` count: ``accounts`` or ``participants``.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
       organising or leading pyramid selling), 2013, §1: members include the
       organiser, levels are counted from the organiser as level 1.

    Examples
    --------
    Network 0: root 0, recruits 1 and 2, 1 recruited 3; network 1: root 4 and 5.

    >>> import numpy as np
    >>> from agentgraph.measure.hierarchy import hierarchy
    >>> from agentgraph.measure.networks import networks_of
    >>> nets = networks_of(hierarchy(np.array([-1, 0, 0, 1, -1, 4], np.int32)))
    >>> len(nets), nets.roots.tolist(), nets.members.tolist(), nets.levels.tolist()
    (2, [0, 4], [4, 2], [3, 2])
    >>> nets.tier_counts(0), nets.deepest.tolist(), nets.mean_branching(0)
    ([1, 2, 1], [3, 5], 1.5)
    """

    roots: np.ndarray  # dense id of each root
    members: np.ndarray  # members including the root
    levels: np.ndarray  # layers, root = level 1
    deepest: np.ndarray  # dense id of the first deepest member
    max_direct: np.ndarray  # largest number of direct recruits of any member
    tier_offsets: np.ndarray  # tier_counts of network j = tiers[off[j]:off[j+1]]
    tiers: np.ndarray
    recruiters: np.ndarray  # members with at least one direct recruit
    accounts: np.ndarray | None = None  # accounts per network when members counts participants
    counted: str = "accounts"  # what ``members`` counts: "accounts" or "participants"

    def mean_branching(self, j: int) -> float:
        """Direct recruits per recruiting member of network ``j`` (0 for a lone root)."""
        r = int(self.recruiters[j])
        return round((int(self.members[j]) - 1) / r, 3) if r else 0.0

    def __len__(self) -> int:
        """Number of networks."""
        return len(self.roots)

    def tier_counts(self, j: int) -> list[int]:
        """Members per level of network ``j`` (index 0 = the root's level)."""
        counts: list[int] = self.tiers[self.tier_offsets[j] : self.tier_offsets[j + 1]].tolist()
        return counts

    def tier_lists(self, js: np.ndarray) -> list[list[int]]:
        """:meth:`tier_counts` of every network of ``js``: one gather, then list slices.

        O(networks + their levels).
        """
        js = np.asarray(js, np.int64).reshape(-1)
        lo = self.tier_offsets[js]
        size = self.tier_offsets[js + 1] - lo
        ends = np.cumsum(size)
        flat = self.tiers[
            np.repeat(lo - (ends - size), size) + np.arange(int(ends[-1]) if len(ends) else 0)
        ]
        got = flat.tolist()
        off = [0, *ends.tolist()]
        return [got[off[k] : off[k + 1]] for k in range(len(js))]

    def mean_branching_many(self, js: np.ndarray) -> list[float]:
        """:meth:`mean_branching` of every network of ``js``. O(networks)."""
        js = np.asarray(js, np.int64).reshape(-1)
        members, recruiters = self.members[js].tolist(), self.recruiters[js].tolist()
        return [
            round((m - 1) / r, 3) if r else 0.0 for m, r in zip(members, recruiters, strict=True)
        ]


def network_stats(
    parent: np.ndarray, depth: np.ndarray, root: np.ndarray, direct: np.ndarray
) -> Networks:
    """Members, levels, tier counts, deepest member and branching of every network.

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root; acyclic.
    depth : ndarray of int32
        Depth of every agent, root = 0.
    root : ndarray of int32
        Dense id of every agent's root.
    direct : ndarray of int32
        Direct recruits of every agent.

    Returns
    -------
    Networks
        One entry per root, networks numbered by their root's dense id.

    Notes
    -----
    Two sequential passes over the agents (an iterative numba kernel): O(n +
    total levels) time and memory. Members include the root; levels count the
    root as level 1.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
       organising or leading pyramid selling), 2013, §1: members include the
       organiser, levels are counted from the organiser as level 1.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.graph.repair import depth_and_root
    >>> from agentgraph.measure.networks import network_stats
    >>> parent = np.array([-1, 0, 0, 1, -1, 4], np.int32)
    >>> depth, root = depth_and_root(parent)
    >>> direct = np.array([2, 1, 0, 0, 1, 0], np.int32)
    >>> nets = network_stats(parent, depth, root, direct)
    >>> nets.members.tolist(), nets.levels.tolist(), nets.recruiters.tolist()
    ([4, 2], [3, 2], [2, 1])
    """
    roots = np.flatnonzero(parent == -1).astype(np.int32)
    number = np.full(len(parent), -1, np.int32)
    number[roots] = np.arange(len(roots), dtype=np.int32)
    return Networks(*_network_stats(depth, number[root], roots, direct))


def networks_of(h: Hierarchy) -> Networks:
    """Per-network measures of a :class:`~agentgraph.measure.hierarchy.Hierarchy`.

    The same as :func:`network_stats`, from a hierarchy that already knows every
    agent's network.

    Parameters
    ----------
    h : Hierarchy
        Per-agent measures of the forest.

    Returns
    -------
    Networks
        One entry per network of ``h``, in the same order.

    Notes
    -----
    O(n + total levels) time and memory, one iterative numba pass.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件
       适用法律若干问题的意见》(SPC, SPP and MPS, Opinions on criminal cases of
       organising or leading pyramid selling), 2013, §1: members include the
       organiser, levels are counted from the organiser as level 1.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.measure.hierarchy import hierarchy
    >>> from agentgraph.measure.networks import networks_of
    >>> nets = networks_of(hierarchy(np.array([-1, 0, 0, 1], np.int32)))
    >>> int(nets.members[0]), int(nets.levels[0]), nets.tier_counts(0)
    (4, 3, [1, 2, 1])
    """
    return Networks(*_network_stats(h.depth, h.net, h.roots, h.direct))


def structure_class(levels: int) -> str:
    """Structure class of a network with ``levels`` levels.

    Parameters
    ----------
    levels : int
        Levels of the network, root = level 1.

    Returns
    -------
    str
        ``single_tier`` (<= 2 levels: an organiser and one agent tier),
        ``multi_level`` (3-4) or ``five_tier_plus`` (>= 5).

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.measure.networks import structure_class
    >>> [structure_class(n) for n in (1, 2, 3, 4, 5)]
    ['single_tier', 'single_tier', 'multi_level', 'multi_level', 'five_tier_plus']
    """
    if levels <= 2:
        return "single_tier"
    if levels <= 4:
        return "multi_level"
    return "five_tier_plus"


@kernel(cache=True, nogil=True)
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


@kernel(cache=True, nogil=True)
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

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root; acyclic.
    ends : ndarray of int
        The last agent of each chain.
    lengths : ndarray of int
        Agents on each chain: ``depth[ends[k]] + 1``.

    Returns
    -------
    flat : ndarray of int32
        All chains back to back, each from its root down to its end.
    offsets : ndarray of int64
        Chain ``k`` is ``flat[offsets[k]:offsets[k + 1]]``.

    Notes
    -----
    O(total length), one compiled (iterative) call however many chains.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.measure.networks import chains
    >>> parent = np.array([-1, 0, 0, 1, -1, 4], np.int32)
    >>> flat, offsets = chains(parent, np.array([3, 5]), np.array([3, 2]))
    >>> flat.tolist(), offsets.tolist()
    ([0, 1, 3, 4, 5], [0, 3, 5])
    """
    flat, offsets = _chains(parent, np.asarray(ends, np.int32), np.asarray(lengths, np.int64))
    return flat, offsets


def upline_chain(parent: np.ndarray, v: int) -> np.ndarray:
    """Dense ids from the root down to ``v`` (both included).

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root; acyclic.
    v : int
        Dense id of the agent.

    Returns
    -------
    ndarray of int32
        Root first, ``v`` last: ``depth[v] + 1`` ids.

    Notes
    -----
    O(depth): two iterative walks up (count, then fill).

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.measure.networks import upline_chain
    >>> upline_chain(np.array([-1, 0, 0, 1], np.int32), 3).tolist()
    [0, 1, 3]
    """
    chain: np.ndarray = _chain(parent, v)
    return chain


def deepest_chain(parent: np.ndarray, networks: Networks, j: int) -> np.ndarray:
    """Root .. first deepest member of network ``j``.

    Parameters
    ----------
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root; acyclic.
    networks : Networks
        The per-network measures of the same forest.
    j : int
        Network number.

    Returns
    -------
    ndarray of int32
        Dense ids from the root down to the network's first deepest member.

    Notes
    -----
    O(levels of the network).

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.measure.hierarchy import hierarchy
    >>> from agentgraph.measure.networks import deepest_chain, networks_of
    >>> parent = np.array([-1, 0, 0, 1, -1, 4], np.int32)
    >>> deepest_chain(parent, networks_of(hierarchy(parent)), 0).tolist()
    [0, 1, 3]
    """
    chain: np.ndarray = _chain(parent, int(networks.deepest[j]))
    return chain
