"""The graph model: a recruitment forest as compact arrays.

:func:`build_graph` turns a normalised member table or edge list
(:class:`~agentgraph.tables.Relations`) into a :class:`RecruitmentGraph`:
dense int32 agent ids, one ``parent`` array (-1 for roots) and the id
dictionary, with every defect logged and repaired by a stated rule:

- duplicate agent rows: the first row is kept;
- multiple uplines (edge list): the edge with the earliest ``at`` is kept, else
  the first row; the dropped uplines are named;
- self-referral: the agent is treated as a root;
- uplines never listed as agents (member table): kept as implicit root agents;
- cycles: broken at the cycle's first listed agent, which becomes a root.

Complexity: O(n + id bytes); no Python object per agent.

Examples
--------
>>> import agentgraph
>>> from agentgraph.graph.model import build_graph
>>> g = build_graph(agentgraph.read("fixtures/chain5.csv"))
>>> g.parent.tolist(), g.issues.summary()["cycle"]
([-1, 0, 1, 2, 3], 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.compiled import kernel, sized_by_input
from agentgraph.errors import ArgumentError
from agentgraph.graph.idmap import encode_ids, lookup_ids
from agentgraph.graph.issues import IssueLog
from agentgraph.graph.repair import Walk, break_cycles
from agentgraph.stages import stage
from agentgraph.tables import Orders, Reading, Relations

__all__ = ["RecruitmentGraph", "build_graph", "dense_ids", "dense_ids_many", "order_dense_ids"]

_SAMPLE = 5  # how many rows or uplines a defect's detail names


@dataclass
class RecruitmentGraph:
    """A recruitment forest: ``parent[v]`` is the upline of agent ``v`` (-1: root).

    Attributes
    ----------
    ids : pyarrow.Array or pyarrow.ChunkedArray
        ``ids[v]`` is agent ``v``'s id string.
    parent : ndarray of int32
        Upline's dense id of every agent, -1 for a root; acyclic after repair.
    n_listed : int
        The first ``n_listed`` agents were listed in the input (rows of a member
        table, or any end of an edge list); the rest are uplines referenced but
        never listed.
    issues : IssueLog
        Every defect found and how it was repaired.
    source : str
        Where the input came from.
    kind : str
        ``members`` or ``edges``.
    rows : int
        Input rows.
    rank : pyarrow.Array, optional
        The declared title per agent when the input has one.
    supplies : int
        Supply edges seen (not recruitment).
    walk : Walk, optional
        Depth, network and parents-first order from the walk that broke the cycles.
    reading : Reading, optional
        How the input was read (from :attr:`Relations.reading`).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> g = build_graph(agentgraph.read("fixtures/cycle.csv"))
    >>> len(g), g.n_listed, g.id_of(3), g.node("X2"), g.node("nope")
    (9, 9, 'R4', 5, -1)
    >>> g.names([0, 4]), g.rank.to_pylist()[:2]
    (['R1', 'X1'], ['总代', '一级代理'])
    """

    ids: pa.Array
    parent: np.ndarray
    n_listed: int
    issues: IssueLog
    source: str = "<memory>"
    kind: str = "members"
    rows: int = 0
    rank: pa.Array | None = None
    supplies: int = 0  # supply edges seen (not recruitment)
    walk: Walk | None = None
    """Depth, network and parents-first order from the walk that broke the cycles."""
    reading: Reading | None = None
    """How the input was read (from :attr:`Relations.reading`)."""

    def __len__(self) -> int:
        """Number of agents, listed or not."""
        return len(self.parent)

    def id_of(self, v: int) -> str:
        """Id string of dense id ``v``. O(1) for one chunk."""
        return str(self.ids[v].as_py())

    @cached_property
    def flat_ids(self) -> pa.Array:
        """``ids`` as one contiguous array, built once in O(n).

        A gather from a chunked array costs O(n) per call in Arrow; from this one,
        O(ids gathered).
        """
        ids = self.ids
        if isinstance(ids, pa.ChunkedArray):
            return ids.combine_chunks() if ids.num_chunks != 1 else ids.chunk(0)
        return ids

    def names(self, vs: np.ndarray | list[int]) -> list[str]:
        """Id strings of several dense ids.

        O(k log k) for ``k`` ids: each chunk of ``ids`` is taken from for the ids it
        holds, so the ids are never combined into one copy (that copy cost 0.6 s at
        30M agents, for a report naming a few thousand).
        """
        want = np.asarray(vs, dtype=np.int64)
        ids = self.ids
        if "flat_ids" in self.__dict__ or not isinstance(ids, pa.ChunkedArray):
            names: list[str] = self.flat_ids.take(pa.array(want)).to_pylist()
            return names
        if ids.num_chunks == 1:
            return list(ids.chunk(0).take(pa.array(want)).to_pylist())
        starts = np.cumsum([0, *(len(c) for c in ids.chunks)])
        if len(want) and (want.min() < 0 or want.max() >= starts[-1]):
            raise IndexError("dense id out of range")
        chunk = np.searchsorted(starts, want, side="right") - 1
        order = np.argsort(chunk, kind="stable")
        cuts = np.flatnonzero(np.diff(chunk[order])) + 1
        parts: list[str] = []
        for run in np.split(order, cuts) if len(order) else []:
            c = int(chunk[run[0]])
            parts.extend(ids.chunk(c).take(pa.array(want[run] - starts[c])).to_pylist())
        out: list[str] = [""] * len(want)
        for k, name in zip(order.tolist(), parts, strict=True):
            out[k] = name
        return out

    def node(self, agent_id: str) -> int:
        """Dense id of ``agent_id`` or -1. O(n) scan; cached lookups live in the index."""
        if not isinstance(agent_id, str):
            raise ArgumentError(
                f"agent ids are strings (007 and 7 are two agents), not {agent_id!r}"
            )
        idx = pc.index(self.ids, pa.scalar(agent_id, pa.string())).as_py()
        return int(idx)


def _time_key(col: pa.ChunkedArray | None, n: int) -> np.ndarray:
    """int64 sort key of a timestamp column; missing times sort last."""
    if col is None:
        return np.full(n, np.iinfo(np.int64).max, np.int64)
    if not pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.timestamp("us"))
    ints = pc.cast(col, pa.int64())
    ints = pc.fill_null(ints, np.iinfo(np.int64).max)
    return np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.int64)


@kernel(cache=True, nogil=True)
def _choose_upline(
    down: np.ndarray, up: np.ndarray, at: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every downline keep the earliest edge (then the first row). O(edges)."""
    best = np.full(n, -1, np.int64)
    count = np.zeros(n, np.int32)
    distinct = np.zeros(n, np.bool_)  # has two different uplines
    for i in range(len(down)):
        d = down[i]
        b = best[d]
        count[d] += 1
        if b == -1:
            best[d] = i
            continue
        if up[i] != up[b]:
            distinct[d] = True
        if at[i] < at[b]:
            best[d] = i
    return best, count, distinct


def _row_list(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r) + 1) for r in rows[:_SAMPLE])
    more = f" and {len(rows) - _SAMPLE} more" if len(rows) > _SAMPLE else ""
    return shown + more


def _members_parent(
    rel: Relations, log: IssueLog
) -> tuple[np.ndarray, pa.Array, int, pa.Array | None]:
    t = rel.table
    enc = encode_ids(t.column("agent_id"), t.column("upline_id"))
    first = enc.first_row_a
    if enc.n == enc.n_keys == len(enc.node_b):  # no duplicate rows, no implicit uplines
        parent = enc.node_b
    else:
        parent = np.full(enc.n, -1, np.int32)
        parent[: enc.n_keys] = enc.node_b[first]
    # duplicate agent rows: first row kept
    if len(first) < len(enc.node_a):
        is_first = np.zeros(len(enc.node_a), np.bool_)
        is_first[first] = True
        dup_rows = np.flatnonzero(~is_first)
        dup_nodes = enc.node_a[dup_rows]
        order = np.argsort(dup_nodes, kind="stable")
        nodes_sorted = dup_nodes[order]
        uniq, starts = np.unique(nodes_sorted, return_index=True)
        bounds = np.append(starts, len(order))
        for k, v in enumerate(uniq):
            if not log.wants("duplicate_agent"):
                log.count("duplicate_agent", len(uniq) - k)
                break
            rows = dup_rows[order[bounds[k] : bounds[k + 1]]]
            kept = int(first[v])
            ups = {int(enc.node_b[r]) for r in rows} - {int(enc.node_b[kept])}
            detail = f"listed in rows {kept + 1} and {_row_list(rows)}; row {kept + 1} kept"
            if ups:
                names = [enc.ids[u].as_py() if u >= 0 else "(none)" for u in sorted(ups)]
                kept_up = enc.node_b[kept]
                kept_name = enc.ids[kept_up].as_py() if kept_up >= 0 else "(none)"
                detail += (
                    f"; its upline {kept_name!s} kept, other upline(s) "
                    f"{', '.join(map(str, names[:_SAMPLE]))} dropped"
                )
            log.add("duplicate_agent", [enc.ids[int(v)].as_py()], detail)
    # uplines never listed as agents: implicit roots
    if enc.n > enc.n_keys:
        implicit = np.arange(enc.n_keys, enc.n)
        refs = enc.node_b
        ref_rows = np.flatnonzero(refs >= enc.n_keys)
        by_node = np.argsort(refs[ref_rows], kind="stable")
        sorted_nodes = refs[ref_rows][by_node]
        for v in implicit:
            if not log.wants("unknown_upline"):
                log.count("unknown_upline", int(enc.n - v))
                break
            lo, hi = np.searchsorted(sorted_nodes, [v, v + 1])
            rows = ref_rows[by_node[lo:hi]]
            log.add(
                "unknown_upline",
                [enc.ids[int(v)].as_py()],
                f"upline of {hi - lo} agent(s) (rows {_row_list(rows)}) but never listed "
                "as an agent; kept as a root",
            )
    rank = None
    if "rank" in t.column_names:
        col = t.column("rank").combine_chunks().take(pa.array(first))
        if enc.n > enc.n_keys:
            col = pa.concat_arrays(
                [pc.cast(col, pa.string()), pa.nulls(enc.n - enc.n_keys, pa.string())]
            )
        rank = pc.cast(col, pa.string())
    return parent, enc.ids, enc.n_keys, rank


def _edges_parent(rel: Relations, log: IssueLog) -> tuple[np.ndarray, pa.Array, int, int]:
    t = rel.table
    enc = encode_ids(t.column("downline_id"), t.column("upline_id"))
    n = enc.n
    recruited = np.ones(t.num_rows, np.bool_)
    if "kind" in t.column_names:
        kind = pc.fill_null(t.column("kind"), "recruited")
        recruited = np.asarray(pc.equal(kind, "recruited").to_numpy(zero_copy_only=False))
    supplies = int(t.num_rows - recruited.sum())
    rows = np.flatnonzero(recruited & (enc.node_b >= 0))  # no upline: a root
    down = enc.node_a[rows]
    up = enc.node_b[rows]
    at = _time_key(t.column("at") if "at" in t.column_names else None, t.num_rows)[rows]
    best, count, distinct = _choose_upline(down, up, at, n)
    parent = np.full(n, -1, np.int32)
    has = best >= 0
    parent[has] = up[best[has]]
    multi = np.flatnonzero(count > 1)
    for v in multi:
        kind_name = "multiple_uplines" if distinct[v] else "duplicate_agent"
        if not log.wants(kind_name):
            log.count(kind_name, 1)
            continue
        edge_rows = rows[down == v]
        kept_row = rows[best[v]]
        kept_up = enc.ids[int(parent[v])].as_py()
        if distinct[v]:
            others = sorted({enc.ids[int(enc.node_b[r])].as_py() for r in edge_rows} - {kept_up})
            how = "earliest 'at'" if "at" in t.column_names else "first row"
            detail = (
                f"{len(edge_rows)} recruitment rows ({_row_list(edge_rows)}); kept upline "
                f"{kept_up} (row {kept_row + 1}, {how}); dropped "
                f"{', '.join(others[:_SAMPLE])}"
            )
            log.add(kind_name, [enc.ids[int(v)].as_py(), kept_up, *others[:_SAMPLE]], detail)
        else:
            log.add(
                kind_name,
                [enc.ids[int(v)].as_py()],
                f"the same recruitment by {kept_up} is listed {len(edge_rows)} times "
                f"(rows {_row_list(edge_rows)}); counted once",
            )
    return parent, enc.ids, n, supplies


def _repair(parent: np.ndarray, ids: pa.Array, log: IssueLog) -> Walk:
    """Self-referrals become roots; each cycle is broken at its first listed agent.

    Returns the walk (depth, network, order), which the hierarchy reuses.
    """
    selfref = np.flatnonzero(parent == np.arange(len(parent), dtype=np.int32))
    for v in selfref:
        if log.wants("self_referral"):
            log.add(
                "self_referral",
                [ids[int(v)].as_py()],
                "agent lists itself as its own upline; treated as a root",
            )
        else:
            log.count("self_referral", 1)
    parent[selfref] = -1
    walk, cycles = break_cycles(parent)
    for cyc in cycles:
        head = int(cyc.min())
        if log.wants("cycle"):
            names = ids.take(pa.array(cyc.astype(np.int64))).to_pylist()
            log.add(
                "cycle",
                names,
                f"{len(cyc)} agents recruit each other in a cycle; broken at "
                f"{ids[head].as_py()} (first listed), which is treated as a root",
            )
        else:
            log.count("cycle", 1)
    return walk


@sized_by_input
def build_graph(rel: Relations, *, issue_limit: int = 1000) -> RecruitmentGraph:
    """Build the recruitment forest of a member table or an edge list.

    Parameters
    ----------
    rel : Relations
        Normalised input (see :mod:`agentgraph.tables`).
    issue_limit : int
        Defects kept in full per kind (all are counted).

    Returns
    -------
    RecruitmentGraph
        An acyclic parent array; every repair is in ``graph.issues``.

    Raises
    ------
    ArgumentError
        ``rel`` is not a :class:`~agentgraph.tables.Relations`.

    Notes
    -----
    O(n + id bytes) time and memory. Repairs, each reported as a data issue:
    duplicate agent rows keep the first row; of several uplines (edge list) the
    earliest ``at`` is kept, else the first row; a self-referral becomes a root;
    an upline never listed (member table) is kept as an implicit root; a cycle is
    broken at its first listed agent, which becomes a root (iterative numba walk,
    no recursion).

    Examples
    --------
    ``fixtures/cycle.csv`` holds the cycle X1 -> X2 -> X3 -> X1 (X4 below it) and
    the self-referral S1:

    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> g = build_graph(agentgraph.read("fixtures/cycle.csv"))
    >>> {k: n for k, n in g.issues.summary().items() if n}
    {'cycle': 1, 'self_referral': 1}
    >>> for issue in g.issues.items:
    ...     print(issue.kind, issue.agents)
    self_referral ['S1']
    cycle ['X1', 'X3', 'X2']
    >>> print(g.issues.items[1].detail)
    3 agents recruit each other in a cycle; broken at X1 (first listed),
    which is treated as a root
    >>> g.parent.tolist()  # X1 and S1 are roots now
    [-1, 0, 0, 1, -1, 4, 5, 5, -1]

    An edge list where P31 has two uplines keeps the earliest:

    >>> e = build_graph(agentgraph.read("fixtures/ladder_edges.csv"))
    >>> e.kind, e.supplies, e.issues.items[0].agents
    ('edges', 1, ['P31', 'P15', 'P14'])
    """
    if not isinstance(rel, Relations):
        raise ArgumentError(f"build_graph takes Relations (agentgraph.read), not {rel!r:.80}")
    log = IssueLog(limit=issue_limit)
    if rel.reading is not None:  # issues found while reading come first
        for kind, agents, detail in rel.reading.issues:
            log.add(kind, agents, detail)
    rank = None
    supplies = 0
    with stage("encode"):
        if rel.kind == "members":
            parent, ids, n_listed, rank = _members_parent(rel, log)
        else:
            parent, ids, n_listed, supplies = _edges_parent(rel, log)
    with stage("walk"):
        walk = _repair(parent, ids, log)
    return RecruitmentGraph(
        ids=ids,
        parent=parent,
        n_listed=n_listed,
        issues=log,
        source=rel.source,
        kind=rel.kind,
        rows=rel.rows,
        rank=rank,
        supplies=supplies,
        walk=walk,
        reading=rel.reading,
    )


def dense_ids(graph: RecruitmentGraph, col: pa.ChunkedArray | None, n: int) -> np.ndarray:
    """Dense id of every value of ``col`` in ``graph``.

    Parameters
    ----------
    graph : RecruitmentGraph
        The graph whose ids are looked up.
    col : pyarrow.ChunkedArray, optional
        Agent ids (of payments, orders, ...); None when the column is absent.
    n : int
        Rows, used when ``col`` is None.

    Returns
    -------
    ndarray of int32
        Dense id per value, -1 for a value that is not an agent of the graph or
        empty; ``n`` values of -1 when ``col`` is None.

    Notes
    -----
    O(len(col) + n agents): one parallel hash join (:func:`dense_ids_many` of one
    column).

    Examples
    --------
    >>> import pyarrow as pa
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph, dense_ids
    >>> g = build_graph(agentgraph.read("fixtures/chain5.csv"))
    >>> dense_ids(g, pa.chunked_array([["C3", "Q", None]]), 3).tolist()
    [2, -1, -1]
    >>> dense_ids(g, None, 2).tolist()
    [-1, -1]
    """
    return dense_ids_many(graph, [col], n)[0]


def dense_ids_many(
    graph: RecruitmentGraph, cols: list[pa.ChunkedArray | None], n: int
) -> list[np.ndarray]:
    """:func:`dense_ids` of several columns of ``n`` rows, the agent ids hashed once.

    Parameters
    ----------
    graph : RecruitmentGraph
        The graph whose ids are looked up.
    cols : list of pyarrow.ChunkedArray or None
        Agent id columns (None: a column that is absent).
    n : int
        Rows of every column (the length given to an absent one).

    Returns
    -------
    list of ndarray of int32
        Per column, the dense id of every value (-1: not an agent, empty, absent).

    Notes
    -----
    O(n agents + total values + their bytes): one radix-partitioned hash join over
    all the columns (:func:`agentgraph.graph.idmap.lookup_ids`), in parallel.

    Examples
    --------
    >>> import pyarrow as pa
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> g = build_graph(agentgraph.read("fixtures/chain5.csv"))
    >>> [a.tolist() for a in dense_ids_many(g, [pa.chunked_array([["C1", "C5"]]), None], 2)]
    [[0, 4], [-1, -1]]
    """
    present = [c for c in cols if c is not None]
    found = iter(lookup_ids(graph.ids, present))
    return [np.full(n, -1, np.int32) if c is None else next(found) for c in cols]


def order_dense_ids(graph: RecruitmentGraph, orders: Orders) -> tuple[np.ndarray, np.ndarray]:
    """The seller and buyer dense id of every order (-1: not an agent).

    Parameters
    ----------
    graph : RecruitmentGraph
        The recruitment graph.
    orders : Orders
        The order table.

    Returns
    -------
    tuple of numpy.ndarray
        ``(seller, buyer)``, int32 per order.

    Notes
    -----
    O(o + n): one hash join for both columns (encode once, pass to the evidence
    functions).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> a = agentgraph.scan("fixtures/money/legit3_members.csv")
    >>> s, b = order_dense_ids(a.graph, read_orders("fixtures/money/legit3_orders.csv"))
    >>> len(s) == len(b) == 35, bool((s >= 0).all())
    (True, True)
    """
    t = orders.table
    seller, buyer = dense_ids_many(graph, [t.column("seller_id"), t.column("buyer_id")], t.num_rows)
    return seller, buyer
