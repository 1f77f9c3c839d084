"""When agents joined, and which payments were made at joining.

The joining window is where an entry fee in disguise (《禁止传销条例》(2005) 第七条(二):
以认购商品等方式变相交纳费用) is looked for: a payment up to ``window_days`` after the
payer's ``joined_at`` (or any time before it). :func:`join_times` reads ``joined_at``
from a member table; :func:`joining_window` marks the payments; the window's length is
the policy's (``join_window_days``, 7 for the built-in packs).
:mod:`agentgraph.evidence.entry_fees` builds on them.

Complexity: O(rows) Arrow kernels, O(rows log rows) to find first rows, O(p) for the
window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.graph.model import RecruitmentGraph, dense_ids
from agentgraph.tables import Relations

__all__ = ["JoinTimes", "join_times", "joining_window", "timestamp_micros"]

_DAY_US = 86_400_000_000
_US_PER = {"s": 1_000_000, "ms": 1_000, "us": 1}


@dataclass(frozen=True)
class JoinTimes:
    """When every agent joined, per dense agent id.

    Attributes
    ----------
    us : numpy.ndarray
        int64 ``joined_at`` in microseconds since the epoch (0 where unknown).
    known : numpy.ndarray
        bool: False where the member table has no time for the agent.

    Examples
    --------
    >>> import numpy as np
    >>> t = JoinTimes(np.array([0, 86_400_000_000]), np.array([False, True]))
    >>> int(t.known.sum())
    1
    """

    us: np.ndarray  # int64
    known: np.ndarray  # bool


def timestamp_micros(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """int64 microseconds since the epoch of a timestamp (or date) column, and validity.

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        A timestamp column (any unit) or a column castable to one.

    Returns
    -------
    tuple of numpy.ndarray
        ``(us, valid)``: int64 microseconds (0 where null) and bool validity.

    Notes
    -----
    O(rows).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from datetime import datetime
    >>> col = pa.chunked_array([pa.array([datetime(1970, 1, 2), None], pa.timestamp("s"))])
    >>> us, valid = timestamp_micros(col)
    >>> us.tolist(), valid.tolist()
    ([86400000000, 0], [True, False])
    """
    if not pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.timestamp("us"))
    unit = col.type.unit
    ints = pc.cast(col, pa.int64())
    valid = np.asarray(pc.is_valid(ints).to_numpy(zero_copy_only=False), np.bool_)
    raw = np.asarray(pc.fill_null(ints, 0).to_numpy(zero_copy_only=False), np.int64)
    us = raw // 1_000 if unit == "ns" else raw * _US_PER[unit]
    return us, valid


def join_times(rel: Relations, graph: RecruitmentGraph) -> JoinTimes | None:
    """``joined_at`` of every agent of ``graph`` from a member table.

    Parameters
    ----------
    rel : Relations
        A member table (an edge list has no ``joined_at``).
    graph : RecruitmentGraph
        The graph built from it: the agent's first row is the one kept.

    Returns
    -------
    JoinTimes or None
        None without a ``joined_at`` column (or for an edge list).

    Notes
    -----
    O(rows) hash lookup plus O(rows log rows) to find first rows.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.graph.model import build_graph
    >>> rel = agentgraph.read("fixtures/money/join3980_members.csv")
    >>> t = join_times(rel, build_graph(rel))
    >>> int(t.known.sum())
    36
    """
    t = rel.table
    if rel.kind != "members" or "joined_at" not in t.column_names:
        return None
    dense = dense_ids(graph, t.column("agent_id"), t.num_rows)
    us, valid = timestamp_micros(t.column("joined_at"))
    rows = np.flatnonzero(dense >= 0)
    agents, first = np.unique(dense[rows], return_index=True)
    n = len(graph)
    out, known = np.zeros(n, np.int64), np.zeros(n, np.bool_)
    out[agents] = us[rows[first]]
    known[agents] = valid[rows[first]]
    return JoinTimes(out, known)


def joining_window(
    kinds_ok: np.ndarray,
    payer: np.ndarray,
    at_us: np.ndarray,
    at_known: np.ndarray,
    joined: JoinTimes,
    *,
    window_days: int,
) -> np.ndarray:
    """Payments made at joining.

    Parameters
    ----------
    kinds_ok : numpy.ndarray
        bool per payment: of a kind that may be paid at joining.
    payer : numpy.ndarray
        Dense id of each payment's payer (-1: not an agent).
    at_us, at_known : numpy.ndarray
        Each payment's time in microseconds and whether it is known.
    joined : JoinTimes
        The agents' ``joined_at``.
    window_days : int
        Days after joining still "at joining" (the policy's ``join_window_days``).

    Returns
    -------
    numpy.ndarray
        bool per payment: ``kinds_ok``, the payer an agent, ``at`` and the payer's
        ``joined_at`` known, and ``at <= joined_at + window_days`` (boundary
        included; earlier payments count).

    Notes
    -----
    Vectorised, O(p).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二): 以交纳费用或者以认购商品等方式变相交纳费用.

    Examples
    --------
    >>> import numpy as np
    >>> day = 86_400_000_000
    >>> joined = JoinTimes(np.array([0]), np.array([True]))
    >>> at = np.array([-day, 7 * day, 7 * day + 1])
    >>> ok, payer = np.ones(3, bool), np.zeros(3, np.int32)
    >>> joining_window(ok, payer, at, ok, joined, window_days=7).tolist()
    [True, True, False]
    >>> joining_window(ok, payer, at, ok, joined, window_days=0).tolist()
    [True, False, False]
    """
    safe = np.maximum(payer, 0)
    ok = kinds_ok & (payer >= 0) & at_known & joined.known[safe]
    limit = joined.us[safe] + np.int64(window_days) * _DAY_US
    out: np.ndarray = ok & (at_us <= limit)
    return out
