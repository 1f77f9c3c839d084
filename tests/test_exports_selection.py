"""Exports of a network or a downline, read back with the readers users have."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import networkx as nx
import pytest

import agentgraph
from agentgraph.errors import AgentNotFound, ArgumentError
from agentgraph.exports import FORMATS, render, select_from_index, select_from_scan
from agentgraph.interop import agents_frame
from agentgraph.live import LiveIndex
from tests.conftest import run_cli

HOSTILE = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def ladder(tmp_path: Path) -> Path:
    """A 5-level ladder with Chinese ids, a formula-like id and a rank column."""
    rows = [("总代-王", "", "总代")]
    for k in range(1, 5):
        up = ["总代-王"] * 8 if k == 1 else [f"{k - 1}级-{i // 2}" for i in range(8)]
        rows += [(f"{k}级-{i}", up[i], f"{k}级") for i in range(8)]
    rows.append((HOSTILE, "4级-0", "-1"))
    path = tmp_path / "ladder.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["agent_id", "upline_id", "rank"])
        w.writerows(rows)
    return path


def _scan(path: Path) -> agentgraph.Analysis:
    return agentgraph.scan(str(path))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_files_read_back_as_the_network(ladder: Path, fmt: str, tmp_path: Path) -> None:
    a = _scan(ladder)
    sel = select_from_scan(a, network="总代-王")
    path = tmp_path / f"n.{fmt}"
    path.write_bytes(render(sel, fmt))
    g = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    frame = agents_frame(a).set_index("agent")
    assert set(g.nodes) == set(frame.index)
    want_edges = {(u, v) for v, u in frame["upline"].dropna().items()}
    assert set(g.edges) == want_edges
    for agent, attrs in g.nodes(data=True):
        assert attrs["level"] == frame.loc[agent, "level"]
        assert attrs["downline"] == frame.loc[agent, "downline"]
        assert attrs["network_root"] == "总代-王"
        assert attrs["flagged"] is True
    assert g.nodes[HOSTILE]["rank"] == "-1"  # rank titles are kept, never taken as levels
    assert g.nodes[HOSTILE]["level"] == 6


def test_a_downline_export_starts_at_its_agent(ladder: Path) -> None:
    sel = select_from_scan(_scan(ladder), downline="3级-1")
    assert sel.ids[0] == "3级-1" and sel.parent[0] == -1
    assert sel.level.tolist()[0] == 4 and set(sel.level.tolist()) <= {4, 5}
    assert len(sel) == int(sel.downline[0])


def test_csv_has_a_bom_chinese_ids_and_no_formula(ladder: Path) -> None:
    data = render(select_from_scan(_scan(ladder), network="总代-王"), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "总代-王" in text
    assert "'" + HOSTILE.replace('"', '""') in text
    assert ",'-1," in text  # a cell starting with - is defused too
    assert not any(line.startswith(("=", "+", "@")) for line in text.splitlines())


def test_xlsx_cells_are_text_never_formulas(ladder: Path, tmp_path: Path) -> None:
    import python_calamine

    path = tmp_path / "n.xlsx"
    path.write_bytes(render(select_from_scan(_scan(ladder), network="总代-王"), "xlsx"))
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][:3] == ["agent_id", "upline_id", "level"]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[HOSTILE][1] == "4级-0" and by_id[HOSTILE][2] == 6
    assert HOSTILE in by_id  # stored as the text itself: a formula cell would read back empty


def test_neo4j_zip_holds_the_admin_import_layout(ladder: Path, tmp_path: Path) -> None:
    from agentgraph.stores.neo4j.admin_csv import import_admin_csv

    data = render(select_from_scan(_scan(ladder), downline="2级-0"), "neo4j")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["agentgraph.json", "agents.csv", "relationships.csv"]
        z.extractall(tmp_path / "neo")
    back = import_admin_csv(tmp_path / "neo")
    assert back.rows == 1 + 2 + 4 + 1  # the formula-like id is under 4级-0
    assert back.table.column("upline_id").null_count == 1


def test_the_live_index_export_has_the_recruitments_made_since(ladder: Path) -> None:
    idx = LiveIndex.from_analysis(_scan(ladder))
    idx.add("4级-7", "新人")
    sel = select_from_index(idx, network="总代-王", source="case")
    assert "新人" in sel.ids
    k = sel.ids.index("新人")
    assert sel.level[k] == 6 and sel.ids[sel.parent[k]] == "4级-7" and sel.source == "case"
    with pytest.raises(ArgumentError, match="more than 10"):
        select_from_index(idx, network="总代-王", limit=10)


def test_bad_selections_say_what_is_wrong(ladder: Path) -> None:
    a = _scan(ladder)
    with pytest.raises(AgentNotFound, match="not the root"):
        select_from_scan(a, network="2级-0")
    with pytest.raises(AgentNotFound, match="no agent"):
        select_from_scan(a, downline="nobody")
    with pytest.raises(ArgumentError, match="exactly one"):
        select_from_scan(a)
    with pytest.raises(ArgumentError, match="unknown export format"):
        render(select_from_scan(a, network="总代-王"), "pdf")
    assert FORMATS == ("csv", "xlsx", "graphml", "gexf", "neo4j")


def test_cli_export_writes_whole_files_and_refuses_bad_input(ladder: Path, tmp_path: Path) -> None:
    out = tmp_path / "net.graphml"
    r = run_cli("export", "-i", str(ladder), "--network", "总代-王", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert nx.read_graphml(out).number_of_nodes() == 34
    r = run_cli("export", "-i", str(ladder), "--downline", "4级-0")
    assert r.returncode == 0 and r.stdout.splitlines()[1].startswith("4级-0,,5,总代-王")
    bad = tmp_path / "bad.gexf"
    r = run_cli("export", "-i", str(ladder), "--network", "2级-0", "--out", str(bad))
    assert r.returncode == 2 and "not the root" in r.stderr and "Traceback" not in r.stderr
    assert not bad.exists()
    r = run_cli("export", "-i", str(ladder), "--network", "总代-王", "--format", "xlsx")
    assert r.returncode == 2 and "--out" in r.stderr
    r = run_cli(
        "export", "-i", str(ladder), "--network", "总代-王", "--out", str(tmp_path / "x.pdf")
    )
    assert r.returncode == 2 and "--format" in r.stderr
