"""Rules over money evidence (:mod:`agentgraph.evidence.money`): evaluated only when the
input comes with payments; each reads per-network aggregates and cites the payment
rows behind the flag so an auditor can follow it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.measure.groups import Mask
from agentgraph.measure.networks import Networks
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS, EvidenceThresholds

if TYPE_CHECKING:
    from agentgraph.evidence.money import MoneyEvidence
    from agentgraph.evidence.sales import SalesEvidence
    from agentgraph.graph.model import RecruitmentGraph
    from agentgraph.measure.hierarchy import Hierarchy

__all__ = [
    "Evidence",
    "MoneyRule",
    "RetailRatioRule",
    "RecidivistRule",
    "TeamPayRule",
    "HeadcountPayRule",
    "EntryFeeRule",
    "BeyondOwnSalesRule",
    "FundsRule",
    "paid_to_join",
    "fee_evidence",
]

_ROWS = 20  # payment rows cited per flag


def _chain(graph: RecruitmentGraph, m: MoneyEvidence, i: int) -> list[int]:
    """Dense ids from the payee down to the agent whose sale or recruitment caused
    payment i. O(levels up).
    """
    v, stop = int(m.source[i]), int(m.payee[i])
    out: list[int] = []
    while v >= 0 and len(out) <= int(m.levels_up[i]):
        out.append(v)
        if v == stop:
            break
        v = int(graph.parent[v])
    return out[::-1]


def _examples(
    graph: RecruitmentGraph, m: MoneyEvidence, mask: Mask, j: int, limit: int = 5
) -> list[dict[str, Any]]:
    """The first ``limit`` payments of network ``j`` under ``mask``, each with its
    chain of ids. One Arrow gather for the rows and one for the chains' names.
    """
    rows = m.by_network.where(mask, j, limit)
    if not len(rows):
        return []
    got = m.example_columns.take(pa.array(rows)).to_pydict()
    chains = [_chain(graph, m, int(i)) for i in rows]
    names = graph.names([v for c in chains for v in c])
    out, at = [], 0
    for k, i in enumerate(rows.tolist()):
        out.append(
            {
                "row": i + 1,
                "payer": got["payer_id"][k],
                "payee": got["payee_id"][k],
                "amount": got["amount"][k],
                "kind": got["kind"][k],
                "levels_up": int(m.levels_up[i]),
                "chain": names[at : at + len(chains[k])],
            }
        )
        at += len(chains[k])
    return out


@dataclass(frozen=True)
class Evidence:
    """What the rules over money and sales read: the measured tree and the evidence
    the scan had (payments and/or orders).
    """

    graph: RecruitmentGraph
    hierarchy: Hierarchy
    money: MoneyEvidence | None = None
    sales: SalesEvidence | None = None
    penalised: np.ndarray | None = None  # dense ids of agents marked with a prior penalty
    thresholds: EvidenceThresholds = DEFAULT_THRESHOLDS  # the policy's, as measured

    def has(self, needs: tuple[str, ...]) -> bool:
        have = {"payments": self.money, "orders": self.sales, "prior_penalties": self.penalised}
        return all(have[n] is not None for n in needs)

    @property
    def m(self) -> MoneyEvidence:
        assert self.money is not None
        return self.money

    @property
    def s(self) -> SalesEvidence:
        assert self.sales is not None
        return self.sales


@dataclass(frozen=True)
class MoneyRule:
    """Base of the money rules: identity, citation, and liability
    (``criminal`` rules can support the 2013-opinion offence; ``administrative``
    ones are violations of the 2005 regulations only).
    """

    id: str
    severity: str
    citation: str
    description: str
    liability: str

    @property
    def needs(self) -> tuple[str, ...]:
        """Inputs the rule reads beyond the tree: ``payments`` and/or ``orders``."""
        return ("payments",)

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class TeamPayRule(MoneyRule):
    """Commissions on downline *sales* reaching ``min_levels_up`` levels above the seller."""

    min_levels_up: int = 2

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        m = ev.m
        return m.net_team_pay_levels >= self.min_levels_up

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        m, graph = ev.m, ev.graph
        k = self.min_levels_up

        def deep(r: np.ndarray) -> np.ndarray:
            return m.team_pay[r] & (m.levels_up[r] >= k)

        return {
            "liability": self.liability,
            "max_levels_up": int(m.net_team_pay_levels[j]),
            "min_levels_up": self.min_levels_up,
            "payments": m.count(m.team_pay, j),
            "amount": round(float(m.net_team_pay[j]), 2),
            "payment_rows": m.rows_where(deep, j, _ROWS),
            "examples": _examples(graph, m, deep, j),
        }


@dataclass(frozen=True)
class HeadcountPayRule(MoneyRule):
    """Payouts to uplines that name no sale: pay for recruiting people."""

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        m = ev.m
        return m.net_headcount > 0

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        m, graph = ev.m, ev.graph
        payouts = float(m.net_payouts[j])
        return {
            "liability": self.liability,
            "payments": m.count(m.headcount, j),
            "amount": round(float(m.net_headcount[j]), 2),
            "share_of_payouts": round(float(m.net_headcount[j]) / payouts, 4) if payouts else None,
            "payment_rows": m.rows_where(m.headcount, j, _ROWS),
            "examples": _examples(graph, m, m.headcount, j),
        }


def paid_to_join(m: MoneyEvidence) -> np.ndarray:
    """Networks where agents paid to join in any form: an explicit entry fee (kind
    ``entry_fee``), a disguised one (a purchase at joining not matched by goods) or a
    join package (:mod:`agentgraph.evidence.entry_fees`). O(p + networks).
    """
    out = m.net_entry_fees > 0
    return out | m.fees.fires() if m.fees is not None else out


def _unmatched_pairs(m: MoneyEvidence, j: int, limit: int = 5) -> list[dict[str, Any]]:
    """The first ``limit`` payer/payee pairs of network ``j`` whose payments at joining
    were not matched by goods: what was paid at joining and the goods received.
    """
    f = m.fees
    assert f is not None
    t = m.payments.table
    rows = f.in_net(f.disguised, j)
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i in rows[:_ROWS].tolist():
        pair = (str(t.column("payer_id")[i].as_py()), str(t.column("payee_id")[i].as_py()))
        if pair in seen:
            continue
        seen.add(pair)
        out.append(
            {
                "payer": pair[0],
                "payee": pair[1],
                "first_row": i + 1,
                "paid": round(float(f.paid_at_joining[i]), 2),
                "goods_received": round(float(f.goods_received[i]), 2),
            }
        )
        if len(out) == limit:
            break
    return out


def fee_evidence(
    m: MoneyEvidence, j: int, thresholds: EvidenceThresholds = DEFAULT_THRESHOLDS
) -> dict[str, Any]:
    """Evidence keys for entry fees in disguise on network ``j``, each present only when
    it applies: ``disguised`` (the network has purchases at joining) and ``join_package``
    (the network has one). Payment rows are 1-based rows of the payment input.
    """
    window_days, ratio = thresholds.join_window_days, thresholds.goods_match_ratio
    f = m.fees
    out: dict[str, Any] = {}
    if f is None:
        return out
    amount = m.amounts
    window = f.in_net(f.window, j)  # positions
    if len(window):
        hidden = f.in_net(f.disguised, j)
        d: dict[str, Any] = {
            "measured": f.disguised_measured,
            "payments": len(hidden),
            "amount": round(float(amount[hidden].sum()), 2),
            "payment_rows": f.rows_where(f.disguised, j, _ROWS),
            "joining_window_payments": len(window),
            "joining_window_amount": round(float(amount[window].sum()), 2),
            "joining_window_rows": f.rows_where(f.window, j, _ROWS),
            "window_days": window_days,
            "match_ratio": ratio,
        }
        if f.disguised_measured:
            d["unmatched_pairs"] = _unmatched_pairs(m, j)
            d["counting"] = (
                f"goods or other payments made from any time before joining to "
                f"{window_days} days after it; a payer's payments to one payee "
                f"are matched when the orders it bought from that payee reach "
                f"{ratio:.0%} of them (boundary matched)"
            )
        else:
            d["counting"] = (
                "not measured: without orders the goods received for purchases "
                "at joining cannot be compared with what was paid; nothing is "
                "counted as a disguised fee"
            )
        out["disguised"] = d
    price = int(f.net_package_amount[j])
    if price > 0:
        pkg = f.in_net(f.package, j)
        agents, timed = int(f.net_package_agents[j]), int(f.net_recruits_timed[j])
        out["join_package"] = {
            "amount": price,
            "agents": agents,
            "recruits_with_join_time": timed,
            "share": round(agents / timed, 4) if timed else None,
            "payments": len(pkg),
            "total_paid": round(float(amount[pkg].sum()), 2),
            "payment_rows": f.rows_where(f.package, j, _ROWS),
            "min_agents": thresholds.join_package_min_agents,
            "min_share": thresholds.join_package_min_share,
            "counting": (
                f"recruits (the root excluded) who paid this amount (rounded to the "
                f"yuan; entry fee, goods or other) before joining or within "
                f"{window_days} days of it, out of the recruits whose joined_at "
                "is known; a forced first purchase even if goods were delivered"
            ),
        }
    return out


@dataclass(frozen=True)
class EntryFeeRule(MoneyRule):
    """Agents paying to join or to gain the right to recruit: a fee (kind ``entry_fee``)
    or a fee in disguise (禁止传销条例 Art. 7(2) 以认购商品等方式变相交纳费用): a purchase
    at joining not matched by goods of similar value, or a join package (see
    :mod:`agentgraph.evidence.entry_fees`). Fires on a network with any of the three.
    """

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        return paid_to_join(ev.m)

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        m = ev.m
        return {
            "liability": self.liability,
            "payments": m.count(m.entry_fee, j),
            "amount": round(float(m.net_entry_fees[j]), 2),
            "payment_rows": m.rows_where(m.entry_fee, j, _ROWS),
            **fee_evidence(m, j, ev.thresholds),
        }


@dataclass(frozen=True)
class BeyondOwnSalesRule(MoneyRule):
    """Any commission or rebate paid to someone other than the seller (direct-selling
    pay must come from the seller's own sales only), or, with orders, an agent paid
    more than 30% of its own sales.
    """

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        m = ev.m
        over = ev.sales.net_over_cap > 0 if ev.sales is not None else False
        return (m.net_beyond_own > 0) | over

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        m, graph = ev.m, ev.graph

        def beyond(r: np.ndarray) -> np.ndarray:  # headcount: all False when not measured
            return m.team_pay[r] | m.headcount[r]

        payouts = float(m.net_payouts[j])
        out: dict[str, Any] = {
            "liability": self.liability,
            "payments": m.count(beyond, j),
            "amount": round(float(m.net_beyond_own[j]), 2),
            "share_of_payouts": round(float(m.net_beyond_own[j]) / payouts, 4) if payouts else None,
            "payment_rows": m.rows_where(beyond, j, _ROWS),
        }
        if ev.sales is not None and ev.sales.payouts is not None:
            over = ev.sales.over_cap(ev.hierarchy, j)[:_ROWS]
            names = graph.names(over)
            out["cap"] = ev.thresholds.pay_cap
            out["paid_over_cap"] = [
                {
                    "agent": names[i],
                    "payouts": round(float(ev.sales.payouts[v]), 2),
                    "own_sales": round(float(ev.sales.sold[v]), 2),
                }
                for i, v in enumerate(over.tolist())
            ]
        return out


@dataclass(frozen=True)
class FundsRule(MoneyRule):
    """A network meeting the membership threshold whose root collected at least
    ``min_amount`` from its downline (directly and through it).
    """

    min_amount: float = 2_500_000.0
    min_members: int = 30
    min_levels: int = 3
    needs_offence: bool = True  # a circumstance of the offence: gated like the network rules

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        m = ev.m
        return (
            (m.net_funds >= self.min_amount)
            & (nets.members >= self.min_members)
            & (nets.levels >= self.min_levels)
        )

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        m = ev.m
        root = int(nets.roots[j])
        return {
            "liability": self.liability,
            "collected": round(float(m.net_funds[j]), 2),
            "direct": round(float(m.funds_direct[root]), 2),
            "min_amount": self.min_amount,
            "members": int(nets.members[j]),
            "levels": int(nets.levels[j]),
            "counting": "money paid in (entry fees, goods, other) by the root's downline, "
            "the root's own payments excluded; thresholds include their "
            "boundary",
        }


@dataclass(frozen=True)
class RetailRatioRule(MoneyRule):
    """A network whose members sell less than ``min_ratio`` of their sales (by amount)
    to people outside the network (Vemma order: > 50% of revenue from
    non-participants).
    """

    min_ratio: float = 0.5

    @property
    def needs(self) -> tuple[str, ...]:
        return ("orders",)

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        s = ev.s
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(s.net_sold > 0, s.net_retail / np.maximum(s.net_sold, 1e-300), 1.0)
        return (s.net_sold > 0) & (ratio <= self.min_ratio)

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        s = ev.s
        ratio = s.retail_ratio(j)
        return {
            "liability": self.liability,
            "retail_ratio": round(ratio, 4) if ratio is not None else None,
            "min_ratio": self.min_ratio,
            "sales": round(float(s.net_sold[j]), 2),
            "retail_sales": round(float(s.net_retail[j]), 2),
            "internal_sales": round(float(s.net_sold[j] - s.net_retail[j]), 2),
            "counting": "retail = sales by members to buyers who are not agents of the "
            "input; the boundary (exactly min_ratio) fires",
        }


@dataclass(frozen=True)
class RecidivistRule(MoneyRule):
    """An agent marked with a prior penalty (a criminal penalty, or an administrative
    one within a year) whose own downline, the agent included, reaches
    ``min_members`` people over ``min_levels`` levels. Fires on that agent's network.
    """

    min_members: int = 15
    min_levels: int = 3
    needs_offence: bool = True  # a threshold of the offence: gated like the network rules

    @property
    def needs(self) -> tuple[str, ...]:
        return ("prior_penalties",)

    def _hits(self, ev: Evidence) -> np.ndarray:
        h = ev.hierarchy
        v = ev.penalised if ev.penalised is not None else np.zeros(0, np.int64)
        ok = (h.size[v] >= self.min_members) & (h.height[v] + 1 >= self.min_levels)
        return v[ok]

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        mask = np.zeros(len(nets), np.bool_)
        mask[ev.hierarchy.net[self._hits(ev)]] = True
        return mask

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        h = ev.hierarchy
        hits = self._hits(ev)
        hits = hits[h.net[hits] == j][:_ROWS]
        names = ev.graph.names(hits)
        return {
            "liability": self.liability,
            "min_members": self.min_members,
            "min_levels": self.min_levels,
            "agents": [
                {"agent": names[i], "downline": int(h.size[v]), "levels": int(h.height[v]) + 1}
                for i, v in enumerate(hits.tolist())
            ],
            "counting": "downline includes the agent; the agent's own level is level 1 "
            "of its downline; thresholds include their boundary",
        }
