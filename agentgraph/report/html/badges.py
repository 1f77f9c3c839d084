"""Severity and liability badges, structure labels and the flags of a listed network."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentgraph.report.html.labels import (
    LIABILITY_LABEL,
    SEVERITY_LABEL,
    SEVERITY_RANK,
    STRUCTURE_LABEL,
)
from agentgraph.report.html.text import as_sequence, escape

__all__ = ["liability_badge", "max_severity", "network_flags", "severity_badge", "structure_label"]


def liability_badge(value: object) -> str:
    """A criminal / administrative liability badge (empty when absent)."""
    if value is None or value == "":
        return ""
    text = str(value)
    cls = "liab criminal" if text == "criminal" else "liab"
    return f'<span class="{cls}">{escape(LIABILITY_LABEL.get(text, text))}</span>'


def network_flags(net: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f for f in as_sequence(net.get("flags")) if isinstance(f, Mapping)]


def max_severity(flags: Iterable[Mapping[str, Any]]) -> str:
    best = ""
    rank = -2
    for flag in flags:
        sev = str(flag.get("severity") or "")
        r = SEVERITY_RANK.get(sev, -1)
        if r > rank:
            best, rank = sev, r
    return best


def severity_badge(severity: str) -> str:
    if not severity:
        return '<span class="sev none">None 无</span>'
    cls = "critical" if severity == "critical" else "high"
    return f'<span class="sev {cls}">{escape(SEVERITY_LABEL.get(severity, severity))}</span>'


def structure_label(value: object) -> str:
    text = str(value) if value is not None else ""
    return escape(STRUCTURE_LABEL.get(text, text or "–"))
