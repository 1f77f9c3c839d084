"""Networks (one tree under one root), measured now: list with filters, one in detail."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.api.deps import PagingDep, ReadableDataset, ServiceDep
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.paging import page
from agentgraph.api.schemas.common import Page
from agentgraph.api.schemas.queries import FlagOut, NetworkDetail, NetworkSummary, Structure
from fastapi import APIRouter, Path, Query

from agentgraph.live import LiveIndex
from agentgraph.measure.networks import structure_class

__all__ = ["router", "summary_of", "sorted_networks", "SortKey"]

router = APIRouter(prefix="/v1/datasets/{dataset}/networks", tags=["queries"])

_LEVELS = {"single_tier": (1, 2), "multi_level": (3, 4), "five_tier_plus": (5, 2**31)}

SortKey = Literal[
    "flagged",
    "members",
    "-members",
    "levels",
    "-levels",
    "root",
    "-root",
    "max_direct_recruits",
    "-max_direct_recruits",
    "mean_branching",
    "-mean_branching",
    "growth",
    "-growth",
]
"""The network list's orders: a column ascending, or descending with ``-``. ``flagged``
(the default): flagged first, then by members (descending), then root. ``growth``:
the shortest doubling time first (networks with fewer than two dated members last).
Ties keep the default order."""


def sorted_networks(idx: LiveIndex, sort: SortKey) -> np.ndarray:
    """Network numbers in the order ``sort`` names; ties in the default order.

    Parameters
    ----------
    idx : LiveIndex
        The dataset's live index.
    sort : SortKey
        The order, e.g. ``-levels``.

    Returns
    -------
    numpy.ndarray
        Every network number once.

    Notes
    -----
    O(k log k) for k networks, cached until the next change.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> idx = LiveIndex.from_analysis(agentgraph.scan("fixtures/chain5.csv"))
    >>> sorted_networks(idx, "-levels").tolist()
    [0]
    """
    base = idx.network_order()
    if sort == "flagged":
        return base
    name, desc = sort.lstrip("-"), sort.startswith("-")

    def make() -> np.ndarray:
        nets = idx.nets
        key: np.ndarray
        if name == "root":
            rank = np.empty(len(nets), np.int64)
            by_name = pc.sort_indices(pa.array(idx.names(nets.roots), pa.string())).to_numpy()
            rank[by_name] = np.arange(len(nets))
            key = rank
        elif name == "mean_branching":
            key = (nets.members - 1) / np.maximum(nets.recruiters, 1)
        elif name == "growth":
            g = idx.growth
            days = np.full(len(nets), -1, np.int64) if g is None else g.doubling
            # unmeasured last in both directions
            key = np.where(days < 0, np.iinfo(np.int64).max, days)
            if desc:
                key = np.where(days < 0, np.iinfo(np.int64).min, days)
        else:
            key = getattr(nets, "max_direct" if name == "max_direct_recruits" else name)
        k = np.asarray(key)[base]
        pos = np.argsort(-k if desc else k, kind="stable")
        return base[pos]

    return idx.cached_order(f"sort:{sort}", make)


def summary_of(idx: LiveIndex, j: int, root: str) -> dict[str, object]:
    nets = idx.nets
    rules = [r.id for r in idx.policy.rules if idx.masks[r.id][j]]
    return {
        "root": root,
        "members": int(nets.members[j]),
        "levels": int(nets.levels[j]),
        "structure": structure_class(int(nets.levels[j])),
        "flagged": bool(rules),
        "rules": rules,
        "max_direct_recruits": int(nets.max_direct[j]),
        "mean_branching": nets.mean_branching(j),
        "growth": idx.growth.as_dict(j) if idx.growth is not None else None,
    }


@router.get(
    "",
    response_model=Page[NetworkSummary],
    responses=responses(401, 403, 404, 422),
    summary="Networks, flagged first then by size (or sorted); filter by structure, flag, size",
)
async def list_networks(
    ds: ReadableDataset,
    service: ServiceDep,
    paging: PagingDep,
    structure: Structure | None = None,
    flagged: Annotated[
        bool | None, Query(description="Only flagged (true) or unflagged (false) networks.")
    ] = None,
    rule: Annotated[
        str | None,
        Query(
            max_length=100, description=("Only networks where this rule fires, e.g. cn.serious.")
        ),
    ] = None,
    min_members: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    min_levels: Annotated[int | None, Query(ge=0, le=2**31)] = None,
    sort: Annotated[
        SortKey,
        Query(
            description=(
                "The order: a column ascending, or descending with '-' (e.g. -levels). "
                "flagged (default): flagged first, then members descending, then root; "
                "growth: shortest doubling time first. Ties keep the default order."
            )
        ),
    ] = "flagged",
) -> Page[NetworkSummary]:
    idx = await service.registry.index(ds.store_name)
    nets = idx.nets
    order = sorted_networks(idx, sort)
    keep = np.ones(len(order), np.bool_)
    if structure is not None:
        lo, hi = _LEVELS[structure]
        lv = nets.levels[order]
        keep &= (lv >= lo) & (lv <= hi)
    if flagged is not None:
        keep &= idx.flagged[order] == flagged
    if rule is not None:
        mask = idx.masks.get(rule)
        if mask is None:
            raise ApiError(
                422,
                "validation_error",
                f"unknown rule {rule!r}; known: {', '.join(idx.masks)}",
                [{"field": "rule", "message": "unknown"}],
            )
        keep &= mask[order]
    if min_members is not None:
        keep &= nets.members[order] >= min_members
    if min_levels is not None:
        keep &= nets.levels[order] >= min_levels
    chosen = order[keep]
    sel = chosen[paging.offset : paging.offset + paging.limit]
    roots = idx.names(nets.roots[sel]) if len(sel) else []
    items = [summary_of(idx, int(j), roots[k]) for k, j in enumerate(sel.tolist())]
    service.audit_read(ds.who, "network.list", ds.name)
    return Page[NetworkSummary].model_validate(page(items, len(chosen), paging))


@router.get(
    "/{root_id:path}",
    response_model=NetworkDetail,
    responses=responses(401, 403, 404, 422),
    summary="One network by its root: tier counts, deepest chain, flags",
)
async def show_network(
    ds: ReadableDataset,
    service: ServiceDep,
    root_id: Annotated[str, Path(min_length=1, description="The root agent's id.")],
    chain_limit: Annotated[
        int | None,
        Query(
            ge=1, description=("Ids of the deepest chain listed (default and most: page_size_max).")
        ),
    ] = None,
) -> NetworkDetail:
    idx = await service.registry.index(ds.store_name)
    v = idx.node(root_id)
    if v < 0:
        raise ApiError(404, "not_found", f"no agent {root_id!r}")
    if idx.parent[v] != -1:
        root = idx.id_of(int(idx.root[v]))
        raise ApiError(
            404,
            "not_found",
            f"{root_id!r} is not a network root; its network's root is {root!r}",
            [{"field": "root_id", "message": f"root: {root}"}],
        )
    j = idx.network_of(v)
    chain = idx.deepest_chain(j)
    limit = min(chain_limit or service.settings.page_size_max, service.settings.page_size_max)
    service.audit_read(ds.who, "network.read", ds.name)
    return NetworkDetail.model_validate(
        {
            **summary_of(idx, j, root_id),
            "tier_counts": idx.nets.tier_counts(j),
            "deepest_chain": idx.names(chain[:limit]),
            "deepest_chain_length": len(chain),
            "flags": [FlagOut(**f.as_dict()) for f in idx.flags(j)],
        }
    )
