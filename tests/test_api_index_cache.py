"""Issue 12, finding 3: live indexes are a memory-bounded cache (least recently used
evicted past AGENTGRAPH_INDEX_CACHE_BYTES, rebuilt on demand)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agentgraph.api.registry import index_bytes
from agentgraph.api.testing import Harness, boundary_rows, write_csv

pytest_plugins = ("agentgraph.api.testing",)


def counts(api: Harness, key: dict[str, str], name: str) -> dict[str, int]:
    r = api.client.get(f"/v1/datasets/{name}", headers=key)
    assert r.status_code == 200, r.text
    return dict(r.json()["counts"])


def test_a_tiny_cache_evicts_the_least_recently_used_index(
    api_factory: Callable[..., Harness], tmp_path: Path
) -> None:
    api = api_factory(index_cache_bytes=1)
    key = api.key("acme", "analyst")
    api.dataset(key, "a", write_csv(tmp_path / "a.csv", boundary_rows(30, "a")))
    api.dataset(key, "b", write_csv(tmp_path / "b.csv", boundary_rows(29, "b")))
    registry = api.app.state.service.registry
    first = counts(api, key, "a")
    assert registry.loaded("acme:a") is not None
    assert counts(api, key, "b") == {"agents": 29, "networks": 1, "flagged": 0, "max_levels": 3}
    assert registry.loaded("acme:a") is None  # evicted: over the limit
    assert registry.loaded("acme:b") is not None  # the one just used stays
    assert (
        counts(api, key, "a")
        == first
        == {"agents": 30, "networks": 1, "flagged": 1, "max_levels": 3}
    )
    assert registry.loaded("acme:b") is None
    # a recruitment into an evicted dataset rebuilds its index and applies
    r = api.client.post(
        "/v1/datasets/b/recruitments", json={"upline_id": "b002", "agent_id": "b030"}, headers=key
    )
    assert r.status_code == 201, r.text
    assert counts(api, key, "b")["flagged"] == 1


def test_a_large_cache_keeps_every_index(
    api_factory: Callable[..., Harness], tmp_path: Path
) -> None:
    api = api_factory()
    key = api.key("acme", "analyst")
    api.dataset(key, "a", write_csv(tmp_path / "a.csv", boundary_rows(30, "a")))
    api.dataset(key, "b", write_csv(tmp_path / "b.csv", boundary_rows(29, "b")))
    counts(api, key, "a")
    counts(api, key, "b")
    registry = api.app.state.service.registry
    a = registry.loaded("acme:a")
    assert a is not None and registry.loaded("acme:b") is not None
    assert 30 * 8 < index_bytes(a) < 1 << 20
    assert registry.cached_bytes == index_bytes(a) + index_bytes(registry.loaded("acme:b"))
