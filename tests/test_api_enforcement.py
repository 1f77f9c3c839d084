"""What enforcement refuses: new rules only (the default), any recruitment into a flagged
network, or any new agent deeper than N levels (root = level 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from agentgraph.api.testing import Harness, write_inputs

from agentgraph.errors import ArgumentError
from agentgraph.live.enforcement import Enforcement

pytest_plugins = ("agentgraph.api.testing",)


def _recruit(api: Harness, headers: dict[str, str], upline: str, agent: str) -> Any:
    body = {"upline_id": upline, "agent_id": agent, "enforce": True}
    return api.client.post("/v1/datasets/b30/recruitments", json=body, headers=headers)


def _setup(api: Harness, tmp_path: Path) -> dict[str, str]:
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "b30", write_inputs(tmp_path)["b30"])  # flagged: 30 members, 3 levels
    return analyst


def test_by_default_a_flagged_network_keeps_growing(api: Harness, tmp_path: Path) -> None:
    analyst = _setup(api, tmp_path)
    r = _recruit(api, analyst, "007", "N31")  # level 4 of a flagged network: no new rule
    assert r.status_code == 201, r.text
    assert r.json()["enforcement"] == "new_rules" and r.json()["refused_if_enforced"] == []


def test_flagged_network_mode_refuses_any_recruitment_into_it(
    api_factory: Any, tmp_path: Path
) -> None:
    api = api_factory(guardrail_enforce="flagged_network")
    analyst = _setup(api, tmp_path)
    body = {"upline_id": "007", "agent_id": "N31"}
    check = api.client.post("/v1/datasets/b30/recruitment-check", json=body, headers=analyst)
    assert check.json()["refused_if_enforced"] == ["flagged_network"]
    err = Harness.error(_recruit(api, analyst, "007", "N31"), 409, "guardrail_blocked")
    assert "flagged_network" in err["message"] and err["details"][0]["code"] == "flagged_network"
    got = api.client.get("/v1/datasets/b30/agents/N31", headers=analyst)
    assert got.status_code == 404  # not applied
    body["enforce"] = False  # without enforce it is recorded (and audited) as before
    r = api.client.post("/v1/datasets/b30/recruitments", json=body, headers=analyst)
    assert r.status_code == 201, r.text


def test_max_levels_mode_counts_the_root_as_level_one(api_factory: Any, tmp_path: Path) -> None:
    api = api_factory(guardrail_enforce="max_levels", guardrail_max_levels=3)
    analyst = _setup(api, tmp_path)
    assert _recruit(api, analyst, "002", "N31").status_code == 201  # level 3 = the boundary
    err = Harness.error(_recruit(api, analyst, "007", "N32"), 409, "guardrail_blocked")
    assert "deeper than level 3" in err["details"][0]["message"]


def test_a_bad_mode_is_refused_at_start(api_factory: Any, tmp_path: Path) -> None:
    from agentgraph.api.settings import Settings

    with pytest.raises(ValueError, match="AGENTGRAPH_GUARDRAIL_ENFORCE"):
        Settings(store=str(tmp_path / "s.duckdb"), guardrail_enforce="everything")
    with pytest.raises(ArgumentError, match="unknown enforcement mode"):
        api_factory(guardrail_enforce="everything")
    with pytest.raises(ArgumentError):
        Enforcement("max_levels", 0)
