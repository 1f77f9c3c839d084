"""Per-tenant storage quota: the bytes of a tenant's stored dataset rows, bounded.

What is counted: each load's rows as Arrow holds them in memory
(``Table.nbytes``: id strings, offsets, times, ranks), recorded per dataset in the
metadata store when the load is written (replace sets it, append and recruitments
add to it, delete removes it). That is an estimate of the store's size, not the
DuckDB file's size (DuckDB compresses, so the file is usually smaller). Evidence
files (payments) and scan reports are not counted; datasets loaded by a version
without this count start at 0 until their next replace.
"""

from __future__ import annotations

from agentgraph.api.errors import ApiError
from agentgraph.api.meta import MetaStore

__all__ = ["TenantQuota", "split_store_name"]


def split_store_name(name: str) -> tuple[str, str]:
    """``(tenant, dataset)`` of a store name ``tenant:dataset``.

    Parameters
    ----------
    name : str
        The store's name (:func:`agentgraph.api.registry.store_name`).

    Returns
    -------
    tuple of str
        The tenant id (no colon in it) and the dataset's name.

    Notes
    -----
    O(len(name)).

    Examples
    --------
    >>> from agentgraph.api.quota import split_store_name
    >>> split_store_name("acme:ladder.v2")
    ('acme', 'ladder.v2')
    """
    tenant, _, dataset = name.partition(":")
    return tenant, dataset


class TenantQuota:
    """Refuses a load that would take a tenant past ``max_bytes``; records what is stored.

    Parameters
    ----------
    meta : MetaStore
        Where each dataset's bytes are recorded.
    max_bytes : int
        The tenant's limit (``AGENTGRAPH_MAX_TENANT_BYTES``).

    Notes
    -----
    :meth:`check` and :meth:`record` are O(datasets of the tenant) (one query).

    Examples
    --------
    >>> from agentgraph.api.errors import ApiError
    >>> from agentgraph.api.meta import MetaStore
    >>> from agentgraph.api.quota import TenantQuota
    >>> quota = TenantQuota(MetaStore(":memory:"), max_bytes=1000)
    >>> quota.check("acme:a", 600, replace=True)
    >>> quota.record("acme:a", 600, replace=True)
    >>> try:
    ...     quota.check("acme:b", 600, replace=True)
    ... except ApiError as exc:
    ...     print(exc.status, exc.code)
    413 quota_exceeded
    >>> quota.check("acme:a", 900, replace=True)  # replacing frees what a held
    """

    def __init__(self, meta: MetaStore, max_bytes: int) -> None:
        self.meta = meta
        self.max_bytes = max_bytes

    def check(self, name: str, adding: int, *, replace: bool) -> None:
        """413 ``quota_exceeded`` if storing ``adding`` bytes in ``name`` passes the limit."""
        tenant, dataset = split_store_name(name)
        total, per = self.meta.usage(tenant)
        self.check_total(total, adding, freed=per.get(dataset, 0) if replace else 0)

    def stored(self, name: str) -> int:
        """The bytes the tenant of dataset ``name`` stores now (one query)."""
        return self.meta.usage(split_store_name(name)[0])[0]

    def check_total(self, total: int, adding: int, *, freed: int = 0) -> None:
        """413 ``quota_exceeded`` if ``total - freed + adding`` bytes pass the limit.

        ``total``: the tenant's stored bytes, ``freed`` of them replaced. No query: a
        group commit counts the earlier recruitments of its batch in ``total``.
        """
        after = total - freed + adding
        if after > self.max_bytes:
            raise ApiError(
                413,
                "quota_exceeded",
                f"the tenant would store about {after} bytes of rows, more than its limit of "
                f"{self.max_bytes} (AGENTGRAPH_MAX_TENANT_BYTES); nothing was written",
                [{"field": "body", "message": f"{adding} bytes to store, {total} stored"}],
            )

    def record(self, name: str, adding: int, *, replace: bool) -> None:
        """Record that ``adding`` bytes were stored in ``name`` (replacing, or added)."""
        tenant, dataset = split_store_name(name)
        if replace:
            self.meta.set_usage(tenant, dataset, adding)
        else:
            self.meta.add_usage(tenant, dataset, adding)
