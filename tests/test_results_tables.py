"""A scan's results kept as plain SQL tables beside the dataset (``--save``, API scans)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from agentgraph.api.testing import Harness, write_inputs

from agentgraph.report.results import AGENT_COLUMNS, NETWORK_COLUMNS
from tests.conftest import run_cli

pytest_plugins = ("agentgraph.api.testing",)

LADDER = "fixtures/money/ladder5_members.csv"


def _sql(store: Path, q: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(q).fetchall()
    finally:
        con.close()


def test_scan_save_keeps_one_row_per_agent_and_network(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    assert run_cli("load", LADDER, "--dataset", "demo", "--store", str(store)).returncode == 0
    assert (
        run_cli("load", "fixtures/chain5.csv", "--dataset", "c5", "--store", str(store)).returncode
        == 0
    )
    for name in ("demo", "c5", "demo"):  # a second --save replaces, never adds
        r = run_cli("scan", "--dataset", name, "--store", str(store), "--save")
        assert r.returncode == 0, r.stderr
    cols = [c[0] for c in _sql(store, "DESCRIBE agentgraph_agents")]
    assert tuple(cols) == AGENT_COLUMNS
    assert tuple(c[0] for c in _sql(store, "DESCRIBE agentgraph_networks")) == NETWORK_COLUMNS
    assert _sql(store, "SELECT dataset, count(*) FROM agentgraph_agents GROUP BY 1 ORDER BY 1") == [
        ("c5", 5),
        ("demo", 31),
    ]
    row = _sql(
        store,
        "SELECT root_id, members, levels, tier_counts, structure, flagged, rules "
        "FROM agentgraph_networks WHERE dataset = 'demo'",
    )
    assert row == [("L01", 31, 5, [1, 2, 4, 8, 16], "five_tier_plus", True, "cn.threshold")]
    deepest = _sql(
        store, "SELECT max(level), min(level) FROM agentgraph_agents WHERE dataset='demo'"
    )
    assert deepest == [(5, 1)]  # the root is level 1
    ranks = _sql(store, "SELECT rank FROM agentgraph_agents WHERE dataset='c5' ORDER BY level")
    assert ranks[0] == ("总代",)  # the declared title, kept beside the measured level
    assert run_cli("drop", "demo", "--store", str(store)).returncode == 0
    assert _sql(store, "SELECT DISTINCT dataset FROM agentgraph_networks") == [("c5",)]


def test_save_needs_a_stored_dataset(tmp_path: Path) -> None:
    r = run_cli("scan", LADDER, "--save")
    assert r.returncode == 2 and "--dataset" in r.stderr and "Traceback" not in r.stderr


def test_api_scans_keep_their_results_in_the_store(api: Harness, tmp_path: Path) -> None:
    analyst = api.key("acme", "analyst")
    api.dataset(analyst, "b30", write_inputs(tmp_path)["b30"])
    assert api.scan(analyst, "b30")["state"] == "succeeded"
    st = api.app.state.service.store
    got = st._sql(
        "SELECT dataset, members, levels, flagged FROM agentgraph_networks ORDER BY dataset"
    )
    assert [tuple(r) for r in got] == [("acme:b30", 30, 3, True)]
