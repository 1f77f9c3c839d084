"""Appraisals: the ``agentgraph.appraisal/1`` document of named suspects in a dataset."""

from __future__ import annotations

from typing import Literal

from agentgraph.api.schemas.scans import PolicyPack
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AppraisalCreate", "AppraisalFormat", "SuspectIn", "MAX_SUSPECTS"]

AppraisalFormat = Literal["json", "xlsx", "html"]
MAX_SUSPECTS = 10_000


class SuspectIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"agent_id": "B", "name": "张三", "role": "organiser"}]},
    )

    agent_id: str = Field(
        min_length=1,
        max_length=256,
        description="The agent id as the dataset holds it (a string: 007 is not 7).",
    )
    name: str | None = Field(default=None, max_length=256, description="The suspect's name.")
    role: str | None = Field(
        default=None, max_length=256, description="The suspect's role (组织者, 骨干 ...)."
    )


class AppraisalCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"suspects": [{"agent_id": "B", "name": "张三"}, {"agent_id": "C"}]},
                {"suspects": [{"agent_id": "A", "role": "organiser"}], "format": "xlsx"},
            ]
        },
    )

    suspects: list[SuspectIn] = Field(
        min_length=1,
        max_length=MAX_SUSPECTS,
        description=(
            "The suspects, in list order (row 1 first); a repeated id keeps its first "
            "entry and is stated in record.suspect_list."
        ),
    )
    format: AppraisalFormat = Field(
        default="json",
        description=(
            "json: the agentgraph.appraisal/1 document; xlsx: the workbook (summary "
            "sheet, one sheet per suspect); html: one self-contained page."
        ),
    )
    policy: PolicyPack | None = Field(
        default=None,
        description="Policy pack (docs/legal.md). Default: the service's AGENTGRAPH_POLICY.",
    )
    max_listed: int = Field(
        default=100_000,
        ge=0,
        le=100_000,
        description="Most downline rows listed per suspect (the counts always cover all).",
    )
