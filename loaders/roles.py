r"""The role of a table, from its columns: member table, edge list, payments, orders, identities.

:func:`classify` (one file) and :func:`classify_tables` (every table of a file) read
only the headers (:func:`~agentgraph.loaders.files.table_headers`) and decide by the
columns, never by the file name: a member table (``agent_id`` + ``upline_id``), an
edge list (``upline_id`` + ``downline_id``), payments (``payer_id`` + ``payee_id`` +
``amount``), orders (``seller_id`` + ``buyer_id`` + ``amount``) or identities
(``agent_id`` + a phone, ID number, bank card or device column), under the aliases
the readers use (:data:`~agentgraph.loaders.columns.ALIASES`,
:data:`~agentgraph.loaders.payments.PAYMENT_ALIASES`,
:data:`~agentgraph.loaders.orders.ORDER_ALIASES`,
:data:`~agentgraph.loaders.identities.IDENTITY_ALIASES`). When a header fits several
roles the most specific wins and the reason says so: payments and orders need three
columns, member tables and edge lists two (an edge list wins over a member table, as
:func:`~agentgraph.loaders.read_relations` decides), identities are the loosest (an
agent id and any identifier). So a payment ledger is never read as an edge list, nor
a member table that also lists phones as identities. A file that cannot be read is
``unknown``, its error the reason.

Examples
--------
>>> [ROLE_NAMES[classify(Path(f"fixtures/money/ladder5_{r}.csv")).role] for r in ("members", "orders")]
['member table', 'order table']
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from agentgraph.loaders.columns import resolve, resolve_columns
from agentgraph.loaders.files import table_headers
from agentgraph.loaders.identities import IDENTITY_ALIASES
from agentgraph.loaders.orders import ORDER_ALIASES
from agentgraph.loaders.payments import PAYMENT_ALIASES

from agentgraph.errors import InputError

__all__ = ["Role", "ROLES", "ROLE_NAMES", "Found", "classify", "classify_tables"]

Role = Literal["members", "edges", "payments", "orders", "identities", "unknown"]
ROLES: tuple[Role, ...] = ("members", "edges", "payments", "orders", "identities", "unknown")
# role -> (what it is called, the columns it needs); the order breaks ties: most specific first
_NEEDS: dict[Role, tuple[str, tuple[str, ...]]] = {
    "payments": ("payment table", ("payer_id", "payee_id", "amount")),
    "orders": ("order table", ("seller_id", "buyer_id", "amount")),
    "edges": ("edge list", ("upline_id", "downline_id")),
    "members": ("member table", ("agent_id", "upline_id")),
    "identities": ("identities table", ("agent_id", "identifier")),
}
ROLE_NAMES: dict[str, str] = {role: name for role, (name, _) in _NEEDS.items()}
"""What each role is called in messages (``"payments"`` -> ``"payment table"``)."""
_IDENTIFIERS = ("phone", "id_number", "bank_card", "device")


@dataclass(frozen=True)
class Found:
    """One table of a file, and the role its columns give it.

    Parameters
    ----------
    path : Path
        The file.
    role : {"members", "edges", "payments", "orders", "identities", "unknown"}
        What the table is; ``unknown`` for a file that is not used (unreadable, no
        role fits, hidden, not a table file, a sub-folder not searched).
    table : str or None
        The table (sheet, SQL table, archive member) to read (``--table``), when the
        file holds several; None when it holds one.
    reason : str
        Why: the columns found, the tie broken, or why it is not used.
    columns : dict
        Canonical column name -> the header that gave it, for the role found.

    Examples
    --------
    >>> f = classify(Path("fixtures/money/ladder5_payments.csv"))
    >>> f.role, f.table, f.columns["payer_id"]
    ('payments', None, 'payer_id')
    >>> f.reason
    "payment table: payer_id='payer_id', payee_id='payee_id', amount='amount'"
    """

    path: Path
    role: Role
    table: str | None
    reason: str
    columns: dict[str, str] = field(default_factory=dict, compare=False)


def _fits(header: list[str]) -> tuple[dict[Role, dict[str, str]], dict[Role, list[str]]]:
    """Role -> columns for the roles that fit; role -> what is missing for those partly there."""
    src = "<header>"
    rel = resolve_columns(header, None, src)
    found = {
        "payments": resolve(header, None, src, PAYMENT_ALIASES),
        "orders": resolve(header, None, src, ORDER_ALIASES),
        "edges": rel,
        "members": rel,
        "identities": resolve(header, None, src, IDENTITY_ALIASES),
    }
    fits: dict[Role, dict[str, str]] = {}
    missing: dict[Role, list[str]] = {}
    for role, (_, needs) in _NEEDS.items():
        cols = found[role]
        if role == "identities":
            ids = [c for c in _IDENTIFIERS if c in cols]
            lack = ([] if "agent_id" in cols else ["agent_id"]) + ([] if ids else ["identifier"])
            need = ("agent_id", *ids)
        else:
            lack = [c for c in needs if c not in cols]
            need = needs
        if lack and len(lack) < len(needs):
            missing[role] = lack  # some of its columns are there
        if not lack:
            fits[role] = {c: cols[c] for c in need}
            fits[role].update({c: r for c, r in cols.items() if c not in need})
    return fits, missing


def _classify_header(path: Path, table: str | None, header: list[str]) -> Found:
    fits, missing = _fits(header)
    if not fits:
        shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
        why = f"no role fits its columns ({shown or 'none'})"
        if missing:
            near, lack = min(missing.items(), key=lambda kv: len(kv[1]))
            why += f"; nearest: {_NEEDS[near][0]}, missing {', '.join(lack)}"
        return Found(path, "unknown", table, why)
    role, cols = next(iter(fits.items()))  # _NEEDS order: the most specific first
    name, needs = _NEEDS[role]
    listed = [c for c in cols if c in needs or (role == "identities" and c in _IDENTIFIERS)]
    reason = f"{name}: " + ", ".join(f"{c}={cols[c]!r}" for c in listed)
    others = [r for r in fits if r != role]
    if others:
        reason += (
            f"; also fits {' and '.join(_NEEDS[r][0] for r in others)}: the most specific role wins"
        )
    return Found(path, role, table, reason, dict(cols))


def classify_tables(path: Path, *, encoding: str | None = None) -> list[Found]:
    """The role of every table of a file (one :class:`Found` per table that has one).

    Parameters
    ----------
    path : Path
        A table file of any format :func:`~agentgraph.loaders.files.table_headers`
        reads (only the headers are read).
    encoding : str, optional
        CSV text encoding; detected when None.

    Returns
    -------
    list of Found
        One per table with a role, in the file's order (``table`` set when the file
        holds several tables); when no table has one, a single ``unknown`` Found with
        the reason (the file could not be read, or the nearest role and what it lacks).

    Notes
    -----
    O(header) per table for CSV and Parquet (JSON Lines: the file is read), plus
    O(columns * aliases) to match the names.

    Examples
    --------
    >>> [f.role for f in classify_tables(Path("fixtures/ladder_edges.csv"))]
    ['edges']
    >>> classify_tables(Path("fixtures/bad/empty.csv"))[0].reason
    'cannot be read: file is empty'
    """
    try:
        headers = table_headers(path, encoding)
    except InputError as exc:
        at = f"row {exc.row}: " if exc.row is not None else ""
        return [Found(path, "unknown", None, f"cannot be read: {at}{exc.message}")]
    except OSError as exc:
        return [Found(path, "unknown", None, f"cannot be read: {exc.strerror or exc}")]
    if not headers:
        return [Found(path, "unknown", None, "holds no table")]
    several = len(headers) > 1
    found = [_classify_header(path, t if several else None, h) for t, h in headers.items()]
    known = [f for f in found if f.role != "unknown"]
    if known:
        return known
    if several:
        return [Found(path, "unknown", None, f"none of its {len(found)} tables has a role")]
    return found


def classify(path: Path, *, encoding: str | None = None) -> Found:
    """The role of a file, from its columns (see the module docstring for the rules).

    Parameters
    ----------
    path : Path
        A table file.
    encoding : str, optional
        CSV text encoding; detected when None.

    Returns
    -------
    Found
        The file's table with a role (for a file of several tables: the first member
        table or edge list, else the first with a role; the reason names the others),
        or ``unknown`` with why (an unreadable file gives its error as the reason).

    Notes
    -----
    As :func:`classify_tables`.

    Examples
    --------
    >>> f = classify(Path("fixtures/chain5.csv"))
    >>> f.role, f.reason
    ('members', "member table: agent_id='agent_id', upline_id='upline_id'")
    >>> classify(Path("fixtures/money/ladder5_orders.csv")).role
    'orders'
    """
    found = classify_tables(path, encoding=encoding)
    best = next((f for f in found if f.role in ("members", "edges")), found[0])
    others = [f for f in found if f is not best]
    if not others:
        return best
    rest = ", ".join(f"{f.table} ({f.role})" for f in others)
    return Found(
        best.path, best.role, best.table, f"{best.reason}; also holds {rest}", best.columns
    )
