"""The CLI's shared option types and choices (Typer ``Annotated`` aliases)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

__all__ = [
    "ReportFormat",
    "Kind",
    "InputFormat",
    "StoreOpt",
    "KindOpt",
    "ColumnOpt",
    "EncodingOpt",
    "InputFormatOpt",
    "TableOpt",
    "WhereOpt",
    "DateFormatOpt",
    "TimezoneOpt",
    "NoUplineOpt",
    "LimitOpt",
]


class ReportFormat(StrEnum):
    """Report formats of ``scan --format``."""

    json = "json"
    html = "html"
    csv = "csv"


class Kind(StrEnum):
    """``--kind``: a member table or an edge list."""

    members = "members"
    edges = "edges"


class InputFormat(StrEnum):
    """``--input-format`` values."""

    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"
    excel = "excel"
    sql = "sql"


StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="AGENTGRAPH_STORE",
        help="Graph store URL or path (default ./agentgraph.duckdb; bolt://HOST:PORT for Neo4j).",
    ),
]
KindOpt = Annotated[
    Kind | None,
    typer.Option(
        "--kind",
        help="members (agent_id, upline_id) or edges (upline_id, downline_id); "
        "default: edges when a downline_id column exists.",
    ),
]
ColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--column", "-c", help="Map a column: NAME=COLUMN, e.g. agent_id=会员编号 (repeatable)."
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Text encoding of CSV and SQL dumps (default: detect UTF-8, UTF-16, "
        "GB18030/GBK, Big5).",
    ),
]
InputFormatOpt = Annotated[
    InputFormat | None,
    typer.Option(
        "--input-format",
        help="csv, parquet, jsonl, excel or sql (default: from the file's suffix and bytes).",
    ),
]
TableOpt = Annotated[
    str | None,
    typer.Option(
        "--table",
        help="Sheet, SQL table or zip member to read (default: the first holding the "
        "needed columns).",
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        help="Only rows where COLUMN=VALUE (or COLUMN!=VALUE) count, e.g. is_promoter=1 "
        "(repeatable).",
    ),
]
ParticipantsOpt = Annotated[
    str | None,
    typer.Option(
        "--participants",
        help="Who the member thresholds count: accounts (default), paid (paid money in), "
        "entry_fee, or member-table filters COLUMN=VALUE joined by ';' (is_promoter=1). "
        "The report gives accounts and participants; roots always count.",
        show_default=False,
    ),
]
DateFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        help="strftime format of the time columns, e.g. %Y/%m/%d %H:%M (default: detected).",
    ),
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone", help="IANA zone of times without an offset (default Asia/Shanghai)."
    ),
]
NoUplineOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--no-upline",
        help="One more upline value meaning no upline (besides empty, 0, -1, NULL, "
        "None, \\N, 无, -) (repeatable).",
    ),
]
LimitOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--limit",
        help="Raise or lower a read limit: NAME=VALUE, e.g. max_rows=5000000 or "
        "max_field_bytes=4MiB (repeatable). Names: max_rows (default unbounded), "
        "max_columns (2000), max_id_chars (256), max_field_bytes (1MiB), max_nesting (64), "
        "max_decompressed_bytes (unbounded); none unbounds max_rows and "
        "max_decompressed_bytes.",
    ),
]
