"""Defects found in the input: reported, never silently dropped.

Kinds (the report contract): ``cycle``, ``self_referral``, ``multiple_uplines``,
``unknown_upline``, ``duplicate_agent``, and from report revision 3
``no_upline_value`` (an upline value such as ``0`` that means "no upline") and
``upline_disagreement`` (ancestor or path columns that contradict the upline).
Every defect is counted; the first ``limit`` of each kind are kept in full (agents
and a detail that says what was kept and what was dropped), so a report on dirty
data stays readable.

Examples
--------
>>> import agentgraph
>>> from agentgraph.graph.model import build_graph
>>> build_graph(agentgraph.read("fixtures/cycle.csv")).issues.summary()["cycle"]
1
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from agentgraph.errors import ArgumentError

__all__ = ["ISSUE_KINDS", "DataIssue", "IssueLog"]

ISSUE_KINDS = (
    "cycle",
    "self_referral",
    "multiple_uplines",
    "unknown_upline",
    "duplicate_agent",
    "no_upline_value",
    "upline_disagreement",
)


@dataclass(frozen=True)
class DataIssue:
    """One defect: its kind, the agents involved and what was done about it.

    Attributes
    ----------
    kind : str
        One of :data:`ISSUE_KINDS`.
    agents : list of str
        The agents involved (for a cycle: its members in walk order).
    detail : str
        What was found and what was kept or dropped.

    Examples
    --------
    >>> from agentgraph.graph.issues import DataIssue
    >>> DataIssue("self_referral", ["S1"], "treated as a root").as_dict()
    {'kind': 'self_referral', 'agents': ['S1'], 'detail': 'treated as a root'}
    """

    kind: str
    agents: list[str]
    detail: str

    def as_dict(self) -> dict[str, object]:
        """The issue as a JSON-ready dict (the report contract)."""
        return {"kind": self.kind, "agents": self.agents, "detail": self.detail}


@dataclass
class IssueLog:
    """All defects of one input: counts per kind, the first ``limit`` of each in full.

    Attributes
    ----------
    limit : int, default 1000
        Issues kept in full per kind; all are counted.
    counts : collections.Counter of str
        Issues per kind, kept or not.
    items : list of DataIssue
        The issues kept in full, in the order found.

    Examples
    --------
    >>> from agentgraph.graph.issues import IssueLog
    >>> log = IssueLog(limit=1)
    >>> log.add("cycle", ["X1", "X2", "X3"], "broken at X1")
    >>> log.add("cycle", ["Y1", "Y2"], "broken at Y1")  # counted, not kept
    >>> log.count("cycle", 3)
    >>> log.summary()["cycle"], len(log.items), log.wants("cycle"), log.wants("self_referral")
    (5, 1, False, True)
    """

    limit: int = 1000
    counts: Counter[str] = field(default_factory=Counter)
    items: list[DataIssue] = field(default_factory=list)

    def wants(self, kind: str) -> bool:
        """True while fewer than ``limit`` issues of ``kind`` are kept."""
        return self.counts[kind] < self.limit

    def add(self, kind: str, agents: list[str], detail: str) -> None:
        """Count one issue of ``kind``; keep it in full while under ``limit``.

        Raises :class:`~agentgraph.errors.ArgumentError` for a kind not in
        :data:`ISSUE_KINDS`.
        """
        if kind not in ISSUE_KINDS:
            raise ArgumentError(kind)
        if self.counts[kind] < self.limit:
            self.items.append(DataIssue(kind, agents, detail))
        self.counts[kind] += 1

    def count(self, kind: str, n: int) -> None:
        """Count ``n`` more issues of ``kind`` that are not kept in full."""
        self.counts[kind] += n

    def summary(self) -> dict[str, int]:
        """Issues per kind, every kind of :data:`ISSUE_KINDS` listed (0 when none)."""
        return {k: int(self.counts.get(k, 0)) for k in ISSUE_KINDS}
