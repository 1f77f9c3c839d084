"""Neo4j (or any Bolt server) as a graph store, through the official ``neo4j`` driver.

Open it with ``open_store("bolt://host:7687")`` or :class:`Neo4jStore` directly;
it needs ``pip install 'agentgraph[neo4j]'`` and is the only module that imports
the driver.

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
:func:`~agentgraph.stores.neo4j.admin_csv.to_storable` makes of them (some Bolt
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
``a\\nb`` comes back changed) and then percent-escapes ``% ' \\ NUL`` in every
string it stores or looks up and wraps it in ``<>`` (that server's index misses
empty values and values with white space at either end; ``Dataset.encoding =
"pct"``, undone on read, see :func:`~agentgraph.stores.neo4j.admin_csv.pct_encode`) and
cuts every write into queries of at most ``max_query_bytes`` (default 4,000 there,
unlimited elsewhere; ``AGENTGRAPH_NEO4J_MAX_QUERY_BYTES``). Floats are never sent
as numbers (the stand-in rounds them to 6 decimals). A real Neo4j gets the
values as they are.

Credentials
-----------
``user``/``password`` (or ``AGENTGRAPH_NEO4J_USER``/``AGENTGRAPH_NEO4J_PASSWORD``, or
``bolt://user:password@host``) go to the driver only: :attr:`Neo4jStore.url`, the
repr, logs and error messages never show them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from agentgraph.errors import AgentNotFound, DatasetExists, DatasetNotFound, StoreError
from agentgraph.stores.base import DatasetInfo, Progress, check_dataset_name
from agentgraph.stores.neo4j.admin_csv import (
    extras_from_json,
    extras_to_json,
    from_storable,
    pct_decode,
    pct_encode,
    schema_from_text,
    schema_to_text,
    to_storable,
)
from agentgraph.tables import KNOWN_COLUMNS, RelationKind, Relations

__all__ = [
    "Neo4jStore",
    "UnfinishedLoad",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_DEPTH",
    "MAX_DEPTH",
    "STANDIN_QUERY_BYTES",
]

log = logging.getLogger("agentgraph.stores.neo4j")

DEFAULT_BATCH_SIZE = 10_000
#: default bound of the variable-length paths of the single-agent queries
DEFAULT_MAX_DEPTH = 100
#: largest bound accepted (it is written into the query text: Cypher cannot
#: parameterise path lengths)
MAX_DEPTH = 1000
#: query budget (parameters as text + query) on servers that paste parameters
STANDIN_QUERY_BYTES = 4000

_PROBE = "a\\nb"
#: Bolt magic, then version proposals 5.0-5.8, 5.4, 4.4
_HANDSHAKE = bytes.fromhex("6060B01700080805000004050000040400000000")
_ROW_TYPES = {"members": ("ROOT", "RECRUITED"), "edges": ("RECRUITED", "SUPPLIES")}
_INDEXES = (
    "CREATE INDEX FOR (a:Agent) ON (a.id)",
    "CREATE INDEX FOR (a:Agent) ON (a.dataset)",
    "CREATE INDEX FOR (d:Dataset) ON (d.name)",
    "CREATE INDEX FOR ()-[e:ROOT]-() ON (e.row)",
    "CREATE INDEX FOR ()-[e:RECRUITED]-() ON (e.row)",
    "CREATE INDEX FOR ()-[e:SUPPLIES]-() ON (e.row)",
)

# ------------------------------------------------------------------ Cypher text
# Kept to what the FalkorDB stand-in runs (docs/stores.md): UNWIND, MERGE, SET,
# CASE, WITH, OPTIONAL MATCH, count, bounded variable-length paths, UNION ALL,
# pattern predicates; no IF NOT EXISTS, CALL {}, EXISTS {}, shortestPath.
_AGENT_A = "MERGE (a:Agent {dataset: $name, load: $load, id: r.a})"
_AGENT_U = "MERGE (u:Agent {dataset: $name, load: $load, id: r.u})"
_OWN = (
    " WITH {keep}, coalesce(a.row, r.i) >= r.i AS own"
    " SET a.rank = CASE WHEN own THEN r.n ELSE a.rank END,"
    " a.joined_at = CASE WHEN own THEN r.t ELSE a.joined_at END,"
    " a.row = CASE WHEN own THEN r.i ELSE a.row END"
)
_ROOT = (
    "MATCH (d:Dataset {name: $name, load: $load}) UNWIND $rows AS r "
    + _AGENT_A
    + "{own} MERGE (d)-[e:ROOT {row: r.i}]->(a)"
    " SET e.at = r.t, e.rank = r.n, e.extra = r.x"
)
_UP = (
    "UNWIND $rows AS r "
    + _AGENT_U
    + " "
    + _AGENT_A
    + "{own} MERGE (u)-[e:RECRUITED {row: r.i}]->(a)"
    " SET e.at = r.t, e.rank = r.n, e.extra = r.x"
)
_EDGE = (
    "UNWIND $rows AS r "
    + _AGENT_U
    + " "
    + _AGENT_A
    + " MERGE (u)-[e:{typ} {row: r.i}]->(a) SET e.at = r.t, e.kind = r.k, e.extra = r.x"
)
_WRITE = {
    "root": _ROOT.replace("{own}", ""),
    "root_own": _ROOT.replace("{own}", _OWN.replace("{keep}", "d, r, a")),
    "up": _UP.replace("{own}", ""),
    "up_own": _UP.replace("{own}", _OWN.replace("{keep}", "r, a, u")),
    "rec": _EDGE.replace("{typ}", "RECRUITED"),
    "sup": _EDGE.replace("{typ}", "SUPPLIES"),
}
_DONE = "MATCH (d:Dataset {name: $name, load: $load}) SET d.done = $done"
# No label on the end nodes and the dataset test after WITH: the stand-in's planner
# then seeks the row index instead of scanning every agent.
_READ_PART = (
    "MATCH (s)-[e:{typ}]->(a) WHERE e.row >= $lo AND e.row < $hi"
    " WITH s, e, a WHERE a.dataset = $name AND a.load = $load RETURN e.row AS i,"
    " s.id AS u, a.id AS a, e.at AS t, e.{tail} AS v, e.extra AS x"
)
_DATASET_FIELDS = (
    "d.name AS name, d.load AS load, d.kind AS kind, d.rows AS rows,"
    " d.source AS source, d.loaded_at AS loaded_at, d.columns AS columns,"
    " d.schema AS schema, d.complete AS complete, d.superseded AS superseded,"
    " d.op AS op, d.done AS done, d.target AS target,"
    " d.pending_fp AS fp, d.encoding AS encoding"
)
_COMMITTED = "all(e IN relationships(p) WHERE e.row < $rows)"
_ROOT_OF = (
    "MATCH (b:Agent {dataset: $name, load: $load, id: $id})"
    " MATCH p = (t)-[:RECRUITED*0..{depth}]->(b) WHERE "
    + _COMMITTED
    + " WITH p, t OPTIONAL MATCH (x)-[f:RECRUITED]->(t) WHERE f.row < $rows"
    " WITH p, count(f) AS ups WHERE ups = 0 WITH p ORDER BY length(p) LIMIT 1"
    " UNWIND range(0, length(p)) AS k"
    " RETURN k, length(p) AS hops, nodes(p)[k].id AS id"
)
# (one record per node of the path: the stand-in hangs on records over 64 KB)
_DOWNLINE = (
    "MATCH (b:Agent {dataset: $name, load: $load, id: $id})"
    " OPTIONAL MATCH p = (b)-[:RECRUITED*1..{depth}]->(x) WHERE "
    + _COMMITTED
    + " RETURN count(DISTINCT x) AS n"
)
_EXISTS = "MATCH (b:Agent {dataset: $name, load: $load, id: $id}) RETURN count(b) AS n"


@dataclass(frozen=True)
class UnfinishedLoad:
    """A load or append that stopped before its last batch."""

    name: str
    op: str  # "load" or "append"
    done: int  # rows written (row numbers below this are stored)
    target: int  # rows the dataset has once it is finished

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Node:
    """A Dataset node as read back (strings decoded)."""

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


def _wire_size(v: Any) -> int:
    """Bytes ``v`` takes when a server writes it as Cypher literal text."""
    if v is None:
        return 4
    if isinstance(v, bool):
        return 5
    if isinstance(v, int):
        return len(str(v))
    if isinstance(v, str):
        return len(v.encode()) + 2
    if isinstance(v, dict):
        return 2 + sum(len(k) + 2 + _wire_size(x) for k, x in v.items()) + 2 * len(v)
    if isinstance(v, list | tuple):
        return 2 + sum(_wire_size(x) for x in v) + 2 * len(v)
    return 32


def _fingerprint(rel: Relations) -> str:
    """Hash of kind, schema and content (Arrow IPC of 64k-row windows). O(bytes)."""
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


def _own_mask(agent: pa.ChunkedArray) -> np.ndarray:
    """True on the first row of each agent id. O(n) hash group-by."""
    n = len(agent)
    t = pa.table({"a": agent, "i": pa.array(np.arange(n, dtype=np.int64))})
    first = t.group_by("a", use_threads=False).aggregate([("i", "min")]).column("i_min")
    mask = np.zeros(n, np.bool_)
    mask[first.to_numpy()] = True
    return mask


def _handshake(host: str, port: int, timeout: float) -> bool:
    """Open a TCP connection, send the Bolt handshake and wait for the 4-byte answer."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(_HANDSHAKE)
            return len(sock.recv(4)) == 4
    except OSError:
        return False


def _env_int(name: str, value: int | None, default: int | None, label: str) -> int | None:
    """``value``, else the whole number in environment variable ``name``, else
    ``default``; StoreError unless it is at least 1.
    """
    if value is None:
        text = os.environ.get(name)
        if not text:
            return default
        try:
            value = int(text)
        except ValueError:
            raise StoreError(f"{name}={text!r} is not a whole number") from None
    if value < 1:
        raise StoreError(f"{label} must be at least 1, not {value}")
    return value


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

    Raises
    ------
    StoreError
        The server cannot be reached or refuses the credentials.
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
        parts = urlsplit(url)
        url_user = unquote(parts.username) if parts.username else None
        url_password = unquote(parts.password) if parts.password else None
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{host}:{parts.port}" if parts.port else host
        self.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        self.database = database
        self.batch_size = cast(
            int,
            _env_int("AGENTGRAPH_NEO4J_BATCH_SIZE", batch_size, DEFAULT_BATCH_SIZE, "batch_size"),
        )
        self.page_size = page_size or max(self.batch_size, 5000)
        user = user or os.environ.get("AGENTGRAPH_NEO4J_USER") or url_user
        if password is None:
            password = os.environ.get("AGENTGRAPH_NEO4J_PASSWORD", url_password)
        auth = neo4j.basic_auth(user, password or "") if user else None
        del password, url_password
        self._lock = threading.RLock()
        self._schema_ready = False
        self._address = (parts.hostname or "localhost", parts.port or 7687)
        self._plain = parts.scheme in ("bolt", "neo4j")
        for attempt in (1, 2):
            self._settle()
            try:
                self._driver = neo4j.GraphDatabase.driver(
                    self.url,
                    auth=auth,
                    max_transaction_retry_time=retry_time,
                    connection_acquisition_timeout=connect_timeout,
                    connection_timeout=min(connect_timeout, 30.0),
                    user_agent="agentgraph",
                )
            except (DriverError, Neo4jError, ValueError) as exc:
                raise self._error("connect", exc) from None
            try:
                self._driver.verify_connectivity()
                if escape_strings is None:
                    with self._driver.session(database=database) as session:
                        got = session.run("RETURN $p AS p", {"p": _PROBE}).single(strict=True)["p"]
                    escape_strings = got != _PROBE
                break
            except ServiceUnavailable as exc:
                self._driver.close()
                if attempt == 2:
                    raise self._error("connect", exc) from None
                log.info("%s: no answer, trying once more", self.url)
            except (DriverError, Neo4jError) as exc:
                self._driver.close()
                raise self._error("connect", exc) from None
        del auth
        self.escape_strings = bool(escape_strings)
        self.max_query_bytes = _env_int(
            "AGENTGRAPH_NEO4J_MAX_QUERY_BYTES",
            max_query_bytes,
            STANDIN_QUERY_BYTES if self.escape_strings else None,
            "max_query_bytes",
        )
        self._encoding = "pct" if self.escape_strings else "none"

    def __repr__(self) -> str:
        db = f", database={self.database!r}" if self.database else ""
        return f"Neo4jStore({self.url!r}{db}, batch_size={self.batch_size})"

    # ------------------------------------------------------------------ plumbing
    def _settle(self, timeout: float = 2.0) -> None:
        """Bare Bolt handshakes (up to 3, ``timeout`` s each) until one is answered.

        The FalkorDB stand-in leaves the first connection after a client's GOODBYE
        unanswered; a handshake of ours takes that turn instead of the driver's.
        One round trip on other servers; skipped for TLS URLs.
        """
        if self._plain:
            for _ in range(3):
                if _handshake(*self._address, timeout=timeout):
                    return

    def _error(self, what: str, exc: BaseException) -> StoreError:
        """A StoreError naming the server and what failed, never the credentials."""
        meta = getattr(exc, "_metadata", None)
        raw = str(meta.get("code") or "") if isinstance(meta, dict) else ""  # as sent
        if isinstance(exc, AuthError) or ".Security." in raw:
            detail = (
                "authentication failed (check AGENTGRAPH_NEO4J_USER / AGENTGRAPH_NEO4J_PASSWORD)"
            )
        elif isinstance(exc, ServiceUnavailable):
            detail = "server unavailable"
        elif isinstance(exc, Neo4jError):
            detail = f"{raw or exc.code}: {exc.message}"
        else:
            detail = type(exc).__name__
        return StoreError(f"{self.url}: {what} failed: {detail}")

    def _s(self, text: str) -> str:
        """A string as stored on this server."""
        if not self.escape_strings:
            return text
        return str(pct_encode(pa.array([text], pa.string()))[0].as_py())

    def _decode(self, arr: pa.Array) -> pa.Array:
        return pct_decode(arr) if self.escape_strings else arr

    def _d(self, text: str | None) -> str | None:
        if text is None or not self.escape_strings:
            return text
        return str(pct_decode(pa.array([text], pa.string()))[0].as_py())

    def _fits(self, what: str, text: str, params: dict[str, Any]) -> None:
        """Refuse a query the server's parameter buffer cannot take (it would crash)."""
        if self.max_query_bytes is None:
            return
        size = 16 + len(text.encode()) + sum(len(k) + 2 + _wire_size(v) for k, v in params.items())
        if size > self.max_query_bytes:
            raise StoreError(
                f"{self.url}: {what}: the values take {size} bytes as query "
                f"text; this server takes at most {self.max_query_bytes} "
                "(max_query_bytes): use shorter ids/values or a real Neo4j"
            )

    def _query(self, what: str, text: str, **params: Any) -> list[dict[str, Any]]:
        self._fits(what, text, params)
        try:
            with self._driver.session(database=self.database) as session:
                return [r.data() for r in session.run(text, params)]
        except (DriverError, Neo4jError) as exc:
            raise self._error(what, exc) from exc

    def _write(self, what: str, stmts: list[tuple[str, dict[str, Any]]]) -> None:
        """Run statements in order in one transaction (one by one on servers
        without transactions).
        """
        for text, params in stmts:
            self._fits(what, text, params)

        def work(tx: neo4j.ManagedTransaction) -> None:
            for text, params in stmts:
                tx.run(text, params).consume()

        try:
            with self._driver.session(database=self.database) as session:
                session.execute_write(work)
        except (DriverError, Neo4jError) as exc:
            raise self._error(what, exc) from exc

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        for text in _INDEXES:
            try:
                with self._driver.session(database=self.database) as session:
                    session.run(text).consume()
            except Neo4jError:
                log.debug("index exists or is not supported: %s", text)
            except DriverError as exc:
                raise self._error("create indexes", exc) from exc
        self._schema_ready = True

    def _chunks(
        self, text: str, fixed: dict[str, Any], rows: list[dict[str, Any]]
    ) -> Iterator[list[dict[str, Any]]]:
        """Split ``rows`` so that every query stays within :attr:`max_query_bytes`."""
        if self.max_query_bytes is None:
            yield rows
            return
        room = self.max_query_bytes - (  # what _fits counts, "rows: []" included
            16
            + len(text.encode())
            + sum(len(k) + 2 + _wire_size(v) for k, v in fixed.items())
            + len("rows")
            + 2
            + 2
        )
        chunk: list[dict[str, Any]] = []
        size = 0
        for r in rows:
            need = _wire_size(r) + 2
            if need > room:
                raise StoreError(
                    f"{self.url}: row {r['i'] + 1} takes {need} bytes as query parameters; "
                    f"this server takes at most {max(room, 0)} per query (max_query_bytes="
                    f"{self.max_query_bytes}): shorten its ids/values or use a real Neo4j"
                )
            if chunk and size + need > room:
                yield chunk
                chunk, size = [], 0
            chunk.append(r)
            size += need
        if chunk:
            yield chunk

    # ---------------------------------------------------------- Dataset nodes
    def _nodes(self, name: str) -> list[_Node]:
        rows = self._query(
            "read dataset",
            "MATCH (d:Dataset {name: $name}) RETURN " + _DATASET_FIELDS,
            name=self._s(name),
        )
        out = []
        for r in rows:
            out.append(
                _Node(
                    name=name,
                    load=r["load"],
                    kind=r["kind"],
                    rows=int(r["rows"] or 0),
                    source=self._d(r["source"]) or "",
                    loaded_at=r["loaded_at"] or "",
                    columns=[self._d(c) or "" for c in (r["columns"] or [])],
                    schema=r["schema"] or "",
                    complete=bool(r["complete"]),
                    superseded=bool(r["superseded"]),
                    op=r["op"],
                    done=int(r["done"] or 0),
                    target=int(r["target"] or 0),
                    fp=r["fp"],
                    encoding=r["encoding"] or "none",
                )
            )
        return out

    def _current(self, name: str) -> _Node:
        """The readable load of ``name``; DatasetNotFound or StoreError if unfinished."""
        nodes = [d for d in self._nodes(name) if not d.superseded]
        for d in nodes:
            if d.complete:
                if d.encoding != self._encoding:
                    raise StoreError(
                        f"dataset {name!r} in {self.url} was written with "
                        f"string encoding {d.encoding!r}, this connection uses "
                        f"{self._encoding!r} (escape_strings)"
                    )
                return d
        if nodes:
            d = nodes[0]
            raise StoreError(
                f"dataset {name!r} in {self.url} is incomplete: its {d.op or 'load'} stopped "
                f"after {d.done} of {d.target} rows. Load the same data again to resume, "
                "load other data with replace=True, or delete it"
            )
        raise DatasetNotFound(f"no dataset {name!r} in {self.url}")

    def _set_props(self, node: _Node, props: dict[str, Any]) -> None:
        """SET properties on a Dataset node, in as many queries as the budget needs."""
        fixed = {"name": self._s(node.name), "load": node.load}
        base = "MATCH (d:Dataset {name: $name, load: $load}) SET "
        groups: list[dict[str, Any]] = [{}]
        for key, value in props.items():
            cand = {**groups[-1], key: value}
            size = 16 + len(base) + 30 * len(cand) + _wire_size(fixed) + _wire_size(cand)
            if groups[-1] and self.max_query_bytes and size > self.max_query_bytes:
                groups.append({key: value})
            else:
                groups[-1] = cand
        for group in groups:
            if (
                self.max_query_bytes
                and (_wire_size(group) + _wire_size(fixed) + len(base) + 30 * len(group) + 16)
                > self.max_query_bytes
            ):
                raise StoreError(
                    f"{self.url}: dataset property {next(iter(group))!r} is too "
                    f"large for this server's {self.max_query_bytes}-byte queries"
                )
            sets = ", ".join(f"d.{k} = $p_{k}" for k in group)
            self._query(
                "update dataset", base + sets, **fixed, **{f"p_{k}": v for k, v in group.items()}
            )

    def _create(self, name: str, rel: Relations) -> _Node:
        node = _Node(
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
            fp=_fingerprint(rel),
            encoding=self._encoding,
        )
        self._query(
            "create dataset",
            "CREATE (d:Dataset {name: $name, load: $load, kind: $kind, rows: 0,"
            " complete: false, superseded: false, op: 'load', done: 0,"
            " target: $target, encoding: $enc, loaded_at: $at})",
            name=self._s(name),
            load=node.load,
            kind=rel.kind,
            target=rel.rows,
            enc=self._encoding,
            at=node.loaded_at,
        )
        self._set_props(
            node,
            {
                "pending_fp": node.fp,
                "source": self._s(node.source),
                "columns": [self._s(c) for c in node.columns],
                "schema": node.schema,
            },
        )
        return node

    def _drop_load(self, name: str, load: str) -> None:
        """Delete one load's agents (batched) and then its Dataset node."""
        step = max(self.batch_size, 1000)
        while True:
            got = self._query(
                "delete agents",
                "MATCH (a:Agent {dataset: $name, load: $load}) WITH a LIMIT $n"
                " DETACH DELETE a RETURN count(a) AS c",
                name=self._s(name),
                load=load,
                n=step,
            )
            if not got or not got[0]["c"]:
                break
        self._query(
            "delete dataset",
            "MATCH (d:Dataset {name: $name, load: $load}) DETACH DELETE d",
            name=self._s(name),
            load=load,
        )

    def _purge(self, name: str) -> None:
        """Delete superseded loads of ``name`` (best effort: a failure leaves them
        marked superseded, and the next write or delete tries again).
        """
        for d in self._nodes(name):
            if d.superseded:
                try:
                    self._drop_load(name, d.load)
                except StoreError as exc:
                    log.warning("could not delete an old load of %r yet: %s", name, exc)
                    return

    # ----------------------------------------------------------------- writes
    @staticmethod
    def _check(rel: Relations) -> None:
        if rel.kind not in _ROW_TYPES:
            raise StoreError(f"unknown relation kind {rel.kind!r}")
        need = ("agent_id", "upline_id") if rel.kind == "members" else ("upline_id", "downline_id")
        missing = [c for c in need if c not in rel.table.column_names]
        if missing:
            raise StoreError(f"{rel.source}: missing column(s) {', '.join(missing)}")

    def _column(self, part: pa.Table, name: str) -> list[Any]:
        if name not in part.column_names:
            return [None] * part.num_rows
        arr = to_storable(part.column(name))
        if self.escape_strings and pa.types.is_string(arr.type):
            arr = pct_encode(arr)
        return cast(list[Any], arr.to_pylist())

    def _batch_rows(
        self, kind: str, part: pa.Table, first: int, own: np.ndarray | None, extras: list[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Parameter maps of one batch, grouped by the query that writes them."""
        n = part.num_rows
        texts = extras_to_json(part, extras)
        if self.escape_strings and extras:
            texts = pct_encode(pa.array(texts, pa.string())).to_pylist()
        groups: dict[str, list[dict[str, Any]]] = {}
        if kind == "members":
            a, u = self._column(part, "agent_id"), self._column(part, "upline_id")
            t, v = self._column(part, "joined_at"), self._column(part, "rank")
            vkey = "n"
            supplies = [False] * n
        else:
            a, u = self._column(part, "downline_id"), self._column(part, "upline_id")
            t, v = self._column(part, "at"), self._column(part, "kind")
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

    def _write_rows(
        self, node: _Node, table: pa.Table, base: int, start: int, progress: Progress | None
    ) -> None:
        """Write rows ``start - base ..`` of ``table`` as row numbers ``start ..``.

        O(n) rows in ``ceil(n / batch_size)`` transactions (more on servers with a
        query budget); ``done`` on the Dataset node advances after each batch.
        """
        kind = node.kind
        n = table.num_rows
        extras = [c for c in table.column_names if c not in KNOWN_COLUMNS[kind]]
        own = _own_mask(table.column("agent_id")) if kind == "members" else None
        fixed = {"name": self._s(node.name), "load": node.load}
        for j in range(start - base, n, self.batch_size):
            part = table.slice(j, self.batch_size)
            groups = self._batch_rows(
                kind, part, base + j, None if own is None else own[j : j + part.num_rows], extras
            )
            stmts: list[tuple[str, dict[str, Any]]] = []
            for group, rows in groups.items():
                text = _WRITE[group]
                for chunk in self._chunks(text, fixed, rows):
                    stmts.append((text, {**fixed, "rows": chunk}))
            done = base + j + part.num_rows
            stmts.append((_DONE, {**fixed, "done": done}))
            self._write(f"load rows {base + j + 1}-{done} of {node.name!r}", stmts)
            log.debug("%s: %d of %d rows written", node.name, j + part.num_rows, n)
            if progress:
                progress(j + part.num_rows, n)

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
        rel : Relations
        replace : bool
            Replace an existing dataset (it stays readable until the new load is
            complete) or discard an unfinished load of other data.
        progress : callable, optional
            ``progress(rows_done, rows_total)`` after each batch.
        resume : bool
            Continue an unfinished load of the same data (same fingerprint) after
            its last written batch instead of starting again.

        Raises
        ------
        DatasetExists
            ``name`` exists (or has an unfinished load of other data) and not ``replace``.
        StoreError
            The server failed; the load can be resumed by calling ``load`` again.

        Notes
        -----
        O(n) rows sent in ``n / batch_size`` transactions; O(n) to fingerprint.
        """
        check_dataset_name(name)
        self._check(rel)
        with self._lock:
            self._ensure_schema()
            fp = _fingerprint(rel)
            nodes = [d for d in self._nodes(name) if not d.superseded]
            current = next((d for d in nodes if d.complete), None)
            pending = [d for d in nodes if not d.complete]
            if current is not None and not replace:
                raise DatasetExists(f"dataset {name!r} exists in {self.url}; replace it explicitly")
            target = next(
                (
                    d
                    for d in pending
                    if resume and d.fp == fp and d.kind == rel.kind and d.encoding == self._encoding
                ),
                None,
            )
            stale = [d for d in pending if d is not target]
            if stale and not replace and target is None:
                d = stale[0]
                other = " of other data" if d.fp != fp else " (resume=False)"
                raise DatasetExists(
                    f"dataset {name!r} in {self.url} has an unfinished load ({d.done} of "
                    f"{d.target} rows){other}: load with replace=True or delete it"
                )
            for d in stale:
                self._query(
                    "discard unfinished load",
                    "MATCH (d:Dataset {name: $name, load: $load}) SET d.superseded = true",
                    name=self._s(name),
                    load=d.load,
                )
            if target is None:
                target = self._create(name, rel)
            elif target.done:
                log.info("%s: resuming after row %d of %d", name, target.done, rel.rows)
            self._write_rows(target, rel.table, 0, target.done, progress)
            finish = (
                "MATCH (n:Dataset {name: $name, load: $load}) SET n.complete = true,"
                " n.rows = $rows, n.done = $rows, n.op = null, n.pending_fp = null"
            )
            params: dict[str, Any] = {"name": self._s(name), "load": target.load, "rows": rel.rows}
            if current is not None:
                finish += (
                    " WITH n MATCH (o:Dataset {name: $name, load: $old}) SET o.superseded = true"
                )
                params["old"] = current.load
            self._query("finish load", finish, **params)
            self._purge(name)
            if progress and rel.rows == 0:
                progress(0, 0)
        return self.info(name)

    def _conform(self, node: _Node, table: pa.Table) -> pa.Table:
        """``table`` in the dataset's schema (missing columns null, types cast)."""
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

    def append(
        self, name: str, rel: Relations, *, progress: Progress | None = None, resume: bool = True
    ) -> DatasetInfo:
        """Add rows of the same kind; readers see them only once all are written.

        An append that failed is resumed by appending the same rows again; other
        rows first remove what it left behind. O(n) rows in ``n / batch_size``
        transactions.
        """
        self._check(rel)
        with self._lock:
            self._ensure_schema()
            node = self._current(name)
            if node.kind != rel.kind:
                raise StoreError(f"dataset {name!r} holds {node.kind}, not {rel.kind}")
            table = self._conform(node, rel.table)
            fp = _fingerprint(Relations(rel.kind, table))
            base, n = node.rows, table.num_rows
            fixed = {"name": self._s(name), "load": node.load}
            start = base
            if node.op == "append":
                if resume and node.fp == fp and node.target == base + n:
                    start = node.done
                else:
                    self._drop_rows_from(node, base)
            if start == base:
                self._query(
                    "start append",
                    "MATCH (d:Dataset {name: $name, load: $load})"
                    " SET d.op = 'append', d.done = $base, d.target = $target,"
                    " d.pending_fp = $fp",
                    **fixed,
                    base=base,
                    target=base + n,
                    fp=fp,
                )
            self._write_rows(node, table, base, start, progress)
            self._query(
                "finish append",
                "MATCH (d:Dataset {name: $name, load: $load})"
                " SET d.rows = $target, d.done = $target, d.op = null,"
                " d.pending_fp = null",
                **fixed,
                target=base + n,
            )
        return self.info(name)

    def _drop_rows_from(self, node: _Node, first: int) -> None:
        """Remove rows numbered >= ``first`` and agents left without relationships."""
        fixed = {"name": self._s(node.name), "load": node.load}
        step = max(self.batch_size, 1000)
        for typ in _ROW_TYPES[node.kind]:
            while True:
                got = self._query(
                    "drop unfinished rows",
                    "MATCH ()-[e:" + typ + "]->(a:Agent {dataset: $name,"
                    " load: $load}) WHERE e.row >= $first WITH e LIMIT $n DELETE e"
                    " RETURN count(e) AS c",
                    **fixed,
                    first=first,
                    n=step,
                )
                if not got or not got[0]["c"]:
                    break
        while True:
            got = self._query(
                "drop orphan agents",
                "MATCH (a:Agent {dataset: $name, load: $load}) WHERE NOT (a)--()"
                " WITH a LIMIT $n DELETE a RETURN count(a) AS c",
                **fixed,
                n=step,
            )
            if not got or not got[0]["c"]:
                break

    # ------------------------------------------------------------------ reads
    def datasets(self) -> list[DatasetInfo]:
        """Readable datasets by name (see :meth:`unfinished` for the others)."""
        with self._lock:
            rows = self._query(
                "list datasets",
                "MATCH (d:Dataset) WHERE d.complete = true"
                " AND d.superseded = false RETURN d.name AS name",
            )
        names = sorted({self._d(r["name"]) or "" for r in rows})
        return [self.info(n) for n in names]

    def unfinished(self) -> list[UnfinishedLoad]:
        """Loads and appends that stopped before their last batch, by name."""
        with self._lock:
            rows = self._query(
                "list unfinished loads",
                "MATCH (d:Dataset) WHERE d.superseded = false AND"
                " (d.complete = false OR d.op IS NOT NULL) RETURN d.name AS"
                " name, d.op AS op, d.done AS done, d.target AS target",
            )
        out = [
            UnfinishedLoad(
                self._d(r["name"]) or "",
                r["op"] or "load",
                int(r["done"] or 0),
                int(r["target"] or 0),
            )
            for r in rows
        ]
        return sorted(out, key=lambda u: u.name)

    def info(self, name: str) -> DatasetInfo:
        """One readable dataset; DatasetNotFound, or StoreError if it is unfinished."""
        with self._lock:
            d = self._current(name)
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
        the ``row`` indexes. O(n) rows transferred.

        Raises
        ------
        DatasetNotFound, StoreError
            Unknown or unfinished dataset, or rows missing on the server.
        """
        with self._lock:
            node = self._current(name)
            kind = cast(RelationKind, node.kind)
            tail = "rank" if kind == "members" else "kind"
            text = " UNION ALL ".join(
                _READ_PART.replace("{typ}", typ).replace("{tail}", tail) for typ in _ROW_TYPES[kind]
            )
            fixed = {"name": self._s(name), "load": node.load}
            schema = schema_from_text(node.schema)
            types = {"i": pa.int64(), "u": pa.string(), "a": pa.string(), "x": pa.string()}
            for key, col in (
                ("t", "joined_at" if kind == "members" else "at"),
                ("v", "rank" if kind == "members" else "kind"),
            ):
                types[key] = (
                    to_storable(pa.nulls(0, schema.field(col).type)).type
                    if col in schema.names
                    else pa.string()
                )
            chunks: dict[str, list[pa.Array]] = {k: [] for k in types}
            for lo in range(0, node.rows, self.page_size):
                recs = self._query(
                    f"read {name!r}", text, **fixed, lo=lo, hi=min(lo + self.page_size, node.rows)
                )
                recs.sort(key=lambda r: r["i"])
                for k, typ in types.items():
                    chunks[k].append(pa.array([r[k] for r in recs], typ))
        return self._assemble(node, chunks)

    def _assemble(self, node: _Node, chunks: dict[str, list[pa.Array]]) -> Relations:
        kind = cast(RelationKind, node.kind)
        got = {
            k: (pa.concat_arrays(v) if v else pa.array([], pa.string())) for k, v in chunks.items()
        }
        rows = got["i"].to_numpy(zero_copy_only=False) if len(got["i"]) else np.array([])
        if len(rows) != node.rows or (node.rows and not np.array_equal(rows, np.arange(node.rows))):
            raise StoreError(
                f"dataset {node.name!r} in {self.url} is damaged: expected rows "
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
                col = self._decode(pc.cast(col, pa.string()))
            stored[names[0]] = col
        extra_fields = [f for f in schema if f.name not in KNOWN_COLUMNS[kind]]
        texts = got["x"]
        if extra_fields:
            texts = self._decode(pc.cast(texts, pa.string()))
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
        return Relations(kind, table, source=f"{self.url}#{node.name}")

    # ------------------------------------------------------ single-agent queries
    @staticmethod
    def _depth(max_depth: int) -> int:
        if (
            isinstance(max_depth, bool)
            or not isinstance(max_depth, int)
            or not (1 <= max_depth <= MAX_DEPTH)
        ):
            raise StoreError(f"max_depth must be a whole number from 1 to {MAX_DEPTH}")
        return max_depth

    def _agent_params(self, name: str, agent_id: str) -> dict[str, Any]:
        node = self._current(name)
        params = {
            "name": self._s(name),
            "load": node.load,
            "id": self._s(agent_id),
            "rows": node.rows,
        }
        got = self._query("find agent", _EXISTS, **{k: params[k] for k in ("name", "load", "id")})
        if not got or not got[0]["n"]:
            raise AgentNotFound(f"no agent {agent_id!r} in dataset {name!r} of {self.url}")
        return params

    def _root_path(self, name: str, agent_id: str, max_depth: int) -> tuple[int, list[str]] | None:
        depth = self._depth(max_depth)
        with self._lock:
            params = self._agent_params(name, agent_id)
            got = self._query("upline query", _ROOT_OF.replace("{depth}", str(depth)), **params)
        if not got:
            return None
        got.sort(key=lambda r: r["k"])
        return int(got[0]["hops"]), [self._d(r["id"]) or "" for r in got]

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
        """Agents reachable down ``RECRUITED`` relationships within ``max_depth`` hops
        (default 100), the agent included.

        On a tree without deeper levels this equals the engine's downline size;
        with several uplines an agent counts below each of them. O(paths below the
        agent up to ``max_depth``).
        """
        depth = self._depth(max_depth)
        with self._lock:
            params = self._agent_params(name, agent_id)
            got = self._query("downline query", _DOWNLINE.replace("{depth}", str(depth)), **params)
        return int(got[0]["n"]) + 1 if got else 1

    # -------------------------------------------------------------- lifecycle
    def delete(self, name: str) -> None:
        """Remove every load of ``name`` (readable, unfinished or superseded).

        Readers stop seeing it at once; agents are deleted in batches. O(n).
        """
        with self._lock:
            nodes = self._nodes(name)
            if not nodes:
                raise DatasetNotFound(f"no dataset {name!r} in {self.url}")
            self._query(
                "delete dataset",
                "MATCH (d:Dataset {name: $name}) SET d.superseded = true",
                name=self._s(name),
            )
            for d in nodes:
                self._drop_load(name, d.load)

    def close(self) -> None:
        """Close the driver's connections.

        On servers that paste parameters (the FalkorDB stand-in) bare handshakes
        follow (see :meth:`_settle`), so that the next client is answered at once.
        """
        with self._lock:
            self._driver.close()
            if self.escape_strings and self._plain:
                time.sleep(0.02)  # let the server take the GOODBYE first
                with contextlib.suppress(OSError):  # a bare connect takes the lost turn
                    socket.create_connection(self._address, timeout=1.0).close()
                time.sleep(0.02)
                self._settle(timeout=0.5)

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
