"""Request and response schemas of the API (storage records live in :mod:`agentgraph.api.meta`)."""

from __future__ import annotations

from agentgraph.api.schemas.admin import (
    AuditEntry,
    KeyCreate,
    KeyCreated,
    KeyOut,
    Me,
    TenantCreate,
    TenantOut,
)
from agentgraph.api.schemas.common import ErrorDetail, ErrorInfo, ErrorResponse, Health, Page
from agentgraph.api.schemas.datasets import (
    AgentBatch,
    AgentRow,
    DatasetCreate,
    DatasetOut,
    EdgeBatch,
    EdgeRow,
    IngestResult,
)
from agentgraph.api.schemas.evidence import (
    EvidenceIngestResult,
    EvidenceKind,
    EvidenceOut,
    PaymentBatch,
    PaymentRow,
)
from agentgraph.api.schemas.guardrail import RecruitmentApplied, RecruitmentCheckOut, RecruitmentIn
from agentgraph.api.schemas.queries import (
    AgentOut,
    FlagOut,
    NetworkDetail,
    NetworkSummary,
    OrganiserOut,
)
from agentgraph.api.schemas.scans import ScanCreate, ScanOut

__all__ = [
    "ErrorDetail",
    "ErrorInfo",
    "ErrorResponse",
    "Health",
    "Page",
    "TenantCreate",
    "TenantOut",
    "KeyCreate",
    "KeyCreated",
    "KeyOut",
    "AuditEntry",
    "Me",
    "DatasetCreate",
    "DatasetOut",
    "IngestResult",
    "AgentRow",
    "AgentBatch",
    "EdgeRow",
    "EdgeBatch",
    "EvidenceKind",
    "EvidenceOut",
    "EvidenceIngestResult",
    "PaymentRow",
    "PaymentBatch",
    "ScanCreate",
    "ScanOut",
    "NetworkSummary",
    "NetworkDetail",
    "FlagOut",
    "AgentOut",
    "OrganiserOut",
    "RecruitmentIn",
    "RecruitmentCheckOut",
    "RecruitmentApplied",
]
