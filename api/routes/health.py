"""Liveness and readiness probes (no key needed)."""

from __future__ import annotations

import anyio
from agentgraph.api.deps import ServiceDep
from agentgraph.api.errors import error_response, responses
from agentgraph.api.schemas.common import Health
from fastapi import APIRouter
from fastapi.responses import JSONResponse

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses=responses(503),
    summary="Readiness: the graph store and the metadata store answer",
)
async def readyz(service: ServiceDep) -> Health | JSONResponse:
    checks: dict[str, str] = {}
    try:
        await anyio.to_thread.run_sync(service.meta.ping)
        checks["meta_store"] = "ok"
        await anyio.to_thread.run_sync(service.store.datasets)
        checks["store"] = "ok"
    except Exception as exc:
        failed = "store" if "meta_store" in checks else "meta_store"
        return error_response(
            503,
            "unavailable",
            f"{failed} is not available: {type(exc).__name__}",
            [{"field": failed, "message": "not available"}],
        )
    if service.closed:
        return error_response(503, "unavailable", "the service is shutting down")
    return Health(status="ok", checks=checks)
