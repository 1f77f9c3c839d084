"""Dependencies as ``Annotated`` aliases: service, caller, roles, paging, datasets.

All are ``async def`` and do no blocking work (FastAPI would otherwise run each in
the thread pool, a hop per dependency per request).

Role checks come before dataset lookups, and a dataset is looked up only inside
the caller's tenant, so another tenant's dataset answers 404 exactly like one
that does not exist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import Future
from typing import Annotated, Any

from agentgraph.api.auth import DatasetRef, Principal
from agentgraph.api.errors import ApiError
from agentgraph.api.paging import Paging
from agentgraph.api.registry import store_name
from agentgraph.api.schemas.common import NAME_PATTERN
from agentgraph.api.service import PENDING_AUDIT, Service
from agentgraph.api.sessions import COOKIE, CSRF_HEADER, SAFE_METHODS
from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

__all__ = [
    "ServiceDep",
    "PrincipalDep",
    "AdminDep",
    "AuditReaderDep",
    "AnalystDep",
    "ReaderDep",
    "Paging",
    "PagingDep",
    "ReadableDataset",
    "WritableDataset",
    "DatasetRef",
    "DatasetName",
    "not_found_dataset",
    "reject_unknown_query",
    "audit_before_answer",
]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description=("An API key: 'Authorization: Bearer agk_...' (or the bootstrap admin key)."),
)


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


async def audit_before_answer(request: Request) -> AsyncIterator[None]:
    """Hold a request's answer until every audit row it wrote is committed.

    Every route depends on it (``FastAPI(dependencies=[Depends(...,
    scope="function")])``): the code after ``yield`` runs when the handler has
    returned and before the answer is sent, so an acknowledged write always has
    its audit row in the metadata store (a kill -9 after the answer loses none).

    Parameters
    ----------
    request : Request
        The incoming request.

    Returns
    -------
    AsyncIterator[None]
        A generator yielding once, while the handler runs.

    Raises
    ------
    ApiError
        503 ``audit_unavailable`` when a row could not be written (the change
        itself may have been made; the answer says so).

    Notes
    -----
    O(rows written by the request); a request that writes none waits for nothing.

    Examples
    --------
    >>> import tempfile
    >>> from fastapi.testclient import TestClient
    >>> from pydantic import SecretStr
    >>> from agentgraph.api import Settings, create_app
    >>> key = "Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     app = create_app(Settings(store=f"{tmp}/s.duckdb", admin_key=SecretStr(key)))
    ...     with TestClient(app) as client:
    ...         r = client.post("/v1/tenants", json={"id": "acme"},
    ...                         headers={"Authorization": f"Bearer {key}"})
    ...         rows, _ = app.state.service.meta.audit_log(  # no flush needed
    ...             tenant="acme", key_id=None, action=None, dataset=None, limit=5, offset=0)
    >>> r.status_code, [row.action for row in rows]
    (201, ['tenant.create'])
    """
    pending: list[Future[None]] = []
    PENDING_AUDIT.set(pending)
    yield
    if pending:
        failure = await Service.wait_audit(pending)
        if failure is not None:
            raise ApiError(
                503,
                "audit_unavailable",
                "the audit row of this request could not be written; the change may "
                "have been made: check before retrying",
            )


async def get_principal(
    request: Request,
    service: ServiceDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from ``Authorization: Bearer <key>`` or a workbench session; 401 otherwise.

    A bearer key wins when both are sent. A session (the ``agentgraph_session``
    cookie, :mod:`agentgraph.api.sessions`) stands for the key it was opened with
    while that key is live; a write through it must carry the session's
    ``X-CSRF-Token`` and come from no other origin (403 ``csrf_failed``). The
    caller is kept in ``request.state.principal`` (refusals are audited by key id).
    """
    challenge = {"WWW-Authenticate": "Bearer"}
    if creds is None or not creds.credentials:
        who = _session_principal(request, service)
        if who is None:
            raise ApiError(
                401,
                "unauthorized",
                "an API key is required: Authorization: Bearer <key> (or sign in at /ui/)",
                headers=challenge,
            )
        request.state.principal = who
        return who
    who = service.auth.authenticate(creds.credentials)
    if who is None:
        raise ApiError(401, "unauthorized", "invalid or revoked API key", headers=challenge)
    request.state.principal = who
    return who


def same_origin(request: Request) -> bool:
    """Whether the request's ``Origin`` (when sent) is the service's own.

    Parameters
    ----------
    request : Request
        The incoming request.

    Returns
    -------
    bool
        True when no ``Origin`` header was sent or it names this scheme and host.

    Examples
    --------
    >>> from starlette.requests import Request
    >>> def req(origin):
    ...     headers = [(b"host", b"127.0.0.1:8000")]
    ...     if origin:
    ...         headers.append((b"origin", origin.encode()))
    ...     return Request({"type": "http", "scheme": "http", "path": "/", "query_string": b"",
    ...                     "headers": headers})
    >>> same_origin(req(None)), same_origin(req("http://127.0.0.1:8000"))
    (True, True)
    >>> same_origin(req("https://evil.example"))
    False
    """
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin == f"{request.url.scheme}://{host}"


def _session_principal(request: Request, service: Service) -> Principal | None:
    """The principal of the request's live session, None without one; CSRF checked."""
    token = request.cookies.get(COOKIE)
    session = service.sessions.get(token)
    if session is None or not service.auth.still_live(session.principal):
        if session is not None:
            service.sessions.delete(token)
        return None
    if request.method not in SAFE_METHODS:
        if not same_origin(request):
            raise ApiError(403, "csrf_failed", "a write from another origin is refused")
        if not session.csrf_matches(request.headers.get(CSRF_HEADER)):
            raise ApiError(
                403,
                "csrf_failed",
                f"a write from the workbench must carry the session's {CSRF_HEADER} header",
            )
    return session.principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _require(*roles: str) -> object:
    async def check(who: PrincipalDep) -> Principal:
        if who.role not in roles:
            raise ApiError(
                403, "forbidden", f"a {who.role} key may not do this (needs: {' or '.join(roles)})"
            )
        return who

    return check


AdminDep = Annotated[Principal, Depends(_require("admin"))]
AuditReaderDep = Annotated[Principal, Depends(_require("admin", "auditor"))]
AnalystDep = Annotated[Principal, Depends(_require("analyst"))]
ReaderDep = Annotated[Principal, Depends(_require("analyst", "auditor"))]


async def get_paging(
    service: ServiceDep,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            description=(
                "Items per page (default AGENTGRAPH_PAGE_SIZE_DEFAULT, at most "
                "AGENTGRAPH_PAGE_SIZE_MAX)."
            ),
        ),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=2**62, description=("Items to skip."))] = 0,
) -> Paging:
    s = service.settings
    if limit is not None and limit > s.page_size_max:
        raise ApiError(
            422,
            "validation_error",
            f"limit must be <= {s.page_size_max}",
            [{"field": "limit", "message": f"at most {s.page_size_max}"}],
        )
    return Paging(limit or min(s.page_size_default, s.page_size_max), offset)


PagingDep = Annotated[Paging, Depends(get_paging)]

DatasetName = Annotated[str, Path(pattern=NAME_PATTERN, description="Dataset name.")]


def _is_list(schema: dict[str, Any]) -> bool:
    options: list[Any] = schema.get("anyOf", [schema])
    return any(isinstance(o, dict) and o.get("type") == "array" for o in options)


def _query_names(request: Request) -> dict[tuple[str, str], dict[str, bool]]:
    """(path template, method) -> query parameter name -> repeatable (a list)."""
    table: dict[tuple[str, str], dict[str, bool]] | None = getattr(
        request.app.state, "query_names", None
    )
    if table is None:
        table = {}
        for path, item in request.app.openapi().get("paths", {}).items():
            for method, op in item.items():
                table[(path, method.upper())] = {
                    p["name"]: _is_list(p.get("schema", {}))
                    for p in op.get("parameters", [])
                    if p.get("in") == "query"
                }
        request.app.state.query_names = table
    return table


async def reject_unknown_query(request: Request) -> None:
    """Refuse query parameters a route does not know, and single ones given twice.

    A typo like ``limt`` is an error, not silently ignored. Every route depends on
    it (``FastAPI(dependencies=...)``).

    Parameters
    ----------
    request : Request
        The incoming request.

    Raises
    ------
    ApiError
        422 ``validation_error`` naming each unknown or repeated parameter.

    Notes
    -----
    O(number of query parameters); the table of each route's parameters is built
    once per app from its OpenAPI document.

    Examples
    --------
    >>> import tempfile
    >>> from fastapi.testclient import TestClient
    >>> from pydantic import SecretStr
    >>> from agentgraph.api import Settings, create_app
    >>> key = "Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     app = create_app(Settings(store=f"{tmp}/s.duckdb", admin_key=SecretStr(key)))
    ...     with TestClient(app) as client:
    ...         r = client.get("/v1/tenants?limt=5", headers={"Authorization": f"Bearer {key}"})
    >>> r.status_code, r.json()["error"]["message"]
    (422, 'unknown query parameter(s): limt; known: limit, offset')
    """
    if not request.query_params:
        return
    route = request.scope.get("route")
    known = _query_names(request).get((getattr(route, "path_format", ""), request.method))
    if known is None:
        return
    unknown = sorted({k for k in request.query_params if k not in known})
    if unknown:
        raise ApiError(
            422,
            "validation_error",
            "unknown query parameter(s): "
            f"{', '.join(unknown)[:200]}; known: {', '.join(sorted(known)) or 'none'}",
            [{"field": k[:100], "message": "unknown query parameter"} for k in unknown[:20]],
        )
    repeated = sorted(
        {
            k
            for k in request.query_params
            if not known[k] and len(request.query_params.getlist(k)) > 1
        }
    )
    if repeated:
        raise ApiError(
            422,
            "validation_error",
            f"query parameter(s) given more than once: {', '.join(repeated)}",
            [{"field": k, "message": "give it once"} for k in repeated],
        )


def not_found_dataset(name: str) -> ApiError:
    """The one answer for a dataset that is missing or another tenant's.

    Parameters
    ----------
    name : str
        The dataset name the caller asked for.

    Returns
    -------
    ApiError
        404 ``not_found`` (to raise).

    Notes
    -----
    O(1). The same answer either way, so a key cannot probe other tenants.

    Examples
    --------
    >>> from agentgraph.api.deps import not_found_dataset
    >>> err = not_found_dataset("ladder")
    >>> err.status, err.code, err.message
    (404, 'not_found', "no dataset 'ladder'")
    """
    err = ApiError(404, "not_found", f"no dataset {name!r}")
    err.denied = True  # audited: a key asking for data it cannot see
    return err


def _dataset(service: Service, who: Principal, name: str) -> DatasetRef:
    if who.tenant is None:
        raise not_found_dataset(name)
    rec = service.meta.dataset(who.tenant, name)
    if rec is None or rec.store_name != store_name(who.tenant, name):
        raise not_found_dataset(name)
    return DatasetRef(rec, who)


async def readable_dataset(service: ServiceDep, who: ReaderDep, dataset: DatasetName) -> DatasetRef:
    return _dataset(service, who, dataset)


async def writable_dataset(
    service: ServiceDep, who: AnalystDep, dataset: DatasetName
) -> DatasetRef:
    return _dataset(service, who, dataset)


ReadableDataset = Annotated[DatasetRef, Depends(readable_dataset)]
WritableDataset = Annotated[DatasetRef, Depends(writable_dataset)]
