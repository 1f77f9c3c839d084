"""Who is calling: API key -> :class:`Principal` (key id, role, tenant).

A dataset the caller reaches is a :class:`DatasetRef` (the dataset and its caller).

Created keys are checked against their salted hash, looked up on every call in the
metadata store's in-memory copy of the key table (complete, written through by every
key change: no query per request, and the same lookup whether or not the id
exists), in the same time whether or not the key id exists (a decoy hash stands in
for a missing id); the bootstrap admin key from the settings is compared in
constant time. Nothing here logs a key.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import cast

from agentgraph.api.meta import DatasetRecord, MetaStore
from agentgraph.api.security import (
    BOOTSTRAP_KEY_ID,
    Role,
    new_key,
    parse_key,
    secret_matches,
)

__all__ = ["Principal", "Authenticator", "DatasetRef"]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    Attributes
    ----------
    key_id : str
        The key's public id (``bootstrap`` for the bootstrap admin key).
    role : {"admin", "analyst", "auditor"}
        What the key may do.
    tenant : str or None
        The key's tenant; None for admin keys.

    Examples
    --------
    >>> from agentgraph.api.auth import Principal
    >>> Principal("0123456789ab", "analyst", "acme")
    Principal(key_id='0123456789ab', role='analyst', tenant='acme')
    """

    key_id: str
    role: Role
    tenant: str | None


class Authenticator:
    """Turns presented keys into principals.

    Created keys are checked against their salted hash, looked up on every call; an
    unknown key id is checked against a decoy hash of the same cost, so ids cannot
    be probed by timing. The bootstrap admin key is compared in constant time.

    Parameters
    ----------
    meta : MetaStore
        Where the created keys are stored.
    bootstrap_key : str or None
        The bootstrap admin key; None or empty: no bootstrap admin.

    Examples
    --------
    >>> from agentgraph.api.auth import Authenticator
    >>> from agentgraph.api.meta import DatasetRecord, KeyRecord, MetaStore, now
    >>> from agentgraph.api.security import new_key
    >>> meta = MetaStore(":memory:")
    >>> key = new_key()
    >>> meta.add_key(
    ...     KeyRecord(key.id, "acme", "analyst", "ci", key.salt, key.hash, now(), None, None)
    ... )
    >>> auth = Authenticator(meta, "Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd")
    >>> auth.authenticate(key.token).tenant, auth.authenticate(key.token + "x")
    ('acme', None)
    >>> auth.authenticate("Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd").role
    'admin'
    >>> meta.close()
    """

    def __init__(self, meta: MetaStore, bootstrap_key: str | None) -> None:
        self._meta = meta
        self._bootstrap = bootstrap_key or None
        # Stand-in for a key id that does not exist: hashed and compared like a real
        # key, so an unknown id costs what a known one costs.
        decoy = new_key()
        self._decoy_salt, self._decoy_hash = decoy.salt, decoy.hash

    def authenticate(self, token: str) -> Principal | None:
        """The principal for ``token``, or None (unknown, malformed or revoked).

        Parameters
        ----------
        token : str
            The presented key.

        Returns
        -------
        Principal or None
            The caller, or None when the key is not a live one.

        Notes
        -----
        O(len(token)) plus one lookup by key id in the metadata store's copy of the
        key table (a dict, complete: no query). A well-formed key takes the same work
        whether or not its id exists or is revoked: one lookup, one salted hash and
        one constant-time comparison each time, and no early return before them, so
        the time tells nothing about which ids exist.
        """
        parsed = parse_key(token)
        if parsed is None:
            if self._bootstrap is not None and hmac.compare_digest(
                token.encode("utf-8"), self._bootstrap.encode("utf-8")
            ):
                return Principal(BOOTSTRAP_KEY_ID, "admin", None)
            return None
        key_id, secret = parsed
        rec = self._meta.key(key_id)
        if rec is None:
            secret_matches(self._decoy_salt, self._decoy_hash, secret)  # same work
            return None
        matched = secret_matches(rec.salt, rec.hash, secret)
        if not matched or rec.revoked_at is not None:
            return None
        return Principal(rec.id, cast(Role, rec.role), rec.tenant)

    def still_live(self, who: Principal) -> bool:
        """Whether the key ``who`` signed in with is still live (not revoked or deleted).

        Parameters
        ----------
        who : Principal
            A principal from :meth:`authenticate` (a browser session's).

        Returns
        -------
        bool

        Notes
        -----
        O(1): one lookup in the metadata store's copy of the key table. A session
        ends with its key: revoking a key signs its browsers out at their next
        request.

        Examples
        --------
        >>> from agentgraph.api.auth import Authenticator, Principal
        >>> from agentgraph.api.meta import MetaStore
        >>> auth = Authenticator(MetaStore(":memory:"), "Bq7-adm1n-Zx4wR9tLm2Vk8pNc6Hj3Yd")
        >>> auth.still_live(Principal("bootstrap", "admin", None))
        True
        >>> auth.still_live(Principal("0123456789ab", "analyst", "acme"))
        False
        """
        if who.key_id == BOOTSTRAP_KEY_ID:
            return self._bootstrap is not None
        rec = self._meta.key(who.key_id)
        return rec is not None and rec.revoked_at is None

    def forget(self, *key_ids: str) -> None:
        """Nothing to drop: every call looks the key's record up (kept for callers).

        Revocation takes effect on the next request: the metadata store updates its
        copy of the key table when it revokes (a complete copy, not a cache of
        recently seen keys whose hits would make known ids answer faster than
        unknown ones).

        Parameters
        ----------
        *key_ids : str
            Keys just revoked.
        """
        del key_ids


@dataclass(frozen=True)
class DatasetRef:
    """A dataset of the caller's tenant.

    ``agentgraph.api.deps.ReadableDataset`` and ``WritableDataset`` give it.
    Readable: an analyst or auditor key; writable: an analyst key. Another tenant's
    dataset answers 404 exactly as a missing one.

    Parameters
    ----------
    record : DatasetRecord
        The dataset's ownership record.
    who : Principal
        The caller.

    Notes
    -----
    The lookup is O(1) (the metadata store caches ownership records).

    Examples
    --------
    >>> from agentgraph.api.auth import DatasetRef, Principal
    >>> from agentgraph.api.meta import DatasetRecord
    >>> rec = DatasetRecord("acme", "ladder", "acme:ladder", "2026-01-01T00:00:00.000Z", None)
    >>> ref = DatasetRef(rec, Principal("0123456789ab", "analyst", "acme"))
    >>> ref.name, ref.store_name
    ('ladder', 'acme:ladder')
    """

    record: DatasetRecord
    who: Principal

    @property
    def name(self) -> str:
        """The dataset's name within its tenant."""
        return self.record.name

    @property
    def store_name(self) -> str:
        """The dataset's name in the graph store (``tenant:name``)."""
        return self.record.store_name
