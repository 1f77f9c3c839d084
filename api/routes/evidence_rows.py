"""The rows of a dataset's evidence, filtered by agent and paged, for the workbench.

``GET .../evidence/payments/rows?agent=ID`` lists the payments the agent made or got
(or that name it as the source of a commission), each with the payer's and payee's
level (root = 1) and ``levels_up``: how many levels above the payer the payee is
when the payee is one of the payer's uplines (money flowing up the tree), else null.
``.../orders/rows`` lists orders the agent sold or bought; ``.../identities/rows`` the
identity rows of every account merged with the agent into one person (strong
identifiers shared, :mod:`agentgraph.evidence.identities`), each with its ``person``.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.api.deps import PagingDep, ReadableDataset, ServiceDep
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.paging import page
from agentgraph.api.schemas.common import Page
from fastapi import APIRouter, Query

from agentgraph.live import LiveIndex

__all__ = ["router", "AGENT_COLUMNS", "levels_up"]

router = APIRouter(prefix="/v1/datasets/{dataset}/evidence", tags=["evidence"])

AGENT_COLUMNS = {
    "payments": ("payer_id", "payee_id", "source_agent_id"),
    "orders": ("seller_id", "buyer_id"),
    "identities": ("agent_id",),
}
"""The columns ``agent=`` is matched against, per kind."""

AgentQuery = Annotated[
    str | None, Query(min_length=1, max_length=1000, description="Only rows about this agent.")
]


def _level(idx: LiveIndex, agent: Any) -> tuple[int | None, set[int]]:
    """An agent's level (root = 1) and the dense ids of its chain, or (None, {})."""
    if not isinstance(agent, str):
        return None, set()
    v = idx.node(agent)
    if v < 0:
        return None, set()
    chain = idx.chain(v)
    return len(chain), set(chain.tolist())


def levels_up(idx: LiveIndex, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Payment rows with ``payer_level``, ``payee_level`` and ``levels_up`` added.

    Parameters
    ----------
    idx : LiveIndex
        The dataset's live index.
    rows : list of dict
        Payment rows (``payer_id``, ``payee_id``).

    Returns
    -------
    list of dict
        The rows, each with the three keys (null when an agent is unknown, and
        ``levels_up`` null unless the payee is one of the payer's uplines).

    Notes
    -----
    O(rows x depth): each payer's chain is walked once per row.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.live import LiveIndex
    >>> idx = LiveIndex.from_analysis(agentgraph.scan("fixtures/chain5.csv"))
    >>> levels_up(idx, [{"payer_id": "C5", "payee_id": "C2"}])[0]["levels_up"]
    3
    """
    out = []
    for row in rows:
        payer, chain = _level(idx, row.get("payer_id"))
        payee, _ = _level(idx, row.get("payee_id"))
        up = None
        if payer is not None and payee is not None:
            v = idx.node(row["payee_id"])
            up = payer - payee if v in chain and payee < payer else None
        out.append({**row, "payer_level": payer, "payee_level": payee, "levels_up": up})
    return out


def _persons(table: pa.Table, agent: str) -> tuple[pa.Table, dict[str, str]]:
    """Identity rows of every account merged with ``agent``, and account -> person."""
    from agentgraph.evidence.identities import resolve_identities

    res = resolve_identities(table)
    ids = res.ids.to_pylist()
    where = {a: k for k, a in enumerate(ids)}
    k = where.get(agent)
    if k is None:
        return table.slice(0, 0), {}
    same = [ids[j] for j in range(len(ids)) if res.person[j] == res.person[k]]
    person = {a: ids[int(res.person[k])] for a in same}
    keep = pc.is_in(table.column("agent_id"), value_set=pa.array(same, pa.string()))
    return table.filter(keep), person


def _rows(kind: str):  # type: ignore[no-untyped-def]
    @router.get(
        f"/{kind}/rows",
        response_model=Page[dict[str, Any]],
        responses=responses(401, 403, 404, 422),
        summary=f"The stored {kind}, filtered by agent, one page at a time",
        name=f"{kind}_rows",
    )
    async def rows(
        ds: ReadableDataset, service: ServiceDep, paging: PagingDep, agent: AgentQuery = None
    ) -> Page[dict[str, Any]]:
        got = await anyio.to_thread.run_sync(service.evidence.read, ds.record.tenant, ds.name, kind)
        if got is None:
            raise ApiError(404, "not_found", f"dataset {ds.name!r} has no {kind}")
        table, _ = got
        person: dict[str, str] = {}
        if agent is not None and kind == "identities":
            table, person = await anyio.to_thread.run_sync(_persons, table, agent)
        elif agent is not None:
            mask = None
            for col in AGENT_COLUMNS[kind]:
                if col in table.column_names:
                    hit = pc.fill_null(pc.equal(table.column(col), agent), False)
                    mask = hit if mask is None else pc.or_(mask, hit)
            table = table.filter(mask) if mask is not None else table.slice(0, 0)
        items = table.slice(paging.offset, paging.limit).to_pylist()
        if kind == "payments":
            items = levels_up(await service.registry.index(ds.store_name), items)
        if person:
            items = [{**r, "person": person.get(r["agent_id"])} for r in items]
        service.audit_read(ds.who, f"{kind}.rows", ds.name)
        return Page[dict[str, Any]].model_validate(page(items, table.num_rows, paging))

    return rows


for _kind in AGENT_COLUMNS:
    _rows(_kind)
