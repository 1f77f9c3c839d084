"""The reads of the Neo4j store, and the single-agent queries pushed down to Cypher.

:func:`read_relations` gives a dataset back as loaded: pages of ``page_size`` row
numbers, one ``UNION ALL`` query each (:func:`~agentgraph.stores.neo4j.cypher.read_page`)
seeking the ``row`` indexes, then :func:`assemble` decodes the values with the
Arrow schema kept on the Dataset node.

:func:`root_path` and :func:`downline_count` run over bounded variable-length
``RECRUITED`` paths (``max_depth``: default 100, at most 1000, checked by
:func:`check_depth`), on the graph as stored (no defect repair): with several
uplines the shortest path counts, where :func:`~agentgraph.analysis.analyse`
keeps the earliest upline, and an agent counts below each of its uplines.

Examples
--------
>>> from agentgraph.stores.neo4j.queries import DEFAULT_MAX_DEPTH, MAX_DEPTH, check_depth
>>> DEFAULT_MAX_DEPTH, MAX_DEPTH, check_depth(12)
(100, 1000, 12)
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import AgentNotFound, StoreError
from agentgraph.stores.neo4j.codec import (
    TextCodec,
    extras_from_json,
    from_storable,
    schema_from_text,
    storable_type,
)
from agentgraph.stores.neo4j.connection import BoltConnection
from agentgraph.stores.neo4j.cypher import (
    AGENT_EXISTS,
    LIST_DATASETS,
    LIST_UNFINISHED,
    downline,
    read_page,
)
from agentgraph.stores.neo4j.cypher import root_path as root_path_query
from agentgraph.stores.neo4j.datasets import DatasetNode, UnfinishedLoad, current_node
from agentgraph.stores.neo4j.readings import read_reading
from agentgraph.tables import KNOWN_COLUMNS, RelationKind, Relations

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "MAX_DEPTH",
    "check_depth",
    "readable_names",
    "unfinished_loads",
    "read_relations",
    "assemble",
    "agent_params",
    "root_path",
    "downline_count",
]

#: default bound of the variable-length paths of the single-agent queries
DEFAULT_MAX_DEPTH = 100
#: largest bound accepted (it is written into the query text: Cypher cannot
#: parameterise path lengths)
MAX_DEPTH = 1000


def check_depth(max_depth: int) -> int:
    """``max_depth`` if it is a whole number from 1 to :data:`MAX_DEPTH`.

    Parameters
    ----------
    max_depth : int
        Bound of a variable-length path.

    Returns
    -------
    int
        ``max_depth``.

    Raises
    ------
    StoreError
        Not an int (bools refused), or out of range.

    Notes
    -----
    O(1). The bound is written into the query text, so it must be checked.

    Examples
    --------
    >>> check_depth(0)
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: max_depth must be a whole number from 1 to 1000
    """
    if (
        isinstance(max_depth, bool)
        or not isinstance(max_depth, int)
        or not (1 <= max_depth <= MAX_DEPTH)
    ):
        raise StoreError(f"max_depth must be a whole number from 1 to {MAX_DEPTH}")
    return max_depth


def readable_names(bolt: BoltConnection) -> list[str]:
    """Names of the datasets with a readable load, sorted.

    Parameters
    ----------
    bolt : BoltConnection
        The server.

    Returns
    -------
    list of str
        Decoded names.

    Raises
    ------
    StoreError
        The server failed.

    Notes
    -----
    One query over the Dataset nodes.

    Examples
    --------
    >>> readable_names(bolt)  # doctest: +SKIP
    ['shop-2024']
    """
    rows = bolt.query("list datasets", LIST_DATASETS)
    return sorted({bolt.codec.decode(r["name"]) or "" for r in rows})


def unfinished_loads(bolt: BoltConnection) -> list[UnfinishedLoad]:
    """Loads and appends that stopped before their last batch, by name.

    Parameters
    ----------
    bolt : BoltConnection
        The server.

    Returns
    -------
    list of UnfinishedLoad
        Sorted by dataset name.

    Raises
    ------
    StoreError
        The server failed.

    Notes
    -----
    One query over the Dataset nodes.

    Examples
    --------
    >>> unfinished_loads(bolt)  # doctest: +SKIP
    [UnfinishedLoad(name='shop', op='load', done=300, target=1000)]
    """
    rows = bolt.query("list unfinished loads", LIST_UNFINISHED)
    out = [
        UnfinishedLoad(
            bolt.codec.decode(r["name"]) or "",
            r["op"] or "load",
            int(r["done"] or 0),
            int(r["target"] or 0),
        )
        for r in rows
    ]
    return sorted(out, key=lambda u: u.name)


def read_relations(bolt: BoltConnection, node: DatasetNode, *, page_size: int) -> Relations:
    """The rows of a readable load in load order, as loaded (types included).

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    node : DatasetNode
        The load (:func:`~agentgraph.stores.neo4j.datasets.current_node`).
    page_size : int
        Row numbers per query.

    Returns
    -------
    Relations
        Source ``<url>#<name>``; the reading kept with the load
        (:func:`~agentgraph.stores.neo4j.readings.read_reading`).

    Raises
    ------
    StoreError
        The server failed, or rows are missing (:func:`assemble`).

    Notes
    -----
    O(n) rows transferred in ``n / page_size`` queries, each seeking the ``row``
    indexes, and one query for the reading.

    Examples
    --------
    >>> read_relations(bolt, current_node(bolt, "shop"), page_size=5000).rows  # doctest: +SKIP
    34
    """
    kind = cast(RelationKind, node.kind)
    text = read_page(kind)
    fixed = {"name": bolt.codec.encode(node.name), "load": node.load}
    schema = schema_from_text(node.schema)
    types = {"i": pa.int64(), "u": pa.string(), "a": pa.string(), "x": pa.string()}
    for key, col in (
        ("t", "joined_at" if kind == "members" else "at"),
        ("v", "rank" if kind == "members" else "kind"),
    ):
        types[key] = storable_type(schema.field(col).type) if col in schema.names else pa.string()
    chunks: dict[str, list[pa.Array]] = {k: [] for k in types}
    for lo in range(0, node.rows, page_size):
        recs = bolt.query(
            f"read {node.name!r}", text, **fixed, lo=lo, hi=min(lo + page_size, node.rows)
        )
        recs.sort(key=lambda r: r["i"])
        for k, typ in types.items():
            chunks[k].append(pa.array([r[k] for r in recs], typ))
    rel = assemble(node, chunks, bolt.codec, server=bolt.url)
    return dataclasses.replace(rel, reading=read_reading(bolt, node))


def assemble(
    node: DatasetNode, chunks: dict[str, list[pa.Array]], codec: TextCodec, *, server: str
) -> Relations:
    """The relation table from the pages of :func:`read_relations`.

    Parameters
    ----------
    node : DatasetNode
        The load read.
    chunks : dict
        ``i``, ``u``, ``a``, ``t``, ``v``, ``x`` (as
        :func:`~agentgraph.stores.neo4j.cypher.read_page` returns them) -> one
        array per page.
    codec : TextCodec
        How strings are stored.
    server : str
        The server URL (source and messages).

    Returns
    -------
    Relations
        Columns and types of the loaded table.

    Raises
    ------
    StoreError
        Rows other than ``0 .. rows - 1`` came back, or a value does not read back
        as its column's type.

    Notes
    -----
    O(n); extra columns O(n x extras) in Python.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.stores.neo4j.codec import schema_to_text
    >>> schema = pa.schema([("agent_id", pa.string()), ("upline_id", pa.string())])
    >>> node = DatasetNode("shop", "1", "members", 2, "", "", schema.names,
    ...                    schema_to_text(schema), True, False, None, 2, 2, None, "none")
    >>> pages = {"i": [pa.array([0, 1])], "u": [pa.array([None, "a"], pa.string())],
    ...          "a": [pa.array(["a", "b"])], "t": [pa.nulls(2, pa.string())],
    ...          "v": [pa.nulls(2, pa.string())], "x": [pa.nulls(2, pa.string())]}
    >>> assemble(node, pages, TextCodec(False), server="bolt://h").table.to_pylist()
    [{'agent_id': 'a', 'upline_id': None}, {'agent_id': 'b', 'upline_id': 'a'}]
    """
    kind = cast(RelationKind, node.kind)
    got = {k: (pa.concat_arrays(v) if v else pa.array([], pa.string())) for k, v in chunks.items()}
    rows = got["i"].to_numpy(zero_copy_only=False) if len(got["i"]) else np.array([])
    if len(rows) != node.rows or (node.rows and not np.array_equal(rows, np.arange(node.rows))):
        raise StoreError(
            f"dataset {node.name!r} in {server} is damaged: expected rows "
            f"0..{node.rows - 1}, found {len(rows)} row(s)"
        )
    schema = schema_from_text(node.schema)
    stored: dict[str, pa.Array] = {}
    for key, names in (
        ("u", ("upline_id",)),
        ("a", ("agent_id",) if kind == "members" else ("downline_id",)),
        ("t", ("joined_at",) if kind == "members" else ("at",)),
        ("v", ("rank",) if kind == "members" else ("kind",)),
    ):
        col = got[key]
        if pa.types.is_string(col.type) or pa.types.is_null(col.type):
            col = codec.decode_array(pc.cast(col, pa.string()))
        stored[names[0]] = col
    extra_fields = [f for f in schema if f.name not in KNOWN_COLUMNS[kind]]
    texts = got["x"]
    if extra_fields:
        texts = codec.decode_array(pc.cast(texts, pa.string()))
    extra = dict(
        zip(
            [f.name for f in extra_fields],
            extras_from_json(texts.to_pylist(), extra_fields),
            strict=True,
        )
    )
    arrays = []
    for f in schema:
        if f.name in extra:
            arrays.append(extra[f.name])
        else:
            try:
                arrays.append(from_storable(stored[f.name], f.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise StoreError(
                    f"dataset {node.name!r}: column {f.name!r} does not read "
                    f"back as {f.type}: {exc}"
                ) from None
    table = pa.Table.from_arrays(arrays, schema=schema)
    return Relations(kind, table, source=f"{server}#{node.name}")


def agent_params(bolt: BoltConnection, name: str, agent_id: str) -> dict[str, Any]:
    """The parameters of a single-agent query, once the agent is found.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        A readable dataset.
    agent_id : str
        The agent.

    Returns
    -------
    dict
        ``name``, ``load``, ``id`` (encoded) and ``rows`` (committed rows: those of
        an unfinished append do not count).

    Raises
    ------
    DatasetNotFound, StoreError
        Unknown or unfinished dataset, or the server failed.
    AgentNotFound
        No such agent in the dataset.

    Notes
    -----
    Two queries, on the ``Dataset(name)`` and ``Agent(id)`` indexes.

    Examples
    --------
    >>> agent_params(bolt, "shop", "13800000000")["rows"]  # doctest: +SKIP
    34
    """
    node = current_node(bolt, name)
    params = {
        "name": bolt.codec.encode(name),
        "load": node.load,
        "id": bolt.codec.encode(agent_id),
        "rows": node.rows,
    }
    got = bolt.query("find agent", AGENT_EXISTS, **{k: params[k] for k in ("name", "load", "id")})
    if not got or not got[0]["n"]:
        raise AgentNotFound(f"no agent {agent_id!r} in dataset {name!r} of {bolt.url}")
    return params


def root_path(
    bolt: BoltConnection, name: str, agent_id: str, depth: int
) -> tuple[int, list[str]] | None:
    """The shortest ``RECRUITED`` path from a root down to the agent.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        A readable dataset.
    agent_id : str
        The agent.
    depth : int
        Bound of the path (:func:`check_depth`).

    Returns
    -------
    tuple or None
        ``(hops, ids from the root to the agent)``; ``None`` when no root (an
        agent no committed relationship recruits) is within ``depth`` hops: the
        agent sits deeper, or on or below a recruitment cycle.

    Raises
    ------
    AgentNotFound, DatasetNotFound, StoreError
        As for :func:`agent_params`.

    Notes
    -----
    One bounded variable-length match anchored on the agent (``Agent(id)``
    index): O(paths up to ``depth``), O(depth) on a tree. One record per node of
    the path (the FalkorDB stand-in hangs on records over 64 KB).

    Examples
    --------
    >>> root_path(bolt, "chain", "A3", 100)  # doctest: +SKIP
    (2, ['A1', 'A2', 'A3'])
    """
    params = agent_params(bolt, name, agent_id)
    got = bolt.query("upline query", root_path_query(depth), **params)
    if not got:
        return None
    got.sort(key=lambda r: r["k"])
    return int(got[0]["hops"]), [bolt.codec.decode(r["id"]) or "" for r in got]


def downline_count(bolt: BoltConnection, name: str, agent_id: str, depth: int) -> int:
    """Agents reachable down ``RECRUITED`` relationships within ``depth`` hops, the agent included.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    name : str
        A readable dataset.
    agent_id : str
        The agent.
    depth : int
        Bound of the paths (:func:`check_depth`).

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    AgentNotFound, DatasetNotFound, StoreError
        As for :func:`agent_params`.

    Notes
    -----
    O(paths below the agent up to ``depth``). On a tree without deeper levels this
    equals the engine's downline size.

    Examples
    --------
    >>> downline_count(bolt, "chain", "A1", 100)  # doctest: +SKIP
    5
    """
    params = agent_params(bolt, name, agent_id)
    got = bolt.query("downline query", downline(depth), **params)
    return int(got[0]["n"]) + 1 if got else 1
