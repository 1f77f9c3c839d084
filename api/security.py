"""API keys: format, generation and salted hashing.

A key reads ``agk_<id>_<secret>``: ``id`` (12 hex digits) is public and names the
key in listings and the audit log; ``secret`` (43 URL-safe characters, 256 bits)
is shown once, when the key is created. The metadata store keeps only
``sha256(salt || secret)`` with a random 16-byte salt per key; verification is a
constant-time comparison. Keys are never logged or echoed in errors.

Keys travel only in the ``Authorization`` header: :func:`query_has_key` tells a
query string that carries one (the service refuses it) and :class:`RedactKeysFilter`
takes such query strings out of uvicorn's access log.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

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
    "KEY_QUERY_NAMES",
    "query_has_key",
    "redact_query",
    "RedactKeysFilter",
]

Role = Literal["admin", "analyst", "auditor"]
ROLES: tuple[Role, ...] = ("admin", "analyst", "auditor")
KEY_PREFIX = "agk_"
BOOTSTRAP_KEY_ID = "bootstrap"
KEY_QUERY_NAMES = frozenset(
    {"api_key", "apikey", "key", "token", "access_token", "auth", "authorization", "bearer"}
)
"""Query parameter names refused whatever their value (compared lower-case, ``-`` as ``_``)."""


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


def query_has_key(query: str) -> bool:
    """Whether a URL query string carries an API key.

    Parameters
    ----------
    query : str
        The raw query string (without ``?``), percent-encoded as sent.

    Returns
    -------
    bool
        True when a parameter's name is one of :data:`KEY_QUERY_NAMES` (lower-case,
        ``-`` read as ``_``) or its decoded name or value parses as an agentgraph key
        (:func:`parse_key`).

    Notes
    -----
    O(len(query)). The bootstrap admin key has no fixed form: it is caught only by
    the parameter name.

    Examples
    --------
    >>> from agentgraph.api.security import query_has_key
    >>> query_has_key("api_key=x"), query_has_key("Access-Token=x")
    (True, True)
    >>> query_has_key("q=agk%5F0123456789ab%5Fs3cr3t"), query_has_key("limit=5&offset=0")
    (True, False)
    """
    if not query:
        return False
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name.strip().lower().replace("-", "_") in KEY_QUERY_NAMES:
            return True
        if parse_key(value.strip()) is not None or parse_key(name.strip()) is not None:
            return True
    return False


def redact_query(target: str) -> str:
    """``target`` (a path with its query) with a key-carrying query string redacted.

    Parameters
    ----------
    target : str
        A request target as uvicorn logs it, ``/path?query``.

    Returns
    -------
    str
        ``/path?[redacted]`` when :func:`query_has_key` holds for the query,
        ``target`` unchanged otherwise.

    Notes
    -----
    O(len(target)).

    Examples
    --------
    >>> from agentgraph.api.security import redact_query
    >>> redact_query("/v1/me?api_key=agk_0123456789ab_s3cr3t")
    '/v1/me?[redacted]'
    >>> redact_query("/v1/tenants?limit=5")
    '/v1/tenants?limit=5'
    """
    path, sep, query = target.partition("?")
    if sep and query_has_key(query):
        return f"{path}?[redacted]"
    return target


class RedactKeysFilter(logging.Filter):
    """A logging filter that redacts key-carrying query strings from log arguments.

    Installed on the ``uvicorn.access`` logger by
    :func:`~agentgraph.api.app.create_app`: uvicorn logs every request's path with
    its query string, so ``?api_key=...`` would otherwise land in the log.

    Parameters
    ----------
    name : str, default ""
        As for :class:`logging.Filter` (records of that logger and below; all when
        empty).

    Notes
    -----
    O(total length of the record's string arguments) per record; records are
    changed in place and always kept.

    Examples
    --------
    >>> import logging
    >>> from agentgraph.api.security import RedactKeysFilter
    >>> rec = logging.LogRecord(
    ...     "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s" %d',
    ...     ("127.0.0.1:5", "GET", "/v1/me?token=x", 400), None,
    ... )
    >>> RedactKeysFilter().filter(rec), rec.getMessage()
    (True, '127.0.0.1:5 - "GET /v1/me?[redacted]" 400')
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's arguments (and message) in place; keep the record.

        Parameters
        ----------
        record : logging.LogRecord
            The record to clean.

        Returns
        -------
        bool
            Always True.
        """
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_query(a) if isinstance(a, str) and "?" in a else a for a in record.args
            )
        if isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = " ".join(redact_query(w) for w in record.msg.split(" "))
        return True
