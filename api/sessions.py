"""Browser sessions of the workbench: an API key exchanged for an HttpOnly cookie.

A person signs in once with an API key (``POST /ui/session``); the service answers
with a random session token in a cookie (``HttpOnly``, ``SameSite=Strict``,
``Path=/``, ``Secure`` over https, expiring after ``session_seconds``) and a CSRF
token in the body. Every later request of that browser is the key's principal, as
if it had sent ``Authorization: Bearer``: the same roles, the same refusals. A
request that changes anything (not GET, HEAD or OPTIONS) must also carry
``X-CSRF-Token``, and a cross-site ``Origin`` is refused (double protection on top of
``SameSite=Strict``).

The key itself is never kept: a session holds the key's id, role and tenant, and
every request checks that the key is still live (a revoked key ends its sessions
at once). Sessions live in the service's memory: a restart signs everyone out.
Tokens are kept by their SHA-256, so the table does not hold a usable cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from agentgraph.api.auth import Principal

__all__ = ["COOKIE", "CSRF_HEADER", "SAFE_METHODS", "Session", "SessionStore"]

COOKIE = "agentgraph_session"
"""The session cookie's name."""

CSRF_HEADER = "X-CSRF-Token"
"""The header a cookie-signed write must carry, holding the session's CSRF token."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: no CSRF token needed."""


@dataclass(frozen=True)
class Session:
    """One signed-in browser.

    Attributes
    ----------
    principal : Principal
        Who signed in (the key's id, role and tenant; never the key).
    csrf_token : str
        What the browser sends back in ``X-CSRF-Token`` on writes.
    expires_at : float
        Unix time after which the session is gone.

    Examples
    --------
    >>> from agentgraph.api.auth import Principal
    >>> from agentgraph.api.sessions import Session
    >>> s = Session(Principal("0123456789ab", "auditor", "acme"), "t0k3n", 2e9)
    >>> s.principal.role, s.expired(now=1e9)
    ('auditor', False)
    """

    principal: Principal
    csrf_token: str
    expires_at: float

    def expired(self, now: float | None = None) -> bool:
        """Whether the session has run out.

        Parameters
        ----------
        now : float, optional
            Unix time; default the current time.

        Returns
        -------
        bool
        """
        return (time.time() if now is None else now) >= self.expires_at

    def csrf_matches(self, presented: str | None) -> bool:
        """Whether ``presented`` is this session's CSRF token (constant time).

        Parameters
        ----------
        presented : str or None
            The ``X-CSRF-Token`` header's value.

        Returns
        -------
        bool

        Examples
        --------
        >>> from agentgraph.api.auth import Principal
        >>> s = Session(Principal("0123456789ab", "analyst", "acme"), "abc", 2e9)
        >>> s.csrf_matches("abc"), s.csrf_matches("abd"), s.csrf_matches(None)
        (True, False, False)
        """
        if not presented:
            return False
        return hmac.compare_digest(presented.encode("utf-8"), self.csrf_token.encode("utf-8"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    """The signed-in browsers, by the SHA-256 of their token, oldest first.

    Parameters
    ----------
    ttl_seconds : int
        How long a session lasts from sign-in.
    max_sessions : int, default 10000
        Sessions kept at most; signing in past it ends the oldest one.

    Notes
    -----
    O(1) per lookup, sign-in and sign-out (a dict in insertion order); expired
    sessions are dropped when met and, at sign-in, from the oldest end. Thread-safe.

    Examples
    --------
    >>> from agentgraph.api.auth import Principal
    >>> from agentgraph.api.sessions import SessionStore
    >>> store = SessionStore(ttl_seconds=60)
    >>> token, session = store.create(Principal("0123456789ab", "analyst", "acme"))
    >>> store.get(token) == session, store.get("forged"), len(store)
    (True, None, 1)
    >>> store.delete(token); store.get(token)
    True
    """

    def __init__(self, ttl_seconds: int, max_sessions: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self, principal: Principal) -> tuple[str, Session]:
        """Sign ``principal`` in: a new random token and its session.

        Parameters
        ----------
        principal : Principal
            Who the key is.

        Returns
        -------
        token : str
            The cookie's value (256 random bits, URL-safe).
        session : Session
            What the token stands for.
        """
        token = secrets.token_urlsafe(32)
        session = Session(principal, secrets.token_urlsafe(32), time.time() + self.ttl_seconds)
        with self._lock:
            now = time.time()
            while self._sessions:
                oldest = next(iter(self._sessions.values()))
                if not oldest.expired(now) and len(self._sessions) < self.max_sessions:
                    break
                self._sessions.popitem(last=False)
            self._sessions[_digest(token)] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session of ``token``, or None (unknown, forged or expired).

        Parameters
        ----------
        token : str or None
            The cookie's value.

        Returns
        -------
        Session or None
        """
        if not token:
            return None
        key = _digest(token)
        with self._lock:
            session = self._sessions.get(key)
            if session is not None and session.expired():
                del self._sessions[key]
                return None
        return session

    def delete(self, token: str | None) -> bool:
        """Sign a session out.

        Parameters
        ----------
        token : str or None
            The cookie's value.

        Returns
        -------
        bool
            Whether there was such a session.
        """
        if not token:
            return False
        with self._lock:
            return self._sessions.pop(_digest(token), None) is not None
