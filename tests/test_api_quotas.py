"""Issue 12, limits: per-tenant datasets (429) and stored bytes (413), refused in the
one error shape before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from agentgraph.api.testing import Harness, boundary_rows, write_csv

pytest_plugins = ("agentgraph.api.testing",)


def test_datasets_per_tenant(api_factory: Callable[..., Harness]) -> None:
    api = api_factory(max_datasets_per_tenant=2)
    acme, rival = api.key("acme", "analyst"), api.key("rival", "analyst")
    api.dataset(acme, "a")
    api.dataset(acme, "b")
    r = api.client.post("/v1/datasets", json={"name": "c", "kind": "members"}, headers=acme)
    err = api.error(r, 429, "quota_exceeded")
    assert "AGENTGRAPH_MAX_DATASETS_PER_TENANT" in err["message"]
    assert api.client.get("/v1/datasets/c", headers=acme).status_code == 404
    api.dataset(rival, "c")  # another tenant's count is its own
    assert api.client.delete("/v1/datasets/a", headers=acme).status_code == 204
    api.dataset(acme, "c")


def upload(api: Harness, key: dict[str, str], name: str, path: Path, mode: str) -> httpx.Response:
    with path.open("rb") as fh:
        return api.client.post(
            f"/v1/datasets/{name}/files",
            params={"mode": mode},
            files={"file": (path.name, fh)},
            headers=key,
        )


def test_tenant_storage(api_factory: Callable[..., Harness], tmp_path: Path) -> None:
    api = api_factory(max_tenant_bytes=3000)
    key = api.key("acme", "analyst")
    small = write_csv(tmp_path / "small.csv", boundary_rows(29))
    big = write_csv(tmp_path / "big.csv", boundary_rows(400, "x"))
    api.dataset(key, "a", small)
    api.dataset(key, "b")
    r = upload(api, key, "b", big, "replace")
    err = api.error(r, 413, "quota_exceeded")
    assert "AGENTGRAPH_MAX_TENANT_BYTES" in err["message"]
    assert api.client.get("/v1/datasets/b", headers=key).json()["rows"] == 0  # nothing written
    agents = [{"agent_id": f"y{k}", "upline_id": None} for k in range(300)]
    r = api.client.post("/v1/datasets/a/agents", json={"agents": agents}, headers=key)
    api.error(r, 413, "quota_exceeded")
    assert api.client.get("/v1/datasets/a", headers=key).json()["rows"] == 29
    # replacing frees what the dataset held; a recruitment counts too
    assert upload(api, key, "a", small, "replace").status_code == 200
    body = {"upline_id": "002", "agent_id": "N30"}
    assert api.client.post("/v1/datasets/a/recruitments", json=body, headers=key).is_success
    # the count survives a restart; deleting frees it
    api.restart()
    api.error(upload(api, key, "b", big, "replace"), 413)
    assert api.client.delete("/v1/datasets/a", headers=key).status_code == 204
    assert api.client.delete("/v1/datasets/b", headers=key).status_code == 204
    api.dataset(key, "b")
    r = upload(api, key, "b", write_csv(tmp_path / "mid.csv", boundary_rows(60, "z")), "replace")
    assert r.status_code == 200, r.text
