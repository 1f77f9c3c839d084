"""Per-suspect counting: the suspect's own downline, layer by layer, and its money.

The 2013 SPC/SPP/MPS opinion counts, for an organiser or leader, the people and the
levels of the organisation *under that person*, the person included: the suspect is
member 1 and level 1 of its own downline, its direct recruits are level 2, theirs
level 3, and so on. A suspect whose downline is a root, two generations below it and
nothing else therefore has 3 levels (:func:`downline_layers`).

Money follows :mod:`agentgraph.evidence.money`: the funds a suspect collected are the
payments of kind ``entry_fee``, ``goods`` and ``other`` made by the members of its
downline, the suspect's own payments excluded; *directly* = paid by its direct
recruits (relative level 2), *through the downline* = paid by the members below them
(relative level 3 and deeper). Pay received is every commission and rebate paid to
the suspect, split as the evidence classified it (:mod:`agentgraph.evidence.pay_basis`):
head-count pay (拉人头: paid for a downline member's recruitment), team pay (团队计酬: on
a downline member's sales), pay on its own sales, and other pay (the source is not in
its downline or not named, or no signal decided the payout's basis).

Complexity: :func:`money_columns` is O(payments + agents) once; each suspect costs
O(its downline) (one vectorised frontier expansion per level).

Examples
--------
>>> import numpy as np
>>> from agentgraph.appraisal.counts import children_csr, downline_layers
>>> start, kids = children_csr(np.array([-1, 0, 0, 1, 1, 3], np.int32))
>>> [layer.tolist() for layer in downline_layers(start, kids, 1)]
[[1], [3, 4], [5]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentgraph.evidence.money import MoneyEvidence
from agentgraph.tables import MONEY_IN_KINDS, PAYOUT_KINDS, kind_mask

__all__ = [
    "PAY_KINDS",
    "MoneyColumns",
    "children_csr",
    "downline_layers",
    "money_columns",
    "funds_of",
    "pay_received",
]

PAY_KINDS = ("headcount_pay", "team_pay", "own_sales_pay", "other_pay")
"""How a commission or rebate received is classified (see the module docstring)."""


def children_csr(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direct recruits of every agent as a CSR (offsets, recruits), recruits by dense id.

    Parameters
    ----------
    parent : numpy.ndarray
        Dense upline of every agent (-1: a root), acyclic.

    Returns
    -------
    tuple of numpy.ndarray
        ``(start, kids)``: the recruits of ``v`` are ``kids[start[v]:start[v + 1]]``.

    Notes
    -----
    O(n log n) (one stable sort).

    Examples
    --------
    >>> import numpy as np
    >>> start, kids = children_csr(np.array([-1, 0, 0, 1], np.int32))
    >>> start.tolist(), kids.tolist()
    ([0, 2, 3, 3, 3], [1, 2, 3])
    """
    n = len(parent)
    kids = np.flatnonzero(parent >= 0).astype(np.int32)
    kids = kids[np.argsort(parent[kids], kind="stable")]
    start = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(parent[parent >= 0], minlength=n)[:n], out=start[1:])
    return start, kids


def downline_layers(start: np.ndarray, kids: np.ndarray, v: int) -> list[np.ndarray]:
    """The downline of ``v`` layer by layer: ``[[v], its recruits, theirs, ...]``.

    Parameters
    ----------
    start, kids : numpy.ndarray
        The children CSR (:func:`children_csr`).
    v : int
        The suspect's dense id.

    Returns
    -------
    list of numpy.ndarray
        Layer ``k`` (0-based) holds the members on relative level ``k + 1``; layer 0 is
        the suspect. Members count = total length, levels = number of layers.
        Within a layer, recruits follow their upline's order, then dense id.

    Notes
    -----
    O(downline): one vectorised expansion per level (``np.repeat`` over the frontier).

    Examples
    --------
    >>> import numpy as np
    >>> start, kids = children_csr(np.array([-1, 0, 0, 1, -1], np.int32))
    >>> [layer.tolist() for layer in downline_layers(start, kids, 0)]
    [[0], [1, 2], [3]]
    >>> [layer.tolist() for layer in downline_layers(start, kids, 4)]
    [[4]]
    """
    layers = [np.array([v], np.int32)]
    frontier = layers[0]
    while True:
        lo = start[frontier]
        cnt = start[frontier + 1] - lo
        total = int(cnt.sum())
        if total == 0:
            return layers
        base = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
        frontier = kids[base + np.arange(total)]
        layers.append(frontier)


@dataclass(frozen=True)
class MoneyColumns:
    """Per-agent money, from the measured payments (index = dense agent id).

    Attributes
    ----------
    paid_in : numpy.ndarray
        float64 ``(n, 3)``: money paid in by each agent, by kind
        (:data:`agentgraph.tables.MONEY_IN_KINDS`: entry_fee, goods, other).
    received : numpy.ndarray
        float64 ``(n, 4)``: commissions and rebates received, by :data:`PAY_KINDS`.
    headcount_measured : bool
        Some signal (order ids, link types, orders, join times) could tell head-count
        pay from team pay.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/appraisal/members.csv"),
    ...     payments=read_payments("fixtures/appraisal/evidence/payments.csv"))
    >>> cols = money_columns(a.money, len(a.graph))
    >>> cols.paid_in[a.graph.node("B")].tolist(), cols.received[a.graph.node("B")].tolist()
    ([1000.0, 0.0, 0.0], [100.0, 0.0, 0.0, 0.0])
    """

    paid_in: np.ndarray
    received: np.ndarray
    headcount_measured: bool


def money_columns(m: MoneyEvidence, n: int) -> MoneyColumns:
    """Sum the measured payments per agent: paid in by kind, received by pay kind.

    Parameters
    ----------
    m : MoneyEvidence
        The scan's money evidence (:attr:`agentgraph.analysis.Analysis.money`).
    n : int
        Number of agents.

    Returns
    -------
    MoneyColumns

    Notes
    -----
    O(payments + n): a few bincounts. Money in is counted exactly as
    :func:`agentgraph.evidence.money.money_evidence` counts it (a payer that is an
    agent, a kind of :data:`~agentgraph.tables.MONEY_IN_KINDS`), so a suspect's funds
    add up to its ``funds_below``.

    Examples
    --------
    >>> import agentgraph
    >>> from agentgraph.loaders.payments import read_payments
    >>> a = agentgraph.analyse(agentgraph.read("fixtures/appraisal/members.csv"),
    ...     payments=read_payments("fixtures/appraisal/evidence/payments.csv"))
    >>> money_columns(a.money, len(a.graph)).paid_in.sum(axis=0).tolist()
    [7300.0, 4800.0, 50.0]
    """
    kind = m.payments.table.column("kind")
    amount = m.amounts
    paid_in = np.zeros((n, len(MONEY_IN_KINDS)), np.float64)
    for k, name in enumerate(MONEY_IN_KINDS):
        mask = kind_mask(kind, (name,)) & (m.payer >= 0)
        paid_in[:, k] = np.bincount(m.payer[mask], weights=amount[mask], minlength=n)[:n]
    payout = kind_mask(kind, PAYOUT_KINDS) & (m.payee >= 0)
    own = payout & (m.levels_up == 0)
    classes = (
        payout & m.headcount,
        payout & m.team_pay,
        own,
        payout & ~m.headcount & ~m.team_pay & ~own,
    )
    received = np.zeros((n, len(PAY_KINDS)), np.float64)
    for k, mask in enumerate(classes):
        received[:, k] = np.bincount(m.payee[mask], weights=amount[mask], minlength=n)[:n]
    return MoneyColumns(paid_in, received, m.headcount_measured)


def _by_kind(values: np.ndarray) -> dict[str, float]:
    out = {name: round(float(values[k]), 2) for k, name in enumerate(MONEY_IN_KINDS)}
    out["total"] = round(float(values.sum()), 2)
    return out


def funds_of(cols: MoneyColumns, layers: list[np.ndarray]) -> dict[str, dict[str, float]]:
    """Funds a suspect collected: directly, through the downline, and in all, by kind.

    Parameters
    ----------
    cols : MoneyColumns
        Per-agent money (:func:`money_columns`).
    layers : list of numpy.ndarray
        The suspect's downline layers (:func:`downline_layers`); layer 0, the
        suspect, is excluded.

    Returns
    -------
    dict
        ``direct``, ``through_downline``, ``total``: each ``{entry_fee, goods, other,
        total}`` in yuan, rounded to the fen.

    Notes
    -----
    O(downline).

    Examples
    --------
    >>> import numpy as np
    >>> cols = MoneyColumns(np.array([[0, 0, 0], [100, 0, 0], [0, 50, 0.0]]),
    ...                     np.zeros((3, 4)), True)
    >>> funds_of(cols, [np.array([0]), np.array([1]), np.array([2])])["total"]
    {'entry_fee': 100.0, 'goods': 50.0, 'other': 0.0, 'total': 150.0}
    """
    width = len(MONEY_IN_KINDS)
    direct = cols.paid_in[layers[1]].sum(axis=0) if len(layers) > 1 else np.zeros(width)
    deeper = (
        np.concatenate(layers[2:]) if len(layers) > 2 else np.zeros(0, np.int32)
    )  # relative level 3 and below
    below = cols.paid_in[deeper].sum(axis=0) if len(deeper) else np.zeros(width)
    return {
        "direct": _by_kind(direct),
        "through_downline": _by_kind(below),
        "total": _by_kind(direct + below),
    }


def pay_received(cols: MoneyColumns, v: int) -> dict[str, float | bool]:
    """Commissions and rebates paid to one suspect, by :data:`PAY_KINDS`.

    Parameters
    ----------
    cols : MoneyColumns
        Per-agent money.
    v : int
        The suspect's dense id.

    Returns
    -------
    dict
        ``headcount_pay``, ``team_pay``, ``own_sales_pay``, ``other_pay``, ``total``
        (yuan) and ``headcount_measured``.

    Notes
    -----
    O(1).

    Examples
    --------
    >>> import numpy as np
    >>> cols = MoneyColumns(np.zeros((1, 3)), np.array([[100.0, 30.0, 0.0, 0.0]]), True)
    >>> pay_received(cols, 0)["total"]
    130.0
    """
    row = cols.received[v]
    out: dict[str, float | bool] = {
        name: round(float(row[k]), 2) for k, name in enumerate(PAY_KINDS)
    }
    out["total"] = round(float(row.sum()), 2)
    out["headcount_measured"] = cols.headcount_measured
    return out
