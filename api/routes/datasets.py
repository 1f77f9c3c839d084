"""Datasets of the caller's tenant: create, list, show (counts, last scan), delete."""

from __future__ import annotations

import contextlib

import anyio
import pyarrow as pa
from agentgraph.api.deps import (
    AnalystDep,
    PagingDep,
    ReadableDataset,
    ReaderDep,
    ServiceDep,
    WritableDataset,
)
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.meta import DatasetRecord, now
from agentgraph.api.paging import page
from agentgraph.api.registry import store_name
from agentgraph.api.schemas.common import Page
from agentgraph.api.schemas.datasets import DatasetCounts, DatasetCreate, DatasetOut, ScanBrief
from agentgraph.api.service import Service
from fastapi import APIRouter, Response

from agentgraph.errors import DatasetNotFound
from agentgraph.tables import Relations

__all__ = ["router", "dataset_out"]

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])


def _empty(kind: str) -> Relations:
    cols = ("agent_id", "upline_id") if kind == "members" else ("upline_id", "downline_id")
    table = pa.table({c: pa.array([], pa.string()) for c in cols})
    return Relations("members" if kind == "members" else "edges", table, "(created empty)")


async def dataset_out(service: Service, rec: DatasetRecord, *, counts: bool = False) -> DatasetOut:
    """The API view of a dataset: store info, last scan and (optionally) live counts."""
    try:
        info = await anyio.to_thread.run_sync(service.store.info, rec.store_name)
    except DatasetNotFound:  # metadata without store rows: a failed create
        raise ApiError(404, "not_found", f"no dataset {rec.name!r}") from None
    last = service.meta.last_scan(rec.tenant, rec.name)
    out = DatasetOut(
        name=rec.name,
        kind=info.kind,
        rows=info.rows,
        columns=info.columns,
        source=info.source,
        created_at=rec.created_at,
        loaded_at=info.loaded_at,
        last_scan=None
        if last is None
        else ScanBrief(
            id=last.id, state=last.state, created_at=last.created_at, finished_at=last.finished_at
        ),
    )
    if counts:
        idx = await service.registry.index(rec.store_name)
        nets = idx.nets
        out.counts = DatasetCounts(
            agents=len(idx),
            networks=len(nets),
            flagged=int(idx.flagged.sum()),
            max_levels=int(nets.levels.max()) if len(nets) else 0,
        )
    return out


@router.get(
    "",
    response_model=Page[DatasetOut],
    responses=responses(401, 403, 422),
    summary="List the tenant's datasets",
)
async def list_datasets(service: ServiceDep, who: ReaderDep, paging: PagingDep) -> Page[DatasetOut]:
    assert who.tenant is not None
    recs, total = service.meta.datasets(who.tenant, paging.limit, paging.offset)
    items = []
    for rec in recs:
        try:
            items.append(await dataset_out(service, rec))
        except ApiError:  # a dataset deleted meanwhile
            total -= 1
    service.audit_read(who, "dataset.list")
    return Page[DatasetOut].model_validate(page(items, total, paging))


@router.post(
    "",
    status_code=201,
    response_model=DatasetOut,
    responses=responses(401, 403, 409, 422, 429),
    summary="Create an empty dataset",
)
async def create_dataset(body: DatasetCreate, service: ServiceDep, who: AnalystDep) -> DatasetOut:
    assert who.tenant is not None
    if service.meta.dataset(who.tenant, body.name) is not None:
        raise ApiError(409, "conflict", f"dataset {body.name!r} exists already")
    limit = service.settings.max_datasets_per_tenant
    if service.meta.count_datasets(who.tenant) >= limit:
        raise ApiError(
            429,
            "quota_exceeded",
            f"the tenant has {limit} datasets, its limit (AGENTGRAPH_MAX_DATASETS_PER_TENANT); "
            "delete one first",
        )
    name = store_name(who.tenant, body.name)
    tenant = who.tenant

    def create() -> None:
        service.evidence.drop_dataset(tenant, body.name)  # left by a failed delete
        service.store.load(name, _empty(body.kind), replace=True)

    await anyio.to_thread.run_sync(create)
    rec = DatasetRecord(who.tenant, body.name, name, now(), who.key_id)
    service.meta.add_dataset(rec)
    service.meta.set_usage(who.tenant, body.name, 0)
    service.registry.drop(name)
    service.audit(who, "dataset.create", dataset=body.name, detail={"kind": body.kind})
    return await dataset_out(service, rec)


@router.get(
    "/{dataset}",
    response_model=DatasetOut,
    responses=responses(401, 403, 404, 422),
    summary="Show a dataset: rows, counts measured now, last scan",
)
async def show_dataset(ds: ReadableDataset, service: ServiceDep) -> DatasetOut:
    service.audit_read(ds.who, "dataset.read", ds.name)
    return await dataset_out(service, ds.record, counts=True)


@router.delete(
    "/{dataset}",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 422),
    summary="Delete a dataset, its rows, evidence and scans",
)
async def delete_dataset(ds: WritableDataset, service: ServiceDep) -> Response:
    st = service.registry.state(ds.store_name)
    async with st.lock:
        with contextlib.suppress(DatasetNotFound):
            await anyio.to_thread.run_sync(service.store.delete, ds.store_name)
        await anyio.to_thread.run_sync(service.evidence.drop_dataset, ds.record.tenant, ds.name)
        service.meta.delete_dataset(ds.record.tenant, ds.name)
        service.registry.drop(ds.store_name)
    service.audit(ds.who, "dataset.delete", dataset=ds.name)
    return Response(status_code=204)
