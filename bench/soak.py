"""Soak test of the compliance API on loopback, with kill -9 at random moments.

What it does (bounded in time, 127.0.0.1 only, a fresh store in a temp folder):

1. starts ``python -m agentgraph serve`` on a free loopback port, creates a tenant
   and an analyst key, and uploads a random recursive tree of ``--agents`` agents
   as the dataset ``base``;
2. for ``--seconds`` runs ``--concurrency`` closed-loop clients (the machine's
   capacity: each sends its next request when the last one answered), each
   request drawn from a mix: recruitments (writes: a new agent under a random
   known one), small CSV uploads replacing one of 20 datasets (writes), scans of ``base``,
   agent and network queries and recruitment checks (reads);
3. meanwhile kills the server with SIGKILL ``--kills`` times at random moments and
   starts it again on the same files; requests that meet a dead server are counted
   as ``unavailable``, not as errors;
4. samples the server's resident memory every second;
5. at the end stops the server gracefully, starts it once more and checks that
   every acknowledged write (2xx) is there: each recruited agent answers with its
   upline and has its ``recruitment.apply`` audit row, each pool dataset holds the
   rows of one of its acknowledged uploads and has at least one ``dataset.ingest``
   audit row per acknowledged upload.

It prints, and writes as JSON with ``--json``: requests and answers by kind and
status, errors (5xx and transport failures while the server was up), latency
p50/p99 by kind, resident memory over time (per minute: median and max; the
growth from the first full minute to the last), kills, and lost acknowledged
writes (must be 0).

Run: ``python bench/soak.py`` (10 minutes; ``--seconds 60 --kills 2`` for a quick
look). The clients share the 2-core machine with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "soak-Xq7Lm2Wz9Tk4Rb6Vn3Hc8Pd-admin"
POOL = 20
MIX = {
    "recruit": 30,
    "check": 15,
    "agent": 25,
    "networks": 10,
    "upload": 8,
    "scan": 2,
    "scan_state": 10,
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_csv(n: int, seed: int) -> tuple[bytes, list[str]]:
    """A random recursive tree of ``n`` agents as CSV bytes, and its ids."""
    rng = np.random.default_rng(seed)
    k = np.arange(n)
    parent = np.floor(rng.random(n) * k).astype(np.int64)
    ids = [f"B{i:07d}" for i in range(n)]
    out = io.StringIO()
    out.write("agent_id,upline_id\n")
    for i in range(n):
        out.write(f"{ids[i]},{ids[parent[i]] if i else ''}\n")
    return out.getvalue().encode(), ids


def rss_bytes(pid: int) -> int | None:
    """Resident memory of ``pid`` (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class Server:
    """``agentgraph serve`` in its own process, restartable on the same files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.up = False
        self.starts = 0
        self.start_seconds: list[float] = []

    def start(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AGENTGRAPH_ADMIN_KEY": ADMIN,
            "AGENTGRAPH_STORE": str(self.folder / "soak.duckdb"),
            "AGENTGRAPH_UPLOAD_DIR": str(self.folder / "uploads"),
        }
        (self.folder / "uploads").mkdir(exist_ok=True)
        log = (self.folder / "serve.log").open("ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agentgraph", "serve", "--port", str(self.port)],
            cwd=self.folder,
            env=env,
            stdout=log,
            stderr=log,
        )
        deadline = t0 + 120
        while True:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "the server did not start:\n"
                    + (self.folder / "serve.log").read_text(errors="replace")[-4000:]
                )
            time.sleep(0.05)
        self.start_seconds.append(time.monotonic() - t0)
        self.starts += 1
        self.up = True

    def kill(self) -> None:
        assert self.proc is not None
        self.up = False
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        assert self.proc is not None
        self.up = False
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Ledger:
    """What the clients sent and what the server acknowledged."""

    sent: Counter[str] = field(default_factory=Counter)
    status: Counter[tuple[str, int]] = field(default_factory=Counter)
    unavailable: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    recruited: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    upload_count: Counter[str] = field(default_factory=Counter)
    known: list[str] = field(default_factory=list)
    scans: list[str] = field(default_factory=list)


async def one(
    client: httpx.AsyncClient, server: Server, ledger: Ledger, rng: random.Random, n: int
) -> None:
    """Send one request of the mix and record the outcome."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    ds = f"{server.base}/v1/datasets/base"
    method, url, kwargs = "GET", "", {}
    agent = ""
    if kind == "recruit":
        agent = f"R{n:08d}"
        upline = rng.choice(ledger.known)
        method, url = "POST", f"{ds}/recruitments"
        kwargs = {"json": {"upline_id": upline, "agent_id": agent}}
    elif kind == "check":
        method, url = "POST", f"{ds}/recruitment-check"
        kwargs = {"json": {"upline_id": rng.choice(ledger.known), "agent_id": f"C{n:08d}"}}
    elif kind == "agent":
        url = f"{ds}/agents/{rng.choice(ledger.known)}"
    elif kind == "networks":
        url = f"{ds}/networks?limit=20"
    elif kind == "upload":
        # A fixed pool of datasets, each replaced in turn: a steady state, so memory
        # over time tells whether the service leaks (not how much data it holds).
        name = f"pool{rng.randrange(POOL):02d}"
        rows = rng.randint(5, 200)
        body = "agent_id,upline_id\n" + "".join(
            f"{name}-{i},{f'{name}-{rng.randrange(i)}' if i else ''}\n" for i in range(rows)
        )
        agent = name
        kwargs = {"files": {"file": (f"{name}.csv", body.encode(), "text/csv")}}
        method, url = "POST", f"{server.base}/v1/datasets/{name}/files?mode=replace"
    elif kind == "scan":
        method, url = "POST", f"{ds}/scans"
    elif kind == "scan_state":
        if not ledger.scans:
            return
        url = f"{server.base}/v1/scans/{rng.choice(ledger.scans)}"
    ledger.sent[kind] += 1
    was_up = server.up
    t0 = time.perf_counter()
    try:
        r = await client.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        if was_up and server.up:
            ledger.errors.append(f"{kind}: {type(exc).__name__} while the server was up")
        else:
            ledger.unavailable[kind] += 1
        return
    ledger.latency[kind].append((time.perf_counter() - t0) * 1000)
    ledger.status[(kind, r.status_code)] += 1
    if r.status_code >= 500:
        ledger.errors.append(f"{kind}: HTTP {r.status_code} {r.text[:200]}")
    if not r.is_success:
        return
    if kind == "recruit":
        ledger.recruited[agent] = kwargs["json"]["upline_id"]  # type: ignore[index]
        ledger.known.append(agent)
    elif kind == "upload":
        ledger.uploads[agent].add(int(r.json()["rows_added"]))
        ledger.upload_count[agent] += 1
    elif kind == "scan":
        ledger.scans.append(r.json()["id"])


async def client_loop(
    server: Server, ledger: Ledger, key: str, seed: int, stop_at: float, counter: list[int]
) -> None:
    """One closed-loop client until ``stop_at``."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        while time.monotonic() < stop_at:
            counter[0] += 1
            if not server.up:
                await asyncio.sleep(0.05)
                continue
            await one(client, server, ledger, rng, counter[0])


async def killer(
    server: Server, kills: int, start: float, stop_at: float, seed: int, log: list[float]
) -> None:
    """SIGKILL the server at ``kills`` random moments and start it again."""
    rng = random.Random(seed)
    moments = sorted(rng.uniform(start + 20, stop_at - 20) for _ in range(kills))
    for moment in moments:
        await asyncio.sleep(max(0.0, moment - time.monotonic()))
        server.kill()
        log.append(time.monotonic() - start)
        await asyncio.to_thread(server.start)


async def sampler(
    server: Server, start: float, stop_at: float, out: list[tuple[float, int]]
) -> None:
    """Resident memory of the server every second."""
    while time.monotonic() < stop_at:
        if server.up and server.proc is not None:
            rss = rss_bytes(server.proc.pid)
            if rss is not None:
                out.append((time.monotonic() - start, rss))
        await asyncio.sleep(1.0)


def setup(server: Server, agents: int, seed: int) -> tuple[str, list[str]]:
    """Tenant, analyst key and the ``base`` dataset; returns the key and the ids."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=server.base, timeout=300) as c:
        c.post("/v1/tenants", json={"id": "soak", "name": "Soak"}, headers=admin).raise_for_status()
        r = c.post(
            "/v1/keys", json={"tenant": "soak", "role": "analyst", "name": "soak"}, headers=admin
        )
        r.raise_for_status()
        key = r.json()["key"]
        auth = {"Authorization": f"Bearer {key}"}
        c.post("/v1/datasets", json={"name": "base"}, headers=auth).raise_for_status()
        for i in range(POOL):
            c.post("/v1/datasets", json={"name": f"pool{i:02d}"}, headers=auth).raise_for_status()
        body, ids = tree_csv(agents, seed)
        c.post(
            "/v1/datasets/base/files",
            files={"file": ("base.csv", body, "text/csv")},
            headers=auth,
        ).raise_for_status()
    return key, ids


def audited(server: Server, action: str, dataset: str | None) -> list[dict[str, Any]]:
    """Every audit row of ``action`` (on ``dataset``), paging through the log."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    rows: list[dict[str, Any]] = []
    offset = 0
    with httpx.Client(base_url=server.base, timeout=120, headers=admin) as c:
        while True:
            params: dict[str, Any] = {"action": action, "limit": 1000, "offset": offset}
            if dataset:
                params["dataset"] = dataset
            page = c.get("/v1/audit", params=params).raise_for_status().json()
            rows.extend(page["items"])
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return rows


def verify(server: Server, key: str, ledger: Ledger) -> dict[str, Any]:
    """Every acknowledged write is there after a restart."""
    auth = {"Authorization": f"Bearer {key}"}
    lost: list[str] = []
    with httpx.Client(base_url=server.base, timeout=120, headers=auth) as c:
        for agent, upline in ledger.recruited.items():
            r = c.get(f"/v1/datasets/base/agents/{agent}")
            if r.status_code != 200 or r.json().get("upline") != upline:
                lost.append(f"recruitment {agent}: HTTP {r.status_code}")
        for name, sizes in ledger.uploads.items():
            # Replaced concurrently: the rows now are those of one acknowledged upload.
            r = c.get(f"/v1/datasets/{name}")
            if r.status_code != 200 or r.json().get("rows") not in sizes:
                lost.append(f"upload {name}: HTTP {r.status_code}")
    rec_rows = {
        (row.get("detail") or {}).get("agent_id")
        for row in audited(server, "recruitment.apply", "base")
    }
    no_audit = [a for a in ledger.recruited if a not in rec_rows]
    ingest = Counter(row.get("dataset") for row in audited(server, "dataset.ingest", None))
    no_audit += [
        f"{n}: {k} uploads acknowledged, {ingest[n]} audit rows"
        for n, k in ledger.upload_count.items()
        if ingest[n] < k
    ]
    return {"lost_writes": lost, "writes_without_audit_row": no_audit}


def minutes(samples: list[tuple[float, int]]) -> list[dict[str, float]]:
    """Resident memory per minute: median and max, in MB."""
    per: dict[int, list[int]] = defaultdict(list)
    for t, rss in samples:
        per[int(t // 60)].append(rss)
    return [
        {
            "minute": m,
            "median_mb": statistics.median(v) / 2**20,
            "max_mb": max(v) / 2**20,
        }
        for m, v in sorted(per.items())
    ]


def pct(values: list[float], q: int) -> float:
    """The ``q``-th percentile (inclusive method)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def soak(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    server = Server(folder)
    server.start()
    key, ids = setup(server, args.agents, args.seed)
    ledger = Ledger(known=list(ids))
    start = time.monotonic()
    stop_at = start + args.seconds
    kills: list[float] = []
    samples: list[tuple[float, int]] = []
    counter = [0]
    await asyncio.gather(
        killer(server, args.kills, start, stop_at, args.seed, kills),
        sampler(server, start, stop_at, samples),
        *(
            client_loop(server, ledger, key, args.seed * 1000 + i, stop_at, counter)
            for i in range(args.concurrency)
        ),
    )
    elapsed = time.monotonic() - start
    server.stop()
    log = (folder / "serve.log").read_text(errors="replace")
    server.start()
    checked = verify(server, key, ledger)
    server.stop()
    per_minute = minutes(samples)
    full = [m for m in per_minute if m["minute"] < int(elapsed // 60)]
    answered = sum(ledger.status.values())
    return {
        "seconds": round(elapsed, 1),
        "concurrency": args.concurrency,
        "agents": args.agents,
        "kills_at_s": [round(k, 1) for k in kills],
        "restart_s_median": round(statistics.median(server.start_seconds), 2),
        "answered": answered,
        "answered_per_s": round(answered / elapsed, 1),
        "sent": dict(ledger.sent),
        "status": {f"{k} {s}": n for (k, s), n in sorted(ledger.status.items())},
        "unavailable": dict(ledger.unavailable),
        "errors": len(ledger.errors),
        "error_samples": ledger.errors[:10],
        "tracebacks_in_log": log.count("Traceback"),
        "latency_ms": {
            k: {"n": len(v), "p50": round(pct(v, 50), 2), "p99": round(pct(v, 99), 2)}
            for k, v in sorted(ledger.latency.items())
        },
        "acknowledged": {
            "recruitments": len(ledger.recruited),
            "uploads": sum(ledger.upload_count.values()),
        },
        "lost_writes": len(checked["lost_writes"]),
        "writes_without_audit_row": len(checked["writes_without_audit_row"]),
        "lost_samples": (checked["lost_writes"] + checked["writes_without_audit_row"])[:10],
        "rss_per_minute": per_minute,
        "rss_growth_mb": (
            round(full[-1]["median_mb"] - full[0]["median_mb"], 1) if len(full) > 1 else None
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--agents", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="agentgraph-soak-") as tmp:
        out = asyncio.run(soak(args, Path(tmp)))
    text = json.dumps(out, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    if out["lost_writes"] or out["writes_without_audit_row"] or out["errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
