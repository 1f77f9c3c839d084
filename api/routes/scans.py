"""Scans: start one (202, runs in the background), follow it, fetch its report
as JSON (``agentgraph.report/1``, as the CLI writes it) or as HTML."""

from __future__ import annotations

import json
from typing import Annotated, Any

import anyio
from agentgraph.api.deps import PagingDep, ReadableDataset, ReaderDep, ServiceDep, WritableDataset
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.jobs import scan_policy
from agentgraph.api.meta import ScanRecord
from agentgraph.api.paging import page
from agentgraph.api.schemas.common import ErrorInfo, Page
from agentgraph.api.schemas.scans import DIFF_JSON_SCHEMA, ScanCreate, ScanLinks, ScanOut
from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse

from agentgraph.errors import InputError, PolicyError
from agentgraph.policies.custom import policy_from_dict
from agentgraph.report.build import SCHEMA, dumps
from agentgraph.report.diff import diff_reports
from agentgraph.report.html import render_html
from agentgraph.report.schema import report_schema

__all__ = ["router", "check_custom_policy", "CUSTOM_POLICY_MAX_BYTES"]

CUSTOM_POLICY_MAX_BYTES = 64 * 1024

router = APIRouter(prefix="/v1", tags=["scans"])

ScanId = Annotated[str, Path(pattern=r"^scn_[0-9a-f]{16}$", description="Scan id.")]
_SCAN_ID = r"^scn_[0-9a-f]{16}$"

# The OpenAPI response schema of the JSON report is the shipped JSON Schema itself.
_REPORT_SCHEMA: dict[str, Any] = report_schema()


def check_custom_policy(doc: dict[str, Any]) -> None:
    """422 ``policy_error`` unless ``doc`` is a valid policy of bounded size."""
    size = len(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    problem = (
        f"custom_policy is {size} bytes; at most {CUSTOM_POLICY_MAX_BYTES}"
        if size > CUSTOM_POLICY_MAX_BYTES
        else None
    )
    if problem is None:
        try:
            policy_from_dict(doc, where="custom_policy")
        except PolicyError as exc:
            problem = str(exc)
    if problem is not None:
        raise ApiError(
            422, "policy_error", problem, [{"field": "custom_policy", "message": problem}]
        )


def _out(rec: ScanRecord) -> ScanOut:
    base = f"/v1/scans/{rec.id}"
    return ScanOut(
        id=rec.id,
        dataset=rec.dataset,
        state=rec.state,  # type: ignore[arg-type]
        phase=rec.phase,
        progress=rec.progress,
        created_at=rec.created_at,
        started_at=rec.started_at,
        finished_at=rec.finished_at,
        options=rec.options,
        summary=rec.summary,
        error=None if rec.error is None else ErrorInfo(**rec.error),
        links=ScanLinks(self=base, report=f"{base}/report", report_html=f"{base}/report.html"),
    )


@router.post(
    "/datasets/{dataset}/scans",
    status_code=202,
    response_model=ScanOut,
    responses=responses(401, 403, 404, 422, 429, 503),
    summary="Start a scan; answers at once with the job to follow",
)
async def start_scan(
    ds: WritableDataset, service: ServiceDep, body: ScanCreate | None = None
) -> ScanOut:
    body = body or ScanCreate()
    if body.custom_policy is not None:
        check_custom_policy(body.custom_policy)
    options = body.model_dump(exclude_none=True)
    if body.custom_policy is None:
        options["policy"] = body.policy or service.settings.policy
    rec = service.runner().start(ds.record, options, ds.who.key_id)
    service.audit(
        ds.who,
        "scan.start",
        dataset=ds.name,
        detail={"scan_id": rec.id, "policy": scan_policy(options).name},
    )
    return _out(rec)


@router.get(
    "/datasets/{dataset}/scans",
    response_model=Page[ScanOut],
    responses=responses(401, 403, 404, 422),
    summary="The dataset's scans, newest first",
)
async def list_scans(ds: ReadableDataset, service: ServiceDep, paging: PagingDep) -> Page[ScanOut]:
    recs, total = service.meta.scans(ds.record.tenant, ds.name, paging.limit, paging.offset)
    service.audit_read(ds.who, "scan.list", ds.name)
    return Page[ScanOut].model_validate(page([_out(r) for r in recs], total, paging))


@router.get(
    "/datasets/{dataset}/scans/diff",
    responses={
        200: {
            "description": "The agentgraph.diff/1 document: thresholds crossed, new flags, "
            "networks that grew fastest, new data issues (docs/cli.md, diff)",
            "content": {"application/json": {"schema": DIFF_JSON_SCHEMA}},
        },
        **responses(401, 403, 404, 409, 422),
    },
    response_class=Response,
    summary="Compare two scans of the dataset (older first)",
)
async def diff_scans(
    ds: ReadableDataset,
    service: ServiceDep,
    old: Annotated[str, Query(pattern=_SCAN_ID, description="The earlier scan's id.")],
    new: Annotated[str, Query(pattern=_SCAN_ID, description="The later scan's id.")],
    limit: Annotated[int, Query(ge=1, le=10_000, description="Most networks listed.")] = 100,
) -> Response:
    reports = []
    for scan_id in (old, new):
        rec = _scan(service, ds.who, scan_id)
        if rec.dataset != ds.name:
            raise ApiError(404, "not_found", f"no scan {scan_id!r} of dataset {ds.name!r}")
        reports.append(_report_text(service, ds.who, scan_id)[1])
    try:
        doc = diff_reports(json.loads(reports[0]), json.loads(reports[1]), limit=limit)
    except InputError as exc:
        raise ApiError(422, "incompatible_scans", str(exc)) from None
    service.audit_read(ds.who, "scan.diff", ds.name)
    return Response(dumps(doc), media_type="application/json")


def _scan(service: ServiceDep, who: ReaderDep, scan_id: str) -> ScanRecord:
    rec = None if who.tenant is None else service.meta.scan(who.tenant, scan_id)
    if rec is None:
        raise ApiError(404, "not_found", f"no scan {scan_id!r}")
    return rec


@router.get(
    "/scans/{scan_id}",
    response_model=ScanOut,
    responses=responses(401, 403, 404, 422),
    summary="State and progress of a scan",
)
async def show_scan(scan_id: ScanId, service: ServiceDep, who: ReaderDep) -> ScanOut:
    rec = _scan(service, who, scan_id)
    service.audit_read(who, "scan.read", rec.dataset)
    return _out(rec)


def _report_text(service: ServiceDep, who: ReaderDep, scan_id: str) -> tuple[ScanRecord, str]:
    rec = _scan(service, who, scan_id)
    text = service.meta.scan_report(rec.tenant, scan_id)
    if text is None:
        raise ApiError(
            409,
            "scan_not_ready",
            f"scan {scan_id} is {rec.state}; its report exists once it has succeeded",
        )
    service.audit(who, "scan.report", dataset=rec.dataset, detail={"scan_id": scan_id})
    return rec, text


@router.get(
    "/scans/{scan_id}/report",
    responses={
        200: {
            "description": f"The {SCHEMA} JSON report",
            "content": {"application/json": {"schema": _REPORT_SCHEMA}},
        },
        **responses(401, 403, 404, 409, 422),
    },
    response_class=Response,
    summary="The scan's JSON report (the CLI's format)",
)
async def scan_report(scan_id: ScanId, service: ServiceDep, who: ReaderDep) -> Response:
    _, text = _report_text(service, who, scan_id)
    return Response(text, media_type="application/json")


@router.get(
    "/scans/{scan_id}/report.html",
    response_class=HTMLResponse,
    responses={
        200: {
            "description": "Self-contained bilingual HTML report",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 404, 409, 422),
    },
    summary="The scan's report as one HTML page",
)
async def scan_report_html(scan_id: ScanId, service: ServiceDep, who: ReaderDep) -> HTMLResponse:
    _, text = _report_text(service, who, scan_id)
    page_html = await anyio.to_thread.run_sync(lambda: render_html(json.loads(text)))
    return HTMLResponse(page_html)
