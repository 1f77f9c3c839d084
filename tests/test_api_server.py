"""A real server: ``agentgraph.api.server.run`` under uvicorn on 127.0.0.1 (a free port),
spoken to over HTTP; plus the refusals at start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ADMIN = "srv-Qm4Zt8Wk2Lp6Xv9Rb3Nc7Hd"
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(store: Path, port: int, admin: str = ADMIN, **env: str) -> subprocess.Popen[str]:
    code = (
        f"from agentgraph.api.server import run; run(port={port}, store={str(store)!r}, "
        "log_level='warning')"
    )
    environ = {**os.environ, "AGENTGRAPH_ADMIN_KEY": admin, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=store.parent,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(proc: subprocess.Popen[str], base: str, timeout: float = 60) -> None:
    """Poll ``base/readyz`` until the server answers 200 (fail if it exits or times out)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    proc = _start(tmp_path / "store.duckdb", port, AGENTGRAPH_MAX_UPLOAD_BYTES="100000")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, base)
        yield base
    finally:
        proc.terminate()
        proc.wait(20)


def test_over_http(server: str, tmp_path: Path) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=server, timeout=30) as c:
        assert c.get("/healthz").json() == {"status": "ok", "checks": {}}
        assert c.post("/v1/tenants", json={"id": "acme"}, headers=admin).status_code == 201
        key = c.post("/v1/keys", json={"tenant": "acme", "role": "analyst"}, headers=admin).json()[
            "key"
        ]
        h = {"Authorization": f"Bearer {key}"}
        assert c.post("/v1/datasets", json={"name": "ladder"}, headers=h).status_code == 201
        rows = (
            "agent_id,upline_id\n001,\n"
            + "".join(f"{k:03d},001\n" for k in range(2, 7))
            + "".join(f"{k:03d},{2 + (k - 7) % 5:03d}\n" for k in range(7, 30))
        )
        path = tmp_path / "members.csv"
        path.write_text(rows, encoding="utf-8")
        with path.open("rb") as fh:  # multipart, streamed by the client
            r = c.post("/v1/datasets/ladder/files", files={"file": ("members.csv", fh)}, headers=h)
        assert r.status_code == 200 and r.json()["rows_added"] == 29
        check = c.post(
            "/v1/datasets/ladder/recruitment-check",
            json={"upline_id": "002", "agent_id": "030"},
            headers=h,
        ).json()
        assert [f["rule"] for f in check["newly_fired"]] == ["cn.threshold"]
        assert (
            c.post(
                "/v1/datasets/ladder/recruitments",
                json={"upline_id": "002", "agent_id": "030"},
                headers=h,
            ).status_code
            == 201
        )
        scan = c.post("/v1/datasets/ladder/scans", headers=h).json()
        for _ in range(300):
            state = c.get(scan["links"]["self"], headers=h).json()
            if state["state"] in ("succeeded", "failed"):
                break
            time.sleep(0.05)
        assert state["state"] == "succeeded" and state["summary"]["flagged"] == 1
        assert c.get(scan["links"]["report_html"], headers=h).text.startswith("<!DOCTYPE html>")
        agent = c.get("/v1/datasets/ladder/agents/030", headers=h).json()
        assert agent["level"] == 3 and agent["network_rules"] == ["cn.threshold"]
        big = b"agent_id,upline_id\n" + b"x,\n" * 100_000
        r = c.post("/v1/datasets/ladder/files?filename=a.csv", content=big, headers=h)
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
        assert c.get("/docs").status_code == 200
        assert len(c.get("/openapi.json").json()["paths"]) >= 20


def test_refuses_to_start_with_a_placeholder_key(tmp_path: Path) -> None:
    proc = _start(tmp_path / "s.duckdb", _free_port(), admin="changeme")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "refusing to start" in err
    assert "changeme" not in err.split("refusing to start")[1]  # the secret is not echoed


def test_a_second_process_cannot_own_the_store(server: str, tmp_path: Path) -> None:
    proc = _start(tmp_path / "store.duckdb", _free_port())
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "cannot open store" in err


def _raw(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        got = b""
        while b"\r\n\r\n" not in got:
            part = s.recv(65536)
            if not part:
                break
            got += part
    return got


@pytest.mark.parametrize("where", ["header", "request line"])
def test_oversized_headers_are_refused_and_the_server_goes_on(server: str, where: str) -> None:
    """A request line or headers of 1 MB: 400, nothing buffered further, then the next works."""
    big = "x" * 1_000_000
    path = f"/readyz?{big}" if where == "request line" else "/readyz"
    extra = f"X-Filler: {big}\r\n" if where == "header" else ""
    head = f"GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()
    answer = _raw(server, head)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
    assert httpx.get(f"{server}/readyz", timeout=5).status_code == 200
    # under the bound, and a keep-alive connection's second request, are served
    fine = httpx.get(f"{server}/readyz", headers={"X-Filler": "y" * 12_000}, timeout=5)
    assert fine.status_code == 200
    with httpx.Client(base_url=server, timeout=5) as c:
        for _ in range(3):
            assert c.get("/readyz", headers={"X-Filler": "z" * 10_000}).status_code == 200


def test_the_server_uses_the_bounded_parser() -> None:
    from agentgraph.api.httpparse import HAVE_HTTPTOOLS, BoundedHttpTools, http_protocol

    assert HAVE_HTTPTOOLS  # httptools is in the api extra
    assert http_protocol() is BoundedHttpTools
