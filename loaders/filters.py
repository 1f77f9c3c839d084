"""Which rows are participants: ``--where`` row filters on a raw table.

Exports of distribution systems list every registered user; only some are
participants (CRMEB ``is_promoter=1``, likeshop ``is_distribution=1``, an admin
panel's ``激活状态=已激活``). A filter ``COLUMN=VALUE`` keeps the rows whose cell
equals ``VALUE``; ``COLUMN!=VALUE`` keeps the others. Cells and values are compared
as text with surrounding spaces ignored (``1`` matches a number 1 and the text
``" 1"``); an empty ``VALUE`` matches an empty cell. Several filters on one column
with ``=`` are alternatives (``status=1`` and ``status=2`` keep both); filters on
different columns, and ``!=`` filters, must all hold.

Examples
--------
>>> parse_where(["status=1", "城市 != 北京"])
[('status', '=', '1'), ('城市', '!=', '北京')]
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import InputError

__all__ = ["parse_where", "where_mask"]

Filter = tuple[str, str, str]


def parse_where(items: Sequence[str] | None) -> list[Filter]:
    """Parse ``--where`` items into ``(column, operator, value)`` triples.

    Parameters
    ----------
    items : sequence of str or None
        ``["status=1", "激活状态!=未激活"]``; spaces around the column and the value
        are dropped.

    Returns
    -------
    list of tuple
        ``(column, "=" or "!=", value)`` per item, in order.

    Raises
    ------
    InputError
        An item without ``=``, or without a column name.

    Notes
    -----
    O(items).

    Examples
    --------
    >>> parse_where(["is_promoter = 1"])
    [('is_promoter', '=', '1')]
    >>> parse_where(["status"])
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: row filter 'status' is not COLUMN=VALUE or COLUMN!=VALUE
    """
    out: list[Filter] = []
    for item in items or ():
        if not isinstance(item, str) or "=" not in item:
            raise InputError(f"row filter {item!r} is not COLUMN=VALUE or COLUMN!=VALUE")
        left, _, value = item.partition("=")
        op = "="
        if left.endswith("!"):
            left, op = left[:-1], "!="
        if not left.strip():
            raise InputError(f"row filter {item!r} names no column")
        out.append((left.strip(), op, value.strip()))
    return out


def _cells(table: pa.Table, name: str, source: str) -> pa.ChunkedArray:
    folded = {n.strip().lower(): n for n in table.column_names}
    real = name if name in table.column_names else folded.get(name.lower())
    if real is None:
        raise InputError(
            f"row filter column {name!r} is not in the header; found: "
            f"{', '.join(table.column_names)}",
            source=source,
            column=name,
        )
    col = table.column(real)
    if pa.types.is_boolean(col.type):
        col = pc.if_else(col, "true", "false")
    try:
        text = pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputError(
            f"row filter column {name!r} holds {col.type}, which is not compared as text",
            source=source,
            column=real,
        ) from None
    return pc.fill_null(pc.utf8_trim_whitespace(text), "")


def where_mask(table: pa.Table, filters: Sequence[Filter], source: str) -> pa.ChunkedArray | None:
    """Boolean mask of the rows every filter keeps (None when there are no filters).

    Parameters
    ----------
    table : pyarrow.Table
        The raw table, under the file's own column names.
    filters : sequence of tuple
        From :func:`parse_where`.
    source : str
        The file (for the error message).

    Returns
    -------
    pyarrow.ChunkedArray or None
        True for a row that counts.

    Raises
    ------
    InputError
        A filter column that is not in the header (matched ignoring case and
        surrounding spaces), or one whose cells cannot be read as text.

    Notes
    -----
    O(rows x filters): one Arrow cast and comparison per filter.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"status": ["1", "0", " 1", None], "city": ["a", "b", "c", "a"]})
    >>> where_mask(t, parse_where(["status=1"]), "m.csv").to_pylist()
    [True, False, True, False]
    >>> where_mask(t, parse_where(["status=1", "city!=a"]), "m.csv").to_pylist()
    [False, False, True, False]
    >>> where_mask(t, parse_where(["state=1"]), "m.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: m.csv, column 'state': row filter column 'state' is not in the header; found: status, city
    """  # noqa: E501
    if not filters:
        return None
    alternatives: dict[str, list[str]] = {}
    mask: pa.ChunkedArray | None = None
    for name, op, value in filters:
        if op == "=":
            alternatives.setdefault(name, []).append(value)
            continue
        keep = pc.not_equal(_cells(table, name, source), value)
        mask = keep if mask is None else pc.and_(mask, keep)
    for name, values in alternatives.items():
        keep = pc.is_in(_cells(table, name, source), value_set=pa.array(values, pa.string()))
        mask = keep if mask is None else pc.and_(mask, keep)
    assert mask is not None
    return mask
