"""The report's ``supply`` section: the 微商 supply ladder beside the referral tree.

Added in revision 4 of ``agentgraph.report/1``, present only when the input carries a
supply relation (:mod:`agentgraph.evidence.supply`). The referral tree stays the one
the thresholds count (``networks[].levels``); this section reports the supply tree
beside it and its signals: inventory loading, paid rank-ups, referral bonuses.

Examples
--------
>>> import agentgraph
>>> sec = agentgraph.scan("fixtures/supply/members.csv").report()["supply"]
>>> sec["max_supply_levels"], sec["supply_level_counts"], sec["recruiter_differs"]
(6, [1, 3, 3, 3, 1, 1], 2)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from agentgraph.evidence.supply import SupplyEvidence

if TYPE_CHECKING:
    from agentgraph.scanned import Scanned

__all__ = ["COUNTING", "supply_section"]

COUNTING = (
    "The referral tree (推荐人, upline_id) is the tree the thresholds count: a level is a "
    "layer of it, the root is level 1. The supply ladder (拿货上级) is measured beside "
    "it and counted the same way: the top of a ladder (the brand) is supply level 1. "
    "Rank titles (总代, 一级 ...) are not levels of either."
)


def _r(x: float) -> float:
    return round(float(x), 2)


def _differs(a: Scanned, ev: SupplyEvidence, limit: int) -> list[dict[str, Any]]:
    g, h = a.graph, a.hierarchy
    ids = np.flatnonzero(ev.differs)[:limit]
    names, recs, sups = g.names(ids), g.names(g.parent[ids]), g.names(ev.parent[ids])
    return [
        {
            "agent": names[k],
            "recruiter": recs[k],
            "supplier": sups[k],
            "level": int(h.depth[v]) + 1,
            "supply_level": int(ev.tree.depth[v]) + 1,
        }
        for k, v in enumerate(ids.tolist())
    ]


def _networks(a: Scanned, ev: SupplyEvidence, in_ladder: np.ndarray, limit: int) -> list[Any]:
    h, nets = a.hierarchy, a.networks
    k = len(nets)
    supply_levels = np.zeros(k, np.int64)
    np.maximum.at(supply_levels, h.net[in_ladder], ev.tree.depth[in_ladder] + 1)
    with_supplier = np.bincount(h.net[ev.parent >= 0], minlength=k)[:k]
    differs = np.bincount(h.net[ev.differs], minlength=k)[:k]
    n = np.int64(len(ev.parent))
    pairs = np.unique(h.net[in_ladder].astype(np.int64) * n + ev.tree.root[in_ladder])
    tops = np.bincount(pairs // n, minlength=k)[:k]
    order = [j for j in a.network_order().tolist() if supply_levels[j] > 0][:limit]
    roots = a.graph.names(nets.roots[order])
    return [
        {
            "root": roots[i],
            "members": int(nets.members[j]),
            "levels": int(nets.levels[j]),
            "supply_levels": int(supply_levels[j]),
            "supply_tops": int(tops[j]),
            "agents_with_supplier": int(with_supplier[j]),
            "recruiter_differs": int(differs[j]),
        }
        for i, j in enumerate(order)
    ]


def _ladders(a: Scanned, ev: SupplyEvidence, limit: int) -> list[dict[str, Any]]:
    lad = ev.ladders
    listed = np.flatnonzero(lad.members > 1)
    listed = listed[np.lexsort((lad.roots[listed], -lad.members[listed]))][:limit]
    tops = a.graph.names(lad.roots[listed])
    return [
        {
            "top": tops[i],
            "members": int(lad.members[j]),
            "levels": int(lad.levels[j]),
            "tier_counts": lad.tier_counts(int(j)),
        }
        for i, j in enumerate(listed.tolist())
    ]


def _stock(a: Scanned, ev: SupplyEvidence, limit: int) -> dict[str, Any]:
    s = ev.stock
    if s is None:
        return {"checked": False}
    ids = np.flatnonzero(s.loading)
    ids = ids[np.lexsort((ids, -(s.bought[ids] - s.sold[ids])))]
    shown = ids[:limit]
    names, sups = a.graph.names(shown), a.graph.names(ev.parent[shown])
    return {
        "checked": True,
        "ratio": s.ratio,
        "orders": s.orders,
        "orders_from_supplier": s.from_supplier,
        "agents": int(len(ids)),
        "bought": _r(s.bought[ids].sum()),
        "sold": _r(s.sold[ids].sum()),
        "list": [
            {
                "agent": names[k],
                "supplier": sups[k],
                "bought_from_supplier": _r(s.bought[v]),
                "sold": _r(s.sold[v]),
                "ratio": _r(s.bought[v] / s.sold[v]) if s.sold[v] > 0 else None,
            }
            for k, v in enumerate(shown.tolist())
        ],
    }


def _amounts(a: Scanned) -> np.ndarray:
    m = a.money
    assert m is not None
    return np.asarray(m.payments.table.column("amount").to_numpy(), np.float64)


def _rank_ups(a: Scanned, ev: SupplyEvidence, limit: int) -> dict[str, Any]:
    r = ev.rank_ups
    if r is None or a.money is None:
        return {"checked": False}
    t = a.money.payments.table
    amount = _amounts(a)[r.rows]
    payer = t.column("payer_id").take(r.rows).to_pylist()
    payee = t.column("payee_id").take(r.rows).to_pylist()
    return {
        "checked": r.timed,
        "window_days": r.window_days,
        "payments": int(len(r.rows)),
        "amount": _r(amount.sum()),
        "agents": len(set(payer)),
        "unchecked": r.unchecked,
        "payment_rows": (r.rows[:limit] + 1).tolist(),
        "list": [
            {"agent": payer[k], "payee": payee[k], "amount": _r(amount[k]), "row": int(row) + 1}
            for k, row in enumerate(r.rows[:limit].tolist())
        ],
    }


def _bonuses(a: Scanned, ev: SupplyEvidence, limit: int) -> dict[str, Any]:
    b = ev.bonuses
    if b is None or a.money is None:
        return {"checked": False}
    amount = _amounts(a)[b.rows]
    n = len(a.graph)
    per_payee = np.bincount(b.payee, weights=amount, minlength=n)[:n]
    pairs = np.unique(b.payee.astype(np.int64) * n + b.source)  # distinct (recruiter, recruit)
    recruits = np.bincount(pairs // n, minlength=n)[:n]
    cross = ev.differs[b.source]
    paid = np.flatnonzero(recruits > 0)
    paid = paid[np.lexsort((paid, -per_payee[paid]))][:limit]
    names = a.graph.names(paid)
    total_recruits = int(len(pairs))
    return {
        "checked": True,
        "payments": int(len(b.rows)),
        "amount": _r(amount.sum()),
        "recruits": total_recruits,
        "per_recruit": _r(amount.sum() / total_recruits) if total_recruits else None,
        "cross_recruits": int(len(np.unique(b.source[cross]))),
        "cross_amount": _r(amount[cross].sum()),
        "payment_rows": (b.rows[:limit] + 1).tolist(),
        "recruiters": [
            {
                "agent": names[k],
                "recruits_paid_for": int(recruits[v]),
                "direct_recruits": int(a.hierarchy.direct[v]),
                "amount": _r(per_payee[v]),
                "per_recruit": _r(per_payee[v] / recruits[v]),
            }
            for k, v in enumerate(paid.tolist())
        ],
    }


def supply_section(a: Scanned, ev: SupplyEvidence, limit: int = 1000) -> dict[str, Any]:
    """The ``supply`` section of the report (revision 4).

    Parameters
    ----------
    a : Scanned
        The finished scan (its graph, hierarchy, networks and money evidence).
    ev : SupplyEvidence
        The supply ladder measured beside the referral tree.
    limit : int, default 1000
        Cap on every list (totals are always given).

    Returns
    -------
    dict
        ``relation``, ``supply_relations``, ``agents_with_supplier``, ``ladders``,
        ``max_supply_levels``, ``supply_level_counts`` (agents per supply level, the
        top = level 1), ``recruiter_differs`` with ``recruiter_differs_agents``,
        ``networks`` (per referral network: ``levels`` beside ``supply_levels``),
        ``supply_ladders``, ``repairs``, ``inventory_loading``, ``rank_ups``,
        ``referral_bonuses`` (each with ``checked``), ``used``, ``not_checked`` and
        ``counting``.

    Notes
    -----
    O(n + payments + orders + listed items x log).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/supply/edges.csv"),
    ...     payments=read_payments("fixtures/supply/payments.csv"),
    ...     orders=read_orders("fixtures/supply/orders.csv"))
    >>> sec = supply_section(a, a.supply)
    >>> sec["networks"][0]["levels"], sec["networks"][0]["supply_levels"]
    (7, 6)
    >>> sec["inventory_loading"]["agents"], sec["rank_ups"]["amount"]
    (4, 15400.0)
    >>> sec["referral_bonuses"]["per_recruit"], sec["referral_bonuses"]["cross_amount"]
    (600.0, 1500.0)
    """
    tree = ev.tree
    in_ladder = (ev.parent >= 0) | (tree.direct > 0)
    counts = np.bincount(tree.depth[in_ladder]).tolist() if in_ladder.any() else []
    return {
        "relation": ev.relation,
        "supply_relations": ev.rows,
        "agents_with_supplier": int((ev.parent >= 0).sum()),
        "ladders": int((ev.ladders.members > 1).sum()),
        "max_supply_levels": len(counts),
        "supply_level_counts": counts,
        "recruiter_differs": int(ev.differs.sum()),
        "recruiter_differs_agents": _differs(a, ev, limit),
        "networks": _networks(a, ev, in_ladder, limit),
        "supply_ladders": _ladders(a, ev, limit),
        "repairs": {
            "multiple_suppliers": ev.multiple,
            "self_supply": ev.self_supply,
            "cycles": ev.cycles,
            "unknown_suppliers": ev.unknown_count,
            "unknown_supplier_ids": list(ev.unknown_suppliers),
        },
        "inventory_loading": _stock(a, ev, limit),
        "rank_ups": _rank_ups(a, ev, limit),
        "referral_bonuses": _bonuses(a, ev, limit),
        "used": list(ev.used),
        "not_checked": list(ev.not_checked),
        "counting": COUNTING,
    }
