"""API keys: format, generation and salted hashing.

A key reads ``agk_<id>_<secret>``: ``id`` (12 hex digits) is public and names the
key in listings and the audit log; ``secret`` (43 URL-safe characters, 256 bits)
is shown once, when the key is created. The metadata store keeps only
``sha256(salt || secret)`` with a random 16-byte salt per key; verification is a
constant-time comparison. Keys are never logged or echoed in errors.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from agentgraph.errors import ArgumentError

__all__ = [
    "Role",
    "ROLES",
    "KEY_PREFIX",
    "BOOTSTRAP_KEY_ID",
    "NewKey",
    "new_key",
    "hash_secret",
    "parse_key",
    "secret_matches",
]

Role = Literal["admin", "analyst", "auditor"]
ROLES: tuple[Role, ...] = ("admin", "analyst", "auditor")
KEY_PREFIX = "agk_"
BOOTSTRAP_KEY_ID = "bootstrap"


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key: the full token (shown once) and what is stored.

    Attributes
    ----------
    id : str
        The public key id, 12 hex digits (names the key in listings and the audit log).
    token : str
        The whole key, ``agk_<id>_<secret>``; shown once, never stored.
    salt : str
        The random 16-byte salt, hex.
    hash : str
        Hex ``sha256(salt || secret)``, what the metadata store keeps.

    Examples
    --------
    >>> from agentgraph.api.security import new_key, parse_key
    >>> key = new_key()
    >>> parse_key(key.token)[0] == key.id
    True
    """

    id: str
    token: str
    salt: str  # hex
    hash: str  # hex sha256(salt || secret)


def hash_secret(salt_hex: str, secret: str) -> str:
    """Hex SHA-256 of the salt bytes followed by the secret's UTF-8 bytes.

    Parameters
    ----------
    salt_hex : str
        The key's salt, hex digits.
    secret : str
        The secret part of a key.

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    ArgumentError
        ``salt_hex`` is not hex digits.

    Notes
    -----
    O(len(secret)). What the metadata store keeps instead of the secret.

    Examples
    --------
    >>> from agentgraph.api.security import hash_secret
    >>> hash_secret("00", "abc")[:16]
    '609f6e36d2405585'
    """
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError as exc:
        raise ArgumentError(str(exc)) from None
    return hashlib.sha256(salt + secret.encode("utf-8")).hexdigest()


def new_key() -> NewKey:
    """Generate a key id, secret and salted hash (``secrets`` module randomness).

    Returns
    -------
    NewKey
        The token to show once and the salt and hash to store.

    Notes
    -----
    O(1). 48 random bits of id, 256 of secret, 128 of salt.

    Examples
    --------
    >>> from agentgraph.api.security import new_key, secret_matches
    >>> key = new_key()
    >>> key.token.startswith("agk_" + key.id + "_"), len(key.id), len(key.salt)
    (True, 12, 32)
    >>> secret_matches(key.salt, key.hash, key.token.split("_", 2)[2])
    True
    """
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    return NewKey(key_id, f"{KEY_PREFIX}{key_id}_{secret}", salt, hash_secret(salt, secret))


def parse_key(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed ``agk_`` token, else None.

    Parameters
    ----------
    token : str
        A presented key (``agk_<id>_<secret>``).

    Returns
    -------
    tuple of (str, str) or None
        The key id and the secret, or None for anything else (e.g. the bootstrap
        admin key, which has no id).

    Notes
    -----
    O(len(token)); no lookup, no hashing.

    Examples
    --------
    >>> from agentgraph.api.security import parse_key
    >>> parse_key("agk_0123456789ab_s3cr3t")
    ('0123456789ab', 's3cr3t')
    >>> parse_key("agk_short_s3cr3t") is None, parse_key("not-a-key") is None
    (True, True)
    """
    if not token.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = token[len(KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != 12 or not secret:
        return None
    return key_id, secret


def secret_matches(salt_hex: str, stored_hash: str, secret: str) -> bool:
    """Constant-time check of a presented secret against the stored hash.

    Parameters
    ----------
    salt_hex : str
        The key's salt, hex digits.
    stored_hash : str
        The hash the metadata store keeps (:func:`hash_secret`).
    secret : str
        The secret part of the presented key.

    Returns
    -------
    bool
        True when the secret hashes to ``stored_hash``.

    Raises
    ------
    ArgumentError
        ``salt_hex`` is not hex digits.

    Notes
    -----
    O(len(secret)); :func:`hmac.compare_digest`, so the time does not tell how
    much of the hash matched.

    Examples
    --------
    >>> from agentgraph.api.security import hash_secret, secret_matches
    >>> stored = hash_secret("00", "abc")
    >>> secret_matches("00", stored, "abc"), secret_matches("00", stored, "abd")
    (True, False)
    """
    return hmac.compare_digest(hash_secret(salt_hex, secret), stored_hash)
