"""Rules over money evidence (:mod:`agentgraph.payments`): evaluated only when the
input comes with payments; each reads per-network aggregates and cites the payment
rows behind the flag so an auditor can follow it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..networks import Networks

if TYPE_CHECKING:
    from ..graph import RecruitmentGraph
    from ..payments import MoneyEvidence

__all__ = ["MoneyRule", "TeamPayRule", "HeadcountPayRule", "EntryFeeRule",
           "BeyondOwnSalesRule", "FundsRule"]

_ROWS = 20  # payment rows cited per flag


def _chain(graph: RecruitmentGraph, m: MoneyEvidence, i: int) -> list[str]:
    """Ids from the payee down to the agent whose sale or recruitment caused payment i."""
    v, stop = int(m.source[i]), int(m.payee[i])
    out: list[int] = []
    while v >= 0 and len(out) <= int(m.levels_up[i]):
        out.append(v)
        if v == stop:
            break
        v = int(graph.parent[v])
    return graph.names(out[::-1])


def _examples(graph: RecruitmentGraph, m: MoneyEvidence, mask: np.ndarray, j: int,
              limit: int = 5) -> list[dict[str, Any]]:
    t = m.payments.table
    out = []
    for row in m.rows_where(mask, j, limit):
        i = row - 1
        out.append({"row": row, "payer": t.column("payer_id")[i].as_py(),
                    "payee": t.column("payee_id")[i].as_py(),
                    "amount": t.column("amount")[i].as_py(),
                    "kind": t.column("kind")[i].as_py(),
                    "levels_up": int(m.levels_up[i]), "chain": _chain(graph, m, i)})
    return out


@dataclass(frozen=True)
class MoneyRule:
    """Base of the money rules: identity, citation, and liability
    (``criminal`` rules can support the 2013-opinion offence; ``administrative``
    ones are violations of the 2005 regulations only)."""

    id: str
    severity: str
    citation: str
    description: str
    liability: str

    def fires(self, nets: Networks, m: MoneyEvidence) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def evidence(self, nets: Networks, m: MoneyEvidence, graph: RecruitmentGraph,
                 j: int) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class TeamPayRule(MoneyRule):
    """Commissions on downline *sales* reaching ``min_levels_up`` levels above the seller."""

    min_levels_up: int = 2

    def fires(self, nets: Networks, m: MoneyEvidence) -> np.ndarray:
        return m.net_team_pay_levels >= self.min_levels_up

    def evidence(self, nets: Networks, m: MoneyEvidence, graph: RecruitmentGraph,
                 j: int) -> dict[str, Any]:
        deep = m.team_pay & (m.levels_up >= self.min_levels_up)
        return {"liability": self.liability, "max_levels_up": int(m.net_team_pay_levels[j]),
                "min_levels_up": self.min_levels_up,
                "payments": m.count(m.team_pay, j), "amount": round(float(m.net_team_pay[j]), 2),
                "payment_rows": m.rows_where(deep, j, _ROWS),
                "examples": _examples(graph, m, deep, j)}


@dataclass(frozen=True)
class HeadcountPayRule(MoneyRule):
    """Payouts to uplines that name no sale: pay for recruiting people."""

    def fires(self, nets: Networks, m: MoneyEvidence) -> np.ndarray:
        return m.net_headcount > 0

    def evidence(self, nets: Networks, m: MoneyEvidence, graph: RecruitmentGraph,
                 j: int) -> dict[str, Any]:
        payouts = float(m.net_payouts[j])
        return {"liability": self.liability, "payments": m.count(m.headcount, j),
                "amount": round(float(m.net_headcount[j]), 2),
                "share_of_payouts": round(float(m.net_headcount[j]) / payouts, 4)
                if payouts else None,
                "payment_rows": m.rows_where(m.headcount, j, _ROWS),
                "examples": _examples(graph, m, m.headcount, j)}


@dataclass(frozen=True)
class EntryFeeRule(MoneyRule):
    """Agents paying a fee (kind ``entry_fee``) to join or to gain the right to recruit."""

    def fires(self, nets: Networks, m: MoneyEvidence) -> np.ndarray:
        return m.net_entry_fees > 0

    def evidence(self, nets: Networks, m: MoneyEvidence, graph: RecruitmentGraph,
                 j: int) -> dict[str, Any]:
        return {"liability": self.liability, "payments": m.count(m.entry_fee, j),
                "amount": round(float(m.net_entry_fees[j]), 2),
                "payment_rows": m.rows_where(m.entry_fee, j, _ROWS)}


@dataclass(frozen=True)
class BeyondOwnSalesRule(MoneyRule):
    """Any commission or rebate paid to someone other than the seller (direct-selling
    pay must come from the seller's own sales only)."""

    def fires(self, nets: Networks, m: MoneyEvidence) -> np.ndarray:
        return m.net_beyond_own > 0

    def evidence(self, nets: Networks, m: MoneyEvidence, graph: RecruitmentGraph,
                 j: int) -> dict[str, Any]:
        beyond = m.team_pay | m.headcount  # headcount is all False when not measured
        payouts = float(m.net_payouts[j])
        return {"liability": self.liability, "payments": m.count(beyond, j),
                "amount": round(float(m.net_beyond_own[j]), 2),
                "share_of_payouts": round(float(m.net_beyond_own[j]) / payouts, 4)
                if payouts else None,
                "payment_rows": m.rows_where(beyond, j, _ROWS)}


@dataclass(frozen=True)
class FundsRule(MoneyRule):
    """A network meeting the membership threshold whose root collected at least
    ``min_amount`` from its downline (directly and through it)."""

    min_amount: float = 2_500_000.0
    min_members: int = 30
    min_levels: int = 3
    needs_offence: bool = True  # a circumstance of the offence: gated like the network rules

    def fires(self, nets: Networks, m: MoneyEvidence) -> np.ndarray:
        return ((m.net_funds >= self.min_amount) & (nets.members >= self.min_members)
                & (nets.levels >= self.min_levels))

    def evidence(self, nets: Networks, m: MoneyEvidence, graph: RecruitmentGraph,
                 j: int) -> dict[str, Any]:
        root = int(nets.roots[j])
        return {"liability": self.liability, "collected": round(float(m.net_funds[j]), 2),
                "direct": round(float(m.funds_direct[root]), 2),
                "min_amount": self.min_amount, "members": int(nets.members[j]),
                "levels": int(nets.levels[j]),
                "counting": "money paid in (entry fees, goods, other) by the root's downline, "
                            "the root's own payments excluded; thresholds include their "
                            "boundary"}
