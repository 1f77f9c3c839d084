"""The real command, run as a process, on the shared fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from agentgraph.report.schema import report_schema

from .conftest import FIXTURES, run_cli

SCHEMA = report_schema()


def test_scan_json_to_stdout_is_only_the_report() -> None:
    res = run_cli("scan", str(FIXTURES / "boundary_30_3.csv"), "--format", "json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)  # nothing but JSON on stdout
    jsonschema.validate(report, SCHEMA)
    assert report["summary"] == report["summary"] | {
        "agents": 30,
        "networks": 1,
        "flagged": 1,
        "max_levels": 3,
    }


@pytest.mark.parametrize(
    "name", ["empty.csv", "header_only.csv", "no_upline_column.csv", "garbage.csv", "bad_utf8.csv"]
)
def test_bad_input_exits_2_with_a_message_naming_the_file(name: str) -> None:
    path = FIXTURES / "bad" / name
    res = run_cli("scan", str(path))
    assert res.returncode == 2
    assert res.stdout == ""
    assert str(path) in res.stderr and res.stderr.startswith("error: ")
    assert "Traceback" not in res.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    res = run_cli("scan", str(tmp_path / "nope.csv"))
    assert res.returncode == 2 and "no such file" in res.stderr


def test_html_and_csv_reports_are_written_atomically(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    res = run_cli("scan", str(FIXTURES / "gb18030_members.csv"), "-f", "html", "-o", str(html))
    assert res.returncode == 0, res.stderr
    text = html.read_text(encoding="utf-8")
    assert "王总" in text and "<html" in text.lower()
    out = tmp_path / "r.csv"
    res = run_cli("scan", str(FIXTURES / "ladder_edges.csv"), "-f", "csv", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "P01" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.html"]  # no temp files


def test_batch_folder_writes_one_report_per_input_and_exits_2_on_bad_ones(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    res = run_cli("scan", str(FIXTURES), str(FIXTURES / "bad"), "--out", str(out))
    assert res.returncode == 2  # the bad/ files fail, the good ones are still reported
    names = sorted(p.name for p in out.iterdir())
    assert "boundary_30_3.json" in names and "ladder_edges.json" in names
    assert not any(n.startswith("empty") for n in names)
    for p in out.iterdir():
        jsonschema.validate(json.loads(p.read_text(encoding="utf-8")), SCHEMA)
    assert "bad_utf8.csv, row 3" in res.stderr


def test_batch_json_lines_to_stdout() -> None:
    res = run_cli("scan", str(FIXTURES / "chain5.csv"), str(FIXTURES / "star.csv"))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert [json.loads(x)["networks"][0]["root"] for x in lines] == ["C1", "S000"]


def test_fail_on_flag_exit_code() -> None:
    assert run_cli("scan", str(FIXTURES / "boundary_30_3.csv"), "--fail-on-flag").returncode == 1
    assert run_cli("scan", str(FIXTURES / "boundary_29_3.csv"), "--fail-on-flag").returncode == 0


def test_column_mapping_and_unknown_policy(tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_text("编号X,上线X\n007,\n7,007\n", encoding="utf-8")
    res = run_cli("scan", str(src), "-c", "agent_id=编号X", "-c", "upline_id=上线X")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["networks"][0]["tier_counts"] == [1, 1]
    res = run_cli("scan", str(src), "--policy", "nowhere")
    assert res.returncode == 2 and "unknown policy" in res.stderr
    res = run_cli("scan", str(src), "-c", "agent=编号X")
    assert res.returncode == 2 and "not one of" in res.stderr


def test_load_datasets_agent_scan_drop_on_a_duckdb_file(tmp_path: Path) -> None:
    store = str(tmp_path / "audit.duckdb")
    res = run_cli("load", str(FIXTURES / "boundary_30_3.csv"), "-d", "shop", "--store", store)
    assert res.returncode == 0, res.stderr
    again = run_cli("load", str(FIXTURES / "star.csv"), "--dataset", "shop", "--store", store)
    assert again.returncode == 2 and "exists" in again.stderr
    bad = run_cli("load", str(FIXTURES / "bad" / "bad_utf8.csv"), "-d", "x", "--store", store)
    assert bad.returncode == 2
    listing = json.loads(run_cli("datasets", "--store", store, "--json").stdout)
    assert [(d["name"], d["rows"]) for d in listing] == [("shop", 30)]  # nothing half written
    res = run_cli("agent", "007", "--dataset", "shop", "--store", store, "--json")
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["level"] == 3 and info["root"] == "001" and info["upline_chain"][0] == "001"
    res = run_cli("scan", "--dataset", "shop", "--store", store)
    assert json.loads(res.stdout)["summary"]["flagged"] == 1
    assert run_cli("agent", "nobody", "-d", "shop", "--store", store).returncode == 2
    assert run_cli("drop", "shop", "--store", store).returncode == 0
    assert run_cli("drop", "shop", "--store", store).returncode == 2


def test_agent_text_output_from_a_file() -> None:
    res = run_cli("agent", "P31", "--input", str(FIXTURES / "ladder_edges.csv"))
    assert res.returncode == 0, res.stderr
    assert "level 5 of 5" in res.stdout and "P01 > P03 > P07 > P15" in res.stdout


def test_synth_then_scan(tmp_path: Path) -> None:
    out = tmp_path / "ladder.parquet"
    res = run_cli(
        "synth", "ladder", "--tiers", "5", "--branching", "3", "--seed", "1", "--out", str(out)
    )
    assert res.returncode == 0, res.stderr
    report = json.loads(run_cli("scan", str(out)).stdout)
    assert report["summary"]["max_levels"] == 5
    assert report["networks"][0]["tier_counts"] == [1, 3, 9, 27, 81]


def test_hundred_thousand_deep_chain_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "chain.parquet"
    assert run_cli("synth", "chain", "--agents", "100000", "--out", str(out)).returncode == 0
    res = run_cli("scan", str(out), "--max-networks", "0")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    net = report["networks"][0]
    assert (net["members"], net["levels"], net["structure"]) == (100_000, 100_000, "five_tier_plus")
    assert len(net["deepest_chain"]) == 100_000
    assert [f["rule"] for f in net["flags"]] == ["cn.threshold", "cn.serious"]
