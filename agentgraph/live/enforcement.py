"""What the guardrail refuses when a recruitment is applied with ``enforce``.

Three modes, each refusing at least what the one before it does:

``new_rules`` (the default)
    a recruitment that makes a rule fire that did not fire before on its network, or
    that gives a single-tier network (levels <= 2) a second agent tier (level 3);
    once a network is flagged it may go on growing;
``flagged_network``
    as ``new_rules``, and any recruitment into a network on which a rule fires (before
    or after): a flagged network stops growing;
``max_levels``
    as ``new_rules``, and any recruitment whose new agent would be on a level deeper
    than ``max_levels`` (root = level 1, so ``max_levels = 2`` allows one agent tier
    below the root: the single-tier distribution a regulated platform may run).

Levels count as the 2013 SPC/SPP/MPS opinion counts them (root = level 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agentgraph.errors import ArgumentError
from agentgraph.live.results import RecruitmentCheck

__all__ = ["Enforcement", "EnforceMode", "MODES"]

EnforceMode = Literal["new_rules", "flagged_network", "max_levels"]
MODES: tuple[EnforceMode, ...] = ("new_rules", "flagged_network", "max_levels")


@dataclass(frozen=True)
class Enforcement:
    """The guardrail's enforcement mode.

    Parameters
    ----------
    mode : {"new_rules", "flagged_network", "max_levels"}
        What is refused (see the module docstring).
    max_levels : int, default 2
        The deepest level a new agent may take in ``max_levels`` mode (root = 1).

    Examples
    --------
    ``fixtures/boundary_30_3.csv`` is flagged (30 members over 3 levels): a further
    recruit fires no new rule, so only ``flagged_network`` and ``max_levels`` refuse it.

    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> check = LiveIndex.from_analysis(agentgraph.scan("fixtures/boundary_30_3.csv")).check(
    ...     "007", "N31")
    >>> [Enforcement(m).reasons(check) for m in ("new_rules", "flagged_network")]
    [[], ['flagged_network']]
    >>> Enforcement("max_levels", 3).reasons(check)  # level 4 > 3
    ['max_levels']
    """

    mode: EnforceMode = "new_rules"
    max_levels: int = 2

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ArgumentError(f"unknown enforcement mode {self.mode!r}: use {', '.join(MODES)}")
        if self.max_levels < 1:
            raise ArgumentError("max_levels counts the root as level 1: at least 1")

    def reasons(self, check: RecruitmentCheck) -> list[str]:
        """Why the recruitment is refused under this mode; empty when it is not.

        Parameters
        ----------
        check : RecruitmentCheck
            The recruitment's check.

        Returns
        -------
        list of str
            Rule ids that would newly fire, ``adds_agent_tier``, ``flagged_network``
            or ``max_levels``, in that order.

        Notes
        -----
        O(rules).
        """
        out = [f.rule for f in check.newly_fired]
        if check.adds_agent_tier:
            out.append("adds_agent_tier")
        if self.mode == "flagged_network" and check.firing_after:
            out.append("flagged_network")
        if self.mode == "max_levels" and check.level > self.max_levels:
            out.append("max_levels")
        return out

    def describe(self, reason: str) -> str:
        """One line saying what a reason of :meth:`reasons` means.

        Parameters
        ----------
        reason : str
            One of the reasons.

        Returns
        -------
        str

        Examples
        --------
        >>> Enforcement("max_levels", 2).describe("max_levels")
        'the new agent would be deeper than level 2 (root = level 1)'
        """
        if reason == "adds_agent_tier":
            return "a single-tier network would get a second agent tier"
        if reason == "flagged_network":
            return "the network is flagged: enforcement refuses any recruitment into it"
        if reason == "max_levels":
            return f"the new agent would be deeper than level {self.max_levels} (root = level 1)"
        return f"would newly trigger {reason}"
