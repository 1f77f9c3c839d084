"""The flags' evidence built column-wise: every firing network of a rule at once.

A report lists every flagged network with its evidence (payment rows, examples and
their chains, what decided the pay basis, agents over the pay cap). Built one
network at a time, each flag costs a handful of Python calls and Arrow gathers;
on a forest with tens of thousands of flagged networks that is most of a scan. The
helpers here take the networks as one array ``js`` and answer for all of them
with a few vectorised passes: one grouped pick per mask
(:meth:`agentgraph.measure.groups.Groups.pick`), one Arrow ``take`` for the example
rows, one compiled pass for all the chains, one ``take`` on the id dictionary for
all the names. Only the last step turns the arrays into the report's dicts.

Every helper returns one entry per network of ``js``, in that order, equal to
what the per-network evidence of the rules has always been (the report's bytes do
not change); a rule's ``evidence(nets, ev, j)`` is its ``evidence_many`` of
``[j]``.

Examples
--------
>>> import agentgraph, numpy as np
>>> from agentgraph.loaders.payments import read_payments
>>> a = agentgraph.analyse(
...     agentgraph.read("fixtures/money/ladder5_members.csv"),
...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
... )
>>> ex = examples_many(a.graph, a.money, a.money.by_network.pick(a.money.headcount, [0], 1))
>>> ex[0][0]["chain"], ex[0][0]["levels_up"]
(['L02', 'L04'], 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from agentgraph.measure.groups import Mask, Picked
from agentgraph.measure.networks import chains

if TYPE_CHECKING:
    from agentgraph.evidence.money import MoneyEvidence
    from agentgraph.graph.model import RecruitmentGraph
    from agentgraph.measure.hierarchy import Hierarchy

_BULK = 2048  # example rows from which one gather from the chunks beats the kept copy

__all__ = [
    "as_networks",
    "rounded",
    "shares",
    "picked_rows",
    "examples_many",
    "basis_many",
    "agents_over_cap",
]


def as_networks(js: np.ndarray | list[int]) -> np.ndarray:
    """The network numbers ``js`` as one int64 array (one network: ``[j]``).

    Parameters
    ----------
    js : array of int
        Network numbers.

    Returns
    -------
    numpy.ndarray

    Notes
    -----
    O(len(js)).

    Examples
    --------
    >>> as_networks([3, 1]).tolist(), as_networks(np.array(2)).tolist()
    ([3, 1], [2])
    """
    return np.asarray(js, np.int64).reshape(-1)


def rounded(values: np.ndarray, digits: int = 2) -> list[float]:
    """``round(float(v), digits)`` of every value (Python's rounding, as the report's).

    Parameters
    ----------
    values : numpy.ndarray
        Floats.
    digits : int, default 2
        Decimal digits kept.

    Returns
    -------
    list of float

    Notes
    -----
    O(len(values)); Python's ``round`` rounds the exact binary value (``numpy.round``
    scales first and can differ in the last digit).

    Examples
    --------
    >>> rounded(np.array([2.675, 1.0 / 3]))
    [2.67, 0.33]
    """
    return [round(v, digits) for v in np.asarray(values, np.float64).tolist()]


def shares(part: np.ndarray, whole: np.ndarray, digits: int = 4) -> list[float | None]:
    """``round(part / whole, digits)`` per network, None where ``whole`` is 0.

    Parameters
    ----------
    part, whole : numpy.ndarray
        Floats per network.
    digits : int, default 4
        Decimal digits kept.

    Returns
    -------
    list of float or None

    Notes
    -----
    O(len(part)), Python floats divided as the per-network evidence divides them.

    Examples
    --------
    >>> shares(np.array([1.0, 2.0]), np.array([3.0, 0.0]))
    [0.3333, None]
    """
    w = np.asarray(whole, np.float64).tolist()
    p = np.asarray(part, np.float64).tolist()
    return [round(a / b, digits) if b else None for a, b in zip(p, w, strict=True)]


def picked_rows(m: MoneyEvidence, mask: Mask, js: np.ndarray, limit: int | None = None) -> Picked:
    """The payments of each network of ``js`` under ``mask`` (first ``limit``).

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence (payments grouped by network once).
    mask : Mask
        Boolean array over the payments, or a function of payment positions.
    js : numpy.ndarray
        Network numbers.
    limit : int, optional
        Most rows per network.

    Returns
    -------
    Picked
        Counts per network and the 0-based payment positions (``lists(base=1)``
        gives the report's 1-based rows).

    Notes
    -----
    O(payments of the networks + networks).

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> picked_rows(a.money, a.money.headcount, as_networks([0])).lists(base=1)
    [[31, 32, 33, 34]]
    """
    return m.by_network.pick(mask, js, limit)


def examples_many(
    graph: RecruitmentGraph, m: MoneyEvidence, picked: Picked
) -> list[list[dict[str, Any]]]:
    """The picked payments as the flags' ``examples``, with their chains, per network.

    Each example names the row (1-based), payer, payee, amount, kind, levels up and
    the chain from the payee down to the agent whose sale or recruitment caused it.

    Parameters
    ----------
    graph : RecruitmentGraph
        The recruitment graph (uplines and the id dictionary).
    m : MoneyEvidence
        The scan's money evidence.
    picked : Picked
        The example rows of each network (:func:`picked_rows`).

    Returns
    -------
    list of list of dict
        One list per network of ``picked``.

    Notes
    -----
    O(examples + their chains' length): one Arrow ``take`` of the example rows (from the
    table's chunks for many rows, else from a one-chunk copy made once), one
    compiled pass for every chain (``levels_up`` is the exact distance from the
    agent up to the payee, :func:`~agentgraph.evidence.money.pay_levels`, so each
    chain is that many uplines long) and one ``take`` on the id dictionary for all
    the chains' names.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> ex = examples_many(a.graph, a.money, picked_rows(a.money, a.money.team_pay, [0], 2))
    >>> [(e["row"], e["levels_up"], len(e["chain"])) for e in ex[0]]
    [(35, 1, 2), (36, 2, 3)]
    """
    rows = picked.rows
    if not len(rows):
        return [[] for _ in range(len(picked))]
    if len(rows) >= _BULK:  # one gather straight from the table's chunks
        cols = m.payments.table.select(["payer_id", "payee_id", "amount", "kind"])
        got = cols.take(pa.array(rows))
    else:  # a few networks (one flag's evidence): from the one-chunk copy, kept
        got = m.example_columns.take(pa.array(rows))
    payer = got.column("payer_id").to_pylist()
    payee = got.column("payee_id").to_pylist()
    amount = got.column("amount").to_pylist()
    kind = got.column("kind").to_pylist()
    levels = m.levels_up[rows].astype(np.int64)
    source = m.source[rows]
    length = np.where((levels >= 0) & (source >= 0), levels + 1, 0)
    flat, offsets = chains(graph.parent, np.maximum(source, 0), length)
    names = graph.names(flat)
    lv = levels.tolist()
    co = offsets.tolist()
    row1 = (rows + 1).tolist()
    every = [
        {
            "row": row1[k],
            "payer": payer[k],
            "payee": payee[k],
            "amount": amount[k],
            "kind": kind[k],
            "levels_up": lv[k],
            "chain": names[co[k] : co[k + 1]],
        }
        for k in range(len(row1))
    ]
    off = picked.offsets.tolist()
    return [every[off[i] : off[i + 1]] for i in range(len(off) - 1)]


def basis_many(m: MoneyEvidence, name: str, js: np.ndarray) -> list[dict[str, Any]]:
    """What decided the payouts of class ``name`` per network, and what was unread.

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence.
    name : str
        ``team_pay``, ``headcount`` or ``upline``
        (:attr:`~agentgraph.evidence.money.MoneyEvidence.basis_by_network`).
    js : numpy.ndarray
        Network numbers.

    Returns
    -------
    list of dict
        Per network: ``decided_by`` (payments per deciding signal,
        :data:`~agentgraph.evidence.pay_basis.SIGNALS`), ``unknown_basis`` (the
        upline payouts no signal decided: count and amount) and ``not_checked``
        (the signals the inputs lacked).

    Notes
    -----
    O(networks x signals) from the per-network tables, plus one grouped pick and
    sum over the undecided payouts of the networks that have any.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(
    ...     agentgraph.read("fixtures/money/ladder5_members.csv"),
    ...     payments=read_payments("fixtures/money/ladder5_payments.csv"),
    ... )
    >>> b = basis_many(a.money, "headcount", as_networks([0]))[0]
    >>> b["decided_by"], b["unknown_basis"]
    ({'join_time': 4}, {'payments': 0, 'amount': 0.0})
    """
    from agentgraph.evidence.pay_basis import SIGNALS

    tables = m.basis_by_network
    table = tables[name][js].tolist()
    unknown = tables["unknown"][js]
    amounts = [0.0] * len(js)
    has = np.flatnonzero(unknown > 0)
    if len(has):
        sums = picked_rows(m, m.basis.unknown, js[has]).sums(m.amounts)
        for k, total in zip(has.tolist(), sums, strict=True):
            amounts[k] = round(total, 2)
    missing = m.basis.not_checked()
    signals = list(enumerate(SIGNALS, start=1))
    return [
        {
            "decided_by": {s: row[k] for k, s in signals if row[k]},
            "unknown_basis": {"payments": count, "amount": amount},
            "not_checked": list(missing),
        }
        for row, count, amount in zip(table, unknown.tolist(), amounts, strict=True)
    ]


def agents_over_cap(
    graph: RecruitmentGraph,
    h: Hierarchy,
    payouts: np.ndarray,
    sold: np.ndarray,
    cap: float,
    js: np.ndarray,
    limit: int,
) -> list[list[dict[str, Any]]]:
    """Per network, its first ``limit`` agents paid more than ``cap`` x their own sales.

    Parameters
    ----------
    graph : RecruitmentGraph
        The recruitment graph (for names).
    h : Hierarchy
        Its hierarchy (agents grouped by network).
    payouts, sold : numpy.ndarray
        float64 per agent: commissions and rebates received, own sales.
    cap : float
        The pay cap (pay of exactly the cap is not over it).
    js : numpy.ndarray
        Network numbers.
    limit : int
        Most agents per network, ascending dense ids.

    Returns
    -------
    list of list of dict
        ``{"agent", "payouts", "own_sales"}`` per agent.

    Notes
    -----
    O(agents of the networks + networks), one ``take`` for all the names.

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
    >>> s = a.sales
    >>> agents_over_cap(a.graph, a.hierarchy, s.payouts, s.sold, 0.3, as_networks([0]), 1)
    [[{'agent': 'L02', 'payouts': 560.0, 'own_sales': 0.0}]]
    """
    picked = h.by_network.pick(lambda v: payouts[v] > cap * sold[v], js, limit)
    agents = picked.rows
    names = graph.names(agents)
    paid = rounded(payouts[agents])
    own = rounded(sold[agents])
    every = [
        {"agent": names[k], "payouts": paid[k], "own_sales": own[k]} for k in range(len(agents))
    ]
    off = picked.offsets.tolist()
    return [every[off[i] : off[i + 1]] for i in range(len(off) - 1)]
