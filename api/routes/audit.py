"""The audit log: who did what, when, to which tenant and dataset; read and export.

``GET /v1/audit`` pages the log for admins. ``GET /v1/audit/export`` streams every
row in a time range as CSV (UTF-8 with a BOM, formula-safe) or JSON Lines, for
admins (every tenant, or one) and auditors (their own tenant).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal

import anyio
from agentgraph.api.deps import AdminDep, AuditReaderDep, PagingDep, ServiceDep
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.meta import AuditRecord
from agentgraph.api.paging import page
from agentgraph.api.schemas.admin import AuditEntry
from agentgraph.api.schemas.common import Page
from agentgraph.api.service import Service
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator

__all__ = ["router", "safe_cell", "EXPORT_COLUMNS"]

router = APIRouter(prefix="/v1/audit", tags=["audit"])

EXPORT_COLUMNS = ("seq", "at", "key_id", "role", "tenant", "action", "dataset", "detail")
"""The columns of an audit export, in order."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 1000
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_only(value: object) -> object:
    """Refuse a bare number (pydantic would read it as Unix seconds)."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError("an ISO 8601 time is needed, e.g. 2026-01-01T00:00:00Z")
    return value


Time = Annotated[datetime, BeforeValidator(_iso_only)]


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: formula starts get a leading quote.

    Parameters
    ----------
    value : object
        The value (None is an empty cell; dicts are JSON).

    Returns
    -------
    str
        The text, prefixed with ``'`` when it begins with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return.

    Notes
    -----
    O(len(value)).

    Examples
    --------
    >>> from agentgraph.api.routes.audit import safe_cell
    >>> safe_cell("=CMD|'/c calc'!A1"), safe_cell("acme"), safe_cell(None), safe_cell(7)
    ("'=CMD|'/c calc'!A1", 'acme', '', '7')
    >>> safe_cell({"agent_id": "@x"})
    '{"agent_id": "@x"}'
    """
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _stamp(t: datetime | None, name: str) -> str | None:
    """A query time as the log's stamps read (UTC, milliseconds, ``Z``); naive = UTC."""
    if t is None:
        return None
    try:
        utc = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(
            422,
            "validation_error",
            f"{name} is out of range",
            [{"field": name, "message": "out of range"}],
        ) from None
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _csv_rows(recs: list[AuditRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for r in recs:
        writer.writerow([safe_cell(getattr(r, c)) for c in EXPORT_COLUMNS])
    return out.getvalue()


def _jsonl_rows(recs: list[AuditRecord]) -> str:
    return "".join(
        json.dumps({c: getattr(r, c) for c in EXPORT_COLUMNS}, ensure_ascii=False) + "\n"
        for r in recs
    )


async def _stream(
    service: Service, tenant: str | None, since: str | None, until: str | None, fmt: str
) -> AsyncIterator[bytes]:
    if fmt == "csv":
        yield ("\ufeff" + ",".join(EXPORT_COLUMNS) + "\r\n").encode("utf-8")
    render = _csv_rows if fmt == "csv" else _jsonl_rows
    after = 0

    def batch(after: int) -> list[AuditRecord]:
        return service.meta.audit_rows(
            tenant=tenant, since=since, until=until, after=after, limit=_BATCH
        )

    while True:
        recs = await anyio.to_thread.run_sync(batch, after)
        if not recs:
            return
        yield render(recs).encode("utf-8")
        after = recs[-1].seq


@router.get(
    "",
    response_model=Page[AuditEntry],
    responses=responses(401, 403, 422),
    summary="Read the audit log, newest first",
)
async def read_audit(
    service: ServiceDep,
    who: AdminDep,
    paging: PagingDep,
    tenant: Annotated[str | None, Query(max_length=100)] = None,
    key_id: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=100, examples=["dataset.ingest"])] = None,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AuditEntry]:
    await anyio.to_thread.run_sync(service.flush_audit)
    recs, total = service.meta.audit_log(
        tenant=tenant,
        key_id=key_id,
        action=action,
        dataset=dataset,
        limit=paging.limit,
        offset=paging.offset,
    )
    items = [AuditEntry(**r.__dict__) for r in recs]
    return Page[AuditEntry].model_validate(page(items, total, paging))


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Every matching row, oldest first: CSV (UTF-8 with BOM) or JSON Lines",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        },
        **responses(401, 403, 422),
    },
    summary="Export the audit log (streamed; admins: every tenant, auditors: their own)",
)
async def export_audit(
    service: ServiceDep,
    who: AuditReaderDep,
    since: Annotated[
        Time | None, Query(description="Rows logged at or after this time (naive = UTC).")
    ] = None,
    until: Annotated[
        Time | None, Query(description="Rows logged before this time (naive = UTC).")
    ] = None,
    fmt: Annotated[Literal["csv", "jsonl"], Query(alias="format")] = "csv",
    tenant: Annotated[
        str | None, Query(max_length=100, description="Admins: one tenant's rows only.")
    ] = None,
) -> StreamingResponse:
    if who.tenant is not None:  # an auditor: its own tenant, whatever is asked
        if tenant not in (None, who.tenant):
            raise ApiError(403, "forbidden", "an auditor key exports its own tenant's rows only")
        tenant = who.tenant
    lo, hi = _stamp(since, "since"), _stamp(until, "until")
    service.audit(
        who,
        "audit.export",
        tenant=tenant,
        detail={"since": lo, "until": hi, "format": fmt, "tenant": tenant},
    )
    await anyio.to_thread.run_sync(service.flush_audit)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(
        _stream(service, tenant, lo, hi, fmt),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="audit.{fmt}"'},
    )
