"""The bounded httptools parser, in this process: uvicorn serving a small ASGI app on a
real loopback socket with ``http=BoundedHttpTools``, spoken to with raw HTTP/1.1."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

from agentgraph.api.httpparse import MAX_HEAD_BYTES, BoundedHttpTools  # noqa: E402


async def _echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 with the number of body bytes it read."""
    if scope["type"] != "http":
        return
    size = 0
    while True:
        msg = await receive()
        size += len(msg.get("body", b""))
        if not msg.get("more_body"):
            break
    body = str(size).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = int(s.getsockname()[1])
    config = uvicorn.Config(
        _echo,
        host="127.0.0.1",
        port=free,
        http=BoundedHttpTools,
        loop="asyncio",
        log_level="error",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield free
    finally:
        server.should_exit = True
        thread.join(20)


def _complete(buf: bytes) -> int:
    """How many whole responses ``buf`` holds (each with its Content-Length body)."""
    done = 0
    while b"\r\n\r\n" in buf:
        head, rest = buf.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if len(rest) < length:
            break
        buf = rest[length:]
        done += 1
    return done


def _exchange(port: int, chunks: list[bytes], answers: int = 1) -> bytes:
    """Send the chunks on one connection; what came back once ``answers`` are whole."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        for chunk in chunks:
            try:
                s.sendall(chunk)
            except OSError:  # the server closed the connection: read what it said
                break
        got = b""
        while _complete(got) < answers:
            try:
                part = s.recv(65536)
            except OSError:
                break
            if not part:
                break
            got += part
    return got


def test_a_head_past_the_bound_in_small_pieces_gets_400(port: int) -> None:
    head = b"GET / HTTP/1.1\r\nHost: t\r\nX-Filler: " + b"x" * (MAX_HEAD_BYTES + 10)
    pieces = [head[k : k + 1000] for k in range(0, len(head), 1000)]
    answer = _exchange(port, pieces)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:60]
    assert b"too long" in answer


def test_a_large_body_after_a_small_head_is_not_counted(port: int) -> None:
    body = b"b" * (4 * MAX_HEAD_BYTES)
    request = (
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    answer = _exchange(port, [request + body])  # head and body in one write
    assert answer.startswith(b"HTTP/1.1 200"), answer[:60]
    assert answer.endswith(str(len(body)).encode())


def test_keep_alive_requests_each_get_a_fresh_count(port: int) -> None:
    one = b"GET / HTTP/1.1\r\nHost: t\r\nX-Filler: " + b"y" * (MAX_HEAD_BYTES // 2) + b"\r\n\r\n"
    answer = _exchange(port, [one, one, one], answers=3)
    assert answer.count(b"HTTP/1.1 200") == 3, answer[:200]
