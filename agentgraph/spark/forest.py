"""The recruitment forest on Spark: keys, repairs and every agent's root.

Each agent's key is its dense id's order: its first row for a listed agent, and for an
upline never listed as an agent, the number of rows plus its first row as an upline
(the in-process encoder numbers listed agents in row order, then the others in order of
first reference). Repairs follow :func:`agentgraph.graph.model.build_graph` exactly:
duplicate rows keep the first; an upline never listed is an implicit root; a
self-referral becomes a root; a cycle is broken at its first listed agent. Roots come
from pointer doubling (each pass joins an agent's ancestor with the ancestor's: O(log
depth) passes, the lineage cut at every pass). Agents that never reach a root hang in
or under a cycle: they are few, and the in-process :func:`~agentgraph.graph.repair.
break_cycles` repairs them on the driver, so the cycles and their order are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agentgraph.errors import InputError
from agentgraph.graph.issues import IssueLog
from agentgraph.graph.repair import break_cycles, depth_and_root
from agentgraph.spark.session import cut

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["Forest", "build_forest", "MAX_DRIVER_CYCLE_AGENTS"]

_SAMPLE = 5  # rows or uplines a defect's detail names, as in-process
MAX_DRIVER_CYCLE_AGENTS = 5_000_000
"""Most agents in or under cycles repaired on the driver (about 100 bytes each)."""


@dataclass(frozen=True)
class Forest:
    """The repaired forest.

    Attributes
    ----------
    agents : pyspark.sql.DataFrame
        One row per listed agent (its first row): ``row`` (its key), ``agent_id``,
        ``upline_id`` (null for roots, self-referrals and broken cycle heads), ``root``
        (the root's key), ``root_id`` and the input's ``rank`` and ``joined_at`` when
        it has them.
    listed, implicit : int
        Listed agents, and uplines never listed (implicit roots).
    passes : int
        Pointer-doubling passes run.
    issues : IssueLog
        The repairs, in the in-process order.
    roots : pyspark.sql.DataFrame, optional
        ``agent_id``, ``root``: every agent's root key, the uplines never listed
        included (what payments are matched against).

    Examples
    --------
    >>> from agentgraph.graph.issues import IssueLog
    >>> Forest(agents=None, listed=3, implicit=0, passes=2, issues=IssueLog()).passes
    2
    """

    agents: DataFrame
    listed: int
    implicit: int
    passes: int
    issues: IssueLog
    roots: DataFrame | None = None


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(r + 1) for r in rows[:_SAMPLE])
    more = f" and {len(rows) - _SAMPLE} more" if len(rows) > _SAMPLE else ""
    return shown + more


def _duplicates(frame: DataFrame, ids: DataFrame, log: IssueLog) -> None:
    from pyspark.sql import functions as F

    dup = ids.where(F.col("n") > 1)
    total = dup.count()
    if not total:
        return
    firsts = dup.orderBy("key").limit(log.limit)
    rows = (
        frame.join(F.broadcast(firsts.select("agent_id", "key")), "agent_id")
        .join(
            ids.select(F.col("agent_id").alias("upline_id"), F.col("key").alias("up_key")),
            "upline_id",
            "left",
        )
        .groupBy("agent_id", "key")
        .agg(F.sort_array(F.collect_list(F.struct("row", "upline_id", "up_key"))).alias("rows"))
        .orderBy("key")
        .collect()
    )
    for r in rows:
        kept = r["rows"][0]
        others = r["rows"][1:]
        detail = (
            f"listed in rows {kept['row'] + 1} and {_row_list([o['row'] for o in others])}; "
            f"row {kept['row'] + 1} kept"
        )
        ups = {(o["up_key"] if o["upline_id"] is not None else -1, o["upline_id"]) for o in others}
        ups.discard((kept["up_key"] if kept["upline_id"] is not None else -1, kept["upline_id"]))
        if ups:
            names = [u or "(none)" for _, u in sorted(ups, key=lambda x: x[0])]
            detail += (
                f"; its upline {kept['upline_id'] or '(none)'!s} kept, other upline(s) "
                f"{', '.join(map(str, names[:_SAMPLE]))} dropped"
            )
        log.add("duplicate_agent", [r["agent_id"]], detail)
    log.count("duplicate_agent", total - len(rows))


def _implicit(
    frame: DataFrame, ids: DataFrame, n_rows: int, log: IssueLog
) -> tuple[DataFrame, int]:
    """Uplines never listed: their keys (after every row), and the unknown-upline issues."""
    from pyspark.sql import functions as F

    refs = frame.where(F.col("upline_id").isNotNull()).select(
        F.col("upline_id").alias("agent_id"), "row"
    )
    missing = refs.join(ids.select("agent_id"), "agent_id", "left_anti")
    implicit = (
        missing.groupBy("agent_id")
        .agg(F.min("row").alias("first"), F.count("*").alias("refs"))
        .withColumn("key", F.lit(n_rows) + F.col("first"))
        .transform(cut)
    )
    total = implicit.count()
    if total:
        shown = implicit.orderBy("key").limit(log.limit)
        listed = (
            missing.join(F.broadcast(shown.select("agent_id", "key")), "agent_id")
            .groupBy("agent_id", "key")
            .agg(F.sort_array(F.collect_list("row")).alias("rows"), F.count("*").alias("n"))
            .orderBy("key")
            .collect()
        )
        for r in listed:
            log.add(
                "unknown_upline",
                [r["agent_id"]],
                f"upline of {r['n']} agent(s) (rows {_row_list(list(r['rows']))}) but never "
                "listed as an agent; kept as a root",
            )
        log.count("unknown_upline", total - len(listed))
    return implicit.select("agent_id", "key"), total


def _double(spark: SparkSession, nodes: DataFrame, n: int) -> tuple[DataFrame, int]:
    """``(key, anc)``: every agent's farthest ancestor found, by pointer doubling.

    ``anc`` null: a root. Stops when no ancestor has an ancestor, or after
    ``ceil(log2(n)) + 1`` passes (then what is left hangs in or under a cycle).
    """
    from pyspark.sql import functions as F

    cur = nodes.select("key", F.col("parent").alias("anc")).transform(cut)
    most = max(1, int(np.ceil(np.log2(max(n, 2))))) + 1
    passes = 0
    while passes < most:
        b = cur.select(F.col("key").alias("b_key"), F.col("anc").alias("b_anc"))
        nxt = (
            cur.join(b, cur["anc"] == b["b_key"], "left")
            .select(
                "key",
                F.when(F.col("b_anc").isNotNull(), F.col("b_anc"))
                .otherwise(F.col("anc"))
                .alias("anc"),
                F.col("b_anc").isNotNull().alias("moved"),
            )
            .transform(cut)
        )
        passes += 1
        moved = nxt.where("moved").count()
        cur = nxt.select("key", "anc")
        if not moved:
            break
    return cur, passes


def build_forest(spark: SparkSession, frame: DataFrame, n_rows: int, log: IssueLog) -> Forest:
    """Keys, repairs and roots of a member table's rows (see the module docstring).

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    frame : pyspark.sql.DataFrame
        ``row``, ``agent_id``, ``upline_id`` (:func:`agentgraph.spark.rows.read_rows`).
    n_rows : int
        Rows of ``frame``.
    log : IssueLog
        Gets the repairs (after the reading's issues).

    Returns
    -------
    Forest

    Raises
    ------
    InputError
        More than :data:`MAX_DRIVER_CYCLE_AGENTS` agents in or under cycles.

    Notes
    -----
    O(log depth) pointer-doubling passes of one join each over the agents; the
    driver holds the issues kept in full and the agents under cycles only.

    Examples
    --------
    >>> from agentgraph.spark.forest import MAX_DRIVER_CYCLE_AGENTS
    >>> MAX_DRIVER_CYCLE_AGENTS
    5000000
    """
    from pyspark.sql import functions as F

    ids = frame.groupBy("agent_id").agg(F.min("row").alias("key"), F.count("*").alias("n"))
    ids = ids.transform(cut)
    _duplicates(frame, ids, log)
    implicit, n_implicit = _implicit(frame, ids, n_rows, log)
    keys = ids.select("agent_id", "key").unionByName(implicit)
    kept = frame.join(ids.select("agent_id", F.col("key").alias("first")), "agent_id").where(
        F.col("row") == F.col("first")
    )
    up = keys.select(F.col("agent_id").alias("upline_id"), F.col("key").alias("parent"))
    carried = [c for c in ("rank", "joined_at", "prior_penalty") if c in frame.columns]
    nodes = kept.select("row", "agent_id", "upline_id", *carried).join(up, "upline_id", "left")
    nodes = nodes.withColumnRenamed("row", "key").transform(cut)
    selfref = nodes.where(F.col("parent") == F.col("key"))
    n_self = selfref.count()
    if n_self:
        for r in selfref.orderBy("key").limit(log.limit).collect():
            log.add(
                "self_referral",
                [r["agent_id"]],
                "agent lists itself as its own upline; treated as a root",
            )
        log.count("self_referral", max(0, n_self - log.limit))
        nodes = (
            nodes.withColumn(
                "parent",
                F.when(F.col("parent") == F.col("key"), F.lit(None)).otherwise(F.col("parent")),
            )
            .withColumn(
                "upline_id",
                F.when(F.col("parent").isNull(), F.lit(None)).otherwise(F.col("upline_id")),
            )
            .transform(cut)
        )
    listed = ids.count()
    anc, passes = _double(spark, nodes, listed + n_implicit)
    # an ancestor with an ancestor after the last pass: in or under a cycle
    b = anc.select(F.col("key").alias("b_key"), F.col("anc").alias("b_anc"))
    stuck = anc.join(b, anc["anc"] == b["b_key"]).where(F.col("b_anc").isNotNull()).select("key")
    stuck = stuck.transform(cut)
    n_stuck = stuck.count()
    heads = None
    if n_stuck:
        if n_stuck > MAX_DRIVER_CYCLE_AGENTS:
            raise InputError(
                f"{n_stuck} agents hang in or under recruitment cycles; the spark engine "
                f"repairs at most {MAX_DRIVER_CYCLE_AGENTS} on the driver"
            )
        heads = _cycles(spark, nodes.join(stuck, "key"), log)
        fixed = anc.join(heads, "key", "left")
        anc = fixed.select(
            "key",
            F.when(F.col("new_root").isNotNull(), F.col("new_root"))
            .otherwise(F.col("anc"))
            .alias("anc"),
        )
        nodes = (
            nodes.join(heads.select("key", F.col("head")), "key", "left")
            .withColumn(
                "upline_id", F.when(F.col("head"), F.lit(None)).otherwise(F.col("upline_id"))
            )
            .drop("head")
        )
    # an upline named only by a dropped duplicate row is a lone root with no row
    orphans = implicit.join(
        nodes.select(F.col("parent").alias("key")).distinct(), "key", "left_anti"
    ).select(
        F.col("key").alias("row"),
        "agent_id",
        F.lit(None).cast("string").alias("upline_id"),
        F.col("key").alias("root"),
        F.col("agent_id").alias("root_id"),
        *[F.lit(None).cast(frame.schema[c].dataType).alias(c) for c in carried],
    )
    roots = anc.select("key", F.coalesce(F.col("anc"), F.col("key")).alias("root"))
    names = keys.select(F.col("key").alias("root"), F.col("agent_id").alias("root_id"))
    agents = (
        nodes.select(F.col("key").alias("row"), "agent_id", "upline_id", *carried)
        .join(roots.withColumnRenamed("key", "row"), "row")
        .join(names, "root")
        .select("row", "agent_id", "upline_id", "root", "root_id", *carried)
        .unionByName(orphans)
        .transform(cut)
    )
    every = (
        agents.select("agent_id", "root")
        .unionByName(implicit.select("agent_id", F.col("key").alias("root")))
        .dropDuplicates(["agent_id"])
    )
    return Forest(agents, listed, n_implicit, passes, log, every)


def _cycles(spark: SparkSession, stuck: DataFrame, log: IssueLog) -> DataFrame:
    """Break the cycles of the agents that never reached a root, on the driver.

    Returns ``key``, ``new_root`` (the key of the agent's root once the cycles are
    broken) and ``head`` (the agent is a broken cycle's head, now a root).
    """
    rows = sorted(stuck.select("key", "parent", "agent_id").collect(), key=lambda r: r["key"])
    keys = np.array([r["key"] for r in rows], np.int64)
    local = {int(k): i for i, k in enumerate(keys.tolist())}
    parent = np.array([local.get(int(r["parent"]), -1) for r in rows], np.int32)
    _, cycles = break_cycles(parent)
    names = [r["agent_id"] for r in rows]
    for cyc in cycles:
        head = int(cyc.min())
        if log.wants("cycle"):
            log.add(
                "cycle",
                [names[int(v)] for v in cyc],
                f"{len(cyc)} agents recruit each other in a cycle; broken at "
                f"{names[head]} (first listed), which is treated as a root",
            )
        else:
            log.count("cycle", 1)
    _, root = depth_and_root(parent)
    is_head = np.zeros(len(keys), np.bool_)
    for cyc in cycles:
        is_head[int(cyc.min())] = True
    data = [(int(keys[i]), int(keys[int(root[i])]), bool(is_head[i])) for i in range(len(keys))]
    return spark.createDataFrame(data, "key long, new_root long, head boolean")
