"""Datasets and ingestion (file uploads and JSON batches)."""

from __future__ import annotations

from typing import Any, Literal

from agentgraph.api.schemas.common import NAME_PATTERN, WallTime
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DatasetCreate",
    "DatasetCounts",
    "DatasetOut",
    "IngestResult",
    "AgentRow",
    "AgentBatch",
    "EdgeRow",
    "EdgeBatch",
    "IngestMode",
    "ScanBrief",
]

IngestMode = Literal["append", "replace"]
AgentId = Field(min_length=1, max_length=512)


class DatasetCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "ladder", "kind": "members"}]}
    )

    name: str = Field(pattern=NAME_PATTERN, description="Unique within the tenant.")
    kind: Literal["members", "edges"] = Field(
        default="members",
        description=(
            "members: one row per agent with its upline; edges: one row per relationship."
        ),
    )


_EX_DATASET_COUNTS: dict[str, Any] = {
    "agents": 30,
    "networks": 1,
    "flagged": 1,
    "max_levels": 3,
}


class DatasetCounts(BaseModel):
    """Measured now (recruitments applied since the last scan included)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EX_DATASET_COUNTS]})

    agents: int
    networks: int
    flagged: int
    max_levels: int


_EX_DATASET_OUT: dict[str, Any] = {
    "name": "ladder",
    "kind": "members",
    "rows": 30,
    "columns": ["agent_id", "upline_id"],
    "source": "members.csv",
    "created_at": "2024-05-01T08:00:00.000Z",
    "loaded_at": "2024-05-01T08:01:00Z",
    "counts": {"agents": 30, "networks": 1, "flagged": 1, "max_levels": 3},
    "last_scan": None,
}


class DatasetOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_DATASET_OUT]})

    name: str
    kind: str
    rows: int
    columns: list[str]
    source: str = Field(description="Name of the last file (or batch) loaded.")
    created_at: str
    loaded_at: str
    counts: DatasetCounts | None = Field(default=None, description="Present on GET of one dataset.")
    last_scan: ScanBrief | None = None


class ScanBrief(BaseModel):
    id: str
    state: str
    created_at: str
    finished_at: str | None = None


_EX_INGEST_RESULT: dict[str, Any] = {
    "dataset": {**_EX_DATASET_OUT, "counts": None},
    "mode": "replace",
    "rows_added": 30,
    "files": ["members.csv"],
}


class IngestResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_INGEST_RESULT]})

    dataset: DatasetOut
    mode: IngestMode
    rows_added: int
    files: list[str] = Field(default_factory=list)


class AgentRow(BaseModel):
    """One member-table row: an agent and its upline (null for a root)."""

    model_config = ConfigDict(extra="forbid")

    agent_id: str = AgentId
    upline_id: str | None = Field(default=None, max_length=512)
    joined_at: WallTime | None = None
    rank: str | None = Field(
        default=None, max_length=200, description="Declared title (not a level)."
    )


class AgentBatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mode": "append",
                    "agents": [
                        {"agent_id": "A1", "upline_id": None},
                        {"agent_id": "A2", "upline_id": "A1", "rank": "一级代理"},
                    ],
                }
            ]
        },
    )

    mode: IngestMode = "append"
    agents: list[AgentRow] = Field(min_length=1)


class EdgeRow(BaseModel):
    """One edge-list row: ``upline_id`` recruited (or supplies) ``downline_id``."""

    model_config = ConfigDict(extra="forbid")

    upline_id: str = AgentId
    downline_id: str = AgentId
    kind: Literal["recruited", "supplies"] | None = None
    at: WallTime | None = None


class EdgeBatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"mode": "append", "edges": [{"upline_id": "P01", "downline_id": "P02"}]}]
        },
    )

    mode: IngestMode = "append"
    edges: list[EdgeRow] = Field(min_length=1)


DatasetOut.model_rebuild()
