"""Library views for researchers: pandas frames, networkx and igraph graphs.

The arrays stay the source of truth; these build Python-level objects on
request. DataFrames are O(n) vectorised; graph exports create one Python
object per agent (networkx) or pass whole edge arrays (igraph), so use them on
networks you mean to study, not on 10 million agents at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.measure.networks import structure_class

if TYPE_CHECKING:
    import igraph
    import networkx as nx
    import pandas as pd

    from agentgraph.graph.model import RecruitmentGraph
    from agentgraph.scanned import Scanned

__all__ = ["agents_frame", "networks_frame", "to_networkx", "to_igraph"]


def agents_frame(a: Scanned) -> pd.DataFrame:
    """One row per agent: agent, upline, root, level (root = 1), downline, direct
    recruits, downline_levels, listed (False for uplines never listed), rank.
    """
    g, h = a.graph, a.hierarchy
    parent = g.parent
    up = np.where(parent >= 0, parent, 0)
    upline = g.ids.take(pa.array(up.astype(np.int64)))
    upline = pa.array(upline.to_pandas().where(parent >= 0, None), pa.string())
    cols: dict[str, Any] = {
        "agent": g.ids,
        "upline": upline,
        "root": g.ids.take(pa.array(h.root.astype(np.int64))),
        "level": pa.array(h.depth + 1),
        "downline": pa.array(h.size),
        "direct_recruits": pa.array(h.direct),
        "downline_levels": pa.array(h.height + 1),
        "listed": pa.array(np.arange(len(g)) < g.n_listed),
    }
    if g.rank is not None:
        cols["rank"] = g.rank
    return pa.table(cols).to_pandas()


def networks_frame(a: Scanned) -> pd.DataFrame:
    """One row per network: root, members, levels, structure, flagged, rules,
    max_direct_recruits; flagged first, then by size.
    """
    nets = a.networks
    order = a.network_order()
    import pandas as pd

    rules = [";".join(r for r, m in a.flag_mask.items() if m[j]) for j in order]
    return pd.DataFrame(
        {
            "root": a.graph.names(nets.roots[order]),
            "members": nets.members[order],
            "levels": nets.levels[order],
            "structure": [structure_class(int(x)) for x in nets.levels[order]],
            "flagged": a.flagged[order],
            "rules": rules,
            "max_direct_recruits": nets.max_direct[order],
        }
    )


def _edges(g: RecruitmentGraph) -> tuple[np.ndarray, np.ndarray]:
    child = np.flatnonzero(g.parent >= 0)
    return g.parent[child], child


def to_networkx(g: RecruitmentGraph) -> nx.DiGraph:
    """Directed graph upline -> downline with agent id strings as nodes. O(n) objects."""
    import networkx as nx

    ids = g.ids.to_pylist()
    up, down = _edges(g)
    dg = nx.DiGraph()
    dg.add_nodes_from(ids)
    dg.add_edges_from(
        zip([ids[i] for i in up.tolist()], [ids[i] for i in down.tolist()], strict=True)
    )
    return dg


def to_igraph(g: RecruitmentGraph) -> igraph.Graph:
    """Directed igraph Graph upline -> downline; vertex attribute ``name`` = agent id."""
    import igraph

    up, down = _edges(g)
    graph = igraph.Graph(n=len(g), edges=np.column_stack([up, down]).tolist(), directed=True)
    graph.vs["name"] = g.ids.to_pylist()
    return graph
