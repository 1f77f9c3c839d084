"""Organisers: agents whose own downline meets the policy's thresholds."""

from __future__ import annotations

from agentgraph.api.deps import PagingDep, ReadableDataset, ServiceDep
from agentgraph.api.errors import responses
from agentgraph.api.paging import page
from agentgraph.api.schemas.common import Page
from agentgraph.api.schemas.queries import OrganiserOut
from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/v1/datasets/{dataset}/organisers", tags=["queries"])


@router.get(
    "",
    response_model=Page[OrganiserOut],
    responses=responses(401, 403, 404, 422),
    summary="Organisers (downline >= 30 over >= 3 levels under cn), largest first",
)
async def list_organisers(
    ds: ReadableDataset, service: ServiceDep, paging: PagingDep
) -> Page[OrganiserOut]:
    idx = await service.registry.index(ds.store_name)
    ids = idx.organisers()
    sel = ids[paging.offset : paging.offset + paging.limit]
    names = idx.names(sel)
    roots = idx.names(idx.root[sel]) if len(sel) else []
    items = [
        OrganiserOut(
            agent=names[k],
            network=roots[k],
            downline=int(idx.size[v]),
            levels=int(idx.height[v]) + 1,
            direct_recruits=idx.direct_of(int(v)),
        )
        for k, v in enumerate(sel.tolist())
    ]
    service.audit_read(ds.who, "organiser.list", ds.name)
    return Page[OrganiserOut].model_validate(page(items, len(ids), paging))
