"""Read order records (sales evidence beside a member table or edge list).

One row per order: ``seller_id``, ``buyer_id`` (an agent, or anyone else: a buyer
who is not an agent of the input is a retail customer), ``amount`` (yuan, >= 0),
optional ``at`` and ``order_id``. Same formats, encodings and bad-input behaviour
as :func:`agentgraph.loaders.read_relations`.

Complexity: one pass over the file plus O(rows) compute.

Examples
--------
>>> ORDER_ALIASES["buyer_id"][:3]
('buyer_id', 'buyer', 'customer_id')
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.choose import header_accepts
from agentgraph.loaders.columns import resolve
from agentgraph.loaders.files import column, read_table
from agentgraph.loaders.limits import DEFAULT_LIMITS, ReadLimits, check_ids, id_columns
from agentgraph.loaders.values import amounts, as_string, first_true, time_column

from agentgraph.errors import InputError
from agentgraph.tables import Orders

__all__ = ["read_orders", "normalise_orders", "ORDER_ALIASES"]

ORDER_ALIASES: dict[str, tuple[str, ...]] = {
    "seller_id": ("seller_id", "seller", "卖家", "卖家id", "销售人", "销售人id", "代理id"),
    "buyer_id": (
        "buyer_id",
        "buyer",
        "customer_id",
        "customer",
        "买家",
        "买家id",
        "客户",
        "客户id",
        "购买人",
    ),
    "amount": ("amount", "total", "value", "金额", "订单金额", "实付金额"),
    "at": ("at", "time", "ordered_at", "timestamp", "date", "时间", "下单时间", "日期"),
    "order_id": ("order_id", "order", "订单号", "订单id", "订单编号"),
}
_REQUIRED = ("seller_id", "buyer_id", "amount")
_IDS = ("seller_id", "buyer_id")


def normalise_orders(
    table: pa.Table,
    columns: dict[str, str] | None = None,
    source: str = "<memory>",
    *,
    date_format: str | None = None,
    timezone: str | None = None,
) -> Orders:
    """Check and normalise an Arrow table of orders (see :func:`read_orders`).

    Parameters
    ----------
    table : pyarrow.Table
        Orders as read (e.g. from an upload), under any known header.
    columns : dict, optional
        Canonical name -> header in ``table``; wins over :data:`ORDER_ALIASES`.
    source : str, default "<memory>"
        Where the table came from (for messages and ``Orders.source``).

    Returns
    -------
    Orders
        The columns in the order ``seller_id``, ``buyer_id``, ``amount``, ``at``,
        ``order_id`` (the optional ones when present); other columns are dropped.

    Raises
    ------
    InputError
        Missing ``seller_id``, ``buyer_id`` or ``amount`` columns, no rows, an empty
        seller or buyer, an amount that is not a non-negative number, a bad time:
        naming source, row and column.

    Notes
    -----
    O(rows): vectorised Arrow casts, one per column.

    Examples
    --------
    >>> import pyarrow as pa
    >>> raw = pa.table({"卖家": ["L16"], "客户": ["C1"], "实付金额": [500], "订单号": ["O16"]})
    >>> normalise_orders(raw).table.to_pylist()
    [{'seller_id': 'L16', 'buyer_id': 'C1', 'amount': 500.0, 'order_id': 'O16'}]
    >>> normalise_orders(raw.drop_columns(["客户"]))
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: <memory>, column 'buyer_id': missing column(s) buyer_id for an order table (found: 卖家, 实付金额, 订单号)
    """  # noqa: E501
    names = table.column_names
    cols = resolve(names, columns, source, ORDER_ALIASES)
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} for an order table "
            f"(found: {', '.join(names) or 'none'})",
            source=source,
            column=missing[0],
        )
    if table.num_rows == 0:
        raise InputError("no data rows (only a header)", source=source)
    out: dict[str, pa.ChunkedArray] = {}
    for canon in ("seller_id", "buyer_id", "order_id"):
        if canon not in cols:
            continue
        col = as_string(column(table, cols[canon], source), cols[canon], source)
        if canon != "order_id" and col.null_count:
            k = first_true(pc.is_null(col))
            raise InputError(f"empty {canon}", source=source, row=k + 1, column=cols[canon])
        out[canon] = col
    out["amount"] = amounts(column(table, cols["amount"], source), cols["amount"], source)
    if "at" in cols:
        out["at"] = time_column(
            column(table, cols["at"], source),
            cols["at"],
            source,
            date_format=date_format,
            timezone=timezone,
        )
    order = ["seller_id", "buyer_id", "amount", "at", "order_id"]
    return Orders(pa.table({k: out[k] for k in order if k in out}), source)


def read_orders(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
    table: str | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    limits: ReadLimits | None = None,
) -> Orders:
    """Read an order table (CSV, Parquet or JSON Lines) into :class:`Orders`.

    Parameters
    ----------
    path : str or Path
        The order file; same formats and encodings as
        :func:`agentgraph.loaders.read_relations`.
    columns : dict, optional
        Canonical name -> the file's header (``{"buyer_id": "客户"}``); common
        Chinese and English headers are recognised (:data:`ORDER_ALIASES`).
    encoding : str, optional
        CSV text encoding; detected when not given.
    fmt : {"csv", "parquet", "jsonl", "excel", "sql"}, optional
        Default: from the suffix.
    table : str, optional
        The sheet, SQL table or archive member (default: the first holding the
        required columns).
    date_format : str, optional
        strftime format of the time column (default: detected).
    timezone : str, optional
        IANA zone of naive times (default ``Asia/Shanghai``).

    limits : ReadLimits, optional
        The bounds the file must keep (see :func:`agentgraph.loaders.files.read_table`);
        ids longer than ``max_id_chars`` are refused.

    Returns
    -------
    Orders
        ``seller_id``, ``buyer_id`` (strings), ``amount`` (float64 yuan), and where
        present ``at`` and ``order_id``; ``source`` is ``str(path)``.

    Raises
    ------
    InputError
        Missing file or columns, no rows, empty ids, amounts that are not
        non-negative numbers, bad dates: naming file, row and column.

    Notes
    -----
    O(bytes) to read the file plus O(rows) vectorised compute
    (see :func:`normalise_orders`).

    Examples
    --------
    >>> orders = read_orders("fixtures/money/ladder5_orders.csv")
    >>> orders.rows, orders.table.column_names
    (16, ['seller_id', 'buyer_id', 'amount', 'at', 'order_id'])
    >>> read_orders("fixtures/money/ladder5_orders.parquet")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: fixtures/money/ladder5_orders.parquet: no such file
    """
    source = str(path)
    lim = limits if limits is not None else DEFAULT_LIMITS
    ids = id_columns(lambda n: resolve(n, columns, source, ORDER_ALIASES), _IDS)
    raw = read_table(
        path,
        encoding,
        fmt,
        table=table,
        accepts=header_accepts(ORDER_ALIASES, _REQUIRED, columns, source),
        limits=lim,
        ids=ids,
    )
    check_ids(raw, ids(raw.column_names), lim, source)
    return normalise_orders(raw, columns, source, date_format=date_format, timezone=timezone)
