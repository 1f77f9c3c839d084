"""Assemble the appraisal document ``agentgraph.appraisal/1`` from a scan and a suspect list.

For each suspect found: level and root, upline chain, direct recruits, its own
downline counted with the suspect included (members, levels, members per level),
every member listed level by level, funds collected and pay received (with
payments), and each threshold with its rule text applied
(:mod:`agentgraph.appraisal.counts`, :mod:`agentgraph.appraisal.thresholds`).
Suspects not found, and suspects in one another's downline, are stated; the
near-threshold watch lists suspects and networks close to a line
(:mod:`agentgraph.appraisal.watch`); the record makes it reproducible
(:mod:`agentgraph.appraisal.record`).

Complexity: O(n) once (the children index, per-agent money), then O(downline) per
suspect and O(depth) per suspect for the relations.

Examples
--------
>>> import agentgraph
>>> from agentgraph.appraisal.suspects import Suspects
>>> a = agentgraph.scan("fixtures/appraisal/members.csv")
>>> doc = build_appraisal(a, Suspects.of(["B", "X9"]), generated_at="2024-01-01T00:00:00Z")
>>> s = doc["suspects"][0]
>>> s["downline"]["members"], s["downline"]["levels"], doc["not_found"]
(30, 3, ['X9'])
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from agentgraph.appraisal.counted import LeftTimes, left_times, organisations, suspect_counting
from agentgraph.appraisal.counts import (
    MoneyColumns,
    children_csr,
    downline_layers,
    funds_of,
    money_columns,
    pay_received,
)
from agentgraph.appraisal.record import COUNTING_METHOD, REPAIRS, tool_record
from agentgraph.appraisal.suspects import Suspect, Suspects
from agentgraph.appraisal.thresholds import suspect_thresholds
from agentgraph.appraisal.watch import WATCH_DEFINITION, network_watch, threshold_specs
from agentgraph.evidence.joining import join_times
from agentgraph.measure.networks import upline_chain
from agentgraph.tables import MONEY_IN_KINDS, Relations

if TYPE_CHECKING:
    from agentgraph.analysis import Analysis

__all__ = ["APPRAISAL_SCHEMA", "APPRAISAL_REVISION", "ROW_FIELDS", "build_appraisal"]

APPRAISAL_SCHEMA = "agentgraph.appraisal/1"
# Additive revisions of schema 1 (keys only ever added): 1: the first;
# 2: ``downline.counting`` (accounts vs participants, organisers who left),
#    ``counted`` in each threshold, ``organisations`` (with identities: the networks
#    the person's accounts led, added in its downline); ``record.policy.participants``;
#    ``record.as_of`` (an appraisal as of a date).
APPRAISAL_REVISION = 2

ROW_FIELDS = (
    "agent_id",
    "level",
    "relative_level",
    "upline_id",
    "joined_at",
    "entry_fee",
    "goods",
    "other",
    "paid_in",
    "pay_received",
)
"""Fields of a listed downline row (the xlsx columns, in order)."""


def _times(a: Analysis, rel: Relations | None) -> tuple[np.ndarray, np.ndarray] | None:
    if a.identities is not None:
        rel = a.identities.merged
    if rel is None:
        return None
    t = join_times(rel, a.graph)
    return None if t is None else (t.us, t.known)


def _time_text(us: np.ndarray, known: np.ndarray) -> list[str | None]:
    text = np.datetime_as_string(us.astype("datetime64[us]"), unit="s")
    return [str(t).replace("T", " ") if k else None for t, k in zip(text, known, strict=True)]


def _rows(
    a: Analysis,
    layers: list[np.ndarray],
    cols: MoneyColumns | None,
    times: tuple[np.ndarray, np.ndarray] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The listed rows of one downline: level by level, the suspect first."""
    g = a.graph
    top = int(a.hierarchy.depth[layers[0][0]]) + 1
    out: list[dict[str, Any]] = []
    for rel_level, layer in enumerate(layers, start=1):
        take = layer[: max(0, limit - len(out))]
        if not len(take):
            break
        names = g.names(take)
        ups = g.parent[take]
        up_names = g.names(np.maximum(ups, 0))
        joined = _time_text(times[0][take], times[1][take]) if times else [None] * len(take)
        paid = cols.paid_in[take] if cols is not None else None
        recv = cols.received[take].sum(axis=1) if cols is not None else None
        for k in range(len(take)):
            row: dict[str, Any] = {
                "agent_id": names[k],
                "level": top + rel_level - 1,
                "relative_level": rel_level,
                "upline_id": up_names[k] if ups[k] >= 0 else None,
                "joined_at": joined[k],
            }
            for i, kind in enumerate(MONEY_IN_KINDS):
                row[kind] = round(float(paid[k, i]), 2) if paid is not None else None
            row["paid_in"] = round(float(paid[k].sum()), 2) if paid is not None else None
            row["pay_received"] = round(float(recv[k]), 2) if recv is not None else None
            out.append(row)
    return out


def _lookup(a: Analysis, s: Suspect) -> int:
    """Dense id of a suspect (its person with identities), -1 when not found."""
    agent = s.agent_id
    if a.identities is not None:
        agent = a.identities.resolution.person_id(agent)
    return int(a.graph.node(agent))


def _not_found(a: Analysis, s: Suspect) -> dict[str, Any]:
    return {
        **s.as_dict(),
        "found": False,
        "statement": f"{s.agent_id} is not an agent of {a.graph.source} (after the row "
        "filters and repairs): nothing is counted for it",
    }


def _suspect(
    a: Analysis,
    s: Suspect,
    v: int,
    csr: tuple[np.ndarray, np.ndarray],
    cols: MoneyColumns | None,
    times: tuple[np.ndarray, np.ndarray] | None,
    max_listed: int,
    left: LeftTimes | None = None,
) -> dict[str, Any]:
    g, h, nets = a.graph, a.hierarchy, a.networks
    layers = downline_layers(csr[0], csr[1], v)
    members = int(sum(len(x) for x in layers))
    levels = len(layers)
    counting = suspect_counting(a, v, layers, left)
    j = int(h.net[v])
    funds = funds_of(cols, layers) if cols is not None else None
    penalised = None
    if a.penalised is not None:
        penalised = bool(np.isin(v, a.penalised))
    kids = layers[1] if levels > 1 else np.zeros(0, np.int32)
    rows = _rows(a, layers, cols, times, max_listed)
    thresholds = suspect_thresholds(
        threshold_specs(a.policy),
        agent=s.agent_id,
        members=counting["members"],
        levels=counting["levels"],
        funds=funds["total"]["total"] if funds is not None else None,
        penalised=penalised,
        counted=counting["counted"],
        narrowed=counting["members"] != members or counting["levels"] != levels,
    )
    top = int(h.depth[v]) + 1
    return {
        **s.as_dict(),
        "found": True,
        "person_id": g.id_of(v) if a.identities is not None else None,
        "organisations": organisations(a, v),
        "level": top,
        "root": g.id_of(int(h.root[v])),
        "is_root": bool(g.parent[v] < 0),
        "upline_chain": g.names(upline_chain(g.parent, v)[:-1]),
        "direct_recruits": {
            "count": len(kids),
            "agents": g.names(kids[:max_listed]),
        },
        "downline": {
            "members": members,
            "levels": levels,
            "below": members - 1,
            "per_level": [
                {"relative_level": k + 1, "level": top + k, "members": len(layer)}
                for k, layer in enumerate(layers)
            ],
            "listed": len(rows),
            "omitted": members - len(rows),
            "counting": counting,
        },
        "network": {
            "root": g.id_of(int(nets.roots[j])),
            "members": int(nets.members[j]),
            "levels": int(nets.levels[j]),
            "rules_fired": [f.rule for f in a.flags(j)],
        },
        "funds": funds,
        "pay_received": pay_received(cols, v) if cols is not None else None,
        "prior_penalty": penalised,
        "thresholds": thresholds,
        "in_downline_of": [],
        "suspects_in_downline": [],
        "rows": rows,
    }


def _relations(a: Analysis, found: dict[str, int]) -> list[dict[str, Any]]:
    """Pairs of suspects where one is in the other's downline (upline first)."""
    by_node: dict[int, list[str]] = {}
    for agent, v in found.items():
        by_node.setdefault(v, []).append(agent)
    depth = a.hierarchy.depth
    out = []
    for agent, v in found.items():
        chain = upline_chain(a.graph.parent, v)[:-1].tolist()
        for u in reversed(chain):
            for upper in by_node.get(u, []):
                gap = int(depth[v] - depth[u])
                out.append(
                    {
                        "upline": upper,
                        "downline": agent,
                        "levels_below": gap,
                        "statement": f"{agent} is in the downline of {upper}, {gap} "
                        f"level{'s' if gap != 1 else ''} below; {upper}'s counts include "
                        f"{agent} and its downline",
                    }
                )
    out.sort(key=lambda r: (r["upline"], r["levels_below"], r["downline"]))
    return out


def _same_person(a: Analysis, found: dict[str, int]) -> list[dict[str, Any]]:
    """Suspects whose accounts were merged into one person (identity records)."""
    by_node: dict[int, list[str]] = {}
    for agent, v in found.items():
        by_node.setdefault(v, []).append(agent)
    return [
        {
            "person_id": a.graph.id_of(v),
            "accounts": agents,
            "statement": f"{', '.join(agents)} are accounts of one person "
            f"({a.graph.id_of(v)}): each is counted as that person",
        }
        for v, agents in by_node.items()
        if len(agents) > 1
    ]


def build_appraisal(
    a: Analysis,
    suspects: Suspects,
    *,
    relations: Relations | None = None,
    inputs: list[dict[str, Any]] | None = None,
    max_listed: int = 100_000,
    max_watch: int = 1000,
    generated_at: str | None = None,
) -> dict[str, Any]:
    """The ``agentgraph.appraisal/1`` document of ``suspects`` in a finished scan.

    Parameters
    ----------
    a : Analysis
        The scan (with its payments, orders, identities and prior penalties).
    suspects : Suspects
        The suspect list (:func:`agentgraph.appraisal.suspects.read_suspects`).
    relations : Relations, optional
        The member table the scan was built from: its ``joined_at`` is listed.
    inputs : list of dict, optional
        The inputs' records (:func:`agentgraph.appraisal.record.input_record`).
    max_listed : int, default 100000
        Most downline rows listed per suspect (the counts always cover all of it;
        ``downline.omitted`` says how many were not listed).
    max_watch : int, default 1000
        Most networks listed on the watch (``total`` counts all).
    generated_at : str, optional
        ISO time stamp (default: now, UTC).

    Returns
    -------
    dict[str, Any]
        The document (``docs/appraisal.md``; JSON Schema
        ``agentgraph/report/appraisal.schema.json``).

    Notes
    -----
    O(n + payments) once plus O(downline + depth) per suspect.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.appraisal.suspects import read_suspects
    >>> a = agentgraph.scan("fixtures/appraisal/members.csv")
    >>> doc = build_appraisal(a, read_suspects("fixtures/appraisal/suspects.csv"))
    >>> [(s["agent_id"], s["downline"]["members"]) for s in doc["suspects"] if s["found"]]
    [('A', 60), ('B', 30), ('C', 29), ('B1', 6), ('R', 31)]
    >>> [(r["upline"], r["downline"]) for r in doc["relations"]]
    [('A', 'B'), ('A', 'C'), ('A', 'B1'), ('B', 'B1')]
    """
    csr = children_csr(a.graph.parent)
    cols = money_columns(a.money, len(a.graph)) if a.money is not None else None
    times = _times(a, relations)
    left = left_times(a, relations)
    entries: list[dict[str, Any]] = []
    found: dict[str, int] = {}
    for s in suspects.items:
        v = _lookup(a, s)
        if v < 0:
            entries.append(_not_found(a, s))
            continue
        found[s.agent_id] = v
        entries.append(_suspect(a, s, v, csr, cols, times, max_listed, left))
    rels = _relations(a, found)
    same = _same_person(a, found)
    by_id = {e["agent_id"]: e for e in entries}
    for r in rels:
        by_id[r["upline"]]["suspects_in_downline"].append(r["downline"])
        by_id[r["downline"]]["in_downline_of"].append(r["upline"])
    specs = threshold_specs(a.policy)
    meeting = {
        spec.rule: [e["agent_id"] for e in entries if e["found"] and _met(e, spec.rule)]
        for spec in specs
    }
    watch_suspects = [
        {"agent_id": e["agent_id"], "rule": t["rule"], "short": t["short"]}
        for e in entries
        if e["found"]
        for t in e["thresholds"]
        if t["near"]
    ]
    evidence = a.evidence_inputs()
    if a.identities is not None:
        evidence.append("identities")
    return {
        "schema": APPRAISAL_SCHEMA,
        "schema_revision": APPRAISAL_REVISION,
        "generated_at": generated_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "policy": {
            "name": a.policy.name,
            "version": a.policy.version,
            "title": a.policy.title,
        },
        "source": a.graph.source,
        "evidence": evidence,
        "summary": {
            "suspects": len(entries),
            "found": len(found),
            "not_found": len(entries) - len(found),
            "agents": len(a.graph),
            "networks": len(a.networks),
            "meeting": meeting,
            "near": len(watch_suspects),
        },
        "suspects": entries,
        "not_found": [e["agent_id"] for e in entries if not e["found"]],
        "relations": rels,
        "same_person": same,
        "watch": {
            "definition": WATCH_DEFINITION,
            "suspects": watch_suspects,
            "networks": network_watch(a, max_watch),
        },
        "record": {
            "tool": tool_record(),
            "policy": {
                "name": a.policy.name,
                "version": a.policy.version,
                "participants": a.policy.thresholds.participants,
                "thresholds": [
                    {
                        "rule": s.rule,
                        "min_members": s.min_members,
                        "min_levels": s.min_levels,
                        "min_amount": s.min_amount,
                        "needs": s.needs,
                    }
                    for s in specs
                ],
            },
            "inputs": list(inputs or []),
            "suspect_list": suspects.as_dict(),
            "reading": a.graph.reading.as_dict() if a.graph.reading is not None else None,
            "data_issues": a.graph.issues.summary(),
            "counting_method": list(COUNTING_METHOD),
            "watch_definition": WATCH_DEFINITION,
            "repairs": list(REPAIRS),
            "max_listed": max_listed,
            "as_of": a.as_of,
        },
    }


def _met(entry: dict[str, Any], rule: str) -> bool:
    return any(t["rule"] == rule and t["met"] is True for t in entry["thresholds"])
