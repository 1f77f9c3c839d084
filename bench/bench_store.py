"""Embedded-store benchmark: load 10M rows into the DuckDB store, read them back.

Input: a synthetic forest (``agentgraph.synth.forest``, phone-like string ids, rows
shuffled) written as Parquet and cached under bench/data/. Each measure runs in a
fresh process (imports outside the timing), medians of ``--repeat``:

- ``agentgraph load``: ``open_store(file).load(name, relations)`` into a new file,
  the commit and the close included (the relations already read);
- ``agentgraph read``: ``open_store(file).read(name)`` back to Arrow relations;
- peer, DuckDB alone: ``CREATE TABLE AS SELECT * FROM`` the same Arrow table into a
  new file, commit and close; then ``SELECT *`` back to Arrow.

Targets (issue 14): load <= 5 s, read <= 2 s at 10M.

    python bench/bench_store.py [--rows 10000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"

WORKER = r"""
import json, sys, time
import pyarrow.parquet as pq
what, parquet, db = sys.argv[1], sys.argv[2], sys.argv[3]
import agentgraph, duckdb
from agentgraph.stores import open_store
if what == "load":
    rel = agentgraph.read(parquet)
    t = time.perf_counter()
    st = open_store(db)
    st.load("forest", rel)
    st.close()
elif what == "read":
    t = time.perf_counter()
    st = open_store(db)
    rel = st.read("forest")
    assert rel.rows > 0
    st.close()
elif what == "duckdb_load":
    table = agentgraph.read(parquet).table
    t = time.perf_counter()
    con = duckdb.connect(db)
    con.register("src", table)
    con.execute("CREATE TABLE forest AS SELECT * FROM src")
    con.close()
elif what == "duckdb_read":
    t = time.perf_counter()
    con = duckdb.connect(db)
    got = con.sql("SELECT * FROM forest").to_arrow_table()
    assert got.num_rows > 0
    con.close()
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def _data(rows: int) -> Path:
    path = DATA / f"forest_{rows}_1.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        from agentgraph import synth

        synth.write(synth.forest(rows, seed=1), path)
    return path


def _run(what: str, parquet: Path, db: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", WORKER, what, str(parquet), str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{what} failed: {done.stderr[-2000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    parquet = _data(args.rows)
    times: dict[str, list[float]] = {k: [] for k in ("load", "read", "duckdb_load", "duckdb_read")}
    with tempfile.TemporaryDirectory(prefix="agentgraph-store-") as tmp:
        for k in range(args.repeat):
            ours, theirs = Path(tmp) / f"ours{k}.duckdb", Path(tmp) / f"duckdb{k}.duckdb"
            times["load"].append(_run("load", parquet, ours))
            times["duckdb_load"].append(_run("duckdb_load", parquet, theirs))
            times["read"].append(_run("read", parquet, ours))
            times["duckdb_read"].append(_run("duckdb_read", parquet, theirs))
            ours.unlink()
            theirs.unlink()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{args.rows:,} rows ({parquet.name})")
    for k, v in times.items():
        print(f"  {k:12s} {med[k]:6.2f} s  runs {[round(x, 2) for x in v]}")
    print(f"  load: agentgraph / duckdb alone {med['load'] / med['duckdb_load']:.2f}x")
    print(f"  read: agentgraph / duckdb alone {med['read'] / med['duckdb_read']:.2f}x")
    targets = [
        (f"load {args.rows:,} rows <= 5 s", med["load"] <= 5.0, med["load"]),
        (f"read {args.rows:,} rows back <= 2 s", med["read"] <= 2.0, med["read"]),
    ]
    print("\ntargets:")
    for name, ok, value in targets:
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}: {value:.2f} s")
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
