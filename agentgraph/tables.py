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

from dataclasses import dataclass, field
from typing import Any, Literal

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
    "Reading",
    "NO_UPLINE_VALUES",
]

NO_UPLINE_VALUES = ("", "0", "-1", "NULL", "null", "None", "none", "\\N", "无", "-")
"""Upline values that mean "no upline" (a root) unless they are themselves a listed agent id.

CRMEB ``spread_uid``, likeshop ``first_leader`` and Niushop ``source_member`` write
``0``; dumps write ``NULL`` or ``\\N``; Chinese admin panels ``无`` or ``-``.
"""

RelationKind = Literal["members", "edges"]

MEMBER_COLUMNS = ("agent_id", "upline_id", "joined_at", "rank")
EDGE_COLUMNS = ("upline_id", "downline_id", "kind", "at")
KNOWN_COLUMNS = {"members": MEMBER_COLUMNS, "edges": EDGE_COLUMNS}


@dataclass
class Reading:
    """How an input was read: format, encoding, table, columns and conventions.

    Loaders fill it in as they read; :func:`agentgraph.graph.model.build_graph` turns
    its ``issues`` into data issues and the report's ``input`` section prints
    :meth:`as_dict`.

    Attributes
    ----------
    source : str
        The file (or stream) read.
    format : str, optional
        ``csv``, ``parquet``, ``jsonl``, ``excel``, ``mysqldump``, ``pg_dump`` or
        ``dataframe``.
    compression : str, optional
        ``gzip``, ``bz2``, ``xz``, ``zstd`` or ``zip`` when the file was compressed.
    encoding : str, optional
        The text encoding used (CSV and dumps).
    encoding_confidence : float, optional
        How sure the detection was (1.0 for a BOM or a given ``--encoding``).
    delimiter : str, optional
        The CSV field separator used.
    table : str, optional
        The sheet, SQL table or archive member read.
    table_reason : str, optional
        Why that table was chosen.
    tables_found : list of str
        Every table the file holds (sheets, SQL tables, archive members).
    columns : dict
        Canonical name -> the input's column used for it.
    schema : str, optional
        The known export schema recognised (e.g. ``CRMEB eb_user``).
    renamed_columns : dict
        New name -> original name, for header names that appeared more than once.
    date_formats : dict
        Column -> the date format detected (or given with ``--date-format``).
    timezone : str
        The zone naive times are read in (times are kept as wall-clock time there).
    no_upline : dict
        Upline value that meant "no upline" -> rows holding it.
    where : list of str
        Row filters applied (``--where``).
    rows_read : int
        Data rows in the table before filters.
    rows_excluded : int
        Rows the filters left out.
    issues : list of tuple
        ``(kind, agents, detail)`` data issues found while reading.
    notes : list of str
        Anything else worth saying about how the input was read.

    Examples
    --------
    >>> from agentgraph.tables import Reading
    >>> r = Reading("eb_user.csv", format="csv", no_upline={"0": 3})
    >>> r.as_dict()["no_upline"], r.as_dict()["timezone"]
    ({'0': 3}, 'Asia/Shanghai')
    >>> Reading.from_dict(r.stored()) == r
    True
    """

    source: str = "<memory>"
    format: str | None = None
    compression: str | None = None
    encoding: str | None = None
    encoding_confidence: float | None = None
    delimiter: str | None = None
    table: str | None = None
    table_reason: str | None = None
    tables_found: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    schema: str | None = None
    renamed_columns: dict[str, str] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"
    no_upline: dict[str, int] = field(default_factory=dict)
    where: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_excluded: int = 0
    issues: list[tuple[str, list[str], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The reading as a JSON-ready dict (the report's ``input`` section)."""
        return {
            "source": self.source,
            "format": self.format,
            "compression": self.compression,
            "encoding": self.encoding,
            "encoding_confidence": self.encoding_confidence,
            "delimiter": self.delimiter,
            "table": self.table,
            "table_reason": self.table_reason,
            "tables_found": list(self.tables_found),
            "columns": dict(self.columns),
            "schema": self.schema,
            "renamed_columns": dict(self.renamed_columns),
            "date_formats": dict(self.date_formats),
            "timezone": self.timezone,
            "no_upline": dict(self.no_upline),
            "where": list(self.where),
            "rows_read": self.rows_read,
            "rows_excluded": self.rows_excluded,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reading:
        """A reading back from :meth:`as_dict` plus ``issues`` (what stores keep).

        Unknown keys are ignored, so a store written by a later revision still reads.
        """
        known = {f for f in cls.__dataclass_fields__}
        kept = {k: v for k, v in data.items() if k in known}
        kept["issues"] = [(str(k), list(a), str(d)) for k, a, d in data.get("issues", [])]
        return cls(**kept)

    def stored(self) -> dict[str, Any]:
        """:meth:`as_dict` plus the reading's data issues: what a store keeps."""
        return self.as_dict() | {"issues": [list(i) for i in self.issues]}


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
    reading : Reading, optional
        How the file was read (format, columns, no-upline values, filters...).

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
    reading: Reading | None = field(default=None, compare=False, repr=False)

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
