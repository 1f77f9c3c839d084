"""The real-time recruitment guardrail: check (dry run) and apply."""

from __future__ import annotations

from typing import Literal

from agentgraph.api.schemas.common import WallTime
from agentgraph.api.schemas.queries import FlagOut, Structure
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RecruitmentIn", "RecruitmentCheckOut", "RecruitmentApplied", "NetworkChange"]


class RecruitmentIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"upline_id": "002", "agent_id": "031"}]}
    )

    upline_id: str = Field(min_length=1, max_length=512, description="An existing agent.")
    agent_id: str = Field(min_length=1, max_length=512, description="A new agent id.")
    joined_at: WallTime | None = Field(
        default=None, description="Stored as joined_at (members) or at (edges)."
    )
    rank: str | None = Field(default=None, max_length=200, description="Declared title (members).")
    enforce: bool = Field(
        default=False,
        description=(
            "Apply only: refuse (409 guardrail_blocked) what the service's enforcement "
            "mode refuses (AGENTGRAPH_GUARDRAIL_ENFORCE; by default: a rule would newly "
            "fire or a single-tier network would get a second agent tier)."
        ),
    )


class NetworkChange(BaseModel):
    root: str
    members_before: int
    members_after: int
    levels_before: int
    levels_after: int
    structure_before: Structure
    structure_after: Structure


class RecruitmentCheckOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "upline_id": "002",
                    "agent_id": "031",
                    "level": 3,
                    "network": {
                        "root": "001",
                        "members_before": 29,
                        "members_after": 30,
                        "levels_before": 3,
                        "levels_after": 3,
                        "structure_before": "multi_level",
                        "structure_after": "multi_level",
                    },
                    "adds_agent_tier": False,
                    "newly_fired": [],
                    "rules_after": ["cn.threshold"],
                    "would_flag": True,
                    "enforcement": "new_rules",
                    "refused_if_enforced": ["cn.threshold"],
                }
            ]
        }
    )

    upline_id: str
    agent_id: str
    level: int = Field(description="Level the new agent would have (root = 1).")
    network: NetworkChange
    adds_agent_tier: bool = Field(
        description=(
            "True when a single-tier network (levels <= 2) would get a second agent tier "
            "(levels 3): the step from a lawful distributor to a multi-level scheme."
        )
    )
    newly_fired: list[FlagOut] = Field(description="Policy rules that would start firing.")
    rules_after: list[str] = Field(description="Every rule that would fire afterwards.")
    would_flag: bool = Field(description="Something new: newly_fired or adds_agent_tier.")
    enforcement: Literal["new_rules", "flagged_network", "max_levels"] = Field(
        description="The service's enforcement mode (AGENTGRAPH_GUARDRAIL_ENFORCE)."
    )
    refused_if_enforced: list[str] = Field(
        description=(
            "Why applying it with enforce would be refused under that mode (rule ids, "
            "adds_agent_tier, flagged_network, max_levels); empty: it would be applied."
        )
    )


class RecruitmentApplied(RecruitmentCheckOut):
    applied: bool = True
    rows: int = Field(description="Rows in the dataset afterwards.")
