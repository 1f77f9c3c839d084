"""Entry fees in disguise (入门费): purchases at joining that buy membership, not goods.

Rule implemented: 《禁止传销条例》(2005) 第七条(二) — 要求被发展人员以交纳费用**或者以认购
商品等方式变相交纳费用**，取得加入或者发展其他人员加入的资格. A fee to join is an entry fee
whatever the payment is called. Beyond payments of kind ``entry_fee`` (measured in
:mod:`agentgraph.evidence.money`), this module measures two disguises:

- **joining-window payments**: a payment of kind ``goods`` or ``other`` made by a
  recruit (an agent with an upline: a root joins no one's network, and its purchases
  are stock, not fees) whose time ``at`` and whose ``joined_at`` (member table) are
  both known, with
  ``at <= joined_at + window_days`` (payments before joining count);
- **disguised entry fee** (认购商品变相交纳费用): a joining-window payment not matched by
  goods of similar value. The goods an agent received from a payee are the order amounts
  with ``buyer_id`` = the agent and ``seller_id`` = the payee (any time); the pair is
  matched when they reach ``match_ratio`` of the agent's joining-window payments to
  that payee (sums compared in whole fen, so exactly the ratio is matched). Without orders
  this cannot be told: not measured, and nothing fires on it;
- **join package** (forced first purchase, 强制首购): in a network, at least
  ``min_agents`` recruits (members other than the root) made a joining-window
  payment (kinds ``goods``, ``other`` or ``entry_fee`` by default) of the same amount
  rounded to the yuan, and they are at least ``min_share`` of the network's recruits whose
  ``joined_at`` is known. That amount is the price of joining: an entry fee in disguise
  even when goods were delivered. Needs no orders.

A fee belongs to the network of the agent who paid it (the organisation it joined).

The thresholds (window days, match ratio, package minimum agents and share, and the
payment kinds read) are arguments: the policy holds them
(:class:`agentgraph.policies.thresholds.EvidenceThresholds`; 7 days, 80%, 3 recruits
and half for the built-in packs) and :func:`agentgraph.analyse` passes them.

Complexity: O(p + o + n) hash lookups and bincounts for p payments, o orders and n
agents, plus O(p log p) to group the join-package candidates (``np.unique``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.evidence.joining import JoinTimes, join_times, joining_window, timestamp_micros
from agentgraph.measure.groups import Groups
from agentgraph.measure.hierarchy import Hierarchy
from agentgraph.measure.networks import Networks
from agentgraph.tables import Orders, Payments

__all__ = [
    "JoinTimes",  # re-exported from agentgraph.evidence.joining
    "EntryFeeEvidence",
    "join_times",
    "joining_window",
    "goods_received",
    "join_packages",
    "entry_fee_evidence",
]

_RELATIVE_SLACK = 1e-12  # float slack when comparing whole fen (0.8 x fen is exact to 0.2 fen)


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
    *,
    match_ratio: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paid at joining against the goods received, per payment.

    For each payment under ``window``: what the payer paid that payee at joining
    (all its window payments to that payee), the goods it received from that payee
    (order amounts with buyer = payer, seller = payee, any time), and whether the pair
    is matched (received >= ``match_ratio`` x paid, both sums in whole fen). Ids are
    compared as strings, so a payee outside the member table (a brand) is matched
    with the orders it sold.

    Parameters
    ----------
    window : numpy.ndarray
        bool per payment: made at joining (:func:`joining_window`).
    payer_id, payee_id : pyarrow.ChunkedArray
        The payments' id columns.
    amount : numpy.ndarray
        float64 amount per payment.
    orders : Orders
        The order table.
    match_ratio : float
        Share of the paid amount the goods must reach (the policy's
        ``goods_match_ratio``; boundary matched).

    Returns
    -------
    tuple of numpy.ndarray
        ``(paid, received, matched)`` per payment (zeros / True outside ``window``).

    Notes
    -----
    O(p + o) hashing, O(p log p) to group the pairs.

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二): 以交纳费用或者以认购商品等方式变相交纳费用.

    Examples
    --------
    >>> import numpy as np, pyarrow as pa
    >>> from agentgraph.tables import Orders
    >>> ids = pa.chunked_array([["A", "A"]]), pa.chunked_array([["U", "U"]])
    >>> orders = Orders(pa.table({"seller_id": ["U"], "buyer_id": ["A"], "amount": [80.0]}))
    >>> window, amount = np.array([True, True]), np.array([60.0, 40.0])
    >>> paid, got, ok = goods_received(window, *ids, amount, orders, match_ratio=0.8)
    >>> paid.tolist(), got.tolist(), ok.tolist()
    ([100.0, 100.0], [80.0, 80.0], [True, True])
    >>> goods_received(window, *ids, amount, orders, match_ratio=0.9)[2].tolist()
    [False, False]
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
    pair_ok = fen_got >= match_ratio * fen_paid * (1 - _RELATIVE_SLACK)
    paid[idx], received[idx], matched[idx] = pair_paid[inv], pair_got[inv], pair_ok[inv]
    return paid, received, matched


def join_packages(
    candidate: np.ndarray,
    payer: np.ndarray,
    amount: np.ndarray,
    net: np.ndarray,
    recruits_timed: np.ndarray,
    *,
    min_agents: int,
    min_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The join package of each network, if any.

    An amount (rounded half up to the yuan, > 0) is a package when >= ``min_agents``
    distinct recruits paid it and they are >= ``min_share`` of ``recruits_timed``;
    of several, the one paid by most recruits (then the larger).

    Parameters
    ----------
    candidate : numpy.ndarray
        bool per payment: a recruit's joining-window payment of a package kind.
    payer : numpy.ndarray
        Dense id of each payment's payer (-1: not an agent).
    amount : numpy.ndarray
        float64 amount per payment.
    net : numpy.ndarray
        Network number of each agent.
    recruits_timed : numpy.ndarray
        Recruits with a known ``joined_at``, per network.
    min_agents : int
        Fewest recruits paying the amount (the policy's ``join_package_min_agents``).
    min_share : float
        Least share of ``recruits_timed`` they must be (``join_package_min_share``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(package, agents, is_package)``: the amount (0: none) and its payers per
        network, and per payment whether it is a candidate of its network's package
        amount.

    Notes
    -----
    O(p log p) (``np.unique`` over (network, amount, payer)).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二): 以交纳费用或者以认购商品等方式变相交纳费用.

    Examples
    --------
    >>> import numpy as np
    >>> payer, net = np.array([1, 2, 3]), np.zeros(4, np.int32)
    >>> amount, cand = np.full(3, 3980.0), np.ones(3, bool)
    >>> pkg, agents, rows = join_packages(
    ...     cand, payer, amount, net, np.array([6]), min_agents=3, min_share=0.5
    ... )
    >>> pkg.tolist(), agents.tolist(), rows.tolist()
    ([3980], [3], [True, True, True])
    >>> join_packages(cand, payer, amount, net, np.array([7]), min_agents=3, min_share=0.5)[0]
    array([0])
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
        ok = (counts >= min_agents) & (counts >= min_share * recruits_timed[gnet])
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
    """Entry fees beyond kind ``entry_fee``, per payment and per network.

    See the module docstring for what is measured.

    Attributes
    ----------
    window_measured : bool
        The member table has ``joined_at`` and the payments have ``at``.
    disguised_measured : bool
        Window measured and orders given: goods can be compared.
    payer_net : numpy.ndarray
        int32 per payment: network of the payer (-1: not an agent).
    window : numpy.ndarray
        bool per payment: of a window kind, made at joining.
    paid_at_joining : numpy.ndarray
        float64 per payment: the payer's window total to that payee.
    goods_received : numpy.ndarray
        float64 per payment: orders from that payee to the payer.
    disguised : numpy.ndarray
        bool per payment: window payment not matched by goods.
    package : numpy.ndarray
        bool per payment: a recruit's window payment of the package amount.
    net_package_amount : numpy.ndarray
        int64 per network: join-package amount (0: none).
    net_package_agents : numpy.ndarray
        int64 per network: recruits who paid it.
    net_recruits_timed : numpy.ndarray
        int64 per network: recruits with a known ``joined_at``.
    window_days : int
        The joining window it was measured with.
    match_ratio : float
        The goods-match ratio it was measured with.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/join3980_members.csv"),
    ...     payments=read_payments("fixtures/money/join3980_payments.csv"),
    ...     orders=read_orders("fixtures/money/join3980_orders.csv"),
    ... )
    >>> f = a.money.fees
    >>> int(f.window.sum()), int(f.disguised.sum()), f.net_package_amount.tolist()
    (35, 35, [3980])
    """

    window_measured: bool
    disguised_measured: bool
    payer_net: np.ndarray
    window: np.ndarray
    paid_at_joining: np.ndarray
    goods_received: np.ndarray
    disguised: np.ndarray
    package: np.ndarray
    net_package_amount: np.ndarray
    net_package_agents: np.ndarray
    net_recruits_timed: np.ndarray
    window_days: int
    match_ratio: float

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
        rows: list[int] = (self.by_payer_network.where(mask, j, limit) + 1).tolist()
        return rows

    def in_net(self, mask: np.ndarray, j: int) -> np.ndarray:
        """Positions of the payments under ``mask`` whose payer is in network ``j``.

        Ascending; O(payments of the network).
        """
        return self.by_payer_network.where(mask, j)


def entry_fee_evidence(
    h: Hierarchy,
    nets: Networks,
    payments: Payments,
    payer: np.ndarray,
    joined: JoinTimes | None,
    orders: Orders | None,
    *,
    window_days: int,
    match_ratio: float,
    package_min_agents: int,
    package_min_share: float,
    window_kinds: tuple[str, ...],
    package_kinds: tuple[str, ...],
) -> EntryFeeEvidence:
    """Measure disguised entry fees and join packages (see the module docstring).

    Parameters
    ----------
    h : Hierarchy
        The analysed tree: depth and network of every agent.
    nets : Networks
        Its networks.
    payments : Payments
        The payment table.
    payer : numpy.ndarray
        Its payers' dense ids (-1: not an agent).
    joined : JoinTimes or None
        The agents' ``joined_at`` (:func:`join_times`).
    orders : Orders or None
        The order table (without it disguised fees are not measured).
    window_days : int
        The joining window (:func:`joining_window`).
    match_ratio : float
        The goods-match ratio (:func:`goods_received`).
    package_min_agents, package_min_share : int, float
        The join-package thresholds (:func:`join_packages`).
    window_kinds : tuple of str
        Payment kinds that may hide an entry fee (``("goods", "other")``).
    package_kinds : tuple of str
        Payment kinds a join package is recognised in
        (``("entry_fee", "goods", "other")``).

    Returns
    -------
    EntryFeeEvidence

    Notes
    -----
    O(p + o + n) plus O(p log p) grouping.

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二): 以交纳费用或者以认购商品等方式变相交纳费用.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> from agentgraph.graph.model import dense_ids
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/money/join3980_members.csv"))
    >>> pay = read_payments("fixtures/money/join3980_payments.csv")
    >>> payer = dense_ids(a.graph, pay.table.column("payer_id"), pay.rows)
    >>> joined = join_times(agentgraph.read("fixtures/money/join3980_members.csv"), a.graph)
    >>> f = entry_fee_evidence(
    ...     a.hierarchy, a.networks, pay, payer, joined, None, window_days=0,
    ...     match_ratio=0.8, package_min_agents=3, package_min_share=0.5,
    ...     window_kinds=("goods", "other"), package_kinds=("entry_fee", "goods", "other"),
    ... )
    >>> int(f.window.sum()), f.net_package_amount.tolist(), f.disguised_measured
    (1, [0], False)
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
        at_us, at_known = timestamp_micros(at_col)
        # only recruits join: a root's purchases (an organiser buying stock) are not fees
        recruit = (payer >= 0) & (h.depth[np.maximum(payer, 0)] > 0)
        window = recruit & joining_window(
            payments.kind_in(window_kinds), payer, at_us, at_known, joined, window_days=window_days
        )
        any_kind = joining_window(
            payments.kind_in(package_kinds), payer, at_us, at_known, joined, window_days=window_days
        )
        timed = np.bincount(h.net[joined.known & (h.depth > 0)], minlength=k)[:k]
        pkg_amount, pkg_agents, package = join_packages(
            any_kind & recruit,
            payer,
            amount,
            h.net,
            timed,
            min_agents=package_min_agents,
            min_share=package_min_share,
        )
        if orders is not None:
            paid, received, matched = goods_received(
                window,
                t.column("payer_id"),
                t.column("payee_id"),
                amount,
                orders,
                match_ratio=match_ratio,
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
        window_days=window_days,
        match_ratio=match_ratio,
    )
