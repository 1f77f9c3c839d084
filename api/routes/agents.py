"""One agent, measured now: level, root, upline chain, direct recruits, downline."""

from __future__ import annotations

from typing import Annotated

import anyio
from agentgraph.api.deps import PagingDep, ReadableDataset, ServiceDep
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.paging import Paging, page
from agentgraph.api.schemas.common import Page
from agentgraph.api.schemas.queries import AgentMatch, AgentOut
from fastapi import APIRouter, Path, Query

from agentgraph.live import LiveIndex
from agentgraph.live.kernels import chain_depth

__all__ = ["router"]

router = APIRouter(prefix="/v1/datasets/{dataset}/agents", tags=["queries"])


def _matches(idx: LiveIndex, prefix: str, offset: int, limit: int) -> tuple[list[AgentMatch], int]:
    """One page of the agents whose id starts with ``prefix``, and their total."""
    found = idx.search(prefix, offset=offset, limit=limit)
    vs = found.dense.tolist()
    names = idx.names(vs)
    parent = idx.parent[: idx.n]
    items = [
        AgentMatch(
            agent=names[k],
            level=chain_depth(parent, v) + 1,
            root=idx.id_of(int(idx.root[v])),
            downline=int(idx.size[v]),
            rank=idx.rank_of(v),
        )
        for k, v in enumerate(vs)
    ]
    return items, found.total


@router.get(
    "",
    response_model=Page[AgentMatch],
    responses=responses(401, 403, 404, 422),
    summary="Agents whose id starts with a prefix, in id order (paginated)",
)
async def search_agents(
    ds: ReadableDataset,
    service: ServiceDep,
    paging: PagingDep,
    prefix: Annotated[
        str,
        Query(
            min_length=1,
            max_length=1000,
            description=(
                "The start of the id, case-sensitive (an exact id is its own first match)."
            ),
        ),
    ],
) -> Page[AgentMatch]:
    idx = await service.registry.index(ds.store_name)
    if not idx.search_ready:  # the first search sorts the ids, O(n log n): off the loop
        await anyio.to_thread.run_sync(idx.prepare_search)
    items, total = _matches(idx, prefix, paging.offset, paging.limit)
    service.audit_read(ds.who, "agent.search", ds.name)
    return Page[AgentMatch].model_validate(page(items, total, paging))


@router.get(
    "/{agent_id:path}",
    response_model=AgentOut,
    responses=responses(401, 403, 404, 422),
    summary="Where one agent stands (direct recruits paginated)",
)
async def show_agent(
    ds: ReadableDataset,
    service: ServiceDep,
    agent_id: Annotated[str, Path(min_length=1, description="The agent's id.")],
    recruits_limit: Annotated[
        int | None,
        Query(
            ge=1,
            description=(
                "Direct recruits per page (default page_size_default, at most page_size_max)."
            ),
        ),
    ] = None,
    recruits_offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    chain_limit: Annotated[
        int | None,
        Query(
            ge=1,
            description=(
                "Ids of the upline chain listed from the root (default and most: page_size_max)."
            ),
        ),
    ] = None,
) -> AgentOut:
    s = service.settings
    if recruits_limit is not None and recruits_limit > s.page_size_max:
        raise ApiError(
            422,
            "validation_error",
            f"recruits_limit must be <= {s.page_size_max}",
            [{"field": "recruits_limit", "message": f"at most {s.page_size_max}"}],
        )
    limit = recruits_limit or min(s.page_size_default, s.page_size_max)
    idx = await service.registry.index(ds.store_name)
    view = idx.agent(
        agent_id,
        recruits_offset=recruits_offset,
        recruits_limit=limit,
        chain_limit=min(chain_limit or s.page_size_max, s.page_size_max),
    )
    service.audit_read(ds.who, "agent.read", ds.name)
    return AgentOut(
        agent=view.agent,
        level=view.level,
        root=view.root,
        upline=view.upline,
        upline_chain=view.upline_chain,
        upline_chain_length=view.upline_chain_length,
        direct_recruits=Page[str].model_validate(
            page(view.direct_recruits, view.direct_recruits_total, Paging(limit, recruits_offset))
        ),
        downline=view.downline,
        downline_levels=view.downline_levels,
        network_members=view.network_members,
        network_levels=view.network_levels,
        network_rules=view.network_flags,
        rank=view.rank,
    )
