"""A scan's results as two plain tables, for SQL users and datasette.

``agentgraph scan --dataset NAME --save`` (and every scan of the API) keeps them in the
embedded store beside the dataset, one row per agent and one per network, each with
the dataset's name, so ``SELECT * FROM agentgraph_networks WHERE dataset = 'demo' AND
flagged`` answers without agentgraph. A new scan of a dataset replaces its rows.

``agentgraph_agents`` (:data:`AGENT_COLUMNS`)
    ``dataset, agent_id, upline_id`` (null for a root), ``level`` (root = 1),
    ``root_id``, ``downline`` (the agent included), ``direct_recruits``,
    ``downline_levels``, ``rank`` (the declared title, not a level), ``flagged`` and
    ``rules`` (of its network, ``;``-separated), ``scanned_at``;
``agentgraph_networks`` (:data:`NETWORK_COLUMNS`)
    ``dataset, root_id, members, levels, tier_counts`` (members per level, root
    first), ``structure`` (``single_tier``, ``multi_level``, ``five_tier_plus``),
    ``max_direct_recruits``, ``flagged``, ``rules``, ``policy``, ``scanned_at``.

Counting follows the 2013 SPC/SPP/MPS opinion: the root is level 1, members include
the root.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from agentgraph.scanned import Scanned

__all__ = ["AGENT_COLUMNS", "NETWORK_COLUMNS", "result_tables"]

AGENT_COLUMNS = (
    "dataset",
    "agent_id",
    "upline_id",
    "level",
    "root_id",
    "downline",
    "direct_recruits",
    "downline_levels",
    "rank",
    "flagged",
    "rules",
    "scanned_at",
)
"""Columns of ``agentgraph_agents``."""

NETWORK_COLUMNS = (
    "dataset",
    "root_id",
    "members",
    "levels",
    "tier_counts",
    "structure",
    "max_direct_recruits",
    "flagged",
    "rules",
    "policy",
    "scanned_at",
)
"""Columns of ``agentgraph_networks``."""


def result_tables(a: Scanned, dataset: str) -> tuple[pa.Table, pa.Table]:
    """The per-agent and per-network tables of a finished scan.

    Parameters
    ----------
    a : Scanned
        A finished scan.
    dataset : str
        The dataset's name (the first column of both tables).

    Returns
    -------
    agents, networks : pyarrow.Table
        Columns :data:`AGENT_COLUMNS` and :data:`NETWORK_COLUMNS`.

    Notes
    -----
    O(n + networks), Arrow and numpy only (no Python object per agent).

    Examples
    --------
    >>> import agentgraph
    >>> agents, nets = result_tables(agentgraph.scan("fixtures/chain5.csv"), "chain")
    >>> agents.column("level").to_pylist(), agents.column("rank").to_pylist()[:2]
    ([1, 2, 3, 4, 5], ['总代', '一级代理'])
    >>> nets.column("tier_counts").to_pylist(), nets.column("structure").to_pylist()
    ([[1, 1, 1, 1, 1]], ['five_tier_plus'])
    """
    g, h, nets = a.graph, a.hierarchy, a.networks
    n, k = len(g), len(nets)
    now = pa.scalar(datetime.now(UTC).replace(microsecond=0), pa.timestamp("us", tz="UTC"))
    fired = [(r.id, a.flag_mask[r.id]) for r in a.policy.rules]
    flagged = np.zeros(k, np.bool_)
    for _, m in fired:
        flagged |= np.asarray(m, np.bool_)
    text = np.full(k, "", dtype=object)
    for j in np.flatnonzero(flagged).tolist():  # a Python string per flagged network only
        text[j] = ";".join(r for r, m in fired if m[j])
    rules_per_net = pa.array(text, pa.string())
    parent = g.parent
    has_up = parent >= 0
    upline = pc.if_else(
        pa.array(has_up), g.ids.take(pa.array(np.where(has_up, parent, 0).astype(np.int64))), None
    )
    net = pa.array(h.net.astype(np.int64))
    if g.rank is not None and len(g.rank) == n:
        rank = pc.cast(g.rank, pa.string())
    elif g.rank is not None:
        pad = pa.nulls(n - len(g.rank), pa.string())
        rank = pa.concat_arrays([pc.cast(g.rank, pa.string()), pad])
    else:
        rank = pa.nulls(n, pa.string())
    agents = pa.table(
        {
            "dataset": pa.repeat(pa.scalar(dataset, pa.string()), n),
            "agent_id": g.ids,
            "upline_id": upline,
            "level": pa.array(h.depth + 1, pa.int32()),
            "root_id": g.ids.take(pa.array(h.root.astype(np.int64))),
            "downline": pa.array(h.size, pa.int64()),
            "direct_recruits": pa.array(h.direct, pa.int32()),
            "downline_levels": pa.array(h.height + 1, pa.int32()),
            "rank": rank,
            "flagged": pa.array(flagged).take(net),
            "rules": rules_per_net.take(net),
            "scanned_at": pa.repeat(now, n),
        }
    )
    levels = np.asarray(nets.levels)
    structure = np.where(
        levels <= 2, "single_tier", np.where(levels <= 4, "multi_level", "five_tier_plus")
    )
    tiers = pa.ListArray.from_arrays(
        pa.array(nets.tier_offsets.astype(np.int32)), pa.array(nets.tiers, pa.int64())
    )
    networks = pa.table(
        {
            "dataset": pa.repeat(pa.scalar(dataset, pa.string()), k),
            "root_id": g.ids.take(pa.array(nets.roots.astype(np.int64))),
            "members": pa.array(nets.members, pa.int64()),
            "levels": pa.array(levels, pa.int32()),
            "tier_counts": tiers,
            "structure": pa.array(structure, pa.string()),
            "max_direct_recruits": pa.array(nets.max_direct, pa.int32()),
            "flagged": pa.array(flagged),
            "rules": rules_per_net,
            "policy": pa.repeat(pa.scalar(a.policy.name, pa.string()), k),
            "scanned_at": pa.repeat(now, k),
        }
    )
    return agents, networks
