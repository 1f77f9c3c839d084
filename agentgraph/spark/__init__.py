"""The scan on Apache Spark: the same report as in-process, for inputs beyond one machine.

``pip install 'agentgraph[spark]'``; then::

    from agentgraph.spark import scan, session
    report = scan(session("local[2]"), "s3a://bucket/members/", policy="cn")

The stages (each its own module): :mod:`~agentgraph.spark.rows` reads and numbers
the rows in file order; :mod:`~agentgraph.spark.forest` encodes ids by joins, repairs
the data as the in-process engine does and finds every agent's root by pointer
doubling; :mod:`~agentgraph.spark.measure` measures whole networks on the executors
with the in-process engine; :mod:`~agentgraph.spark.report` assembles the report from
small aggregated rows. This package is the only one that imports pyspark.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentgraph.errors import ArgumentError, InputError
from agentgraph.graph.issues import IssueLog
from agentgraph.policies import Policy, get_policy
from agentgraph.spark.session import cut, require_pyspark, session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["scan", "session", "SparkScan", "scan_detailed"]


@dataclass
class SparkScan:
    """A Spark scan's report and what it cost.

    Attributes
    ----------
    report : dict
        The ``agentgraph.report/1`` report.
    passes : int
        Pointer-doubling passes.
    partitions : int
        Partitions the networks were measured in.
    seconds : dict of str to float
        Wall time per stage: read, forest, measure, report.

    Examples
    --------
    >>> SparkScan({"summary": {"flagged": 0}}, passes=3, partitions=2).partitions
    2
    """

    report: dict[str, Any]
    passes: int
    partitions: int
    seconds: dict[str, float] = field(default_factory=dict)


def _partitions(spark: SparkSession, agents: int, per: int) -> int:
    cores = int(spark.sparkContext.defaultParallelism)
    return max(cores, -(-agents // per))


def _payments(
    spark: SparkSession,
    data: Any,
    columns: dict[str, str] | None,
    forest: Any,
    timezone: str | None,
) -> tuple[Any, Any]:
    """The payments read and tied to the networks they name."""
    from pyspark.sql import functions as F

    from agentgraph.spark.payments import link_networks, read_payments
    from agentgraph.spark.rows import read_failure

    try:
        pays = read_payments(spark, data, columns=columns, timezone=timezone)
    except InputError:
        raise
    except Exception as exc:
        said = read_failure(exc, str(data))
        if said is None:
            raise
        raise said from None
    home = forest.agents.where(F.col("row") == 0).select("root").first()
    linked = link_networks(spark, pays, forest.roots, int(home[0]) if home else 0)
    return pays, linked


def _by_size(
    spark: SparkSession, agents: Any, limit: int, paid: bool
) -> tuple[Any, tuple[Any, list[tuple[int, int]]] | None]:
    """The agents of networks one worker measures, and those of larger ones (and their roots)."""
    from pyspark.sql import functions as F

    from agentgraph.spark.large import large_networks, refuse

    big = large_networks(agents, limit)
    if not big:
        return agents, None
    if paid:
        refuse(agents, big, "payments")
    keys = F.broadcast(spark.createDataFrame([(k,) for k, _ in big], "root long"))
    return agents.join(keys, "root", "left_anti"), (agents.join(keys, "root"), big)


def _first_bad_value(measured: Any, member_error: InputError | None) -> None:
    """Raise the first bad value the partitions found (payments first, then by row)."""
    from pyspark.sql import functions as F

    from agentgraph.spark.payments import first_error

    rows = [json.loads(r["entry"]) for r in measured.where(F.col("kind") == "perr").collect()]
    if member_error is not None:
        e = member_error
        rows.append({"message": e.message, "row": e.row, "column": e.column,
                     "source": e.source, "check": 99})  # fmt: skip
    first = first_error(rows)  # payments column by column, then the members, as in-process
    if first is not None:
        raise first


def scan_detailed(
    spark: SparkSession,
    data: Any,
    *,
    policy: str | Policy = "cn",
    columns: dict[str, str] | None = None,
    no_upline: tuple[str, ...] = (),
    source_name: str | None = None,
    max_networks: int = 1000,
    max_organisers: int = 1000,
    issue_limit: int = 1000,
    agents_per_partition: int = 2_000_000,
    timezone: str | None = None,
    growth_period: str = "month",
    generated_at: str | None = None,
    payments: Any = None,
    payment_columns: dict[str, str] | None = None,
    max_network_agents: int | None = None,
) -> SparkScan:
    """:func:`scan`, with the passes, partitions and time per stage.

    Parameters
    ----------
    spark, data, policy, columns, no_upline, source_name, max_networks, max_organisers
        As :func:`scan`.
    issue_limit : int
        Data issues kept in full per kind (all counted).
    agents_per_partition : int
        Agents per measuring partition (a network is never split).
    timezone : str, optional
        The zone of join times written without one (default ``Asia/Shanghai``).
    growth_period : str, default "month"
        ``day``, ``week`` or ``month``: the growth series' period.
    generated_at : str, optional
        The report's time stamp (default now).
    payments, payment_columns, max_network_agents
        As :func:`scan`.

    Returns
    -------
    SparkScan

    Notes
    -----
    See :func:`scan`.

    Examples
    --------
    >>> SparkScan({}, 0, 0).passes
    0
    """
    require_pyspark()
    from agentgraph.spark.forest import build_forest
    from agentgraph.spark.large import DEFAULT_MAX_NETWORK_AGENTS
    from agentgraph.spark.measure import measure_networks
    from agentgraph.spark.report import assemble_report
    from agentgraph.spark.rows import read_failure, read_rows

    pol = get_policy(policy)
    if pol.thresholds.participants != "accounts":
        raise ArgumentError(
            f"the policy counts participants ({pol.thresholds.participants}), which the "
            "spark engine does not measure yet (it counts accounts): scan in-process"
        )
    if max_network_agents is None:
        max_network_agents = DEFAULT_MAX_NETWORK_AGENTS
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    try:
        got, read_issues = read_rows(
            spark,
            data,
            columns=columns,
            no_upline=no_upline,
            source_name=source_name,
            timezone=timezone,
        )
    except InputError:
        raise
    except Exception as exc:  # what Spark's readers refuse, said as a bad input
        said = read_failure(exc, source_name or str(data))
        if said is None:
            raise
        raise said from None
    seconds["read"] = time.perf_counter() - t
    log = IssueLog(limit=issue_limit)
    for kind, agents, detail in read_issues:
        log.add(kind, agents, detail)
    t = time.perf_counter()
    forest = build_forest(spark, got.frame, got.rows, log)
    seconds["forest"] = time.perf_counter() - t
    pays, linked = None, None
    if payments is not None:
        t = time.perf_counter()
        pays, linked = _payments(spark, payments, payment_columns, forest, timezone)
        seconds["payments"] = time.perf_counter() - t
    t = time.perf_counter()
    parts = _partitions(spark, forest.listed + forest.implicit, agents_per_partition)
    small, large = _by_size(spark, forest.agents, max_network_agents, pays is not None)
    measured = measure_networks(
        small,
        pol,
        got.source,
        parts,
        timezone=timezone,
        growth_period=growth_period,
        payments=pays,
        linked=linked,
        fund_limit=max_organisers,
    )
    if large is not None:
        from agentgraph.spark.large import measure_large

        measured = measured.unionByName(
            measure_large(
                spark,
                large[0],
                pol,
                large[1],
                source=got.source,
                timezone=timezone,
                growth_period=growth_period,
            )
        )
    measured = measured.transform(cut)
    _first_bad_value(measured, got.bad_value)
    seconds["measure"] = time.perf_counter() - t
    t = time.perf_counter()
    report = assemble_report(
        measured,
        policy=pol,
        source=got.source,
        rows=got.rows,
        listed=forest.listed,
        issues=log,
        reading=got.reading,
        max_networks=max_networks,
        max_organisers=max_organisers,
        has_rank="rank" in got.frame.columns,
        money=pays is not None,
        generated_at=generated_at,
    )
    seconds["report"] = time.perf_counter() - t
    return SparkScan(report, forest.passes, parts, seconds)


def scan(
    spark: SparkSession,
    data: Any,
    *,
    policy: str | Policy = "cn",
    columns: dict[str, str] | None = None,
    no_upline: tuple[str, ...] = (),
    source_name: str | None = None,
    max_networks: int = 1000,
    max_organisers: int = 1000,
    timezone: str | None = None,
    growth_period: str = "month",
    generated_at: str | None = None,
    payments: Any = None,
    payment_columns: dict[str, str] | None = None,
    max_network_agents: int | None = None,
) -> dict[str, Any]:
    """Scan a member table on Spark; the report the in-process scan gives for the same rows.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session (:func:`session` makes one).
    data : str, Path or pyspark.sql.DataFrame
        A Parquet or CSV file or folder on any filesystem Spark reads (a folder's
        files in path order), or a DataFrame.
    policy : str or Policy, default "cn"
        The policy pack (or a custom policy).
    columns : dict, optional
        Canonical name -> the input's column (as ``--column``).
    no_upline : tuple of str
        More "no upline" values (as ``--no-upline``).
    source_name : str, optional
        The report's name for the input.
    max_networks, max_organisers : int, default 1000
        As :func:`agentgraph.report.build.build_report`.
    timezone : str, optional
        The zone of join times written without one (as ``--timezone``).
    growth_period : str, default "month"
        The growth series' period (as ``--growth-period``).
    generated_at : str, optional
        The report's time stamp (default now).
    payments : str, Path or pyspark.sql.DataFrame, optional
        A payment table (as ``--payments``): the money rules are evaluated and the
        report gets ``money``, as in-process
        (:mod:`agentgraph.spark.payments`).
    payment_columns : dict, optional
        Canonical name -> the payment table's column.
    max_network_agents : int, optional
        Most agents of a network measured whole in one Python worker (default
        :data:`agentgraph.spark.large.DEFAULT_MAX_NETWORK_AGENTS`); a larger network is
        measured across the cluster level by level (:mod:`agentgraph.spark.large`).

    Returns
    -------
    dict
        The ``agentgraph.report/1`` report.

    Raises
    ------
    InputError
        What the in-process readers refuse (the first bad payment value by row), and
        (not yet measured here) edge lists, the supply ladder, orders and identities.

    Notes
    -----
    One sort to number the rows, O(log depth) pointer-doubling joins, one shuffle
    by root, then the in-process engine on each partition's whole networks;
    the driver holds the listed networks, organisers and issues only. A single
    network must fit one Python worker (about 130 bytes per agent).

    Examples
    --------
    >>> from agentgraph.spark import scan  # doctest: +SKIP
    >>> scan(session(), "fixtures/boundary_30_3.csv")["summary"]["flagged"]  # doctest: +SKIP
    1
    """
    return scan_detailed(
        spark,
        data,
        policy=policy,
        columns=columns,
        no_upline=no_upline,
        source_name=source_name,
        max_networks=max_networks,
        max_organisers=max_organisers,
        timezone=timezone,
        growth_period=growth_period,
        generated_at=generated_at,
        payments=payments,
        payment_columns=payment_columns,
        max_network_agents=max_network_agents,
    ).report
