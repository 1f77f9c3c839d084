"""Read member tables and edge lists from CSV, Parquet or JSON Lines.

Every reader returns a normalised :class:`~agentgraph.tables.Relations`
whose id columns are strings (never numbers: "007" stays "007"), or raises
:class:`~agentgraph.errors.InputError` naming the file, the row and the problem.
Nothing is written anywhere.

Complexity: one pass over the file through Arrow's readers; CSV in GB18030 is
transcoded on the fly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
from agentgraph.loaders.columns import resolve_columns
from agentgraph.loaders.encoding import detect_encoding, first_bad_line, normalise_encoding

from agentgraph.errors import InputError
from agentgraph.tables import Relations

__all__ = ["read_relations", "input_format", "FORMATS"]

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_ID_COLUMNS = ("agent_id", "upline_id", "downline_id")
_DATE_FIXES = (  # 2024/1/5 08:00 -> 2024-01-05T08:00 (RE2: no look-ahead)
    (r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3"),
    (r"^(\d{4})-(\d)-", r"\1-0\2-"),
    (r"^(\d{4}-\d{2})-(\d)$", r"\1-0\2"),
    (r"^(\d{4}-\d{2})-(\d)([ T])", r"\1-0\2\3"),
    (r"^(\d{4}-\d{2}-\d{2}) ", r"\1T"),
)
_KIND_VALUES = {
    "recruited": "recruited",
    "recruit": "recruited",
    "推荐": "recruited",
    "招募": "recruited",
    "supplies": "supplies",
    "supply": "supplies",
    "供货": "supplies",
}


def input_format(path: Path, fmt: str | None = None) -> str:
    """``csv``, ``parquet`` or ``jsonl`` from ``fmt`` or the file's suffix."""
    if fmt:
        if fmt not in ("csv", "parquet", "jsonl"):
            raise InputError(f"unknown format {fmt!r} (csv, parquet, jsonl)", source=str(path))
        return fmt
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"cannot tell the format from the suffix {path.suffix!r}; use "
            "--input-format csv|parquet|jsonl",
            source=str(path),
        )
    return found


def _row_of(message: str) -> int | None:
    m = re.search(r"row #?(\d+)", message, re.IGNORECASE)
    return int(m.group(1)) if m else None


def _read_csv(path: Path, source: str, encoding: str | None) -> pa.Table:
    codec = normalise_encoding(encoding) if encoding else detect_encoding(path, source)
    with path.open("rb") as fh:
        head = fh.readline()
    tabbed = path.suffix.lower() == ".tsv" or (b"\t" in head and b"," not in head)
    delimiter = "\t" if tabbed else ","
    try:
        header = head.decode(codec).lstrip("\ufeff").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(f"header is not valid {codec}", source=source, row=0) from None
    names = [c.strip().strip('"') for c in header.split(delimiter)]
    if not any(names):
        raise InputError("no header row (the first line is empty)", source=source, row=0)
    as_string = {n: pa.string() for n in names}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=codec, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types=as_string,
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        msg = str(exc)
        if "UTF8" in msg or isinstance(exc, UnicodeDecodeError):
            row = first_bad_line(path, codec)
            raise InputError(
                f"bytes that are not valid {codec} (give the encoding with --encoding)",
                source=source,
                row=row,
            ) from None
        raise InputError(
            f"not a readable CSV file: {msg.splitlines()[0]}", source=source, row=_row_of(msg)
        ) from None
    return table


def _read_parquet(path: Path, source: str) -> pa.Table:
    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"not a readable Parquet file: {str(exc).splitlines()[0]}", source=source
        ) from None


def _read_jsonl(path: Path, source: str) -> pa.Table:
    if path.stat().st_size == 0:
        raise InputError("file is empty", source=source)
    try:
        return pajson.read_json(path, read_options=pajson.ReadOptions(block_size=1 << 24))
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "changed from" in msg:  # ids written as numbers in some rows, strings in others
            return _read_jsonl_mixed(path, source)
        row = _row_of(msg)
        raise InputError(
            f"not readable JSON Lines: {msg.splitlines()[0]}",
            source=source,
            row=row + 1 if row is not None else None,
        ) from None


def _read_jsonl_mixed(path: Path, source: str) -> pa.Table:
    """Slow path for JSON Lines whose columns mix numbers and strings: every
    scalar that is not a string becomes its JSON text (7 -> "7"). O(rows) Python.
    """
    rows: list[dict[str, object]] = []
    with path.open("rb") as fh:
        for k, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise InputError(f"not readable JSON Lines: {exc}", source=source, row=k) from None
            if not isinstance(obj, dict):
                raise InputError("each line must be a JSON object", source=source, row=k)
            rows.append(
                {
                    key: v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                    for key, v in obj.items()
                }
            )
    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    return pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})


def as_string(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col
    if pa.types.is_integer(col.type) or pa.types.is_null(col.type):
        return pc.cast(col, pa.string())
    if pa.types.is_dictionary(col.type):
        return pc.cast(col, pa.string())
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
        try:
            return pc.cast(col, pa.string())
        except pa.ArrowInvalid:
            raise InputError("ids are not valid UTF-8", source=source, column=name) from None
    raise InputError(
        f"ids must be strings or integers, found {col.type}", source=source, column=name
    )


def first_true(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.index(mask, True).as_py())


def time_column(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    if pa.types.is_timestamp(col.type):
        return col
    if pa.types.is_date(col.type):
        return pc.cast(col, pa.timestamp("s"))
    if pa.types.is_integer(col.type):  # epoch seconds
        return pc.cast(col, pa.timestamp("s"))
    text = pc.utf8_trim_whitespace(as_string(col, name, source))
    for pattern, repl in _DATE_FIXES:
        text = pc.replace_substring_regex(text, pattern, repl)
    try:
        return pc.cast(text, pa.timestamp("s"))
    except pa.ArrowInvalid:
        parsed = [
            pc.strptime(chunk, "%Y-%m-%dT%H:%M:%S", "s", error_is_null=True)
            for chunk in text.chunks
        ]
        ok = pa.chunked_array(parsed, pa.timestamp("s"))
        date_only = pc.cast(
            pc.strptime(text, "%Y-%m-%d", "s", error_is_null=True), pa.timestamp("s")
        )
        ok = pc.coalesce(ok, date_only)
        bad = pc.and_(pc.is_valid(text), pc.is_null(ok))
        if pc.any(bad).as_py():
            k = first_true(bad)
            raise InputError(
                f"{text[k].as_py()!r} is not a date or time (use ISO 8601, "
                "e.g. 2024-05-01 or 2024-05-01T08:30:00)",
                source=source,
                row=k + 1,
                column=name,
            ) from None
        return ok


def _normalise(
    table: pa.Table, kind: str | None, mapping: dict[str, str] | None, source: str
) -> Relations:
    names = table.column_names
    cols = resolve_columns(names, mapping, source)
    if kind is None:
        kind = "edges" if "downline_id" in cols else "members"
    need = ("agent_id", "upline_id") if kind == "members" else ("upline_id", "downline_id")
    missing = [c for c in need if c not in cols]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} for a "
            f"{'member table' if kind == 'members' else 'edge list'} "
            f"(found: {', '.join(names) or 'none'}); map a column with "
            f"--column {missing[0]}=NAME",
            source=source,
            column=missing[0],
        )
    if table.num_rows == 0:
        raise InputError("no data rows (only a header)", source=source)
    wanted = (
        ["agent_id", "upline_id", "joined_at", "rank"]
        if kind == "members"
        else ["upline_id", "downline_id", "kind", "at"]
    )
    out_names: list[str] = []
    out_cols: list[pa.ChunkedArray] = []
    used = set()
    for canon in wanted:
        if canon not in cols:
            continue
        real = cols[canon]
        used.add(real)
        col = table.column(real)
        if canon in _ID_COLUMNS:
            col = as_string(col, real, source)
            must = canon != "upline_id" or kind == "edges"
            if must and col.null_count:
                k = first_true(pc.is_null(col))
                raise InputError(f"empty {canon}", source=source, row=k + 1, column=real)
        elif canon in ("joined_at", "at"):
            col = time_column(col, real, source)
        elif canon == "rank":
            col = pc.cast(col, pa.string())
        elif canon == "kind":
            col = _kind_column(col, real, source)
        out_names.append(canon)
        out_cols.append(col)
    for name in names:
        if name not in used:
            out_names.append(name)
            out_cols.append(table.column(name))
    rel_kind: Literal["members", "edges"] = "members" if kind == "members" else "edges"
    return Relations(rel_kind, pa.table(out_cols, names=out_names), source)


def _kind_column(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    text = pc.utf8_lower(pc.utf8_trim_whitespace(as_string(col, name, source)))
    keys = pa.array(list(_KIND_VALUES))
    vals = pa.array(list(_KIND_VALUES.values()))
    idx = pc.index_in(text, value_set=keys)
    bad = pc.and_(pc.is_valid(text), pc.is_null(idx))
    if pc.any(bad).as_py():
        k = first_true(bad)
        raise InputError(
            f"kind {text[k].as_py()!r} is not recruited or supplies",
            source=source,
            row=k + 1,
            column=name,
        )
    return pc.take(vals, idx)


def read_relations(
    path: str | Path,
    *,
    kind: str | None = None,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
) -> Relations:
    """Read a member table or an edge list.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 with or without BOM, GB18030/GBK detected), Parquet or JSON Lines.
    kind : {"members", "edges"}, optional
        Default: ``edges`` when a ``downline_id`` column is found, else ``members``.
    columns : dict, optional
        Canonical name -> column name in the file, e.g. ``{"agent_id": "会员编号"}``.
    encoding : str, optional
        CSV text encoding; detected when not given.
    fmt : {"csv", "parquet", "jsonl"}, optional
        Default: from the suffix.

    Raises
    ------
    InputError
        Missing file, no header, missing columns, empty file, binary garbage,
        undecodable bytes, bad dates: the message names the file, row and column.
    """
    p = Path(path)
    source = str(path)
    if kind not in (None, "members", "edges"):
        raise InputError(f"unknown kind {kind!r} (members or edges)", source=source)
    if not p.exists():
        raise InputError("no such file", source=source)
    if p.is_dir():
        raise InputError("is a folder, not a file", source=source)
    form = input_format(p, fmt)
    if form == "csv":
        table = _read_csv(p, source, encoding)
    elif form == "parquet":
        table = _read_parquet(p, source)
    else:
        table = _read_jsonl(p, source)
    return _normalise(table, kind, columns, source)
