"""Tenants (admin): create, list, show, delete."""

from __future__ import annotations

from typing import Annotated

from agentgraph.api.deps import AdminDep, PagingDep, ServiceDep
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.meta import TenantRecord
from agentgraph.api.paging import page
from agentgraph.api.schemas.admin import TenantCreate, TenantOut
from agentgraph.api.schemas.common import ID_PATTERN, Page
from fastapi import APIRouter, Path, Response

__all__ = ["router"]

router = APIRouter(prefix="/v1/tenants", tags=["tenants"])

TenantId = Annotated[str, Path(pattern=ID_PATTERN, description="Tenant id.")]


def _out(rec: TenantRecord) -> TenantOut:
    return TenantOut(id=rec.id, name=rec.name, created_at=rec.created_at)


def _missing(tenant_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no tenant {tenant_id!r}")


@router.post(
    "",
    status_code=201,
    response_model=TenantOut,
    responses=responses(401, 403, 409, 422),
    summary="Create a tenant",
)
async def create_tenant(body: TenantCreate, service: ServiceDep, who: AdminDep) -> TenantOut:
    rec = service.meta.add_tenant(body.id, body.name or body.id)
    if rec is None:
        raise ApiError(409, "conflict", f"tenant {body.id!r} exists already")
    service.audit(who, "tenant.create", tenant=rec.id)
    return _out(rec)


@router.get(
    "", response_model=Page[TenantOut], responses=responses(401, 403, 422), summary="List tenants"
)
async def list_tenants(service: ServiceDep, who: AdminDep, paging: PagingDep) -> Page[TenantOut]:
    recs, total = service.meta.tenants(paging.limit, paging.offset)
    return Page[TenantOut].model_validate(page([_out(r) for r in recs], total, paging))


@router.get(
    "/{tenant_id}",
    response_model=TenantOut,
    responses=responses(401, 403, 404, 422),
    summary="Show a tenant",
)
async def show_tenant(tenant_id: TenantId, service: ServiceDep, who: AdminDep) -> TenantOut:
    rec = service.meta.tenant(tenant_id)
    if rec is None:
        raise _missing(tenant_id)
    return _out(rec)


@router.delete(
    "/{tenant_id}",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 409, 422),
    summary="Delete a tenant without datasets; its keys are revoked",
)
async def delete_tenant(tenant_id: TenantId, service: ServiceDep, who: AdminDep) -> Response:
    if service.meta.tenant(tenant_id) is None:
        raise _missing(tenant_id)
    n = service.meta.count_datasets(tenant_id)
    if n:
        raise ApiError(
            409,
            "tenant_not_empty",
            f"tenant {tenant_id!r} still has {n} dataset(s); delete them first",
        )
    revoked = service.meta.delete_tenant(tenant_id)
    service.auth.forget(*revoked)
    service.audit(who, "tenant.delete", tenant=tenant_id, detail={"keys_revoked": revoked})
    return Response(status_code=204)
