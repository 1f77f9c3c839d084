"""LiveIndex (agentgraph.live) against a networkx oracle.

Random forests get random recruitments applied one by one; after each batch
every agent's level, root, downline size and height, and every network's
members, levels, tier counts and flags must equal what networkx computes from
scratch on the same edges.
"""

from __future__ import annotations

import networkx as nx
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgraph import analyse
from agentgraph.live import LiveIndex, RecruitmentRejected
from agentgraph.policies import get_policy
from agentgraph.tables import Relations


def _relations(ids: list[str], ups: list[str | None]) -> Relations:
    return Relations(
        "members",
        pa.table({"agent_id": pa.array(ids, pa.string()), "upline_id": pa.array(ups, pa.string())}),
    )


def _oracle(ids: list[str], ups: list[str | None]) -> dict[str, dict[str, object]]:
    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_edges_from((u, a) for a, u in zip(ids, ups, strict=True) if u is not None)
    out: dict[str, dict[str, object]] = {}
    for r in (v for v in g if g.in_degree(v) == 0):
        depth = nx.single_source_shortest_path_length(g, r)
        levels = max(depth.values()) + 1
        tiers = [0] * levels
        for d in depth.values():
            tiers[d] += 1
        recruiters = sum(1 for v in depth if g.out_degree(v) > 0)
        branching = round((len(depth) - 1) / recruiters, 3) if recruiters else 0.0
        for v, d in depth.items():
            below = nx.single_source_shortest_path_length(g, v)
            out[v] = {
                "level": d + 1,
                "root": r,
                "downline": len(below),
                "downline_levels": max(below.values()) + 1,
                "members": len(depth),
                "levels": levels,
                "tiers": tiers,
                "branching": branching,
            }
    return out


def _compare(idx: LiveIndex, ids: list[str], ups: list[str | None]) -> None:
    truth = _oracle(ids, ups)
    rules = get_policy("cn").rules
    for a in ids:
        t = truth[a]
        view = idx.agent(a)
        assert (
            view.level,
            view.root,
            view.downline,
            view.downline_levels,
            view.network_members,
            view.network_levels,
        ) == (
            t["level"],
            t["root"],
            t["downline"],
            t["downline_levels"],
            t["members"],
            t["levels"],
        ), a
        j = idx.network_of(idx.node(a))
        assert idx.nets.tier_counts(j) == t["tiers"]
        assert idx.nets.mean_branching(j) == t["branching"]
        want = [r.id for r in rules if r.would_fire(t["members"], t["levels"])]  # type: ignore[attr-defined]
        assert view.network_flags == want


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_recruitments_match_a_fresh_oracle(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 25), label="agents")
    ids = [f"a{k}" for k in range(n)]
    ups: list[str | None] = [None]
    for k in range(1, n):
        root = data.draw(st.booleans(), label=f"root{k}")
        ups.append(None if root else ids[data.draw(st.integers(0, k - 1))])
    idx = LiveIndex.from_analysis(analyse(_relations(ids, ups)))
    adds = data.draw(st.integers(0, 60), label="recruitments")
    for k in range(adds):
        up = ids[data.draw(st.integers(0, len(ids) - 1))]
        before = idx.check(up, f"new{k}")
        got = idx.add(up, f"new{k}")
        assert got == before
        ids.append(f"new{k}")
        ups.append(up)
    _compare(idx, ids, ups)


def test_guardrail_sees_the_threshold_and_the_second_tier() -> None:
    # star: S0 with 28 recruits (29 members, 2 levels)
    ids = ["S0"] + [f"S{k}" for k in range(1, 29)]
    idx = LiveIndex.from_analysis(analyse(_relations(ids, [None] + ["S0"] * 28)))
    c = idx.check("S0", "S29")
    assert (c.level, c.members_after, c.levels_after, c.newly_fired) == (2, 30, 2, [])
    assert not c.adds_agent_tier
    c = idx.check("S1", "T1")  # a second agent tier: 2 -> 3 levels, 30 members
    assert c.adds_agent_tier and c.level == 3
    assert [f.rule for f in c.newly_fired] == ["cn.threshold"]
    assert c.structure_before == "single_tier" and c.structure_after == "multi_level"
    assert len(idx) == 29  # nothing changed


def test_rejections_name_each_problem() -> None:
    idx = LiveIndex.from_analysis(analyse(_relations(["A", "B"], [None, "A"])))
    with pytest.raises(RecruitmentRejected) as e:
        idx.check("A", "A")
    assert e.value.code == "self_recruitment"
    with pytest.raises(RecruitmentRejected) as e:
        idx.check("nobody", "B")
    assert [p[0] for p in e.value.problems] == ["agent_exists", "unknown_upline"]
    with pytest.raises(RecruitmentRejected):
        idx.add("A", "B")
    assert len(idx) == 2


def test_growth_past_capacity_and_long_chains() -> None:
    idx = LiveIndex.from_analysis(analyse(_relations(["r"], [None])))
    prev = "r"
    for k in range(3000):  # grows the arrays several times; a 3001-level chain
        idx.add(prev, f"c{k}")
        prev = f"c{k}"
    view = idx.agent("r")
    assert (view.downline, view.downline_levels, view.network_levels) == (3001, 3001, 3001)
    assert idx.agent("c2999").upline_chain_length == 3000
    assert idx.nets.tier_counts(0) == [1] * 3001


def test_empty_dataset_has_no_agents() -> None:
    idx = LiveIndex.from_analysis(analyse(_relations([], [])))
    assert len(idx) == 0 and idx.node("x") == -1
    with pytest.raises(RecruitmentRejected):
        idx.check("x", "y")
