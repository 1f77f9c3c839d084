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


def start_api(
    cwd: Path, env: dict[str, str], *args: str, start_timeout: float = 60
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``python -m agentgraph serve --port P ARGS`` in ``cwd`` with ``env`` (on top
    of this process's environment); return the process and its base URL once
    ``/readyz`` answers 200. The server's log is appended to ``cwd/serve.log``; the
    caller stops the process (:func:`stop_api`, or ``kill`` for a crash test)."""
    port = free_port()
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    with (cwd / "serve.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agentgraph", "serve", "--port", str(port), *args],
            cwd=cwd,
            env=environ,
            stdout=log,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_api(proc)
            raise AssertionError(
                "the API server did not start:\n" + (cwd / "serve.log").read_text(errors="replace")
            )
        time.sleep(0.1)


def stop_api(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM the server and wait for it to end (SIGKILL after ``timeout`` seconds)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@contextlib.contextmanager
def running_api(
    cwd: Path, env: dict[str, str], *args: str, start_timeout: float = 60
) -> Iterator[str]:
    """Run ``python -m agentgraph serve --port P ARGS`` in ``cwd`` with ``env`` (on top
    of this process's environment) until the block ends; yields its base URL once
    ``/readyz`` answers 200. The server's log goes to ``cwd/serve.log``."""
    proc, base = start_api(cwd, env, *args, start_timeout=start_timeout)
    try:
        yield base
    finally:
        stop_api(proc)
