"""The HTTP/1.1 parser the server runs: httptools, with a bound on a request's head.

uvicorn's two parsers differ in one way that matters for a service on the open
network. h11 refuses a request line plus headers past 16 KiB
(``h11_max_incomplete_event_size``). httptools, about 15 % less CPU a request
here, buffers any header however long: a client could send one header of a
gigabyte. :class:`BoundedHttpTools` is uvicorn's httptools protocol that counts
the bytes of each request's head as they arrive and answers 400 (connection
closed, nothing handed to the app) past :data:`MAX_HEAD_BYTES`, as h11 does.
:func:`http_protocol` picks it when httptools is installed, else h11.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["MAX_HEAD_BYTES", "HAVE_HTTPTOOLS", "BoundedHttpTools", "http_protocol"]

MAX_HEAD_BYTES = 16 * 1024
"""Most bytes of a request line and headers (h11's default bound in uvicorn)."""

try:  # the parser is optional (the api extra installs it)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base

    HAVE_HTTPTOOLS = True
except ImportError:  # pragma: no cover - httptools is in the api extra
    _Base = asyncio.Protocol  # type: ignore[assignment,misc]
    HAVE_HTTPTOOLS = False


class BoundedHttpTools(_Base):
    """uvicorn's httptools protocol, refusing a request head past the bound.

    Parameters
    ----------
    *args, **kwargs
        As uvicorn's ``HttpToolsProtocol`` (uvicorn makes one per connection).

    Notes
    -----
    Counts the bytes received from the end of one request (or the connection's
    start) until the next one's headers are complete; O(1) a read. A read is fed
    to the parser first (it may end the head and start the body, which does not
    count), so a head can pass the bound by one read (at most 256 KiB) before the
    400.

    Examples
    --------
    >>> from agentgraph.api.httpparse import BoundedHttpTools, MAX_HEAD_BYTES
    >>> MAX_HEAD_BYTES, BoundedHttpTools.__mro__[1].__name__
    (16384, 'HttpToolsProtocol')
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0

    def data_received(self, data: bytes) -> None:
        """Feed ``data``; 400 and close if a request's head is still open past the bound."""
        if not self._in_head:
            super().data_received(data)
            return
        self._head_bytes += len(data)
        super().data_received(data)
        over = self._in_head and self._head_bytes > MAX_HEAD_BYTES
        if over and not self.transport.is_closing():
            self.logger.warning("Request line and headers too long.")
            self.send_400_response("Request line and headers too long.")

    def on_headers_complete(self) -> None:
        """The head is complete: what follows is its body."""
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request is complete: the next bytes are the next request's head."""
        self._in_head = True
        self._head_bytes = 0
        super().on_message_complete()


def http_protocol() -> type[asyncio.Protocol] | str:
    """What ``uvicorn.run(http=...)`` is given: :class:`BoundedHttpTools`, else ``"h11"``.

    Returns
    -------
    type or str
        The protocol class, or the name of uvicorn's h11 protocol.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.api.httpparse import http_protocol
    >>> http_protocol() in ("h11", BoundedHttpTools)
    True
    """
    return BoundedHttpTools if HAVE_HTTPTOOLS else "h11"
