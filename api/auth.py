"""Who is calling: API key -> :class:`Principal` (key id, role, tenant).

Created keys are checked against their salted hash (cached in memory per key id
after the first use, dropped on revocation); the bootstrap admin key from the
settings is compared in constant time. Nothing here logs a key.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass

from agentgraph.api.meta import KeyRecord, MetaStore
from agentgraph.api.security import BOOTSTRAP_KEY_ID, Role, parse_key, secret_matches

__all__ = ["Principal", "Authenticator"]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    key_id: str
    role: Role
    tenant: str | None


class Authenticator:
    """Turns presented keys into principals."""

    def __init__(self, meta: MetaStore, bootstrap_key: str | None) -> None:
        self._meta = meta
        self._bootstrap = bootstrap_key or None
        self._cache: dict[str, KeyRecord] = {}
        self._lock = threading.Lock()

    def authenticate(self, token: str) -> Principal | None:
        """The principal for ``token``, or None (unknown, malformed or revoked)."""
        parsed = parse_key(token)
        if parsed is None:
            if self._bootstrap is not None and hmac.compare_digest(
                token.encode("utf-8"), self._bootstrap.encode("utf-8")
            ):
                return Principal(BOOTSTRAP_KEY_ID, "admin", None)
            return None
        key_id, secret = parsed
        rec = self._cache.get(key_id)
        if rec is None:
            rec = self._meta.key(key_id)
            if rec is None or rec.revoked_at is not None:
                return None
        if not secret_matches(rec.salt, rec.hash, secret):
            return None
        with self._lock:
            self._cache[key_id] = rec
        role: Role = rec.role  # type: ignore[assignment]
        return Principal(rec.id, role, rec.tenant)

    def forget(self, *key_ids: str) -> None:
        """Drop cached keys (after revocation)."""
        with self._lock:
            for k in key_ids:
                self._cache.pop(k, None)
