"""Accounts carried over to persons: relations, payments and orders rewritten.

Once :func:`agentgraph.evidence.identities.resolve_identities` has grouped accounts
into persons (the 2013 SPC/SPP/MPS opinion counts the people and levels of the
organisation, not its accounts), :func:`merge_relations` rewrites a member table or
edge list so every account id becomes its person's id, and
:func:`payments_to_persons` / :func:`orders_to_persons` carry the payments and
orders over to the same ids; :func:`agentgraph.analyse` measures the merged graph.

Complexity: O(m) hash lookups for m rows, plus an O(k log k) sort of the k rows of
merged persons (member tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.evidence.identities import IdentityResolution
from agentgraph.tables import Orders, Payments, Relations

__all__ = [
    "MergedRelations",
    "merge_relations",
    "person_ids",
    "payments_to_persons",
    "orders_to_persons",
]


@dataclass(frozen=True)
class MergedRelations(Relations):
    """A :class:`Relations` whose account ids were replaced by person ids.

    Attributes
    ----------
    self_links : int
        Rows where one account of a person recruited another account of the same
        person (member table: made root rows, i.e. upline null; edge list: dropped).
    rewritten : int
        Rows with at least one id changed.
    dropped : pyarrow.Table or None
        The rows removed, as they were in the input, plus ``row`` (1-based input
        row) and ``person_id`` (member table: the extra rows of merged persons, one
        row kept per person; edge list: the self-link edges).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.evidence.identities import resolve_identities
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> merged = merge_relations(agentgraph.read("fixtures/identities/split_members.csv"), res)
    >>> merged.merge_summary()["self_links"]
    0
    """

    self_links: int = 0
    rewritten: int = 0
    dropped: pa.Table | None = None

    def merge_summary(self) -> dict[str, Any]:
        """JSON-ready counts of what the merge changed."""
        dropped = self.dropped
        return {
            "self_links": self.self_links,
            "rewritten_rows": self.rewritten,
            "dropped_rows": 0 if dropped is None else dropped.num_rows,
        }


def _lookup(col: pa.ChunkedArray, res: IdentityResolution) -> tuple[np.ndarray, pa.Array]:
    """Account index of every value of ``col`` and the column rewritten to persons.

    Index -1: not an account of ``res``. O(m) hash lookups.
    """
    arr = col.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    ids = pc.cast(res.ids, arr.type)
    idx = pc.index_in(arr, value_set=ids)
    acc = np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    found = acc >= 0
    person_idx = res.person[np.where(found, acc, 0)]
    persons = ids.take(pa.array(person_idx.astype(np.int64)))
    return acc, pc.if_else(pa.array(found), persons, arr)


def _changed(new: pa.Array, old: pa.ChunkedArray) -> np.ndarray:
    """Rows whose value differs (nulls never differ here: a null id is never rewritten)."""
    ne = pc.fill_null(pc.not_equal(new, pc.cast(old.combine_chunks(), new.type)), False)
    return np.asarray(ne.to_numpy(zero_copy_only=False), dtype=np.bool_)


def _time_key(table: pa.Table, name: str) -> np.ndarray:
    """int64 sort key of a timestamp column; missing times (or column) sort last."""
    top = np.iinfo(np.int64).max
    if name not in table.column_names:
        return np.full(table.num_rows, top, np.int64)
    col = table.column(name)
    if not pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.timestamp("s"))
    ints = pc.fill_null(pc.cast(col, pa.int64()), top)
    return np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.int64)


def _with_row(table: pa.Table, rows: np.ndarray, person_ids: pa.Array) -> pa.Table:
    out = table.take(pa.array(rows.astype(np.int64)))
    return out.append_column("row", pa.array(rows.astype(np.int64) + 1)).append_column(
        "person_id", person_ids.take(pa.array(rows.astype(np.int64)))
    )


def merge_relations(rel: Relations, res: IdentityResolution) -> MergedRelations:
    """Rewrite ``rel`` so every account id becomes its person id.

    Parameters
    ----------
    rel : Relations
        A normalised member table or edge list.
    res : IdentityResolution
        From :func:`resolve_identities`. Ids not among its accounts stay as they are.

    Returns
    -------
    MergedRelations
        A :class:`Relations` of the same kind (other columns kept) that
        :func:`agentgraph.analyse` measures as usual, with what was changed.

    Notes
    -----
    Rules. Every ``agent_id`` / ``upline_id`` / ``downline_id`` that is an account
    becomes its person id, so a merged person keeps the uplines of all its
    accounts. A row where one account of a person recruited another account of
    the same person is a *self-link*: in a member table its upline becomes null
    (a root row); in an edge list the edge is dropped. A row that names one
    account as its own upline was already a self-referral and is left for the
    engine to report.

    Member table: a person merged from >= 2 accounts keeps one row, placed where
    its first row was: among its rows whose upline is another person, the one
    with the earliest ``joined_at`` (missing times last), else the first such
    row; when there is none, its first row. The other rows are dropped and
    listed in :attr:`MergedRelations.dropped` (so the report does not fill with
    ``duplicate_agent``); if the kept row's accounts had different uplines, the
    other uplines are dropped with them. Rows of accounts that were not merged,
    duplicates included, are left to the engine's defect repair.

    Edge list: edges are rewritten, self-links dropped; a person with several
    uplines is repaired by the engine (earliest ``at``, else first row) and
    reported as ``multiple_uplines``; identical edges created by the merge are
    reported by the engine as ``duplicate_agent`` and counted once.

    O(m) for m rows, plus an O(k log k) sort of the k rows of merged persons.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
       若干问题的意见》(2013) §1: the participants (人员) and levels (层级) of the
       organisation are counted, so one person's accounts count once.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.evidence.identities import resolve_identities
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> rel = merge_relations(agentgraph.read("fixtures/identities/split_members.csv"), res)
    >>> a = agentgraph.analyse(rel)
    >>> int(a.networks.members.max()), int(a.networks.levels.max())
    (31, 5)
    """
    t = rel.table
    if res.accounts == 0:
        return MergedRelations(
            rel.kind,
            t,
            rel.source,
            dropped=_with_row(t, np.zeros(0, np.int64), pa.array([], pa.string())),
        )
    if rel.kind == "members":
        return _merge_members(rel, res)
    up_acc, up = _lookup(t.column("upline_id"), res)
    down_acc, down = _lookup(t.column("downline_id"), res)
    rewritten = int(
        np.count_nonzero(
            _changed(up, t.column("upline_id")) | _changed(down, t.column("downline_id"))
        )
    )
    both = (up_acc >= 0) & (down_acc >= 0)
    pu = res.person[np.where(both, up_acc, 0)]
    pd = res.person[np.where(both, down_acc, 0)]
    self_link = both & (pu == pd) & (up_acc != down_acc)
    keep = np.flatnonzero(~self_link)
    out = t.set_column(t.column_names.index("upline_id"), "upline_id", up)
    out = out.set_column(out.column_names.index("downline_id"), "downline_id", down)
    dropped_rows = np.flatnonzero(self_link)
    dropped = _with_row(t, dropped_rows, down)
    if len(dropped_rows):
        out = out.take(pa.array(keep))
    return MergedRelations(
        rel.kind,
        out,
        rel.source,
        self_links=len(dropped_rows),
        rewritten=rewritten,
        dropped=dropped,
    )


def _merge_members(rel: Relations, res: IdentityResolution) -> MergedRelations:
    """Member-table half of :func:`merge_relations` (rules there)."""
    t = rel.table
    m = t.num_rows
    agent_acc, agent = _lookup(t.column("agent_id"), res)
    up_acc, up = _lookup(t.column("upline_id"), res)
    rewritten = int(
        np.count_nonzero(
            _changed(agent, t.column("agent_id")) | _changed(up, t.column("upline_id"))
        )
    )
    person = res.person
    found = agent_acc >= 0
    p_row = np.where(found, person[np.where(found, agent_acc, 0)], -1)
    p_up = np.where(up_acc >= 0, person[np.where(up_acc >= 0, up_acc, 0)], -1)
    self_link = found & (up_acc >= 0) & (p_row == p_up) & (agent_acc != up_acc)
    if self_link.any():
        up = pc.if_else(pa.array(self_link), pa.scalar(None, up.type), up)
    up_valid = np.asarray(pc.is_valid(up).to_numpy(zero_copy_only=False), dtype=np.bool_)
    # persons with >= 2 distinct accounts among this table's rows
    seen = np.zeros(len(person), np.bool_)
    seen[agent_acc[found]] = True
    accounts_here = np.flatnonzero(seen)
    n_acc = np.bincount(person[accounts_here], minlength=len(person))
    merged = found & (n_acc[np.where(found, p_row, 0)] >= 2)
    rows = np.flatnonzero(merged)
    out = t.set_column(t.column_names.index("agent_id"), "agent_id", agent)
    out = out.set_column(out.column_names.index("upline_id"), "upline_id", up)
    dropped_rows = np.zeros(0, np.int64)
    if len(rows):
        p = p_row[rows]
        candidate = up_valid[rows] & (p_up[rows] != p)
        when = np.where(candidate, _time_key(t, "joined_at")[rows], 0)
        order = np.lexsort((rows, when, ~candidate, p))
        head = np.flatnonzero(np.diff(p[order], prepend=-1) != 0)
        chosen = rows[order[head]]  # one per person, persons ascending
        by_person = np.argsort(p, kind="stable")
        first = rows[by_person[np.flatnonzero(np.diff(p[by_person], prepend=-1) != 0)]]
        # ``first``: each person's first row, persons ascending (as ``chosen``)
        take = np.arange(m, dtype=np.int64)
        take[first] = chosen
        keep = ~merged
        keep[first] = True
        is_chosen = np.zeros(m, np.bool_)
        is_chosen[chosen] = True
        dropped_rows = np.flatnonzero(merged & ~is_chosen)
        out = out.take(pa.array(take[keep]))
    dropped = _with_row(t, dropped_rows, agent)
    return MergedRelations(
        rel.kind,
        out,
        rel.source,
        self_links=int(self_link.sum()),
        rewritten=rewritten,
        dropped=dropped,
    )


def person_ids(col: pa.ChunkedArray | pa.Array, res: IdentityResolution) -> pa.Array:
    """``col`` with every account id replaced by its person id (other values kept).

    Parameters
    ----------
    col : pyarrow.ChunkedArray or pyarrow.Array
        A column of agent ids.
    res : IdentityResolution
        Accounts grouped into persons.

    Returns
    -------
    pyarrow.Array
        The ids, accounts replaced by their persons' ids.

    Notes
    -----
    O(m) hash lookups; used to carry payments and orders over to merged persons.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.evidence.identities import resolve_identities
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> person_ids(pa.array(["M1", "K2", "nobody"]), res).to_pylist()
    ['K10', 'K2', 'nobody']
    """
    chunked = col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col])
    return _lookup(chunked, res)[1]


def orders_to_persons(orders: Orders, res: IdentityResolution) -> Orders:
    """The orders with account ids replaced by person ids.

    Parameters
    ----------
    orders : Orders
        The order table (``seller_id``, ``buyer_id`` rewritten).
    res : IdentityResolution
        Accounts grouped into persons.

    Returns
    -------
    Orders

    Notes
    -----
    O(o) hash lookups for o orders.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import Orders
    >>> from agentgraph.evidence.identities import resolve_identities
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> o = Orders(pa.table({"seller_id": ["M1"], "buyer_id": ["X"], "amount": [1.0]}))
    >>> orders_to_persons(o, res).table.column("seller_id").to_pylist()
    ['K10']
    """
    t = orders.table
    for name in ("seller_id", "buyer_id"):
        t = t.set_column(t.column_names.index(name), name, person_ids(t.column(name), res))
    return Orders(t, orders.source)


def payments_to_persons(payments: Payments, res: IdentityResolution) -> Payments:
    """The payments with account ids replaced by person ids.

    Parameters
    ----------
    payments : Payments
        The payment table (``payer_id``, ``payee_id`` and, when present,
        ``source_agent_id`` rewritten).
    res : IdentityResolution
        Accounts grouped into persons.

    Returns
    -------
    Payments

    Notes
    -----
    O(p) hash lookups for p payments.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from agentgraph.tables import Payments
    >>> from agentgraph.evidence.identities import resolve_identities
    >>> from agentgraph.loaders.identities import read_identities
    >>> res = resolve_identities(read_identities("fixtures/identities/split_identities.csv"))
    >>> p = Payments(pa.table({"payer_id": ["M1"], "payee_id": ["K1"], "amount": [5.0],
    ...                        "kind": ["entry_fee"]}))
    >>> payments_to_persons(p, res).table.column("payer_id").to_pylist()
    ['K10']
    """
    t = payments.table
    for name in ("payer_id", "payee_id", "source_agent_id"):
        if name in t.column_names:
            t = t.set_column(t.column_names.index(name), name, person_ids(t.column(name), res))
    return Payments(t, payments.source)
