"""Time-column benchmark: format detection against the previous time_column, same run.

Input: 10M-row (``--rows``) text columns of random times in 2020-2022, as a CSV
reader hands them over (``string``, one chunk per 64 MiB):

- ``iso``: ``2021-06-02T03:23:00`` (zero-padded ISO 8601);
- ``slash``: ``2021/6/2 3:23`` (unpadded, the way Chinese admin panels export).

Timed (medians of ``--repeat`` rounds in this process, after one warm-up; the
cases of a column run round-robin):

- ``before``: ``time_column`` of the checkout ``--before`` (default ``d0f10d5``,
  the commit before detection), loaded from git into this process. It fails on
  ``slash`` (it rewrote the cells and could not read ``3:23``); the time to that
  failure is reported;
- ``after``: the current ``time_column`` (detection, then one pass);
- ``given``: the current ``time_column`` with the format given
  (``date_format=...``, detection skipped) - ``after / given`` is what detection
  costs;
- ``arrow``: the bare Arrow parse (``pc.cast`` for ISO, ``pc.strptime`` for
  slash), a floor that does no trimming, null handling or strictness check.

    python bench/bench_dates.py [--rows 10000000] [--repeat 3] [--before REV]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.values import time_column

ROOT = Path(__file__).resolve().parents[1]


def columns(rows: int) -> dict[str, pa.ChunkedArray]:
    """The two text columns, built from the same random instants."""
    rng = np.random.default_rng(7)
    secs = 1577836800 + rng.integers(0, 3 * 365 * 86400, rows) // 60 * 60
    ts = pa.array(secs.astype("datetime64[s]"))
    iso = pc.strftime(ts, "%Y-%m-%dT%H:%M:%S")

    def num(fmt: str) -> pa.Array:
        return pc.cast(pc.cast(pc.strftime(ts, fmt), pa.int64()), pa.string())

    day = pc.binary_join_element_wise(pc.strftime(ts, "%Y"), num("%m"), num("%d"), "/")
    clock = pc.binary_join_element_wise(num("%H"), pc.strftime(ts, "%M"), ":")
    slash = pc.binary_join_element_wise(day, clock, " ")
    step = 2_000_000
    return {
        "iso": pa.chunked_array([iso.slice(k, step) for k in range(0, rows, step)]),
        "slash": pa.chunked_array([slash.slice(k, step) for k in range(0, rows, step)]),
    }


def old_time_column(rev: str) -> Callable[..., pa.ChunkedArray]:
    """``time_column`` as it was at ``rev`` (loaded from git, run in this process)."""
    src = subprocess.run(
        ["git", "show", f"{rev}:loaders/values.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    mod = types.ModuleType("old_values")
    exec(compile(src, f"{rev}:loaders/values.py", "exec"), mod.__dict__)
    fn: Callable[..., pa.ChunkedArray] = mod.time_column
    return fn


def timed(cases: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, str]]:
    """Median seconds of ``repeat`` rounds (after one warm-up) and how each case ended.

    The cases run round-robin, so a slow spell of a shared machine hits them alike.
    """
    outcome = dict.fromkeys(cases, "ok")
    for name, fn in cases.items():
        try:
            fn()
        except Exception as exc:  # the old loader fails on the slash column
            outcome[name] = f"fails: {str(exc)[:90]}"
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            start = time.perf_counter()
            with contextlib.suppress(Exception):
                fn()
            runs[name].append(time.perf_counter() - start)
    return {name: (statistics.median(runs[name]), outcome[name]) for name in cases}


def main() -> None:
    """Run the benchmark and print a table of medians and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", default="d0f10d5")
    args = ap.parse_args()
    old = old_time_column(args.before)
    cols = columns(args.rows)
    given = {"iso": "%Y-%m-%dT%H:%M:%S", "slash": "%Y/%m/%d %H:%M"}
    print(f"rows {args.rows:,}, medians of {args.repeat}, python {sys.version.split()[0]}")
    for name, col in cols.items():
        fmt = given[name]

        def bare(col: pa.ChunkedArray = col, fmt: str = fmt, name: str = name) -> object:
            if name == "iso":
                return pc.cast(col, pa.timestamp("s"))
            return pc.strptime(col, fmt, "s")

        cases = {
            "before": lambda col=col: old(col, "at", "bench"),
            "after": lambda col=col: time_column(col, "at", "bench"),
            "given": lambda col=col, fmt=fmt: time_column(col, "at", "bench", date_format=fmt),
            "arrow": bare,
        }
        got = timed(cases, args.repeat)
        after = got["after"][0]
        for k, (sec, outcome) in got.items():
            print(f"{name:6s} {k:7s} {sec:8.3f} s  after/this {after / sec:5.2f}  {outcome}")


if __name__ == "__main__":
    main()
