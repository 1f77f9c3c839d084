"""Networks too large for one worker, measured across the cluster level by level.

:mod:`agentgraph.spark.measure` measures a network whole in one Python worker. A network
with more agents than a worker should hold (``max_network_agents``) is measured here
with DataFrame operations only, giving the rows the worker would give, so the report
is the same:

- **levels** by pointer doubling with distances: each agent keeps an ancestor and its
  distance; a pass jumps to the ancestor's ancestor and adds the distances, so after
  O(log depth) passes every agent knows its distance to the root (the root is level 1);
- **tier counts**, the depth histogram, direct recruits, recruiters and the widest
  recruiter by aggregations;
- **downline sizes and heights** by one pass per level, deepest level first: a level's
  agents add up their recruits' downlines (``1 + sum``, ``1 + max``), which gives the
  organisers exactly; the same passes mark the upline chain of the first deepest agent
  (the in-process ``deepest_chain``: the deepest agent with the smallest key);
- **flags** by the policy's own rules on the measured counts
  (:class:`agentgraph.measure.networks.Networks` of these networks, the rules and their
  evidence as in-process).

Join times (growth), payments and prior penalties inside such a network are not
measured here yet: the scan is refused for them, naming the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.errors import InputError
from agentgraph.measure.networks import Networks, structure_class
from agentgraph.measure.ranks import NO_TIER, title_tiers
from agentgraph.policies import Policy
from agentgraph.spark.session import cut, fresh

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["DEFAULT_MAX_NETWORK_AGENTS", "large_networks", "measure_large", "refuse"]

DEFAULT_MAX_NETWORK_AGENTS = 20_000_000
"""Most agents of a network measured in one worker (about 2.6 GB in-process)."""


def large_networks(agents: DataFrame, limit: int) -> list[tuple[int, int]]:
    """The networks with more than ``limit`` listed agents: (root key, agents).

    Parameters
    ----------
    agents : pyspark.sql.DataFrame
        :attr:`agentgraph.spark.forest.Forest.agents`.
    limit : int
        Most agents measured in one worker.

    Returns
    -------
    list of tuple
        Root key and listed agents of each large network, by root key.

    Notes
    -----
    One aggregation by root.

    Examples
    --------
    >>> DEFAULT_MAX_NETWORK_AGENTS
    20000000
    """
    from pyspark.sql import functions as F

    rows = agents.groupBy("root").count().where(F.col("count") > F.lit(limit)).collect()
    return sorted((int(r["root"]), int(r["count"])) for r in rows)


def _depths(spark: SparkSession, nodes: DataFrame) -> tuple[DataFrame, int]:
    """``key``, ``depth`` of every node (root = 0) by pointer doubling with distances."""
    from pyspark.sql import functions as F

    cur = (
        fresh(nodes)
        .select(
            "key",
            F.col("parent").alias("anc"),
            F.when(F.col("parent").isNull(), F.lit(0)).otherwise(F.lit(1)).alias("d"),
        )
        .transform(cut)
    )
    passes = 0
    while True:
        passes += 1
        b = cur.select(
            F.col("key").alias("b_key"), F.col("anc").alias("b_anc"), F.col("d").alias("b_d")
        )
        nxt = cur.join(b, cur["anc"] == b["b_key"], "left")
        moving = F.col("b_anc").isNotNull()
        nxt = nxt.select(
            "key",
            F.when(moving, F.col("b_anc")).otherwise(F.col("anc")).alias("anc"),
            F.when(moving, F.col("d") + F.col("b_d")).otherwise(F.col("d")).alias("d"),
            moving.alias("moved"),
        ).transform(cut)
        cur = fresh(nxt.select("key", "anc", "d"))
        if not nxt.where(F.col("moved")).limit(1).count():
            return cur.select("key", F.col("d").alias("depth")), passes


def _levels_up(
    spark: SparkSession, nodes: DataFrame, deepest: dict[int, int], top: int
) -> DataFrame:
    """``key``, ``size``, ``height``, ``chain`` per node: one pass per level, deepest first.

    ``chain`` marks the node and uplines of each network's first deepest agent.
    """
    from pyspark.sql import functions as F

    mark = spark.createDataFrame([(k, True) for k in deepest.values()], "key long, mark boolean")
    nodes = nodes.join(F.broadcast(mark), "key", "left").transform(cut)
    carry = None
    done: list[DataFrame] = []
    for level in range(top, -1, -1):
        here = nodes.where(F.col("depth") == level).select("key", "parent", "mark")
        if carry is not None:
            here = here.join(carry, "key", "left")
        else:
            here = here.select(
                "*",
                F.lit(None).cast("long").alias("below"),
                F.lit(None).cast("long").alias("tallest"),
                F.lit(None).cast("boolean").alias("on"),
            )
        here = here.select(
            "key",
            "parent",
            (F.lit(1) + F.coalesce(F.col("below"), F.lit(0))).alias("size"),
            F.coalesce(F.col("tallest") + 1, F.lit(0)).alias("height"),
            (F.coalesce(F.col("mark"), F.lit(False)) | F.coalesce(F.col("on"), F.lit(False))).alias(
                "chain"
            ),
        ).transform(cut)
        done.append(here.select("key", "size", "height", "chain"))
        carry = fresh(
            here.where(F.col("parent").isNotNull())
            .groupBy(F.col("parent").alias("key"))
            .agg(
                F.sum("size").alias("below"),
                F.max("height").alias("tallest"),
                F.max(F.col("chain").cast("int")).cast("boolean").alias("on"),
            )
            .transform(cut)
        )
    out = done[0]
    for d in done[1:]:
        out = out.unionByName(d)
    return out


def measure_large(
    spark: SparkSession,
    agents: DataFrame,
    policy: Policy,
    roots: list[tuple[int, int]],
) -> DataFrame:
    """The measure stage's rows (:data:`agentgraph.spark.measure.OUT_SCHEMA`) of ``roots``.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    agents : pyspark.sql.DataFrame
        The agents of the large networks (:attr:`~agentgraph.spark.forest.Forest.agents`
        rows).
    policy : Policy
        The policy.
    roots : list of tuple
        :func:`large_networks`.

    Returns
    -------
    pyspark.sql.DataFrame
        ``net``, ``org``, ``hist`` and ``rank`` rows, as a worker would give them.

    Raises
    ------
    InputError
        The input has join times or prior penalties (not measured here yet).

    Notes
    -----
    O(log depth) doubling passes, then one pass per level (a few small jobs each);
    the driver holds the networks' tier counts and deepest chains only.

    Examples
    --------
    >>> measure_large.__name__
    'measure_large'
    """
    from pyspark.sql import functions as F

    for column, what in (
        ("joined_at", "join times (growth)"),
        ("prior_penalty", "prior penalties"),
    ):
        if column in agents.columns:
            refuse(agents, roots, what)
    keys = agents.select("agent_id", F.col("row").alias("key"))
    implicit = (
        agents.select(F.col("root_id").alias("agent_id"), F.col("root").alias("key"))
        .distinct()
        .join(keys.select("key"), "key", "left_anti")
    )
    ids = keys.unionByName(implicit.select("agent_id", "key"))
    up = ids.select(F.col("agent_id").alias("upline_id"), F.col("key").alias("parent"))
    listed = agents.join(up, "upline_id", "left").select(
        F.col("row").alias("key"),
        "agent_id",
        "parent",
        "root",
        "root_id",
        *(["rank"] if "rank" in agents.columns else []),
    )
    extra = implicit.select(
        "key",
        "agent_id",
        F.lit(None).cast("long").alias("parent"),
        F.col("key").alias("root"),
        F.col("agent_id").alias("root_id"),
        *([F.lit(None).cast("string").alias("rank")] if "rank" in agents.columns else []),
    )
    nodes = fresh(listed.unionByName(extra).transform(cut))
    depth, _ = _depths(spark, nodes)
    direct = nodes.where(F.col("parent").isNotNull()).groupBy(F.col("parent").alias("key")).count()
    nodes = (
        nodes.join(depth, "key")
        .join(direct.withColumnRenamed("count", "direct"), "key", "left")
        .withColumn("direct", F.coalesce(F.col("direct"), F.lit(0)))
        .transform(cut)
    )
    per = (
        nodes.groupBy("root")
        .agg(
            F.count("*").alias("members"),
            F.max("depth").alias("top"),
            F.max("direct").alias("max_direct"),
            F.sum((F.col("direct") > 0).cast("long")).alias("recruiters"),
        )
        .collect()
    )
    stats = {int(r["root"]): r for r in per}
    tops = (
        nodes.join(nodes.groupBy("root").agg(F.max("depth").alias("depth")), ["root", "depth"])
        .groupBy("root")
        .agg(F.min("key").alias("deepest"))
    )
    deepest = {int(r["root"]): int(r["deepest"]) for r in tops.collect()}
    sized = nodes.join(_levels_up(spark, nodes, deepest, max(int(r["top"]) for r in per)), "key")
    sized = sized.transform(cut)
    tiers = sized.groupBy("root", "depth").count().collect()
    chains = sized.where(F.col("chain")).select("root", "depth", "agent_id").collect()
    parts = [
        _net_rows(spark, policy, [k for k, _ in roots], stats, tiers, chains),
        _org_rows(sized, policy),
        sized.groupBy(F.col("depth").alias("key"))
        .count()
        .select(
            F.lit("hist").alias("kind"),
            "key",
            F.col("count").alias("members"),
        ),
    ]
    if "rank" in agents.columns:
        parts.append(_rank_rows(sized))
    parts.append(_meta_row(spark, policy, int(sum(int(r["members"]) for r in per))))
    return _conform(parts)


def _meta_row(spark: SparkSession, policy: Policy, agents: int) -> DataFrame:
    """The ``meta`` row: the rules and the growth section of an undated input, as in-process."""
    from agentgraph.analysis import analyse
    from agentgraph.tables import Relations

    one = pa.table({"agent_id": ["-"], "upline_id": pa.nulls(1, pa.string())})
    report = analyse(Relations("members", one, "-"), policy).report()
    meta = {"rules": report["rules"], "growth": report["growth"], "agents": agents}
    text = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    return spark.createDataFrame([("meta", 0, text)], "kind string, key long, entry string")


def refuse(agents: DataFrame, roots: list[tuple[int, int]], what: str) -> None:
    """Raise the :class:`InputError` for ``what`` the level-by-level pass cannot measure.

    Parameters
    ----------
    agents : pyspark.sql.DataFrame
        The agents (to name the largest network's root).
    roots : list of tuple
        :func:`large_networks`.
    what : str
        What is not measured, e.g. ``"payments"``.

    Raises
    ------
    InputError
        Always.

    Notes
    -----
    One lookup.

    Examples
    --------
    >>> refuse.__name__
    'refuse'
    """
    from pyspark.sql import functions as F

    key, n = max(roots, key=lambda kn: (kn[1], -kn[0]))
    name = agents.where(F.col("root") == key).select("root_id").first()
    raise InputError(
        f"the network of {name[0] if name else key!r} has {n} agents, more than one worker "
        f"measures (max_network_agents, --spark-max-network), and the level-by-level pass "
        f"for such networks does not measure {what} yet: raise the limit if a worker can "
        "hold the network, or scan in-process"
    )


def _conform(parts: list[DataFrame]) -> DataFrame:
    """The parts with every :data:`~agentgraph.spark.measure.OUT_SCHEMA` column, unioned."""
    from pyspark.sql import functions as F

    from agentgraph.spark.measure import OUT_SCHEMA

    fields = [f.strip().split(" ") for f in OUT_SCHEMA.split(",")]
    out = None
    for p in parts:
        cols = [(F.col(n) if n in p.columns else F.lit(None)).cast(t).alias(n) for n, t in fields]
        p = p.select(*cols)
        out = p if out is None else out.unionByName(p)
    assert out is not None
    return out


def _net_rows(
    spark: SparkSession,
    policy: Policy,
    keys: list[int],
    stats: dict[int, Any],
    tiers: list[Any],
    chains: list[Any],
) -> DataFrame:
    """One ``net`` row per large network: its entry and flags by the policy's rules."""
    from agentgraph.analysis import Analysis

    k = len(keys)
    index = {key: j for j, key in enumerate(keys)}
    members = np.array([int(stats[key]["members"]) for key in keys], np.int64)
    levels = np.array([int(stats[key]["top"]) + 1 for key in keys], np.int32)
    offsets = np.zeros(k + 1, np.int64)
    offsets[1:] = np.cumsum(levels)
    counts = np.zeros(int(offsets[-1]), np.int64)
    for r in tiers:
        counts[offsets[index[int(r["root"])]] + int(r["depth"])] = int(r["count"])
    nets = Networks(
        roots=np.arange(k, dtype=np.int32),
        members=members,
        levels=levels,
        deepest=np.arange(k, dtype=np.int32),
        max_direct=np.array([int(stats[key]["max_direct"]) for key in keys], np.int32),
        tier_offsets=offsets,
        tiers=counts,
        recruiters=np.array([int(stats[key]["recruiters"]) for key in keys], np.int64),
    )
    masks = {r.id: np.asarray(r.fires(nets), np.bool_) for r in policy.rules}
    a = Analysis(None, None, nets, policy, masks)  # type: ignore[arg-type]
    js = np.arange(k)
    flags = a.flag_dicts(js)
    chain: dict[int, list[tuple[int, str]]] = {key: [] for key in keys}
    for r in chains:
        chain[int(r["root"])].append((int(r["depth"]), r["agent_id"]))
    rows = []
    for j, key in enumerate(keys):
        path = [name for _, name in sorted(chain[key])]
        entry = {
            "root": path[0],
            "members": int(members[j]),
            "levels": int(levels[j]),
            "tier_counts": nets.tier_counts(j),
            "structure": structure_class(int(levels[j])),
            "deepest_chain": path,
            "max_direct_recruits": int(nets.max_direct[j]),
            "mean_branching": nets.mean_branching(j),
            "flags": flags[j],
        }
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        rows.append(("net", key, int(members[j]), int(levels[j]), bool(a.flagged[j]), True, text))
    return spark.createDataFrame(
        rows,
        "kind string, key long, members long, levels long, flagged boolean, listable boolean,"
        " entry string",
    )


def _org_rows(sized: DataFrame, policy: Policy) -> DataFrame:
    """``org`` rows: the agents whose downline makes them organisers, as in-process."""
    from pyspark.sql import functions as F

    org = sized.where(
        (F.col("size") >= F.lit(policy.organiser_min_downline))
        & (F.col("height") + 1 >= F.lit(policy.organiser_min_levels))
    )
    entry = F.to_json(
        F.struct(
            F.col("agent_id").alias("agent"),
            F.col("root_id").alias("network"),
            F.col("size").alias("downline"),
            (F.col("height") + 1).alias("levels"),
            F.col("direct").alias("direct_recruits"),
        )
    )
    return org.select(
        F.lit("org").alias("kind"), "key", F.col("size").alias("members"), entry.alias("entry")
    )


def _rank_rows(sized: DataFrame) -> DataFrame:
    """``rank`` rows of the titled agents: tier by the in-process title rule, level measured."""
    from pyspark.sql import functions as F

    def tiers(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            _, _, tier = title_tiers(b.column("rank"))
            keep = np.flatnonzero(tier != NO_TIER)
            at = pa.array(keep)
            yield pa.record_batch(
                {
                    "kind": pa.array(["rank"] * len(keep), pa.string()),
                    "key": b.column("key").take(at),
                    "members": pa.array(tier[keep].astype(np.int64)),
                    "levels": pa.array(
                        b.column("depth").to_numpy(zero_copy_only=False)[keep].astype(np.int64) + 1
                    ),
                    "name": b.column("agent_id").take(at),
                    "title": b.column("rank").take(at),
                }
            )

    titled = sized.where(F.col("rank").isNotNull()).select(
        F.col("key").cast("long"), F.col("depth").cast("long"), "agent_id", "rank"
    )
    return titled.mapInArrow(
        tiers, "kind string, key long, members long, levels long, name string, title string"
    )
