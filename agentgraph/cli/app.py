"""The ``agentgraph`` Typer application, its ``--version`` and the console entry point.

Commands register themselves on :data:`app` in the modules of :mod:`agentgraph.cli`.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from agentgraph import stages
from agentgraph.version import __version__

__all__ = ["app", "main", "end_without_teardown"]

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


_FAST_EXIT: list[bool] = []


def end_without_teardown() -> None:
    """Let :func:`main` end the process at once when the command is done.

    A scan leaves hundreds of MB of arrays and numba's compiled code behind; the
    interpreter's teardown of them takes 0.1-0.3 s that nobody waits for. A command
    calls this once everything it writes is written and closed.
    """
    _FAST_EXIT.append(True)


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> None:
    """Console entry point (with ``AGENTGRAPH_PROFILE`` set, the stage profile on stderr).

    After a command that called :func:`end_without_teardown`, the process ends with
    ``os._exit`` once stdout and stderr are flushed.
    """
    code = 0
    try:
        if not stages.enabled():
            app()
        else:
            stages.start()
            try:
                with stages.stage("main"):
                    app()
            finally:
                stages.print_profile()
    except SystemExit as exc:
        code = _exit_code(exc)
        if not _FAST_EXIT:
            raise
    if not _FAST_EXIT:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: let Python report it
        sys.exit(code)
    os._exit(code)
