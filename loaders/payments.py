"""Read payment records (the money evidence beside a member table or edge list).

A payment table has one row per payment: ``payer_id``, ``payee_id``, ``amount``
(yuan, >= 0), ``kind`` (``entry_fee``, ``commission``, ``goods``, ``rebate`` or
``other``; ``other`` when the column is absent or a cell is empty), ``at``, and,
where the export has them, ``source_agent_id`` (whose sale or recruitment caused
the payment) and ``order_id`` (the sale behind it). Same formats, encodings and
bad-input behaviour as :func:`agentgraph.loaders.read_relations`: ids stay strings, and a bad
file raises :class:`~agentgraph.errors.InputError` naming file, row and column.

Complexity: one pass over the file through Arrow's readers plus O(rows) compute.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from agentgraph.loaders.read import (
    _read_csv,
    _read_jsonl,
    _read_parquet,
    as_string,
    first_true,
    input_format,
    time_column,
)

from agentgraph.errors import InputError
from agentgraph.tables import PAYMENT_KINDS, Payments

__all__ = [
    "read_payments",
    "normalise_payments",
    "read_table",
    "resolve",
    "amounts",
    "PAYMENT_ALIASES",
]

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
}
_REQUIRED = ("payer_id", "payee_id", "amount")
_KIND_WORDS = {
    "entry_fee": "entry_fee",
    "entry": "entry_fee",
    "fee": "entry_fee",
    "入门费": "entry_fee",
    "加盟费": "entry_fee",
    "代理费": "entry_fee",
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


def resolve(
    names: list[str],
    mapping: dict[str, str] | None,
    source: str,
    aliases: dict[str, tuple[str, ...]],
) -> dict[str, str]:
    """Canonical name -> header, from a user mapping first, then known aliases."""
    mapping = mapping or {}
    folded = {n.strip().lower(): n for n in names}
    out: dict[str, str] = {}
    for canon, given in mapping.items():
        if canon not in aliases:
            raise InputError(
                f"column mapping {canon}={given}: {canon!r} is not one of {', '.join(aliases)}",
                source=source,
            )
        real = given if given in names else folded.get(given.strip().lower())
        if real is None:
            raise InputError(
                f"mapped column {given!r} (for {canon}) is not in the header; "
                f"found: {', '.join(names)}",
                source=source,
                column=given,
            )
        out[canon] = real
    taken = set(out.values())
    for canon, names_ in aliases.items():
        if canon in out:
            continue
        for alias in names_:
            real = folded.get(alias)
            if real is not None and real not in taken:
                out[canon] = real
                taken.add(real)
                break
    return out


def amounts(col: pa.ChunkedArray, name: str, source: str) -> pa.ChunkedArray:
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
            ok = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
            bad = pc.and_(pc.is_valid(text), pc.invert(ok))
            k = first_true(bad)
            raise InputError(
                f"amount {col[k].as_py()!r} is not a number", source=source, row=k + 1, column=name
            ) from None
    if values.null_count:
        k = first_true(pc.is_null(values))
        raise InputError("empty amount", source=source, row=k + 1, column=name)
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


def _kinds(col: pa.ChunkedArray | None, n: int, name: str, source: str) -> pa.ChunkedArray:
    if col is None:
        return pa.chunked_array([pa.array(["other"] * n, pa.string())])
    text = pc.utf8_lower(pc.utf8_trim_whitespace(as_string(col, name, source)))
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


def read_table(path: str | Path, encoding: str | None, fmt: str | None) -> pa.Table:
    """The raw table of a CSV, Parquet or JSON Lines file (CSV cells as strings)."""
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise InputError("no such file", source=source)
    if p.is_dir():
        raise InputError("is a folder, not a file", source=source)
    form = input_format(p, fmt)
    return (
        _read_csv(p, source, encoding)
        if form == "csv"
        else _read_parquet(p, source)
        if form == "parquet"
        else _read_jsonl(p, source)
    )


def read_payments(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
) -> Payments:
    """Read a payment table (CSV, Parquet or JSON Lines) into :class:`Payments`.

    ``columns`` maps canonical names to the file's headers
    (``{"payer_id": "付款人"}``); common Chinese and English headers are recognised.

    Raises
    ------
    InputError
        Missing file, missing columns, no rows, empty ids, amounts that are not
        non-negative numbers, unknown kinds, bad dates: naming file, row and column.
    """
    return normalise_payments(read_table(path, encoding, fmt), columns, str(path))


def normalise_payments(
    table: pa.Table, columns: dict[str, str] | None = None, source: str = "<memory>"
) -> Payments:
    """Check and normalise an Arrow table of payments (see :func:`read_payments`)."""
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
    for canon in ("payer_id", "payee_id", "source_agent_id", "order_id"):
        if canon not in cols:
            continue
        col = as_string(table.column(cols[canon]), cols[canon], source)
        if canon in ("payer_id", "payee_id") and col.null_count:
            k = first_true(pc.is_null(col))
            raise InputError(f"empty {canon}", source=source, row=k + 1, column=cols[canon])
        out[canon] = col
    out["amount"] = amounts(table.column(cols["amount"]), cols["amount"], source)
    out["kind"] = _kinds(
        table.column(cols["kind"]) if "kind" in cols else None,
        table.num_rows,
        cols.get("kind", "kind"),
        source,
    )
    if "at" in cols:
        out["at"] = time_column(table.column(cols["at"]), cols["at"], source)
    order = ["payer_id", "payee_id", "amount", "kind", "at", "source_agent_id", "order_id"]
    return Payments(pa.table({k: out[k] for k in order if k in out}), source)
