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
import re
import sys
from collections import OrderedDict
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime

import anyio
import numpy as np
import pyarrow as pa
from agentgraph.api.errors import ApiError
from agentgraph.api.quota import TenantQuota

from agentgraph.analysis import analyse
from agentgraph.errors import StoreError
from agentgraph.live import LiveIndex, RecruitmentCheck
from agentgraph.stores import DatasetInfo, GraphStore
from agentgraph.tables import Relations

__all__ = ["Registry", "DatasetState", "store_name", "recruitment_row", "index_bytes"]


def index_bytes(obj: object) -> int:
    """Estimated memory of a live index: its numpy and Arrow arrays, and Python extras.

    Walks the object's attributes (and those of the objects it holds, dicts, lists
    and tuples), counting each numpy array's and Arrow array's ``nbytes`` once and
    ``sys.getsizeof`` of other containers and strings.

    Parameters
    ----------
    obj : object
        A :class:`~agentgraph.live.LiveIndex` (or any object).

    Returns
    -------
    int
        Bytes (an estimate: shared buffers are counted once per array).

    Notes
    -----
    O(attributes + items of Python containers); the arrays are not scanned.

    Examples
    --------
    >>> import numpy as np
    >>> from agentgraph.api.registry import index_bytes
    >>> class Holder:
    ...     def __init__(self):
    ...         self.depth = np.zeros(1000, np.int32)
    ...         self.same = self.depth
    >>> index_bytes(Holder()) >= 4000
    True
    >>> index_bytes(Holder()) < 8000
    True
    """
    seen: set[int] = set()
    total = 0
    stack: list[tuple[object, int]] = [(obj, 0)]
    while stack:
        item, depth = stack.pop()
        if id(item) in seen or item is None or isinstance(item, (bool, int, float)):
            continue
        seen.add(id(item))
        if isinstance(item, (np.ndarray, pa.Array, pa.ChunkedArray, pa.Table, pa.RecordBatch)):
            total += int(item.nbytes)
        elif isinstance(item, (str, bytes)):
            total += sys.getsizeof(item)
        elif depth < 6:
            if isinstance(item, dict):
                total += sys.getsizeof(item)
                stack.extend((v, depth + 1) for v in item.values())
                stack.extend((k, depth + 1) for k in item if isinstance(k, (str, bytes)))
            elif isinstance(item, (list, tuple, set, frozenset)):
                total += sys.getsizeof(item)
                stack.extend((v, depth + 1) for v in item)
            elif is_dataclass(item) and not isinstance(item, type):
                stack.extend((getattr(item, f.name, None), depth + 1) for f in fields(item))
            elif hasattr(item, "__dict__") and not isinstance(item, type):
                stack.extend((v, depth + 1) for v in vars(item).values())
            for slot in getattr(type(item), "__slots__", ()):
                stack.append((getattr(item, slot, None), depth + 1))
    return total


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

    def current(self) -> LiveIndex | None:
        """The index if it is built from the current version, else None."""
        return self.index if self.index is not None and self.index_version == self.version else None


def recruitment_row(
    kind: str, upline_id: str, agent_id: str, at: datetime | None, rank: str | None
) -> Relations:
    """One store row recording a recruitment, for a member table or an edge list.

    Parameters
    ----------
    kind : {"members", "edges"}
        The dataset's kind.
    upline_id : str
        The recruiter.
    agent_id : str
        The new agent.
    at : datetime or None
        When it joined.
    rank : str or None
        Its rank (member tables only).

    Returns
    -------
    Relations
        One row: ``agent_id, upline_id, joined_at, rank`` (members) or ``upline_id,
        downline_id, kind="recruited", at`` (edges); source ``recruitment``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> from agentgraph.api.registry import recruitment_row
    >>> row = recruitment_row("edges", "P1", "P4", None, None)
    >>> row.kind, row.table.to_pylist()
    ('edges', [{'upline_id': 'P1', 'downline_id': 'P4', 'kind': 'recruited', 'at': None}])
    >>> recruitment_row("members", "M1", "M4", None, "gold").table.column_names
    ['agent_id', 'upline_id', 'joined_at', 'rank']
    """
    ts = pa.array([at], pa.timestamp("us"))
    if kind == "members":
        table = pa.table(
            {
                "agent_id": pa.array([agent_id], pa.string()),
                "upline_id": pa.array([upline_id], pa.string()),
                "joined_at": ts,
                "rank": pa.array([rank], pa.string()),
            }
        )
        return Relations("members", table, "recruitment")
    table = pa.table(
        {
            "upline_id": pa.array([upline_id], pa.string()),
            "downline_id": pa.array([agent_id], pa.string()),
            "kind": pa.array(["recruited"], pa.string()),
            "at": ts,
        }
    )
    return Relations("edges", table, "recruitment")


def _fit(rel: Relations, columns: list[str]) -> Relations:
    """Drop optional columns the dataset lacks when they hold only nulls.

    422 ``column_mismatch`` when others carry values the dataset has no column for.
    """
    t = rel.table
    keep = [c for c in t.column_names if c in columns or t.column(c).null_count < t.num_rows]
    extra = [c for c in keep if c not in columns]
    if extra:
        raise ApiError(
            422,
            "column_mismatch",
            f"the dataset has no column(s) "
            f"{', '.join(extra)} (it has {', '.join(columns)}); leave them out or "
            "replace the dataset",
            [{"field": c, "column": c, "message": "not a column of the dataset"} for c in extra],
        )
    return Relations(rel.kind, t.select(keep), rel.source, rel.reading)


def _store_error(exc: StoreError, name: str) -> ApiError:
    """A store failure without the tenant prefix or internal table names."""
    dataset = name.split(":", 1)[-1]
    text = str(exc).replace(repr(name), repr(dataset)).replace(name, dataset)
    text = re.sub(r'"?ds_[0-9a-f]{32}"?', "the dataset", text).splitlines()[0]
    return ApiError(422, "store_error", text)


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
    ) -> None:
        self.store = store
        self.policy = policy
        self.cache_bytes = cache_bytes
        self.quota = quota
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
                    rel = _fit(rel, info.columns)

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
                    raise _store_error(exc, name) from None
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
    ) -> tuple[RecruitmentCheck, DatasetInfo]:
        """Check, append to the store, then update the index in O(depth)."""
        st = self.state(name)
        while True:
            index = await self.index(name)
            async with st.lock:
                if st.current() is not index:
                    continue
                result = index.check(upline_id, agent_id)
                if enforce and (result.newly_fired or result.adds_agent_tier):
                    what = [f.rule for f in result.newly_fired] + (
                        ["adds_agent_tier"] if result.adds_agent_tier else []
                    )
                    raise ApiError(
                        409,
                        "guardrail_blocked",
                        f"the recruitment would newly trigger: {', '.join(what)}; not applied",
                        [{"code": w, "message": f"would newly trigger {w}"} for w in what],
                    )
                known = st.info
                if known is None:
                    known = await anyio.to_thread.run_sync(self.store.info, name)
                row = recruitment_row(known.kind, upline_id, agent_id, at, rank)
                if "kind" not in known.columns and row.kind == "edges":  # null = recruited
                    row = Relations("edges", row.table.drop_columns(["kind"]), row.source)
                row = _fit(row, known.columns)
                if self.quota is not None:
                    self.quota.check(name, row.table.nbytes, replace=False)
                with anyio.CancelScope(shield=True):
                    try:
                        info = await anyio.to_thread.run_sync(self.store.append, name, row)
                    except StoreError as exc:
                        raise _store_error(exc, name) from None
                    index.add(upline_id, agent_id, rank)
                    st.info = info
                    if self.quota is not None:
                        self.quota.record(name, row.table.nbytes, replace=False)
                    st.version += 1
                    st.index_version = st.version
                return result, info
