"""The report assembled on the driver from the executors' small rows.

The same ``agentgraph.report/1`` dict as :func:`agentgraph.report.build.build_report`:
networks flagged first, then by members (descending), then by the root's key (its
dense id in-process); the organisers by downline, then key; the depth histogram
summed. Only the listed networks' entries, the organisers listed and the histogram
reach the driver, never all agents.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from agentgraph.graph.issues import IssueLog
from agentgraph.report.build import SCHEMA, SCHEMA_REVISION
from agentgraph.tables import Reading

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["assemble_report"]


def assemble_report(
    measured: DataFrame,
    *,
    policy: Any,
    source: str,
    rows: int,
    listed: int,
    issues: IssueLog,
    reading: Reading,
    max_networks: int = 1000,
    max_organisers: int = 1000,
    max_rank_mismatches: int = 1000,
    has_rank: bool = False,
    money: bool = False,
    generated_at: str | None = None,
) -> dict[str, Any]:
    """The report of a Spark scan.

    Parameters
    ----------
    measured : pyspark.sql.DataFrame
        :func:`agentgraph.spark.measure.measure_networks` (cached by the caller).
    policy : Policy
        The policy the networks were measured under.
    source : str
        The input's name.
    rows, listed : int
        Rows read, and distinct agents listed.
    issues : IssueLog
        The data issues, in order.
    reading : Reading
        How the input was read.
    max_networks, max_organisers, max_rank_mismatches : int
        As :func:`~agentgraph.report.build.build_report`.
    has_rank : bool
        The input declares titles: the report gets ``rank_mismatches``.
    money : bool
        Payments were measured: the report gets ``money``.
    generated_at : str, optional
        ISO time stamp (default now, UTC).

    Returns
    -------
    dict
        The ``agentgraph.report/1`` report.

    Notes
    -----
    A few aggregations and two ordered ``limit`` queries over one row per
    network; O(listed networks + organisers listed + levels) on the driver.

    Examples
    --------
    >>> from agentgraph.spark.report import assemble_report
    >>> assemble_report.__name__
    'assemble_report'
    """
    from pyspark.sql import functions as F

    nets = measured.where(F.col("kind") == "net")
    totals = nets.agg(
        F.count("*").alias("networks"),
        F.sum(F.col("members")).alias("agents"),
        F.sum(F.col("flagged").cast("long")).alias("flagged"),
        F.max("levels").alias("max_levels"),
    ).collect()[0]
    n_flagged = int(totals["flagged"] or 0)
    chosen = (
        nets.where(F.col("listable"))
        .orderBy(F.col("flagged").desc(), F.col("members").desc(), F.col("key"))
        .limit(n_flagged + max(0, max_networks))
        .select("key", "members", "levels", "entry")
        .collect()
    )
    picked = {int(r["key"]) for r in chosen}
    listed_members = sum(int(r["members"]) for r in chosen)
    rest = totals["networks"] - len(chosen)
    rest_levels = 0
    if rest:
        others = nets.where(~F.col("key").isin(list(picked))) if picked else nets
        rest_levels = int(others.agg(F.max("levels")).collect()[0][0] or 0)
    orgs = measured.where(F.col("kind") == "org")
    n_orgs = orgs.count()
    org_rows = orgs.orderBy(F.col("members").desc(), F.col("key")).limit(max_organisers).collect()
    hist_rows = (
        measured.where(F.col("kind") == "hist").groupBy("key").agg(F.sum("members").alias("n"))
    ).collect()
    depth = [0] * (max((int(r["key"]) for r in hist_rows), default=-1) + 1)
    for r in hist_rows:
        depth[int(r["key"])] = int(r["n"])
    metas = [json.loads(r["entry"]) for r in measured.where(F.col("kind") == "meta").collect()]
    meta = metas[0] if metas else {}
    agents = int(totals["agents"] or 0)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_revision": SCHEMA_REVISION,
        "policy": policy.name,
        "policy_version": policy.version,
        "generated_at": generated_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": {"name": source, "kind": "members", "rows": rows, "supply_edges": 0},
        "summary": {
            "agents": agents,
            "networks": int(totals["networks"]),
            "flagged": n_flagged,
            "max_levels": int(totals["max_levels"] or 0),
            "organisers": int(n_orgs),
            "networks_listed": len(chosen),
            "listed_agents": listed,
            "data_issues": issues.summary(),
        },
        "networks": [json.loads(r["entry"]) for r in chosen],
        "networks_omitted": {
            "networks": int(rest),
            "agents": agents - listed_members,
            "max_levels": rest_levels,
        },
        "organisers": [json.loads(r["entry"]) for r in org_rows],
        "data_issues": [i.as_dict() for i in issues.items],
        "depth_histogram": depth,
        "rules": meta.get("rules", policy.describe(inputs=[])),
        "input": reading.as_dict(),
        "growth": _growth(measured, metas),
        "participants": {
            "rule": "accounts",
            "applied": False,
            "accounts": agents,
            "participants": None,
        },
    }
    if money:
        keys = [int(r["key"]) for r in chosen]
        report["money"] = _money(measured, metas, keys, max_organisers)
    if has_rank:
        report["rank_mismatches"] = _ranks(measured, max_rank_mismatches)
    return report


def _money(
    measured: DataFrame, metas: list[dict[str, Any]], chosen: list[int], limit: int
) -> dict[str, Any]:
    """The ``money`` section: the totals summed, the funds ranked, the listed flows.

    The funds rows are the ``limit`` largest collections over all partitions (by
    amount, then key: the in-process order); ``networks`` follows the listed
    networks' order.
    """
    from pyspark.sql import functions as F

    from agentgraph.spark.money import merge_money

    section = merge_money([m["money"] for m in metas if "money" in m])
    funds = (
        measured.where(F.col("kind") == "fund")
        .orderBy(F.col("amount").desc(), F.col("key"))
        .limit(limit)
        .select("entry")
        .collect()
    )
    section["funds"] = [json.loads(r["entry"]) for r in funds]
    flows: dict[int, Any] = {}
    if chosen:
        rows = measured.where((F.col("kind") == "mnet") & F.col("key").isin(chosen)).collect()
        flows = {int(r["key"]): json.loads(r["entry"]) for r in rows}
    section["networks"] = [flows[k] for k in chosen if k in flows]
    return section


def _growth(measured: DataFrame, metas: list[dict[str, Any]], fastest: int = 10) -> Any:
    """The ``growth`` section from the partitions' totals, fastest and listed networks.

    Totals are summed (a partition without a dated agent counts all its agents as
    undated); the fastest are the ``fastest`` shortest doubling times over all
    partitions (more dated members, then the root's key, first on ties); the networks
    listed are the flagged ones in the report's order, then the fastest not flagged.
    """
    from pyspark.sql import functions as F

    parts = [m["growth"] for m in metas]
    dated = [g for g in parts if g.get("measured")]
    if not dated:
        return parts[0] if parts else None
    out = dict(dated[0])
    for key in ("dated_agents", "undated_agents", "dated_from_downline", "dated_after_upline"):
        out[key] = sum(int(g[key]) for g in dated)
    out["undated_agents"] += sum(int(m["agents"]) for m in metas if not m["growth"].get("measured"))
    out["first_joined"] = min(g["first_joined"] for g in dated)
    out["last_joined"] = max(g["last_joined"] for g in dated)
    fast = (
        measured.where(F.col("kind") == "fast")
        .orderBy(F.col("levels"), F.col("members").desc(), F.col("key"))
        .limit(fastest)
        .collect()
    )
    out["fastest"] = [json.loads(r["entry"]) for r in fast]
    gnet = measured.where(F.col("kind") == "gnet")
    flagged = gnet.where(F.col("flagged")).orderBy(F.col("members").desc(), F.col("key")).collect()
    listed = [json.loads(r["entry"]) for r in flagged]
    fast_keys = [int(r["key"]) for r in fast]
    if fast_keys:
        rows = {int(r["key"]): r for r in gnet.where(F.col("key").isin(fast_keys)).collect()}
        listed += [
            json.loads(rows[k]["entry"]) for k in fast_keys if k in rows and not rows[k]["flagged"]
        ]
    out["networks"] = listed
    order = [*dated[0], "fastest", "networks"]  # the keys in the in-process order
    return {k: out[k] for k in order}


def _ranks(measured: DataFrame, limit: int) -> dict[str, Any]:
    """``rank_mismatches`` as :func:`agentgraph.measure.ranks.rank_check` gives it.

    The offset is the mode of ``level - tier`` over all titled agents (the smallest
    on ties), then the agents whose title declares another level, by key.
    """
    from pyspark.sql import functions as F

    titled = measured.where(F.col("kind") == "rank")
    diffs = titled.groupBy((F.col("levels") - F.col("members")).alias("d")).count().collect()
    if not diffs:
        return {"total": 0, "titled_agents": 0, "title_levels": {}, "agents": []}
    offset = min(diffs, key=lambda r: (-int(r["count"]), int(r["d"])))["d"]
    bad = titled.where(F.col("levels") != F.col("members") + F.lit(offset))
    total = bad.count()
    agents = []
    for r in bad.orderBy("key").limit(limit).collect():
        agents.append(
            {
                "agent": r["name"],
                "rank": r["title"],
                "declared_level": int(r["members"]) + int(offset),
                "measured_level": int(r["levels"]),
            }
        )
    firsts = (
        titled.groupBy("title")
        .agg(F.min("key").alias("first"), F.first("members").alias("tier"))
        .orderBy("first")
        .collect()
    )
    return {
        "total": int(total),
        "titled_agents": int(sum(int(r["count"]) for r in diffs)),
        "title_levels": {r["title"]: int(r["tier"]) + int(offset) for r in firsts},
        "agents": agents,
    }
