"""Policy ``eu-ucpd``: the EU Unfair Commercial Practices Directive's pyramid ban.

Directive 2005/29/EC, Annex I point 14 (a practice unfair in all circumstances):
"establishing, operating or promoting a pyramid promotional scheme where a
consumer gives consideration for the opportunity to receive compensation that is
derived primarily from the introduction of other consumers into the scheme rather
than from the sale or consumption of products". The CJEU (C-515/12, 4finance,
3 April 2014) held that any consideration counts, however small, and that the
compensation need not come from the consideration itself. Encoded as: a network
where agents paid to join - an entry fee, or one in disguise (a purchase at joining
not matched by goods, a join package: :mod:`agentgraph.evidence.entry_fees`) - AND more than
half of the commissions and rebates (by amount) follow recruitments rather than sales.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from agentgraph.measure.networks import Networks
from agentgraph.policies.base import Policy
from agentgraph.policies.columns import as_networks, picked_rows, rounded, shares
from agentgraph.policies.fees import fee_evidence_many
from agentgraph.policies.money import Evidence, MoneyRule, paid_to_join
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS

__all__ = ["POLICY", "AnnexOnePointFourteen"]


@dataclass(frozen=True)
class AnnexOnePointFourteen(MoneyRule):
    """Consideration paid and compensation derived primarily from introducing others.

    Consideration: any amount, an entry fee or one in disguise; primarily: more than
    ``share`` of the payouts by amount follow recruitments.

    Attributes
    ----------
    share : float
        The recruitment share of payouts that must be exceeded (default 0.5;
        exclusive).

    Notes
    -----
    O(p + networks).

    References
    ----------
    .. [1] Directive 2005/29/EC, Annex I point 14.
    .. [2] CJEU C-515/12, 4finance, 3 April 2014.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> ANNEX_I_14.fires(a.networks, a.evidence).tolist()
    [False]
    >>> ANNEX_I_14.evidence(a.networks, a.evidence, 0)["recruitment_share"]
    0.3333
    """

    share: float = 0.5

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        m = ev.m
        with np.errstate(invalid="ignore", divide="ignore"):
            recruit_share = np.where(
                m.net_payouts > 0, m.net_headcount / np.maximum(m.net_payouts, 1e-300), 0.0
            )
        return paid_to_join(m) & (recruit_share > self.share)

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js`` (payment rows 1-based).

        Column-wise: O(payments of the networks + networks).
        """
        m, js = ev.m, as_networks(js)
        counts = picked_rows(m, m.entry_fee, js, 0).counts.tolist()
        cited = picked_rows(m, lambda r: m.entry_fee[r] | m.headcount[r], js, 20).lists(base=1)
        consideration = rounded(m.net_entry_fees[js])
        recruitment = rounded(m.net_headcount[js])
        payouts = rounded(m.net_payouts[js])
        share = shares(m.net_headcount[js], m.net_payouts[js])
        fees = fee_evidence_many(m, js, ev.thresholds)
        return [
            {
                "liability": self.liability,
                "consideration_payments": counts[i],
                "consideration": consideration[i],
                "recruitment_pay": recruitment[i],
                "payouts": payouts[i],
                "recruitment_share": share[i],
                "min_share_exclusive": self.share,
                "payment_rows": cited[i],
                **fees[i],
            }
            for i in range(len(js))
        ]


ANNEX_I_14 = AnnexOnePointFourteen(
    id="eu.ucpd.annex1_14",
    severity="high",
    citation="Directive 2005/29/EC, Annex I point 14; CJEU C-515/12 4finance (2014)",
    description="Consumers give consideration (any amount, an entry fee or one in disguise) "
    "for compensation derived primarily (> 50% of payouts) from introducing "
    "other consumers.",
    liability="administrative",
)

POLICY = Policy(
    name="eu-ucpd",
    version="2005-29-ec/1",
    title="European Union: Unfair Commercial Practices Directive, Annex I point 14",
    rules=(),
    organiser_min_downline=30,
    organiser_min_levels=3,
    organiser_citation="structural measure only: the Directive sets no head-count threshold",
    money_rules=(ANNEX_I_14,),
    thresholds=DEFAULT_THRESHOLDS,
)
