"""Compile every kernel ahead of time, by running each kind of scan once.

numba compiles a kernel for each argument types it meets, the first time it meets
them, and keeps the machine code in its cache (:mod:`agentgraph.compiled`). A
scan with payments, orders or identities, an edge list, a scan as of a date, the
live index of the API: each reaches kernels a plain member scan does not. So
:func:`compile_all` runs all of them on a synthetic input just over
:data:`~agentgraph.compiled.SMALL_INPUT` rows, with the kernels forced compiled;
afterwards no run on this machine waits on the compiler (``agentgraph compile``,
which ``scripts/setup`` runs).

Examples
--------
>>> from agentgraph.warmup import WORKLOADS
>>> WORKLOADS[:2]
('members', 'money')
"""

from __future__ import annotations

import os
from collections.abc import Callable

from agentgraph.analysis import Analysis, analyse
from agentgraph.compiled import SMALL_INPUT, compiled_signatures
from agentgraph.evidence.identities import resolve_identities
from agentgraph.live import LiveIndex
from agentgraph.loaders.orders import normalise_orders
from agentgraph.loaders.payments import normalise_payments
from agentgraph.synth import forest, to_edges
from agentgraph.synth.money import money_tables
from agentgraph.tables import Orders, Payments, Relations

__all__ = ["WORKLOADS", "compile_all"]

WORKLOADS = ("members", "money", "identities", "edges", "as_of", "live")
"""What :func:`compile_all` runs, in order."""


def _workloads(rel: Relations) -> dict[str, Callable[[], object]]:
    pays, sold, who = money_tables(rel)
    payments = Payments(normalise_payments(pays, None, "payments").table, "payments")
    orders = Orders(normalise_orders(sold, None, "orders").table, "orders")
    persons = resolve_identities(who)
    dates = rel.table.column("joined_at").drop_null()
    middle = dates.take([len(dates) // 2])[0].as_py()

    def live() -> object:
        index = LiveIndex.from_analysis(analyse(rel))
        first = str(rel.table.column("agent_id")[0])
        index.check(first, "warm-up-new-agent")
        return index.add(first, "warm-up-new-agent")

    def report(a: Analysis) -> object:
        return a.report()

    return {
        "members": lambda: report(analyse(rel)),
        "money": lambda: report(analyse(rel, payments=payments, orders=orders)),
        "identities": lambda: report(
            analyse(rel, payments=payments, orders=orders, identities=persons)
        ),
        "edges": lambda: report(analyse(to_edges(rel))),
        "as_of": lambda: report(analyse(rel, payments=payments, as_of=middle.date())),
        "live": live,
    }


def compile_all(rows: int = 2 * SMALL_INPUT) -> int:
    """Run every workload of :data:`WORKLOADS` once with the kernels compiled.

    Parameters
    ----------
    rows : int
        Agents of the synthetic forest (more than ``SMALL_INPUT``, so nothing runs
        interpreted).

    Returns
    -------
    int
        Kernel signatures compiled or loaded from the cache in this process.

    Notes
    -----
    The first call on a machine compiles (tens of seconds); later calls load the
    machine code from the cache (about a second). ``AGENTGRAPH_KERNELS`` is set to
    ``compiled`` for the call and restored afterwards. O(rows) apart from compiling.

    Examples
    --------
    >>> compile_all() > 0  # doctest: +SKIP
    True
    """
    before = os.environ.get("AGENTGRAPH_KERNELS")
    os.environ["AGENTGRAPH_KERNELS"] = "compiled"
    try:
        for run in _workloads(forest(rows, seed=1)).values():
            run()
    finally:
        if before is None:
            os.environ.pop("AGENTGRAPH_KERNELS", None)
        else:
            os.environ["AGENTGRAPH_KERNELS"] = before
    return compiled_signatures()
