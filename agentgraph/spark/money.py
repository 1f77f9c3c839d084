"""The report's ``money`` section from the partitions' unrounded totals.

Every partition measures its payments with the in-process evidence and sends its
``money`` section with the amounts as exact integer units of 0.0001 yuan
(:func:`agentgraph.report.sections.money_section` with ``digits=None``;
:func:`~agentgraph.report.sections.summed`). The totals of the whole input are their
sums (counts and units added, the deepest payout's levels the largest, the levels-up
histograms added slot by slot), rounded to the cent once: the in-process totals are
added the same exact way, so they agree to the cent whatever the partitioning. What
does not add up stays as any partition has it: the payments' name, the signals the
columns carry, the thresholds shown.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from agentgraph.evidence.pay_basis import SIGNALS
from agentgraph.report.amounts import UNITS
from agentgraph.tables import PAYMENT_KINDS

__all__ = ["merge_money"]

_SAME = frozenset({"source", "measured", "window_days", "match_ratio", "signals", "not_checked"})
_LARGEST = frozenset({"max_levels_up"})
_ORDERS = {"by_kind": PAYMENT_KINDS, "decided_by": SIGNALS}


def _add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        if k not in out:
            out[k] = v
        elif k in _SAME:
            continue
        elif k in _LARGEST:
            out[k] = max(out[k], v)
        elif isinstance(v, dict):
            out[k] = _add(out[k], v)
        elif isinstance(v, list):
            out[k] = [x + y for x, y in zip_longest(out[k], v, fillvalue=0)]
        else:
            out[k] = out[k] + v
    return out


def _finish(section: Any, key: str = "") -> Any:
    if isinstance(section, dict):
        order = _ORDERS.get(key)
        items = list(section.items())
        if order is not None:
            rank = {name: i for i, name in enumerate(order)}
            items.sort(key=lambda kv: rank.get(kv[0], len(rank)))
        return {
            k: round(v / UNITS, 2)
            if k == "amount" and isinstance(v, int | float) and not isinstance(v, bool)
            else _finish(v, k)
            for k, v in items
        }
    return section


def merge_money(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole input's money totals from the partitions' unrounded sections.

    Parameters
    ----------
    parts : list of dict
        Each partition's ``money`` section without ``funds`` and ``networks``, its
        amounts in units of 0.0001 yuan.

    Returns
    -------
    dict
        The section's totals, amounts rounded to the cent, ``by_kind`` in
        :data:`~agentgraph.tables.PAYMENT_KINDS` order and ``decided_by`` in
        :data:`~agentgraph.evidence.pay_basis.SIGNALS` order (as in-process).

    Notes
    -----
    O(partitions x section size). Integer units add exactly, so the totals are the
    in-process ones.

    Examples
    --------
    >>> a = {"payments": 2, "amount": 1000, "by_kind": {"rebate": {"payments": 2}},
    ...      "payouts_levels_up": [0, 2], "team_pay": {"max_levels_up": 1}}
    >>> b = {"payments": 1, "amount": 2000, "by_kind": {"entry_fee": {"payments": 1}},
    ...      "payouts_levels_up": [0, 0, 1], "team_pay": {"max_levels_up": 2}}
    >>> merge_money([a, b])
    {'payments': 3, 'amount': 0.3, 'by_kind': {'entry_fee': {'payments': 1}, 'rebate': {'payments': 2}}, 'payouts_levels_up': [0, 2, 1], 'team_pay': {'max_levels_up': 2}}
    """  # noqa: E501
    out: dict[str, Any] = {}
    for p in parts:
        out = _add(out, p) if out else dict(p)
    return dict(_finish(out))
