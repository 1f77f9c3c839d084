"""In-memory tables: pandas and polars DataFrames, Arrow tables, as relations.

A researcher holding a DataFrame gets the same column recognition, id rules,
no-upline values and filters as a file: the frame is turned into Arrow (zero copy
where the library allows) and normalised by
:func:`agentgraph.loaders.read.normalise_table`. pandas and polars are not
imported here: a frame is recognised by its methods, so neither is needed to use
the other.

pandas stores an integer column with empty cells as floats (``12.0``, ``NaN``);
such a column whose values are all whole numbers is read back as integers, so the
id ``12`` stays ``"12"``.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"uid": [1, 2, 3], "spread_uid": [0, 1, 1]})
>>> rel = read_frame(df, columns={"agent_id": "uid", "upline_id": "spread_uid"})
>>> rel.table.column("upline_id").to_pylist(), rel.reading.no_upline
([None, '1', '1'], {'0': 1})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.read import normalise_table

from agentgraph.errors import InputError
from agentgraph.tables import Reading, Relations

__all__ = ["is_frame", "to_arrow", "read_frame"]


def is_frame(data: object) -> bool:
    """Whether ``data`` is a table :func:`read_frame` takes.

    Parameters
    ----------
    data : object
        Anything.

    Returns
    -------
    bool
        True for an Arrow table or record batch, a pandas or polars DataFrame, or
        any object with ``to_arrow()`` or ``__arrow_c_stream__``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> import pyarrow as pa
    >>> is_frame(pa.table({"a": [1]})), is_frame("members.csv")
    (True, False)
    """
    if isinstance(data, pa.Table | pa.RecordBatch):
        return True
    if hasattr(data, "__arrow_c_stream__") or callable(getattr(data, "to_arrow", None)):
        return True
    return type(data).__module__.split(".")[0] == "pandas" and hasattr(data, "columns")


def _whole_floats(table: pa.Table) -> pa.Table:
    """Float columns whose values are all whole numbers (pandas' NaN-able ints) as int64."""
    for k, field in enumerate(table.schema):
        if not pa.types.is_floating(field.type):
            continue
        col = table.column(k)
        valid = pc.drop_null(col)
        if len(valid) == 0 or pc.any(pc.is_nan(valid)).as_py():
            continue
        if (
            pc.all(pc.equal(pc.floor(valid), valid)).as_py()
            and pc.max(pc.abs(valid)).as_py() < 2**53
        ):
            table = table.set_column(k, field.name, pc.cast(col, pa.int64()))
    return table


def to_arrow(data: Any, source: str = "<dataframe>") -> pa.Table:
    """An Arrow table from a pandas or polars DataFrame or an Arrow table.

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame, pyarrow.Table or pyarrow.RecordBatch
        The frame. pandas' index is dropped; its NaN cells become nulls.
    source : str, default "<dataframe>"
        How messages name the frame.

    Returns
    -------
    pyarrow.Table
        The frame's columns; column names as text.

    Raises
    ------
    InputError
        Not a frame, or a column Arrow cannot convert (e.g. Python objects of
        mixed types).

    Notes
    -----
    O(rows): zero copy for Arrow and most polars columns, one conversion for pandas.

    Examples
    --------
    >>> import polars as pl
    >>> to_arrow(pl.DataFrame({"agent_id": ["A"], "upline_id": [None]})).column_names
    ['agent_id', 'upline_id']
    """
    try:
        if isinstance(data, pa.Table):
            table = data
        elif isinstance(data, pa.RecordBatch):
            table = pa.Table.from_batches([data])
        elif type(data).__module__.split(".")[0] == "pandas":
            frame = data.copy(deep=False)
            frame.columns = [str(c) for c in frame.columns]
            table = pa.Table.from_pandas(frame, preserve_index=False)
        elif callable(getattr(data, "to_arrow", None)):
            table = data.to_arrow()
            if isinstance(table, pa.RecordBatch):
                table = pa.Table.from_batches([table])
        elif hasattr(data, "__arrow_c_stream__"):
            table = pa.table(data)
        else:
            raise InputError(
                f"not a DataFrame or Arrow table: {type(data).__name__}", source=source
            )
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise InputError(
            f"the frame cannot be read as a table: {str(exc).splitlines()[0]}", source=source
        ) from None
    if not isinstance(table, pa.Table):
        raise InputError(f"to_arrow() gave {type(table).__name__}, not a table", source=source)
    return _whole_floats(table.rename_columns([str(n) for n in table.column_names]))


def read_frame(
    data: Any,
    *,
    kind: str | None = None,
    columns: dict[str, str] | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    no_upline: Sequence[str] = (),
    where: Sequence[str] = (),
    source: str = "<dataframe>",
) -> Relations:
    """Read a DataFrame or Arrow table as a member table or edge list.

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame, pyarrow.Table or pyarrow.RecordBatch
        The table, under its own column names (recognised like a file's header).
    kind, columns, date_format, timezone, no_upline, where
        As for :func:`agentgraph.loaders.read_relations`.
    source : str, default "<dataframe>"
        How the report and messages name the frame.

    Returns
    -------
    Relations
        Normalised as a file would be; ``reading.format`` is ``dataframe``.

    Raises
    ------
    InputError
        Not a frame, unconvertible columns, missing columns, bad values.

    Notes
    -----
    O(rows): one conversion to Arrow, then the file path's vectorised checks.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"会员编号": ["A", "B"], "推荐人": ["无", "A"]})
    >>> rel = read_frame(t)
    >>> rel.table.column("upline_id").to_pylist(), rel.reading.format
    ([None, 'A'], 'dataframe')
    """
    if kind not in (None, "members", "edges"):
        raise InputError(f"unknown kind {kind!r} (members or edges)", source=source)
    table = to_arrow(data, source)
    reading = Reading(source, format="dataframe")
    if timezone:
        reading.timezone = timezone
    return normalise_table(
        table,
        kind,
        columns,
        source,
        reading,
        date_format=date_format,
        timezone=timezone,
        no_upline=no_upline,
        where=where,
    )
