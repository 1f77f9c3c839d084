"""Growth of the networks too large for one worker, from per-day counts.

The in-process growth (:mod:`agentgraph.measure.growth`) dates every agent by the
dating rule, then walks the dated agents in day order. Everything it reports about a
network depends only on how many of its agents joined on each day and how deep the
deepest of them was: the running members and levels, the day each threshold was met,
the day half the final members were there, the busiest period and the series. So the
level-by-level pass (:mod:`agentgraph.spark.large`) dates the agents as in-process (an
undated agent takes its recruits' earliest day, children first; no recruit before its
upline, parents first: one pass per level each way), and the driver receives one row
per (network, day); the in-process section builders then write the entries from a
:class:`~agentgraph.measure.growth.Growth` of those networks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.measure.growth import Growth, period_index
from agentgraph.spark.session import cut, fresh, union_all

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["DayGrowth", "join_days", "levels_down", "day_growth", "growth_rows"]

_DAY_S = 86_400


@dataclass
class DayGrowth(Growth):
    """A :class:`~agentgraph.measure.growth.Growth` built from per-(network, day) counts.

    Attributes
    ----------
    points : dict of int to list
        Network -> its series, as :meth:`Growth.series` gives it.

    Examples
    --------
    >>> DayGrowth.__mro__[1].__name__
    'Growth'
    """

    points: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def series_of(
        self, nets: np.ndarray, period: str | None = None
    ) -> dict[int, list[dict[str, Any]]]:
        """The series of ``nets`` (built with the counts)."""
        return {int(j): self.points.get(int(j), []) for j in np.asarray(nets).tolist()}


def join_days(nodes: DataFrame, source: str, timezone: str | None) -> DataFrame:
    """``key``, ``day`` (days since 1970-01-01, null unknown), ``error`` per agent.

    ``joined_at`` is read by the in-process :func:`agentgraph.loaders.values.time_column`
    on each batch; a bad value gives one row with ``error`` set (its message).

    Parameters
    ----------
    nodes : pyspark.sql.DataFrame
        ``key``, ``joined_at``.
    source : str
        The input's name.
    timezone : str, optional
        The zone of times written without one.

    Returns
    -------
    pyspark.sql.DataFrame

    Notes
    -----
    O(agents), one map.

    Examples
    --------
    >>> join_days.__name__
    'join_days'
    """
    from agentgraph.errors import InputError
    from agentgraph.loaders.values import time_column

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            try:
                at = time_column(
                    pa.chunked_array([b.column("joined_at")]), "joined_at", source,
                    timezone=timezone,
                )  # fmt: skip
            except InputError as exc:  # its row in the input: the agent's key is its row
                row = int(b.column("key")[exc.row - 1].as_py()) + 1 if exc.row else None
                said = {"message": exc.message, "source": source, "row": row,
                        "column": exc.column}  # fmt: skip
                yield pa.record_batch(
                    {
                        "key": pa.array([-1], pa.int64()),
                        "day": pa.nulls(1, pa.int64()),
                        "error": pa.array([json.dumps(said, ensure_ascii=False)]),
                    }  # fmt: skip
                )
                return
            secs = pc.cast(pc.cast(at, pa.timestamp("s")), pa.int64()).combine_chunks()
            ok = secs.is_valid().to_numpy(zero_copy_only=False)
            day = np.floor_divide(secs.fill_null(0).to_numpy(), _DAY_S)
            yield pa.record_batch(
                {
                    "key": b.column("key"),
                    "day": pa.array(day, pa.int64(), mask=~ok),
                    "error": pa.nulls(b.num_rows, pa.string()),
                }
            )

    return nodes.select("key", "joined_at").mapInArrow(read, "key long, day long, error string")


def levels_down(nodes: DataFrame, top: int) -> DataFrame:
    """``key``, ``eff``: the dating rule's second repair, parents first, one pass per level.

    ``eff`` is null for an agent no day reaches, else the latest of its ``dday`` and
    its upline's ``eff`` (no recruit joined before its upline).

    Parameters
    ----------
    nodes : pyspark.sql.DataFrame
        ``key``, ``parent``, ``depth``, ``dday``.
    top : int
        The deepest depth.

    Returns
    -------
    pyspark.sql.DataFrame

    Notes
    -----
    One join per level.

    Examples
    --------
    >>> levels_down.__name__
    'levels_down'
    """
    from pyspark.sql import functions as F

    done: list[DataFrame] = []
    above = None
    for level in range(top + 1):
        here = nodes.where(F.col("depth") == level).select("key", "parent", "dday")
        if above is None:
            here = here.select("key", F.col("dday").alias("eff"))
        else:
            here = here.join(above, "parent", "left").select(
                "key",
                F.when(F.col("dday").isNull(), F.lit(None))
                .otherwise(F.greatest(F.col("dday"), F.coalesce(F.col("up"), F.col("dday"))))
                .alias("eff"),
            )
        here = here.transform(cut)
        done.append(here)
        above = fresh(here.select(F.col("key").alias("parent"), F.col("eff").alias("up")))
    return union_all(done)


def day_growth(
    spark: SparkSession,
    dated: DataFrame,
    keys: list[int],
    members: np.ndarray,
    thresholds: list[tuple[int, int]],
    period: str,
) -> tuple[DayGrowth, dict[str, int]]:
    """The growth of the networks ``keys`` from their agents' days.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    dated : pyspark.sql.DataFrame
        ``root``, ``depth``, ``day`` (known join day or null), ``eff`` (the dated day).
    keys : list of int
        The networks' root keys (network number = position).
    members : numpy.ndarray
        Members of each network.
    thresholds : list of tuple
        ``(min_members, min_levels)`` of the threshold rules.
    period : str
        ``day``, ``week`` or ``month``.

    Returns
    -------
    tuple
        The :class:`DayGrowth` and the totals ``dated_agents``, ``undated_agents``,
        ``dated_from_downline``, ``dated_after_upline``, ``first_day``, ``last_day``.

    Notes
    -----
    One aggregation by (network, day); the driver holds one row per network and day.

    Examples
    --------
    >>> day_growth.__name__
    'day_growth'
    """
    from pyspark.sql import functions as F

    per = (
        dated.where(F.col("eff").isNotNull())
        .groupBy("root", "eff")
        .agg(F.count("*").alias("n"), F.max("depth").alias("deep"))
        .collect()
    )
    tot = dated.agg(
        F.sum(F.col("eff").isNotNull().cast("long")).alias("dated"),
        F.sum((F.col("day").isNull() & F.col("eff").isNotNull()).cast("long")).alias("down"),
        F.sum((F.col("day").isNotNull() & (F.col("eff") > F.col("day"))).cast("long")).alias(
            "after"
        ),
    ).collect()[0]
    k = len(keys)
    index = {key: j for j, key in enumerate(keys)}
    rows: list[list[tuple[int, int, int]]] = [[] for _ in range(k)]
    for r in per:
        rows[index[int(r["root"])]].append((int(r["eff"]), int(r["n"]), int(r["deep"])))
    days = [d for rs in rows for d, _, _ in rs]
    day0 = min(days) if days else 0
    t = len(thresholds)
    g = DayGrowth(
        period=period,
        day0=day0,
        dated=np.zeros(k, np.int64),
        undated=np.zeros(k, np.int64),
        first_day=np.full(k, -1, np.int64),
        last_day=np.full(k, -1, np.int64),
        half_day=np.full(k, -1, np.int64),
        peak_period=np.full(k, -1, np.int64),
        peak_joined=np.zeros(k, np.int64),
        crossed=np.full((t, k), -1, np.int64),
        thresholds=list(thresholds),
        by_day=np.zeros(0, np.int32),
        day=np.zeros(0, np.int32),
        depth=np.zeros(0, np.int32),
        net=np.zeros(0, np.int32),
        span=(max(days) - day0 + 1) if days else 1,
    )
    for j, rs in enumerate(rows):
        _network_days(g, j, sorted(rs), int(members[j]), period)
    totals = {
        "dated_agents": int(tot["dated"] or 0),
        "undated_agents": int(members.sum()) - int(tot["dated"] or 0),
        "dated_from_downline": int(tot["down"] or 0),
        "dated_after_upline": int(tot["after"] or 0),
        "first_day": min(days) if days else -1,
        "last_day": max(days) if days else -1,
    }
    g.dated_from_downline = totals["dated_from_downline"]
    g.dated_after_upline = totals["dated_after_upline"]
    return g, totals


def _network_days(
    g: DayGrowth, j: int, rs: list[tuple[int, int, int]], members: int, period: str
) -> None:
    """Network ``j``'s growth arrays and series from its (day, joined, deepest) rows.

    As the in-process day-order walk (:func:`agentgraph.measure.growth._grow`): the
    running members and levels after each day, the first day each threshold holds, the
    first day with half the final members, the first period with the most joinings.
    """
    total = sum(n for _, n, _ in rs)
    g.dated[j], g.undated[j] = total, members - total
    if not rs:
        return
    g.first_day[j], g.last_day[j] = rs[0][0] - g.day0, rs[-1][0] - g.day0
    cum = lvl = 0
    counts: dict[int, int] = {}
    points: list[dict[str, Any]] = []
    pday = period_index(np.array([d for d, _, _ in rs], np.int64), period).tolist()
    for (d, n, deep), p in zip(rs, pday, strict=True):
        cum += n
        lvl = max(lvl, deep + 1)
        if g.half_day[j] < 0 and 2 * cum >= total:
            g.half_day[j] = d - g.day0
        for t, (need_m, need_l) in enumerate(g.thresholds):
            if g.crossed[t, j] < 0 and cum >= need_m and lvl >= need_l:
                g.crossed[t, j] = d - g.day0
        counts[p] = counts.get(p, 0) + n
        if points and points[-1]["_p"] == p:
            points[-1].update(joined=points[-1]["joined"] + n, members=cum, levels=lvl)
        else:
            points.append({"_p": p, "joined": n, "members": cum, "levels": lvl})
    best = max(counts.values())
    g.peak_period[j] = min(p for p, c in counts.items() if c == best)
    g.peak_joined[j] = best
    g.points[j] = [
        {
            "period": g.period_label(x["_p"]),
            "start": _start(x["_p"], period),
            "joined": x["joined"],
            "members": x["members"],
            "levels": x["levels"],
        }
        for x in points
    ]


def _start(p: int, period: str) -> str:
    """ISO date of the first day of period ``p`` (as the in-process series gives it)."""
    if period == "month":
        return str(np.datetime64(p, "M").astype("datetime64[D]"))
    return str(np.datetime64(p * 7 - 3 if period == "week" else p, "D"))


def growth_rows(
    spark: SparkSession,
    a: Any,
    g: DayGrowth,
    rules: list[str],
    keys: list[int],
    names: list[str],
    meta_growth: dict[str, Any],
) -> tuple[DataFrame, dict[str, Any]]:
    """``fast`` and ``gnet`` rows of the large networks, and their ``meta`` growth totals.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    a : Analysis
        The networks' analysis (flags, networks).
    g : DayGrowth
        :func:`day_growth`.
    rules : list of str
        The threshold rules' ids.
    keys, names : list
        Root key and name of each network.
    meta_growth : dict
        The growth section of a dated stand-in (the keys that do not add up).

    Returns
    -------
    tuple
        The rows (:data:`agentgraph.spark.measure.OUT_SCHEMA` columns ``kind``,
        ``key``, ``members``, ``levels``, ``flagged``, ``entry``) and the meta growth.

    Notes
    -----
    O(networks + their series).

    Examples
    --------
    >>> growth_rows.__name__
    'growth_rows'
    """
    from agentgraph.report.growth import network_growth

    fast = g.fastest(int(meta_growth.get("fastest_min_members", 10)), 10)
    flagged = np.flatnonzero(np.asarray(a.flagged, np.bool_))
    listed = np.unique(np.concatenate([flagged, fast])).astype(np.int64)
    entries = network_growth(a, g, rules, listed, names=[names[j] for j in listed.tolist()])
    out: list[tuple[Any, ...]] = []
    for j, e in zip(listed.tolist(), entries, strict=True):
        text = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
        out.append(("gnet", keys[j], int(a.networks.members[j]), 0, bool(a.flagged[j]), text))
    for j in fast.tolist():
        e = {
            "root": names[j],
            "dated_members": int(g.dated[j]),
            "doubling_days": g.doubling_days(int(j)),
            "first_joined": g.date(int(g.first_day[j])),
            "last_joined": g.date(int(g.last_day[j])),
        }
        text = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
        out.append(("fast", keys[j], int(g.dated[j]), int(e["doubling_days"] or 0), False, text))
    rows = spark.createDataFrame(
        out, "kind string, key long, members long, levels long, flagged boolean, entry string"
    )
    return rows, meta_growth
