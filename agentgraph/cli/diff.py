"""``agentgraph diff OLD.json NEW.json``: what changed between two scans of an input."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from agentgraph.cli.app import app
from agentgraph.cli.common import errors, write_atomic

__all__ = ["DiffFormat", "diff"]


class DiffFormat(StrEnum):
    """Formats of ``diff --format``."""

    json = "json"
    text = "text"


@app.command()
def diff(
    old: Annotated[
        Path,
        typer.Argument(help="The earlier report (scan --format json).", show_default=False),
    ],
    new: Annotated[
        Path,
        typer.Argument(help="The later report (scan --format json).", show_default=False),
    ],
    fmt: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            "-f",
            help="json: the agentgraph.diff/1 document; text: a readable summary.",
        ),
    ] = DiffFormat.json,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file (atomically). Default: stdout."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=1, help="Most networks listed as grown and new data issues listed."
        ),
    ] = 100,
    indent: Annotated[
        int | None,
        typer.Option("--indent", min=0, help="Indent JSON by N spaces (default: compact)."),
    ] = None,
) -> None:
    """Compare two reports: thresholds crossed, new flags, fastest growth, new data issues.

    Networks are matched by root id. Exit 2 when a report cannot be read, is not an
    agentgraph.report/1 report, or the two apply different policies.
    """
    with errors():
        from agentgraph.report.build import dumps
        from agentgraph.report.diff import diff_reports, diff_text, read_report

        d = diff_reports(read_report(old), read_report(new), limit=limit)
        text = diff_text(d) if fmt is DiffFormat.text else dumps(d, indent=indent) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)
