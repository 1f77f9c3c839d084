"""Payments on Spark: read in file order, matched to networks, sent where their networks lie.

The money evidence of a network reads the payments that name its agents (as payer,
payee or source agent). A payment naming agents of two networks (an agent paying an
upline in another network) ties both: :func:`link_networks` finds those ties (one
join per id column), groups the tied networks on the driver (union-find over the
distinct ties only) and gives every network and payment a ``group``; the measure
stage partitions by group, so each partition holds whole networks with every payment
that names them, and the in-process money evidence measured there is the one the
whole input gives. Payments naming no agent go with the first row's network: they
only count in the totals.

The payments are normalised where they are measured, by the in-process
:func:`agentgraph.loaders.payments.normalise_payments`, with their row numbers in
file order; a bad value is reported with its row as in-process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.errors import InputError
from agentgraph.loaders.columns import resolve
from agentgraph.loaders.payments import PAYMENT_ALIASES, normalise_payments
from agentgraph.spark.session import cut
from agentgraph.tables import Payments, Reading

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "PAYMENT_COLUMNS",
    "CHECK_ORDER",
    "MAX_DRIVER_TIES",
    "SparkPayments",
    "Linked",
    "read_payments",
    "link_networks",
    "partition_payments",
    "cited_rows",
    "error_of",
    "first_error",
]

PAYMENT_COLUMNS = (
    "payer_id",
    "payee_id",
    "amount",
    "kind",
    "at",
    "source_agent_id",
    "order_id",
    "link_type",
)
"""The canonical payment columns carried to the executors (as ``p_<name>``)."""

CHECK_ORDER = (
    "payer_id",
    "payee_id",
    "source_agent_id",
    "order_id",
    "link_type",
    "amount",
    "kind",
    "at",
)
"""The columns in the order :func:`~agentgraph.loaders.payments.normalise_payments`
checks them: the first bad value in-process is the first row of the first failing
check, so the partitions' errors are ranked by (check, row)."""

MAX_DRIVER_TIES = 5_000_000
"""Most distinct ties between networks grouped on the driver (about 50 bytes each)."""

_IDS = ("payer_id", "payee_id", "source_agent_id")
_ROW_LISTS = ("payment_rows", "joining_window_rows")


@dataclass(frozen=True)
class SparkPayments:
    """A payment table on Spark, as read.

    Attributes
    ----------
    frame : pyspark.sql.DataFrame
        ``row`` (0-based, file order) and ``p_<column>`` for each canonical column
        the header maps (:data:`PAYMENT_COLUMNS`), as read.
    rows : int
        Payments read.
    source : str
        The input's name.
    schema : pyarrow.Schema
        The normalised columns' types (from a sample), for a partition without
        payments.
    headers : dict of str to str, optional
        Canonical name -> the input's header, so a bad value is named by its column as
        in-process.

    Examples
    --------
    >>> import pyarrow as pa
    >>> SparkPayments(None, 0, "p.csv", pa.schema([])).source
    'p.csv'
    """

    frame: DataFrame
    rows: int
    source: str
    schema: pa.Schema
    headers: dict[str, str] | None = None


def read_payments(
    spark: SparkSession,
    data: Any,
    *,
    columns: dict[str, str] | None = None,
    source_name: str | None = None,
    timezone: str | None = None,
) -> SparkPayments:
    """Read a payment table (Parquet or CSV file or folder, or a DataFrame) on Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    data : str, Path or pyspark.sql.DataFrame
        What Spark reads (a folder's part files in path order).
    columns : dict, optional
        Canonical name -> the input's column (as ``--column`` for payments).
    source_name : str, optional
        The report's name for it (default: the path).
    timezone : str, optional
        The zone of times written without one.

    Returns
    -------
    SparkPayments

    Raises
    ------
    InputError
        Missing ``payer_id``, ``payee_id`` or ``amount`` columns, or no rows (as
        in-process). Bad values are found where the payments are measured.

    Notes
    -----
    One sort to number the rows (as the member table's); the driver checks the
    header on a 10,000-row sample.

    Examples
    --------
    >>> PAYMENT_COLUMNS[:3]
    ('payer_id', 'payee_id', 'amount')
    """
    from pyspark.sql import functions as F

    from agentgraph.spark.rows import SAMPLE_ROWS, numbered, raw_input

    raw, path, _ = raw_input(spark, data, Reading(source_name or str(data)))
    source = source_name or path
    names = [c for c in raw.columns if c not in ("_file", "_pos")]
    sample = raw.select(*names).limit(SAMPLE_ROWS).toArrow()
    try:  # the header (and no rows) as in-process; values are checked in full later
        checked = normalise_payments(sample, columns, source, timezone=timezone)
    except InputError as exc:
        if exc.row is not None:
            checked = None
        else:
            raise
    cols = resolve(names, columns, source, PAYMENT_ALIASES)
    carried = [c for c in PAYMENT_COLUMNS if c in cols]
    frame = numbered(spark, raw).select(
        "row", *[F.col(f"`{cols[c]}`").alias(f"p_{c}") for c in carried]
    )
    frame = frame.transform(cut)
    rows = frame.count()
    schema = checked.table.schema if checked is not None else _schema(carried)
    return SparkPayments(frame, rows, source, schema, {c: cols[c] for c in carried})


def _schema(carried: list[str]) -> pa.Schema:
    """The normalised payment columns' types (when the sample held a bad value).

    As :func:`~agentgraph.loaders.payments.normalise_payments` gives them: ``kind``
    always (``other`` where the input has none).
    """
    types = {"amount": pa.float64(), "at": pa.timestamp("s")}
    names = [c for c in PAYMENT_COLUMNS if c in carried or c == "kind"]
    return pa.schema([(c, types.get(c, pa.string())) for c in names])


@dataclass(frozen=True)
class Linked:
    """Payments with their group, and the networks grouped by payments.

    Attributes
    ----------
    payments : pyspark.sql.DataFrame
        :attr:`SparkPayments.frame` with ``group`` (the key its networks go by).
    groups : pyspark.sql.DataFrame or None
        ``root``, ``group`` for the networks tied to others (None: no ties).
    ties : int
        Distinct ties between two networks.

    Examples
    --------
    >>> Linked(None, None, 0).ties
    0
    """

    payments: DataFrame
    groups: DataFrame | None
    ties: int


def _union_find(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each root key of ``pairs`` (k x 2) and the smallest key of its component."""
    keys, inv = np.unique(pairs.reshape(-1), return_inverse=True)
    parent = np.arange(len(keys))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    edges = inv.reshape(-1, 2)
    for a, b in edges.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the smallest key heads its component
    heads = np.array([find(i) for i in range(len(keys))], np.int64)
    return keys, keys[heads]


def link_networks(
    spark: SparkSession, payments: SparkPayments, roots: DataFrame, home: int
) -> Linked:
    """Every payment's group: the networks its agents are in, tied (module docstring).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    payments : SparkPayments
        The payments as read.
    roots : pyspark.sql.DataFrame
        ``agent_id``, ``root`` of every agent (:attr:`agentgraph.spark.forest.Forest.roots`).
    home : int
        The group of payments that name no agent (the first row's root).

    Returns
    -------
    Linked

    Raises
    ------
    InputError
        More than :data:`MAX_DRIVER_TIES` distinct ties between networks.

    Notes
    -----
    One join per id column; the driver holds the distinct ties only (O(t) union-find).

    Examples
    --------
    >>> import numpy as np
    >>> _union_find(np.array([[5, 9], [9, 2], [7, 8]]))[1].tolist()
    [2, 2, 7, 7, 2]
    """
    from pyspark.sql import functions as F

    df = payments.frame
    got = []
    for c in _IDS:
        if f"p_{c}" not in df.columns:
            continue
        ids = roots.select(F.col("agent_id").alias("_id"), F.col("root").alias(f"r_{c}"))
        df = df.join(ids, F.col(f"p_{c}").cast("string") == F.col("_id"), "left").drop("_id")
        got.append(f"r_{c}")
    pairs = None
    for i, a in enumerate(got):
        for b in got[i + 1 :]:
            tie = df.where(
                F.col(a).isNotNull() & F.col(b).isNotNull() & (F.col(a) != F.col(b))
            ).select(F.least(a, b).alias("a"), F.greatest(a, b).alias("b"))
            pairs = tie if pairs is None else pairs.unionByName(tie)
    groups = None
    n_ties = 0
    anchor = F.coalesce(*[F.col(c) for c in reversed(got)])  # source, payee, payer
    if pairs is not None:
        ties = pairs.distinct().transform(cut)
        n_ties = ties.count()
        if n_ties > MAX_DRIVER_TIES:
            raise InputError(
                f"payments tie {n_ties} pairs of networks together; the spark engine groups "
                f"at most {MAX_DRIVER_TIES} on the driver",
                source=payments.source,
            )
        if n_ties:
            table = ties.toArrow()
            both = np.column_stack(
                [table.column("a").to_numpy(), table.column("b").to_numpy()]
            ).astype(np.int64)
            keys, heads = _union_find(both)
            at = int(np.searchsorted(keys, home))
            if at < len(keys) and keys[at] == home:
                home = int(heads[at])
            groups = spark.createDataFrame(pa.table({"root": keys, "group": heads}))
            groups = groups.transform(cut)
    df = df.withColumn("_anchor", anchor)
    if groups is not None:
        g = groups.select(F.col("root").alias("_anchor"), F.col("group").alias("_g"))
        df = df.join(F.broadcast(g) if n_ties <= 1_000_000 else g, "_anchor", "left")
        group = F.coalesce(F.col("_g"), F.col("_anchor"), F.lit(home))
    else:
        group = F.coalesce(F.col("_anchor"), F.lit(home))
    keep = ["row", *[c for c in df.columns if c.startswith("p_")]]
    out = df.withColumn("group", group.cast("long")).select(*keep, "group")
    return Linked(out, groups, int(n_ties))


def partition_payments(
    table: pa.Table,
    schema: pa.Schema,
    source: str,
    *,
    timezone: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[Payments | None, np.ndarray, dict[str, Any] | None]:
    """The payments of one partition, normalised as in-process, and their rows.

    Parameters
    ----------
    table : pyarrow.Table
        ``row`` and ``p_<column>`` rows, sorted by ``row``.
    schema : pyarrow.Schema
        :attr:`SparkPayments.schema` (for a partition without payments).
    source : str
        The payments' name.
    timezone : str, optional
        The zone of times written without one.
    headers : dict, optional
        Canonical name -> the input's header (:attr:`SparkPayments.headers`).

    Returns
    -------
    tuple
        The :class:`Payments` (None on a bad value), the 0-based global row of
        each, and the first bad value's error (``message``, ``row`` (1-based,
        global), ``column`` as the input names it, ``check``: the in-process order of
        the check that failed) or None.

    Notes
    -----
    O(rows).

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"row": [7], "p_payer_id": ["A"], "p_payee_id": ["B"],
    ...               "p_amount": ["-1"]})
    >>> partition_payments(t, pa.schema([]), "p.csv")[2]["row"]
    8
    """
    rows = np.asarray(table.column("row").to_numpy(), np.int64)
    if table.num_rows == 0:
        return Payments(schema.empty_table(), source), rows, None
    canon = table.select([c for c in table.column_names if c.startswith("p_")])
    names = [c[2:] for c in canon.column_names]
    named = dict(headers or {})
    canon = canon.rename_columns([named.get(c, c) for c in names])
    try:
        pays = normalise_payments(canon, named or None, source, timezone=timezone)
    except InputError as exc:
        row = int(rows[exc.row - 1]) + 1 if exc.row is not None else None
        back = {h: c for c, h in named.items()}
        check = (
            CHECK_ORDER.index(back.get(exc.column or "", exc.column or ""))
            if (back.get(exc.column or "", exc.column) in CHECK_ORDER)
            else len(CHECK_ORDER)
        )
        error = {
            "message": exc.message,
            "row": row,
            "column": exc.column,
            "source": source,
            "check": check,
        }
        return None, rows, error
    return pays, rows, None


def cited_rows(entry: Any, rows: np.ndarray) -> Any:
    """``entry`` with its 1-based payment rows read as global rows (``rows[k - 1] + 1``).

    The rows a money flag cites (``payment_rows``, ``joining_window_rows`` and each
    example's ``row``), at any depth of the evidence.

    Parameters
    ----------
    entry : object
        A network's report entry (JSON-ready).
    rows : numpy.ndarray
        The partition's payments' global 0-based rows.

    Returns
    -------
    object
        A copy with the rows rewritten.

    Notes
    -----
    O(size of the entry).

    Examples
    --------
    >>> import numpy as np
    >>> cited_rows({"payment_rows": [1, 2], "examples": [{"row": 2}]}, np.array([4, 9]))
    {'payment_rows': [5, 10], 'examples': [{'row': 10}]}
    """
    if isinstance(entry, dict):
        out: dict[str, Any] = {}
        for k, v in entry.items():
            if k in _ROW_LISTS and isinstance(v, list):
                out[k] = [int(rows[r - 1]) + 1 for r in v]
            elif k == "examples" and isinstance(v, list):
                out[k] = [
                    {**e, "row": int(rows[e["row"] - 1]) + 1}
                    if isinstance(e, dict) and isinstance(e.get("row"), int)
                    else cited_rows(e, rows)
                    for e in v
                ]
            else:
                out[k] = cited_rows(v, rows)
        return out
    if isinstance(entry, list):
        return [cited_rows(v, rows) for v in entry]
    return entry


def first_error(found: list[dict[str, Any]]) -> InputError | None:
    """The error the in-process reader would raise first, of the partitions' first ones.

    Parameters
    ----------
    found : list of dict
        Each partition's first bad value (:func:`partition_payments`; a member
        table's has ``check`` 99: the payments are read first).

    Returns
    -------
    InputError or None
        The first by (check, row): the in-process checks run column by column, each
        over all rows.

    Notes
    -----
    O(partitions).

    Examples
    --------
    >>> first_error([{"message": "m", "row": 1, "column": "amount", "check": 5},
    ...              {"message": "e", "row": 2, "column": "payer_id", "check": 0}]).row
    2
    """
    if not found:
        return None
    e = min(found, key=lambda x: (x.get("check", 99), x.get("row") or 0))
    return InputError(e["message"], source=e.get("source"), row=e.get("row"), column=e["column"])


def error_of(entry: str) -> InputError:
    """The :class:`InputError` of a partition's bad-value row (its JSON).

    Parameters
    ----------
    entry : str
        The row's JSON: ``message``, ``row``, ``column``, ``source``.

    Returns
    -------
    InputError

    Notes
    -----
    O(1).

    Examples
    --------
    >>> str(error_of('{"message": "bad", "row": 3, "column": "amount", "source": "p.csv"}'))
    "p.csv, row 3, column 'amount': bad"
    """
    e = json.loads(entry)
    return InputError(e["message"], source=e.get("source"), row=e.get("row"), column=e["column"])
