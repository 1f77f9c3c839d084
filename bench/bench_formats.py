"""Reading the formats of real exports, against the plain CSV path in the same run.

Times :func:`agentgraph.loaders.files.read_table` (the raw table every loader reads)
on the same member rows in several shapes, interleaved so that load on the shared
machine hits every shape alike, and prints the median of ``--repeat`` runs and its
ratio to the plain CSV read:

- ``csv``: a 10M-row member CSV (``agent_id,upline_id,joined_at,rank``, phone ids);
- ``csv.gz`` and ``csv.zst``: the same bytes compressed (Arrow's default levels),
  read streamed (budget: ``csv.gz`` <= 1.5x ``csv``);
- ``xlsx``: a 1M-row x 4-column workbook written by xlsxwriter (constant_memory),
  numbers, text and date-time cells (budget: <= 6 s).

Inputs are cached under ``bench/data/`` (``--rebuild`` to write them again).

    python bench/bench_formats.py [--rows 10000000] [--xlsx-rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from agentgraph.loaders.files import read_table

from agentgraph.tables import Reading

DATA = Path(__file__).resolve().parent / "data"


def member_table(rows: int, seed: int = 0) -> pa.Table:
    """Phone-id members of a random recursive tree, times and ranks as text."""
    rng = np.random.default_rng(seed)
    phones = 13_000_000_000 + rng.permutation(rows).astype(np.int64) * 7 + 11
    ids = pa.array(phones.astype(str))
    parent = (rng.random(rows) * np.arange(rows)).astype(np.int64)
    ups = pa.array(phones[parent].astype(str), mask=np.arange(rows) == 0)
    start = np.datetime64("2018-01-01T00:00:00")
    joined = start + np.sort(rng.integers(0, 5 * 365 * 86400, rows)).astype("timedelta64[s]")
    ranks = np.array(["总代", "一级代理", "二级代理", "三级代理"])[rng.integers(0, 4, rows)]
    return pa.table(
        {
            "agent_id": ids,
            "upline_id": ups,
            "joined_at": pa.array(np.datetime_as_string(joined).astype(object)).cast(pa.string()),
            "rank": pa.array(ranks),
        }
    )


def build_csv(rows: int, rebuild: bool) -> dict[str, Path]:
    plain = DATA / f"formats_{rows}.csv"
    out = {"csv": plain, "csv.gz": DATA / f"{plain.name}.gz", "csv.zst": DATA / f"{plain.name}.zst"}
    if rebuild or not plain.exists():
        DATA.mkdir(exist_ok=True)
        part = plain.with_name(plain.name + ".part")
        pacsv.write_csv(member_table(rows), part)
        part.rename(plain)
    for key, codec in (("csv.gz", "gzip"), ("csv.zst", "zstd")):
        if rebuild or not out[key].exists():
            part = out[key].with_name(out[key].name + ".part")
            with (
                pa.input_stream(str(plain)) as src,
                pa.output_stream(str(part), compression=codec) as dst,
            ):
                while chunk := src.read(1 << 24):
                    dst.write(chunk)
            part.rename(out[key])
    return out


def build_xlsx(rows: int, rebuild: bool) -> Path:
    import xlsxwriter

    path = DATA / f"formats_{rows}.xlsx"
    if path.exists() and not rebuild:
        return path
    DATA.mkdir(exist_ok=True)
    table = member_table(rows, seed=1)
    part = path.with_name(path.name + ".part.xlsx")
    wb = xlsxwriter.Workbook(str(part), {"constant_memory": True})
    ws = wb.add_worksheet("会员")
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, ["会员编号", "推荐人", "注册时间", "等级"])
    ids = table.column("agent_id").to_pylist()
    ups = table.column("upline_id").to_pylist()
    ranks = table.column("rank").to_pylist()
    base = dt.datetime(2018, 1, 1)
    for k in range(rows):
        ws.write_number(k + 1, 0, int(ids[k]))  # phone numbers typed in as numbers
        if ups[k] is not None:
            ws.write_string(k + 1, 1, ups[k])
        ws.write_datetime(k + 1, 2, base + dt.timedelta(seconds=97 * k), when)
        ws.write_string(k + 1, 3, ranks[k])
    wb.close()
    part.rename(path)
    return path


def timed(fn: Callable[[], pa.Table]) -> tuple[float, pa.Table]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    inputs: dict[str, Path] = build_csv(args.rows, args.rebuild)
    inputs["xlsx"] = build_xlsx(args.xlsx_rows, args.rebuild)
    times: dict[str, list[float]] = {k: [] for k in inputs}
    shapes: dict[str, tuple[int, int]] = {}
    for _ in range(args.repeat):
        for key, path in inputs.items():
            reading = Reading(str(path))
            secs, table = timed(lambda p=path, r=reading: read_table(p, reading=r))
            times[key].append(secs)
            shapes[key] = (table.num_rows, table.num_columns)
            del table
    base = statistics.median(times["csv"])
    for key, runs in times.items():
        med = statistics.median(runs)
        row = {
            "input": key,
            "rows": shapes[key][0],
            "columns": shapes[key][1],
            "bytes": inputs[key].stat().st_size,
            "median_s": round(med, 3),
            "runs_s": [round(t, 3) for t in runs],
            "vs_plain_csv": round(med / base, 2),
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
