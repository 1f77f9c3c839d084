"""Queries over the live index: networks (filters, paging), one network, one agent,
organisers; answers checked against hand-built forests and the library."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

import agentgraph

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)


def _forest(path: Path) -> Path:
    """001: 30 members / 3 levels (cn.threshold); X: 125 / 3 (cn.threshold + cn.serious);
    S: star of 10 (single tier); a/b -> a/c chain of 2 with a slash in the ids;
    five lone agents."""
    rows: list[tuple[str, str | None]] = [("001", None)]
    rows += [(f"{k:03d}", "001") for k in range(2, 7)]
    rows += [(f"{k:03d}", f"{2 + (k - 7) % 5:03d}") for k in range(7, 31)]
    rows += [("X", None)] + [(f"X{k}", "X") for k in range(1, 5)]
    rows += [(f"Y{k}", f"X{1 + k % 4}") for k in range(120)]
    rows += [("S", None)] + [(f"S{k}", "S") for k in range(1, 10)]
    rows += [("a/b", None), ("a/c", "a/b")] + [(f"lone{k}", None) for k in range(5)]
    path.write_text(
        "agent_id,upline_id\n" + "".join(f"{a},{u or ''}\n" for a, u in rows), encoding="utf-8"
    )
    return path


@pytest.fixture
def forest(api: Harness, tmp_path: Path) -> dict[str, str]:
    h = api.key("acme", "auditor")
    writer = api.key("acme", "analyst")
    api.dataset(writer, "f", _forest(tmp_path / "forest.csv"))
    return h


def test_networks_list_and_filters(api: Harness, forest: dict[str, str]) -> None:
    c, h = api.client, forest
    page = c.get("/v1/datasets/f/networks", headers=h).json()
    assert page["total"] == 9 and page["limit"] == 10 and page["next_offset"] is None
    roots = [n["root"] for n in page["items"]]
    assert roots[:4] == ["X", "001", "S", "a/b"]  # flagged first, then by size
    x = page["items"][0]
    assert (x["members"], x["levels"], x["structure"], x["flagged"], x["rules"]) == (
        125,
        3,
        "multi_level",
        True,
        ["cn.threshold", "cn.serious"],
    )
    assert x["mean_branching"] == 24.8  # 124 recruits by X and X1..X4

    def roots_of(query: str) -> list[str]:
        r = c.get(f"/v1/datasets/f/networks?{query}", headers=h)
        assert r.status_code == 200, r.text
        return [n["root"] for n in r.json()["items"]]

    assert roots_of("flagged=true") == ["X", "001"]
    assert roots_of("rule=cn.serious") == ["X"]
    assert roots_of("structure=single_tier&min_members=2") == ["S", "a/b"]
    assert roots_of("structure=multi_level") == ["X", "001"]
    assert roots_of("structure=five_tier_plus") == []
    assert roots_of("min_members=30&flagged=false") == []
    assert roots_of("min_levels=2&flagged=false") == ["S", "a/b"]
    second = c.get("/v1/datasets/f/networks?limit=3&offset=3", headers=h).json()
    assert second["next_offset"] == 6 and [n["root"] for n in second["items"]][0] == "a/b"
    api.error(c.get("/v1/datasets/f/networks?rule=nope", headers=h), 422)
    api.error(c.get("/v1/datasets/f/networks?structure=tall", headers=h), 422)
    api.error(c.get("/v1/datasets/f/networks?limit=51", headers=h), 422)


def test_one_network(api: Harness, forest: dict[str, str]) -> None:
    c, h = api.client, forest
    net = c.get("/v1/datasets/f/networks/001", headers=h).json()
    assert net["tier_counts"] == [1, 5, 24] and net["deepest_chain"] == ["001", "002", "007"]
    assert net["deepest_chain_length"] == 3 and net["max_direct_recruits"] == 5
    [flag] = net["flags"]
    assert flag["rule"] == "cn.threshold" and flag["evidence"]["members"] == 30
    assert "2013" in flag["citation"]
    assert c.get("/v1/datasets/f/networks/a/b", headers=h).json()["members"] == 2
    assert c.get("/v1/datasets/f/networks/001?chain_limit=1", headers=h).json()[
        "deepest_chain"
    ] == ["001"]
    err = api.error(c.get("/v1/datasets/f/networks/007", headers=h), 404)
    assert "'001'" in err["message"]
    api.error(c.get("/v1/datasets/f/networks/nobody", headers=h), 404)


def test_one_agent_matches_the_library(
    api: Harness, forest: dict[str, str], tmp_path: Path
) -> None:
    c, h = api.client, forest
    lib = agentgraph.scan(tmp_path / "forest.csv")
    for agent in ("001", "007", "X", "Y17", "S3", "a/c", "lone2"):
        got = c.get(
            f"/v1/datasets/f/agents/{quote(agent, safe='')}?recruits_limit=50", headers=h
        ).json()
        want = lib.agent(agent)
        assert (
            got["level"],
            got["root"],
            got["upline_chain"],
            got["downline"],
            got["downline_levels"],
            got["network_members"],
            got["network_levels"],
        ) == (
            want.level,
            want.root,
            want.upline_chain,
            want.downline,
            want.downline_levels,
            want.network_members,
            want.network_levels,
        ), agent
        assert got["direct_recruits"]["items"] == want.direct_recruits[:50]
        assert got["direct_recruits"]["total"] == len(want.direct_recruits)
    y = c.get("/v1/datasets/f/agents/Y17", headers=h).json()
    assert y["upline"] == "X2" and y["network_rules"] == ["cn.threshold", "cn.serious"]
    x1 = c.get("/v1/datasets/f/agents/X1?recruits_limit=7&recruits_offset=28", headers=h).json()
    rec = x1["direct_recruits"]
    assert (rec["total"], len(rec["items"]), rec["offset"], rec["next_offset"]) == (30, 2, 28, None)
    assert c.get("/v1/datasets/f/agents/Y0?chain_limit=1", headers=h).json()["upline_chain"] == [
        "X"
    ]
    api.error(c.get("/v1/datasets/f/agents/ghost", headers=h), 404, "not_found")
    api.error(c.get("/v1/datasets/f/agents/X?recruits_limit=0", headers=h), 422)
    api.error(c.get("/v1/datasets/f/agents/X?recruits_limit=51", headers=h), 422)


def test_organisers(api: Harness, forest: dict[str, str]) -> None:
    c, h = api.client, forest
    page = c.get("/v1/datasets/f/organisers", headers=h).json()
    assert [(o["agent"], o["network"], o["downline"], o["levels"]) for o in page["items"]] == [
        ("X", "X", 125, 3),
        ("001", "001", 30, 3),
    ]
    assert page["total"] == 2
    assert (
        c.get("/v1/datasets/f/organisers?offset=1&limit=1", headers=h).json()["items"][0]["agent"]
        == "001"
    )


def test_agent_prefix_search(api: Harness, forest: dict[str, str], tmp_path: Path) -> None:
    """Prefix search against a brute-force filter of the ids, level and root from the library."""
    c, h = api.client, forest
    lib = agentgraph.scan(tmp_path / "forest.csv")
    ids = [r.split(",")[0] for r in (tmp_path / "forest.csv").read_text().splitlines()[1:]]
    for prefix in ("Y1", "0", "X", "a/", "lone", "S", "nobody", "Y119"):
        want = sorted(i for i in ids if i.startswith(prefix))
        got, offset = [], 0
        while True:
            r = c.get(
                "/v1/datasets/f/agents",
                params={"prefix": prefix, "limit": 7, "offset": offset},
                headers=h,
            )
            assert r.status_code == 200, r.text
            page = r.json()
            assert page["total"] == len(want), prefix
            got += page["items"]
            if page["next_offset"] is None:
                break
            offset = page["next_offset"]
        assert [m["agent"] for m in got] == want, prefix
        for m in got:
            a = lib.agent(m["agent"])
            assert (m["level"], m["root"], m["downline"]) == (a.level, a.root, a.downline)
    api.error(c.get("/v1/datasets/f/agents", headers=h), 422)
    api.error(c.get("/v1/datasets/f/agents?prefix=", headers=h), 422)


def test_prefix_search_finds_live_recruits(api: Harness, forest: dict[str, str]) -> None:
    c = api.client
    w = api.key("acme", "analyst")
    r = c.post(
        "/v1/datasets/f/recruitments", json={"upline_id": "S", "agent_id": "S0new"}, headers=w
    )
    assert r.status_code in (200, 201), r.text
    page = c.get("/v1/datasets/f/agents?prefix=S0", headers=forest).json()
    assert [m["agent"] for m in page["items"]] == ["S0new"]
    assert page["items"][0]["level"] == 2 and page["items"][0]["root"] == "S"
    assert c.get("/v1/datasets/f/agents?prefix=S", headers=forest).json()["total"] == 11


def test_networks_sorted(api: Harness, forest: dict[str, str]) -> None:
    c, h = api.client, forest

    def listed(sort: str, **more: str) -> list[tuple[str, int, int]]:
        r = c.get("/v1/datasets/f/networks", params={"sort": sort, "limit": 50, **more}, headers=h)
        assert r.status_code == 200, r.text
        return [(n["root"], n["members"], n["levels"]) for n in r.json()["items"]]

    default = listed("flagged")
    assert [x[0] for x in default][:4] == ["X", "001", "S", "a/b"]
    assert [x[0] for x in listed("root")] == sorted(x[0] for x in default)
    assert [x[0] for x in listed("-root")] == sorted((x[0] for x in default), reverse=True)
    members = listed("members")
    assert [m for _, m, _ in members] == sorted(m for _, m, _ in default)
    # ties keep the default order (lone agents: by root)
    assert [r for r, m, _ in members if m == 1] == [f"lone{k}" for k in range(5)]
    deep = [lv for _, _, lv in listed("-levels")]
    assert deep == sorted((lv for _, _, lv in default), reverse=True)
    assert listed("-members", flagged="false")[0][0] == "S"
    assert listed("-mean_branching")[0][0] == "X"  # 24.8 recruits per recruiter
    # no join times: growth is null and the growth order is the default one
    assert c.get("/v1/datasets/f/networks", headers=h).json()["items"][0]["growth"] is None
    assert listed("growth") == default
    api.error(c.get("/v1/datasets/f/networks?sort=size", headers=h), 422)


def test_network_growth_from_join_times(api: Harness, tmp_path: Path) -> None:
    c = api.client
    w = api.key("acme", "analyst")
    api.dataset(w, "g", Path("fixtures/growth_30_3.csv"))
    page = c.get("/v1/datasets/g/networks?sort=growth", headers=w).json()
    want = agentgraph.scan("fixtures/growth_30_3.csv").growth
    top = page["items"][0]
    assert top["growth"] == {
        "dated_members": int(want.dated[0]),
        "first_joined": "2024-03-01",
        "last_joined": "2024-03-10",
        "doubling_days": want.doubling_days(0),
    }
