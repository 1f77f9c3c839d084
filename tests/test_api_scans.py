"""Scans: background jobs, the CLI's JSON report, HTML, failures, restarts, and
queries that never wait for a scan."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
from agentgraph.api import jobs as api_jobs

import agentgraph
from agentgraph.report.schema import report_schema

if TYPE_CHECKING:
    from agentgraph.api.testing import Harness

pytest_plugins = ("agentgraph.api.testing",)


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """Without what differs by design: the time, ``source.name`` (the dataset) and
    ``input.source`` (the upload's file name; the library names the path it read)."""
    out = dict(report)
    out.pop("generated_at")
    out["source"] = {k: v for k, v in report["source"].items() if k != "name"}
    out["input"] = {k: v for k, v in report["input"].items() if k != "source"}
    return out


def test_scan_report_is_the_cli_report(api: Harness, inputs: dict[str, Path]) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "gb", inputs["gb"])
    r = c.post("/v1/datasets/gb/scans", json={"max_networks": 10}, headers=h)
    assert r.status_code == 202
    started = r.json()
    assert started["state"] in ("queued", "running", "succeeded")
    assert started["links"]["report"] == f"/v1/scans/{started['id']}/report"
    done = api.wait_scan(h, started["id"])
    assert (done["state"], done["progress"], done["phase"]) == ("succeeded", 1.0, "done")
    assert done["summary"]["agents"] == 4
    report = c.get(done["links"]["report"], headers=h)
    assert report.headers["content-type"] == "application/json"
    got = report.json()
    want = agentgraph.scan(inputs["gb"]).report(max_networks=10)
    assert _comparable(got) == _comparable(want)
    assert got["source"]["name"] == "gb"  # the dataset, not the server's file path
    assert got["input"]["source"] == "gb.csv"  # the file as uploaded, not its spooled copy
    jsonschema.validate(got, report_schema())
    html = c.get(done["links"]["report_html"], headers=h)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "王总" in html.text and "<script" not in html.text
    shown = c.get("/v1/datasets/gb", headers=h).json()
    assert shown["last_scan"]["id"] == done["id"]
    listed = c.get("/v1/datasets/gb/scans", headers=h).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == done["id"]
    api.error(c.get("/v1/scans/scn_0123456789abcdef", headers=h), 404)
    api.error(c.get("/v1/scans/nonsense", headers=h), 422)
    api.error(c.post("/v1/datasets/gb/scans", json={"max_networks": -1}, headers=h), 422)


def test_a_running_scan_blocks_no_query(
    api: Harness, inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    c = api.client
    h = api.key("acme", "analyst")
    api.dataset(h, "big", inputs["b30"])
    api.dataset(h, "other", inputs["b29"])
    assert c.get("/v1/datasets/big/agents/007", headers=h).status_code == 200
    gate = threading.Event()
    entered = threading.Event()
    real = api_jobs.analyse

    def slow_analyse(*args: Any, **kw: Any) -> Any:
        entered.set()
        assert gate.wait(30)
        return real(*args, **kw)

    monkeypatch.setattr(api_jobs, "analyse", slow_analyse)
    scan = c.post("/v1/datasets/big/scans", headers=h).json()
    assert entered.wait(10)
    try:
        t0 = time.monotonic()
        running = c.get(f"/v1/scans/{scan['id']}", headers=h).json()
        assert (running["state"], running["phase"]) == ("running", "analysing")
        assert 0 < running["progress"] < 1
        api.error(c.get(f"/v1/scans/{scan['id']}/report", headers=h), 409, "scan_not_ready")
        # another dataset: its index is built and queried while the scan waits
        assert c.get("/v1/datasets/other/agents/007", headers=h).json()["level"] == 3
        assert c.get("/v1/datasets/other/networks", headers=h).json()["total"] == 1
        # the scanned dataset itself still answers, and takes recruitments
        assert c.get("/v1/datasets/big/agents/007", headers=h).json()["level"] == 3
        r = c.post(
            "/v1/datasets/big/recruitments", json={"upline_id": "007", "agent_id": "new"}, headers=h
        )
        assert r.status_code == 201
        assert time.monotonic() - t0 < 10
    finally:
        gate.set()
    done = api.wait_scan(h, scan["id"])
    assert done["state"] == "succeeded"
    # the scan read the data before the recruitment: its index is not installed
    assert c.get("/v1/datasets/big/agents/new", headers=h).json()["level"] == 4
    assert c.get("/v1/datasets/big", headers=h).json()["counts"]["agents"] == 31


def test_a_failing_scan_is_recorded(
    api: Harness, inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b29"])

    def broken(*args: Any, **kw: Any) -> Any:
        raise agentgraph.PolicyError("no such policy")

    monkeypatch.setattr(api_jobs, "analyse", broken)
    done = api.scan(h, "d")
    assert done["state"] == "failed"
    assert done["error"] == {"code": "scan_failed", "message": "no such policy", "details": []}
    api.error(api.client.get(f"/v1/scans/{done['id']}/report", headers=h), 409)

    def crash(*args: Any, **kw: Any) -> Any:
        raise RuntimeError("boom /secret/path")

    monkeypatch.setattr(api_jobs, "analyse", crash)
    done = api.scan(h, "d")
    assert done["error"]["code"] == "internal_error" and "secret" not in str(done)


def test_reports_survive_a_restart_and_stale_jobs_fail(
    api: Harness, inputs: dict[str, Path]
) -> None:
    h = api.key("acme", "analyst")
    api.dataset(h, "d", inputs["b30"])
    done = api.scan(h, "d")
    service = api.app.state.service
    service.meta.update_scan(done["id"], state="running")  # as if the process died
    api.restart()
    c2 = api.client
    again = c2.get(f"/v1/scans/{done['id']}", headers=h).json()
    assert again["state"] == "failed" and again["error"]["code"] == "interrupted"
    assert c2.get("/v1/datasets/d/agents/030", headers=h).json()["level"] == 3
