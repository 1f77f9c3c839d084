"""The money section's ``networks``: per listed network, the payouts up the levels.

For every network the report lists (``report["networks"]``) that had payouts
(commissions and rebates), how many were paid 0, 1, 2, ... levels above the agent
whose sale or recruitment caused them, and for how much; and the payouts whose
payee is not on that agent's upline chain (or whose source is unknown). A ladder that
pays its uplines on their downlines' sales (团队计酬) shows counts at 2 and beyond;
a single-tier platform pays at 0 (own sales) and 1 at most.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agentgraph.evidence.money import MoneyEvidence
from agentgraph.tables import PAYOUT_KINDS

__all__ = ["money_by_network", "DENSE_FACTOR"]

DENSE_FACTOR = 4
"""Count densely while (networks x levels up) <= this many times the payouts (+4096)."""


def money_by_network(
    m: MoneyEvidence, chosen: np.ndarray, roots: list[str]
) -> list[dict[str, Any]]:
    """Per network of ``chosen`` with payouts: the payouts by levels up, in ``chosen`` order.

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence (``levels_up`` per payment, see
        :func:`agentgraph.evidence.money.pay_levels`).
    chosen : numpy.ndarray
        Network numbers, in the order of the report's ``networks``.
    roots : list of str
        The root id of each chosen network.

    Returns
    -------
    list of dict
        ``root``, ``payouts``, ``amount``, ``levels_up`` (payouts per levels up, index
        0 = paid on own sales), ``amount_levels_up`` (their amounts, rounded to the
        cent), ``off_chain`` and ``off_chain_amount`` (payee not on the source's upline
        chain, or no source). Networks without payouts are left out.

    Notes
    -----
    O(p + k x w) for p payments, k chosen networks and w levels up (a dense count),
    or O(p log p) (a sort) when k x w is over 4p. Amounts are summed in payment row
    order within each group.

    Examples
    --------
    Five levels paid up the ladder (``fixtures/money/ladder5_*``): the payouts at 1, 2
    and 3 levels up agree with the section's ``payouts_levels_up``.

    >>> import agentgraph
    >>> import numpy as np
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> [net] = money_by_network(a.money, np.array([0]), ["L01"])
    >>> net["levels_up"], net["payouts"], net["off_chain"]
    ([0, 20, 16, 16], 52, 0)
    """
    k = len(m.net_payouts)
    pos = np.full(k, -1, np.int64)
    pos[np.asarray(chosen, np.int64)] = np.arange(len(chosen))
    payout = m.payments.kind_in(PAYOUT_KINDS) & (m.network >= 0)
    rows = np.flatnonzero(payout)
    p = pos[m.network[rows]]
    keep = p >= 0
    rows, p = rows[keep], p[keep]
    if not len(rows):
        return []
    amount = m.amounts[rows]
    up = m.levels_up[rows].astype(np.int64)
    width = int(up.max()) + 2  # levels up 0 .. max, and one slot for "off the chain" (-1)
    key = p * width + np.where(up < 0, width - 1, up)
    size = len(chosen) * width
    if size <= DENSE_FACTOR * len(key) + 4096:  # a dense count, no sort: the usual case
        n_key = np.bincount(key, minlength=size)
        uniq = np.flatnonzero(n_key)
        counts = n_key[uniq]
        sums = np.bincount(key, weights=amount, minlength=size)[uniq]
    else:  # deep payouts over many networks: group by sorting
        uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        sums = np.bincount(inverse, weights=amount, minlength=len(uniq))
    net_of, slot = uniq // width, uniq % width
    out: list[dict[str, Any]] = []
    starts = np.flatnonzero(np.r_[True, net_of[1:] != net_of[:-1]])
    ends = np.r_[starts[1:], len(uniq)]
    # each (network, slot) pair is one entry: per network the buckets are read as
    # Python lists, and only the network's total is a numpy sum (as before)
    slots, n_at, sum_at, nets = slot.tolist(), counts.tolist(), sums.tolist(), net_of.tolist()
    off_slot = width - 1
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        top = slots[e - 1] if slots[e - 1] != off_slot else (slots[e - 2] if e - s > 1 else -1)
        count_at = [0] * (top + 1)
        amount_at = [0.0] * (top + 1)
        off_n, off_amount = 0, 0.0
        for k in range(s, e):
            if slots[k] == off_slot:
                off_n, off_amount = n_at[k], sum_at[k]
            else:
                count_at[slots[k]] = n_at[k]
                amount_at[slots[k]] = sum_at[k]
        out.append(
            {
                "root": roots[nets[s]],
                "payouts": sum(n_at[s:e]),
                "amount": round(float(sums[s:e].sum()), 2),
                "levels_up": count_at,
                "amount_levels_up": [round(x, 2) for x in amount_at],
                "off_chain": off_n,
                "off_chain_amount": round(off_amount, 2),
            }
        )
    return out
