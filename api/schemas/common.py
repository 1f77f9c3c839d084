"""Shapes shared by every route: the one error body and the page of a list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidatorFunctionWrapHandler, WrapValidator

__all__ = [
    "WallTime",
    "wall_time",
    "ErrorDetail",
    "ErrorInfo",
    "ErrorResponse",
    "Page",
    "Health",
    "ID_PATTERN",
    "NAME_PATTERN",
]

T = TypeVar("T")

_REFERENCE_ZONE = ZoneInfo("Asia/Shanghai")  # agentgraph.loaders.dates.DEFAULT_TIMEZONE


def wall_time(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    """A time of a JSON row, refused when it has no wall-clock time in Asia/Shanghai.

    Rows store times as wall-clock time in the reference zone (an instant is
    converted to it), so ``9999-12-31T23:59:59-23:59`` (past year 9999 there) or
    ``0001-01-01T00:00:00+23:59`` (before year 1) cannot be stored: refused here,
    naming the value as written, instead of overflowing later.

    Parameters
    ----------
    value : Any
        The value as sent.
    handler : callable
        Pydantic's datetime validation.

    Returns
    -------
    datetime
        The parsed time.

    Raises
    ------
    ValueError
        The value is out of range (pydantic answers it as a 422 naming the field).

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from pydantic import TypeAdapter, ValidationError
    >>> from agentgraph.api.schemas.common import WallTime
    >>> TypeAdapter(WallTime).validate_python("2024-05-01T08:00:00+08:00").hour
    8
    >>> try:
    ...     TypeAdapter(WallTime).validate_python("9999-12-31T23:59:59-23:59")
    ... except ValidationError as exc:
    ...     print(exc.errors()[0]["msg"])
    Value error, '9999-12-31T23:59:59-23:59' is out of range (in Asia/Shanghai: not in years 1-9999)
    """
    parsed: datetime = handler(value)
    if parsed.tzinfo is not None:
        try:
            parsed.astimezone(_REFERENCE_ZONE)
        except (OverflowError, ValueError):
            raise ValueError(
                f"{str(value)[:100]!r} is out of range (in Asia/Shanghai: not in years 1-9999)"
            ) from None
    return parsed


WallTime = Annotated[datetime, WrapValidator(wall_time)]
"""A datetime of a JSON row that converts to wall-clock time in Asia/Shanghai."""

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
