"""Defects found in the input: reported, never silently dropped.

Kinds (the report contract): ``cycle``, ``self_referral``, ``multiple_uplines``,
``unknown_upline``, ``duplicate_agent``. Every defect is counted; the first
``limit`` of each kind are kept in full (agents and a detail that says what was
kept and what was dropped), so a report on dirty data stays readable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["ISSUE_KINDS", "DataIssue", "IssueLog"]

ISSUE_KINDS = ("cycle", "self_referral", "multiple_uplines", "unknown_upline", "duplicate_agent")


@dataclass(frozen=True)
class DataIssue:
    """One defect: its kind, the agents involved and what was done about it."""

    kind: str
    agents: list[str]
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "agents": self.agents, "detail": self.detail}


@dataclass
class IssueLog:
    """All defects of one input: counts per kind, the first ``limit`` of each in full."""

    limit: int = 1000
    counts: Counter[str] = field(default_factory=Counter)
    items: list[DataIssue] = field(default_factory=list)

    def wants(self, kind: str) -> bool:
        """True while fewer than ``limit`` issues of ``kind`` are kept."""
        return self.counts[kind] < self.limit

    def add(self, kind: str, agents: list[str], detail: str) -> None:
        assert kind in ISSUE_KINDS, kind
        if self.counts[kind] < self.limit:
            self.items.append(DataIssue(kind, agents, detail))
        self.counts[kind] += 1

    def count(self, kind: str, n: int) -> None:
        """Count ``n`` more issues of ``kind`` that are not kept in full."""
        self.counts[kind] += n

    def summary(self) -> dict[str, int]:
        return {k: int(self.counts.get(k, 0)) for k in ISSUE_KINDS}
