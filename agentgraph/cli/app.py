"""The ``agentgraph`` Typer application, its ``--version`` and the console entry point.

Commands register themselves on :data:`app` in the modules of :mod:`agentgraph.cli`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from agentgraph import stages
from agentgraph.version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="agentgraph",
    help="Measure recruitment hierarchies of agent ladders and flag pyramid selling (传销).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"agentgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    pass


def main() -> None:
    """Console entry point (with ``AGENTGRAPH_PROFILE`` set, the stage profile on stderr)."""
    if not stages.enabled():
        app()
        return
    stages.start()
    try:
        with stages.stage("main"):
            app()
    finally:
        stages.print_profile()
