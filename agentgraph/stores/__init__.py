"""Graph stores. :func:`open_store` is the one place that picks a backend.

URLs:
- ``None`` or ``""``: ``./agentgraph.duckdb`` (or ``$AGENTGRAPH_STORE``);
- ``duckdb://PATH`` (``duckdb:///abs/file.duckdb``, ``duckdb://rel.duckdb``,
  ``duckdb://:memory:``) or a plain path;
- ``bolt://host:port`` / ``neo4j://host:port``: a Neo4j (or Bolt-compatible)
  server through the official driver (``pip install agentgraph[neo4j]``).
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

DEFAULT_STORE = "agentgraph.duckdb"


def open_store(url: str | None = None, **options: Any) -> GraphStore:
    """Open the store named by ``url`` (see the module doc)."""
    url = url or os.environ.get("AGENTGRAPH_STORE") or DEFAULT_STORE
    scheme, sep, rest = url.partition("://")
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
