"""Issue 12, finding 6: every acknowledged write has its audit row, even after kill -9.

A real ``agentgraph serve`` process takes recruitments from several threads; it is
killed (SIGKILL) right after some of them were answered, while others are in flight,
then restarted on the same files: every recruitment answered 2xx must have its audit
row and its edge in the dataset. With 32 clients the recruitments are group-committed
(many per store transaction and per audit commit), and the kill lands mid-batch.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import httpx
import pytest

from .live_api import start_api, stop_api

ADMIN = "Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def _setup(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as c:
        assert c.post("/v1/tenants", json={"id": "acme"}, headers=AUTH).status_code == 201
        r = c.post("/v1/keys", json={"tenant": "acme", "role": "analyst"}, headers=AUTH)
        key = {"Authorization": f"Bearer {r.json()['key']}"}
        assert c.post("/v1/datasets", json={"name": "net", "kind": "edges"}, headers=key).is_success
        r = c.post(
            "/v1/datasets/net/edges",
            json={"edges": [{"upline_id": "R", "downline_id": "A0"}]},
            headers=key,
        )
        assert r.status_code == 200, r.text
    return key


@pytest.mark.parametrize("workers", [4, 32])
def test_acknowledged_recruitments_survive_kill_9(tmp_path: Path, workers: int) -> None:
    env = {"AGENTGRAPH_ADMIN_KEY": ADMIN}
    args = ("--store", str(tmp_path / "s.duckdb"))
    acked: list[str] = []
    lock = threading.Lock()
    proc, base = start_api(tmp_path, env, *args)
    try:
        key = _setup(base)
        stop = threading.Event()

        def send(worker: int) -> None:
            with httpx.Client(base_url=base, timeout=10) as c:
                for k in range(400):
                    if stop.is_set():
                        return
                    agent = f"W{worker}-{k}"
                    try:
                        r = c.post(
                            "/v1/datasets/net/recruitments",
                            json={"upline_id": "R", "agent_id": agent},
                            headers=key,
                        )
                    except httpx.TransportError:
                        return
                    if r.is_success:
                        with lock:
                            acked.append(agent)
                            if len(acked) >= 15 * workers:
                                os.kill(proc.pid, signal.SIGKILL)  # mid-flight for the others
                                stop.set()
                                return

        threads = [threading.Thread(target=send, args=(w,)) for w in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(25)
        proc.wait(10)
    finally:
        stop_api(proc)
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 15 * workers

    proc, base = start_api(tmp_path, env, *args)
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            audited: set[str] = set()
            offset = 0
            while True:
                r = c.get(
                    "/v1/audit",
                    params={"action": "recruitment.apply", "limit": 1000, "offset": offset},
                    headers=AUTH,
                )
                assert r.status_code == 200, r.text
                items = r.json()["items"]
                audited |= {i["detail"]["agent_id"] for i in items}
                offset += len(items)
                if not items:
                    break
            missing_audit = [a for a in acked if a not in audited]
            missing_edge = [
                a
                for a in acked
                if c.get(f"/v1/datasets/net/agents/{a}", headers=key).status_code != 200
            ]
    finally:
        stop_api(proc)
    assert missing_audit == [], f"{len(missing_audit)} of {len(acked)} lack their audit row"
    assert missing_edge == [], f"{len(missing_edge)} of {len(acked)} lack their edge"
