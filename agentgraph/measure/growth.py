"""How each network grew: members and levels over time, from ``joined_at`` (or edge ``at``).

Dating rule (every agent gets one *effective* join time, or none):

- an agent with a time keeps it, unless its upline is dated later (a data defect: a
  recruit cannot join before its recruiter): then the recruit is counted from its
  upline's time, the later one, so a threshold is never shown crossed earlier than
  the data proves (counted as ``dated_after_upline`` when the recruit's day is earlier
  than its upline's: the series count in days);
- an agent without a time is dated by its earliest-dated recruit (it had joined by
  then; counted as ``dated_from_downline``); the root of an edge list (no edge leads
  to it) is dated this way;
- an agent with neither is *undated*: left out of every series and counted.

So the dated agents of a network at any instant form a tree hanging from its root
(every dated agent's upline is dated no later), and since a member's level never
changes once it joined, the network's levels at time ``t`` are the running maximum
of the levels of the members dated up to ``t``.

Per network: dated members, first and last joining day, the peak period (most
joinings, the first on ties), the doubling time (days from the first day the
network had at least half of its final dated members, rounded up, to the day it
reached them all), and the day each threshold (members AND levels, boundaries
included) was first met. Times are wall-clock times in the zone they were read in
(the report's ``input.timezone``); a day is a calendar day there, a week starts on
Monday (ISO), a month on its 1st.

Complexity: O(n + days spanned + networks): two compiled passes over the walk order
(on int32 day numbers),
one stable counting sort by day and one pass in day order updating each network's
running counts; series of the listed networks cost one more O(n) pass. No per-agent
Python.

Examples
--------
>>> import numpy as np
>>> from agentgraph.measure.growth import DAY_US, growth_of
>>> parent = np.array([-1, 0, 0, 1], np.int32)
>>> times = np.array([0, 1, 1, 40], np.int64) * DAY_US
>>> g = growth_of(parent, np.arange(4, dtype=np.int32), np.array([0, 1, 1, 2], np.int32),
...               np.zeros(4, np.int32), 1, times, np.ones(4, bool),
...               thresholds=[(3, 2), (4, 3)])
>>> g.dated.tolist(), g.date(int(g.first_day[0])), g.date(int(g.crossed[1, 0]))
([4], '1970-01-01', '1970-02-10')
>>> [(p["period"], p["members"], p["levels"], p["joined"]) for p in g.series(0, "month")]
[('1970-01', 3, 2, 3), ('1970-02', 4, 3, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from agentgraph.compiled import kernel
from agentgraph.errors import ArgumentError
from agentgraph.graph.model import RecruitmentGraph
from agentgraph.measure.times import DAY_US, agent_times
from agentgraph.tables import Relations

__all__ = [
    "DAY_US",
    "PERIODS",
    "Growth",
    "growth_of",
    "graph_growth",
    "period_index",
]

PERIODS = ("day", "week", "month")


def period_index(days: np.ndarray, period: str) -> np.ndarray:
    """Period number of day numbers (days since 1970-01-01).

    Parameters
    ----------
    days : numpy.ndarray
        int64 day numbers.
    period : str
        ``day``, ``week`` (ISO: Monday first) or ``month``.

    Returns
    -------
    numpy.ndarray
        int64 period numbers (``day``: the day; ``week``: weeks since the Monday
        1969-12-29; ``month``: months since 1970-01).

    Raises
    ------
    ArgumentError
        An unknown period.

    Notes
    -----
    O(len(days)).

    Examples
    --------
    >>> import numpy as np
    >>> period_index(np.array([0, 3, 4, 31]), "week").tolist()
    [0, 0, 1, 4]
    >>> period_index(np.array([0, 31]), "month").tolist()
    [0, 1]
    """
    d = np.asarray(days, np.int64)
    if period == "day":
        return d
    if period == "week":
        return (d + 3) // 7
    if period == "month":
        return d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    raise ArgumentError(f"growth period must be one of {', '.join(PERIODS)}, not {period!r}")


def _period_start(p: int, period: str) -> str:
    """ISO date of the first day of period ``p``."""
    if period == "month":
        return str(np.datetime64(p, "M").astype("datetime64[D]"))
    return str(np.datetime64(p * 7 - 3 if period == "week" else p, "D"))


def _period_label(p: int, period: str) -> str:
    return str(np.datetime64(p, "M")) if period == "month" else _period_start(p, period)


_UNDATED = np.iinfo(np.int32).max


@kernel(cache=True, nogil=True)
def _dated_days(
    parent: np.ndarray, order: np.ndarray, us: np.ndarray, known: np.ndarray
) -> tuple[np.ndarray, int, int, int, int]:
    """Effective join day of every agent by the dating rule (int32 offsets, -1: undated).

    The rule applied to days equals the rule applied to times, then floored to the day
    (the floor commutes with min and max); working on int32 days halves the memory the
    two passes over the walk order touch.
    """
    n = len(parent)
    lo = np.iinfo(np.int64).max
    missing = 0
    for v in range(n):
        if known[v]:
            d = us[v] // DAY_US
            if d < lo:
                lo = d
        else:
            missing += 1
    day = np.full(n, _UNDATED, np.int32)
    if missing == n:
        return np.full(n, -1, np.int32), 0, 1, 0, 0
    for v in range(n):
        if known[v]:
            day[v] = us[v] // DAY_US - lo
    if missing:
        for k in range(n - 1, -1, -1):  # children first: undated agents take their earliest recruit
            v = order[k]
            p = parent[v]
            if p >= 0 and not known[p] and day[v] < day[p]:
                day[p] = day[v]
    after = 0
    for k in range(n):  # parents first: no recruit before its upline
        v = order[k]
        p = parent[v]
        if p >= 0 and day[v] != _UNDATED and day[p] > day[v]:
            day[v] = day[p]
            if known[v]:
                after += 1
    hi = 0
    from_down = 0
    for v in range(n):
        if day[v] == _UNDATED:
            day[v] = -1
        else:
            if day[v] > hi:
                hi = day[v]
            if not known[v]:
                from_down += 1
    return day, lo, hi + 1, from_down, after


@kernel(cache=True, nogil=True)
def _grow(
    net: np.ndarray,
    depth: np.ndarray,
    day: np.ndarray,
    n_nets: int,
    span: int,
    pday: np.ndarray,
    thr_m: np.ndarray,
    thr_l: np.ndarray,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    n = len(net)
    cnt = np.zeros(span + 1, np.int64)  # counting sort by day (stable)
    total = np.zeros(n_nets, np.int64)
    m = 0
    for v in range(n):
        if day[v] >= 0:
            cnt[day[v] + 1] += 1
            total[net[v]] += 1
            m += 1
    for d in range(span):
        cnt[d + 1] += cnt[d]
    by_day = np.empty(m, np.int32)
    for v in range(n):
        d = day[v]
        if d >= 0:
            by_day[cnt[d]] = v
            cnt[d] += 1
    k = len(thr_m)
    crossed = np.full((k, n_nets), -1, np.int64)
    first = np.full(n_nets, -1, np.int64)
    last = np.full(n_nets, -1, np.int64)
    half_day = np.full(n_nets, -1, np.int64)
    peak = np.full(n_nets, -1, np.int64)
    peak_n = np.zeros(n_nets, np.int64)
    cum = np.zeros(n_nets, np.int64)
    lvl = np.zeros(n_nets, np.int64)
    cur_p = np.full(n_nets, -1, np.int64)
    cur_n = np.zeros(n_nets, np.int64)
    for i in range(m):  # in day order: each agent updates its network's running counts
        v = by_day[i]
        j = net[v]
        d = day[v]
        cum[j] += 1
        if depth[v] + 1 > lvl[j]:
            lvl[j] = depth[v] + 1
        if first[j] < 0:
            first[j] = d
        last[j] = d
        if half_day[j] < 0 and 2 * cum[j] >= total[j]:
            half_day[j] = d
        for t in range(k):
            if crossed[t, j] < 0 and cum[j] >= thr_m[t] and lvl[j] >= thr_l[t]:
                crossed[t, j] = d
        p = pday[d]
        if p != cur_p[j]:
            cur_p[j] = p
            cur_n[j] = 0
        cur_n[j] += 1
        if cur_n[j] > peak_n[j]:
            peak_n[j] = cur_n[j]
            peak[j] = p
    return by_day, total, first, last, half_day, peak, peak_n, crossed


@kernel(cache=True, nogil=True)
def _points(
    by_day: np.ndarray,
    net: np.ndarray,
    day: np.ndarray,
    depth: np.ndarray,
    slot: np.ndarray,
    n_slots: int,
    pday: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per wanted network (``slot[j] >= 0``): one point per period with a joining."""
    cur = np.full(n_slots, -1, np.int64)
    off = np.zeros(n_slots + 1, np.int64)
    for i in range(len(by_day)):  # count the points
        v = by_day[i]
        s = slot[net[v]]
        if s >= 0 and pday[day[v]] != cur[s]:
            cur[s] = pday[day[v]]
            off[s + 1] += 1
    for s in range(n_slots):
        off[s + 1] += off[s]
    m = off[n_slots]
    period = np.empty(m, np.int64)
    joined = np.zeros(m, np.int64)
    members = np.zeros(m, np.int64)
    levels = np.zeros(m, np.int64)
    at = off[:-1] - 1
    cur[:] = -1
    cum = np.zeros(n_slots, np.int64)
    top = np.zeros(n_slots, np.int64)
    for i in range(len(by_day)):  # fill them, in day order
        v = by_day[i]
        s = slot[net[v]]
        if s < 0:
            continue
        q = pday[day[v]]
        if q != cur[s]:
            cur[s] = q
            at[s] += 1
            period[at[s]] = q
        cum[s] += 1
        if depth[v] + 1 > top[s]:
            top[s] = depth[v] + 1
        k = at[s]
        joined[k] += 1
        members[k] = cum[s]
        levels[k] = top[s]
    return off, period, joined, members, levels


@dataclass
class Growth:
    """Per-network growth arrays (index = network number); see the module docstring.

    Attributes
    ----------
    period : str
        ``day``, ``week`` or ``month``: what ``peak_period`` and :meth:`series` count in.
    day0 : int
        Day number (since 1970-01-01) that the day offsets below start from.
    dated, undated : numpy.ndarray
        int64 dated and undated members per network.
    first_day, last_day, half_day : numpy.ndarray
        int64 day offsets (from ``day0``) of the first and last joining and of the
        first day with at least half the final dated members; -1 with no dated member.
    peak_period, peak_joined : numpy.ndarray
        int64 period number with the most joinings (first on ties; -1 none) and how many.
    crossed : numpy.ndarray
        int64 (thresholds x networks): day offset each threshold was first met, -1 never.
    thresholds : list of tuple
        ``(min_members, min_levels)`` per row of ``crossed``.
    by_day : numpy.ndarray
        int32 dated agents in day order (stable).
    day : numpy.ndarray
        int32 day offset per agent (-1 undated).
    depth, net : numpy.ndarray
        The hierarchy's depth (root = 0) and network number per agent.
    dated_from_downline, dated_after_upline : int
        Agents dated by the two repairs of the dating rule.
    span : int
        Days from the first dated day to the last, both included.

    Examples
    --------
    >>> import agentgraph
    >>> g = agentgraph.scan("fixtures/growth_30_3.csv").growth
    >>> int(g.dated[0]), g.doubling_days(0), g.date(int(g.crossed[0, 0]))
    (31, 5, '2024-03-10')
    """

    period: str
    day0: int
    dated: np.ndarray
    undated: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    half_day: np.ndarray
    peak_period: np.ndarray
    peak_joined: np.ndarray
    crossed: np.ndarray
    thresholds: list[tuple[int, int]]
    by_day: np.ndarray
    day: np.ndarray
    depth: np.ndarray
    net: np.ndarray
    dated_from_downline: int = 0
    dated_after_upline: int = 0
    span: int = 1

    def date(self, offset: int) -> str | None:
        """ISO date of a day offset (None for -1)."""
        if offset < 0:
            return None
        return str(np.datetime64(self.day0 + int(offset), "D"))

    def doubling_days(self, j: int) -> int | None:
        """Days from half the final dated members to all of them (None below 2 members)."""
        if self.dated[j] < 2:
            return None
        return int(self.last_day[j] - self.half_day[j])

    def period_label(self, p: int) -> str | None:
        """The period's label: ``YYYY-MM`` for a month, else its first day ``YYYY-MM-DD``."""
        return None if p < 0 else _period_label(int(p), self.period)

    def fastest(self, min_members: int = 10, limit: int = 10) -> np.ndarray:
        """Networks with >= ``min_members`` dated members, shortest doubling time first.

        Ties: more dated members first, then network number. O(networks log networks).
        """
        ok = np.flatnonzero(self.dated >= max(2, min_members))
        dbl = self.last_day[ok] - self.half_day[ok]
        ranked = ok[np.lexsort((ok, -self.dated[ok], dbl))]
        return ranked[:limit]

    def series(self, j: int, period: str | None = None) -> list[dict[str, Any]]:
        """Network ``j``'s growth per period with at least one joining (O(n) pass).

        Each point: ``period`` (label), ``start`` (its first day), ``joined`` (members
        dated in it, the root in its own period), ``members`` and ``levels`` at its end.
        """
        return self.series_of(np.array([j]), period)[int(j)]

    def series_of(
        self, nets: np.ndarray, period: str | None = None
    ) -> dict[int, list[dict[str, Any]]]:
        """:meth:`series` of several networks at once: one O(n) compiled pass."""
        per = period or self.period
        wanted = np.unique(np.asarray(nets, np.int64))
        slot = np.full(len(self.dated), -1, np.int64)
        slot[wanted] = np.arange(len(wanted))
        pday = period_index(np.arange(self.span, dtype=np.int64) + self.day0, per)
        off, period_no, joined, members, levels = _points(
            self.by_day, self.net, self.day, self.depth, slot, len(wanted), pday
        )
        labels: dict[int, tuple[str, str]] = {}
        for q in np.unique(period_no).tolist():
            labels[q] = (_period_label(q, per), _period_start(q, per))
        cols = [period_no.tolist(), joined.tolist(), members.tolist(), levels.tolist()]
        bounds = off.tolist()
        out: dict[int, list[dict[str, Any]]] = {}
        for s, j in enumerate(wanted.tolist()):
            out[j] = [
                {
                    "period": labels[cols[0][k]][0],
                    "start": labels[cols[0][k]][1],
                    "joined": cols[1][k],
                    "members": cols[2][k],
                    "levels": cols[3][k],
                }
                for k in range(bounds[s], bounds[s + 1])
            ]
        return out


def growth_of(
    parent: np.ndarray,
    order: np.ndarray,
    depth: np.ndarray,
    net: np.ndarray,
    n_nets: int,
    us: np.ndarray,
    known: np.ndarray,
    *,
    period: str = "month",
    thresholds: list[tuple[int, int]] | None = None,
    members: np.ndarray | None = None,
) -> Growth:
    """Measure every network's growth from per-agent join times.

    Parameters
    ----------
    parent, order, depth, net : numpy.ndarray
        The forest (int32 upline), parents-first order, depth (root = 0) and network
        number of every agent.
    n_nets : int
        Networks.
    us, known : numpy.ndarray
        Own join time (int64 microseconds, wall clock) per agent and whether known.
    period : str, default "month"
        ``day``, ``week`` or ``month``.
    thresholds : list of tuple, optional
        ``(min_members, min_levels)`` whose first crossing is dated.
    members : numpy.ndarray, optional
        Members per network when known (``Networks.members``); counted otherwise.

    Returns
    -------
    Growth

    Raises
    ------
    ArgumentError
        An unknown period.

    Notes
    -----
    O(n + days spanned + networks x thresholds); see the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> g = growth_of(np.array([-1, 0], np.int32), np.arange(2, dtype=np.int32),
    ...               np.array([0, 1], np.int32), np.zeros(2, np.int32), 1,
    ...               np.array([0, 0]), np.array([True, False]), period="week")
    >>> g.dated.tolist(), g.undated.tolist(), g.period_label(int(g.peak_period[0]))
    ([1], [1], '1969-12-29')
    """
    if period not in PERIODS:
        raise ArgumentError(f"growth period must be one of {', '.join(PERIODS)}, not {period!r}")
    thr = list(thresholds or [])
    day, day0, span, down, after = _dated_days(
        np.asarray(parent, np.int32),
        np.asarray(order, np.int32),
        np.asarray(us, np.int64),
        np.asarray(known, np.bool_),
    )
    pday = period_index(np.arange(span, dtype=np.int64) + day0, period)
    netc = np.asarray(net, np.int32)
    depc = np.asarray(depth, np.int32)
    by_day, dated, first, last, half, peak, peak_n, crossed = _grow(
        netc,
        depc,
        day,
        int(n_nets),
        int(span),
        pday,
        np.array([m for m, _ in thr], np.int64),
        np.array([lv for _, lv in thr], np.int64),
    )
    if members is None:
        members = np.bincount(netc, minlength=n_nets)
    return Growth(
        period,
        int(day0),
        dated,
        np.asarray(members, np.int64) - dated,
        first,
        last,
        half,
        peak,
        peak_n,
        crossed,
        thr,
        by_day,
        day,
        depc,
        netc,
        down,
        after,
        int(span),
    )


def graph_growth(
    rel: Relations,
    graph: RecruitmentGraph,
    depth: np.ndarray,
    net: np.ndarray,
    n_nets: int,
    *,
    period: str = "month",
    thresholds: list[tuple[int, int]] | None = None,
    members: np.ndarray | None = None,
) -> Growth | None:
    """:func:`growth_of` a scanned graph from its relations' time column.

    Parameters
    ----------
    rel : Relations
        The relations read (``joined_at`` or edge ``at``).
    graph : RecruitmentGraph
        The graph built from them.
    depth, net : numpy.ndarray
        The hierarchy's depth and network number per agent.
    n_nets : int
        Networks.
    period : str, default "month"
        ``day``, ``week`` or ``month``.
    thresholds : list of tuple, optional
        ``(min_members, min_levels)`` to date.
    members : numpy.ndarray, optional
        Members per network (``Networks.members``).

    Returns
    -------
    Growth or None
        None when the input has no time column (growth cannot be measured).

    Notes
    -----
    O(n); see :func:`growth_of`.

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.scan("fixtures/boundary_30_3.csv")
    >>> graph_growth(agentgraph.read("fixtures/boundary_30_3.csv"), a.graph, a.hierarchy.depth,
    ...              a.hierarchy.net, len(a.networks)) is None
    True
    """
    times = agent_times(rel, graph)
    if times is None:
        return None
    assert graph.walk is not None
    return growth_of(
        graph.parent,
        graph.walk.order,
        depth,
        net,
        n_nets,
        times[0],
        times[1],
        period=period,
        thresholds=thresholds,
        members=members,
    )
