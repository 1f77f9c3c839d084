"""The scan report as a person reads it at a terminal: totals, flagged networks, data issues.

``agentgraph scan`` prints this instead of the JSON when its output is a terminal and
no ``--format`` was given; piped or redirected output stays the JSON report, and
``--format json`` forces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["print_summary", "MAX_ROWS"]

MAX_ROWS = 20
"""Flagged networks listed at most (the rest are counted)."""

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def _flags(net: Mapping[str, Any]) -> Text:
    out = Text()
    for k, flag in enumerate(net.get("flags") or []):
        if k:
            out.append(", ")
        out.append(str(flag.get("rule")), style=_SEVERITY_STYLE.get(str(flag.get("severity")), ""))
    return out


def print_summary(report: Mapping[str, Any], console: Console) -> None:
    """Print a report's headline, its flagged networks and its data issues.

    Parameters
    ----------
    report : mapping
        A JSON report (``agentgraph.report/1``).
    console : rich.console.Console
        Where to print.

    Notes
    -----
    O(networks listed in the report); at most :data:`MAX_ROWS` rows. Levels count the
    root as level 1; rank titles are not levels.

    Examples
    --------
    >>> import io
    >>> import agentgraph
    >>> from rich.console import Console
    >>> console = Console(file=io.StringIO(), width=100, record=True, color_system=None)
    >>> print_summary(agentgraph.scan("fixtures/boundary_30_3.csv").report(), console)
    >>> text = console.export_text()
    >>> "1 of 1 networks flagged" in text, "cn.threshold" in text
    (True, True)
    """
    s = report["summary"]
    src = report.get("source") or {}
    console.print(
        Text.assemble(
            (f"{src.get('name', '')}", "bold"),
            f"  policy {report.get('policy')} ({report.get('policy_version')})",
        )
    )
    flagged = int(s["flagged"])
    style = "bold red" if flagged else "bold green"
    console.print(
        Text.assemble(
            f"{s['agents']:,} agents, ",
            (f"{flagged:,} of {s['networks']:,} networks flagged", style),
            f", deepest {s['max_levels']} levels (root = level 1), "
            f"{s.get('organisers', 0):,} organisers",
        )
    )
    nets = [n for n in report.get("networks", []) if n.get("flags")]
    if nets:
        table = Table(title="Flagged networks", title_justify="left", expand=False)
        for col, just in (
            ("root", "left"),
            ("members", "right"),
            ("levels", "right"),
            ("structure", "left"),
            ("per level", "left"),
            ("rules", "left"),
        ):
            table.add_column(col, justify=just)  # type: ignore[arg-type]
        for net in nets[:MAX_ROWS]:
            tiers = net.get("tier_counts") or []
            shown = " ".join(f"{t:,}" for t in tiers[:8]) + (" ..." if len(tiers) > 8 else "")
            table.add_row(
                str(net["root"]),
                f"{net['members']:,}",
                str(net["levels"]),
                str(net.get("structure", "")),
                shown,
                _flags(net),
            )
        console.print(table)
        more = flagged - min(len(nets), MAX_ROWS)
        if more > 0:
            console.print(f"... and {more:,} more flagged networks (see the JSON or HTML report)")
    issues = {k: v for k, v in (s.get("data_issues") or {}).items() if v}
    if issues:
        console.print(
            Text.assemble(
                ("data issues: ", "yellow"),
                ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in issues.items()),
            )
        )
    else:
        console.print("data issues: none")
    console.print(
        Text("the whole report: --format json (or html, csv) and --out FILE", style="dim")
    )
