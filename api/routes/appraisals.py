"""Appraisals: the per-suspect document (``agentgraph.appraisal/1``) of a stored dataset.

``POST /v1/datasets/{dataset}/appraisals`` reads the dataset and its stored evidence
(payments, orders, identities) under the dataset's lock, as a scan does, analyses them
and answers the document of the suspects in the body at once: JSON, the xlsx workbook
or one HTML page. The work is a scan plus O(downline) per suspect, in a worker thread,
bounded by ``AGENTGRAPH_REQUEST_TIMEOUT`` like every request.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anyio
from agentgraph.api.deps import ServiceDep, WritableDataset
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.schemas.appraisals import AppraisalCreate
from fastapi import APIRouter, Response

from agentgraph.analysis import analyse
from agentgraph.appraisal.build import build_appraisal
from agentgraph.appraisal.document import appraisal_schema, render
from agentgraph.appraisal.record import input_record
from agentgraph.appraisal.suspects import Suspects
from agentgraph.errors import AgentgraphError

__all__ = ["router", "XLSX_TYPE"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/v1", tags=["appraisals"])

_MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8", "xlsx": XLSX_TYPE}


def _rows(obj: Any) -> int:
    return int(getattr(obj, "rows", 0) or getattr(obj, "accounts", 0) or 0)


def _stored(role: str, label: str, rows: int, reading: Any = None) -> dict[str, Any]:
    """An input record of stored data: named, no file digest (the store was read)."""
    return input_record(role, None, rows, reading) | {"path": label}


@router.post(
    "/datasets/{dataset}/appraisals",
    response_class=Response,
    responses={
        200: {
            "description": (
                "The agentgraph.appraisal/1 document (format json), the workbook "
                "(xlsx) or one HTML page (html)"
            ),
            "content": {
                "application/json": {"schema": appraisal_schema()},
                XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **responses(401, 403, 404, 422, 504),
    },
    summary="Appraise named suspects in the dataset: counts, funds, thresholds",
)
async def create_appraisal(
    ds: WritableDataset, service: ServiceDep, body: AppraisalCreate
) -> Response:
    """For each suspect: level, root, upline chain, downline members and levels (the
    suspect included), members per level, funds and pay with the dataset's stored
    evidence, and each threshold with its rule text (docs/appraisal.md). Suspects not
    found and suspects in one another's downline are stated. Answered at once; the
    request is audited (``appraisal.create``) before the answer is sent."""
    listed = Suspects.of(
        [s.agent_id for s in body.suspects],
        [s.name for s in body.suspects],
        [s.role for s in body.suspects],
        source="request body",
        columns={"agent_id": "agent_id", "name": "name", "role": "role"},
    )
    policy = body.policy or service.settings.policy
    st = service.registry.state(ds.store_name)

    async with st.lock:

        def read() -> tuple[Any, dict[str, Any]]:
            rel = service.registry.store.read(ds.store_name)
            return rel, service.evidence.analyse_args(ds.record.tenant, ds.name)

        rel, evidence = await anyio.to_thread.run_sync(read)

    def appraise() -> bytes:
        # named by the dataset, as scans name their report (not the store's URL)
        a = analyse(replace(rel, source=ds.name), policy, **evidence)
        reading = rel.reading.as_dict() if rel.reading is not None else None
        inputs = [
            _stored(rel.kind, f"dataset {ds.name}", rel.rows, reading),
            _stored("suspects", "request body", listed.rows),
        ]
        for role in ("payments", "orders", "identities"):
            if role in evidence:
                got = evidence[role]
                label = f"stored {role} of dataset {ds.name} ({getattr(got, 'source', '')})"
                inputs.append(_stored(role, label, _rows(got)))
        doc = build_appraisal(a, listed, relations=rel, inputs=inputs, max_listed=body.max_listed)
        out = render(doc, body.format)
        return out.encode("utf-8") if isinstance(out, str) else out

    try:
        content = await anyio.to_thread.run_sync(appraise)
    except AgentgraphError as exc:
        raise ApiError(422, "appraisal_failed", str(exc)) from exc
    service.audit(
        ds.who,
        "appraisal.create",
        dataset=ds.name,
        detail={"suspects": len(listed.items), "format": body.format, "policy": policy},
    )
    headers = {}
    if body.format == "xlsx":
        headers["Content-Disposition"] = f'attachment; filename="{ds.name}-appraisal.xlsx"'
    return Response(content, media_type=_MEDIA[body.format], headers=headers)
