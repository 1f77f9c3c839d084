"""One JSON error shape on every route: 401, 403, 404, 405, 413, 422, 504."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import httpx
from agentgraph.api.middleware import LimitsMiddleware
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

PARAMS = {
    "dataset": "missing",
    "tenant_id": "nobody",
    "key_id": "0123456789ab",
    "scan_id": "scn_0000000000000000",
    "root_id": "x",
    "agent_id": "x",
}
OPEN = {"/healthz", "/readyz"}


def _routes(api: Harness) -> list[tuple[str, str, set[str]]]:
    """(method, concrete path, all methods of that path) for every documented route."""
    out = []
    for template, item in api.app.openapi()["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], template)
        methods = {m.upper() for m in item}
        for method in sorted(methods):
            out.append((method, path, methods))
    return out


def test_every_route_is_checked(api: Harness) -> None:
    assert len(_routes(api)) >= 25


def test_401_on_every_route_without_a_key(api: Harness) -> None:
    for method, path, _ in _routes(api):
        if path in OPEN or path.startswith("/ui/"):  # cookie sessions: test_api_workbench
            continue
        r = api.client.request(method, path)
        api.error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"
        r = api.client.request(method, path, headers={"Authorization": "Bearer agk_nope"})
        api.error(r, 401, "unauthorized")


def test_403_or_404_on_every_route_with_the_wrong_role(api: Harness) -> None:
    auditor = api.key("acme", "auditor")
    analyst = api.key("acme", "analyst")
    for method, path, _ in _routes(api):
        if path in OPEN or path.startswith("/ui/"):
            continue
        admin_route = path.startswith(("/v1/tenants", "/v1/keys", "/v1/audit"))
        wrong = analyst if path == "/v1/audit/export" else auditor  # auditors export theirs
        r = api.client.request(method, path, headers=wrong if admin_route else api.admin)
        if path == "/v1/me":
            assert r.status_code == 200
            continue
        if method == "GET" and not admin_route:  # auditors may read: then 404 or 200
            r = api.client.request(method, path, headers=auditor)
            if r.status_code != 200:
                api.error(r, 404, "not_found")
            r = api.client.request(method, path, headers=api.admin)
        api.error(r, 403, "forbidden")


def test_404_on_every_route_with_a_missing_resource(api: Harness) -> None:
    analyst = api.key("acme", "analyst")
    for method, path, _ in _routes(api):
        if path in OPEN or path == "/v1/me" or "{" not in _template(path):
            continue
        admin_route = path.startswith(("/v1/tenants", "/v1/keys", "/v1/audit"))
        body = _body(path)
        r = api.client.request(
            method, path, headers=api.admin if admin_route else analyst, json=body
        )
        api.error(r, 404, "not_found")


def _template(path: str) -> str:
    for value in PARAMS.values():
        path = path.replace(f"/{value}", "/{x}")
    return path


def _body(path: str) -> Any:
    if path.endswith(("recruitment-check", "recruitments")):
        return {"upline_id": "a", "agent_id": "b"}
    if path.endswith("/agents"):
        return {"agents": [{"agent_id": "a"}]}
    if path.endswith("/edges"):
        return {"edges": [{"upline_id": "a", "downline_id": "b"}]}
    return None


def test_405_on_every_route_with_a_wrong_method(api: Harness) -> None:
    for _, path, methods in _routes(api):
        wrong = next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in methods)
        r = api.client.request(wrong, path, headers=api.admin)
        if r.status_code == 405:
            api.error(r, 405, "method_not_allowed")
            assert "allow" in r.headers
        else:  # a sibling route answers that method; its own error shape then
            api.error(r, r.status_code)


def test_404_unknown_route_and_422_validation(api: Harness) -> None:
    api.error(api.client.get("/v1/nothing"), 404, "not_found")
    api.error(api.client.get("/nothing"), 404, "not_found")
    err = api.error(
        api.client.post("/v1/tenants", json={"id": "Bad Id"}, headers=api.admin),
        422,
        "validation_error",
    )
    assert err["details"][0]["field"] == "id"
    err = api.error(
        api.client.post(
            "/v1/tenants",
            content=b"{not json",
            headers={**api.admin, "Content-Type": "application/json"},
        ),
        422,
    )
    err = api.error(api.client.get("/v1/tenants?limit=0", headers=api.admin), 422)
    assert err["details"][0]["field"] == "limit"
    err = api.error(api.client.get("/v1/tenants?limit=51", headers=api.admin), 422)
    assert err["details"][0]["field"] == "limit"
    err = api.error(api.client.get("/v1/tenants?limt=5", headers=api.admin), 422)
    assert err["details"][0]["field"] == "limt" and "limit" in err["message"]
    err = api.error(api.client.get("/v1/tenants?limit=5&limit=6", headers=api.admin), 422)
    assert err["details"][0]["field"] == "limit"
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "d")
    err = api.error(
        api.client.post(
            "/v1/datasets/d/agents",
            json={"agents": [{"agent_id": "ok"}, {"agent_id": ""}, {"upline_id": "x"}]},
            headers=analyst,
        ),
        422,
    )
    assert [d["field"] for d in err["details"]] == ["agents[1].agent_id", "agents[2].agent_id"]


def test_413_for_bodies_over_the_limit(api: Harness) -> None:
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "d")
    big = b"agent_id,upline_id\n" + b"A,\n" * (1 << 19)  # 1.5 MiB > 1 MiB
    err = api.error(
        api.client.post("/v1/datasets/d/files?filename=a.csv", content=big, headers=analyst),
        413,
        "payload_too_large",
    )
    assert "limit" in err["message"]

    def chunks() -> Any:  # no Content-Length: counted while streaming
        for _ in range(24):
            yield b"A,\n" * 20000

    api.error(
        api.client.post("/v1/datasets/d/files?filename=a.csv", content=chunks(), headers=analyst),
        413,
        "payload_too_large",
    )
    api.error(
        api.client.post("/v1/datasets/d/files", files={"file": ("a.csv", big)}, headers=analyst),
        413,
    )
    rows = [{"agent_id": f"a{k}"} for k in range(1001)]
    api.error(
        api.client.post("/v1/datasets/d/agents", json={"agents": rows}, headers=analyst),
        413,
        "payload_too_large",
    )
    huge = b'{"id": "' + b"x" * (1 << 20) + b'"}'
    api.error(
        api.client.post(
            "/v1/tenants", content=huge, headers={**api.admin, "Content-Type": "application/json"}
        ),
        413,
        "payload_too_large",
    )
    assert api.client.get("/v1/datasets/d", headers=analyst).json()["rows"] == 0


def test_504_when_a_request_outlives_the_timeout(api: Harness) -> None:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(5)

    app = LimitsMiddleware(
        slow, max_body_bytes=10, max_upload_bytes=10, request_timeout=0.05, upload_timeout=0.05
    )

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            return await c.get("/v1/anything")

    api.error(asyncio.run(go()), 504, "request_timeout")
