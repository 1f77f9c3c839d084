"""No-upline values, row filters and duplicated key columns (issue 11).

A platform whose top-level users carry upline ``0`` (CRMEB ``spread_uid``, likeshop
``first_leader``, Niushop ``source_member``) must come out as many small networks,
never one network rooted at ``0``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agentgraph
from agentgraph.errors import InputError

CRMEB_HEADER = "uid,spread_uid,nickname,is_promoter"


def _platform(tmp_path: Path, zero_is_agent: bool = False) -> Path:
    """A single-tier platform: 40 top-level users (spread_uid 0), each with one recruit."""
    rows = [CRMEB_HEADER]
    if zero_is_agent:
        rows.append("0,,founder,1")
    for k in range(1, 41):
        rows.append(f"{k},0,u{k},1")
    for k in range(41, 81):
        rows.append(f"{k},{k - 40},u{k},{k % 2}")
    path = tmp_path / "eb_user.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


MAP = {"agent_id": "uid", "upline_id": "spread_uid"}


def test_zero_upline_is_no_upline_not_a_pyramid(tmp_path: Path) -> None:
    r = agentgraph.scan(_platform(tmp_path), columns=MAP).report()
    s = r["summary"]
    assert (s["agents"], s["networks"], s["flagged"], s["max_levels"]) == (80, 40, 0, 2)
    assert all(n["root"] != "0" for n in r["networks"])
    assert s["data_issues"]["no_upline_value"] == 1
    assert s["data_issues"]["unknown_upline"] == 0
    issue = next(i for i in r["data_issues"] if i["kind"] == "no_upline_value")
    assert "'0'" in issue["detail"] and "40 row(s)" in issue["detail"]
    assert r["input"]["no_upline"] == {"0": 40}


def test_zero_is_an_agent_when_listed(tmp_path: Path) -> None:
    r = agentgraph.scan(_platform(tmp_path, zero_is_agent=True), columns=MAP).report()
    s = r["summary"]
    assert (s["agents"], s["networks"], s["max_levels"]) == (81, 1, 3)
    assert s["flagged"] == 1  # 81 members over 3 levels: the cn threshold
    assert r["networks"][0]["root"] == "0"
    assert s["data_issues"]["no_upline_value"] == 0
    assert r["input"]["no_upline"] == {}


@pytest.mark.parametrize("value", ["NULL", "null", "None", "\\N", "无", "-", "-1", " 0 "])
def test_every_default_no_upline_spelling(tmp_path: Path, value: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(f'agent_id,upline_id\nA,"{value}"\nB,A\nC,"{value}"\n', encoding="utf-8")
    rel = agentgraph.read(path)
    assert rel.table.column("upline_id").to_pylist() == [None, "A", None]
    assert rel.reading is not None
    assert rel.reading.no_upline == {value.strip(): 2}


def test_no_upline_option_adds_a_value(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("agent_id,upline_id\nA,admin\nB,A\nC,admin\n", encoding="utf-8")
    assert agentgraph.scan(path).report()["summary"]["networks"] == 1  # admin: implicit root
    r = agentgraph.scan(path, no_upline=["admin"]).report()
    assert (r["summary"]["networks"], r["input"]["no_upline"]) == (2, {"admin": 2})


def test_edge_list_no_upline_rows_make_roots(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("upline_id,downline_id\n0,A\nA,B\n0,C\n,D\n", encoding="utf-8")
    r = agentgraph.scan(path).report()
    assert (r["summary"]["agents"], r["summary"]["networks"]) == (4, 3)
    assert r["input"]["no_upline"] == {"0": 2}


def test_where_selects_participants_and_says_how_many_left_out(tmp_path: Path) -> None:
    path = _platform(tmp_path)
    r = agentgraph.scan(path, columns=MAP, where=["is_promoter=1"]).report()
    assert r["input"]["where"] == ["is_promoter=1"]
    assert r["input"]["rows_read"] == 80 and r["input"]["rows_excluded"] == 20
    assert r["summary"]["agents"] == 60
    with pytest.raises(InputError, match="leaves no rows"):
        agentgraph.read(path, columns=MAP, where=["is_promoter=7"])
    with pytest.raises(InputError, match="row filter column 'status' is not in the header"):
        agentgraph.read(path, columns=MAP, where=["status=1"])


def test_where_on_chinese_column_and_not_equal(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "会员编号,推荐人,激活状态\nA,,已激活\nB,A,未激活\nC,A,已激活\n", encoding="utf-8"
    )
    kept = agentgraph.read(path, where=["激活状态=已激活"]).table.column("agent_id").to_pylist()
    assert kept == ["A", "C"]
    other = agentgraph.read(path, where=["激活状态!=已激活"]).table.column("agent_id")
    assert other.to_pylist() == ["B"]


def test_frames_give_the_file_report(tmp_path: Path) -> None:
    path = _platform(tmp_path)
    want = agentgraph.scan(path, columns=MAP).report()
    frames = {
        "pandas": pd.read_csv(path),
        "pandas-nan": pd.read_csv(path).assign(spread_uid=lambda d: d.spread_uid.astype(float)),
        "polars": pl.read_csv(path),
        "arrow": pa.table(pd.read_csv(path)),
    }
    for name, df in frames.items():
        got = agentgraph.scan(df, columns=MAP).report()
        assert got["summary"] == want["summary"], name
        assert got["networks"] == want["networks"], name
        assert got["input"]["format"] == "dataframe"
        assert got["input"]["no_upline"] == {"0": 40}
    a = agentgraph.analyse(pl.read_csv(path).rename({"uid": "agent_id", "spread_uid": "upline_id"}))
    assert a.report()["summary"]["networks"] == 40


def test_scan_rejects_what_is_not_a_table() -> None:
    with pytest.raises(agentgraph.ArgumentError, match="DataFrame"):
        agentgraph.scan(42)  # type: ignore[arg-type]


def test_cli_scan_of_a_crmeb_table(tmp_path: Path) -> None:
    path = _platform(tmp_path)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentgraph",
            "scan",
            str(path),
            "-c",
            "agent_id=uid",
            "-c",
            "upline_id=spread_uid",
            "--where",
            "is_promoter=1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(out.stdout)
    assert r["summary"]["flagged"] == 0 and r["input"]["rows_excluded"] == 20


def test_key_columns_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    """Issue 12, finding 4: agent_id beside Agent_ID silently stored the wrong column."""
    path = tmp_path / "m.csv"
    path.write_text("agent_id,Ａgent_ID,upline_id\nA,X,\nB,Y,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="differ only in case or width"):
        agentgraph.read(path)
    path.write_text("agent_id,Agent_ID,upline_id\nA,X,\nB,Y,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="differ only in case or width"):
        agentgraph.read(path)
    rel = agentgraph.read(path, columns={"agent_id": "Agent_ID"})  # said which: read
    assert rel.table.column("agent_id").to_pylist() == ["X", "Y"]


def test_load_refuses_an_empty_dataset_name(tmp_path: Path) -> None:
    """Issue 12, finding 7: --dataset '' silently used the file name."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentgraph",
            "load",
            str(_platform(tmp_path)),
            "--dataset",
            "",
            "--store",
            str(tmp_path / "s.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "empty name" in run.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_an_unknown_time_zone_is_refused_even_without_a_time_column(tmp_path: Path) -> None:
    """A bad --timezone was accepted (and written into the report) when no column held times."""
    path = tmp_path / "m.csv"
    path.write_text("agent_id,upline_id\nA,\nB,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown time zone 'Mars/Base'"):
        agentgraph.read(path, timezone="Mars/Base")
    with pytest.raises(InputError, match="unknown time zone"):
        agentgraph.read(pd.read_csv(path), timezone="Mars/Base")
    assert agentgraph.read(path, timezone="UTC").reading.timezone == "UTC"  # type: ignore[union-attr]


_CELLS = st.lists(
    st.one_of(st.none(), st.text(alphabet=" \t\n\v\f\r a0\u3000é", max_size=3)), max_size=6
)


@settings(max_examples=300, deadline=None)
@given(cells=_CELLS, large=st.booleans(), sliced=st.booleans())
def test_edge_space_agrees_with_the_regex(
    cells: list[str | None], large: bool, sliced: bool
) -> None:
    """The byte test for "starts or ends with white space" answers as RE2's ``^\\s|\\s$``."""
    import pyarrow.compute as pc
    from agentgraph.loaders.roots import _edge_space

    arr = pa.array(cells, pa.large_string() if large else pa.string())
    if sliced and len(arr) > 1:
        arr = arr.slice(1)
    col = pa.chunked_array([arr, arr], arr.type)
    want = bool(pc.any(pc.match_substring_regex(col, r"^\s|\s$")).as_py())
    assert _edge_space(col) is want


def test_spaced_no_upline_value_is_still_a_root() -> None:
    """`` 0 `` (padded) is read as the no-upline value ``0``."""
    rel = agentgraph.read(pa.table({"agent_id": ["A", "B"], "upline_id": [" 0 ", "A"]}))
    assert rel.table.column("upline_id").to_pylist() == [None, "A"]
