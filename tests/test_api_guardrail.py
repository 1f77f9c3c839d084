"""The recruitment guardrail: dry-run checks, applied recruitments, errors, and
incremental state equal to a full rebuild."""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)


def _star(path: Path, n: int) -> Path:
    path.write_text(
        "agent_id,upline_id\nS,\n" + "".join(f"S{k},S\n" for k in range(1, n)), encoding="utf-8"
    )
    return path


def _check(api: Harness, h: dict[str, str], upline: str, agent: str, name: str = "d") -> Any:
    return api.client.post(
        f"/v1/datasets/{name}/recruitment-check",
        json={"upline_id": upline, "agent_id": agent},
        headers=h,
    )


def test_single_tier_platform_getting_a_second_agent_tier(api: Harness, tmp_path: Path) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "d", _star(tmp_path / "star.csv", 29))  # 29 members, 2 levels
    flat = _check(api, h, "S", "S29").json()
    assert (flat["level"], flat["adds_agent_tier"], flat["newly_fired"], flat["would_flag"]) == (
        2,
        False,
        [],
        False,
    )
    assert flat["network"]["members_after"] == 30 and flat["network"]["levels_after"] == 2
    deep = _check(api, h, "S1", "T1").json()
    assert deep["level"] == 3 and deep["adds_agent_tier"] and deep["would_flag"]
    assert deep["network"] == {
        "root": "S",
        "members_before": 29,
        "members_after": 30,
        "levels_before": 2,
        "levels_after": 3,
        "structure_before": "single_tier",
        "structure_after": "multi_level",
    }
    [flag] = deep["newly_fired"]
    assert flag["rule"] == "cn.threshold" and flag["evidence"]["tier_counts"] == [1, 28, 1]
    assert deep["rules_after"] == ["cn.threshold"]
    shown = api.client.get("/v1/datasets/d", headers=h).json()
    assert shown["rows"] == 29 and shown["counts"]["agents"] == 29  # nothing changed


def test_crossing_thresholds(api: Harness, inputs: dict[str, Path], tmp_path: Path) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b29"])
    got = _check(api, h, "002", "030").json()
    assert [f["rule"] for f in got["newly_fired"]] == ["cn.threshold"]
    assert not got["adds_agent_tier"]
    api.dataset(h, "e", inputs["b30"])  # already flagged: nothing new
    got = _check(api, h, "002", "031", "e").json()
    assert got["newly_fired"] == [] and got["rules_after"] == ["cn.threshold"]
    assert not got["would_flag"]
    rows = "agent_id,upline_id\nR,\nA,R\n" + "".join(f"B{k},A\n" for k in range(117))
    (tmp_path / "s.csv").write_text(rows, encoding="utf-8")  # 119 members, 3 levels
    api.dataset(h, "s", tmp_path / "s.csv")
    got = _check(api, h, "R", "new", "s").json()
    assert [f["rule"] for f in got["newly_fired"]] == ["cn.serious"]


def test_rejections(api: Harness, inputs: dict[str, Path]) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b30"])
    for path in ("recruitment-check", "recruitments"):
        url = f"/v1/datasets/d/{path}"
        err = api.error(
            api.client.post(url, json={"upline_id": "ghost", "agent_id": "n"}, headers=h),
            422,
            "unknown_upline",
        )
        assert err["details"][0]["field"] == "upline_id"
        err = api.error(
            api.client.post(url, json={"upline_id": "001", "agent_id": "007"}, headers=h),
            409,
            "agent_exists",
        )
        assert err["details"][0]["field"] == "agent_id"
        api.error(
            api.client.post(url, json={"upline_id": "007", "agent_id": "007"}, headers=h),
            422,
            "self_recruitment",
        )
        err = api.error(api.client.post(url, json={"upline_id": "001"}, headers=h), 422)
        assert err["details"][0]["field"] == "agent_id"
        api.error(api.client.post(url, json={"upline_id": "001", "agent_id": ""}, headers=h), 422)
    api.dataset(h, "empty")
    api.error(_check(api, h, "a", "b", "empty"), 422, "unknown_upline")
    assert api.client.get("/v1/datasets/d", headers=h).json()["rows"] == 30


def test_apply_and_enforce(api: Harness, inputs: dict[str, Path]) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b29"])
    blocked = api.error(
        c.post(
            "/v1/datasets/d/recruitments",
            json={"upline_id": "002", "agent_id": "030", "enforce": True},
            headers=h,
        ),
        409,
        "guardrail_blocked",
    )
    assert blocked["details"][0]["code"] == "cn.threshold"
    assert c.get("/v1/datasets/d", headers=h).json()["rows"] == 29
    err = api.error(
        c.post(
            "/v1/datasets/d/recruitments",
            json={"upline_id": "002", "agent_id": "030", "joined_at": "2024-05-01T10:00:00"},
            headers=h,
        ),
        422,
        "column_mismatch",
    )
    assert err["details"][0]["field"] == "joined_at"
    r = c.post(
        "/v1/datasets/d/recruitments", json={"upline_id": "002", "agent_id": "030"}, headers=h
    )
    assert r.status_code == 201, r.text
    applied = r.json()
    assert applied["applied"] and applied["rows"] == 30
    assert [f["rule"] for f in applied["newly_fired"]] == ["cn.threshold"]
    agent = c.get("/v1/datasets/d/agents/030", headers=h).json()
    assert (agent["level"], agent["upline_chain"], agent["network_rules"]) == (
        3,
        ["001", "002"],
        ["cn.threshold"],
    )
    assert (
        c.get("/v1/datasets/d/agents/002", headers=h).json()["direct_recruits"]["items"][-1]
        == "030"
    )
    shown = c.get("/v1/datasets/d", headers=h).json()
    assert shown["counts"] == {"agents": 30, "networks": 1, "flagged": 1, "max_levels": 3}
    # a second agent tier below 030 (levels 3 -> 4), then a check sees it
    r = c.post(
        "/v1/datasets/d/recruitments", json={"upline_id": "030", "agent_id": "031"}, headers=h
    )
    assert r.json()["network"]["levels_after"] == 4
    assert c.get("/v1/datasets/d/networks/001", headers=h).json()["tier_counts"] == [1, 5, 24, 1]
    api.error(
        c.post(
            "/v1/datasets/d/recruitments", json={"upline_id": "030", "agent_id": "031"}, headers=h
        ),
        409,
    )


def test_incremental_state_equals_a_rebuild(api: Harness, inputs: dict[str, Path]) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b29"])
    api.dataset(h, "e", inputs["edges"], kind="edges")
    rng = random.Random(7)
    known = {"d": [f"{k:03d}" for k in range(1, 30)], "e": ["P1", "P2", "P3", "P9"]}
    for k in range(120):
        name = "d" if k % 3 else "e"
        up = rng.choice(known[name])
        r = c.post(
            f"/v1/datasets/{name}/recruitments",
            json={"upline_id": up, "agent_id": f"n{k}"},
            headers=h,
        )
        assert r.status_code == 201, r.text
        known[name].append(f"n{k}")

    def snapshot() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, agents in known.items():
            out[name] = {
                "networks": c.get(f"/v1/datasets/{name}/networks?limit=50", headers=h).json(),
                "organisers": c.get(f"/v1/datasets/{name}/organisers", headers=h).json(),
                "agents": {
                    a: _agent(
                        c.get(f"/v1/datasets/{name}/agents/{a}?recruits_limit=50", headers=h).json()
                    )
                    for a in agents
                },
            }
        return out

    live = snapshot()
    api.restart()  # the new process rebuilds every index from the store
    c = api.client
    assert snapshot() == live
    scan = api.scan(h, "d")
    assert scan["summary"]["agents"] == len(known["d"])


def _agent(a: dict[str, Any]) -> dict[str, Any]:
    a = dict(a)
    a["direct_recruits"] = sorted(a["direct_recruits"]["items"])
    return a


def test_recorded_recruitment_keeps_time_and_rank(api: Harness, tmp_path: Path) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    path = tmp_path / "dated.csv"
    path.write_text(
        "agent_id,upline_id,joined_at,rank\nR,,2024-01-01 08:00:00,总代\n"
        "A,R,2024/1/5 09:30,一级代理\n",
        encoding="utf-8",
    )
    api.dataset(h, "d", path)
    r = c.post(
        "/v1/datasets/d/recruitments",
        json={
            "upline_id": "A",
            "agent_id": "B",
            "joined_at": "2024-02-01T10:00:00+08:00",
            "rank": "二级代理",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert c.get("/v1/datasets/d/agents/B", headers=h).json()["rank"] == "二级代理"
    api.restart()  # rebuilt from the store: the row was stored with its time and rank
    b = api.client.get("/v1/datasets/d/agents/B", headers=h).json()
    assert (b["level"], b["rank"]) == (3, "二级代理")
    report = api.client.get(f"/v1/scans/{api.scan(h, 'd')['id']}/report", headers=h).json()
    assert report["summary"]["agents"] == 3
