"""Load generator for the compliance API on loopback: agent queries and recruitment
checks against a served dataset of 10M agents (issue 14 target: p99 <= 5 ms at
1,000 requests/s for both).

What it does (bounded in count and time, 127.0.0.1 only):

1. generates a random recursive tree with numpy (agent k's upline is uniform among
   agents 0..k-1; ids are strings ``A0000000``.., rows shuffled) and writes it as
   Parquet;
2. starts ``agentgraph.api.server.run`` in a subprocess on a free loopback port with a fresh
   store, creates a tenant and an analyst key, uploads the file and builds the
   live index (timed);
3. for each workload runs an *open-loop* schedule at ``--rate`` requests/s for
   ``--seconds`` (latency counted from each request's scheduled time, so a slow
   server cannot hide queueing), then a *closed-loop* burst with ``--concurrency``
   in flight for the peak rate;
4. repeats the open-loop runs ``--rounds`` times, the workloads interleaved;
5. prints throughput and p50/p90/p99/max latencies of every run, then per workload
   the median p99 of its open-loop rounds with PASS/FAIL against the target, and
   exits 1 when one fails.

Run: ``python bench/bench_api.py`` (10M agents: about 4 minutes, most of it the
upload and the index build; ``--agents 1000000 --rate 500 --target-ms 20`` is the
earlier target). The client shares the machine with the server: on 2 cores the
figures are a lower bound for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "bench-Xq7Lm2Wz9Tk4Rb6Vn3Hc8Pd"
TARGET_P99_MS = 5.0
TARGET_RATE = 1000.0


def make_tree(n: int, seed: int = 7) -> pa.Table:
    """A random recursive tree of ``n`` agents as a member table (string ids)."""
    rng = np.random.default_rng(seed)
    k = np.arange(n, dtype=np.int64)
    parent = np.floor(rng.random(n) * k).astype(np.int64)
    parent[0] = -1
    ids = np.char.add("A", np.char.zfill(k.astype(str), 7))
    up = ids[np.maximum(parent, 0)].astype(object)
    up[parent < 0] = None
    order = rng.permutation(n)
    return pa.table(
        {
            "agent_id": pa.array(ids[order], pa.string()),
            "upline_id": pa.array(up[order], pa.string()),
        }
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Result:
    name: str
    mode: str
    sent: int
    ok: int
    seconds: float
    latencies_ms: list[float]

    def row(self) -> str:
        lat = sorted(self.latencies_ms) or [float("nan")]
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        rate = self.ok / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<19} {self.mode:<12} {self.sent:>7} {self.ok:>7} "
            f"{rate:>9.0f} {q[49]:>8.2f} {q[89]:>8.2f} {q[98]:>8.2f} {lat[-1]:>8.2f}"
        )

    def p99(self) -> float:
        lat = sorted(self.latencies_ms)
        return (
            statistics.quantiles(lat, n=100, method="inclusive")[98]
            if len(lat) > 1
            else float("nan")
        )


class RawClient:
    """A minimal keep-alive HTTP/1.1 client over asyncio streams (a pool of
    connections). httpx's async client costs more CPU per request than the server
    does, which on 2 cores would measure the client, not the API."""

    def __init__(self, port: int, headers: dict[str, str], connections: int) -> None:
        self.port = port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.connections = connections
        self.pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )

    async def open(self) -> None:
        for _ in range(self.connections):
            self.pool.put_nowait(await asyncio.open_connection("127.0.0.1", self.port))

    async def close(self) -> None:
        while not self.pool.empty():
            _, w = self.pool.get_nowait()
            w.close()

    async def send(self, req: bytes) -> int:
        r, w = await self.pool.get()
        try:
            w.write(req)
            await w.drain()
            head = await r.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await r.readexactly(length)
        finally:
            self.pool.put_nowait((r, w))
        return status

    def get(self, path: str) -> bytes:
        return f"GET {path} HTTP/1.1\r\nHost: bench\r\n{self.head}\r\n".encode()

    def post(self, path: str, body: dict[str, object]) -> bytes:
        data = json.dumps(body).encode()
        return (
            f"POST {path} HTTP/1.1\r\nHost: bench\r\n{self.head}Content-Type: "
            f"application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode() + data


async def open_loop(
    name: str,
    client: RawClient,
    make: Callable[[int], bytes],
    rate: float,
    seconds: float,
    limit: int,
) -> Result:
    """Send at a fixed rate; latency from each request's scheduled start. Requests are
    started by one dispatcher as they fall due (not all scheduled up front)."""
    total = min(limit, int(rate * seconds))
    lat: list[float] = []
    ok = 0

    async def one(k: int, due: float) -> None:
        nonlocal ok
        status = await client.send(make(k))
        lat.append((time.perf_counter() - due) * 1000)
        ok += status < 400

    tasks = []
    start = time.perf_counter()
    for k in range(total):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(k, due)))
    await asyncio.gather(*tasks)
    return Result(name, f"open {rate:g}/s", total, ok, time.perf_counter() - start, lat)


async def closed_loop(
    name: str,
    client: RawClient,
    make: Callable[[int], bytes],
    concurrency: int,
    seconds: float,
    limit: int,
) -> Result:
    """``concurrency`` requests in flight until the time or count runs out."""
    lat: list[float] = []
    ok = 0
    sent = 0
    start = time.perf_counter()
    stop = start + seconds

    async def worker() -> None:
        nonlocal ok, sent
        while time.perf_counter() < stop and sent < limit:
            k = sent
            sent += 1
            t = time.perf_counter()
            status = await client.send(make(k))
            lat.append((time.perf_counter() - t) * 1000)
            ok += status < 400

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, f"closed x{concurrency}", sent, ok, time.perf_counter() - start, lat)


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    code = (
        f"from agentgraph.api.server import run; run(host='127.0.0.1', port={port}, "
        f"store={str(folder / 'store.duckdb')!r}, log_level='warning')"
    )
    env = {
        **os.environ,
        "AGENTGRAPH_ADMIN_KEY": ADMIN,
        "PYTHONPATH": str(ROOT),
        "AGENTGRAPH_MAX_UPLOAD_BYTES": str(4 << 30),
        "AGENTGRAPH_UPLOAD_DIR": str(folder),
    }
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=folder)


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not become ready")


async def run_load(
    port: int, headers: dict[str, str], picks: list[str], args: argparse.Namespace
) -> list[Result]:
    client = RawClient(port, headers, max(args.concurrency, 64))
    await client.open()
    results: list[Result] = []

    def agent(k: int) -> bytes:
        return client.get(f"/v1/datasets/big/agents/{picks[k % len(picks)]}?recruits_limit=10")

    def check(k: int) -> bytes:
        return client.post(
            "/v1/datasets/big/recruitment-check",
            {"upline_id": picks[(k * 7919) % len(picks)], "agent_id": f"NEW{k:09d}"},
        )

    def apply(k: int) -> bytes:
        return client.post(
            "/v1/datasets/big/recruitments",
            {"upline_id": picks[(k * 104729) % len(picks)], "agent_id": f"REC{k:09d}"},
        )

    try:
        for k in range(300):  # warm the connections and code paths
            assert await client.send(agent(k)) == 200
            assert await client.send(check(k)) == 200
        for r in range(args.rounds):  # interleaved, so a noisy moment hits both
            for name, make in (("agent query", agent), ("recruitment check", check)):
                shift = r * 1_000_003  # each round its own agents and new ids

                def shifted(k: int, make: Callable[[int], bytes] = make, s: int = shift) -> bytes:
                    return make(k + s)

                results.append(
                    await open_loop(
                        name, client, shifted, args.rate, args.seconds, args.max_requests
                    )
                )
        for name, make in (("agent query", agent), ("recruitment check", check)):
            results.append(
                await closed_loop(
                    name, client, make, args.concurrency, args.seconds, args.max_requests
                )
            )
        results.append(
            await open_loop(
                "recruitment apply", client, apply, args.apply_rate, args.seconds, args.max_requests
            )
        )
        results.append(
            await closed_loop(
                "recruitment apply",
                client,
                lambda k: apply(k + 1_000_000),
                4,
                args.seconds,
                args.max_requests,
            )
        )
    finally:
        await client.close()
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--agents", type=int, default=10_000_000)
    p.add_argument("--rate", type=float, default=TARGET_RATE, help="open-loop requests/s")
    p.add_argument(
        "--apply-rate",
        type=float,
        default=50.0,
        help="open-loop rate of applied recruitments (writes)",
    )
    p.add_argument("--seconds", type=float, default=10.0, help="per workload and mode")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--max-requests", type=int, default=20_000, help="per workload and mode")
    p.add_argument("--rounds", type=int, default=3, help="open-loop runs per workload")
    p.add_argument("--target-ms", type=float, default=TARGET_P99_MS, help="p99 target")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="agentgraph-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        table = make_tree(args.agents)
        path = folder / "agents.parquet"
        pq.write_table(table, path)
        print(
            f"generated {args.agents:,} agents -> {path.stat().st_size / 1e6:.1f} MB "
            f"Parquet in {time.perf_counter() - t:.1f} s"
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(folder, port)
        try:
            wait_ready(base, proc)
            admin = {"Authorization": f"Bearer {ADMIN}"}
            with httpx.Client(base_url=base, timeout=600) as c:
                c.post("/v1/tenants", json={"id": "bench"}, headers=admin).raise_for_status()
                key = c.post(
                    "/v1/keys", json={"tenant": "bench", "role": "analyst"}, headers=admin
                ).json()["key"]
                h = {"Authorization": f"Bearer {key}"}
                c.post("/v1/datasets", json={"name": "big"}, headers=h).raise_for_status()
                t = time.perf_counter()
                with path.open("rb") as fh:
                    r = c.post("/v1/datasets/big/files", files={"file": (path.name, fh)}, headers=h)
                r.raise_for_status()
                print(f"upload + parse + store: {time.perf_counter() - t:.1f} s")
                t = time.perf_counter()
                shown = c.get("/v1/datasets/big", headers=h).json()
                print(
                    f"live index build (read + analyse + index): {time.perf_counter() - t:.1f} s;"
                    f" counts {shown['counts']}"
                )
            # 200,000 random agents, quoted; no list of every id in this process (a
            # full collection over 10M strings stalled the client ~100 ms at a time)
            rows = np.random.default_rng(11).integers(0, table.num_rows, 200_000)
            picks = [quote(v, safe="") for v in table.column("agent_id").take(rows).to_pylist()]
            del table
            gc.collect()
            gc.freeze()  # the client's own long-lived objects: out of its collections
            results = asyncio.run(run_load(port, h, picks, args))
        finally:
            proc.terminate()
            proc.wait(30)
    print()
    print(
        f"{'workload':<19} {'mode':<12} {'sent':>7} {'ok':>7} {'req/s':>9} "
        f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    for res in results:
        print(res.row())
    print()
    failed = False
    for name in ("agent query", "recruitment check"):
        runs = [r for r in results if r.name == name and r.mode.startswith("open")]
        p99 = statistics.median(r.p99() for r in runs)
        rate = statistics.median(r.ok / r.seconds for r in runs)
        ok = p99 <= args.target_ms and rate >= 0.95 * args.rate
        failed |= not ok
        print(
            f"{'PASS' if ok else 'FAIL'} {name}: median p99 {p99:.2f} ms of {len(runs)} rounds "
            f"at {rate:.0f} req/s (target <= {args.target_ms:g} ms at {args.rate:g}/s; "
            f"rounds {', '.join(f'{r.p99():.2f}' for r in runs)} ms)"
        )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
