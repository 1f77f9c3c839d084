"""What every CLI command shares: errors to exit code 2, progress, reading, rendering."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from agentgraph import stages
from agentgraph.cli.options import InputFormat, Kind, ReportFormat
from agentgraph.errors import AgentgraphError

if TYPE_CHECKING:  # the CLI imports the engine only when a command runs
    from agentgraph.tables import Relations

__all__ = [
    "fail",
    "errors",
    "progress_enabled",
    "step",
    "write_atomic",
    "ReadFlags",
    "read_input",
    "render",
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr; the Exit to raise (code 2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Library errors -> one line on stderr and exit code 2."""
    try:
        yield
    except AgentgraphError as exc:
        raise fail(str(exc)) from None


def progress_enabled() -> bool:
    """Whether progress goes to stderr (a terminal, and AGENTGRAPH_NO_PROGRESS unset)."""
    return sys.stderr.isatty() and not os.environ.get("AGENTGRAPH_NO_PROGRESS")


_BATCH: list[Any] = []  # the batch progress bar being shown: (progress, task id)


def batch_shown() -> bool:
    """Whether a :func:`batch_progress` bar is on screen (one live display at a time)."""
    return bool(_BATCH)


@contextlib.contextmanager
def step(label: str) -> Iterator[None]:
    """A spinner on stderr while ``label`` runs, only when stderr is a terminal.

    Under :func:`batch_progress` the label goes into the bar's line instead (one live
    display at a time).
    """
    if not progress_enabled():
        yield
        return
    if _BATCH:
        progress, task = _BATCH[-1]
        progress.update(task, description=label)
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(label):
        yield


@contextlib.contextmanager
def batch_progress(total: int, what: str = "inputs") -> Iterator[Callable[[], None]]:
    """A bar with counts, elapsed time and ETA on stderr over ``total`` items.

    Yields the callable that marks one item done. Shown only when stderr is a
    terminal and there is more than one item; otherwise the callable does nothing.
    """
    if total < 2 or not progress_enabled():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(what),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("scanning", total=total)
        _BATCH.append((progress, task))
        try:
            yield lambda: progress.advance(task)
        finally:
            _BATCH.pop()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class ReadFlags:
    """The read options a command was given (``--kind``, ``--column``, ``--table``...)."""

    kind: Kind | None = None
    column: list[str] | None = None
    encoding: str | None = None
    input_format: InputFormat | None = None
    table: str | None = None
    where: list[str] | None = None
    date_format: str | None = None
    timezone: str | None = None
    no_upline: list[str] | None = None
    limit: list[str] | None = None

    def limits(self) -> Any:
        """The :class:`~agentgraph.loaders.limits.ReadLimits` of ``--limit`` items."""
        from agentgraph.loaders.limits import parse_limits

        return parse_limits(self.limit)

    def options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`agentgraph.loaders.read_relations`."""
        from agentgraph.loaders import parse_mapping

        return {
            "limits": self.limits(),
            "kind": self.kind.value if self.kind else None,
            "columns": parse_mapping(self.column),
            "encoding": self.encoding,
            "fmt": self.input_format.value if self.input_format else None,
            "table": self.table,
            "where": tuple(self.where or ()),
            "date_format": self.date_format,
            "timezone": self.timezone,
            "no_upline": tuple(self.no_upline or ()),
        }


def read_input(path: Path, flags: ReadFlags, *, table: str | None = None) -> Relations:
    """Read one member table or edge list with the command's read options.

    ``table`` (a folder scan's choice) is used when ``--table`` was not given.
    """
    from agentgraph.loaders import read_relations

    options = flags.options()
    if options["table"] is None:
        options["table"] = table
    with stages.stage("read"):
        return read_relations(path, **options)


def render(report: dict[str, Any], fmt: ReportFormat, *, indent: int | None = None) -> str:
    """The report as JSON, HTML or networks CSV text."""
    if fmt is ReportFormat.json:
        from agentgraph.report.build import dumps

        return dumps(report, indent=indent) + "\n"
    if fmt is ReportFormat.html:
        from agentgraph.report.html import render_html

        return render_html(report)
    from agentgraph.report.csv import render_networks_csv

    return render_networks_csv(report)
