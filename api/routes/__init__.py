"""One module per resource, each an ``APIRouter(prefix=..., tags=[...])``.

:data:`ROUTERS` is the documentation's order. :data:`MATCH_ORDER` is the order the
app tries them in: a request is matched against the routes one by one, so the hot
paths (recruitment checks and recruitments, agent queries) come first. No two
routes match the same path and method, so the order changes no answer
(``tests/test_api_routes_order.py``).
"""

from __future__ import annotations

from agentgraph.api.routes import (
    agents,
    appraisals,
    audit,
    datasets,
    evidence,
    evidence_rows,
    exports,
    guardrail,
    health,
    ingest,
    keys,
    me,
    networks,
    organisers,
    scans,
    tenants,
    workbench,
)
from fastapi import APIRouter

__all__ = ["ROUTERS", "MATCH_ORDER"]

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    me.router,
    tenants.router,
    keys.router,
    audit.router,
    datasets.router,
    ingest.router,
    evidence.router,
    evidence_rows.router,
    scans.router,
    networks.router,
    agents.router,
    organisers.router,
    exports.router,
    appraisals.router,
    guardrail.router,
    workbench.router,
)

MATCH_ORDER: tuple[APIRouter, ...] = (
    guardrail.router,
    agents.router,
    *(r for r in ROUTERS if r not in (guardrail.router, agents.router)),
)
