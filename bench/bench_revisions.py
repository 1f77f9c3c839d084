"""This tree against another checkout of agentgraph, same run: did a change move a figure?

Both run the same command line, whole processes (imports, reading, analysis, report
written), interleaved so that load on the shared machine hits both alike:

- ``scan`` of the bench_scan forests (1M and 10M phone-id agents, Parquet);
- ``scan --payments --orders`` of the bench_money input (1M agents, ~2M payments,
  1M orders, ~20k flagged networks with their evidence);
- ``scan`` of a 30-row fixture (start-up dominated).

For each case: the median of ``--repeat`` runs of each tree, the ratio other/this
(1.00 = the same; the machine's noise is about +-10%), peak RSS, and whether both
wrote the same report (timestamps aside). The other checkout needs its own
environment with agentgraph installed from it (``--other-cli`` is its
``agentgraph`` executable). Build the inputs first with bench_scan.py and
bench_money.py (cached under bench/data/) or let this script build them.

    python bench/bench_revisions.py --other-cli ../old/.venv/bin/agentgraph [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_money  # noqa: E402
import bench_scan  # noqa: E402

CHILD = r"""
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(proc.returncode)
"""


def cases(sizes: list[int], money: int) -> dict[str, list[str]]:
    """Case name -> CLI arguments after ``agentgraph``."""
    out = {"fixture 30 rows": ["scan", str(ROOT / "fixtures/boundary_30_3.csv")]}
    for n in sizes:
        out[f"scan {n:,}"] = ["scan", str(bench_scan.make_input(n))]
    if money:
        members = bench_money.make_input(money)
        out[f"money {money:,}"] = [
            "scan",
            str(members),
            "--payments",
            str(members).replace("members", "payments"),
            "--orders",
            str(members).replace("members", "orders"),
        ]
    return out


def run(cli: str, args: list[str], out: Path) -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and the report (timestamp blanked) of one whole run."""
    import time

    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, cli, *args, "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"AGENTGRAPH_NO_PROGRESS": "1", "PATH": "/usr/bin:/bin"},
    )
    sec = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{cli} {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    peak = int(proc.stdout.strip().splitlines()[-1]) / 1024
    text = re.sub(r'"generated_at":"[^"]*"', '"generated_at":""', out.read_text("utf-8"))
    return sec, peak, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--other-cli", required=True, help="the other checkout's agentgraph")
    ap.add_argument("--this-cli", default=str(Path(sys.executable).parent / "agentgraph"))
    ap.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    ap.add_argument("--money", type=int, default=1_000_000, help="0: no money case")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    todo = cases(args.sizes, args.money)
    clis = {"this": args.this_cli, "other": args.other_cli}
    times = {(c, w): [] for c in todo for w in clis}
    peaks = {(c, w): [] for c in todo for w in clis}
    reports: dict[tuple[str, str], str] = {}
    with tempfile.TemporaryDirectory() as d:
        for _ in range(args.repeat):
            for case, cmd in todo.items():
                for who, cli in clis.items():
                    sec, peak, text = run(cli, cmd, Path(d) / "report.json")
                    times[(case, who)].append(sec)
                    peaks[(case, who)].append(peak)
                    reports[(case, who)] = text
    rows = []
    print(
        f"{'case':22s} {'this s':>8s} {'other s':>8s} {'other/this':>10s} "
        f"{'this MB':>8s} {'other MB':>8s}  same report"
    )
    for case in todo:
        a = statistics.median(times[(case, "this")])
        b = statistics.median(times[(case, "other")])
        ma = statistics.median(peaks[(case, "this")])
        mb = statistics.median(peaks[(case, "other")])
        same = reports[(case, "this")] == reports[(case, "other")]
        rows.append(
            {
                "case": case,
                "this_s": a,
                "other_s": b,
                "ratio": b / a,
                "this_mb": ma,
                "other_mb": mb,
                "same_report": same,
                "this_runs": times[(case, "this")],
                "other_runs": times[(case, "other")],
            }
        )
        print(f"{case:22s} {a:8.2f} {b:8.2f} {b / a:10.2f} {ma:8.0f} {mb:8.0f}  {same}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["same_report"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
