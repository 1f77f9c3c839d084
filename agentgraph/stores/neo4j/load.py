"""The batched, resumable load (and append) of the Neo4j store.

Rows go in batches of ``batch_size``, each one transaction of
``UNWIND $rows AS r MERGE ...`` statements (:data:`~agentgraph.stores.neo4j.cypher.WRITE_ROWS`)
with every value a query parameter, then ``SET d.done``. MERGE on
``(id, dataset, load)`` and on the row number makes a batch idempotent. The
Dataset node stays ``complete = false`` until the last batch, so

- readers refuse an unfinished load with a :class:`~agentgraph.errors.StoreError`;
- loading the same data again resumes after the last written batch (a batch that
  failed half way is written again, duplicating nothing);
- ``replace=True`` loads the new data beside the old one and switches over in one
  statement when it is complete, so a failed replacement leaves the old data
  readable; the old load is then deleted in batches.

This gives all-or-nothing loads on servers that do not honour rollback. One
writer per dataset at a time.

Graph written: ``(:Agent {id, dataset, load, rank, joined_at, row})`` per agent id
(``rank``/``joined_at``/``row`` from its first own row of a member table);
``(upline)-[:RECRUITED {row, at, rank|kind, extra}]->(downline)`` per member row
with an upline and per recruitment edge, ``[:SUPPLIES]`` per supply edge;
``(:Dataset)-[:ROOT {row, at, rank, extra}]->(:Agent)`` per member row without an
upline.

The statements of a batch are built in :mod:`agentgraph.stores.neo4j.batches`.

Examples
--------
>>> import pyarrow as pa
>>> from agentgraph.stores.neo4j.load import conform
>>> from agentgraph.stores.neo4j.datasets import DatasetNode
>>> from agentgraph.stores.neo4j.codec import schema_to_text
>>> schema = pa.schema([("agent_id", pa.string()), ("upline_id", pa.string())])
>>> node = DatasetNode("shop", "1", "members", 1, "", "", schema.names,
...                    schema_to_text(schema), True, False, None, 1, 1, None, "none")
>>> conform(node, pa.table({"agent_id": ["b"], "upline_id": ["a"]})).num_rows
1
>>> load_rows(bolt, "shop", rel, batch_size=150)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import DatasetExists, StoreError
from agentgraph.stores.base import Progress, appended_reading
from agentgraph.stores.neo4j.batches import batch_statements
from agentgraph.stores.neo4j.codec import schema_from_text
from agentgraph.stores.neo4j.connection import BoltConnection
from agentgraph.stores.neo4j.cypher import (
    DROP_ORPHANS,
    FINISH_APPEND,
    FINISH_LOAD,
    ROW_TYPES,
    START_APPEND,
    SUPERSEDE_LOAD,
    SUPERSEDE_OLD,
    drop_rows,
)
from agentgraph.stores.neo4j.datasets import (
    DatasetNode,
    create_node,
    current_node,
    fingerprint,
    purge,
    read_nodes,
)
from agentgraph.stores.neo4j.readings import read_reading, write_reading
from agentgraph.tables import Relations

__all__ = [
    "write_rows",
    "load_rows",
    "conform",
    "append_rows",
    "drop_rows_from",
]

log = logging.getLogger("agentgraph.stores.neo4j")


def write_rows(
    bolt: BoltConnection,
    node: DatasetNode,
    table: pa.Table,
    base: int,
    start: int,
    *,
    batch_size: int,
    progress: Progress | None,
) -> None:
    """Write rows ``start - base ..`` of ``table`` as row numbers ``start ..``.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    node : DatasetNode
        The load written to.
    table : pyarrow.Table
        The rows, numbered from ``base``.
    base, start : int
        As for :func:`~agentgraph.stores.neo4j.batches.batch_statements`.
    batch_size : int
        Rows per transaction.
    progress : callable or None
        ``progress(rows_done, rows_in_table)`` after each batch.

    Raises
    ------
    StoreError
        The server failed or a row is over the query budget; ``done`` on the
        Dataset node tells how far it got.

    Notes
    -----
    O(n) rows in ``ceil(n / batch_size)`` transactions (more statements on servers
    with a query budget); ``done`` advances after each batch.

    Examples
    --------
    >>> write_rows(bolt, node, rel.table, 0, 0, batch_size=150, progress=None)  # doctest: +SKIP
    """
    n = table.num_rows
    for j, rows, stmts in batch_statements(bolt, node, table, base, start, batch_size):
        done = base + j + rows
        bolt.write(f"load rows {base + j + 1}-{done} of {node.name!r}", stmts)
        log.debug("%s: %d of %d rows written", node.name, j + rows, n)
        if progress:
            progress(j + rows, n)


def load_rows(
    bolt: BoltConnection,
    name: str,
    rel: Relations,
    *,
    batch_size: int,
    replace: bool = False,
    progress: Progress | None = None,
    resume: bool = True,
) -> None:
    """Store ``rel`` as dataset ``name``; readable only once every batch is in.

    Parameters
    ----------
    bolt : BoltConnection
        The server (indexes created).
    name : str
        The dataset (a checked name).
    rel : Relations
        Checked with :func:`~agentgraph.stores.neo4j.batches.check_relations`.
    batch_size : int
        Rows per transaction.
    replace : bool
        Replace an existing dataset (it stays readable until the new load is
        complete) or discard an unfinished load of other data.
    progress : callable, optional
        ``progress(rows_done, rows_total)`` after each batch (``(0, 0)`` once for
        an empty table).
    resume : bool
        Continue an unfinished load of the same data (same fingerprint, kind and
        encoding) after its last written batch instead of starting again.

    Raises
    ------
    DatasetExists
        ``name`` exists (or has an unfinished load of other data) and not ``replace``.
    StoreError
        The server failed; the load can be resumed by calling it again.

    Notes
    -----
    O(n) rows sent in ``n / batch_size`` transactions; O(n) to fingerprint. The
    reading (``rel.reading``) is written after the rows, and again when a load is
    resumed; the switch-over to the new load, its rows and reading, is one
    statement; old loads are purged after.

    Examples
    --------
    >>> load_rows(bolt, "shop", rel, batch_size=150)  # doctest: +SKIP
    """
    codec = bolt.codec
    fp = fingerprint(rel)
    nodes = [d for d in read_nodes(bolt, name) if not d.superseded]
    current = next((d for d in nodes if d.complete), None)
    pending = [d for d in nodes if not d.complete]
    if current is not None and not replace:
        raise DatasetExists(f"dataset {name!r} exists in {bolt.url}; replace it explicitly")
    target = next(
        (
            d
            for d in pending
            if resume and d.fp == fp and d.kind == rel.kind and d.encoding == codec.encoding
        ),
        None,
    )
    stale = [d for d in pending if d is not target]
    if stale and not replace and target is None:
        d = stale[0]
        other = " of other data" if d.fp != fp else " (resume=False)"
        raise DatasetExists(
            f"dataset {name!r} in {bolt.url} has an unfinished load ({d.done} of "
            f"{d.target} rows){other}: load with replace=True or delete it"
        )
    for d in stale:
        bolt.query("discard unfinished load", SUPERSEDE_LOAD, name=codec.encode(name), load=d.load)
    if target is None:
        target = create_node(bolt, name, rel)
    elif target.done:
        log.info("%s: resuming after row %d of %d", name, target.done, rel.rows)
    write_rows(bolt, target, rel.table, 0, target.done, batch_size=batch_size, progress=progress)
    write_reading(bolt, target, rel.reading)
    finish = FINISH_LOAD
    params: dict[str, Any] = {"name": codec.encode(name), "load": target.load, "rows": rel.rows}
    if current is not None:
        finish += SUPERSEDE_OLD
        params["old"] = current.load
    bolt.query("finish load", finish, **params)
    purge(bolt, name, batch_size=batch_size)
    if progress and rel.rows == 0:
        progress(0, 0)


def conform(node: DatasetNode, table: pa.Table) -> pa.Table:
    """``table`` in the dataset's schema (missing columns null, types cast).

    Parameters
    ----------
    node : DatasetNode
        The dataset appended to.
    table : pyarrow.Table
        The rows to append.

    Returns
    -------
    pyarrow.Table
        With the dataset's columns, in its order and types.

    Raises
    ------
    StoreError
        ``table`` has a column the dataset lacks, or a column does not cast.

    Notes
    -----
    O(n).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.stores.neo4j.codec import schema_to_text
    >>> schema = pa.schema([("agent_id", pa.string()), ("upline_id", pa.string()),
    ...                     ("level", pa.int8())])
    >>> node = DatasetNode("shop", "1", "members", 1, "", "", schema.names,
    ...                    schema_to_text(schema), True, False, None, 1, 1, None, "none")
    >>> conform(node, pa.table({"agent_id": ["b"], "level": [2]})).to_pylist()
    [{'agent_id': 'b', 'upline_id': None, 'level': 2}]
    """
    schema = schema_from_text(node.schema)
    unknown = [c for c in table.column_names if c not in schema.names]
    if unknown:
        raise StoreError(f"dataset {node.name!r} has no column(s) {', '.join(unknown)}")
    cols = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            try:
                cols.append(col if col.type == f.type else pc.cast(col, f.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise StoreError(f"column {f.name!r} cannot become {f.type}: {exc}") from None
        else:
            cols.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(cols, schema=schema)


def append_rows(
    bolt: BoltConnection,
    name: str,
    rel: Relations,
    *,
    batch_size: int,
    progress: Progress | None = None,
    resume: bool = True,
) -> None:
    """Add rows of the same kind; readers see them only once all are written.

    An append that failed is resumed by appending the same rows again; other rows
    first remove what it left behind.

    Parameters
    ----------
    bolt : BoltConnection
        The server (indexes created).
    name : str
        The dataset.
    rel : Relations
        Rows of the dataset's kind, checked with
        :func:`~agentgraph.stores.neo4j.batches.check_relations`.
    batch_size : int
        Rows per transaction.
    progress : callable, optional
        ``progress(rows_done, rows_total)`` after each batch.
    resume : bool
        Continue a failed append of the same rows.

    Raises
    ------
    DatasetNotFound
        No such dataset.
    StoreError
        Another kind, columns that do not fit (:func:`conform`), an unfinished
        load, or the server failed.

    Notes
    -----
    O(n) rows in ``n / batch_size`` transactions; ``rows`` moves in one statement,
    together with the dataset's reading, which becomes the stored one merged with
    ``rel.reading`` (:func:`~agentgraph.stores.base.appended_reading`).

    Examples
    --------
    >>> append_rows(bolt, "shop", more, batch_size=150)  # doctest: +SKIP
    """
    codec = bolt.codec
    node = current_node(bolt, name)
    if node.kind != rel.kind:
        raise StoreError(f"dataset {name!r} holds {node.kind}, not {rel.kind}")
    table = conform(node, rel.table)
    fp = fingerprint(Relations(rel.kind, table))
    base, n = node.rows, table.num_rows
    fixed = {"name": codec.encode(name), "load": node.load}
    start = base
    if node.op == "append":
        if resume and node.fp == fp and node.target == base + n:
            start = node.done
        else:
            drop_rows_from(bolt, node, base, batch_size=batch_size)
    if start == base:
        bolt.query("start append", START_APPEND, **fixed, base=base, target=base + n, fp=fp)
    write_rows(bolt, node, table, base, start, batch_size=batch_size, progress=progress)
    write_reading(bolt, node, appended_reading(read_reading(bolt, node), rel.reading))
    bolt.query("finish append", FINISH_APPEND, **fixed, target=base + n)


def drop_rows_from(bolt: BoltConnection, node: DatasetNode, first: int, *, batch_size: int) -> None:
    """Remove rows numbered ``>= first`` and agents left without relationships.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    node : DatasetNode
        The dataset.
    first : int
        First row number removed (the dataset's readable rows).
    batch_size : int
        The store's batch size (at least 1,000 deletions per query).

    Raises
    ------
    StoreError
        The server failed.

    Notes
    -----
    O(rows removed + agents of the load) in batched queries.

    Examples
    --------
    >>> drop_rows_from(bolt, node, node.rows, batch_size=150)  # doctest: +SKIP
    """
    fixed = {"name": bolt.codec.encode(node.name), "load": node.load}
    step = max(batch_size, 1000)
    for typ in ROW_TYPES[node.kind]:
        while True:
            got = bolt.query("drop unfinished rows", drop_rows(typ), **fixed, first=first, n=step)
            if not got or not got[0]["c"]:
                break
    while True:
        got = bolt.query("drop orphan agents", DROP_ORPHANS, **fixed, n=step)
        if not got or not got[0]["c"]:
            break
