"""What telling an export's shape costs a whole scan, against the same scan told everything.

A 10M-row member CSV of a CRMEB-like platform (``uid``, ``spread_uid`` with ``0`` for
no upline, ``spread_time`` as ``2023/1/5 9:05``, ``nickname``) is scanned end to end
(read, build, measure, report) twice, interleaved so that load on the shared machine
hits both alike:

- ``detected``: ``agentgraph.scan(path)``: encoding, delimiter, schema, columns and the
  date format found by agentgraph;
- ``given``: ``agentgraph.scan(path, encoding=..., columns=..., date_format=...)``:
  everything stated, so nothing is detected (the no-upline values are read either
  way: they are the answer, not detection);
- ``gzip``: the same file as ``.csv.gz``, detected, streamed through gzip.

Prints the median of ``--repeat`` runs of each and the ratios (issue 11's budgets:
detection adds <= 5%; a 10M-row ``.csv.gz`` <= 1.5x the plain CSV), and checks
that all three give the same report.

    python bench/bench_detection.py [--rows 10000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

import agentgraph

DATA = Path(__file__).resolve().parent / "data"


def write_platform(rows: int, path: Path, seed: int = 0) -> None:
    """A random recursive tree; a fifth of the users top-level (spread_uid 0)."""
    rng = np.random.default_rng(seed)
    uid = np.arange(1, rows + 1, dtype=np.int64)
    parent = (rng.random(rows) * np.arange(rows)).astype(np.int64)  # an earlier user
    parent[rng.random(rows) < 0.2] = 0
    parent[0] = 0
    minutes = rng.integers(0, 3 * 365 * 24 * 60, rows)
    base = np.datetime64("2021-01-01T00:00")
    stamps = pa.array((base + minutes.astype("timedelta64[m]")).astype("datetime64[s]"))
    text = pc.strftime(stamps, format="%Y/%m/%d %H:%M")
    text = pc.replace_substring_regex(text, r"/0(\d)", r"/\1")  # 2023/1/5 spellings
    text = pc.replace_substring_regex(text, r" 0(\d):", r" \1:")
    table = pa.table(
        {
            "uid": pa.array(uid.astype(str)),
            "spread_uid": pa.array(parent.astype(str)),
            "spread_time": text,
            "nickname": pa.array(np.char.add("用户", (uid % 9973).astype(str))),
        }
    )
    pacsv.write_csv(table, path)


def main() -> None:
    """Run the comparison and print one JSON line per case plus the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"crmeb_eb_user_{args.rows}.csv"
    if not path.exists():
        write_platform(args.rows, path)
    gz = path.with_name(path.name + ".gz")
    if not gz.exists():
        with pa.OSFile(str(path), "rb") as src, pa.CompressedOutputStream(str(gz), "gzip") as dst:
            while chunk := src.read(1 << 24):
                dst.write(chunk)
    given = {
        "encoding": "utf-8",
        "columns": {"agent_id": "uid", "upline_id": "spread_uid", "joined_at": "spread_time"},
        "date_format": "%Y/%m/%d %H:%M",
    }
    agentgraph.scan("fixtures/chain5.csv").report()  # imports and compiled kernels, once
    times: dict[str, list[float]] = {"detected": [], "given": [], "gzip": []}
    reports: dict[str, dict[str, object]] = {}
    for _ in range(args.repeat):
        for case, src, options in (
            ("detected", path, {}),
            ("given", path, given),
            ("gzip", gz, {}),
        ):
            t0 = time.perf_counter()
            report = agentgraph.scan(src, **options).report(max_networks=10)
            times[case].append(time.perf_counter() - t0)
            reports[case] = report
    a, b, c = reports["detected"], reports["given"], reports["gzip"]
    same = all(x["summary"] == a["summary"] and x["networks"] == a["networks"] for x in (b, c))
    for case, ts in times.items():
        print(json.dumps({"case": case, "rows": args.rows, "median_s": statistics.median(ts)}))
    med = {case: statistics.median(ts) for case, ts in times.items()}
    print(
        json.dumps(
            {
                "detected_over_given": round(med["detected"] / med["given"], 3),
                "gzip_over_plain": round(med["gzip"] / med["detected"], 3),
                "same_report": same,
            }
        )
    )


if __name__ == "__main__":
    main()
