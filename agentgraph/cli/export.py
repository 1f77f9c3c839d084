"""``agentgraph export``: one network or downline as CSV, xlsx, GraphML, GEXF or Neo4j CSV."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from agentgraph.cli.app import app
from agentgraph.cli.common import ReadFlags, errors, fail, read_input, step
from agentgraph.cli.options import (
    ColumnOpt,
    DateFormatOpt,
    EncodingOpt,
    KindOpt,
    LimitOpt,
    NoUplineOpt,
    StoreOpt,
    TableOpt,
    TimezoneOpt,
    WhereOpt,
)

__all__ = ["export", "ExportFormat"]


class ExportFormat(enum.StrEnum):
    """What ``agentgraph export`` writes (:data:`agentgraph.exports.FORMATS`)."""

    csv = "csv"
    xlsx = "xlsx"
    graphml = "graphml"
    gexf = "gexf"
    neo4j = "neo4j"


@app.command()
def export(
    input: Annotated[Path | None, typer.Option("--input", "-i", help="File to read.")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Stored dataset.")] = None,
    store: StoreOpt = None,
    network: Annotated[
        str | None, typer.Option("--network", help="Root id of the network to export.")
    ] = None,
    downline: Annotated[
        str | None,
        typer.Option("--downline", help="Agent whose downline (the agent included) to export."),
    ] = None,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="csv (UTF-8 with BOM, formula-safe), xlsx, graphml, gexf (Gephi) or neo4j "
            "(a zip of the neo4j-admin import CSVs); default from --out's suffix.",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: stdout, csv only).")
    ] = None,
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    table: TableOpt = None,
    where: WhereOpt = None,
    date_format: DateFormatOpt = None,
    timezone: TimezoneOpt = None,
    no_upline: NoUplineOpt = None,
    limit: LimitOpt = None,
) -> None:
    """Export one network (--network ROOT) or one downline (--downline AGENT) of a file or dataset.

    Every agent with its upline, level (root = 1), network root, downline size, direct
    recruits, rank title and the rules that fire on its network. GraphML and GEXF open
    in Gephi, yEd or networkx; the file is written whole or not at all.
    """
    from agentgraph.analysis import analyse
    from agentgraph.exports import SUFFIXES, render, select_from_scan
    from agentgraph.report.output import write_atomic
    from agentgraph.stores import open_store

    if (input is None) == (dataset is None):
        raise fail("give exactly one of --input FILE or --dataset NAME")
    if (network is None) == (downline is None):
        raise fail("give exactly one of --network ROOT or --downline AGENT")
    if fmt is None:
        by_suffix = {v: k for k, v in SUFFIXES.items()}
        guessed = by_suffix.get(out.suffix.lower()) if out is not None else "csv"
        if guessed is None:
            raise fail(f"give --format: {out} does not end in {', '.join(SUFFIXES.values())}")
        fmt = ExportFormat(guessed)
    if out is None and fmt is not ExportFormat.csv:
        raise fail(f"--format {fmt.value} is a binary or XML file: give --out FILE")
    with errors():
        if input is not None:
            flags = ReadFlags(
                kind, column, encoding, None, table, where, date_format, timezone, no_upline, limit
            )
            rel = read_input(input, flags)
        else:
            assert dataset is not None
            with open_store(store, create=False) as st:
                rel = st.read(dataset)
        with step("exporting"):
            sel = select_from_scan(analyse(rel), network=network, downline=downline)
            data = render(sel, fmt.value)
        if out is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write_atomic(out, data)
    if out is not None:
        typer.echo(f"wrote {len(sel):,} agents ({fmt.value}) to {out}", err=True)
