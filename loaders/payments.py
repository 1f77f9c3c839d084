"""Read payment records (the money evidence beside a member table or edge list).

A payment table has one row per payment: ``payer_id``, ``payee_id``, ``amount``
(yuan, >= 0), ``kind`` (``entry_fee``, ``commission``, ``goods``, ``rebate`` or
``other``; ``other`` when the column is absent or a cell is empty), ``at``, and,
where the export has them, ``source_agent_id`` (whose sale or recruitment caused
the payment), ``order_id`` (the sale behind it) and ``link_type`` (what a payout is
for: ``order``, ``invite``, 拉新 ...; see :mod:`agentgraph.evidence.pay_basis`). Same
formats, encodings and bad-input behaviour as :func:`agentgraph.loaders.read_relations`:
ids stay strings, and a bad file raises :class:`~agentgraph.errors.InputError` naming file,
row and column.

Complexity: one pass over the file through Arrow's readers plus O(rows) compute.

Examples
--------
>>> PAYMENT_ALIASES["payer_id"][:2]
('payer_id', 'payer')
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
from agentgraph.tables import PAYMENT_KINDS, Payments

__all__ = ["read_payments", "normalise_payments", "PAYMENT_ALIASES"]

PAYMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "payer_id": ("payer_id", "payer", "from_id", "from", "付款人", "付款人id", "付款方"),
    "payee_id": ("payee_id", "payee", "to_id", "to", "收款人", "收款人id", "收款方"),
    "amount": ("amount", "sum", "value", "金额", "付款金额", "数额"),
    "kind": ("kind", "type", "payment_kind", "类型", "款项类型"),
    "at": ("at", "time", "paid_at", "timestamp", "date", "时间", "付款时间", "日期"),
    "source_agent_id": (
        "source_agent_id",
        "source_agent",
        "caused_by",
        "来源代理",
        "来源代理id",
        "业绩来源",
    ),
    "order_id": ("order_id", "order", "订单号", "订单id", "订单编号"),
    "link_type": (  # what the payout is for (CRMEB eb_user_brokerage_record.link_type)
        "link_type",
        "biz_type",
        "brokerage_type",
        "commission_type",
        "reward_type",
        "关联类型",
        "来源类型",
        "佣金类型",
        "奖励类型",
        "奖金类型",
    ),
}
_REQUIRED = ("payer_id", "payee_id", "amount")
_IDS = ("payer_id", "payee_id", "source_agent_id")
_KIND_WORDS = {
    "entry_fee": "entry_fee",
    "entry": "entry_fee",
    "fee": "entry_fee",
    "入门费": "entry_fee",
    "加盟费": "entry_fee",
    "代理费": "entry_fee",
    "升级费": "entry_fee",  # a fee for a higher rank: an entry fee (入门费) for its rights
    "晋级费": "entry_fee",
    "rank_up": "entry_fee",
    "upgrade_fee": "entry_fee",
    "commission": "commission",
    "佣金": "commission",
    "提成": "commission",
    "奖金": "commission",
    "goods": "goods",
    "purchase": "goods",
    "货款": "goods",
    "进货": "goods",
    "rebate": "rebate",
    "返利": "rebate",
    "返点": "rebate",
    "other": "other",
    "其他": "other",
}


def _kinds(col: pa.ChunkedArray | None, n: int, name: str, source: str) -> pa.ChunkedArray:
    if col is None:
        return pa.chunked_array([pa.array(["other"] * n, pa.string())])
    raw = pc.cast(as_string(col, name, source), pa.string())
    if pc.all(pc.is_in(raw, value_set=pa.array(PAYMENT_KINDS))).as_py() is not False:
        return pc.fill_null(raw, "other")  # already the kinds' own words (or empty)
    text = pc.utf8_lower(pc.utf8_trim_whitespace(raw))
    keys = pa.array(list(_KIND_WORDS))
    vals = pa.array(list(_KIND_WORDS.values()))
    idx = pc.index_in(text, value_set=keys)
    bad = pc.and_(pc.is_valid(text), pc.is_null(idx))
    if pc.any(bad).as_py():
        k = first_true(bad)
        raise InputError(
            f"payment kind {col[k].as_py()!r} is not one of {', '.join(PAYMENT_KINDS)}",
            source=source,
            row=k + 1,
            column=name,
        )
    return pc.fill_null(pc.take(vals, idx), "other")


def read_payments(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
    table: str | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    limits: ReadLimits | None = None,
) -> Payments:
    """Read a payment table (CSV, Parquet or JSON Lines) into :class:`Payments`.

    Parameters
    ----------
    path : str or Path
        The payment file; same formats and encodings as
        :func:`agentgraph.loaders.read_relations`.
    columns : dict, optional
        Canonical name -> the file's header (``{"payer_id": "付款人"}``); common
        Chinese and English headers are recognised (:data:`PAYMENT_ALIASES`).
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
    Payments
        ``payer_id``, ``payee_id`` (strings), ``amount`` (float64 yuan), ``kind`` (one
        of :data:`~agentgraph.tables.PAYMENT_KINDS`), and where present ``at``,
        ``source_agent_id``, ``order_id``; ``source`` is ``str(path)``.

    Raises
    ------
    InputError
        Missing file, missing columns, no rows, empty ids, amounts that are not
        non-negative numbers, unknown kinds, bad dates: naming file, row and column.

    Notes
    -----
    O(bytes) to read the file plus O(rows) vectorised compute
    (see :func:`normalise_payments`).

    Examples
    --------
    >>> pay = read_payments("fixtures/money/ladder5_payments.csv")
    >>> pay.rows, pay.table.column("kind")[0].as_py(), pay.table.column("amount")[0].as_py()
    (82, 'entry_fee', 1000.0)
    >>> read_payments("fixtures/money/ladder5_members.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: fixtures/money/ladder5_members.csv, column 'payer_id': missing column(s) payer_id, payee_id, amount for a payment table (found: agent_id, upline_id, joined_at)
    """  # noqa: E501
    source = str(path)
    lim = limits if limits is not None else DEFAULT_LIMITS
    ids = id_columns(lambda n: resolve(n, columns, source, PAYMENT_ALIASES), _IDS)
    raw = read_table(
        path,
        encoding,
        fmt,
        table=table,
        accepts=header_accepts(PAYMENT_ALIASES, _REQUIRED, columns, source),
        limits=lim,
        ids=ids,
    )
    check_ids(raw, ids(raw.column_names), lim, source)
    return normalise_payments(raw, columns, source, date_format=date_format, timezone=timezone)


def normalise_payments(
    table: pa.Table,
    columns: dict[str, str] | None = None,
    source: str = "<memory>",
    *,
    date_format: str | None = None,
    timezone: str | None = None,
) -> Payments:
    """Check and normalise an Arrow table of payments (see :func:`read_payments`).

    Parameters
    ----------
    table : pyarrow.Table
        Payments as read (e.g. from an upload), under any known header.
    columns : dict, optional
        Canonical name -> header in ``table``; wins over :data:`PAYMENT_ALIASES`.
    source : str, default "<memory>"
        Where the table came from (for messages and ``Payments.source``).

    Returns
    -------
    Payments
        The columns in the order ``payer_id``, ``payee_id``, ``amount``, ``kind``,
        ``at``, ``source_agent_id``, ``order_id`` (the optional ones when present);
        ``kind`` is ``other`` where the column is absent or a cell empty. Other
        columns are dropped.

    Raises
    ------
    InputError
        Missing ``payer_id``, ``payee_id`` or ``amount`` columns, no rows, an empty
        payer or payee, an amount that is not a non-negative number, an unknown kind,
        a bad time: naming source, row and column.

    Notes
    -----
    O(rows): vectorised Arrow casts and look-ups, one per column.

    Examples
    --------
    >>> import pyarrow as pa
    >>> raw = pa.table({"付款人": ["A2"], "收款人": ["A1"], "金额": ["¥1,000"], "类型": ["入门费"]})
    >>> normalise_payments(raw).table.to_pylist()
    [{'payer_id': 'A2', 'payee_id': 'A1', 'amount': 1000.0, 'kind': 'entry_fee'}]
    >>> normalise_payments(raw.set_column(3, "类型", pa.array(["gift"])))
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: <memory>, row 1, column '类型': payment kind 'gift' is not one of entry_fee, commission, goods, rebate, other
    """  # noqa: E501
    names = table.column_names
    cols = resolve(names, columns, source, PAYMENT_ALIASES)
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} for a payment table "
            f"(found: {', '.join(names) or 'none'})",
            source=source,
            column=missing[0],
        )
    if table.num_rows == 0:
        raise InputError("no data rows (only a header)", source=source)
    out: dict[str, pa.ChunkedArray] = {}
    for canon in ("payer_id", "payee_id", "source_agent_id", "order_id", "link_type"):
        if canon not in cols:
            continue
        col = as_string(column(table, cols[canon], source), cols[canon], source)
        if canon in ("payer_id", "payee_id") and col.null_count:
            k = first_true(pc.is_null(col))
            raise InputError(f"empty {canon}", source=source, row=k + 1, column=cols[canon])
        out[canon] = col
    out["amount"] = amounts(column(table, cols["amount"], source), cols["amount"], source)
    out["kind"] = _kinds(
        column(table, cols["kind"], source) if "kind" in cols else None,
        table.num_rows,
        cols.get("kind", "kind"),
        source,
    )
    if "at" in cols:
        out["at"] = time_column(
            column(table, cols["at"], source),
            cols["at"],
            source,
            date_format=date_format,
            timezone=timezone,
        )
    order = [
        *("payer_id", "payee_id", "amount", "kind", "at"),
        *("source_agent_id", "order_id", "link_type"),
    ]
    return Payments(pa.table({k: out[k] for k in order if k in out}), source)
