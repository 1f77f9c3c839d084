"""Money evidence: how people are paid, measured on the recruitment tree.

Depth alone does not make a pyramid; the law asks how people are paid
(禁止传销条例 (2005) Art. 7; 2013 SPC/SPP/MPS opinion §1 and §5; 直销管理条例 Art. 24).
Given the payments beside a member table, this module measures, per payment and
per network:

- **pay levels**: for a commission or rebate that names the agent whose sale or
  recruitment caused it (``source_agent_id``), how many levels above that agent
  the payee sits (0 = paid on own sales; -1 = the payee is not on the agent's
  upline chain, e.g. the brand);
- **team pay** (团队计酬): payouts on a downline's *sales* — administrative;
- **head-count pay** (拉人头): payouts tied to the recruitment itself. Which of the
  two a payout is, is decided by the first signal the inputs carry (order id, link
  type, an order of the recruit near the payout, the payout at the recruit's joining,
  a ledger naming orders elsewhere; :mod:`agentgraph.evidence.pay_basis`); a payout
  no signal decides is neither, and is counted as unknown;
- **entry fees** (入门费): payments of kind ``entry_fee`` made by agents, and, with
  ``joined_at`` in the member table, fees in disguise: purchases at joining not matched
  by goods (with orders) and join packages (:mod:`agentgraph.evidence.entry_fees`);
- **funds collected** per agent: money paid in (``entry_fee``, ``goods``, ``other``)
  by the agent's downline, the agent excluded, split into direct recruits and
  the rest of the downline (the 2.5M yuan serious-circumstances threshold).

Complexity: O(p) to encode the payments' ids against the graph (one parallel hash
join for the three id columns), O(p x d) for the pay levels (d = the largest level
gap, walked up as a shrinking vectorised frontier), O(n) for the downline sums (one
children-first pass), O(p + networks) for the per-network aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from agentgraph.compiled import kernel
from agentgraph.evidence.entry_fees import EntryFeeEvidence, JoinTimes, entry_fee_evidence
from agentgraph.evidence.pay_basis import SIGNALS, PayBasis, pay_basis
from agentgraph.graph.model import RecruitmentGraph, dense_ids_many
from agentgraph.graph.repair import break_cycles
from agentgraph.measure.groups import Groups, Mask
from agentgraph.measure.hierarchy import Hierarchy
from agentgraph.measure.networks import Networks
from agentgraph.tables import MONEY_IN_KINDS, PAYOUT_KINDS, Orders, Payments

__all__ = ["MoneyEvidence", "money_evidence", "pay_levels"]


def pay_levels(
    parent: np.ndarray, depth: np.ndarray, source: np.ndarray, payee: np.ndarray
) -> np.ndarray:
    """Levels from ``source[i]`` up to ``payee[i]``, or -1 when not on its upline chain.

    0 when they are the same agent (paid on own sales).

    Parameters
    ----------
    parent : numpy.ndarray
        Dense upline of every agent (-1: a root).
    depth : numpy.ndarray
        Depth of every agent (root = 0).
    source, payee : numpy.ndarray
        Dense ids of the agent whose sale or recruitment caused each payment, and of
        its payee (-1: not an agent).

    Returns
    -------
    numpy.ndarray
        int32 levels per payment.

    Notes
    -----
    Vectorised climb over the pairs still under way: O(pairs x largest gap).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(三) 团队计酬: pay on a downline's sales, counted in
       levels above the seller.

    Examples
    --------
    >>> import numpy as np
    >>> parent, depth = np.array([-1, 0, 1, 2]), np.array([0, 1, 2, 3])
    >>> pay_levels(parent, depth, np.array([3, 3, 3, 1]), np.array([0, 3, -1, 2])).tolist()
    [3, 0, -1, -1]
    """
    out = np.full(len(source), -1, np.int32)
    ok = (source >= 0) & (payee >= 0)
    out[ok & (source == payee)] = 0
    cand = np.flatnonzero(ok & (source != payee))
    gap = depth[source[cand]].astype(np.int64) - depth[payee[cand]]
    keep = gap > 0
    cand, gap = cand[keep], gap[keep]
    cur = source[cand].copy()
    steps = gap.copy()
    active = np.arange(len(cand))
    while len(active):
        cur[active] = parent[cur[active]]
        steps[active] -= 1
        active = active[(steps[active] > 0) & (cur[active] >= 0)]
    hit = cur == payee[cand]
    out[cand[hit]] = gap[hit].astype(np.int32)
    return out


@kernel(cache=True, nogil=True)
def _downline_sums(
    parent: np.ndarray, order: np.ndarray, own: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per agent: sum of ``own`` over its downline (itself excluded) and direct recruits.

    Children first (``order`` reversed): O(n).
    """
    n = len(parent)
    below = np.zeros(n, np.float64)
    direct = np.zeros(n, np.float64)
    for k in range(n - 1, -1, -1):
        v = order[k]
        p = parent[v]
        if p >= 0:
            below[p] += below[v] + own[v]
            direct[p] += own[v]
    return below, direct


@kernel(cache=True, nogil=True)
def _per_network(
    network: np.ndarray, amount: np.ndarray, classes: np.ndarray, levels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per payment class (bit of ``classes``) and network, the amounts summed in row order.

    And per network the most levels a payment of class 0 (team pay) went up. One pass,
    O(p); the sums are the ones ``np.bincount(network[m], weights=amount[m])`` gives
    (the same additions in the same order).
    """
    sums = np.zeros((6, k), np.float64)
    most = np.zeros(k, np.int32)
    for i in range(len(network)):
        j = network[i]
        c = classes[i]
        if j < 0 or c == 0:
            continue
        a = amount[i]
        for b in range(6):
            if (c >> b) & 1:
                sums[b, j] += a
        if c & 1 and levels[i] > most[j]:
            most[j] = levels[i]
    return sums, most


@dataclass(frozen=True)
class MoneyEvidence:
    """Per-payment measures and per-network aggregates (index = network number).

    Attributes
    ----------
    payments : Payments
        The payment table measured.
    payer, payee, source : numpy.ndarray
        int32 dense ids per payment (-1: not an agent).
    levels_up : numpy.ndarray
        int32 per payment, see :func:`pay_levels`.
    network : numpy.ndarray
        int32 network of each payment (-1: none).
    team_pay, headcount, entry_fee : numpy.ndarray
        bool per payment: team pay (团队计酬), head-count pay (拉人头), entry fee (入门费).
    headcount_measured : bool
        Some signal (order ids, link types, orders, join times) could tell pay for
        recruiting from pay on sales (:mod:`agentgraph.evidence.pay_basis`).
    basis : PayBasis
        What stands behind each upline payout (a sale, a recruitment, unknown) and
        the signal that decided it.
    funds_below, funds_direct : numpy.ndarray
        float64 per agent: paid in by its downline (itself excluded) / its direct
        recruits.
    net_team_pay_levels : numpy.ndarray
        int32 per network: most levels a team payout went up.
    net_team_pay, net_headcount, net_entry_fees : numpy.ndarray
        float64 per network.
    net_beyond_own : numpy.ndarray
        float64 per network: payouts on others' sales or recruitment.
    net_payouts : numpy.ndarray
        float64 per network: all commissions and rebates.
    net_funds : numpy.ndarray
        float64 per network: paid in by members below the root.
    net_unknown_basis : numpy.ndarray
        float64 per network: upline payouts whose basis no signal decided.
    fees : EntryFeeEvidence or None
        Entry fees in disguise (:mod:`agentgraph.evidence.entry_fees`).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> m = a.money
    >>> int(m.team_pay.sum()), float(m.net_team_pay[0]), float(m.net_beyond_own[0])
    (48, 1600.0, 2400.0)
    >>> m.rows_where(m.headcount, 0)
    [31, 32, 33, 34]
    """

    payments: Payments
    payer: np.ndarray  # int32 dense ids (-1: not an agent)
    payee: np.ndarray
    source: np.ndarray
    levels_up: np.ndarray  # int32, see pay_levels
    network: np.ndarray  # int32 network of each payment (-1: none)
    team_pay: np.ndarray  # bool per payment
    headcount: np.ndarray  # bool per payment
    entry_fee: np.ndarray  # bool per payment
    headcount_measured: bool  # some signal could tell recruitment pay from sales pay
    basis: PayBasis  # what stands behind each upline payout, and which signal decided
    funds_below: np.ndarray  # float64 per agent: paid in by its downline (itself excluded)
    funds_direct: np.ndarray  # float64 per agent: paid in by its direct recruits
    net_team_pay_levels: np.ndarray  # int32 per network: most levels a team payout went up
    net_team_pay: np.ndarray  # float64 per network
    net_headcount: np.ndarray  # float64 per network
    net_entry_fees: np.ndarray  # float64 per network
    net_beyond_own: np.ndarray  # float64 per network: payouts on others' sales/recruitment
    net_payouts: np.ndarray  # float64 per network: all commissions and rebates
    net_funds: np.ndarray  # float64 per network: paid in by members below the root
    net_unknown_basis: np.ndarray  # float64 per network: upline payouts no signal decided
    fees: EntryFeeEvidence | None = None  # entry fees in disguise (agentgraph.evidence.entry_fees)

    @cached_property
    def amounts(self) -> np.ndarray:
        """float64 amount of every payment (converted once)."""
        return np.asarray(self.payments.table.column("amount").to_numpy(), np.float64)

    @cached_property
    def example_columns(self) -> pa.Table:
        """payer_id, payee_id, amount, kind in one chunk.

        Row gathers for the flags' examples stay O(rows taken).
        """
        return self.payments.table.select(
            ["payer_id", "payee_id", "amount", "kind"]
        ).combine_chunks()

    @cached_property
    def by_network(self) -> Groups:
        """The payments grouped by network (built once, O(p log p))."""
        return Groups.of(self.network, len(self.net_payouts))

    @cached_property
    def basis_by_network(self) -> dict[str, np.ndarray]:
        """Per network and deciding signal, the payouts of each class, column-wise.

        ``team_pay``, ``headcount`` and ``upline`` (every payout above its source) ->
        int64 ``(networks, 1 + len(SIGNALS))`` counts indexed by
        :attr:`PayBasis.decided_by`; ``unknown`` -> int64 per network. One bincount
        each, O(p + networks x signals), so a flag's evidence reads its row in O(1).
        """
        k = len(self.net_payouts)
        width = len(SIGNALS) + 1
        on = self.network >= 0
        out: dict[str, np.ndarray] = {}
        upline = self.team_pay | self.headcount | self.basis.unknown
        for name, mask in (
            ("team_pay", self.team_pay),
            ("headcount", self.headcount),
            ("upline", upline),
        ):
            m = mask & on
            key = self.network[m].astype(np.int64) * width + self.basis.decided_by[m]
            out[name] = np.bincount(key, minlength=k * width)[: k * width].reshape(k, width)
        m = self.basis.unknown & on
        out["unknown"] = np.bincount(self.network[m], minlength=k)[:k]
        return out

    def rows_where(self, mask: Mask, j: int, limit: int = 20) -> list[int]:
        """1-based payment rows of network ``j`` under ``mask`` (first ``limit``).

        O(payments of the network).
        """
        rows: list[int] = (self.by_network.where(mask, j, limit) + 1).tolist()
        return rows

    def count(self, mask: Mask, j: int) -> int:
        """Payments of network ``j`` under ``mask``. O(payments of the network)."""
        return self.by_network.count(mask, j)


def money_evidence(
    graph: RecruitmentGraph,
    h: Hierarchy,
    nets: Networks,
    payments: Payments,
    *,
    joined: JoinTimes | None = None,
    orders: Orders | None = None,
    window_days: int,
    match_ratio: float,
    package_min_agents: int,
    package_min_share: float,
    window_kinds: tuple[str, ...],
    package_kinds: tuple[str, ...],
    order_ids: tuple[np.ndarray, np.ndarray] | None = None,
) -> MoneyEvidence:
    """Measure ``payments`` on the analysed tree (see the module docstring).

    Parameters
    ----------
    graph : RecruitmentGraph
        The recruitment graph.
    h : Hierarchy
        Its hierarchy (depth, network, downline of every agent).
    nets : Networks
        Its networks.
    payments : Payments
        The payment table.
    joined : JoinTimes, optional
        The agents' ``joined_at``: with it (and the payments' ``at``) entry fees in
        disguise are measured (:func:`agentgraph.evidence.entry_fees.entry_fee_evidence`).
    orders : Orders, optional
        The order table: purchases at joining are compared with goods received.
    window_days, match_ratio, package_min_agents, package_min_share : int, float, int, float
        The entry-fee thresholds, passed to
        :func:`~agentgraph.evidence.entry_fees.entry_fee_evidence` (the policy's
        :class:`~agentgraph.policies.thresholds.EvidenceThresholds`).
    window_kinds, package_kinds : tuple of str
        Payment kinds the joining window and join packages read.
    order_ids : tuple of numpy.ndarray, optional
        The orders' seller and buyer dense ids, when already encoded.

    Returns
    -------
    MoneyEvidence

    Notes
    -----
    O(p) id encoding, O(p x d) pay levels, O(n) downline sums, O(p + networks)
    aggregates (see the module docstring).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条: (一) 拉人头, (二) 入门费, (三) 团队计酬.
    .. [2] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律若干
       问题的意见》(2013) §1 (组织者收取的传销资金), §5 (团队计酬).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> m = a.money
    >>> int(m.headcount.sum()), float(m.net_headcount[0]), int(m.net_team_pay_levels[0])
    (4, 800.0, 3)
    >>> float(m.funds_below[a.graph.node("L01")]), float(m.net_entry_fees[0])
    (30000.0, 30000.0)
    """
    t = payments.table
    n_pay = t.num_rows
    payer, payee, source = dense_ids_many(
        graph,
        [t.column("payer_id"), t.column("payee_id"), payments.column("source_agent_id")],
        n_pay,
    )
    amount = np.asarray(t.column("amount").to_numpy(), np.float64)
    parent = graph.parent
    levels = pay_levels(parent, h.depth, source, payee)

    anchor = np.where(source >= 0, source, np.where(payee >= 0, payee, payer))
    network = np.where(anchor >= 0, h.net[np.maximum(anchor, 0)], -1).astype(np.int32)

    payout = payments.kind_in(PAYOUT_KINDS)
    upline_paid = payout & (levels >= 1)
    basis = pay_basis(
        graph,
        payments,
        upline_paid,
        source,
        joined=joined,
        orders=orders,
        window_days=window_days,
        order_ids=order_ids,
    )
    team_pay = basis.sale
    headcount = basis.recruitment
    measured = bool(basis.available)
    entry_fee = payments.kind_in(("entry_fee",)) & (payer >= 0)
    money_in = payments.kind_in(MONEY_IN_KINDS) & (payer >= 0)

    n = len(graph)
    own = np.bincount(payer[money_in], weights=amount[money_in], minlength=n)[:n]
    walk = graph.walk if graph.walk is not None else break_cycles(parent.copy())[0]
    below, direct = _downline_sums(parent, walk.order, own.astype(np.float64))

    k = len(nets)
    # bit b of a payment's class: team pay, head-count pay, entry fee, upline payout,
    # payout, unknown basis (the order of the sums)
    classes = np.zeros(n_pay, np.uint8)
    for bit, mask in enumerate(
        (team_pay, headcount, entry_fee, upline_paid, payout, basis.unknown)
    ):
        classes |= mask.view(np.uint8) << np.uint8(bit)
    sums, team_levels = _per_network(network, amount, classes, levels, k)
    return MoneyEvidence(
        payments=payments,
        payer=payer,
        payee=payee,
        source=source,
        levels_up=levels,
        network=network,
        team_pay=team_pay,
        headcount=headcount,
        entry_fee=entry_fee,
        headcount_measured=measured,
        basis=basis,
        funds_below=below,
        funds_direct=direct,
        net_team_pay_levels=team_levels,
        net_team_pay=sums[0],
        net_headcount=sums[1],
        net_entry_fees=sums[2],
        net_beyond_own=sums[3],
        net_payouts=sums[4],
        net_funds=below[nets.roots] if k else np.zeros(0),
        net_unknown_basis=sums[5],
        fees=entry_fee_evidence(
            h,
            nets,
            payments,
            payer,
            joined,
            orders,
            window_days=window_days,
            match_ratio=match_ratio,
            package_min_agents=package_min_agents,
            package_min_share=package_min_share,
            window_kinds=window_kinds,
            package_kinds=package_kinds,
        ),
    )
