"""What the read limits cost: a 10M-row member table read with and without the checks.

Times, interleaved in the same run (the machine is shared), the median of
``--repeat`` runs (wall-clock and CPU seconds, the CPU time of every thread being
the steadier figure on a loaded machine) of:

- ``csv``: :func:`agentgraph.loaders.files.read_table` of a 10M-row CSV (the checks:
  the header's columns, then rows and every text cell's size once read) against
  :func:`agentgraph.loaders.delimited.read_delimited` on the same file (no checks),
  and the checks alone (:func:`agentgraph.loaders.limits.check_read`);
- ``parquet``: ``read_table`` of the same rows as Parquet (footer checks, then
  batches of :data:`agentgraph.loaders.parquet.BATCH` rows, each batch's ids and
  cells checked) against ``pyarrow.parquet.ParquetFile.read()`` (the read before the
  limits), and the per-batch checks alone.

Inputs are the rows of ``bench_formats.member_table``, cached under ``bench/data/``.

    python bench/bench_limits.py [--rows 10000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from agentgraph.loaders.delimited import read_delimited, text_head
from agentgraph.loaders.files import read_table
from agentgraph.loaders.limits import DEFAULT_LIMITS, check_fields, check_ids, check_read
from agentgraph.loaders.parquet import BATCH
from bench_formats import member_table

DATA = Path(__file__).resolve().parent / "data"


def inputs(rows: int) -> tuple[Path, Path]:
    csv, parquet = DATA / f"limits_{rows}.csv", DATA / f"limits_{rows}.parquet"
    if not (csv.exists() and parquet.exists()):
        DATA.mkdir(exist_ok=True)
        t = member_table(rows)
        pacsv.write_csv(t, csv)
        pq.write_table(t, parquet)
    return csv, parquet


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    csv, parquet = inputs(args.rows)
    head = text_head(lambda: pa.OSFile(str(csv)), str(csv), None)
    csv_table = read_table(csv)
    pq_table = pq.ParquetFile(parquet).read()

    def batches_checked() -> None:
        with pq.ParquetFile(parquet) as f:
            seen = 0
            for b in f.iter_batches(batch_size=BATCH):
                check_ids(b, ["agent_id", "upline_id"], DEFAULT_LIMITS, "p", seen)
                check_fields(b, DEFAULT_LIMITS, "p", seen, ["agent_id", "upline_id"])
                seen += b.num_rows

    def checks_on_batches() -> None:
        seen = 0
        for b in pq_table.to_batches(max_chunksize=BATCH):
            check_ids(b, ["agent_id", "upline_id"], DEFAULT_LIMITS, "p", seen)
            check_fields(b, DEFAULT_LIMITS, "p", seen, ["agent_id", "upline_id"])
            seen += b.num_rows

    runs: dict[str, Callable[[], object]] = {
        "csv: read_delimited (no checks)": lambda: read_delimited(
            lambda: pa.OSFile(str(csv)), str(csv), head
        ),
        "csv: read_table (checked)": lambda: read_table(csv),
        "csv: check_read alone": lambda: check_read(csv_table, DEFAULT_LIMITS, "c"),
        "parquet: ParquetFile.read() (before)": lambda: pq.ParquetFile(parquet).read(),
        "parquet: read_table (batched, checked)": lambda: read_table(parquet),
        "parquet: iter_batches + checks, not kept": batches_checked,
        "parquet: the checks alone": checks_on_batches,
    }
    got: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    for _ in range(args.repeat):
        for name, fn in runs.items():
            got[name].append(timed(fn))
    print(f"{args.rows:,} rows, median of {args.repeat} (interleaved): wall s, CPU s")
    for name, ts in got.items():
        wall = statistics.median(t[0] for t in ts)
        cpu = statistics.median(t[1] for t in ts)
        print(f"  {name:42s} {wall:7.3f} {cpu:7.3f}")


if __name__ == "__main__":
    main()
