"""Command line (``agentgraph COMMAND``): scan, appraise, load, datasets, agent, drop, ..., diff.

The CLI is thin: it parses options, calls the library and turns library
errors into exit code 2 with one clear line on stderr. Exit codes: 0 done,
1 a network was flagged and ``--fail-on-flag`` was given, 2 bad input or usage.
Reports are written to a temporary file and renamed into place, so a failed run
never leaves half a report.

Modules: :mod:`~agentgraph.cli.app` (the Typer app and entry point),
:mod:`~agentgraph.cli.options` (shared option types), :mod:`~agentgraph.cli.common`
(errors, progress, reading, rendering), then the commands:
:mod:`~agentgraph.cli.scan`, :mod:`~agentgraph.cli.appraise`, :mod:`~agentgraph.cli.datasets`,
:mod:`~agentgraph.cli.tools`, :mod:`~agentgraph.cli.diff`, :mod:`~agentgraph.cli.export`.
"""

from __future__ import annotations

import importlib

from agentgraph.cli.app import app, main

__all__ = ["app", "main"]

for _commands in (
    "scan",
    "appraise",
    "datasets",
    "tools",
    "diff",
    "export",
):  # they register on app in this order
    importlib.import_module(f"agentgraph.cli.{_commands}")
