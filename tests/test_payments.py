"""Money evidence and the cn money rules: hand-built fixtures with known answers,
networkx as the oracle for pay levels and funds on random forests, the 2.5M
boundary, the loader's errors, and the real command."""

from __future__ import annotations

import json

import jsonschema
import networkx as nx
import numpy as np
import pyarrow as pa
import pytest
from agentgraph.loaders.payments import normalise_payments, read_payments
from hypothesis import given, settings
from hypothesis import strategies as st

import agentgraph
from agentgraph.errors import InputError
from agentgraph.evidence.money import pay_levels
from agentgraph.report.schema import report_schema
from agentgraph.tables import Relations

from .conftest import FIXTURES, run_cli

MONEY = FIXTURES / "money"
SCHEMA = report_schema()


def _scan(members: str, payments: str | None) -> dict:
    rel = agentgraph.read(MONEY / members)
    pays = read_payments(MONEY / payments) if payments else None
    report = agentgraph.analyse(rel, payments=pays).report()
    jsonschema.validate(report, SCHEMA)
    return report


def test_five_tier_ladder_with_fees_bonuses_and_three_levels_of_commission() -> None:
    r = _scan("ladder5_members.csv", "ladder5_payments.csv")
    (net,) = r["networks"]
    flags = {f["rule"]: f["evidence"] for f in net["flags"]}
    assert sorted(flags) == [
        "cn.direct_selling_pay",
        "cn.entry_fee",
        "cn.headcount_pay",
        "cn.team_pay",
        "cn.threshold",
    ]
    assert flags["cn.entry_fee"]["payments"] == 30 and flags["cn.entry_fee"]["amount"] == 30000
    assert flags["cn.headcount_pay"]["payment_rows"] == [31, 32, 33, 34]
    assert flags["cn.headcount_pay"]["amount"] == 800
    assert flags["cn.headcount_pay"]["liability"] == "criminal"
    assert flags["cn.team_pay"]["max_levels_up"] == 3
    assert flags["cn.team_pay"]["liability"] == "administrative"
    assert flags["cn.team_pay"]["payments"] == 48 and flags["cn.team_pay"]["amount"] == 1600
    # the first payment at least 2 levels up is row 36: L04 paid on L16's sale O16
    ex = flags["cn.team_pay"]["examples"][0]
    assert (ex["row"], ex["payee"], ex["levels_up"], ex["chain"]) == (
        36,
        "L04",
        2,
        ["L04", "L08", "L16"],
    )
    assert flags["cn.direct_selling_pay"]["amount"] == 2400
    money = r["money"]
    assert money["payouts_levels_up"] == [0, 20, 16, 16]
    assert money["funds"] == [
        {
            "agent": "L01",
            "network": "L01",
            "collected": 30000.0,
            "direct": 2000.0,
            "through_downline": 28000.0,
        }
    ]


def test_legitimate_three_tier_chain_paid_on_own_sales() -> None:
    without = _scan("legit3_members.csv", None)
    assert [f["rule"] for f in without["networks"][0]["flags"]] == ["cn.threshold"]
    r = _scan("legit3_members.csv", "legit3_payments.csv")
    assert r["summary"]["flagged"] == 0 and r["networks"][0]["flags"] == []
    assert r["money"]["payouts_levels_up"] == [35]  # every payout on the payee's own sale
    assert r["money"]["funds"][0]["collected"] == 2400
    threshold = next(x for x in r["rules"] if x["rule"] == "cn.threshold")
    assert threshold["requires_any"] == ["cn.headcount_pay", "cn.entry_fee"]
    assert all(x["evaluated"] for x in r["rules"] if x.get("needs") == ["payments"])


def _ladder(fee: float) -> tuple[Relations, pa.Table]:
    ids = [f"A{k:02d}" for k in range(1, 32)]
    up = [None] + [f"A{k // 2:02d}" for k in range(2, 32)]
    rel = Relations("members", pa.table({"agent_id": ids, "upline_id": pa.array(up, pa.string())}))
    pays = pa.table(
        {
            "payer_id": ids[1:],
            "payee_id": ["A01"] * 30,
            "amount": [fee] * 30,
            "kind": ["entry_fee"] * 30,
        }
    )
    return rel, pays


@pytest.mark.parametrize(("fee", "fires"), [(2_500_000 / 30, True), (2_499_999.99 / 30, False)])
def test_serious_funds_boundary(fee: float, fires: bool) -> None:
    rel, pays = _ladder(fee)
    a = agentgraph.analyse(rel, payments=normalise_payments(pays))
    rules = [f.rule for f in a.flags(0)]
    assert ("cn.serious_funds" in rules) is fires
    assert "cn.entry_fee" in rules and "cn.threshold" in rules


def test_funds_alone_do_not_make_the_offence() -> None:
    rel, pays = _ladder(100_000)
    goods = pays.set_column(3, "kind", pa.array(["goods"] * 30))
    a = agentgraph.analyse(rel, payments=normalise_payments(goods))
    assert a.flags(0) == []  # 3M of goods, but no entry fee and no head-count pay
    assert float(a.money.net_funds[0]) == pytest.approx(3_000_000)  # type: ignore[union-attr]


def test_a_payout_no_signal_decides_is_neither_team_nor_headcount_pay() -> None:
    """Without an order id, a link type, orders or a time at joining, a rebate to an
    upline has no known basis: neither team pay (no sale stands behind it) nor
    head-count pay is claimed, and the report says what is missing. A ledger with
    an order_id column naming none for it reads it as head-count pay."""
    rel, _ = _ladder(1)
    rebate = pa.table(
        {
            "payer_id": ["A01"],
            "payee_id": ["A02"],
            "amount": [5.0],
            "kind": ["rebate"],
            "source_agent_id": ["A04"],
        }
    )
    a = agentgraph.analyse(rel, payments=normalise_payments(rebate))
    r = a.report()
    assert r["money"]["headcount_pay"] == {"measured": False, "payments": 0, "amount": 0.0}
    assert r["money"]["team_pay"]["payments"] == 0  # no sale stands behind it
    assert r["money"]["pay_basis"]["unknown"] == {"payments": 1, "amount": 5.0, "networks": 1}
    assert "orders: no order table was given" in r["money"]["pay_basis"]["not_checked"]
    with_orders = rebate.append_column("order_id", pa.array([None], pa.string()))
    a = agentgraph.analyse(rel, payments=normalise_payments(with_orders))
    assert [f.rule for f in a.flags(0)] == [
        "cn.threshold",
        "cn.headcount_pay",
        "cn.direct_selling_pay",
    ]


@st.composite
def _forest_and_pairs(draw: st.DrawFn) -> tuple[list[int], list[tuple[int, int]], list[float]]:
    n = draw(st.integers(1, 60))
    parent = [-1] + [draw(st.integers(-1, k - 1)) for k in range(1, n)]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    amounts = draw(st.lists(st.floats(0, 1000, allow_nan=False), min_size=n, max_size=n))
    return parent, pairs, amounts


@settings(max_examples=150, deadline=None)
@given(_forest_and_pairs())
def test_pay_levels_and_funds_against_networkx(case: tuple) -> None:
    parent, pairs, amounts = case
    n = len(parent)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((p, v) for v, p in enumerate(parent) if p >= 0)
    depth = np.array(
        [
            nx.shortest_path_length(
                g, [u for u in g if g.in_degree(u) == 0 and nx.has_path(g, u, v)][0], v
            )
            for v in range(n)
        ],
        np.int32,
    )
    src = np.array([s for s, _ in pairs], np.int32)
    pay = np.array([p for _, p in pairs], np.int32)
    got = pay_levels(np.array(parent, np.int32), depth, src, pay)
    want = [nx.shortest_path_length(g, p, s) if nx.has_path(g, p, s) else -1 for s, p in pairs]
    assert got.tolist() == want

    ids = [f"v{k}" for k in range(n)]
    up = [ids[p] if p >= 0 else None for p in parent]
    rel = Relations("members", pa.table({"agent_id": ids, "upline_id": pa.array(up, pa.string())}))
    pays = pa.table(
        {"payer_id": ids, "payee_id": ["brand"] * n, "amount": amounts, "kind": ["goods"] * n}
    )
    a = agentgraph.analyse(rel, payments=normalise_payments(pays))
    m = a.money
    assert m is not None
    for v in range(n):
        node = a.graph.node(ids[v])
        below = sum(amounts[d] for d in nx.descendants(g, v))
        direct = sum(amounts[d] for d in g.successors(v))
        assert m.funds_below[node] == pytest.approx(below)
        assert m.funds_direct[node] == pytest.approx(direct)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("payer_id,payee_id\nA,B\n", "missing column(s) amount"),
        ("payer_id,payee_id,amount\nA,B,12\nA,B,-3\n", "row 2"),
        ("payer_id,payee_id,amount\nA,B,twelve\n", "'twelve' is not a number"),
        ("payer_id,payee_id,amount,kind\nA,B,1,bribe\n", "payment kind 'bribe'"),
        ("payer_id,payee_id,amount\n,B,1\n", "empty payer_id"),
        ("payer_id,payee_id,amount\n", "no data rows"),
    ],
)
def test_bad_payment_files(tmp_path, text: str, problem: str) -> None:
    path = tmp_path / "pay.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=None) as err:
        read_payments(path)
    assert problem in str(err.value) and "pay.csv" in str(err.value)
    run = run_cli("scan", str(MONEY / "ladder5_members.csv"), "--payments", str(path))
    assert run.returncode == 2 and run.stdout == "" and problem in run.stderr


def test_chinese_headers_and_amount_formats(tmp_path) -> None:
    path = tmp_path / "pay.csv"
    path.write_text(
        '付款人,收款人,金额,类型\nA,B,"¥1,200.50",入门费\nA,B,3元,\n', encoding="gb18030"
    )
    p = read_payments(path)
    assert p.table.column("amount").to_pylist() == [1200.5, 3.0]
    assert p.table.column("kind").to_pylist() == ["entry_fee", "other"]


def test_cli_payments() -> None:
    run = run_cli(
        "scan",
        str(MONEY / "ladder5_members.csv"),
        "--payments",
        str(MONEY / "ladder5_payments.csv"),
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    jsonschema.validate(report, SCHEMA)
    fees = report["money"]["entry_fees"]
    assert {k: fees[k] for k in ("payments", "amount")} == {"payments": 30, "amount": 30000.0}
    # every recruit paid the same 1000 fee at joining: also a join package (entry_fees.py)
    assert fees["join_packages"] == {"networks": 1, "payments": 30, "amount": 30000.0}
    two = run_cli(
        "scan",
        str(MONEY / "ladder5_members.csv"),
        str(MONEY / "legit3_members.csv"),
        "--payments",
        str(MONEY / "ladder5_payments.csv"),
    )
    assert two.returncode == 2 and "with a single input" in two.stderr


IDS = FIXTURES / "identities"


def test_ladder_split_across_accounts_is_measured_as_one_organisation() -> None:
    before = run_cli("scan", str(IDS / "split_members.csv"))
    assert before.returncode == 0
    b = json.loads(before.stdout)
    assert b["summary"]["flagged"] == 0 and b["summary"]["max_levels"] == 3
    run = run_cli(
        "scan", str(IDS / "split_members.csv"), "--identities", str(IDS / "split_identities.csv")
    )
    assert run.returncode == 0, run.stderr
    r = json.loads(run.stdout)
    jsonschema.validate(r, SCHEMA)
    (net,) = [n for n in r["networks"] if n["members"] > 1]
    # worked out by hand in fixtures/make_fixtures.py: 10 + 22 - 1 members over 5 levels
    assert (net["root"], net["members"], net["levels"], net["tier_counts"]) == (
        "K1",
        31,
        5,
        [1, 3, 6, 3, 18],
    )
    assert [f["rule"] for f in net["flags"]] == ["cn.threshold"]
    ids = r["identities"]
    assert ids["groups"] == [
        {
            "person": "K10",
            "accounts": ["K10", "M1"],
            "shared": [{"identifier": "phone", "value": "13800000010", "accounts": ["K10", "M1"]}],
        }
    ]
    assert [w["accounts"] for w in ids["weak_links"]] == [["K2", "K11"]]
    assert ids["before"] == {"networks": 3, "max_levels": 3}
    assert ids["after"] == {"networks": 2, "max_levels": 5}
    assert ids["merged_networks"][0]["from_networks"] == [
        {"root": "K1", "members": 10, "levels": 3},
        {"root": "M1", "members": 22, "levels": 3},
    ]


def test_payments_follow_merged_accounts(tmp_path) -> None:
    pays = tmp_path / "pay.csv"
    # M5 (now below K10's person) pays an entry fee to M1, an account of that person
    pays.write_text("payer_id,payee_id,amount,kind\nM5,M1,500,entry_fee\n", encoding="utf-8")
    run = run_cli(
        "scan",
        str(IDS / "split_members.csv"),
        "--identities",
        str(IDS / "split_identities.csv"),
        "--payments",
        str(pays),
    )
    assert run.returncode == 0, run.stderr
    r = json.loads(run.stdout)
    (net,) = [n for n in r["networks"] if n["members"] > 1]
    assert [f["rule"] for f in net["flags"]] == ["cn.threshold", "cn.entry_fee"]
    funds = {f["agent"]: f["collected"] for f in r["money"]["funds"]}
    assert funds == {"K1": 500.0}  # M1 is K10 now: the fee counts up to the root K1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("phone,device\n1,2\n", "missing column agent_id"),
        ("agent_id,phone\n", "no data rows"),
    ],
)
def test_bad_identity_files(tmp_path, text: str, problem: str) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(text, encoding="utf-8")
    run = run_cli("scan", str(IDS / "split_members.csv"), "--identities", str(path))
    assert run.returncode == 2 and run.stdout == "" and problem in run.stderr
    assert "ids.csv" in run.stderr
