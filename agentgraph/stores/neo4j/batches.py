"""The parameter maps and statements of one write batch of the Neo4j store.

A batch of ``batch_size`` rows becomes one transaction: per row group one
``UNWIND $rows AS r MERGE ...`` statement of
:data:`~agentgraph.stores.neo4j.cypher.WRITE_ROWS` (cut to the query budget on
servers that paste parameters), then ``SET d.done``. Every value is a query
parameter, as :func:`~agentgraph.stores.neo4j.codec.to_storable` makes it and
the connection's :class:`~agentgraph.stores.neo4j.codec.TextCodec` stores it.
:mod:`agentgraph.stores.neo4j.load` runs them.

Examples
--------
>>> import agentgraph
>>> from agentgraph.stores.neo4j.batches import batch_rows
>>> from agentgraph.stores.neo4j.codec import TextCodec
>>> rel = agentgraph.read("fixtures/chain5.csv")
>>> groups = batch_rows("members", rel.table.slice(0, 2), 0, None, [], TextCodec(False))
>>> sorted(groups), groups["root"][0]["a"]
(['root', 'up'], 'C1')
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pyarrow as pa

from agentgraph.errors import StoreError
from agentgraph.stores.neo4j.codec import TextCodec, extras_to_json, to_storable
from agentgraph.stores.neo4j.connection import BoltConnection
from agentgraph.stores.neo4j.cypher import ROW_TYPES, SET_DONE, WRITE_ROWS
from agentgraph.stores.neo4j.datasets import DatasetNode
from agentgraph.tables import KNOWN_COLUMNS, Relations

__all__ = [
    "Statements",
    "check_relations",
    "own_mask",
    "storable_column",
    "batch_rows",
    "batch_statements",
]

#: ``(Cypher text, parameters)`` run in order in one transaction
Statements = list[tuple[str, dict[str, Any]]]


def check_relations(rel: Relations) -> None:
    """Refuse a relation table the store cannot write.

    Parameters
    ----------
    rel : Relations
        A member table or an edge list.

    Raises
    ------
    StoreError
        Unknown kind, or the id columns of the kind are missing.

    Notes
    -----
    O(columns).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import Relations
    >>> check_relations(Relations("members", pa.table({"agent_id": ["a"]}), "t.csv"))
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: t.csv: missing column(s) upline_id
    """
    if rel.kind not in ROW_TYPES:
        raise StoreError(f"unknown relation kind {rel.kind!r}")
    need = ("agent_id", "upline_id") if rel.kind == "members" else ("upline_id", "downline_id")
    missing = [c for c in need if c not in rel.table.column_names]
    if missing:
        raise StoreError(f"{rel.source}: missing column(s) {', '.join(missing)}")


def own_mask(agent: pa.ChunkedArray) -> np.ndarray:
    """True on the first row of each agent id.

    Parameters
    ----------
    agent : pyarrow.ChunkedArray
        The ``agent_id`` column of a member table.

    Returns
    -------
    numpy.ndarray
        Booleans, one per row.

    Notes
    -----
    O(n) hash group-by. The first own row gives the agent node its rank,
    joined_at and row.

    Examples
    --------
    >>> import pyarrow as pa
    >>> own_mask(pa.chunked_array([["a", "b", "a"]])).tolist()
    [True, True, False]
    """
    n = len(agent)
    t = pa.table({"a": agent, "i": pa.array(np.arange(n, dtype=np.int64))})
    first = t.group_by("a", use_threads=False).aggregate([("i", "min")]).column("i_min")
    mask = np.zeros(n, np.bool_)
    mask[first.to_numpy()] = True
    return mask


def storable_column(part: pa.Table, name: str, codec: TextCodec) -> list[Any]:
    """Column ``name`` of ``part`` as the values sent to the server.

    Parameters
    ----------
    part : pyarrow.Table
        A batch of rows.
    name : str
        The column (all ``None`` when missing).
    codec : TextCodec
        How strings are stored.

    Returns
    -------
    list
        :func:`~agentgraph.stores.neo4j.codec.to_storable` values, strings encoded.

    Notes
    -----
    O(rows).

    Examples
    --------
    >>> import pyarrow as pa
    >>> storable_column(pa.table({"a": ["x'", None]}), "a", TextCodec(True))
    ['<x%27>', None]
    >>> storable_column(pa.table({"a": ["x"]}), "rank", TextCodec(True))
    [None]
    """
    if name not in part.column_names:
        return [None] * part.num_rows
    arr = to_storable(part.column(name))
    if pa.types.is_string(arr.type):
        arr = codec.encode_array(arr)
    return cast(list[Any], arr.to_pylist())


def batch_rows(
    kind: str,
    part: pa.Table,
    first: int,
    own: np.ndarray | None,
    extras: list[str],
    codec: TextCodec,
) -> dict[str, list[dict[str, Any]]]:
    """Parameter maps of one batch, grouped by the statement that writes them.

    Parameters
    ----------
    kind : str
        ``members`` or ``edges``.
    part : pyarrow.Table
        The batch's rows.
    first : int
        Row number of its first row.
    own : numpy.ndarray or None
        :func:`own_mask` of the batch's rows (members), else ``None``.
    extras : list of str
        Extra columns (one JSON object per row, ``x``).
    codec : TextCodec
        How strings are stored.

    Returns
    -------
    dict
        Key of :data:`~agentgraph.stores.neo4j.cypher.WRITE_ROWS` -> maps with ``i``
        (row number), ``a`` (agent or downline id) and, when not null, ``u``
        (upline), ``t`` (time), ``n`` (rank) or ``k`` (kind), ``x`` (extras).

    Notes
    -----
    O(rows) in Python.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"upline_id": ["a", "a"], "downline_id": ["b", "c"],
    ...               "kind": ["recruits", "supplies"]})
    >>> batch_rows("edges", t, 10, None, [], TextCodec(False))
    {'rec': [{'i': 10, 'a': 'b', 'u': 'a', 'k': 'recruits'}], 'sup': [{'i': 11, 'a': 'c', 'u': 'a', 'k': 'supplies'}]}
    """  # noqa: E501
    n = part.num_rows
    texts = extras_to_json(part, extras)
    if codec.escape and extras:
        texts = codec.encode_array(pa.array(texts, pa.string())).to_pylist()
    groups: dict[str, list[dict[str, Any]]] = {}
    if kind == "members":
        a, u = storable_column(part, "agent_id", codec), storable_column(part, "upline_id", codec)
        t, v = storable_column(part, "joined_at", codec), storable_column(part, "rank", codec)
        vkey = "n"
        supplies = [False] * n
    else:
        a, u = (
            storable_column(part, "downline_id", codec),
            storable_column(part, "upline_id", codec),
        )
        t, v = storable_column(part, "at", codec), storable_column(part, "kind", codec)
        vkey = "k"
        raw = part.column("kind").to_pylist() if "kind" in part.column_names else v
        supplies = [k == "supplies" for k in raw]
    for j in range(n):
        r: dict[str, Any] = {"i": first + j, "a": a[j]}
        if u[j] is not None:
            r["u"] = u[j]
        if t[j] is not None:
            r["t"] = t[j]
        if v[j] is not None:
            r[vkey] = v[j]
        if texts[j] is not None:
            r["x"] = texts[j]
        if kind == "members":
            group = ("up" if u[j] is not None else "root") + (
                "_own" if own is not None and own[j] else ""
            )
        else:
            group = "sup" if supplies[j] else "rec"
        groups.setdefault(group, []).append(r)
    return groups


def batch_statements(
    bolt: BoltConnection,
    node: DatasetNode,
    table: pa.Table,
    base: int,
    start: int,
    batch_size: int,
) -> Iterator[tuple[int, int, Statements]]:
    """The write transactions of rows ``start - base ..`` of ``table``.

    Parameters
    ----------
    bolt : BoltConnection
        The server (its string codec and query budget).
    node : DatasetNode
        The load written to.
    table : pyarrow.Table
        The rows, numbered from ``base``.
    base : int
        Row number of ``table``'s first row.
    start : int
        First row number to write (``base`` or a resumed ``done``).
    batch_size : int
        Rows per transaction.

    Yields
    ------
    tuple
        ``(offset, rows, statements)``: the batch's offset in ``table``, its row
        count, its statements (row writes cut to the budget, then ``SET d.done``).

    Raises
    ------
    StoreError
        A row alone is over the query budget.

    Notes
    -----
    O(n) rows; a batch is built only when the previous one is written.

    Examples
    --------
    >>> list(batch_statements(bolt, node, rel.table, 0, 0, 150))  # doctest: +SKIP
    """
    kind = node.kind
    n = table.num_rows
    extras = [c for c in table.column_names if c not in KNOWN_COLUMNS[kind]]
    own = own_mask(table.column("agent_id")) if kind == "members" else None
    fixed = {"name": bolt.codec.encode(node.name), "load": node.load}
    for j in range(start - base, n, batch_size):
        part = table.slice(j, batch_size)
        groups = batch_rows(
            kind,
            part,
            base + j,
            None if own is None else own[j : j + part.num_rows],
            extras,
            bolt.codec,
        )
        stmts: Statements = []
        for group, rows in groups.items():
            text = WRITE_ROWS[group]
            for chunk in bolt.chunks(text, fixed, rows):
                stmts.append((text, {**fixed, "rows": chunk}))
        stmts.append((SET_DONE, {**fixed, "done": base + j + part.num_rows}))
        yield j, part.num_rows, stmts
