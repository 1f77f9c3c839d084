"""The real-time recruitment guardrail.

``recruitment-check`` says what one recruitment would do (new agent's level, the
network's members and levels before and after, which policy rules would newly
fire, whether a single-tier network would get a second agent tier) and changes
nothing. ``recruitments`` applies it: one row appended to the store, the live
index updated in O(depth), no rescan. Concurrent recruitments to one dataset are
group-committed (:mod:`agentgraph.api.recruiting`): checked in arrival order, each
seeing the ones before it, written in one store transaction, their audit rows in
one metadata commit, each answered once its audit row is committed.
"""

from __future__ import annotations

from agentgraph.api.deps import ReadableDataset, ServiceDep, WritableDataset
from agentgraph.api.errors import responses
from agentgraph.api.records import AuditEntry
from agentgraph.api.schemas.guardrail import (
    NetworkChange,
    RecruitmentApplied,
    RecruitmentCheckOut,
    RecruitmentIn,
)
from agentgraph.api.schemas.queries import FlagOut
from fastapi import APIRouter, Request

from agentgraph.live import RecruitmentCheck
from agentgraph.live.enforcement import Enforcement

__all__ = ["router"]

router = APIRouter(prefix="/v1/datasets/{dataset}", tags=["guardrail"])


def _out(c: RecruitmentCheck, enforcement: Enforcement | None = None) -> dict[str, object]:
    rule = enforcement or Enforcement()
    return {
        "enforcement": rule.mode,
        "refused_if_enforced": rule.reasons(c),
        "upline_id": c.upline_id,
        "agent_id": c.agent_id,
        "level": c.level,
        "network": NetworkChange.model_validate(
            {
                "root": c.root,
                "members_before": c.members_before,
                "members_after": c.members_after,
                "levels_before": c.levels_before,
                "levels_after": c.levels_after,
                "structure_before": c.structure_before,
                "structure_after": c.structure_after,
            }
        ),
        "adds_agent_tier": c.adds_agent_tier,
        "newly_fired": [FlagOut(**f.as_dict()) for f in c.newly_fired],
        "rules_after": c.firing_after,
        "would_flag": bool(c.newly_fired) or c.adds_agent_tier,
    }


@router.post(
    "/recruitment-check",
    response_model=RecruitmentCheckOut,
    responses=responses(401, 403, 404, 409, 422),
    summary="What a recruitment would do (changes nothing)",
)
async def check_recruitment(
    body: RecruitmentIn, ds: ReadableDataset, service: ServiceDep
) -> RecruitmentCheckOut:
    idx = await service.registry.index(ds.store_name)
    result = idx.check(body.upline_id, body.agent_id)
    service.audit_read(ds.who, "recruitment.check", ds.name)
    return RecruitmentCheckOut.model_validate(_out(result, service.registry.enforcement))


@router.post(
    "/recruitments",
    status_code=201,
    response_model=RecruitmentApplied,
    responses=responses(401, 403, 404, 409, 422),
    summary="Record a recruitment (guarded; O(depth) index update)",
)
async def apply_recruitment(
    request: Request, body: RecruitmentIn, ds: WritableDataset, service: ServiceDep
) -> RecruitmentApplied:
    # named in the audit row if the guardrail refuses it (enforce)
    request.state.audit_detail = {"upline_id": body.upline_id, "agent_id": body.agent_id}

    def audit(result: RecruitmentCheck) -> AuditEntry:
        # made and submitted by the dataset's writer right after the batch's commit
        # (even if this request has gone away); the answer waits for its commit
        return service.audit_entry(
            ds.who,
            "recruitment.apply",
            dataset=ds.name,
            detail={
                "upline_id": body.upline_id,
                "agent_id": body.agent_id,
                "newly_fired": [f.rule for f in result.newly_fired],
                "adds_agent_tier": result.adds_agent_tier,
            },
        )

    result, info = await service.registry.recruit(
        ds.store_name,
        body.upline_id,
        body.agent_id,
        at=body.joined_at,
        rank=body.rank,
        enforce=body.enforce,
        audit=audit,
    )
    return RecruitmentApplied.model_validate(
        {**_out(result, service.registry.enforcement), "rows": info.rows}
    )
