"""Money evidence read the way the law reads it (issue: the case file, section 2).

Known answers from fixtures/money_law/ (written by fixtures/make_money_law.py, where
each answer is worked out by hand), and an independent plain-Python oracle of the
pay-basis rules on random forests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pyarrow as pa
import pytest
from agentgraph.loaders.orders import read_orders
from agentgraph.loaders.payments import normalise_payments, read_payments

import agentgraph
from agentgraph.appraisal.build import build_appraisal
from agentgraph.appraisal.suspects import Suspects
from agentgraph.errors import PolicyError
from agentgraph.evidence.pay_basis import sale_near
from agentgraph.policies import get_policy, with_participants
from agentgraph.policies.custom import policy_from_text
from agentgraph.report.schema import report_schema
from agentgraph.tables import Orders

ROOT = Path(__file__).resolve().parents[1]
F = ROOT / "fixtures" / "money_law"
X = agentgraph.read(F / "x_members.csv")


def _scan(payments: str, orders: str | None = None, rel=X, policy="cn"):  # type: ignore[no-untyped-def]
    return agentgraph.analyse(
        rel,
        policy,
        payments=read_payments(F / payments),
        orders=read_orders(F / orders) if orders else None,
    )


def _fired(a) -> set[str]:  # type: ignore[no-untyped-def]
    return {r for r, m in a.flag_mask.items() if m.any()}


def test_a_ledger_without_order_ids_paying_at_each_joining_is_headcount_pay() -> None:
    a = _scan("headcount_payments.csv")
    m = a.money
    assert int(m.headcount.sum()) == 10 and float(m.net_headcount[0]) == 800.0
    assert not m.team_pay.any()
    assert "cn.headcount_pay" in _fired(a) and "cn.team_pay" not in _fired(a)
    ev = next(f.evidence for f in a.flags(0) if f.rule == "cn.headcount_pay")
    assert ev["decided_by"] == {"join_time": 10}
    assert ev["unknown_basis"] == {"payments": 0, "amount": 0.0}
    assert "orders: no order table was given" in ev["not_checked"]
    assert "order_id: the payments have no order_id column" in ev["not_checked"]


def test_link_types_decide_without_times_or_order_ids() -> None:
    a = _scan("linktype_payments.csv")
    m = a.money
    assert (float(m.net_headcount[0]), float(m.net_team_pay[0])) == (600.0, 200.0)
    assert m.basis.counts(m.basis.basis > 0) == {"link_type": 10}
    assert {"cn.headcount_pay", "cn.team_pay"} <= _fired(a)


def test_sales_based_commissions_stay_team_pay() -> None:
    """No order ids in the ledger: the orders show a sale of the recruit beside each
    payout (X07's buy-in at joining included), so none of it is head-count pay."""
    a = _scan("sales_payments.csv", "sales_orders.csv")
    m = a.money
    assert int(m.team_pay.sum()) == 11 and float(m.net_team_pay[0]) == 830.0
    assert not m.headcount.any() and not m.basis.unknown.any()
    assert int(m.net_team_pay_levels[0]) == 2
    fired = _fired(a)
    assert "cn.team_pay" in fired and "cn.headcount_pay" not in fired
    ev = next(f.evidence for f in a.flags(0) if f.rule == "cn.team_pay")
    assert ev["decided_by"] == {"orders": 11}
    assert not any(x.startswith("orders:") for x in ev["not_checked"])


def test_without_a_sale_behind_it_team_pay_does_not_fire_and_the_report_says_so() -> None:
    """The same ledger without the orders: the ten sales payouts are of unknown basis
    (not team pay), the buy-in's payout falls at X07's joining (head-count pay)."""
    a = _scan("sales_payments.csv")
    m = a.money
    assert not m.team_pay.any()
    assert (int(m.basis.unknown.sum()), float(m.net_unknown_basis[0])) == (10, 800.0)
    assert float(m.net_headcount[0]) == 30.0
    assert "cn.team_pay" not in _fired(a)
    report = a.report()
    jsonschema.validate(report, report_schema())
    basis = report["money"]["pay_basis"]
    assert basis["decided_by"] == {"join_time": 1, "not_checked": 10}
    assert basis["unknown"] == {"payments": 10, "amount": 800.0, "networks": 1}
    assert basis["signals"] == ["join_time"]
    # the direct-selling rule still sees the pay above the sellers, and says what it
    # could not check
    ev = next(f.evidence for f in a.flags(0) if f.rule == "cn.direct_selling_pay")
    assert ev["amount"] == 830.0
    assert any(x.startswith("pay_cap: no order table") for x in ev["not_checked"])


def test_an_order_id_still_decides_first() -> None:
    """The historic fixture: order ids name the sales; the payouts at joining with
    no order id are head-count pay, now decided by the join times."""
    money = ROOT / "fixtures" / "money"
    a = agentgraph.analyse(
        agentgraph.read(money / "ladder5_members.csv"),
        payments=read_payments(money / "ladder5_payments.csv"),
    )
    assert a.money.basis.counts(a.money.basis.basis > 0) == {"order_id": 48, "join_time": 4}
    assert float(a.money.net_headcount[0]) == 800.0


def test_link_type_column_is_read_under_chinese_headers() -> None:
    raw = pa.table(
        {
            "付款人": ["P"],
            "收款人": ["A"],
            "金额": ["10"],
            "类型": ["佣金"],
            "来源代理": ["B"],
            "佣金类型": [" 拉新 "],
        }
    )
    t = normalise_payments(raw).table
    assert t.column("link_type").to_pylist() == [" 拉新 "]


# ------------------------------------------------------------ the oracle
def _oracle(parent, joined, pays, orders, window):  # type: ignore[no-untyped-def]
    """Plain Python: the basis of each payment, by the documented order of signals."""
    out = []
    for payee, source, at, order_id, link in pays:
        v, levels = source, 0
        while v >= 0 and v != payee:
            v, levels = parent[v], levels + 1
        if source < 0 or payee < 0 or v != payee or levels < 1:
            out.append(0)
        elif order_id is not None or link == "order":
            out.append(1)
        elif link == "invite":
            out.append(2)
        elif any(who == source and abs(t - at) <= window for who, t in orders):
            out.append(1)
        elif joined[source] is not None and abs(at - joined[source]) <= window:
            out.append(2)
        else:
            out.append(2)  # the ledger has an order_id column: naming none
    return out


@pytest.mark.parametrize("seed", range(6))
def test_pay_basis_matches_a_plain_python_oracle_on_random_forests(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 120))
    parent = [-1] + [int(rng.integers(-1, k)) if rng.random() < 0.9 else -1 for k in range(1, n)]
    day = 86_400
    joined = [int(rng.integers(0, 200)) * day if rng.random() < 0.9 else None for _ in range(n)]
    ids = [f"a{k}" for k in range(n)]
    members = pa.table(
        {
            "agent_id": ids,
            "upline_id": [ids[p] if p >= 0 else None for p in parent],
            "joined_at": pa.array(
                [j * 1_000_000 if j is not None else None for j in joined], pa.timestamp("us")
            ),
        }
    )
    rel = agentgraph.tables.Relations("members", members)
    orders = [(int(rng.integers(0, n)), int(rng.integers(0, 220)) * day) for _ in range(n)]
    pays = []
    for _ in range(4 * n):
        s = int(rng.integers(0, n))
        v = s
        for _ in range(int(rng.integers(0, 4))):
            v = parent[v] if v >= 0 and parent[v] >= 0 else v
        at = (
            (joined[s] or 0) + int(rng.integers(-3, 15)) * day
            if rng.random() < 0.6
            else int(rng.integers(0, 220)) * day
        )
        oid = f"o{len(pays)}" if rng.random() < 0.3 else None
        link = str(rng.choice(["order", "invite", "extract", ""])) if rng.random() < 0.4 else None
        pays.append((v, s, at, oid, link))
    ptable = pa.table(
        {
            "payer_id": ["PLATFORM"] * len(pays),
            "payee_id": [ids[p[0]] for p in pays],
            "amount": [1.0] * len(pays),
            "kind": ["commission"] * len(pays),
            "at": pa.array([p[2] * 1_000_000 for p in pays], pa.timestamp("us")),
            "source_agent_id": [ids[p[1]] for p in pays],
            "order_id": [p[3] for p in pays],
            "link_type": [p[4] for p in pays],
        }
    )
    otable = pa.table(
        {
            "seller_id": [ids[o[0]] for o in orders],
            "buyer_id": ["C"] * len(orders),
            "amount": [1.0] * len(orders),
            "at": pa.array([o[1] * 1_000_000 for o in orders], pa.timestamp("us")),
        }
    )
    a = agentgraph.analyse(rel, payments=agentgraph.tables.Payments(ptable), orders=Orders(otable))
    dense = [a.graph.node(i) for i in ids]
    inv = {d: k for k, d in enumerate(dense)}
    dparent = [inv.get(int(a.graph.parent[d]), -1) if a.graph.parent[d] >= 0 else -1 for d in dense]
    want = _oracle(
        dparent,
        joined,
        [(p[0], p[1], p[2], p[3], (p[4] or "").strip()) for p in pays],
        orders,
        7 * day,
    )
    assert a.money.basis.basis.tolist() == want


def test_sale_near_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    oa, ot = rng.integers(0, 30, 400), rng.integers(0, 1000, 400)
    qa, qt = rng.integers(0, 32, 500), rng.integers(-50, 1050, 500)
    got = sale_near(qa, qt, oa, ot, 13)
    want = [bool(np.any((oa == a) & (np.abs(ot - t) <= 13))) for a, t in zip(qa, qt, strict=True)]
    assert got.tolist() == want


# ------------------------------------------------------------ participants
P = agentgraph.read(F / "participants_members.csv")


def test_participants_by_a_member_filter_are_counted_and_both_counts_reported() -> None:
    a = agentgraph.analyse(P, with_participants(get_policy("cn"), "is_promoter=1"))
    r = a.report()
    jsonschema.validate(r, report_schema())
    assert r["participants"] == {
        "rule": "is_promoter=1",
        "applied": True,
        "accounts": 32,
        "participants": 27,
    }
    net = r["networks"][0]
    assert (net["members"], net["participants"], net["participant_levels"]) == (32, 27, 3)
    assert not net["flags"]  # 27 participants < 30: not the 30/3 line
    plain = agentgraph.analyse(P).report()["networks"][0]
    assert plain["flags"][0]["evidence"]["counted"] == "accounts"
    assert plain["flags"][0]["evidence"]["members"] == 32


def test_participants_who_paid_and_a_setting_the_inputs_cannot_support() -> None:
    pol = with_participants(get_policy("cn"), "paid")
    a = agentgraph.analyse(P, pol, payments=read_payments(F / "participants_payments.csv"))
    assert int(a.participants.members[0]) == 29
    b = agentgraph.analyse(P, pol)
    r = b.report()
    assert (
        r["participants"]["applied"] is False and "needs payments" in r["participants"]["missing"]
    )
    assert r["networks"][0]["flags"][0]["evidence"]["counted"] == "accounts"


def test_participant_threshold_evidence_names_both_counts() -> None:
    """Under 'is_promoter=0' the 5 non-promoters plus the root are counted: a
    threshold of 6 over 3 levels fires and says it counted participants."""
    doc = """
    [policy]
    name = "p"
    version = "1"
    participants = "is_promoter=0"
    [[rules]]
    id = "p.six"
    kind = "network"
    min_members = 6
    min_levels = 3
    severity = "high"
    citation = "test"
    """
    a = agentgraph.analyse(P, policy_from_text(doc))
    ev = a.flags(0)[0].evidence
    assert (ev["counted"], ev["members"], ev["accounts"], ev["levels"]) == (
        "participants",
        6,
        32,
        3,
    )


def test_a_bad_participants_setting_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="participants 'promoters'"):
        with_participants(get_policy("cn"), "promoters")
    with pytest.raises(PolicyError, match="policy.participants"):
        policy_from_text('[policy]\nname="p"\nversion="1"\nparticipants="x"\n')


def test_cli_participants_option(tmp_path: Path) -> None:
    exe = [sys.executable, "-m", "agentgraph"]
    ok = subprocess.run(
        [*exe, "scan", str(F / "participants_members.csv"), "--participants", "is_promoter=1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["participants"]["participants"] == 27
    bad = subprocess.run(
        [*exe, "scan", str(F / "participants_members.csv"), "--participants", "nobody"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "participants 'nobody'" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = subprocess.run(
        [*exe, "scan", str(F / "participants_members.csv"), "--participants", "state=1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and "'state'" in missing.stderr


# ------------------------------------------------------------ organisers who left
L = agentgraph.read(F / "left_members.csv")


def _appraise(a, ids):  # type: ignore[no-untyped-def]
    doc = build_appraisal(a, Suspects.of(ids), relations=L)
    return {s["agent_id"]: s for s in doc["suspects"]}


def test_an_organiser_who_left_but_kept_receiving_counts_the_later_recruits() -> None:
    a = agentgraph.analyse(L, payments=read_payments(F / "left_payments.csv"))
    got = _appraise(a, ["O01", "P01"])
    o, p = got["O01"]["downline"]["counting"], got["P01"]["downline"]["counting"]
    assert (o["members"], o["levels"], o["left"]["joined_after_leaving"]) == (32, 4, 12)
    assert (o["left"]["payments_after_leaving"], o["left"]["received_after_leaving"]) == (12, 120.0)
    assert o["left"]["counted"] is True
    assert (p["accounts"], p["members"], p["levels"], p["left"]["counted"]) == (32, 20, 3, False)
    met = {k: [t["rule"] for t in s["thresholds"] if t["met"]] for k, s in got.items()}
    assert "cn.threshold" in met["O01"] and "cn.threshold" not in met["P01"]
    assert got["P01"]["downline"]["members"] == 32  # the accounts stay reported


def test_without_payments_leaving_cannot_be_checked_and_is_not_held_against_the_suspect() -> None:
    got = _appraise(agentgraph.analyse(L), ["O01"])
    c = got["O01"]["downline"]["counting"]
    assert c["left"]["counted"] is None and c["members"] == 20
    assert c["left"]["statement"].startswith("not checked")


def test_left_at_is_read_under_chinese_headers(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("会员编号,推荐人,退出时间\nA,,2023年1月5日\nB,A,\n", encoding="utf-8")
    rel = agentgraph.read(f)
    assert rel.table.column("left_at").null_count == 1


def test_appraisal_documents_validate_and_state_the_organisations_of_a_person() -> None:
    from agentgraph.loaders.identities import read_identities

    from agentgraph.appraisal.counted import organisations
    from agentgraph.evidence.identities import resolve_identities

    ids = ROOT / "fixtures" / "identities"
    res = resolve_identities(read_identities(ids / "split_identities.csv"))
    a = agentgraph.analyse(agentgraph.read(ids / "split_members.csv"), identities=res)
    org = organisations(a, a.graph.node("K10"))
    assert org is not None and org["led"] == [{"root": "M1", "members": 22, "levels": 3}]
    doc = build_appraisal(a, Suspects.of(["M1", "K1"]))
    schema = json.loads((ROOT / "agentgraph/report/appraisal.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, schema)
    m1 = doc["suspects"][0]
    assert m1["person_id"] == "K10" and m1["organisations"]["accounts"] == ["K10", "M1"]
    assert m1["downline"]["members"] == 22  # one person: K10 = M1, and M1's 21 recruits


def test_the_xlsx_summary_carries_the_counted_numbers_of_the_json(tmp_path: Path) -> None:
    """A real workbook written by the CLI, read back with a reader: the counted
    members, levels and the after-leaving statement equal the JSON appraisal's."""
    from python_calamine import CalamineWorkbook

    sus = tmp_path / "s.csv"
    sus.write_text("会员编号\nO01\nP01\n", encoding="utf-8")
    exe = [sys.executable, "-m", "agentgraph", "appraise", str(F / "left_members.csv")]
    args = ["--suspects", str(sus), "--payments", str(F / "left_payments.csv")]
    for name in ("a.xlsx", "a.json"):
        done = subprocess.run([*exe, *args, "--out", str(tmp_path / name)], check=False)
        assert done.returncode == 0
    doc = json.loads((tmp_path / "a.json").read_text("utf-8"))
    rows = CalamineWorkbook.from_path(str(tmp_path / "a.xlsx")).get_sheet_by_index(0).to_python()
    head = rows[2]  # Chinese labels; rows[3]: English
    col = {k: head.index(k) for k in ("计入人数", "计入层级数", "退出后情况", "计数对象")}
    for s, row in zip(doc["suspects"], rows[4:6], strict=True):
        c = s["downline"]["counting"]
        assert row[col["计入人数"]] == c["members"] and row[col["计入层级数"]] == c["levels"]
        assert row[col["退出后情况"]] == c["left"]["statement"]
        assert row[col["计数对象"]] == c["counted"] == "accounts"


def test_an_appraisal_as_of_a_date_before_the_organiser_left(tmp_path: Path) -> None:
    """As of day 19 (2020-01-20) nobody had left and the 12 later recruits had not
    joined: 20 members each; a bad date is exit 2."""
    ap = agentgraph.appraise(
        F / "left_members.csv",
        ["O01", "P01"],
        payments=F / "left_payments.csv",
        as_of="2020-01-20",
    ).to_dict()
    assert ap["record"]["as_of"]["agents_left_out"] == 24
    for s in ap["suspects"]:
        assert s["downline"]["counting"]["left"] is None and s["downline"]["members"] == 20
    sus = tmp_path / "s.csv"
    sus.write_text("会员编号\nO01\n", encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "agentgraph", "appraise", str(F / "left_members.csv")]
        + ["--suspects", str(sus), "--as-of", "2020-13-40"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "as-of" in bad.stderr and "Traceback" not in bad.stderr
