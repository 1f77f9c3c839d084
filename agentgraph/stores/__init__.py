"""Graph stores. :func:`open_store` is the one place that picks a backend.

URLs:
- ``None`` or ``""``: ``./agentgraph.duckdb`` (or ``$AGENTGRAPH_STORE``);
- ``duckdb://PATH`` (``duckdb:///abs/file.duckdb``, ``duckdb://rel.duckdb``,
  ``duckdb://:memory:``) or a plain path;
- ``bolt://host:port`` / ``neo4j://host:port``: a Neo4j (or Bolt-compatible)
  server through the official driver (``pip install agentgraph[neo4j]``), see
  :mod:`agentgraph.stores.neo4j`.

Examples
--------
>>> import agentgraph
>>> from agentgraph.stores import open_store
>>> with open_store("duckdb://:memory:") as store:
...     store.load("star", agentgraph.read("fixtures/star.csv")).kind
'members'
"""

from __future__ import annotations

import os
from typing import Any

from agentgraph.errors import StoreError
from agentgraph.stores.base import DatasetInfo, GraphStore, Progress, check_dataset_name
from agentgraph.stores.duckdb_store import DuckDBStore

__all__ = [
    "GraphStore",
    "DatasetInfo",
    "Progress",
    "DuckDBStore",
    "open_store",
    "DEFAULT_STORE",
    "check_dataset_name",
]

#: the store file when no URL and no ``$AGENTGRAPH_STORE`` is given
DEFAULT_STORE = "agentgraph.duckdb"


def open_store(url: str | None = None, **options: Any) -> GraphStore:
    """Open the store named by ``url``.

    Parameters
    ----------
    url : str, optional
        ``None`` or ``""``: ``$AGENTGRAPH_STORE``, else ``./agentgraph.duckdb``;
        ``duckdb://PATH`` (``duckdb:///abs/file.duckdb``, ``duckdb://rel.duckdb``,
        ``duckdb://:memory:``) or a plain path: a
        :class:`~agentgraph.stores.duckdb_store.DuckDBStore`;
        ``bolt://``, ``bolt+s://``, ``bolt+ssc://``, ``neo4j://``, ``neo4j+s://``,
        ``neo4j+ssc://`` ``host:port``: a
        :class:`~agentgraph.stores.neo4j.store.Neo4jStore`.
    **options
        Passed to the store's constructor (``threads``, ``create=False`` for a
        command that only reads: a missing file is an error, not a new store;
        ``user``, ``batch_size``, ...).

    Returns
    -------
    GraphStore
        The open store (a context manager: close it).

    Raises
    ------
    StoreError
        Unknown scheme, the Neo4j driver is not installed, or the store cannot be
        opened.

    Notes
    -----
    O(1) besides opening the store; the Neo4j module (and the driver) is imported
    only for Bolt URLs.

    Examples
    --------
    >>> store = open_store("duckdb://:memory:")
    >>> type(store).__name__, store.url
    ('DuckDBStore', 'duckdb://:memory:')
    >>> store.close()
    >>> open_store("ftp://example.com/x")
    Traceback (most recent call last):
    ...
    agentgraph.errors.StoreError: unknown store URL 'ftp://example.com/x': use a .duckdb path, duckdb:///PATH, bolt://HOST:PORT or neo4j://HOST:PORT
    """  # noqa: E501
    url = url or os.environ.get("AGENTGRAPH_STORE") or DEFAULT_STORE
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() != "duckdb":
        options.pop("create", None)  # a server's store is there or not: nothing to create
    if not sep:
        return DuckDBStore(url, **options)
    scheme = scheme.lower()
    if scheme == "duckdb":
        return DuckDBStore(rest or DEFAULT_STORE, **options)
    if scheme in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
        try:
            from agentgraph.stores.neo4j.store import Neo4jStore
        except ImportError as exc:
            raise StoreError(
                f"{url}: the Neo4j store needs the driver: pip install 'agentgraph[neo4j]' ({exc})"
            ) from None
        return Neo4jStore(url, **options)  # type: ignore[no-any-return,unused-ignore]
    raise StoreError(
        f"unknown store URL {url!r}: use a .duckdb path, duckdb:///PATH, "
        "bolt://HOST:PORT or neo4j://HOST:PORT"
    )
