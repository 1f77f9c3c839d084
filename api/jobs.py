"""Scans as background jobs: read -> analyse -> report -> index, in a thread pool.

The dataset's evidence (payments, ...: :mod:`agentgraph.api.evidence`) is read with its
rows, under the dataset's lock, and passed to :func:`agentgraph.analyse`, so the
report carries the money section and flags. The policy is the scan's own
(``policy`` pack or ``custom_policy`` document, recorded in its options) or the
service's setting.

``start`` records the job (state ``queued``) and returns at once; an asyncio task
drives the phases, each heavy step in the scan pool (``scan_workers`` threads;
the engine's numba kernels release the GIL). The result is the same
``agentgraph.report/1`` JSON the CLI writes, kept in the metadata store; the
analysis also becomes the dataset's live index when no change happened
meanwhile, the scan had no evidence and used the service's policy (the live
index stays depth-only under that policy: any other scan leaves it to be built
on the next query).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agentgraph.api.evidence import EvidenceStore
from agentgraph.api.meta import DatasetRecord, MetaStore, ScanRecord, now
from agentgraph.api.registry import Registry
from agentgraph.api.schemas.scans import REPORT_OPTIONS

from agentgraph.analysis import Analysis, analyse
from agentgraph.errors import AgentgraphError
from agentgraph.live import LiveIndex
from agentgraph.policies import Policy, get_policy
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
        or the service's setting recorded when the scan was started; default ``cn``).

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
    if doc is not None:
        return policy_from_dict(doc, where="custom_policy")
    return get_policy(options.get("policy", "cn"))


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
        Threads running scans.

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
        self, registry: Registry, meta: MetaStore, evidence: EvidenceStore, workers: int
    ) -> None:
        self.registry = registry
        self.meta = meta
        self.evidence = evidence
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scan")
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, ds: DatasetRecord, options: dict[str, Any], key_id: str) -> ScanRecord:
        """Record a scan (``queued``) and run it as a task of the running event loop."""
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
        task = asyncio.get_running_loop().create_task(self._run(rec, ds.store_name))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return rec

    async def _in_pool(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def _phase(self, scan_id: str, phase: str, progress: float, **more: Any) -> None:
        self.meta.update_scan(scan_id, phase=phase, progress=progress, **more)

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
            a: Analysis = await self._in_pool(lambda: analyse(rel, policy, **evidence))
            self._phase(rec.id, "reporting", 0.7)
            report_options = {k: rec.options[k] for k in REPORT_OPTIONS if k in rec.options}

            def report() -> tuple[dict[str, Any], str]:
                rep = build_report(a, source_name=rec.dataset, **report_options)
                return rep, dumps(rep, indent=None)

            rep, text = await self._in_pool(report)
            # the live index is depth-only, under the service's policy
            if not evidence and policy == get_policy(self.registry.policy):
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
            self._fail(rec.id, "cancelled", "the service stopped before the scan ended")
            raise
        except AgentgraphError as exc:
            self._fail(rec.id, "scan_failed", str(exc))
        except Exception as exc:  # never leave a job running
            log.error("scan %s failed", rec.id, exc_info=exc)
            self._fail(rec.id, "internal_error", "the scan failed; see the server log")

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

    def close(self) -> None:
        """Cancel the running scans (recorded as failed) and stop the pool."""
        for task in list(self._tasks):
            task.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)
