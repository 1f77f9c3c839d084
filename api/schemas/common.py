"""Shapes shared by every route: the one error body and the page of a list."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ErrorDetail",
    "ErrorInfo",
    "ErrorResponse",
    "Page",
    "Health",
    "ID_PATTERN",
    "NAME_PATTERN",
]

T = TypeVar("T")

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
"""Dataset names: letters, digits, '.', '_' and '-', 1-100 characters."""

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
"""Tenant ids: lower-case letters, digits and '-', 1-40 characters."""


class ErrorDetail(BaseModel):
    """One precise problem: where (field, file, row, column) and what."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"message": "empty agent_id", "file": "members.csv", "row": 3, "column": "agent_id"}
            ]
        }
    )

    message: str
    field: str | None = Field(default=None, description="Request field, e.g. 'agents[3].agent_id'.")
    file: str | None = Field(default=None, description="Uploaded file name.")
    row: int | None = Field(default=None, description="1-based data row in the file (header = 0).")
    column: str | None = Field(default=None, description="Column of the file.")
    code: str | None = Field(default=None, description="Machine-readable kind of this problem.")


class ErrorInfo(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. 'not_found'.")
    message: str = Field(description="What went wrong, for a person.")
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx/5xx answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"error": {"code": "not_found", "message": "no dataset 'ladder'", "details": []}}
            ]
        }
    )

    error: ErrorInfo


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, ``total`` in all."""

    items: list[T]
    total: int = Field(ge=0, description="Items in the whole list.")
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)
    next_offset: int | None = Field(default=None, description="Offset of the next page, if any.")


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    checks: dict[str, str] = Field(default_factory=dict)
