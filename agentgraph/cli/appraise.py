"""``agentgraph appraise``: a per-suspect appraisal (xlsx, HTML or JSON)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from agentgraph.cli.app import app
from agentgraph.cli.common import ReadFlags, errors, fail, progress_enabled, step
from agentgraph.cli.options import (
    ColumnOpt,
    DateFormatOpt,
    EncodingOpt,
    InputFormatOpt,
    KindOpt,
    LimitOpt,
    NoUplineOpt,
    ParticipantsOpt,
    TableOpt,
    TimezoneOpt,
    WhereOpt,
)

__all__ = ["appraise"]


class AppraisalFormat(StrEnum):
    """Formats of ``appraise --format`` (default: from the --out suffix)."""

    json = "json"
    html = "html"
    xlsx = "xlsx"


@app.command()
def appraise(
    input: Annotated[
        Path,
        typer.Argument(
            help="Member table or edge list (any supported export).", show_default=False
        ),
    ],
    suspects: Annotated[
        Path,
        typer.Option(
            "--suspects",
            "-s",
            help="Suspect list: agent ids under any recognised header (会员编号, uid, "
            "agent_id...), optionally name and role columns.",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="appraisal.xlsx, .html or .json (written atomically). Default: JSON on stdout.",
        ),
    ] = None,
    fmt: Annotated[
        AppraisalFormat | None,
        typer.Option("--format", "-f", help="json, html or xlsx (default: from the --out suffix)."),
    ] = None,
    payments: Annotated[
        Path | None,
        typer.Option(
            "--payments",
            help="Payment records: funds collected and pay received per suspect (without "
            "them the funds threshold is stated as not checked).",
        ),
    ] = None,
    orders: Annotated[
        Path | None, typer.Option("--orders", help="Order records (sales evidence).")
    ] = None,
    identities: Annotated[
        Path | None,
        typer.Option("--identities", help="Identity records: accounts of one person merged first."),
    ] = None,
    policy: Annotated[
        str,
        typer.Option(
            "--policy", help="Policy pack (cn, us-ftc, eu-ucpd) or a TOML or YAML policy file."
        ),
    ] = "cn",
    suspect_column: Annotated[
        list[str] | None,
        typer.Option(
            "--suspect-column",
            help="Map a suspect-list column: NAME=COLUMN for agent_id, name or role (repeatable).",
        ),
    ] = None,
    max_listed: Annotated[
        int,
        typer.Option(
            "--max-listed", min=1, help="Most downline rows listed per suspect (counts: all)."
        ),
    ] = 100_000,
    indent: Annotated[
        int | None, typer.Option("--indent", min=0, help="Indent JSON by N spaces.")
    ] = None,
    kind: KindOpt = None,
    column: ColumnOpt = None,
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
    table: TableOpt = None,
    where: WhereOpt = None,
    participants: ParticipantsOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Appraise the network as it stood at the end of this date (YYYY-MM-DD or an "
            "ISO time): later joiners, payments and orders are left out (record.as_of).",
            show_default=False,
        ),
    ] = None,
    date_format: DateFormatOpt = None,
    timezone: TimezoneOpt = None,
    no_upline: NoUplineOpt = None,
    limit: LimitOpt = None,
) -> None:
    """Appraise named suspects: downline, funds and thresholds of each (xlsx, HTML, JSON).

    For each suspect: level, root, upline chain, downline members and levels (the
    suspect included), members per level, funds collected, pay received and the
    thresholds met, with the rule text applied; suspects not found and suspects in
    one another's downline are stated.
    """
    flags = ReadFlags(
        kind, column, encoding, input_format, table, where, date_format, timezone, no_upline, limit
    )
    inputs = [p for p in (input, suspects, payments, orders, identities) if p is not None]
    with errors():
        from agentgraph.appraisal.document import SUFFIXES, render
        from agentgraph.loaders import parse_mapping
        from agentgraph.policies import get_policy, with_participants
        from agentgraph.report.output import output_target, write_atomic

        chosen_policy = get_policy(policy)
        if participants is not None:
            chosen_policy = with_participants(chosen_policy, participants)
        target = output_target(out, inputs)
        chosen = fmt.value if fmt else None
        if chosen is None and out is not None and target is not None:
            chosen = SUFFIXES.get(out.suffix.lower())
            if chosen is None:
                raise fail(f"{out}: name an .xlsx, .html or .json file, or give --format")
        chosen = chosen or "json"
        if chosen == "xlsx" and target is None and sys.stdout.isatty():
            raise fail("an xlsx appraisal is not written to a terminal: give --out FILE.xlsx")
        from agentgraph.facade import appraise as run

        with step(f"appraising {input}"):
            ap = run(
                input,
                suspects,
                payments=payments,
                orders=orders,
                identities=identities,
                policy=chosen_policy,
                suspect_columns=parse_mapping(suspect_column),
                max_listed=max_listed,
                as_of=as_of,
                **flags.options(),
            )
        data = render(ap.to_dict(), chosen, indent=indent)
        if target is None:
            if isinstance(data, bytes):
                sys.stdout.buffer.write(data)
            else:
                sys.stdout.write(data)
        else:
            write_atomic(target, data)
    s = ap.to_dict()["summary"]
    if target is not None and progress_enabled():
        typer.echo(
            f"{target}: {s['found']} of {s['suspects']} suspects found, {s['not_found']} not found",
            err=True,
        )
