"""``money.networks`` against a count made row by row from the payment table itself."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest
from agentgraph.loaders.payments import read_payments

import agentgraph
from agentgraph.report import money_flow

MONEY = Path(__file__).resolve().parents[1] / "fixtures" / "money"


def _oracle(members: Path, payments: Path) -> dict[str, dict[int, tuple[int, float]]]:
    """Per root: levels up -> (payouts, amount), from networkx ancestors of each source."""
    g = nx.DiGraph()
    t = agentgraph.read(members).table
    ids, ups = t.column("agent_id").to_pylist(), t.column("upline_id").to_pylist()
    for agent, up in zip(ids, ups, strict=True):
        g.add_node(agent)
        if up:
            g.add_edge(up, agent)
    depth = {}
    root = {}
    for r in (v for v in g if g.in_degree(v) == 0):
        for v, d in nx.single_source_shortest_path_length(g, r).items():
            depth[v], root[v] = d, r
    out: dict[str, dict[int, tuple[int, float]]] = defaultdict(dict)
    for row in read_payments(payments).table.to_pylist():
        if row["kind"] not in ("commission", "rebate"):
            continue
        src, payee = row.get("source_agent_id"), row["payee_id"]
        # the network of the agent the payment is about: its source, else payee, else payer
        net = root.get(src) or root.get(payee) or root.get(row["payer_id"])
        if net is None:
            continue
        up = -1
        if src in depth and payee in depth and (payee == src or nx.has_path(g, payee, src)):
            up = depth[src] - depth[payee]
        n, amt = out[net].get(up, (0, 0.0))
        out[net][up] = (n + 1, amt + row["amount"])
    return out


@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("name", ["ladder5", "legit3", "fairjoin"])
def test_payouts_by_levels_up_match_a_row_by_row_count(
    name: str, dense: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not dense:  # the grouping by sort, taken for deep payouts over many networks
        monkeypatch.setattr(money_flow, "DENSE_FACTOR", -(10**9))
    members, payments = MONEY / f"{name}_members.csv", MONEY / f"{name}_payments.csv"
    a = agentgraph.analyse(agentgraph.read(members), payments=read_payments(payments))
    report = a.report()
    want = _oracle(members, payments)
    got = {n["root"]: n for n in report["money"].get("networks", [])}
    assert set(got) == {r for r, by in want.items() if by}
    for r, n in got.items():
        by = want[r]
        levels = [by.get(k, (0, 0.0))[0] for k in range(len(n["levels_up"]))]
        assert n["levels_up"] == levels and n["off_chain"] == by.get(-1, (0, 0.0))[0]
        assert n["payouts"] == sum(c for c, _ in by.values())
        assert n["amount"] == pytest.approx(sum(x for _, x in by.values()))
        for k, x in enumerate(n["amount_levels_up"]):
            assert x == pytest.approx(by.get(k, (0, 0.0))[1])
