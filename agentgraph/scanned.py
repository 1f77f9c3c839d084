"""What a finished scan offers its readers: the report, the views, the live index.

:class:`Scanned` is the structural type (a :class:`typing.Protocol`) of a measured
scan: the graph, its hierarchy and networks, the policy and its flags, and the
evidence read beside the relations. :class:`agentgraph.analysis.Analysis` is the
one implementation; the report (:mod:`agentgraph.report`) and the library views
(:mod:`agentgraph.interop`) read a scan through this type, so they sit below the
orchestration that produces it and no module imports a module above it.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from agentgraph.evidence.identities import IdentityEvidence
from agentgraph.evidence.money import MoneyEvidence
from agentgraph.evidence.sales import SalesEvidence
from agentgraph.graph.model import RecruitmentGraph
from agentgraph.measure.hierarchy import Hierarchy
from agentgraph.measure.networks import Networks
from agentgraph.measure.ranks import RankCheck
from agentgraph.policies.base import Flag, Policy

__all__ = ["Scanned"]


class Scanned(Protocol):
    """A measured scan, as the report and the views read it.

    Attributes
    ----------
    graph : RecruitmentGraph
        The recruitment graph (dense ids, one upline per agent).
    hierarchy : Hierarchy
        Depth, root, downline size and height of every agent.
    networks : Networks
        Members, levels and tiers of every network.
    policy : Policy
        The rules applied.
    flag_mask : dict of str to numpy.ndarray
        Rule id -> boolean mask over networks.
    money, sales, identities : evidence or None
        The evidence read beside the relations, when given.
    flagged : numpy.ndarray
        Boolean mask over networks: any rule fired.
    organisers : numpy.ndarray
        Dense ids of the agents meeting the organiser thresholds.
    ranks : RankCheck or None
        Declared rank titles against measured levels.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.scanned import Scanned
    >>> a: Scanned = agentgraph.scan("fixtures/boundary_30_3.csv")
    >>> int(a.flagged.sum())
    1
    """

    @property
    def graph(self) -> RecruitmentGraph: ...  # noqa: D102

    @property
    def hierarchy(self) -> Hierarchy: ...  # noqa: D102

    @property
    def networks(self) -> Networks: ...  # noqa: D102

    @property
    def policy(self) -> Policy: ...  # noqa: D102

    @property
    def flag_mask(self) -> dict[str, np.ndarray]: ...  # noqa: D102

    @property
    def money(self) -> MoneyEvidence | None: ...  # noqa: D102

    @property
    def sales(self) -> SalesEvidence | None: ...  # noqa: D102

    @property
    def identities(self) -> IdentityEvidence | None: ...  # noqa: D102

    @property
    def flagged(self) -> np.ndarray: ...  # noqa: D102

    @property
    def organisers(self) -> np.ndarray: ...  # noqa: D102

    @property
    def ranks(self) -> RankCheck | None: ...  # noqa: D102

    def flags(self, j: int) -> list[Flag]:
        """The flags on network ``j``, in the policy's rule order."""
        ...

    def flag_dicts(self, js: np.ndarray | list[int]) -> list[list[dict[str, Any]]]:
        """The flags on each network of ``js`` as the report writes them, column-wise."""
        ...

    def network_order(self) -> np.ndarray:
        """Networks flagged first, then by members (descending), then by root id."""
        ...

    def evidence_inputs(self) -> list[str]:
        """Which evidence the scan had: ``payments``, ``orders``, ``prior_penalties``."""
        ...
