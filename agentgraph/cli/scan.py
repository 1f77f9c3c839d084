"""``agentgraph scan``: files, folders or stored datasets to reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentgraph.cli.app import app
from agentgraph.cli.common import (
    ReadFlags,
    errors,
    fail,
    progress_enabled,
    read_input,
    render,
    step,
    write_atomic,
)
from agentgraph.cli.options import (
    ColumnOpt,
    DateFormatOpt,
    EncodingOpt,
    InputFormatOpt,
    KindOpt,
    NoUplineOpt,
    ReportFormat,
    StoreOpt,
    TableOpt,
    TimezoneOpt,
    WhereOpt,
)
from agentgraph.errors import AgentgraphError

if TYPE_CHECKING:
    from agentgraph.tables import Relations

__all__ = ["scan"]

_SUFFIXES = {".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json"}


def expand(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in _SUFFIXES)
            if not found:
                raise fail(f"{p}: folder holds no .csv/.parquet/.jsonl files")
            files.extend(found)
        else:
            files.append(p)
    return files


def scan_one(
    rel: Relations,
    policy: str,
    max_networks: int,
    source_name: str,
    payments: Any = None,
    identities: Any = None,
    orders: Any = None,
) -> dict[str, Any]:
    from agentgraph.analysis import analyse

    with step(f"analysing {source_name}"):
        a = analyse(rel, policy, payments=payments, orders=orders, identities=identities)
        return a.report(max_networks=max_networks, source_name=source_name)


@app.command()
def scan(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Member tables or edge lists (CSV, Parquet, JSON Lines) or folders of them.",
            show_default=False,
        ),
    ] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option(
            "--dataset", "-d", help="Scan a stored dataset instead of files (repeatable)."
        ),
    ] = None,
    store: StoreOpt = None,
    policy: Annotated[
        str,
        typer.Option(
            "--policy", help="Policy pack (cn, us-ftc, eu-ucpd) or a TOML or YAML policy file."
        ),
    ] = "cn",
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = (
        ReportFormat.json
    ),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Report file (one input) or folder (several inputs). Default: stdout.",
        ),
    ] = None,
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
    table: TableOpt = None,
    where: WhereOpt = None,
    date_format: DateFormatOpt = None,
    timezone: TimezoneOpt = None,
    no_upline: NoUplineOpt = None,
    max_networks: Annotated[
        int,
        typer.Option(
            "--max-networks", min=0, help="Unflagged networks listed in full (flagged: all)."
        ),
    ] = 1000,
    fail_on_flag: Annotated[
        bool, typer.Option("--fail-on-flag", help="Exit 1 when any network is flagged.")
    ] = False,
    indent: Annotated[
        int | None,
        typer.Option(
            "--indent",
            min=0,
            help="Indent JSON by N spaces (default: 2 on a terminal, else compact).",
        ),
    ] = None,
    payments: Annotated[
        Path | None,
        typer.Option(
            "--payments",
            help="Payment records beside a single input (payer_id, payee_id, "
            "amount, kind, at, source_agent_id, order_id): evaluates the "
            "policy's money rules.",
        ),
    ] = None,
    orders: Annotated[
        Path | None,
        typer.Option(
            "--orders",
            help="Order records beside a single input (seller_id, buyer_id, amount, "
            "at, order_id): retail share of sales, and with --payments the 30% "
            "pay cap.",
        ),
    ] = None,
    identities: Annotated[
        Path | None,
        typer.Option(
            "--identities",
            help="Identity records beside a single input (agent_id plus phone, "
            "id_number, bank_card, device, ...): accounts sharing a phone, "
            "ID number or bank card are merged into one person first.",
        ),
    ] = None,
) -> None:
    """Scan inputs and write one report per input (JSON, HTML or CSV).

    With --format json and no --out, stdout holds the JSON report and nothing
    else (several inputs: one report per line, JSON Lines).
    """
    from agentgraph.policies import get_policy

    with errors():
        get_policy(policy)
    if not inputs and not dataset:
        raise fail("give INPUT files/folders or --dataset NAME")
    if inputs and dataset:
        raise fail("give either INPUT files or --dataset, not both")
    jobs: list[tuple[str, Path | str]] = (
        [(p.stem, p) for p in expand(inputs)] if inputs else [(d, d) for d in dataset or []]
    )
    batch = len(jobs) > 1
    if batch and out is None and fmt is not ReportFormat.json:
        raise fail(f"several inputs with --format {fmt.value}: give --out FOLDER")
    if batch and out is not None and out.exists() and not out.is_dir():
        raise fail(f"{out}: several inputs need --out to be a folder")
    names = [n for n, _ in jobs]
    if batch and len(set(names)) != len(names):
        raise fail("two inputs share a file name; reports would overwrite each other")
    if batch and (payments is not None or identities is not None or orders is not None):
        raise fail("--payments, --orders and --identities go with a single input")
    pays = None
    if payments is not None:
        from agentgraph.loaders.payments import read_payments

        with errors(), step(f"reading {payments}"):
            pays = read_payments(payments)
    sales = None
    if orders is not None:
        from agentgraph.loaders.orders import read_orders

        with errors(), step(f"reading {orders}"):
            sales = read_orders(orders)
    persons = None
    if identities is not None:
        from agentgraph.evidence.identities import resolve_identities
        from agentgraph.loaders.identities import read_identities

        with errors(), step(f"reading {identities}"):
            persons = resolve_identities(read_identities(identities))

    failures = 0
    flagged = 0
    st = None
    try:
        for name, src in jobs:
            try:
                if isinstance(src, Path):
                    with step(f"reading {src}"):
                        rel = read_input(
                            src,
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
                            ),
                        )
                    label = str(src)
                else:
                    if st is None:
                        from agentgraph.stores import open_store

                        st = open_store(store)
                    rel = st.read(src)
                    label = f"{st.url}#{src}"
                report = scan_one(rel, policy, max_networks, label, pays, persons, sales)
            except AgentgraphError as exc:
                typer.echo(f"error: {exc}", err=True)
                failures += 1
                if not batch:
                    raise typer.Exit(2) from None
                continue
            flagged += report["summary"]["flagged"]
            if out is None:
                pretty = 2 if (not batch and (indent or sys.stdout.isatty())) else None
                sys.stdout.write(render(report, fmt, indent=indent or pretty))
            else:
                target = out / f"{name}.{fmt.value}" if batch else out
                write_atomic(target, render(report, fmt, indent=indent))
                if batch or progress_enabled():
                    s = report["summary"]
                    typer.echo(
                        f"{target}: {s['agents']} agents, {s['networks']} networks, "
                        f"{s['flagged']} flagged, max {s['max_levels']} levels",
                        err=True,
                    )
    finally:
        if st is not None:
            st.close()
    if failures:
        raise typer.Exit(2)
    if fail_on_flag and flagged:
        raise typer.Exit(1)
