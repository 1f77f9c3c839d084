"""Keys, roles, tenant boundaries, the bootstrap secret and the audit log."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
from agentgraph.api import Settings, SettingsError, create_app
from agentgraph.api.settings import weak_secret

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "changeme",
        "change-me-please-0123456789abc",
        "short-but-random-Zk3",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "<your-admin-key-goes-here-1234>",
    ],
)
def test_refuses_to_start_with_a_placeholder_secret(secret: str, tmp_path: Path) -> None:
    assert weak_secret(secret)
    with pytest.raises(SettingsError, match="refusing to start"):
        create_app(Settings(store=str(tmp_path / "s.duckdb"), admin_key=secret))
    create_app(Settings(store=str(tmp_path / "d.duckdb"), admin_key=secret, dev_mode=True))


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTGRAPH_PAGE_SIZE_MAX", "7")
    monkeypatch.setenv("AGENTGRAPH_DEV_MODE", "1")
    s = Settings()
    assert s.page_size_max == 7 and s.dev_mode
    assert Settings(store="x/y.duckdb").meta_path() == "x/y.duckdb.meta.duckdb"
    assert Settings(store="duckdb://:memory:").meta_path() == ":memory:"


def test_me_and_bootstrap_admin(api: Harness) -> None:
    assert api.client.get("/v1/me", headers=api.admin).json() == {
        "key_id": "bootstrap",
        "role": "admin",
        "tenant": None,
    }
    api.error(api.client.get("/v1/me", headers={"Authorization": "Bearer " + "x" * 32}), 401)


def test_keys_are_stored_hashed_and_never_logged(
    api: Harness, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    api.tenant("acme")
    r = api.client.post(
        "/v1/keys", json={"tenant": "acme", "role": "analyst", "name": "robot"}, headers=api.admin
    )
    assert r.status_code == 201
    made = r.json()
    token = made["key"]
    secret = token.split("_", 2)[2]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/v1/me", headers=headers).json()["key_id"] == made["id"]
    listed = api.client.get("/v1/keys", headers=api.admin).json()
    assert "key" not in listed["items"][0] and token not in str(listed)
    assert "key" not in api.client.get(f"/v1/keys/{made['id']}", headers=api.admin).json()
    audit = api.client.get("/v1/audit", headers=api.admin).json()
    assert secret not in str(audit)
    assert token not in caplog.text and secret not in caplog.text
    meta = api.settings.meta_path()
    api.close()  # stop the app: release the DuckDB files
    con = duckdb.connect(meta, read_only=True)
    rows = con.execute("SELECT id, salt, hash FROM api_keys").fetchall()
    dump = str(con.execute("SELECT * FROM api_keys").fetchall())
    con.close()
    assert secret not in dump and token not in dump
    key_id, salt, digest = next(r for r in rows if r[0] == made["id"])
    assert digest == hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()
    assert len({r[1] for r in rows}) == len(rows)  # a salt per key


def test_key_rules_and_revocation(api: Harness) -> None:
    c, admin = api.client, api.admin
    api.error(c.post("/v1/keys", json={"role": "analyst"}, headers=admin), 422)
    api.error(c.post("/v1/keys", json={"role": "admin", "tenant": "acme"}, headers=admin), 422)
    api.error(c.post("/v1/keys", json={"role": "auditor", "tenant": "nobody"}, headers=admin), 404)
    api.error(c.post("/v1/keys", json={"role": "root"}, headers=admin), 422)
    other_admin = c.post("/v1/keys", json={"role": "admin"}, headers=admin).json()
    h = {"Authorization": f"Bearer {other_admin['key']}"}
    assert c.get("/v1/tenants", headers=h).status_code == 200
    assert c.delete(f"/v1/keys/{other_admin['id']}", headers=admin).status_code == 204
    api.error(c.get("/v1/tenants", headers=h), 401, "unauthorized")
    assert c.get(f"/v1/keys/{other_admin['id']}", headers=admin).json()["revoked_at"]
    api.error(c.delete("/v1/keys/0123456789ab", headers=admin), 404)
    # a right id with a wrong secret
    forged = other_admin["key"][:-4] + "AAAA"
    api.error(c.get("/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401)


def test_roles(api: Harness, inputs: dict[str, Path]) -> None:
    c = api.client
    analyst, auditor = api.key("acme", "analyst"), api.key("acme", "auditor")
    api.dataset(analyst, "d", inputs["b30"])
    # admin: tenants, keys, audit; not data
    api.error(c.get("/v1/datasets", headers=api.admin), 403, "forbidden")
    api.error(c.get("/v1/datasets/d/agents/001", headers=api.admin), 403)
    # analyst: data, not administration
    for path in ("/v1/tenants", "/v1/keys", "/v1/audit"):
        api.error(c.get(path, headers=analyst), 403, "forbidden")
    api.error(c.post("/v1/keys", json={"role": "admin"}, headers=analyst), 403)
    # auditor: reads only
    assert c.get("/v1/datasets/d", headers=auditor).status_code == 200
    assert c.get("/v1/datasets/d/agents/001", headers=auditor).status_code == 200
    assert c.get("/v1/datasets/d/networks", headers=auditor).status_code == 200
    scan = api.scan(analyst, "d")
    assert c.get(f"/v1/scans/{scan['id']}/report", headers=auditor).status_code == 200
    for method, path, body in (
        ("POST", "/v1/datasets", {"name": "x"}),
        ("DELETE", "/v1/datasets/d", None),
        ("POST", "/v1/datasets/d/agents", {"agents": [{"agent_id": "z"}]}),
        ("POST", "/v1/datasets/d/scans", None),
        ("POST", "/v1/datasets/d/recruitments", {"upline_id": "001", "agent_id": "n"}),
    ):
        api.error(c.request(method, path, json=body, headers=auditor), 403, "forbidden")
    assert c.get("/v1/datasets/d", headers=auditor).json()["rows"] == 30
    # a recruitment check changes nothing: an auditor may run it
    body = {"upline_id": "001", "agent_id": "n"}
    r = c.post("/v1/datasets/d/recruitment-check", json=body, headers=auditor)
    assert r.status_code == 200 and r.json()["level"] == 2
    assert c.get("/v1/datasets/d", headers=auditor).json()["rows"] == 30


def test_another_tenants_dataset_is_exactly_a_missing_one(
    api: Harness, inputs: dict[str, Path]
) -> None:
    c = api.client
    a, b = api.key("alpha", "analyst"), api.key("beta", "analyst")
    b_auditor = api.key("beta", "auditor")
    api.dataset(a, "secret", inputs["b30"])
    scan = api.scan(a, "secret")
    for headers in (b, b_auditor):
        for path in (
            "/v1/datasets/{}",
            "/v1/datasets/{}/networks",
            "/v1/datasets/{}/agents/001",
            "/v1/datasets/{}/networks/001",
            "/v1/datasets/{}/organisers",
            "/v1/datasets/{}/scans",
        ):
            theirs = c.get(path.format("secret"), headers=headers)
            missing = c.get(path.format("nothing"), headers=headers)
            assert theirs.status_code == missing.status_code == 404
            assert theirs.json()["error"]["message"].replace("secret", "X") == missing.json()[
                "error"
            ]["message"].replace("nothing", "X")
        for suffix in ("", "/report", "/report.html"):
            api.error(c.get(f"/v1/scans/{scan['id']}{suffix}", headers=headers), 404)
    for method, suffix, body in (
        ("DELETE", "", None),
        ("POST", "/scans", None),
        ("POST", "/recruitments", {"upline_id": "001", "agent_id": "x"}),
        ("POST", "/agents", {"agents": [{"agent_id": "x"}]}),
    ):
        api.error(c.request(method, f"/v1/datasets/secret{suffix}", json=body, headers=b), 404)
    assert c.get("/v1/datasets", headers=b).json()["total"] == 0
    api.dataset(b, "secret", inputs["b29"])  # same name, another tenant: independent
    assert c.get("/v1/datasets/secret", headers=b).json()["rows"] == 29
    assert c.get("/v1/datasets/secret", headers=a).json()["rows"] == 30


def test_tenants_crud(api: Harness, inputs: dict[str, Path]) -> None:
    c, admin = api.client, api.admin
    assert (
        c.post("/v1/tenants", json={"id": "acme", "name": "ACME"}, headers=admin).status_code == 201
    )
    api.error(c.post("/v1/tenants", json={"id": "acme"}, headers=admin), 409, "conflict")
    assert c.get("/v1/tenants/acme", headers=admin).json()["name"] == "ACME"
    for k in range(12):
        api.tenant(f"t{k:02d}")
    page = c.get("/v1/tenants?limit=5&offset=10", headers=admin).json()
    assert page["total"] == 13 and len(page["items"]) == 3 and page["next_offset"] is None
    assert c.get("/v1/tenants?limit=5", headers=admin).json()["next_offset"] == 5
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "d", inputs["b29"])
    api.error(c.delete("/v1/tenants/acme", headers=admin), 409, "tenant_not_empty")
    assert c.delete("/v1/datasets/d", headers=analyst).status_code == 204
    assert c.delete("/v1/tenants/acme", headers=admin).status_code == 204
    api.error(c.get("/v1/me", headers=analyst), 401)  # its keys were revoked
    api.error(c.get("/v1/tenants/acme", headers=admin), 404)
    api.error(c.delete("/v1/tenants/acme", headers=admin), 404)


def test_audit_log(api: Harness, inputs: dict[str, Path]) -> None:
    c = api.client
    analyst = api.key("acme", "analyst")
    me = c.get("/v1/me", headers=analyst).json()["key_id"]
    api.dataset(analyst, "d", inputs["b29"])
    c.post(
        "/v1/datasets/d/recruitments", json={"upline_id": "002", "agent_id": "new"}, headers=analyst
    )
    log = c.get("/v1/audit?tenant=acme", headers=api.admin).json()
    actions = [e["action"] for e in log["items"]]
    assert actions[:3] == ["recruitment.apply", "dataset.ingest", "dataset.create"]
    e = log["items"][0]
    assert (e["key_id"], e["role"], e["tenant"], e["dataset"]) == (me, "analyst", "acme", "d")
    assert e["at"].endswith("Z") and e["detail"]["agent_id"] == "new"
    only = c.get("/v1/audit?action=dataset.ingest", headers=api.admin).json()
    assert only["total"] == 1 and only["items"][0]["detail"]["files"] == ["b29.csv"]
    admin_actions = c.get("/v1/audit?key_id=bootstrap", headers=api.admin).json()["items"]
    assert {"tenant.create", "key.create"} <= {x["action"] for x in admin_actions}


def test_audit_reads_when_asked(
    api_factory: Callable[..., Harness], inputs: dict[str, Path]
) -> None:
    api = api_factory(audit_reads=True)
    h = api.key("acme", "auditor")
    writer = api.key("acme", "analyst")
    api.dataset(writer, "d", inputs["b30"])
    assert api.client.get("/v1/datasets/d/agents/007", headers=h).status_code == 200
    log = api.client.get("/v1/audit?action=agent.read", headers=api.admin).json()
    assert log["total"] == 1 and log["items"][0]["role"] == "auditor"
