"""Defects are repaired by stated rules and reported, never dropped silently."""

from __future__ import annotations

import pyarrow as pa

import agentgraph
from agentgraph.tables import Relations


def _members(rows: list[tuple[str, str | None]]) -> Relations:
    return Relations(
        "members", pa.table({"agent_id": [a for a, _ in rows], "upline_id": [u for _, u in rows]})
    )


def _issues(report: dict, kind: str) -> list[dict]:
    return [i for i in report["data_issues"] if i["kind"] == kind]


def test_duplicate_agent_keeps_first_row_and_names_the_dropped_upline() -> None:
    a = agentgraph.analyse(_members([("r", None), ("s", None), ("x", "r"), ("x", "s")]))
    r = a.report()
    dup = _issues(r, "duplicate_agent")
    assert len(dup) == 1 and dup[0]["agents"] == ["x"]
    assert "row 3 kept" in dup[0]["detail"] and "s dropped" in dup[0]["detail"]
    assert a.agent("x").root == "r"
    assert r["summary"]["agents"] == 3


def test_unknown_upline_becomes_an_implicit_root() -> None:
    a = agentgraph.analyse(_members([("a", "ghost"), ("b", "a"), ("c", "ghost")]))
    r = a.report()
    unk = _issues(r, "unknown_upline")
    assert unk[0]["agents"] == ["ghost"] and "2 agent(s)" in unk[0]["detail"]
    assert r["summary"]["agents"] == 4 and r["summary"]["listed_agents"] == 3
    assert a.agent("b").upline_chain == ["ghost", "a"]
    assert a.agent("b").level == 3


def test_multiple_uplines_keep_the_earliest_at() -> None:
    edges = pa.table(
        {
            "upline_id": ["r", "q", "r", "p"],
            "downline_id": ["x", "x", "q", "x"],
            "at": pa.array([3, 1, 0, None], pa.int64()).cast(pa.timestamp("s")),
        }
    )
    a = agentgraph.analyse(Relations("edges", edges))
    multi = _issues(a.report(), "multiple_uplines")
    assert multi[0]["agents"][:2] == ["x", "q"]
    assert "earliest 'at'" in multi[0]["detail"] and "dropped p, r" in multi[0]["detail"]
    assert a.agent("x").upline_chain == ["r", "q"]


def test_multiple_uplines_without_times_keep_the_first_row() -> None:
    edges = pa.table({"upline_id": ["b", "a"], "downline_id": ["x", "x"]})
    a = agentgraph.analyse(Relations("edges", edges))
    assert a.agent("x").upline_chain == ["b"]
    assert "first row" in _issues(a.report(), "multiple_uplines")[0]["detail"]


def test_repeated_identical_edge_is_counted_once_and_reported() -> None:
    edges = pa.table({"upline_id": ["a", "a"], "downline_id": ["b", "b"]})
    r = agentgraph.analyse(Relations("edges", edges)).report()
    assert r["summary"]["agents"] == 2
    assert "listed 2 times" in _issues(r, "duplicate_agent")[0]["detail"]


def test_cycle_through_a_whole_tree_is_broken_and_analysed() -> None:
    rows = [("a", "c"), ("b", "a"), ("c", "b"), ("d", "c"), ("e", "d")]
    a = agentgraph.analyse(_members(rows))
    r = a.report()
    assert _issues(r, "cycle")[0]["agents"] == ["a", "c", "b"]
    assert r["networks"][0]["root"] == "a"
    assert r["networks"][0]["tier_counts"] == [1, 1, 1, 1, 1]


def test_issue_lists_are_capped_but_counted() -> None:
    rows = [(f"s{i}", f"s{i}") for i in range(50)]
    r = agentgraph.analyse(_members(rows), issue_limit=10).report()
    assert len(_issues(r, "self_referral")) == 10
    assert r["summary"]["data_issues"]["self_referral"] == 50


def test_ids_are_strings_leading_zeros_and_chinese() -> None:
    rows = [("007", None), ("7", "007"), ("张三", "7"), ("0138000", "张三")]
    a = agentgraph.analyse(_members(rows))
    assert a.agent("0138000").upline_chain == ["007", "7", "张三"]
    assert a.agent("0138000").level == 4
