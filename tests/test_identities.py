"""Identity resolution: accounts sharing a strong identifier are one person."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agentgraph
from agentgraph.errors import ArgumentError, InputError
from agentgraph.evidence.identities import STRONG_IDENTIFIERS, resolve_identities
from agentgraph.evidence.persons import MergedRelations, merge_relations
from agentgraph.tables import Relations

COLUMNS = ("phone", "id_number", "bank_card", "device")
AGENTS = ("a", "b", "c", "d", "e", "f", "g", "007", "7", " a")
VALUES = ("1", " 1", "1 ", "2", "007", "7", "ff00", "", "  ", "\t", None)


def _members(
    rows: list[tuple[str, str | None]], joined: list[int | None] | None = None
) -> Relations:
    cols: dict[str, Any] = {
        "agent_id": pa.array([a for a, _ in rows], pa.string()),
        "upline_id": pa.array([u for _, u in rows], pa.string()),
    }
    if joined is not None:
        cols["joined_at"] = pa.array(joined, pa.int64()).cast(pa.timestamp("s"))
    return Relations("members", pa.table(cols))


def _ids(rows: list[dict[str, str | None]]) -> pa.Table:
    names = ["agent_id", *dict.fromkeys(k for r in rows for k in r if k != "agent_id")]
    return pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})


# ----------------------------------------------------------------- oracle (networkx)
@st.composite
def identity_tables(draw: st.DrawFn) -> pa.Table:
    n = draw(st.integers(0, 25))
    cols = draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=4))
    data: dict[str, list[str | None]] = {
        "agent_id": [draw(st.sampled_from(AGENTS)) for _ in range(n)]
    }
    for c in cols:
        data[c] = [draw(st.sampled_from(VALUES)) for _ in range(n)]
    return pa.table({k: pa.array(v, pa.string()) for k, v in data.items()})


def _oracle(table: pa.Table) -> tuple[dict[str, str], dict[tuple[str, str], set[str]]]:
    """Person of every account, and every (column, value) shared by >= 2 accounts."""
    rows = table.to_pylist()
    order = list(dict.fromkeys(r["agent_id"] for r in rows))
    g = nx.Graph()
    g.add_nodes_from(("acct", a) for a in order)
    holders: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        for col, value in r.items():
            if col == "agent_id" or value is None or not value.strip():
                continue
            holders.setdefault((col, value.strip()), set()).add(r["agent_id"])
            if col in STRONG_IDENTIFIERS:
                g.add_edge(("acct", r["agent_id"]), ("value", col, value.strip()))
    person = {}
    for comp in nx.connected_components(g):
        accts = [node[1] for node in comp if node[0] == "acct"]
        first = min(accts, key=order.index)
        person.update(dict.fromkeys(accts, first))
    shared = {k: v for k, v in holders.items() if len(v) >= 2}
    return person, shared


@settings(max_examples=300, deadline=None)
@given(identity_tables())
def test_persons_match_networkx_components(table: pa.Table) -> None:
    res = resolve_identities(table)
    person, shared = _oracle(table)
    got = res.person_of.to_pylist()
    assert [r["agent_id"] for r in got] == list(dict.fromkeys(table.column("agent_id").to_pylist()))
    assert {r["agent_id"]: r["person_id"] for r in got} == person
    # groups: every person with >= 2 accounts, its accounts and the linking values
    accounts_of: dict[str, set[str]] = {}
    for acct, p in person.items():
        accounts_of.setdefault(p, set()).add(acct)
    expected_groups = {p: a for p, a in accounts_of.items() if len(a) >= 2}
    assert {g["person"]: set(g["accounts"]) for g in res.groups} == expected_groups
    evidence = {
        (s["identifier"], s["value"]): set(s["accounts"]) for g in res.groups for s in g["shared"]
    }
    assert evidence == {k: v for k, v in shared.items() if k[0] in STRONG_IDENTIFIERS}
    for g in res.groups:
        for s in g["shared"]:
            assert {person[a] for a in s["accounts"]} == {g["person"]}
    # weak links: device values shared by accounts of >= 2 persons, never merged
    weak = {(w["identifier"], w["value"]): set(w["accounts"]) for w in res.weak_links}
    assert weak == {
        k: v for k, v in shared.items() if k[0] == "device" and len({person[a] for a in v}) >= 2
    }
    assert res.persons == len(set(person.values()))


@st.composite
def member_tables(draw: st.DrawFn) -> Relations:
    n = draw(st.integers(1, 20))
    agents = [draw(st.sampled_from(AGENTS)) for _ in range(n)]
    ups = [draw(st.one_of(st.none(), st.sampled_from(AGENTS + ("ghost",)))) for _ in range(n)]
    return _members(list(zip(agents, ups, strict=True)))


@settings(max_examples=200, deadline=None)
@given(identity_tables(), member_tables())
def test_merge_rewrites_every_account_and_keeps_one_row_per_merged_person(
    table: pa.Table, rel: Relations
) -> None:
    res = resolve_identities(table)
    person, _ = _oracle(table)
    merged = merge_relations(rel, res)
    assert isinstance(merged, Relations) and merged.kind == "members"
    out = merged.table.to_pylist()
    assert merged.dropped is not None
    assert len(out) + merged.dropped.num_rows == rel.rows
    rows = rel.table.to_pylist()
    accounts_of: dict[str, set[str]] = {}
    for r in rows:
        if r["agent_id"] in person:
            accounts_of.setdefault(person[r["agent_id"]], set()).add(r["agent_id"])
    for r in out:  # every id is a person id or an id the identities table does not know
        assert r["agent_id"] not in person or person[r["agent_id"]] == r["agent_id"]
        assert r["upline_id"] not in person or person[r["upline_id"]] == r["upline_id"]
    merged_persons = [p for p, accts in accounts_of.items() if len(accts) >= 2]
    ids_out = [r["agent_id"] for r in out]
    for p in merged_persons:
        assert ids_out.count(p) == 1
    # rows of accounts that were not merged are untouched except for upline rewrites
    plain = [
        r
        for r in rows
        if r["agent_id"] not in person or len(accounts_of[person[r["agent_id"]]]) < 2
    ]
    assert len(out) == len(plain) + len(merged_persons)
    agentgraph.analyse(merged)  # the engine accepts the result


# ----------------------------------------------------------------- known answers
def _ladder_split() -> tuple[Relations, pa.Table]:
    """Tree A: A0 with 14 direct recruits (15 members, 2 levels). Tree B: B0 -> B1..B3 ->
    two each (6) -> one each (6): 16 members, 4 levels. A14 (deepest of A) and B0 share
    a phone, so B hangs under A0: 15 + 16 - 1 = 30 members over 2 + 4 - 1 = 5 levels."""
    rows: list[tuple[str, str | None]] = [("A0", None)]
    rows += [(f"A{k}", "A0") for k in range(1, 15)]
    rows += [("B0", None)] + [(f"B{k}", "B0") for k in range(1, 4)]
    level3 = [f"B{k}{j}" for k in range(1, 4) for j in (1, 2)]
    rows += [(x, x[:2]) for x in level3]
    rows += [(f"{x}x", x) for x in level3]
    ids = _ids(
        [
            {"agent_id": "A14", "phone": "13800000001", "device": "dev-9"},
            {"agent_id": "B0", "phone": " 13800000001 ", "bank_card": "6222"},
            {"agent_id": "A3", "phone": "13900000003"},
        ]
    )
    return _members(rows), ids


def test_split_ladder_merges_into_one_five_level_network_that_fires() -> None:
    rel, ids = _ladder_split()
    before = agentgraph.analyse(rel).report()
    assert before["summary"]["max_levels"] == 4 and before["summary"]["flagged"] == 0
    assert sorted((n["members"], n["levels"]) for n in before["networks"]) == [(15, 2), (16, 4)]

    res = resolve_identities(ids)
    assert res.groups == [
        {
            "person": "A14",
            "accounts": ["A14", "B0"],
            "shared": [{"identifier": "phone", "value": "13800000001", "accounts": ["A14", "B0"]}],
        }
    ]
    merged = merge_relations(rel, res)
    assert isinstance(merged, MergedRelations)
    assert merged.self_links == 0 and merged.rewritten == 4  # B0's row, B1..B3's uplines
    assert merged.dropped is not None
    assert merged.dropped.select(["agent_id", "upline_id", "row", "person_id"]).to_pylist() == [
        {"agent_id": "B0", "upline_id": None, "row": 16, "person_id": "A14"}
    ]

    a = agentgraph.analyse(merged)
    r = a.report()
    assert r["summary"]["max_levels"] == 5
    assert r["summary"]["networks"] == 1 and r["summary"]["agents"] == 30
    net = r["networks"][0]
    assert net["root"] == "A0" and net["members"] == 30 and net["levels"] == 5
    assert net["tier_counts"] == [1, 14, 3, 6, 6]
    assert net["structure"] == "five_tier_plus"
    assert [f["rule"] for f in net["flags"]] == ["cn.threshold"]
    assert sum(r["summary"]["data_issues"].values()) == 0  # no duplicate_agent noise
    assert a.agent("B11x").upline_chain == ["A0", "A14", "B1", "B11"]


def test_roots_sharing_a_bank_card_are_one_network_of_sum_minus_one() -> None:
    rel = _members(
        [
            ("R1", None),
            ("x1", "R1"),
            ("x2", "x1"),
            ("x3", "x2"),
            ("x4", "R1"),
            ("R2", None),
            ("y1", "R2"),
            ("y2", "R2"),
            ("y3", "y1"),
        ]
    )
    before = agentgraph.analyse(rel).report()
    assert sorted(n["members"] for n in before["networks"]) == [4, 5]
    ids = _ids(
        [
            {"agent_id": "R2", "bank_card": "6222 0000"},
            {"agent_id": "R1", "bank_card": "6222 0000", "phone": "1"},
        ]
    )
    merged = merge_relations(rel, resolve_identities(ids))
    r = agentgraph.analyse(merged).report()
    assert r["summary"]["networks"] == 1
    net = r["networks"][0]
    assert net["root"] == "R2"  # first listed in the identities table
    assert net["members"] == 5 + 4 - 1 and net["levels"] == 4
    assert net["tier_counts"] == [1, 4, 2, 1]


def test_edge_list_merge_reports_multiple_uplines_and_drops_self_links() -> None:
    edges = pa.table(
        {
            "upline_id": ["R1", "R2", "u", "P1"],
            "downline_id": ["u", "P1", "P2", "P2b"],
            "at": pa.array([1, 2, 0, 3], pa.int64()).cast(pa.timestamp("s")),
        }
    )
    ids = _ids(
        [
            {"agent_id": "P1", "id_number": "110"},
            {"agent_id": "P2", "id_number": "110"},
            {"agent_id": "P2b", "id_number": "110"},
        ]
    )
    merged = merge_relations(Relations("edges", edges), resolve_identities(ids))
    assert merged.kind == "edges" and merged.self_links == 1
    assert merged.table.select(["upline_id", "downline_id"]).to_pylist() == [
        {"upline_id": "R1", "downline_id": "u"},
        {"upline_id": "R2", "downline_id": "P1"},
        {"upline_id": "u", "downline_id": "P1"},
    ]
    r = agentgraph.analyse(merged).report()
    multi = [i for i in r["data_issues"] if i["kind"] == "multiple_uplines"]
    assert multi and multi[0]["agents"][:2] == ["P1", "u"]  # earliest 'at' kept
    assert r["summary"]["networks"] == 2 and r["summary"]["max_levels"] == 3


def test_account_recruited_by_its_own_person_becomes_part_of_it() -> None:
    # X recruits X2 (same phone); X2's recruits hang under X; X keeps its own upline
    rel = _members([("R", None), ("X", "R"), ("X2", "X"), ("k1", "X2"), ("k2", "X2")])
    ids = _ids([{"agent_id": "X", "phone": "5"}, {"agent_id": "X2", "phone": "5"}])
    merged = merge_relations(rel, resolve_identities(ids))
    assert merged.self_links == 1 and merged.dropped is not None
    assert merged.dropped.select(["agent_id", "upline_id"]).to_pylist() == [
        {"agent_id": "X2", "upline_id": "X"}
    ]  # as in the input
    assert merged.table.to_pylist() == [
        {"agent_id": "R", "upline_id": None},
        {"agent_id": "X", "upline_id": "R"},
        {"agent_id": "k1", "upline_id": "X"},
        {"agent_id": "k2", "upline_id": "X"},
    ]
    r = agentgraph.analyse(merged).report()
    assert r["networks"][0]["members"] == 4 and r["networks"][0]["levels"] == 3
    assert sum(r["summary"]["data_issues"].values()) == 0


def test_merged_person_keeps_the_upline_with_the_earliest_joined_at() -> None:
    rows = [("R1", None), ("R2", None), ("P1", "R1"), ("P2", "R2"), ("P3", None)]
    ids = _ids([{"agent_id": p, "phone": "7"} for p in ("P1", "P2", "P3")])
    res = resolve_identities(ids)
    timed = merge_relations(_members(rows, [0, 0, 200, 100, 50]), res)
    assert timed.table.column("agent_id").to_pylist() == ["R1", "R2", "P1"]
    assert timed.table.column("upline_id").to_pylist() == [None, None, "R2"]  # P2's row
    assert timed.table.column("joined_at").to_pylist()[2].timestamp() == 100
    assert timed.dropped is not None
    assert timed.dropped.column("row").to_pylist() == [3, 5]
    untimed = merge_relations(_members(rows), res)
    assert untimed.table.column("upline_id").to_pylist() == [None, None, "R1"]  # first row


def test_duplicate_rows_of_unmerged_agents_are_left_to_the_engine() -> None:
    rel = _members([("r", None), ("s", None), ("x", "r"), ("x", "s")])
    merged = merge_relations(rel, resolve_identities(_ids([{"agent_id": "x", "phone": "1"}])))
    assert merged.table.equals(rel.table)
    r = agentgraph.analyse(merged).report()
    assert r["summary"]["data_issues"]["duplicate_agent"] == 1


# ----------------------------------------------------------------- what never links
def test_device_only_sharing_is_reported_not_merged() -> None:
    rel = _members([("r1", None), ("a", "r1"), ("r2", None), ("b", "r2")])
    ids = _ids(
        [
            {"agent_id": "a", "device": "imei-1", "phone": "1"},
            {"agent_id": "b", "device": " imei-1", "phone": "2"},
            {"agent_id": "r1", "device": "imei-2"},
        ]
    )
    res = resolve_identities(ids)
    assert res.groups == [] and res.persons == 3
    assert res.weak_links == [
        {"identifier": "device", "value": "imei-1", "accounts": ["a", "b"], "persons": ["a", "b"]}
    ]
    merged = merge_relations(rel, res)
    assert merged.table.equals(rel.table) and merged.rewritten == 0
    assert agentgraph.analyse(merged).report()["summary"]["networks"] == 2


def test_weak_values_within_one_person_are_not_weak_links() -> None:
    ids = _ids(
        [
            {"agent_id": "a", "phone": "1", "device": "d"},
            {"agent_id": "b", "phone": "1", "device": "d"},
        ]
    )
    res = resolve_identities(ids)
    assert res.weak_links == [] and len(res.groups) == 1


def test_a_value_shared_across_columns_does_not_link() -> None:
    ids = _ids(
        [
            {"agent_id": "a", "phone": "6222"},
            {"agent_id": "b", "bank_card": "6222"},
            {"agent_id": "c", "id_number": "6222"},
        ]
    )
    res = resolve_identities(ids)
    assert res.groups == [] and res.persons == 3


def test_empty_and_whitespace_identifiers_never_link() -> None:
    ids = _ids(
        [
            {"agent_id": a, "phone": v, "bank_card": v, "id_number": v, "device": v}
            for a, v in (("a", ""), ("b", ""), ("c", "  "), ("d", "\t "), ("e", None), ("f", None))
        ]
    )
    res = resolve_identities(ids)
    assert res.groups == [] and res.weak_links == [] and res.persons == 6
    assert res.person_of.column("person_id").to_pylist() == ["a", "b", "c", "d", "e", "f"]


def test_ids_and_values_compare_as_exact_strings() -> None:
    ids = _ids(
        [
            {"agent_id": "007", "phone": "007"},
            {"agent_id": "7", "phone": "7"},
            {"agent_id": "07", "phone": "7 "},
        ]
    )
    res = resolve_identities(ids)
    assert res.person_of.to_pylist() == [
        {"agent_id": "007", "person_id": "007"},
        {"agent_id": "7", "person_id": "7"},
        {"agent_id": "07", "person_id": "7"},
    ]
    rel = _members([("007", None), ("7", "007"), ("07", None), ("x", "07")])
    out = merge_relations(rel, res).table.to_pylist()
    assert out == [
        {"agent_id": "007", "upline_id": None},
        {"agent_id": "7", "upline_id": "007"},
        {"agent_id": "x", "upline_id": "7"},
    ]
    assert res.person_id("07") == "7" and res.person_id("nobody") == "nobody"


def test_accounts_missing_from_the_identities_table_stay_themselves() -> None:
    rel = _members([("r", None), ("a", "r"), ("b", "a")])
    # zz is listed first, so the person is zz; r and b are unknown and stay as they are
    res = resolve_identities(
        _ids([{"agent_id": "zz", "phone": "1"}, {"agent_id": "a", "phone": "1"}])
    )
    out = merge_relations(rel, res).table.to_pylist()
    assert out == [
        {"agent_id": "r", "upline_id": None},
        {"agent_id": "zz", "upline_id": "r"},
        {"agent_id": "b", "upline_id": "zz"},
    ]


def test_empty_tables_and_bad_input() -> None:
    empty = pa.table({"agent_id": pa.array([], pa.string())})
    res = resolve_identities(empty)
    assert res.accounts == 0 and res.groups == []
    rel = _members([("r", None)])
    assert merge_relations(rel, res).table.equals(rel.table)
    with pytest.raises(InputError, match="agent_id"):
        resolve_identities(pa.table({"phone": ["1"]}))
    with pytest.raises(InputError, match="row 2"):
        resolve_identities(pa.table({"agent_id": ["a", None], "phone": ["1", "1"]}))
    with pytest.raises(ArgumentError, match="agent_id"):
        resolve_identities(empty, strong=("agent_id",))
    with pytest.raises(ValueError, match="agent_id"):  # ArgumentError is a ValueError
        resolve_identities(empty, strong=("agent_id",))
