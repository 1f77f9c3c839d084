"""The workbench: sign-in for browsers, the single-page app and the offline API docs.

``POST /ui/session`` exchanges an API key for a session cookie
(:mod:`agentgraph.api.sessions`); the app (``/`` and ``/ui/``), its assets and the
Swagger UI and ReDoc pages (``/docs``, ``/redoc``) are files shipped in the package
(``agentgraph/api/static``: the front end's built bundle and the vendored
``swagger-ui-dist`` and ``redoc`` files), so nothing loads from a CDN.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path

from agentgraph.api.deps import ServiceDep, same_origin
from agentgraph.api.errors import ApiError, responses
from agentgraph.api.schemas.workbench import SessionInfo, SignIn
from agentgraph.api.sessions import COOKIE, CSRF_HEADER
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.security import APIKeyCookie

__all__ = ["router", "STATIC", "static_files"]

router = APIRouter(tags=["workbench"])

_session_cookie = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    scheme_name="Session",
    description="The workbench's session cookie (POST /ui/session sets it).",
)
SessionCookie = Depends(_session_cookie)

STATIC = Path(__file__).resolve().parents[1] / "static"
"""The shipped files: ``ui/`` (the built app), ``vendor/`` and ``docs/``."""

_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css"}


@lru_cache(maxsize=1)
def static_files() -> dict[str, Path]:
    """URL path under ``/ui/`` -> shipped file; the only files ever served.

    Returns
    -------
    dict of str to Path
        ``assets/index-....js`` -> the file in ``static/ui``; ``vendor/...`` and
        ``docs/...`` -> the files of ``static/vendor`` and ``static/docs``.

    Notes
    -----
    O(files), once per process: a request names a key of this table or gets 404,
    so no path from a URL ever reaches the file system.

    Examples
    --------
    >>> files = static_files()
    >>> "docs/swagger.html" in files, any(".." in k for k in files)
    (True, False)
    """
    found: dict[str, Path] = {}
    for base, prefix in (
        (STATIC / "ui", ""),
        (STATIC / "vendor", "vendor/"),
        (STATIC / "docs", "docs/"),
    ):
        if base.is_dir():
            for f in sorted(base.rglob("*")):
                if f.is_file():
                    found[prefix + f.relative_to(base).as_posix()] = f
    return found


def _file(name: str) -> FileResponse:
    path = static_files().get(name)
    if path is None:
        if name == "index.html":
            raise ApiError(
                404,
                "not_found",
                "the workbench is not built: run `npm ci && npm run build` in frontend/",
            )
        raise ApiError(404, "not_found", f"no file /ui/{name}")
    kind = (
        _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
        kind += "; charset=utf-8"
    return FileResponse(path, media_type=kind)


@router.post(
    "/ui/session",
    response_model=SessionInfo,
    responses=responses(400, 401, 403),
    summary="Sign a browser in: an API key exchanged for a session cookie",
)
async def sign_in(
    body: SignIn, request: Request, response: Response, service: ServiceDep
) -> SessionInfo:
    """Check the key; set the ``agentgraph_session`` cookie; answer the CSRF token.

    The cookie is HttpOnly, SameSite=Strict, Path=/ and expires after
    ``session_seconds`` (Secure over https). Later requests of the browser are the
    key's, with its role; writes must send the token in ``X-CSRF-Token``.
    """
    if not same_origin(request):
        raise ApiError(403, "csrf_failed", "a sign-in from another origin is refused")
    who = service.auth.authenticate(body.key.get_secret_value())
    if who is None:
        raise ApiError(401, "unauthorized", "invalid or revoked API key")
    request.state.principal = who
    token, session = service.sessions.create(who)
    response.set_cookie(
        COOKIE,
        token,
        max_age=service.sessions.ttl_seconds,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    service.audit(who, "session.create")
    return SessionInfo.of(who, session.csrf_token, session.expires_at)


@router.get(
    "/ui/session",
    response_model=SessionInfo,
    responses=responses(401),
    summary="The browser's session: who is signed in, and the CSRF token for writes",
)
async def current_session(
    request: Request, service: ServiceDep, _: str | None = SessionCookie
) -> SessionInfo:
    session = service.sessions.get(request.cookies.get(COOKIE))
    if session is None or not service.auth.still_live(session.principal):
        raise ApiError(401, "unauthorized", "not signed in")
    return SessionInfo.of(session.principal, session.csrf_token, session.expires_at)


@router.delete(
    "/ui/session",
    status_code=204,
    responses=responses(401, 403),
    summary="Sign the browser out",
)
async def sign_out(
    request: Request, service: ServiceDep, _: str | None = SessionCookie
) -> Response:
    token = request.cookies.get(COOKIE)
    session = service.sessions.get(token)
    if session is None:
        raise ApiError(401, "unauthorized", "not signed in")
    if not same_origin(request) or not session.csrf_matches(request.headers.get(CSRF_HEADER)):
        raise ApiError(403, "csrf_failed", f"signing out needs the session's {CSRF_HEADER} header")
    service.sessions.delete(token)
    request.state.principal = session.principal
    service.audit(session.principal, "session.delete")
    out = Response(status_code=204)
    out.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return out


@router.get("/", include_in_schema=False)
async def home() -> FileResponse:
    return _file("index.html")


@router.get("/ui", include_in_schema=False)
async def ui_bare() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=308)


@router.get("/ui/", include_in_schema=False)
async def ui_index() -> FileResponse:
    return _file("index.html")


@router.get("/ui/assets/{name:path}", include_in_schema=False)
async def ui_asset(name: str) -> FileResponse:
    return _file(f"assets/{name}")


@router.get("/ui/vendor/{name:path}", include_in_schema=False)
async def ui_vendor(name: str) -> FileResponse:
    return _file(f"vendor/{name}")


@router.get("/ui/docs/{name:path}", include_in_schema=False)
async def ui_docs(name: str) -> FileResponse:
    return _file(f"docs/{name}")


def _top_file(name: str) -> None:
    async def serve() -> FileResponse:
        return _file(name)

    serve.__name__ = f"ui_{name}"
    router.add_api_route(f"/ui/{name}", serve, methods=["GET"], include_in_schema=False)


for _name in sorted(static_files()):  # the app's own top-level files (favicon, licences)
    if "/" not in _name and _name not in ("index.html", "session"):
        _top_file(_name)


@router.get("/docs", include_in_schema=False)
async def swagger() -> FileResponse:
    return _file("docs/swagger.html")


@router.get("/redoc", include_in_schema=False)
async def redoc() -> FileResponse:
    return _file("docs/redoc.html")
