"""Networks measured on the executors by the in-process engine itself.

The agents are partitioned by their root, so every network lies whole in one
partition; each partition's rows, in row order, are one member table that the
in-process :func:`agentgraph.analyse` measures with the same compiled kernels (one
analysis per partition, not per network: a million lone agents cost one call). Its
report gives each network's entry (tier counts, deepest chain, flags and their
evidence) word for word; what the driver needs to rank and sum comes out as small
rows: one per network, one per organiser, one per depth, one of metadata.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.errors import InputError
from agentgraph.measure.ranks import NO_TIER, title_tiers
from agentgraph.policies import Policy

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["OUT_SCHEMA", "measure_networks", "measure_partition"]

OUT_SCHEMA = (
    "kind string, key long, members long, levels long, flagged boolean, listable boolean,"
    " entry string, name string, title string, amount double"
)
"""One row per network (``net``), organiser (``org``: ``members`` = its downline),
depth (``hist``: ``key`` = depth, ``members`` = agents), titled agent (``rank``:
``members`` = the title's tier, ``levels`` = the measured level, ``name`` and
``title``), fastest-growing network of the partition (``fast``: ``members`` = dated
members, ``levels`` = doubling days), network in its growth section (``gnet``),
partition (``meta``: the rules, the growth totals and the money totals unrounded) and,
with payments, agent who collected funds (``fund``: ``amount`` = collected), network's
payouts by levels up (``mnet``) and the first bad payment value (``perr``)."""

_FIELDS = [
    ("kind", pa.string()),
    ("key", pa.int64()),
    ("members", pa.int64()),
    ("levels", pa.int64()),
    ("flagged", pa.bool_()),
    ("listable", pa.bool_()),
    ("entry", pa.string()),
    ("name", pa.string()),
    ("title", pa.string()),
    ("amount", pa.float64()),
]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def measure_partition(
    table: pa.Table,
    policy: str | Policy,
    source: str,
    *,
    timezone: str | None = None,
    growth_period: str = "month",
    payment_schema: pa.Schema | None = None,
    payment_source: str = "",
    fund_limit: int = 1000,
    payment_headers: dict[str, str] | None = None,
) -> pa.Table:
    """Measure the networks of one partition (rows sorted by ``row``).

    Parameters
    ----------
    table : pyarrow.Table
        ``row``, ``agent_id``, ``upline_id``, ``root``, ``root_id`` of whole networks.
    policy : str or Policy
        The policy pack (or a custom policy).
    source : str
        The input's name.
    timezone : str, optional
        The zone of join times written without one (as ``--timezone``).
    growth_period : str, default "month"
        The period of the growth series.
    payment_schema : pyarrow.Schema, optional
        With payments: ``table`` holds agent rows (``_t`` = ``a``) and payment rows
        (``_t`` = ``p``, :func:`agentgraph.spark.payments.partition_payments`), and
        this is the normalised payments' schema.
    payment_source : str
        The payments' name.
    fund_limit : int, default 1000
        Most ``fund`` rows (the report lists at most this many overall).
    payment_headers : dict, optional
        Canonical name -> the payments' header (bad values named as in-process).

    Returns
    -------
    pyarrow.Table
        Rows of :data:`OUT_SCHEMA`.

    Notes
    -----
    O(rows) plus the in-process analysis and report of the partition. The money
    flags' cited payment rows are rewritten to the global rows.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"row": [0, 1, 2], "agent_id": ["A", "B", "C"],
    ...               "upline_id": [None, "A", "B"], "root": [0, 0, 0],
    ...               "root_id": ["A", "A", "A"]})
    >>> out = measure_partition(t, "cn", "demo")
    >>> [(k, m, lv) for k, m, lv in zip(*(out.column(c).to_pylist()
    ...  for c in ("kind", "members", "levels"))) if k == "net"]
    [('net', 3, 3)]
    """
    from agentgraph.analysis import analyse
    from agentgraph.loaders.values import time_column
    from agentgraph.spark.payments import cited_rows, partition_payments
    from agentgraph.tables import Relations

    pays, prow = None, None
    if payment_schema is not None:
        tag = table.column("_t")
        paid = table.filter(pc.equal(tag, "p"))
        table = table.filter(pc.equal(tag, "a"))
        pays, prow, bad = partition_payments(
            paid, payment_schema, payment_source, timezone=timezone, headers=payment_headers
        )
        if bad is not None:
            return _rows(
                "perr",
                np.array([bad["row"] or 0]),
                np.zeros(1),
                np.zeros(1),
                n=1,
                entry=pa.array([_dumps(bad)], pa.string()),
            )
    has_rank = "rank" in table.column_names
    keep = [
        c for c in ("agent_id", "upline_id", "rank", "prior_penalty") if c in table.column_names
    ]
    members = table.select(keep)
    if "joined_at" in table.column_names:  # parsed here as the in-process reader does
        joined = time_column(table.column("joined_at"), "joined_at", source, timezone=timezone)
        members = members.append_column("joined_at", joined)
    rel = Relations("members", members, source)
    try:
        a = analyse(rel, policy, growth_period=growth_period, payments=pays)
    except InputError as exc:  # a bad member value (prior_penalty): its row in the input
        if exc.row is None or exc.source != source:
            raise
        row_of = table.column("row").to_numpy()
        bad = {"message": exc.message, "row": int(row_of[exc.row - 1]) + 1,
               "column": exc.column, "source": source, "check": 99}  # fmt: skip
        return _rows("perr", np.array([bad["row"]]), np.zeros(1), np.zeros(1), n=1,
                     entry=pa.array([_dumps(bad)], pa.string()))  # fmt: skip
    nets, g, h = a.networks, a.graph, a.hierarchy
    report = a.report(max_networks=len(nets), max_organisers=len(a.organisers))
    root_key = dict(
        zip(table.column("root_id").to_pylist(), table.column("root").to_pylist(), strict=True)
    )
    row_key = table.column("row").to_numpy()
    n_rows = len(row_key)
    if prow is not None:  # the money flags cite the payments' global rows
        report["networks"] = [cited_rows(e, prow) for e in report["networks"]]
    parts: list[pa.Table] = [_nets(a, report, row_key, root_key)]
    if a.money is not None:
        parts.append(_money_rows(a, report, row_key, root_key, fund_limit))
    out: dict[str, list[Any]] = {name: [] for name, _ in _FIELDS}

    def add(kind: str, key: int, members: int, levels: int, flagged: bool, entry: str) -> None:
        for name, value in zip(
            ("kind", "key", "members", "levels", "flagged", "listable", "entry"),
            (kind, key, members, levels, flagged, False, entry),
            strict=True,
        ):
            out[name].append(value)
        out["name"].append(None)
        out["title"].append(None)
        out["amount"].append(None)

    for v, e in zip(a.organisers.tolist(), report["organisers"], strict=True):
        key = int(row_key[v]) if v < n_rows else int(root_key[e["agent"]])
        add("org", key, int(h.size[v]), 0, False, _dumps(e))
    for d, count in enumerate(np.bincount(h.depth).tolist()):
        if count:
            add("hist", d, int(count), 0, False, "")
    if has_rank and g.rank is not None:  # titled agents are listed: they have a row
        _, _, tier = title_tiers(g.rank)
        titled = np.flatnonzero(tier != NO_TIER)
        n = len(titled)
        at = pa.array(titled.astype(np.int64))
        parts.append(
            _rows(
                "rank",
                row_key[titled],
                tier[titled],
                h.level[titled],  # the property is O(n): read once
                name=g.flat_ids.take(at),
                title=pc.cast(g.rank.take(at), pa.string()),
                n=n,
            )
        )
    growth = report["growth"]
    if growth.get("measured"):
        members_of = dict(zip(g.names(nets.roots), nets.members.tolist(), strict=True))
        for e in growth["fastest"]:
            key = int(root_key[e["root"]])
            add("fast", key, e["dated_members"], e["doubling_days"], False, _dumps(e))
        for e in growth["networks"]:
            key = int(root_key[e["root"]])
            add("gnet", key, members_of[e["root"]], 0, e["flagged"], _dumps(e))
        growth = {k: v for k, v in growth.items() if k not in ("fastest", "networks")}
    elif a.growth is not None and len(nets):  # undated here: listed if others are dated
        from agentgraph.report.growth import network_growth

        js = np.flatnonzero(np.asarray(a.flagged, np.bool_))
        for j, e in zip(js.tolist(), network_growth(a, a.growth, a.growth_rules, js), strict=True):
            add("gnet", int(root_key[e["root"]]), int(nets.members[j]), 0, True, _dumps(e))
    meta: dict[str, Any] = {"rules": report["rules"], "growth": growth, "agents": len(g)}
    if a.money is not None:
        from agentgraph.report.sections import money_section

        partial = money_section(
            a.money, g, h, a.organisers, 0, thresholds=a.policy.thresholds, digits=None
        )
        meta["money"] = {k: v for k, v in partial.items() if k != "funds"}
    add("meta", 0, 0, 0, False, _dumps(meta))
    parts.append(pa.table({name: pa.array(out[name], t) for name, t in _FIELDS}))
    return pa.concat_tables(parts)


def _rows(
    kind: str,
    key: np.ndarray,
    members: np.ndarray,
    levels: np.ndarray,
    *,
    n: int,
    flagged: np.ndarray | None = None,
    listable: np.ndarray | None = None,
    entry: pa.Array | None = None,
    name: pa.Array | None = None,
    title: pa.Array | None = None,
    amount: np.ndarray | None = None,
) -> pa.Table:
    """Rows of :data:`OUT_SCHEMA` from columns (O(n), no Python loop)."""
    no = np.zeros(n, np.bool_)
    return pa.table(
        {
            "kind": pa.array([kind] * n, pa.string()) if n else pa.array([], pa.string()),
            "key": pa.array(np.asarray(key, np.int64)),
            "members": pa.array(np.asarray(members, np.int64)),
            "levels": pa.array(np.asarray(levels, np.int64)),
            "flagged": pa.array(no if flagged is None else flagged),
            "listable": pa.array(no if listable is None else listable),
            "entry": entry if entry is not None else pa.nulls(n, pa.string()),
            "name": name if name is not None else pa.nulls(n, pa.string()),
            "title": title if title is not None else pa.nulls(n, pa.string()),
            "amount": (
                pa.array(np.asarray(amount, np.float64))
                if amount is not None
                else pa.nulls(n, pa.float64())
            ),
        },
        schema=pa.schema(_FIELDS),
    )


def _money_rows(
    a: Any, report: dict[str, Any], row_key: np.ndarray, root_key: dict[str, int], limit: int
) -> pa.Table:
    """``fund`` rows (the partition's first ``limit`` collectors) and ``mnet`` rows."""
    from agentgraph.report.sections import fund_holders, fund_rows

    m, g, h = a.money, a.graph, a.hierarchy
    n_rows = len(row_key)
    top = fund_holders(m, h, a.organisers, limit)
    names = g.names(top)
    keys = np.array(
        [
            int(row_key[v]) if v < n_rows else int(root_key[names[i]])
            for i, v in enumerate(top.tolist())
        ],
        np.int64,
    )
    funds = _rows(
        "fund",
        keys,
        np.zeros(len(top)),
        np.zeros(len(top)),
        n=len(top),
        entry=pa.array([_dumps(e) for e in fund_rows(m, g, h, top)], pa.string()),
        amount=m.funds_below[top],
    )
    flows = report["money"]["networks"]
    mnet = _rows(
        "mnet",
        np.array([root_key[e["root"]] for e in flows], np.int64),
        np.zeros(len(flows)),
        np.zeros(len(flows)),
        n=len(flows),
        entry=pa.array([_dumps(e) for e in flows], pa.string()),
    )
    return pa.concat_tables([funds, mnet])


def _nets(
    a: Any, report: dict[str, Any], row_key: np.ndarray, root_key: dict[str, int]
) -> pa.Table:
    """One row per network: key, members, levels, flagged, listable, its entry JSON."""
    nets, g = a.networks, a.graph
    k = len(nets)
    roots = nets.roots.astype(np.int64)
    listed = roots < len(row_key)
    keys = np.empty(k, np.int64)
    keys[listed] = row_key[roots[listed]]
    implicit = np.flatnonzero(~listed)
    if len(implicit):  # uplines never listed: their key by name
        keys[implicit] = [root_key[x] for x in g.names(roots[implicit])]
    flagged = np.asarray(a.flagged, np.bool_)
    entries = report["networks"]
    listable = np.zeros(k, np.bool_)
    texts: list[str | None] = [None] * k
    if entries:
        js = np.flatnonzero(flagged | (nets.members > 1))
        where = dict(zip(g.names(roots[js]), js.tolist(), strict=True))
        for e in entries:
            j = where[e["root"]]
            listable[j] = True
            texts[j] = _dumps(e)
    return _rows(
        "net",
        keys,
        nets.members,
        nets.levels,
        n=k,
        flagged=flagged,
        listable=listable,
        entry=pa.array(texts, pa.string()),
    )


def measure_networks(
    agents: DataFrame,
    policy: str | Policy,
    source: str,
    partitions: int,
    *,
    timezone: str | None = None,
    growth_period: str = "month",
    payments: Any = None,
    linked: Any = None,
    fund_limit: int = 1000,
) -> DataFrame:
    """Every network measured where its partition lies (see the module docstring).

    Parameters
    ----------
    agents : pyspark.sql.DataFrame
        :attr:`agentgraph.spark.forest.Forest.agents`.
    policy : str or Policy
        The policy pack (or a custom policy).
    source : str
        The input's name.
    partitions : int
        How many partitions the networks are spread over.
    timezone, growth_period
        As :func:`measure_partition`.
    payments : SparkPayments, optional
        The payments (:func:`agentgraph.spark.payments.read_payments`); then
        ``linked`` is required.
    linked : Linked, optional
        The payments' groups (:func:`agentgraph.spark.payments.link_networks`): the
        networks tied by a payment are measured in one partition, with the payments.
    fund_limit : int, default 1000
        As :func:`measure_partition`.

    Returns
    -------
    pyspark.sql.DataFrame
        Rows of :data:`OUT_SCHEMA`.

    Notes
    -----
    One shuffle (by root) and one sort within partitions; each partition's rows
    are held by one Python worker while it is measured (about 130 bytes per agent).

    Examples
    --------
    >>> "listable boolean" in OUT_SCHEMA
    True
    """
    from pyspark.sql import functions as F

    schema = payments.schema if payments is not None else None
    pay_source = payments.source if payments is not None else ""
    headers = payments.headers if payments is not None else None

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        got = list(batches)
        if not got or not sum(b.num_rows for b in got):
            return
        table = pa.Table.from_batches(got)
        if schema is not None and not pc.any(pc.equal(table.column("_t"), "a")).as_py():
            # payments go to the group of one of their agents, or with the first row's
            # network: a partition of payments alone would be a defect, not data
            raise RuntimeError("agentgraph: payments reached a partition without agents")
        out = measure_partition(
            table,
            policy,
            source,
            timezone=timezone,
            growth_period=growth_period,
            payment_schema=schema,
            payment_source=pay_source,
            fund_limit=fund_limit,
            payment_headers=headers,
        )
        yield from out.to_batches()

    if payments is None:
        spread = agents.repartition(partitions, "root").sortWithinPartitions("row")
        return spread.mapInArrow(run, OUT_SCHEMA)
    tagged = agents.withColumn("_t", F.lit("a"))
    if linked.groups is not None:
        groups = linked.groups if linked.ties > 1_000_000 else F.broadcast(linked.groups)
        tagged = tagged.join(groups, "root", "left")
        tagged = tagged.withColumn("group", F.coalesce(F.col("group"), F.col("root")))
    else:
        tagged = tagged.withColumn("group", F.col("root"))
    both = tagged.unionByName(
        linked.payments.withColumn("_t", F.lit("p")), allowMissingColumns=True
    )
    spread = both.repartition(partitions, "group").sortWithinPartitions("row")
    return spread.mapInArrow(run, OUT_SCHEMA)
