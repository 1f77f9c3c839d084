"""Request and response schemas of the API (storage records live in :mod:`api.meta`)."""

from __future__ import annotations

from .admin import AuditEntry, KeyCreate, KeyCreated, KeyOut, Me, TenantCreate, TenantOut
from .common import ErrorDetail, ErrorInfo, ErrorResponse, Health, Page
from .datasets import (
    AgentBatch,
    AgentRow,
    DatasetCreate,
    DatasetOut,
    EdgeBatch,
    EdgeRow,
    IngestResult,
)
from .evidence import EvidenceIngestResult, EvidenceKind, EvidenceOut, PaymentBatch, PaymentRow
from .guardrail import RecruitmentApplied, RecruitmentCheckOut, RecruitmentIn
from .queries import AgentOut, FlagOut, NetworkDetail, NetworkSummary, OrganiserOut
from .scans import ScanCreate, ScanOut

__all__ = [
    "ErrorDetail", "ErrorInfo", "ErrorResponse", "Health", "Page",
    "TenantCreate", "TenantOut", "KeyCreate", "KeyCreated", "KeyOut", "AuditEntry", "Me",
    "DatasetCreate", "DatasetOut", "IngestResult", "AgentRow", "AgentBatch", "EdgeRow",
    "EdgeBatch", "EvidenceKind", "EvidenceOut", "EvidenceIngestResult", "PaymentRow",
    "PaymentBatch", "ScanCreate", "ScanOut", "NetworkSummary", "NetworkDetail", "FlagOut",
    "AgentOut", "OrganiserOut", "RecruitmentIn", "RecruitmentCheckOut", "RecruitmentApplied",
]
