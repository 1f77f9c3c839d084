"""Exports of one network or one downline as a file: CSV, xlsx, GraphML, GEXF, neo4j-admin CSV."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from agentgraph.api.deps import ReadableDataset, ServiceDep
from agentgraph.api.errors import ApiError, responses
from fastapi import APIRouter, Query, Response

from agentgraph.errors import AgentNotFound, ArgumentError
from agentgraph.exports import MEDIA_TYPES, SUFFIXES, render, select_from_index

__all__ = ["router"]

router = APIRouter(prefix="/v1/datasets/{dataset}/export", tags=["queries"])

Format = Literal["csv", "xlsx", "graphml", "gexf", "neo4j"]


def _filename(dataset: str, what: str, agent: str, fmt: str) -> str:
    """``Content-Disposition`` value: an ASCII name and the UTF-8 one (RFC 6266)."""
    name = f"{dataset}-{what}-{agent}{SUFFIXES[fmt]}"
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get(
    "",
    response_class=Response,
    responses={
        **responses(401, 403, 404, 422),
        200: {
            "description": "The file.",
            "content": {media: {} for media in MEDIA_TYPES.values()},
        },
    },
    summary="One network (by its root) or one downline as CSV, xlsx, GraphML, GEXF or Neo4j CSV",
)
async def export(
    ds: ReadableDataset,
    service: ServiceDep,
    format: Annotated[
        Format,
        Query(
            description="csv (UTF-8 with BOM, formula-safe), xlsx, "
            "graphml, gexf (Gephi) or neo4j (a zip for neo4j-admin)."
        ),
    ],
    network: Annotated[
        str | None, Query(min_length=1, max_length=1000, description="Root id of the network.")
    ] = None,
    downline: Annotated[
        str | None,
        Query(min_length=1, max_length=1000, description="Agent whose downline to export."),
    ] = None,
) -> Response:
    """Every agent with its upline, level (root = 1), network root, downline size, direct
    recruits, rank title and the network's rules, recruitments recorded since the load
    included. At most ``max_export_agents`` agents (422 ``limit_exceeded`` past
    it: use ``agentgraph export``)."""
    if (network is None) == (downline is None):
        raise ApiError(
            422,
            "validation_error",
            "give exactly one of network= (a root id) or downline= (an agent id)",
            [{"field": "network", "message": "exactly one of network, downline"}],
        )
    idx = await service.registry.index(ds.store_name)
    limit = service.settings.max_export_agents
    try:
        sel = select_from_index(
            idx, network=network, downline=downline, source=ds.name, limit=limit
        )
    except AgentNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except ArgumentError as exc:
        raise ApiError(422, "limit_exceeded", str(exc)) from None
    data = render(sel, format)
    what = "network" if network is not None else "downline"
    service.audit_read(ds.who, f"{what}.export", ds.name)
    return Response(
        data,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": _filename(ds.name, what, sel.top, format)},
    )
