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

import pyarrow as pa

__all__ = ["Relations", "RelationKind", "MEMBER_COLUMNS", "EDGE_COLUMNS", "KNOWN_COLUMNS"]

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
