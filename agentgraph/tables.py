"""Normalised relation tables: what loaders produce and stores keep.

Two kinds, both Arrow tables whose id columns are ``string`` (never numbers:
"007" and "7" are two agents):

``members``
    one row per agent: ``agent_id`` (non-null), ``upline_id`` (null for roots),
    optional ``joined_at`` (timestamp), ``rank`` (declared title, string), any
    other columns kept as they came; ``supply_upline_id`` (who the agent buys
    stock from, 拿货上级, beside its recruiter) when the input has such a column.
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
from functools import cached_property
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

    @classmethod
    def merge(cls, readings: list[Reading]) -> Reading:
        """One reading for several inputs read into one table (uploads, appends).

        Parameters
        ----------
        readings : list of Reading
            The inputs' readings, in the order their rows were combined.

        Returns
        -------
        Reading
            ``source`` the sources joined with ``", "``; ``no_upline`` counts,
            ``rows_read`` and ``rows_excluded`` summed; ``issues`` concatenated;
            ``tables_found``, ``where`` and ``notes`` in order of first appearance
            (each once). A value the inputs agree on is kept (``encoding_confidence``:
            the lowest); one they differ on becomes ``None`` (``timezone``: the
            zones joined with ``", "``) and a note names each input's value, and so
            does a key of ``columns``, ``renamed_columns`` or ``date_formats``
            mapped differently (that key is left out). One reading gives an
            equal copy.

        Raises
        ------
        ValueError
            ``readings`` is empty.

        Notes
        -----
        O(total size of the readings). Associative when the inputs agree on their
        format, encoding, columns and the like (the usual case: merging a merged
        reading with a third equals merging the three); where they differ, the
        notes of a stepwise merge name the merged sources together.

        Examples
        --------
        >>> from agentgraph.tables import Reading
        >>> a = Reading("a.csv", format="csv", no_upline={"0": 3}, rows_read=10,
        ...             issues=[("no_upline_value", [], "'0' in 3 rows")])
        >>> b = Reading("b.csv", format="csv", no_upline={"0": 1, "无": 2}, rows_read=5)
        >>> m = Reading.merge([a, b])
        >>> m.source, m.format, m.no_upline, m.rows_read, len(m.issues)
        ('a.csv, b.csv', 'csv', {'0': 4, '无': 2}, 15, 1)
        >>> c = Reading("c.xlsx", format="excel", table="Sheet1")
        >>> m = Reading.merge([a, c])
        >>> m.format, m.table, m.notes
        (None, None, ['format differs: a.csv: csv; c.xlsx: excel', 'table differs: a.csv: -; c.xlsx: Sheet1'])
        >>> Reading.merge([a]) == a
        True
        """  # noqa: E501
        if not readings:
            raise ValueError("Reading.merge needs at least one reading")
        first = readings[0]
        if len(readings) == 1:
            return cls.from_dict(first.stored())
        notes: list[str] = []

        def scalar(name: str) -> Any:
            values = [getattr(r, name) for r in readings]
            if all(v == values[0] for v in values):
                return values[0]
            told = "; ".join(
                f"{r.source}: {'-' if v is None else v}"
                for r, v in zip(readings, values, strict=True)
            )
            notes.append(f"{name} differs: {told}")
            return None

        def mapping(name: str) -> dict[str, str]:
            out: dict[str, str] = {}
            seen: dict[str, list[tuple[str, str]]] = {}
            for r in readings:
                for k, v in getattr(r, name).items():
                    seen.setdefault(k, []).append((r.source, v))
            for k, pairs in seen.items():
                if all(v == pairs[0][1] for _, v in pairs):
                    out[k] = pairs[0][1]
                else:
                    told = "; ".join(f"{s}: {v}" for s, v in pairs)
                    notes.append(f"{name}[{k!r}] differs: {told}")
            return out

        def once(name: str) -> list[str]:
            return list(dict.fromkeys(x for r in readings for x in getattr(r, name)))

        no_upline: dict[str, int] = {}
        for r in readings:
            for value, count in r.no_upline.items():
                no_upline[value] = no_upline.get(value, 0) + count
        fmt, compression, encoding = scalar("format"), scalar("compression"), scalar("encoding")
        confidences = [r.encoding_confidence for r in readings if r.encoding_confidence is not None]
        zones = list(dict.fromkeys(r.timezone for r in readings))
        merged = cls(
            source=", ".join(r.source for r in readings),
            format=fmt,
            compression=compression,
            encoding=encoding,
            encoding_confidence=min(confidences) if confidences and encoding else None,
            delimiter=scalar("delimiter"),
            table=scalar("table"),
            table_reason=scalar("table_reason"),
            tables_found=once("tables_found"),
            columns=mapping("columns"),
            schema=scalar("schema"),
            renamed_columns=mapping("renamed_columns"),
            date_formats=mapping("date_formats"),
            timezone=", ".join(zones),
            no_upline=no_upline,
            where=once("where"),
            rows_read=sum(r.rows_read for r in readings),
            rows_excluded=sum(r.rows_excluded for r in readings),
            issues=[(k, list(a), d) for r in readings for k, a, d in r.issues],
        )
        if len(zones) > 1:
            told = "; ".join(f"{r.source}: {r.timezone}" for r in readings)
            notes.append(f"timezone differs: {told}")
        merged.notes = list(dict.fromkeys([*once("notes"), *notes]))
        return merged


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

    @cached_property
    def kind_codes(self) -> np.ndarray:
        """int8 per payment: the index of its kind in :data:`PAYMENT_KINDS` (-1: none).

        One Arrow lookup of the ``kind`` column, made once; -1 for a null or a
        value that is not a payment kind.
        """
        col = self.table.column("kind")
        idx = pc.index_in(col, value_set=pa.array(PAYMENT_KINDS, col.type))
        return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), np.int8)

    def kind_in(self, kinds: tuple[str, ...]) -> np.ndarray:
        """:func:`kind_mask` of the ``kind`` column, read from :attr:`kind_codes`.

        Parameters
        ----------
        kinds : tuple of str
            The kinds wanted, e.g. :data:`PAYOUT_KINDS`.

        Returns
        -------
        ndarray of bool
            True where the payment's kind is one of ``kinds``.

        Notes
        -----
        O(p) numpy work and no string comparison once :attr:`kind_codes` is made
        (the first call makes it); a kind outside :data:`PAYMENT_KINDS` falls back to
        :func:`kind_mask`.

        Examples
        --------
        >>> import pyarrow as pa
        >>> pay = Payments(pa.table({"kind": ["goods", None, "rebate"]}))
        >>> pay.kind_in(PAYOUT_KINDS).tolist(), pay.kind_in(("goods", "other")).tolist()
        ([False, False, True], [True, False, False])
        """
        if not set(kinds) <= set(PAYMENT_KINDS):
            return kind_mask(self.table.column("kind"), kinds)
        lut = np.zeros(len(PAYMENT_KINDS) + 1, np.bool_)  # the last entry: code -1
        lut[[PAYMENT_KINDS.index(k) for k in kinds]] = True
        out: np.ndarray = lut[self.kind_codes]
        return out


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
