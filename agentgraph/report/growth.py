"""The report's ``growth`` section: how each network grew over time (revision 4).

Built from :class:`agentgraph.measure.growth.Growth`. To keep reports small only the
flagged networks and the ``fastest`` growing ones (at most ``max_fastest``, default
10, among networks with at least ``min_members`` dated members, default 10) are
listed, each with its series; the others are summarised by the totals. Without any
join time the section says that growth cannot be measured, and why, and holds no
numbers (nothing is guessed).

Examples
--------
>>> import agentgraph
>>> s = agentgraph.scan("fixtures/growth_30_3.csv").report()["growth"]
>>> s["measured"], s["networks"][0]["thresholds_crossed"][0]["date"]
(True, '2024-03-10')
>>> agentgraph.scan("fixtures/boundary_30_3.csv").report()["growth"]["measured"]
False
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from agentgraph.measure.growth import Growth

if TYPE_CHECKING:
    from agentgraph.scanned import Scanned

__all__ = ["DATING_RULE", "DOUBLING", "growth_section", "network_growth"]

DATING_RULE = (
    "an agent is dated by its joined_at (member table) or its recruitment edge's at (edge "
    "list); a recruit recorded before its upline is counted from the upline's time (never "
    "dating a crossing earlier than the data proves); an agent without a time is dated by "
    "its earliest dated recruit; agents with neither are undated and left out of the series. "
    "A member's level never changes, so levels over time are the running maximum of the "
    "dated members' levels. Days are calendar days in the input's time zone; weeks start "
    "on Monday (ISO); thresholds include their boundary."
)
DOUBLING = (
    "days from the first day the network had at least half of its final dated members "
    "(rounded up) to the day it reached them all"
)


def _no_growth(a: Scanned) -> dict[str, Any]:
    kind = a.graph.kind
    col = "joined_at" if kind == "members" else "at"
    return {
        "measured": False,
        "reason": f"growth cannot be measured: the input ({kind}) has no {col} column "
        "(missing data; nothing is estimated)",
    }


def _network(
    g: Growth,
    a: Scanned,
    j: int,
    rules: list[str],
    root: str,
    flagged: bool,
    series: list[dict[str, Any]],
) -> dict[str, Any]:
    nets = a.networks
    crossed = [
        {
            "rule": rules[t] if t < len(rules) else f"threshold {t}",
            "min_members": g.thresholds[t][0],
            "min_levels": g.thresholds[t][1],
            "date": g.date(int(g.crossed[t, j])),
        }
        for t in range(len(g.thresholds))
    ]
    return {
        "root": root,
        "flagged": flagged,
        "members": int(nets.members[j]),
        "levels": int(nets.levels[j]),
        "dated_members": int(g.dated[j]),
        "undated_members": int(g.undated[j]),
        "first_joined": g.date(int(g.first_day[j])),
        "last_joined": g.date(int(g.last_day[j])),
        "peak_period": g.period_label(int(g.peak_period[j])),
        "peak_joined": int(g.peak_joined[j]),
        "doubling_days": g.doubling_days(j),
        "thresholds_crossed": crossed,
        "series": series,
    }


def network_growth(
    a: Scanned,
    growth: Growth,
    rules: list[str],
    js: np.ndarray,
    *,
    names: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The ``growth.networks`` entries of the networks ``js``, as :func:`growth_section`.

    Parameters
    ----------
    a : Scanned
        The finished scan.
    growth : Growth
        Its growth.
    rules : list of str
        The threshold rule of each of ``growth.thresholds``.
    js : numpy.ndarray
        Network numbers.
    names : list of str, optional
        The root id of each of ``js`` (default: from ``a.graph``).

    Returns
    -------
    list of dict
        One entry per network of ``js``, in that order (an undated network's dates
        are null and its series empty).

    Notes
    -----
    O(members of the networks). The Spark engine lists the flagged networks of a
    partition without dated agents this way, when other partitions have some.

    Examples
    --------
    >>> import numpy as np
    >>> import agentgraph
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/growth_30_3.csv"))
    >>> [e["members"] for e in network_growth(a, a.growth, a.growth_rules, np.array([0]))]
    [32]
    """
    js = np.asarray(js, np.int64)
    series = growth.series_of(js)
    if names is None:
        names = a.graph.names(a.networks.roots[js])
    return [
        _network(growth, a, j, rules, names[k], bool(a.flagged[j]), series[j])
        for k, j in enumerate(js.tolist())
    ]


def growth_section(
    a: Scanned,
    growth: Growth | None,
    rules: list[str],
    *,
    max_fastest: int = 10,
    min_members: int = 10,
) -> dict[str, Any]:
    """The ``growth`` section of the report.

    Parameters
    ----------
    a : Scanned
        The finished scan.
    growth : Growth or None
        Its growth (None: the input had no time column).
    rules : list of str
        The threshold rule id of each row of ``growth.crossed``.
    max_fastest : int, default 10
        Fastest-growing networks listed.
    min_members : int, default 10
        Dated members a network needs to be ranked among the fastest.

    Returns
    -------
    dict
        ``measured`` (bool) and, when false, ``reason``; when true: ``period``,
        ``time_column``, ``dating_rule``, ``doubling_time``, the totals
        (``dated_agents``, ``undated_agents``, ``dated_from_downline``,
        ``dated_after_upline``, ``first_joined``, ``last_joined``), ``thresholds``,
        ``fastest`` (root, dated members, doubling days) and ``networks`` (flagged
        first, then the fastest not flagged, each with ``series``).

    Notes
    -----
    O(networks log networks) to rank, plus O(members) of each listed network.

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.scan("fixtures/growth_30_3.csv", growth_period="day")
    >>> s = growth_section(a, a.growth, a.growth_rules)
    >>> s["period"], s["undated_agents"], s["dated_after_upline"], s["fastest"][0]["doubling_days"]
    ('day', 1, 1, 5)
    >>> [(p["period"], p["members"], p["levels"]) for p in s["networks"][0]["series"]][-2:]
    [('2024-03-09', 29, 3), ('2024-03-10', 31, 3)]
    """
    if growth is None:
        return _no_growth(a)
    g = growth
    if not int(g.dated.sum()):
        return _no_growth(a) | {
            "reason": "growth cannot be measured: no agent has a join time (missing data; "
            "nothing is estimated)"
        }
    order = a.network_order()
    flagged = order[a.flagged[order]]
    fast = g.fastest(min_members, max_fastest)
    listed = np.concatenate([flagged, fast[~a.flagged[fast]]]).astype(np.int64)
    names = a.graph.names(a.networks.roots[listed])
    fast_names = a.graph.names(a.networks.roots[fast])
    dated = g.dated > 0
    series = g.series_of(listed)
    return {
        "measured": True,
        "period": g.period,
        "time_column": "joined_at" if a.graph.kind == "members" else "at",
        "dating_rule": DATING_RULE,
        "doubling_time": DOUBLING,
        "dated_agents": int(g.dated.sum()),
        "undated_agents": int(g.undated.sum()),
        "dated_from_downline": g.dated_from_downline,
        "dated_after_upline": g.dated_after_upline,
        "first_joined": g.date(int(g.first_day[dated].min())),
        "last_joined": g.date(int(g.last_day[dated].max())),
        "thresholds": [
            {
                "rule": rules[t] if t < len(rules) else f"threshold {t}",
                "min_members": m,
                "min_levels": lv,
            }
            for t, (m, lv) in enumerate(g.thresholds)
        ],
        "fastest_min_members": min_members,
        "fastest": [
            {
                "root": fast_names[k],
                "dated_members": int(g.dated[j]),
                "doubling_days": g.doubling_days(int(j)),
                "first_joined": g.date(int(g.first_day[j])),
                "last_joined": g.date(int(g.last_day[j])),
            }
            for k, j in enumerate(fast.tolist())
        ],
        "networks": [
            _network(g, a, j, rules, names[k], bool(a.flagged[j]), series[j])
            for k, j in enumerate(listed.tolist())
        ],
    }
