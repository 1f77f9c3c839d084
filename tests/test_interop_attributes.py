"""networkx and igraph graphs of a scan carry the measures; a notebook shows a scan."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pytest

import agentgraph
from agentgraph.errors import AgentNotFound

LADDER = "fixtures/money/ladder5_members.csv"


def test_networkx_nodes_carry_what_the_agents_frame_says() -> None:
    a = agentgraph.scan("fixtures/chain5.csv")
    g = a.to_networkx()
    frame = a.agents_frame().set_index("agent")
    for agent, attrs in g.nodes(data=True):
        row = frame.loc[agent]
        assert attrs["level"] == row["level"] and attrs["downline"] == row["downline"]
        assert attrs["root"] == row["root"] and attrs["rank"] == row["rank"]
        assert attrs["direct_recruits"] == row["direct_recruits"]
    assert all(d["kind"] == "recruited" for _, _, d in g.edges(data=True))
    buf = io.BytesIO()
    nx.write_graphml(g, buf)  # plain values: the writers take the graph as is
    assert nx.read_graphml(io.BytesIO(buf.getvalue())).nodes["C5"]["level"] == 5


def test_one_network_only_and_flags(tmp_path: Path) -> None:
    two = tmp_path / "two.csv"
    rows = Path(LADDER).read_text("utf-8").splitlines()
    two.write_text("\n".join([*rows, "X1,,2020-01-01 00:00:00", "X2,X1,2020-01-02 00:00:00"]))
    a = agentgraph.scan(str(two))
    g = a.to_networkx(network="X1")
    assert set(g) == {"X1", "X2"} and g.nodes["X1"]["flagged"] is False
    assert a.to_networkx(network="L01").nodes["L16"]["rules"] == "cn.threshold"
    ig = a.to_igraph(network="L01")
    assert ig.vcount() == 31 and ig.ecount() == 30 and max(ig.vs["level"]) == 5
    assert set(ig.vs["flagged"]) == {True} and set(ig.es["kind"]) == {"recruited"}
    with pytest.raises(AgentNotFound, match="not the root"):
        a.to_networkx(network="L02")


def test_a_scan_shows_itself_briefly_and_escapes_its_html(tmp_path: Path) -> None:
    hostile = tmp_path / "h.csv"
    ids = ["<b>x</b>"] + [f"a{k}" for k in range(1, 30)]
    lines = ["agent_id,upline_id", f"{ids[0]},"]
    lines += [f"{ids[k]},{ids[0] if k < 6 else ids[1 + (k - 6) % 5]}" for k in range(1, 30)]
    hostile.write_text("\n".join(lines) + "\n", "utf-8")
    a = agentgraph.scan(str(hostile))
    assert repr(a).startswith("Analysis(source=") and "agents=30" in repr(a)
    assert len(repr(a)) < 300
    html = a._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
