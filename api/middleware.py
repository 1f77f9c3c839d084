"""Request limits as one pure ASGI middleware: body size (413) and time (504).

Uploads (``POST /v1/datasets/{name}/files`` and ``.../evidence/{kind}``) get
``max_upload_bytes`` and ``upload_timeout``; every other request ``max_body_bytes`` and
``request_timeout``. A declared Content-Length over the limit is refused before
the body is read; a chunked body is counted as it arrives. Both answers use the
one error shape.
"""

from __future__ import annotations

import re

import anyio
from agentgraph.api.errors import error_response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LimitsMiddleware", "BodyTooLarge", "UPLOAD_PATH"]

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
