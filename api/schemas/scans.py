"""Scans: background jobs whose result is the ``agentgraph.report/1`` JSON report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from agentgraph.api.schemas.common import ErrorInfo
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ScanCreate",
    "ScanOut",
    "ScanLinks",
    "ScanState",
    "PolicyPack",
    "REPORT_OPTIONS",
    "ANALYSE_OPTIONS",
    "DIFF_JSON_SCHEMA",
]

PolicyPack = Literal["cn", "us-ftc", "eu-ucpd"]
# the ScanCreate fields that are build_report options (the rest pick the policy)
REPORT_OPTIONS = ("max_networks", "max_organisers", "max_rank_mismatches")
# the ScanCreate fields passed to analyse (a scan as of a date, the growth series' period)
ANALYSE_OPTIONS = ("as_of", "growth_period")

_EX_CUSTOM_POLICY: dict[str, Any] = {
    "policy": {"name": "acme-single-tier", "version": "2026-11"},
    "rules": [
        {
            "id": "acme.one_agent_tier",
            "kind": "network",
            "min_members": 1,
            "min_levels": 3,
            "severity": "high",
            "citation": "ACME distributor agreement §4.2",
        },
        {
            "id": "acme.own_sales_only",
            "kind": "team_pay",
            "min_levels_up": 1,
            "severity": "high",
            "citation": "ACME compensation plan §2",
        },
    ],
}

ScanState = Literal["queued", "running", "succeeded", "failed"]


class ScanCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"max_networks": 1000, "max_organisers": 1000},
                {"policy": "us-ftc"},
                {"custom_policy": _EX_CUSTOM_POLICY},
            ]
        },
    )

    policy: PolicyPack | None = Field(
        default=None,
        description=(
            "Policy pack for this scan (docs/legal.md). Default: the service's AGENTGRAPH_POLICY."
        ),
    )
    custom_policy: dict[str, Any] | None = Field(
        default=None,
        description=(
            "A platform's own policy, the document of a TOML/YAML policy file as a JSON "
            "object: {'policy': {name, version, ...}, 'rules': [{id, kind, severity, "
            "citation, ...}]} (docs/legal.md, 'Custom policy files'). Checked when the "
            "scan is requested: a bad one answers 422 policy_error."
        ),
        json_schema_extra={"example": _EX_CUSTOM_POLICY},
    )
    max_networks: int = Field(
        default=1000,
        ge=0,
        le=100_000,
        description=(
            "Unflagged networks (>= 2 members) listed in the report; flagged ones always are."
        ),
    )
    max_organisers: int = Field(default=1000, ge=0, le=100_000)
    max_rank_mismatches: int = Field(default=1000, ge=0, le=100_000)
    as_of: str | None = Field(
        default=None,
        max_length=40,
        description=(
            "Scan the dataset as it stood at the end of this date (YYYY-MM-DD, or an ISO "
            "time): agents who joined later are left out, agents without a join time kept "
            "and counted (the report's input.as_of). Needs joined_at (or edge at)."
        ),
        json_schema_extra={"example": "2024-03-10"},
    )
    growth_period: Literal["day", "week", "month"] | None = Field(
        default=None, description="Period of the report's growth series (default month)."
    )
    participants: str | None = Field(
        default=None,
        max_length=400,
        description=(
            "Who the member thresholds count (docs/legal.md, 'Participants, not accounts'): "
            "accounts (the policy's default), paid, entry_fee, or member-table filters "
            "COLUMN=VALUE joined by ';'. The report gives accounts and participants."
        ),
        json_schema_extra={"example": "is_promoter=1"},
    )

    @field_validator("participants")
    @classmethod
    def _a_participants_setting(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from agentgraph.errors import PolicyError
        from agentgraph.evidence.participants import check_participants

        try:
            return check_participants(value)
        except PolicyError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("as_of")
    @classmethod
    def _a_date(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            if len(value) == 10:
                date.fromisoformat(value)
            else:
                datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("as_of must be a date YYYY-MM-DD or an ISO time") from None
        return value

    @model_validator(mode="after")
    def _one_policy(self) -> ScanCreate:
        if self.policy is not None and self.custom_policy is not None:
            raise ValueError("give policy or custom_policy, not both")
        return self


class ScanLinks(BaseModel):
    self: str
    report: str
    report_html: str


class ScanOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "scn_5b0c2f8e9a41d7c3",
                    "dataset": "ladder",
                    "state": "succeeded",
                    "phase": "done",
                    "progress": 1.0,
                    "created_at": "2024-05-01T08:00:00.000Z",
                    "started_at": "2024-05-01T08:00:00.010Z",
                    "finished_at": "2024-05-01T08:00:01.200Z",
                    "summary": {"agents": 30, "networks": 1, "flagged": 1, "max_levels": 3},
                    "error": None,
                    "links": {
                        "self": "/v1/scans/scn_5b0c2f8e9a41d7c3",
                        "report": "/v1/scans/scn_5b0c2f8e9a41d7c3/report",
                        "report_html": "/v1/scans/scn_5b0c2f8e9a41d7c3/report.html",
                    },
                }
            ]
        }
    )

    id: str
    dataset: str
    state: ScanState
    phase: str = Field(description="queued, reading, analysing, reporting, indexing, done.")
    progress: float = Field(ge=0, le=1)
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, Any] | None = Field(
        default=None, description="The report's summary when done."
    )
    error: ErrorInfo | None = None
    links: ScanLinks


# The OpenAPI schema of GET /v1/datasets/{dataset}/scans/diff (agentgraph.diff/1, docs/api.md).
DIFF_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "schema",
        "old",
        "new",
        "summary",
        "crossed_thresholds",
        "new_flags",
        "cleared_flags",
        "new_networks",
        "grew_fastest",
        "data_issues",
        "new_data_issues",
    ],
    "properties": {
        "schema": {"const": "agentgraph.diff/1"},
        "old": {
            "type": "object",
            "description": "source, generated_at, schema_revision, policy, as_of",
        },
        "new": {"type": "object"},
        "summary": {
            "type": "object",
            "description": "agents, networks, flagged, max_levels, organisers: {old, new, change}",
        },
        "crossed_thresholds": {
            "type": "array",
            "description": "Networks now meeting a members-and-levels threshold they did not: "
            "root, rule, min_members, min_levels, old/new members and levels, date.",
            "items": {"type": "object"},
        },
        "new_flags": {"type": "array", "items": {"type": "object"}},
        "cleared_flags": {"type": "array", "items": {"type": "object"}},
        "new_networks": {"type": "array", "items": {"type": "string"}},
        "grew_fastest": {"type": "array", "items": {"type": "object"}},
        "data_issues": {"type": "object"},
        "new_data_issues": {"type": "array", "items": {"type": "object"}},
        "limits": {"type": "object"},
    },
}
