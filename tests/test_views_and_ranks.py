"""Library views (pandas, networkx, igraph) and rank titles versus levels."""

from __future__ import annotations

import networkx as nx
import pyarrow as pa
import pytest

import agentgraph
from agentgraph.errors import AgentNotFound
from agentgraph.measure.ranks import rank_check, title_tier
from agentgraph.tables import Relations

from .conftest import FIXTURES


def test_frames_and_graphs_agree_with_the_report() -> None:
    a = agentgraph.scan(FIXTURES / "gb18030_members.csv")
    agents = a.agents_frame()
    assert len(agents) == 34
    row = agents.set_index("agent").loc["钱18"]
    assert row["level"] == 4 and row["root"] == "王总" and row["rank"] == "一级代理"
    nets = a.networks_frame()
    assert nets.iloc[0]["root"] == "王总" and bool(nets.iloc[0]["flagged"])
    assert nets.iloc[0]["rules"] == "cn.threshold"
    g = agentgraph.to_networkx(a.graph)
    assert g.number_of_nodes() == 34 and nx.is_forest(g)
    assert nx.shortest_path_length(g, "王总", "钱18") == 3
    ig = agentgraph.to_igraph(a.graph)
    assert ig.vcount() == 34 and ig.ecount() == 32
    v = ig.vs.find(name="钱18").index
    assert ig.distances(ig.vs.find(name="王总").index, v, mode="out")[0][0] == 3


def test_agent_lookup_errors() -> None:
    a = agentgraph.scan(FIXTURES / "chain5.csv")
    with pytest.raises(AgentNotFound):
        a.agent("C9")
    info = a.agent("C3", recruits_limit=0)
    assert info.direct_recruits == [] and info.downline == 3 and info.downline_levels == 3


@pytest.mark.parametrize(
    ("title", "tier"),
    [
        ("总代", 0),
        ("总代理", 0),
        ("一级代理", 1),
        ("二级代理", 2),
        ("5级", 5),
        ("十级", 10),
        ("十二级代理", 12),
        ("二十级", 20),
        ("V3", 3),
        ("level 4", 4),
        ("品牌方", -1),
        ("会员", None),
        ("", None),
        (None, None),
    ],
)
def test_title_tiers(title: str | None, tier: int | None) -> None:
    assert title_tier(title) == tier


def test_rank_offset_adapts_to_whether_the_brand_is_in_the_data() -> None:
    import numpy as np

    # brand at level 1, 总代 at level 2, 一级代理 at level 3: offset 2
    ranks = pa.array(["品牌", "总代", "一级代理", "一级代理", "二级代理", "总代"])
    levels = np.array([1, 2, 3, 3, 4, 5])
    rc = rank_check(ranks, levels)
    assert rc.offset == 2
    assert rc.mismatched.tolist() == [5] and rc.declared.tolist() == [2]
    assert rc.title_levels["一级代理"] == 3


def test_ranks_without_any_title_are_skipped() -> None:
    rel = Relations(
        "members",
        pa.table({"agent_id": ["a"], "upline_id": pa.nulls(1, pa.string()), "rank": ["会员"]}),
    )
    r = agentgraph.analyse(rel).report()
    assert r["rank_mismatches"]["total"] == 0
