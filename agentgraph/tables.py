"""Normalised relation tables: what loaders produce and stores keep.

Two kinds, both Arrow tables whose id columns are ``string`` (never numbers:
"007" and "7" are two agents):

``members``
    one row per agent: ``agent_id`` (non-null), ``upline_id`` (null for roots),
    optional ``joined_at`` (timestamp), ``rank`` (declared title, string), any
    other columns kept as they came.
``edges``
    one row per relationship: ``upline_id``, ``downline_id`` (both non-null),
    optional ``kind`` (``recruited`` | ``supplies``; null means recruited) and
    ``at`` (timestamp).

Payments and orders (:class:`Payments`, :class:`Orders`) are normalised the same
way: id columns as strings, amounts as float64 yuan.

Examples
--------
>>> import agentgraph
>>> rel = agentgraph.read("fixtures/mixed.jsonl")
>>> rel.kind, rel.rows, rel.extra_columns()
('members', 8, ['city'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Relations",
    "RelationKind",
    "MEMBER_COLUMNS",
    "EDGE_COLUMNS",
    "KNOWN_COLUMNS",
    "Payments",
    "PAYMENT_KINDS",
    "PAYOUT_KINDS",
    "MONEY_IN_KINDS",
    "Orders",
    "kind_mask",
]

RelationKind = Literal["members", "edges"]

MEMBER_COLUMNS = ("agent_id", "upline_id", "joined_at", "rank")
EDGE_COLUMNS = ("upline_id", "downline_id", "kind", "at")
KNOWN_COLUMNS = {"members": MEMBER_COLUMNS, "edges": EDGE_COLUMNS}


@dataclass(frozen=True)
class Relations:
    """A normalised member table or edge list, with where it came from.

    Attributes
    ----------
    kind : {"members", "edges"}
        A member table (one row per agent) or an edge list (one row per
        relationship); see the module docstring for the columns.
    table : pyarrow.Table
        The rows, id columns as ``string``.
    source : str, default "<memory>"
        The file (or stream) read.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import Relations
    >>> t = pa.table({"agent_id": ["A", "B"], "upline_id": [None, "A"], "city": ["x", "y"]})
    >>> rel = Relations("members", t)
    >>> rel.rows, rel.source, rel.extra_columns()
    (2, '<memory>', ['city'])
    """

    kind: RelationKind
    table: pa.Table
    source: str = "<memory>"

    @property
    def rows(self) -> int:
        """Number of rows of the table."""
        return int(self.table.num_rows)

    def extra_columns(self) -> list[str]:
        """Columns kept from the input beyond the known ones."""
        known = set(KNOWN_COLUMNS[self.kind])
        return [c for c in self.table.column_names if c not in known]


PAYMENT_KINDS = ("entry_fee", "commission", "goods", "rebate", "other")
PAYOUT_KINDS = ("commission", "rebate")
MONEY_IN_KINDS = ("entry_fee", "goods", "other")


@dataclass(frozen=True)
class Payments:
    """A normalised payment table (see :func:`agentgraph.loaders.payments.read_payments`).

    Columns: ``payer_id``, ``payee_id`` (strings), ``amount`` (float64 yuan),
    ``kind`` (one of :data:`PAYMENT_KINDS`), optional ``at``, ``source_agent_id``,
    ``order_id``.

    Attributes
    ----------
    table : pyarrow.Table
        The payments, one per row.
    source : str, default "<memory>"
        The file (or stream) read.

    Examples
    --------
    >>> from agentgraph.loaders.payments import read_payments
    >>> pay = read_payments("fixtures/money/ladder5_payments.csv")
    >>> pay.rows, pay.column("kind")[0].as_py(), pay.column("missing")
    (82, 'entry_fee', None)
    """

    table: pa.Table
    source: str = "<memory>"

    @property
    def rows(self) -> int:
        """Number of payments."""
        return int(self.table.num_rows)

    def column(self, name: str) -> pa.ChunkedArray | None:
        """Column ``name``, or None when the table has no such column."""
        return self.table.column(name) if name in self.table.column_names else None


@dataclass(frozen=True)
class Orders:
    """A normalised order table (see :func:`agentgraph.loaders.orders.read_orders`).

    Columns: ``seller_id``, ``buyer_id`` (strings), ``amount`` (float64 yuan),
    optional ``at``, ``order_id``.

    Attributes
    ----------
    table : pyarrow.Table
        The orders, one per row.
    source : str, default "<memory>"
        The file (or stream) read.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import Orders
    >>> t = pa.table({"seller_id": ["L16"], "buyer_id": ["C1"], "amount": [500.0]})
    >>> Orders(t).rows
    1
    """

    table: pa.Table
    source: str = "<memory>"

    @property
    def rows(self) -> int:
        """Number of orders."""
        return int(self.table.num_rows)


def kind_mask(kind: pa.ChunkedArray, kinds: tuple[str, ...]) -> np.ndarray:
    """Boolean mask: which values of a ``kind`` column are one of ``kinds``.

    Parameters
    ----------
    kind : pyarrow.ChunkedArray
        A ``kind`` column (payments: one of :data:`PAYMENT_KINDS`).
    kinds : tuple of str
        The kinds wanted, e.g. :data:`PAYOUT_KINDS`.

    Returns
    -------
    ndarray of bool
        True where the value is one of ``kinds``; False for a null.

    Notes
    -----
    O(rows): one Arrow ``is_in``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import PAYOUT_KINDS, kind_mask
    >>> kind_mask(pa.chunked_array([["goods", None, "rebate"]]), PAYOUT_KINDS).tolist()
    [False, False, True]
    """
    return np.asarray(
        pc.is_in(kind, value_set=pa.array(kinds)).to_numpy(zero_copy_only=False), np.bool_
    )
