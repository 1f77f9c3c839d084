"""Severity and liability badges, structure labels and the flags of a listed network.

Examples
--------
>>> max_severity(network_flags({"flags": [{"severity": "high"}]}))
'high'
"""

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
    """Render a criminal / administrative liability badge (empty when absent).

    Parameters
    ----------
    value : object
        The liability (``criminal``, ``administrative``, ``civil``,
        ``contractual``, or any other text shown as-is); ``None`` or ``""`` for none.

    Returns
    -------
    str
        A ``<span class="liab">``, red (``liab criminal``) for criminal liability;
        ``""`` when there is none.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> liability_badge("criminal")
    '<span class="liab criminal">Criminal 刑事</span>'
    >>> liability_badge(None)
    ''
    """
    if value is None or value == "":
        return ""
    text = str(value)
    cls = "liab criminal" if text == "criminal" else "liab"
    return f'<span class="{cls}">{escape(LIABILITY_LABEL.get(text, text))}</span>'


def network_flags(net: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Read the flags of a listed network (non-mapping entries skipped).

    Parameters
    ----------
    net : Mapping[str, Any]
        One entry of the report's ``networks``.

    Returns
    -------
    list[Mapping[str, Any]]
        Its ``flags``; ``[]`` when unflagged or malformed.

    Notes
    -----
    O(flags).

    Examples
    --------
    >>> network_flags({"flags": [{"rule": "cn.threshold"}, "junk"]})
    [{'rule': 'cn.threshold'}]
    >>> network_flags({"root": "A"})
    []
    """
    return [f for f in as_sequence(net.get("flags")) if isinstance(f, Mapping)]


def max_severity(flags: Iterable[Mapping[str, Any]]) -> str:
    """Pick the highest severity among flags (``critical`` > ``high`` > ... > ``info``).

    Parameters
    ----------
    flags : Iterable[Mapping[str, Any]]
        Flags with a ``severity``; unknown severities rank below ``info``.

    Returns
    -------
    str
        The highest severity, ``""`` when there are no flags.

    Notes
    -----
    O(flags).

    Examples
    --------
    >>> max_severity([{"severity": "high"}, {"severity": "critical"}])
    'critical'
    >>> max_severity([])
    ''
    """
    best = ""
    rank = -2
    for flag in flags:
        sev = str(flag.get("severity") or "")
        r = SEVERITY_RANK.get(sev, -1)
        if r > rank:
            best, rank = sev, r
    return best


def severity_badge(severity: str) -> str:
    """Render a severity badge (grey "None 无" when the network is unflagged).

    Parameters
    ----------
    severity : str
        A severity, or ``""`` for none.

    Returns
    -------
    str
        A ``<span class="sev">``, red for ``critical``, orange otherwise.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> severity_badge("critical")
    '<span class="sev critical">Critical 情节严重</span>'
    >>> severity_badge("")
    '<span class="sev none">None 无</span>'
    """
    if not severity:
        return '<span class="sev none">None 无</span>'
    cls = "critical" if severity == "critical" else "high"
    return f'<span class="sev {cls}">{escape(SEVERITY_LABEL.get(severity, severity))}</span>'


def structure_label(value: object) -> str:
    """Label a network's structure class in English and Chinese.

    Parameters
    ----------
    value : object
        ``single_tier``, ``multi_level``, ``five_tier_plus`` or any other text
        (shown as-is); ``None`` shows as ``–``.

    Returns
    -------
    str
        Escaped label.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> structure_label("multi_level"), structure_label(None)
    ('Multi-level 多层级', '–')
    """
    text = str(value) if value is not None else ""
    return escape(STRUCTURE_LABEL.get(text, text or "–"))
