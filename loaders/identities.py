"""Read identity records: which phone, ID number, bank card or device each account uses.

One row per account and identifier set: ``agent_id`` plus any of ``phone``,
``id_number``, ``bank_card``, ``device`` (recognised under common Chinese and
English headers) and other columns, all read as strings (hashed values such as
sha256 hex work the same: only equality matters). Same formats, encodings and
bad-input behaviour as :func:`agentgraph.loaders.read_relations`.

Complexity: one pass over the file plus O(rows) casts.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from agentgraph.loaders.columns import ALIASES
from agentgraph.loaders.payments import read_table, resolve
from agentgraph.loaders.read import as_string

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
    """Rename recognised headers (or those ``columns`` maps, e.g. ``{"phone": "手机2"}``)
    to ``agent_id``, ``phone``, ``id_number``, ``bank_card``, ``device`` and read every
    column as strings. A column that carries a canonical name but was not chosen for
    it (``agent_id`` when ``columns`` maps ``agent_id`` to another header) is dropped.
    """
    names = table.column_names
    chosen = resolve(names, columns, source, IDENTITY_ALIASES)
    rename = {real: canon for canon, real in chosen.items()}
    keep = [n for n in names if n in rename or n not in IDENTITY_ALIASES]
    table = table.select(keep)
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
    cols = [as_string(table.column(n), n, source) for n in names]
    return pa.table(cols, names=[rename.get(n, n) for n in names])


def read_identities(
    path: str | Path,
    *,
    encoding: str | None = None,
    fmt: str | None = None,
    columns: dict[str, str] | None = None,
) -> pa.Table:
    """Read an identities table (CSV, Parquet or JSON Lines); see the module docstring.

    Raises
    ------
    InputError
        Missing file, no ``agent_id`` column, no identifier column, no rows,
        undecodable bytes: naming file, row and column.
    """
    return normalise_identities(read_table(path, encoding, fmt), str(path), columns)
