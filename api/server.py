"""Serve the API with uvicorn: :func:`run` (``agentgraph serve`` calls it).

One process only: the DuckDB store and metadata files belong to one process,
and live indexes are kept in its memory.
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from agentgraph.api.app import create_app
from agentgraph.api.httpparse import http_protocol
from agentgraph.api.settings import load_settings
from fastapi import FastAPI

__all__ = ["run", "serve", "SWITCH_INTERVAL"]

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits (Python's default is 0.005).

The store's and the audit log's commits run in threads that need the GIL between
DuckDB calls; with the event loop thread busy, each call waited up to 5 ms for it.
"""


def serve(app: FastAPI, host: str, port: int, log_level: str = "info") -> None:
    """Serve ``app`` with uvicorn the way :func:`run` does, and block until it stops.

    Parameters
    ----------
    app : FastAPI
        An app from :func:`~agentgraph.api.app.create_app`.
    host : str
        Where to listen.
    port : int
        The TCP port.
    log_level : str
        uvicorn's log level.

    Notes
    -----
    One worker; httptools as the HTTP parser with the request line and headers
    bounded to 16 KiB as h11 bounds them (:mod:`agentgraph.api.httpparse`; h11
    without httptools), uvloop as the event loop when installed (both in the
    ``api`` extra); no ``Server`` header, no proxy headers. The
    GIL switch interval is set to :data:`SWITCH_INTERVAL` for the process (the
    commit threads get the GIL back sooner: group-committed recruitments' commits
    wait less).

    Examples
    --------
    >>> from agentgraph.api.server import SWITCH_INTERVAL, serve
    >>> SWITCH_INTERVAL
    0.001
    """
    sys.setswitchinterval(SWITCH_INTERVAL)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        workers=1,
        http=http_protocol(),  # httptools with a bound on the request's head, else h11
        server_header=False,
        proxy_headers=False,
    )


def run(
    host: str = "127.0.0.1", port: int = 8000, store: str | None = None, **settings: Any
) -> None:
    """Start the service and block until it stops.

    Parameters
    ----------
    host : str
        Where to listen (loopback by default).
    port : int
        The TCP port.
    store : str, optional
        Graph store URL (default ``AGENTGRAPH_STORE`` or ``agentgraph.duckdb``).
    **settings
        Any :class:`~agentgraph.api.settings.Settings` field, e.g. ``dev_mode=True``,
        ``admin_key="..."``, and ``log_level`` (uvicorn's, default ``info``);
        unset fields come from ``AGENTGRAPH_*`` environment variables.

    Raises
    ------
    SettingsError
        Weak bootstrap admin key outside dev mode, or an invalid setting (nothing is
        started).
    StoreError
        The store or the metadata store cannot be opened.

    Notes
    -----
    One uvicorn worker, no ``Server`` header, no proxy headers: the DuckDB files
    and the live indexes belong to one process (:func:`serve`).

    Examples
    --------
    Settings are checked before anything listens:

    >>> from agentgraph.api.server import run
    >>> from agentgraph.api.settings import SettingsError
    >>> try:
    ...     run(store="duckdb://:memory:", admin_key="changeme")
    ... except SettingsError as exc:
    ...     print(exc)
    refusing to start: AGENTGRAPH_ADMIN_KEY is not a usable secret (it is shorter than 24
    characters). ...
    """
    log_level = settings.pop("log_level", "info")
    if store is not None:
        settings["store"] = store
    serve(create_app(load_settings(**settings)), host, port, log_level)
