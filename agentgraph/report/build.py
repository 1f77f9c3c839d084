"""The JSON report: contract ``agentgraph.report/1`` (agentgraph/report/report.schema.json).

Stable keys (other tools rely on them; extend, never break):
``schema``, ``schema_revision`` (additive revisions, see :data:`SCHEMA_REVISION`),
``policy``, ``summary`` {agents, networks, flagged, max_levels},
``networks`` [{root, members, levels, tier_counts, structure, deepest_chain,
flags [{rule, severity, citation, evidence}]}], ``organisers`` [{agent,
downline, levels}], ``data_issues`` [{kind, agents, detail}].

Networks are listed flagged first, then by size. Every flagged network is listed
in full; unflagged networks are listed up to ``max_networks`` (single-member
networks are never listed one by one) and the rest summarised in
``networks_omitted``.

The report is read from a finished scan through the
:class:`agentgraph.scanned.Scanned` protocol; the evidence sections come from
:mod:`agentgraph.report.sections`. The JSON Schema ships with the package
(:func:`agentgraph.report.schema.report_schema`).

Examples
--------
>>> import agentgraph
>>> report = build_report(agentgraph.scan("fixtures/chain5.csv"))
>>> report["schema"], report["summary"]["agents"], report["summary"]["max_levels"]
('agentgraph.report/1', 5, 5)
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from agentgraph.measure.networks import chains, structure_class
from agentgraph.report.growth import growth_section
from agentgraph.report.money_flow import money_by_network
from agentgraph.report.sections import identities_section, money_section, sales_section
from agentgraph.report.supply import supply_section

if TYPE_CHECKING:
    from agentgraph.evidence.supply import SupplyEvidence
    from agentgraph.scanned import Scanned

__all__ = ["SCHEMA", "SCHEMA_REVISION", "build_report", "dumps"]

SCHEMA = "agentgraph.report/1"
# Additive revisions of schema 1 (keys only ever added; ``schema`` unchanged):
# 1: networks, organisers, data_issues, rank_mismatches, depth_histogram, rules;
# 2: the evidence sections ``money``, ``sales``, ``identities``; money rules in
#    ``rules`` with ``needs``, ``liability``, ``evaluated``, ``requires_any``;
# 3: ``input`` (how the file was read: format, table, columns, schema, no-upline
#    values, filters) and the data issue kinds ``no_upline_value`` and
#    ``upline_disagreement``;
# 4: ``growth`` (members and levels over time, thresholds dated, fastest growing;
#    :mod:`agentgraph.report.growth`) and ``input.as_of`` (a scan as of a date).
#    Also ``supply`` (the 微商 supply ladder beside the referral tree, when the input
#    has one: both depths per network, inventory loading, paid rank-ups, referral bonuses).
# 5: money law: ``money.pay_basis`` (what stands behind each upline payout and which
#    signal decided it), ``decided_by`` / ``unknown_basis`` / ``not_checked`` in the
#    money flags' evidence; ``participants`` (who the thresholds count: setting and
#    totals), per network ``participants`` / ``participant_levels`` when participants
#    are counted, and ``counted`` (and ``accounts``) in the threshold flags' evidence.
# 6: ``money.networks`` (per listed network with payouts: the payouts and their
#    amounts by levels up, and those paid off the source's upline chain;
#    :mod:`agentgraph.report.money_flow`).
SCHEMA_REVISION = 6


def _networks(
    a: Scanned, max_networks: int
) -> tuple[list[dict[str, Any]], dict[str, int], np.ndarray]:
    nets = a.networks
    order = a.network_order()
    flagged = a.flagged[order]
    listable = flagged | (nets.members[order] > 1)
    n_flagged = int(flagged.sum())
    chosen = order[listable][: max(n_flagged, n_flagged + max_networks)]
    rest = np.ones(len(nets), np.bool_)
    rest[chosen] = False
    g = a.graph
    flat, offsets = chains(g.parent, nets.deepest[chosen], nets.levels[chosen])
    names = g.names(flat)
    roots = g.names(nets.roots[chosen])
    members = nets.members[chosen].tolist()
    levels = nets.levels[chosen].tolist()
    max_direct = nets.max_direct[chosen].tolist()
    tiers = nets.tier_lists(chosen)
    branching = nets.mean_branching_many(chosen)
    starts = offsets.tolist()
    fired = a.flagged[chosen]
    # every flag's evidence column-wise: each rule over all its listed networks at once
    flag_rows = iter(a.flag_dicts(chosen[fired]))
    has_flags = fired.tolist()
    part = getattr(a, "participants", None)
    p_members = part.members[chosen].tolist() if part is not None and part.applied else None
    p_levels = part.levels[chosen].tolist() if part is not None and part.applied else None
    out = []
    for k in range(len(chosen)):
        out.append(
            {
                "root": roots[k],
                "members": members[k],
                "levels": levels[k],
                "tier_counts": tiers[k],
                "structure": structure_class(levels[k]),
                "deepest_chain": names[starts[k] : starts[k + 1]],
                "max_direct_recruits": max_direct[k],
                "mean_branching": branching[k],
                "flags": next(flag_rows) if has_flags[k] else [],
            }
        )
        if p_members is not None and p_levels is not None:
            out[-1]["participants"] = p_members[k]
            out[-1]["participant_levels"] = p_levels[k]
    omitted = {
        "networks": int(rest.sum()),
        "agents": int(nets.members[rest].sum()),
        "max_levels": int(nets.levels[rest].max()) if rest.any() else 0,
    }
    return out, omitted, chosen


def _organisers(a: Scanned, limit: int) -> list[dict[str, Any]]:
    h = a.hierarchy
    ids = a.organisers[:limit]
    names = a.graph.names(ids)
    roots = a.graph.names(h.root[ids])
    return [
        {
            "agent": names[k],
            "network": roots[k],
            "downline": int(h.size[v]),
            "levels": int(h.height[v]) + 1,
            "direct_recruits": int(h.direct[v]),
        }
        for k, v in enumerate(ids.tolist())
    ]


def _ranks(a: Scanned, limit: int) -> dict[str, Any] | None:
    rc = a.ranks
    if rc is None:
        return None
    ids = rc.mismatched[:limit]
    names = a.graph.names(ids)
    assert a.graph.rank is not None
    titles = a.graph.rank.take(ids.astype(np.int64)).to_pylist()
    level = a.hierarchy.level
    return {
        "total": int(len(rc.mismatched)),
        "titled_agents": rc.titled,
        "title_levels": rc.title_levels,
        "agents": [
            {
                "agent": names[k],
                "rank": titles[k],
                "declared_level": int(rc.declared[k]),
                "measured_level": int(level[v]),
            }
            for k, v in enumerate(ids.tolist())
        ],
    }


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while the report's objects are made.

    A report of tens of thousands of flagged networks is millions of small dicts and
    lists, none of them in a cycle; the collector would walk the ones already made
    again and again as more are made (a third of the report's time at 1M agents).
    It is resumed at the end (left off if it was off); nothing it would collect is
    made here.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build_report(
    a: Scanned,
    *,
    max_networks: int = 1000,
    max_organisers: int = 1000,
    max_rank_mismatches: int = 1000,
    generated_at: str | None = None,
    source_name: str | None = None,
) -> dict[str, Any]:
    """Assemble the JSON-ready report of an analysis.

    Parameters
    ----------
    a : Scanned
        A finished scan (:class:`agentgraph.scanned.Scanned`, e.g. the
        :class:`~agentgraph.analysis.Analysis` that :func:`agentgraph.scan` returns).
    max_networks : int, default 1000
        Unflagged networks with >= 2 members listed in full (flagged: all).
    max_organisers, max_rank_mismatches : int, default 1000
        Caps on those lists (their totals are always given).
    generated_at : str, optional
        ISO time stamp (default: now, UTC).
    source_name : str, optional
        Name of the input shown in the report (default: the graph's source).

    Returns
    -------
    dict[str, Any]
        The ``agentgraph.report/1`` dict, revision :data:`SCHEMA_REVISION`
        (described by the shipped JSON Schema,
        :func:`agentgraph.report.schema.report_schema`): the stable keys listed in
        the module's docstring, plus ``identities``, ``sales`` and ``money`` when the
        scan had that evidence, ``rank_mismatches`` when the input declared ranks,
        ``supply`` when the input carries a supply relation
        (:mod:`agentgraph.report.supply`), ``growth`` always (``measured`` false
        without join times) and ``input.as_of`` for a scan as of a date.
        Networks are listed flagged first, then by size.

    Notes
    -----
    O(n) for the histogram plus O(listed networks x their levels + chain lengths);
    every rule's evidence is built column-wise over its flagged networks
    (:meth:`agentgraph.analysis.Analysis.flag_dicts`), with the cycle collector
    paused while the report's objects are made. Counting: a level is a layer of the
    recruitment tree, the root is level 1 and members include the root.

    Examples
    --------
    >>> import agentgraph
    >>> a = agentgraph.scan("fixtures/boundary_30_3.csv")
    >>> r = build_report(a, generated_at="2024-01-01T00:00:00Z", source_name="demo")
    >>> r["schema"], r["schema_revision"], r["source"]["name"], r["summary"]["flagged"]
    ('agentgraph.report/1', 6, 'demo', 1)
    >>> net = r["networks"][0]
    >>> net["root"], net["members"], net["levels"], net["tier_counts"], net["flags"][0]["rule"]
    ('001', 30, 3, [1, 5, 24], 'cn.threshold')
    >>> r["depth_histogram"], r["networks_omitted"]
    ([1, 5, 24], {'networks': 0, 'agents': 0, 'max_levels': 0})
    """
    with _no_cycle_collection():
        return _build(
            a, max_networks, max_organisers, max_rank_mismatches, generated_at, source_name
        )


def _build(
    a: Scanned,
    max_networks: int,
    max_organisers: int,
    max_rank_mismatches: int,
    generated_at: str | None,
    source_name: str | None,
) -> dict[str, Any]:
    nets = a.networks
    networks, omitted, listed = _networks(a, max_networks)
    depth_hist = np.bincount(a.hierarchy.depth, minlength=1).tolist() if len(a.graph) else []
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_revision": SCHEMA_REVISION,
        "policy": a.policy.name,
        "policy_version": a.policy.version,
        "generated_at": generated_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": {
            "name": source_name or a.graph.source,
            "kind": a.graph.kind,
            "rows": a.graph.rows,
            "supply_edges": a.graph.supplies,
        },
        "summary": {
            "agents": len(a.graph),
            "networks": len(nets),
            "flagged": int(a.flagged.sum()),
            "max_levels": int(nets.levels.max()) if len(nets) else 0,
            "organisers": int(len(a.organisers)),
            "networks_listed": len(networks),
            "listed_agents": int(a.graph.n_listed),
            "data_issues": a.graph.issues.summary(),
        },
        "networks": networks,
        "networks_omitted": omitted,
        "organisers": _organisers(a, max_organisers),
        "data_issues": [i.as_dict() for i in a.graph.issues.items],
        "depth_histogram": depth_hist,
        "rules": a.policy.describe(inputs=a.evidence_inputs()),
    }
    if a.graph.reading is not None:
        report["input"] = a.graph.reading.as_dict()
    as_of = getattr(a, "as_of", None)
    if as_of is not None:
        report.setdefault("input", {})["as_of"] = as_of
    report["growth"] = growth_section(
        a, getattr(a, "growth", None), list(getattr(a, "growth_rules", []))
    )
    part = getattr(a, "participants", None)
    report["participants"] = (
        part.as_dict(nets)
        if part is not None
        else {"rule": "accounts", "applied": False, "accounts": len(a.graph), "participants": None}
    )
    if a.identities is not None:
        report["identities"] = identities_section(a, max_organisers)
    if a.sales is not None:
        report["sales"] = sales_section(
            a.sales, a.graph, a.hierarchy, max_organisers, thresholds=a.policy.thresholds
        )
    if a.money is not None:
        report["money"] = money_section(
            a.money,
            a.graph,
            a.hierarchy,
            a.organisers,
            max_organisers,
            thresholds=a.policy.thresholds,
        )
        report["money"]["networks"] = money_by_network(
            a.money, listed, [n["root"] for n in networks]
        )
    supply = cast("SupplyEvidence | None", getattr(a, "supply", None))
    if supply is not None:
        report["supply"] = supply_section(a, supply, max_organisers)
    ranks = _ranks(a, max_rank_mismatches)
    if ranks is not None:
        report["rank_mismatches"] = ranks
    return report


def dumps(report: dict[str, Any], *, indent: int | None = None) -> str:
    """Serialise a report as JSON text (UTF-8 characters kept, not escaped).

    Parameters
    ----------
    report : dict[str, Any]
        A report from :func:`build_report` (or any JSON-ready dict).
    indent : int, optional
        Indent nested levels by this many spaces; ``None`` (default) gives compact
        text with no spaces after separators.

    Returns
    -------
    str

    Notes
    -----
    Compact by default: the standard library's C encoder only serves
    ``indent=None`` and is several times faster on large reports. O(size of the
    report).

    Examples
    --------
    >>> dumps({"root": "王总", "levels": 3})
    '{"root":"王总","levels":3}'
    >>> print(dumps({"levels": [1, 5]}, indent=1))
    {
     "levels": [
      1,
      5
     ]
    }
    """
    if indent is None:  # strict JSON: NaN or Infinity is a bug, never written
        return json.dumps(report, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return json.dumps(report, ensure_ascii=False, indent=indent, allow_nan=False)
