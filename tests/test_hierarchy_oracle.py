"""Every hierarchy measure against networkx on many random forests (hypothesis)."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgraph.graph.repair import find_cycles
from agentgraph.measure.hierarchy import hierarchy
from agentgraph.measure.networks import deepest_chain, network_stats, structure_class, upline_chain


@st.composite
def parent_arrays(draw: st.DrawFn, *, cycles: bool) -> np.ndarray:
    """Random upline arrays: forests, or functional graphs with cycles and self-loops."""
    n = draw(st.integers(1, 60))
    parent = np.empty(n, np.int32)
    for v in range(n):
        if draw(st.integers(0, 4)) == 0:
            parent[v] = -1
        else:
            parent[v] = draw(st.integers(0, n - 1))
    if not cycles:  # a random relabelled forest: parent must precede child in a permutation
        perm = draw(st.permutations(list(range(n))))
        rank = {v: k for k, v in enumerate(perm)}
        for v in range(n):
            p = int(parent[v])
            if p >= 0 and rank[p] >= rank[v]:
                parent[v] = -1
    return parent


def _digraph(parent: np.ndarray) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(len(parent)))
    g.add_edges_from((int(p), v) for v, p in enumerate(parent) if p >= 0)
    return g


@settings(max_examples=300, deadline=None)
@given(parent_arrays(cycles=False))
def test_depth_root_size_height_match_networkx(parent: np.ndarray) -> None:
    g = _digraph(parent)
    h = hierarchy(parent)
    roots = [v for v in g if g.in_degree(v) == 0]
    for r in roots:
        lengths = nx.single_source_shortest_path_length(g, r)
        for v, d in lengths.items():
            assert h.depth[v] == d
            assert h.root[v] == r
    for v in g:
        below = nx.descendants(g, v)
        assert h.size[v] == len(below) + 1
        sub = nx.single_source_shortest_path_length(g, v)
        assert h.height[v] == max(sub.values())
        assert h.direct[v] == g.out_degree(v)
        assert h.level[v] == h.depth[v] + 1


@settings(max_examples=300, deadline=None)
@given(parent_arrays(cycles=False))
def test_network_stats_match_networkx(parent: np.ndarray) -> None:
    g = _digraph(parent)
    h = hierarchy(parent)
    nets = network_stats(parent, h.depth, h.root, h.direct)
    roots = sorted(v for v in g if g.in_degree(v) == 0)
    assert nets.roots.tolist() == roots
    for j, r in enumerate(roots):
        lengths = nx.single_source_shortest_path_length(g, r)
        levels = max(lengths.values()) + 1
        assert nets.members[j] == len(lengths)
        assert nets.levels[j] == levels
        tiers = [0] * levels
        for d in lengths.values():
            tiers[d] += 1
        assert nets.tier_counts(j) == tiers
        chain = deepest_chain(parent, nets, j).tolist()
        assert len(chain) == levels and chain[0] == r
        assert nx.is_path(g, chain)
        assert nets.max_direct[j] == max(g.out_degree(v) for v in lengths)
        recruiters = sum(1 for v in lengths if g.out_degree(v) > 0)
        assert nets.mean_branching(j) == (
            round((len(lengths) - 1) / recruiters, 3) if recruiters else 0.0
        )
        assert structure_class(levels) == (
            "single_tier" if levels <= 2 else "multi_level" if levels <= 4 else "five_tier_plus"
        )


@settings(max_examples=300, deadline=None)
@given(parent_arrays(cycles=True))
def test_cycles_match_networkx(parent: np.ndarray) -> None:
    g = _digraph(parent)
    expected = sorted(sorted(c) for c in nx.simple_cycles(g))
    found = sorted(sorted(c.tolist()) for c in find_cycles(parent))
    assert found == expected


def test_hundred_thousand_deep_chain() -> None:
    n = 100_000
    parent = np.arange(-1, n - 1, dtype=np.int32)
    h = hierarchy(parent)
    assert h.depth[-1] == n - 1
    assert h.size[0] == n
    assert h.height[0] == n - 1
    assert len(upline_chain(parent, n - 1)) == n
    nets = network_stats(parent, h.depth, h.root, h.direct)
    assert nets.levels.tolist() == [n]
    assert find_cycles(parent) == []


def test_two_million_long_cycle_is_found_without_recursion() -> None:
    n = 2_000_000
    parent = np.arange(-1, n - 1, dtype=np.int32)
    parent[0] = n - 1  # one huge cycle through every agent
    cycles = find_cycles(parent)
    assert len(cycles) == 1 and len(cycles[0]) == n


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 400), st.integers(0, 2**32 - 1))
def test_organisers_and_flags_match_networkx(n: int, seed: int) -> None:
    """Organisers (>= 30 downline over >= 3 levels) and cn flags, on random forests."""
    import pyarrow as pa

    import agentgraph
    from agentgraph.tables import Relations

    rng = np.random.default_rng(seed)
    parent = np.array(
        [-1 if v == 0 or rng.random() < 0.02 else int(rng.integers(0, v)) for v in range(n)]
    )
    ids = [f"a{v:04d}" for v in range(n)]
    rel = Relations(
        "members",
        pa.table({"agent_id": ids, "upline_id": [None if p < 0 else ids[p] for p in parent]}),
    )
    report = agentgraph.analyse(rel).report(max_organisers=10**6)
    g = _digraph(parent)
    expected = set()
    for v in g:
        sub = nx.single_source_shortest_path_length(g, v)
        if len(sub) >= 30 and max(sub.values()) + 1 >= 3:
            expected.add(ids[v])
    assert {o["agent"] for o in report["organisers"]} == expected
    for net in report["networks"]:
        r = ids.index(net["root"])
        sub = nx.single_source_shortest_path_length(g, r)
        members, levels = len(sub), max(sub.values()) + 1
        rules = [f["rule"] for f in net["flags"]]
        assert ("cn.threshold" in rules) == (members >= 30 and levels >= 3)
        assert ("cn.serious" in rules) == (members >= 120 and levels >= 3)
