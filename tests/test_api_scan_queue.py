"""Issue 12, finding 7: the scan queue is bounded (429 with Retry-After past it),
waiting scans show ``queued`` until a worker takes them, and a stopping service
finishes or records its scans before closing the metadata store."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
from agentgraph.api.testing import ADMIN_KEY, Harness

from .live_api import start_api, stop_api

pytest_plugins = ("agentgraph.api.testing",)


def big_tree(path: Path, n: int = 300_000) -> Path:
    """A 5-ary recruitment tree of ``n`` agents (a scan of it takes a few tenths of a s)."""
    ids = [f"A{i}" for i in range(n)]
    up = [None] + [f"A{(i - 1) // 5}" for i in range(1, n)]
    pq.write_table(pa.table({"agent_id": ids, "upline_id": up}), path)
    return path


def test_scans_past_the_queue_answer_429_and_waiting_ones_show_queued(
    api_factory: Callable[..., Harness], tmp_path: Path
) -> None:
    api = api_factory(
        scan_workers=1,
        max_queued_scans=1,
        max_queued_scans_per_tenant=3,
        max_upload_bytes=64 << 20,
    )
    key = api.key("acme", "analyst")
    api.dataset(key, "big", big_tree(tmp_path / "big.parquet"))
    first = api.client.post("/v1/datasets/big/scans", headers=key)
    second = api.client.post("/v1/datasets/big/scans", headers=key)
    third = api.client.post("/v1/datasets/big/scans", headers=key)
    assert first.status_code == 202 and second.status_code == 202, (first.text, second.text)
    err = api.error(third, 429, "too_many_scans")
    assert "AGENTGRAPH_MAX_QUEUED_SCANS" in err["message"]
    assert int(third.headers["Retry-After"]) >= 1
    waiting = api.client.get(f"/v1/scans/{second.json()['id']}", headers=key).json()
    assert waiting["state"] == "queued" and waiting["started_at"] is None, waiting
    assert api.wait_scan(key, first.json()["id"])["state"] == "succeeded"
    assert api.wait_scan(key, second.json()["id"])["state"] == "succeeded"
    again = api.client.post("/v1/datasets/big/scans", headers=key)
    assert again.status_code == 202, again.text
    api.wait_scan(key, again.json()["id"])


def test_one_tenant_cannot_fill_the_queue(
    api_factory: Callable[..., Harness], tmp_path: Path
) -> None:
    api = api_factory(
        scan_workers=1,
        max_queued_scans=8,
        max_queued_scans_per_tenant=2,
        max_upload_bytes=64 << 20,
    )
    acme, other = api.key("acme", "analyst"), api.key("other", "analyst")
    tree = big_tree(tmp_path / "big.parquet")
    api.dataset(acme, "big", tree)
    api.dataset(other, "big", tree)
    ids = [api.client.post("/v1/datasets/big/scans", headers=acme) for _ in range(2)]
    assert [r.status_code for r in ids] == [202, 202]
    err = api.error(api.client.post("/v1/datasets/big/scans", headers=acme), 429)
    assert "AGENTGRAPH_MAX_QUEUED_SCANS_PER_TENANT" in err["message"]
    theirs = api.client.post("/v1/datasets/big/scans", headers=other)
    assert theirs.status_code == 202, theirs.text
    for r, key in ((ids[0], acme), (ids[1], acme), (theirs, other)):
        assert api.wait_scan(key, r.json()["id"])["state"] == "succeeded"


def test_sigterm_during_scans_records_them_before_closing(tmp_path: Path) -> None:
    env = {
        "AGENTGRAPH_ADMIN_KEY": ADMIN_KEY,
        "AGENTGRAPH_SHUTDOWN_GRACE": "0",
        "AGENTGRAPH_SCAN_WORKERS": "1",
    }
    args = ("--store", str(tmp_path / "s.duckdb"))
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    tree = big_tree(tmp_path / "big.parquet", 600_000)
    proc, base = start_api(tmp_path, env, *args)
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            c.post("/v1/tenants", json={"id": "acme"}, headers=admin)
            r = c.post("/v1/keys", json={"tenant": "acme", "role": "analyst"}, headers=admin)
            key = {"Authorization": f"Bearer {r.json()['key']}"}
            c.post("/v1/datasets", json={"name": "big", "kind": "members"}, headers=key)
            with tree.open("rb") as fh:
                r = c.post(
                    "/v1/datasets/big/files", files={"file": ("big.parquet", fh)}, headers=key
                )
            assert r.status_code == 200, r.text
            scans = [c.post("/v1/datasets/big/scans", headers=key).json()["id"] for _ in range(3)]
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        stop_api(proc)
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Connection already closed" not in log and "cannot record scan" not in log, log
    proc, base = start_api(tmp_path, env, *args)
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            states = [c.get(f"/v1/scans/{s}", headers=key).json() for s in scans]
    finally:
        stop_api(proc)
    assert "unfinished scan(s) from a previous run" not in (tmp_path / "serve.log").read_text()
    for s in states:
        assert s["state"] in ("succeeded", "failed"), s
        if s["state"] == "failed":
            assert s["error"]["code"] == "interrupted", s
    assert any(s["state"] == "failed" for s in states), states
