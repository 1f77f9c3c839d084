"""Comparing two scans: the library, ``agentgraph diff`` (exit codes, JSON and text) and
``GET /v1/datasets/{dataset}/scans/diff``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import agentgraph
from agentgraph.errors import InputError
from agentgraph.report.build import dumps
from agentgraph.report.diff import diff_reports, diff_text, read_report

from .conftest import FIXTURES, run_cli

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)

GROWTH = FIXTURES / "growth_30_3.csv"


def _reports(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(dumps(agentgraph.scan(GROWTH, as_of="2024-03-09").report()), "utf-8")
    new.write_text(dumps(agentgraph.scan(GROWTH).report()), "utf-8")
    return old, new


def test_the_diff_names_the_crossing_the_new_flag_and_the_growth(tmp_path: Path) -> None:
    old, new = _reports(tmp_path)
    d = diff_reports(read_report(old), read_report(new))
    assert d["schema"] == "agentgraph.diff/1"
    assert d["old"]["as_of"] == "2024-03-09" and d["new"]["as_of"] is None
    assert d["crossed_thresholds"] == [
        {
            "root": "001",
            "rule": "cn.threshold",
            "min_members": 30,
            "min_levels": 3,
            "old_members": 29,
            "old_levels": 3,
            "new_members": 32,
            "new_levels": 4,
            "date": "2024-03-10",
        }
    ]
    assert d["new_flags"] == [{"root": "001", "rules": ["cn.threshold"], "old_rules": []}]
    assert d["cleared_flags"] == [] and d["new_networks"] == []
    assert d["grew_fastest"][0] == {
        "root": "001",
        "old_members": 29,
        "new_members": 32,
        "added": 3,
        "ratio": round(32 / 29, 6),
        "old_levels": 3,
        "new_levels": 4,
    }
    assert d["summary"]["flagged"] == {"old": 0, "new": 1, "change": 1}
    back = diff_reports(read_report(new), read_report(old))  # the other way round
    assert back["crossed_thresholds"] == [] and back["grew_fastest"] == []
    assert back["cleared_flags"] == [{"root": "001", "rules": ["cn.threshold"]}]
    text = diff_text(d)
    assert "threshold crossed: 001 cn.threshold" in text and "on 2024-03-10" in text


def test_new_data_issues_and_new_networks(tmp_path: Path) -> None:
    old_csv, new_csv = tmp_path / "a.csv", tmp_path / "b.csv"
    old_csv.write_text("agent_id,upline_id\nA,\nB,A\n", "utf-8")
    new_csv.write_text("agent_id,upline_id\nA,\nB,A\nC,C\nD,E\nE,D\nF,D\n", "utf-8")
    d = diff_reports(agentgraph.scan(old_csv).report(), agentgraph.scan(new_csv).report())
    assert set(d["data_issues"]) == {"self_referral", "cycle"}
    assert d["data_issues"]["cycle"] == {"old": 0, "new": 1, "added": 1}
    assert sorted(i["kind"] for i in d["new_data_issues"]) == ["cycle", "self_referral"]
    assert "D" in d["new_networks"] and d["summary"]["agents"]["change"] == 4


def test_unreadable_or_incompatible_reports_are_input_errors(tmp_path: Path) -> None:
    old, new = _reports(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "agentgraph.appraisal/1"}', "utf-8")
    with pytest.raises(InputError, match="not an agentgraph.report/1 report"):
        read_report(bad)
    bad.write_text("{not json", "utf-8")
    with pytest.raises(InputError, match="not a JSON report"):
        read_report(bad)
    other = agentgraph.scan(GROWTH, policy="us-ftc").report()
    with pytest.raises(InputError, match="different policies"):
        diff_reports(read_report(old), other)


def test_cli_diff_json_text_and_exit_codes(tmp_path: Path) -> None:
    old, new = _reports(tmp_path)
    r = run_cli("diff", str(old), str(new))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "agentgraph.diff/1" and doc["crossed_thresholds"][0]["root"] == "001"
    r = run_cli("diff", str(old), str(new), "--format", "text")
    assert r.returncode == 0 and "threshold crossed: 001" in r.stdout
    out = tmp_path / "d.json"
    r = run_cli("diff", str(old), str(new), "-o", str(out))
    assert r.returncode == 0 and json.loads(out.read_text("utf-8")) == doc
    r = run_cli("diff", str(old), str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "no such report file" in r.stderr and r.stdout == ""
    shutil.copy(GROWTH, tmp_path / "x.json")  # a CSV named .json
    r = run_cli("diff", str(old), str(tmp_path / "x.json"))
    assert r.returncode == 2 and "not a JSON report" in r.stderr


def test_cli_scan_as_of_and_growth_period(tmp_path: Path) -> None:
    r = run_cli("scan", str(GROWTH), "--as-of", "2024-03-09", "--growth-period", "week")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["summary"]["flagged"] == 0 and rep["input"]["as_of"]["date"] == "2024-03-09"
    assert rep["growth"]["period"] == "week"
    r = run_cli("scan", str(GROWTH), "--as-of", "March 9")
    assert r.returncode == 2 and "as-of must be a date" in r.stderr
    r = run_cli("scan", str(FIXTURES / "boundary_30_3.csv"), "--as-of", "2024-03-09")
    assert r.returncode == 2 and "no joined_at column" in r.stderr


def test_api_as_of_scans_and_their_diff(api: Harness) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "g", GROWTH)
    r = c.post("/v1/datasets/g/scans", json={"as_of": "2024-03-09"}, headers=h)
    assert r.status_code == 202
    before = api.wait_scan(h, r.json()["id"])
    assert before["state"] == "succeeded" and before["summary"]["flagged"] == 0
    r = c.post("/v1/datasets/g/scans", json={"growth_period": "day"}, headers=h)
    after = api.wait_scan(h, r.json()["id"])
    assert after["summary"]["flagged"] == 1
    report = c.get(f"/v1/scans/{before['id']}/report", headers=h).json()
    assert report["input"]["as_of"]["agents_left_out"] == 3
    d = c.get(
        "/v1/datasets/g/scans/diff", params={"old": before["id"], "new": after["id"]}, headers=h
    )
    assert d.status_code == 200, d.text
    doc = d.json()
    assert doc["schema"] == "agentgraph.diff/1"
    assert [(x["root"], x["rule"], x["date"]) for x in doc["crossed_thresholds"]] == [
        ("001", "cn.threshold", "2024-03-10")
    ]
    auditor = api.key("acme", "auditor")
    assert (
        c.get(
            "/v1/datasets/g/scans/diff",
            params={"old": before["id"], "new": after["id"]},
            headers=auditor,
        ).status_code
        == 200
    )
    bad = c.post("/v1/datasets/g/scans", json={"as_of": "yesterday"}, headers=h)
    assert bad.status_code == 422
    missing = c.get(
        "/v1/datasets/g/scans/diff",
        params={"old": before["id"], "new": "scn_0000000000000000"},
        headers=h,
    )
    assert missing.status_code == 404
    other = api.key("other", "analyst")  # another tenant sees no such dataset
    assert (
        c.get(
            "/v1/datasets/g/scans/diff",
            params={"old": before["id"], "new": after["id"]},
            headers=other,
        ).status_code
        == 404
    )
