"""Datasets at run time: the live index of each, and every change to them.

Each dataset (store name ``tenant:name``) has an asyncio lock that serialises
its changes (ingest, recruitments, the read a scan starts from), a version
counter bumped by every change, and a :class:`~agentgraph.live.LiveIndex`
built lazily from a full analysis (in a worker thread) and then kept current
recruitment by recruitment. Built indexes form a cache bounded in bytes
(``index_cache_bytes``, each index's size estimated from its arrays,
:func:`index_bytes`): past it the least recently used are dropped and rebuilt
on their next query. Index reads and recruitment updates happen on the
event loop thread only, so readers never see a half-applied recruitment; heavy
work (store reads, analysis, parsing, writes) runs in threads and never blocks
queries of other datasets.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

import anyio
import pyarrow as pa
from agentgraph.api.auditlog import PENDING_AUDIT, AuditWriter, BatchStats
from agentgraph.api.errors import ApiError
from agentgraph.api.indexsize import index_bytes
from agentgraph.api.quota import TenantQuota
from agentgraph.api.records import AuditEntry
from agentgraph.api.recruiting import (
    Accepted,
    Recruitment,
    apply,
    fit_columns,
    prepare,
    recruitment_row,
    store_error,
)

from agentgraph.analysis import analyse
from agentgraph.errors import StoreError
from agentgraph.live import LiveIndex, RecruitmentCheck
from agentgraph.live.enforcement import Enforcement
from agentgraph.stores import DatasetInfo, GraphStore
from agentgraph.tables import Relations

__all__ = ["Registry", "DatasetState", "store_name", "recruitment_row", "index_bytes"]

log = logging.getLogger("agentgraph.api")


def store_name(tenant: str, name: str) -> str:
    """The store's name of a tenant's dataset (``tenant:name``).

    Parameters
    ----------
    tenant : str
        The tenant id.
    name : str
        The dataset's name within the tenant.

    Returns
    -------
    str
        ``tenant:name``.

    Notes
    -----
    O(len(name)).

    Examples
    --------
    >>> from agentgraph.api.registry import store_name
    >>> store_name("acme", "ladder")
    'acme:ladder'
    """
    return f"{tenant}:{name}"


@dataclass
class DatasetState:
    """Run-time state of one dataset.

    Attributes
    ----------
    lock : asyncio.Lock
        Serialises the dataset's changes (and the read a scan starts from).
    version : int
        Bumped by every change.
    index : LiveIndex or None
        The live index, current when ``index_version == version``.
    index_version : int
        The version the index was built from.
    building : asyncio.Future or None
        The build in progress, shared by every waiting query.
    info : DatasetInfo or None
        The store's catalog row, kept current by changes.
    queue : deque of Recruitment
        Recruitments waiting for the dataset's writer, in arrival order.
    writer : asyncio.Task or None
        The writer taking them, while there are any.

    Examples
    --------
    >>> from agentgraph.api.registry import DatasetState
    >>> st = DatasetState()
    >>> st.version, st.current() is None
    (0, True)
    """

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    version: int = 0
    index: LiveIndex | None = None
    index_version: int = -1
    building: asyncio.Future[None] | None = None
    info: DatasetInfo | None = None  # the store's catalog row, kept current by changes
    queue: deque[Recruitment] = field(default_factory=deque)
    writer: asyncio.Task[None] | None = None

    def current(self) -> LiveIndex | None:
        """The index if it is built from the current version, else None."""
        return self.index if self.index is not None and self.index_version == self.version else None


class Registry:
    """Live indexes and serialised changes of every dataset.

    Index reads and recruitment updates happen on the event loop thread only;
    store reads, analyses and writes run in worker threads.

    Parameters
    ----------
    store : GraphStore
        The graph store holding the datasets.
    policy : str
        The policy pack of the live indexes (the service's).
    cache_bytes : int
        Memory for live indexes (least recently used dropped past it).
    quota : TenantQuota, optional
        The tenants' storage quota, checked and counted by every change.
    audit : AuditWriter, optional
        Where recorded recruitments' audit rows go (those given an ``audit`` hook).
    batch_max : int
        Most recruitments of one dataset in one store transaction (group commit).

    Attributes
    ----------
    commits : BatchStats
        Group commits of recruitments: batches, recruitments, seconds per phase
        (``read``: the dataset's row and the quota; ``check``; ``store``: the
        commit; ``index``: the index updated).
    retried : int
        Batches the store refused, then written again one recruitment at a time.

    Examples
    --------
    >>> import asyncio
    >>> from agentgraph.api.registry import Registry
    >>> from agentgraph.loaders import read_relations
    >>> from agentgraph.stores import open_store
    >>> store = open_store("duckdb://:memory:")
    >>> _ = store.load("acme:b29", read_relations("fixtures/boundary_29_3.csv"))
    >>> registry = Registry(store, "cn")
    >>> async def grow():
    ...     check, info = await registry.recruit(
    ...         "acme:b29", "002", "N30", at=None, rank=None, enforce=False
    ...     )
    ...     return check, info
    >>> check, info = asyncio.run(grow())
    >>> check.members_before, check.members_after, [f.rule for f in check.newly_fired]
    (29, 30, ['cn.threshold'])
    >>> info.rows
    30
    >>> store.close()
    """

    def __init__(
        self,
        store: GraphStore,
        policy: str,
        cache_bytes: int = 2 * 1024**3,
        quota: TenantQuota | None = None,
        *,
        audit: AuditWriter | None = None,
        batch_max: int = 512,
        enforcement: Enforcement | None = None,
    ) -> None:
        self.store = store
        self.enforcement = enforcement or Enforcement()
        self.policy = policy
        self.cache_bytes = cache_bytes
        self.quota = quota
        self.audit = audit
        self.batch_max = max(1, batch_max)
        self.commits = BatchStats()
        self.retried = 0
        self._states: dict[str, DatasetState] = {}
        self._cached: OrderedDict[str, int] = OrderedDict()  # name -> bytes, oldest first

    @property
    def cached_bytes(self) -> int:
        """Estimated bytes of the indexes held now (:func:`index_bytes`)."""
        return sum(self._cached.values())

    def _adopt(self, name: str, st: DatasetState, index: LiveIndex, version: int) -> None:
        """Hold ``index`` as the dataset's current one; evict others past the limit."""
        st.index, st.index_version = index, version
        self._cached[name] = index_bytes(index)
        self._cached.move_to_end(name)
        total = self.cached_bytes
        while total > self.cache_bytes and len(self._cached) > 1:
            old, size = next(iter(self._cached.items()))
            if old == name:
                break
            self._forget(old)
            total -= size

    def _forget(self, name: str) -> None:
        """Drop a dataset's index from the cache (rebuilt on its next query)."""
        self._cached.pop(name, None)
        st = self._states.get(name)
        if st is not None:
            st.index, st.index_version = None, -1

    def state(self, name: str) -> DatasetState:
        """The dataset's run-time state, made on first use."""
        st = self._states.get(name)
        if st is None:
            st = self._states[name] = DatasetState()
        return st

    def drop(self, name: str) -> None:
        """Forget a dataset's state (deleted, or created anew)."""
        self._cached.pop(name, None)
        self._states.pop(name, None)

    def loaded(self, name: str) -> LiveIndex | None:
        """The index if it is built and current, without building it."""
        st = self._states.get(name)
        return None if st is None else st.current()

    # ---------------------------------------------------------------- index
    def _analyse(self, rel: Relations) -> LiveIndex:
        return LiveIndex.from_analysis(analyse(rel, self.policy))

    async def _build(self, name: str, st: DatasetState) -> None:
        async with st.lock:
            version = st.version
            rel = await anyio.to_thread.run_sync(self.store.read, name)
        index = await anyio.to_thread.run_sync(self._analyse, rel)
        if st.version == version and self._states.get(name) is st:
            self._adopt(name, st, index, version)

    async def index(self, name: str) -> LiveIndex:
        """The dataset's current index, built (once, shared) if needed."""
        st = self.state(name)
        while True:
            live = st.current()
            if live is not None:
                if name in self._cached:
                    self._cached.move_to_end(name)
                return live
            if st.building is None or st.building.done():
                st.building = asyncio.ensure_future(self._build(name, st))
            fut = st.building
            await asyncio.shield(fut)

    def install(self, name: str, index: LiveIndex, version: int) -> bool:
        """Adopt an index a scan built from data at ``version`` (if still current)."""
        st = self._states.get(name)
        if st is None or st.version != version:
            return False
        self._adopt(name, st, index, version)
        return True

    # -------------------------------------------------------------- changes
    async def load(self, name: str, rel: Relations, *, mode: str) -> DatasetInfo:
        """Replace or append rows, all or nothing; the index is rebuilt on next use."""
        st = self.state(name)
        async with st.lock:
            info = await anyio.to_thread.run_sync(self.store.info, name)
            if mode == "append":
                if info.kind != rel.kind:
                    raise ApiError(
                        409,
                        "kind_mismatch",
                        f"dataset holds {info.kind}, the "
                        f"input is {rel.kind}; use mode=replace to change it",
                    )
                if info.rows == 0:  # an empty dataset takes the input's columns
                    mode = "replace"
                else:
                    rel = fit_columns(rel, info.columns)

            replace, nbytes = mode != "append", rel.table.nbytes
            if self.quota is not None:
                self.quota.check(name, nbytes, replace=replace)

            def write() -> DatasetInfo:
                if mode == "append":
                    return self.store.append(name, rel)
                return self.store.load(name, rel, replace=True)

            with anyio.CancelScope(shield=True):
                try:
                    out = await anyio.to_thread.run_sync(write)
                except StoreError as exc:
                    raise store_error(exc, name) from None
                st.version += 1
                self._forget(name)
                st.info = out
                if self.quota is not None:
                    self.quota.record(name, nbytes, replace=replace)
        return out

    async def recruit(
        self,
        name: str,
        upline_id: str,
        agent_id: str,
        *,
        at: datetime | None,
        rank: str | None,
        enforce: bool,
        audit: Callable[[RecruitmentCheck], AuditEntry] | None = None,
    ) -> tuple[RecruitmentCheck, DatasetInfo]:
        """Check, append to the store, then update the index in O(depth); group-committed.

        The recruitment joins the dataset's queue; the dataset's writer takes
        everything queued, checks it in arrival order (:func:`~agentgraph.api.
        recruiting.prepare`), appends the accepted rows in one store transaction,
        updates the index and submits their audit rows (``audit`` makes this one's)
        in one call. Inside a request the audit row joins
        :data:`~agentgraph.api.auditlog.PENDING_AUDIT`: the answer waits for it.
        """
        st = self.state(name)
        loop = asyncio.get_running_loop()
        rec = Recruitment(upline_id, agent_id, at, rank, enforce, audit, loop.create_future())
        st.queue.append(rec)
        if st.writer is None or st.writer.done():
            # its own context: the writer serves every request, belongs to none
            st.writer = loop.create_task(self._writer(name, st), context=contextvars.Context())
        result, info, audited = await rec.future
        pending = PENDING_AUDIT.get()
        if audited is not None and pending is not None:
            pending.append(audited)
        return result, info

    async def _writer(self, name: str, st: DatasetState) -> None:
        """Take the dataset's queued recruitments, batch by batch, until none is left."""
        batch: list[Recruitment] = []
        try:
            while st.queue:
                try:
                    index = await self.index(name)
                except Exception as exc:  # each would have got it alone
                    while st.queue:
                        st.queue.popleft().fail(exc)
                    return
                async with st.lock:
                    if st.current() is not index:
                        continue
                    batch = []
                    while st.queue and len(batch) < self.batch_max:
                        rec = st.queue.popleft()
                        if not rec.future.done():  # its caller may have gone away
                            batch.append(rec)
                    if batch:
                        await self._commit(name, st, index, batch)
                    batch = []
        except BaseException as exc:
            log.error("the recruitment writer of a dataset failed", exc_info=exc)
            err = ApiError(
                503,
                "store_error",
                "the recruitment may not have been recorded; check before retrying",
            )
            for rec in [*batch, *st.queue]:
                rec.fail(err)
            st.queue.clear()
            raise

    def _write(self, name: str, rel: Relations, stored: int | None) -> DatasetInfo | None:
        """Append a batch's rows in one store transaction, then count them in the quota.

        ``stored`` None: the batch was checked without the quota; if the tenant's
        stored bytes plus the batch's pass it, nothing is written and None returned
        (the writer then checks each recruitment against them). One thread hop.
        """
        quota = self.quota
        if quota is not None and stored is None:  # noqa: SIM102
            if quota.stored(name) + rel.table.nbytes > quota.max_bytes:
                return None
        info = self.store.append(name, rel)
        if quota is not None:
            try:
                quota.record(name, rel.table.nbytes, replace=False)
            except Exception as exc:  # the rows are committed: answer, do not fail them
                log.error("cannot record a dataset's stored bytes", exc_info=exc)
        return info

    async def _commit(
        self, name: str, st: DatasetState, index: LiveIndex, batch: list[Recruitment]
    ) -> None:
        """One group commit (the dataset's lock held): check, write, index, audit, answer."""
        t0 = time.perf_counter()
        known = st.info
        if known is None:
            try:
                known = await anyio.to_thread.run_sync(self.store.info, name)
            except StoreError as exc:
                for rec in batch:
                    rec.fail(store_error(exc, name))
                return
        t1 = time.perf_counter()
        stored: int | None = None  # the quota is checked for the whole batch when written
        while True:
            quota = None if stored is None else self.quota
            accepted, refused = prepare(index, batch, known, quota, stored or 0, self.enforcement)
            if not accepted:
                for rec, err in refused:
                    rec.fail(err)
                return
            t2 = time.perf_counter()
            # one chunk: DuckDB takes the GIL for each chunk it scans, and the event loop
            # holds it most of the time (one chunk a row cost ~1 ms a row under load)
            table = pa.concat_tables([a.row.table for a in accepted]).combine_chunks()
            rel = Relations(accepted[0].row.kind, table, "recruitment")
            with anyio.CancelScope(shield=True):
                try:
                    info = await anyio.to_thread.run_sync(self._write, name, rel, stored)
                except Exception as exc:
                    info = await self._failed(name, st, index, known, batch, accepted, exc)
                    if info is None:
                        return
            if info is not None:
                break
            # past the quota: the whole batch checked again, each against it (a refusal
            # of the first pass may have rested on one that the quota now refuses)
            assert self.quota is not None
            stored = await anyio.to_thread.run_sync(self.quota.stored, name)
        for rec, err in refused:  # the accepted ones are written: the refusals stand
            rec.fail(err)
        with anyio.CancelScope(shield=True):
            t3 = time.perf_counter()
            try:
                apply(index, accepted)
            except Exception as exc:  # the store has them all: rebuild from it
                log.error("cannot add committed recruitments to the index", exc_info=exc)
                self._forget(name)
            st.info = info
            st.version += len(accepted)
            if st.index is index:
                st.index_version = st.version
            elif st.index is not None:  # a scan installed an index built before this batch
                self._adopt(name, st, index, st.version)
            t4 = time.perf_counter()
            audited = self._audit(accepted)
            phases = {"read": t1 - t0, "check": t2 - t1, "store": t3 - t2, "index": t4 - t3}
            self.commits.add(len(accepted), phases)
            last = len(accepted) - 1
            for k, a in enumerate(accepted):
                rows = info.rows - (last - k)  # the dataset's rows once this one was added
                each = info if k == last else dataclasses.replace(info, rows=rows)
                a.rec.answer((a.result, each, audited))

    async def _failed(
        self,
        name: str,
        st: DatasetState,
        index: LiveIndex,
        known: DatasetInfo,
        batch: list[Recruitment],
        accepted: list[Accepted],
        exc: Exception,
    ) -> DatasetInfo | None:
        """After a failed batch append: what the store holds decides what each request gets.

        Nothing written: a batch of one gets the store's error; a larger batch (the
        refused ones included, in arrival order) is written again one recruitment at a
        time, each checked anew, so only the one the store refuses fails, as if each
        had come alone. Everything written (the store failed after its commit): the
        dataset's row, to answer as usual. Anything else: the index is dropped (rebuilt
        from the store on its next use) and every request of the batch gets 503, the
        change perhaps made.
        """
        try:
            now = await anyio.to_thread.run_sync(self.store.info, name)
        except Exception:
            now = None
        if now is not None and now.rows == known.rows:
            if len(batch) > 1:
                self.retried += 1
                log.warning(
                    "a batch of %d recruitments failed (%s); writing them one by one",
                    len(accepted),
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                )
                for rec in batch:
                    if st.index is None:  # dropped (perhaps half updated): 503 below
                        break
                    await self._commit(name, st, index, [rec])
                left = ApiError(
                    503,
                    "store_error",
                    "the graph store failed while recording a batch of recruitments; this one "
                    "was not recorded: retry it",
                )
                for rec in batch:
                    rec.fail(left)  # no-op for the ones answered above
                return None
            if isinstance(exc, StoreError):
                accepted[0].rec.fail(store_error(exc, name))
            else:
                log.error("cannot append a recruitment", exc_info=exc)
                accepted[0].rec.fail(
                    ApiError(503, "store_error", "the graph store failed; see the server log")
                )
            return None
        if now is not None and now.rows == known.rows + len(accepted):
            log.warning("the store failed after committing a batch of recruitments: %s", exc)
            quota = self.quota
            if quota is not None:
                nbytes = sum(a.row.table.nbytes for a in accepted)
                await anyio.to_thread.run_sync(lambda: quota.record(name, nbytes, replace=False))
            return now
        log.error("a batch append failed, the store's state is unknown", exc_info=exc)
        self._forget(name)
        st.version += 1
        st.info = None
        err = ApiError(
            503,
            "store_error",
            "the graph store failed while recording the recruitment; it may have been "
            "recorded: check before retrying",
        )
        for rec in batch:
            rec.fail(err)
        return None

    def _audit(self, accepted: list[Accepted]) -> Future[None] | None:
        """Submit the audit rows of a committed batch in one call; their future."""
        entries = [a.rec.audit(a.result) for a in accepted if a.rec.audit is not None]
        if not entries or self.audit is None:
            return None
        try:
            return self.audit.submit(entries)
        except Exception as exc:  # closed: the answers say the rows are missing
            failed: Future[None] = Future()
            failed.set_exception(exc)
            return failed
