"""The Dataset nodes of the Neo4j store: one per load of a dataset, and its bookkeeping.

``(:Dataset {name, load, kind, rows, source, loaded_at, columns, schema, complete,
superseded, op, done, target, pending_fp, encoding, reading, pending_reading})`` is one
load of a dataset (``load`` is a random id). Readers use the one with ``complete = true`` and
``superseded = false`` (:func:`current_node`); an unfinished load or append keeps
``done`` (rows written), ``target`` (rows once finished) and ``pending_fp`` (the
:func:`fingerprint` of its data, so that loading the same data again resumes it).
A replaced or deleted load is marked ``superseded`` at once and removed in batches
(:func:`drop_load`, :func:`purge`).

Examples
--------
>>> import agentgraph
>>> from agentgraph.stores.neo4j.datasets import fingerprint
>>> rel = agentgraph.read("fixtures/chain5.csv")
>>> fingerprint(rel) == fingerprint(agentgraph.read("fixtures/chain5.csv"))
True
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from agentgraph.errors import DatasetNotFound, StoreError
from agentgraph.stores.neo4j.codec import schema_to_text, wire_size
from agentgraph.stores.neo4j.connection import BoltConnection
from agentgraph.stores.neo4j.cypher import (
    CREATE_DATASET,
    DELETE_AGENTS,
    DELETE_LOAD,
    READ_DATASET,
    SET_DATASET,
)
from agentgraph.tables import Relations

__all__ = [
    "DatasetNode",
    "UnfinishedLoad",
    "fingerprint",
    "read_nodes",
    "current_node",
    "set_properties",
    "create_node",
    "drop_load",
    "purge",
]

log = logging.getLogger("agentgraph.stores.neo4j")


@dataclass(frozen=True)
class UnfinishedLoad:
    """A load or append that stopped before its last batch.

    Attributes
    ----------
    name : str
        The dataset.
    op : str
        ``"load"`` or ``"append"``.
    done : int
        Rows written (row numbers below this are stored).
    target : int
        Rows the dataset has once it is finished.

    Examples
    --------
    >>> UnfinishedLoad("shop", "load", 300, 1000).as_dict()
    {'name': 'shop', 'op': 'load', 'done': 300, 'target': 1000}
    """

    name: str
    op: str
    done: int
    target: int

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (for JSON)."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class DatasetNode:
    """A Dataset node as read back (strings decoded).

    Attributes
    ----------
    name, load, kind : str
        Dataset name, load id, ``members`` or ``edges``.
    rows : int
        Readable rows.
    source, loaded_at : str
        Where the data came from; when the load started (ISO 8601, UTC).
    columns : list of str
        The loaded table's columns.
    schema : str
        Its Arrow schema (:func:`~agentgraph.stores.neo4j.codec.schema_to_text`).
    complete, superseded : bool
        Every batch written; replaced or deleted.
    op : str or None
        ``"load"`` or ``"append"`` while one is unfinished.
    done, target : int
        Rows written so far; rows once the operation is finished.
    fp : str or None
        Fingerprint of the unfinished operation's data.
    encoding : str
        ``"pct"`` or ``"none"`` (:class:`~agentgraph.stores.neo4j.codec.TextCodec`).
    reading_parts : int
        Parts of the stored reading (:mod:`~agentgraph.stores.neo4j.readings`); 0:
        none (loads written before readings were kept, or rows without one).

    Examples
    --------
    >>> node = DatasetNode("shop", "5f0c", "members", 0, "a.csv", "2024-01-01T00:00:00Z",
    ...                    ["agent_id"], "", False, False, "load", 0, 10, None, "none")
    >>> node.complete, node.target
    (False, 10)
    """

    name: str
    load: str
    kind: str
    rows: int
    source: str
    loaded_at: str
    columns: list[str]
    schema: str
    complete: bool
    superseded: bool
    op: str | None
    done: int
    target: int
    fp: str | None
    encoding: str
    reading_parts: int = 0


def fingerprint(rel: Relations) -> str:
    """Hash of a relation table's kind, schema and content.

    Parameters
    ----------
    rel : Relations
        The data of a load or append.

    Returns
    -------
    str
        32 hex digits (BLAKE2b, 16 bytes).

    Notes
    -----
    O(bytes): the Arrow IPC stream of 64k-row windows, so the chunking of the
    table does not matter.

    Examples
    --------
    >>> import agentgraph
    >>> len(fingerprint(agentgraph.read("fixtures/star.csv")))
    32
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(rel.kind.encode())
    h.update(rel.table.schema.remove_metadata().serialize().to_pybytes())
    step = 1 << 16
    for lo in range(0, rel.rows, step):
        part = rel.table.slice(lo, step).combine_chunks().replace_schema_metadata(None)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, part.schema) as w:
            w.write_table(part)
        h.update(sink.getvalue().to_pybytes())
    return h.hexdigest()


def read_nodes(bolt: BoltConnection, name: str) -> list[DatasetNode]:
    """Every Dataset node of ``name`` (readable, unfinished and superseded).

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        The dataset.

    Returns
    -------
    list of DatasetNode
        In the server's order.

    Raises
    ------
    StoreError
        The server failed.

    Notes
    -----
    One query on the ``Dataset(name)`` index.

    Examples
    --------
    >>> [n.complete for n in read_nodes(bolt, "shop")]  # doctest: +SKIP
    [True]
    """
    d = bolt.codec.decode
    rows = bolt.query("read dataset", READ_DATASET, name=bolt.codec.encode(name))
    out = []
    for r in rows:
        out.append(
            DatasetNode(
                name=name,
                load=r["load"],
                kind=r["kind"],
                rows=int(r["rows"] or 0),
                source=d(r["source"]) or "",
                loaded_at=r["loaded_at"] or "",
                columns=[d(c) or "" for c in (r["columns"] or [])],
                schema=r["schema"] or "",
                complete=bool(r["complete"]),
                superseded=bool(r["superseded"]),
                op=r["op"],
                done=int(r["done"] or 0),
                target=int(r["target"] or 0),
                fp=r["fp"],
                encoding=r["encoding"] or "none",
                reading_parts=int(r["reading_parts"] or 0),
            )
        )
    return out


def current_node(bolt: BoltConnection, name: str) -> DatasetNode:
    """The readable load of ``name``.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        The dataset.

    Returns
    -------
    DatasetNode
        Complete and not superseded.

    Raises
    ------
    DatasetNotFound
        No load of that name.
    StoreError
        Only an unfinished load (the message says how far it got), or the load was
        written with another string encoding than this connection's.

    Notes
    -----
    One query (:func:`read_nodes`).

    Examples
    --------
    >>> current_node(bolt, "shop").rows  # doctest: +SKIP
    34
    """
    encoding = bolt.codec.encoding
    nodes = [d for d in read_nodes(bolt, name) if not d.superseded]
    for d in nodes:
        if d.complete:
            if d.encoding != encoding:
                raise StoreError(
                    f"dataset {name!r} in {bolt.url} was written with "
                    f"string encoding {d.encoding!r}, this connection uses "
                    f"{encoding!r} (escape_strings)"
                )
            return d
    if nodes:
        d = nodes[0]
        raise StoreError(
            f"dataset {name!r} in {bolt.url} is incomplete: its {d.op or 'load'} stopped "
            f"after {d.done} of {d.target} rows. Load the same data again to resume, "
            "load other data with replace=True, or delete it"
        )
    raise DatasetNotFound(f"no dataset {name!r} in {bolt.url}")


def set_properties(bolt: BoltConnection, node: DatasetNode, props: dict[str, Any]) -> None:
    """SET properties on a Dataset node, in as many queries as the budget needs.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    node : DatasetNode
        The node (its name and load id).
    props : dict
        Property name -> value (already encoded).

    Raises
    ------
    StoreError
        One property alone is over ``max_query_bytes``, or the server failed.

    Notes
    -----
    One query without a budget; groups of properties that fit otherwise.

    Examples
    --------
    >>> set_properties(bolt, node, {"source": "<a.csv>"})  # doctest: +SKIP
    """
    limit = bolt.max_query_bytes
    fixed = {"name": bolt.codec.encode(node.name), "load": node.load}
    base = SET_DATASET
    groups: list[dict[str, Any]] = [{}]
    for key, value in props.items():
        cand = {**groups[-1], key: value}
        size = 16 + len(base) + 30 * len(cand) + wire_size(fixed) + wire_size(cand)
        if groups[-1] and limit and size > limit:
            groups.append({key: value})
        else:
            groups[-1] = cand
    for group in groups:
        if limit and (wire_size(group) + wire_size(fixed) + len(base) + 30 * len(group) + 16) > (
            limit
        ):
            raise StoreError(
                f"{bolt.url}: dataset property {next(iter(group))!r} is too "
                f"large for this server's {limit}-byte queries"
            )
        sets = ", ".join(f"d.{k} = $p_{k}" for k in group)
        bolt.query(
            "update dataset", base + sets, **fixed, **{f"p_{k}": v for k, v in group.items()}
        )


def create_node(bolt: BoltConnection, name: str, rel: Relations) -> DatasetNode:
    """Create the Dataset node of a new, unfinished load of ``rel``.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        The dataset.
    rel : Relations
        The data about to be written.

    Returns
    -------
    DatasetNode
        ``complete = False``, ``op = "load"``, ``done = 0``, a new load id.

    Raises
    ------
    StoreError
        The server failed.

    Notes
    -----
    O(n) for the fingerprint, then a few queries.

    Examples
    --------
    >>> create_node(bolt, "shop", rel).op  # doctest: +SKIP
    'load'
    """
    codec = bolt.codec
    node = DatasetNode(
        name=name,
        load=uuid.uuid4().hex[:16],
        kind=rel.kind,
        rows=0,
        source=rel.source,
        loaded_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        columns=rel.table.column_names,
        schema=schema_to_text(rel.table.schema),
        complete=False,
        superseded=False,
        op="load",
        done=0,
        target=rel.rows,
        fp=fingerprint(rel),
        encoding=codec.encoding,
    )
    bolt.query(
        "create dataset",
        CREATE_DATASET,
        name=codec.encode(name),
        load=node.load,
        kind=rel.kind,
        target=rel.rows,
        enc=codec.encoding,
        at=node.loaded_at,
    )
    set_properties(
        bolt,
        node,
        {
            "pending_fp": node.fp,
            "source": codec.encode(node.source),
            "columns": [codec.encode(c) for c in node.columns],
            "schema": node.schema,
        },
    )
    return node


def drop_load(bolt: BoltConnection, name: str, load: str, *, batch_size: int) -> None:
    """Delete one load's agents (batched) and then its Dataset node.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        The dataset.
    load : str
        The load id.
    batch_size : int
        The store's batch size (at least 1,000 agents go per query).

    Raises
    ------
    StoreError
        The server failed (what is deleted stays deleted).

    Notes
    -----
    O(agents) in ``agents / max(batch_size, 1000)`` queries.

    Examples
    --------
    >>> drop_load(bolt, "shop", node.load, batch_size=10_000)  # doctest: +SKIP
    """
    step = max(batch_size, 1000)
    stored = bolt.codec.encode(name)
    while True:
        got = bolt.query("delete agents", DELETE_AGENTS, name=stored, load=load, n=step)
        if not got or not got[0]["c"]:
            break
    bolt.query("delete dataset", DELETE_LOAD, name=stored, load=load)


def purge(bolt: BoltConnection, name: str, *, batch_size: int) -> None:
    """Delete the superseded loads of ``name``, best effort.

    A failure is logged and leaves them marked superseded; the next write or
    delete tries again.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        The dataset.
    batch_size : int
        As for :func:`drop_load`.

    Raises
    ------
    StoreError
        Reading the Dataset nodes failed.

    Notes
    -----
    O(agents of the superseded loads).

    Examples
    --------
    >>> purge(bolt, "shop", batch_size=10_000)  # doctest: +SKIP
    """
    for d in read_nodes(bolt, name):
        if d.superseded:
            try:
                drop_load(bolt, name, d.load, batch_size=batch_size)
            except StoreError as exc:
                log.warning("could not delete an old load of %r yet: %s", name, exc)
                return
