"""API keys (admin): create (the key is shown once), list, show, revoke."""

from __future__ import annotations

from typing import Annotated, cast

from agentgraph.api.deps import AdminDep, PagingDep, ServiceDep
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.meta import KeyRecord, now
from agentgraph.api.paging import page
from agentgraph.api.schemas.admin import KeyCreate, KeyCreated, KeyOut, TenantKeyCreate
from agentgraph.api.schemas.common import ID_PATTERN, Page
from agentgraph.api.security import Role, new_key
from fastapi import APIRouter, Path, Query, Response

__all__ = ["router"]

router = APIRouter(prefix="/v1/keys", tags=["keys"])

KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="Key id (12 hex digits).")]


def _out(rec: KeyRecord) -> KeyOut:
    return KeyOut(
        id=rec.id,
        tenant=rec.tenant,
        role=cast(Role, rec.role),
        name=rec.name,
        created_at=rec.created_at,
        revoked_at=rec.revoked_at,
    )


@router.post(
    "",
    status_code=201,
    response_model=KeyCreated,
    responses=responses(401, 403, 404, 422),
    summary="Create an API key (the secret is in this answer only)",
)
async def create_key(body: KeyCreate, service: ServiceDep, who: AdminDep) -> KeyCreated:
    tenant = body.tenant if isinstance(body, TenantKeyCreate) else None
    if tenant is not None and service.meta.tenant(tenant) is None:
        raise ApiError(
            404,
            "not_found",
            f"no tenant {tenant!r}",
            [{"field": "tenant", "message": "no such tenant"}],
        )
    made = new_key()
    rec = KeyRecord(
        made.id, tenant, body.role, body.name, made.salt, made.hash, now(), who.key_id, None
    )
    service.meta.add_key(rec)
    service.audit(who, "key.create", tenant=tenant, detail={"key_id": rec.id, "role": rec.role})
    return KeyCreated(**_out(rec).model_dump(), key=made.token)


@router.get(
    "",
    response_model=Page[KeyOut],
    responses=responses(401, 403, 422),
    summary="List keys (never their secrets)",
)
async def list_keys(
    service: ServiceDep,
    who: AdminDep,
    paging: PagingDep,
    tenant: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> Page[KeyOut]:
    recs, total = service.meta.keys(tenant, paging.limit, paging.offset)
    return Page[KeyOut].model_validate(page([_out(r) for r in recs], total, paging))


@router.get(
    "/{key_id}",
    response_model=KeyOut,
    responses=responses(401, 403, 404, 422),
    summary="Show a key",
)
async def show_key(key_id: KeyId, service: ServiceDep, who: AdminDep) -> KeyOut:
    rec = service.meta.key(key_id)
    if rec is None:
        raise ApiError(404, "not_found", f"no key {key_id!r}")
    return _out(rec)


@router.delete(
    "/{key_id}",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 422),
    summary="Revoke a key",
)
async def revoke_key(key_id: KeyId, service: ServiceDep, who: AdminDep) -> Response:
    rec = service.meta.key(key_id)
    if rec is None:
        raise ApiError(404, "not_found", f"no key {key_id!r}")
    service.meta.revoke_key(key_id)
    service.auth.forget(key_id)
    service.audit(who, "key.revoke", tenant=rec.tenant, detail={"key_id": key_id})
    return Response(status_code=204)
