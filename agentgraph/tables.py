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
    """A normalised member table or edge list, with where it came from."""

    kind: RelationKind
    table: pa.Table
    source: str = "<memory>"

    @property
    def rows(self) -> int:
        return self.table.num_rows

    def extra_columns(self) -> list[str]:
        """Columns kept from the input beyond the known ones."""
        known = set(KNOWN_COLUMNS[self.kind])
        return [c for c in self.table.column_names if c not in known]


PAYMENT_KINDS = ("entry_fee", "commission", "goods", "rebate", "other")
PAYOUT_KINDS = ("commission", "rebate")
MONEY_IN_KINDS = ("entry_fee", "goods", "other")


@dataclass(frozen=True)
class Payments:
    """A normalised payment table (see :func:`agentgraph.loaders.read_payments`): ``payer_id``,
    ``payee_id`` (strings), ``amount`` (float64 yuan), ``kind`` (one of
    :data:`PAYMENT_KINDS`), optional ``at``, ``source_agent_id``, ``order_id``.
    """

    table: pa.Table
    source: str = "<memory>"

    @property
    def rows(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> pa.ChunkedArray | None:
        return self.table.column(name) if name in self.table.column_names else None


@dataclass(frozen=True)
class Orders:
    """A normalised order table (see :func:`agentgraph.loaders.read_orders`): ``seller_id``,
    ``buyer_id`` (strings), ``amount`` (float64 yuan), optional ``at``, ``order_id``.
    """

    table: pa.Table
    source: str = "<memory>"

    @property
    def rows(self) -> int:
        return self.table.num_rows


def kind_mask(kind: pa.ChunkedArray, kinds: tuple[str, ...]) -> np.ndarray:
    """Boolean mask: which values of a ``kind`` column are one of ``kinds``. O(rows)."""
    return np.asarray(
        pc.is_in(kind, value_set=pa.array(kinds)).to_numpy(zero_copy_only=False), np.bool_
    )
