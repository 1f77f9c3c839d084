"""Report sections built from evidence: ``money``, ``sales`` and ``identities``.

Each function turns one evidence object (arrays, see :mod:`agentgraph.evidence`) into
the JSON-ready section of the report contract (``agentgraph/report/report.schema.json``); the
evidence modules hold no report code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from agentgraph.evidence.money import MoneyEvidence
from agentgraph.evidence.persons import person_ids
from agentgraph.evidence.sales import SalesEvidence
from agentgraph.graph.model import RecruitmentGraph
from agentgraph.measure.groups import Groups
from agentgraph.measure.hierarchy import Hierarchy
from agentgraph.policies.thresholds import EvidenceThresholds
from agentgraph.report.amounts import summed
from agentgraph.tables import PAYMENT_KINDS, PAYOUT_KINDS

if TYPE_CHECKING:
    from agentgraph.scanned import Scanned

__all__ = [
    "entry_fee_totals",
    "fund_holders",
    "fund_rows",
    "identities_section",
    "money_section",
    "sales_section",
]


def _thresholds(thresholds: EvidenceThresholds | None, m: MoneyEvidence) -> tuple[int, float]:
    """Window days and match ratio: the policy's, else the ones ``m`` was measured with."""
    if thresholds is not None:
        return thresholds.join_window_days, thresholds.goods_match_ratio
    f = m.fees
    assert f is not None
    return f.window_days, f.match_ratio


def entry_fee_totals(
    m: MoneyEvidence,
    amount: np.ndarray,
    *,
    thresholds: EvidenceThresholds | None = None,
    digits: int | None = 2,
) -> dict[str, Any]:
    """The ``money.entry_fees`` totals.

    Explicit fees (kind ``entry_fee``; the first two keys), and with the entry-fee
    evidence the joining-window purchases, disguised fees, join packages and all entry
    fees in any form (each payment counted once).

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.
    amount : numpy.ndarray
        float64 amount of every payment.
    thresholds : EvidenceThresholds, optional
        The scan's policy thresholds (``window_days``, ``match_ratio`` shown); by
        default the ones the evidence was measured with.
    digits : int or None, default 2
        Amounts rounded to this many decimals (None: exact units of 0.0001 yuan, for
        partial sums added up before rounding, as the Spark engine does;
        :func:`~agentgraph.report.amounts.summed`).

    Returns
    -------
    dict

    Notes
    -----
    O(p).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> t = entry_fee_totals(a.money, a.money.amounts, thresholds=a.policy.thresholds)
    >>> t["payments"], t["amount"], t["joining_window"]["window_days"]
    (30, 30000.0, 7)
    """

    def total(mask: np.ndarray) -> dict[str, Any]:
        return {"payments": int(mask.sum()), "amount": summed(amount, mask, digits)}

    out: dict[str, Any] = total(m.entry_fee)
    f = m.fees
    if f is None:
        return out
    window_days, match_ratio = _thresholds(thresholds, m)
    out["joining_window"] = {
        "measured": f.window_measured,
        **total(f.window),
        "window_days": window_days,
    }
    out["disguised"] = {
        "measured": f.disguised_measured,
        **total(f.disguised),
        "match_ratio": match_ratio,
    }
    out["join_packages"] = {
        "networks": int(np.count_nonzero(f.net_package_amount)),
        **total(f.package),
    }
    out["any_form"] = total(m.entry_fee | f.disguised | f.package)
    return out


def money_section(
    m: MoneyEvidence,
    graph: RecruitmentGraph,
    h: Hierarchy,
    organisers: np.ndarray,
    limit: int = 100,
    *,
    thresholds: EvidenceThresholds | None = None,
    digits: int | None = 2,
) -> dict[str, Any]:
    """The report's ``money`` section.

    Totals, pay-levels histogram, team and head-count pay, entry fees
    (:func:`entry_fee_totals`) and funds collected per organiser (largest first).

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.
    graph : RecruitmentGraph
        The recruitment graph (for names).
    h : Hierarchy
        Its hierarchy.
    organisers : numpy.ndarray
        Dense ids of the organisers (roots are added).
    limit : int
        Most funds rows listed.
    thresholds : EvidenceThresholds, optional
        The scan's policy thresholds (``a.policy.thresholds``): the joining window
        and match ratio shown; by default the ones the evidence was measured with.
    digits : int or None, default 2
        Amounts rounded to this many decimals; None gives the totals in exact units of
        0.0001 yuan (:func:`~agentgraph.report.amounts.summed`), to be added up (the
        funds rows are rounded always).

    Returns
    -------
    dict

    Notes
    -----
    O(p + k log k) for k organisers.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> sec = money_section(a.money, a.graph, a.hierarchy, a.organisers,
    ...                     thresholds=a.policy.thresholds)
    >>> sec["payouts_levels_up"], sec["headcount_pay"]["amount"], sec["funds"][0]["collected"]
    ([0, 20, 16, 16], 800.0, 30000.0)
    """
    t = m.payments.table
    amount = np.asarray(t.column("amount").to_numpy(), np.float64)
    by_kind: dict[str, dict[str, float | int]] = {}
    for kd in PAYMENT_KINDS:
        mask = m.payments.kind_in((kd,))
        if mask.any():
            by_kind[kd] = {
                "payments": int(mask.sum()),
                "amount": summed(amount, mask, digits),
            }
    payout = m.payments.kind_in(PAYOUT_KINDS)
    attributed = payout & (m.levels_up >= 0)
    hist = np.bincount(m.levels_up[attributed]).tolist() if attributed.any() else []
    top = fund_holders(m, h, organisers, limit)
    return {
        "source": m.payments.source,
        "payments": m.payments.rows,
        "amount": summed(amount, None, digits),
        "by_kind": by_kind,
        "unmatched_payments": int(np.count_nonzero((m.payer < 0) & (m.payee < 0))),
        "payouts_levels_up": hist,
        "team_pay": {
            "payments": int(m.team_pay.sum()),
            "amount": summed(amount, m.team_pay, digits),
            "max_levels_up": int(m.levels_up[m.team_pay].max()) if m.team_pay.any() else 0,
        },
        "headcount_pay": {
            "measured": m.headcount_measured,
            "payments": int(m.headcount.sum()),
            "amount": summed(amount, m.headcount, digits),
        },
        "pay_basis": pay_basis_totals(m, amount, digits=digits),
        "entry_fees": entry_fee_totals(m, amount, thresholds=thresholds, digits=digits),
        "funds": fund_rows(m, graph, h, top),
    }


def fund_holders(m: MoneyEvidence, h: Hierarchy, organisers: np.ndarray, limit: int) -> np.ndarray:
    """Dense ids of the agents the ``funds`` list names: most collected first.

    The organisers and the roots that collected anything from their downline,
    by funds collected (descending), then dense id; the first ``limit``.

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.
    h : Hierarchy
        Its hierarchy.
    organisers : numpy.ndarray
        Dense ids of the organisers.
    limit : int
        Most agents returned.

    Returns
    -------
    numpy.ndarray
        Dense ids.

    Notes
    -----
    O(k log k) for k organisers and roots.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> a.graph.names(fund_holders(a.money, a.hierarchy, a.organisers, 5))
    ['L01']
    """
    cand = np.unique(np.concatenate([organisers, np.flatnonzero(h.depth == 0)]))
    cand = cand[m.funds_below[cand] > 0]
    top: np.ndarray = cand[np.lexsort((cand, -m.funds_below[cand]))][:limit]
    return top


def fund_rows(
    m: MoneyEvidence, graph: RecruitmentGraph, h: Hierarchy, top: np.ndarray
) -> list[dict[str, Any]]:
    """The ``funds`` rows of the agents ``top`` (:func:`fund_holders`), in that order.

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.
    graph : RecruitmentGraph
        The recruitment graph (for names).
    h : Hierarchy
        Its hierarchy.
    top : numpy.ndarray
        Dense ids.

    Returns
    -------
    list of dict
        ``agent``, ``network``, ``collected``, ``direct``, ``through_downline``.

    Notes
    -----
    O(len(top)).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> fund_rows(a.money, a.graph, a.hierarchy, np.array([0]))[0]["direct"]
    2000.0
    """
    names = graph.names(top)
    roots = graph.names(h.root[top])
    return [
        {
            "agent": names[i],
            "network": roots[i],
            "collected": round(float(m.funds_below[v]), 2),
            "direct": round(float(m.funds_direct[v]), 2),
            "through_downline": round(float(m.funds_below[v] - m.funds_direct[v]), 2),
        }
        for i, v in enumerate(top.tolist())
    ]


def pay_basis_totals(
    m: MoneyEvidence, amount: np.ndarray, *, digits: int | None = 2
) -> dict[str, Any]:
    """The money section's ``pay_basis``: what stands behind the payouts to uplines.

    ``decided_by`` counts the upline payouts per deciding signal
    (:data:`agentgraph.evidence.pay_basis.SIGNALS`); ``unknown`` the payouts no
    signal decided (neither team pay nor head-count pay is claimed for them) and the
    networks holding them; ``not_checked`` the signals the inputs lacked. O(p).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> pay_basis_totals(a.money, a.money.amounts)["decided_by"]
    {'order_id': 48, 'join_time': 4}
    """
    b = m.basis
    unknown = b.unknown
    return {
        "decided_by": b.counts(b.basis > 0),
        "unknown": {
            "payments": int(unknown.sum()),
            "amount": summed(amount, unknown, digits),
            "networks": int(np.count_nonzero(m.net_unknown_basis > 0)),
        },
        "signals": list(b.available),
        "not_checked": b.not_checked(),
    }


def sales_section(
    s: SalesEvidence,
    graph: RecruitmentGraph,
    h: Hierarchy,
    limit: int = 100,
    *,
    thresholds: EvidenceThresholds | None = None,
) -> dict[str, Any]:
    """The report's ``sales`` section.

    Totals, retail share, the agents whose sales go mostly to other agents (largest
    sales first) and, with payments, the agents paid over the cap on their own sales
    (most paid first).

    Parameters
    ----------
    s : SalesEvidence
        The scan's sales evidence.
    graph : RecruitmentGraph
        The recruitment graph (for names).
    h : Hierarchy
        Its hierarchy.
    limit : int
        Most agents listed per list.
    thresholds : EvidenceThresholds, optional
        The scan's policy thresholds (``a.policy.thresholds``): the pay cap; by
        default the one the evidence was measured with.

    Returns
    -------
    dict

    Notes
    -----
    O(o + n log n).

    References
    ----------
    .. [1] 《直销管理条例》(2005, 2017 修订) 第二十四条 (pay at most 30% of own sales).
    .. [2] FTC v. Vemma Development Co., No. CV-15-01578 (D. Ariz. 2016), stipulated
       order (revenue from non-participants).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ...     orders=read_orders("fixtures/money/ladder5_orders.csv"),
    ... )
    >>> sec = sales_section(a.sales, a.graph, a.hierarchy, thresholds=a.policy.thresholds)
    >>> sec["retail_ratio"], len(sec["paid_over_cap"])
    (0.25, 14)
    """
    t = s.orders.table
    amount = np.asarray(t.column("amount").to_numpy(), np.float64)
    mine = s.seller >= 0
    total = float(amount[mine].sum())
    retail = float(amount[mine & s.retail].sum())
    sellers = np.flatnonzero(s.sold > 0)
    share = s.sold_retail[sellers] / s.sold[sellers]
    low = sellers[share <= 0.5]
    low = low[np.lexsort((low, -s.sold[low]))][:limit]
    names = graph.names(low)
    out: dict[str, Any] = {
        "source": s.orders.source,
        "orders": s.orders.rows,
        "amount": round(float(amount.sum()), 2),
        "agents_sales": round(total, 2),
        "retail_sales": round(retail, 2),
        "retail_ratio": round(retail / total, 4) if total else None,
        "unmatched_orders": int(np.count_nonzero(~mine)),
        "mostly_internal_sellers": [
            {
                "agent": names[i],
                "sold": round(float(s.sold[v]), 2),
                "retail": round(float(s.sold_retail[v]), 2),
                "retail_share": round(float(s.sold_retail[v] / s.sold[v]), 4),
            }
            for i, v in enumerate(low.tolist())
        ],
    }
    if s.payouts is not None:
        cap = thresholds.pay_cap if thresholds is not None else s.pay_cap
        over = np.flatnonzero(s.payouts > cap * s.sold)
        over = over[np.lexsort((over, -s.payouts[over]))][:limit]
        onames = graph.names(over)
        out["paid_over_cap"] = [
            {
                "agent": onames[i],
                "payouts": round(float(s.payouts[v]), 2),
                "own_sales": round(float(s.sold[v]), 2),
            }
            for i, v in enumerate(over.tolist())
        ]
    return out


def identities_section(a: Scanned, limit: int) -> dict[str, Any]:
    """The report's ``identities`` section: accounts merged into persons.

    The evidence (groups and weak links), the merge's counts, and the networks
    before and after the merge, with the networks that were several networks of
    accounts (one organisation, counts added).

    Parameters
    ----------
    a : Scanned
        A scan made with ``identities=``.
    limit : int
        Most groups, weak links and merged networks listed.

    Returns
    -------
    dict

    Notes
    -----
    O(n + r) for n agents and r identities rows.

    References
    ----------
    .. [1] 最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律
       若干问题的意见》(2013) §1: people and levels are counted per person.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.evidence.identities import resolve_identities
    >>> from agentgraph.loaders.identities import read_identities
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/identities/split_members.csv"),
    ...     identities=resolve_identities(
    ...         read_identities("fixtures/identities/split_identities.csv")),
    ... )
    >>> sec = identities_section(a, 10)
    >>> sec["before"], sec["after"]
    ({'networks': 3, 'max_levels': 3}, {'networks': 2, 'max_levels': 5})
    """
    ev = a.identities
    assert ev is not None
    res = ev.resolution
    before, nets = ev.networks_before, a.networks
    out = res.as_dict()
    out["groups_total"] = len(out["groups"])
    out["groups"] = out["groups"][:limit]
    out["weak_links_total"] = len(out["weak_links"])
    out["weak_links"] = out["weak_links"][:limit]
    merge = getattr(ev.merged, "merge_summary", None)
    out["merge"] = merge() if merge is not None else {}
    out["before"] = {
        "networks": len(before),
        "max_levels": int(before.levels.max()) if len(before) else 0,
    }
    out["after"] = {"networks": len(nets), "max_levels": int(nets.levels.max()) if len(nets) else 0}
    # networks that were several networks of accounts: one organisation, counts added
    roots_before = ev.graph_before.ids.take(pa.array(before.roots.astype(np.int64)))
    persons = person_ids(roots_before, res).to_pylist()
    ids = a.graph.ids
    idx = pc.index_in(
        pa.array(persons, pa.string()),
        value_set=ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids,
    )
    node = np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), np.int64)
    after_net = np.where(node >= 0, a.hierarchy.net[np.maximum(node, 0)], -1)
    joined: list[dict[str, Any]] = []
    by_net = Groups.of(after_net, len(nets))
    for j in np.unique(after_net[after_net >= 0]).tolist():
        parts = by_net.rows(j)
        grew = int(nets.levels[j]) > int(before.levels[parts].max())
        if len(parts) > 1 or grew:
            joined.append(
                {
                    "root": a.graph.id_of(int(nets.roots[j])),
                    "members": int(nets.members[j]),
                    "levels": int(nets.levels[j]),
                    "from_networks": [
                        {
                            "root": roots_before[int(k)].as_py(),
                            "members": int(before.members[k]),
                            "levels": int(before.levels[k]),
                        }
                        for k in parts[:limit].tolist()
                    ],
                }
            )
    joined.sort(key=lambda x: (-x["members"], x["root"]))
    out["merged_networks"] = joined[:limit]
    return out
