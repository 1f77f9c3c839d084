r"""Parquet files, read batch by batch within :class:`~agentgraph.loaders.limits.ReadLimits`.

A Parquet file can be tiny and decode huge: a dictionary-encoded column of a million
1,000-character ids takes 200 KB on disk and 1 GB in memory. So the footer is
checked first (columns, rows, the nesting of the types, and the text columns'
min/max statistics: a statistic longer than a limit proves a value that long), then
the rows are decoded :data:`BATCH` at a time, each batch's ids and text cells
checked (vectorised) before the next is decoded, and the decoded bytes counted
against ``max_decompressed_bytes``. Column names written twice are kept (not
``pq.read_table``, which refuses them).

Examples
--------
>>> import tempfile
>>> import pyarrow as pa, pyarrow.parquet as pq
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     p = Path(tmp) / "m.parquet"
...     pq.write_table(pa.table({"agent_id": ["A", "B"]}), p)
...     read_parquet(p, "m.parquet").num_rows, parquet_header(p, "m.parquet")
(2, ['agent_id'])
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from agentgraph.loaders.limits import (
    DEFAULT_LIMITS,
    IdColumns,
    LimitError,
    ReadLimits,
    check_columns,
    check_fields,
    check_ids,
    check_rows,
)

from agentgraph.errors import InputError

__all__ = ["BATCH", "read_parquet", "parquet_header"]

BATCH = 1 << 17
"""Rows decoded at a time: each batch is checked before the next is decoded."""


def _depth(t: pa.DataType, most: int) -> int:
    """How deep a type nests (a scalar is 0), looked at down to ``most + 1`` at most."""
    deepest, todo = 0, [(t, 0)]
    while todo and deepest <= most:
        typ, d = todo.pop()
        deepest = max(deepest, d)
        todo.extend((typ.field(i).type, d + 1) for i in range(typ.num_fields))
    return deepest


def _stats_check(f: pq.ParquetFile, ids: list[str], limits: ReadLimits, source: str) -> None:
    """Refuse, from the footer's min/max alone, a text column holding too long a value."""
    meta = f.metadata
    names = set(f.schema_arrow.names)
    wanted = {
        meta.schema.column(j).path: j
        for j in range(meta.num_columns)
        if meta.schema.column(j).path in names
    }
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        for name, j in wanted.items():
            st = group.column(j).statistics
            if st is None or not st.has_min_max or st.physical_type != "BYTE_ARRAY":
                continue
            for v in (st.min, st.max):
                size = len(v.encode("utf-8")) if isinstance(v, str) else len(v)
                if size > limits.max_field_bytes:
                    raise LimitError(
                        "max_field_bytes",
                        limits.max_field_bytes,
                        f"a value of {size:,} bytes",
                        source=source,
                        column=name,
                    )
                if name in ids and isinstance(v, str) and len(v) > limits.max_id_chars:
                    raise LimitError(
                        "max_id_chars",
                        limits.max_id_chars,
                        f"a value of {len(v):,} characters",
                        source=source,
                        column=name,
                    )


def _rows(f: pq.ParquetFile, source: str, limits: ReadLimits, ids: IdColumns | None) -> pa.Table:
    schema = f.schema_arrow
    check_columns(len(schema.names), limits, source)
    check_rows(f.metadata.num_rows, limits, source)
    for fld in schema:
        if _depth(fld.type, limits.max_nesting) > limits.max_nesting:
            raise LimitError(
                "max_nesting",
                limits.max_nesting,
                f"a column nested more than {limits.max_nesting} deep",
                source=source,
                column=fld.name,
            )
    id_cols = list(ids(list(schema.names))) if ids is not None else []
    _stats_check(f, id_cols, limits, source)
    batches: list[pa.RecordBatch] = []
    seen = decoded = 0
    most = limits.max_decompressed_bytes
    # an id within max_id_chars has at most 4 bytes a character: no second look at it
    skip = id_cols if 4 * limits.max_id_chars <= limits.max_field_bytes else []
    for batch in f.iter_batches(batch_size=BATCH):
        check_ids(batch, id_cols, limits, source, offset=seen)
        check_fields(batch, limits, source, offset=seen, skip=skip)
        seen += batch.num_rows
        decoded += batch.nbytes
        if most is not None and decoded > most:
            raise LimitError(
                "max_decompressed_bytes", most, f"more than {most:,} bytes decoded", source=source
            )
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=schema)


def _file(data: Path | bytes) -> pq.ParquetFile:
    return pq.ParquetFile(data if isinstance(data, Path) else pa.BufferReader(data))


def read_parquet(
    data: Path | bytes,
    source: str,
    limits: ReadLimits = DEFAULT_LIMITS,
    ids: IdColumns | None = None,
) -> pa.Table:
    """Read a Parquet file's rows, checked against ``limits`` before each batch is kept.

    Parameters
    ----------
    data : Path or bytes
        The file, or its bytes (a decompressed stream).
    source : str
        How messages name the file.
    limits : ReadLimits
        The bounds: columns, rows, nesting and statistics from the footer; ids,
        cell sizes and decoded bytes batch by batch.
    ids : callable, optional
        Header -> its id columns (``max_id_chars``).

    Returns
    -------
    pyarrow.Table
        The columns with their Parquet types.

    Raises
    ------
    LimitError
        Over a limit (naming the row and column where known).
    InputError
        Not a readable Parquet file.

    Notes
    -----
    O(bytes): Arrow's reader, :data:`BATCH` rows at a time; O(row groups x columns)
    for the statistics; O(rows) vectorised for the checks.

    Examples
    --------
    >>> import io
    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> buf = io.BytesIO()
    >>> pq.write_table(pa.table({"agent_id": ["A" * 300]}), buf)
    >>> read_parquet(buf.getvalue(), "m.parquet", ids=lambda names: ["agent_id"])
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.parquet, column 'agent_id': a value of 300 characters: over the limit max_id_chars = 256 (raise it with --limit max_id_chars=N)
    """  # noqa: E501
    try:
        with _file(data) as f:
            return _rows(f, source, limits, ids)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"not a readable Parquet file: {(str(exc).splitlines() or ['?'])[0]}", source=source
        ) from None


def parquet_header(data: Path | bytes, source: str) -> list[str]:
    """A Parquet file's column names, from its footer.

    Parameters
    ----------
    data : Path or bytes
        The file, or its bytes.
    source : str
        How messages name the file.

    Returns
    -------
    list of str
        The names, in file order.

    Raises
    ------
    InputError
        Not a readable Parquet file.

    Notes
    -----
    O(footer).

    Examples
    --------
    >>> parquet_header(b"not parquet", "m.parquet")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.parquet: not a readable Parquet file: Parquet magic bytes not found in footer. Either the file is corrupted or this is not a parquet file.
    """  # noqa: E501
    try:
        return list(pq.read_schema(data if isinstance(data, Path) else pa.BufferReader(data)).names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"not a readable Parquet file: {(str(exc).splitlines() or ['?'])[0]}", source=source
        ) from None
