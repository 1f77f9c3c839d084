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
from agentgraph.graph.model import dense_ids
from agentgraph.tables import PAYOUT_KINDS, Orders, kind_mask

if TYPE_CHECKING:
    from agentgraph.graph.model import RecruitmentGraph
    from agentgraph.measure.hierarchy import Hierarchy
    from agentgraph.measure.networks import Networks

__all__ = ["SalesEvidence", "sales_evidence"]


@dataclass(frozen=True)
class SalesEvidence:
    """Per-agent and per-network sales (index = dense id / network number)."""

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
        total = float(self.net_sold[j])
        return float(self.net_retail[j]) / total if total else None

    def over_cap(self, h: Hierarchy, j: int) -> np.ndarray:
        """Agents of network ``j`` paid more than the cap on their own sales, ascending
        dense ids. O(agents of the network).
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
) -> SalesEvidence:
    """Measure ``orders`` (and, with payments, pay against own sales); see the module
    docstring.
    """
    t = orders.table
    n_o = t.num_rows
    seller = dense_ids(graph, t.column("seller_id"), n_o)
    buyer = dense_ids(graph, t.column("buyer_id"), n_o)
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
        paid = kind_mask(pt.column("kind"), PAYOUT_KINDS) & (money.payee >= 0)
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
