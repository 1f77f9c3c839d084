"""Entry fees in disguise (入门费): purchases at joining that buy membership, not goods.

Rule implemented: 《禁止传销条例》(2005) 第七条(二) — 要求被发展人员以交纳费用**或者以认购
商品等方式变相交纳费用**，取得加入或者发展其他人员加入的资格. A fee to join is an entry fee
whatever the payment is called. Beyond payments of kind ``entry_fee`` (measured in
:mod:`agentgraph.evidence.money`), this module measures two disguises:

- **joining-window payments**: a payment of kind ``goods`` or ``other`` made by a
  recruit (an agent with an upline: a root joins no one's network, and its purchases
  are stock, not fees) whose time ``at`` and whose ``joined_at`` (member table) are
  both known, with
  ``at <= joined_at + JOIN_WINDOW_DAYS`` (payments before joining count);
- **disguised entry fee** (认购商品变相交纳费用): a joining-window payment not matched by
  goods of similar value. The goods an agent received from a payee are the order amounts
  with ``buyer_id`` = the agent and ``seller_id`` = the payee (any time); the pair is
  matched when they reach ``GOODS_MATCH_RATIO`` of the agent's joining-window payments to
  that payee (sums compared in whole fen, so exactly 80% is matched). Without orders
  this cannot be told: not measured, and nothing fires on it;
- **join package** (forced first purchase, 强制首购): in a network, at least
  ``JOIN_PACKAGE_MIN_AGENTS`` recruits (members other than the root) made a joining-window
  payment (kinds ``goods``, ``other`` or ``entry_fee``) of the same amount rounded to the
  yuan, and they are at least ``JOIN_PACKAGE_MIN_SHARE`` of the network's recruits whose
  ``joined_at`` is known. That amount is the price of joining: an entry fee in disguise
  even when goods were delivered. Needs no orders.

A fee belongs to the network of the agent who paid it (the organisation it joined).

Complexity: O(p + o + n) hash lookups and bincounts for p payments, o orders and n
agents, plus O(p log p) to group the join-package candidates (``np.unique``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.graph.model import RecruitmentGraph, dense_ids
from agentgraph.measure.groups import Groups
from agentgraph.measure.hierarchy import Hierarchy
from agentgraph.measure.networks import Networks
from agentgraph.tables import Orders, Payments, Relations, kind_mask

__all__ = [
    "JOIN_WINDOW_DAYS",
    "GOODS_MATCH_RATIO",
    "JOIN_PACKAGE_MIN_AGENTS",
    "JOIN_PACKAGE_MIN_SHARE",
    "WINDOW_KINDS",
    "PACKAGE_KINDS",
    "JoinTimes",
    "EntryFeeEvidence",
    "join_times",
    "joining_window",
    "goods_received",
    "join_packages",
    "entry_fee_evidence",
]

JOIN_WINDOW_DAYS = 7  # a purchase up to 7 days after joining (or any time before) is "at joining"
GOODS_MATCH_RATIO = 0.8  # goods received >= 80% of what was paid at joining: a real purchase
JOIN_PACKAGE_MIN_AGENTS = 3  # at least 3 recruits paid the same amount at joining ...
JOIN_PACKAGE_MIN_SHARE = 0.5  # ... and they are at least half of the recruits with a join time
WINDOW_KINDS = ("goods", "other")  # purchases that may hide an entry fee
PACKAGE_KINDS = ("entry_fee", "goods", "other")  # payments a join package is recognised in
_RELATIVE_SLACK = 1e-12  # float slack when comparing whole fen (0.8 x fen is exact to 0.2 fen)
_DAY_US = 86_400_000_000
_US_PER = {"s": 1_000_000, "ms": 1_000, "us": 1}


@dataclass(frozen=True)
class JoinTimes:
    """``joined_at`` per dense agent id, in microseconds since the epoch (``known``
    False where the member table has no time for the agent).
    """

    us: np.ndarray  # int64
    known: np.ndarray  # bool


def _micros(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """int64 microseconds of a timestamp (or date) column and its validity. O(rows)."""
    if not pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.timestamp("us"))
    unit = col.type.unit
    ints = pc.cast(col, pa.int64())
    valid = np.asarray(pc.is_valid(ints).to_numpy(zero_copy_only=False), np.bool_)
    raw = np.asarray(pc.fill_null(ints, 0).to_numpy(zero_copy_only=False), np.int64)
    us = raw // 1_000 if unit == "ns" else raw * _US_PER[unit]
    return us, valid


def join_times(rel: Relations, graph: RecruitmentGraph) -> JoinTimes | None:
    """``joined_at`` of every agent of ``graph`` from a member table (the agent's first
    row, as the graph keeps it), or None without the column (or for an edge list).

    Complexity: O(rows) hash lookup plus O(rows log rows) to find first rows.
    """
    t = rel.table
    if rel.kind != "members" or "joined_at" not in t.column_names:
        return None
    dense = dense_ids(graph, t.column("agent_id"), t.num_rows)
    us, valid = _micros(t.column("joined_at"))
    rows = np.flatnonzero(dense >= 0)
    agents, first = np.unique(dense[rows], return_index=True)
    n = len(graph)
    out, known = np.zeros(n, np.int64), np.zeros(n, np.bool_)
    out[agents] = us[rows[first]]
    known[agents] = valid[rows[first]]
    return JoinTimes(out, known)


def joining_window(
    kinds_ok: np.ndarray,
    payer: np.ndarray,
    at_us: np.ndarray,
    at_known: np.ndarray,
    joined: JoinTimes,
) -> np.ndarray:
    """Payments made at joining: ``kinds_ok``, the payer an agent, ``at`` and the payer's
    ``joined_at`` known, and ``at <= joined_at + JOIN_WINDOW_DAYS`` (boundary included;
    earlier payments count). Vectorised, O(p).
    """
    safe = np.maximum(payer, 0)
    ok = kinds_ok & (payer >= 0) & at_known & joined.known[safe]
    limit = joined.us[safe] + JOIN_WINDOW_DAYS * _DAY_US
    return ok & (at_us <= limit)


def _codes(cols: list[pa.ChunkedArray]) -> list[np.ndarray]:
    """One integer code per distinct id string across several id columns (nulls: -1)."""
    strings = [pc.cast(c, pa.string()) for c in cols]
    values = pc.unique(pa.chunked_array([ch for c in strings for ch in c.chunks], pa.string()))
    return [
        np.asarray(
            pc.fill_null(pc.index_in(c, value_set=values), -1).to_numpy(zero_copy_only=False),
            np.int64,
        )
        for c in strings
    ]


def goods_received(
    window: np.ndarray,
    payer_id: pa.ChunkedArray,
    payee_id: pa.ChunkedArray,
    amount: np.ndarray,
    orders: Orders,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each payment under ``window``: what the payer paid that payee at joining
    (all its window payments to that payee), the goods it received from that payee
    (order amounts with buyer = payer, seller = payee, any time), and whether the pair
    is matched (received >= GOODS_MATCH_RATIO x paid, both sums in whole fen).

    Ids are compared as strings, so a payee outside the member table (a brand) is
    matched with the orders it sold. Returns ``(paid, received, matched)``, per payment
    (zeros / True outside ``window``). Complexity: O(p + o) hashing, O(p log p) to group.
    """
    p = len(window)
    paid, received = np.zeros(p, np.float64), np.zeros(p, np.float64)
    matched = np.ones(p, np.bool_)
    idx = np.flatnonzero(window)
    if not len(idx):
        return paid, received, matched
    ot = orders.table
    a, b, buyer, seller = _codes(
        [payer_id, payee_id, ot.column("buyer_id"), ot.column("seller_id")]
    )
    width = np.int64(
        max(
            int(a.max(initial=0)),
            int(b.max(initial=0)),
            int(buyer.max(initial=0)),
            int(seller.max(initial=0)),
        )
        + 1
    )
    key = a[idx] * width + b[idx]
    pairs, inv = np.unique(key, return_inverse=True)
    pair_paid = np.bincount(inv, weights=amount[idx], minlength=len(pairs))
    okey = buyer * width + seller
    pos = np.searchsorted(pairs, okey)
    pos_c = np.minimum(pos, len(pairs) - 1)
    hit = (buyer >= 0) & (seller >= 0) & (pairs[pos_c] == okey)
    oamount = np.asarray(ot.column("amount").to_numpy(), np.float64)
    pair_got = np.bincount(pos_c[hit], weights=oamount[hit], minlength=len(pairs))
    fen_got, fen_paid = np.rint(pair_got * 100), np.rint(pair_paid * 100)
    pair_ok = fen_got >= GOODS_MATCH_RATIO * fen_paid * (1 - _RELATIVE_SLACK)
    paid[idx], received[idx], matched[idx] = pair_paid[inv], pair_got[inv], pair_ok[inv]
    return paid, received, matched


def join_packages(
    candidate: np.ndarray,
    payer: np.ndarray,
    amount: np.ndarray,
    net: np.ndarray,
    recruits_timed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The join package of each network, if any.

    ``candidate`` marks the recruits' joining-window payments (kinds
    :data:`PACKAGE_KINDS`), ``net`` is the network of each agent and
    ``recruits_timed`` the recruits with a known ``joined_at`` per network. An amount
    (rounded half up to the yuan, > 0) is a package when >= JOIN_PACKAGE_MIN_AGENTS
    distinct recruits paid it and they are >= JOIN_PACKAGE_MIN_SHARE of
    ``recruits_timed``; of several, the one paid by most recruits (then the larger).

    Returns ``(package, agents, is_package)``: the amount (0: none) and its payers per
    network, and per payment whether it is a candidate of its network's package amount.
    Complexity: O(p log p) (``np.unique`` over (network, amount, payer)).
    """
    k = len(recruits_timed)
    package = np.zeros(k, np.int64)
    agents = np.zeros(k, np.int64)
    yuan = np.floor(amount + 0.5).astype(np.int64)
    cand = candidate & (yuan > 0)
    idx = np.flatnonzero(cand)
    if len(idx):
        triples = np.unique(
            np.stack(
                [net[payer[idx]].astype(np.int64), yuan[idx], payer[idx].astype(np.int64)], axis=1
            ),
            axis=0,
        )
        groups, counts = np.unique(triples[:, :2], axis=0, return_counts=True)
        gnet, gamt = groups[:, 0], groups[:, 1]
        ok = (counts >= JOIN_PACKAGE_MIN_AGENTS) & (
            counts >= JOIN_PACKAGE_MIN_SHARE * recruits_timed[gnet]
        )
        gnet, gamt, counts = gnet[ok], gamt[ok], counts[ok]
        best = np.lexsort((gamt, counts, gnet))  # within a network: most agents, then larger
        last = np.ones(len(best), np.bool_)
        last[:-1] = gnet[best][1:] != gnet[best][:-1]
        pick = best[last]
        package[gnet[pick]] = gamt[pick]
        agents[gnet[pick]] = counts[pick]
    pay_net = np.where(payer >= 0, net[np.maximum(payer, 0)], 0)
    is_package = cand & (package[pay_net] > 0) & (yuan == package[pay_net])
    return package, agents, is_package


@dataclass(frozen=True)
class EntryFeeEvidence:
    """Entry fees beyond kind ``entry_fee``, per payment and per network (see the module
    docstring).
    """

    window_measured: bool  # the member table has joined_at and the payments have at
    disguised_measured: bool  # window measured and orders given: goods can be compared
    payer_net: np.ndarray  # int32 per payment: network of the payer (-1: not an agent)
    window: np.ndarray  # bool per payment: kind goods/other, made at joining
    paid_at_joining: np.ndarray  # float64 per payment: payer's window total to that payee
    goods_received: np.ndarray  # float64 per payment: orders from that payee to the payer
    disguised: np.ndarray  # bool per payment: window payment not matched by goods
    package: np.ndarray  # bool per payment: a recruit's window payment of the package amount
    net_package_amount: np.ndarray  # int64 per network: join-package amount (0: none)
    net_package_agents: np.ndarray  # int64 per network: recruits who paid it
    net_recruits_timed: np.ndarray  # int64 per network: recruits with a known joined_at

    def fires(self) -> np.ndarray:
        """Networks with a disguised entry fee or a join package. O(p + networks)."""
        k = len(self.net_package_amount)
        on = self.disguised & (self.payer_net >= 0)
        hit = np.bincount(self.payer_net[on], minlength=k)[:k] > 0
        return hit | (self.net_package_amount > 0)

    @cached_property
    def by_payer_network(self) -> Groups:
        """The payments grouped by the payer's network (built once, O(p log p))."""
        return Groups.of(self.payer_net, len(self.net_package_amount))

    def rows_where(self, mask: np.ndarray, j: int, limit: int = 20) -> list[int]:
        """1-based payment rows of network ``j`` (the payer's) under ``mask``.
        O(payments of the network).
        """
        return (self.by_payer_network.where(mask, j, limit) + 1).tolist()

    def in_net(self, mask: np.ndarray, j: int) -> np.ndarray:
        """Positions of the payments under ``mask`` whose payer is in network ``j``,
        ascending. O(payments of the network).
        """
        return self.by_payer_network.where(mask, j)


def entry_fee_evidence(
    h: Hierarchy,
    nets: Networks,
    payments: Payments,
    payer: np.ndarray,
    joined: JoinTimes | None,
    orders: Orders | None,
) -> EntryFeeEvidence:
    """Measure disguised entry fees and join packages (see the module docstring).

    Parameters
    ----------
    h, nets : the analysed tree (depth and network of every agent) and its networks.
    payments : the payment table; ``payer`` its payers' dense ids (-1: not an agent).
    joined : the agents' ``joined_at`` (:func:`join_times`), or None.
    orders : the order table, or None (then disguised fees are not measured).

    Complexity: O(p + o + n) plus O(p log p) grouping.
    """
    t = payments.table
    p = t.num_rows
    k = len(nets)
    amount = np.asarray(t.column("amount").to_numpy(), np.float64)
    payer_net = np.where(payer >= 0, h.net[np.maximum(payer, 0)], -1).astype(np.int32)
    at_col = payments.column("at")
    measured = joined is not None and at_col is not None
    told = measured and orders is not None
    none = np.zeros(p, np.bool_)
    if joined is None or at_col is None:
        window = package = disguised = none
        paid, received = np.zeros(p), np.zeros(p)
        pkg_amount, pkg_agents = np.zeros(k, np.int64), np.zeros(k, np.int64)
        timed = np.zeros(k, np.int64)
        if joined is not None:
            timed = np.bincount(h.net[joined.known & (h.depth > 0)], minlength=k)[:k]
    else:
        at_us, at_known = _micros(at_col)
        kind = t.column("kind")
        # only recruits join: a root's purchases (an organiser buying stock) are not fees
        recruit = (payer >= 0) & (h.depth[np.maximum(payer, 0)] > 0)
        window = recruit & joining_window(
            kind_mask(kind, WINDOW_KINDS), payer, at_us, at_known, joined
        )
        any_kind = joining_window(kind_mask(kind, PACKAGE_KINDS), payer, at_us, at_known, joined)
        timed = np.bincount(h.net[joined.known & (h.depth > 0)], minlength=k)[:k]
        pkg_amount, pkg_agents, package = join_packages(
            any_kind & recruit, payer, amount, h.net, timed
        )
        if orders is not None:
            paid, received, matched = goods_received(
                window, t.column("payer_id"), t.column("payee_id"), amount, orders
            )
            disguised = window & ~matched
        else:
            paid, received = np.zeros(p), np.zeros(p)
            disguised = none
    return EntryFeeEvidence(
        window_measured=measured,
        disguised_measured=told,
        payer_net=payer_net,
        window=window,
        paid_at_joining=paid,
        goods_received=received,
        disguised=disguised,
        package=package,
        net_package_amount=pkg_amount,
        net_package_agents=pkg_agents,
        net_recruits_timed=timed.astype(np.int64),
    )
