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

- **growth** from the agents' join days (:mod:`agentgraph.spark.large_growth`).

Payments and prior penalties inside such a network are not measured here yet: the
scan is refused for them, naming the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.errors import InputError
from agentgraph.measure.networks import Networks, structure_class
from agentgraph.measure.ranks import NO_TIER, title_tiers
from agentgraph.policies import Policy
from agentgraph.spark.session import cut, fresh, union_all

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

    ``chain`` marks the node and uplines of each network's first deepest agent. With a
    ``day`` column (the join day, null when unknown), ``dday``: the day, or for an
    undated agent the earliest ``dday`` of its recruits (the dating rule's first
    repair, children first).
    """
    from pyspark.sql import functions as F

    dated = "day" in nodes.columns
    mark = spark.createDataFrame([(k, True) for k in deepest.values()], "key long, mark boolean")
    nodes = nodes.join(F.broadcast(mark), "key", "left").transform(cut)
    carry = None
    done: list[DataFrame] = []
    extra = ["day"] if dated else []
    for level in range(top, -1, -1):
        here = nodes.where(F.col("depth") == level).select("key", "parent", "mark", *extra)
        if carry is not None:
            here = here.join(carry, "key", "left")
        else:
            here = here.select(
                "*",
                F.lit(None).cast("long").alias("below"),
                F.lit(None).cast("long").alias("tallest"),
                F.lit(None).cast("boolean").alias("on"),
                *([F.lit(None).cast("long").alias("earliest")] if dated else []),
            )
        here = here.select(
            "key",
            "parent",
            (F.lit(1) + F.coalesce(F.col("below"), F.lit(0))).alias("size"),
            F.coalesce(F.col("tallest") + 1, F.lit(0)).alias("height"),
            (F.coalesce(F.col("mark"), F.lit(False)) | F.coalesce(F.col("on"), F.lit(False))).alias(
                "chain"
            ),
            *([F.coalesce(F.col("day"), F.col("earliest")).alias("dday")] if dated else []),
        ).transform(cut)
        done.append(here.select("key", "size", "height", "chain", *(["dday"] if dated else [])))
        carry = fresh(
            here.where(F.col("parent").isNotNull())
            .groupBy(F.col("parent").alias("key"))
            .agg(
                F.sum("size").alias("below"),
                F.max("height").alias("tallest"),
                F.max(F.col("chain").cast("int")).cast("boolean").alias("on"),
                *([F.min("dday").alias("earliest")] if dated else []),
            )
            .transform(cut)
        )
    return union_all(done)


def measure_large(
    spark: SparkSession,
    agents: DataFrame,
    policy: Policy,
    roots: list[tuple[int, int]],
    *,
    source: str = "",
    timezone: str | None = None,
    growth_period: str = "month",
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
    source : str
        The input's name (for a bad join time).
    timezone : str, optional
        The zone of join times written without one.
    growth_period : str, default "month"
        The growth series' period.

    Returns
    -------
    pyspark.sql.DataFrame
        ``net``, ``org``, ``hist``, ``rank``, ``fast``, ``gnet`` and ``meta`` rows, as
        a worker would give them (growth: :mod:`agentgraph.spark.large_growth`).

    Raises
    ------
    InputError
        The input has prior penalties (not measured here yet), or a bad join time.

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

    if "prior_penalty" in agents.columns:
        refuse(agents, roots, "prior penalties")
    dated = "joined_at" in agents.columns
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
        *(["joined_at"] if dated else []),
    )
    extra = implicit.select(
        "key",
        "agent_id",
        F.lit(None).cast("long").alias("parent"),
        F.col("key").alias("root"),
        F.col("agent_id").alias("root_id"),
        *([F.lit(None).cast("string").alias("rank")] if "rank" in agents.columns else []),
        *([F.lit(None).cast(agents.schema["joined_at"].dataType).alias("joined_at")]
          if dated else []),
    )  # fmt: skip
    nodes = fresh(listed.unionByName(extra).transform(cut))
    if dated:
        nodes = _with_days(nodes, source, timezone)
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
    top = max(int(r["top"]) for r in per)
    sized = nodes.join(_levels_up(spark, nodes, deepest, top), "key")
    sized = sized.transform(cut)
    tiers = sized.groupBy("root", "depth").count().collect()
    chains = sized.where(F.col("chain")).select("root", "depth", "agent_id").collect()
    root_keys = [k for k, _ in roots]
    nets, a = _networks(policy, root_keys, stats, tiers)
    meta_growth = None
    growth_part = None
    if dated:
        growth_part, meta_growth = _growth(
            spark, sized, top, a, nets, policy, root_keys, chains, growth_period
        )
    parts = [
        _net_rows(spark, a, nets, root_keys, chains),
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
    if growth_part is not None:
        parts.append(growth_part)
    agents_n = int(sum(int(r["members"]) for r in per))
    parts.append(_meta_row(spark, policy, agents_n, meta_growth))
    return _conform(parts)


def _with_days(nodes: DataFrame, source: str, timezone: str | None) -> DataFrame:
    """``nodes`` with ``day`` (the join day as read in-process); a bad value refused."""
    from pyspark.sql import functions as F

    from agentgraph.spark.large_growth import join_days

    days = join_days(nodes, source, timezone).transform(cut)
    bad = days.where(F.col("error").isNotNull()).limit(1).collect()
    if bad:
        raise InputError(**json.loads(bad[0]["error"]))
    return nodes.drop("joined_at").join(days.select("key", "day"), "key", "left").transform(cut)


def _growth(
    spark: SparkSession,
    sized: DataFrame,
    top: int,
    a: Any,
    nets: Networks,
    policy: Policy,
    keys: list[int],
    chains: list[Any],
    period: str,
) -> tuple[DataFrame, dict[str, Any]]:
    """The growth rows of the large networks and their meta totals (module docstring)."""
    from agentgraph.policies import ThresholdRule
    from agentgraph.spark.large_growth import day_growth, growth_rows, levels_down

    eff = levels_down(sized.select("key", "parent", "depth", "dday"), top)
    dated = sized.select("key", "root", "depth", "day").join(eff, "key").transform(cut)
    rules = [r for r in policy.rules if isinstance(r, ThresholdRule)]
    g, totals = day_growth(
        spark, dated, keys, nets.members, [(r.min_members, r.min_levels) for r in rules], period
    )
    names = _root_names(keys, chains)
    stand = _stand_in(policy, period, dated=bool(totals["dated_agents"]))
    if not totals["dated_agents"]:
        return spark.createDataFrame([], "kind string, key long"), stand
    stand = stand | {
        k: totals[k]
        for k in ("dated_agents", "undated_agents", "dated_from_downline", "dated_after_upline")
    }
    stand["first_joined"] = g.date(int(totals["first_day"]) - g.day0)
    stand["last_joined"] = g.date(int(totals["last_day"]) - g.day0)
    rows, meta = growth_rows(spark, a, g, [r.id for r in rules], keys, names, stand)
    return rows, meta


def _root_names(keys: list[int], chains: list[Any]) -> list[str]:
    """Each network's root name: its deepest chain's first agent."""
    first = {int(r["root"]): r["agent_id"] for r in chains if int(r["depth"]) == 0}
    return [first[k] for k in keys]


def _stand_in(policy: Policy, period: str, *, dated: bool) -> dict[str, Any]:
    """The growth section of a one-agent input: the keys that do not add up."""
    from agentgraph.analysis import analyse
    from agentgraph.tables import Relations

    at = pa.array([datetime(2020, 1, 1) if dated else None], pa.timestamp("s"))
    one = pa.table({"agent_id": ["-"], "upline_id": pa.nulls(1, pa.string()), "joined_at": at})
    growth = analyse(Relations("members", one, "-"), policy, growth_period=period).report()[
        "growth"
    ]
    return {k: v for k, v in growth.items() if k not in ("fastest", "networks")}


def _meta_row(
    spark: SparkSession, policy: Policy, agents: int, growth: dict[str, Any] | None
) -> DataFrame:
    """The ``meta`` row as a worker gives it: the rules, and the growth totals."""
    from agentgraph.analysis import analyse
    from agentgraph.tables import Relations

    one = pa.table({"agent_id": ["-"], "upline_id": pa.nulls(1, pa.string())})
    report = analyse(Relations("members", one, "-"), policy).report()
    meta = {"rules": report["rules"], "growth": growth or report["growth"], "agents": agents}
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
    return union_all(
        [
            p.select(
                *[(F.col(n) if n in p.columns else F.lit(None)).cast(t).alias(n) for n, t in fields]
            )  # fmt: skip
            for p in parts
        ]
    )


def _networks(
    policy: Policy, keys: list[int], stats: dict[int, Any], tiers: list[Any]
) -> tuple[Networks, Any]:
    """The large networks' :class:`Networks` and an analysis of them (flags by the rules)."""
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
    return nets, Analysis(None, None, nets, policy, masks)  # type: ignore[arg-type]


def _net_rows(
    spark: SparkSession, a: Any, nets: Networks, keys: list[int], chains: list[Any]
) -> DataFrame:
    """One ``net`` row per large network: its entry and flags by the policy's rules."""
    members, levels = nets.members, nets.levels
    flags = a.flag_dicts(np.arange(len(keys)))
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
