"""What a policy is: named, versioned rules that turn measures into flags.

A rule never computes hierarchy itself: it reads the per-network arrays
(:class:`~agentgraph.measure.networks.Networks`) and says which networks it flags and
with what evidence. New packs add rules without touching the algorithms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from agentgraph.measure.networks import Networks

__all__ = ["Flag", "NetworkRule", "ThresholdRule", "Policy", "SEVERITY_ORDER"]

SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(frozen=True)
class Flag:
    """One rule firing on one network, with what an auditor needs to check it."""

    rule: str
    severity: str
    citation: str
    evidence: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "citation": self.citation,
            "evidence": self.evidence,
        }


class NetworkRule(Protocol):
    """A rule over whole networks."""

    @property
    def id(self) -> str: ...

    @property
    def severity(self) -> str: ...

    @property
    def citation(self) -> str: ...

    @property
    def description(self) -> str: ...

    def fires(self, nets: Networks) -> np.ndarray:
        """Boolean mask over networks: where the rule fires. Vectorised, O(networks)."""
        ...

    def evidence(self, nets: Networks, j: int) -> dict[str, Any]:
        """The facts behind the flag on network ``j``."""
        ...


@dataclass(frozen=True)
class ThresholdRule:
    """Fires on networks with at least ``min_members`` members AND ``min_levels`` levels.

    Both thresholds include their boundary ("以上" includes the number itself) and
    count the organiser (root) as a member on level 1.
    """

    id: str
    severity: str
    citation: str
    description: str
    min_members: int
    min_levels: int

    def fires(self, nets: Networks) -> np.ndarray:
        return (nets.members >= self.min_members) & (nets.levels >= self.min_levels)

    def would_fire(self, members: int, levels: int) -> bool:
        """The same test for one network's counts."""
        return members >= self.min_members and levels >= self.min_levels

    def evidence(self, nets: Networks, j: int) -> dict[str, Any]:
        return {
            "members": int(nets.members[j]),
            "levels": int(nets.levels[j]),
            "min_members": self.min_members,
            "min_levels": self.min_levels,
            "tier_counts": nets.tier_counts(j),
            "counting": "members include the root; the root is level 1; "
            "thresholds include their boundary",
        }


@dataclass(frozen=True)
class Policy:
    """A named, versioned set of rules plus the organiser definition it uses."""

    name: str
    version: str
    title: str
    rules: tuple[NetworkRule, ...]
    organiser_min_downline: int
    organiser_min_levels: int
    organiser_citation: str
    notes: dict[str, str] = field(default_factory=dict)
    # rules over payments (agentgraph.policies.money), evaluated when payments are given
    money_rules: tuple[Any, ...] = ()
    # with payments: the network rules fire only where one of these money rules
    # fires too (the offence needs entry fees or head-count pay, not depth alone)
    network_rules_need: tuple[str, ...] = ()

    def describe(self, *, inputs: list[str] | None = None) -> list[dict[str, Any]]:
        """The rules as the report lists them. Money rules name the evidence they
        need and their liability, and whether they were evaluated (``inputs``: the
        evidence the scan had, e.g. ``["payments"]``).
        """
        have = set(inputs or ())
        gate = (
            list(self.network_rules_need)
            if "payments" in have and self.network_rules_need
            else None
        )
        out: list[dict[str, Any]] = []
        for r in self.rules:
            out.append(
                {
                    "rule": r.id,
                    "severity": r.severity,
                    "citation": r.citation,
                    "description": r.description,
                }
            )
            if gate:
                out[-1]["requires_any"] = gate
        for m in self.money_rules:
            row: dict[str, Any] = {
                "rule": m.id,
                "severity": m.severity,
                "citation": m.citation,
                "description": m.description,
                "needs": list(m.needs),
                "liability": m.liability,
            }
            if inputs is not None:
                row["evaluated"] = set(m.needs) <= have
            if gate and getattr(m, "needs_offence", False):
                row["requires_any"] = gate
            out.append(row)
        return out
