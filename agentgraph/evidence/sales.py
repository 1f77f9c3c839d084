"""Sales evidence: who sells to whom, measured on the recruitment tree.

Given orders (``seller_id``, ``buyer_id``, ``amount``, optional ``at``,
``order_id``) beside a member table, this module measures per agent and per
network how much of the sales go to people outside the network (retail) and how
much stays inside it (agents buying from agents: internal consumption and
inventory loading, the red flags of the US FTC's Vemma and Herbalife orders and
of the Amway 70% rule), and, with payments, whether an agent's commissions and
rebates exceed a cap on its own sales (``pay_cap``: 30% under 直销管理条例 Art. 24;
the policy holds it, :class:`agentgraph.policies.thresholds.EvidenceThresholds`).

Complexity: O(o) for o orders (an Arrow hash lookup of the ids, bincounts),
O(networks) for the aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agentgraph.evidence.money import MoneyEvidence
from agentgraph.graph.model import order_dense_ids
from agentgraph.tables import PAYOUT_KINDS, Orders

if TYPE_CHECKING:
    from agentgraph.graph.model import RecruitmentGraph
    from agentgraph.measure.hierarchy import Hierarchy
    from agentgraph.measure.networks import Networks

__all__ = ["SalesEvidence", "sales_evidence"]


@dataclass(frozen=True)
class SalesEvidence:
    """Per-agent and per-network sales (index = dense id / network number).

    Attributes
    ----------
    orders : Orders
        The order table measured.
    seller, buyer : numpy.ndarray
        int32 dense ids per order (-1: not an agent).
    retail : numpy.ndarray
        bool per order: the buyer is not an agent of the graph.
    sold, sold_retail : numpy.ndarray
        float64 per agent: all own sales / own sales to non-agents.
    payouts : numpy.ndarray or None
        float64 per agent: commissions and rebates received (with payments).
    net_sold, net_retail : numpy.ndarray
        float64 per network.
    net_over_cap : numpy.ndarray
        int32 per network: agents paid more than ``pay_cap`` x own sales.
    pay_cap : float
        The cap it was measured with (the policy's ``pay_cap``).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ...     orders=read_orders("fixtures/money/ladder5_orders.csv"),
    ... )
    >>> s = a.sales
    >>> round(s.retail_ratio(0), 4), int(s.net_over_cap[0]), s.pay_cap
    (0.25, 14, 0.3)
    """

    orders: Orders
    seller: np.ndarray  # int32 dense ids (-1: not an agent)
    buyer: np.ndarray
    retail: np.ndarray  # bool per order: the buyer is not an agent of the graph
    sold: np.ndarray  # float64 per agent: all own sales
    sold_retail: np.ndarray  # float64 per agent: own sales to non-agents
    payouts: np.ndarray | None  # float64 per agent: commissions and rebates received
    net_sold: np.ndarray  # float64 per network
    net_retail: np.ndarray  # float64 per network
    net_over_cap: np.ndarray  # int32 per network: agents paid > pay_cap x own sales
    pay_cap: float  # the cap it was measured with (the policy's pay_cap)

    def retail_ratio(self, j: int) -> float | None:
        """Share of network ``j``'s sales (by amount) sold to non-agents; None without sales."""
        total = float(self.net_sold[j])
        return float(self.net_retail[j]) / total if total else None

    def over_cap(self, h: Hierarchy, j: int) -> np.ndarray:
        """Agents of network ``j`` paid more than the cap on their own sales.

        Ascending dense ids. O(agents of the network).
        """
        if self.payouts is None:
            return np.zeros(0, np.int64)
        payouts, sold = self.payouts, self.sold
        cap = self.pay_cap
        return h.by_network.where(lambda v: payouts[v] > cap * sold[v], j)


def sales_evidence(
    graph: RecruitmentGraph,
    h: Hierarchy,
    nets: Networks,
    orders: Orders,
    money: MoneyEvidence | None,
    *,
    pay_cap: float,
    order_ids: tuple[np.ndarray, np.ndarray] | None = None,
) -> SalesEvidence:
    """Measure ``orders`` and, with payments, pay against own sales.

    Parameters
    ----------
    graph : RecruitmentGraph
        The recruitment graph.
    h : Hierarchy
        Its hierarchy.
    nets : Networks
        Its networks.
    orders : Orders
        The order table.
    money : MoneyEvidence or None
        The money evidence (with payments): the agents' payouts.
    pay_cap : float
        Largest share of own sales the payouts may reach (the policy's ``pay_cap``;
        0.30 under 直销管理条例 Art. 24); pay of exactly the cap is not over it.
    order_ids : tuple of numpy.ndarray, optional
        The orders' seller and buyer dense ids, when already encoded
        (:func:`agentgraph.graph.model.dense_ids`).

    Returns
    -------
    SalesEvidence

    Notes
    -----
    O(o) for o orders (an Arrow hash lookup of the ids, bincounts), O(n + networks)
    for the aggregates.

    References
    ----------
    .. [1] 《直销管理条例》(2005, 2017 修订) 第二十四条: 直销员的报酬总额不得超过其本人直接
       向消费者销售产品收入的 30%.
    .. [2] FTC v. Vemma Development Co., No. CV-15-01578 (D. Ariz. 2016), stipulated
       order (> 50% of revenue from non-participants).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/legit3_members.csv"),
    ...     payments=read_payments("fixtures/money/legit3_payments.csv"),
    ... )
    >>> orders = read_orders("fixtures/money/legit3_orders.csv")
    >>> args = a.graph, a.hierarchy, a.networks, orders, a.money
    >>> int(sales_evidence(*args, pay_cap=0.30).net_over_cap[0])
    0
    >>> int(sales_evidence(*args, pay_cap=0.15).net_over_cap[0])
    5
    """
    t = orders.table
    seller, buyer = order_ids if order_ids is not None else order_dense_ids(graph, orders)
    amount = np.asarray(t.column("amount").to_numpy(), np.float64)
    n, k = len(graph), len(nets)
    mine = seller >= 0
    retail = buyer < 0
    sold = np.bincount(seller[mine], weights=amount[mine], minlength=n)[:n]
    rmask = mine & retail
    sold_retail = np.bincount(seller[rmask], weights=amount[rmask], minlength=n)[:n]
    net_of = h.net
    net_sold = np.bincount(net_of, weights=sold, minlength=k)[:k]
    net_retail = np.bincount(net_of, weights=sold_retail, minlength=k)[:k]
    payouts = None
    net_over = np.zeros(k, np.int32)
    if money is not None:
        pt = money.payments.table
        pay_amount = np.asarray(pt.column("amount").to_numpy(), np.float64)
        paid = money.payments.kind_in(PAYOUT_KINDS) & (money.payee >= 0)
        payouts = np.bincount(money.payee[paid], weights=pay_amount[paid], minlength=n)[:n]
        over = payouts > pay_cap * sold
        net_over = np.bincount(net_of[over], minlength=k)[:k].astype(np.int32)
    return SalesEvidence(
        orders,
        seller,
        buyer,
        retail,
        sold,
        sold_retail,
        payouts,
        net_sold,
        net_retail,
        net_over,
        pay_cap,
    )
