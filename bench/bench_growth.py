"""Growth-series benchmark: a scan with ``joined_at`` against the same scan without it.

Input per size n: a random recruitment forest (agent ``i``'s upline is a uniformly
random earlier agent; about 1 in 1,000 agents is a root), ids as decimal strings,
and ``joined_at`` a random time over three years that mostly grows with the index
(about 1% of recruits are recorded before their upline, 1% have no time: both
repairs of the dating rule are exercised).

Each repetition runs, in this order and in the same process: ``plain``
(``analyse`` + ``report`` of the table without ``joined_at``) and ``growth`` (the
same with it: every network's series, thresholds dated, the growth section).
Imports and JIT compilation are warmed up on a small table first. Medians of
``--repeat`` runs.

Target (issue 13, 2-core machine): for 10M agents the series add <= 1 s to a scan
(``growth - plain`` median). The one-minute load average before and after is printed:
on a shared machine both medians grow with it, so compare runs at a similar load.

    python bench/bench_growth.py [--sizes 10000000] [--repeat 3] [--period month]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.analysis import analyse
from agentgraph.tables import Relations

_YEAR_S = 365 * 86_400


def make_tables(n: int, seed: int = 7) -> tuple[Relations, Relations]:
    """(without joined_at, with it) for a random forest of ``n`` agents."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n, dtype=np.int64)
    parent = (rng.random(n) * idx).astype(np.int64)
    parent[rng.random(n) < 0.001] = -1
    parent[0] = -1
    ids = pc.cast(pa.array(idx), pa.string())
    up = pc.if_else(
        pa.array(parent < 0), pa.nulls(n, pa.string()), ids.take(pa.array(np.maximum(parent, 0)))
    )
    base = 1_700_000_000 + (idx * (3 * _YEAR_S) // max(n, 1))
    noise = rng.integers(0, 86_400 * 3, n)
    secs = base + noise
    early = rng.random(n) < 0.01
    secs[early] -= 30 * 86_400  # recorded before the upline (often)
    missing = rng.random(n) < 0.01
    joined = pa.array(secs, pa.timestamp("s"), mask=missing)
    plain = pa.table({"agent_id": ids, "upline_id": up})
    return Relations("members", plain), Relations(
        "members", plain.append_column("joined_at", joined)
    )


def _time(rel: Relations, period: str) -> tuple[float, dict[str, object]]:
    t0 = time.perf_counter()
    a = analyse(rel, growth_period=period)
    report = a.report()
    return time.perf_counter() - t0, report


def main() -> None:
    """Run the benchmark and print one JSON line per size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--period", default="month", choices=["day", "week", "month"])
    args = ap.parse_args()
    small_plain, small_timed = make_tables(10_000)
    _time(small_plain, args.period)
    _time(small_timed, args.period)  # JIT warm-up
    for n in args.sizes:
        plain, timed = make_tables(n)
        load_before = os.getloadavg()[0]
        runs: dict[str, list[float]] = {"plain": [], "growth": []}
        report: dict[str, object] = {}
        for _ in range(args.repeat):
            runs["plain"].append(_time(plain, args.period)[0])
            took, report = _time(timed, args.period)
            runs["growth"].append(took)
        med = {k: statistics.median(v) for k, v in runs.items()}
        g = report["growth"]
        assert isinstance(g, dict) and g["measured"]
        print(
            json.dumps(
                {
                    "agents": n,
                    "period": args.period,
                    "plain_s": round(med["plain"], 3),
                    "growth_s": round(med["growth"], 3),
                    "added_s": round(med["growth"] - med["plain"], 3),
                    "ratio": round(med["growth"] / med["plain"], 3),
                    "target_added_s": 1.0,
                    "ok": med["growth"] - med["plain"] <= 1.0,
                    "networks_with_series": len(g["networks"]),
                    "dated_after_upline": g["dated_after_upline"],
                    "runs": {k: [round(x, 3) for x in v] for k, v in runs.items()},
                    "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
