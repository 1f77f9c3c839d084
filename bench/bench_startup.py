"""Start-up benchmark: what a user waits for before anything runs.

Whole processes, the median of ``--repeat`` runs each, peers in the same run:

- ``python -c pass``: the interpreter alone (the floor);
- ``python -c "import agentgraph"``: the lazy package (target <= 0.3 s);
- ``python -c "import agentgraph.analysis"``: the engine (numba, pyarrow), what
  ``import agentgraph`` loaded before the package became lazy;
- ``agentgraph --version`` and ``agentgraph --help`` (target <= 0.4 s);
- ``agentgraph scan fixtures/boundary_30_3.csv``: a first real answer, compiled
  kernels cached (numba's cache is warmed by one untimed run).

Prints one line per command (median seconds, peak RSS in MB, ratio to the engine
import) and exits 1 when a target is missed. The machine is shared: quote medians.

    python bench/bench_startup.py [--repeat 15] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = str(BIN / "agentgraph")

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import agentgraph": [sys.executable, "-c", "import agentgraph"],
    "import agentgraph.analysis (engine)": [sys.executable, "-c", "import agentgraph.analysis"],
    "agentgraph --version": [CLI, "--version"],
    "agentgraph --help": [CLI, "--help"],
    "agentgraph scan (30-row fixture)": [CLI, "scan", "fixtures/boundary_30_3.csv"],
}
TARGETS = {"import agentgraph": 0.3, "agentgraph --help": 0.4}


def run_once(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(
        cmd,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "AGENTGRAPH_NO_PROGRESS": "1"},
    )
    sec = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return sec, max(peak, before) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    run_once(COMMANDS["agentgraph scan (30-row fixture)"])  # compiled-kernel cache warm
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    peaks: dict[str, float] = {}
    for _ in range(args.repeat):  # interleaved, so load on the machine hits all alike
        for name, cmd in COMMANDS.items():
            sec, _ = run_once(cmd)
            times[name].append(sec)
    for name, cmd in COMMANDS.items():  # peak RSS: one run each in a fresh child
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
                    "stdout=subprocess.DEVNULL); "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
                ),
                *cmd,
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        peaks[name] = int(out) / 1024
    engine = statistics.median(times["import agentgraph.analysis (engine)"])
    failed = []
    results = {}
    for name in COMMANDS:
        med = statistics.median(times[name])
        target = TARGETS.get(name)
        ok = target is None or med <= target
        if not ok:
            failed.append(name)
        results[name] = {
            "median_s": round(med, 3),
            "peak_mb": round(peaks[name], 1),
            "vs_engine_import": round(med / engine, 2),
            "target_s": target,
        }
        mark = "" if target is None else (f"  target <= {target} s: " + ("met" if ok else "MISSED"))
        print(
            f"{name:40s} {med:6.3f} s  {peaks[name]:7.1f} MB  "
            f"{med / engine:5.2f}x engine import{mark}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
