"""The part of a recruitment forest to export: one network, or one agent's downline.

A selection lists its agents top-down (breadth first from its top agent, recruits in
load order), each with its upline inside the selection, its level in the whole tree
(the network's root is level 1, as the 2013 SPC/SPP/MPS opinion counts), its
downline size (the agent included), its direct recruits and its rank title when the
input has one, plus the network's root and the rules that fire on the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyarrow as pa

from agentgraph.errors import AgentNotFound, ArgumentError

if TYPE_CHECKING:
    from agentgraph.live.index import LiveIndex
    from agentgraph.scanned import Scanned

__all__ = ["Selection", "select_from_scan", "select_from_index"]


@dataclass(frozen=True)
class Selection:
    """Agents of one network or downline, top-down, with their measures.

    Attributes
    ----------
    kind : {"network", "downline"}
        What was selected.
    top : str
        The selection's first agent: the network's root, or the downline's agent.
    network_root : str
        The root of the network the selection is in.
    ids : list of str
        Agent ids, breadth first from ``top``.
    parent : ndarray of int32
        Index in ``ids`` of each agent's upline; -1 for ``top``.
    level : ndarray of int32
        Level in the whole tree (root = 1).
    downline : ndarray of int64
        Downline size of each agent, the agent included.
    direct : ndarray of int32
        Direct recruits of each agent.
    rank : list of str or None, or None
        Rank titles (not levels) when the input has them.
    rules : list of str
        Rules that fire on the network (empty: not flagged).
    source : str
        The dataset or file the selection comes from.

    Examples
    --------
    >>> import agentgraph
    >>> sel = select_from_scan(agentgraph.scan("fixtures/chain5.csv"), downline="C3")
    >>> sel.kind, sel.top, sel.network_root, sel.ids, sel.parent.tolist()
    ('downline', 'C3', 'C1', ['C3', 'C4', 'C5'], [-1, 0, 1])
    """

    kind: Literal["network", "downline"]
    top: str
    network_root: str
    ids: list[str]
    parent: np.ndarray
    level: np.ndarray
    downline: np.ndarray
    direct: np.ndarray
    rank: list[str | None] | None
    rules: list[str]
    source: str

    def __len__(self) -> int:
        return len(self.ids)


def _breadth_first(
    top: int, kids_of: Callable[[int], np.ndarray], limit: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids breadth first from ``top`` and each one's upline index in that list."""
    order: list[int] = [top]
    parent: list[int] = [-1]
    k = 0
    while k < len(order):
        kids = kids_of(order[k]).tolist()
        if kids:
            order.extend(kids)
            parent.extend([k] * len(kids))
            if limit is not None and len(order) > limit:
                raise ArgumentError(
                    f"the selection holds more than {limit:,} agents: export it from the "
                    "CLI (agentgraph export), which has no such bound"
                )
        k += 1
    return np.asarray(order, np.int64), np.asarray(parent, np.int32)


def _pick(kind: str, network: str | None, downline: str | None) -> tuple[str, str]:
    if (network is None) == (downline is None):
        raise ArgumentError("give exactly one of network= (a root id) or downline= (an agent id)")
    return (kind, network) if network is not None else ("downline", str(downline))


def select_from_scan(
    a: Scanned, *, network: str | None = None, downline: str | None = None
) -> Selection:
    """Cut a network (by its root id) or an agent's downline out of a finished scan.

    Parameters
    ----------
    a : Scanned
        A finished scan (:func:`agentgraph.scan`).
    network : str, optional
        The root id of the network to export.
    downline : str, optional
        The agent whose downline (the agent included) to export.

    Returns
    -------
    Selection

    Raises
    ------
    AgentNotFound
        No such agent, or ``network`` names an agent that is not a root.
    ArgumentError
        Neither or both of ``network`` and ``downline``.

    Notes
    -----
    O(selected agents) after the scan's children lists (built once, O(n)).

    Examples
    --------
    >>> import agentgraph
    >>> sel = select_from_scan(agentgraph.scan("fixtures/boundary_30_3.csv"), network="001")
    >>> len(sel), sel.rules, sel.level.max()
    (30, ['cn.threshold'], np.int32(3))
    """
    kind, agent = _pick("network", network, downline)
    v = a.graph.node(agent)
    if v < 0:
        raise AgentNotFound(f"no agent {agent!r} in {a.graph.source}")
    h = a.hierarchy
    root = int(h.root[v])
    if kind == "network" and root != v:
        raise AgentNotFound(f"{agent!r} is not the root of a network (its root is level 1)")
    start, kids = a.children  # type: ignore[attr-defined]
    order, parent = _breadth_first(v, lambda u: kids[start[u] : start[u + 1]], None)
    j = int(h.net[v])
    rules = [r.id for r in a.policy.rules if a.flag_mask[r.id][j]]
    return Selection(
        kind=kind,  # type: ignore[arg-type]
        top=agent,
        network_root=a.graph.ids[root].as_py(),
        ids=a.graph.names(order),
        parent=parent,
        level=(h.depth[order] + 1).astype(np.int32),
        downline=h.size[order].astype(np.int64),
        direct=h.direct[order].astype(np.int32),
        rank=_ranks(a.graph.rank, order),
        rules=rules,
        source=a.graph.source,
    )


def _ranks(rank: pa.Array | None, order: np.ndarray) -> list[str | None] | None:
    """Rank titles of ``order`` (agents only seen as uplines have none)."""
    if rank is None:
        return None
    listed = order < len(rank)
    out: list[str | None] = [None] * len(order)
    picked = rank.take(pa.array(order[listed])).to_pylist()
    for k, r in zip(np.flatnonzero(listed).tolist(), picked, strict=True):
        out[k] = r
    return out


def select_from_index(
    idx: LiveIndex,
    *,
    network: str | None = None,
    downline: str | None = None,
    source: str = "",
    limit: int | None = None,
) -> Selection:
    """Cut a network or a downline out of the API's live index (recruitments included).

    Parameters
    ----------
    idx : LiveIndex
        A dataset's live index.
    network, downline : str, optional
        As in :func:`select_from_scan`.
    source : str
        The dataset's name, for the files' headers.
    limit : int, optional
        Refuse (``ArgumentError``) a selection of more agents than this.

    Returns
    -------
    Selection

    Raises
    ------
    AgentNotFound
        No such agent, or ``network`` is not a root.
    ArgumentError
        Neither or both of ``network`` and ``downline``, or more than ``limit`` agents.

    Notes
    -----
    O(selected agents + depth of the top agent).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> idx = LiveIndex.from_analysis(agentgraph.scan("fixtures/chain5.csv"))
    >>> _ = idx.add("C5", "C6")
    >>> select_from_index(idx, downline="C4").ids
    ['C4', 'C5', 'C6']
    """
    kind, agent = _pick("network", network, downline)
    v = idx.require(agent)
    chain = idx.chain(v)
    if kind == "network" and len(chain) != 1:
        raise AgentNotFound(f"{agent!r} is not the root of a network (its root is level 1)")

    order, parent = _breadth_first(v, idx.recruit_ids, limit)
    depth = np.zeros(len(order), np.int32)
    for k in range(1, len(order)):
        depth[k] = depth[parent[k]] + 1
    j = idx.network_of(v)
    ranks = [idx.rank_of(int(u)) for u in order]
    return Selection(
        kind=kind,  # type: ignore[arg-type]
        top=agent,
        network_root=idx.id_of(int(chain[0])),
        ids=idx.names(order),
        parent=parent,
        level=(depth + len(chain)).astype(np.int32),
        downline=idx.size[order].astype(np.int64),
        direct=np.asarray([idx.direct_of(int(u)) for u in order], np.int32),
        rank=ranks if any(r is not None for r in ranks) else None,
        rules=[r.id for r in idx.policy.rules if idx.masks[r.id][j]],
        source=source,
    )
