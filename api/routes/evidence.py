"""Evidence beside a dataset's member table (payments, orders, identities): upload
files or a JSON batch, list, show, delete.

Every kind gets the same routes, made from its :data:`agentgraph.api.evidence.EVIDENCE`
entry: ``POST .../evidence/<kind>`` (files), ``POST .../evidence/<kind>/batch``
(JSON, the kind's own body model), ``GET`` and ``DELETE .../evidence/<kind>``;
``GET .../evidence`` lists them all. (Concrete paths rather than one ``{kind}``
parameter: each kind's batch body is then its exact model in OpenAPI.)

Same rules as the member-table ingest: bodies stream to disk, files are parsed in
a worker thread before anything is stored, a rejected file or row answers 422
naming file, row and column, and the stored evidence is then as it was. Each
kind is read, checked and stored through its entry in :data:`agentgraph.api.evidence.EVIDENCE`.
Scans pass the stored evidence to :func:`agentgraph.analyse`.
"""

# no ``from __future__ import annotations``: the per-kind route functions use the
# kind's values (descriptions, body model) in their annotations, evaluated here.
from typing import Annotated, Any, Literal

import anyio
import pyarrow as pa
from agentgraph.api.deps import (
    DatasetRef,
    PagingDep,
    ReadableDataset,
    ServiceDep,
    WritableDataset,
    not_found_dataset,
)
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.evidence import (
    EVIDENCE,
    EvidenceInfo,
    EvidenceSpec,
    mismatched_columns,
    unify,
)
from agentgraph.api.paging import page
from agentgraph.api.schemas.common import Page
from agentgraph.api.schemas.datasets import IngestMode
from agentgraph.api.schemas.evidence import (
    EvidenceBatchBase,
    EvidenceIngestResult,
    EvidenceKind,
    EvidenceOut,
)
from agentgraph.api.service import Service
from agentgraph.api.uploads import (
    UPLOAD_BODY,
    SpooledFile,
    check_size,
    file_error,
    format_of,
    limit_error,
    parse_upload,
    upload_options,
)
from agentgraph.loaders.limits import LimitError, ReadLimits
from fastapi import APIRouter, Query, Request, Response

from agentgraph.errors import InputError

__all__ = ["router", "parse_evidence_files"]

router = APIRouter(prefix="/v1/datasets/{dataset}/evidence", tags=["evidence"])


def _out(info: EvidenceInfo) -> EvidenceOut:
    return EvidenceOut(
        kind=EvidenceKind(info.kind),
        rows=info.rows,
        columns=info.columns,
        source=info.source,
        loaded_at=info.loaded_at,
    )


def _mismatch(spec: EvidenceSpec, cols: list[str], stored: bool) -> ApiError:
    what = "the stored" if stored else "another file's"
    return ApiError(
        422,
        "column_mismatch",
        f"column(s) {', '.join(cols)} in the input and "
        f"{what} {spec.noun} differ (present in one, absent in the other), which "
        "would change what the rows mean; give them everywhere or use "
        "mode=replace",
        [{"column": c, "field": c, "message": "present in one input only"} for c in cols],
    )


def parse_evidence_files(
    spec: EvidenceSpec,
    files: list[SpooledFile],
    *,
    fmt: str | None,
    encoding: str | None,
    columns: dict[str, str] | None,
    limits: ReadLimits | None = None,
) -> pa.Table:
    """Read every spooled file with the kind's reader: one normalised table, or 422
    listing each problem (file, row, column); a file over a read limit answers at
    once (413 or 422, see :func:`~agentgraph.api.uploads.limit_error`)."""
    tables: list[pa.Table] = []
    details: list[dict[str, Any]] = []
    for f in files:
        form = format_of(f, fmt)  # None: the reader tells it from the name or the bytes
        try:
            got = spec.read(f.path, columns=columns, encoding=encoding, fmt=form, limits=limits)
        except LimitError as exc:
            raise limit_error(exc, f) from None
        except InputError as exc:
            details.append(file_error(exc, f))
            continue
        tables.append(unify(got.table))
    if details:
        raise ApiError(
            422,
            "input_error",
            f"{len(details)} of {len(files)} file(s) rejected; the {spec.noun} are unchanged",
            details,
        )
    for t in tables[1:]:
        cols = mismatched_columns(spec, tables[0], t)
        if cols:
            raise _mismatch(spec, cols, stored=False)
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ApiError(
            422,
            "input_error",
            f"the files' columns do not fit together: {str(exc).splitlines()[0]}",
        ) from None


def _still_there(service: Service, ds: DatasetRef) -> None:
    """404 when the dataset was deleted (or deleted and created anew) while the
    request was under way: its evidence must not outlive it or pass to a new one."""
    cur = service.meta.dataset(ds.record.tenant, ds.name)
    if cur is None or cur.created_at != ds.record.created_at:
        raise not_found_dataset(ds.name)


async def _store(
    service: Service, ds: DatasetRef, kind: EvidenceKind, table: pa.Table, source: str, mode: str
) -> EvidenceInfo:
    """Write (replace, or append to) the stored evidence under the dataset's lock."""
    spec = EVIDENCE[kind]
    store, tenant, name = service.evidence, ds.record.tenant, ds.name

    def write() -> EvidenceInfo:
        new, label = table, source
        if mode == "append":
            old = store.read(tenant, name, kind)
            if old is not None:
                cols = mismatched_columns(spec, old[0], table)
                if cols:
                    raise _mismatch(spec, cols, stored=True)
                new = pa.concat_tables([unify(old[0]), unify(table)], promote_options="permissive")
                label = source if old[1].source == source else f"{old[1].source} + {source}"
        return store.write(tenant, name, kind, new, label[:500])

    st = service.registry.state(ds.store_name)
    info: EvidenceInfo | None = None
    async with st.lock:
        _still_there(service, ds)
        with anyio.CancelScope(shield=True):
            info = await anyio.to_thread.run_sync(write)
    assert info is not None
    return info


async def _upload(
    request: Request,
    kind: EvidenceKind,
    ds: DatasetRef,
    service: Service,
    mode: IngestMode,
    fmt: str | None,
    encoding: str | None,
    columns: list[str] | None,
    filename: str | None,
) -> EvidenceIngestResult:
    spec = EVIDENCE[kind]
    settings = service.settings
    mapping = upload_options(columns, encoding, spec.columns)
    table, names = await parse_upload(
        request,
        settings.upload_dir,
        settings.max_upload_bytes,
        filename,
        lambda files: parse_evidence_files(
            spec,
            files,
            fmt=fmt,
            encoding=encoding,
            columns=mapping or None,
            limits=settings.read_limits(),
        ),
    )
    info = await _store(service, ds, kind, table, ", ".join(names), mode)
    service.audit(
        ds.who,
        "evidence.ingest",
        dataset=ds.name,
        detail={"kind": kind.value, "files": names, "rows": table.num_rows, "mode": mode},
    )
    return EvidenceIngestResult(
        dataset=ds.name, evidence=_out(info), mode=mode, rows_added=table.num_rows, files=names
    )


async def _batch(
    kind: EvidenceKind, body: EvidenceBatchBase, ds: DatasetRef, service: Service
) -> EvidenceIngestResult:
    spec = EVIDENCE[kind]
    check_size(body.rows(), service.settings.max_batch_rows, kind.value)

    def check() -> pa.Table:
        return unify(spec.normalise(body.table(), "JSON batch").table)

    table = await anyio.to_thread.run_sync(check)
    info = await _store(service, ds, kind, table, "JSON batch", body.mode)
    service.audit(
        ds.who,
        "evidence.ingest",
        dataset=ds.name,
        detail={"kind": kind.value, "batch": kind.value, "rows": table.num_rows, "mode": body.mode},
    )
    return EvidenceIngestResult(
        dataset=ds.name, evidence=_out(info), mode=body.mode, rows_added=table.num_rows
    )


async def _show(kind: EvidenceKind, ds: DatasetRef, service: Service) -> EvidenceOut:
    info = await anyio.to_thread.run_sync(service.evidence.info, ds.record.tenant, ds.name, kind)
    if info is None:
        raise ApiError(404, "not_found", f"dataset {ds.name!r} has no {kind.value}")
    service.audit_read(ds.who, "evidence.read", ds.name)
    return _out(info)


async def _delete(kind: EvidenceKind, ds: DatasetRef, service: Service) -> Response:
    st = service.registry.state(ds.store_name)
    async with st.lock:
        _still_there(service, ds)
        with anyio.CancelScope(shield=True):
            gone = await anyio.to_thread.run_sync(
                service.evidence.delete, ds.record.tenant, ds.name, kind
            )
    if not gone:
        raise ApiError(404, "not_found", f"dataset {ds.name!r} has no {kind.value}")
    service.audit(ds.who, "evidence.delete", dataset=ds.name, detail={"kind": kind.value})
    return Response(status_code=204)


@router.get(
    "",
    response_model=Page[EvidenceOut],
    responses=responses(401, 403, 404, 422),
    summary="The evidence a dataset carries: kind, rows, source, loaded_at",
)
async def list_evidence(
    ds: ReadableDataset, service: ServiceDep, paging: PagingDep
) -> Page[EvidenceOut]:
    infos = await anyio.to_thread.run_sync(service.evidence.listing, ds.record.tenant, ds.name)
    service.audit_read(ds.who, "evidence.list", ds.name)
    chosen = infos[paging.offset : paging.offset + paging.limit]
    return Page[EvidenceOut].model_validate(page([_out(i) for i in chosen], len(infos), paging))


def _add_routes(kind: EvidenceKind) -> None:
    """The routes of one kind of evidence, from its registry entry."""
    spec = EVIDENCE[kind]
    noun = spec.noun

    async def upload(
        request: Request,
        ds: WritableDataset,
        service: ServiceDep,
        mode: Annotated[
            IngestMode, Query(description=(f"replace the stored {noun}, or append to them"))
        ] = "replace",
        fmt: Annotated[
            Literal["csv", "parquet", "jsonl", "excel", "sql"] | None,
            Query(
                alias="format",
                description="Default: from the file name, the Content-Type or the file's bytes.",
            ),
        ] = None,
        encoding: Annotated[
            str | None,
            Query(
                max_length=40,
                description=(
                    "Text encoding of CSV and SQL dumps; UTF-8, UTF-16 with BOM, "
                    "GB18030/GBK and Big5 are detected."
                ),
            ),
        ] = None,
        columns: Annotated[
            list[str] | None,
            Query(
                max_length=20,
                description=(
                    f"Column mapping, e.g. {spec.column_example} (repeatable; names: "
                    f"{', '.join(spec.columns)})."
                ),
            ),
        ] = None,
        filename: Annotated[
            str | None,
            Query(
                max_length=200,
                description=("Name of a raw-body upload (its suffix gives the format)."),
            ),
        ] = None,
    ) -> EvidenceIngestResult:
        return await _upload(request, kind, ds, service, mode, fmt, encoding, columns, filename)

    async def batch(
        body: EvidenceBatchBase, ds: WritableDataset, service: ServiceDep
    ) -> EvidenceIngestResult:
        return await _batch(kind, body, ds, service)

    batch.__annotations__["body"] = spec.batch  # FastAPI validates the kind's own model

    async def show(ds: ReadableDataset, service: ServiceDep) -> EvidenceOut:
        return await _show(kind, ds, service)

    async def delete(ds: WritableDataset, service: ServiceDep) -> Response:
        return await _delete(kind, ds, service)

    path = f"/{kind.value}"
    router.add_api_route(
        path,
        upload,
        methods=["POST"],
        name=f"upload_{kind.value}",
        response_model=EvidenceIngestResult,
        openapi_extra={"requestBody": UPLOAD_BODY},
        responses=responses(401, 403, 404, 413, 422, 504),
        summary=f"Upload {noun} files (streamed to disk, all or nothing)",
    )
    router.add_api_route(
        f"{path}/batch",
        batch,
        methods=["POST"],
        name=f"batch_{kind.value}",
        response_model=EvidenceIngestResult,
        responses=responses(401, 403, 404, 413, 422, 504),
        summary=f"Add (or replace with) a JSON batch of {noun}",
    )
    router.add_api_route(
        path,
        show,
        methods=["GET"],
        name=f"show_{kind.value}",
        response_model=EvidenceOut,
        responses=responses(401, 403, 404, 422),
        summary=f"The dataset's {noun}: rows, columns, source, loaded_at",
    )
    router.add_api_route(
        path,
        delete,
        methods=["DELETE"],
        name=f"delete_{kind.value}",
        status_code=204,
        response_class=Response,
        responses=responses(401, 403, 404, 422),
        summary=f"Delete the dataset's {noun}",
    )


for _kind in EVIDENCE:
    _add_routes(_kind)
