"""The flags' evidence built column-wise equals the evidence of one network at a time.

Every rule's ``evidence_many`` over all its flagged networks is compared with its
``evidence`` of each network alone, and the money rules' payment rows, counts and
example chains with a plain scan of the payment columns and a walk up the tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import agentgraph
from agentgraph.analysis import Analysis
from agentgraph.policies.custom import load_policy_file
from agentgraph.tables import Orders, Payments, Relations

ALL_KINDS = """
[policy]
name = "all-kinds"
version = "1"
[[rules]]
id = "x.net"
kind = "network"
min_members = 4
min_levels = 3
severity = "high"
citation = "c1"
[[rules]]
id = "x.team"
kind = "team_pay"
min_levels_up = 1
severity = "high"
citation = "c2"
[[rules]]
id = "x.head"
kind = "headcount_pay"
severity = "high"
citation = "c3"
[[rules]]
id = "x.fee"
kind = "entry_fee"
severity = "medium"
citation = "c4"
[[rules]]
id = "x.beyond"
kind = "beyond_own_sales"
severity = "medium"
citation = "c5"
[[rules]]
id = "x.funds"
kind = "funds"
min_amount = 500
min_members = 3
min_levels = 2
severity = "medium"
citation = "c6"
[[rules]]
id = "x.retail"
kind = "retail_ratio"
min_ratio = 0.9
severity = "low"
citation = "c7"
"""


def _scenario(seed: int, n: int) -> tuple[Relations, Payments, Orders]:
    """A random forest with entry fees, payouts up to 3 levels up and sales."""
    rng = np.random.default_rng(seed)
    ids = [f"A{k:04d}" for k in range(n)]
    up: list[str | None] = [None]
    for k in range(1, n):
        up.append(None if rng.random() < 0.08 else ids[int(rng.integers(0, k))])
    parent = dict(zip(ids, up, strict=True))
    pay: dict[str, list[Any]] = {
        k: [] for k in ("payer_id", "payee_id", "amount", "kind", "source_agent_id", "order_id")
    }

    def add(*row: Any) -> None:
        for key, value in zip(pay, row, strict=True):
            pay[key].append(value)

    orders: dict[str, list[Any]] = {"order_id": [], "seller_id": [], "buyer_id": [], "amount": []}
    for k, a in enumerate(ids):
        if parent[a] is not None and rng.random() < 0.6:
            add(a, parent[a], float(rng.choice([1000.0, 333.33])), "entry_fee", a, None)
        if rng.random() < 0.7:
            oid = f"O{k}"
            amount = round(float(rng.random() * 900 + 1), 2)
            buyer = f"C{k}" if rng.random() < 0.6 else ids[int(rng.integers(0, n))]
            orders["order_id"].append(oid)
            orders["seller_id"].append(a)
            orders["buyer_id"].append(buyer)
            orders["amount"].append(amount)
            v: str | None = a
            for level in range(int(rng.integers(0, 4))):
                if v is None:
                    break
                named = oid if rng.random() < 0.5 else None
                add("brand", v, round(amount * 0.05 * (level + 1), 2), "commission", a, named)
                v = parent[v]
    rel = Relations("members", pa.table({"agent_id": ids, "upline_id": up}))
    payments = pa.table(pay).take(pa.array(rng.permutation(len(pay["payer_id"]))))
    return rel, Payments(payments), Orders(pa.table(orders))


def _analyses(tmp_path: Path) -> list[Analysis]:
    custom = tmp_path / "all.toml"
    custom.write_text(ALL_KINDS, encoding="utf-8")
    out = []
    for seed, n in ((1, 300), (2, 900)):
        rel, pay, orders = _scenario(seed, n)
        for policy in ("cn", "eu-ucpd", "us-ftc", load_policy_file(custom)):
            out.append(agentgraph.analyse(rel, policy, payments=pay, orders=orders))
            out.append(agentgraph.analyse(rel, policy, payments=pay))
    return out


def _walk(parent: np.ndarray, v: int, steps: int) -> list[int]:
    chain = [v]
    for _ in range(steps):
        v = int(parent[v])
        chain.append(v)
    return chain[::-1]


def test_many_networks_at_once_equal_one_at_a_time(tmp_path: Path) -> None:
    fired_somewhere = set()
    for a in _analyses(tmp_path):
        ev = a.evidence
        assert ev is not None
        for rule in (*a.policy.rules, *a.policy.money_rules):
            if rule.id not in a.flag_mask:
                continue
            js = np.flatnonzero(a.flag_mask[rule.id])
            if not len(js):
                continue
            fired_somewhere.add(type(rule).__name__)
            args = (a.counted,) if rule in a.policy.rules else (a.counted, ev)
            many = rule.evidence_many(*args, js)
            assert many == [rule.evidence(*args, int(j)) for j in js]
            assert rule.evidence_many(*args, js[::-1]) == many[::-1]  # any order
        flagged = np.flatnonzero(a.flagged)
        assert a.flag_dicts(flagged) == [[f.as_dict() for f in a.flags(int(j))] for j in flagged]
    assert fired_somewhere >= {
        "ThresholdRule",
        "TeamPayRule",
        "HeadcountPayRule",
        "EntryFeeRule",
        "BeyondOwnSalesRule",
        "FundsRule",
        "RetailRatioRule",
    }


def test_money_evidence_equals_a_plain_scan(tmp_path: Path) -> None:
    checked = 0
    for a in _analyses(tmp_path)[:4]:
        m, ev = a.money, a.evidence
        assert m is not None and ev is not None
        names = a.graph.ids.to_pylist()
        for rule in a.policy.money_rules:
            if rule.id not in a.flag_mask or type(rule).__name__ != "TeamPayRule":
                continue
            js = np.flatnonzero(a.flag_mask[rule.id])
            k = rule.min_levels_up
            for j, fact in zip(js.tolist(), rule.evidence_many(a.counted, ev, js), strict=True):
                mine = m.network == j
                deep = np.flatnonzero(mine & m.team_pay & (m.levels_up >= k))
                assert fact["payments"] == int((mine & m.team_pay).sum())
                assert fact["payment_rows"] == (deep[:20] + 1).tolist()
                for row, ex in zip(deep[:5].tolist(), fact["examples"], strict=True):
                    up = int(m.levels_up[row])
                    assert ex["row"] == row + 1 and ex["levels_up"] == up
                    walk = _walk(a.graph.parent, int(m.source[row]), up)
                    assert ex["chain"] == [names[v] for v in walk]
                    assert ex["chain"][0] == ex["payee"]
                    checked += 1
    assert checked > 20


@pytest.mark.parametrize("asked", [[], [0], [0, 0]])
def test_edge_cases_of_the_networks_asked(asked: list[int]) -> None:
    a = agentgraph.analyse(agentgraph.read("fixtures/boundary_30_3.csv"))
    rule = a.policy.rules[0]
    assert rule.evidence_many(a.counted, asked) == [rule.evidence(a.counted, 0) for _ in asked]
    assert a.flags_of(asked) == [a.flags(0) for _ in asked]
