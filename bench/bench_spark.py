"""The Spark engine in local mode beside the in-process engine, and how its cost grows.

For each size (synthetic forests, member tables with join times and titles, as eight
Parquet part files), in the same run:

- the in-process scan (``agentgraph scan`` of the concatenated file, its own process);
- the Spark scan (``agentgraph.spark.scan_detailed`` on ``local[2]``, its own process,
  the session's start-up timed apart): wall time per stage, Spark jobs, pointer-doubling
  passes, shuffle bytes per agent (the stages' shuffle writes, from the Spark UI's REST
  API), the largest partition measured, and the peak memory of the whole process tree
  (driver JVM, Python driver and workers, sampled every 0.2 s);
- whether the two reports are the same (``generated_at`` aside).

Then chains of 10, 245 and 100,000 levels: passes and time against depth.

With ``--payments N``: a forest of N agents with its synthetic ledger (about 3N
payments, :func:`agentgraph.synth.money.money_tables`), scanned with ``--payments``
in-process and on Spark. With ``--large N``: four random recursive trees of N / 4
agents (about 30 levels each) scanned on Spark twice in one session, every network
measured whole in a worker, then the networks of more than ``--large-limit`` agents
measured across the cluster level by level (:mod:`agentgraph.spark.large`); both
beside the in-process report.

    python bench/bench_spark.py [--sizes 1000000,10000000] [--payments 1000000]
        [--large 1000000 --large-limit 100000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
UI_PORT = 4471


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (from /proc)."""
    kids: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            with open(f"/proc/{entry}/statm", encoding="ascii") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += kids.get(p, [])
    return total


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak process-tree RSS, stdout of one command."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, _tree_rss(proc.pid))

    th = threading.Thread(target=watch, daemon=True)
    th.start()
    out, err = proc.communicate()
    done.set()
    th.join()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{err[-3000:]}")
    return wall, peak, out


def _shuffle_bytes(app_id: str) -> int:
    import httpx

    url = f"http://127.0.0.1:{UI_PORT}/api/v1/applications/{app_id}/stages"
    stages = httpx.get(url, timeout=30).json()
    return sum(int(s.get("shuffleWriteBytes", 0)) for s in stages)


def worker(paths: list[str], out: str, options: list[dict[str, Any]] | None = None) -> None:
    """In its own process: one session, then each path scanned; JSON lines to ``out``.

    ``options``: the keyword arguments of each path's scan (default none).
    """
    t = time.perf_counter()
    from agentgraph.spark import scan_detailed, session

    s = session(
        "local[2]",
        spark__ui__enabled="true",
        spark__ui__port=str(UI_PORT),
        spark__driver__memory="6g",
    )
    s.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t
    tracker = s.sparkContext.statusTracker()
    with open(out, "w", encoding="utf-8") as fh:
        for k, path in enumerate(paths):
            kw = (options or [{}] * len(paths))[k]
            group = f"scan-{len(path)}-{time.monotonic_ns()}"
            s.sparkContext.setJobGroup(group, path)
            before = _shuffle_bytes(s.sparkContext.applicationId)
            t = time.perf_counter()
            got = scan_detailed(s, path, generated_at="x", source_name="bench", **kw)
            wall = time.perf_counter() - t
            jobs = len(tracker.getJobIdsForGroup(group))
            shuffled = _shuffle_bytes(s.sparkContext.applicationId) - before
            biggest = max((n["members"] for n in got.report["networks"]), default=1)
            fh.write(
                json.dumps(
                    {
                        "path": path,
                        "startup": startup,
                        "wall": wall,
                        "seconds": got.seconds,
                        "passes": got.passes,
                        "partitions": got.partitions,
                        "jobs": jobs,
                        "shuffle_bytes": shuffled,
                        "largest_network": biggest,
                        "report": got.report,
                    }
                )
                + "\n"
            )
    s.stop()


def _forest(folder: Path, n: int) -> tuple[Path, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from agentgraph import synth

    t = synth.forest(n, seed=7).table
    parts = folder / f"forest{n}"
    parts.mkdir()
    step = -(-t.num_rows // 8)
    for k in range(8):
        pq.write_table(t.slice(k * step, step), parts / f"part-{k:05d}.parquet")
    whole = folder / f"forest{n}.parquet"
    pq.write_table(pa.concat_tables([t]), whole)
    return parts, whole


def _chain(folder: Path, depth: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [f"C{k:06d}" for k in range(depth)]
    path = folder / f"chain{depth}.parquet"
    pq.write_table(pa.table({"agent_id": ids, "upline_id": [None, *ids[:-1]]}), path)
    return path


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    a, b = dict(a), dict(b)
    for r in (a, b):
        r.pop("generated_at", None)
        r.pop("source", None)
        r.get("input", {}).pop("source", None)
    return a == b


def _spark_jobs(
    folder: Path, name: str, paths: list[str], options: list[dict[str, Any]], env: dict[str, str]
) -> tuple[list[dict[str, Any]], float, int]:
    out = folder / f"{name}.jsonl"
    cmd = [sys.executable, __file__, "--worker", *paths, "--worker-out", str(out)]
    wall, peak, _ = _run([*cmd, "--worker-options", json.dumps(options)], env)
    return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()], wall, peak


def _with_payments(folder: Path, n: int, exe: str, env: dict[str, str]) -> bool:
    """A forest with its ledger, in-process and on Spark: time and identity."""
    import pyarrow.parquet as pq

    from agentgraph import synth
    from agentgraph.synth.money import money_tables

    rel = synth.forest(n, seed=7)
    pays, _, _ = money_tables(rel)
    members, ledger = folder / f"paid{n}.parquet", folder / f"ledger{n}.parquet"
    pq.write_table(rel.table, members)
    pq.write_table(pays, ledger)
    local_out = folder / f"paid{n}.json"
    cmd = [exe, "scan", str(members), "--payments", str(ledger), "--out", str(local_out)]
    wall_local, peak_local, _ = _run(cmd, env)
    local = json.loads(local_out.read_text(encoding="utf-8"))
    [got], _, peak = _spark_jobs(folder, "paid", [str(members)], [{"payments": str(ledger)}], env)
    same = _same(got["report"], local)
    print(
        f"payments {n:,} agents, {pays.num_rows:,} payments: in-process {wall_local:.1f} s "
        f"{peak_local / 2**30:.2f} GB; spark {got['wall']:.1f} s {peak / 2**30:.2f} GB ("
        + " ".join(f"{k} {v:.1f}" for k, v in got["seconds"].items())
        + f"), {got['jobs']} jobs, ratio {got['wall'] / wall_local:.1f}x, "
        f"report {'identical' if same else 'DIFFERENT'}"
    )
    return same


def _wide(n: int, k: int) -> Any:
    """``k`` random recursive trees of ``n / k`` agents (each recruited by a uniformly
    chosen earlier member: about e ln(n / k) levels deep), rows shuffled."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(9)
    m = n // k
    ids, ups = [], []
    for j in range(k):
        parent = np.full(m, -1, np.int64)
        parent[1:] = (rng.random(m - 1) * np.arange(1, m)).astype(np.int64)
        name = np.char.add(f"W{j}-", np.arange(m).astype(str))
        ids.append(name)
        ups.append(np.where(parent >= 0, name[np.maximum(parent, 0)], None))
    agent, upline = np.concatenate(ids), np.concatenate(ups)
    order = rng.permutation(len(agent))
    return pa.table({"agent_id": agent[order].tolist(), "upline_id": upline[order].tolist()})


def _large(folder: Path, n: int, limit: int, exe: str, env: dict[str, str]) -> bool:
    """Networks over ``limit`` measured level by level against whole in a worker."""
    import pyarrow.parquet as pq

    t = _wide(n, 4)
    path = folder / f"large{n}.parquet"
    pq.write_table(t, path)
    local_out = folder / f"large{n}.json"
    wall_local, _, _ = _run([exe, "scan", str(path), "--out", str(local_out)], env)
    local = json.loads(local_out.read_text(encoding="utf-8"))
    big = [x for x in local["networks"] if x["members"] > limit]
    runs, _, peak = _spark_jobs(
        folder, "large", [str(path)] * 2, [{}, {"max_network_agents": limit}], env
    )
    whole, split = runs
    same = _same(whole["report"], local) and _same(split["report"], local)
    levels = sum(x["levels"] for x in big)
    extra = split["seconds"]["measure"] - whole["seconds"]["measure"]
    print(
        f"large networks: {n:,} agents, {len(big)} networks over {limit:,} "
        f"({sum(x['members'] for x in big):,} agents, {levels} levels in all); in-process "
        f"{wall_local:.1f} s; spark, all whole in workers {whole['wall']:.1f} s (measure "
        f"{whole['seconds']['measure']:.1f} s, {whole['jobs']} jobs); the large ones level "
        f"by level {split['wall']:.1f} s (measure {split['seconds']['measure']:.1f} s, "
        f"{split['jobs']} jobs; {extra / max(1, levels):.2f} s more per level); peak "
        f"{peak / 2**30:.2f} GB; reports {'identical' if same else 'DIFFERENT'}"
    )
    return same


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--depths", default="10,245,100000")
    ap.add_argument("--payments", type=lambda x: int(float(x)), default=0)
    ap.add_argument("--large", type=lambda x: int(float(x)), default=0)
    ap.add_argument("--large-limit", type=int, default=100_000)
    ap.add_argument("--worker", nargs="+")
    ap.add_argument("--worker-out")
    ap.add_argument("--worker-options")
    args = ap.parse_args()
    if args.worker:
        opts = json.loads(args.worker_options) if args.worker_options else None
        worker(args.worker, args.worker_out, opts)
        return 0
    sizes = [int(float(x)) for x in args.sizes.split(",") if x]
    depths = [int(x) for x in args.depths.split(",") if x]
    exe = str(Path(sys.executable).with_name("agentgraph"))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "AGENTGRAPH_NO_PROGRESS": "1"}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("size       engine      wall     peak RSS   stages / passes / jobs / shuffle")
        for n in sizes:
            parts, whole = _forest(folder, n)
            report_path = folder / f"local{n}.json"
            wall_local, peak_local, _ = _run(
                [exe, "scan", str(whole), "--out", str(report_path)], env
            )
            local = json.loads(report_path.read_text(encoding="utf-8"))
            out = folder / f"spark{n}.jsonl"
            wall_all, peak_spark, _ = _run(
                [sys.executable, __file__, "--worker", str(parts), "--worker-out", str(out)], env
            )
            got = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
            same = _same(got["report"], local)
            ok &= same
            st = got["seconds"]
            print(f"{n:>10,} in-process {wall_local:7.1f} s {peak_local / 2**30:6.2f} GB")
            print(
                f"{n:>10,} spark      {got['wall']:7.1f} s {peak_spark / 2**30:6.2f} GB   "
                + " ".join(f"{k} {v:.1f}" for k, v in st.items())
                + f" / {got['passes']} passes / {got['jobs']} jobs / "
                f"{got['shuffle_bytes'] / max(1, got['report']['summary']['agents']):.0f} "
                f"shuffle bytes per agent; session start {got['startup']:.1f} s, process "
                f"{wall_all:.1f} s; {got['partitions']} partitions, largest network listed "
                f"{got['largest_network']:,}; ratio {got['wall'] / wall_local:.1f}x; "
                f"report {'identical' if same else 'DIFFERENT'}"
            )
        chains = [str(_chain(folder, d)) for d in depths]
        out = folder / "chains.jsonl"
        if chains:
            _run([sys.executable, __file__, "--worker", *chains, "--worker-out", str(out)], env)
            print("depth      passes (ceil(log2 depth) + 1)   wall")
        lines = out.read_text(encoding="utf-8").splitlines() if chains else []
        for line, d in zip(lines, depths, strict=True):
            got = json.loads(line)
            want = math.ceil(math.log2(d)) + 1
            print(
                f"{d:>10,} {got['passes']:>3} ({want})   {got['wall']:6.1f} s   jobs {got['jobs']}"
            )
            ok &= got["report"]["summary"]["max_levels"] == d
        if args.payments:
            ok &= _with_payments(folder, args.payments, exe, env)
        if args.large:
            ok &= _large(folder, args.large, args.large_limit, exe, env)
    print(f"reports identical and chains measured: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
