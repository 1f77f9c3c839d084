"""Who the presented key is."""

from __future__ import annotations

from agentgraph.api.deps import PrincipalDep
from agentgraph.api.errors import responses
from agentgraph.api.schemas.admin import Me
from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/v1/me", tags=["keys"])


@router.get(
    "", response_model=Me, responses=responses(401), summary="The calling key: id, role and tenant"
)
async def whoami(who: PrincipalDep) -> Me:
    return Me(key_id=who.key_id, role=who.role, tenant=who.tenant)
