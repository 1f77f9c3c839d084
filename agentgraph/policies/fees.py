"""Entry fees in any form, as the rules over money read them.

:func:`paid_to_join` is the mask every entry-fee rule fires on (an explicit fee, a
purchase at joining not matched by goods, a join package) and :func:`fee_evidence`
the evidence keys those rules add to a flag (``disguised``, ``join_package``), with
the thresholds of the policy. Used by :mod:`agentgraph.policies.money` and
:mod:`agentgraph.policies.eu_ucpd`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.measure.groups import Picked
from agentgraph.policies.columns import rounded
from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS, EvidenceThresholds

if TYPE_CHECKING:
    from agentgraph.evidence.money import MoneyEvidence

__all__ = ["paid_to_join", "fee_evidence", "fee_evidence_many"]

_ROWS = 20  # payment rows cited per flag


def paid_to_join(m: MoneyEvidence) -> np.ndarray:
    """Networks where agents paid to join in any form.

    An explicit entry fee (kind ``entry_fee``), a disguised one (a purchase at joining
    not matched by goods) or a join package (:mod:`agentgraph.evidence.entry_fees`).

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.

    Returns
    -------
    numpy.ndarray
        Boolean mask over networks.

    Notes
    -----
    O(p + networks).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二) 入门费 (以交纳费用或者以认购商品等方式变相交纳费用).
    .. [2] In re Koscot Interplanetary, Inc., 86 F.T.C. 1106, 1180 (1975), first prong.
    .. [3] Directive 2005/29/EC, Annex I point 14 (consideration); CJEU C-515/12
       4finance (2014).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/join3980_members.csv"),
    ...     payments=read_payments("fixtures/money/join3980_payments.csv"),
    ... )
    >>> paid_to_join(a.money).tolist()
    [True]
    """
    out = m.net_entry_fees > 0
    return out | m.fees.fires() if m.fees is not None else out


def _unmatched_pairs(
    m: MoneyEvidence, picked: Picked, limit: int = 5
) -> list[list[dict[str, Any]]]:
    """Per network, its first ``limit`` unmatched payer/payee pairs.

    What was paid at joining and the goods received, per pair, from the network's
    first :data:`_ROWS` disguised payments (``picked``); one Arrow ``take`` for all
    the networks' ids.
    """
    f = m.fees
    assert f is not None
    rows = picked.rows
    t = m.payments.table.select(["payer_id", "payee_id"])
    got = t.take(pa.array(rows)) if len(rows) else t.slice(0, 0)
    payers = [str(v) for v in got.column("payer_id").to_pylist()]
    payees = [str(v) for v in got.column("payee_id").to_pylist()]
    at = rows.tolist()
    paid = rounded(f.paid_at_joining[rows])
    goods = rounded(f.goods_received[rows])
    off = picked.offsets.tolist()
    out: list[list[dict[str, Any]]] = []
    for g in range(len(off) - 1):
        mine: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for k in range(off[g], off[g + 1]):
            pair = (payers[k], payees[k])
            if pair in seen:
                continue
            seen.add(pair)
            mine.append(
                {
                    "payer": pair[0],
                    "payee": pair[1],
                    "first_row": at[k] + 1,
                    "paid": paid[k],
                    "goods_received": goods[k],
                }
            )
            if len(mine) == limit:
                break
        out.append(mine)
    return out


def fee_evidence(
    m: MoneyEvidence, j: int, thresholds: EvidenceThresholds = DEFAULT_THRESHOLDS
) -> dict[str, Any]:
    """Evidence keys for entry fees in disguise on network ``j``.

    Each is present only when it applies: ``disguised`` (the network has purchases at
    joining) and ``join_package`` (the network has one). Payment rows are 1-based rows
    of the payment input; the thresholds shown are the policy's. The same as
    :func:`fee_evidence_many` of ``[j]``.

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.
    j : int
        Network number.
    thresholds : EvidenceThresholds
        The policy's thresholds (window days, match ratio, package minimums shown).

    Returns
    -------
    dict

    Notes
    -----
    O(payments of the network).

    References
    ----------
    .. [1] 《禁止传销条例》(2005) 第七条(二): 以认购商品等方式变相交纳费用.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/join3980_members.csv"),
    ...     payments=read_payments("fixtures/money/join3980_payments.csv"),
    ... )
    >>> ev = fee_evidence(a.money, 0, a.policy.thresholds)
    >>> ev["disguised"]["measured"], ev["join_package"]["amount"], ev["join_package"]["agents"]
    (False, 3980, 35)
    """
    return fee_evidence_many(m, np.array([j], np.int64), thresholds)[0]


def fee_evidence_many(
    m: MoneyEvidence, js: np.ndarray, thresholds: EvidenceThresholds = DEFAULT_THRESHOLDS
) -> list[dict[str, Any]]:
    """:func:`fee_evidence` of every network of ``js``, column-wise.

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.
    js : numpy.ndarray
        Network numbers.
    thresholds : EvidenceThresholds
        The policy's thresholds (window days, match ratio, package minimums shown).

    Returns
    -------
    list of dict
        One per network of ``js`` (empty where neither key applies).

    Notes
    -----
    O(payments of the networks + networks): one grouped pick per payment class
    (payments grouped by the payer's network once), over the networks with
    joining-window payments or a join package only.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.orders import read_orders
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/join3980_members.csv"),
    ...     payments=read_payments("fixtures/money/join3980_payments.csv"),
    ...     orders=read_orders("fixtures/money/join3980_orders.csv"),
    ... )
    >>> ev = fee_evidence_many(a.money, np.array([0]), a.policy.thresholds)[0]
    >>> ev["disguised"]["payments"], ev["disguised"]["unmatched_pairs"][0]["goods_received"]
    (35, 398.0)
    """
    window_days, ratio = thresholds.join_window_days, thresholds.goods_match_ratio
    f = m.fees
    js = np.asarray(js, np.int64).reshape(-1)
    out: list[dict[str, Any]] = [{} for _ in range(len(js))]
    if f is None or not len(js):
        return out
    amount = m.amounts
    groups = f.by_payer_network
    windowed = groups.pick(f.window, js, 0).counts
    have = np.flatnonzero(windowed > 0)
    if len(have):
        at = js[have]
        hidden = groups.pick(f.disguised, at)
        window = groups.pick(f.window, at)
        hidden_rows = hidden.head(_ROWS)
        hidden_cited = hidden_rows.lists(base=1)
        window_cited = window.head(_ROWS).lists(base=1)
        hidden_sums, window_sums = hidden.sums(amount), window.sums(amount)
        pairs = _unmatched_pairs(m, hidden_rows) if f.disguised_measured else None
        if f.disguised_measured:
            counting = (
                f"goods or other payments made from any time before joining to "
                f"{window_days} days after it; a payer's payments to one payee "
                f"are matched when the orders it bought from that payee reach "
                f"{ratio:.0%} of them (boundary matched)"
            )
        else:
            counting = (
                "not measured: without orders the goods received for purchases "
                "at joining cannot be compared with what was paid; nothing is "
                "counted as a disguised fee"
            )
        for g, i in enumerate(have.tolist()):
            d: dict[str, Any] = {
                "measured": f.disguised_measured,
                "payments": int(hidden.counts[g]),
                "amount": round(hidden_sums[g], 2),
                "payment_rows": hidden_cited[g],
                "joining_window_payments": int(window.counts[g]),
                "joining_window_amount": round(window_sums[g], 2),
                "joining_window_rows": window_cited[g],
                "window_days": window_days,
                "match_ratio": ratio,
            }
            if pairs is not None:
                d["unmatched_pairs"] = pairs[g]
            d["counting"] = counting
            out[i]["disguised"] = d
    price_of = f.net_package_amount[js]
    priced = np.flatnonzero(price_of > 0)
    if len(priced):
        at = js[priced]
        pkg = groups.pick(f.package, at)
        cited = pkg.head(_ROWS).lists(base=1)
        totals = pkg.sums(amount)
        for g, i in enumerate(priced.tolist()):
            j = int(at[g])
            agents, timed = int(f.net_package_agents[j]), int(f.net_recruits_timed[j])
            out[i]["join_package"] = {
                "amount": int(price_of[i]),
                "agents": agents,
                "recruits_with_join_time": timed,
                "share": round(agents / timed, 4) if timed else None,
                "payments": int(pkg.counts[g]),
                "total_paid": round(totals[g], 2),
                "payment_rows": cited[g],
                "min_agents": thresholds.join_package_min_agents,
                "min_share": thresholds.join_package_min_share,
                "counting": (
                    f"recruits (the root excluded) who paid this amount (rounded to the "
                    f"yuan; entry fee, goods or other) before joining or within "
                    f"{window_days} days of it, out of the recruits whose joined_at "
                    "is known; a forced first purchase even if goods were delivered"
                ),
            }
    return out
