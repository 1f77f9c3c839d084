"""The fixtures' known answers (fixtures/README.md), through the library."""

from __future__ import annotations

from pathlib import Path

import pytest

import agentgraph
from agentgraph.errors import InputError

from .conftest import FIXTURES


def _nets(report: dict) -> dict[str, tuple[int, int, list[int], list[str]]]:
    return {
        n["root"]: (n["members"], n["levels"], n["tier_counts"], [f["rule"] for f in n["flags"]])
        for n in report["networks"]
    }


def test_chain5() -> None:
    r = agentgraph.scan(FIXTURES / "chain5.csv").report()
    assert _nets(r) == {"C1": (5, 5, [1, 1, 1, 1, 1], [])}
    assert r["networks"][0]["structure"] == "five_tier_plus"
    assert r["networks"][0]["deepest_chain"] == ["C1", "C2", "C3", "C4", "C5"]


def test_star_of_200_at_two_levels_is_not_flagged() -> None:
    r = agentgraph.scan(FIXTURES / "star.csv").report()
    assert _nets(r) == {"S000": (201, 2, [1, 200], [])}
    assert r["networks"][0]["structure"] == "single_tier"
    assert r["summary"]["flagged"] == 0
    assert r["organisers"] == []


def test_thirty_members_over_three_levels_fires() -> None:
    a = agentgraph.scan(FIXTURES / "boundary_30_3.csv")
    r = a.report()
    assert _nets(r) == {"001": (30, 3, [1, 5, 24], ["cn.threshold"])}
    flag = r["networks"][0]["flags"][0]
    assert flag["severity"] == "high" and "2013" in flag["citation"]
    assert flag["evidence"]["members"] == 30 and flag["evidence"]["levels"] == 3
    assert r["organisers"][0] == {
        "agent": "001",
        "network": "001",
        "downline": 30,
        "levels": 3,
        "direct_recruits": 5,
    }
    assert a.agent("007").level == 3
    assert a.agent("002").level == 2 and a.agent("001").level == 1


def test_twenty_nine_members_does_not_fire() -> None:
    r = agentgraph.scan(FIXTURES / "boundary_29_3.csv").report()
    assert _nets(r) == {"001": (29, 3, [1, 5, 23], [])}
    assert r["organisers"] == []


def test_cycle_and_self_referral_are_reported_and_the_rest_analysed() -> None:
    r = agentgraph.scan(FIXTURES / "cycle.csv").report()
    kinds = sorted(i["kind"] for i in r["data_issues"])
    assert kinds == ["cycle", "self_referral"]
    cycle = next(i for i in r["data_issues"] if i["kind"] == "cycle")
    assert sorted(cycle["agents"]) == ["X1", "X2", "X3"]
    assert "broken at X1" in cycle["detail"]
    nets = _nets(r)
    assert nets["R1"] == (4, 3, [1, 2, 1], [])
    # broken at X1: X1 -> X2 -> {X3, X4}
    assert nets["X1"] == (4, 3, [1, 1, 2], [])
    assert r["summary"]["agents"] == 9
    assert r["summary"]["data_issues"]["cycle"] == 1
    assert r["summary"]["data_issues"]["self_referral"] == 1


def test_gb18030_file_is_detected_and_ranks_are_not_levels() -> None:
    r = agentgraph.scan(FIXTURES / "gb18030_members.csv").report()
    nets = _nets(r)
    assert nets["王总"] == (31, 4, [1, 3, 9, 18], ["cn.threshold"])
    assert nets["孙总"] == (3, 2, [1, 2], [])
    assert r["summary"]["agents"] == 34
    mism = {m["agent"]: m for m in r["rank_mismatches"]["agents"]}
    assert mism["钱18"]["rank"] == "一级代理"
    assert mism["钱18"]["measured_level"] == 4
    assert mism["钱18"]["declared_level"] != 4


def test_ladder_edge_list_with_two_uplines_and_a_supply_edge() -> None:
    r = agentgraph.scan(FIXTURES / "ladder_edges.csv").report()
    assert _nets(r) == {"P01": (31, 5, [1, 2, 4, 8, 16], ["cn.threshold"])}
    assert r["source"]["supply_edges"] == 1
    multi = [i for i in r["data_issues"] if i["kind"] == "multiple_uplines"]
    assert len(multi) == 1
    assert multi[0]["agents"][:2] == ["P31", "P15"]  # earliest 'at' kept
    assert "dropped P14" in multi[0]["detail"]


def test_jsonl_members_keep_extra_columns_and_string_ids() -> None:
    rel = agentgraph.read(FIXTURES / "mixed.jsonl")
    assert "city" in rel.table.column_names
    r = agentgraph.scan(rel).report()
    assert _nets(r) == {"M1": (5, 4, [1, 2, 1, 1], []), "N1": (3, 2, [1, 2], [])}
    assert "007" in agentgraph.scan(rel).agent("N1").direct_recruits


@pytest.mark.parametrize(
    ("name", "needle", "row"),
    [
        ("empty.csv", "empty", None),
        ("header_only.csv", "no data rows", None),
        ("no_upline_column.csv", "upline_id", None),
        ("garbage.csv", "binary", None),
        ("bad_utf8.csv", "UTF-8", 3),
    ],
)
def test_bad_inputs_raise_clear_errors(name: str, needle: str, row: int | None) -> None:
    path: Path = FIXTURES / "bad" / name
    with pytest.raises(InputError) as info:
        agentgraph.read(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)
    if row is not None:
        assert info.value.row == row
