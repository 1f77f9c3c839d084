"""Per-agent join times, the dating rule, and the network as it stood on a date (``--as-of``).

See :mod:`agentgraph.measure.growth` for the dating rule: a recruit recorded before its
upline is counted from its upline's time; an undated agent is dated by its earliest
dated recruit; the rest are undated.

``as_of``: the agents whose effective time is after the date are left out (so are the
undated agents below them: a recruit joins no earlier than its recruiter); undated
agents otherwise are kept (they may have joined before) and counted in the record the
report's ``input.as_of`` holds. The relations are filtered row by row, so the scan of what is kept
is an ordinary scan.

Complexity: O(rows) plus one graph build.

Examples
--------
>>> import agentgraph
>>> rel = agentgraph.read("fixtures/growth_30_3.csv")
>>> as_of_relations(rel, "2024-03-09")[0].rows, as_of_relations(rel, "2024-03-10")[0].rows
(29, 32)
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.compiled import kernel
from agentgraph.errors import ArgumentError
from agentgraph.graph.model import RecruitmentGraph, build_graph, dense_ids
from agentgraph.tables import Reading, Relations

__all__ = [
    "DAY_US",
    "NEVER",
    "agent_times",
    "as_of_relations",
    "effective_times",
    "micros",
    "parse_as_of",
]

DAY_US = 86_400_000_000
NEVER = np.iinfo(np.int64).max  # no effective time
_US_PER = {"s": 1_000_000, "ms": 1_000, "us": 1}
_SAMPLE = 5  # undated agents named


def micros(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """int64 microseconds of a timestamp (or date) column and its validity.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        A timestamp column (any unit) or one castable to it.

    Returns
    -------
    tuple of numpy.ndarray
        ``(us, valid)``: int64 microseconds (0 where null) and bool validity.

    Notes
    -----
    O(rows): the values are read from the Arrow buffers (no null filling pass).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from datetime import datetime
    >>> us, ok = micros(pa.chunked_array([pa.array([datetime(1970, 1, 2), None])]))
    >>> us.tolist(), ok.tolist()
    ([86400000000, 0], [True, False])
    """
    if not pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.timestamp("us"))
    unit = col.type.unit
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    raws, valids = [], []
    for chunk in chunks:  # the int64 values and the validity bits, read from the buffers
        n = len(chunk)
        if n == 0:
            continue
        bufs = chunk.buffers()
        raw = np.frombuffer(bufs[1], np.int64, count=n, offset=chunk.offset * 8)
        if chunk.null_count == 0:
            valid = np.ones(n, np.bool_)
        else:
            bits = np.unpackbits(np.frombuffer(bufs[0], np.uint8), bitorder="little")
            valid = bits[chunk.offset : chunk.offset + n].astype(np.bool_)
            raw = np.where(valid, raw, 0)
        raws.append(raw)
        valids.append(valid)
    if not raws:
        return np.zeros(0, np.int64), np.zeros(0, np.bool_)
    raw = np.concatenate(raws) if len(raws) != 1 else raws[0]
    valid = np.concatenate(valids) if len(valids) != 1 else valids[0]
    if unit == "ns":
        return raw // 1_000, valid
    return (raw * _US_PER[unit] if unit != "us" else raw.copy()), valid


@kernel(cache=True, nogil=True)
def _edge_min(down: np.ndarray, us: np.ndarray, ok: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, NEVER, np.int64)
    for i in range(len(down)):
        d = down[i]
        if d >= 0 and ok[i] and us[i] < out[d]:
            out[d] = us[i]
    return out


def agent_times(rel: Relations, graph: RecruitmentGraph) -> tuple[np.ndarray, np.ndarray] | None:
    """Each agent's own join time: ``joined_at`` (member table) or its edge's ``at``.

    Parameters
    ----------
    rel : Relations
        The relations the graph was built from.
    graph : RecruitmentGraph
        The graph (a member table keeps an agent's first row; an edge list the
        earliest recruitment edge, so its ``at`` is the earliest ``at``).

    Returns
    -------
    tuple of numpy.ndarray or None
        ``(us, known)``: int64 microseconds per dense id and whether known; None
        when the input has no time column at all.

    Notes
    -----
    O(rows): a member table without repeated rows maps row ``v`` to agent ``v``;
    otherwise one Arrow hash lookup of the id column.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> rel = agentgraph.read("fixtures/growth_30_3.csv")
    >>> us, known = agent_times(rel, build_graph(rel))
    >>> int(known.sum()), len(known)
    (31, 32)
    >>> flat = agentgraph.read("fixtures/boundary_30_3.csv")
    >>> agent_times(flat, build_graph(flat)) is None
    True
    """
    t = rel.table
    n = len(graph)
    col = "joined_at" if rel.kind == "members" else "at"
    if col not in t.column_names:
        return None
    us, valid = micros(t.column(col))
    if rel.kind == "members" and graph.n_listed == t.num_rows == n:
        return us, valid  # dense id v is row v, and no upline is left unlisted
    if rel.kind == "members":
        out = np.zeros(n, np.int64)
        known = np.zeros(n, np.bool_)
        if graph.n_listed == t.num_rows:  # dense id v is row v
            out[: t.num_rows] = us
            known[: t.num_rows] = valid
            return out, known
        dense = dense_ids(graph, t.column("agent_id"), t.num_rows)
        rows = np.flatnonzero(dense >= 0)
        agents, first = np.unique(dense[rows], return_index=True)
        out[agents] = us[rows[first]]
        known[agents] = valid[rows[first]]
        return out, known
    ok = valid.copy()
    if "kind" in t.column_names:
        kind = pc.fill_null(t.column("kind"), "recruited")
        ok &= np.asarray(pc.equal(kind, "recruited").to_numpy(zero_copy_only=False), np.bool_)
    down = dense_ids(graph, t.column("downline_id"), t.num_rows)
    mins = _edge_min(down, us, ok, n)
    known = mins != NEVER
    return np.where(known, mins, 0), known


@kernel(cache=True, nogil=True)
def _effective(
    parent: np.ndarray, order: np.ndarray, us: np.ndarray, known: np.ndarray
) -> tuple[np.ndarray, int, int]:
    n = len(parent)
    eff = np.full(n, NEVER, np.int64)
    missing = 0
    for v in range(n):
        if known[v]:
            eff[v] = us[v]
        else:
            missing += 1
    from_down = 0
    if missing:
        for k in range(n - 1, -1, -1):  # children first: undated agents take their earliest recruit
            v = order[k]
            p = parent[v]
            if p >= 0 and not known[p] and eff[v] < eff[p]:
                eff[p] = eff[v]
        for v in range(n):
            if not known[v] and eff[v] != NEVER:
                from_down += 1
    after = 0
    for k in range(n):  # parents first: no recruit before its upline
        v = order[k]
        p = parent[v]
        if p >= 0 and eff[v] != NEVER and eff[p] > eff[v]:
            eff[v] = eff[p]
            if known[v]:
                after += 1
    return eff, from_down, after


def effective_times(
    parent: np.ndarray, order: np.ndarray, us: np.ndarray, known: np.ndarray
) -> tuple[np.ndarray, int, int]:
    """Effective join times by the module's dating rule.

    Parameters
    ----------
    parent : numpy.ndarray
        int32 upline per agent (-1: root), acyclic.
    order : numpy.ndarray
        Every agent after its upline (``graph.walk.order``).
    us, known : numpy.ndarray
        Own time (int64 microseconds) and whether it is known.

    Returns
    -------
    tuple
        ``(eff, dated_from_downline, dated_after_upline)``: int64 effective times
        (:data:`NEVER` for undated agents) and the two repair counts.

    Notes
    -----
    O(n): two compiled passes over ``order``.

    Examples
    --------
    Agent 1 has no time and is dated by its recruit 2; agent 3 is recorded before
    its upline 0 and is counted from 0's time:

    >>> import numpy as np
    >>> eff, down, after = effective_times(
    ...     np.array([-1, 0, 1, 0], np.int32), np.arange(4, dtype=np.int32),
    ...     np.array([10, 0, 30, 5]), np.array([True, False, True, True]))
    >>> eff.tolist(), down, after
    ([10, 30, 30, 10], 1, 1)
    """
    eff, down, after = _effective(
        np.asarray(parent, np.int32),
        np.asarray(order, np.int32),
        np.asarray(us, np.int64),
        np.asarray(known, np.bool_),
    )
    return eff, int(down), int(after)


@kernel(cache=True, nogil=True)
def _dropped(parent: np.ndarray, order: np.ndarray, eff: np.ndarray, limit: int) -> np.ndarray:
    out = np.zeros(len(parent), np.bool_)
    for k in range(len(order)):
        v = order[k]
        p = parent[v]
        if (eff[v] != NEVER and eff[v] > limit) or (p >= 0 and out[p]):
            out[v] = True
    return out


def parse_as_of(value: str | date | datetime) -> tuple[int, str]:
    """Microseconds (wall clock) of the end of an as-of date (or of a given time).

    Parameters
    ----------
    value : str, datetime.date or datetime.datetime
        ``YYYY-MM-DD`` (the whole day counts, to 23:59:59.999999) or an ISO time.

    Returns
    -------
    tuple
        ``(microseconds, the value as ISO text)``.

    Raises
    ------
    ArgumentError
        Not a date or time.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> parse_as_of("1970-01-01")
    (86399999999, '1970-01-01')
    >>> parse_as_of("1970-01-02T00:00:01")
    (86401000000, '1970-01-02T00:00:01')
    """
    if isinstance(value, datetime):
        dt, text = value.replace(tzinfo=None), value.replace(tzinfo=None).isoformat()
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day, 23, 59, 59, 999_999)
        text = value.isoformat()
    else:
        text = str(value).strip()
        try:
            if len(text) == 10:
                d = date.fromisoformat(text)
                dt = datetime(d.year, d.month, d.day, 23, 59, 59, 999_999)
            else:
                dt = datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            raise ArgumentError(
                f"as-of must be a date YYYY-MM-DD (or an ISO time), not {text!r}"
            ) from None
    return (dt - datetime(1970, 1, 1)) // timedelta(microseconds=1), text


def as_of_relations(
    rel: Relations, as_of: str | date | datetime
) -> tuple[Relations, dict[str, Any]]:
    """The relations as they stood at the end of ``as_of`` (see the module docstring).

    Parameters
    ----------
    rel : Relations
        A member table with ``joined_at`` or an edge list with ``at``.
    as_of : str, datetime.date or datetime.datetime
        The date (``YYYY-MM-DD``: through its last instant) or time.

    Returns
    -------
    tuple
        ``(relations, record)``: the rows of the agents kept (the reading notes the
        date) and the record the report's ``input.as_of`` holds: ``date``,
        ``rows_left_out``, ``agents_left_out``, ``undated_kept`` (agents without a
        join time kept), ``undated_sample`` and ``rule``.

    Raises
    ------
    ArgumentError
        A bad date.
    InputError
        The input has no time column (the scan as of a date cannot be made).

    Notes
    -----
    O(rows) plus one graph build.

    Examples
    --------
    >>> import agentgraph
    >>> rel = agentgraph.read("fixtures/growth_30_3.csv")
    >>> before, record = as_of_relations(rel, "2024-03-09")
    >>> agentgraph.scan(before).flagged.tolist(), record["agents_left_out"]
    ([False], 3)
    """
    from agentgraph.errors import InputError

    limit, text = parse_as_of(as_of)
    graph = build_graph(rel)
    times = agent_times(rel, graph)
    if times is None:
        col = "joined_at" if rel.kind == "members" else "at"
        raise InputError(
            f"--as-of needs join times: the input has no {col} column", source=rel.source
        )
    assert graph.walk is not None
    eff, _, _ = effective_times(graph.parent, graph.walk.order, times[0], times[1])
    drop = _dropped(graph.parent, graph.walk.order, eff, limit)
    t = rel.table
    key = "agent_id" if rel.kind == "members" else "downline_id"
    if rel.kind == "members" and graph.n_listed == t.num_rows:
        rows_drop = drop[: t.num_rows]
    else:
        dense = dense_ids(graph, t.column(key), t.num_rows)
        rows_drop = drop[np.maximum(dense, 0)] & (dense >= 0)
    kept = t.filter(pa.array(~rows_drop))
    undated = np.flatnonzero((eff == NEVER) & ~drop)
    record = {
        "date": text,
        "rows_left_out": int(rows_drop.sum()),
        "agents_left_out": int(drop.sum()),
        "undated_kept": int(len(undated)),
        "undated_sample": graph.names(undated[:_SAMPLE]),
        "rule": "agents dated after the date are left out, with the undated agents below "
        "them; agents without a join time are otherwise kept (they may have joined before)",
    }
    reading = rel.reading if rel.reading is not None else Reading(rel.source)
    note = f"as of {text}: {record['rows_left_out']} row(s) of agents who joined later left out"
    if len(undated):
        note += f"; {len(undated)} agent(s) without a join time kept"
    reading = dataclasses.replace(reading, notes=[*reading.notes, note])
    return dataclasses.replace(rel, table=kept, reading=reading), record
