"""The service object behind one app (``app.state.service``).

It holds the settings, graph store, metadata, evidence files, keys, live indexes
and the scan runner.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from agentgraph.api.auditlog import PENDING_AUDIT, AuditWriter
from agentgraph.api.auth import Authenticator, Principal
from agentgraph.api.denied import DeniedLimiter, Suppressed
from agentgraph.api.evidence import EvidenceStore
from agentgraph.api.jobs import ScanRunner
from agentgraph.api.meta import MetaStore, now
from agentgraph.api.quota import TenantQuota
from agentgraph.api.records import AuditEntry
from agentgraph.api.registry import Registry
from agentgraph.api.sessions import SessionStore
from agentgraph.api.settings import Settings
from agentgraph.api.spooling import clean_upload_folders
from starlette.requests import Request

from agentgraph.live.enforcement import Enforcement
from agentgraph.policies import get_policy
from agentgraph.stores import GraphStore, open_store

__all__ = ["Service", "PENDING_AUDIT"]

log = logging.getLogger("agentgraph.api")


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
        Live indexes and serialised changes (recruitments group-committed).
    audit_writer : AuditWriter
        Writes audit rows in call order on one thread, many per commit.
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
        self.audit_writer = AuditWriter(self.meta, settings.group_commit_max)
        self.auth = Authenticator(self.meta, settings.admin_key.get_secret_value())
        self.sessions = SessionStore(settings.session_seconds)
        self.registry = Registry(
            self.store,
            settings.policy,
            settings.index_cache_bytes,
            TenantQuota(self.meta, settings.max_tenant_bytes),
            audit=self.audit_writer,
            batch_max=settings.group_commit_max,
            enforcement=Enforcement(settings.guardrail_enforce, settings.guardrail_max_levels),
        )
        self.denied = DeniedLimiter(settings.audit_denied_per_minute)
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

        The row is written by one background thread in call order, many requests'
        rows per commit (:class:`~agentgraph.api.auditlog.AuditWriter`), so a DuckDB
        commit never stalls the event loop. Inside a request the row joins
        :data:`PENDING_AUDIT`, and the request's answer waits until it is committed
        (:meth:`wait_audit`); elsewhere :meth:`flush_audit` waits for it.
        """
        self._write(who.key_id, who.role, tenant or who.tenant, action, dataset, detail)

    @staticmethod
    def audit_entry(
        who: Principal,
        action: str,
        *,
        tenant: str | None = None,
        dataset: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """An audit row stamped now, for a writer that submits it later.

        The registry's group commit makes each recorded recruitment's row with this
        and submits a batch's rows in one call, right after the batch's store commit.
        """
        tenant = tenant or who.tenant
        return AuditEntry(who.key_id, who.role, tenant, action, dataset, detail, now())

    def _write(
        self,
        key_id: str,
        role: str,
        tenant: str | None,
        action: str,
        dataset: str | None,
        detail: dict[str, Any] | None,
        *,
        wait: bool = True,
    ) -> None:
        entry = AuditEntry(key_id, role, tenant, action, dataset, detail, now())
        future = self.audit_writer.submit([entry])
        pending = PENDING_AUDIT.get()
        if wait and pending is not None:
            pending.append(future)

    def audit_refusal(
        self, request: Request, status: int, code: str, details: list[dict[str, Any]]
    ) -> None:
        """Audit a refused call (401, 403, a dataset the key cannot see, the guardrail).

        Who: the key's id (``unknown`` without a valid key); what: method, route,
        dataset; why: the error code. Rate-limited per key id (or client address)
        by ``audit_denied_per_minute``; written in the background, so the answer
        never waits for it.
        """
        who: Principal | None = getattr(request.state, "principal", None)
        client = request.client.host if request.client else None
        route = getattr(request.scope.get("route"), "path_format", None) or request.url.path
        dataset = request.path_params.get("dataset")
        key_id = who.key_id if who else "unknown"
        bucket = key_id if who else f"addr:{client}"
        write, ended = self.denied.admit(
            bucket, key_id, who.role if who else None, who.tenant if who else None
        )
        for gone in ended:
            self._summary(gone)
        if not write:
            return
        detail: dict[str, Any] = {
            "method": request.method,
            "route": route[:300],
            "status": status,
            "code": code,
            "client": client,
        }
        refused = code == "guardrail_blocked"
        if refused:
            detail["rules"] = [d.get("code") for d in details][:50]
            detail.update(getattr(request.state, "audit_detail", None) or {})
        self._write(
            key_id,
            who.role if who else "unknown",
            who.tenant if who else None,
            "recruitment.refused" if refused else "denied",
            dataset if isinstance(dataset, str) else None,
            detail,
            wait=False,
        )

    def _summary(self, gone: Suppressed) -> None:
        """One row for the denied calls of a bucket the limiter left out."""
        start = datetime.fromtimestamp(gone.window_start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._write(
            gone.key_id,
            gone.role or "unknown",
            gone.tenant,
            "denied.suppressed",
            None,
            {
                "message": f"{gone.count} more denied",
                "count": gone.count,
                "bucket": gone.bucket,
                "window_start": start,
            },
            wait=False,
        )

    @staticmethod
    async def wait_audit(pending: list[Future[None]]) -> BaseException | None:
        """Wait until these audit rows are committed; the first failure, or None.

        The writer runs rows in call order, so this waits for the rows before them too.
        """
        failure: BaseException | None = None
        for future in pending:
            try:
                await asyncio.wrap_future(future)
            except Exception as exc:  # logged by the writer
                failure = failure or exc
        return failure

    def flush_audit(self) -> None:
        """Wait until every audit row submitted so far is written."""
        self.audit_writer.flush()

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
        for gone in self.denied.drain():
            self._summary(gone)
        self.audit_writer.close()
        self.meta.close()
        self.evidence.close()
        self.store.close()
