"""Tenants, API keys and the audit log (admin routes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..security import Role
from .common import ID_PATTERN

__all__ = ["TenantCreate", "TenantOut", "KeyCreate", "TenantKeyCreate", "AdminKeyCreate",
           "KeyOut", "KeyCreated", "AuditEntry",
           "Me"]


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "acme", "name": "ACME Compliance"}]})

    id: str = Field(pattern=ID_PATTERN, description="Lower-case id, used in key scopes.")
    name: str = Field("", max_length=200)


class TenantOut(BaseModel):
    id: str
    name: str
    created_at: str


class TenantKeyCreate(BaseModel):
    """An analyst (ingest, scan, guardrail) or auditor (read-only) key of one tenant."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"tenant": "acme", "role": "analyst", "name": "ingest robot"}]})

    role: Literal["analyst", "auditor"]
    tenant: str = Field(pattern=ID_PATTERN, description="Tenant the key works for.")
    name: str = Field("", max_length=200, description="A note saying what the key is for.")


class AdminKeyCreate(BaseModel):
    """An admin key: tenants, keys and the audit log of every tenant; no data."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"role": "admin", "name": "second operator"}]})

    role: Literal["admin"]
    name: str = Field("", max_length=200, description="A note saying what the key is for.")


KeyCreate = Annotated[TenantKeyCreate | AdminKeyCreate, Field(discriminator="role")]


class KeyOut(BaseModel):
    id: str
    tenant: str | None
    role: Role
    name: str
    created_at: str
    revoked_at: str | None = None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself. Shown once: only a salted hash is kept.",
                     examples=["agk_3f2a9c0d11e4_Zk..."])


class AuditEntry(BaseModel):
    seq: int
    at: str
    key_id: str
    role: str
    tenant: str | None
    action: str = Field(examples=["dataset.ingest"])
    dataset: str | None
    detail: dict[str, Any] | None = None


class Me(BaseModel):
    key_id: str
    role: Role
    tenant: str | None
