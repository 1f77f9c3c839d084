"""``agentgraph scan``: files, folders or stored datasets to reports."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentgraph import stages
from agentgraph.cli.app import app, end_without_teardown
from agentgraph.cli.byteprogress import reading
from agentgraph.cli.common import (
    ReadFlags,
    batch_progress,
    errors,
    fail,
    progress_enabled,
    read_input,
    render,
    step,
)
from agentgraph.cli.engine import Engine, run_spark
from agentgraph.cli.jobs import Job, plan_jobs
from agentgraph.cli.options import (
    ColumnOpt,
    DateFormatOpt,
    EncodingOpt,
    InputFormatOpt,
    KindOpt,
    LimitOpt,
    NoUplineOpt,
    ParticipantsOpt,
    ReportFormat,
    StoreOpt,
    TableOpt,
    TimezoneOpt,
    WhereOpt,
)
from agentgraph.errors import AgentgraphError

if TYPE_CHECKING:
    from agentgraph.tables import Relations

__all__ = ["GrowthPeriod", "scan"]


class GrowthPeriod(StrEnum):
    """``scan --growth-period``: the period of the growth series."""

    day = "day"
    week = "week"
    month = "month"


def read_evidence(job: Job, timezone: str | None, limits: Any = None) -> tuple[Any, Any, Any]:
    """The job's payments, orders and resolved identities (None where it has none)."""
    pays = sales = persons = None
    if job.payments is not None:
        from agentgraph.loaders.payments import read_payments

        with reading(job.payments.path):
            pays = read_payments(
                job.payments.path, table=job.payments.table, timezone=timezone, limits=limits
            )
    if job.orders is not None:
        from agentgraph.loaders.orders import read_orders

        with reading(job.orders.path):
            sales = read_orders(
                job.orders.path, table=job.orders.table, timezone=timezone, limits=limits
            )
    if job.identities is not None:
        from agentgraph.evidence.identities import resolve_identities
        from agentgraph.loaders.identities import read_identities

        with reading(job.identities.path):
            ids = read_identities(job.identities.path, table=job.identities.table, limits=limits)
            persons = resolve_identities(ids)
    return pays, sales, persons


def scan_one(
    rel: Relations,
    policy: Any,
    max_networks: int,
    source_name: str,
    payments: Any = None,
    identities: Any = None,
    orders: Any = None,
    as_of: str | None = None,
    growth_period: str = "month",
    save: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Analyse one input (as of a date, when given) and build its report; ``save`` gets
    the analysis first (``--save``).
    """
    from agentgraph.analysis import analyse

    with step(f"analysing {source_name}"), stages.stage("analyse"):
        a = analyse(
            rel,
            policy,
            payments=payments,
            orders=orders,
            identities=identities,
            as_of=as_of,
            growth_period=growth_period,
        )
    if save is not None:
        with step("saving the results"):
            save(a)
    with stages.stage("report"):
        return a.report(max_networks=max_networks, source_name=source_name)


def _saver(st: Any, name: str) -> Callable[[Any], None]:
    """What ``--save`` does with a dataset's analysis: its result tables into the store."""
    from agentgraph.errors import StoreError
    from agentgraph.report.results import result_tables

    save = getattr(st, "save_results", None)
    if save is None:
        raise StoreError(f"--save needs the embedded store (a .duckdb file), not {st.url}")

    def keep(a: Any) -> None:
        save(name, *result_tables(a, name))

    return keep


PRELOAD_BYTES = 4 << 20
"""Inputs at least this large (in all) have the kernels loaded while they are read."""


def _preload(files: list[Path]) -> None:
    """Load the cached kernels in the background when the inputs are large enough.

    A large file takes longer to decode than the kernels take to load, and Arrow
    decodes without holding the interpreter; on a small one the loading would
    only compete with the reading, so nothing is started.
    """
    size = 0
    for f in files:
        with contextlib.suppress(OSError):
            size += f.stat().st_size if f.is_file() else 0
    if size >= PRELOAD_BYTES:
        from agentgraph.compiled import preload

        preload()


@app.command()
def scan(
    inputs: Annotated[
        list[str] | None,
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
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Report format (default json; on a terminal without --out, a readable "
            "summary unless --format json is given).",
        ),
    ] = None,
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
    participants: ParticipantsOpt = None,
    date_format: DateFormatOpt = None,
    timezone: TimezoneOpt = None,
    no_upline: NoUplineOpt = None,
    limit: LimitOpt = None,
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
        str | None,
        typer.Option(
            "--payments",
            metavar="<path>",
            help="Payment records beside a single input (payer_id, payee_id, "
            "amount, kind, at, source_agent_id, order_id, link_type): evaluates the "
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
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Scan the network as it stood at the end of this date (YYYY-MM-DD, or an "
            "ISO time): agents who joined later, and payments and orders dated later, are "
            "left out; agents without a join time are kept and counted (input.as_of).",
            show_default=False,
        ),
    ] = None,
    growth_period: Annotated[
        GrowthPeriod,
        typer.Option(
            "--growth-period",
            help="Period of the growth series (members, levels and recruits over time, "
            "from joined_at or edge at).",
        ),
    ] = GrowthPeriod.month,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="With --dataset: keep the results in the store as the tables "
            "agentgraph_agents and agentgraph_networks (one row per agent and per "
            "network, replaced by the next --save), for SQL and datasette.",
        ),
    ] = False,
    recursive: Annotated[
        bool,
        typer.Option(
            "--recursive",
            "-r",
            help="Search the sub-folders of INPUT folders too (each folder's member table "
            "with its payments, orders and identities is one case).",
        ),
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="local: in this process (default); spark: on a Spark cluster (pip install "
            "'agentgraph[spark]'; INPUT is any path Spark reads: a Parquet or CSV file or "
            "folder, local, hdfs:// or s3a://).",
        ),
    ] = Engine.local,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="With --engine spark: the master URL (local[N], spark://HOST:7077, yarn); "
            "default the spark-submit session, else local[2].",
            show_default=False,
        ),
    ] = None,
    spark_max_network: Annotated[
        int | None,
        typer.Option(
            "--spark-max-network",
            min=1,
            metavar="N",
            help="With --engine spark: most agents of a network measured whole in one "
            "worker (default 20,000,000); a larger network is measured across the "
            "cluster, level by level.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Scan inputs and write one report per input (JSON, HTML or CSV).

    With no --out, stdout holds the JSON report and nothing else (several inputs: one
    report per line, JSON Lines); on a terminal, a summary of the flagged networks is
    printed instead unless --format json is given.
    """
    from agentgraph.policies import get_policy, with_participants

    with errors():
        chosen_policy = get_policy(policy)
        if participants is not None:
            chosen_policy = with_participants(chosen_policy, participants)
        if as_of is not None:  # a bad date fails before any input is read
            from agentgraph.measure.times import parse_as_of

            parse_as_of(as_of)
    if spark_max_network is not None and engine is not Engine.spark:
        raise fail("--spark-max-network goes with --engine spark")
    if engine is Engine.spark:
        from agentgraph.loaders import parse_mapping

        with errors():
            mapping = parse_mapping(column)
        given = {
            "dataset": dataset, "orders": orders,
            "identities": identities, "as_of": as_of, "where": where,
            "participants": participants, "save": save, "table": table,
            "encoding": encoding, "input_format": input_format,
            "date_format": date_format, "limit": limit, "recursive": recursive,
        }  # fmt: skip
        if kind is not None and kind.value != "members":
            raise fail("--engine spark reads member tables only (not yet edge lists)")
        flagged_networks = run_spark(
            list(inputs or []),
            master=spark_master,
            policy=chosen_policy,
            fmt=fmt or ReportFormat.json,
            out=out,
            columns=mapping,
            no_upline=tuple(no_upline or ()),
            max_networks=max_networks,
            indent=indent,
            given=given,
            timezone=timezone,
            growth_period=growth_period.value,
            payments=payments,
            max_network_agents=spark_max_network,
        )
        if fail_on_flag and flagged_networks:
            raise typer.Exit(1)
        return
    jobs, unreadable = plan_jobs(
        [Path(p) for p in inputs] if inputs else None,
        dataset,
        recursive=recursive,
        payments=Path(payments) if payments is not None else None,
        orders=orders,
        identities=identities,
    )
    batch = len(jobs) > 1 or (out is not None and out.is_dir())  # a folder: name.ext in it
    summary = fmt is None and out is None and not batch and sys.stdout.isatty()
    if save and (not dataset or len(jobs) != len(dataset)):
        raise fail("--save keeps results beside a stored dataset: scan with --dataset NAME only")
    if save and as_of is not None:
        raise fail("--save keeps the dataset's results as it stands: leave out --as-of")
    fmt = fmt or ReportFormat.json
    if batch and out is None and fmt is not ReportFormat.json:
        raise fail(f"several inputs with --format {fmt.value}: give --out FOLDER")
    flags = ReadFlags(
        kind, column, encoding, input_format, table, where, date_format, timezone, no_upline, limit
    )
    with errors():
        limits = flags.limits()
    targets: list[Path | None]
    with errors():
        from agentgraph.report.output import out_folder, output_target

        every_file = [f for j in jobs for f in j.files()]
        if batch:
            found = out_folder(out, every_file, names=[j.name for j in jobs], suffix=fmt.value)
            targets = list(found) if found is not None else [None] * len(jobs)
        else:
            targets = [output_target(out, every_file)]
    _preload(every_file)
    # however the scan ends (reports written, or exit 2 with the error said), the
    # stores are closed and the outputs complete before main ends the process:
    # the interpreter's teardown of the arrays and of the threads' pools is skipped
    end_without_teardown()
    failures = unreadable
    flagged = 0
    st = None
    try:
        with batch_progress(len(jobs)) as one_done:
            for job, target in zip(jobs, targets, strict=True):
                try:
                    if isinstance(job.source, Path):
                        with reading(job.source):
                            rel = read_input(job.source, flags, table=job.table)
                        label = str(job.source)
                    else:
                        if st is None:
                            from agentgraph.stores import open_store

                            st = open_store(store, create=False)
                        rel = st.read(job.source)
                        label = f"{st.url}#{job.source}"
                    pays, sales, persons = read_evidence(job, timezone, limits)
                    keep = None
                    if save:
                        keep = _saver(st, str(job.source))
                    report = scan_one(
                        rel,
                        chosen_policy,
                        max_networks,
                        label,
                        pays,
                        persons,
                        sales,
                        as_of=as_of,
                        growth_period=growth_period.value,
                        save=keep,
                    )
                    if target is None and summary:
                        from rich.console import Console

                        from agentgraph.cli.summary import print_summary

                        print_summary(report, Console())
                    elif target is None:
                        pretty = 2 if (not batch and (indent or sys.stdout.isatty())) else None
                        sys.stdout.write(render(report, fmt, indent=indent or pretty))
                    else:
                        from agentgraph.report.output import write_atomic

                        with stages.stage("render"):
                            text = render(report, fmt, indent=indent)
                        with stages.stage("write"):
                            write_atomic(target, text)
                except AgentgraphError as exc:
                    typer.echo(f"error: {exc}", err=True)
                    failures += 1
                    if not batch:
                        raise typer.Exit(2) from None
                    one_done()
                    continue
                flagged += report["summary"]["flagged"]
                if target is not None and (batch or progress_enabled()):
                    s = report["summary"]
                    typer.echo(
                        f"{target}: {s['agents']} agents, {s['networks']} networks, "
                        f"{s['flagged']} flagged, max {s['max_levels']} levels",
                        err=True,
                    )
                one_done()
    finally:
        if st is not None:
            st.close()
    if failures:
        raise typer.Exit(2)
    if fail_on_flag and flagged:
        raise typer.Exit(1)
