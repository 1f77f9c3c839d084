"""Sales evidence: who sells to whom, measured on the recruitment tree.

Given orders (``seller_id``, ``buyer_id``, ``amount``, optional ``at``,
``order_id``) beside a member table, this module measures per agent and per
network how much of the sales go to people outside the network (retail) and how
much stays inside it (agents buying from agents: internal consumption and
inventory loading, the red flags of the US FTC's Vemma and Herbalife orders and
of the Amway 70% rule), and, with payments, whether an agent's commissions and
rebates exceed 30% of its own sales (直销管理条例 Art. 24).

Complexity: O(o) for o orders (an Arrow hash lookup of the ids, bincounts),
O(networks) for the aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .payments import PAYOUT_KINDS, MoneyEvidence, _dense, _kind_mask

if TYPE_CHECKING:
    from .graph import RecruitmentGraph
    from .hierarchy import Hierarchy
    from .networks import Networks

__all__ = ["Orders", "SalesEvidence", "sales_evidence", "PAY_CAP"]

PAY_CAP = 0.30  # 直销管理条例 Art. 24: pay <= 30% of the seller's own sales income


@dataclass(frozen=True)
class Orders:
    """A normalised order table (see :func:`loaders.read_orders`): ``seller_id``,
    ``buyer_id`` (strings), ``amount`` (float64 yuan), optional ``at``, ``order_id``."""

    table: pa.Table
    source: str = "<memory>"

    @property
    def rows(self) -> int:
        return self.table.num_rows


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
    net_over_cap: np.ndarray  # int32 per network: agents paid > PAY_CAP x own sales

    def retail_ratio(self, j: int) -> float | None:
        total = float(self.net_sold[j])
        return float(self.net_retail[j]) / total if total else None

    def over_cap(self, h: Hierarchy, j: int) -> np.ndarray:
        """Agents of network ``j`` paid more than the cap on their own sales, ascending
        dense ids. O(agents of the network)."""
        if self.payouts is None:
            return np.zeros(0, np.int64)
        payouts, sold = self.payouts, self.sold
        return h.by_network.where(lambda v: payouts[v] > PAY_CAP * sold[v], j)


def sales_evidence(graph: RecruitmentGraph, h: Hierarchy, nets: Networks, orders: Orders,
                   money: MoneyEvidence | None) -> SalesEvidence:
    """Measure ``orders`` (and, with payments, pay against own sales); see the module
    docstring."""
    t = orders.table
    n_o = t.num_rows
    seller = _dense(graph, t.column("seller_id"), n_o)
    buyer = _dense(graph, t.column("buyer_id"), n_o)
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
        paid = _kind_mask(pt.column("kind"), PAYOUT_KINDS) & (money.payee >= 0)
        payouts = np.bincount(money.payee[paid], weights=pay_amount[paid], minlength=n)[:n]
        over = payouts > PAY_CAP * sold
        net_over = np.bincount(net_of[over], minlength=k)[:k].astype(np.int32)
    return SalesEvidence(orders, seller, buyer, retail, sold, sold_retail, payouts,
                         net_sold, net_retail, net_over)


def sales_summary(s: SalesEvidence, graph: RecruitmentGraph, h: Hierarchy,
                  limit: int = 100) -> dict[str, Any]:
    """The report's ``sales`` section: totals, retail share, and the agents whose
    sales go mostly to other agents (largest sales first)."""
    t = s.orders.table
    amount = np.asarray(t.column("amount").to_numpy(), np.float64)
    mine = s.seller >= 0
    total = float(amount[mine].sum())
    retail = float(amount[mine & s.retail].sum())
    sellers = np.flatnonzero(s.sold > 0)
    share = s.sold_retail[sellers] / s.sold[sellers]
    low = sellers[share <= 0.5]
    low = low[np.lexsort((low, -s.sold[low]))][:limit]
    names = graph.names(low)
    out: dict[str, Any] = {
        "source": s.orders.source,
        "orders": s.orders.rows,
        "amount": round(float(amount.sum()), 2),
        "agents_sales": round(total, 2),
        "retail_sales": round(retail, 2),
        "retail_ratio": round(retail / total, 4) if total else None,
        "unmatched_orders": int(np.count_nonzero(~mine)),
        "mostly_internal_sellers": [
            {"agent": names[i], "sold": round(float(s.sold[v]), 2),
             "retail": round(float(s.sold_retail[v]), 2),
             "retail_share": round(float(s.sold_retail[v] / s.sold[v]), 4)}
            for i, v in enumerate(low.tolist())],
    }
    if s.payouts is not None:
        over = np.flatnonzero(s.payouts > PAY_CAP * s.sold)
        over = over[np.lexsort((over, -s.payouts[over]))][:limit]
        onames = graph.names(over)
        out["paid_over_cap"] = [
            {"agent": onames[i], "payouts": round(float(s.payouts[v]), 2),
             "own_sales": round(float(s.sold[v]), 2)} for i, v in enumerate(over.tolist())]
    return out
