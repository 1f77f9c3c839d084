"""Storage records of the service metadata: tenants, keys, audit rows, datasets, scans.

What :class:`agentgraph.api.meta.MetaStore` reads and writes (API schemas live in
:mod:`agentgraph.api.schemas`), and :func:`now`, the time stamp every record carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "TenantRecord",
    "KeyRecord",
    "AuditRecord",
    "AuditEntry",
    "DatasetRecord",
    "ScanRecord",
    "now",
]


def now() -> str:
    """UTC time stamp, ISO 8601 with milliseconds.

    Returns
    -------
    str
        E.g. ``2026-12-01T20:19:11.123Z`` (24 characters, sorts as time does).

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.api.records import now
    >>> stamp = now()
    >>> len(stamp), stamp[4], stamp[10], stamp[-1]
    (24, '-', 'T', 'Z')
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class TenantRecord:
    """A tenant as stored.

    Attributes
    ----------
    id : str
        The tenant id.
    name : str
        Its display name.
    created_at : str
        When it was created (:func:`now`).

    Examples
    --------
    >>> from agentgraph.api.records import TenantRecord
    >>> TenantRecord("acme", "Acme Ltd", "2026-01-01T00:00:00.000Z").name
    'Acme Ltd'
    """

    id: str
    name: str
    created_at: str


@dataclass(frozen=True)
class KeyRecord:
    """An API key as stored: its salted hash, never the key.

    Attributes
    ----------
    id : str
        The public key id (12 hex digits).
    tenant : str or None
        The key's tenant; None for admin keys.
    role : str
        ``admin``, ``analyst`` or ``auditor``.
    name : str
        A label given at creation.
    salt, hash : str
        Hex salt and ``sha256(salt || secret)`` (:mod:`agentgraph.api.security`).
    created_at : str
        When it was created.
    created_by : str or None
        The id of the key that created it.
    revoked_at : str or None
        When it was revoked; None while valid.

    Examples
    --------
    >>> from agentgraph.api.records import KeyRecord
    >>> rec = KeyRecord("0123456789ab", "acme", "analyst", "ci", "00", "ab", "t", None, None)
    >>> rec.role, rec.revoked_at is None
    ('analyst', True)
    """

    id: str
    tenant: str | None
    role: str
    name: str
    salt: str
    hash: str
    created_at: str
    created_by: str | None
    revoked_at: str | None


@dataclass(frozen=True)
class AuditRecord:
    """One audit log row: who did what, when.

    Attributes
    ----------
    seq : int
        Position in the log (increasing).
    at : str
        When (:func:`now`).
    key_id : str
        The key's id (never the key).
    role : str
        The key's role.
    tenant : str or None
        The tenant acted on.
    action : str
        E.g. ``dataset.create``, ``recruitment.apply``.
    dataset : str or None
        The dataset acted on.
    detail : dict or None
        More about the action (JSON).

    Examples
    --------
    >>> from agentgraph.api.records import AuditRecord
    >>> AuditRecord(1, "t", "bootstrap", "admin", "acme", "tenant.create", None, None).action
    'tenant.create'
    """

    seq: int
    at: str
    key_id: str
    role: str
    tenant: str | None
    action: str
    dataset: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class AuditEntry:
    """An audit row to write (:meth:`agentgraph.api.meta.MetaStore.audit_many`).

    Attributes
    ----------
    key_id : str
        The key's id (never the key).
    role : str
        The key's role.
    tenant : str or None
        The tenant acted on.
    action : str
        E.g. ``recruitment.apply``.
    dataset : str or None
        The dataset acted on.
    detail : dict or None
        More about the action (stored as JSON).
    at : str
        When (:func:`now`, stamped when the action was taken, not when written).

    Examples
    --------
    >>> from agentgraph.api.records import AuditEntry
    >>> AuditEntry("k1", "analyst", "acme", "recruitment.apply", "d", None, "t").action
    'recruitment.apply'
    """

    key_id: str
    role: str
    tenant: str | None
    action: str
    dataset: str | None
    detail: dict[str, Any] | None
    at: str


@dataclass(frozen=True)
class DatasetRecord:
    """A dataset's ownership record.

    Attributes
    ----------
    tenant : str
        The owning tenant.
    name : str
        The dataset's name within the tenant.
    store_name : str
        Its name in the graph store (``tenant:name``).
    created_at : str
        When it was created.
    created_by : str or None
        The id of the key that created it.

    Examples
    --------
    >>> from agentgraph.api.records import DatasetRecord
    >>> DatasetRecord("acme", "ladder", "acme:ladder", "t", None).store_name
    'acme:ladder'
    """

    tenant: str
    name: str
    store_name: str
    created_at: str
    created_by: str | None


@dataclass(frozen=True)
class ScanRecord:
    """A scan job as stored.

    The report is kept beside it (:meth:`agentgraph.api.meta.MetaStore.scan_report`).

    Attributes
    ----------
    id : str
        ``scn_`` + 16 hex digits.
    tenant, dataset : str
        The dataset scanned.
    state : str
        ``queued``, ``running``, ``succeeded`` or ``failed``.
    phase : str
        ``queued``, ``reading``, ``analysing``, ``reporting``, ``indexing``, ``done``
        or ``failed``.
    progress : float
        0 to 1.
    created_at : str
        When it was started.
    started_at, finished_at : str or None
        When it ran and ended.
    created_by : str or None
        The id of the key that started it.
    options : dict
        The scan's options (policy, report caps).
    error : dict or None
        ``code`` and ``message`` of a failed scan.
    summary : dict or None
        The report's summary once it succeeded.

    Examples
    --------
    >>> from agentgraph.api.records import ScanRecord
    >>> rec = ScanRecord(
    ...     "scn_0", "acme", "ladder", "queued", "queued", 0.0, "t", None, None, None, {},
    ...     None, None,
    ... )
    >>> rec.state, rec.progress
    ('queued', 0.0)
    """

    id: str
    tenant: str
    dataset: str
    state: str  # queued | running | succeeded | failed
    phase: str
    progress: float
    created_at: str
    started_at: str | None
    finished_at: str | None
    created_by: str | None
    options: dict[str, Any]
    error: dict[str, Any] | None
    summary: dict[str, Any] | None
