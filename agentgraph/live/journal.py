"""Taking recruitments back: the undo journal of ``LiveIndex.add``.

A recruitment changes a few values in place (the upline chain's downline sizes and
heights, the upline's direct recruits, its network's counts, tier and flags) and
appends the new agent. :func:`before_add` records those values before an add;
:func:`undo` puts them back, newest first. The API's group commit uses it to
check a whole batch of recruitments in arrival order, each seeing the ones before
it, and then take them all back before the batch is committed (readers never see
an uncommitted recruitment).

Pure numpy; it knows nothing about HTTP.

Examples
--------
>>> import agentgraph
>>> from agentgraph.live import LiveIndex
>>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
>>> journal = []
>>> _ = index.add("002", "030", journal=journal)
>>> len(index), len(journal)
(30, 1)
>>> index.undo(journal)
>>> len(index), index.node("030")
(29, -1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from agentgraph.live.results import LiveNetworks
from agentgraph.policies import Policy

__all__ = ["Undo", "before_add", "undo"]


class _Index(Protocol):
    """What the journal touches of a :class:`~agentgraph.live.LiveIndex` (no import cycle)."""

    n: int
    version: int
    policy: Policy
    nets: LiveNetworks
    masks: dict[str, np.ndarray]
    size: np.ndarray
    height: np.ndarray
    _new_ids: list[str]
    _new_rank: list[str | None]
    _new_lookup: dict[str, int]
    _new_kids: dict[int, list[int]]
    _cache: dict[str, tuple[int, Any]]

    def network_of(self, v: int) -> int: ...

    def chain(self, v: int) -> np.ndarray: ...


@dataclass(slots=True)
class Undo:
    """What one add changed in place, to put it back.

    Attributes
    ----------
    v : int
        The new agent's dense id (the index's length before the add).
    p : int
        Its upline.
    j : int
        Their network.
    chain : ndarray of int32
        Root .. ``p``: the agents whose downline size and height the add changed.
    heights : ndarray of int32
        Their heights before.
    had_kids : bool
        ``p`` had recruits added since the build before.
    net : tuple of int
        Network ``j``'s members, levels, deepest member, largest direct recruits
        and recruiters before.
    tier : int
        The position in ``nets.tiers`` the add incremented, or -1 (the network's
        tiers were kept in ``nets.grown``).
    grown : list of int or None
        ``nets.grown[j]`` before (a copy), None when it had none.
    masks : tuple of bool
        Each rule's flag on ``j`` before, in the policy's rule order.
    version : int
        The index's version before.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> journal = []
    >>> _ = index.add("002", "030", journal=journal)
    >>> u = journal[0]
    >>> u.v, u.chain.tolist(), u.net[:2], u.masks
    (29, [0, 1], (29, 3), (False, False))
    """

    v: int
    p: int
    j: int
    chain: np.ndarray
    heights: np.ndarray
    had_kids: bool
    net: tuple[int, int, int, int, int]
    tier: int
    grown: list[int] | None
    masks: tuple[bool, ...]
    version: int


def before_add(index: _Index, v: int, p: int, d: int) -> Undo:
    """The values an add of dense id ``v`` below ``p`` (at depth ``d``) will change.

    Parameters
    ----------
    index : LiveIndex
        The index, before the add.
    v : int
        The new agent's dense id (``len(index)``).
    p : int
        Its upline's dense id.
    d : int
        The new agent's depth (the upline's depth + 1, the root at depth 0).

    Returns
    -------
    Undo
        What :func:`undo` needs to take the add back.

    Notes
    -----
    O(depth of ``p`` + rules): the upline chain and its heights are copied.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> from agentgraph.live.journal import before_add
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> p = index.node("002")
    >>> u = before_add(index, len(index), p, len(index.chain(p)))
    >>> u.chain.tolist(), u.tier, len(index)  # nothing changed
    ([0, 1], 2, 29)
    """
    j = index.network_of(p)
    nets = index.nets
    chain = index.chain(p)
    grown = nets.grown.get(j)
    width = int(nets.tier_offsets[j + 1] - nets.tier_offsets[j])
    return Undo(
        v=v,
        p=p,
        j=j,
        chain=chain,
        heights=index.height[chain].copy(),
        had_kids=p in index._new_kids,
        net=(
            int(nets.members[j]),
            int(nets.levels[j]),
            int(nets.deepest[j]),
            int(nets.max_direct[j]),
            int(nets.recruiters[j]),
        ),
        tier=int(nets.tier_offsets[j]) + d if grown is None and d < width else -1,
        grown=None if grown is None else list(grown),
        masks=tuple(bool(index.masks[r.id][j]) for r in index.policy.rules),
        version=index.version,
    )


def undo(index: _Index, journal: list[Undo]) -> None:
    """Take back the adds recorded in ``journal`` (newest first), then empty it.

    Parameters
    ----------
    index : LiveIndex
        The index the adds were made on, with no other add since the first recorded.
    journal : list of Undo
        Filled by :meth:`LiveIndex.add <agentgraph.live.LiveIndex.add>` (``journal=``).

    Notes
    -----
    O(sum of the upline depths). Afterwards every array, count, flag and id
    lookup is as before the first recorded add, the version included; cached
    answers made at a later version are dropped.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> from agentgraph.live.journal import undo
    >>> index = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_29_3.csv"))
    >>> journal = []
    >>> _ = index.add("002", "030", journal=journal)
    >>> _ = index.add("030", "031", journal=journal)
    >>> undo(index, journal)
    >>> len(index), index.nets.tier_counts(0), int(index.size[0]), journal
    (29, [1, 5, 23], 29, [])
    """
    nets = index.nets
    for u in reversed(journal):
        agent_id = index._new_ids.pop()
        index._new_rank.pop()
        del index._new_lookup[agent_id]
        kids = index._new_kids[u.p]
        kids.pop()
        if not u.had_kids:
            del index._new_kids[u.p]
        index.size[u.chain] -= 1
        index.height[u.chain] = u.heights
        j = u.j
        members, levels, deepest, max_direct, recruiters = u.net
        nets.members[j] = members
        nets.levels[j] = levels
        nets.deepest[j] = deepest
        nets.max_direct[j] = max_direct
        nets.recruiters[j] = recruiters
        if u.tier >= 0:
            nets.tiers[u.tier] -= 1
        if u.grown is None:
            nets.grown.pop(j, None)
        else:
            nets.grown[j] = u.grown
        for rule, was in zip(index.policy.rules, u.masks, strict=True):
            index.masks[rule.id][j] = was
        index.n = u.v
        index.version = u.version
    journal.clear()
    index._cache = {k: hit for k, hit in index._cache.items() if hit[0] <= index.version}
