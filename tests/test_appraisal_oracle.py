"""Per-suspect counts against an independent oracle (networkx) on random forests."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

import agentgraph
from agentgraph.appraisal.suspects import Suspects
from agentgraph.tables import Relations


def _forest(rng: random.Random, n: int) -> list[str | None]:
    """A random recruitment forest: each agent's upline is an earlier agent or none."""
    ups: list[str | None] = []
    for v in range(n):
        if v == 0 or rng.random() < 0.05:
            ups.append(None)
        else:
            # mostly recent agents: deep chains as well as bushy ones
            lo = max(0, v - rng.choice([3, 10, v]))
            ups.append(f"a{rng.randrange(lo, v)}")
    return ups


def _oracle(ups: list[str | None], agent: str) -> tuple[int, int, list[int], int, str, int]:
    g = nx.DiGraph()
    ids = [f"a{v}" for v in range(len(ups))]
    g.add_nodes_from(ids)
    g.add_edges_from((u, v) for v, u in zip(ids, ups, strict=True) if u is not None)
    dist = nx.single_source_shortest_path_length(g, agent)  # the suspect at distance 0
    per_level = np.bincount(list(dist.values())).tolist()
    ancestors = nx.ancestors(g, agent)
    root = agent if not ancestors else next(a for a in ancestors if g.in_degree(a) == 0)
    return (
        len(dist),
        max(dist.values()) + 1,
        per_level,
        len(ancestors) + 1,
        root,
        g.out_degree(agent),
    )


@pytest.mark.parametrize("seed", range(8))
def test_counts_match_networkx(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([50, 300, 2000])
    ups = _forest(rng, n)
    ids = [f"a{v}" for v in range(n)]
    rel = Relations("members", pa.table({"agent_id": ids, "upline_id": ups}))
    picked = rng.sample(ids, 12)
    doc = agentgraph.appraise(rel, Suspects.of(picked + ["nobody"])).to_dict()
    by_id = {s["agent_id"]: s for s in doc["suspects"]}
    for agent in picked:
        members, levels, per_level, level, root, direct = _oracle(ups, agent)
        s = by_id[agent]
        assert s["downline"]["members"] == members, agent
        assert s["downline"]["levels"] == levels, agent
        assert [p["members"] for p in s["downline"]["per_level"]] == per_level, agent
        assert (s["level"], s["root"], s["direct_recruits"]["count"]) == (level, root, direct)
        assert sorted(r["agent_id"] for r in s["rows"]) == sorted(
            nx.descendants(_graph(ups), agent) | {agent}
        )
        assert all(
            r["level"] == level + r["relative_level"] - 1 for r in s["rows"]
        )  # absolute = the suspect's level + relative - 1
    assert doc["not_found"] == ["nobody"]
    # relations: every pair where one suspect is an ancestor of the other
    g = _graph(ups)
    want = {(u, v) for u in picked for v in picked if u != v and v in nx.descendants(g, u)}
    assert {(r["upline"], r["downline"]) for r in doc["relations"]} == want


def _graph(ups: list[str | None]) -> nx.DiGraph:
    g = nx.DiGraph()
    ids = [f"a{v}" for v in range(len(ups))]
    g.add_nodes_from(ids)
    g.add_edges_from((u, v) for v, u in zip(ids, ups, strict=True) if u is not None)
    return g


@pytest.mark.parametrize("seed", range(4))
def test_funds_match_a_plain_python_sum(seed: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv

    rng = random.Random(100 + seed)
    n = 400
    ups = _forest(rng, n)
    ids = [f"a{v}" for v in range(n)]
    rel = Relations("members", pa.table({"agent_id": ids, "upline_id": ups}))
    kinds = ["entry_fee", "goods", "other", "commission"]
    pays = [
        (rng.choice(ids), rng.choice(ids), rng.randrange(1, 10_000) / 100, rng.choice(kinds))
        for _ in range(1500)
    ]
    path = tmp_path / "p.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["payer_id", "payee_id", "amount", "kind"])
        w.writerows(pays)
    picked = rng.sample(ids, 10)
    ap = agentgraph.appraise(rel, picked, payments=path)
    g = _graph(ups)
    for agent in picked:
        kids = set(g.successors(agent))
        below = nx.descendants(g, agent)
        for key, who in (("direct", kids), ("through_downline", below - kids)):
            for kind in ("entry_fee", "goods", "other"):
                want = sum(a for p, _, a, k in pays if k == kind and p in who)
                got = ap.suspect(agent)["funds"][key][kind]
                assert got == pytest.approx(want, abs=0.006), (agent, key, kind)
