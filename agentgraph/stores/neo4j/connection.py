"""One Bolt server through the official ``neo4j`` driver: connect, run, write, close.

:class:`BoltConnection` is the only place of the Neo4j store that imports the
driver. It turns every driver error into a :class:`~agentgraph.errors.StoreError`
that names the server and the step that failed, never the credentials; detects
servers that paste parameters into the query text (the FalkorDB stand-in) and
then keeps every query within ``max_query_bytes``; and works around the
stand-in's lost first connection after a client's GOODBYE (:meth:`BoltConnection.settle`).

Credentials (``user``/``password``, ``$AGENTGRAPH_NEO4J_USER`` /
``$AGENTGRAPH_NEO4J_PASSWORD``, or ``bolt://user:password@host``) go to the
driver only: :attr:`BoltConnection.url`, logs and error messages never show them.

Examples
--------
>>> from agentgraph.stores.neo4j.connection import split_credentials
>>> split_credentials("bolt://agent:s3cret@db.example:7687")
('bolt://db.example:7687', 'agent', 's3cret')
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

from agentgraph.errors import StoreError
from agentgraph.stores.neo4j.codec import (
    STANDIN_QUERY_BYTES,
    TextCodec,
    query_size,
    split_rows,
)
from agentgraph.stores.neo4j.cypher import INDEXES, PROBE, PROBE_QUERY

__all__ = ["BoltConnection", "split_credentials", "env_int", "handshake"]

log = logging.getLogger("agentgraph.stores.neo4j")

#: Bolt magic, then version proposals 5.0-5.8, 5.4, 4.4
_HANDSHAKE = bytes.fromhex("6060B01700080805000004050000040400000000")


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """A Bolt URL without ``user:password@``, and the user and password it held.

    Parameters
    ----------
    url : str
        ``bolt://[user[:password]@]host[:port]`` (percent-escapes in the
        credentials are undone).

    Returns
    -------
    tuple
        ``(url, user, password)``; the URL keeps scheme, host, port, path and
        query (not the fragment), user and password are ``None`` when absent.

    Raises
    ------
    StoreError
        The port is not a number (the message never shows the credentials).

    Notes
    -----
    O(len(url)). IPv6 hosts keep their brackets.

    Examples
    --------
    >>> split_credentials("neo4j://[::1]:7687")
    ('neo4j://[::1]:7687', None, None)
    >>> split_credentials("bolt://me:p%40ss@h")
    ('bolt://h', 'me', 'p@ss')
    """
    parts = urlsplit(url)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        raise StoreError(f"{parts.scheme}://{host}: the port is not a number") from None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), user, password


def env_int(name: str, value: int | None, default: int | None, label: str) -> int | None:
    """``value``, else the whole number in environment variable ``name``, else ``default``.

    Parameters
    ----------
    name : str
        The environment variable.
    value : int or None
        The option as passed (wins over the environment).
    default : int or None
        Used when neither is set.
    label : str
        The option's name, for the error message.

    Returns
    -------
    int or None
        The setting.

    Raises
    ------
    StoreError
        The variable is not a whole number, or the setting is below 1.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> env_int("AGENTGRAPH_DOCTEST_UNSET", None, 10_000, "batch_size")
    10000
    >>> env_int("AGENTGRAPH_DOCTEST_UNSET", 0, 10_000, "batch_size")
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: batch_size must be at least 1, not 0
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


def handshake(host: str, port: int, timeout: float) -> bool:
    """Open a TCP connection, send the Bolt handshake and wait for the 4-byte answer.

    Parameters
    ----------
    host : str
        Server host.
    port : int
        Bolt port.
    timeout : float
        Seconds to wait for the connection and for the answer.

    Returns
    -------
    bool
        Whether the server answered.

    Notes
    -----
    One round trip; never raises (a refused or silent server gives ``False``).

    Examples
    --------
    >>> handshake("127.0.0.1", 9, timeout=0.5)  # nothing listens on port 9
    False
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(_HANDSHAKE)
            return len(sock.recv(4)) == 4
    except OSError:
        return False


class BoltConnection:
    r"""A driver connected to one Bolt server, with the store's error handling.

    Parameters
    ----------
    url : str
        ``bolt://host:port`` or ``neo4j://host:port`` (``user:password@`` taken as
        the credentials).
    user, password : str, optional
        Default ``$AGENTGRAPH_NEO4J_USER`` / ``$AGENTGRAPH_NEO4J_PASSWORD``, then the
        URL's; no user means no authentication.
    database : str, optional
        Database name; default the server's default database.
    max_query_bytes : int, optional
        Cap on parameters-as-text plus query; default
        ``$AGENTGRAPH_NEO4J_MAX_QUERY_BYTES``, else 4,000 on servers found to
        paste parameters and no cap elsewhere.
    escape_strings : bool, optional
        Percent-escape stored strings; default: detected (a parameter ``a\nb``
        comes back changed).
    retry_time : float
        Seconds the driver retries a failed transaction.
    connect_timeout : float
        Seconds to wait for a connection; a first connection that times out is
        tried once more.

    Attributes
    ----------
    url : str
        The URL without credentials.
    database : str or None
        The database name.
    escape_strings : bool
        Whether strings are percent-escaped.
    codec : TextCodec
        How strings are stored here.
    max_query_bytes : int or None
        The query budget, ``None`` for none.

    Raises
    ------
    StoreError
        The server cannot be reached or refuses the credentials, or
        ``$AGENTGRAPH_NEO4J_MAX_QUERY_BYTES`` is not a whole number >= 1.

    Examples
    --------
    >>> bolt = BoltConnection("bolt://127.0.0.1:7687")  # doctest: +SKIP
    >>> bolt.query("count", "RETURN 1 AS n")  # doctest: +SKIP
    [{'n': 1}]
    """

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        max_query_bytes: int | None = None,
        escape_strings: bool | None = None,
        retry_time: float = 15.0,
        connect_timeout: float = 60.0,
    ) -> None:
        self.url, url_user, url_password = split_credentials(url)
        self.database = database
        parts = urlsplit(url)
        user = user or os.environ.get("AGENTGRAPH_NEO4J_USER") or url_user
        if password is None:
            password = os.environ.get("AGENTGRAPH_NEO4J_PASSWORD", url_password)
        auth = neo4j.basic_auth(user, password or "") if user else None
        del password, url_password
        self._schema_ready = False
        self._address = (parts.hostname or "localhost", parts.port or 7687)
        self._plain = parts.scheme in ("bolt", "neo4j")
        for attempt in (1, 2):
            self.settle()
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
                raise self.error("connect", exc) from None
            try:
                self._driver.verify_connectivity()
                if escape_strings is None:
                    with self._driver.session(database=database) as session:
                        got = session.run(PROBE_QUERY, {"p": PROBE}).single(strict=True)["p"]
                    escape_strings = got != PROBE
                break
            except ServiceUnavailable as exc:
                self._driver.close()
                if attempt == 2:
                    raise self.error("connect", exc) from None
                log.info("%s: no answer, trying once more", self.url)
            except (DriverError, Neo4jError) as exc:
                self._driver.close()
                raise self.error("connect", exc) from None
        del auth
        self.escape_strings = bool(escape_strings)
        self.codec = TextCodec(self.escape_strings)
        self.max_query_bytes = env_int(
            "AGENTGRAPH_NEO4J_MAX_QUERY_BYTES",
            max_query_bytes,
            STANDIN_QUERY_BYTES if self.escape_strings else None,
            "max_query_bytes",
        )

    def settle(self, timeout: float = 2.0) -> None:
        """Bare Bolt handshakes (up to 3, ``timeout`` s each) until one is answered.

        The FalkorDB stand-in leaves the first connection after a client's GOODBYE
        unanswered; a handshake of ours takes that turn instead of the driver's.
        One round trip on other servers; skipped for TLS URLs.
        """
        if self._plain:
            for _ in range(3):
                if handshake(*self._address, timeout=timeout):
                    return

    def error(self, what: str, exc: BaseException) -> StoreError:
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

    def fits(self, what: str, text: str, params: dict[str, Any]) -> None:
        """Refuse (StoreError) a query the server's parameter buffer cannot take."""
        if self.max_query_bytes is None:
            return
        size = query_size(text, params)
        if size > self.max_query_bytes:
            raise StoreError(
                f"{self.url}: {what}: the values take {size} bytes as query "
                f"text; this server takes at most {self.max_query_bytes} "
                "(max_query_bytes): use shorter ids/values or a real Neo4j"
            )

    def query(self, what: str, text: str, **params: Any) -> list[dict[str, Any]]:
        """Run one statement in its own session; its records as dicts."""
        self.fits(what, text, params)
        try:
            with self._driver.session(database=self.database) as session:
                return [r.data() for r in session.run(text, params)]
        except (DriverError, Neo4jError) as exc:
            raise self.error(what, exc) from exc

    def write(self, what: str, stmts: list[tuple[str, dict[str, Any]]]) -> None:
        """Run statements in order in one write transaction.

        One by one on servers without transactions; every statement is checked
        against the budget (:meth:`fits`) before the first runs.
        """
        for text, params in stmts:
            self.fits(what, text, params)

        def work(tx: neo4j.ManagedTransaction) -> None:
            for text, params in stmts:
                tx.run(text, params).consume()

        try:
            with self._driver.session(database=self.database) as session:
                session.execute_write(work)
        except (DriverError, Neo4jError) as exc:
            raise self.error(what, exc) from exc

    def ensure_schema(self) -> None:
        """Create the store's indexes once per connection ("already exists" ignored)."""
        if self._schema_ready:
            return
        for text in INDEXES:
            try:
                with self._driver.session(database=self.database) as session:
                    session.run(text).consume()
            except Neo4jError:
                log.debug("index exists or is not supported: %s", text)
            except DriverError as exc:
                raise self.error("create indexes", exc) from exc
        self._schema_ready = True

    def chunks(
        self, text: str, fixed: dict[str, Any], rows: list[dict[str, Any]]
    ) -> Iterator[list[dict[str, Any]]]:
        """Split ``rows`` so that every query stays within :attr:`max_query_bytes`."""
        return split_rows(text, fixed, rows, max_query_bytes=self.max_query_bytes, server=self.url)

    def close(self) -> None:
        """Close the driver's connections.

        On servers that paste parameters (the FalkorDB stand-in) bare handshakes
        follow (see :meth:`settle`), so that the next client is answered at once.
        """
        self._driver.close()
        if self.escape_strings and self._plain:
            time.sleep(0.02)  # let the server take the GOODBYE first
            with contextlib.suppress(OSError):  # a bare connect takes the lost turn
                socket.create_connection(self._address, timeout=1.0).close()
            time.sleep(0.02)
            self.settle(timeout=0.5)
