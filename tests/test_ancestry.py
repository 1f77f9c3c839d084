"""Redundant hierarchy columns cross-checked, on real CSV files shaped like the systems' tables.

The expected ancestors and paths are computed here by walking the upline column in
plain Python (an independent oracle), then written by the csv module and read back
through :func:`agentgraph.loaders.files.read_table`.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow as pa
import pytest
from agentgraph.loaders.ancestry import (
    AncestryColumns,
    ancestor_columns,
    check_ancestry,
    upline_from_path,
)
from agentgraph.loaders.files import read_table
from agentgraph.loaders.schemas import recognise

NONE = {"0"}


def _tree(n: int, seed: int = 7) -> dict[str, str | None]:
    """Agent -> upline: ids 1..n, a few roots, each upline an earlier agent."""
    rng = random.Random(seed)
    ups: dict[str, str | None] = {}
    for i in range(1, n + 1):
        ups[str(i)] = None if i <= 3 else str(rng.randint(1, i - 1))
    return ups


def _chain(ups: dict[str, str | None], agent: str) -> list[str]:
    """The uplines of ``agent``, nearest first."""
    out: list[str] = []
    cur = ups[agent]
    while cur is not None:
        out.append(cur)
        cur = ups.get(cur)
    return out


def _write(path: Path, header: list[str], rows: list[list[str]]) -> pa.Table:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return read_table(path)


def _likeshop(tmp_path: Path, ups: dict[str, str | None]) -> list[list[str]]:
    rows = []
    for agent in ups:
        chain = _chain(ups, agent)
        lead = [*chain, "0", "0", "0"][:3]
        rows.append([agent, f"SN{agent}", *lead, ",".join(chain), "1"])
    return rows


LS_HEADER = [
    "id",
    "sn",
    "first_leader",
    "second_leader",
    "third_leader",
    "ancestor_relation",
    "is_distribution",
]


def _check(table: pa.Table, found: AncestryColumns | None = None) -> list:
    names = table.column_names
    match = recognise(names)
    assert match is not None
    found = found or ancestor_columns(names, match)
    agents = table.column(match.columns["agent_id"])
    uplines = table.column(match.columns["upline_id"])
    return check_ancestry(agents, uplines, table, found, "t.csv", NONE)


def test_consistent_likeshop_table_has_no_issue(tmp_path: Path) -> None:
    ups = _tree(60)
    table = _write(tmp_path / "ls_user.csv", LS_HEADER, _likeshop(tmp_path, ups))
    found = ancestor_columns(table.column_names, recognise(table.column_names))
    assert found.ancestors == ((2, "second_leader"), (3, "third_leader"))
    assert found.paths == (("ancestor_relation", "nearest_first"),)
    assert _check(table) == []


def test_likeshop_disagreements_are_named(tmp_path: Path) -> None:
    ups = _tree(60)
    rows = _likeshop(tmp_path, ups)
    deep = [r for r in rows if r[4] != "0"]  # agents with three uplines
    a, b, c = deep[0], deep[1], deep[2]
    a[3] = "59"  # wrong second leader
    b[4] = "0"  # third leader missing
    c[5] = ",".join([c[2], "58", *c[5].split(",")[2:]])  # path breaks above the upline
    root = rows[0]
    root[3] = "2"  # a root with a second leader
    table = _write(tmp_path / "ls_user.csv", LS_HEADER, rows)
    issues = _check(table)
    by_col = {d.split(" ")[0]: (who, d) for kind, who, d in issues if kind == "upline_disagreement"}
    assert set(by_col) == {"second_leader", "third_leader", "ancestor_relation"}
    who, detail = by_col["second_leader"]
    assert who == [root[0], a[0]]
    assert detail.startswith("second_leader disagrees with the upline's upline for 2 agents: ")
    assert f"{root[0]} (second_leader 2, upline's upline none)" in detail
    assert f"{a[0]} (second_leader 59, upline's upline {_chain(ups, a[0])[1]})" in detail
    who, detail = by_col["third_leader"]
    assert who == [b[0]]
    assert f"(third_leader none, upline's upline's upline {_chain(ups, b[0])[2]})" in detail
    who, detail = by_col["ancestor_relation"]
    assert who == [c[0]]
    assert "does not continue the upline's ancestor_relation for 1 agent" in detail


def test_many_disagreements_name_five_and_count_the_rest(tmp_path: Path) -> None:
    ups = _tree(40)
    rows = _likeshop(tmp_path, ups)
    for r in rows[3:]:
        r[3] = "39"  # every non-root's second leader is 39
    table = _write(tmp_path / "ls_user.csv", LS_HEADER, rows)
    wrong = [r[0] for r in rows[3:] if (_chain(ups, r[0]) + [None, None])[1] != "39"]
    (issue,) = [i for i in _check(table) if i[2].startswith("second_leader")]
    assert issue[1] == wrong
    assert f"for {len(wrong)} agents: " in issue[2]
    assert issue[2].endswith(f", and {len(wrong) - 5} more")
    assert issue[2].count("(second_leader 39") == 5


def test_crmeb_path_root_first(tmp_path: Path) -> None:
    ups = _tree(30)
    rows = []
    for agent, up in ups.items():
        path = "/".join(["", "0", *reversed(_chain(ups, agent)), ""])
        rows.append([agent, "0" if up is None else up, path, "1"])
    header = ["uid", "spread_uid", "path", "is_promoter"]
    table = _write(tmp_path / "eb_user.csv", header, rows)
    assert _check(table) == []
    assert upline_from_path(table.column("path"), "auto", table.column("uid")).to_pylist() == [
        up for up in ups.values()
    ]
    rows[10][2] = "/0/"  # agent 11 has an upline but an empty path
    rows[20][2] = rows[20][2].replace("/0/", "/0/29/", 1)  # an extra root above
    table = _write(tmp_path / "eb_user.csv", header, rows)
    issues = _check(table)
    assert [i[1] for i in issues] == [["11"], ["21"]]
    assert issues[0][2].startswith("path disagrees with the upline for 1 agent: 11 (path /0/ ")
    assert "names none, upline" in issues[0][2]
    assert "path does not continue the upline's path for 1 agent: 21" in issues[1][2]


def test_niushop_grand_parent_and_unlisted_uplines(tmp_path: Path) -> None:
    header = ["fenxiao_id", "member_id", "parent", "grand_parent", "level_name", "status"]
    rows = [
        ["1", "101", "0", "0", "一级", "1"],
        ["2", "102", "1", "0", "一级", "1"],
        ["3", "103", "2", "1", "二级", "1"],
        ["4", "104", "77", "5", "二级", "1"],  # upline 77 is not listed: not checkable
        ["5", "105", "3", "", "二级", "-1"],  # empty grand parent: none, but 2 is expected
        ["6", "106", "5", "3", "一级", "1"],
    ]
    table = _write(tmp_path / "fenxiao.csv", header, rows)
    (issue,) = _check(table)
    assert issue == (
        "upline_disagreement",
        ["5"],
        "grand_parent disagrees with the upline's upline for 1 agent: "
        "5 (grand_parent none, upline's upline 2)",
    )


def test_chinese_headers_and_auto_path(tmp_path: Path) -> None:
    ups = _tree(25)
    header = ["会员编号", "上级编号", "上上级编号", "关系链"]
    rows = []
    for agent, up in ups.items():
        chain = _chain(ups, agent)
        rows.append([agent, up or "", (chain + [""])[1] if chain else "", ">".join(chain)])
    table = _write(tmp_path / "export.csv", header, rows)
    found = ancestor_columns(table.column_names, None)
    assert found == AncestryColumns(((2, "上上级编号"),), (("关系链", "auto"),))
    agents, uplines = table.column("会员编号"), table.column("上级编号")
    assert check_ancestry(agents, uplines, table, found, "x.csv", NONE) == []
    rows[9][1] = "3"  # agent 10's upline changed: the redundant columns still say the old one
    table = _write(tmp_path / "export.csv", header, rows)
    agents, uplines = table.column("会员编号"), table.column("上级编号")
    issues = check_ancestry(agents, uplines, table, found, "x", NONE)
    children = [a for a, up in ups.items() if up == "10"]
    # 10's children keep their old grandparent, not 10's new upline 3
    assert [(i[2].split(" ")[0], i[1]) for i in issues] == [
        ("上上级编号", ["10", *children] if ups["10"] != "3" else children),
        ("关系链", ["10"]),
    ]


def test_integer_columns_from_parquet_like_tables() -> None:
    table = pa.table(
        {
            "user_id": pa.array([1, 2, 3, 4], pa.int64()),
            "first_leader": pa.array([0, 1, 2, 3], pa.int64()),
            "second_leader": pa.array([0, 0, 1, 2], pa.int64()),
            "third_leader": pa.array([0, 0, 0, 2], pa.int64()),
        }
    )
    issues = _check(table)
    assert [i[1] for i in issues] == [["4"]]
    assert "4 (third_leader 2, upline's upline's upline 1)" in issues[0][2]


def test_no_columns_no_issues() -> None:
    table = pa.table({"agent_id": ["a", "b"], "upline_id": [None, "a"]})
    found = ancestor_columns(table.column_names, None)
    assert not found.found
    agents, uplines = table.column("agent_id"), table.column("upline_id")
    assert check_ancestry(agents, uplines, table, found, "m", NONE) == []


@pytest.mark.parametrize(
    ("values", "style", "want"),
    [
        (["/0/", "/0/1/", "/0/1/2/", "/0/1/2/3/", ""], "root_first", [None, "1", "2", "3", None]),
        (["", "1", "2,1", "3,2,1", "0"], "nearest_first", [None, "1", "2", "3", None]),
        ([None, "0,1,", "0,1,2,", "0,1,2,3,", "0,1,5,"], "root_first", [None, "1", "2", "3", "5"]),
    ],
)
def test_upline_from_path(values: list[str | None], style: str, want: list[str | None]) -> None:
    got = upline_from_path(pa.chunked_array([pa.array(values, pa.string())]), style)
    assert got.to_pylist() == want


def test_path_only_table_gives_the_uplines(tmp_path: Path) -> None:
    ups = _tree(50, seed=3)
    rows = [[a, ",".join(_chain(ups, a))] for a in ups]  # nearest first, no marker
    table = _write(tmp_path / "paths.csv", ["会员编号", "关系链"], rows)
    col, agents = table.column("关系链"), table.column("会员编号")
    assert upline_from_path(col, "nearest_first").to_pylist() == list(ups.values())
    assert upline_from_path(col, "auto", agents).to_pylist() == list(ups.values())
    rows = [[a, "/".join(["", "0", *reversed(_chain(ups, a)), a, ""])] for a in ups]  # with self
    table = _write(tmp_path / "paths.csv", ["uid", "path"], rows)
    col, agents = table.column("path"), table.column("uid")
    assert upline_from_path(col, "auto", agents).to_pylist() == list(ups.values())
    assert upline_from_path(col, "root_first", agents).to_pylist() == list(ups.values())
    with pytest.raises(ValueError, match="path style 'sideways'"):
        upline_from_path(col, "sideways")


@pytest.mark.parametrize(
    "ids",
    [
        ["1", "2", "3", "4"],  # dense integers: lookup table
        ["10", "900000000000", "31", "123456789012345"],  # sparse integers: searchsorted
        ["001", "1", "A3", "07"],  # not plain integers: "001" is not "1"
    ],
)
def test_every_id_kind_gives_the_same_answer(ids: list[str]) -> None:
    a, b, c, d = ids
    agents = pa.chunked_array([[a, b, c, d]])
    uplines = pa.chunked_array([[None, a, b, b]])
    table = pa.table({"second_leader": ["0", "", a, c]})  # d: upline's upline is a, not c
    found = ancestor_columns(table.column_names, None)
    (issue,) = check_ancestry(agents, uplines, table, found, "m", NONE)
    assert issue[1] == [d]
    assert issue[2].endswith(f"{d} (second_leader {c}, upline's upline {a})")
    dup = pa.chunked_array([[a, b, c, d, a]])  # a repeated agent: the first row is used
    ups2 = pa.chunked_array([[None, a, b, b, c]])
    t2 = pa.table({"second_leader": ["0", "", a, a, b]})
    assert check_ancestry(dup, ups2, t2, found, "m", NONE) == []
