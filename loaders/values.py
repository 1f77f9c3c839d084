"""Column values, normalised: ids as strings, times as timestamps, amounts in yuan.

Every loader reads its cells through these helpers, so an id, a date or an amount
means the same in a member table, a payment table, an order table or an identities
table. A value that cannot be normalised raises
:class:`~agentgraph.errors.InputError` naming the source, the 1-based data row (the
header is row 0) and the column.

Examples
--------
>>> import pyarrow as pa
>>> as_string(pa.chunked_array([[7, None]]), "agent_id", "m.csv").to_pylist()
['7', None]
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.dates import parse_times

from agentgraph.errors import InputError
from agentgraph.tables import Reading

__all__ = ["as_string", "first_true", "time_column", "amounts", "MAX_AMOUNT"]

MAX_AMOUNT = 1e15
"""The largest single amount accepted, in yuan (the JSON batch routes' limit too):
larger is a unit or column mistake, not a payment, and would outweigh every
threshold."""

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def as_string(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    """Cast a column to strings: ids stay text (``"007"`` stays ``"007"``), integers become text.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        A column of strings, integers, nulls, dictionary-encoded values or UTF-8 bytes.
    name : str
        The column's name in the input (for the error message).
    source : str
        The file or stream the column came from (for the error message).

    Returns
    -------
    pyarrow.ChunkedArray
        The same values as ``string`` (nulls stay null); a string column is returned as is.

    Raises
    ------
    InputError
        Bytes that are not UTF-8, or a type that is not an id (floats, booleans,
        lists, structs...).

    Notes
    -----
    O(rows): one Arrow cast, none for a string column.

    Examples
    --------
    >>> import pyarrow as pa
    >>> as_string(pa.chunked_array([[1, 2, None]]), "agent_id", "m.parquet").to_pylist()
    ['1', '2', None]
    >>> as_string(pa.chunked_array([[1.5]]), "agent_id", "m.parquet")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.parquet, column 'agent_id': ids must be strings or integers, found double
    """  # noqa: E501
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
    """Find the 0-based index of the first true value of a boolean mask (-1 when none is).

    Parameters
    ----------
    mask : pyarrow.ChunkedArray or pyarrow.Array
        Booleans, e.g. ``pc.is_null(col)``.

    Returns
    -------
    int
        The index of the first ``True``; ``-1`` when there is none. Loaders add 1 to
        report a 1-based data row.

    Notes
    -----
    O(rows): one scan by Arrow's ``index`` kernel.

    Examples
    --------
    >>> import pyarrow as pa
    >>> first_true(pa.array([False, False, True, True]))
    2
    >>> first_true(pa.array([False]))
    -1
    """
    return int(pc.index(mask, True).as_py())


def time_column(
    col: pa.ChunkedArray,
    name: str,
    source: str,
    *,
    date_format: str | None = None,
    timezone: str | None = None,
    reading: Reading | None = None,
) -> pa.ChunkedArray:
    """Parse a column as ``timestamp[s]``: the column's date format detected, or given.

    Detection, the formats read and the time-zone rule are those of
    :func:`agentgraph.loaders.dates.parse_times` (see :mod:`agentgraph.loaders.dates`):
    ISO 8601, ``2023/1/5 9:05``, ``2023-1-5``, ``2023.1.5``, ``2023年1月5日 09:05:00``,
    ``20230105``, ``20230105090500``, unix seconds and milliseconds, Excel serial dates;
    Arrow dates and timestamps are kept. Empty cells stay null.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        Text, integers, floats, dates or timestamps.
    name : str
        The column's name in the input (for the error message).
    source : str
        The file or stream the column came from (for the error message).
    date_format : str, optional
        A strftime format every non-empty cell must match (``--date-format``).
    timezone : str, optional
        The IANA zone whose wall-clock time is kept (default ``Asia/Shanghai``):
        naive times are taken as in it, instants (unix times, texts with an offset)
        converted to it.
    reading : Reading, optional
        Records the format detected in ``reading.date_formats[name]``.

    Returns
    -------
    pyarrow.ChunkedArray
        Naive timestamps in seconds.

    Raises
    ------
    InputError
        A cell that does not fit the column's format, naming its 1-based row and the
        value as written; an unknown zone; a column type that cannot hold times.

    Notes
    -----
    O(rows): detection on a sample of at most 1,000 values, then one vectorised
    parse of the column (one ``cast`` for ISO 8601).

    Examples
    --------
    >>> import pyarrow as pa
    >>> at = time_column(pa.chunked_array([["2024/1/5", "2024-01-06 08:30", None]]), "at", "e.csv")
    >>> [t.isoformat() if t else None for t in at.to_pylist()]
    ['2024-01-05T00:00:00', '2024-01-06T08:30:00', None]
    >>> time_column(pa.chunked_array([["2024-01-01", "yesterday"]]), "at", "e.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: e.csv, row 2, column 'at': 'yesterday' is not a date or time (the column's format is ISO 8601; or give --date-format)
    """  # noqa: E501
    return parse_times(
        col, name, source, date_format=date_format, timezone=timezone, reading=reading
    )


def amounts(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
    """Parse a column as non-negative ``float64`` yuan (``¥1,000`` and ``980元`` too).

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        Integers, floats, decimals or text (a leading ``¥``/``￥``, a trailing ``元``
        and thousands separators are dropped).
    name : str
        The column's name in the input (for the error message).
    source : str
        The file or stream the column came from (for the error message).

    Returns
    -------
    pyarrow.ChunkedArray
        The amounts as ``double``.

    Raises
    ------
    InputError
        A cell that is not a number, an empty cell, a non-finite amount (``nan``,
        ``inf``, ``1e400``), one over :data:`MAX_AMOUNT`, or a negative amount (a
        refund is a payment the other way), naming its 1-based row and the value as
        written.

    Notes
    -----
    O(rows): one regular-expression rewrite and one cast, plus a scan for nulls and
    negatives.

    Examples
    --------
    >>> import pyarrow as pa
    >>> amounts(pa.chunked_array([["¥1,000", "980元", " 12.5 "]]), "amount", "p.csv").to_pylist()
    [1000.0, 980.0, 12.5]
    >>> amounts(pa.chunked_array([[100, -5]]), "amount", "p.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: p.csv, row 2, column 'amount': negative amount -5.0 (record refunds as a payment the other way)
    """  # noqa: E501
    if (
        pa.types.is_integer(col.type)
        or pa.types.is_floating(col.type)
        or pa.types.is_decimal(col.type)
    ):
        values = pc.cast(col, pa.float64())
    else:
        text = pc.utf8_trim_whitespace(as_string(col, name, source))
        text = pc.replace_substring_regex(text, r"^[¥￥]|元$|,", "")
        try:
            values = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            ok = pc.match_substring_regex(text, _NUMBER)
            bad = pc.and_(pc.is_valid(text), pc.invert(ok))
            k = first_true(bad)
            raise InputError(
                f"amount {col[k].as_py()!r} is not a number", source=source, row=k + 1, column=name
            ) from None
    if values.null_count:
        k = first_true(pc.is_null(values))
        raise InputError("empty amount", source=source, row=k + 1, column=name)
    # NaN would make every comparison false (an entry fee that is no fee), inf and
    # 1e400 would outweigh any threshold: both change a verdict, so both are refused
    bad = pc.invert(pc.is_finite(values))
    if pc.any(bad).as_py():
        k = first_true(bad)
        raise InputError(
            f"amount {col[k].as_py()!r} is not a finite amount",
            source=source,
            row=k + 1,
            column=name,
        )
    huge = pc.greater(values, MAX_AMOUNT)
    if pc.any(huge).as_py():
        k = first_true(huge)
        raise InputError(
            f"amount {col[k].as_py()!r} is more than {MAX_AMOUNT:,.0f} yuan, which no single "
            "payment is (check the column and its unit)",
            source=source,
            row=k + 1,
            column=name,
        )
    negative = pc.less(values, 0)
    if pc.any(negative).as_py():
        k = first_true(negative)
        raise InputError(
            f"negative amount {values[k].as_py()} (record refunds as a payment the other way)",
            source=source,
            row=k + 1,
            column=name,
        )
    return values
