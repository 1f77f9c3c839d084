"""One module per resource, each an ``APIRouter(prefix=..., tags=[...])``."""

from __future__ import annotations

from agentgraph.api.routes import (
    agents,
    appraisals,
    audit,
    datasets,
    evidence,
    guardrail,
    health,
    ingest,
    keys,
    me,
    networks,
    organisers,
    scans,
    tenants,
)
from fastapi import APIRouter

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    me.router,
    tenants.router,
    keys.router,
    audit.router,
    datasets.router,
    ingest.router,
    evidence.router,
    scans.router,
    networks.router,
    agents.router,
    organisers.router,
    appraisals.router,
    guardrail.router,
)
