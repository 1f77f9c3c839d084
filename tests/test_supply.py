"""The 微商 supply ladder beside the referral tree: hand-counted answers (issue 13, §3).

The fixture (fixtures/supply/, written by fixtures/make_fixtures.py) is a brand B with
two 总代, where the 一级 Y1 recommends another 一级 Y3 who buys from the brand:

    referral B > Z1, Z2 > Y1, Y2 > Y3, E1 > E2, E3 > S1, S2 > T1   7 levels [1,2,2,2,2,2,1]
    supply   B > Z1, Z2, Y3 > Y1, Y2, E2 > E1, E3, S1 > S2 > T1    6 levels [1,3,3,3,1,1]
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from agentgraph.loaders.orders import read_orders
from agentgraph.loaders.payments import read_payments

import agentgraph
from agentgraph.evidence.supply import DEFAULT_STOCK_RATIO, supply_evidence
from agentgraph.graph.model import build_graph
from agentgraph.measure.hierarchy import hierarchy
from agentgraph.report.html import render_html
from agentgraph.report.schema import report_schema

from .conftest import FIXTURES

SUPPLY = FIXTURES / "supply"
SCHEMA = report_schema()


def _scan(relations: str, *, payments: bool = True, orders: bool = True) -> agentgraph.Analysis:
    return agentgraph.analyse(
        agentgraph.read(SUPPLY / relations),
        payments=read_payments(SUPPLY / "payments.csv") if payments else None,
        orders=read_orders(SUPPLY / "orders.csv") if orders else None,
    )


@pytest.mark.parametrize("relations", ["members.csv", "edges.csv"])
def test_both_depths_hand_counted(relations: str) -> None:
    a = _scan(relations)
    report = a.report()
    jsonschema.validate(report, SCHEMA)
    assert report["schema_revision"] >= 4
    # the referral tree stays THE tree: 12 members over 7 levels
    net = report["networks"][0]
    assert (net["root"], net["members"], net["levels"]) == ("B", 12, 7)
    assert net["tier_counts"] == [1, 2, 2, 2, 2, 2, 1]
    sec = report["supply"]
    assert sec["max_supply_levels"] == 6
    assert sec["supply_level_counts"] == [1, 3, 3, 3, 1, 1]
    assert sec["agents_with_supplier"] == 11
    assert sec["supply_relations"] == 11
    assert sec["ladders"] == 1
    assert sec["supply_ladders"] == [
        {"top": "B", "members": 12, "levels": 6, "tier_counts": [1, 3, 3, 3, 1, 1]}
    ]
    assert sec["networks"] == [
        {
            "root": "B",
            "members": 12,
            "levels": 7,
            "supply_levels": 6,
            "supply_tops": 1,
            "agents_with_supplier": 11,
            "recruiter_differs": 2,
        }
    ]
    assert sec["recruiter_differs"] == 2
    assert sec["recruiter_differs_agents"] == [
        {"agent": "Y3", "recruiter": "Y1", "supplier": "B", "level": 4, "supply_level": 2},
        {"agent": "E3", "recruiter": "E1", "supplier": "Y1", "level": 5, "supply_level": 4},
    ]
    assert sec["repairs"] == {
        "multiple_suppliers": 0,
        "self_supply": 0,
        "cycles": 0,
        "unknown_suppliers": 0,
        "unknown_supplier_ids": [],
    }


def test_member_table_names_the_column_read() -> None:
    rel = agentgraph.read(SUPPLY / "members.csv")
    assert rel.reading is not None
    assert rel.reading.columns["upline_id"] == "推荐人"
    assert rel.reading.columns["supply_upline_id"] == "拿货上级"
    sec = agentgraph.analyse(rel).report()["supply"]
    assert sec["relation"] == "column supply_upline_id (拿货上级)"
    assert agentgraph.analyse(agentgraph.read(SUPPLY / "edges.csv")).report()["supply"][
        "relation"
    ] == ("edges of kind supplies")


def test_inventory_loading_with_orders() -> None:
    sec = _scan("members.csv").report()["supply"]
    stock = sec["inventory_loading"]
    assert stock["checked"] is True
    assert stock["ratio"] == DEFAULT_STOCK_RATIO == 3.0
    assert stock["orders"] == 16
    assert stock["orders_from_supplier"] == 11  # E1's 2000 bought from B is not counted
    assert stock["agents"] == 4
    assert (stock["bought"], stock["sold"]) == (23000.0, 2500.0)
    by_agent = {r["agent"]: r for r in stock["list"]}
    assert set(by_agent) == {"Y2", "E1", "S1", "T1"}
    assert by_agent["T1"] == {
        "agent": "T1",
        "supplier": "S2",
        "bought_from_supplier": 10000.0,
        "sold": 500.0,
        "ratio": 20.0,
    }
    assert by_agent["S1"]["ratio"] is None  # sold nothing
    assert by_agent["Y2"]["ratio"] == 3.0  # the boundary counts
    assert by_agent["E1"]["bought_from_supplier"] == 4000.0
    assert [r["agent"] for r in stock["list"]] == ["T1", "S1", "E1", "Y2"]  # largest excess


def test_stock_ratio_is_a_parameter() -> None:
    rel = agentgraph.read(SUPPLY / "members.csv")
    g = build_graph(rel)
    orders = read_orders(SUPPLY / "orders.csv")
    strict = supply_evidence(rel, g, hierarchy(g.parent), orders=orders, stock_ratio=3.01)
    assert strict is not None and strict.stock is not None
    assert g.names(strict.stock.loading.nonzero()[0]) == ["E1", "S1", "T1"]  # Y2 at 3.0 out
    loose = supply_evidence(rel, g, hierarchy(g.parent), orders=orders, stock_ratio=1.1)
    assert loose is not None and loose.stock is not None
    assert g.names(loose.stock.loading.nonzero()[0]) == ["Z1", "Y1", "Y2", "E1", "E3", "S1", "T1"]


def test_paid_rank_ups() -> None:
    ranks = _scan("members.csv").report()["supply"]["rank_ups"]
    assert ranks["checked"] is True
    assert ranks["window_days"] == 7
    assert ranks["payment_rows"] == [3, 4, 5]
    assert (ranks["payments"], ranks["amount"], ranks["agents"], ranks["unchecked"]) == (
        3,
        15400.0,
        3,
        0,
    )
    assert ranks["list"][0] == {"agent": "Y3", "payee": "B", "amount": 9800.0, "row": 3}
    # the edge list's recruitment times serve as join times: the same answer
    assert _scan("edges.csv").report()["supply"]["rank_ups"]["payment_rows"] == [3, 4, 5]


def test_rank_ups_without_times_are_not_checked(tmp_path: Path) -> None:
    t = pacsv.read_csv(SUPPLY / "payments.csv").drop_columns(["at"])
    path = tmp_path / "payments.csv"
    pacsv.write_csv(t, path)
    a = agentgraph.analyse(agentgraph.read(SUPPLY / "members.csv"), payments=read_payments(path))
    sec = a.report()["supply"]
    assert sec["rank_ups"]["checked"] is False
    assert sec["rank_ups"]["payments"] == 0
    assert sec["rank_ups"]["unchecked"] == 5  # 2 fees at joining + 3 rank-ups, undecided
    assert any(t.startswith("paid rank-ups") for t in sec["not_checked"])


def test_referral_bonuses_per_recruit() -> None:
    bonus = _scan("members.csv").report()["supply"]["referral_bonuses"]
    assert bonus["checked"] is True
    assert bonus["payment_rows"] == [7, 8, 9]  # B -> Z1 for E1 is two levels up: not one
    assert (bonus["payments"], bonus["amount"], bonus["recruits"]) == (3, 1800.0, 3)
    assert bonus["per_recruit"] == 600.0
    assert (bonus["cross_recruits"], bonus["cross_amount"]) == (2, 1500.0)
    assert bonus["recruiters"][0] == {
        "agent": "Y1",
        "recruits_paid_for": 1,
        "direct_recruits": 2,
        "amount": 1000.0,
        "per_recruit": 1000.0,
    }


def test_evidence_names_what_it_could_not_check() -> None:
    sec = _scan("members.csv", payments=False, orders=False).report()["supply"]
    assert sec["inventory_loading"] == {"checked": False}
    assert sec["rank_ups"] == {"checked": False}
    assert sec["referral_bonuses"] == {"checked": False}
    told = " ".join(sec["not_checked"])
    assert "inventory loading (囤货): no orders" in told
    assert "no payments" in told
    full = _scan("members.csv").report()["supply"]
    assert not any("囤货" in t for t in full["not_checked"])
    assert any(u.startswith("inventory loading: orders") for u in full["used"])


def test_no_supply_relation_no_section() -> None:
    assert "supply" not in agentgraph.scan(FIXTURES / "chain5.csv").report()
    assert "supply" not in agentgraph.scan(FIXTURES / "boundary_30_3.csv").report()
    # ladder_edges.csv holds one supplies edge: a ladder of two
    sec = agentgraph.scan(FIXTURES / "ladder_edges.csv").report()["supply"]
    assert sec["agents_with_supplier"] == 1 and sec["max_supply_levels"] == 2


def _members(tmp_path: Path, header: list[str], rows: list[list[str]]) -> agentgraph.Relations:
    path = tmp_path / "m.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return agentgraph.read(path)


def test_column_aliases(tmp_path: Path) -> None:
    # 推荐人 is the recruiter, 上级代理 then the supplier
    rel = _members(tmp_path, ["编号", "推荐人", "上级代理"], [["A", "", ""], ["B", "A", "A"]])
    assert rel.table.column_names[:3] == ["agent_id", "upline_id", "supply_upline_id"]
    # 上级代理 alone stays the upline (as before): no supply relation
    rel = _members(tmp_path, ["编号", "上级代理"], [["A", ""], ["B", "A"]])
    assert "supply_upline_id" not in rel.table.column_names
    assert rel.reading is not None and rel.reading.columns["upline_id"] == "上级代理"
    # 上级 + 供货上级; "0" means no supplier as it means no upline
    rel = _members(tmp_path, ["会员编号", "上级", "供货上级"], [["A", "0", "0"], ["B", "A", "A"]])
    assert rel.table.column("supply_upline_id").to_pylist() == [None, "A"]
    assert rel.reading is not None and rel.reading.no_upline == {"0": 1}  # counted once


def test_supply_repairs(tmp_path: Path) -> None:
    rel = _members(
        tmp_path,
        ["agent_id", "upline_id", "supply_upline_id"],
        [
            ["R", "", ""],
            ["A", "R", "R"],
            ["B", "R", "B"],  # self-supply: a top
            ["C", "R", "D"],  # C <-> D: a supply cycle
            ["D", "R", "C"],
            ["E", "R", "BRAND"],  # no agent: counted, E a top
        ],
    )
    sec = agentgraph.analyse(rel).report()["supply"]
    jsonschema.validate({"supply": sec}, {"properties": SCHEMA["properties"]})
    assert sec["repairs"] == {
        "multiple_suppliers": 0,
        "self_supply": 1,
        "cycles": 1,
        "unknown_suppliers": 1,
        "unknown_supplier_ids": ["BRAND"],
    }
    assert sec["agents_with_supplier"] == 2  # A (R) and D (C, cycle broken at C)
    assert sec["max_supply_levels"] == 2


def test_several_suppliers_keep_the_earliest(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "upline_id,downline_id,kind,at\n"
        "R,A,recruited,2024-01-01\nR,B,recruited,2024-01-02\n"
        "A,B,supplies,2024-03-01\nR,B,供货,2024-02-01\nR,A,拿货,2024-01-01\n",
        encoding="utf-8",
    )
    a = agentgraph.analyse(agentgraph.read(path))
    assert a.supply is not None
    assert a.graph.names(a.supply.parent[[a.graph.node("B")]]) == ["R"]  # earliest at
    assert a.report()["supply"]["repairs"]["multiple_suppliers"] == 1


def test_html_shows_the_short_table() -> None:
    page = render_html(_scan("members.csv").report())
    assert '<section id="supply">' in page and 'href="#supply"' in page
    assert "<td>B</td><td>12</td><td>7</td><td>6</td><td>2</td>" in page
    assert "¥15,400.00" in page  # the rank-up fees
    plain = render_html(agentgraph.scan(FIXTURES / "chain5.csv").report())
    assert 'id="supply"' not in plain


def test_report_tables_stay_strings(tmp_path: Path) -> None:
    """Supplier ids are strings like the agents: 007 is not 7."""
    rel = _members(
        tmp_path,
        ["agent_id", "upline_id", "supply_upline_id"],
        [["007", "", ""], ["7", "007", "007"]],
    )
    assert rel.table.column("supply_upline_id").type == pa.string()
    sec = agentgraph.analyse(rel).report()["supply"]
    assert sec["supply_ladders"][0]["top"] == "007"


def test_repeated_agent_rows_keep_the_first_supplier(tmp_path: Path) -> None:
    rel = _members(
        tmp_path,
        ["agent_id", "upline_id", "supply_upline_id"],
        [["R", "", ""], ["A", "R", "R"], ["B", "A", "R"], ["B", "A", "A"], ["C", "Q", "B"]],
    )
    a = agentgraph.analyse(rel)
    assert a.supply is not None
    g = a.graph
    assert g.names(a.supply.parent[[g.node("B"), g.node("C")]]) == ["R", "B"]  # row 3 kept
    sec = a.report()["supply"]
    assert sec["supply_level_counts"] == [1, 2, 1]  # R; A, B; C
    assert sec["recruiter_differs"] == 2  # B (A vs R), C (Q vs B)
