"""The workbench in a real browser on a 1M-agent dataset: network view and agent search.

A 1,000,000-agent member table (the synthetic forest, 900,000 agents, plus one random
recursive tree of 100,000 members rooted at ``BIG-000000``) is loaded into a fresh
embedded store; ``agentgraph serve`` runs on 127.0.0.1 and Debian's chromium, driven by
playwright, signs in as an analyst. Measured, medians of ``--repeat`` (whole browser
round trips: navigation, the app's JavaScript, the API answer, drawing):

- first meaningful paint of the 100k-member network's view: from navigating to the
  view until its members-per-level bars and the tree's root are on screen (target
  <= 2 s);
- agent search: from pressing Enter in the header's search box until the agent's
  facts are shown, for random agents (target: the answer <= 100 ms);
- prefix search (the API): the first search of the index (it sorts the ids once),
  then 2-, 4- and all-but-2-character prefixes of the sampled ids (target: p99
  <= 100 ms);

and, in the same run, the peer each is built on: the same API calls made directly
(httpx, keep-alive), so the ratio says what the browser adds. Exits 1 on a FAIL.

    python bench/bench_workbench.py [--repeat 5] [--searches 30]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "bench-Qm4Zt8Wk2Lp6Xv9Rb3Nc7Hd"


def _data(folder: Path, big: int, rest: int) -> tuple[Path, list[str]]:
    """The member table, and a sample of its agent ids."""
    from agentgraph import synth

    forest = synth.forest(rest, seed=3).table.select(["agent_id", "upline_id"])
    rng = np.random.default_rng(3)
    ids = np.array([f"BIG-{k:06d}" for k in range(big)], dtype=object)
    ups = np.empty(big, dtype=object)
    ups[0] = None
    ups[1:] = ids[(rng.random(big - 1) * np.arange(1, big)).astype(np.int64)]
    tree = pa.table(
        {"agent_id": pa.array(ids, pa.string()), "upline_id": pa.array(ups, pa.string())}
    )
    table = pa.concat_tables([tree, forest.cast(tree.schema)])
    path = folder / "members.parquet"
    pq.write_table(table, path)
    sample = random.Random(3).sample(table.column("agent_id").to_pylist(), 200)
    return path, sample


def _serve(store: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "AGENTGRAPH_ADMIN_KEY": ADMIN, "AGENTGRAPH_STORE": str(store)}
    env["AGENTGRAPH_META_STORE"] = str(store.with_name("meta.duckdb"))
    exe = str(Path(sys.executable).with_name("agentgraph"))
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(
                f"the server did not start: {proc.stderr.read() if proc.stderr else ''}"
            )
        time.sleep(0.2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--searches", type=int, default=30)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--agents", type=int, default=1_000_000)
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("no chromium on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    med = statistics.median
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, sample = _data(folder, args.big, args.agents - args.big)
        store = folder / "store.duckdb"
        subprocess.run(
            [
                str(Path(sys.executable).with_name("agentgraph")),
                "load",
                str(src),
                "--dataset",
                "seed",
                "--store",
                str(store),
            ],
            check=True,
            capture_output=True,
        )
        port = 8700 + os.getpid() % 200
        proc = _serve(store, port)
        base = f"http://127.0.0.1:{port}"
        try:
            admin = {"Authorization": f"Bearer {ADMIN}"}
            httpx.post(f"{base}/v1/tenants", json={"id": "acme"}, headers=admin)
            key = httpx.post(
                f"{base}/v1/keys", json={"tenant": "acme", "role": "analyst"}, headers=admin
            ).json()["key"]
            h = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=base, headers=h, timeout=600) as api:
                api.post("/v1/datasets", json={"name": "big", "kind": "members"})
                with src.open("rb") as fh:
                    r = api.post("/v1/datasets/big/files", files={"file": (src.name, fh)})
                r.raise_for_status()
                api.get("/v1/datasets/big/networks/BIG-000000").raise_for_status()  # index built
                net_api = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    api.get("/v1/datasets/big/networks/BIG-000000").raise_for_status()
                    api.get("/v1/datasets/big/agents/BIG-000000", params={"recruits_limit": 25})
                    net_api.append(time.perf_counter() - t)
                agent_api = []
                for agent in sample[: args.searches]:
                    t = time.perf_counter()
                    api.get(f"/v1/datasets/big/agents/{agent}", params={"recruits_limit": 50})
                    agent_api.append(time.perf_counter() - t)
                # prefix search: the first one sorts the ids (once per index)
                t = time.perf_counter()
                api.get("/v1/datasets/big/agents", params={"prefix": "BIG-0", "limit": 10})
                prefix_first = time.perf_counter() - t
                prefix_api = []
                prefixes = [a[:k] for a in sample[: args.searches] for k in (2, 4, len(a) - 2)]
                for prefix in prefixes:
                    t = time.perf_counter()
                    r = api.get("/v1/datasets/big/agents", params={"prefix": prefix, "limit": 10})
                    prefix_api.append(time.perf_counter() - t)
                    r.raise_for_status()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                page.goto(f"{base}/ui/")
                page.get_by_test_id("signin-key").fill(key)
                page.get_by_test_id("signin-submit").click()
                page.get_by_test_id("whoami").wait_for()
                paints = []
                for _ in range(args.repeat):
                    page.goto("about:blank")
                    t = time.perf_counter()
                    page.goto(f"{base}/ui/#/datasets/big/networks/BIG-000000")
                    page.get_by_test_id("tier-counts").wait_for()
                    page.get_by_test_id("tree-node").first.wait_for()
                    paints.append(time.perf_counter() - t)
                searches = []
                for agent in sample[: args.searches]:
                    box = page.get_by_test_id("agent-search")
                    box.fill(agent)
                    t = time.perf_counter()
                    box.press("Enter")
                    page.locator("h1").filter(has_text=agent).wait_for()
                    page.get_by_test_id("agent-facts").wait_for()
                    searches.append(time.perf_counter() - t)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(30)
    paint, search = med(paints), med(searches)
    p99_api = float(np.percentile(agent_api, 99))
    print(
        f"network view, {args.big:,} members: first paint {paint:.2f} s (runs "
        f"{[round(x, 2) for x in paints]}); the same API calls alone {med(net_api) * 1000:.0f} ms"
        f" ({paint / med(net_api):.1f}x)"
    )
    print(
        f"agent search, {args.agents:,} agents: in the browser {search * 1000:.0f} ms median"
        f" (p90 {np.percentile(searches, 90) * 1000:.0f} ms); the API alone "
        f"{med(agent_api) * 1000:.1f} ms median, p99 {p99_api * 1000:.1f} ms "
        f"({search / med(agent_api):.1f}x)"
    )
    p99_prefix = float(np.percentile(prefix_api, 99))
    print(
        f"prefix search, {args.agents:,} agents: first {prefix_first * 1000:.0f} ms (sorts the"
        f" ids once), then median {med(prefix_api) * 1000:.1f} ms, p99 {p99_prefix * 1000:.1f} ms"
        f" over {len(prefix_api)} prefixes ({med(prefix_api) / med(agent_api):.2f}x the exact"
        " lookup)"
    )
    targets = [
        (
            "first meaningful paint of a 100k-member network view <= 2 s",
            paint <= 2.0,
            f"{paint:.2f} s",
        ),
        ("agent search answers <= 100 ms (API p99)", p99_api <= 0.1, f"{p99_api * 1000:.1f} ms"),
        (
            "prefix search answers <= 100 ms (API p99, after the first)",
            p99_prefix <= 0.1,
            f"{p99_prefix * 1000:.1f} ms",
        ),
        (
            "agent search in the browser <= 100 ms (median)",
            search <= 0.1,
            f"{search * 1000:.0f} ms",
        ),
    ]
    print("targets:")
    for name, ok, value in targets:
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {value}")
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
