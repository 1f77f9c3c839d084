"""``agentgraph load | datasets | drop | agent``: the graph store and one agent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from agentgraph.cli.app import app
from agentgraph.cli.byteprogress import reading
from agentgraph.cli.common import ReadFlags, errors, fail, read_input, step
from agentgraph.cli.jobs import file_stem
from agentgraph.cli.options import (
    ColumnOpt,
    DateFormatOpt,
    EncodingOpt,
    InputFormatOpt,
    KindOpt,
    LimitOpt,
    NoUplineOpt,
    StoreOpt,
    TableOpt,
    TimezoneOpt,
    WhereOpt,
)

__all__ = ["load", "datasets", "drop", "agent"]


@app.command()
def load(
    input: Annotated[Path, typer.Argument(help="Member table or edge list to store.")],
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset", "-d", help="Dataset name (default: the file name without suffix)."
        ),
    ] = None,
    store: StoreOpt = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing dataset.")] = (
        False
    ),
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
    table: TableOpt = None,
    where: WhereOpt = None,
    date_format: DateFormatOpt = None,
    timezone: TimezoneOpt = None,
    no_upline: NoUplineOpt = None,
    limit: LimitOpt = None,
) -> None:
    """Load a file into the graph store as a named dataset (all or nothing)."""
    from agentgraph.stores import open_store

    if dataset is not None and not dataset.strip():
        raise fail("--dataset names no dataset (an empty name)")
    name = dataset or file_stem(input)
    with errors():
        with reading(input):
            rel = read_input(
                input,
                ReadFlags(
                    kind,
                    column,
                    encoding,
                    input_format,
                    table,
                    where,
                    date_format,
                    timezone,
                    no_upline,
                    limit,
                ),
            )
        with open_store(store) as st, step(f"loading into {st.url}"):
            info = st.load(name, rel, replace=replace)
            url = st.url
    typer.echo(f"loaded {info.rows} rows ({info.kind}) into {url} as dataset {info.name!r}")


@app.command()
def datasets(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """List the datasets in the graph store."""
    from agentgraph.stores import open_store

    with errors(), open_store(store, create=False) as st:
        infos = st.datasets()
        url = st.url
    if as_json:
        typer.echo(json.dumps([i.as_dict() for i in infos], ensure_ascii=False, indent=2))
        return
    if not infos:
        typer.echo(f"no datasets in {url}")
        return
    for i in infos:
        typer.echo(f"{i.name}\t{i.kind}\t{i.rows} rows\tloaded {i.loaded_at}\tfrom {i.source}")


@app.command()
def drop(
    dataset: Annotated[str, typer.Argument(help="Dataset to delete.")],
    store: StoreOpt = None,
) -> None:
    """Delete a dataset from the graph store."""
    from agentgraph.stores import open_store

    with errors(), open_store(store, create=False) as st:
        st.delete(dataset)
    typer.echo(f"deleted dataset {dataset!r}")


@app.command()
def agent(
    agent_id: Annotated[str, typer.Argument(help="Agent id (a string: 007 and 7 differ).")],
    input: Annotated[Path | None, typer.Option("--input", "-i", help="File to read.")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Stored dataset.")] = (
        None
    ),
    store: StoreOpt = None,
    recruits: Annotated[
        int, typer.Option("--recruits", min=0, help="Direct recruits listed at most.")
    ] = 100,
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    table: TableOpt = None,
    where: WhereOpt = None,
    date_format: DateFormatOpt = None,
    timezone: TimezoneOpt = None,
    no_upline: NoUplineOpt = None,
    limit: LimitOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Level (root = 1), root, upline chain and downline of one agent."""
    from agentgraph.analysis import analyse
    from agentgraph.stores import open_store

    if (input is None) == (dataset is None):
        raise fail("give exactly one of --input FILE or --dataset NAME")
    with errors():
        if input is not None:
            rel = read_input(
                input,
                ReadFlags(
                    kind,
                    column,
                    encoding,
                    None,
                    table,
                    where,
                    date_format,
                    timezone,
                    no_upline,
                    limit,
                ),
            )
        else:
            assert dataset is not None
            with open_store(store, create=False) as st:
                rel = st.read(dataset)
        a = analyse(rel)
        info = a.agent(agent_id, recruits_limit=recruits)
        v = a.node(agent_id)
        total_recruits = int(a.hierarchy.direct[v])
    data = info.as_dict() | {"direct_recruits_total": total_recruits}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"agent {info.agent}: level {info.level} of {info.network_levels} "
        f"in the network of {info.root} ({info.network_members} members)"
    )
    typer.echo(f"upline chain: {' > '.join(info.upline_chain) or '(none: a root)'}")
    typer.echo(
        f"downline: {info.downline} agents over {info.downline_levels} levels (the agent included)"
    )
    shown = ", ".join(info.direct_recruits) or "(none)"
    more = total_recruits - len(info.direct_recruits)
    typer.echo(
        f"direct recruits ({total_recruits}): {shown}" + (f" and {more} more" if more else "")
    )
    if info.rank is not None:
        typer.echo(f"declared rank: {info.rank} (a title, not a level)")
