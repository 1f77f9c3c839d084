r"""Neo4j (or any Bolt server) as a graph store, through the official ``neo4j`` driver.

Open it with ``open_store("bolt://host:7687")`` or :class:`Neo4jStore` directly;
it needs ``pip install 'agentgraph[neo4j]'``. :class:`Neo4jStore` wires together
the modules of :mod:`agentgraph.stores.neo4j`:

- :mod:`~agentgraph.stores.neo4j.connection`: the driver (the only module that
  imports it), errors, credentials, the query budget;
- :mod:`~agentgraph.stores.neo4j.cypher`: the Cypher statements;
- :mod:`~agentgraph.stores.neo4j.codec`: the value codec and the Bolt stand-in's
  quirks (percent-escaped strings, query sizes);
- :mod:`~agentgraph.stores.neo4j.datasets`: the Dataset nodes (one per load);
- :mod:`~agentgraph.stores.neo4j.batches`: the parameter maps and statements of
  one write batch;
- :mod:`~agentgraph.stores.neo4j.load`: the batched, resumable load and append;
- :mod:`~agentgraph.stores.neo4j.queries`: reads and the single-agent queries.

Graph model
-----------
``(:Dataset {name, load, kind, rows, source, loaded_at, columns, schema, complete,
superseded, op, done, target, pending_fp, encoding})``
    one node per load of a dataset; readers use the one with ``complete = true``
    and ``superseded = false``.
``(:Agent {id, dataset, load, rank, joined_at, row})``
    one node per agent id of a dataset (``dataset`` is its name, ``load`` the load
    it belongs to). ``rank``/``joined_at``/``row`` come from the agent's first own
    row of a member table.
``(upline)-[:RECRUITED {row, at, rank|kind, extra}]->(downline)``
    one per member row with an upline (``at`` is that row's ``joined_at``) and one
    per recruitment edge of an edge list; ``[:SUPPLIES]`` for supply edges.
``(:Dataset)-[:ROOT {row, at, rank, extra}]->(:Agent)``
    one per member row without an upline, so every row has exactly one
    relationship carrying its row number: :meth:`Neo4jStore.read` gives back the
    rows in load order.

Times are ISO 8601 strings and other values what
:func:`~agentgraph.stores.neo4j.codec.to_storable` makes of them (some Bolt
servers crash returning temporal values); extra columns are one JSON object per
row (``extra``). The exact Arrow schema is kept on the Dataset node, so a read
returns the table that was loaded. Indexes: ``Agent(id)``, ``Agent(dataset)``,
``Dataset(name)`` and ``row`` of each relationship type (created on first write;
"already exists" errors are ignored).

Loading
-------
Batches of ``batch_size`` rows (default 10,000; ``AGENTGRAPH_NEO4J_BATCH_SIZE``),
each ``UNWIND $rows AS r MERGE ...`` with every value a query parameter. MERGE on
``(id, dataset, load)`` and on the row number makes a batch idempotent. The
Dataset node records how many rows are written (``done``) and stays
``complete = false`` until the last batch, so

- readers refuse an unfinished load with a :class:`~agentgraph.errors.StoreError`;
- loading the same data again resumes after the last written batch (a batch that
  failed half way is written again, duplicating nothing);
- ``replace=True`` loads the new data beside the old one and switches over in one
  statement when it is complete, so a failed replacement leaves the old data
  readable; the old load is then deleted in batches.

This gives all-or-nothing loads on servers that do not honour rollback. One
writer per dataset at a time.

Single-agent queries
--------------------
:meth:`Neo4jStore.agent_level`, :meth:`~Neo4jStore.upline_chain` and
:meth:`~Neo4jStore.downline_size` run in Cypher over bounded variable-length
``RECRUITED`` paths (``max_depth``: default 100, at most 1000), on the graph as
stored (no defect repair). See docs/stores.md.

Servers that paste parameters into the query text
-------------------------------------------------
The FalkorDB stand-in used in tests formats parameters into a 4 KB query buffer
without escaping. The store detects this at connection time (a parameter
``a\nb`` comes back changed) and then percent-escapes ``% ' \ NUL`` in every
string it stores or looks up and wraps it in ``<>`` (that server's index misses
empty values and values with white space at either end; ``Dataset.encoding =
"pct"``, undone on read, see :func:`~agentgraph.stores.neo4j.codec.pct_encode`) and
cuts every write into queries of at most ``max_query_bytes`` (default 4,000 there,
unlimited elsewhere; ``AGENTGRAPH_NEO4J_MAX_QUERY_BYTES``). Floats are never sent
as numbers (the stand-in rounds them to 6 decimals). A real Neo4j gets the
values as they are.

Credentials
-----------
``user``/``password`` (or ``AGENTGRAPH_NEO4J_USER``/``AGENTGRAPH_NEO4J_PASSWORD``, or
``bolt://user:password@host``) go to the driver only: :attr:`Neo4jStore.url`, the
repr, logs and error messages never show them.

Examples
--------
>>> from agentgraph.stores.neo4j.store import DEFAULT_BATCH_SIZE, Neo4jStore
>>> DEFAULT_BATCH_SIZE
10000
>>> with Neo4jStore("bolt://127.0.0.1:7687") as store:  # doctest: +SKIP
...     store.load("shop", agentgraph.read("fixtures/chain5.csv")).rows
5
"""

from __future__ import annotations

import threading
from typing import cast

from agentgraph.errors import DatasetNotFound
from agentgraph.stores.base import DatasetInfo, Progress, check_dataset_name
from agentgraph.stores.neo4j.batches import check_relations
from agentgraph.stores.neo4j.codec import STANDIN_QUERY_BYTES
from agentgraph.stores.neo4j.connection import BoltConnection, env_int, split_credentials
from agentgraph.stores.neo4j.cypher import SUPERSEDE_DATASET
from agentgraph.stores.neo4j.datasets import UnfinishedLoad, current_node, drop_load, read_nodes
from agentgraph.stores.neo4j.load import append_rows, load_rows
from agentgraph.stores.neo4j.queries import (
    DEFAULT_MAX_DEPTH,
    MAX_DEPTH,
    check_depth,
    downline_count,
    read_relations,
    readable_names,
    root_path,
    unfinished_loads,
)
from agentgraph.tables import Relations

__all__ = [
    "Neo4jStore",
    "UnfinishedLoad",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_DEPTH",
    "MAX_DEPTH",
    "STANDIN_QUERY_BYTES",
]

DEFAULT_BATCH_SIZE = 10_000


class Neo4jStore:
    """A :class:`~agentgraph.stores.base.GraphStore` on a Neo4j 5 (or Bolt) server.

    Parameters
    ----------
    url : str
        ``bolt://host:port`` (``neo4j://`` for a routing cluster; the FalkorDB
        stand-in needs ``bolt://``). ``user:password@`` in the URL is taken as the
        credentials and removed from :attr:`url`.
    user, password : str, optional
        Default ``$AGENTGRAPH_NEO4J_USER`` / ``$AGENTGRAPH_NEO4J_PASSWORD``; no user
        means no authentication.
    batch_size : int, optional
        Rows per write batch; default ``$AGENTGRAPH_NEO4J_BATCH_SIZE`` or 10,000.
        The FalkorDB stand-in wants <= 150.
    database : str, optional
        Database name; default the server's default database.
    page_size : int, optional
        Rows per read query (default ``max(batch_size, 5000)``).
    max_query_bytes : int, optional
        Cap on parameters-as-text plus query per write; default
        ``$AGENTGRAPH_NEO4J_MAX_QUERY_BYTES``, else 4,000 on servers found to paste
        parameters into the query text and no cap elsewhere.
    escape_strings : bool, optional
        Percent-escape stored strings; default: detected (see the module doc).
    retry_time : float
        Seconds the driver retries a failed transaction (``max_transaction_retry_time``).
    connect_timeout : float
        Seconds to wait for a connection (``connection_acquisition_timeout``); a
        first connection that times out is tried once more.

    Attributes
    ----------
    url : str
        The URL without credentials.
    database : str or None
        The database name.
    batch_size, page_size : int
        Rows per write transaction and per read query (may be changed).
    bolt : BoltConnection
        The connection (driver, string codec, query budget).

    Raises
    ------
    StoreError
        A bad option, or the server cannot be reached or refuses the credentials.

    Examples
    --------
    >>> Neo4jStore("bolt://127.0.0.1:9", batch_size=0)
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: batch_size must be at least 1, not 0
    >>> store = Neo4jStore("bolt://user:pw@127.0.0.1:7687")  # doctest: +SKIP
    >>> store  # doctest: +SKIP
    Neo4jStore('bolt://127.0.0.1:7687', batch_size=10000)
    """

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        batch_size: int | None = None,
        database: str | None = None,
        page_size: int | None = None,
        max_query_bytes: int | None = None,
        escape_strings: bool | None = None,
        retry_time: float = 15.0,
        connect_timeout: float = 60.0,
    ) -> None:
        self.url = split_credentials(url)[0]
        self.database = database
        self.batch_size = cast(
            int,
            env_int("AGENTGRAPH_NEO4J_BATCH_SIZE", batch_size, DEFAULT_BATCH_SIZE, "batch_size"),
        )
        self.page_size = page_size or max(self.batch_size, 5000)
        self._lock = threading.RLock()
        self.bolt = BoltConnection(
            url,
            user=user,
            password=password,
            database=database,
            max_query_bytes=max_query_bytes,
            escape_strings=escape_strings,
            retry_time=retry_time,
            connect_timeout=connect_timeout,
        )
        del password

    @property
    def escape_strings(self) -> bool:
        """Whether stored strings are percent-escaped (detected or as asked)."""
        return self.bolt.escape_strings

    @property
    def max_query_bytes(self) -> int | None:
        """The cap on one query as text (``None``: none)."""
        return self.bolt.max_query_bytes

    @max_query_bytes.setter
    def max_query_bytes(self, value: int | None) -> None:
        self.bolt.max_query_bytes = value

    def __repr__(self) -> str:
        """The URL (never the credentials), database and batch size."""
        db = f", database={self.database!r}" if self.database else ""
        return f"Neo4jStore({self.url!r}{db}, batch_size={self.batch_size})"

    # ----------------------------------------------------------------- writes
    def load(
        self,
        name: str,
        rel: Relations,
        *,
        replace: bool = False,
        progress: Progress | None = None,
        resume: bool = True,
    ) -> DatasetInfo:
        """Store ``rel`` as dataset ``name``; readable only once every batch is in.

        Parameters
        ----------
        name : str
            The dataset (:func:`~agentgraph.stores.base.check_dataset_name`).
        rel : Relations
            A member table or an edge list.
        replace : bool
            Replace an existing dataset (it stays readable until the new load is
            complete) or discard an unfinished load of other data.
        progress : callable, optional
            ``progress(rows_done, rows_total)`` after each batch.
        resume : bool
            Continue an unfinished load of the same data (same fingerprint) after
            its last written batch instead of starting again.

        Returns
        -------
        DatasetInfo
            The dataset as stored.

        Raises
        ------
        DatasetExists
            ``name`` exists (or has an unfinished load of other data) and not ``replace``.
        StoreError
            The server failed; the load can be resumed by calling ``load`` again.

        Notes
        -----
        O(n) rows sent in ``n / batch_size`` transactions; O(n) to fingerprint
        (:func:`~agentgraph.stores.neo4j.load.load_rows`).
        """
        check_dataset_name(name)
        check_relations(rel)
        with self._lock:
            self.bolt.ensure_schema()
            load_rows(
                self.bolt,
                name,
                rel,
                batch_size=self.batch_size,
                replace=replace,
                progress=progress,
                resume=resume,
            )
        return self.info(name)

    def append(
        self, name: str, rel: Relations, *, progress: Progress | None = None, resume: bool = True
    ) -> DatasetInfo:
        """Add rows of the same kind; readers see them only once all are written.

        An append that failed is resumed by appending the same rows again; other
        rows first remove what it left behind. O(n) rows in ``n / batch_size``
        transactions (:func:`~agentgraph.stores.neo4j.load.append_rows`).
        """
        check_relations(rel)
        with self._lock:
            self.bolt.ensure_schema()
            append_rows(
                self.bolt, name, rel, batch_size=self.batch_size, progress=progress, resume=resume
            )
        return self.info(name)

    # ------------------------------------------------------------------ reads
    def datasets(self) -> list[DatasetInfo]:
        """Readable datasets by name (see :meth:`unfinished` for the others)."""
        with self._lock:
            names = readable_names(self.bolt)
        return [self.info(n) for n in names]

    def unfinished(self) -> list[UnfinishedLoad]:
        """Loads and appends that stopped before their last batch, by name."""
        with self._lock:
            return unfinished_loads(self.bolt)

    def info(self, name: str) -> DatasetInfo:
        """One readable dataset; DatasetNotFound, or StoreError if it is unfinished."""
        with self._lock:
            d = current_node(self.bolt, name)
        return DatasetInfo(
            name=name,
            kind=d.kind,
            rows=d.rows,
            source=d.source,
            loaded_at=d.loaded_at,
            columns=d.columns,
        )

    def read(self, name: str) -> Relations:
        """The dataset's rows in load order, as loaded (types included).

        Pages of ``page_size`` row numbers, one ``UNION ALL`` query each, seeking
        the ``row`` indexes. O(n) rows transferred
        (:func:`~agentgraph.stores.neo4j.queries.read_relations`).

        Raises
        ------
        DatasetNotFound, StoreError
            Unknown or unfinished dataset, or rows missing on the server.
        """
        with self._lock:
            node = current_node(self.bolt, name)
            return read_relations(self.bolt, node, page_size=self.page_size)

    # ------------------------------------------------------ single-agent queries
    def _root_path(self, name: str, agent_id: str, max_depth: int) -> tuple[int, list[str]] | None:
        depth = check_depth(max_depth)
        with self._lock:
            return root_path(self.bolt, name, agent_id, depth)

    def agent_level(
        self, name: str, agent_id: str, *, max_depth: int = DEFAULT_MAX_DEPTH
    ) -> int | None:
        """Level of one agent (a root is level 1), computed in Cypher.

        The level is 1 + the length of the shortest ``RECRUITED`` path from a root
        (an agent without a recruiter) to the agent, over at most ``max_depth``
        relationships (default 100, at most 1000). ``None`` when no root is within
        that bound: the agent sits deeper, or on or below a recruitment cycle
        (self-referrals included). The stored graph is used as loaded, without the
        engine's defect repair: with several uplines the shortest path counts, where
        :func:`~agentgraph.analysis.analyse` keeps the earliest upline.

        Raises
        ------
        AgentNotFound

        Notes
        -----
        One bounded variable-length match anchored on the agent (``Agent(id)``
        index): O(paths up to ``max_depth``), O(depth) on a tree.
        """
        found = self._root_path(name, agent_id, max_depth)
        return None if found is None else found[0] + 1

    def upline_chain(
        self, name: str, agent_id: str, *, max_depth: int = DEFAULT_MAX_DEPTH
    ) -> list[str] | None:
        """Ids from the root down to the agent's upline (``[]`` for a root).

        Same path and bound as :meth:`agent_level`; ``None`` when no root is within
        ``max_depth`` relationships. O(paths up to ``max_depth``).
        """
        found = self._root_path(name, agent_id, max_depth)
        return None if found is None else found[1][:-1]

    def downline_size(self, name: str, agent_id: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> int:
        """Agents reachable down ``RECRUITED`` relationships within ``max_depth`` hops.

        The agent is included (default bound 100). On a tree without deeper levels
        this equals the engine's downline size; with several uplines an agent counts
        below each of them. O(paths below the agent up to ``max_depth``).
        """
        depth = check_depth(max_depth)
        with self._lock:
            return downline_count(self.bolt, name, agent_id, depth)

    # -------------------------------------------------------------- lifecycle
    def delete(self, name: str) -> None:
        """Remove every load of ``name`` (readable, unfinished or superseded).

        Readers stop seeing it at once; agents are deleted in batches. O(n).
        """
        with self._lock:
            nodes = read_nodes(self.bolt, name)
            if not nodes:
                raise DatasetNotFound(f"no dataset {name!r} in {self.url}")
            self.bolt.query("delete dataset", SUPERSEDE_DATASET, name=self.bolt.codec.encode(name))
            for d in nodes:
                drop_load(self.bolt, name, d.load, batch_size=self.batch_size)

    def close(self) -> None:
        """Close the driver's connections.

        On servers that paste parameters (the FalkorDB stand-in) bare handshakes
        follow (see :meth:`BoltConnection.settle
        <agentgraph.stores.neo4j.connection.BoltConnection.settle>`), so that the
        next client is answered at once.
        """
        with self._lock:
            self.bolt.close()

    def __enter__(self) -> Neo4jStore:
        """The store itself (closed on exit)."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the store."""
        self.close()
