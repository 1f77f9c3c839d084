"""The one JSON error shape, ``{"error": {"code", "message", "details": [...]}}``.

Every failure becomes it: :class:`ApiError` raised by routes, agentgraph's own
exceptions (bad input -> 422, missing dataset -> 404, ...), FastAPI's request
validation (422, one detail per field), Starlette's 404/405, 413, 504 and, as a
last resort, an unexpected exception (500, logged with its traceback, never
shown to the client).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from agentgraph.api.schemas.common import ErrorResponse
from agentgraph.loaders.limits import LimitError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agentgraph.errors import (
    AgentgraphError,
    AgentNotFound,
    DatasetExists,
    DatasetNotFound,
    InputError,
    PolicyError,
    StoreError,
)
from agentgraph.live import RecruitmentRejected

__all__ = [
    "ApiError",
    "error_body",
    "error_response",
    "install_error_handlers",
    "responses",
    "field_path",
]

log = logging.getLogger("agentgraph.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
    504: "request_timeout",
}

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid API key",
    403: "The key's role may not do this",
    404: "Not found (or another tenant's: the answer is the same)",
    405: "Method not allowed",
    409: "Conflict with the current state",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid input (fields, rows named)",
    429: "A queue or quota is full (Retry-After says when to try again)",
    503: "Not ready",
    504: "Request took longer than the timeout",
}


class ApiError(Exception):
    """An error answer: HTTP status, machine code, message and precise details.

    Raised by routes and dependencies; the handlers of :func:`install_error_handlers`
    answer it as ``{"error": {"code", "message", "details"}}``.

    Parameters
    ----------
    status : int
        The HTTP status, e.g. 422.
    code : str
        The machine-readable code, e.g. ``validation_error``.
    message : str
        One line for a person.
    details : sequence of dict
        One entry per problem (``field``, ``file``, ``row``, ``column``, ``message``...).
    headers : dict, optional
        Extra response headers (``WWW-Authenticate`` for a 401).

    Examples
    --------
    >>> from agentgraph.api.errors import ApiError
    >>> err = ApiError(422, "validation_error", "bad limit", [{"field": "limit", "message": "x"}])
    >>> err.status, err.code, str(err), err.details
    (422, 'validation_error', 'bad limit', [{'field': 'limit', 'message': 'x'}])
    """

    denied: bool = False
    """A refusal to audit as a denied attempt (set for 404s of data the key cannot see)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details)
        self.headers = headers


def error_body(code: str, message: str, details: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The one error shape as a dict, details without their None entries.

    Parameters
    ----------
    code : str
        The machine-readable code.
    message : str
        One line for a person.
    details : sequence of dict
        One entry per problem; keys whose value is None are left out.

    Returns
    -------
    dict
        ``{"error": {"code", "message", "details"}}``.

    Notes
    -----
    O(total size of ``details``).

    Examples
    --------
    >>> from agentgraph.api.errors import error_body
    >>> error_body("input_error", "bad row", [{"file": "a.csv", "row": 2, "column": None}])
    {'error': {'code': 'input_error', 'message': 'bad row',
               'details': [{'file': 'a.csv', 'row': 2}]}}
    """
    clean = [{k: v for k, v in d.items() if v is not None} for d in details]
    return {"error": {"code": code, "message": message, "details": clean}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The one error shape as a JSON response.

    Parameters
    ----------
    status : int
        The HTTP status.
    code : str
        The machine-readable code.
    message : str
        One line for a person.
    details : sequence of dict
        One entry per problem (see :func:`error_body`).
    headers : dict, optional
        Extra response headers.

    Returns
    -------
    JSONResponse
        The answer (also an ASGI app, so a middleware can send it).

    Notes
    -----
    O(total size of ``details``).

    Examples
    --------
    >>> from agentgraph.api.errors import error_response
    >>> r = error_response(404, "not_found", "no dataset x")
    >>> r.status_code, r.body
    (404, b'{"error":{"code":"not_found","message":"no dataset x","details":[]}}')
    """
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries (error schema + description) for these statuses.

    Parameters
    ----------
    *statuses : int
        The error statuses a route may answer.

    Returns
    -------
    dict
        Status -> ``{"model": ErrorResponse, "description": ...}``, for a route
        decorator's ``responses=``.

    Notes
    -----
    O(len(statuses)).

    Examples
    --------
    >>> from agentgraph.api.errors import responses
    >>> entries = responses(401, 404)
    >>> sorted(entries), entries[404]["description"]
    ([401, 404], "Not found (or another tenant's: the answer is the same)")
    """
    return {
        s: {"model": ErrorResponse, "description": _DESCRIPTIONS.get(s, "Error")} for s in statuses
    }


def field_path(loc: Sequence[str | int]) -> str:
    """A validation error's location as a field path, as the details name it.

    Parameters
    ----------
    loc : sequence of str or int
        Pydantic's ``loc``; a leading ``body``, ``query``, ``path``, ``header`` or
        ``cookie`` is dropped unless it is all there is.

    Returns
    -------
    str
        ``("body", "agents", 3, "agent_id")`` -> ``agents[3].agent_id``.

    Notes
    -----
    O(len(loc)).

    Examples
    --------
    >>> from agentgraph.api.errors import field_path
    >>> field_path(("body", "agents", 3, "agent_id"))
    'agents[3].agent_id'
    >>> field_path(("query", "limit")), field_path(("body",))
    ('limit', 'body')
    """
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        where = parts.pop(0)
        if not parts:
            return str(where)
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _agentgraph_error(exc: AgentgraphError) -> ApiError:
    if isinstance(exc, RecruitmentRejected):
        status = 409 if exc.code == "agent_exists" else 422
        return ApiError(
            status,
            exc.code,
            str(exc),
            [{"code": c, "field": f, "message": m} for c, f, m in exc.problems],
        )
    if isinstance(exc, LimitError):
        source = None if exc.source is None else PurePath(exc.source).name
        status, code = (413, "payload_too_large") if exc.size else (422, "limit_exceeded")
        detail = {"message": exc.message, "file": source, "row": exc.row, "column": exc.column}
        return ApiError(status, code, exc.message, [detail | {"limit": exc.limit}])
    if isinstance(exc, InputError):
        source = None if exc.source is None else PurePath(exc.source).name
        return ApiError(
            422,
            "input_error",
            exc.message,
            [{"message": exc.message, "file": source, "row": exc.row, "column": exc.column}],
        )
    if isinstance(exc, AgentNotFound):
        return ApiError(404, "not_found", str(exc))
    # store messages name server paths and tenant prefixes: not shown to clients
    if isinstance(exc, DatasetNotFound):
        return ApiError(404, "not_found", "no such dataset")
    if isinstance(exc, DatasetExists):
        return ApiError(409, "conflict", "the dataset exists already")
    if isinstance(exc, StoreError):
        log.error("store error", exc_info=exc)
        return ApiError(503, "store_error", "the graph store failed; see the server log")
    if isinstance(exc, PolicyError):
        return ApiError(422, "invalid", str(exc))
    return ApiError(422, "invalid", str(exc))


def _audit_refusal(req: Request, exc: ApiError) -> None:
    """Hand a refused call to the service's audit (never fails the answer)."""
    hook = getattr(getattr(req.app.state, "service", None), "audit_refusal", None)
    if hook is None:
        return
    try:
        hook(req, exc.status, exc.code, exc.details)
    except Exception as err:
        log.warning("cannot audit a refused call: %s", err)


def install_error_handlers(
    app: FastAPI, *, max_details: int = 20, allow: Sequence[tuple[re.Pattern[str], set[str]]] = ()
) -> None:
    """Route every error through the one shape.

    :class:`ApiError` as it is; agentgraph's own exceptions (bad input -> 422,
    missing dataset -> 404, existing dataset -> 409, store failure -> 503, ...);
    request validation (422, one detail per field); Starlette's 404/405 (and a body
    that is not JSON: 422); anything else 500, logged, never shown.

    Parameters
    ----------
    app : FastAPI
        The app to install the handlers in.
    max_details : int
        Details listed for one request validation error.
    allow : sequence of (pattern, methods)
        Each route's path pattern and methods, so a 405 names every method the path
        supports (``Allow`` header).

    Notes
    -----
    O(1) to install; a 405 costs O(number of routes).

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> from agentgraph.api.errors import ApiError, install_error_handlers
    >>> from agentgraph.errors import InputError
    >>> app = FastAPI()
    >>> install_error_handlers(app)
    >>> @app.get("/teapot")
    ... async def teapot() -> None:
    ...     raise ApiError(409, "conflict", "busy")
    >>> @app.get("/bad")
    ... async def bad() -> None:
    ...     raise InputError("no column 'agent_id'", source="/srv/up/a.csv", row=0)
    >>> client = TestClient(app)
    >>> client.get("/teapot").json()
    {'error': {'code': 'conflict', 'message': 'busy', 'details': []}}
    >>> r = client.get("/bad")
    >>> r.status_code, r.json()["error"]["details"]
    (422, [{'message': "no column 'agent_id'", 'file': 'a.csv', 'row': 0}])
    >>> client.get("/nowhere").json()["error"]["message"]
    'no such route'
    """

    async def api_error(req: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        if exc.status in (401, 403) or exc.denied or exc.code == "guardrail_blocked":
            _audit_refusal(req, exc)
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    async def agentgraph_error(req: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AgentgraphError)
        return await api_error(req, _agentgraph_error(exc))

    async def http_error(req: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 400:  # FastAPI: a body that is not JSON (or not UTF-8)
            return error_response(
                422,
                "validation_error",
                f"invalid request body: {message}",
                [
                    {
                        "field": "body",
                        "message": "not a valid JSON document in UTF-8",
                        "code": "json_invalid",
                    }
                ],
            )
        if exc.status_code == 404 and message == "Not Found":
            message = "no such route"
        if exc.status_code == 405 and allow:
            path = req.url.path
            methods = sorted({m for rx, ms in allow if rx.match(path) for m in ms})
            if methods:
                headers = {**(headers or {}), "Allow": ", ".join(methods)}
                message = f"{req.method} is not allowed here; use {', '.join(methods)}"
        return error_response(exc.status_code, code, message, headers=headers)

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        details = [
            {
                "field": field_path(e.get("loc", ())),
                "message": str(e.get("msg", "")),
                "code": str(e.get("type", "")),
            }
            for e in errors[:max_details]
        ]
        shown = "; ".join(f"{d['field']}: {d['message']}" for d in details[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        return error_response(422, "validation_error", f"invalid request: {shown}{more}", details)

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return error_response(500, "internal_error", "internal error; see the server log")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(AgentgraphError, agentgraph_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)
