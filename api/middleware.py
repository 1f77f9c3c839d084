"""Pure ASGI middlewares: request limits, security headers, keys kept out of URLs.

:class:`LimitsMiddleware`: body size (413) and time (504).

Uploads (``POST /v1/datasets/{name}/files`` and ``.../evidence/{kind}``) get
``max_upload_bytes`` and ``upload_timeout``; every other request ``max_body_bytes`` and
``request_timeout``. A declared Content-Length over the limit is refused before
the body is read; a chunked body is counted as it arrives. Both answers use the
one error shape.

:class:`SecurityHeadersMiddleware`: security headers on every answer (errors, 404s,
the HTML report and ``/docs`` included) and a 400 for a request whose query string
carries an API key (keys go in ``Authorization: Bearer`` only).
"""

from __future__ import annotations

import re

import anyio
from agentgraph.api.errors import error_response
from agentgraph.api.security import query_has_key
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agentgraph.report.html.style import CONTENT_SECURITY_POLICY

__all__ = [
    "LimitsMiddleware",
    "BodyTooLarge",
    "UPLOAD_PATH",
    "SecurityHeadersMiddleware",
    "JSON_CSP",
    "REPORT_CSP",
    "DOCS_CSP",
    "DOCS_PATHS",
    "QUERY_KEY_MESSAGE",
]

UPLOAD_PATH = re.compile(r"^/v1/datasets/[^/]+/(files|evidence/[^/]+)/?$")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body passes its limit.

    FastAPI re-raises HTTP exceptions unchanged, so the answer is 413 in the one
    shape.

    Parameters
    ----------
    limit : int
        The limit passed, in bytes.

    Examples
    --------
    >>> from agentgraph.api.middleware import BodyTooLarge
    >>> exc = BodyTooLarge(1024)
    >>> exc.status_code, exc.detail
    (413, 'the request body is larger than the limit of 1024 bytes')
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


class LimitsMiddleware:
    """Body size (413) and time (504) limits, uploads with limits of their own.

    A declared Content-Length over the limit is refused before the body is read; a
    chunked body is counted as it arrives (uploads are counted by the upload
    spooler, which names the setting). A request that has not started its answer
    when the time is up answers 504.

    Parameters
    ----------
    app : ASGI app
        The app to wrap.
    max_body_bytes, max_upload_bytes : int
        Body limits of other requests and of uploads (:data:`UPLOAD_PATH`).
    request_timeout, upload_timeout : float
        Seconds before 504, of other requests and of uploads.

    Examples
    --------
    >>> from fastapi import FastAPI, Request
    >>> from fastapi.testclient import TestClient
    >>> from agentgraph.api.errors import install_error_handlers
    >>> from agentgraph.api.middleware import LimitsMiddleware
    >>> app = FastAPI()
    >>> install_error_handlers(app)
    >>> @app.post("/echo")
    ... async def echo(request: Request) -> int:
    ...     return len(await request.body())
    >>> app.add_middleware(
    ...     LimitsMiddleware, max_body_bytes=10, max_upload_bytes=100,
    ...     request_timeout=5.0, upload_timeout=5.0,
    ... )
    >>> client = TestClient(app)
    >>> client.post("/echo", content=b"0123456789").json()
    10
    >>> r = client.post("/echo", content=b"0123456789A")
    >>> r.status_code, r.json()["error"]["message"]
    (413, 'the request body is larger than the limit of 10 bytes')
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        request_timeout: float,
        upload_timeout: float,
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes
        self.timeout = request_timeout
        self.upload_timeout = upload_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection within its limits."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["method"] == "POST" and bool(UPLOAD_PATH.match(scope["path"]))
        limit = self.max_upload if upload else self.max_body
        timeout = self.upload_timeout if upload else self.timeout
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    what = "upload" if upload else "request body"
                    await error_response(
                        413,
                        "payload_too_large",
                        f"the {what} is larger than the limit of {limit} bytes",
                    )(scope, receive, send)
                    return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not upload:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with anyio.move_on_after(timeout) as scope_timer:
            await self.app(scope, limited_receive, tracking_send)
        if scope_timer.cancelled_caught and not started:
            await error_response(
                504, "request_timeout", f"the request took longer than {timeout:g} s"
            )(scope, receive, send)


JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""Content-Security-Policy of every answer but HTML pages: nothing may load or run."""

REPORT_CSP = (
    f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""Content-Security-Policy of HTML pages (the report): its inline style only, no script."""

DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
"""Content-Security-Policy of the API docs pages (:data:`DOCS_PATHS`): Swagger UI and ReDoc
served from the package (``/ui/vendor``), their start-up in a file; the inline styles they
set are allowed, nothing from elsewhere."""

UI_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
"""Content-Security-Policy of the workbench's page (``/`` and ``/ui/``): its own script and
style files only, no inline script, no other origin."""

DOCS_PATHS = frozenset({"/docs", "/redoc"})
"""The pages served with :data:`DOCS_CSP`."""

QUERY_KEY_MESSAGE = (
    "API keys are accepted only in the Authorization header (Authorization: Bearer <key>), "
    "never in the URL: remove the key from the query string (and revoke it if it was shared)"
)
"""The message of the 400 answer to a query string that carries a key."""

HSTS = "max-age=31536000"
"""Strict-Transport-Security, sent only on requests that came over https."""


class SecurityHeadersMiddleware:
    """Security headers on every answer; a key in the query string refused (400).

    Every HTTP answer gets ``X-Content-Type-Options: nosniff``, ``X-Frame-Options:
    DENY``, ``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` and a
    Content-Security-Policy: :data:`REPORT_CSP` for HTML pages, :data:`DOCS_CSP` for
    :data:`DOCS_PATHS`, :data:`UI_CSP` for the workbench, :data:`JSON_CSP` for everything
    else. Requests that came over
    https (``scope["scheme"]``; the service itself speaks plain HTTP, so only when
    uvicorn is given a certificate) also get ``Strict-Transport-Security``. A request
    whose query string carries a key (:func:`~agentgraph.api.security.query_has_key`)
    answers 400 ``bad_request`` before any route runs.

    :func:`~agentgraph.api.app.create_app` wraps the whole app with it (outside
    Starlette's error middleware), so 500 answers carry the headers too.

    Parameters
    ----------
    app : ASGI app
        The app to wrap.
    refuse_query_keys : bool, default True
        Answer 400 to a query string carrying a key.

    Notes
    -----
    O(number of response headers + length of the query string) per request; the
    body is passed through untouched.

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> from agentgraph.api.middleware import SecurityHeadersMiddleware
    >>> app = FastAPI()
    >>> @app.get("/hello")
    ... async def hello() -> str:
    ...     return "hi"
    >>> client = TestClient(SecurityHeadersMiddleware(app))
    >>> r = client.get("/hello")
    >>> r.headers["x-frame-options"], r.headers["content-security-policy"].split("; ")[0]
    ('DENY', "default-src 'none'")
    >>> r = client.get("/hello?api_key=agk_0123456789ab_s3cr3t")
    >>> r.status_code, r.json()["error"]["code"], r.headers["cache-control"]
    (400, 'bad_request', 'no-store')
    """

    def __init__(self, app: ASGIApp, *, refuse_query_keys: bool = True) -> None:
        self.app = app
        self.refuse_query_keys = refuse_query_keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection, adding the headers to its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        path = scope.get("path", "")
        docs = path in DOCS_PATHS
        ui = path == "/" or path == "/ui" or path.startswith("/ui/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").lower().startswith("text/html")
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cache-Control"] = "no-store"
                headers["Content-Security-Policy"] = (
                    (DOCS_CSP if docs else UI_CSP if ui else REPORT_CSP) if html else JSON_CSP
                )
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        query = scope.get("query_string", b"").decode("latin-1")
        if self.refuse_query_keys and query_has_key(query):
            await error_response(400, "bad_request", QUERY_KEY_MESSAGE)(
                scope, receive, send_with_headers
            )
            return
        await self.app(scope, receive, send_with_headers)
