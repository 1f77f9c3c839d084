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

from agentgraph.measure.networks import Networks
from agentgraph.policies.columns import (
    agents_over_cap,
    as_networks,
    basis_many,
    examples_many,
    picked_rows,
    rounded,
    shares,
)
from agentgraph.policies.fees import fee_evidence, fee_evidence_many, paid_to_join
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
_EXAMPLES = 5  # example payments (with their chains) per flag


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

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:  # pragma: no cover
        """The facts behind the flags on the networks ``js``, column-wise, one dict each.

        Built for all the networks at once (:mod:`agentgraph.policies.columns`);
        payment rows are 1-based.
        """
        raise NotImplementedError

    def evidence(self, nets: Networks, ev: Evidence, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j`` (:meth:`evidence_many` of ``[j]``)."""
        return self.evidence_many(nets, ev, [j])[0]


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

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js`` (payment rows 1-based).

        Column-wise: O(payments of the networks + examples' chains + networks).
        """
        m, js = ev.m, as_networks(js)
        k = self.min_levels_up

        def deep(r: np.ndarray) -> np.ndarray:
            out: np.ndarray = m.team_pay[r] & (m.levels_up[r] >= k)
            return out

        rows = picked_rows(m, deep, js, _ROWS)
        counts = m.basis_by_network["team_pay"][js].sum(axis=1).tolist()  # all team pay
        examples = examples_many(ev.graph, m, rows.head(_EXAMPLES))
        cited = rows.lists(base=1)
        levels = m.net_team_pay_levels[js].tolist()
        amounts = rounded(m.net_team_pay[js])
        basis = basis_many(m, "team_pay", js)
        return [
            {
                "liability": self.liability,
                "max_levels_up": levels[i],
                "min_levels_up": self.min_levels_up,
                "payments": counts[i],
                "amount": amounts[i],
                "payment_rows": cited[i],
                "examples": examples[i],
                **basis[i],
            }
            for i in range(len(js))
        ]


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

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js`` (payment rows 1-based).

        Column-wise: O(payments of the networks + examples' chains + networks).
        """
        m, js = ev.m, as_networks(js)
        rows = picked_rows(m, m.headcount, js, _ROWS)
        counts = rows.counts.tolist()
        examples = examples_many(ev.graph, m, rows.head(_EXAMPLES))
        cited = rows.lists(base=1)
        amounts = rounded(m.net_headcount[js])
        share = shares(m.net_headcount[js], m.net_payouts[js])
        basis = basis_many(m, "headcount", js)
        return [
            {
                "liability": self.liability,
                "payments": counts[i],
                "amount": amounts[i],
                "share_of_payouts": share[i],
                "payment_rows": cited[i],
                "examples": examples[i],
                **basis[i],
            }
            for i in range(len(js))
        ]


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

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js`` (payment rows 1-based).

        Column-wise: O(payments of the networks + networks).
        """
        m, js = ev.m, as_networks(js)
        rows = picked_rows(m, m.entry_fee, js, _ROWS)
        counts = rows.counts.tolist()
        cited = rows.lists(base=1)
        amounts = rounded(m.net_entry_fees[js])
        fees = fee_evidence_many(m, js, ev.thresholds)
        return [
            {
                "liability": self.liability,
                "payments": counts[i],
                "amount": amounts[i],
                "payment_rows": cited[i],
                **fees[i],
            }
            for i in range(len(js))
        ]


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

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js`` (payment rows 1-based).

        Column-wise: O(payments and agents of the networks + networks).
        """
        m, js = ev.m, as_networks(js)

        def beyond(r: np.ndarray) -> np.ndarray:  # every payout above its source agent
            out: np.ndarray = m.team_pay[r] | m.headcount[r] | m.basis.unknown[r]
            return out

        rows = picked_rows(m, beyond, js, _ROWS)
        counts = rows.counts.tolist()
        cited = rows.lists(base=1)
        amounts = rounded(m.net_beyond_own[js])
        share = shares(m.net_beyond_own[js], m.net_payouts[js])
        basis = basis_many(m, "upline", js)
        s = ev.sales
        extra: list[str] = []
        if s is None:
            extra = [
                f"pay_cap: no order table was given, so pay could not be measured against "
                f"{ev.thresholds.pay_cap:.0%} of the agents' own sales"
            ]
        over: list[list[dict[str, Any]]] | None = None
        if s is not None and s.payouts is not None:
            over = agents_over_cap(ev.graph, ev.hierarchy, s.payouts, s.sold, s.pay_cap, js, _ROWS)
        out: list[dict[str, Any]] = []
        for i in range(len(js)):
            row: dict[str, Any] = {
                "liability": self.liability,
                "payments": counts[i],
                "amount": amounts[i],
                "share_of_payouts": share[i],
                "payment_rows": cited[i],
                **basis[i],
            }
            if extra:
                row["not_checked"] = [*row["not_checked"], *extra]
            if over is not None:
                row["cap"] = ev.thresholds.pay_cap
                row["paid_over_cap"] = over[i]
            out.append(row)
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

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js``. Column-wise, O(networks)."""
        s, js = ev.s, as_networks(js)
        sold, retail = s.net_sold[js], s.net_retail[js]
        ratio = shares(retail, sold)
        sales, retail_sales, internal = rounded(sold), rounded(retail), rounded(sold - retail)
        return [
            {
                "liability": self.liability,
                "retail_ratio": ratio[i],
                "min_ratio": self.min_ratio,
                "sales": sales[i],
                "retail_sales": retail_sales[i],
                "internal_sales": internal[i],
                "counting": "retail = sales by members to buyers who are not agents of the "
                "input; the boundary (exactly min_ratio) fires",
            }
            for i in range(len(js))
        ]
