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

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa

from agentgraph.measure.networks import structure_class

if TYPE_CHECKING:
    import igraph
    import networkx as nx
    import pandas as pd

    from agentgraph.graph.model import RecruitmentGraph
    from agentgraph.scanned import Scanned

__all__ = [
    "agents_frame",
    "networks_frame",
    "to_networkx",
    "to_igraph",
    "headline",
    "html_summary",
]


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


def _nodes_of(a: Scanned, network: str | None) -> np.ndarray | None:
    """Dense ids of the network rooted at ``network`` (None: every agent)."""
    if network is None:
        return None
    from agentgraph.errors import AgentNotFound

    v = a.graph.node(network)
    if v < 0 or int(a.hierarchy.root[v]) != v:
        raise AgentNotFound(f"{network!r} is not the root of a network in {a.graph.source}")
    return np.flatnonzero(a.hierarchy.root == v)


def _attributes(a: Scanned, nodes: np.ndarray) -> dict[str, list[Any]]:
    """Per-node attribute columns for ``nodes`` (dense ids), as Python lists."""
    g, h = a.graph, a.hierarchy
    ids = g.ids
    net = h.net[nodes]
    fired = {r.id: a.flag_mask[r.id] for r in a.policy.rules}
    rules = [";".join(r for r, mask in fired.items() if mask[j]) for j in net.tolist()]
    cols: dict[str, list[Any]] = {
        "level": (h.depth[nodes] + 1).tolist(),
        "root": ids.take(pa.array(h.root[nodes].astype(np.int64))).to_pylist(),
        "downline": h.size[nodes].tolist(),
        "direct_recruits": h.direct[nodes].tolist(),
        "downline_levels": (h.height[nodes] + 1).tolist(),
        "flagged": [bool(r) for r in rules],
        "rules": rules,
    }
    if g.rank is not None:
        listed = nodes < len(g.rank)
        rank: list[Any] = [None] * len(nodes)
        for k, value in zip(
            np.flatnonzero(listed).tolist(),
            g.rank.take(pa.array(nodes[listed].astype(np.int64))).to_pylist(),
            strict=True,
        ):
            rank[k] = value
        cols["rank"] = rank
    return cols


def _graph_and_scan(source: RecruitmentGraph | Scanned) -> tuple[RecruitmentGraph, Scanned | None]:
    if hasattr(source, "hierarchy"):
        scanned = cast("Scanned", source)
        return scanned.graph, scanned
    return source, None


def to_networkx(source: RecruitmentGraph | Scanned, *, network: str | None = None) -> nx.DiGraph:
    """Directed networkx graph upline -> downline, agent id strings as nodes.

    Parameters
    ----------
    source : RecruitmentGraph or Scanned
        The (repaired) recruitment forest, or a finished scan: then every node carries
        ``level`` (root = 1), ``root``, ``downline`` (the agent included),
        ``direct_recruits``, ``downline_levels``, ``flagged``, ``rules`` (the rule ids
        firing on its network, ``;``-separated) and ``rank`` when the input has one,
        and every edge ``kind="recruited"``.
    network : str, optional
        With a scan: only the network rooted at this agent.

    Returns
    -------
    networkx.DiGraph
        Every agent a node, every recruitment an edge from upline to downline.

    Raises
    ------
    AgentNotFound
        ``network`` is not a root.

    Notes
    -----
    O(n) time, one Python object per agent and per edge. Attribute values are plain
    Python values, so ``nx.write_graphml`` and ``nx.write_gexf`` take the graph as is.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> from agentgraph.interop import to_networkx
    >>> dg = to_networkx(build_graph(agentgraph.read("fixtures/chain5.csv")))
    >>> dg.number_of_nodes(), sorted(dg.edges())[:2], list(dg.successors("C4"))
    (5, [('C1', 'C2'), ('C2', 'C3')], ['C5'])
    >>> dg = to_networkx(agentgraph.scan("fixtures/chain5.csv"))
    >>> dg.nodes["C4"]["level"], dg.nodes["C4"]["rank"], dg.edges["C1", "C2"]["kind"]
    (4, '三级代理', 'recruited')
    """
    import networkx as nx

    g, scanned = _graph_and_scan(source)
    nodes = _nodes_of(scanned, network) if scanned is not None else None
    up, down = _edges(g)
    if nodes is not None:
        keep = np.isin(down, nodes)
        up, down = up[keep], down[keep]
    chosen = np.arange(len(g)) if nodes is None else nodes
    names = g.ids.take(pa.array(chosen.astype(np.int64))).to_pylist()
    dg = nx.DiGraph()
    if scanned is None:
        dg.add_nodes_from(names)
    else:
        cols = _attributes(scanned, chosen)
        keys = list(cols)
        dg.add_nodes_from(
            (name, {k: cols[k][i] for k in keys if cols[k][i] is not None})
            for i, name in enumerate(names)
        )
    ids = g.ids
    ups = ids.take(pa.array(up.astype(np.int64))).to_pylist()
    downs = ids.take(pa.array(down.astype(np.int64))).to_pylist()
    attrs = {} if scanned is None else {"kind": "recruited"}
    dg.add_edges_from((u, v, attrs) for u, v in zip(ups, downs, strict=True))
    return dg


def to_igraph(source: RecruitmentGraph | Scanned, *, network: str | None = None) -> igraph.Graph:
    """Directed igraph Graph upline -> downline; vertex attribute ``name`` = agent id.

    Parameters
    ----------
    source : RecruitmentGraph or Scanned
        The forest, or a finished scan: then vertices carry the attributes
        :func:`to_networkx` gives nodes, and edges ``kind``.
    network : str, optional
        With a scan: only the network rooted at this agent.

    Returns
    -------
    igraph.Graph
        Vertex ``v`` is dense id ``v`` (or the ``v``-th agent of ``network``); one edge
        per recruitment.

    Raises
    ------
    AgentNotFound
        ``network`` is not a root.

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
    >>> ig = to_igraph(agentgraph.scan("fixtures/chain5.csv"))
    >>> ig.vs["level"], ig.es["kind"][0]
    ([1, 2, 3, 4, 5], 'recruited')
    """
    import igraph

    g, scanned = _graph_and_scan(source)
    nodes = _nodes_of(scanned, network) if scanned is not None else None
    up, down = _edges(g)
    chosen = np.arange(len(g)) if nodes is None else nodes
    if nodes is not None:
        keep = np.isin(down, nodes)
        local = np.full(len(g), -1, np.int64)
        local[nodes] = np.arange(len(nodes))
        up, down = local[up[keep]], local[down[keep]]
    graph = igraph.Graph(n=len(chosen), edges=np.column_stack([up, down]).tolist(), directed=True)
    graph.vs["name"] = g.ids.take(pa.array(chosen.astype(np.int64))).to_pylist()
    if scanned is not None:
        for key, values in _attributes(scanned, chosen).items():
            graph.vs[key] = values
        graph.es["kind"] = ["recruited"] * graph.ecount()
    return graph


def headline(a: Scanned) -> dict[str, Any]:
    """Source, agents, networks, flagged networks, deepest level and policy of a scan.

    Parameters
    ----------
    a : Scanned
        A finished scan.

    Returns
    -------
    dict

    Notes
    -----
    O(networks); levels count the root as level 1.

    Examples
    --------
    >>> import agentgraph
    >>> headline(agentgraph.scan("fixtures/boundary_30_3.csv"))["flagged"]
    1
    """
    levels = a.networks.levels
    return {
        "source": a.graph.source,
        "agents": len(a.graph),
        "networks": len(a.networks),
        "flagged": int(a.flagged.sum()),
        "max_levels": int(levels.max()) if len(levels) else 0,
        "policy": a.policy.name,
    }


def html_summary(a: Scanned, rows: int = 10) -> str:
    """A scan as a notebook shows it: the headline and its largest flagged networks.

    Parameters
    ----------
    a : Scanned
        A finished scan.
    rows : int, default 10
        Flagged networks listed at most.

    Returns
    -------
    str
        HTML, every value escaped.

    Notes
    -----
    O(networks) for the order, then O(rows).

    Examples
    --------
    >>> import agentgraph
    >>> "<td>cn.threshold</td>" in html_summary(agentgraph.scan("fixtures/boundary_30_3.csv"))
    True
    """
    from html import escape

    cells = "".join(
        f"<th>{escape(k)}</th><td>{escape(str(v))}</td>" for k, v in headline(a).items()
    )
    out = []
    for j in a.network_order()[:rows].tolist():
        if not a.flagged[j]:
            break
        root = a.graph.ids[int(a.networks.roots[j])].as_py()
        rules = ", ".join(f.rule for f in a.flags(j))
        out.append(
            f"<tr><td>{escape(root)}</td><td>{int(a.networks.members[j]):,}</td>"
            f"<td>{int(a.networks.levels[j])}</td><td>{escape(rules)}</td></tr>"
        )
    table = (
        "<table><tr><th>root</th><th>members</th><th>levels</th><th>rules</th></tr>"
        + "".join(out)
        + "</table>"
        if out
        else "<p>no flagged network</p>"
    )
    return f"<div><table><tr>{cells}</tr></table>{table}</div>"
