"""Synthetic generators checked against networkx as an independent oracle."""

from __future__ import annotations

import collections
import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from agentgraph import synth
from agentgraph.errors import ArgumentError
from agentgraph.synth.ids import id_strings, phone_key
from agentgraph.tables import Relations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def member_graph(rows: list[tuple[str, str | None]]) -> nx.DiGraph:
    g = nx.DiGraph()
    for agent, upline in rows:
        g.add_node(agent)
        if upline is not None:
            g.add_edge(upline, agent)
    return g


def pairs(rel: Relations) -> list[tuple[str, str | None]]:
    t = rel.table
    return list(zip(t["agent_id"].to_pylist(), t["upline_id"].to_pylist(), strict=True))


def networks(g: nx.DiGraph) -> dict[str, list[int]]:
    """Root -> members per level (level 1 = the root), for every node without upline."""
    out = {}
    for root in (v for v in g if g.in_degree(v) == 0):
        depth = nx.single_source_shortest_path_length(g, root)
        out[root] = [c for _, c in sorted(collections.Counter(depth.values()).items())]
    return out


def shape(rel: Relations) -> list[tuple[int, int]]:
    """Sorted (members, levels) of every network; also checks it is a clean forest."""
    g = member_graph(pairs(rel))
    assert g.number_of_nodes() == rel.rows
    assert rel.rows == 0 or nx.is_branching(g)
    return sorted((sum(levels), len(levels)) for levels in networks(g).values())


def check_times(rel: Relations) -> None:
    t = rel.table
    joined = dict(zip(t["agent_id"].to_pylist(), t["joined_at"].to_pylist(), strict=True))
    for agent, upline in pairs(rel):
        if upline is not None:
            assert joined[upline] <= joined[agent]


@pytest.mark.parametrize("agents", [0, 1, 7, 200])
def test_single_tier_is_root_plus_agents_on_two_levels(agents: int) -> None:
    rel = synth.single_tier(agents, seed=agents)
    assert rel.kind == "members" and rel.rows == agents + 1
    assert shape(rel) == [(agents + 1, 2 if agents else 1)]
    check_times(rel)


@pytest.mark.parametrize(("tiers", "branching"), [(1, 3), (3, 2), (5, 3), (4, 1), (2, 10)])
def test_ladder_has_branching_power_agents_per_tier(tiers: int, branching: int) -> None:
    rel = synth.ladder(tiers, branching, ids="seq")
    g = member_graph(pairs(rel))
    assert nx.is_arborescence(g)
    (levels,) = networks(g).values()
    assert levels == [branching**t for t in range(tiers)]
    root = next(iter(networks(g)))
    depth = nx.single_source_shortest_path_length(g, root)
    for agent, rank in zip(
        rel.table["agent_id"].to_pylist(), rel.table["rank"].to_pylist(), strict=True
    ):
        assert rank == synth.RANK_TITLES[min(depth[agent], len(synth.RANK_TITLES) - 1)]
    check_times(rel)


@pytest.mark.parametrize("seed", range(5))
def test_jittered_ladder_keeps_its_levels(seed: int) -> None:
    rel = synth.ladder(6, 3, seed=seed, jitter=1.0)
    ((_, levels),) = shape(rel)
    assert levels == 6


@pytest.mark.parametrize("length", [1, 5, 100_000])
def test_chain_has_one_level_per_agent(length: int) -> None:
    rel = synth.chain(length)
    g = member_graph(pairs(rel))
    assert nx.is_arborescence(g)
    assert nx.dag_longest_path_length(g) + 1 == length


def test_random_recursive_uplines_joined_earlier() -> None:
    rel = synth.random_recursive(2_000, seed=4, ids="zh")
    assert shape(rel) == [(2_000, shape(rel)[0][1])]
    row = {a: i for i, a in enumerate(rel.table["agent_id"].to_pylist())}
    assert all(u is None or row[u] < row[a] for a, u in pairs(rel))
    check_times(rel)


@pytest.mark.parametrize("case", sorted(synth.CALIBRATED_CASES))
@pytest.mark.parametrize("seed", [0, 11])
def test_calibrated_cases_have_exact_members_and_levels(case: str, seed: int) -> None:
    rel = synth.calibrated(case, seed=seed)
    members, levels = synth.CALIBRATED_CASES[case]
    assert shape(rel) == [(members, levels)]
    (per_level,) = networks(member_graph(pairs(rel))).values()
    assert max(per_level) > 20 * per_level[-1]  # bushy top, thin deep spine


def test_calibrated_case_numbers_are_the_published_ones() -> None:
    assert synth.CALIBRATED_CASES == {"shenzhou": (10_350, 50), "xiaoxiaole": (90_000, 245)}


@pytest.mark.parametrize("agents", [0, 1, 29, 1_000, 20_000])
def test_forest_has_exactly_n_rows_and_is_a_forest(agents: int) -> None:
    rel = synth.forest(agents, seed=agents)
    assert rel.rows == agents
    nets = shape(rel)
    assert sum(m for m, _ in nets) == agents
    check_times(rel)


def test_forest_mixes_shapes_and_shuffles_rows() -> None:
    rel = synth.forest(20_000, seed=1)
    nets = shape(rel)
    assert any(levels == 2 and members >= 30 for members, levels in nets)  # platforms
    assert any(levels == 5 and members >= 121 for members, levels in nets)  # pyramids
    assert max(levels for _, levels in nets) >= 200  # deep chains
    assert sum(1 for m, _ in nets if m < 30) > 100  # many small networks
    row = {a: i for i, a in enumerate(rel.table["agent_id"].to_pylist())}
    assert any(u is not None and row[u] > row[a] for a, u in pairs(rel))


def test_forest_is_reproducible() -> None:
    assert synth.forest(5_000, seed=3).table.equals(synth.forest(5_000, seed=3).table)
    assert not synth.forest(5_000, seed=3).table.equals(synth.forest(5_000, seed=4).table)


@pytest.mark.parametrize(
    ("ids", "pattern"), [("phone", r"1[3-9]\d{9}"), ("seq", r"A\d{8}"), ("zh", r"代理\d{4,}")]
)
def test_ids_are_unique_strings_of_the_style(ids: str, pattern: str) -> None:
    for rel in (synth.forest(30_000, ids=ids), synth.chain(12_345, ids=ids)):
        agent = rel.table["agent_id"]
        assert agent.type == pa.string() and rel.table["upline_id"].type == pa.string()
        assert agent.null_count == 0
        assert pc.count_distinct(agent).as_py() == rel.rows
        assert all(re.fullmatch(pattern, a) for a in agent.to_pylist())


def test_phone_ids_stay_distinct_across_the_whole_space() -> None:
    key = phone_key(5)
    index = pa.array(range(0, 7_000_000_000, 6_999)).to_numpy()
    ids = id_strings(index, "phone", key, 0)
    assert pc.count_distinct(ids).as_py() == len(index)


def test_unknown_id_style_is_refused() -> None:
    with pytest.raises(ArgumentError, match="id style"):
        synth.chain(3, ids="uuid")


def test_with_defects_injects_exactly_what_it_says() -> None:
    clean = synth.random_recursive(500, seed=2)
    rel = synth.with_defects(
        clean,
        seed=9,
        cycles=3,
        self_referrals=2,
        multiple_uplines=4,
        unknown_uplines=5,
        duplicate_agents=6,
    )
    rows = rel.table.to_pylist()
    assert rel.rows == 500 + 4 + 6
    g = nx.DiGraph()
    for r in rows:
        if r["upline_id"] is not None:
            g.add_edge(r["upline_id"], r["agent_id"])
    loops = [c for c in nx.simple_cycles(g)]
    assert sorted(len(c) for c in loops) == [1, 1, 3, 3, 3]
    assert sum(1 for r in rows if r["agent_id"] == r["upline_id"]) == 2
    copies = collections.Counter(tuple(r.values()) for r in rows)
    assert sum(n - 1 for n in copies.values()) == 6
    uplines = collections.defaultdict(set)
    for r in rows:
        uplines[r["agent_id"]].add(r["upline_id"])
    assert sum(1 for u in uplines.values() if len(u) > 1) == 4
    known = set(uplines)
    assert sum(1 for r in rows if r["upline_id"] not in known | {None}) == 5
    assert set(uplines) == set(clean.table["agent_id"].to_pylist())


def test_with_defects_second_upline_joins_later_and_is_an_ancestor() -> None:
    clean = synth.ladder(4, 3, seed=1)
    rel = synth.with_defects(clean, multiple_uplines=3)
    g = member_graph(pairs(clean))
    by_agent = collections.defaultdict(list)
    for r in rel.table.to_pylist():
        by_agent[r["agent_id"]].append(r)
    doubled = [rs for rs in by_agent.values() if len(rs) == 2]
    assert len(doubled) == 3
    clean_upline = dict(pairs(clean))
    for rs in doubled:
        first, second = sorted(rs, key=lambda r: r["upline_id"] != clean_upline[r["agent_id"]])
        assert first["upline_id"] == clean_upline[first["agent_id"]] != second["upline_id"]
        assert second["joined_at"] > first["joined_at"]
        assert nx.has_path(g, second["upline_id"], second["agent_id"])


def test_with_defects_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ArgumentError, match="not enough"):
        synth.with_defects(synth.single_tier(10), cycles=1)
    with pytest.raises(ArgumentError, match="member table"):
        synth.with_defects(synth.to_edges(synth.chain(5)), cycles=1)
    assert synth.with_defects(synth.chain(5)).table.equals(synth.chain(5).table)


def test_to_edges_keeps_every_recruitment() -> None:
    members = synth.with_defects(synth.ladder(4, 2), multiple_uplines=2)
    edges = synth.to_edges(members)
    assert edges.kind == "edges"
    assert edges.table.column_names == ["upline_id", "downline_id", "kind", "at"]
    assert edges.rows == members.rows - 1  # one root
    assert set(edges.table["kind"].to_pylist()) == {"recruited"}
    got = sorted(
        zip(
            edges.table["upline_id"].to_pylist(),
            edges.table["downline_id"].to_pylist(),
            edges.table["at"].to_pylist(),
            strict=True,
        )
    )
    want = sorted(
        (r["upline_id"], r["agent_id"], r["joined_at"])
        for r in members.table.to_pylist()
        if r["upline_id"] is not None
    )
    assert got == want
    assert synth.to_edges(edges) is edges


@pytest.mark.parametrize(
    "shape_name", ["single_tier", "ladder", "chain", "random_recursive", "forest"]
)
@pytest.mark.parametrize("agents", [1, 2, 30, 1_000])
def test_generate_gives_exactly_n_rows(shape_name: str, agents: int) -> None:
    rel = synth.generate(shape_name, agents, seed=1)
    assert rel.rows == agents
    shape(rel)
    check_times(rel)


def test_generate_ladder_uses_the_requested_tiers() -> None:
    assert shape(synth.generate("ladder", 341, tiers=5)) == [(341, 5)]  # 1+4+16+64+256
    assert shape(synth.generate("ladder", 1_000, tiers=3, jitter=0.3)) == [(1_000, 3)]
    assert shape(synth.generate("ladder", 1_000, tiers=5, branching=3)) == [(121, 5)]
    assert shape(synth.generate("ladder", 100, tiers=5, branching=3)) == [(100, 5)]


def test_generate_calibrated_and_errors() -> None:
    assert synth.generate("shenzhou").rows == 10_350
    assert synth.generate("xiaoxiaole", 90_000).rows == 90_000
    with pytest.raises(ArgumentError, match="exactly"):
        synth.generate("shenzhou", 10)
    with pytest.raises(ArgumentError, match="unknown shape"):
        synth.generate("pyramid", 10)
    with pytest.raises(ArgumentError, match="unexpected"):
        synth.generate("chain", 10, branching=3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: synth.single_tier(-1), "agents must be an integer >= 0, got -1"),
        (lambda: synth.ladder(0, 2), "tiers must be an integer >= 1, got 0"),
        (lambda: synth.ladder(3, 2.5), "branching must be an integer >= 1, got 2.5"),
        (lambda: synth.ladder(3, 2, jitter=1.5), "jitter must be in [0, 1], got 1.5"),
        (lambda: synth.ladder(3, 2, jitter=None), "jitter must be in [0, 1], got None"),
        (lambda: synth.ladder(40, 3), "ladder too large (more than 10**9 agents)"),
        (lambda: synth.chain(None), "length must be an integer >= 0, got None"),
        (lambda: synth.chain("x"), "length must be an integer >= 0, got 'x'"),
        (lambda: synth.random_recursive(3, ids="uuid"), "unknown id style 'uuid'"),
        (lambda: synth.calibrated("nope"), "unknown case 'nope'"),
        (lambda: synth.generate("ladder", 5, tiers=1), "a 1-tier ladder has exactly 1 agent"),
        (lambda: synth.generate("ladder", 5, jitter="x"), "jitter must be in [0, 1], got 'x'"),
        (lambda: synth.generate("ladder", 5, jitter=2.0), "jitter must be in [0, 1], got 2.0"),
        (lambda: synth.generate("chain"), "generate('chain') needs a number of agents"),
        (lambda: synth.generate("chain", 0), "agents must be an integer >= 1, got 0"),
        (lambda: synth.with_defects(synth.chain(3), cycles=-1), "cycles must be an integer"),
    ],
)
def test_bad_arguments_raise_argument_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ArgumentError, match=re.escape(message)) as info:
        call()
    assert isinstance(info.value, ValueError)  # old `except ValueError` still works


def read_csv(data: bytes) -> pa.Table:
    types = {
        "agent_id": pa.string(),
        "upline_id": pa.string(),
        "joined_at": pa.timestamp("s"),
        "rank": pa.string(),
    }
    return pacsv.read_csv(
        io.BytesIO(data),
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )


def test_write_round_trips_every_format(tmp_path: Path) -> None:
    rel = synth.with_defects(synth.forest(70_000, ids="zh", seed=2), duplicate_agents=3)
    utf8 = synth.write(rel, tmp_path / "m.csv")
    assert read_csv(utf8.read_bytes()).equals(rel.table)
    gb = synth.write(rel, tmp_path / "sub" / "m.csv", encoding="gb18030")
    assert gb.read_bytes().decode("gb18030") == utf8.read_bytes().decode("utf-8")
    assert gb.read_bytes() != utf8.read_bytes()
    back = pq.read_table(synth.write(rel, tmp_path / "m.parquet"))  # Parquet has no seconds
    assert back.cast(rel.table.schema).equals(rel.table)
    lines = synth.write(rel, tmp_path / "m.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == rel.rows
    first = rel.table.slice(0, 1).to_pylist()[0]
    assert json.loads(lines[0]) == {**first, "joined_at": first["joined_at"].isoformat()}


def test_write_csv_root_upline_is_an_empty_field(tmp_path: Path) -> None:
    text = synth.write(synth.chain(2, ids="seq"), tmp_path / "c.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["agent_id", "upline_id", "joined_at", "rank"]
    assert rows[1][:2] == ["A00000000", ""] and rows[2][:2] == ["A00000001", "A00000000"]


def test_write_refuses_unknown_suffix_and_encoding(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="format"):
        synth.write(synth.chain(2), tmp_path / "x.xlsx")
    with pytest.raises(ArgumentError, match="UTF-8"):
        synth.write(synth.chain(2), tmp_path / "x.parquet", encoding="gb18030")


def test_make_fixtures_reproduces_the_committed_files(tmp_path: Path) -> None:
    for script in ("make_fixtures.py", "make_money_law.py"):
        subprocess.run([sys.executable, str(FIXTURES / script), str(tmp_path)], check=True)
    made = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(FIXTURES)
        for p in FIXTURES.rglob("*")
        if p.is_file()
        and p.suffix not in (".py", ".md")
        and "__pycache__" not in p.parts
        and p.relative_to(FIXTURES).parts[0] != "exports"  # make_exports.py: test_exports.py
    }
    assert made == committed
    for rel in sorted(made):
        assert (tmp_path / rel).read_bytes() == (FIXTURES / rel).read_bytes(), rel


# Known answers of fixtures/README.md, rechecked with networkx: root -> members per level.
KNOWN = {
    "chain5.csv": ("utf-8", {"C1": [1, 1, 1, 1, 1]}),
    "star.csv": ("utf-8", {"S000": [1, 200]}),
    "boundary_30_3.csv": ("utf-8", {"001": [1, 5, 24]}),
    "boundary_29_3.csv": ("utf-8", {"001": [1, 5, 23]}),
    "cycle.csv": ("utf-8", {"R1": [1, 2, 1]}),
    "gb18030_members.csv": ("gb18030", {"王总": [1, 3, 9, 18], "孙总": [1, 2]}),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_member_fixtures_match_their_known_answers(name: str) -> None:
    encoding, want = KNOWN[name]
    rows = list(csv.DictReader(io.StringIO((FIXTURES / name).read_text(encoding))))
    g = member_graph([(r["agent_id"], r["upline_id"] or None) for r in rows])
    assert networks(g) == want
    flagged = {root for root, levels in want.items() if sum(levels) >= 30 and len(levels) >= 3}
    pyramids = {"boundary_30_3.csv": {"001"}, "gb18030_members.csv": {"王总"}}
    assert flagged == pyramids.get(name, set())


def test_cycle_fixture_defects() -> None:
    rows = list(csv.DictReader(io.StringIO((FIXTURES / "cycle.csv").read_text("utf-8"))))
    g = member_graph([(r["agent_id"], r["upline_id"] or None) for r in rows])
    assert sorted(sorted(c) for c in nx.simple_cycles(g)) == [["S1"], ["X1", "X2", "X3"]]
    assert nx.descendants(g, "X2") == {"X1", "X3", "X4"}


def test_edge_fixture_known_answers() -> None:
    rows = list(csv.DictReader(io.StringIO((FIXTURES / "ladder_edges.csv").read_text("utf-8"))))
    recruited = [r for r in rows if r["kind"] in ("", "recruited")]
    assert len(rows) == 32 and len(recruited) == 31
    ups = collections.defaultdict(list)
    for r in recruited:
        ups[r["downline_id"]].append((r["at"], r["upline_id"]))
    assert {d: sorted(u) for d, u in ups.items() if len(u) > 1} == {
        "P31": [("2022-01-31 10:00:00", "P15"), ("2022-03-15 10:00:00", "P14")]
    }
    g = nx.DiGraph([(min(u)[1], d) for d, u in ups.items()])
    assert networks(g) == {"P01": [1, 2, 4, 8, 16]}


def test_jsonl_fixture_known_answers() -> None:
    lines = (FIXTURES / "mixed.jsonl").read_text("utf-8").splitlines()
    g = member_graph([(r["agent_id"], r["upline_id"]) for r in map(json.loads, lines)])
    assert networks(g) == {"M1": [1, 2, 1, 1], "N1": [1, 2]}
