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

from agentgraph.policies.thresholds import DEFAULT_THRESHOLDS, EvidenceThresholds

if TYPE_CHECKING:
    from agentgraph.evidence.money import MoneyEvidence

__all__ = ["paid_to_join", "fee_evidence"]

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


def _unmatched_pairs(m: MoneyEvidence, j: int, limit: int = 5) -> list[dict[str, Any]]:
    """The first ``limit`` unmatched payer/payee pairs of network ``j``.

    What was paid at joining and the goods received, per pair.
    """
    f = m.fees
    assert f is not None
    t = m.payments.table
    rows = f.in_net(f.disguised, j)
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i in rows[:_ROWS].tolist():
        pair = (str(t.column("payer_id")[i].as_py()), str(t.column("payee_id")[i].as_py()))
        if pair in seen:
            continue
        seen.add(pair)
        out.append(
            {
                "payer": pair[0],
                "payee": pair[1],
                "first_row": i + 1,
                "paid": round(float(f.paid_at_joining[i]), 2),
                "goods_received": round(float(f.goods_received[i]), 2),
            }
        )
        if len(out) == limit:
            break
    return out


def fee_evidence(
    m: MoneyEvidence, j: int, thresholds: EvidenceThresholds = DEFAULT_THRESHOLDS
) -> dict[str, Any]:
    """Evidence keys for entry fees in disguise on network ``j``.

    Each is present only when it applies: ``disguised`` (the network has purchases at
    joining) and ``join_package`` (the network has one). Payment rows are 1-based rows
    of the payment input; the thresholds shown are the policy's.

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
    window_days, ratio = thresholds.join_window_days, thresholds.goods_match_ratio
    f = m.fees
    out: dict[str, Any] = {}
    if f is None:
        return out
    amount = m.amounts
    window = f.in_net(f.window, j)  # positions
    if len(window):
        hidden = f.in_net(f.disguised, j)
        d: dict[str, Any] = {
            "measured": f.disguised_measured,
            "payments": len(hidden),
            "amount": round(float(amount[hidden].sum()), 2),
            "payment_rows": f.rows_where(f.disguised, j, _ROWS),
            "joining_window_payments": len(window),
            "joining_window_amount": round(float(amount[window].sum()), 2),
            "joining_window_rows": f.rows_where(f.window, j, _ROWS),
            "window_days": window_days,
            "match_ratio": ratio,
        }
        if f.disguised_measured:
            d["unmatched_pairs"] = _unmatched_pairs(m, j)
            d["counting"] = (
                f"goods or other payments made from any time before joining to "
                f"{window_days} days after it; a payer's payments to one payee "
                f"are matched when the orders it bought from that payee reach "
                f"{ratio:.0%} of them (boundary matched)"
            )
        else:
            d["counting"] = (
                "not measured: without orders the goods received for purchases "
                "at joining cannot be compared with what was paid; nothing is "
                "counted as a disguised fee"
            )
        out["disguised"] = d
    price = int(f.net_package_amount[j])
    if price > 0:
        pkg = f.in_net(f.package, j)
        agents, timed = int(f.net_package_agents[j]), int(f.net_recruits_timed[j])
        out["join_package"] = {
            "amount": price,
            "agents": agents,
            "recruits_with_join_time": timed,
            "share": round(agents / timed, 4) if timed else None,
            "payments": len(pkg),
            "total_paid": round(float(amount[pkg].sum()), 2),
            "payment_rows": f.rows_where(f.package, j, _ROWS),
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
