"""Sustained durable recruitments per second through the compliance API (issue 14 target:
>= 1,000/s on a 10M-agent dataset, each on disk and audited before it is answered).

What it does (127.0.0.1 only, bounded in time):

1. generates a random recursive tree of ``--agents`` agents (as ``bench_api.py``) and
   writes it as Parquet;
2. starts one server per configuration, each on its own fresh store files, uploads
   the tree to each and builds its live index:

   - ``group``: this tree, group commit on (``AGENTGRAPH_GROUP_COMMIT_MAX``, default 512);
   - ``off``: this tree with ``AGENTGRAPH_GROUP_COMMIT_MAX=1`` (one store commit and
     one audit commit per recruitment);
   - ``base``: with ``--baseline-rev REV``, that revision's code (``git archive``), the
     behaviour before group commit;

3. runs ``--rounds`` rounds, the configurations interleaved, each a closed loop of
   ``--concurrency`` clients sending ``POST /v1/datasets/big/recruitments`` (a random
   existing upline, a new agent id) for ``--seconds``; the rate counts 201 answers
   only (each answered after its row and its audit row were committed);
4. checks durability: the dataset's rows and the audit log's ``recruitment.apply``
   rows must count every acknowledged recruitment (after a restart of the server on
   the same files when ``--restart-check``);
5. stops the servers gracefully and prints, from the server's own counters, where
   the time of one batch goes (medians per batch: the read of the dataset's row and
   the quota, the check, the store commit, the index update; and the audit commit).

Prints PASS/FAIL against 1,000/s for ``group`` (median of its rounds) and exits 1 on
FAIL. The load generator shares the machine with the servers: on 2 cores the rates
are a lower bound for a server alone.

    python bench/bench_recruit.py                       # 1M agents, group vs off
    python bench/bench_recruit.py --agents 10000000 --baseline-rev main
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pyarrow.parquet as pq
from bench_api import ADMIN, RawClient, free_port, make_tree, wait_ready

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1000.0


@dataclass
class Server:
    name: str
    folder: Path
    tree: Path
    env: dict[str, str]
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    acked: int = 0
    rows0: int = 0
    prelude: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        stats = self.folder / "stats.json"
        code = (
            "import json, signal\n"
            "from agentgraph.api import server\n"
            "signal.signal(signal.SIGTERM, lambda *_: None)  # uvicorn raises it again after\n"
            f"{self.prelude}\n"
            "from agentgraph.api.app import create_app\n"
            "from agentgraph.api.settings import load_settings\n"
            f"app = create_app(load_settings(store={str(self.folder / 'store.duckdb')!r}))\n"
            "serve = getattr(server, 'serve', None)  # older trees: uvicorn as run() did\n"
            "if serve is None:\n"
            "    import uvicorn\n"
            f"    uvicorn.run(app, host='127.0.0.1', port={self.port}, log_level='warning')\n"
            "else:\n"
            f"    serve(app, '127.0.0.1', {self.port}, 'warning')\n"
            "s = app.state.service\n"
            "c = getattr(s.registry, 'commits', None)\n"
            "w = getattr(s, 'audit_writer', None)\n"
            f"open({str(stats)!r}, 'w').write(json.dumps({{\n"
            "    'commits': c.as_dict() if c else None,\n"
            "    'audit': w.stats.as_dict() if w else None}))\n"
        )
        env = {
            **os.environ,
            "AGENTGRAPH_ADMIN_KEY": ADMIN,
            "PYTHONPATH": str(self.tree),
            "AGENTGRAPH_MAX_UPLOAD_BYTES": str(4 << 30),
            "AGENTGRAPH_UPLOAD_DIR": str(self.folder),
            **self.env,
        }
        log = (self.folder / "serve.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], env=env, cwd=self.folder, stdout=log, stderr=log
        )
        wait_ready(self.base, self.proc, timeout=300)

    def stop(self) -> dict[str, object]:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)  # graceful: the service writes its counters
        self.proc.wait(120)
        path = self.folder / "stats.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def setup(self, parquet: Path) -> None:
        admin = {"Authorization": f"Bearer {ADMIN}"}
        with httpx.Client(base_url=self.base, timeout=1800) as c:
            c.post("/v1/tenants", json={"id": "bench"}, headers=admin).raise_for_status()
            key = c.post(
                "/v1/keys", json={"tenant": "bench", "role": "analyst"}, headers=admin
            ).json()["key"]
            self.headers = {"Authorization": f"Bearer {key}"}
            c.post("/v1/datasets", json={"name": "big"}, headers=self.headers).raise_for_status()
            t = time.perf_counter()
            with parquet.open("rb") as fh:
                r = c.post(
                    "/v1/datasets/big/files",
                    files={"file": (parquet.name, fh)},
                    headers=self.headers,
                )
            r.raise_for_status()
            up = time.perf_counter() - t
            t = time.perf_counter()
            shown = c.get("/v1/datasets/big", headers=self.headers).json()
            self.rows0 = int(shown["rows"])
            print(
                f"[{self.name}] upload + store {up:.1f} s, live index {time.perf_counter() - t:.1f}"
                f" s, {shown['counts']['agents']:,} agents"
            )

    def counts(self) -> tuple[int, int]:
        """(rows of the dataset, recruitment.apply audit rows)."""
        admin = {"Authorization": f"Bearer {ADMIN}"}
        with httpx.Client(base_url=self.base, timeout=600) as c:
            rows = int(c.get("/v1/datasets/big", headers=self.headers).json()["rows"])
            r = c.get(
                "/v1/audit", params={"action": "recruitment.apply", "limit": 1}, headers=admin
            )
            r.raise_for_status()
            return rows, int(r.json()["total"])


@dataclass
class Round:
    server: str
    ok: int
    sent: int
    seconds: float
    latencies_ms: list[float]
    done_at: list[float]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def windows(self, width: float = 5.0) -> list[float]:
        """Rates of consecutive ``width``-second windows (is it sustained?)."""
        n = int(self.seconds // width)
        counts = [0] * n
        for t in self.done_at:
            k = int(t // width)
            if k < n:
                counts[k] += 1
        return [c / width for c in counts]


async def closed_loop(
    server: Server, uplines: list[str], tag: str, concurrency: int, seconds: float
) -> Round:
    client = RawClient(server.port, server.headers, concurrency)
    await client.open()
    rng = random.Random(hash(tag) & 0xFFFF)
    lat: list[float] = []
    done_at: list[float] = []
    ok = sent = 0
    start = time.perf_counter()
    stop = start + seconds

    async def worker() -> None:
        nonlocal ok, sent
        while time.perf_counter() < stop:
            k = sent
            sent += 1
            req = client.post(
                "/v1/datasets/big/recruitments",
                {"upline_id": rng.choice(uplines), "agent_id": f"{tag}{k:09d}"},
            )
            t = time.perf_counter()
            status = await client.send(req)
            now = time.perf_counter()
            if status == 201:
                ok += 1
                lat.append((now - t) * 1000)
                done_at.append(now - start)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await client.close()
    return Round(server.name, ok, sent, time.perf_counter() - start, lat, done_at)


def q(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


def profile(name: str, stats: dict[str, object]) -> None:
    commits = stats.get("commits")
    audit = stats.get("audit")
    if not isinstance(commits, dict) or not commits.get("batches"):
        print(f"[{name}] no group-commit counters (code before group commit)")
        return
    recent = commits["recent"]
    sizes = [n for n, _ in recent]
    print(
        f"[{name}] {commits['batches']:,} store batches, {commits['items']:,} recruitments, "
        f"batch size median {statistics.median(sizes):.0f}, p90 {q(sizes, 0.9):.0f}, "
        f"largest {commits['largest']}"
    )
    print(f"[{name}] one batch, medians of the last {len(recent):,} (ms; per recruitment µs):")
    per = []
    for phase in ("read", "check", "store", "index"):
        ms = [p.get(phase, 0.0) * 1000 for _, p in recent]
        each = [p.get(phase, 0.0) * 1e6 / n for n, p in recent if n]
        per.append((phase, statistics.median(ms), statistics.median(each)))
    if isinstance(audit, dict) and audit.get("batches"):
        arecent = audit["recent"]
        ms = [p.get("commit", 0.0) * 1000 for _, p in arecent]
        each = [p.get("commit", 0.0) * 1e6 / n for n, p in arecent if n]
        per.append(("audit commit", statistics.median(ms), statistics.median(each)))
        asizes = [n for n, _ in arecent]
        extra = f"; audit commits {audit['batches']:,}, rows per commit median " + (
            f"{statistics.median(asizes):.0f}"
        )
    else:
        extra = ""
    for phase, ms, us in per:
        print(f"    {phase:<13} {ms:8.2f} ms   {us:8.1f} µs")
    print(f"    (read = the dataset's row and the tenant's quota; audit in its own thread{extra})")


def baseline_tree(rev: str, into: Path) -> Path:
    """``git archive REV`` of this checkout, laid out as one import namespace."""
    into.mkdir(parents=True)
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=data, check=True)
    for sub in ("api", "loaders"):
        (into / "agentgraph" / sub).symlink_to(into / sub)
    return into


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--agents", type=int, default=1_000_000)
    p.add_argument("--seconds", type=float, default=20.0, help="per round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--no-off", action="store_true", help="skip AGENTGRAPH_GROUP_COMMIT_MAX=1")
    p.add_argument("--baseline-rev", help="also run this git revision's code (e.g. main)")
    p.add_argument(
        "--restart-check",
        action="store_true",
        help="restart each server on its files before counting rows and audit rows",
    )
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="agentgraph-recruit-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        table = make_tree(args.agents)
        parquet = folder / "agents.parquet"
        pq.write_table(table, parquet)
        print(f"generated {args.agents:,} agents in {time.perf_counter() - t:.1f} s")
        rng = random.Random(5)
        ids = table.column("agent_id")
        uplines = [
            quote(str(ids[rng.randrange(args.agents)].as_py()), safe="") for _ in range(50_000)
        ]
        del table, ids
        servers = [Server("group", folder / "group", ROOT, {})]
        if not args.no_off:
            off = {"AGENTGRAPH_GROUP_COMMIT_MAX": "1"}
            servers.append(Server("off", folder / "off", ROOT, off))
        if args.baseline_rev:
            tree = baseline_tree(args.baseline_rev, folder / "base-tree")
            servers.append(Server(f"base {args.baseline_rev}", folder / "base", tree, {}))
        rounds: list[Round] = []
        stats: dict[str, dict[str, object]] = {}
        try:
            for s in servers:
                s.folder.mkdir()
                s.start()
                s.setup(parquet)
            for r in range(args.rounds):
                for s in servers if r % 2 == 0 else servers[::-1]:
                    tag = f"R{r}{s.name[0]}"
                    got = asyncio.run(closed_loop(s, uplines, tag, args.concurrency, args.seconds))
                    s.acked += got.ok
                    rounds.append(got)
                    w = got.windows()
                    print(
                        f"round {r + 1} {s.name:<10} {got.rate:7.0f}/s  ({got.ok:,} of "
                        f"{got.sent:,} answered 201; 5-s windows {min(w, default=0):.0f}-"
                        f"{max(w, default=0):.0f}/s; p50 {q(got.latencies_ms, 0.5):.1f} ms, "
                        f"p99 {q(got.latencies_ms, 0.99):.1f} ms)"
                    )
            lost = 0
            for s in servers:
                if args.restart_check:
                    s.stop()
                    s.start()
                rows, audited = s.counts()
                missing = s.rows0 + s.acked - rows
                print(
                    f"[{s.name}] durable: {s.acked:,} acknowledged; dataset rows "
                    f"{rows - s.rows0:,} added, audit rows {audited:,}"
                    + (" (after a restart)" if args.restart_check else "")
                )
                if rows < s.rows0 + s.acked or audited < s.acked:
                    lost += max(missing, s.acked - audited)
            for s in servers:
                stats[s.name] = s.stop()
                s.proc = None
        finally:
            for s in servers:
                if s.proc is not None and s.proc.poll() is None:
                    s.proc.terminate()
                    s.proc.wait(60)
    print()
    print(
        f"sustained durable recruitments/s, {args.agents:,} agents, {args.concurrency} in "
        f"flight, {args.rounds} x {args.seconds:g} s, medians of rounds:"
    )
    medians: dict[str, float] = {}
    for s in servers:
        mine = [r for r in rounds if r.server == s.name]
        medians[s.name] = statistics.median(r.rate for r in mine)
        lat = [x for r in mine for x in r.latencies_ms]
        print(
            f"  {s.name:<12} {medians[s.name]:7.0f}/s   (rounds "
            f"{', '.join(f'{r.rate:.0f}' for r in mine)}; p50 {q(lat, 0.5):.1f} ms, "
            f"p99 {q(lat, 0.99):.1f} ms)"
        )
    for name, value in medians.items():
        if name != "group" and value:
            print(f"  group / {name}: {medians['group'] / value:.1f}x")
    print()
    for name, st in stats.items():
        profile(name, st)
    print()
    ok = medians["group"] >= TARGET and lost == 0
    print(
        f"{'PASS' if ok else 'FAIL'}: {medians['group']:.0f} durable recruitments/s "
        f"(target >= {TARGET:g}/s){'' if lost == 0 else f'; {lost} acknowledged ones LOST'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
