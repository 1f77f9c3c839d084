"""The audit log's writer: one background thread, group commit.

Rows are handed over in call order (:meth:`AuditWriter.submit`, one future per
call) and written by one thread, so a DuckDB commit never stalls the event loop.
The thread takes everything queued when it wakes (up to ``max_batch`` rows) and
writes it in ONE metadata transaction (:meth:`~agentgraph.api.meta.MetaStore.audit_many`):
under load the rows of many requests share one commit, and a request's future is
set only once its rows are committed. If that transaction fails, each call's rows
are written again on their own, so one bad row fails only its own call.

:data:`PENDING_AUDIT` holds the futures a request is waiting for; its answer is
sent only once they are done (:func:`agentgraph.api.deps.audit_before_answer`).
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from contextvars import ContextVar
from dataclasses import dataclass, field

from agentgraph.api.meta import MetaStore
from agentgraph.api.records import AuditEntry

__all__ = ["AuditWriter", "BatchStats", "PENDING_AUDIT"]

log = logging.getLogger("agentgraph.api")

PENDING_AUDIT: ContextVar[list[Future[None]] | None] = ContextVar(
    "agentgraph_pending_audit", default=None
)
"""The audit rows a request submitted; waited for before its answer is sent.

Set per request by :func:`agentgraph.api.deps.audit_before_answer`; None outside a
request (rows are then written in the background, :meth:`AuditWriter.flush` waits).
"""


@dataclass
class BatchStats:
    """Counts and timings of group commits (recruitments, or audit rows).

    Attributes
    ----------
    batches : int
        Commits made.
    items : int
        Items they held.
    largest : int
        Items of the largest.
    seconds : dict of str to float
        Total seconds per phase (e.g. ``check``, ``store``, ``index``; ``commit``).
    recent : deque
        The last 4,096 batches: ``(items, {phase: seconds})``.

    Examples
    --------
    >>> from agentgraph.api.auditlog import BatchStats
    >>> stats = BatchStats()
    >>> stats.add(3, {"commit": 0.004})
    >>> stats.add(1, {"commit": 0.002})
    >>> stats.batches, stats.items, stats.largest, round(stats.seconds["commit"], 3)
    (2, 4, 3, 0.006)
    >>> stats.as_dict()["recent"][0]
    [3, {'commit': 0.004}]
    """

    batches: int = 0
    items: int = 0
    largest: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    recent: deque[tuple[int, dict[str, float]]] = field(default_factory=lambda: deque(maxlen=4096))

    def add(self, items: int, phases: dict[str, float]) -> None:
        """Count one batch of ``items`` and the seconds of its phases. O(phases)."""
        self.batches += 1
        self.items += items
        self.largest = max(self.largest, items)
        for k, v in phases.items():
            self.seconds[k] = self.seconds.get(k, 0.0) + v
        self.recent.append((items, phases))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: the counts, the totals and the recent batches. O(recent)."""
        return {
            "batches": self.batches,
            "items": self.items,
            "largest": self.largest,
            "seconds": dict(self.seconds),
            "recent": [[n, dict(p)] for n, p in self.recent],
        }


@dataclass
class _Job:
    entries: Sequence[AuditEntry]
    future: Future[None]


_STOP = object()
_OPEN: weakref.WeakSet[AuditWriter] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """At exit, write what open writers still hold (their thread is a daemon)."""
    for writer in list(_OPEN):
        writer.close()


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("cannot write an audit row", exc_info=exc)


class AuditWriter:
    """Writes audit rows in call order on one thread, many calls per commit.

    Parameters
    ----------
    meta : MetaStore
        Where the rows go.
    max_batch : int
        Most rows in one commit (1: one commit per call, as before group commit).

    Attributes
    ----------
    stats : BatchStats
        Commits made, rows written, seconds spent committing (phase ``commit``).

    Examples
    --------
    >>> from agentgraph.api.auditlog import AuditWriter
    >>> from agentgraph.api.meta import MetaStore
    >>> from agentgraph.api.records import AuditEntry, now
    >>> meta = MetaStore(":memory:")
    >>> writer = AuditWriter(meta)
    >>> rows = [AuditEntry("k1", "analyst", "acme", "recruitment.apply", "d", {"n": k}, now())
    ...         for k in range(3)]
    >>> writer.submit(rows).result()  # one commit for the three
    >>> writer.flush()
    >>> got, total = meta.audit_log(tenant="acme", key_id=None, action=None, dataset=None,
    ...                             limit=10, offset=0)
    >>> total, [r.detail["n"] for r in got], writer.stats.batches
    (3, [2, 1, 0], 1)
    >>> writer.close()
    >>> meta.close()
    """

    def __init__(self, meta: MetaStore, max_batch: int = 1024) -> None:
        self.meta = meta
        self.max_batch = max(1, max_batch)
        self.stats = BatchStats()
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="audit", daemon=True)
        self._thread.start()
        _OPEN.add(self)

    def submit(self, entries: Sequence[AuditEntry]) -> Future[None]:
        """Queue rows to write; the future is done once they are committed.

        Parameters
        ----------
        entries : sequence of AuditEntry
            Rows, written in this order after every row submitted before.

        Returns
        -------
        concurrent.futures.Future
            Its result is None once the rows are committed; its exception says why
            they could not be (also logged).

        Raises
        ------
        RuntimeError
            The writer is closed.

        Notes
        -----
        O(1) here; the rows are written by the writer's thread.

        Examples
        --------
        >>> from agentgraph.api.auditlog import AuditWriter
        >>> from agentgraph.api.meta import MetaStore
        >>> writer = AuditWriter(MetaStore(":memory:"))
        >>> writer.submit([]).result() is None  # nothing to write: done in turn
        True
        >>> writer.close()
        """
        job = _Job(list(entries), Future())
        job.future.add_done_callback(_log_failure)
        with self._lock:
            if self._closed:
                raise RuntimeError("the audit writer is closed")
            self._queue.put(job)
        return job.future

    def flush(self) -> None:
        """Wait until every row submitted so far is written (or failed)."""
        self.submit([]).result()

    def close(self) -> None:
        """Write what is queued, then stop the thread (later submits raise)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()

    # ---------------------------------------------------------------- thread
    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                return
            assert isinstance(first, _Job)
            jobs, rows = [first], len(first.entries)
            while rows < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                assert isinstance(nxt, _Job)
                jobs.append(nxt)
                rows += len(nxt.entries)
            self._write(jobs, rows)

    def _write(self, jobs: list[_Job], rows: int) -> None:
        t = time.perf_counter()
        try:
            self.meta.audit_many([e for job in jobs for e in job.entries])
        except Exception as exc:
            if len(jobs) == 1:
                jobs[0].future.set_exception(exc)
                return
            for job in jobs:  # one bad row fails its own call only
                try:
                    self.meta.audit_many(job.entries)
                except Exception as one:
                    job.future.set_exception(one)
                else:
                    job.future.set_result(None)
            return
        if rows:
            self.stats.add(rows, {"commit": time.perf_counter() - t})
        for job in jobs:
            job.future.set_result(None)
