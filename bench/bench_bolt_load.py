"""Load and read throughput of the Neo4j store over Bolt.

Generates an edge list (a random recursive tree of ``--rows + 1`` agents with phone-like
ids, so ``--rows`` recruitment edges), loads it through :class:`Neo4jStore` in batches
of ``--batch-size`` rows, reads it back, checks the round trip and prints rows/s.
The dataset is deleted afterwards. Run it next to the FalkorDB stand-in with

    scripts/with-bolt.sh python bench/bench_bolt_load.py [--rows 100000] [--batch-size 150]

or against a real Neo4j 5 with ``--uri bolt://host:7687`` (credentials from
``AGENTGRAPH_NEO4J_USER`` / ``AGENTGRAPH_NEO4J_PASSWORD``) and e.g. ``--batch-size 10000``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from agentgraph.stores.neo4j.store import Neo4jStore
from agentgraph.synth import random_recursive, to_edges


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--uri",
        default=os.environ.get("AGENTGRAPH_TEST_NEO4J_URI")
        or os.environ.get("AGENTGRAPH_TEST_BOLT_URI"),
    )
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=150)
    ap.add_argument("--kind", choices=("edges", "members"), default="edges")
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    args = ap.parse_args(argv)
    if not args.uri:
        print("no Bolt server: pass --uri or run under scripts/with-bolt.sh", file=sys.stderr)
        return 2
    members = random_recursive(args.rows + 1, seed=1)
    rel = to_edges(members) if args.kind == "edges" else members
    name = f"bench-bolt-load-{os.getpid()}"
    with Neo4jStore(args.uri, batch_size=args.batch_size) as store:
        t0 = time.perf_counter()
        store.load(name, rel, replace=True)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        back = store.read(name)
        t_read = time.perf_counter() - t0
        ok = back.table.equals(rel.table)
        store.delete(name)
        result = {
            "server": store.url,
            "kind": rel.kind,
            "rows": rel.rows,
            "batch_size": store.batch_size,
            "max_query_bytes": store.max_query_bytes,
            "load_seconds": round(t_load, 2),
            "load_rows_per_s": round(rel.rows / t_load),
            "read_seconds": round(t_read, 2),
            "read_rows_per_s": round(rel.rows / t_read),
            "round_trip_equal": ok,
        }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['rows']:,} {rel.kind} rows over {result['server']} "
            f"(batch {result['batch_size']}, query budget {result['max_query_bytes']}): "
            f"load {result['load_seconds']} s = {result['load_rows_per_s']:,} rows/s; "
            f"read {result['read_seconds']} s = {result['read_rows_per_s']:,} rows/s; "
            f"round trip {'equal' if ok else 'DIFFERENT'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
