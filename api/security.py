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
    """A freshly generated key: the full token (shown once) and what is stored."""

    id: str
    token: str
    salt: str  # hex
    hash: str  # hex sha256(salt || secret)


def hash_secret(salt_hex: str, secret: str) -> str:
    """Hex SHA-256 of the salt bytes followed by the secret's UTF-8 bytes."""
    return hashlib.sha256(bytes.fromhex(salt_hex) + secret.encode("utf-8")).hexdigest()


def new_key() -> NewKey:
    """Generate a key id, secret and salted hash (``secrets`` module randomness)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    return NewKey(key_id, f"{KEY_PREFIX}{key_id}_{secret}", salt, hash_secret(salt, secret))


def parse_key(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed ``agk_`` token, else None."""
    if not token.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = token[len(KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != 12 or not secret:
        return None
    return key_id, secret


def secret_matches(salt_hex: str, stored_hash: str, secret: str) -> bool:
    """Constant-time check of a presented secret against the stored hash."""
    return hmac.compare_digest(hash_secret(salt_hex, secret), stored_hash)
