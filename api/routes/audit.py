"""The audit log (admin): who did what, when, to which tenant and dataset."""

from __future__ import annotations

from typing import Annotated

import anyio
from agentgraph.api.deps import AdminDep, PagingDep, ServiceDep
from agentgraph.api.errors import responses
from agentgraph.api.paging import page
from agentgraph.api.schemas.admin import AuditEntry
from agentgraph.api.schemas.common import Page
from fastapi import APIRouter, Query

__all__ = ["router"]

router = APIRouter(prefix="/v1/audit", tags=["audit"])


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
