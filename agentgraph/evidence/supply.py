"""The 微商 supply ladder beside the referral tree, and the signals it shows.

In 微商 ladders two relations coexist: who an agent buys stock from (拿货上级: brand
-> 总代 -> 一级 ...) and who recruited it (推荐人). An input carries both as edge kinds
(``supplies`` beside ``recruited``) or as two upline columns of a member table
(``supply_upline_id`` beside ``upline_id``). The referral tree stays THE tree of the
legal counting (levels and participants); the supply tree is measured beside it:

- the supply ladder: levels (the brand is level 1), agents per level, agents whose
  recruiter is not their supplier (a 一级 recommending another 一级 who then buys from
  the brand);
- inventory loading (囤货), with orders: stock bought from the supplier against
  everything sold on; an agent loads inventory when it bought something and
  ``bought >= stock_ratio x sold`` (:data:`DEFAULT_STOCK_RATIO`; the boundary
  counts);
- paid rank-ups (升级费), with payments: entry fees (``入门费``, ``升级费``, ``晋级费`` ...)
  paid after the joining window to the payer's supplier, brand (top of its supply
  ladder) or recruiter: paid at joining they are entry fees, later a higher rank;
- referral bonuses, with payments carrying ``source_agent_id``: commissions and
  rebates paid to the recruiter of the source agent, per recruit.

Each signal states what it used and, when the evidence is missing, what could not
be checked. Repairs of the supply relation follow the referral tree's rules: an
agent's first supplier (earliest ``at``) is kept, a self-supply makes a supply root,
a cycle is broken at its first listed agent, a supplier that is no agent of the
input is counted and its agent is treated as the top of its ladder.

Complexity: O(n + rows of the inputs), vectorised.

Examples
--------
>>> import agentgraph
>>> from agentgraph.evidence.supply import supply_evidence
>>> from agentgraph.graph.model import build_graph
>>> from agentgraph.measure.hierarchy import hierarchy
>>> rel = agentgraph.read("fixtures/supply/members.csv")
>>> g = build_graph(rel)
>>> ev = supply_evidence(rel, g, hierarchy(g.parent, g.walk))
>>> ev.relation, int(ev.ladders.levels.max()), int(ev.differs.sum())
('column supply_upline_id (拿货上级)', 6, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.evidence.joining import join_times, timestamp_micros
from agentgraph.graph.idmap import encode_ids
from agentgraph.graph.model import RecruitmentGraph
from agentgraph.graph.repair import break_cycles
from agentgraph.measure.hierarchy import Hierarchy, hierarchy
from agentgraph.measure.networks import Networks, networks_of
from agentgraph.tables import PAYOUT_KINDS, Orders, Payments, Relations

__all__ = [
    "DEFAULT_STOCK_RATIO",
    "SUPPLY_COLUMN",
    "StockCheck",
    "RankUps",
    "ReferralBonuses",
    "SupplyEvidence",
    "supply_parent",
    "supply_evidence",
]

DEFAULT_STOCK_RATIO = 3.0
"""Inventory loading: stock bought from the supplier at least this many times what the
agent sold on (any buyer). A policy parameter (``stock_ratio``)."""

SUPPLY_COLUMN = "supply_upline_id"
"""The canonical member-table column naming each agent's supplier (拿货上级)."""

_US_PER_DAY = 86_400_000_000
_SAMPLE = 5


@dataclass
class StockCheck:
    """Inventory loading (囤货): stock bought from the supplier against sales.

    Attributes
    ----------
    ratio : float
        ``stock_ratio`` applied: loading when ``bought >= ratio x sold`` and bought > 0.
    bought : numpy.ndarray
        Per agent: yuan of orders bought from its supplier.
    sold : numpy.ndarray
        Per agent: yuan of orders sold (to anyone).
    loading : numpy.ndarray
        Per agent: bool, inventory loading.
    orders : int
        Orders read; ``from_supplier`` of them were bought from the buyer's supplier.
    from_supplier : int
        Orders whose seller is the buyer's supplier.

    Examples
    --------
    >>> import numpy as np
    >>> s = StockCheck(3.0, np.array([0, 900.0]), np.array([0, 300.0]),
    ...                np.array([False, True]), 2, 1)
    >>> int(s.loading.sum())
    1
    """

    ratio: float
    bought: np.ndarray
    sold: np.ndarray
    loading: np.ndarray
    orders: int
    from_supplier: int


@dataclass
class RankUps:
    """Paid rank-ups (升级费): entry fees paid after joining to an upline or the brand.

    Attributes
    ----------
    rows : numpy.ndarray
        0-based payment rows read as rank-up fees.
    unchecked : int
        Entry fees to an upline or the brand whose time (or the payer's join time)
        is unknown: they may be rank-ups or entry fees at joining.
    window_days : int
        The joining window: a fee up to this many days after joining is an entry fee.
    timed : bool, default True
        False when the payments or the input carry no times: nothing could be told
        apart (every candidate is in ``unchecked``).

    Examples
    --------
    >>> import numpy as np
    >>> RankUps(np.array([2, 4]), 0, 7).rows.tolist()
    [2, 4]
    """

    rows: np.ndarray
    unchecked: int
    window_days: int
    timed: bool = True


@dataclass
class ReferralBonuses:
    """Commissions and rebates paid to the recruiter of their source agent.

    Attributes
    ----------
    rows : numpy.ndarray
        0-based payment rows that are referral bonuses.
    payee : numpy.ndarray
        Dense id of the recruiter paid, per row of ``rows``.
    source : numpy.ndarray
        Dense id of the recruit the bonus was paid for, per row of ``rows``.

    Examples
    --------
    >>> import numpy as np
    >>> len(ReferralBonuses(np.array([6]), np.array([3]), np.array([5])).rows)
    1
    """

    rows: np.ndarray
    payee: np.ndarray
    source: np.ndarray


@dataclass
class SupplyEvidence:
    """The supply tree of an input beside its referral tree, with its signals.

    Attributes
    ----------
    relation : str
        Where the supply relation came from (``edges of kind supplies`` or the
        member column and the input's header).
    rows : int
        Supply relations read (edges, or non-empty supplier cells).
    parent : numpy.ndarray
        Supplier's dense id per agent of the graph (-1: none); acyclic.
    tree : Hierarchy
        The supply tree's hierarchy: depth 0 is the top of a ladder (the brand).
    ladders : Networks
        The supply ladders (one per top agent), members and levels.
    differs : numpy.ndarray
        Per agent: it has a recruiter and a supplier and they differ.
    unknown_suppliers : list of str
        Supplier ids that are no agent of the input (first few); ``unknown_count``
        of them in all.
    unknown_count : int
        Agents whose supplier is no agent of the input.
    multiple : int
        Agents with several suppliers (the earliest kept).
    self_supply : int
        Agents listed as their own supplier (made tops of their ladder).
    cycles : int
        Supply cycles broken (at their first listed agent).
    stock : StockCheck or None
        Inventory loading, with orders.
    rank_ups : RankUps or None
        Paid rank-ups, with payments carrying a time.
    bonuses : ReferralBonuses or None
        Referral bonuses, with payments carrying ``source_agent_id``.
    used : list of str
        The evidence each signal used.
    not_checked : list of str
        What could not be checked, and why.

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/supply/edges.csv"))
    >>> a.supply.relation, a.supply.rows, a.supply.not_checked[0][:27]
    ('edges of kind supplies', 11, 'inventory loading (囤货): no ')
    """

    relation: str
    rows: int
    parent: np.ndarray
    tree: Hierarchy
    ladders: Networks
    differs: np.ndarray
    unknown_suppliers: list[str] = field(default_factory=list)
    unknown_count: int = 0
    multiple: int = 0
    self_supply: int = 0
    cycles: int = 0
    stock: StockCheck | None = None
    rank_ups: RankUps | None = None
    bonuses: ReferralBonuses | None = None
    used: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)


def _dense(graph: RecruitmentGraph, col: pa.ChunkedArray | None, n: int) -> np.ndarray:
    """Dense id of every value of ``col`` in ``graph`` (-1: null, absent or no agent).

    The radix hash join of :func:`agentgraph.graph.idmap.encode_ids` with the graph's
    (distinct) ids as keys: O(len(col) + n), several times faster than a hash look-up.
    """
    if col is None:
        return np.full(n, -1, np.int32)
    enc = encode_ids(graph.flat_ids, col)
    node = np.asarray(enc.node_b, np.int32)
    return np.where(node >= len(graph), np.int32(-1), node)


def _first_per_agent(agent: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Row index (into ``agent``) of each agent's smallest ``key`` (then first row)."""
    rows = np.arange(len(agent))
    order = np.lexsort((rows, key, agent))
    sorted_agents = agent[order]
    first = np.ones(len(order), np.bool_)
    first[1:] = sorted_agents[1:] != sorted_agents[:-1]
    return np.asarray(order[first], np.int64)


def supply_parent(rel: Relations, graph: RecruitmentGraph) -> tuple[np.ndarray, dict[str, Any]]:
    """Each agent's supplier (dense id, -1 none), as the input states it.

    Parameters
    ----------
    rel : Relations
        The input: an edge list with ``kind`` ``supplies`` rows, or a member table
        with a ``supply_upline_id`` column.
    graph : RecruitmentGraph
        The referral graph built from ``rel`` (its dense ids are used).

    Returns
    -------
    parent : numpy.ndarray
        int32 supplier per agent of ``graph``, before cycle repair; -1 when the
        input states none (or no supply relation at all).
    facts : dict
        ``relation`` (str, empty when the input has no supply relation), ``rows``,
        ``multiple`` (agents with several suppliers: the earliest ``at``, then the
        first row, kept), ``unknown`` (supplier ids not among the agents, first few),
        ``unknown_count``, ``self_supply``.

    Notes
    -----
    O(rows + n): Arrow hash look-ups and one sort of the supply rows.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> rel = agentgraph.read("fixtures/supply/edges.csv")
    >>> parent, facts = supply_parent(rel, build_graph(rel))
    >>> int((parent >= 0).sum()), facts["relation"], facts["multiple"]
    (11, 'edges of kind supplies', 0)
    """
    n = len(graph)
    parent = np.full(n, -1, np.int32)
    facts: dict[str, Any] = {
        "relation": "",
        "rows": 0,
        "multiple": 0,
        "unknown": [],
        "unknown_count": 0,
        "self_supply": 0,
    }
    t = rel.table
    if rel.kind == "edges":
        if "kind" not in t.column_names:
            return parent, facts
        kind = pc.fill_null(t.column("kind"), "recruited")
        rows = np.flatnonzero(np.asarray(pc.equal(kind, "supplies").to_numpy(zero_copy_only=False)))
        if not len(rows):
            return parent, facts
        take = pa.array(rows.astype(np.int64))
        agent = _dense(graph, t.column("downline_id").take(take), len(rows))
        ups = t.column("upline_id").take(take)
        key = np.zeros(len(rows), np.int64)
        if "at" in t.column_names:
            us, valid = timestamp_micros(t.column("at").take(take))
            key = np.where(valid, us, np.iinfo(np.int64).max)
        facts["relation"] = "edges of kind supplies"
    else:
        if SUPPLY_COLUMN not in t.column_names:
            return parent, facts
        col = t.column(SUPPLY_COLUMN)
        header = rel.reading.columns.get(SUPPLY_COLUMN) if rel.reading is not None else None
        named = f" ({header})" if header and header != SUPPLY_COLUMN else ""
        facts["relation"] = f"column {SUPPLY_COLUMN}{named}"
        agents = t.column("agent_id")
        listed = graph.flat_ids.slice(0, t.num_rows)
        if graph.n_listed == t.num_rows and listed.equals(agents.combine_chunks()):
            first = np.arange(t.num_rows)  # one row per agent, in order: the usual case
            everyone = first.astype(np.int32)
        else:  # the first row of each agent, as the graph keeps it
            everyone = _dense(graph, agents, t.num_rows)
            ok = np.flatnonzero(everyone >= 0)
            first = ok[_first_per_agent(everyone[ok], np.zeros(len(ok), np.int64))]
        stated = first[np.asarray(pc.is_valid(col.take(pa.array(first))).to_numpy(), np.bool_)]
        take = pa.array(stated.astype(np.int64))
        agent = everyone[stated]
        ups = col.take(take)
        key = np.zeros(len(stated), np.int64)
    up = _dense(graph, ups, len(agent))
    stated_up = np.asarray(pc.is_valid(ups).to_numpy(zero_copy_only=False), np.bool_)
    unknown = stated_up & (up < 0) & (agent >= 0)
    if unknown.any():
        names = pc.unique(ups.filter(pa.array(unknown))).to_pylist()
        facts["unknown"] = sorted(str(x) for x in names)[:_SAMPLE]
        facts["unknown_count"] = int(unknown.sum())
    keep = (agent >= 0) & (up >= 0)
    facts["rows"] = int(stated_up.sum())
    agent, up, key = agent[keep], up[keep], key[keep]
    if rel.kind == "members":  # one row per agent already
        parent[agent] = up
    elif len(agent):
        best = _first_per_agent(agent, key)
        counts = np.bincount(agent, minlength=n)
        facts["multiple"] = int((counts > 1).sum())
        parent[agent[best]] = up[best]
    selfsup = parent == np.arange(n, dtype=np.int32)
    facts["self_supply"] = int(selfsup.sum())
    parent[selfsup] = -1
    return parent, facts


def _stock(graph: RecruitmentGraph, parent: np.ndarray, orders: Orders, ratio: float) -> StockCheck:
    n = len(graph)
    t = orders.table
    seller = _dense(graph, t.column("seller_id"), t.num_rows)
    buyer = _dense(graph, t.column("buyer_id"), t.num_rows)
    amount = np.asarray(t.column("amount").to_numpy(), np.float64)
    safe_buyer = np.maximum(buyer, 0)
    from_sup = (buyer >= 0) & (seller >= 0) & (parent[safe_buyer] == seller)
    bought = np.bincount(buyer[from_sup], weights=amount[from_sup], minlength=n)[:n]
    sells = seller >= 0
    sold = np.bincount(seller[sells], weights=amount[sells], minlength=n)[:n]
    loading = (bought > 0) & (bought >= ratio * sold)
    return StockCheck(ratio, bought, sold, loading, orders.rows, int(from_sup.sum()))


def _join_us(rel: Relations, graph: RecruitmentGraph) -> tuple[np.ndarray, np.ndarray] | None:
    """Join time per agent: ``joined_at``, or an edge list's earliest recruitment ``at``."""
    if rel.kind == "members":
        jt = join_times(rel, graph)
        return None if jt is None else (jt.us, jt.known)
    t = rel.table
    if "at" not in t.column_names:
        return None
    n = len(graph)
    recruited = np.ones(t.num_rows, np.bool_)
    if "kind" in t.column_names:
        kind = pc.fill_null(t.column("kind"), "recruited")
        recruited = np.asarray(pc.equal(kind, "recruited").to_numpy(zero_copy_only=False))
    down = _dense(graph, t.column("downline_id"), t.num_rows)
    us, valid = timestamp_micros(t.column("at"))
    ok = recruited & valid & (down >= 0)
    out = np.full(n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(out, down[ok], us[ok])
    known = out != np.iinfo(np.int64).max
    return np.where(known, out, 0), known


def _rank_ups(
    rel: Relations,
    graph: RecruitmentGraph,
    parent: np.ndarray,
    top: np.ndarray,
    payments: Payments,
    window_days: int,
) -> RankUps:
    t = payments.table
    payer = _dense(graph, t.column("payer_id"), t.num_rows)
    payee = _dense(graph, t.column("payee_id"), t.num_rows)
    fee = payments.kind_in(("entry_fee",))
    p = np.maximum(payer, 0)
    upline = (payee == parent[p]) | (payee == top[p]) | (payee == graph.parent[p])
    candidate = fee & (payer >= 0) & (payee >= 0) & (payee != payer) & upline
    joined = _join_us(rel, graph)
    at = payments.column("at")
    if joined is None or at is None:
        return RankUps(np.zeros(0, np.int64), int(candidate.sum()), window_days, timed=False)
    us, valid = timestamp_micros(at)
    j_us, j_known = joined
    known = valid & j_known[p]
    late = us > j_us[p] + window_days * _US_PER_DAY
    rows = np.flatnonzero(candidate & known & late)
    return RankUps(rows.astype(np.int64), int((candidate & ~known).sum()), window_days)


def _bonuses(graph: RecruitmentGraph, payments: Payments) -> ReferralBonuses:
    t = payments.table
    src_col = payments.column("source_agent_id")
    source = _dense(graph, src_col, t.num_rows)
    payee = _dense(graph, t.column("payee_id"), t.num_rows)
    payout = payments.kind_in(PAYOUT_KINDS)
    recruiter = graph.parent[np.maximum(source, 0)]
    rows = np.flatnonzero(payout & (source >= 0) & (payee >= 0) & (recruiter == payee))
    return ReferralBonuses(rows.astype(np.int64), payee[rows], source[rows])


def supply_evidence(
    rel: Relations,
    graph: RecruitmentGraph,
    h: Hierarchy,
    *,
    payments: Payments | None = None,
    orders: Orders | None = None,
    stock_ratio: float = DEFAULT_STOCK_RATIO,
    window_days: int = 7,
) -> SupplyEvidence | None:
    """Measure the supply tree beside the referral tree, with its signals.

    Parameters
    ----------
    rel : Relations
        The input (edge kinds ``supplies``/``recruited``, or a member table with a
        ``supply_upline_id`` column).
    graph : RecruitmentGraph
        The referral graph built from ``rel``.
    h : Hierarchy
        The referral tree's hierarchy (unused for counting; ties the evidence to it).
    payments : Payments, optional
        For paid rank-ups and referral bonuses.
    orders : Orders, optional
        For inventory loading.
    stock_ratio : float, default :data:`DEFAULT_STOCK_RATIO`
        Loading when stock bought from the supplier >= ``stock_ratio`` x sold.
    window_days : int, default 7
        The joining window (policy ``join_window_days``): an entry fee up to this
        many days after joining is paid at joining, a later one buys a rank.

    Returns
    -------
    SupplyEvidence or None
        None when the input carries no supply relation (no ``supplies`` edge, no
        supplier column, or the column empty).

    Notes
    -----
    O(n + rows): look-ups by Arrow hash, one numba walk over the supply relation
    (cycles broken), bincounts for the amounts.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/supply/members.csv"),
    ...     payments=read_payments("fixtures/supply/payments.csv"),
    ...     orders=read_orders("fixtures/supply/orders.csv"))
    >>> ev = a.supply
    >>> a.graph.names(np.flatnonzero(ev.stock.loading))
    ['Y2', 'E1', 'S1', 'T1']
    >>> ev.rank_ups.rows.tolist(), ev.bonuses.rows.tolist()
    ([2, 3, 4], [6, 7, 8])
    """
    del h  # the referral hierarchy is the graph's; kept for a stable signature
    parent, facts = supply_parent(rel, graph)
    if not facts["relation"] or not (parent >= 0).any():
        return None
    walk, cycles = break_cycles(parent)
    tree = hierarchy(parent, walk)
    ladders = networks_of(tree)
    differs = (graph.parent >= 0) & (parent >= 0) & (graph.parent != parent)
    ev = SupplyEvidence(
        relation=str(facts["relation"]),
        rows=int(facts["rows"]),
        parent=parent,
        tree=tree,
        ladders=ladders,
        differs=differs,
        unknown_suppliers=list(facts["unknown"]),
        unknown_count=int(facts["unknown_count"]),
        multiple=int(facts["multiple"]),
        self_supply=int(facts["self_supply"]),
        cycles=len(cycles),
    )
    ev.used.append(f"supply relation: {ev.relation}; referral relation: upline_id")
    if orders is not None:
        ev.stock = _stock(graph, parent, orders, stock_ratio)
        ev.used.append(
            f"inventory loading: orders ({orders.source}), bought from the supplier "
            f"against sold on, ratio {stock_ratio:g}"
        )
    else:
        ev.not_checked.append(
            "inventory loading (囤货): no orders, so stock bought against stock sold "
            "cannot be checked"
        )
    if payments is not None:
        ev.rank_ups = _rank_ups(rel, graph, parent, tree.root, payments, window_days)
        if payments.column("at") is None or _join_us(rel, graph) is None:
            ev.not_checked.append(
                "paid rank-ups (升级费): payment times or join times missing, so an entry "
                "fee at joining cannot be told from a fee for a higher rank"
            )
        else:
            ev.used.append(
                f"paid rank-ups: entry fees ({payments.source}) paid more than "
                f"{window_days} days after joining to the supplier, brand or recruiter"
            )
        if payments.column("source_agent_id") is None:
            ev.not_checked.append(
                "referral bonuses: the payments have no source_agent_id, so a bonus "
                "cannot be tied to a recruit"
            )
        else:
            ev.bonuses = _bonuses(graph, payments)
            ev.used.append(
                "referral bonuses: commissions and rebates paid to the recruiter of "
                "their source_agent_id"
            )
    else:
        ev.not_checked.append(
            "paid rank-ups (升级费) and referral bonuses: no payments, so they cannot be checked"
        )
    ev.not_checked.append(
        "rank history: the input states each agent's current rank only, so a rank "
        "increase is read from the fees, not from the titles"
    )
    return ev
