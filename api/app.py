"""The FastAPI app factory: :func:`create_app`.

Routes live under ``/v1`` (one module per resource in :mod:`agentgraph.api.routes`), plus
``/healthz`` and ``/readyz``; OpenAPI at ``/openapi.json``, Swagger UI at
``/docs``. Every error uses the one shape of :mod:`agentgraph.api.errors`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from agentgraph.api.deps import audit_before_answer, reject_unknown_query
from agentgraph.api.errors import install_error_handlers
from agentgraph.api.middleware import LimitsMiddleware, SecurityHeadersMiddleware
from agentgraph.api.routes import MATCH_ORDER, ROUTERS
from agentgraph.api.schemas.common import ErrorResponse
from agentgraph.api.security import RedactKeysFilter
from agentgraph.api.service import Service
from agentgraph.api.settings import Settings, load_settings
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.types import ASGIApp

from agentgraph.version import __version__

__all__ = ["create_app", "DESCRIPTION"]

DESCRIPTION = """\
Measure recruitment hierarchies of agent ladders (微商) and flag pyramid selling.

**Counting** (2013 SPC/SPP/MPS opinion): a level is a layer of the recruitment
tree, the root is level 1, members include the root, thresholds include their
boundary. Policy `cn`: a network with >= 30 members over >= 3 levels meets the
prosecution threshold (`cn.threshold`); >= 120 members is serious (`cn.serious`).

**Keys and roles** (`Authorization: Bearer <key>`): *admin* manages tenants,
keys and reads the audit log; *analyst* ingests, scans and calls the guardrail;
*auditor* reads. Analyst and auditor keys see their own tenant only: another
tenant's dataset answers 404 exactly as a missing one.

**Errors** always read `{"error": {"code", "message", "details": [...]}}`.
**Lists** are paginated with `limit` / `offset` and give `total`.
"""

_TAGS = [
    {"name": "health", "description": "Probes, no key needed."},
    {"name": "tenants", "description": "Admin: tenants."},
    {"name": "keys", "description": "Admin: API keys (stored as salted hashes)."},
    {"name": "audit", "description": "Admin: who did what, when."},
    {"name": "datasets", "description": "A tenant's datasets."},
    {"name": "ingest", "description": "Uploads and JSON batches, all or nothing."},
    {
        "name": "evidence",
        "description": "Evidence beside the member table (payments), used by scans.",
    },
    {"name": "scans", "description": "Background scans and their reports."},
    {"name": "queries", "description": "Networks, agents, organisers, measured now."},
    {"name": "guardrail", "description": "Check and record recruitments in real time."},
    {
        "name": "workbench",
        "description": "Browser sign-in: an API key for a session cookie (the UI at /ui/).",
    },
]


def _openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """OpenAPI with the live limits (page size) and the error schema registered."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=_TAGS,
    )
    rank: dict[str, int] = {}
    for router in ROUTERS:
        for route in router.routes:
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", getattr(route, "path", ""))
            rank.setdefault(path, len(rank))  # OpenAPI writes {x:path} as {x}
    paths = schema.get("paths", {})
    schema["paths"] = dict(sorted(paths.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path_item in schema.get("paths", {}).values():
        for op in path_item.values():
            for status, resp in op.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:  # errors are always JSON
                    resp["content"] = {"application/json": {"schema": error_ref}}
            for param in op.get("parameters", []):
                if (
                    param.get("name") in ("limit", "recruits_limit", "chain_limit")
                    and param.get("in") == "query"
                ):
                    inner = param["schema"]
                    target = next(
                        (s for s in inner.get("anyOf", []) if s.get("type") == "integer"), inner
                    )
                    target["maximum"] = settings.page_size_max
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps.setdefault(
        "ErrorResponse",
        ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}"),
    )
    _hoist_defs(schema, comps)
    app.openapi_schema = schema
    return schema


def _hoist_defs(doc: dict[str, Any], comps: dict[str, Any]) -> None:
    """Move nested JSON Schema ``$defs`` into ``components/schemas`` and point refs there.

    Embedded schemas (the report's, pydantic's nested models) bring ``$defs`` with
    ``#/$defs/NAME`` refs, which OpenAPI tools resolve against the document root and
    fail on (ReDoc: "Invalid reference token: $defs"). A name already taken by a
    different schema gets the suffix ``_``.
    """
    renamed: dict[str, str] = {}

    def lift(node: Any) -> None:
        if isinstance(node, dict):
            defs = node.pop("$defs", None)
            for name, sub in (defs or {}).items():
                lift(sub)
                target = name
                while target in comps and comps[target] != sub:
                    target += "_"
                comps[target] = sub
                renamed[name] = target
            for value in node.values():
                lift(value)
        elif isinstance(node, list):
            for value in node:
                lift(value)

    def point(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                node["$ref"] = f"#/components/schemas/{renamed.get(name, name)}"
            for value in node.values():
                point(value)
        elif isinstance(node, list):
            for value in node:
                point(value)

    lift(doc)
    point(doc)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: open the store and metadata, mount routes, errors and limits.

    Parameters
    ----------
    settings : Settings, optional
        The service's settings; default :func:`~agentgraph.api.settings.load_settings`
        (the ``AGENTGRAPH_*`` environment), so ``uvicorn --factory
        agentgraph.api.app:create_app`` works.

    Returns
    -------
    FastAPI
        The ASGI app; ``app.state.service`` holds its
        :class:`~agentgraph.api.service.Service`, opened now and closed by the
        lifespan's shutdown.

    Raises
    ------
    SettingsError
        A weak bootstrap admin key outside dev mode, or an invalid setting.
    StoreError
        The store or the metadata store cannot be opened (e.g. another process
        owns the DuckDB file).
    PolicyError
        ``settings.policy`` names no policy pack.

    Notes
    -----
    O(number of routes), plus opening the stores. Routes live under ``/v1``,
    probes at ``/healthz`` and ``/readyz``; every error uses the one shape of
    :mod:`agentgraph.api.errors`.

    Examples
    --------
    >>> import tempfile
    >>> from fastapi.testclient import TestClient
    >>> from pydantic import SecretStr
    >>> from agentgraph.api import Settings, create_app
    >>> key = "Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     settings = Settings(
    ...         store=f"{tmp}/s.duckdb", meta_store=f"{tmp}/m.duckdb", admin_key=SecretStr(key)
    ...     )
    ...     with TestClient(create_app(settings)) as client:
    ...         ready = client.get("/readyz")
    ...         anonymous = client.get("/v1/me")
    ...         admin = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"})
    >>> ready.status_code, ready.json()
    (200, {'status': 'ok', 'checks': {'meta_store': 'ok', 'store': 'ok'}})
    >>> anonymous.status_code, anonymous.json()["error"]["code"]
    (401, 'unauthorized')
    >>> admin.json()
    {'key_id': 'bootstrap', 'role': 'admin', 'tenant': None}
    """
    settings = settings or load_settings()
    settings.check_secrets()
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="agentgraph compliance API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=_TAGS,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc are served offline by the workbench routes
        redoc_url=None,
        dependencies=[
            Depends(audit_before_answer, scope="function"),
            Depends(reject_unknown_query),
        ],
    )
    app.state.service = service
    app.state.settings = settings
    for router in MATCH_ORDER:  # hot paths first; documented in ROUTERS' order
        app.include_router(router)
    allow = [
        (route.path_regex, set(route.methods or ()))
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    install_error_handlers(app, max_details=settings.max_errors_per_file, allow=allow)
    app.add_middleware(
        LimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        request_timeout=settings.request_timeout,
        upload_timeout=settings.upload_timeout,
    )
    # Outermost, outside Starlette's error middleware: 500 answers get the headers too.
    build_stack = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeadersMiddleware(build_stack())

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactKeysFilter) for f in access.filters):
        access.addFilter(RedactKeysFilter())  # uvicorn logs paths with their query
    app.openapi = lambda: _openapi(app, settings)  # type: ignore[method-assign]
    return app
