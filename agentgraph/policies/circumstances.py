"""Circumstances of the offence over money and prior penalties: funds and recidivists.

Rules of the 2013 SPC/SPP/MPS opinion that need more than the tree: the funds the
root collected (情节严重 (2), 2.5M yuan) and the lower thresholds for an organiser
punished before (15 people over 3 levels; 60 for serious circumstances). Both are
thresholds of the offence, so with payments they are gated like the network rules
(``needs_offence``, :class:`agentgraph.policies.base.Gating`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from agentgraph.measure.groups import Groups
from agentgraph.measure.networks import Networks
from agentgraph.policies.columns import as_networks, rounded
from agentgraph.policies.money import Evidence, MoneyRule

__all__ = ["FundsRule", "RecidivistRule"]

_ROWS = 20  # agents cited per flag


@dataclass(frozen=True)
class FundsRule(MoneyRule):
    """A network over the membership threshold whose root collected ``min_amount``.

    Money paid in by the root's downline, directly and through it.

    Attributes
    ----------
    min_amount : float
        Least amount collected (boundary fires).
    min_members, min_levels : int
        The network's membership threshold (boundaries fire).
    needs_offence : bool
        Gated like the network rules (:class:`~agentgraph.policies.base.Gating`);
        False for a custom policy's own limit.

    Notes
    -----
    O(networks).

    References
    ----------
    .. [1] 2013 opinion, 情节严重 (2): 直接或者间接收取传销资金 250 万元以上.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> from agentgraph.policies.cn import SERIOUS_FUNDS
    >>> SERIOUS_FUNDS.fires(a.networks, a.evidence).tolist()
    [False]
    >>> SERIOUS_FUNDS.evidence(a.networks, a.evidence, 0)["collected"]
    30000.0
    """

    min_amount: float = 2_500_000.0
    min_members: int = 30
    min_levels: int = 3
    needs_offence: bool = True  # a circumstance of the offence: gated like the network rules

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        m = ev.m
        return (
            (m.net_funds >= self.min_amount)
            & (nets.members >= self.min_members)
            & (nets.levels >= self.min_levels)
        )

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js``. Column-wise, O(networks)."""
        m, js = ev.m, as_networks(js)
        collected = rounded(m.net_funds[js])
        direct = rounded(m.funds_direct[nets.roots[js]])
        members, levels = nets.members[js].tolist(), nets.levels[js].tolist()
        return [
            {
                "liability": self.liability,
                "collected": collected[i],
                "direct": direct[i],
                "min_amount": self.min_amount,
                "members": members[i],
                "levels": levels[i],
                "counting": "money paid in (entry fees, goods, other) by the root's downline, "
                "the root's own payments excluded; thresholds include their "
                "boundary",
            }
            for i in range(len(js))
        ]


@dataclass(frozen=True)
class RecidivistRule(MoneyRule):
    """A marked agent (a prior penalty) whose own downline reaches the lower threshold.

    A criminal penalty, or an administrative one within a year; the downline includes
    the agent, whose level is level 1 of it. Fires on that agent's network.

    Attributes
    ----------
    min_members, min_levels : int
        The downline's threshold (boundaries fire).
    needs_offence : bool
        Gated like the network rules (:class:`~agentgraph.policies.base.Gating`).

    Notes
    -----
    O(marked agents + networks).

    References
    ----------
    .. [1] 2013 opinion §1: 曾因组织、领导传销活动受过刑事处罚，或者一年以内受过行政处罚，
       又发展参与传销活动人员在十五人以上且层级在三级以上; 情节严重 (3): 六十人以上.

    Examples
    --------
    >>> import pyarrow as pa, agentgraph
    >>> from agentgraph.tables import Relations
    >>> ids = [f"A{k}" for k in range(15)]
    >>> rel = Relations("members", pa.table({"agent_id": ids,
    ...     "upline_id": [None, "A0"] + ["A1"] * 13,
    ...     "prior_penalty": ["yes"] + ["no"] * 14}))
    >>> a = agentgraph.analyse(rel)
    >>> from agentgraph.policies.cn import RECIDIVIST
    >>> RECIDIVIST.fires(a.networks, a.evidence).tolist()
    [True]
    """

    min_members: int = 15
    min_levels: int = 3
    needs_offence: bool = True  # a threshold of the offence: gated like the network rules

    @property
    def needs(self) -> tuple[str, ...]:
        """Inputs the rule reads beyond the tree."""
        return ("prior_penalties",)

    def _hits(self, ev: Evidence) -> np.ndarray:
        h = ev.hierarchy
        v = ev.penalised if ev.penalised is not None else np.zeros(0, np.int64)
        ok = (h.size[v] >= self.min_members) & (h.height[v] + 1 >= self.min_levels)
        hits: np.ndarray = v[ok]
        return hits

    def fires(self, nets: Networks, ev: Evidence) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        mask = np.zeros(len(nets), np.bool_)
        mask[ev.hierarchy.net[self._hits(ev)]] = True
        return mask

    def evidence_many(
        self, nets: Networks, ev: Evidence, js: np.ndarray | list[int]
    ) -> list[dict[str, Any]]:
        """The facts behind the flags on the networks ``js``.

        Column-wise: O(marked agents + networks), one ``take`` for all the names.
        """
        h, js = ev.hierarchy, as_networks(js)
        hits = self._hits(ev)
        picked = Groups.of(h.net[hits], len(nets)).pick(np.ones(len(hits), np.bool_), js, _ROWS)
        agents = hits[picked.rows]
        names = ev.graph.names(agents)
        size, height = h.size[agents].tolist(), h.height[agents].tolist()
        every = [
            {"agent": names[k], "downline": size[k], "levels": height[k] + 1}
            for k in range(len(agents))
        ]
        off = picked.offsets.tolist()
        return [
            {
                "liability": self.liability,
                "min_members": self.min_members,
                "min_levels": self.min_levels,
                "agents": every[off[i] : off[i + 1]],
                "counting": "downline includes the agent; the agent's own level is level 1 "
                "of its downline; thresholds include their boundary",
            }
            for i in range(len(js))
        ]
