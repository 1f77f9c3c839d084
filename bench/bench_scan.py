"""End-to-end scan benchmark: agentgraph against networkx and igraph, same run.

Generates forests of 1M and 10M agents with string (phone-like) ids, rows
shuffled, writes them as Parquet member tables (agent_id, upline_id) and runs
the full scan in a fresh process per repetition: read Parquet, encode ids,
depth, root, tier counts, downline sizes, rules, JSON report written to disk.
networkx and igraph do the same work on the 1M input in the same run. Each
timing is the median of ``--repeat`` runs; peak memory is the child process's
maximum resident set size (interpreter and libraries included).

Targets (2-core machine): 10M in <= 6 s with peak memory <= 1.5 GB; at 1M,
>= 30x faster than networkx and >= 5x faster than igraph.

    python bench/bench_scan.py [--sizes 1000000 10000000] [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

# Each worker prints one JSON line: {"seconds": float, "agents": int, "networks": int,
# "flagged": int, "max_levels": int}. Imports and JIT loading are outside the timing.
WORKER = {
    "agentgraph": r"""
import json, sys, time
import pyarrow.parquet as pq
from agentgraph.analysis import analyse
from agentgraph.tables import Relations
from agentgraph.report.build import dumps
src, out = sys.argv[1], sys.argv[2]
analyse(Relations("members", pq.read_table(sys.argv[3]))).report()  # warm the JIT cache
t = time.perf_counter()
rel = Relations("members", pq.read_table(src))
report = analyse(rel).report()
with open(out, "w", encoding="utf-8") as fh:
    fh.write(dumps(report))
sec = time.perf_counter() - t
s = report["summary"]
print(json.dumps({"seconds": sec, "agents": s["agents"], "networks": s["networks"],
                  "flagged": s["flagged"], "max_levels": s["max_levels"]}))
""",
    "networkx": r"""
import json, sys, time
import networkx as nx
import pyarrow.parquet as pq
src, out = sys.argv[1], sys.argv[2]
t = time.perf_counter()
tab = pq.read_table(src)
agents = tab.column("agent_id").to_pylist()
ups = tab.column("upline_id").to_pylist()
g = nx.DiGraph()
g.add_nodes_from(agents)                                  # id encoding: hashing into a dict
g.add_edges_from((u, a) for a, u in zip(agents, ups) if u is not None)
roots = [v for v, d in g.in_degree() if d == 0]
depth, root = {}, {}
for r in roots:                                           # depth and root
    for v, d in nx.single_source_shortest_path_length(g, r).items():
        depth[v] = d
        root[v] = r
size = dict.fromkeys(g, 1)                                # downline sizes, children first
for v in reversed(list(nx.topological_sort(g))):
    for p in g.predecessors(v):
        size[p] += size[v]
tiers = {}
for v, d in depth.items():                                # tier counts per network
    t_ = tiers.setdefault(root[v], [])
    while len(t_) <= d:
        t_.append(0)
    t_[d] += 1
nets = [{"root": r, "members": sum(c), "levels": len(c), "tier_counts": c}
        for r, c in tiers.items()]
flagged = [n for n in nets if n["members"] >= 30 and n["levels"] >= 3]   # rules
report = {"summary": {"agents": g.number_of_nodes(), "networks": len(nets),
                      "flagged": len(flagged), "max_levels": max(n["levels"] for n in nets)},
          "networks": sorted(flagged, key=lambda n: -n["members"]),
          "organisers": [v for v, s in size.items() if s >= 30][:1000]}
with open(out, "w", encoding="utf-8") as fh:
    json.dump(report, fh, ensure_ascii=False)
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, **report["summary"]}))
""",
    "igraph": r"""
import json, sys, time
import igraph as ig
import numpy as np
import pyarrow.parquet as pq
src, out = sys.argv[1], sys.argv[2]
t = time.perf_counter()
tab = pq.read_table(src)
agents = tab.column("agent_id").to_pylist()
ups = tab.column("upline_id").to_pylist()
index = {a: i for i, a in enumerate(agents)}              # id encoding
for u in ups:
    if u is not None and u not in index:
        index[u] = len(index)
n = len(index)
edges = [(index[u], index[a]) for a, u in zip(agents, ups) if u is not None]
g = ig.Graph(n=n + 1, edges=edges, directed=True)
indeg = np.array(g.indegree())
roots = np.flatnonzero(indeg[:n] == 0)
g.add_edges([(n, int(r)) for r in roots])                 # one super-root: one BFS
vids, layers, parents = g.bfs(n)
vids = np.array(vids)
par = np.array(parents)
depth = np.empty(n + 1, np.int64)
root = np.empty(n + 1, np.int64)
size = np.ones(n + 1, np.int64)
levels = [vids[layers[k]:layers[k + 1]] for k in range(1, len(layers) - 1)]
for k, layer in enumerate(levels):                        # depth and root, layer by layer
    depth[layer] = k
    root[layer] = layer if k == 0 else root[par[layer]]
for layer in reversed(levels[1:]):                        # downline sizes, deepest layer first
    np.add.at(size, par[layer], size[layer])
g.delete_vertices([n])
names = list(index)
nets = {}
for v in range(n):                                        # tier counts per network
    t_ = nets.setdefault(int(root[v]), [])
    d = int(depth[v])
    while len(t_) <= d:
        t_.append(0)
    t_[d] += 1
rows = [{"root": names[r], "members": sum(c), "levels": len(c), "tier_counts": c}
        for r, c in nets.items()]
flagged = [x for x in rows if x["members"] >= 30 and x["levels"] >= 3]  # rules
report = {"summary": {"agents": n, "networks": len(rows), "flagged": len(flagged),
                      "max_levels": max(x["levels"] for x in rows)},
          "networks": sorted(flagged, key=lambda x: -x["members"]),
          "organisers": [names[v] for v in np.flatnonzero(size >= 30)[:1000]]}
with open(out, "w", encoding="utf-8") as fh:
    json.dump(report, fh, ensure_ascii=False)
sec = time.perf_counter() - t
print(json.dumps({"seconds": sec, **report["summary"]}))
""",
}

CHILD = r"""
import resource, runpy, sys
code = sys.argv.pop(1)
try:
    exec(compile(code, "<worker>", "exec"), {"__name__": "__main__"})
finally:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("PEAK_RSS_KB", rss, file=sys.stderr)
"""


def make_input(agents: int, seed: int = 1) -> Path:
    """The shuffled forest of ``agents`` phone-id agents as Parquet (cached)."""
    import pyarrow.parquet as pq

    from agentgraph import synth

    DATA.mkdir(exist_ok=True)
    path = DATA / f"forest_{agents}_{seed}.parquet"
    if not path.exists():
        rel = synth.forest(agents, seed=seed, ids="phone")
        pq.write_table(rel.table.select(["agent_id", "upline_id"]), path)
    return path


def run_once(method: str, src: Path, warm: Path) -> tuple[dict[str, float], float]:
    out = DATA / f"report_{method}.json"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, WORKER[method], str(src), str(out), str(warm)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{method} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    rss_kb = int(
        next(line.split()[1] for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
    )
    return result, rss_kb / 1024


def measure(method: str, src: Path, warm: Path, repeat: int) -> dict[str, object]:
    times, peaks, result = [], [], {}
    for _ in range(repeat):
        result, peak = run_once(method, src, warm)
        times.append(float(result["seconds"]))
        peaks.append(peak)
    return {
        "method": method,
        "seconds": statistics.median(times),
        "runs": times,
        "peak_mb": statistics.median(peaks),
        "summary": result,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--peer-size", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-repeat", type=int, default=3)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    warm = make_input(2000, seed=7)
    rows: list[dict[str, object]] = []
    t0 = time.time()
    for n in sorted(set(args.sizes + ([] if args.no_peers else [args.peer_size]))):
        src = make_input(n)
        ours = measure("agentgraph", src, warm, args.repeat)
        ours["agents"] = n
        rows.append(ours)
        print(
            f"{n:>11,} agentgraph {ours['seconds']:8.2f} s  peak {ours['peak_mb']:7.0f} MB  "
            f"runs {[round(x, 2) for x in ours['runs']]}",
            flush=True,
        )
        if n == args.peer_size and not args.no_peers:
            for peer in ("igraph", "networkx"):
                res = measure(peer, src, warm, args.peer_repeat)
                res["agents"] = n
                rows.append(res)
                if res["summary"].get("flagged") != ours["summary"].get("flagged") or (
                    res["summary"].get("max_levels") != ours["summary"].get("max_levels")
                ):
                    raise SystemExit(f"{peer} disagrees: {res['summary']} vs {ours['summary']}")
                ratio = float(res["seconds"]) / float(ours["seconds"])
                print(
                    f"{n:>11,} {peer:<10} {res['seconds']:8.2f} s  peak {res['peak_mb']:7.0f} MB"
                    f"  -> agentgraph is {ratio:5.1f}x faster",
                    flush=True,
                )
    print("\ntargets:")
    verdicts = []
    by = {(r["method"], r["agents"]): r for r in rows}
    big = by.get(("agentgraph", 10_000_000))
    if big:
        verdicts.append(
            ("10M scan <= 6 s", float(big["seconds"]) <= 6.0, f"{big['seconds']:.2f} s")
        )
        verdicts.append(
            ("10M peak <= 1.5 GB", float(big["peak_mb"]) <= 1536, f"{big['peak_mb']:.0f} MB")
        )
    small = by.get(("agentgraph", args.peer_size))
    for peer, need in (("networkx", 30.0), ("igraph", 5.0)):
        other = by.get((peer, args.peer_size))
        if small and other:
            ratio = float(other["seconds"]) / float(small["seconds"])
            verdicts.append(
                (
                    f"{args.peer_size:,}: >= {need:.0f}x faster than {peer}",
                    ratio >= need,
                    f"{ratio:.1f}x",
                )
            )
    for name, ok, value in verdicts:
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {value}")
    print(f"(total {time.time() - t0:.0f} s)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "targets": [{"target": n, "pass": ok, "value": v} for n, ok, v in verdicts],
                },
                indent=2,
            )
        )
    if not all(ok for _, ok, _ in verdicts):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
