"""Scans as background jobs: read -> analyse -> report -> index, in a thread pool.

The dataset's evidence (payments, ...: :mod:`agentgraph.api.evidence`) is read with its
rows, under the dataset's lock, and passed to :func:`agentgraph.analyse`, so the
report carries the money section and flags. The policy is the scan's own
(``policy`` pack or ``custom_policy`` document, recorded in its options) or the
service's setting.

``start`` records the job (state ``queued``) and returns at once; an asyncio task
waits for one of ``scan_workers`` slots (the state turns ``running`` only then)
and drives the phases, each heavy step in the scan pool (the engine's numba
kernels release the GIL). The queue is bounded: past ``max_queued`` scans waiting
for a slot, or ``max_per_tenant`` unfinished scans of one tenant, ``start``
answers 429 with a ``Retry-After`` estimate. :meth:`ScanRunner.shutdown` stops
taking scans, lets the running ones finish within a grace period and records the
others as failed (``interrupted``) before the metadata store is closed. The result is the same
``agentgraph.report/1`` JSON the CLI writes, kept in the metadata store; the
analysis also becomes the dataset's live index when no change happened
meanwhile, the scan had no evidence and used the service's policy (the live
index stays depth-only under that policy: any other scan leaves it to be built
on the next query).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agentgraph.api.errors import ApiError
from agentgraph.api.evidence import EvidenceStore
from agentgraph.api.meta import DatasetRecord, MetaStore, ScanRecord, now
from agentgraph.api.registry import Registry
from agentgraph.api.schemas.scans import ANALYSE_OPTIONS, REPORT_OPTIONS

from agentgraph.analysis import Analysis, analyse
from agentgraph.errors import AgentgraphError, DatasetNotFound
from agentgraph.live import LiveIndex
from agentgraph.policies import Policy, get_policy, with_participants
from agentgraph.policies.custom import policy_from_dict
from agentgraph.report.build import build_report, dumps

__all__ = ["ScanRunner", "scan_policy"]

log = logging.getLogger("agentgraph.api")


def scan_policy(options: dict[str, Any]) -> Policy:
    """The policy a scan's recorded options ask for.

    Parameters
    ----------
    options : dict
        The scan's options: ``custom_policy`` (a policy document,
        :func:`agentgraph.policies.custom.policy_from_dict`) or ``policy`` (a pack,
        or the service's setting recorded when the scan was started; default ``cn``),
        and ``participants`` (who the thresholds count, replacing the policy's).

    Returns
    -------
    Policy
        The policy to analyse with.

    Raises
    ------
    PolicyError
        An unknown pack or a custom policy document that does not parse.

    Notes
    -----
    O(size of the policy document).

    Examples
    --------
    >>> from agentgraph.api.jobs import scan_policy
    >>> scan_policy({"policy": "us-ftc"}).name, scan_policy({}).name
    ('us-ftc', 'cn')
    """
    doc = options.get("custom_policy")
    pol = (
        policy_from_dict(doc, where="custom_policy")
        if doc is not None
        else get_policy(options.get("policy", "cn"))
    )
    spec = options.get("participants")
    return with_participants(pol, spec) if spec else pol


class ScanRunner:
    """Starts scans and runs them off the event loop.

    Each scan reads the dataset and its evidence (under the dataset's lock),
    analyses, builds the ``agentgraph.report/1`` JSON and, when nothing changed
    meanwhile and the scan had no evidence and the service's policy, installs the
    analysis as the dataset's live index; each heavy step runs in the pool.

    Parameters
    ----------
    registry : Registry
        The datasets' run-time state (graph store, locks, live indexes).
    meta : MetaStore
        Where scan jobs and their reports are recorded.
    evidence : EvidenceStore
        The datasets' evidence files.
    workers : int
        Threads running scans (and scans running at once).
    max_queued : int
        Most scans waiting for a worker; one more answers 429.
    max_per_tenant : int
        Most unfinished (queued or running) scans of one tenant; one more answers 429.

    Examples
    --------
    >>> import asyncio
    >>> from agentgraph.api.evidence import EvidenceStore
    >>> from agentgraph.api.jobs import ScanRunner
    >>> from agentgraph.api.meta import DatasetRecord, MetaStore, now
    >>> from agentgraph.api.registry import Registry
    >>> from agentgraph.loaders import read_relations
    >>> from agentgraph.stores import open_store
    >>> store = open_store("duckdb://:memory:")
    >>> _ = store.load("acme:b30", read_relations("fixtures/boundary_30_3.csv"))
    >>> meta, evidence = MetaStore(":memory:"), EvidenceStore.beside(":memory:")
    >>> ds = DatasetRecord("acme", "b30", "acme:b30", now(), None)
    >>> meta.add_dataset(ds)
    >>> async def scan():
    ...     runner = ScanRunner(Registry(store, "cn"), meta, evidence, workers=1)
    ...     queued = runner.start(ds, {"policy": "cn"}, "0123456789ab")
    ...     await runner.wait()
    ...     runner.close()
    ...     return queued, meta.scan("acme", queued.id)
    >>> queued, done = asyncio.run(scan())
    >>> queued.state, done.state, done.phase, done.progress
    ('queued', 'succeeded', 'done', 1.0)
    >>> {k: done.summary[k] for k in ("agents", "networks", "flagged", "max_levels")}
    {'agents': 30, 'networks': 1, 'flagged': 1, 'max_levels': 3}
    >>> meta.scan_report("acme", done.id)[:36]
    '{"schema":"agentgraph.report/1","sch'
    >>> evidence.close(); meta.close(); store.close()
    """

    def __init__(
        self,
        registry: Registry,
        meta: MetaStore,
        evidence: EvidenceStore,
        workers: int,
        *,
        max_queued: int = 8,
        max_per_tenant: int = 4,
    ) -> None:
        self.registry = registry
        self.meta = meta
        self.evidence = evidence
        self.workers = workers
        self.max_queued = max_queued
        self.max_per_tenant = max_per_tenant
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scan")
        self.accepting = True
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None
        self._unfinished: dict[str, str] = {}  # scan id -> tenant
        self._started: set[str] = set()  # ids of the scans that have a worker
        self._seconds = 5.0  # a scan's expected duration (moving average)

    def retry_after(self) -> int:
        """Seconds until a worker is likely free for one more scan (an estimate, >= 1)."""
        waiting = max(0, len(self._unfinished) - self.workers)
        return max(1, math.ceil(self._seconds * (waiting + 1) / self.workers))

    def _admit(self, tenant: str) -> None:
        if not self.accepting:
            raise ApiError(503, "unavailable", "the service is stopping; start the scan later")
        waiting = len(self._unfinished) - self.workers
        mine = sum(1 for t in self._unfinished.values() if t == tenant)
        why = None
        if waiting >= self.max_queued:
            why = (
                f"{max(waiting, 0)} scans wait for a worker already (at most "
                f"{self.max_queued}, AGENTGRAPH_MAX_QUEUED_SCANS)"
            )
        elif mine >= self.max_per_tenant:
            why = (
                f"the tenant has {mine} unfinished scans (at most {self.max_per_tenant}, "
                "AGENTGRAPH_MAX_QUEUED_SCANS_PER_TENANT)"
            )
        if why is not None:
            after = self.retry_after()
            raise ApiError(
                429,
                "too_many_scans",
                f"{why}; retry in about {after} s",
                [{"field": "scan", "message": why}],
                headers={"Retry-After": str(after)},
            )

    def start(self, ds: DatasetRecord, options: dict[str, Any], key_id: str) -> ScanRecord:
        """Record a scan (``queued``) and run it as a task of the running event loop.

        429 ``too_many_scans`` (``Retry-After``) when the queue is full; 503 while
        the service stops.
        """
        self._admit(ds.tenant)
        rec = ScanRecord(
            id=f"scn_{secrets.token_hex(8)}",
            tenant=ds.tenant,
            dataset=ds.name,
            state="queued",
            phase="queued",
            progress=0.0,
            created_at=now(),
            started_at=None,
            finished_at=None,
            created_by=key_id,
            options=options,
            error=None,
            summary=None,
        )
        self.meta.add_scan(rec)
        self._unfinished[rec.id] = rec.tenant
        task = asyncio.get_running_loop().create_task(self._queued(rec, ds.store_name), name=rec.id)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return rec

    async def _in_pool(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def _phase(self, scan_id: str, phase: str, progress: float, **more: Any) -> None:
        self.meta.update_scan(scan_id, phase=phase, progress=progress, **more)

    async def _queued(self, rec: ScanRecord, name: str) -> None:
        """Wait for a worker slot (state ``queued``), then run."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        ran = False
        try:
            async with self._slots:
                ran = True
                self._started.add(rec.id)
                began = time.monotonic()
                try:
                    await self._run(rec, name)
                finally:
                    self._started.discard(rec.id)
                    self._seconds = 0.7 * self._seconds + 0.3 * (time.monotonic() - began)
        except asyncio.CancelledError:
            if not ran:  # still queued when the service stopped
                self._fail(rec.id, "interrupted", "the service stopped before the scan ran")
            raise
        finally:
            self._unfinished.pop(rec.id, None)

    async def _run(self, rec: ScanRecord, name: str) -> None:
        try:
            self._phase(rec.id, "reading", 0.05, state="running", started_at=now())
            st = self.registry.state(name)
            async with st.lock:
                version = st.version
                rel = await self._in_pool(self.registry.store.read, name)
                evidence: dict[str, Any] = await self._in_pool(
                    self.evidence.analyse_args, rec.tenant, rec.dataset
                )
            self._phase(rec.id, "analysing", 0.3)
            policy = scan_policy(rec.options)
            timing = {k: rec.options[k] for k in ANALYSE_OPTIONS if k in rec.options}
            a: Analysis = await self._in_pool(lambda: analyse(rel, policy, **evidence, **timing))
            self._phase(rec.id, "reporting", 0.7)
            report_options = {k: rec.options[k] for k in REPORT_OPTIONS if k in rec.options}

            def report() -> tuple[dict[str, Any], str]:
                rep = build_report(a, source_name=rec.dataset, **report_options)
                return rep, dumps(rep, indent=None)

            rep, text = await self._in_pool(report)
            if not timing.get("as_of"):  # the results as plain tables beside the dataset
                await self._in_pool(self._save_results, a, name)
            # the live index is depth-only, under the service's policy
            # (a scan as of a date is not the dataset as it stands: no index from it)
            if (
                not evidence
                and not timing.get("as_of")
                and policy == get_policy(self.registry.policy)
            ):
                self._phase(rec.id, "indexing", 0.85)
                index = await self._in_pool(LiveIndex.from_analysis, a)
                self.registry.install(name, index, version)
            self._phase(
                rec.id,
                "done",
                1.0,
                state="succeeded",
                finished_at=now(),
                summary=rep["summary"],
                report=text,
            )
        except asyncio.CancelledError:
            self._fail(rec.id, "interrupted", "the service stopped before the scan ended")
            raise
        except AgentgraphError as exc:
            self._fail(rec.id, "scan_failed", str(exc))
        except Exception as exc:  # never leave a job running
            log.error("scan %s failed", rec.id, exc_info=exc)
            self._fail(rec.id, "internal_error", "the scan failed; see the server log")

    def _save_results(self, a: Analysis, name: str) -> None:
        """Keep the scan's result tables in the store (the embedded store only)."""
        save = getattr(self.registry.store, "save_results", None)
        if save is None:
            return
        from agentgraph.report.results import result_tables

        with contextlib.suppress(DatasetNotFound):  # deleted meanwhile: nothing to keep
            save(name, *result_tables(a, name))

    def _fail(self, scan_id: str, code: str, message: str) -> None:
        try:
            self.meta.update_scan(
                scan_id,
                state="failed",
                phase="failed",
                finished_at=now(),
                error={"code": code, "message": message},
            )
        except Exception as exc:  # the store may be closing
            log.warning("cannot record scan %s failure: %s", scan_id, exc)

    async def wait(self) -> None:
        """Wait for the running scans (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def shutdown(self, grace: float) -> None:
        """Stop taking scans; let running ones end within ``grace`` seconds; record the rest.

        Scans still queued or running after ``grace`` are cancelled and recorded as
        failed (code ``interrupted``) while the metadata store is still open; the
        pool then stops. The caller closes the stores afterwards.
        """
        self.accepting = False
        for task in list(self._tasks):  # scans that never got a worker: not waited for
            if task.get_name() not in self._started:
                task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        # a cancelled scan's thread may still be reading the store: let it end
        # (bounded) before the caller closes the stores
        try:
            await asyncio.wait_for(
                asyncio.to_thread(self.pool.shutdown, wait=True, cancel_futures=True), timeout=5
            )
        except TimeoutError:
            log.warning("a scan thread is still busy at shutdown; closing the stores anyway")

    def close(self) -> None:
        """Cancel the running scans (recorded as failed) and stop the pool."""
        self.accepting = False
        for task in list(self._tasks):
            task.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)
