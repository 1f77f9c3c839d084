"""Rules over money evidence (:mod:`agentgraph.evidence.money`).

Evaluated only when the input comes with payments (or orders, or prior penalties);
each reads per-network aggregates and cites the payment rows behind the flag so an
auditor can follow it back. The packs (:mod:`agentgraph.policies.cn`,
:mod:`~agentgraph.policies.us_ftc`, :mod:`~agentgraph.policies.eu_ucpd`) and custom
policies (:mod:`agentgraph.policies.custom`) instantiate them with ids and citations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.measure.groups import Mask
from agentgraph.measure.networks import Networks
from agentgraph.policies.fees import fee_evidence, paid_to_join
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
    "TeamPayRule",
    "HeadcountPayRule",
    "EntryFeeRule",
    "BeyondOwnSalesRule",
    "paid_to_join",
    "fee_evidence",
]

_ROWS = 20  # payment rows cited per flag


def _chain(graph: RecruitmentGraph, m: MoneyEvidence, i: int) -> list[int]:
    """Dense ids from the payee down to the agent whose sale or recruitment caused i.

    O(levels up).
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
    """The first ``limit`` payments of network ``j`` under ``mask``, with their chains.

    One Arrow gather for the rows and one for the chains' names.
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


def _basis(m: MoneyEvidence, name: str, j: int) -> dict[str, Any]:
    """Which signal decided the payouts of network ``j`` in class ``name``, what was unread.

    ``name`` is ``team_pay``, ``headcount`` or ``upline``
    (:attr:`~agentgraph.evidence.money.MoneyEvidence.basis_by_network`);
    ``decided_by`` counts the payments per signal
    (:data:`~agentgraph.evidence.pay_basis.SIGNALS`), ``unknown_basis`` the upline
    payouts of the network no signal decided, ``not_checked`` the signals the inputs
    lacked. O(signals), plus O(payments of the network) for an undecided amount.
    """
    from agentgraph.evidence.pay_basis import SIGNALS

    tables = m.basis_by_network
    row = tables[name][j]
    unknown = int(tables["unknown"][j])
    amount = 0.0
    if unknown:
        amount = round(float(m.amounts[m.by_network.where(m.basis.unknown, j)].sum()), 2)
    return {
        "decided_by": {s: int(row[k + 1]) for k, s in enumerate(SIGNALS) if row[k + 1]},
        "unknown_basis": {"payments": unknown, "amount": amount},
        "not_checked": m.basis.not_checked(),
    }


@dataclass(frozen=True)
class Evidence:
    """What the rules over money and sales read: the tree and the scan's evidence.

    Attributes
    ----------
    graph : RecruitmentGraph
        The recruitment graph.
    hierarchy : Hierarchy
        Its hierarchy.
    money : MoneyEvidence or None
        With payments.
    sales : SalesEvidence or None
        With orders.
    penalised : numpy.ndarray or None
        Dense ids of the agents marked with a prior penalty.
    thresholds : EvidenceThresholds
        The policy's thresholds the evidence was measured with.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> ev = a.evidence
    >>> ev.has(("payments",)), ev.has(("orders",)), ev.thresholds.join_window_days
    (True, False, 7)
    """

    graph: RecruitmentGraph
    hierarchy: Hierarchy
    money: MoneyEvidence | None = None
    sales: SalesEvidence | None = None
    penalised: np.ndarray | None = None  # dense ids of agents marked with a prior penalty
    thresholds: EvidenceThresholds = DEFAULT_THRESHOLDS  # the policy's, as measured

    def has(self, needs: tuple[str, ...]) -> bool:
        """Whether every input in ``needs`` (``payments``, ``orders``, ...) was given."""
        have = {"payments": self.money, "orders": self.sales, "prior_penalties": self.penalised}
        return all(have[n] is not None for n in needs)

    @property
    def m(self) -> MoneyEvidence:
        """The money evidence (the rule needs payments)."""
        assert self.money is not None
        return self.money

    @property
    def s(self) -> SalesEvidence:
        """The sales evidence (the rule needs orders)."""
        assert self.sales is not None
        return self.sales


@dataclass(frozen=True)
class MoneyRule:
    """Base of the money rules: identity, citation, and liability.

    Attributes
    ----------
    id, severity, citation, description : str
        The rule's id, severity (:data:`~agentgraph.policies.base.SEVERITY_ORDER`),
        legal source and plain description.
    liability : str
        ``criminal`` rules can support the 2013-opinion offence; ``administrative``
        ones are violations of the 2005 regulations only; ``civil``,
        ``contractual`` for the other packs and platforms.

    Examples
    --------
    >>> from agentgraph.policies.cn import HEADCOUNT_PAY
    >>> isinstance(HEADCOUNT_PAY, MoneyRule), HEADCOUNT_PAY.liability, HEADCOUNT_PAY.needs
    (True, 'criminal', ('payments',))
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
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        raise NotImplementedError

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:  # pragma: no cover
        """The facts behind the flag on network ``j`` (payment rows 1-based)."""
        raise NotImplementedError


@dataclass(frozen=True)
class TeamPayRule(MoneyRule):
    """Commissions on downline *sales* reaching ``min_levels_up`` levels above the seller.

    Only payouts with a sale behind them count (an order id, an order link type, an
    order of the recruit near the payout; :mod:`agentgraph.evidence.pay_basis`): a
    payout no signal ties to a sale is not team pay, and the evidence says how many
    such payouts the network has (``unknown_basis``).

    Attributes
    ----------
    min_levels_up : int
        Fewest levels between the seller and the payee (boundary fires; default 2).

    Notes
    -----
    O(networks) to fire (per-network maximum of the pay levels).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(三) 团队计酬.
    .. [2] 最高人民法院、最高人民检察院、公安部 (2013) 意见 §5: sales-based team pay is an
       administrative violation, not the crime.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> from agentgraph.policies.cn import TEAM_PAY
    >>> TEAM_PAY.fires(a.networks, a.evidence).tolist()
    [True]
    >>> TEAM_PAY.evidence(a.networks, a.evidence, 0)["max_levels_up"]
    3
    """

    min_levels_up: int = 2

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        m = ev.m
        return m.net_team_pay_levels >= self.min_levels_up

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j`` (payment rows 1-based)."""
        m, graph = ev.m, ev.graph
        k = self.min_levels_up

        def deep(r: np.ndarray) -> np.ndarray:
            out: np.ndarray = m.team_pay[r] & (m.levels_up[r] >= k)
            return out

        return {
            "liability": self.liability,
            "max_levels_up": int(m.net_team_pay_levels[j]),
            "min_levels_up": self.min_levels_up,
            "payments": m.count(m.team_pay, j),
            "amount": round(float(m.net_team_pay[j]), 2),
            "payment_rows": m.rows_where(deep, j, _ROWS),
            "examples": _examples(graph, m, deep, j),
            **_basis(m, "team_pay", j),
        }


@dataclass(frozen=True)
class HeadcountPayRule(MoneyRule):
    """Payouts to uplines that name no sale: pay for recruiting people (拉人头).

    Attributes
    ----------
    id, severity, citation, description, liability : str
        As :class:`MoneyRule`.

    Notes
    -----
    O(networks). A payout is pay for recruiting when the first signal the inputs carry
    says so (a recruitment link type, the payout at the recruit's joining with no sale
    of the recruit near it, a ledger naming orders elsewhere but none here; see
    :mod:`agentgraph.evidence.pay_basis`); the evidence names the deciding signals
    (``decided_by``) and those the inputs lacked (``not_checked``).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(一) 拉人头; 2013 opinion §5.
    .. [2] In re Koscot Interplanetary, Inc., 86 F.T.C. 1106 (1975), second prong;
       FTC v. BurnLounge, Inc., 753 F.3d 878 (9th Cir. 2014).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> from agentgraph.policies.cn import HEADCOUNT_PAY
    >>> ev = HEADCOUNT_PAY.evidence(a.networks, a.evidence, 0)
    >>> ev["payments"], ev["amount"]
    (4, 800.0)
    """

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        m = ev.m
        return m.net_headcount > 0

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j`` (payment rows 1-based)."""
        m, graph = ev.m, ev.graph
        payouts = float(m.net_payouts[j])
        return {
            "liability": self.liability,
            "payments": m.count(m.headcount, j),
            "amount": round(float(m.net_headcount[j]), 2),
            "share_of_payouts": round(float(m.net_headcount[j]) / payouts, 4) if payouts else None,
            "payment_rows": m.rows_where(m.headcount, j, _ROWS),
            "examples": _examples(graph, m, m.headcount, j),
            **_basis(m, "headcount", j),
        }


@dataclass(frozen=True)
class EntryFeeRule(MoneyRule):
    """Agents paying to join or to gain the right to recruit (入门费).

    A fee (kind ``entry_fee``) or a fee in disguise (禁止传销条例 Art. 7(2)
    以认购商品等方式变相交纳费用): a purchase at joining not matched by goods of similar
    value, or a join package (see :mod:`agentgraph.evidence.entry_fees`). Fires on a
    network with any of the three (:func:`~agentgraph.policies.fees.paid_to_join`).

    Attributes
    ----------
    id, severity, citation, description, liability : str
        As :class:`MoneyRule`.

    Notes
    -----
    O(p + networks).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二) 入门费; 2013 opinion §1.
    .. [2] In re Koscot Interplanetary, Inc., 86 F.T.C. 1106, 1180 (1975), first prong.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> from agentgraph.policies.cn import ENTRY_FEE
    >>> ev = ENTRY_FEE.evidence(a.networks, a.evidence, 0)
    >>> ev["payments"], ev["amount"], ev["join_package"]["amount"]
    (30, 30000.0, 1000)
    """

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        return paid_to_join(ev.m)

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j`` (payment rows 1-based)."""
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
    """Pay beyond the seller's own sales.

    Any commission or rebate paid to someone other than the seller (direct-selling pay
    must come from the seller's own sales only), or, with orders, an agent paid more
    than the policy's ``pay_cap`` (30%) of its own sales.

    Attributes
    ----------
    id, severity, citation, description, liability : str
        As :class:`MoneyRule`.

    Notes
    -----
    O(networks); the evidence O(agents of the network).

    References
    ----------
    .. [1] 《直销管理条例》(2005, 2017 修订) 第二十四条.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> from agentgraph.policies.cn import DIRECT_SELLING_PAY
    >>> DIRECT_SELLING_PAY.evidence(a.networks, a.evidence, 0)["amount"]
    2400.0
    """

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        m = ev.m
        over = ev.sales.net_over_cap > 0 if ev.sales is not None else False
        return (m.net_beyond_own > 0) | over

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j`` (payment rows 1-based)."""
        m, graph = ev.m, ev.graph

        def beyond(r: np.ndarray) -> np.ndarray:  # every payout above its source agent
            out: np.ndarray = m.team_pay[r] | m.headcount[r] | m.basis.unknown[r]
            return out

        payouts = float(m.net_payouts[j])
        out: dict[str, Any] = {
            "liability": self.liability,
            "payments": m.count(beyond, j),
            "amount": round(float(m.net_beyond_own[j]), 2),
            "share_of_payouts": round(float(m.net_beyond_own[j]) / payouts, 4) if payouts else None,
            "payment_rows": m.rows_where(beyond, j, _ROWS),
            **_basis(m, "upline", j),
        }
        if ev.sales is None:
            out["not_checked"] = [
                *out["not_checked"],
                f"pay_cap: no order table was given, so pay could not be measured against "
                f"{ev.thresholds.pay_cap:.0%} of the agents' own sales",
            ]
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
class RetailRatioRule(MoneyRule):
    """A network whose members sell at most ``min_ratio`` of their sales outside it.

    By amount, to buyers who are not agents of the input (Vemma order: > 50% of
    revenue from non-participants).

    Attributes
    ----------
    min_ratio : float
        Largest retail share that fires (boundary fires; default 0.5).

    Notes
    -----
    O(networks).

    References
    ----------
    .. [1] FTC v. Vemma Development Co., No. CV-15-01578 (D. Ariz. 2016), stipulated
       order; FTC v. Herbalife (2016).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     orders=read_orders("fixtures/money/ladder5_orders.csv"),
    ... )
    >>> from agentgraph.policies.us_ftc import RETAIL_RATIO
    >>> RETAIL_RATIO.evidence(a.networks, a.evidence, 0)["retail_ratio"]
    0.25
    """

    min_ratio: float = 0.5

    @property
    def needs(self) -> tuple[str, ...]:
        """Inputs the rule reads beyond the tree."""
        return ("orders",)

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        s = ev.s
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(s.net_sold > 0, s.net_retail / np.maximum(s.net_sold, 1e-300), 1.0)
        return (s.net_sold > 0) & (ratio <= self.min_ratio)

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j`` (payment rows 1-based)."""
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
