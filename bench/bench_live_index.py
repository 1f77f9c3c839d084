"""Live index of the API at 10M agents: its memory, id lookups, agent views, checks.

Builds the index of the API (:class:`agentgraph.live.LiveIndex`) from a scan of
the forest of ``bench/bench_peers.py`` (phone-like string ids, rows shuffled), then
times, in this process, id lookups, agent views (a page of 10 recruits) and
recruitment checks of random agents, and one applied recruitment per agent
checked. Memory is :func:`agentgraph.api.registry.index_bytes` (what the API's
index cache counts) and the growth of the process's peak RSS while building it.

Target (issue 14): the live index of a 10M-agent dataset <= 500 MB. The latencies
are the in-process floor of the API's (``bench/bench_api.py`` measures them over
HTTP).

    python bench/bench_live_index.py [--agents 10000000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=10_000_000)
    ap.add_argument("--queries", type=int, default=2000)
    args = ap.parse_args()
    import bench_peers
    from agentgraph.api.registry import index_bytes

    import agentgraph
    from agentgraph.analysis import analyse
    from agentgraph.live import LiveIndex

    rel = agentgraph.read(bench_peers._data(args.agents))
    a = analyse(rel)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    ix = LiveIndex.from_analysis(a)
    build = time.perf_counter() - t
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb = index_bytes(ix) / 2**20
    rng = random.Random(1)
    ids = rel.table.column("agent_id")
    picks = [ids[rng.randrange(len(ids))].as_py() for _ in range(args.queries)]

    def timed(fn: object) -> list[float]:
        out = []
        for k, x in enumerate(picks):
            t0 = time.perf_counter()
            fn(k, x)  # type: ignore[operator]
            out.append((time.perf_counter() - t0) * 1e6)
        return out

    look = timed(lambda k, x: ix.node(x))
    view = timed(lambda k, x: ix.agent(x, recruits_limit=10, chain_limit=50))
    check = timed(lambda k, x: ix.check(x, f"new-{k}"))
    add = timed(lambda k, x: ix.add(x, f"new-{k}"))

    def q(v: list[float]) -> str:
        v = sorted(v)
        return f"median {statistics.median(v):7.1f} us  p99 {v[int(0.99 * (len(v) - 1))]:8.1f} us"

    print(f"{args.agents:,} agents: index built in {build:.2f} s")
    print(f"  index_bytes {mb:.0f} MB; peak RSS grew {rss1 - rss0:.0f} MB while building")
    print(f"  id lookup      {q(look)}")
    print(f"  agent view     {q(view)}")
    print(f"  check          {q(check)}")
    print(f"  add            {q(add)}")
    ok = mb <= 500
    print("targets:")
    mark = "PASS" if ok else "FAIL"
    print(f"  [{mark}] live index of {args.agents:,} agents <= 500 MB: {mb:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
