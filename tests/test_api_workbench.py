"""The workbench's browser session: cookie, CSRF, roles, revocation; offline pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agentgraph.api.routes.workbench import static_files
from agentgraph.api.sessions import COOKIE, CSRF_HEADER, SessionStore
from agentgraph.api.testing import Harness, write_inputs

pytest_plugins = ("agentgraph.api.testing",)


def _key(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _sign_in(api: Harness, key: str) -> dict[str, str]:
    r = api.client.post("/ui/session", json={"key": key})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_signing_in_sets_a_strict_httponly_cookie_and_answers_a_csrf_token(api: Harness) -> None:
    analyst = api.key("acme", "analyst")
    r = api.client.post("/ui/session", json={"key": _key(analyst)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["role"] == "analyst" and body["tenant"] == "acme" and len(body["csrf_token"]) > 30
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    parts = {p.strip().lower() for p in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/"} <= parts
    assert any(p.startswith("max-age=") for p in parts)
    assert _key(analyst) not in cookie  # the key itself never goes into the cookie
    assert api.client.get("/v1/me").json()["role"] == "analyst"  # the cookie signs requests
    assert api.client.get("/ui/session").json()["csrf_token"] == body["csrf_token"]


def test_a_bad_key_is_refused_in_the_one_error_shape_and_sets_no_cookie(api: Harness) -> None:
    r = api.client.post("/ui/session", json={"key": "agk_0123456789ab_wrong"})
    Harness.error(r, 401, "unauthorized")
    assert "set-cookie" not in r.headers
    Harness.error(api.client.get("/ui/session"), 401, "unauthorized")
    Harness.error(api.client.post("/ui/session", json={"key": ""}), 422)
    Harness.error(api.client.post("/ui/session", json={"token": "x"}), 422)


def test_a_write_through_the_cookie_needs_the_csrf_token(api: Harness, tmp_path: Path) -> None:
    analyst = api.key("acme", "analyst")
    info = _sign_in(api, _key(analyst))
    r = api.client.post("/v1/datasets", json={"name": "d1", "kind": "members"})
    assert "X-CSRF-Token" in Harness.error(r, 403, "csrf_failed")["message"]
    r = api.client.post(
        "/v1/datasets", json={"name": "d1", "kind": "members"}, headers={CSRF_HEADER: "forged"}
    )
    Harness.error(r, 403, "csrf_failed")
    assert api.client.get("/v1/datasets/d1").status_code == 404  # nothing was made
    ok = {CSRF_HEADER: info["csrf_token"]}
    r = api.client.post("/v1/datasets", json={"name": "d1", "kind": "members"}, headers=ok)
    assert r.status_code == 201, r.text
    b30 = write_inputs(tmp_path)["b30"]
    with b30.open("rb") as fh:
        r = api.client.post("/v1/datasets/d1/files", files={"file": (b30.name, fh)}, headers=ok)
    assert r.status_code == 200, r.text
    # a write from another site's page is refused even with the token
    r = api.client.delete("/v1/datasets/d1", headers={**ok, "Origin": "https://evil.example"})
    Harness.error(r, 403, "csrf_failed")
    assert api.client.get("/v1/datasets/d1").status_code == 200


def test_the_session_has_its_keys_role_exactly(api: Harness) -> None:
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "ladder")
    auditor = api.key("acme", "auditor")
    info = _sign_in(api, _key(auditor))
    assert api.client.get("/v1/datasets/ladder").status_code == 200
    r = api.client.delete("/v1/datasets/ladder", headers={CSRF_HEADER: info["csrf_token"]})
    Harness.error(r, 403, "forbidden")
    other = api.key("globex", "analyst")
    _sign_in(api, _key(other))  # a new cookie replaces the old one
    Harness.error(api.client.get("/v1/datasets/ladder"), 404, "not_found")


def test_revoking_the_key_ends_its_sessions(api: Harness) -> None:
    r = api.client.post("/v1/keys", json={"tenant": "acme", "role": "analyst"}, headers=api.admin)
    api.tenant("acme")
    r = api.client.post("/v1/keys", json={"tenant": "acme", "role": "analyst"}, headers=api.admin)
    key = r.json()
    _sign_in(api, key["key"])
    assert api.client.get("/v1/me").status_code == 200
    assert api.client.delete(f"/v1/keys/{key['id']}", headers=api.admin).status_code in (200, 204)
    Harness.error(api.client.get("/v1/me"), 401, "unauthorized")
    Harness.error(api.client.get("/ui/session"), 401, "unauthorized")


def test_signing_out_needs_the_token_and_ends_the_session(api: Harness) -> None:
    info = _sign_in(api, _key(api.key("acme", "analyst")))
    Harness.error(api.client.delete("/ui/session"), 403, "csrf_failed")
    r = api.client.delete("/ui/session", headers={CSRF_HEADER: info["csrf_token"]})
    assert r.status_code == 204
    assert (
        f"{COOKIE}=" in r.headers["set-cookie"] and "max-age=0" in r.headers["set-cookie"].lower()
    )
    Harness.error(api.client.get("/v1/me"), 401, "unauthorized")
    Harness.error(api.client.delete("/ui/session"), 401, "unauthorized")


def test_a_bearer_key_wins_over_the_cookie_and_needs_no_csrf(api: Harness) -> None:
    _sign_in(api, _key(api.key("acme", "auditor")))
    analyst = api.key("acme", "analyst")
    r = api.client.post("/v1/datasets", json={"name": "d2", "kind": "members"}, headers=analyst)
    assert r.status_code == 201, r.text


def test_sign_in_and_out_are_audited(api: Harness) -> None:
    info = _sign_in(api, _key(api.key("acme", "analyst")))
    api.client.delete("/ui/session", headers={CSRF_HEADER: info["csrf_token"]})
    rows = api.client.get("/v1/audit", params={"tenant": "acme"}, headers=api.admin).json()
    actions = [row["action"] for row in rows["items"]]
    assert "session.create" in actions and "session.delete" in actions


def test_a_session_expires() -> None:
    from agentgraph.api.auth import Principal

    store = SessionStore(ttl_seconds=0)
    token, _ = store.create(Principal("0123456789ab", "analyst", "acme"))
    assert store.get(token) is None and len(store) == 0


def test_the_store_keeps_at_most_max_sessions() -> None:
    from agentgraph.api.auth import Principal

    store = SessionStore(ttl_seconds=60, max_sessions=3)
    tokens = [store.create(Principal(f"k{i:011d}", "analyst", "acme"))[0] for i in range(5)]
    assert len(store) == 3
    assert [store.get(t) is not None for t in tokens] == [False, False, True, True, True]


def test_docs_and_redoc_load_nothing_from_another_origin(api: Harness) -> None:
    for page in ("/docs", "/redoc"):
        r = api.client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert not re.search(r"(src|href)=\"https?:", r.text), r.text
        csp = r.headers["content-security-policy"]
        assert "https:" not in csp and "cdn" not in csp and "script-src 'self'" in csp
        for url in re.findall(r"(?:src|href)=\"(/[^\"]+)\"", r.text):
            got = api.client.get(url)
            assert got.status_code == 200 and got.content, url
    assert api.client.get("/openapi.json").status_code == 200


def test_only_shipped_files_are_served(api: Harness) -> None:
    for bad in ("/ui/../app.py", "/ui/%2e%2e/app.py", "/ui/docs/../../app.py", "/ui/nope.js"):
        assert api.client.get(bad).status_code == 404, bad
    assert all(".." not in name for name in static_files())


def test_exports_over_the_api_read_back_and_are_bounded(api_factory: Any, tmp_path: Path) -> None:
    import io

    import networkx as nx

    api = api_factory(max_export_agents=20)
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "b30", write_inputs(tmp_path)["b30"])
    r = api.client.get(
        "/v1/datasets/b30/export", params={"format": "gexf", "downline": "002"}, headers=analyst
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/gexf+xml")
    assert r.headers["content-disposition"].startswith('attachment; filename="b30-downline-002')
    g = nx.read_gexf(io.BytesIO(r.content))
    assert "002" in g and all(g.nodes[n]["level"] >= 2 for n in g)
    r = api.client.get(
        "/v1/datasets/b30/export", params={"format": "csv", "network": "001"}, headers=analyst
    )
    assert "20" in Harness.error(r, 422, "limit_exceeded")["message"]
    r = api.client.get(
        "/v1/datasets/b30/export", params={"format": "csv", "network": "002"}, headers=analyst
    )
    assert "not the root" in Harness.error(r, 404, "not_found")["message"]
    r = api.client.get(
        "/v1/datasets/b30/export", params={"format": "pdf", "network": "001"}, headers=analyst
    )
    Harness.error(r, 422)
    r = api.client.get("/v1/datasets/b30/export", params={"format": "csv"}, headers=analyst)
    Harness.error(r, 422, "validation_error")
