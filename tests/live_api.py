"""A real API server for tests that talk HTTP to it as a user would: the
``agentgraph serve`` command in its own process, on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_api(
    cwd: Path, env: dict[str, str], *args: str, start_timeout: float = 60
) -> Iterator[str]:
    """Run ``python -m agentgraph serve --port P ARGS`` in ``cwd`` with ``env`` (on top
    of this process's environment) until the block ends; yields its base URL once
    ``/readyz`` answers 200. The server's log goes to ``cwd/serve.log``."""
    port = free_port()
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    log = (cwd / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentgraph", "serve", "--port", str(port), *args],
        cwd=cwd,
        env=environ,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError(
                    "the API server did not start:\n"
                    + (cwd / "serve.log").read_text(errors="replace")
                )
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
