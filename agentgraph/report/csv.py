"""Render the listed networks of an ``agentgraph.report/1`` dict as CSV.

One row per network in ``report["networks"]`` (in the report's order: flagged
first, then by size); networks the report only summarises
(``networks_omitted``) have no row. Written with :mod:`csv`, so ids holding
commas, quotes, newlines or Chinese survive a round trip through
:func:`csv.reader`.

Formula-safe by default: a text cell starting with one of :data:`FORMULA_PREFIXES`
(``=``, ``+``, ``-``, ``@``, tab, CR and the full-width ``＝ ＋ － ＠``) is written
with a leading ``'``, so a spreadsheet shows it instead of running it (CSV
injection); numbers stay numbers. ``excel_safe=False`` writes raw values.

Examples
--------
>>> render_networks_csv({}).splitlines()
['root,members,levels,structure,tier_counts,flags,max_severity,deepest_chain_length']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["render_networks_csv", "NETWORK_CSV_COLUMNS", "FORMULA_PREFIXES"]

NETWORK_CSV_COLUMNS: tuple[str, ...] = (
    "root",
    "members",
    "levels",
    "structure",
    "tier_counts",
    "flags",
    "max_severity",
    "deepest_chain_length",
)
"""Header row of :func:`render_networks_csv`, in order."""

_SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
FORMULA_PREFIXES: tuple[str, ...] = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)
"""First characters that make a spreadsheet read a cell as a formula (with full-width forms)."""


def _seq(value: object) -> Sequence[Any]:
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return value
    return ()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _max_severity(flags: Sequence[Mapping[str, Any]]) -> str:
    best, rank = "", -2
    for flag in flags:
        sev = _cell(flag.get("severity"))
        r = _SEVERITY_RANK.get(sev, -1)
        if sev and r > rank:
            best, rank = sev, r
    return best


def _defuse(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with ``'``."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_cell(value: object, safe: bool) -> str:
    """A numeric column's cell: a number as written, anything else as (safe) text."""
    text = _cell(value)
    return text if not safe or value is None or _is_number(value) else _defuse(text)


def render_networks_csv(report: Mapping[str, Any], *, excel_safe: bool = True) -> str:
    r"""Render one CSV row per listed network.

    Parameters
    ----------
    report : Mapping[str, Any]
        An ``agentgraph.report/1`` dict. Only ``networks`` is read; a missing or
        empty list gives just the header row.
    excel_safe : bool, default True
        Prefix text cells that start with one of :data:`FORMULA_PREFIXES` (``=``,
        ``+``, ``-``, ``@``, tab, CR, full-width ``＝ ＋ － ＠``) with ``'`` so a
        spreadsheet does not evaluate them as formulas. Numbers (``members``,
        ``levels``, ``tier_counts``, ``deepest_chain_length``) are never prefixed, so
        ``-5`` stays a number. False writes every value raw: only for a program
        that reads the file and must see ids exactly as stored.

    Returns
    -------
    str
        CSV text with a header (:data:`NETWORK_CSV_COLUMNS`) and ``\n`` line
        ends; fields are quoted when needed. Columns: ``root``, ``members``,
        ``levels``, ``structure``, ``tier_counts`` (members per level joined by
        ``;``, level 1 first), ``flags`` (rule ids joined by ``;``),
        ``max_severity`` (``critical`` > ``high`` > ...; empty when unflagged) and
        ``deepest_chain_length`` (ids in ``deepest_chain``, empty when absent).

    Notes
    -----
    Write the text with ``encoding="utf-8-sig"`` if it is meant for Excel,
    which otherwise misreads Chinese in a UTF-8 file without a BOM.
    O(listed networks x (levels + flags)); the deepest chain is only counted.

    Examples
    --------
    >>> import agentgraph
    >>> text = render_networks_csv(agentgraph.scan("fixtures/boundary_30_3.csv").report())
    >>> text.splitlines()[0]
    'root,members,levels,structure,tier_counts,flags,max_severity,deepest_chain_length'
    >>> text.splitlines()[1]
    '001,30,3,multi_level,1;5;24,cn.threshold,high,3'
    >>> text = render_networks_csv({"networks": [{"root": "a,b", "members": 1}]})
    >>> text.splitlines()[1]
    '"a,b",1,,,,,,'
    >>> render_networks_csv({"networks": [{"root": "=cmd"}]}).splitlines()[1]
    "'=cmd,,,,,,,"
    >>> render_networks_csv({"networks": [{"root": "=cmd"}]}, excel_safe=False).splitlines()[1]
    '=cmd,,,,,,,'
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    # csv quotes a field holding \n but not one holding a lone \r, which a reader
    # would take for a line end: rows with a \r are written fully quoted.
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(NETWORK_CSV_COLUMNS)
    for net in _seq(report.get("networks")):
        if not isinstance(net, Mapping):
            continue
        flags = [f for f in _seq(net.get("flags")) if isinstance(f, Mapping)]
        chain = net.get("deepest_chain")
        tiers = _seq(net.get("tier_counts"))
        tier_text = ";".join(_cell(t) for t in tiers)
        text = [
            _cell(net.get("root")),
            _cell(net.get("structure")),
            ";".join(_cell(f.get("rule")) for f in flags),
            _max_severity(flags),
        ]
        if excel_safe:
            text = [_defuse(c) for c in text]
            if not all(_is_number(t) for t in tiers):
                tier_text = _defuse(tier_text)
        root, structure, rules, severity = text
        row = [
            root,
            _number_cell(net.get("members"), excel_safe),
            _number_cell(net.get("levels"), excel_safe),
            structure,
            tier_text,
            rules,
            severity,
            str(len(chain)) if isinstance(chain, Sequence) and not isinstance(chain, str) else "",
        ]
        (quoted if any("\r" in c for c in row) else writer).writerow(row)
    return buf.getvalue()
