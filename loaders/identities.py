"""Read identity records: which phone, ID number, bank card or device each account uses.

One row per account and identifier set: ``agent_id`` plus any of ``phone``,
``id_number``, ``bank_card``, ``device`` (recognised under common Chinese and
English headers) and other columns, all read as strings (hashed values such as
sha256 hex work the same: only equality matters). Same formats, encodings and
bad-input behaviour as :func:`agentgraph.loaders.read_relations`.

Complexity: one pass over the file plus O(rows) casts.

Examples
--------
>>> IDENTITY_ALIASES["phone"][:3]
('phone', 'mobile', 'phone_number')
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from agentgraph.loaders.columns import ALIASES, resolve
from agentgraph.loaders.files import column, read_table
from agentgraph.loaders.limits import DEFAULT_LIMITS, ReadLimits, check_ids, id_columns
from agentgraph.loaders.values import as_string

from agentgraph.errors import InputError

__all__ = ["read_identities", "normalise_identities", "IDENTITY_ALIASES"]

IDENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "agent_id": ALIASES["agent_id"],
    "phone": ("phone", "mobile", "phone_number", "tel", "手机", "手机号", "手机号码", "电话"),
    "id_number": (
        "id_number",
        "id_card",
        "national_id",
        "身份证",
        "身份证号",
        "身份证号码",
        "证件号",
    ),
    "bank_card": ("bank_card", "card", "bank_account", "银行卡", "银行卡号", "账号", "收款账号"),
    "device": ("device", "device_id", "设备", "设备号", "设备id"),
}


def normalise_identities(
    table: pa.Table, source: str = "<memory>", columns: dict[str, str] | None = None
) -> pa.Table:
    """Check an Arrow table of identities and give its columns their canonical names.

    Recognised headers (or those ``columns`` maps, e.g. ``{"phone": "手机2"}``) are
    renamed to ``agent_id``, ``phone``, ``id_number``, ``bank_card``, ``device`` and
    every column is read as strings. A column that carries a canonical name but was
    not chosen for it (``agent_id`` when ``columns`` maps ``agent_id`` to another
    header) is dropped.

    Parameters
    ----------
    table : pyarrow.Table
        Identities as read (e.g. from an upload).
    source : str, default "<memory>"
        Where the table came from (for messages).
    columns : dict, optional
        Canonical name -> header in ``table``; wins over :data:`IDENTITY_ALIASES`.

    Returns
    -------
    pyarrow.Table
        The kept columns, in their input order, all ``string``; recognised ones
        under their canonical names, the others as they came.

    Raises
    ------
    InputError
        No ``agent_id`` column, no identifier column beside it, no rows, or a column
        that is not text or integers.

    Notes
    -----
    O(rows): one cast per column that is not text already.

    Examples
    --------
    >>> import pyarrow as pa
    >>> raw = pa.table({"会员编号": ["K10", "M1"], "手机号": [13800000010, 13800000010]})
    >>> normalise_identities(raw).to_pylist()[1]
    {'agent_id': 'M1', 'phone': '13800000010'}
    >>> normalise_identities(raw.select(["会员编号"]), "ids.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: ids.csv: no identifier columns beside agent_id (phone, id_number, bank_card, device, ...)
    """  # noqa: E501
    names = table.column_names
    chosen = resolve(names, columns, source, IDENTITY_ALIASES)
    rename = {real: canon for canon, real in chosen.items()}
    keep = [n for n in names if n in rename or n not in IDENTITY_ALIASES]
    kept = [column(table, n, source) for n in keep]
    names = keep
    if "agent_id" not in rename.values():
        raise InputError(
            f"missing column agent_id for an identities table (found: "
            f"{', '.join(names) or 'none'})",
            source=source,
            column="agent_id",
        )
    if len(rename) < 2 and len(names) < 2:
        raise InputError(
            "no identifier columns beside agent_id (phone, id_number, bank_card, device, ...)",
            source=source,
        )
    if table.num_rows == 0:
        raise InputError("no data rows (only a header)", source=source)
    cols = [as_string(col, n, source) for col, n in zip(kept, names, strict=True)]
    return pa.table(cols, names=[rename.get(n, n) for n in names])


def read_identities(
    path: str | Path,
    *,
    encoding: str | None = None,
    fmt: str | None = None,
    columns: dict[str, str] | None = None,
    table: str | None = None,
    limits: ReadLimits | None = None,
) -> pa.Table:
    """Read an identities table (CSV, Parquet or JSON Lines); see the module docstring.

    Parameters
    ----------
    path : str or Path
        The identities file; same formats and encodings as
        :func:`agentgraph.loaders.read_relations`.
    encoding : str, optional
        CSV text encoding; detected when not given.
    fmt : {"csv", "parquet", "jsonl"}, optional
        Default: from the suffix.
    columns : dict, optional
        Canonical name -> the file's header (``{"phone": "手机2"}``); common Chinese
        and English headers are recognised (:data:`IDENTITY_ALIASES`).
    table : str, optional
        The sheet, SQL table or archive member to read (default: the first).

    limits : ReadLimits, optional
        The bounds the file must keep (see :func:`agentgraph.loaders.files.read_table`);
        ids longer than ``max_id_chars`` are refused.

    Returns
    -------
    pyarrow.Table
        ``agent_id`` and the identifier columns, all strings (see
        :func:`normalise_identities`).

    Raises
    ------
    InputError
        Missing file, no ``agent_id`` column, no identifier column, no rows,
        undecodable bytes: naming file, row and column.

    Notes
    -----
    O(bytes) to read the file plus O(rows) casts.

    Examples
    --------
    >>> ids = read_identities("fixtures/identities/split_identities.csv")
    >>> ids.column_names, ids.column("phone")[1].as_py()
    (['agent_id', 'phone', 'bank_card', 'device'], ' 13800000010 ')
    >>> read_identities("fixtures/money/ladder5_orders.csv")
    Traceback (most recent call last):
    ...
    agentgraph.errors.InputError: fixtures/money/ladder5_orders.csv, column 'agent_id': missing column agent_id for an identities table (found: order_id, seller_id, buyer_id, amount, at)
    """  # noqa: E501
    source = str(path)
    lim = limits if limits is not None else DEFAULT_LIMITS
    ids = id_columns(lambda n: resolve(n, columns, source, IDENTITY_ALIASES), ("agent_id",))
    raw = read_table(path, encoding, fmt, table=table, limits=lim, ids=ids)
    check_ids(raw, ids(raw.column_names), lim, source)
    return normalise_identities(raw, source, columns)
