r"""Read limits: how big an input may be before a reader refuses it.

A hostile or broken file can be small on disk and huge in memory: a Parquet file of
210 KB holding a million 1,000-character ids (1 GB once decoded), a CSV header of a
million columns, a gzip stream of zeros expanding a thousandfold. :class:`ReadLimits`
bounds what a reader accepts (rows, columns, id length, field size, nesting depth,
decompressed bytes); the readers check each bound *before* the memory is spent
(headers and Parquet footers before the rows, decompressed bytes as they stream,
Parquet rows batch by batch) and raise :class:`LimitError`, an
:class:`~agentgraph.errors.InputError` that names the limit, its value and how to
raise it (the CLI's ``--limit NAME=VALUE``; the API's ``AGENTGRAPH_<NAME>``
setting). The API answers 413 for the size limits (:data:`SIZE_LIMITS`) and 422 for
the others; the CLI exits with code 2.

The defaults (:data:`DEFAULT_LIMITS`) are far above what real exports hold: 2,000
columns, ids of 256 characters, fields of 1 MiB, nesting 64 deep; rows and
decompressed bytes are unbounded in the library and the CLI (the API bounds them).
Every check is vectorised: O(columns) for a header, O(chunks) or O(rows) Arrow
kernels for the lengths.

Examples
--------
>>> DEFAULT_LIMITS.max_columns, DEFAULT_LIMITS.max_rows
(2000, None)
>>> parse_limits(["max_rows=5_000_000", "max_field_bytes=4MiB"]).max_field_bytes
4194304
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import InputError

__all__ = [
    "ReadLimits",
    "DEFAULT_LIMITS",
    "LIMIT_NAMES",
    "SIZE_LIMITS",
    "LimitError",
    "parse_limits",
    "check_columns",
    "check_rows",
    "check_lengths",
    "check_ids",
    "check_fields",
    "check_read",
    "IdColumns",
    "id_columns",
]

IdColumns = Callable[[list[str]], Sequence[str]]
"""Given a header, the columns of it that hold ids (checked against ``max_id_chars``)."""


@dataclass(frozen=True)
class ReadLimits:
    """The bounds a reader enforces (None: unbounded).

    Parameters
    ----------
    max_rows : int or None
        Most data rows of a table (default None: unbounded; the API: 20,000,000).
    max_columns : int
        Most columns of a table's header (default 2,000).
    max_id_chars : int
        Longest id, in characters, of the id columns (``agent_id``, ``upline_id``,
        ``downline_id``, payers, payees, sellers, buyers; default 256).
    max_field_bytes : int
        Largest single cell, in bytes (default 1 MiB).
    max_nesting : int
        Deepest nesting of JSON values or Parquet types (default 64).
    max_decompressed_bytes : int or None
        Most bytes a compressed stream (``.gz``, ``.zst``, ``.bz2``, ``.xz``, a zip
        member, a workbook's parts) or a Parquet file's decoded columns may expand to
        (default None: unbounded; the API: 4 GiB).

    Examples
    --------
    >>> ReadLimits(max_rows=10).max_rows, ReadLimits().max_id_chars
    (10, 256)
    """

    max_rows: int | None = None
    max_columns: int = 2000
    max_id_chars: int = 256
    max_field_bytes: int = 1 << 20
    max_nesting: int = 64
    max_decompressed_bytes: int | None = None


DEFAULT_LIMITS = ReadLimits()
"""The library's and the CLI's limits."""

LIMIT_NAMES = tuple(f.name for f in dataclasses.fields(ReadLimits))
"""The names ``--limit NAME=VALUE`` takes."""

SIZE_LIMITS = frozenset({"max_rows", "max_field_bytes", "max_decompressed_bytes"})
"""The limits on size (the API answers 413 for them, 422 for the others)."""

_UNITS = {"": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 10**6, "mb": 10**6, "mib": 1 << 20}
_UNITS |= {"g": 10**9, "gb": 10**9, "gib": 1 << 30}
_VALUE = re.compile(r"^\s*(\d[\d_]*)\s*([a-z]*)\s*$", re.IGNORECASE)


class LimitError(InputError):
    """An input over one of its :class:`ReadLimits`.

    Parameters
    ----------
    limit : str
        The limit's name (one of :data:`LIMIT_NAMES`).
    value : int
        The limit's value.
    found : str
        What was found, e.g. ``"2,001 columns"``.
    source, row, column : optional
        Where (as :class:`~agentgraph.errors.InputError`).

    Attributes
    ----------
    limit, value
        As given.
    size : bool
        Whether it is a size limit (:data:`SIZE_LIMITS`: the API's 413).

    Examples
    --------
    >>> e = LimitError("max_columns", 2000, "2,001 columns", source="m.csv", row=0)
    >>> print(e)
    m.csv, row 0: 2,001 columns: over the limit max_columns = 2,000 (raise it with --limit max_columns=N)
    >>> e.limit, e.size
    ('max_columns', False)
    """  # noqa: E501

    def __init__(
        self,
        limit: str,
        value: int,
        found: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.limit = limit
        self.value = value
        self.size = limit in SIZE_LIMITS
        super().__init__(
            f"{found}: over the limit {limit} = {value:,} (raise it with --limit {limit}=N)",
            source=source,
            row=row,
            column=column,
        )


def _value(name: str, text: str) -> int | None:
    if text.strip().lower() in ("none", "off", "unbounded"):
        if name not in ("max_rows", "max_decompressed_bytes"):
            raise InputError(f"--limit {name} cannot be unbounded; give a number")
        return None
    m = _VALUE.match(text)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS or (unit and not name.endswith("_bytes")):
        raise InputError(
            f"--limit {name}={text!r}: not a whole number"
            + (" (bytes may end in KiB, MiB, GiB)" if name.endswith("_bytes") else "")
        )
    n = int(m.group(1).replace("_", "")) * _UNITS[unit]
    if n < 1:
        raise InputError(f"--limit {name}={text!r}: must be at least 1")
    return n


def parse_limits(items: Iterable[str] | None, base: ReadLimits = DEFAULT_LIMITS) -> ReadLimits:
    """Limits from ``NAME=VALUE`` items (the CLI's repeated ``--limit``).

    Parameters
    ----------
    items : iterable of str or None
        ``max_rows=5000000``, ``max_field_bytes=4MiB``, ``max_rows=none``...
        Underscores may group digits; ``*_bytes`` values may end in ``KiB``, ``MiB``,
        ``GiB`` (or ``KB``, ``MB``, ``GB``); ``none`` unbounds ``max_rows`` and
        ``max_decompressed_bytes``.
    base : ReadLimits
        The limits the items change.

    Returns
    -------
    ReadLimits
        ``base`` with the items applied (later items win).

    Raises
    ------
    InputError
        An item without ``=``, an unknown name (listing the names), a value that is
        not a positive whole number.

    Notes
    -----
    O(len(items)).

    Examples
    --------
    >>> parse_limits(["max_columns=50", "max_rows=none"]).max_columns
    50
    >>> parse_limits(["max_colums=5"])
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: unknown limit 'max_colums'; known: max_rows, max_columns, max_id_chars, max_field_bytes, max_nesting, max_decompressed_bytes
    """  # noqa: E501
    changes: dict[str, int | None] = {}
    for item in items or ():
        name, sep, text = item.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not sep:
            raise InputError(f"--limit {item!r}: give NAME=VALUE, e.g. max_rows=5000000")
        if name not in LIMIT_NAMES:
            raise InputError(f"unknown limit {name!r}; known: {', '.join(LIMIT_NAMES)}")
        changes[name] = _value(name, text)
    return dataclasses.replace(base, **changes) if changes else base  # type: ignore[arg-type]


def check_columns(n: int, limits: ReadLimits, source: str) -> None:
    """Refuse a header of more than ``limits.max_columns`` columns.

    Parameters
    ----------
    n : int
        Columns in the header (or in its part read so far).
    limits : ReadLimits
        The limits.
    source : str
        How messages name the file.

    Raises
    ------
    LimitError
        ``n`` over the limit (row 0: the header).

    Notes
    -----
    O(1).

    Examples
    --------
    >>> check_columns(3, ReadLimits(max_columns=2), "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.csv, row 0: 3 columns or more: over the limit max_columns = 2 (raise it with --limit max_columns=N)
    """  # noqa: E501
    if n > limits.max_columns:
        raise LimitError(
            "max_columns", limits.max_columns, f"{n:,} columns or more", source=source, row=0
        )


def check_rows(n: int, limits: ReadLimits, source: str) -> None:
    """Refuse a table of more than ``limits.max_rows`` data rows.

    Parameters
    ----------
    n : int
        Data rows (read so far, or declared by a Parquet footer).
    limits : ReadLimits
        The limits.
    source : str
        How messages name the file.

    Raises
    ------
    LimitError
        ``n`` over the limit (naming the first row over it).

    Notes
    -----
    O(1).

    Examples
    --------
    >>> check_rows(11, ReadLimits(max_rows=10), "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.csv, row 11: 11 data rows or more: over the limit max_rows = 10 (raise it with --limit max_rows=N)
    """  # noqa: E501
    if limits.max_rows is not None and n > limits.max_rows:
        raise LimitError(
            "max_rows",
            limits.max_rows,
            f"{n:,} data rows or more",
            source=source,
            row=limits.max_rows + 1,
        )


def _text_like(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
    )


def check_lengths(
    col: pa.ChunkedArray | pa.Array,
    most: int,
    *,
    limit: str,
    chars: bool,
    source: str,
    column: str,
    offset: int = 0,
) -> None:
    """Refuse a text column holding a value longer than ``most`` bytes or characters.

    Parameters
    ----------
    col : pyarrow.ChunkedArray or pyarrow.Array
        The column (only string and binary columns are looked at; dictionary
        columns by their dictionary).
    most : int
        The longest value allowed.
    limit : str
        The limit's name, for the message.
    chars : bool
        Count characters (UTF-8 code points) instead of bytes.
    source : str
        How messages name the file.
    column : str
        The column's name in the file.
    offset : int
        Rows before ``col`` in the file (``col`` is a batch).

    Raises
    ------
    LimitError
        A value over ``most``, naming its 1-based data row.

    Notes
    -----
    O(chunks) when no chunk's bytes can exceed ``most``; else O(rows) vectorised:
    the longest value's bytes from the offsets (one kernel and a max), characters
    counted only when the bytes exceed the limit, the row looked for only when a
    value does.

    Examples
    --------
    >>> import pyarrow as pa
    >>> check_lengths(pa.array(["ab", "abcd"]), 3, limit="max_id_chars", chars=True,
    ...               source="m.csv", column="agent_id")
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.csv, row 2, column 'agent_id': a value of 4 characters: over the limit max_id_chars = 3 (raise it with --limit max_id_chars=N)
    """  # noqa: E501
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    base = offset
    for chunk in chunks:
        values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
        if not _text_like(values.type) or len(values) == 0:
            base += len(chunk)
            continue
        if values.offset == 0 and len(values.buffers()) > 2:
            data = values.buffers()[2]
            if data is None or data.size <= most:  # no value can be longer than the data
                base += len(chunk)
                continue
        size = pc.binary_length(values)
        longest = pc.max(size).as_py() or 0
        if longest > most and chars:
            text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
            size = pc.utf8_length(values) if text else size
            longest = pc.max(size).as_py() or 0
        if longest > most:  # rare: only then is the row looked for
            over = pc.greater(size, most)
            k = int(pc.index(over, True).as_py())
            n = int(size[k].as_py())
            if values is not chunk:  # a dictionary entry: the first row holding it
                k = int(pc.index(chunk.indices, k).as_py())
            if k >= 0:
                unit = "characters" if chars else "bytes"
                raise LimitError(
                    limit,
                    most,
                    f"a value of {n:,} {unit}",
                    source=source,
                    row=base + k + 1,
                    column=column,
                )
        base += len(chunk)


def check_ids(
    table: pa.Table | pa.RecordBatch,
    names: Sequence[str],
    limits: ReadLimits,
    source: str,
    offset: int = 0,
) -> None:
    """Refuse an id longer than ``limits.max_id_chars`` characters in the named columns.

    Parameters
    ----------
    table : pyarrow.Table or pyarrow.RecordBatch
        The rows (a whole table or one batch).
    names : sequence of str
        The id columns (names absent from ``table`` and non-text columns are skipped).
    limits : ReadLimits
        The limits.
    source : str
        How messages name the file.
    offset : int
        Rows before ``table`` in the file.

    Raises
    ------
    LimitError
        An id over the limit, naming its row and column.

    Notes
    -----
    O(rows) vectorised per column (see :func:`check_lengths`).

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"agent_id": ["a", "b" * 300]})
    >>> check_ids(t, ["agent_id"], DEFAULT_LIMITS, "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.csv, row 2, column 'agent_id': a value of 300 characters: over the limit max_id_chars = 256 (raise it with --limit max_id_chars=N)
    """  # noqa: E501
    for name in dict.fromkeys(names):
        idx = table.schema.get_all_field_indices(name)
        for i in idx:
            check_lengths(
                table.column(i),
                limits.max_id_chars,
                limit="max_id_chars",
                chars=True,
                source=source,
                column=name,
                offset=offset,
            )


def check_fields(
    table: pa.Table | pa.RecordBatch,
    limits: ReadLimits,
    source: str,
    offset: int = 0,
    skip: Sequence[str] = (),
) -> None:
    """Refuse a text cell larger than ``limits.max_field_bytes`` in any column.

    Parameters
    ----------
    table : pyarrow.Table or pyarrow.RecordBatch
        The rows (a whole table or one batch).
    limits : ReadLimits
        The limits.
    source : str
        How messages name the file.
    offset : int
        Rows before ``table`` in the file.
    skip : sequence of str
        Columns left out (id columns that :func:`check_ids` checks, when their
        character limit bounds their bytes under this one).

    Raises
    ------
    LimitError
        A cell over the limit, naming its row and column.

    Notes
    -----
    O(columns x chunks) when no chunk holds more bytes than the limit, else O(rows)
    vectorised for the columns that do.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"note": ["x" * 20]})
    >>> check_fields(t, ReadLimits(max_field_bytes=10), "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.csv, row 1, column 'note': a value of 20 bytes: over the limit max_field_bytes = 10 (raise it with --limit max_field_bytes=N)
    """  # noqa: E501
    for name, col in zip(table.column_names, table.columns, strict=True):
        if name in skip:
            continue
        check_lengths(
            col,
            limits.max_field_bytes,
            limit="max_field_bytes",
            chars=False,
            source=source,
            column=name,
            offset=offset,
        )


def check_read(table: pa.Table, limits: ReadLimits, source: str) -> None:
    """Check a table read whole against ``limits``: columns, rows, text cells' sizes.

    Parameters
    ----------
    table : pyarrow.Table
        The raw table.
    limits : ReadLimits
        The bounds.
    source : str
        How messages name the file.

    Raises
    ------
    LimitError
        Over a limit (naming the row and column of a cell too large).

    Notes
    -----
    O(columns x chunks), plus O(rows) vectorised for columns whose chunks hold more
    bytes than ``limits.max_field_bytes``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> check_read(pa.table({"a": ["x"] * 3}), ReadLimits(max_rows=2), "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.loaders.limits.LimitError: m.csv, row 3: 3 data rows or more: over the limit max_rows = 2 (raise it with --limit max_rows=N)
    """  # noqa: E501
    check_columns(table.num_columns, limits, source)
    check_rows(table.num_rows, limits, source)
    check_fields(table, limits, source)


def id_columns(
    resolve: Callable[[list[str]], dict[str, str]], canonical: Sequence[str]
) -> IdColumns:
    """The id columns of a header, as a reader's column resolution finds them.

    Parameters
    ----------
    resolve : callable
        Header -> canonical name -> the header's column (may raise
        :class:`~agentgraph.errors.InputError`: then no column is an id column, and
        the reader reports what is wrong).
    canonical : sequence of str
        The canonical names that hold ids.

    Returns
    -------
    callable
        Header -> its id columns.

    Notes
    -----
    O(header) per call.

    Examples
    --------
    >>> find = id_columns(lambda names: {"agent_id": names[0]}, ["agent_id", "upline_id"])
    >>> find(["会员编号", "备注"])
    ['会员编号']
    """

    def found(names: list[str]) -> list[str]:
        try:
            cols = resolve(list(names))
        except InputError:
            return []
        return [cols[c] for c in canonical if c in cols]

    return found
