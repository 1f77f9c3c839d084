"""Library views for researchers: pandas frames, networkx and igraph graphs.

The arrays stay the source of truth; these build Python-level objects on
request. DataFrames are O(n) vectorised; graph exports create one Python
object per agent (networkx) or pass whole edge arrays (igraph), so use them on
networks you mean to study, not on 10 million agents at once.

Examples
--------
>>> import agentgraph
>>> from agentgraph.interop import agents_frame
>>> agents_frame(agentgraph.scan("fixtures/chain5.csv"))["level"].tolist()
[1, 2, 3, 4, 5]
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
    """One row per agent of a finished scan, as a pandas DataFrame.

    Parameters
    ----------
    a : Scanned
        A finished scan (:func:`agentgraph.scan`).

    Returns
    -------
    pandas.DataFrame
        Columns ``agent``, ``upline`` (missing for a root), ``root``, ``level``
        (root = 1), ``downline`` (the agent included), ``direct_recruits``,
        ``downline_levels``, ``listed`` (False for uplines never listed) and
        ``rank`` when the input has one; rows in dense-id order.

    Notes
    -----
    O(n), vectorised (Arrow columns converted once). Levels count the root as
    level 1 (2013 SPC/SPP/MPS opinion).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.interop import agents_frame
    >>> df = agents_frame(agentgraph.scan("fixtures/chain5.csv"))
    >>> print(df[["agent", "root", "level", "downline", "rank"]].to_string(index=False))
    agent root  level  downline rank
       C1   C1      1         5   总代
       C2   C1      2         4 一级代理
       C3   C1      3         3 二级代理
       C4   C1      4         2 三级代理
       C5   C1      5         1 四级代理
    >>> df["upline"].tolist()[1:], bool(df["listed"].all())
    (['C1', 'C2', 'C3', 'C4'], True)
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
    """One row per network of a finished scan, as a pandas DataFrame.

    Parameters
    ----------
    a : Scanned
        A finished scan (:func:`agentgraph.scan`).

    Returns
    -------
    pandas.DataFrame
        Columns ``root``, ``members``, ``levels``, ``structure``, ``flagged``,
        ``rules`` (the rule ids that fire, ``;``-separated) and
        ``max_direct_recruits``; flagged first, then by size.

    Notes
    -----
    O(k log k) for k networks (the scan's network order) plus O(k x rules).

    Examples
    --------
    ``fixtures/boundary_30_3.csv``: exactly 30 members over exactly 3 levels.

    >>> import agentgraph
    >>> from agentgraph.interop import networks_frame
    >>> df = networks_frame(agentgraph.scan("fixtures/boundary_30_3.csv"))
    >>> df.iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'root': '001', 'members': 30, 'levels': 3, 'structure': 'multi_level',
     'flagged': True, 'rules': 'cn.threshold', 'max_direct_recruits': 5}
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
    """Directed networkx graph upline -> downline, agent id strings as nodes.

    Parameters
    ----------
    g : RecruitmentGraph
        The (repaired) recruitment forest.

    Returns
    -------
    networkx.DiGraph
        Every agent a node, every recruitment an edge from upline to downline.

    Notes
    -----
    O(n) time, one Python object per agent and per edge.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> from agentgraph.interop import to_networkx
    >>> dg = to_networkx(build_graph(agentgraph.read("fixtures/chain5.csv")))
    >>> dg.number_of_nodes(), sorted(dg.edges())[:2], list(dg.successors("C4"))
    (5, [('C1', 'C2'), ('C2', 'C3')], ['C5'])
    """
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
    """Directed igraph Graph upline -> downline; vertex attribute ``name`` = agent id.

    Parameters
    ----------
    g : RecruitmentGraph
        The (repaired) recruitment forest.

    Returns
    -------
    igraph.Graph
        Vertex ``v`` is dense id ``v``; one edge per recruitment.

    Notes
    -----
    O(n): whole edge arrays passed at once, one Python string per agent name.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> from agentgraph.interop import to_igraph
    >>> ig = to_igraph(build_graph(agentgraph.read("fixtures/chain5.csv")))
    >>> ig.vcount(), ig.ecount(), ig.is_directed(), ig.vs["name"][:2]
    (5, 4, True, ['C1', 'C2'])
    """
    import igraph

    up, down = _edges(g)
    graph = igraph.Graph(n=len(g), edges=np.column_stack([up, down]).tolist(), directed=True)
    graph.vs["name"] = g.ids.to_pylist()
    return graph
