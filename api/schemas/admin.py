"""Tenants, API keys and the audit log (admin routes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from agentgraph.api.schemas.common import ID_PATTERN
from agentgraph.api.security import Role
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "TenantCreate",
    "TenantOut",
    "KeyCreate",
    "TenantKeyCreate",
    "AdminKeyCreate",
    "KeyOut",
    "KeyCreated",
    "AuditEntry",
    "Me",
]


class TenantCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"id": "acme", "name": "ACME Compliance"}]}
    )

    id: str = Field(pattern=ID_PATTERN, description="Lower-case id, used in key scopes.")
    name: str = Field(default="", max_length=200)


_EX_TENANT_OUT: dict[str, Any] = {
    "id": "acme",
    "name": "ACME Compliance",
    "created_at": "2024-05-01T08:00:00.000Z",
}


class TenantOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_TENANT_OUT]})

    id: str
    name: str
    created_at: str


class TenantKeyCreate(BaseModel):
    """An analyst (ingest, scan, guardrail) or auditor (read-only) key of one tenant."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"tenant": "acme", "role": "analyst", "name": "ingest robot"}]
        },
    )

    role: Literal["analyst", "auditor"]
    tenant: str = Field(pattern=ID_PATTERN, description="Tenant the key works for.")
    name: str = Field(default="", max_length=200, description="A note saying what the key is for.")


class AdminKeyCreate(BaseModel):
    """An admin key: tenants, keys and the audit log of every tenant; no data."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "admin", "name": "second operator"}]},
    )

    role: Literal["admin"]
    name: str = Field(default="", max_length=200, description="A note saying what the key is for.")


KeyCreate = Annotated[TenantKeyCreate | AdminKeyCreate, Field(discriminator="role")]


_EX_KEY_OUT: dict[str, Any] = {
    "id": "3f2a9c0d11e4",
    "tenant": "acme",
    "role": "analyst",
    "name": "ingest robot",
    "created_at": "2024-05-01T08:00:00.000Z",
    "revoked_at": None,
}


class KeyOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_KEY_OUT]})

    id: str
    tenant: str | None
    role: Role
    name: str
    created_at: str
    revoked_at: str | None = None


class KeyCreated(KeyOut):
    key: str = Field(
        description="The key itself. Shown once: only a salted hash is kept.",
        examples=["agk_3f2a9c0d11e4_Zk..."],
    )


_EX_AUDIT_ENTRY: dict[str, Any] = {
    "seq": 7,
    "at": "2024-05-01T08:03:00.000Z",
    "key_id": "3f2a9c0d11e4",
    "role": "analyst",
    "tenant": "acme",
    "action": "dataset.ingest",
    "dataset": "ladder",
    "detail": {"files": ["members.csv"], "rows": 30, "mode": "replace", "kind": "members"},
}


class AuditEntry(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_AUDIT_ENTRY]})

    seq: int
    at: str
    key_id: str
    role: str
    tenant: str | None
    action: str = Field(examples=["dataset.ingest"])
    dataset: str | None
    detail: dict[str, Any] | None = None


_EX_ME: dict[str, Any] = {
    "key_id": "3f2a9c0d11e4",
    "role": "analyst",
    "tenant": "acme",
}


class Me(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EX_ME]})

    key_id: str
    role: Role
    tenant: str | None
