"""Reading a 1M-row mysqldump member table against reading the same rows as CSV.

What it does:

1. writes a mysqldump 8.0-shaped dump of a CRMEB-like ``eb_user`` table (uid,
   nickname with quotes, backslashes and Chinese, spread_uid, phone with some NULLs,
   add_time, path like ``/0/12/``) with the writer of tests/test_sqldump_writers.py
   (extended INSERT lines cut at mysqldump's default net_buffer_length, 1 MiB), plus
   a small second table before it that is skipped; and the same rows as a plain
   CSV file;
2. times ``read_sql_dump(open(dump), table=None, accepts=...)`` and
   ``pyarrow.csv.read_csv`` of the CSV with every column read as a string, each
   ``--runs`` times, alternating, in the same process;
3. prints the medians, the ratio, and the 5 s budget of issue 11.

Run: ``python bench/bench_sqldump.py`` (``--rows 200000`` for a quick look).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agentgraph.loaders.sqldump import read_sql_dump  # noqa: E402

from tests.test_sqldump_writers import EB_USER, eb_user_rows, write_mysqldump  # noqa: E402

BUDGET_S = 5.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dump, plain = Path(tmp) / "crmeb.sql", Path(tmp) / "eb_user.csv"
        t0 = time.perf_counter()
        rows = eb_user_rows(args.rows)
        orders = [(i, f"wx{i:08d}", i % 7, f"{i % 50}.50") for i in range(1, 5000)]
        order_cols = (("id", "int"), ("order_id", "varchar(32)"), ("uid", "int"), ("pay", "dec"))
        write_mysqldump(dump, [("eb_store_order", order_cols, orders), ("eb_user", EB_USER, rows)])
        with plain.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([c for c, _ in EB_USER])
            w.writerows(rows)
        del rows
        mb = dump.stat().st_size / 1e6
        csv_mb = plain.stat().st_size / 1e6
        took = time.perf_counter() - t0
        print(f"wrote {args.rows:,} rows: dump {mb:.0f} MB, CSV {csv_mb:.0f} MB ({took:.1f} s)")
        names = [c for c, _ in EB_USER]
        convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
        sql_t, csv_t = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            with dump.open("rb") as fh:
                got = read_sql_dump(fh, "crmeb.sql", accepts=lambda h: "spread_uid" in h)
            sql_t.append(time.perf_counter() - t)
            assert got.name == "eb_user" and got.table.num_rows == args.rows
            t = time.perf_counter()
            ref = pacsv.read_csv(plain, convert_options=convert)
            csv_t.append(time.perf_counter() - t)
            assert ref.num_rows == args.rows
        assert (
            got.table.column("nickname").to_pylist()[:50] == ref.column("nickname").to_pylist()[:50]
        )
        s, c = statistics.median(sql_t), statistics.median(csv_t)
        print(f"read_sql_dump: median {s:.2f} s of {[round(x, 2) for x in sql_t]} "
              f"({args.rows / s / 1e6:.2f} M rows/s, {mb / s:.0f} MB/s)")  # fmt: skip
        print(f"pyarrow CSV:   median {c:.2f} s of {[round(x, 2) for x in csv_t]}")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"ratio {s / c:.1f}x the plain CSV; budget {BUDGET_S:.0f} s for 1M rows: "
              f"{'met' if s <= BUDGET_S * args.rows / 1e6 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
