"""The service object behind one app (``app.state.service``).

It holds the settings, graph store, metadata, evidence files, keys, live indexes
and the scan runner.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

from agentgraph.api.auth import Authenticator, Principal
from agentgraph.api.evidence import EvidenceStore
from agentgraph.api.jobs import ScanRunner
from agentgraph.api.meta import MetaStore, now
from agentgraph.api.registry import Registry
from agentgraph.api.settings import Settings
from agentgraph.api.spooling import clean_upload_folders

from agentgraph.policies import get_policy
from agentgraph.stores import GraphStore, open_store

__all__ = ["Service", "PENDING_AUDIT"]

log = logging.getLogger("agentgraph.api")

PENDING_AUDIT: ContextVar[list[Future[None]] | None] = ContextVar(
    "agentgraph_pending_audit", default=None
)
"""The audit rows a request submitted; waited for before its answer is sent.

Set per request by :func:`agentgraph.api.deps.audit_before_answer`; None outside a
request (rows are then written in the background, :meth:`Service.flush_audit` waits).
"""


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("cannot write an audit row", exc_info=exc)


class Service:
    """Everything a request handler needs, opened once per app.

    Parameters
    ----------
    settings : Settings
        The service's settings; the graph store and the metadata store are opened
        at once.

    Attributes
    ----------
    store : GraphStore
        The datasets.
    meta : MetaStore
        Tenants, keys, audit log, dataset ownership, scans.
    evidence : EvidenceStore
        The datasets' evidence files.
    auth : Authenticator
        Keys -> principals.
    registry : Registry
        Live indexes and serialised changes.
    scans : ScanRunner or None
        The scan runner, made by :meth:`start`.

    Raises
    ------
    PolicyError
        ``settings.policy`` names no policy pack.
    StoreError
        A store cannot be opened.

    Examples
    --------
    >>> from pydantic import SecretStr
    >>> from agentgraph.api.auth import Principal
    >>> from agentgraph.api.service import Service
    >>> from agentgraph.api.settings import Settings
    >>> service = Service(
    ...     Settings(store="duckdb://:memory:", admin_key=SecretStr(""), dev_mode=True)
    ... )
    >>> service.meta.path
    ':memory:'
    >>> service.audit(Principal("bootstrap", "admin", None), "tenant.create", tenant="acme")
    >>> service.flush_audit()
    >>> rows, total = service.meta.audit_log(
    ...     tenant="acme", key_id=None, action=None, dataset=None, limit=5, offset=0
    ... )
    >>> total, rows[0].key_id, rows[0].action
    (1, 'bootstrap', 'tenant.create')
    >>> service.close()
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        get_policy(settings.policy)  # an unknown policy fails at start
        self.scans: ScanRunner | None = None
        self.closed = True
        self._open()

    def _open(self) -> None:
        """Open the graph store and the metadata store (again, after :meth:`close`)."""
        settings = self.settings
        self.store: GraphStore = open_store(settings.store)
        try:
            self.meta = MetaStore(settings.meta_path())
        except BaseException:
            self.store.close()
            raise
        self.evidence = EvidenceStore.beside(self.meta.path)
        self._audit_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")
        self.auth = Authenticator(self.meta, settings.admin_key.get_secret_value())
        self.registry = Registry(self.store, settings.policy, settings.index_cache_bytes)
        self.scans = None
        self.closed = False

    def start(self) -> None:
        """Run on startup: reopen after a shutdown; fail scans left unfinished.

        Scans a previous process left queued or running are marked failed
        (``interrupted``); upload temp folders a crashed process left are removed
        (:func:`~agentgraph.api.spooling.clean_upload_folders`).
        """
        if self.closed:
            self._open()
        clean_upload_folders(self.settings.upload_dir, self.settings.upload_timeout)
        if self.scans is None:
            stale = self.meta.fail_unfinished_scans()
            if stale:
                log.warning("%d unfinished scan(s) from a previous run marked failed", stale)
            self.scans = ScanRunner(
                self.registry,
                self.meta,
                self.evidence,
                self.settings.scan_workers,
                max_queued=self.settings.max_queued_scans,
                max_per_tenant=self.settings.max_queued_scans_per_tenant,
            )

    def runner(self) -> ScanRunner:
        """The scan runner (started on first use)."""
        if self.scans is None:
            self.start()
        assert self.scans is not None
        return self.scans

    def audit(
        self,
        who: Principal,
        action: str,
        *,
        tenant: str | None = None,
        dataset: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append to the audit log (the key's id, never the key), stamped now.

        The row is written by one background thread in call order, so a DuckDB
        commit never stalls the event loop. Inside a request the row joins
        :data:`PENDING_AUDIT`, and the request's answer waits until it is committed
        (:meth:`wait_audit`); elsewhere :meth:`flush_audit` waits for it.
        """
        meta, at, scope = self.meta, now(), tenant or who.tenant
        future = self._audit_writer.submit(
            lambda: meta.audit(
                key_id=who.key_id,
                role=who.role,
                tenant=scope,
                action=action,
                dataset=dataset,
                detail=detail,
                at=at,
            )
        )
        future.add_done_callback(_log_failure)
        pending = PENDING_AUDIT.get()
        if pending is not None:
            pending.append(future)

    @staticmethod
    async def wait_audit(pending: list[Future[None]]) -> BaseException | None:
        """Wait until these audit rows are committed; the first failure, or None.

        The writer runs rows in call order, so this waits for the rows before them too.
        """
        failure: BaseException | None = None
        for future in pending:
            try:
                await asyncio.wrap_future(future)
            except Exception as exc:  # logged by _log_failure
                failure = failure or exc
        return failure

    def flush_audit(self) -> None:
        """Wait until every audit row submitted so far is written."""
        self._audit_writer.submit(lambda: None).result()

    def audit_read(self, who: Principal, action: str, dataset: str | None = None) -> None:
        """Audit a read-only call when ``audit_reads`` is on."""
        if self.settings.audit_reads:
            self.audit(who, action, dataset=dataset)

    async def stop(self) -> None:
        """Stop gracefully (the app's shutdown): scans first, then the stores.

        No new scan is taken; running scans get ``shutdown_grace`` seconds, the
        others are recorded as failed (``interrupted``) while the metadata store is
        still open; then the pending audit rows are written and every store closed.
        """
        if self.closed:
            return
        if self.scans is not None:
            await self.scans.shutdown(self.settings.shutdown_grace)
        self.close()

    def close(self) -> None:
        """Stop the scans, write the pending audit rows, close every store."""
        if self.closed:
            return
        self.closed = True
        if self.scans is not None:
            self.scans.close()
        self._audit_writer.shutdown(wait=True)
        self.meta.close()
        self.evidence.close()
        self.store.close()
