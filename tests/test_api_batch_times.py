"""Issue 12, finding 5: a batch time whose conversion to Asia/Shanghai overflows is a
422 naming the row and the value, not a 500 (JSON batches and recruitments)."""

from __future__ import annotations

import pytest
from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

EXTREMES = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:00:00Z"]


@pytest.mark.parametrize("value", EXTREMES)
def test_agent_batch_time_out_of_range(api: Harness, value: str) -> None:
    key = api.key("acme", "analyst")
    api.dataset(key, "m")
    rows = [{"agent_id": "A"}, {"agent_id": "B", "upline_id": "A", "joined_at": value}]
    r = api.client.post("/v1/datasets/m/agents", json={"agents": rows}, headers=key)
    err = api.error(r, 422, "validation_error")
    assert err["details"][0]["field"] == "agents[1].joined_at", err
    assert value in err["details"][0]["message"], err
    assert api.client.get("/v1/datasets/m", headers=key).json()["rows"] == 0


@pytest.mark.parametrize("value", EXTREMES)
def test_edge_batch_and_recruitment_time_out_of_range(api: Harness, value: str) -> None:
    key = api.key("acme", "analyst")
    api.dataset(key, "e", kind="edges")
    edges = [{"upline_id": "R", "downline_id": "A", "at": value}]
    r = api.client.post("/v1/datasets/e/edges", json={"edges": edges}, headers=key)
    err = api.error(r, 422, "validation_error")
    assert err["details"][0]["field"] == "edges[0].at" and value in err["details"][0]["message"]
    edges = [{"upline_id": "R", "downline_id": "A"}]
    assert api.client.post("/v1/datasets/e/edges", json={"edges": edges}, headers=key).is_success
    body = {"upline_id": "R", "agent_id": "B", "joined_at": value}
    r = api.client.post("/v1/datasets/e/recruitments", json=body, headers=key)
    err = api.error(r, 422, "validation_error")
    assert err["details"][0]["field"] == "joined_at" and value in err["details"][0]["message"]


def test_batch_time_at_the_edge_of_range_is_kept(api: Harness) -> None:
    key = api.key("acme", "analyst")
    api.dataset(key, "m")
    rows = [{"agent_id": "A", "joined_at": "9999-12-31T15:59:59Z"}]
    r = api.client.post("/v1/datasets/m/agents", json={"agents": rows}, headers=key)
    assert r.status_code == 200, r.text
