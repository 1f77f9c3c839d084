"""Ingest: file uploads (CSV incl. GB18030, Parquet, JSON Lines) and JSON batches.

All or nothing: every file is parsed (from disk, in a worker thread) before the
store is touched; any rejected file or row answers 422 listing each problem
(file, row, column / field) and leaves the dataset as it was.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa
from agentgraph.api.deps import ServiceDep, WritableDataset
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.routes.datasets import dataset_out
from agentgraph.api.schemas.datasets import AgentBatch, EdgeBatch, IngestMode, IngestResult
from agentgraph.api.uploads import (
    UPLOAD_BODY,
    SpooledFile,
    check_size,
    file_error,
    format_of,
    limit_error,
    parse_upload,
    upload_options,
)
from agentgraph.loaders import read_relations
from agentgraph.loaders.dates import DEFAULT_TIMEZONE
from agentgraph.loaders.limits import LimitError
from fastapi import APIRouter, Query, Request

from agentgraph.errors import InputError
from agentgraph.tables import Reading, Relations

__all__ = ["router", "parse_files"]

router = APIRouter(prefix="/v1/datasets/{dataset}", tags=["ingest"])


def parse_files(
    files: list[SpooledFile],
    *,
    kind: str | None,
    fmt: str | None,
    encoding: str | None,
    columns: dict[str, str] | None,
    max_errors: int,
    **options: Any,
) -> Relations:
    """Read every spooled file; one normalised relation, or 422 listing each problem.

    ``options`` are the other read options (``table``, ``where``, ``date_format``,
    ``timezone``, ``no_upline``, ``limits``) of :func:`agentgraph.loaders.read_relations`;
    a file over a read limit answers at once (413 or 422, see
    :func:`~agentgraph.api.uploads.limit_error`).

    The relation's reading is the files' readings merged (:meth:`Reading.merge`), each
    with the file's name as uploaded as its source.
    """
    rels: list[tuple[SpooledFile, Relations]] = []
    details: list[dict[str, Any]] = []
    rejected = 0
    for f in files:
        form = format_of(f, fmt)
        try:
            rel = read_relations(
                f.path, kind=kind, columns=columns, encoding=encoding, fmt=form, **options
            )
        except LimitError as exc:
            raise limit_error(exc, f) from None
        except InputError as exc:
            rejected += 1
            details.append(file_error(exc, f))
            continue
        rels.append((f, rel))
    if rejected:
        raise ApiError(
            422,
            "input_error",
            f"{rejected} of {len(files)} file(s) rejected; the dataset is unchanged",
            details[: max_errors * len(files)],
        )
    kinds = {rel.kind for _, rel in rels}
    if len(kinds) > 1:
        raise ApiError(
            422,
            "input_error",
            "the files mix member tables and edge lists",
            [{"file": f.filename, "message": f"a {rel.kind} file"} for f, rel in rels],
        )
    source = ", ".join(f.filename for f, _ in rels)
    # how each file was read, named as uploaded (not the spooled copy's path)
    readings = [
        dataclasses.replace(rel.reading, source=f.filename)
        for f, rel in rels
        if rel.reading is not None
    ]
    reading = Reading.merge(readings) if readings else None
    if len(rels) == 1:
        return Relations(rels[0][1].kind, rels[0][1].table, source, reading)
    try:
        table = pa.concat_tables([rel.table for _, rel in rels], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ApiError(
            422,
            "input_error",
            f"the files' columns do not fit together: {str(exc).splitlines()[0]}",
        ) from None
    return Relations(rels[0][1].kind, table, source, reading)


@router.post(
    "/files",
    response_model=IngestResult,
    openapi_extra={"requestBody": UPLOAD_BODY},
    responses=responses(401, 403, 404, 409, 413, 422, 504),
    summary="Upload member tables or edge lists (streamed to disk, all or nothing)",
)
async def upload_files(
    request: Request,
    ds: WritableDataset,
    service: ServiceDep,
    mode: Annotated[
        IngestMode, Query(description=("replace the dataset's rows, or append to them"))
    ] = "replace",
    kind: Annotated[
        Literal["members", "edges"] | None,
        Query(description=("Default: edges when a downline_id column is found, else members.")),
    ] = None,
    fmt: Annotated[
        Literal["csv", "parquet", "jsonl", "excel", "sql"] | None,
        Query(
            alias="format",
            description="Default: from the file name, the Content-Type or the file's bytes.",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        Query(
            max_length=40,
            description=(
                "Text encoding of CSV and SQL dumps; UTF-8, UTF-16 with BOM, GB18030/GBK "
                "and Big5 are detected."
            ),
        ),
    ] = None,
    table: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Sheet, SQL table or zip member to read (default: the first "
            "holding the needed columns).",
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="Row filters COLUMN=VALUE or COLUMN!=VALUE: only matching rows "
            "count (repeatable).",
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        Query(
            max_length=60, description="strftime format of the time columns (default: detected)."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        Query(
            max_length=60,
            description="IANA zone of times without an offset (default Asia/Shanghai).",
        ),
    ] = None,
    no_upline: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="More upline values meaning no upline (besides empty, 0, -1, "
            "NULL, None, \\N, 无, -) (repeatable).",
        ),
    ] = None,
    columns: Annotated[
        list[str] | None,
        Query(max_length=20, description=("Column mapping, e.g. agent_id=会员编号 (repeatable).")),
    ] = None,
    filename: Annotated[
        str | None,
        Query(
            max_length=200, description=("Name of a raw-body upload (its suffix gives the format).")
        ),
    ] = None,
) -> IngestResult:
    settings = service.settings
    mapping = upload_options(columns, encoding)
    rel, names = await parse_upload(
        request,
        settings.upload_dir,
        settings.max_upload_bytes,
        filename,
        lambda files: parse_files(
            files,
            kind=kind,
            fmt=fmt,
            encoding=encoding,
            columns=mapping or None,
            max_errors=settings.max_errors_per_file,
            table=table,
            where=tuple(where or ()),
            date_format=date_format,
            timezone=timezone,
            no_upline=tuple(no_upline or ()),
            limits=settings.read_limits(),
        ),
    )
    info = await service.registry.load(ds.store_name, rel, mode=mode)
    service.audit(
        ds.who,
        "dataset.ingest",
        dataset=ds.name,
        detail={"files": names, "rows": rel.rows, "mode": mode, "kind": rel.kind},
    )
    del info
    return IngestResult(
        dataset=await dataset_out(service, ds.record), mode=mode, rows_added=rel.rows, files=names
    )


def _utc(t: datetime | None) -> datetime | None:
    """A time with an offset as wall-clock time in the reference zone (Asia/Shanghai).

    Files are read the same way (:mod:`agentgraph.loaders.dates`): naive times are
    already wall-clock time there; an instant is converted to it.
    """
    if t is None or t.tzinfo is None:
        return t
    return t.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).replace(tzinfo=None)


def _columns(rows: list[dict[str, Any]], spec: dict[str, pa.DataType]) -> pa.Table:
    """Arrow table of JSON rows; optional columns left out when every value is null."""
    cols: dict[str, pa.Array] = {}
    for name, typ in spec.items():
        values = [r.get(name) for r in rows]
        if pa.types.is_timestamp(typ):
            values = [_utc(v) for v in values]
        if name in ("joined_at", "rank", "kind", "at") and all(v is None for v in values):
            continue
        cols[name] = pa.array(values, typ)
    return pa.table(cols)


@router.post(
    "/agents",
    response_model=IngestResult,
    responses=responses(401, 403, 404, 409, 413, 422, 504),
    summary="Add (or replace with) a JSON batch of member rows",
)
async def ingest_agents(body: AgentBatch, ds: WritableDataset, service: ServiceDep) -> IngestResult:
    check_size(len(body.agents), service.settings.max_batch_rows, "agents")
    rows = [r.model_dump() for r in body.agents]
    table = _columns(
        rows,
        {
            "agent_id": pa.string(),
            "upline_id": pa.string(),
            "joined_at": pa.timestamp("us"),
            "rank": pa.string(),
        },
    )
    return await _ingest(service, ds, Relations("members", table, "JSON batch"), body.mode)


@router.post(
    "/edges",
    response_model=IngestResult,
    responses=responses(401, 403, 404, 409, 413, 422, 504),
    summary="Add (or replace with) a JSON batch of edge-list rows",
)
async def ingest_edges(body: EdgeBatch, ds: WritableDataset, service: ServiceDep) -> IngestResult:
    check_size(len(body.edges), service.settings.max_batch_rows, "edges")
    rows = [r.model_dump() for r in body.edges]
    table = _columns(
        rows,
        {
            "upline_id": pa.string(),
            "downline_id": pa.string(),
            "kind": pa.string(),
            "at": pa.timestamp("us"),
        },
    )
    return await _ingest(service, ds, Relations("edges", table, "JSON batch"), body.mode)


async def _ingest(
    service: ServiceDep, ds: WritableDataset, rel: Relations, mode: IngestMode
) -> IngestResult:
    await service.registry.load(ds.store_name, rel, mode=mode)
    service.audit(
        ds.who,
        "dataset.ingest",
        dataset=ds.name,
        detail={"batch": rel.kind, "rows": rel.rows, "mode": mode},
    )
    return IngestResult(
        dataset=await dataset_out(service, ds.record),
        mode=mode,
        rows_added=rel.rows,
    )
